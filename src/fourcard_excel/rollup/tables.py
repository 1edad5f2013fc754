"""The roll-up's sheets as frames (small: one row per county, township or code), built with pandas
from the query results of ``queries``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..issues import CODES, ERROR, INFO, LEVEL_ORDER, WARNING
from ..registry import MEASURES
from .discover import CountyRun

TOTAL = "合计"
NO_TOWNSHIP = "（未归属乡镇）"


def _pivot(summary: pd.DataFrame, index: list[str], value: str, order: list[str]) -> pd.DataFrame:
    table = summary.pivot_table(index=index, columns="卡别", values=value, aggfunc="sum", fill_value=0,
                                observed=True, sort=True)
    table = table.reindex(columns=order, fill_value=0).astype("int64")
    table.columns = list(order)
    table[TOTAL] = table.sum(axis=1)
    return table.reset_index()


def _with_total(table: pd.DataFrame, label_cols: list[str]) -> pd.DataFrame:
    total = table.drop(columns=label_cols).sum(axis=0)
    row = {c: "" for c in label_cols}
    row[label_cols[0]] = TOTAL
    row.update({c: int(v) for c, v in total.items()})
    return pd.concat([table, pd.DataFrame([row])], ignore_index=True)


def county_cards(summary: pd.DataFrame, counties: list[str], order: list[str], value: str) -> pd.DataFrame:
    """县 × 卡别 (households or persons), every county a row (also one with no households), total last."""
    if len(summary):
        table = _pivot(summary, ["县"], value, order)
    else:
        table = pd.DataFrame(columns=["县", *order, TOTAL])
    table = table.set_index("县").reindex(counties, fill_value=0).rename_axis("县").reset_index()
    for col in [*order, TOTAL]:
        table[col] = table[col].astype("int64")
    return _with_total(table, ["县"])


def shares(counts: pd.DataFrame, cards: list[str]) -> pd.DataFrame:
    """Each card's share of the county's households (the 合计 column)."""
    out = pd.DataFrame({"县": counts["县"]})
    total = counts[TOTAL].replace(0, np.nan)
    for card in cards:
        out[f"{card}占比"] = (counts[card] / total).astype("float64")
    four = counts[[c for c in cards]].sum(axis=1)
    out["四卡合计占比"] = (four / total).astype("float64")
    return out


def township_drill(summary: pd.DataFrame, order: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """县 × 乡镇 × 卡别: households and persons."""
    if not len(summary):
        empty = pd.DataFrame(columns=["县", "乡镇", *order, TOTAL])
        return empty, empty
    s = summary.assign(乡镇=summary["乡镇"].where(summary["乡镇"] != "", NO_TOWNSHIP))
    return (_with_total(_pivot(s, ["县", "乡镇"], "户数", order), ["县", "乡镇"]),
            _with_total(_pivot(s, ["县", "乡镇"], "人数", order), ["县", "乡镇"]))


def issue_tables(counts: pd.DataFrame, counties: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(县 × 级别 with total, long 县/级别/代码/问题/条数 sorted by county, level, code)."""
    levels = [ERROR, WARNING, INFO]
    if len(counts):
        by_level = counts.pivot_table(index="county", columns="level", values="n", aggfunc="sum", fill_value=0)
    else:
        by_level = pd.DataFrame()
    by_level = by_level.reindex(index=counties, columns=levels, fill_value=0).astype("int64")
    by_level[TOTAL] = by_level.sum(axis=1)
    by_level = by_level.rename_axis("县").reset_index()
    by_level.columns = ["县", *levels, TOTAL]
    by_level = _with_total(by_level, ["县"])
    long = counts.rename(columns={"county": "县", "level": "级别", "code": "代码", "n": "条数"}).copy()
    long["问题"] = long["代码"].map({k: v[1] for k, v in CODES.items()}).fillna("")
    long["_lvl"] = long["级别"].map(LEVEL_ORDER).fillna(9)
    long = long.sort_values(["县", "_lvl", "代码"], kind="stable")
    return by_level, long[["县", "级别", "代码", "问题", "条数"]].reset_index(drop=True)


def spotcheck_coverage(summary: pd.DataFrame, sampled: pd.DataFrame | None, runs: list[CountyRun],
                       cards: list[str], rate: float) -> pd.DataFrame:
    """Per county: four-card households, households on the spot-check list, coverage, strata
    (乡镇 × 卡别) below ``rate``."""
    carded = summary[summary["卡别"].isin(cards)]
    strata = carded.groupby(["县", "乡镇", "卡别"], as_index=False)["户数"].sum()
    if sampled is not None and len(sampled):
        got = sampled.rename(columns={"county": "县", "township": "乡镇", "card": "卡别", "sampled": "抽查"})
        got = got.assign(乡镇=got["乡镇"].fillna(""), 卡别=got["卡别"].fillna(""))
        strata = strata.merge(got, on=["县", "乡镇", "卡别"], how="left")
    else:
        strata["抽查"] = 0
    strata["抽查"] = strata["抽查"].fillna(0).astype("int64")
    need = np.ceil(strata["户数"].to_numpy(dtype="float64") * rate - 1e-9)
    strata["短缺"] = strata["抽查"] < need
    rows = []
    for run in runs:
        s = strata[strata["县"] == run.county]
        n, k = int(s["户数"].sum()), int(s["抽查"].sum())
        has = "spotcheck" in run.side
        rows.append({
            "县": run.county, "四卡户数": n, "抽查户数": k if has else pd.NA,
            "覆盖率": (k / n) if has and n else np.nan,
            "分层数（乡镇×卡别）": len(s), "未达比例层数": int(s["短缺"].sum()) if has else pd.NA,
            "是否达标": ("是" if not s["短缺"].any() else "否") if has else "",
            "说明": "" if has else "未提供抽查名单（spotcheck.csv）",
        })
    out = pd.DataFrame(rows)
    for col in ("抽查户数", "未达比例层数"):
        out[col] = out[col].astype("Int64")
    out.attrs["rate"] = rate
    return out


def quota_compliance(quotas: pd.DataFrame | None, runs: list[CountyRun]) -> pd.DataFrame:
    """Per county: the county-wide 公益岗位 minimum and how many townships / villages met theirs."""
    rows = []
    q = quotas if quotas is not None else pd.DataFrame(columns=["county", "level", "met", "required", "actual"])
    for run in runs:
        mine = q[q["county"] == run.county]
        whole = mine[mine["level"] == "全县"]
        towns = mine[mine["level"] == "乡镇"]
        villages = mine[mine["level"].isin(["村", "行政村"])]
        has = "quotas" in run.side
        rows.append({
            "县": run.county,
            "全县要求": whole["required"].iloc[0] if len(whole) else np.nan,
            "全县实际": whole["actual"].iloc[0] if len(whole) else np.nan,
            "全县是否达标": whole["met"].iloc[0] if len(whole) else "",
            "乡镇数": len(towns), "乡镇未达标": int((towns["met"] == "否").sum()),
            "村数": len(villages), "村未达标": int((villages["met"] == "否").sum()),
            "未达标项合计": int((mine["met"] == "否").sum()),
            "说明": "" if has else "未提供公益岗位核查结果（quotas.csv）",
        })
    out = pd.DataFrame(rows)
    for col in ("全县要求", "全县实际"):
        out[col] = pd.to_numeric(out[col], errors="coerce").round().astype("Int64")
    return out


BELOW_PLAN = "#F4CCCC"  # the red of #13's 帮扶措施 sheet in 全县汇总.xlsx


def measures_coverage(coverage: pd.DataFrame, counties: list[str], order: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """县/卡别/措施/应享户数/已落实户数/覆盖率 from ``queries.measures_coverage`` (counties in roll-up
    order, cards in the rules' order, measures in the registry's order; the city's 合计 rows last)
    and the row fills: red where the coverage is below 100 %."""
    df = coverage.copy()
    df["县"] = df["county"].where(df["county"] != "", TOTAL)
    county_rank = {c: i for i, c in enumerate([*counties, TOTAL])}
    card_rank = {c: i for i, c in enumerate(order)}
    measure_rank = {m: i for i, m in enumerate(MEASURES)}
    df = df.assign(_c=df["县"].map(county_rank).fillna(len(county_rank)),
                   _k=df["card"].map(card_rank).fillna(len(card_rank)),
                   _m=df["measure"].map(measure_rank).fillna(len(measure_rank)))
    df = df.sort_values(["_c", "县", "_k", "card", "_m", "measure"], kind="stable").reset_index(drop=True)
    out = pd.DataFrame({"县": df["县"], "卡别": df["card"], "措施": df["measure"], "应享户数": df["due"],
                        "已落实户数": df["done"], "覆盖率": df["rate"]})
    fills = pd.Series(np.where((out["覆盖率"] < 1.0).fillna(False).to_numpy(dtype=bool), BELOW_PLAN, ""),
                      dtype="object")
    return out, fills


# measures.parquet holds #13's findings (measures.csv: 层级,…,卡别,检查项,要求,实际,说明 + hh_key…):
# counted per county × 检查项; other frames by the first categorical column found.
MEASURE_GROUPS = ("检查项", "卡别", "措施类别", "card", "measure", "status", "状态", "结果")


def measures_findings(con, columns: list[str], summary: pd.DataFrame, cards: list[str]) -> pd.DataFrame:
    """Per county (and per the findings' own card/measure/status columns when present): findings
    and, when they carry hh_key, households covered against the county's four-card households."""
    from .engine import _ident

    groups = [c for c in MEASURE_GROUPS if c in columns][:1]
    keys = ["county", *groups]
    select = ", ".join(_ident(k) for k in keys)
    hh = ", COUNT(DISTINCT hh_key) AS households" if "hh_key" in columns else ""
    df = con.execute(f"SELECT {select}, COUNT(*) AS findings{hh} FROM measures GROUP BY {select} "
                     f"ORDER BY {select}").df()
    df = df.rename(columns={"county": "县", "findings": "条数", "households": "涉及户数"})
    if "涉及户数" in df.columns and not groups:
        carded = summary[summary["卡别"].isin(cards)].groupby("县")["户数"].sum()
        df["四卡户数"] = df["县"].map(carded).fillna(0).astype("int64")
        df["覆盖率"] = df["涉及户数"] / df["四卡户数"].replace(0, np.nan)
    return df
