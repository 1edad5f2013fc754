"""Benchmark: classify 1M synthetic households (and build them from ~2.5M member rows).

Usage:
    /tmp/venv/bin/python benchmarks/bench_classify.py --households 1000000 --json out.json

Reports seconds and throughput for ``build_households`` and ``classify``, and a ratio against a
baseline measured in the same run: a row-by-row classifier (``DataFrame.apply(axis=1)``, the
obvious non-vectorised implementation) timed on a sample and extrapolated to the full size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from fourcard_excel import registry
from fourcard_excel.rules.cards import classify
from fourcard_excel.rules.facts import build_households
from fourcard_excel.rules.ruleset import load_rules

AS_OF = dt.date(2024, 3, 18)


def synthetic_members(n_households: int, seed: int = 0) -> pd.DataFrame:
    """Member-level rows (contract 1 columns used by build_households), ~2.5 members/household."""
    rng = np.random.default_rng(seed)
    size = rng.choice([1, 2, 3, 4, 5, 6], n_households, p=[0.2, 0.3, 0.2, 0.15, 0.1, 0.05])
    n = int(size.sum())
    hh = np.repeat(np.arange(n_households), size)
    first = np.r_[0, np.cumsum(size)[:-1]]
    is_head = np.zeros(n, dtype=bool)
    is_head[first] = True
    towns = np.array(["城关镇", "白沙镇", "龙潭乡", "青山乡", "石门镇"], dtype=object)
    town = towns[hh % len(towns)]
    birth_year = rng.integers(1940, 2015, n)
    ids = pd.Series([f"430102{y}0101{i % 1000:03d}1" for y, i in zip(birth_year, range(n))])

    def pick(values, p, k):
        return np.asarray(values, dtype=object)[rng.choice(len(values), k, p=p)]

    def hh_money(scale, zero_share):
        v = np.round(rng.exponential(scale, n_households)) * (rng.random(n_households) > zero_share)
        return v[hh]

    return pd.DataFrame({
        "source_file": "bench.xlsx", "source_sheet": "Sheet1", "source_row": np.arange(n) + 3,
        "roster_level": "member",
        "hh_key": pd.Series(town + "|" + pd.Series(hh).astype(str).str.zfill(8).to_numpy(dtype=object)),
        "is_head": is_head,
        "township": town, "village": np.asarray(["一村", "二村", "三村"], dtype=object)[hh % 3],
        "group": "", "household_id": pd.Series(hh).astype(str).str.zfill(8),
        "name": "张三", "id_number": ids, "age_calc": pd.array(2024 - birth_year, dtype="Int64"),
        "age": pd.array([pd.NA] * n, dtype="Int64"), "sex_calc": "男", "sex": "",
        "birth_date": pd.to_datetime(pd.Series(birth_year).astype(str) + "-01-01"),
        "health": pick(["健康", "长期慢性病", "患有大病", "残疾", "残疾、长期慢性病"], [.7, .12, .06, .08, .04], n),
        "disability_grade": pick(["", "一级", "二级", "三级"], [.85, .05, .05, .05], n),
        "labour": pick(list(registry.LABOUR), [.45, .1, .15, .15, .15], n),
        "schooling": pick(["非在校生", "小学", "普通高中", "本科"], [.8, .1, .05, .05], n),
        "category": pick(list(registry.CATEGORY), [.5, .2, .3], n_households)[hh],
        "poverty_status": pick(["已脱贫", "未脱贫", "返贫"], [.85, .1, .05], n_households)[hh],
        "monitored": (rng.random(n_households) < 0.2)[hh],
        "size_declared": pd.array(size[hh], dtype="Int64"),
        "wage_income": hh_money(8000, 0.4), "business_income": hh_money(3000, 0.6),
        "property_income": hh_money(300, 0.9), "transfer_income": hh_money(3000, 0.3),
        "business_cost": hh_money(500, 0.7), "education_cost": hh_money(4000, 0.8),
        "income_total_declared": 0.0, "per_capita_declared": 0.0,
        "risk_types": pick(["", "因病", "因灾", "因学", "因病、因学"], [.7, .1, .08, .07, .05], n_households)[hh],
        "has_car": (rng.random(n_households) < 0.05)[hh],
        "luxury_house": (rng.random(n_households) < 0.02)[hh],
        "parents_separate": (rng.random(n_households) < 0.03)[hh],
        "main_cause": "因病", "policies_enjoyed": "", "policies_eligible": "",
        "card_visit": "", "card_review": "", "card_township": "", "card_county": "",
        "card_final": pick(["", "红卡", "黄卡", "绿卡", "蓝卡"], [.5, .1, .15, .2, .05], n_households)[hh],
    })


def row_wise_card(row: pd.Series, line: float = 5000.0) -> str:
    """Baseline: the plan's four cards for one household, written as a plain per-row function."""
    registered = row["category"] == "建档立卡贫困户"
    excluded = row["has_car"] or row["luxury_house"] or row["parents_separate"] or (
        row["size"] == 1 and (row["head_age"] if pd.notna(row["head_age"]) else 999) <= 60
        and not row["ill_or_disabled"])
    if registered and row["no_labour_household"] and row["economic_income"] <= 0:
        return "红卡"
    if registered:
        yellow = row["poverty_status"] in ("未脱贫", "返贫") or (
            row["poverty_status"] == "已脱贫" and row["per_capita"] <= line and row["return_risk"])
        if yellow and not (excluded and row["poverty_status"] == "已脱贫"):
            return "黄卡"
        if row["poverty_status"] == "已脱贫":
            return "绿卡"
        return "不纳入"
    risk = row["risk_illness"] or row["risk_disaster"] or row["risk_education"]
    if row["per_capita"] < line and risk and not excluded:
        return "蓝卡"
    return "不纳入"


def timed(fn, repeat: int = 1):
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="classify runs (best is reported)")
    ap.add_argument("--baseline-sample", type=int, default=20_000)
    ap.add_argument("--json", type=Path, default=None, help="write results as JSON here")
    args = ap.parse_args(argv)

    rules = load_rules()
    t0 = time.perf_counter()
    members = synthetic_members(args.households)
    gen_s = time.perf_counter() - t0
    build_s, households = timed(lambda: build_households(members, rules, AS_OF))
    classify_s, result = timed(lambda: classify(households, rules, AS_OF), args.repeat)

    sample = households.sample(min(args.baseline_sample, len(households)), random_state=0)
    base_s, base_cards = timed(lambda: sample.apply(row_wise_card, axis=1))
    base_full = base_s * len(households) / len(sample)
    agree = float((base_cards == result.loc[sample.index, "card"]).mean())

    n = len(households)
    report = {
        "households": n, "member_rows": len(members),
        "generate_seconds": round(gen_s, 3),
        "build_households_seconds": round(build_s, 3),
        "build_households_rows_per_second": round(len(members) / build_s),
        "classify_seconds": round(classify_s, 3),
        "classify_households_per_second": round(n / classify_s),
        "baseline": "DataFrame.apply(axis=1) row-wise card only (no reasons), sample extrapolated",
        "baseline_sample": len(sample), "baseline_sample_seconds": round(base_s, 3),
        "baseline_extrapolated_seconds": round(base_full, 2),
        "speedup_vs_baseline": round(base_full / classify_s, 1),
        "baseline_agreement": round(agree, 4),
        "cards": result["card"].value_counts().to_dict(),
        "python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__,
        "machine": platform.machine(),
    }
    text = json.dumps(report, ensure_ascii=False, indent=2)
    sys.stdout.write(text + "\n")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
