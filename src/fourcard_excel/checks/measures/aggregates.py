"""Township and county figures: coverage of the required measures (红卡 dividend, 兜底 A for 红卡,
兜底 B for eligible 黄卡) and the 黄卡/绿卡 industry-fund ratio (四(二) "高于绿卡户一倍")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...rules.textfmt import format_numbers
from .config import MeasureConfig
from .findings import CENT, CHECKS, INDUSTRY_CHECK, LEVEL_COUNTY, LEVEL_TOWNSHIP, check_name, empty, money
from .ledger import MEASURE_CODE
from .plan import Plan

COUNTY = "全县"
MET, SHORT, NOT_CHECKED = "达标", "未达标", "无法比较"


def coverage_label(card: str, measure: str) -> str:
    """The column stem of an entitlement in ``coverage_table`` ("红卡产业分红")."""
    return f"{card}{measure}"


def coverage_table(h: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Per township + 全县: for each required entitlement, 应享户数, 已落实户数, 覆盖率."""
    town = h["township"].astype(str).to_numpy()
    towns = sorted(set(town))
    frame = pd.DataFrame({"乡镇": [*towns, COUNTY]})
    codes = pd.Categorical(town, categories=towns).codes
    for e, mask in plan.masks.items():
        done = mask & ~plan.unmet[e]
        due = np.bincount(codes[mask], minlength=len(towns))
        got = np.bincount(codes[done], minlength=len(towns))
        label = coverage_label(e.card, e.measure)
        frame[f"{label}应享户数"] = np.append(due, due.sum()).astype(np.int64)
        frame[f"{label}已落实户数"] = np.append(got, got.sum()).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame[f"{label}覆盖率"] = frame[f"{label}已落实户数"] / frame[f"{label}应享户数"].where(
                frame[f"{label}应享户数"] > 0)
    return frame


COVERAGE_LONG = ["township", "card", "measure", "due", "done"]


def coverage_long(coverage: pd.DataFrame, entitlements=()) -> pd.DataFrame:
    """``coverage_table`` in long form for the roll-up: one row per township × required entitlement
    (the 全县 total row left out: a city sums townships itself), columns township, card, measure,
    due (应享户数), done (已落实户数), both int64. ``entitlements`` (the plan's required
    ``Entitlement``s, or (card, measure) pairs) name card and measure; a coverage column no
    entitlement matches keeps its label as measure with an empty card."""
    towns = coverage["乡镇"].astype(str)
    if len(towns) and towns.iloc[-1] == COUNTY:
        towns = towns.iloc[:-1]
    n = len(towns)
    pairs = [(e.card, e.measure) if hasattr(e, "card") else tuple(e) for e in entitlements or ()]
    known = {coverage_label(c, m): (c, m) for c, m in pairs}
    stems = [c[: -len("应享户数")] for c in coverage.columns if str(c).endswith("应享户数")]
    parts = []
    for stem in stems:
        card, measure = known.get(stem, ("", stem))
        parts.append(pd.DataFrame({
            "township": towns.to_numpy(), "card": card, "measure": measure,
            "due": coverage[f"{stem}应享户数"].to_numpy()[:n].astype(np.int64),
            "done": coverage[f"{stem}已落实户数"].to_numpy()[:n].astype(np.int64)}))
    if not parts:
        return pd.DataFrame({k: pd.Series(dtype="int64" if k in ("due", "done") else "object")
                             for k in COVERAGE_LONG})
    return pd.concat(parts, ignore_index=True)[COVERAGE_LONG]


def industry_table(h: pd.DataFrame, L: pd.DataFrame, cfg: MeasureConfig, year: int | None) -> pd.DataFrame:
    """Per township + 全县: average 产业扶贫资金 per receiving household of each of the two cards."""
    high, low = cfg.industry_cards
    card = h["card"].astype(str).to_numpy()
    rows = L[(L["code"].to_numpy() == MEASURE_CODE["产业扶贫资金"]) & (L["hh"].to_numpy() >= 0)]
    if year is not None:
        rows = rows[rows["year"].isna().to_numpy() | (rows["year"].fillna(-1).to_numpy() == year)]
    per_hh = rows.groupby("hh", sort=False)["amount"].sum()
    pos = per_hh.index.to_numpy()
    frame = pd.DataFrame({"乡镇": h["township"].astype(str).to_numpy()[pos], "card": card[pos],
                          "amount": per_hh.to_numpy()})
    towns = sorted(set(h["township"].astype(str)))
    out = pd.DataFrame({"乡镇": [*towns, COUNTY]})
    for name, which in ((high, "high"), (low, "low")):
        sub = frame[frame["card"] == name]
        g = sub.groupby("乡镇")["amount"].agg(["sum", "size"])
        total = g["sum"].reindex(towns).fillna(0.0).to_numpy()
        count = g["size"].reindex(towns).fillna(0).to_numpy().astype(np.int64)
        out[f"{which}_n"] = np.append(count, count.sum())
        out[f"{which}_sum"] = np.append(total, total.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        out["high_avg"] = out["high_sum"] / out["high_n"].where(out["high_n"] > 0)
        out["low_avg"] = out["low_sum"] / out["low_n"].where(out["low_n"] > 0)
        out["ratio"] = out["high_avg"] / out["low_avg"].where(out["low_avg"] > 0)
    comparable = out["high_avg"].notna() & out["low_avg"].notna() & (out["low_avg"] > 0)
    below = comparable & (out["high_avg"] + CENT < out["low_avg"] * cfg.yellow_industry_ratio_min)
    out["status"] = np.where(~comparable, NOT_CHECKED, np.where(below, SHORT, MET))
    return out


def industry_findings(ind: pd.DataFrame, cfg: MeasureConfig) -> pd.DataFrame:
    high, low = cfg.industry_cards
    bad = ind[ind["status"] == SHORT]
    if bad.empty:
        return empty()
    ratio = f"{cfg.yellow_industry_ratio_min:g}"
    req = f"{high}户均不少于{low}户均×{ratio}＝" + money(bad["low_avg"] * cfg.yellow_industry_ratio_min)
    actual = (f"{high}户均" + money(bad["high_avg"]) + "（" + bad["high_n"].astype(str).to_numpy(dtype=object)
              + "户），" + f"{low}户均" + money(bad["low_avg"]) + "（" + bad["low_n"].astype(str).to_numpy(dtype=object)
              + "户），为" + format_numbers(bad["ratio"].to_numpy()) + "倍")
    county = (bad["乡镇"] == COUNTY).to_numpy()
    return pd.DataFrame({
        "层级": np.where(county, LEVEL_COUNTY, LEVEL_TOWNSHIP), "乡镇": np.where(county, "", bad["乡镇"]),
        "行政村": "", "户编号": "", "户主姓名": "", "户主证件号码": "", "卡别": high,
        "检查项": check_name(INDUSTRY_CHECK, cfg), "要求": req, "实际": actual,
        "说明": f"按四(二)“黄卡户享受的产业扶贫资金要高于绿卡户一倍”：请调整本级产业扶贫方案，提高{high}户的到户产业扶贫资金",
        "代码": CHECKS[INDUSTRY_CHECK], "年度": "", "hh_key": "", "source_file": "",
        "source_sheet": "", "source_row": pd.array([pd.NA] * len(bad), dtype="Int64"),
    })


def summary_sheet(coverage: pd.DataFrame, ind: pd.DataFrame, cfg: MeasureConfig) -> tuple[pd.DataFrame, pd.Series]:
    """The 帮扶措施 sheet of 全县汇总.xlsx and its row fills (red: below the plan somewhere)."""
    high, low = cfg.industry_cards
    frame = coverage.copy()
    frame[f"{high}获得产业扶贫资金户数"] = ind["high_n"].to_numpy()
    frame[f"{high}户均产业扶贫资金"] = ind["high_avg"].to_numpy()
    frame[f"{low}获得产业扶贫资金户数"] = ind["low_n"].to_numpy()
    frame[f"{low}户均产业扶贫资金"] = ind["low_avg"].to_numpy()
    frame[f"{high}与{low}户均之比"] = ind["ratio"].to_numpy()
    frame["产业扶贫资金是否达标"] = ind["status"].to_numpy()
    rates = [c for c in coverage.columns if c.endswith("覆盖率")]
    below = np.zeros(len(frame), dtype=bool)
    for c in rates:
        below |= (frame[c] < 1.0).fillna(False).to_numpy(dtype=bool)
    below |= (ind["status"] == SHORT).to_numpy()
    fills = pd.Series(np.where(below, "#F4CCCC", ""), index=frame.index)
    return frame, fills
