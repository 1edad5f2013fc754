"""Rules file loading, validation messages (Chinese, key and line) and the safe expression language."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fourcard_excel.rules.expr import ExprError, Namespace, compile_expr, evaluate_mask
from fourcard_excel.rules.ruleset import (
    RulesError,
    default_rules_path,
    load_rules,
    parse_rules,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TEXT = default_rules_path().read_text(encoding="utf-8")


def test_template_is_byte_identical_to_packaged_default():
    assert (ROOT / "templates" / "rules.toml").read_bytes() == default_rules_path().read_bytes()


def test_default_rules_reproduce_the_plan():
    r = load_rules()
    assert r.card_names == ["红卡", "黄卡", "绿卡", "蓝卡"]
    assert r.colour("红卡").startswith("#") and len(r.colour("蓝卡")) == 7
    assert r.thresholds["per_capita_line"] == 5000 and r.thresholds["single_age_max"] == 60
    assert r.thresholds["economic_income_max"] == 0
    assert r.sets["able_labour"] == ("普通劳动力", "技能劳动力")
    assert r.sets["weak_labour"] == ("弱劳动力或半劳动力",)
    assert r.sets["fulltime_schooling"] == ("普通高中", "中职", "高职高专", "本科", "研究生")
    assert [e.name for e in r.exclusions] == ["有消费型汽车", "房屋装修豪华", "60岁以下非残非重病的单人户",
                                              "父母单独立户且子女有赡养能力"]
    assert r.card("红卡").excludable == ()
    assert r.card("黄卡").excludable == ("car", "luxury_house", "single_under_60", "parents_separate")
    assert len(r.sha256) == 64 and r.path == default_rules_path()


def test_sections_for_other_modules():
    r = load_rules()
    assert r.section("spotcheck") == {"rate": 0.30, "min_rate": 0.30, "team_size": 2}
    q = r.section("quotas")
    assert q["county_total"] == 520 and q["county_level"] == 60 and q["pv_share_min"] == 0.80
    assert r.section("schedule")["stages"][0] == ["初核申报", "03-18", "03-22"]
    assert r.section("schedule")["notice_days"] == 7
    assert r.section("review")["months"] == {"红卡": 6, "default": 3}
    assert r.section("contact")["per_month"] == {"红卡": 2, "黄卡": 1, "绿卡": 1}
    assert r.section("nonexistent") == {}


def test_every_plan_line_is_commented():
    """Each threshold, set and fact carries a comment line citing the plan just above it."""
    lines = DEFAULT_TEXT.splitlines()
    for section in ("[thresholds]", "[sets]", "[facts]"):
        start = lines.index(section)
        for i in range(start + 1, len(lines)):
            if lines[i].startswith("["):
                break
            if "=" in lines[i] and not lines[i].lstrip().startswith("#"):
                assert lines[i - 1].lstrip().startswith("#"), lines[i]


def _with(old: str, new: str) -> str:
    assert old in DEFAULT_TEXT, old
    return DEFAULT_TEXT.replace(old, new, 1)


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_toml_syntax_error_names_line():
    text = _with("per_capita_line = 5000", "per_capita_line = ")
    with pytest.raises(RulesError) as e:
        parse_rules(text, "县规则.toml")
    msg = str(e.value)
    assert "县规则.toml" in msg and f"第{_line_of(text, 'per_capita_line =')}行" in msg
    assert "TOML" in msg


def test_threshold_not_a_number():
    text = _with("per_capita_line = 5000", 'per_capita_line = "五千"')
    with pytest.raises(RulesError) as e:
        parse_rules(text, "rules.toml")
    msg = str(e.value)
    assert f"第{_line_of(text, 'per_capita_line =')}行" in msg
    assert "[thresholds] per_capita_line" in msg and "应为数字" in msg and "五千" in msg


def test_unknown_name_in_condition_names_card_and_line():
    text = _with("per_capita < per_capita_line and (risk_illness", "per_capta < per_capita_line and (risk_illness")
    with pytest.raises(RulesError) as e:
        parse_rules(text, "rules.toml")
    msg = str(e.value)
    assert "蓝卡" in msg and "condition" in msg and "per_capta" in msg
    assert f"第{_line_of(text, 'per_capta')}行" in msg
    assert "per_capita" in msg  # the list of available names


def test_set_value_must_be_canonical():
    text = _with('weak_labour = ["弱劳动力或半劳动力"]', 'weak_labour = ["弱劳动力"]')
    with pytest.raises(RulesError) as e:
        parse_rules(text, "rules.toml")
    msg = str(e.value)
    assert "[sets] weak_labour" in msg and "弱劳动力或半劳动力" in msg and "劳动技能" in msg
    assert f"第{_line_of(text, 'weak_labour =')}行" in msg


@pytest.mark.parametrize("old, new, words", [
    ('colour = "#FF4D4D"', 'colour = "red"', ["colour", "#RRGGBB"]),
    ('on_exclusion = "next"\nkeep_if_excluded', 'on_exclusion = "skip"\nkeep_if_excluded', ["on_exclusion", "skip"]),
    ('excludable = true\non_exclusion = "next"\npriority', 'excludable = ["boat"]\non_exclusion = "next"\npriority',
     ["excludable", "boat"]),
    ('return_risk = "monitored', 'return_riskk = "monitored', ["return_riskk"]),
    ('text = "无返贫风险"', 'text = "无返贫风险{nothing}"', ["nothing"]),
    ('condition = "has_car"', 'condition = "wage_income"', ["是/否"]),
    ('condition = "has_car"', 'condition = "has(size, illness_risks)"', ["has()"]),
])
def test_bad_values_are_named(old, new, words):
    with pytest.raises(RulesError) as e:
        parse_rules(_with(old, new), "rules.toml")
    msg = str(e.value)
    assert "rules.toml" in msg and "第" in msg and "行" in msg
    for w in words:
        assert w in msg


def test_missing_section_and_card_name_reserved():
    with pytest.raises(RulesError, match=r"\[sets\]"):
        parse_rules(DEFAULT_TEXT.replace("[sets]", "[setz]"), "rules.toml")
    with pytest.raises(RulesError, match="保留名称"):
        parse_rules(_with('name = "蓝卡"', 'name = "不纳入"'), "rules.toml")


def test_missing_file_and_encoding(tmp_path):
    with pytest.raises(RulesError, match="找不到规则文件"):
        load_rules(tmp_path / "nope.toml")
    p = tmp_path / "gbk.toml"
    p.write_bytes(DEFAULT_TEXT.encode("gb18030"))
    with pytest.raises(RulesError, match="UTF-8"):
        load_rules(p)


@pytest.mark.parametrize("source", [
    "__import__('os').system('echo hi')",
    "size.__class__",
    "(lambda: 1)()",
    "[x for x in size]",
    "size if has_car else 0",
    "open('/etc/passwd')",
    "size ** 2 > 1",
])
def test_unsafe_or_unsupported_expressions_are_rejected(source):
    with pytest.raises(ExprError):
        fn = compile_expr(source)
        fn(Namespace(pd.DataFrame({"size": [1], "has_car": [True]})))


def test_expression_semantics():
    frame = pd.DataFrame({
        "status": pd.Series(["已脱贫", "未脱贫", "", "返贫"], dtype="str"),
        "risks": pd.Series(["因病、因学", "", "因灾", "因学"], dtype="str"),
        "x": [1.0, np.nan, 5.0, 10.0],
        "age": pd.array([60, pd.NA, 61, 20], dtype="Int64"),
        "flag": [True, False, True, False],
    })
    ns = Namespace(frame, {"line": 5.0, "bad": ("未脱贫", "返贫"), "edu": ("因学",)})

    def m(src):
        return evaluate_mask(compile_expr(src), ns).tolist()

    assert m("status in bad") == [False, True, False, True]
    assert m("status not in bad") == [True, False, True, False]
    assert m("status == ''") == [False, False, True, False]
    assert m("has(risks, edu)") == [True, False, False, True]
    assert m("has(risks, '因灾', '因病')") == [True, False, True, False]
    assert m("x <= line") == [True, False, True, False]  # NaN compares false
    assert m("not (x <= line)") == [False, True, False, True]
    assert m("age <= 60") == [True, False, False, True]
    assert m("1 < x * 2 <= 10") == [True, False, True, False]
    assert m("flag and x > 1 or status == '返贫'") == [False, False, True, True]
    assert m("flag == False") == [False, True, False, True]
    assert m("true") == [True] * 4
