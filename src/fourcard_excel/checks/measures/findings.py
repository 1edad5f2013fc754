"""The 户-level checks of the ledger against the plan (四(二)(三)(六)(七)), vectorised.

Each check returns finding rows (FINDING_COLUMNS + internal columns); ``household_findings``
runs them all. Amounts are compared to the cent: a figure exactly at a limit holds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...registry import UNDETERMINED
from ...rules.textfmt import format_numbers
from .config import MeasureConfig
from .ledger import MEASURE_CODE
from .plan import Plan, names

FINDING_COLUMNS = ["层级", "乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "卡别", "检查项", "要求", "实际", "说明"]
INTERNAL = ["代码", "年度", "hh_key", "source_file", "source_sheet", "source_row"]
LEVEL_HOUSEHOLD, LEVEL_TOWNSHIP, LEVEL_COUNTY = "户", "乡镇", "县"
CENT = 0.005  # amounts equal to the cent count as equal

# the two checks whose names hold a figure of the rules file (``check_name``)
DIVIDEND_CHECK, INDUSTRY_CHECK = "分红比例低于15%", "黄卡产业扶贫资金未达绿卡两倍"

# 检查项 (exact names of the issue) -> issue code
CHECKS = {
    "红卡产业分红未覆盖": "M001",
    "红卡入股金额不足": "M002",
    DIVIDEND_CHECK: "M003",
    "红卡未落实兜底保障A类": "M004",
    "黄卡未落实兜底保障B类": "M005",
    "非贫困低保户不是蓝卡": "M006",
    "临时救助金额超出范围": "M007",
    "临时救助对象不符": "M008",
    "危房改造补助标准不符": "M009",
    "修缮加固超过上限": "M010",
    "庭院经济奖补对象不符": "M011",
    "台账户在花名册中找不到": "M012",
    "兜底未整户纳入": "M013",
    INDUSTRY_CHECK: "M014",
}
OTHER_MISSING_CODE = "M019"  # a required entitlement of a county's own rules file, not named above


def check_name(check: str, cfg: MeasureConfig) -> str:
    """The name a finding shows for ``check`` (a key of ``CHECKS``): the two whose names hold a
    figure or card names say the ones of the rules file's [measures] (the plan's by default)."""
    if check == DIVIDEND_CHECK:
        return f"分红比例低于{cfg.dividend_rate_min * 100:g}%"
    if check == INDUSTRY_CHECK:
        high, low = cfg.industry_cards
        ratio = cfg.yellow_industry_ratio_min
        return f"{high}产业扶贫资金未达{low}{'两' if ratio == 2 else f'{ratio:g}'}倍"
    return check
DIBAO = ("兜底保障A类", "兜底保障B类", "低保")


def money(x) -> np.ndarray:
    return format_numbers(np.asarray(x, dtype="float64")) + "元"


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in FINDING_COLUMNS + INTERNAL})


def _year_text(year) -> np.ndarray:
    y = pd.array(year, dtype="Int64")
    return np.where(pd.isna(y), "", pd.Series(y).astype(str).to_numpy(dtype=object))


def from_households(h: pd.DataFrame, pos: np.ndarray, check: str, req, actual, note, *, year=None,
                    source: pd.DataFrame | None = None, code: str | None = None) -> pd.DataFrame:
    """Finding rows for households at positions ``pos`` of ``h``; ``source`` (aligned with ``pos``)
    gives the ledger's file/sheet/row, else the roster row of the household is used."""
    pos = np.asarray(pos, dtype=np.int64)
    n = len(pos)
    sub = h.iloc[pos]
    src = source if source is not None else pd.DataFrame({
        "source_file": sub["source_file"].to_numpy(), "source_sheet": sub["source_sheet"].to_numpy(),
        "source_row": sub["source_row"].to_numpy()})
    frame = pd.DataFrame({
        "层级": LEVEL_HOUSEHOLD, "乡镇": sub["township"].to_numpy(), "行政村": sub["village"].to_numpy(),
        "户编号": sub["household_id"].to_numpy(), "户主姓名": sub["head_name"].to_numpy(),
        "户主证件号码": sub["head_id"].to_numpy(), "卡别": sub["card"].to_numpy(), "检查项": check,
        "要求": _spread(req, n), "实际": _spread(actual, n), "说明": _spread(note, n),
        "代码": code or CHECKS.get(check, OTHER_MISSING_CODE),
        "年度": _year_text(year) if year is not None else "", "hh_key": sub["hh_key"].to_numpy(),
        "source_file": src["source_file"].to_numpy(), "source_sheet": src["source_sheet"].to_numpy(),
        "source_row": pd.array(src["source_row"].to_numpy(), dtype="Int64"),
    }, index=pd.RangeIndex(n))
    return frame


def _spread(value, n: int):
    if isinstance(value, (np.ndarray, pd.Series, list)):
        return np.asarray(value, dtype=object)
    return np.full(n, value, dtype=object)


def _groups(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of ledger rows: sums, and the first row's source (where to look in the ledger)."""
    g = rows.groupby(keys, sort=True, dropna=False)
    out = g.agg(principal=("principal", "sum"), amount=("amount", "sum"), rows=("amount", "size"),
                source_file=("source_file", "first"), source_sheet=("source_sheet", "first"),
                source_row=("source_row", "first"))
    return out.reset_index()


def _matched(L: pd.DataFrame, card: np.ndarray, measure: str) -> pd.DataFrame:
    rows = L[(L["code"].to_numpy() == MEASURE_CODE[measure]) & (L["hh"].to_numpy() >= 0)]
    rows = rows[card[rows["hh"].to_numpy()] != UNDETERMINED]
    return rows.assign(year=rows["year"].fillna(-1))


def _year_label(year: pd.Series) -> pd.Series:
    y = year.astype("int64")
    return pd.Series(np.where(y < 0, "年度未注明", y.astype(str) + "年"), index=year.index)


def missing_entitlements(h, plan: Plan, year: int | None) -> list[pd.DataFrame]:
    parts = []
    when = f"{year}年" if year is not None else ""
    only_dibao = (plan.received & (1 << MEASURE_CODE["低保"])) != 0
    for e, lacks in plan.unmet.items():
        pos = np.flatnonzero(lacks)
        if not len(pos):
            continue
        actual = np.where(only_dibao[pos] & e.measure.startswith("兜底"),
                          f"{when}只有“低保”，未注明A类/B类", f"{when}台账中没有{e.measure}")
        note = (f"请按{e.plan}为该户落实{e.measure}；已落实的请在帮扶措施台账中补录（措施类别写“{e.measure}”）")
        parts.append(from_households(h, pos, e.check, f"应享受{e.measure}", actual, note,
                                     year=np.full(len(pos), year if year is not None else pd.NA, dtype=object)))
    return parts


def dividend_checks(h, L, card, size, cfg: MeasureConfig) -> list[pd.DataFrame]:
    rows = _matched(L, card, "产业分红")
    rows = rows[np.isin(card[rows["hh"].to_numpy()], cfg.dividend_cards)]
    if rows.empty:
        return []
    g = _groups(rows, ["hh", "year"])
    pos = g["hh"].to_numpy()
    need = cfg.dividend_per_person * size[pos]
    parts = []
    short = g["principal"].to_numpy() + CENT < need
    if short.any():
        s = g[short]
        persons = size[s["hh"].to_numpy()]
        req = ("入股金额不少于" + format_numbers(np.full(len(s), cfg.dividend_per_person)) + "元×"
               + persons.astype(str).astype(object) + "人＝" + money(need[short]))
        actual = _year_label(s["year"]).to_numpy(dtype=object) + "入股金额" + money(s["principal"])
        note = ("请按四(二)“按人均" + format_numbers(np.array([cfg.dividend_per_person]))[0]
                + "元”补足该户入股资金，或核对台账的入股金额")
        parts.append(from_households(h, s["hh"].to_numpy(), "红卡入股金额不足", req, actual, note,
                                     year=s["year"].where(s["year"] >= 0), source=s))
    has_principal = g["principal"].to_numpy() > CENT
    low = has_principal & (g["amount"].to_numpy() + CENT < g["principal"].to_numpy() * cfg.dividend_rate_min)
    if low.any():
        s = g[low]
        rate = s["amount"].to_numpy() / s["principal"].to_numpy() * 100
        pct = f"{cfg.dividend_rate_min * 100:g}%"
        req = ("分红不少于入股金额的" + pct + "＝" + money(s["principal"].to_numpy() * cfg.dividend_rate_min))
        actual = (_year_label(s["year"]).to_numpy(dtype=object) + "分红" + money(s["amount"]) + "（"
                  + format_numbers(rate) + "%）")
        note = f"请督促带动企业按四(二)“每年分红比例不得低于{pct}”足额分红，或核对台账的分红金额"
        parts.append(from_households(h, s["hh"].to_numpy(), check_name(DIVIDEND_CHECK, cfg), req, actual, note,
                                     year=s["year"].where(s["year"] >= 0), source=s, code=CHECKS[DIVIDEND_CHECK]))
    return parts


def nonpoor_dibao(h, L, card, registered, plan: Plan, cfg: MeasureConfig) -> list[pd.DataFrame]:
    dibao_bits = 0
    for m in DIBAO:
        dibao_bits |= 1 << MEASURE_CODE[m]
    has = (plan.received & dibao_bits) != 0
    bad = has & ~registered & (card != cfg.nonpoor_dibao_card) & (card != UNDETERMINED)
    pos = np.flatnonzero(bad)
    if not len(pos):
        return []
    actual = "非建档立卡户，卡别为" + card[pos].astype(object) + "，享受" + names(plan.received[pos] & dibao_bits)
    note = (f"按四(六)“非贫困户的低保户原则上从{cfg.nonpoor_dibao_card}户中认定”：请核实该户是否应评为"
            f"{cfg.nonpoor_dibao_card}，或核实低保认定")
    return [from_households(h, pos, "非贫困低保户不是蓝卡", f"非贫困低保户应为{cfg.nonpoor_dibao_card}户",
                            actual, note)]


def temp_aid_checks(h, L, card, cfg: MeasureConfig) -> list[pd.DataFrame]:
    rows = _matched(L, card, "临时救助")
    if rows.empty:
        return []
    g = _groups(rows, ["hh", "year"])
    parts = []
    total = g["amount"].to_numpy()
    out = (total + CENT < cfg.temp_aid_min) | (total - CENT > cfg.temp_aid_max)
    if out.any():
        s = g[out]
        req = f"每户每年{format_numbers(np.array([cfg.temp_aid_min]))[0]}－" \
              f"{format_numbers(np.array([cfg.temp_aid_max]))[0]}元"
        actual = (_year_label(s["year"]).to_numpy(dtype=object) + "合计" + money(s["amount"]) + "（"
                  + s["rows"].astype(str).to_numpy(dtype=object) + "笔）")
        note = "按四(六)“每户每年临时救助标准1000-5000元”：请核对该户本年度临时救助金额，超出或不足的请调整或说明原因"
        parts.append(from_households(h, s["hh"].to_numpy(), "临时救助金额超出范围", req, actual, note,
                                     year=s["year"].where(s["year"] >= 0), source=s))
    wrong = np.isin(card[g["hh"].to_numpy()], cfg.temp_aid_not_for)
    if wrong.any():
        s = g[wrong]
        req = "临时救助对象为蓝卡户，及大病、受灾、教育负担重的红卡户、黄卡户"
        actual = (_year_label(s["year"]).to_numpy(dtype=object) + "给予" + card[s["hh"].to_numpy()].astype(object)
                  + "户临时救助" + money(s["amount"]))
        note = "按四(六)临时救助的对象：请核实该户是否符合临时救助条件，或其卡别是否应调整"
        parts.append(from_households(h, s["hh"].to_numpy(), "临时救助对象不符", req, actual, note,
                                     year=s["year"].where(s["year"] >= 0), source=s))
    return parts


def housing_checks(h, L, card, cfg: MeasureConfig) -> list[pd.DataFrame]:
    parts = []
    rows = _matched(L, card, "危房改造（新建）")
    rows = rows[np.isin(card[rows["hh"].to_numpy()], list(cfg.new_build))]
    if len(rows):
        g = _groups(rows, ["hh"])
        c = card[g["hh"].to_numpy()]
        figure = pd.Series(c).map(cfg.new_build).to_numpy(dtype="float64")
        bad = np.abs(g["amount"].to_numpy() - figure) > CENT
        if bad.any():
            s = g[bad]
            req = c[bad].astype(object) + "户新建房屋每户补助" + money(figure[bad])
            actual = "新建补助合计" + money(s["amount"]) + "（" + s["rows"].astype(str).to_numpy(dtype=object) + "笔）"
            note = "按四(七)新建房屋补助标准：请核对补助金额，多发的收回、少发的补足，或核对台账"
            parts.append(from_households(h, s["hh"].to_numpy(), "危房改造补助标准不符", req, actual, note, source=s))
    rows = _matched(L, card, "危房改造（修缮加固）")
    rows = rows[np.isin(card[rows["hh"].to_numpy()], cfg.repair_cards)]
    if len(rows):
        g = _groups(rows, ["hh"])
        bad = g["amount"].to_numpy() - CENT > cfg.repair_max
        if bad.any():
            s = g[bad]
            req = "修缮加固最高补助" + money(np.full(len(s), cfg.repair_max))
            actual = "修缮加固补助合计" + money(s["amount"]) + "（" + s["rows"].astype(str).to_numpy(dtype=object) + "笔）"
            note = "按四(七)“红卡户、黄卡户修缮加固最高补助2万元”：请核对，超出部分按规定处理"
            parts.append(from_households(h, s["hh"].to_numpy(), "修缮加固超过上限", req, actual, note, source=s))
    return parts


def courtyard_check(h, L, card, cfg: MeasureConfig) -> list[pd.DataFrame]:
    rows = _matched(L, card, "庭院经济奖补")
    rows = rows[~np.isin(card[rows["hh"].to_numpy()], cfg.courtyard_cards)]
    if rows.empty:
        return []
    g = _groups(rows, ["hh"])
    req = "庭院经济到户奖补对象为" + "、".join(cfg.courtyard_cards) + "户"
    actual = "给予" + card[g["hh"].to_numpy()].astype(object) + "户庭院经济奖补" + money(g["amount"])
    note = "按四(三)“扶持建档立卡的黄卡户发展庭院经济”：请核实奖补对象，或该户卡别是否应调整"
    return [from_households(h, g["hh"].to_numpy(), "庭院经济奖补对象不符", req, actual, note, source=g)]


def whole_household_check(h, L, card, size, cfg: MeasureConfig) -> list[pd.DataFrame]:
    codes = [MEASURE_CODE[m] for m in cfg.whole_household]
    rows = L[np.isin(L["code"].to_numpy(), codes) & (L["hh"].to_numpy() >= 0) & L["covered"].notna().to_numpy()]
    rows = rows[card[rows["hh"].to_numpy()] != UNDETERMINED]
    if rows.empty:
        return []
    rows = rows.assign(year=rows["year"].fillna(-1), covered=rows["covered"].astype("int64"))
    g = rows.groupby(["hh", "year", "measure"], sort=True).agg(
        covered=("covered", "max"), source_file=("source_file", "first"),
        source_sheet=("source_sheet", "first"), source_row=("source_row", "first")).reset_index()
    persons = size[g["hh"].to_numpy()]
    bad = g["covered"].to_numpy() < persons
    if not bad.any():
        return []
    s = g[bad]
    req = s["measure"].to_numpy(dtype=object) + "整户纳入：保障人数＝家庭人口" + persons[bad].astype(str).astype(object) + "人"
    actual = _year_label(s["year"]).to_numpy(dtype=object) + "保障人数" + s["covered"].astype(str).to_numpy(dtype=object) + "人"
    note = "按四(六)“兜底保障(A、B两类)要达到整户纳入的要求”：请与民政部门核对，将全部家庭成员纳入保障"
    return [from_households(h, s["hh"].to_numpy(), "兜底未整户纳入", req, actual, note,
                            year=s["year"].where(s["year"] >= 0), source=s)]


def unmatched_rows(L: pd.DataFrame) -> pd.DataFrame:
    rows = L[(L["hh"].to_numpy() < 0)]
    if rows.empty:
        return empty()
    no_key = ((rows["id"] == "") & (rows["household_id"] == "")).to_numpy()
    actual = np.where(no_key, "台账行没有户主证件号码和户编号",
                      np.where(rows["id"].to_numpy() != "", "证件号码" + rows["id"].to_numpy(dtype=object) + "不在花名册中",
                               "户编号" + rows["household_id"].to_numpy(dtype=object) + "不在" +
                               rows["township"].to_numpy(dtype=object) + "花名册中"))
    return pd.DataFrame({
        "层级": LEVEL_HOUSEHOLD, "乡镇": rows["township"].to_numpy(), "行政村": rows["village"].to_numpy(),
        "户编号": rows["household_id"].to_numpy(), "户主姓名": rows["head_name"].to_numpy(),
        "户主证件号码": rows["id"].to_numpy(), "卡别": "", "检查项": "台账户在花名册中找不到",
        "要求": "台账中的农户应在本期花名册中（按户主证件号码，或乡镇＋户编号对应）",
        "实际": actual + "（" + rows["measure"].to_numpy(dtype=object) + "）",
        "说明": "请核对台账的户主证件号码/户编号是否填错；该户如确实不在花名册中，请核实措施发放依据",
        "代码": CHECKS["台账户在花名册中找不到"], "年度": _year_text(rows["year"]), "hh_key": "",
        "source_file": rows["source_file"].to_numpy(), "source_sheet": rows["source_sheet"].to_numpy(),
        "source_row": pd.array(rows["source_row"].to_numpy(), dtype="Int64"),
    })


def household_findings(h: pd.DataFrame, L: pd.DataFrame, plan: Plan, cfg: MeasureConfig,
                       year: int | None) -> pd.DataFrame:
    card = h["card"].astype(str).to_numpy()
    size = h["size"].to_numpy(dtype=np.int64)
    registered = h["registered"].to_numpy(dtype=bool)
    parts = missing_entitlements(h, plan, year)
    parts += dividend_checks(h, L, card, size, cfg)
    parts += nonpoor_dibao(h, L, card, registered, plan, cfg)
    parts += temp_aid_checks(h, L, card, cfg)
    parts += housing_checks(h, L, card, cfg)
    parts += courtyard_check(h, L, card, cfg)
    parts += whole_household_check(h, L, card, size, cfg)
    parts.append(unmatched_rows(L))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else empty()
