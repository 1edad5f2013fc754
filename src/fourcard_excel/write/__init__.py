"""Writers: township and county workbooks, issue list, CSVs and the run manifest.

Public entry points (docs/ARCHITECTURE.md, contract 5):

- ``write_outputs(result, out_dir) -> list[Path]``: everything ``process`` writes.
- ``write_issue_files(issues, out_dir) -> list[Path]``: 问题清单.xlsx + issues.csv (``validate``).
- ``sheet.write_frame(...)``: the generic styled sheet other modules reuse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from .county import write_county
from .csvs import write_csvs
from .issues_book import write_issue_book, write_issue_files
from .manifest import write_manifest
from .parquet import write_parquet
from .sheet import write_frame
from .township import write_townships

__all__ = ["write_outputs", "write_issue_files", "write_frame"]


def write_outputs(result, out_dir: Path, *, extra_paths: list[Path] | None = None,
                  townships: Callable[[], list[Path]] | None = None) -> list[Path]:
    """Write every output of ``process`` under ``out_dir`` (each file atomically).

    households.csv, members.csv, issues.csv (+ the same as typed .parquet), 问题清单.xlsx, 乡镇结果/<乡镇>.xlsx, 全县汇总.xlsx and,
    last, manifest.json, which lists these and ``extra_paths`` (files the checks wrote already).
    ``townships``: the township books are being written elsewhere (``background.start``); this
    waits for their paths after writing the rest. Returns ``extra_paths`` + the files written here.
    ``result.timings["write"]`` is set.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    paths: list[Path] = []
    paths += write_csvs(result.households, result.members, result.issues, out_dir)
    paths += write_parquet(result, out_dir)
    paths.append(write_issue_book(result.issues, out_dir / "问题清单.xlsx", tmpdir=out_dir,
                                  created=result.as_of))
    if townships is None:
        paths += write_townships(result, out_dir)
        paths.append(write_county(result, out_dir))
    else:
        county = write_county(result, out_dir)
        paths += townships()
        paths.append(county)
    result.timings["write"] = round(time.perf_counter() - start, 3)
    paths = [Path(p) for p in (extra_paths or [])] + paths
    paths.append(write_manifest(result, paths, out_dir))
    return paths
