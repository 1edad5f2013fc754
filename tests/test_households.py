"""build_households(): members frame (contract 1) -> household facts (contract 2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from fourcard_excel import registry
from fourcard_excel.ingest import ids
from fourcard_excel.ingest.ids import make_id
from fourcard_excel.rules.facts import build_households, value_flags
from fourcard_excel.rules.ruleset import (
    HOUSEHOLD_COLUMNS,
    default_rules_path,
    load_rules,
    parse_rules,
)

AS_OF = dt.date(2024, 3, 18)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _default(col: registry.Column):
    if col.kind in (registry.MONEY,):
        return 0.0
    if col.kind == registry.YESNO:
        return False
    if col.kind == registry.INT:
        return pd.NA
    return ""


def members_frame(households: list[dict], level: str = "member") -> pd.DataFrame:
    """Contract-1 rows: each household dict holds household fields and ``members`` (list of dicts,
    the first being the 户主 unless a member says relation)."""
    rows = []
    seq = 0
    for h in households:
        hh_fields = {k: v for k, v in h.items() if k != "members"}
        town = hh_fields.setdefault("township", "城关镇")
        hh_fields.setdefault("village", "新民村")
        hh_fields.setdefault("category", "建档立卡贫困户")
        hh_fields.setdefault("poverty_status", "已脱贫")
        for j, m in enumerate(h.get("members", [{}])):
            seq += 1
            row = {c.key: _default(c) for c in registry.COLUMNS}
            row.update(hh_fields)
            row.setdefault("relation", "户主" if j == 0 else "之子")
            row.update({"name": f"成员{seq}", "labour": "普通劳动力", "health": "健康",
                        "schooling": "非在校生"})
            row["id_number"] = make_id("430102", m.get("birth", "19800101"), seq)
            row.update({k: v for k, v in m.items() if k != "birth"})
            row["source_file"], row["source_sheet"], row["source_row"] = f"{town}.xlsx", "花名册", seq + 3
            row["roster_level"] = level
            if j == 0:
                hid = hh_fields.get("household_id") or row["id_number"]
            row["hh_key"] = f"{town}|{hid}"
            row["is_head"] = row["relation"] == "户主"
            rows.append(row)
    df = pd.DataFrame(rows)
    chk = ids.check_ids(df["id_number"])
    df["id_ok"] = chk["status"] == ids.OK
    df["birth_date"] = chk["birth_date"]
    df["sex_calc"] = chk["sex"]
    df["age_calc"] = ids.age_at(chk["birth_date"], AS_OF)
    for c in registry.COLUMNS:
        if c.kind == registry.INT:
            df[c.key] = pd.to_numeric(df[c.key], errors="coerce").astype("Int64")
        elif c.kind == registry.MONEY:
            df[c.key] = df[c.key].astype(float)
        elif c.kind == registry.YESNO:
            df[c.key] = df[c.key].astype(bool)
        else:
            df[c.key] = df[c.key].astype("str")
    return df


def test_contract_columns_and_dtypes(rules):
    m = members_frame([{"household_id": "001", "members": [{}, {}]}])
    h = build_households(m, rules, AS_OF)
    assert list(h.columns) == list(HOUSEHOLD_COLUMNS)
    assert isinstance(h.index, pd.RangeIndex) and len(h) == 1
    kinds = {"bool": "bool", "int": "int64", "Int64": "Int64", "float": "float64"}
    for name, kind in HOUSEHOLD_COLUMNS.items():
        if kind in kinds:
            assert str(h[name].dtype) == kinds[kind], name
        else:
            assert h[name].dtype == "str", name
    assert h.blocking_issues[0] == ""


def test_size_incomes_and_per_capita(rules):
    m = members_frame([{"household_id": "001", "size_declared": 4, "wage_income": 10000.0,
                        "business_income": 3000.0, "property_income": 500.0, "transfer_income": 2500.0,
                        "business_cost": 1000.0, "members": [{}, {}, {}]}])
    h = build_households(m, rules, AS_OF).iloc[0]
    assert h["size"] == 3 and h.members == 3 and h.size_declared == 4  # member rows win
    assert h.total_income == 16000.0
    assert h.net_income == 15000.0
    assert h.per_capita == 5000.0
    assert h.economic_income == 13500.0  # transfers excluded


def test_labour_weak_is_not_able_and_not_none(rules):
    m = members_frame([
        {"household_id": "001", "members": [{"labour": "弱劳动力或半劳动力"}, {"labour": "丧失劳动力"}]},
        {"household_id": "002", "members": [{"labour": "无劳动力"}, {"labour": "丧失劳动力"}]},
        {"household_id": "003", "members": [{"labour": "技能劳动力"}, {"labour": "普通劳动力"}]},
    ])
    h = build_households(m, rules, AS_OF)
    assert h.labour_able.tolist() == [0, 0, 2]
    assert h.labour_weak.tolist() == [1, 0, 0]
    assert h.no_labour_household.tolist() == [False, True, False]


def test_health_disability_students(rules):
    m = members_frame([{"household_id": "001", "members": [
        {"health": "残疾", "disability_grade": "二级"},
        {"health": "残疾、长期慢性病", "disability_grade": "三级"},
        {"health": "患有大病"},
        {"schooling": "普通高中"},
        {"schooling": "七至九年级"},
    ]}, {"household_id": "002", "members": [{"health": "长期慢性病"}]}])
    h = build_households(m, rules, AS_OF)
    a, b = h.iloc[0], h.iloc[1]
    assert (a.n_disabled, a.n_severe_disabled, a.n_serious_ill, a.n_chronic, a.n_students) == (2, 1, 1, 1, 1)
    assert a.ill_or_disabled and a.severe_disabled and a.chronic and a.fulltime_student
    assert a.risk_illness and a.return_risk
    assert not b.ill_or_disabled and b.chronic and not b.risk_illness and not b.return_risk


def test_risks_and_return_risk(rules):
    m = members_frame([
        {"household_id": "001", "risk_types": "因灾"},
        {"household_id": "002", "monitored": True},
        {"household_id": "003", "wage_income": 6000.0, "education_cost": 6001.0,
         "members": [{}, {"schooling": "本科"}]},
        {"household_id": "004", "wage_income": 6000.0, "education_cost": 6000.0,
         "members": [{}, {"schooling": "本科"}]},
        {"household_id": "005", "risk_types": "因务工就业不稳"},
    ])
    h = build_households(m, rules, AS_OF).set_index("household_id")
    assert h.risk_disaster.to_dict() == {"001": True, "002": False, "003": False, "004": False, "005": False}
    assert h.risk_education.to_dict() == {"001": False, "002": False, "003": True, "004": False, "005": False}
    assert h.return_risk.to_dict() == {"001": True, "002": True, "003": True, "004": False, "005": True}
    assert h.registered.all()


def test_head_row_supplies_household_fields(rules):
    """The 户主 row need not be first; identity comes from it."""
    m = members_frame([{"household_id": "001", "members": [
        {"relation": "配偶", "birth": "19820505"}, {"relation": "户主", "birth": "19640318"}]}])
    h = build_households(m, rules, AS_OF).iloc[0]
    head = m[m.relation == "户主"].iloc[0]
    assert h.head_id == head.id_number and h.head_name == head["name"]
    assert h.head_age == 60 and h.source_row == head.source_row
    assert build_households(m, rules, dt.date(2024, 3, 17)).head_age[0] == 59


def test_without_household_id_key_is_head_id(rules):
    m = members_frame([{"members": [{}, {}]}, {"members": [{}]}])
    h = build_households(m, rules, AS_OF)
    assert len(h) == 2 and h["size"].tolist() == [2, 1]
    assert all(k == f"城关镇|{i}" for k, i in zip(h.hh_key, h.head_id))


def test_household_level_roster_takes_counts(rules):
    m = members_frame([{"household_id": "001", "size_declared": 5, "n_labour_able": 1, "n_labour_weak": 2,
                        "n_serious_ill": 1, "n_disabled": 2, "n_severe_disabled": 1, "n_students": 1,
                        "n_chronic": 0, "wage_income": 10000.0},
                       {"household_id": "002", "size_declared": 2, "n_labour_able": 0, "n_labour_weak": 0}],
                      level="household")
    h = build_households(m, rules, AS_OF)
    a, b = h.iloc[0], h.iloc[1]
    assert (a["size"], a.members, a.labour_able, a.labour_weak) == (5, 5, 1, 2)
    assert (a.n_serious_ill, a.n_disabled, a.n_severe_disabled, a.n_students) == (1, 2, 1, 1)
    assert a.per_capita == 2000.0 and a.ill_or_disabled and a.fulltime_student
    assert b.no_labour_household and b["size"] == 2


def test_sorted_by_township_village_household(rules):
    m = members_frame([{"township": "龙潭乡", "household_id": "002"},
                       {"township": "城关镇", "village": "新民村", "household_id": "009"},
                       {"township": "城关镇", "village": "东风村", "household_id": "001"},
                       {"township": "城关镇", "village": "新民村", "household_id": "003"}])
    h = build_households(m, rules, AS_OF)
    assert list(zip(h.township, h.household_id)) == [("城关镇", "001"), ("城关镇", "003"), ("城关镇", "009"),
                                                     ("龙潭乡", "002")]


def test_sets_come_from_the_rules_file(rules):
    text = default_rules_path().read_text(encoding="utf-8")
    custom = parse_rules(text.replace('able_labour = ["普通劳动力", "技能劳动力"]', 'able_labour = ["普通劳动力"]')
                         .replace('weak_labour = ["弱劳动力或半劳动力"]', 'weak_labour = ["弱劳动力或半劳动力", "技能劳动力"]')
                         .replace('fulltime_schooling = ["普通高中", "中职", "高职高专", "本科", "研究生"]',
                                  'fulltime_schooling = ["本科", "研究生"]'))
    m = members_frame([{"household_id": "001", "members": [{"labour": "技能劳动力", "schooling": "普通高中"}]}])
    default, changed = build_households(m, rules, AS_OF).iloc[0], build_households(m, custom, AS_OF).iloc[0]
    assert (default.labour_able, default.labour_weak, default.n_students) == (1, 0, 1)
    assert (changed.labour_able, changed.labour_weak, changed.n_students) == (0, 1, 0)


def test_empty_members(rules):
    h = build_households(members_frame([{}]).iloc[0:0], rules, AS_OF)
    assert len(h) == 0 and list(h.columns) == list(HOUSEHOLD_COLUMNS)


def test_value_flags_multi_values():
    s = pd.Series(["残疾、长期慢性病", "健康", "", "患有大病"])
    assert value_flags(s, {"残疾", "患有大病"}).tolist() == [True, False, False, True]
    assert value_flags(np.array(["残疾人", "残疾"], dtype=object), ("残疾",)).tolist() == [False, True]
