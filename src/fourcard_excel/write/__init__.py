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

from ..memory import release_freed
from .county import write_county
from .csvs import write_csvs
from .issues_book import write_issue_book, write_issue_files
from .manifest import write_manifest
from .parquet import write_parquet
from .sheet import write_frame
from .township import write_townships

__all__ = ["write_outputs", "write_issue_files", "write_frame"]


def write_outputs(result, out_dir: Path, *, extra_paths: list[Path] | None = None,
                  townships: Callable[[], list[Path]] | None = None, pool=None,
                  extra_jobs: list | None = None) -> list[Path]:
    """Write every output of ``process`` under ``out_dir`` (each file atomically).

    households.csv, members.csv, issues.csv (+ the same as typed .parquet), 问题清单.xlsx, 乡镇结果/<乡镇>.xlsx, 全县汇总.xlsx and,
    last, manifest.json, which lists these and ``extra_paths`` (files the checks wrote already).
    ``pool`` (a ``background.Pool``): the township books are written by its workers while this
    process writes the CSVs, the issue book and the county book. ``townships``: the township
    books were already submitted (``write_townships(result, out, pool)``); this waits for their
    paths. ``extra_jobs``: other submitted jobs (each gives a list of paths, e.g. the notices),
    waited for after this process's own writing and listed after ``extra_paths``. The files are
    the same either way. Returns ``extra_paths`` + the jobs' + the files written here.
    ``result.timings["write"]`` is set.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if townships is None:
        townships = write_townships(result, out_dir, pool=pool)
        if not callable(townships):
            done, townships = townships, (lambda: done)
    # the two books this process writes come first, while the workers take the books queued
    # before; then the CSV chunks (converted by the workers) and Parquet. Parquet last: before the
    # CSVs it raised the main process's peak at a million members by ~70 MB (what it leaves
    # allocated comes on top of the chunks in flight). The list of paths keeps its order.
    issue_book = write_issue_book(result.issues, out_dir / "问题清单.xlsx", tmpdir=out_dir,
                                  created=result.as_of)
    county = write_county(result, out_dir)
    paths = write_csvs(result.households, result.members, result.issues, out_dir, pool=pool)
    release_freed()  # the chunks and texts the CSVs went through
    paths += write_parquet(result, out_dir)
    paths.append(issue_book)
    paths += townships()
    paths.append(county)
    extra = [Path(p) for p in (extra_paths or [])]
    for job in extra_jobs or []:
        extra += [Path(p) for p in job.result()]
    result.timings["write"] = round(time.perf_counter() - start, 3)
    paths = extra + paths
    paths.append(write_manifest(result, paths, out_dir))
    return paths
