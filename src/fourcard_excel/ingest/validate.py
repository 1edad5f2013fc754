"""Checks on the typed members frame and on household facts → Issues.

Per-cell rules (required, ≥ 0, household size ≥ 1) are a pandera schema generated from the column
registry and validated lazily; values were already coerced in members.py, so a coercion failure
never hides the other failures of a column. Cross-row rules (duplicate IDs, heads, sex, age,
labour plausibility, income arithmetic) are vectorised pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from ..issues import ERROR, LOCATION_COLUMNS, IssueLog, at, located
from ..registry import (
    BY_KEY,
    COLUMNS,
    HOUSEHOLD,
    ID,
    INT,
    MEMBER,
    MONEY,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
)
from .members import BAD_PREFIX, column_header

MALE_RELATIONS = ("之子", "之父", "之岳父", "之公公", "之祖父", "之女婿", "之孙子", "之外孙子")
FEMALE_RELATIONS = ("之女", "之母", "之岳母", "之婆婆", "之祖母", "之儿媳", "之孙女", "之外孙女")
ABLE = ("普通劳动力", "技能劳动力")
NO_LABOUR = ("丧失劳动力", "无劳动力")
STUDENT_VALUES_NOT = ("", "非在校生")


# ---------------------------------------------------------------- pandera schema from the registry


def _checks_for(col, level: str) -> list[pa.Check]:
    checks = []
    required = col.required_household if level == "household" else col.required
    if required and col.kind == INT:
        checks.append(pa.Check(lambda s: s.notna(), name="V001", ignore_na=False))
    elif required and col.kind not in (MONEY, ID):  # blank money = 0; blank IDs are I001
        checks.append(pa.Check(lambda s: s.astype(str) != "", name="V001", ignore_na=False))
    if col.kind in (MONEY, INT):
        checks.append(pa.Check(lambda s: s >= 0, name="V004"))
    if col.key == "size_declared" and level == "household":
        checks.append(pa.Check(lambda s: s >= 1, name="V012"))
    return checks


def schema(level: str, scope: str | None = None) -> pa.DataFrameSchema:
    """Cell rules generated from the registry for one roster level.

    Member-level rosters are checked in two scopes: member fields on every row (scope MEMBER) and
    household fields on the head row only (scope HOUSEHOLD), so a household problem is reported
    once. A household-level roster has one row per household: every field in one schema.
    """
    columns = {}
    for col in COLUMNS:
        if level == "member" and col.level != scope:
            continue
        checks = _checks_for(col, level)
        if checks:
            columns[col.key] = pa.Column(checks=checks, nullable=True, required=False)
    return pa.DataFrameSchema(columns, strict=False)


_MESSAGES = {
    "V001": "“{label}”为必填项，不能为空；请补填",
    "V004": "“{label}”不能为负数；请改正",
    "V012": "“{label}”应为至少1的整数；请改正",
}


def _schema_issues(frame: pd.DataFrame, sch: pa.DataFrameSchema, log: IssueLog, header) -> None:
    try:
        sch.validate(frame, lazy=True, inplace=True)  # nothing is coerced: no copy of the frame
    except SchemaErrors as err:
        fc = err.failure_cases
        fc = fc[fc["index"].notna() & fc["column"].notna()]
        for (column, check), group in fc.groupby(["column", "check"], sort=True):
            code = str(check)
            if code not in _MESSAGES:
                continue
            col = BY_KEY[column]
            idx = group["index"].astype(int).to_numpy()
            mask = frame.index.isin(idx)
            unread = BAD_PREFIX + column
            if code == "V001" and unread in frame:  # a value that could not be read is reported once
                mask &= (frame[unread] == "").to_numpy()
            if not mask.any():
                continue
            log.add_frame(code, located(frame, mask, header(column, frame), frame[column].astype(str),
                                      _MESSAGES[code].format(label=col.label)))


# ---------------------------------------------------------------- cross-row checks


def _duplicate_ids(m: pd.DataFrame, log: IssueLog, header) -> None:
    ok = m["id_ok"].to_numpy(dtype=bool)
    dup = ok & m["id_number"].duplicated(keep=False).to_numpy()
    if not dup.any():
        return
    d = m.loc[dup, ["id_number", "hh_key", "township", SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW]].copy()
    d["_place"] = (d[SOURCE_FILE] + "“" + d[SOURCE_SHEET] + "”第" + d[SOURCE_ROW].astype(str) + "行（"
                   + d["township"] + "）")
    d = d.sort_values(["id_number", SOURCE_FILE, SOURCE_SHEET, SOURCE_ROW], kind="stable")
    first = d.groupby("id_number").nth(0).set_index("id_number")
    second = d.groupby("id_number").nth(1).set_index("id_number")
    is_first = ~d["id_number"].duplicated(keep="first")
    other = np.where(is_first, second.reindex(d["id_number"])["_place"].to_numpy(),
                     first.reindex(d["id_number"])["_place"].to_numpy())
    other_key = np.where(is_first, second.reindex(d["id_number"])["hh_key"].to_numpy(),
                         first.reindex(d["id_number"])["hh_key"].to_numpy())
    other_town = np.where(is_first, second.reindex(d["id_number"])["township"].to_numpy(),
                          first.reindex(d["id_number"])["township"].to_numpy())
    same_hh = d["hh_key"].to_numpy() == other_key
    same_town = d["township"].to_numpy() == other_town
    sub = m.loc[d.index, [c for c in m.columns if c in ("id_number", "_table", *LOCATION_COLUMNS)]]
    msg = pd.Series(other, index=d.index).radd("同一证件号码还出现在 ").add("；同一人只能登记在一户，请核实后删除重复")
    for code, mask in (("I006", same_hh), ("I007", ~same_hh & same_town), ("I008", ~same_town)):
        if mask.any():
            log.add_frame(code, located(sub, mask, header("id_number", sub), sub["id_number"], msg.to_numpy()))


class _Households:
    """Each row's household as a number (``hh_key`` factorised once, numbered in order of first
    appearance), shared by the checks that group rows by household."""

    def __init__(self, m: pd.DataFrame):
        self.codes = pd.factorize(m["hh_key"].to_numpy(dtype=object))[0]
        running = np.maximum.accumulate(self.codes) if len(self.codes) else self.codes
        self.first = np.ones(len(self.codes), dtype=bool)  # a household's first row (a new number)
        self.first[1:] = running[1:] > running[:-1]
        self.count = int(running[-1]) + 1 if len(running) else 0


def _head_checks(m: pd.DataFrame, log: IssueLog, header, hh: _Households) -> None:
    member_level = (m["roster_level"] == "member").to_numpy()
    is_head = m["is_head"].to_numpy(dtype=bool)
    heads_per_row = np.bincount(hh.codes, weights=is_head, minlength=hh.count)[hh.codes]
    first_row = hh.first
    none = member_level & (heads_per_row == 0) & first_row
    if none.any():
        log.add_frame("H001", located(m, none, header("relation", m), m["relation"],
                                    "此户没有“户主”行（与户主关系应有且只有一个“户主”）；请补填"))
    many = member_level & (heads_per_row > 1) & is_head
    if many.any():
        log.add_frame("H002", located(m, many, header("relation", m), m["relation"],
                                    "同一户有多名“户主”；请核对与户主关系"))


def _sex_checks(m: pd.DataFrame, log: IssueLog, header, hh: _Households) -> None:
    calc = m["sex_calc"].astype(str)
    known = (calc != "").to_numpy()
    given = m["sex"].astype(str)
    bad = known & (given != "").to_numpy() & (given != calc).to_numpy()
    if bad.any():
        log.add_frame("I009", located(m, bad, header("sex", m), given,
                                    "性别与证件号码第17位（奇数为男、偶数为女）不符；请核对"))
    heads_at = np.flatnonzero(m["is_head"].to_numpy(dtype=bool))
    with_head, first_head = np.unique(hh.codes[heads_at], return_index=True)  # each household's first 户主
    head_sex = np.full(hh.count, "", dtype=object)
    head_sex[with_head] = calc.to_numpy(dtype=object)[heads_at[first_head]]
    hs = head_sex[hh.codes]  # the sex of the row's 户主 by ID ('' without one)
    spouse = known & (m["relation"] == "配偶").to_numpy() & (hs == calc.to_numpy(dtype=object)) & (hs != "")
    if spouse.any():
        log.add_frame("I010", located(m, spouse, header("relation", m), m["relation"],
                                    "配偶与户主性别相同（按证件号码）；请核对与户主关系或证件号码"))
    rel = m["relation"]
    implied = np.where(rel.isin(MALE_RELATIONS), "男", np.where(rel.isin(FEMALE_RELATIONS), "女", ""))
    wrong = known & (implied != "") & (implied != calc.to_numpy())
    if wrong.any():
        log.add_frame("I011", located(m, wrong, header("relation", m), rel,
                                    "与户主关系所示性别与证件号码不符（如“之子”为女性）；请核对"))


def _value_checks(m: pd.DataFrame, log: IssueLog, header) -> None:
    age = m["age"].astype("Float64")
    calc = m["age_calc"].astype("Float64")
    off = ((age - calc).abs() > 1).fillna(False).to_numpy(dtype=bool)
    if off.any():
        msg = "填写的年龄与按证件号码推算的年龄（" + m["age_calc"][off].astype(str) + "岁）相差超过1岁；请核对"
        log.add_frame("V005", located(m, off, header("age", m), at(off, m["age"][off].astype(str)), at(off, msg)))

    a = m["age_calc"].astype("Float64")
    healthy = (m["health"].isin(["", "健康"])).to_numpy()
    not_student = m["schooling"].isin(STUDENT_VALUES_NOT).to_numpy()
    prime = ((a >= 16) & (a <= 60)).fillna(False).to_numpy(dtype=bool)
    child = (a < 16).fillna(False).to_numpy(dtype=bool)
    labour = m["labour"]
    member_rows = (m["roster_level"] == "member").to_numpy()
    odd = member_rows & ((prime & healthy & not_student & labour.isin(NO_LABOUR).to_numpy())
                         | (child & labour.isin(ABLE).to_numpy()))
    if odd.any():
        msg = np.where(child[odd], "16岁以下却填“有劳动能力”；请核对劳动技能",
                       "16至60岁、健康、非在校生却填“无劳动力/丧失劳动力”；请核对劳动技能或健康状况")
        log.add_frame("V010", located(m, odd, header("labour", m), labour, _spread(odd, msg)))

    grade = (m["disability_grade"] != "").to_numpy() & ~m["health"].str.contains("残疾", regex=False).to_numpy()
    if grade.any():
        log.add_frame("V013", located(m, grade, header("disability_grade", m), m["disability_grade"],
                                    "填写了残疾等级，但健康状况中没有“残疾”；请核对"))


def _spread(mask, values):
    out = np.full(len(mask), "", dtype=object)
    out[np.asarray(mask, dtype=bool)] = values
    return out


def _household_field_checks(heads: pd.DataFrame, log: IssueLog, header) -> None:
    registered = (heads["category"] == "建档立卡贫困户").to_numpy()
    status = heads["poverty_status"].astype(str)
    no_status = registered & (status == "").to_numpy()
    if no_status.any():
        log.add_frame("V009", located(heads, no_status, header("poverty_status", heads), status,
                                    "建档立卡贫困户必须填写脱贫属性（已脱贫/未脱贫/返贫）；请补填"))
    stray = ~registered & (status != "").to_numpy() & (heads["category"] != "").to_numpy()
    if stray.any():
        log.add_frame("V011", located(heads, stray, header("poverty_status", heads), status,
                                    "非建档立卡户不应填写脱贫属性，已忽略；请核对户类别"))
    blank = heads["_incomes_blank"].to_numpy(dtype=bool)
    if blank.any():
        log.add_frame("V008", located(heads, blank, header("wage_income", heads), "",
                                    "四项收入全部为空，已按0元计算；如确无收入请填0，否则请补填"))
    total = heads[["wage_income", "business_income", "property_income", "transfer_income"]].sum(axis=1)
    _declared_differs(log, "V006", heads, header("income_total_declared", heads), heads["income_total_declared"],
                      total, "收入小计与四项收入之和")
    _declared_differs(log, "V015", heads, header("net_income_declared", heads), heads["net_income_declared"],
                      total - heads["business_cost"], "纯收入与四项收入减生产经营性支出")


def _declared_differs(log: IssueLog, code: str, frame: pd.DataFrame, column, declared: pd.Series,
                      computed: pd.Series, what: str, fmt: str = "{:,.0f}") -> None:
    """``code`` for the rows whose declared figure is more than 1 元 from the recomputed one: the
    text names what was recomputed and its value (built for those rows only)."""
    off = (declared.notna() & ((declared - computed).abs() > 1)).to_numpy()
    if off.any():
        msg = what + "（" + computed[off].map(fmt.format) + "元）不符；请核对"
        log.add_frame(code, located(frame, off, column, at(off, declared[off].astype(str)), at(off, msg)))


HOUSEHOLD_KEYS = frozenset(c.key for c in COLUMNS if c.level == HOUSEHOLD) | {"_incomes_blank"}
_ALWAYS = frozenset((*LOCATION_COLUMNS, "_table", "roster_level"))


def _narrow(m: pd.DataFrame, keys) -> list[str]:
    """The columns of ``m`` among ``keys``, with the unread-cell texts and where each row comes from."""
    return [c for c in m.columns if c in keys or c in _ALWAYS or c.startswith(BAD_PREFIX)]


def _rows(m: pd.DataFrame, rows: np.ndarray, sch: pa.DataFrameSchema) -> pd.DataFrame:
    """The rows ``rows`` of ``m`` with the columns ``sch`` checks (plus _narrow's)."""
    cols = _narrow(m, sch.columns)
    return m[cols] if rows.all() else m.loc[rows, cols]


def validate_members(m: pd.DataFrame, log: IssueLog, headers_by_table: dict[int, dict[str, str]]) -> None:
    """All member-frame checks; issues appended to ``log``."""
    if not len(m):
        return

    def header(key: str, frame: pd.DataFrame):
        return column_header(headers_by_table, frame, key)

    # narrow views/copies (the checked columns, the unread cells, where a row comes from), never
    # a copy of every column of the wide frame
    hh = _Households(m)
    first_of_hh = hh.first
    heads = m.loc[m["is_head"].to_numpy() | first_of_hh, _narrow(m, HOUSEHOLD_KEYS)].drop_duplicates("hh_key")
    member = (m["roster_level"] == "member").to_numpy()
    if member.any():
        _schema_issues(_rows(m, member, schema("member", MEMBER)), schema("member", MEMBER), log, header)
        _schema_issues(heads[heads["roster_level"] == "member"], schema("member", HOUSEHOLD), log, header)
    if not member.all():
        _schema_issues(_rows(m, ~member, schema("household")), schema("household"), log, header)
    _duplicate_ids(m, log, header)
    _head_checks(m, log, header, hh)
    _sex_checks(m, log, header, hh)
    _value_checks(m, log, header)
    _household_field_checks(heads, log, header)


def validate_households(h: pd.DataFrame, log: IssueLog) -> None:
    """Checks that need household facts: size vs members, per-capita arithmetic."""
    if not len(h):
        return
    size_decl = h["size_declared"].astype("Float64")
    mismatch = (size_decl.notna() & (size_decl != h["members"])).fillna(False).to_numpy(dtype=bool)
    if mismatch.any():
        given = size_decl[mismatch].astype(str)
        msg = "家庭人口填" + given + "人，花名册中列出" + h["members"][mismatch].astype(str) + "人；请核对"
        log.add_frame("H003", located(h, mismatch, "家庭人口", at(mismatch, given), at(mismatch, msg)))
    _declared_differs(log, "V007", h, "人均纯收入", h["per_capita_declared"], h["per_capita"], "人均纯收入与重算结果",
                      "{:,.2f}")


def blocking_reasons(issues: pd.DataFrame) -> pd.Series:
    """hh_key → '；'-joined messages of its 错误-level issues (households that cannot be classified)."""
    err = issues[(issues["级别"] == ERROR) & (issues["hh_key"] != "")]
    if not len(err):
        return pd.Series(dtype="str")
    text = err["列"].astype(str) + "：" + err["说明"].astype(str)
    return text.groupby(err["hh_key"]).agg(lambda s: "；".join(dict.fromkeys(s))).astype(str)
