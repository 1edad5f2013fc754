"""Find the county output folders under the folders given to ``rollup``: each holds a manifest.json
written by ``fourcard-excel process``. Search is recursive to a bounded depth, skips hidden
folders, and does not descend into a county folder once found (its 乡镇结果/ 公示名单/ hold none)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..write.manifest import MANIFEST, default_county

MAX_DEPTH = 4
TABLES = ("households", "members", "issues", "measures", "measures_coverage")
OPTIONAL = ("measures", "measures_coverage")  # Parquet only, where the county checked its measures ledger
CSV_TABLES = {"households": "households.csv", "members": "members.csv", "issues": "issues.csv"}
SIDE_CSVS = {"spotcheck": "spotcheck.csv", "quotas": "quotas.csv"}


class RollupError(Exception):
    """A roll-up cannot go on; the message is Chinese and says what to do."""


@dataclass
class CountyRun:
    """One county's ``process`` output folder."""

    folder: Path
    county: str
    manifest: dict
    parquet: dict[str, Path] = field(default_factory=dict)  # table -> file
    csv: dict[str, Path] = field(default_factory=dict)  # table -> file (fallback)
    side: dict[str, Path] = field(default_factory=dict)  # spotcheck / quotas CSVs

    @property
    def source(self) -> str:
        """How its tables are read: Parquet, or CSV for an older run without Parquet."""
        return "Parquet" if {"households", "members", "issues"} <= set(self.parquet) else "CSV"

    def file(self, table: str) -> Path | None:
        if self.source == "Parquet" or table in OPTIONAL:
            return self.parquet.get(table)
        return self.csv.get(table)


def _is_manifest(data) -> bool:
    return isinstance(data, dict) and data.get("program") == "fourcard-excel" and "counts" in data


def load_county(folder: Path) -> CountyRun | None:
    """The county run in ``folder`` (None when its manifest.json is not one of ours)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not _is_manifest(data):
        return None
    county = str(data.get("county") or "").strip()
    if not county:  # a run from before --county: the default process would have used
        county = default_county(data.get("input_root")) or folder.resolve().name
    run = CountyRun(folder=folder.resolve(), county=county, manifest=data)
    for table, name in (data.get("parquet") or {}).items():
        # only files inside the county folder (an absolute or ../ name in an edited manifest is ignored)
        path = (run.folder / str(name)).resolve()
        if table in TABLES and path.is_file() and path.is_relative_to(run.folder):
            run.parquet[table] = path
    for table, name in CSV_TABLES.items():
        if (folder / name).is_file():
            run.csv[table] = (folder / name).resolve()
    for kind, name in SIDE_CSVS.items():
        if (folder / name).is_file():
            run.side[kind] = (folder / name).resolve()
    return run


def find_counties(dirs: list[Path], max_depth: int = MAX_DEPTH) -> list[CountyRun]:
    """Every county run under ``dirs`` (each a county folder or a folder holding several),
    sorted by county name. Raises ``RollupError`` when none is found, when a county's tables are
    missing, or when two folders carry the same county name."""
    found: dict[Path, CountyRun] = {}
    for top in dirs:
        top = Path(top)
        if not top.is_dir():
            raise RollupError(f"找不到文件夹：{top}")
        base = len(top.resolve().parts)
        for root, subdirs, files in os.walk(top):
            here = Path(root)
            if MANIFEST in files:
                run = load_county(here)
                if run is not None:
                    found.setdefault(run.folder, run)
                    subdirs[:] = []
                    continue
            if len(here.resolve().parts) - base >= max_depth:
                subdirs[:] = []
            subdirs[:] = sorted(d for d in subdirs if not d.startswith((".", "~$")))
    runs = sorted(found.values(), key=lambda r: (r.county, str(r.folder)))
    if not runs:
        names = "、".join(str(d) for d in dirs)
        raise RollupError(f"在 {names} 中（向下 {max_depth} 层）没有找到各县的结果文件夹（含 manifest.json）。"
                          "请指定各县 fourcard-excel process 的输出文件夹，或存放它们的上级文件夹。")
    incomplete = [r for r in runs if r.source == "CSV" and "households" not in r.csv]
    if incomplete:
        names = "、".join(f"{r.county}（{r.folder}）" for r in incomplete)
        raise RollupError(f"以下结果文件夹既没有 households.parquet 也没有 households.csv：{names}。"
                          "请重新运行 fourcard-excel process，或把这些文件夹移出汇总范围。")
    seen: dict[str, CountyRun] = {}
    for run in runs:
        if run.county in seen:
            raise RollupError(
                f"县名重复：“{run.county}”同时出现在 {seen[run.county].folder} 和 {run.folder}。"
                "同一个县只能汇总一期结果；若是两个不同的县，请用 fourcard-excel process --county 县名 "
                "重新处理其中之一。")
        seen[run.county] = run
    return runs
