"""Benchmark: the 帮扶措施 check (checks/measures) on 1M households with a 3M-row ledger.

Usage:
    python benchmarks/bench_measures.py --households 1000000 --rows-per-household 3 --json out.json

Times ``measures.run`` (match the ledger, 一户一策 bitmasks, every 户 check, coverage, the industry
ratio, issue rows, sheet specs) and writing measures.csv, on synthetic classified households and a
typed ledger (as ingest.side_tables hands it over). Reports throughput and two references measured
in the same run: the same vectorised run on 1/10 of the size (scaling), and a naive implementation
(``groupby(...).apply`` over households with per-household Python, the obvious non-vectorised way)
timed on a sample and extrapolated linearly to the full size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fourcard_excel.checks import measures
from fourcard_excel.checks.measures.book import write_csv
from fourcard_excel.issues import IssueLog
from fourcard_excel.registry import MEASURES
from fourcard_excel.result import RunResult
from fourcard_excel.rules.ruleset import load_rules

AS_OF = dt.date(2024, 3, 18)
CARDS = np.array(["红卡", "黄卡", "绿卡", "蓝卡", "不纳入"], dtype=object)
TOWNS = np.array([f"乡镇{i:02d}" for i in range(20)], dtype=object)


def synthetic_households(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    card = CARDS[rng.choice(5, n, p=[0.08, 0.22, 0.45, 0.1, 0.15])]
    hid = pd.Series(np.arange(n)).astype(str).str.zfill(9).to_numpy(dtype=object)
    town = TOWNS[np.arange(n) % len(TOWNS)]
    return pd.DataFrame({
        "hh_key": town + "|" + hid, "township": town,
        "village": np.array([f"{i}村" for i in range(12)], dtype=object)[rng.integers(0, 12, n)],
        "group": "", "household_id": hid, "head_name": "张三", "head_id": "43" + hid + "0000000",
        "size": rng.integers(1, 7, n).astype(np.int64), "card": card,
        "registered": np.isin(card, ["红卡", "黄卡", "绿卡"]),
        "labour_able": np.where(card == "红卡", 0, rng.integers(0, 3, n)).astype(np.int64),
        "labour_weak": rng.integers(0, 2, n).astype(np.int64),
        "n_serious_ill": (rng.random(n) < 0.15).astype(np.int64),
        "severe_disabled": rng.random(n) < 0.05, "risk_disaster": rng.random(n) < 0.03,
        "risk_education": rng.random(n) < 0.05,
        "source_file": "花名册.xlsx", "source_sheet": "Sheet1", "source_row": pd.array(np.arange(n) + 3, dtype="Int64"),
    })


def synthetic_ledger(h: pd.DataFrame, per_household: float, seed: int = 1) -> pd.DataFrame:
    """A typed ledger: ~per_household rows per household, measures by card, 1 % unknown households."""
    rng = np.random.default_rng(seed)
    n = len(h)
    rows = int(n * per_household)
    hh = rng.integers(0, n, rows)
    card = h["card"].to_numpy()[hh]
    by_card = {"红卡": [0, 3, 0, 3, 8], "黄卡": [1, 4, 2, 13, 9], "绿卡": [1, 1, 12, 7, 13],
               "蓝卡": [7, 5, 13, 10, 11], "不纳入": [11, 10, 12, 7, 5]}
    pick = rng.integers(0, 5, rows)
    code = np.zeros(rows, dtype=np.int64)
    for c, codes in by_card.items():
        sel = card == c
        code[sel] = np.asarray(codes)[pick[sel]]
    measure = np.asarray(MEASURES, dtype=object)[code]
    size = h["size"].to_numpy()[hh]
    principal = np.where(code == 0, 2024.0 * size, 0.0)
    amount = np.round(rng.uniform(500, 6000, rows), 2)
    amount = np.where(code == 0, np.round(principal * rng.uniform(0.14, 0.2, rows), 2), amount)
    ids = h["head_id"].to_numpy()[hh].copy()
    ghost = rng.random(rows) < 0.01
    ids[ghost] = "99" + pd.Series(np.arange(ghost.sum())).astype(str).str.zfill(16).to_numpy(dtype=object)
    covered = pd.array(np.where(np.isin(code, [3, 4, 5, 6]), size - (rng.random(rows) < 0.05), -1), dtype="Int64")
    covered[covered < 0] = pd.NA
    return pd.DataFrame({
        "source_file": "附表/帮扶措施台账.xlsx", "source_sheet": "台账", "source_row": np.arange(rows) + 3,
        "township": h["township"].to_numpy()[hh], "village": h["village"].to_numpy()[hh], "head_name": "张三",
        "head_id": pd.Series(ids, dtype="str"), "household_id": "", "measure": pd.Series(measure, dtype="str"),
        "project": "", "principal": principal, "amount": amount, "covered": covered,
        "year": pd.Series(np.where(rng.random(rows) < 0.8, "2024", "2023"), dtype="str"), "date": "",
        "note": "",
    })


def make_result(h: pd.DataFrame, ledger: pd.DataFrame, rules) -> RunResult:
    return RunResult(members=None, households=h.copy(), issues=IssueLog().frame(), files=pd.DataFrame(),
                     rules=rules, as_of=AS_OF, input_root=Path("."), tables={"ledger": ledger})


def run_vectorised(h, ledger, rules, out: Path) -> dict:
    result = make_result(h, ledger, rules)
    t0 = time.perf_counter()
    measures.run(result)
    t1 = time.perf_counter()
    write_csv(result, out)
    t2 = time.perf_counter()
    return {"run": t1 - t0, "csv": t2 - t1, "findings": len(result.outputs["measures"]),
            "plan_rows": len(result.outputs["measures_plan"])}


def naive(h: pd.DataFrame, ledger: pd.DataFrame, rules) -> int:
    """The obvious implementation: match each ledger row with a dict, then groupby(household).apply
    with per-household Python for coverage, dividends, temporary aid, housing and the 一户一策 text."""
    cfg = measures.load_config(rules)
    pos = {k: i for i, k in enumerate(h["head_id"])}
    led = ledger.assign(hh=[pos.get(x, -1) for x in ledger["head_id"]])
    led = led[led["hh"] >= 0]
    cards = h["card"].to_numpy()
    sizes = h["size"].to_numpy()
    found = []

    def per_household(g: pd.DataFrame) -> int:
        i = int(g.name)
        card, size = cards[i], sizes[i]
        this = g[g["year"] == "2024"]
        got = set(this["measure"])
        for e in cfg.required:
            if e.card == card and not (got & set(e.accepts)):
                found.append((i, e.check))
        div = g[g["measure"] == "产业分红"]
        for _, yr in div.groupby("year"):
            p, a = yr["principal"].sum(), yr["amount"].sum()
            if card in cfg.dividend_cards and p < cfg.dividend_per_person * size:
                found.append((i, "入股"))
            if card in cfg.dividend_cards and p > 0 and a < p * cfg.dividend_rate_min:
                found.append((i, "比例"))
        aid = g[g["measure"] == "临时救助"]
        for _, yr in aid.groupby("year"):
            if not cfg.temp_aid_min <= yr["amount"].sum() <= cfg.temp_aid_max:
                found.append((i, "临时救助"))
        build = g.loc[g["measure"] == "危房改造（新建）", "amount"].sum()
        if card in cfg.new_build and build and build != cfg.new_build[card]:
            found.append((i, "新建"))
        "、".join(sorted(got))  # the 一户一策 text
        return len(got)

    led.groupby("hh").apply(per_household, include_groups=False)
    return len(found)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--rows-per-household", type=float, default=3.0)
    ap.add_argument("--naive-households", type=int, default=20_000)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    rules = load_rules()
    out = Path(tempfile.mkdtemp(prefix="bench_measures_"))
    figures: dict = {"households": a.households, "load": os.getloadavg(), "python": sys.version.split()[0],
                     "pandas": pd.__version__, "machine": platform.machine(), "cpus": os.cpu_count()}

    t0 = time.perf_counter()
    h = synthetic_households(a.households)
    ledger = synthetic_ledger(h, a.rows_per_household)
    figures["ledger_rows"] = len(ledger)
    figures["generate"] = time.perf_counter() - t0

    tenth = h.iloc[: a.households // 10].reset_index(drop=True)
    small = synthetic_ledger(tenth, a.rows_per_household)
    figures["tenth"] = run_vectorised(tenth, small, rules, out)
    figures["full"] = run_vectorised(h, ledger, rules, out)

    sample = h.iloc[: a.naive_households].reset_index(drop=True)
    sample_ledger = synthetic_ledger(sample, a.rows_per_household)
    t0 = time.perf_counter()
    figures["naive_found"] = naive(sample, sample_ledger, rules)
    naive_s = time.perf_counter() - t0
    figures["naive_sample_s"] = naive_s
    figures["naive_extrapolated_s"] = naive_s * a.households / a.naive_households
    full = figures["full"]["run"]
    figures["speedup_vs_naive"] = figures["naive_extrapolated_s"] / full
    figures["scaling_full_vs_tenth"] = full / figures["tenth"]["run"]
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"households {a.households:,}, ledger rows {len(ledger):,}, load {figures['load'][0]:.2f}")
    print(f"measures.run        {full:8.2f} s  ({a.households / full:,.0f} households/s, "
          f"{len(ledger) / full:,.0f} ledger rows/s), findings {figures['full']['findings']:,}")
    print(f"measures.csv        {figures['full']['csv']:8.2f} s")
    print(f"1/10 size run       {figures['tenth']['run']:8.2f} s  (full/tenth = {figures['scaling_full_vs_tenth']:.1f})")
    print(f"naive groupby.apply {naive_s:8.2f} s on {a.naive_households:,} households → "
          f"{figures['naive_extrapolated_s']:,.0f} s extrapolated ({figures['speedup_vs_naive']:.0f}× slower)")
    print(f"peak RSS            {figures['peak_rss_mb']:8.0f} MB")
    if a.json:
        a.json.write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
