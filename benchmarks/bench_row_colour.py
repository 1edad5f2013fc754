"""Row colouring in xlsxwriter: one cell format per (column kind, fill) vs one conditional format
per sheet. Writes 200k generated households as four card sheets (like the township workbooks)
with ``write.sheet.write_frame`` in each mode, plus an uncoloured baseline, and prints seconds.

    /tmp/venv/bin/python benchmarks/bench_row_colour.py [--rows 200000] [--repeat 1]

Measured (200k rows, 26 columns, constant_memory, shared 2-core machine under load; CPU seconds):
plain 75.10, row 74.83, conditional 75.11 -> conditional/row = 1.004. Kept: "row" (sheet.FILL_MODE).
Wall-clock times (113 / 94 / 120 s) were dominated by neighbours' load.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fourcard_excel.ingest.ids import make_id
from fourcard_excel.write import styles, tables
from fourcard_excel.write.sheet import write_frame

CARDS = {"红卡": "#FF0000", "黄卡": "#FFFF00", "绿卡": "#00B050", "蓝卡": "#0070C0"}


def make_households(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [make_id("522401", "19800101", i % 1000) for i in range(1000)]
    villages = np.array([f"{v}村" for v in "东西南北中上下前后左"])
    size = rng.integers(1, 7, n)
    wage = rng.integers(0, 40000, n).astype(float)
    return pd.DataFrame({
        "village": villages[rng.integers(0, 10, n)], "group": pd.Series(rng.integers(1, 9, n)).astype(str) + "组",
        "household_id": pd.Series(np.arange(n)).map("{:015d}".format),
        "head_name": "王建国", "head_id": np.array(ids, dtype=object)[np.arange(n) % 1000],
        "size": size, "category": "建档立卡贫困户", "poverty_status": "已脱贫",
        "wage_income": wage, "business_income": wage / 3, "property_income": 0.0, "transfer_income": 1200.0,
        "business_cost": 300.0, "per_capita": (wage * 4 / 3 + 900) / size,
        "card": np.array(list(CARDS))[rng.integers(0, 4, n)], "rule": "yellow",
        "reasons": "已脱贫；人均纯收入4800元≤5000元；存在返贫风险（因病）", "exclusions": "",
        "priority_factors": "有大病或残疾成员", "priority_score": rng.integers(0, 3, n),
        "review": rng.random(n) < 0.05, "review_reason": "", "declared_card": "黄卡",
        "agrees": pd.array(rng.random(n) < 0.9, dtype="boolean"),
        "source_file": "城关镇/城关镇四卡花名册.xlsx", "source_row": np.arange(n) + 4,
    })


def write_book(hh: pd.DataFrame, path: Path, mode: str, constant_memory: bool = True) -> tuple[float, float]:
    """Returns (wall seconds, CPU seconds): on a shared machine CPU time is the steadier figure."""
    start, cpu = time.perf_counter(), time.process_time()
    wb = styles.new_workbook(path, tmpdir=path.parent, constant_memory=constant_memory)
    fmts = styles.Formats(wb)
    for card, group in hh.groupby("card", sort=False):
        frame = tables.labelled(group, tables.CARD_SHEET_KEYS)
        fill = None if mode == "plain" else pd.Series(styles.tint(CARDS[card]), index=range(len(frame)))
        write_frame(wb, card, frame, formats=fmts, row_fill=fill, tab_colour=CARDS[card],
                    fill_mode="row" if mode == "plain" else mode, freeze_cols=4)
    wb.close()
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--shared-strings", action="store_true", help="constant_memory off (shared strings)")
    args = ap.parse_args()
    hh = make_households(args.rows)
    results: dict[str, list[float]] = {"plain": [], "row": [], "conditional": []}
    with tempfile.TemporaryDirectory() as tmp:
        write_book(hh.head(2000), Path(tmp) / "warmup.xlsx", "row")
        for _ in range(args.repeat):
            for mode in results:
                path = Path(tmp) / f"{mode}.xlsx"
                wall, cpu = write_book(hh, path, mode, constant_memory=not args.shared_strings)
                results[mode].append(cpu)
                print(f"{mode:12s} wall {wall:7.2f} s  cpu {cpu:7.2f} s  {path.stat().st_size / 1e6:6.1f} MB",
                      flush=True)
    med = {m: statistics.median(v) for m, v in results.items()}
    print(f"rows={args.rows} median CPU seconds: " + ", ".join(f"{m}={s:.2f}" for m, s in med.items()))
    print(f"ratio conditional/row = {med['conditional'] / med['row']:.3f} "
          f"(>1: per-row formats faster); row/plain = {med['row'] / med['plain']:.3f}")


if __name__ == "__main__":
    main()
