"""Benchmark: what setting aside copies and resubmissions costs while reading a county batch.

Usage:
    python benchmarks/bench_resubmit.py               # 20 townships × 2 per-village files, ~200k rows
    python benchmarks/bench_resubmit.py --scale 0.1   # quick run
    options: --repeat N, --out DIR (batch folder, regenerated when missing)

The batch is the worst case for detection: every township sends two per-village files (so every
township's files are compared household by household), and one township adds a byte-identical
``- 副本`` and a revised ``(修改后)`` copy. Measured in the same run (medians of ``--repeat``):

- ``pipeline.read_inputs`` as it is (hashing every file first, comparing, setting aside);
- the same with both steps replaced by pass-throughs (the baseline: what reading cost before);
- the two steps alone (``skip_identical`` + ``set_aside_resubmissions``), timed inside the run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from fourcard_excel import pipeline  # noqa: E402
from fourcard_excel.ingest import resubmit  # noqa: E402
from fourcard_excel.ingest.ids import make_id  # noqa: E402
from fourcard_excel.issues import IssueLog  # noqa: E402

HEADERS = ["乡镇", "行政村", "户编号", "姓名", "证件号码", "与户主关系", "健康状况", "劳动技能", "户类别",
           "脱贫属性", "家庭人口", "工资性收入", "生产经营性收入", "转移性收入"]
RELATIONS = ("户主", "配偶", "之子", "之女")


def write_file(path: Path, township: str, county: int, first: int, n: int, wage: int = 8000) -> int:
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("花名册")
    ws.write_row(0, 0, HEADERS)
    r = 1
    for h in range(first, first + n):
        hid = f"5224{county:02d}{h:010d}"
        size = 1 + h % 4
        for m in range(size):
            birth = (dt.date(1940, 1, 1) + dt.timedelta(days=h)).strftime("%Y%m%d")  # unique per household
            pid = make_id(f"5224{county:02d}", birth, 2 * m + 1)
            ws.write_row(r, 0, [township, f"第{h % 9 + 1}村", hid, f"户{h}成员{m}", pid, RELATIONS[m], "健康",
                                "普通劳动力", "建档立卡贫困户", "已脱贫", size, wage, 1000, 2000])
            r += 1
    wb.close()
    return r - 1


def make_batch(folder: Path, scale: float) -> int:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    per_file = max(20, int(2500 * scale))  # households per file; ~2.5 persons each
    rows = 0
    for t in range(20):
        town = f"第{t + 1}乡"
        rows += write_file(folder / f"{town}（上片）.xlsx", town, t, 0, per_file)
        rows += write_file(folder / f"{town}（下片）.xlsx", town, t, per_file, per_file)
    old = time.time() - 86400
    os.utime(folder / "第1乡（上片）.xlsx", (old, old))
    shutil.copy2(folder / "第1乡（上片）.xlsx", folder / "第1乡（上片） - 副本.xlsx")
    write_file(folder / "第1乡（上片）(修改后).xlsx", "第1乡", 0, 0, per_file, wage=9000)
    return rows


def timed_read(folder: Path) -> tuple[float, float, int]:
    spent = [0.0]
    real_identical, real_aside = resubmit.skip_identical, resubmit.set_aside_resubmissions

    def timer(func):
        def run(*a, **k):
            t = time.perf_counter()
            try:
                return func(*a, **k)
            finally:
                spent[0] += time.perf_counter() - t
        return run

    resubmit.skip_identical, resubmit.set_aside_resubmissions = timer(real_identical), timer(real_aside)
    try:
        t = time.perf_counter()
        _, files, _ = pipeline.read_inputs(folder, IssueLog())
        total = time.perf_counter() - t
    finally:
        resubmit.skip_identical, resubmit.set_aside_resubmissions = real_identical, real_aside
    return total, spent[0], sum(1 for f in files if f.duplicate_of)


def baseline_read(folder: Path) -> float:
    real_identical, real_aside = resubmit.skip_identical, resubmit.set_aside_resubmissions

    def keep_all(files, tables, logs, preferred, log):
        for file_log in logs.values():
            log.extend(file_log)
        return tables

    resubmit.skip_identical = lambda files, preferred: files
    resubmit.set_aside_resubmissions = keep_all
    try:
        t = time.perf_counter()
        pipeline.read_inputs(folder, IssueLog())
        return time.perf_counter() - t
    finally:
        resubmit.skip_identical, resubmit.set_aside_resubmissions = real_identical, real_aside


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    folder = args.out or HERE / f"_resubmit_s{args.scale:g}"
    rows = make_batch(folder, args.scale)
    totals, steps, bases = [], [], []
    for _ in range(args.repeat):
        bases.append(baseline_read(folder))
        total, step, set_aside = timed_read(folder)
        totals.append(total)
        steps.append(step)
    base, total, step = (statistics.median(x) for x in (bases, totals, steps))
    print(f"batch: {len(list(folder.iterdir()))} files, {rows:,} member rows; {set_aside} files set aside")
    print(f"read_inputs without detection (baseline): {base:.2f} s")
    print(f"read_inputs with detection:               {total:.2f} s  ({total / base:.3f}× baseline)")
    print(f"  of which copies + resubmissions:        {step:.2f} s  ({step / total:.1%} of reading)")
    print(f"load: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
