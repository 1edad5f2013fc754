"""Canonical fields from the national systems' own columns (SPEC "National system exports").

The 2021+ 防返贫监测 export says 户类型 + 监测对象类别 + 风险是否已消除 where our rosters say 户类别 /
脱贫属性 / 脱贫监测户, lists risks in five columns 致贫/返贫风险1…5, writes a 残疾人证 number (the
18-character ID + 残疾类别 + 残疾等级) in 证件号码 and gives 出生日期 separately. The 2016–2020
建档立卡 roster has 贫困户属性 instead of 户类别. Everything here is derived once, vectorised over
the distinct values, in one place; the vocabularies themselves (grade-level 在校生状况, 性别 codes,
2016 脱贫属性 words, national risk words) are registry variants.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..registry import NATIONAL_RISK_KEYS, RISKS
from .normalize import cell_text

REGISTERED = "建档立卡贫困户"
# 户类型 values that mean a registered (建档立卡) household; 脱贫户 also means 已脱贫
REGISTERED_TYPES = ("脱贫户", REGISTERED)
EDGE_CLASSES = ("边缘易致贫户", "突发严重困难户")  # 监测对象类别 that make a non-registered household 边缘户

_LONG_ID = re.compile(r"^(\d{17}[\dX])(\d)(\d)(\d\d)?$")
GRADE_NAMES = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}


def split_disability_ids(ids: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """20/22-character 残疾人证 numbers → (18-character ID, 残疾等级 from the number, 22-char mask).

    Rows that are not such numbers keep their text and get grade "". A number whose first 18
    characters are not ID-shaped is left alone (the ID check reports it)."""
    codes, uniques = pd.factorize(ids.to_numpy(dtype=object), use_na_sentinel=False)
    n = len(uniques)
    new_id = np.empty(n, dtype=object)
    grade = np.empty(n, dtype=object)
    long22 = np.zeros(n, dtype=bool)
    for i, u in enumerate(uniques):
        text = u if isinstance(u, str) else ""
        m = _LONG_ID.match(text) if len(text) in (20, 22) else None
        if m is None:
            new_id[i], grade[i] = u, ""
            continue
        new_id[i] = m.group(1)
        grade[i] = GRADE_NAMES.get(m.group(3), "") if "1" <= m.group(2) <= "7" else ""
        grade[i] = grade[i] or "残疾"  # disabled even when the grade digit is out of range
        long22[i] = m.group(4) is not None
    return (pd.Series(new_id[codes], index=ids.index, dtype="str"),
            pd.Series(grade[codes], index=ids.index, dtype="str"),
            pd.Series(long22[codes], index=ids.index, dtype=bool))


def add_disability(health: pd.Series, grade: pd.Series, from_id: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Rows whose ID was a 残疾人证 number are 残疾 (健康 dropped) and take its grade when none given."""
    disabled = (from_id != "").to_numpy()
    if not disabled.any():
        return health, grade
    health = health.copy()
    sub = health[disabled]
    codes, uniques = pd.factorize(sub.to_numpy(dtype=object), use_na_sentinel=False)
    fixed = np.array(["、".join([p for p in str(u).split("、") if p and p not in ("健康", "残疾")] + ["残疾"])
                      for u in uniques], dtype=object)
    health.loc[disabled] = fixed[codes]
    id_grade = from_id.where(from_id != "残疾", "")
    grade = grade.where(~(disabled & (grade == "").to_numpy() & (id_grade != "").to_numpy()), id_grade)
    return health, grade


def _birth(value: object) -> str:
    text = re.sub(r"[\s\-/.年月日]", "", cell_text(value).removesuffix(".0"))
    return text if re.fullmatch(r"\d{8}", text) else ""


def birth_mismatch(declared: pd.Series, birth_from_id: pd.Series) -> np.ndarray:
    """出生日期 given (YYYYMMDD, '19800305.0', 1980-03-05, a date cell) and different from the ID's."""
    codes, uniques = pd.factorize(declared.to_numpy(dtype=object), use_na_sentinel=True)
    parsed = np.array([_birth(u) for u in uniques] + [""], dtype=object)[codes]
    given = parsed != ""
    off = np.zeros(len(parsed), dtype=bool)
    if given.any():  # the ID's birth dates as text, once per distinct date, where one was given
        dates, days = pd.factorize(pd.to_datetime(birth_from_id).to_numpy()[given], use_na_sentinel=True)
        texts = np.append(pd.DatetimeIndex(days).strftime("%Y%m%d").to_numpy(dtype=object), "")
        from_id = texts[dates]
        off[given] = (from_id != "") & (parsed[given] != from_id)
    return off


def derive_household_fields(m: pd.DataFrame, has_column) -> None:
    """户类型/监测对象类别/风险是否已消除/致贫返贫风险1…5/贫困户属性/年度家庭人口数 → the canonical
    户类别, 脱贫属性, 脱贫监测户, 风险类型, 家庭人口 (in place, after household fields were taken
    from the head row). ``has_column(key)`` is a per-row mask: the row's table has that column.

    A canonical column the roster fills itself wins: derivation only fills blanks."""
    htype = m["household_type"].to_numpy(dtype=object)
    mclass = m["monitor_class"].to_numpy(dtype=object)
    eliminated = m["risk_eliminated"].to_numpy(dtype=bool)
    category = m["category"].to_numpy(dtype=object).copy()
    blank = category == ""

    typed = has_column("household_type")
    if typed.any():
        derived = np.where(np.isin(htype, REGISTERED_TYPES), REGISTERED,
                           np.where((htype == "边缘户") | np.isin(mclass, EDGE_CLASSES), "边缘户", "一般农户"))
        fill = blank & typed
        category[fill] = derived[fill]
        status = m["poverty_status"].to_numpy(dtype=object).copy()
        exited = (status == "") & (htype == "脱贫户") & typed
        status[exited] = "已脱贫"
        m["poverty_status"] = pd.Series(status, index=m.index, dtype="str")
    attr = has_column("poverty_attr") & ~typed & blank  # a 2016–2020 roster lists registered households only
    category[attr] = REGISTERED
    m["category"] = pd.Series(category, index=m.index, dtype="str")

    classed = has_column("monitor_class") & ~has_column("monitored")
    if classed.any():
        monitored = m["monitored"].to_numpy(dtype=bool).copy()
        monitored[classed] = (mclass[classed] != "") & ~eliminated[classed]
        m["monitored"] = monitored

    present = [k for k in NATIONAL_RISK_KEYS if has_column(k).any()]
    if present:
        current = ~(eliminated & has_column("risk_eliminated"))  # eliminated: history, not a risk
        parts = [m["risk_types"]] + [m[k].where(current, "") for k in present]
        m["risk_types"] = join_multi(parts, RISKS)

    annual = has_column("size_annual") & ~has_column("size_declared")
    if annual.any():
        m["size_declared"] = m["size_declared"].where(~annual, m["size_annual"])


def join_multi(parts: list[pd.Series], order: tuple[str, ...]) -> pd.Series:
    """Union of several "、"-joined multi-value columns, in registry order (per distinct combination)."""
    combo = parts[0].astype(str)
    for p in parts[1:]:
        combo = combo + "|" + p.astype(str)
    rank = {v: i for i, v in enumerate(order)}
    codes, uniques = pd.factorize(combo.to_numpy(dtype=object), use_na_sentinel=False)
    joined = np.array(["、".join(sorted({v for v in re.split(r"[|、]", u) if v}, key=lambda v: rank.get(v, 99)))
                       for u in uniques], dtype=object)
    return pd.Series(joined[codes], index=parts[0].index, dtype="str")
