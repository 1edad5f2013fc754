"""The result of a run, handed from the pipeline to the checks and writers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass
class RunResult:
    members: pd.DataFrame  # contract 1 (docs/ARCHITECTURE.md)
    households: pd.DataFrame  # contract 2 + 3: facts and classification
    issues: pd.DataFrame  # IssueLog.frame()
    files: pd.DataFrame  # one row per input file (文件清单)
    rules: object  # rules.Rules
    as_of: dt.date
    input_root: Path
    seed: int | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # side tables by kind
    sheets: dict[str, "SheetSpec"] = field(default_factory=dict)  # extra sheets for 全县汇总.xlsx
    outputs: dict[str, object] = field(default_factory=dict)  # extra results by check name
    timings: dict[str, float] = field(default_factory=dict)  # stage -> seconds
    command: str = ""

    def add_issues(self, frame: pd.DataFrame) -> None:
        """Append issues (an ``IssueLog.frame()``) found by a check."""
        if frame is not None and len(frame):
            self.issues = pd.concat([self.issues, frame], ignore_index=True)


@dataclass
class SheetSpec:
    """An extra sheet for 全县汇总.xlsx contributed by a check (spot-check, quotas, history)."""

    frame: pd.DataFrame
    row_fill: pd.Series | None = None  # per row "#RRGGBB" or "" (e.g. red shortfall / green met)
    tab_colour: str | None = None
    title: str = ""  # optional line above the table
