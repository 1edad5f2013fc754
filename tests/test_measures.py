"""帮扶措施 (checks/measures) on a county whose ledger holds one planted departure per check and
every boundary: each planted finding is reported, no clean household is flagged."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from fourcard_excel.checks import measures
from fourcard_excel.checks.measures.config import load_config
from fourcard_excel.pipeline import classify_inputs
from fourcard_excel.rules.ruleset import RulesError, load_rules, parse_rules

from measures_fixtures import CARDS, EXPECTED, HOUSEHOLDS, IDS, make_county

AS_OF = dt.date(2024, 3, 18)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder, _ = make_county(tmp_path_factory.mktemp("county"))
    result = classify_inputs(folder, as_of=AS_OF)
    measures.run(result)
    return result


def _who(f: pd.DataFrame) -> pd.Series:
    return f["户主姓名"].where(f["层级"] == "户", f["乡镇"].where(f["层级"] == "乡镇", "县"))


def test_cards_are_as_built(checked):
    hh = checked.households.set_index("head_name")
    assert hh.loc[list(CARDS), "card"].to_dict() == CARDS


def test_every_planted_finding_and_nothing_else(checked):
    f = checked.outputs["measures"]
    got = set(zip(f["检查项"], _who(f)))
    assert got == EXPECTED
    assert len(f) == len(EXPECTED)  # one row each: no household flagged twice for one departure


def test_boundaries_hold(checked):
    f = checked.outputs["measures"]
    flagged = set(_who(f))
    # exactly 15 % (红一 910.80 on 6,072), 5,000 (黄二), 1,000 (绿一: only its card is wrong), 20,000 in two
    # rows (红五: only its 兜底 is partial), exactly 2 × (城关镇 4,000 vs 2,000), new build 50,000 (红一)
    assert "红一" not in flagged and "黄二" not in flagged and "城关镇" not in flagged
    assert set(f.loc[_who(f) == "绿一", "检查项"]) == {"临时救助对象不符", "庭院经济奖补对象不符"}
    assert set(f.loc[_who(f) == "红五", "检查项"]) == {"兜底未整户纳入"}
    # 特困供养 fulfils 兜底 A; a 2023 record does not count for the 2024 plan
    assert set(f.loc[_who(f) == "红六", "检查项"]) == {"危房改造补助标准不符"}
    assert "红七" not in flagged


def test_figures_in_the_findings(checked):
    f = checked.outputs["measures"].set_index(["检查项", "户主姓名"])
    row = f.loc[("红卡入股金额不足", "红二")]
    assert row["要求"] == "入股金额不少于2,024元×2人＝4,048元" and row["实际"] == "2024年入股金额4,047元"
    assert "303.59元" in f.loc[("分红比例低于15%", "红三"), "实际"]
    assert f.loc[("临时救助金额超出范围", "蓝一"), "实际"] == "2024年合计5,001元（2笔）"
    assert "999元" in f.loc[("临时救助金额超出范围", "蓝二"), "实际"]
    assert f.loc[("红卡未落实兜底保障A类", "红四"), "实际"] == "2024年只有“低保”，未注明A类/B类"
    assert "保障人数2人" in f.loc[("兜底未整户纳入", "红五"), "实际"]
    assert "20,001元" in f.loc[("修缮加固超过上限", "黄一"), "实际"]
    assert all(f["说明"].str.len() > 10)
    ind = checked.outputs["measures"]
    ind = ind[ind["检查项"] == "黄卡产业扶贫资金未达绿卡两倍"].set_index("层级")
    assert ind.loc["乡镇", "乡镇"] == "白沙镇" and "为1.5倍" in ind.loc["乡镇", "实际"]
    assert ind.loc["县", "乡镇"] == "" and "为1.83倍" in ind.loc["县", "实际"]


def test_unmatched_rows_keep_their_ledger_row(checked):
    f = checked.outputs["measures"]
    ghost = f[f["检查项"] == "台账户在花名册中找不到"].set_index("户主姓名")
    assert ghost.loc["钱无籍", "实际"].startswith("户编号C999不在城关镇花名册中")
    assert ghost["source_file"].str.endswith("帮扶措施台账.xlsx").all()
    assert ghost["source_row"].notna().all()
    issues = checked.issues[checked.issues["代码"] == "M012"]
    assert len(issues) == 2 and (issues["级别"] == "警告").all()  # a finding, not an 错误


def test_one_household_one_plan(checked):
    plan = checked.outputs["measures_plan"].set_index("户主姓名")
    assert "农一" not in plan.index  # not carded: no plan
    assert set(plan.index) == {n for n, c in CARDS.items() if c != "不纳入"}
    assert plan.loc["红四", "应享措施"] == "产业分红、兜底保障A类"
    assert plan.loc["红四", "未享措施"] == "产业分红、兜底保障A类"
    assert plan.loc["红四", "已享措施"] == "低保"
    assert plan.loc["红一", "未享措施"] == "" and "危房改造（新建）" in plan.loc["红一", "已享措施"]
    assert plan.loc["黄一", "应享措施"] == "兜底保障B类" and plan.loc["黄二", "应享措施"] == ""
    assert "庭院经济奖补" in plan.loc["黄二", "可享措施"]
    assert plan.loc["蓝二", "已享措施"] == "低保、临时救助"  # 低保 from the roster's 享受低保政策情况
    assert "临时救助" not in plan.loc["红七", "已享措施"]  # a 2023 record
    hh = checked.households.set_index("head_name")
    assert hh.loc["红四", "plan_missing"] == "产业分红、兜底保障A类"
    assert hh.loc["农一", "plan_entitled"] == "" and hh.loc["农一", "plan_received"] == "低保"


def test_coverage(checked):
    cov = checked.outputs["measures_coverage"].set_index("乡镇")
    assert cov.loc["城关镇", "红卡产业分红应享户数"] == 6
    assert cov.loc["城关镇", "红卡产业分红已落实户数"] == 5
    assert cov.loc["白沙镇", "红卡产业分红覆盖率"] == 1.0
    assert cov.loc["全县", "红卡兜底保障A类已落实户数"] == 6  # 红四 lacks A
    assert cov.loc["城关镇", "黄卡兜底保障B类应享户数"] == 1 and cov.loc["城关镇", "黄卡兜底保障B类覆盖率"] == 0.0
    assert pd.isna(cov.loc["白沙镇", "黄卡兜底保障B类覆盖率"])  # nobody due: no rate


def test_sheets_handed_to_the_writers(checked):
    spec = checked.sheets["帮扶措施"]
    assert list(spec.frame["乡镇"]) == ["城关镇", "白沙镇", "全县"]
    assert list(spec.row_fill) == ["#F4CCCC", "#F4CCCC", "#F4CCCC"]  # every level has a shortfall
    owed = checked.outputs["township_sheets"]["应享未享"].frame
    assert set(owed["户主姓名"]) == {"红四", "黄一"}


def test_without_a_ledger_one_info(tmp_path):
    folder, ledger = make_county(tmp_path, ledger_in_folder=False)
    result = classify_inputs(folder, as_of=AS_OF)
    measures.run(result)
    assert result.outputs["measures"] is None
    infos = result.issues[result.issues["代码"].str.startswith("M")]
    assert list(infos["代码"]) == ["M015"] and list(infos["级别"]) == ["提示"]


def test_five_card_rules_run_without_measures(tmp_path):
    from pathlib import Path

    folder, _ = make_county(tmp_path)
    five = Path(__file__).resolve().parent.parent / "templates" / "rules-five-card.toml"
    result = classify_inputs(folder, as_of=AS_OF, rules_path=five)
    measures.run(result)
    assert result.outputs["measures"] is None
    assert list(result.issues.loc[result.issues["代码"].str.startswith("M"), "代码"]) == ["M016"]


def test_unknown_year_and_unreadable_evidence(tmp_path):
    from measures_fixtures import LEDGER, write_ledger

    folder, ledger = make_county(tmp_path)
    rows = [r for r in LEDGER if r[0] in ("红一",)]
    rows = [(n, m, p, a, c, "", "", e) if m == "A类低保" else (n, m, p, a, c, y, d, e) for n, m, p, a, c, y, d, e in rows]
    write_ledger(ledger, rows)
    roster = folder / "白沙镇四卡花名册.xlsx"
    import openpyxl

    wb = openpyxl.load_workbook(roster)
    wb.active.cell(2, 17, "待核实")
    wb.save(roster)
    result = classify_inputs(folder, as_of=AS_OF)
    measures.run(result)
    codes = result.issues.set_index("代码")
    assert codes.loc["M017", "行号"] == 4 and codes.loc["M017", "级别"] == "警告"
    assert codes.loc["M018", "值"] == "待核实" and codes.loc["M018", "级别"] == "提示"
    assert (result.households["card"] != "未判定").all()  # an unreadable evidence value never blocks


def test_rules_section_is_validated():
    rules = load_rules()
    text = rules.text.replace("dividend_rate_min = 0.15", "dividend_rate_min = \"百分之十五\"")
    with pytest.raises(RulesError, match=r"第\d+行 \[measures\] dividend_rate_min"):
        load_config(parse_rules(text))
    text = rules.text.replace('when = "severe_disabled or', 'when = "severely_disabled or')
    with pytest.raises(RulesError, match="未知的名称“severely_disabled”"):
        load_config(parse_rules(text))
    text = rules.text.replace('measure = "兜底保障B类"', 'measure = "兜底B"')
    with pytest.raises(RulesError, match="不是措施类别"):
        load_config(parse_rules(text))


def test_rules_lines_cite_the_plan():
    """Every key of [measures] sits under a comment quoting the plan (四/五 and its words)."""
    from fourcard_excel.rules.ruleset import default_rules_path

    lines = default_rules_path().read_text(encoding="utf-8").splitlines()
    start = lines.index("[measures]")
    for i, line in enumerate(lines[start + 1:], start + 1):
        if "=" in line and not line.startswith(("#", " ", "[")) and not line.startswith(
                ("card", "measure", "required", "accepts", "check", "plan", "when")):
            comment = next(x for x in reversed(lines[start:i]) if x.startswith("#"))
            assert comment.startswith("# 四(") and "“" in comment or '"' in comment, line
    plans = [x for x in lines[start:] if x.startswith("plan = ")]
    assert plans and all(("四(" in x or "二(" in x) and "“" in x for x in plans)


def test_ids_fixture_is_valid():
    from fourcard_excel.ingest.ids import OK, check_ids

    assert (check_ids(pd.Series(list(IDS.values())))["status"] == OK).all()
    assert len(HOUSEHOLDS) == len(CARDS)


def test_tekun_column_of_a_national_export_counts_as_evidence(tmp_path):
    """享受特困供养政策情况 = 分散供养 fulfils 兜底保障A类 (accepts 特困供养) for 红四."""
    import openpyxl

    folder, _ = make_county(tmp_path)
    roster = folder / "城关镇四卡花名册.xlsx"
    wb = openpyxl.load_workbook(roster)
    ws = wb.active
    ws.cell(1, 18, "享受特困供养政策情况")
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 4).value == "红四")
    ws.cell(row, 18, "分散供养")
    wb.save(roster)
    result = classify_inputs(folder, as_of=AS_OF)
    measures.run(result)
    f = result.outputs["measures"]
    assert set(f.loc[f["户主姓名"] == "红四", "检查项"]) == {"红卡产业分红未覆盖"}
    plan = result.outputs["measures_plan"].set_index("户主姓名")
    assert plan.loc["红四", "已享措施"] == "低保、特困供养"


def test_ledger_template_filled_in_is_read(tmp_path):
    """templates/帮扶措施台账模板.xlsx, filled below its header, is recognised as a ledger by its headers."""
    import openpyxl

    from fourcard_excel.documents import templates as tpl
    from fourcard_excel.ingest.side_tables import read_side_table

    path = tpl.write_template(tmp_path / "台账.xlsx", "ledger")
    wb = openpyxl.load_workbook(path)
    ws = wb["帮扶措施台账"]
    header = [c.value for c in ws[1]]
    row = {"乡镇": "城关镇", "户主证件号码": IDS["红一"], "措施类别": "危房改造(修缮加固)", "金额（元）": "12,000元",
           "年度": "2024年度", "保障人数": 3}
    for name, value in row.items():
        ws.cell(2, header.index(name) + 1, value)
    wb.save(path)
    frame, log = read_side_table(path, "ledger")
    assert list(log.frame()["代码"]) == ["F011"] and len(frame) == 1  # F011: the 填表说明 sheet is skipped
    got = frame.iloc[0]
    assert got["measure"] == "危房改造（修缮加固）" and got["amount"] == 12000.0 and got["covered"] == 3
    assert got["head_id"] == IDS["红一"]


def test_check_names_follow_the_figures_of_the_rules_file(tmp_path):
    """A county that raises the dividend floor to 20 % and lowers the 黄卡/绿卡 ratio to 1.5 sees
    those figures in the names of the checks, with the same codes."""
    folder, _ = make_county(tmp_path)
    text = load_rules().text
    text = text.replace("dividend_rate_min = 0.15", "dividend_rate_min = 0.2")
    text = text.replace("yellow_industry_ratio_min = 2.0", "yellow_industry_ratio_min = 1.9")
    rules_path = tmp_path / "本县规则.toml"
    rules_path.write_text(text, encoding="utf-8")
    result = classify_inputs(folder, as_of=AS_OF, rules_path=rules_path)
    measures.run(result)
    f = result.outputs["measures"]
    names = dict(zip(f["代码"], f["检查项"]))
    assert names["M003"] == "分红比例低于20%"
    assert names["M014"] == "黄卡产业扶贫资金未达绿卡1.9倍"
    assert "分红比例低于15%" not in set(f["检查项"])
    # 红一's dividend is exactly 15 %: below the county's 20 %
    assert "红一" in set(f.loc[f["代码"] == "M003", "户主姓名"])
