"""classify(): every rule and boundary of the plan's four cards, exclusions, priority, review,
declared cards, and the five-card scheme shipped as a second rules file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fourcard_excel import registry
from fourcard_excel.ingest.ids import make_id
from fourcard_excel.rules.cards import age_from_ids, classify, declared_cards
from fourcard_excel.rules.ruleset import load_rules, sample_households

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2024, 3, 18)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def households(*rows: dict) -> pd.DataFrame:
    """A contract-2 households frame; money and labour facts derived like build_households."""
    df = sample_households(len(rows))
    for i, row in enumerate(rows):
        base = {"hh_key": f"城关镇|{i:04d}", "township": "城关镇", "village": "新民村",
                "household_id": f"43010200{i:04d}", "head_name": "李明",
                "head_id": make_id("430102", "19700101", i + 1), "head_age": 54,
                "category": "建档立卡贫困户", "poverty_status": "已脱贫", "size": 3,
                "labour_able": 2}
        base.update(row)
        for key, value in base.items():
            df.loc[i, key] = value
    df["size_declared"] = df["size"].astype("Int64")
    df["members"] = df["size"]
    df["total_income"] = df[["wage_income", "business_income", "property_income", "transfer_income"]].sum(axis=1)
    df["net_income"] = df["total_income"] - df["business_cost"]
    df["per_capita"] = df["net_income"] / df["size"]
    df["economic_income"] = df["wage_income"] + df["business_income"] + df["property_income"]
    df["no_labour_household"] = (df["labour_able"] + df["labour_weak"]) == 0
    df["ill_or_disabled"] = (df["n_serious_ill"] + df["n_disabled"]) > 0
    df["fulltime_student"] = df["n_students"] > 0
    return df


def one(rules, as_of=AS_OF, **row) -> pd.Series:
    return classify(households(row), rules, as_of).iloc[0]


# --- 红卡 ---------------------------------------------------------------------------------------

def test_red_no_labour_no_economic_income(rules):
    r = one(rules, labour_able=0, labour_weak=0, transfer_income=12000.0, size=3)
    assert r.card == "红卡"
    assert r.reasons == "建档立卡贫困户；整户无劳动能力；经济收入0元；人均纯收入4,000元"
    assert r.rule.startswith("红卡")


def test_weak_labour_is_not_no_labour(rules):
    r = one(rules, labour_able=0, labour_weak=1, transfer_income=12000.0, poverty_status="未脱贫")
    assert r.card == "黄卡"


def test_property_income_makes_household_not_red(rules):
    r = one(rules, labour_able=0, property_income=300.0, transfer_income=9000.0, poverty_status="未脱贫")
    assert r.card == "黄卡"
    r0 = one(rules, labour_able=0, property_income=0.0, transfer_income=9000.0, poverty_status="未脱贫")
    assert r0.card == "红卡"


def test_red_is_never_excluded(rules):
    r = one(rules, labour_able=0, has_car=True, luxury_house=True, size=1, head_age=50)
    assert r.card == "红卡"
    assert r.exclusions == "" and not r.review


def test_red_requires_registration(rules):
    r = one(rules, category="一般农户", poverty_status="", labour_able=0, n_disabled=1,
            transfer_income=3000.0)
    assert r.card == "蓝卡"


# --- 黄卡 / 绿卡 boundary: 5000元以下 includes 5000 --------------------------------------------

@pytest.mark.parametrize("per_capita, card", [(4999.0, "黄卡"), (5000.0, "黄卡"), (5000.01, "绿卡")])
def test_yellow_per_capita_at_most_5000(rules, per_capita, card):
    r = one(rules, size=2, wage_income=per_capita * 2, monitored=True)
    assert r.card == card


def test_exited_without_return_risk_is_green(rules):
    r = one(rules, size=2, wage_income=6000.0)
    assert r.card == "绿卡"
    assert "无返贫风险" in r.reasons and "人均纯收入3,000元" in r.reasons


@pytest.mark.parametrize("row", [
    {"monitored": True}, {"risk_types": "因产业失败"}, {"n_serious_ill": 1},
    {"n_disabled": 1}, {"risk_types": "因灾"},
])
def test_return_risk_sources(rules, row):
    r = one(rules, size=2, wage_income=6000.0, **row)
    assert r.card == "黄卡"


@pytest.mark.parametrize("status", ["未脱贫", "返贫"])
def test_not_exited_is_yellow_whatever_income(rules, status):
    r = one(rules, poverty_status=status, wage_income=90000.0)
    assert r.card == "黄卡"
    assert r.reasons.startswith(f"建档立卡{status}户")


def test_yellow_reasons_name_the_risk_and_figures(rules):
    r = one(rules, size=4, wage_income=15000.0, transfer_income=1000.0, risk_types="因病、因学")
    assert r.card == "黄卡"
    assert r.reasons == "建档立卡已脱贫户；人均纯收入4,000元（不高于5,000元）；风险类型：因病、因学"


# --- education spending above / below total income ---------------------------------------------

@pytest.mark.parametrize("education, card, factor", [(12001.0, "黄卡", True), (12000.0, "绿卡", False),
                                                     (8000.0, "绿卡", False)])
def test_education_cost_against_total_income(rules, education, card, factor):
    r = one(rules, size=3, wage_income=12000.0, n_students=1, education_cost=education)
    assert r.card == card
    assert ("教育支出超过家庭总收入较多" in r.priority_factors) == factor
    if card == "黄卡":
        assert "教育支出12,001元超过家庭总收入12,000元" in r.reasons


def test_education_risk_needs_a_fulltime_student(rules):
    r = one(rules, size=3, wage_income=3000.0, n_students=0, education_cost=5000.0,
            category="一般农户", poverty_status="")
    assert r.card == registry.NOT_CARDED


# --- 蓝卡: 低于5000 excludes 5000 ---------------------------------------------------------------

@pytest.mark.parametrize("per_capita, card", [(4999.99, "蓝卡"), (5000.0, registry.NOT_CARDED)])
def test_blue_per_capita_below_5000(rules, per_capita, card):
    r = one(rules, category="边缘户", poverty_status="", size=1, head_age=70,
            wage_income=per_capita, risk_types="因病")
    assert r.card == card


def test_blue_needs_illness_disaster_or_education_risk(rules):
    base = dict(category="一般农户", poverty_status="", size=2, wage_income=4000.0)
    assert one(rules, **base).card == registry.NOT_CARDED
    assert one(rules, **base, risk_types="因灾").card == "蓝卡"
    assert one(rules, **base, risk_types="因产业失败").card == registry.NOT_CARDED
    assert one(rules, **base, n_disabled=1).card == "蓝卡"


# --- exclusions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("age, excluded", [(60, True), (61, False), (59, True)])
def test_single_person_aged_60_is_excluded_61_is_not(rules, age, excluded):
    birth = f"{2024 - age}0301"  # birthday passed at AS_OF (03-18): full years == age
    r = one(rules, category="一般农户", poverty_status="", size=1, labour_able=1, wage_income=3000.0,
            risk_types="因灾", head_id=make_id("430102", birth, 11), head_age=pd.NA)
    assert r.head_age == age
    assert r.card == (registry.NOT_CARDED if excluded else "蓝卡")
    assert ("60岁以下非残非重病的单人户" in r.exclusions) == excluded


def test_age_counts_full_years_at_as_of(rules):
    row = dict(category="一般农户", poverty_status="", size=1, wage_income=3000.0, risk_types="因灾",
               head_id=make_id("430102", "19630401", 11), head_age=pd.NA)
    assert one(rules, as_of=dt.date(2024, 3, 31), **row).card == registry.NOT_CARDED  # still 60
    assert one(rules, as_of=dt.date(2024, 4, 1), **row).card == "蓝卡"  # 61 on 04-01


def test_single_person_ill_or_disabled_is_not_excluded(rules):
    r = one(rules, category="一般农户", poverty_status="", size=1, head_age=40, wage_income=3000.0,
            n_serious_ill=1)
    assert r.card == "蓝卡" and r.exclusions == ""


def test_excluded_exited_household_becomes_green(rules):
    r = one(rules, size=2, wage_income=6000.0, monitored=True, has_car=True)
    assert r.card == "绿卡"
    assert r.exclusions == "有消费型汽车"
    assert "符合黄卡条件，但存在排除情形（有消费型汽车），不得评定为黄卡" in r.reasons
    assert not r.review


@pytest.mark.parametrize("status", ["未脱贫", "返贫"])
def test_excluded_not_exited_stays_yellow_with_review(rules, status):
    r = one(rules, poverty_status=status, luxury_house=True, parents_separate=True)
    assert r.card == "黄卡"
    assert r.review
    assert r.exclusions == "房屋装修豪华、父母单独立户且子女有赡养能力"
    assert status in r.review_reason and "人工复核" in r.review_reason


def test_excluded_non_registered_is_not_carded(rules):
    r = one(rules, category="边缘户", poverty_status="", size=2, wage_income=3000.0,
            risk_types="因病", has_car=True)
    assert r.card == registry.NOT_CARDED
    assert r.exclusions == "有消费型汽车"
    assert r.rule == "不纳入：存在排除情形"


def test_exclusion_can_be_switched_off(tmp_path):
    text = (ROOT / "templates" / "rules.toml").read_text(encoding="utf-8")
    text = text.replace('id = "car"\nname = "有消费型汽车"\nenabled = true',
                        'id = "car"\nname = "有消费型汽车"\nenabled = false')
    p = tmp_path / "rules.toml"
    p.write_text(text, encoding="utf-8")
    r = one(load_rules(p), size=2, wage_income=6000.0, monitored=True, has_car=True)
    assert r.card == "黄卡" and r.exclusions == ""


# --- priority -----------------------------------------------------------------------------------

def test_priority_factors_and_score(rules):
    r = one(rules, poverty_status="未脱贫", size=4, labour_able=1, n_disabled=1, wage_income=2000.0,
            n_students=1, education_cost=5000.0)
    assert r.priority_factors == "劳动力少或弱、成员残疾或患重病、教育支出超过家庭总收入较多"
    assert r.priority_score == 3


def test_half_labour_is_not_few_labour(rules):
    r = one(rules, poverty_status="未脱贫", size=4, labour_able=2)
    assert r.priority_factors == "" and r.priority_score == 0


def test_priority_only_for_yellow_and_blue(rules):
    r = one(rules, size=2, wage_income=20000.0, n_disabled=0, labour_able=0, labour_weak=1)
    assert r.card == "绿卡" and r.priority_score == 0 and r.priority_factors == ""


# --- declared cards, blocking -------------------------------------------------------------------

def test_declared_card_is_latest_stage(rules):
    df = households({"card_visit": "黄卡", "card_township": "绿卡", "size": 2, "wage_income": 20000.0},
                    {"card_visit": "黄卡", "size": 2, "wage_income": 20000.0},
                    {"size": 2, "wage_income": 20000.0})
    out = classify(df, rules, AS_OF)
    assert list(out.declared_card) == ["绿卡", "黄卡", ""]
    assert list(out.declared_stage) == ["乡镇复核意见", "上户核查建议", ""]
    assert out.agrees.tolist() == [True, False, pd.NA]
    assert str(out.agrees.dtype) == "boolean"


def test_declared_cards_ignores_missing_values():
    df = pd.DataFrame({"card_final": [None, "红卡"], "card_visit": ["蓝卡", ""]}).astype(object)
    declared, stage = declared_cards(df)
    assert list(declared) == ["蓝卡", "红卡"] and list(stage) == ["上户核查建议", "公示确定"]


def test_blocked_household_is_undetermined(rules):
    df = households({"blocking_issues": "证件号码校验位错误", "card_final": "红卡"}, {})
    out = classify(df, rules, AS_OF)
    assert out.card.tolist() == [registry.UNDETERMINED, "绿卡"]
    assert "证件号码校验位错误" in out.reasons[0]
    assert out.rule[0] == "" and pd.isna(out.agrees[0])


def test_output_keeps_rows_index_and_columns(rules):
    df = households({}, {"poverty_status": "未脱贫"})
    df.index = pd.Index([10, 20])
    out = classify(df, rules, AS_OF)
    assert list(out.index) == [10, 20]
    assert list(out.columns[: len(df.columns)]) == list(df.columns)
    for col in ("card", "rule", "reasons", "exclusions", "priority_factors", "priority_score",
                "review", "review_reason", "declared_card", "declared_stage", "agrees"):
        assert col in out.columns
    assert out.priority_score.dtype == "int64" and out.review.dtype == bool
    assert "card" not in df.columns  # input untouched


def test_empty_frame(rules):
    out = classify(sample_households(0), rules, AS_OF)
    assert len(out) == 0 and "card" in out.columns


def test_age_from_ids_invalid_fallback():
    ids = pd.Series([make_id("430102", "19640318", 5), "12345", ""])
    ages = age_from_ids(ids, dt.date(2024, 3, 18), pd.Series([1, 2, pd.NA]))
    assert ages.tolist() == [60, 2, pd.NA]


# --- five-card scheme: a new scheme is a file ---------------------------------------------------

def test_five_card_scheme(tmp_path):
    five = load_rules(ROOT / "templates" / "rules-five-card.toml")
    assert five.card_names == ["红卡", "黄卡", "绿卡", "蓝卡", "紫卡"]
    df = households(
        {"poverty_status": "未脱贫"},
        {"poverty_status": "返贫", "labour_able": 0},
        {"monitored": True},
        {"policies_enjoyed": ""},
        {"policies_enjoyed": "产业扶贫、健康扶贫", "wage_income": 30000.0},
        {"category": "边缘户", "poverty_status": "", "wage_income": 30000.0},
        {"category": "边缘户", "poverty_status": "", "has_car": True},
        {"category": "一般农户", "poverty_status": ""},
        {"monitored": True, "has_car": True, "policies_enjoyed": "产业扶贫"},
    )
    out = classify(df, five, AS_OF)
    assert out.card.tolist() == ["红卡", "红卡", "黄卡", "绿卡", "蓝卡", "紫卡", registry.NOT_CARDED,
                                 registry.NOT_CARDED, "蓝卡"]
    assert five.colour("紫卡") == "#B4A7D6"
    assert out.reasons[5].startswith("非建档立卡边缘户；人均纯收入")
    assert out.exclusions[8] == "有消费型汽车" and "不得评定为黄卡" in out.reasons[8]
    assert five.section("contact")["per_month"]["紫卡"] == 1
