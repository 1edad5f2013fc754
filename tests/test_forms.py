"""Approval forms (审批表): one A4 page per household, computed card ticked, member table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from fourcard_excel.documents import forms
from fourcard_excel.ingest.ids import make_id
from fourcard_excel.result import RunResult

CARDS = ["红卡", "黄卡", "绿卡", "蓝卡"]
SCHEDULE = {"year": 2024, "notice_days": 7,
            "stages": [["初核申报", "03-18", "03-22"], ["民主评议", "03-23", "03-25"],
                       ["乡镇复核", "03-26", "03-29"], ["县级抽查", "03-30", "04-02"],
                       ["公开公示", "04-03", "04-10"]]}


def stub_rules(schedule: dict | None = None):
    """The part of rules.Rules (contract 4) the forms and notices use."""
    sections = {"schedule": SCHEDULE if schedule is None else schedule}
    return SimpleNamespace(card_names=list(CARDS), section=lambda name: sections.get(name, {}),
                           colour=lambda name: "#FFFFFF", raw=sections)


# (township, village, group, household_id, card, category, status, members[(name, relation, birth,
#  female, health, grade, labour, schooling)])
HOUSEHOLDS = [
    ("城关镇", "红旗村", "三组", "001", "红卡", "建档立卡贫困户", "未脱贫", [
        ("张德福", "户主", "19500304", False, "患有大病", "", "丧失劳动力", "非在校生"),
        ("刘桂兰", "配偶", "19520611", True, "残疾", "二级", "无劳动力", "非在校生")]),
    ("城关镇", "红旗村", "一组", "002", "黄卡", "建档立卡贫困户", "已脱贫", [
        ("王建国", "户主", "19680512", False, "长期慢性病", "", "普通劳动力", "非在校生"),
        ("李秀英", "配偶", "19700308", True, "健康", "", "弱劳动力或半劳动力", "非在校生"),
        ("王小明", "之子", "20070921", False, "健康", "", "无劳动力", "普通高中")]),
    ("城关镇", "红旗村", "十组", "003", "绿卡", "建档立卡贫困户", "已脱贫", [
        ("赵有才", "户主", "19750101", False, "健康", "", "技能劳动力", "非在校生")]),
    ("城关镇", "红旗村", "二组", "004", "蓝卡", "边缘户", "", [
        ("钱小花", "户主", "19800220", True, "患有大病", "", "弱劳动力或半劳动力", "非在校生"),
        ("孙大海", "配偶", "19790815", False, "健康", "", "普通劳动力", "非在校生"),
        ("孙悦", "之女", "20150402", True, "健康", "", "无劳动力", "小学")]),
    ("城关镇", "红旗村", "二组", "005", "不纳入", "一般农户", "", [
        ("周文", "户主", "19850505", False, "健康", "", "普通劳动力", "非在校生")]),
    ("城关镇", "东风村", "一组", "006", "未判定", "建档立卡贫困户", "已脱贫", [
        ("吴敏", "户主", "19600707", True, "健康", "", "普通劳动力", "非在校生")]),
    ("龙场镇", "新华村", "四组", "007", "黄卡", "建档立卡贫困户", "返贫", [
        ("郑强", "户主", "19720909", False, "残疾", "一级", "丧失劳动力", "非在校生"),
        ("郑丽", "之女", "20010101", True, "健康", "", "普通劳动力", "本科")]),
]


def make_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    member_rows, hh_rows = [], []
    seq = 10
    for township, village, group, hid, card, category, status, people in HOUSEHOLDS:
        key = f"{township}|{hid}"
        for k, (name, relation, birth, female, health, grade, labour, school) in enumerate(people):
            seq += 7
            member_rows.append({
                "source_file": f"{township}.xlsx", "source_sheet": "花名册", "source_row": seq,
                "roster_level": "member", "township": township, "village": village, "group": group,
                "household_id": hid, "name": name, "id_number": make_id("522401", birth, seq, female=female),
                "relation": relation, "health": health, "disability_grade": grade, "labour": labour,
                "schooling": school, "employment": "县内务工" if labour == "普通劳动力" else "",
                "age": pd.NA, "age_calc": 2024 - int(birth[:4]) - 1, "is_head": k == 0, "hh_key": key,
                "id_ok": True,
            })
        head = [r for r in member_rows if r["hh_key"] == key][0]
        wage, business, transfer = 12000.0, 3000.0, 2400.0
        if card == "红卡":
            wage, business = 0.0, 0.0
        total = wage + business + transfer
        size = len(people)
        hh_rows.append({
            "hh_key": key, "township": township, "village": village, "group": group, "household_id": hid,
            "head_name": head["name"], "head_id": head["id_number"], "head_age": head["age_calc"],
            "head_sex": "女" if people[0][3] else "男", "category": category,
            "registered": category == "建档立卡贫困户", "poverty_status": status,
            "monitored": card == "黄卡", "size_declared": size, "members": size, "size": size,
            "wage_income": wage, "business_income": business, "property_income": 0.0,
            "transfer_income": transfer, "business_cost": 500.0, "education_cost": 0.0,
            "income_total_declared": 0.0, "per_capita_declared": 0.0, "total_income": total,
            "net_income": total - 500.0, "per_capita": round((total - 500.0) / size, 2),
            "economic_income": wage + business, "main_cause": "因病" if card != "绿卡" else "缺技术",
            "risk_types": "因病" if card in ("黄卡", "蓝卡") else "",
            "policies_enjoyed": "健康扶贫、兜底保障及低保" if card == "红卡" else "产业扶贫",
            "policies_eligible": "临时救助", "card": card, "rule": "",
            "reasons": "整户无劳动能力；经济收入0元" if card == "红卡" else "人均纯收入低于标准",
            "blocking_issues": "证件号码校验位错误" if card == "未判定" else "",
            "source_file": f"{township}.xlsx", "source_sheet": "花名册", "source_row": head["source_row"],
        })
    return pd.DataFrame(member_rows), pd.DataFrame(hh_rows)


def make_result(schedule: dict | None = None) -> RunResult:
    members, households = make_frames()
    return RunResult(members=members, households=households, issues=pd.DataFrame(),
                     files=pd.DataFrame(), rules=stub_rules(schedule), as_of=dt.date(2024, 3, 18),
                     input_root=Path("."))


def _cells(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_one_workbook_per_village_and_one_page_per_household(tmp_path):
    result = make_result()
    paths = forms.write_forms(result, tmp_path)
    names = sorted(p.name for p in paths)
    assert names == ["城关镇_东风村_审批表.xlsx", "城关镇_红旗村_审批表.xlsx", "龙场镇_新华村_审批表.xlsx"]
    wb = openpyxl.load_workbook(tmp_path / "城关镇_红旗村_审批表.xlsx")
    ws = wb["审批表"]
    titles = [c.row for row in ws.iter_rows() for c in row
              if c.value == "2024年脱贫攻坚分类帮扶动态管理审批表"]
    assert len(titles) == 5  # every household of the village, carded or not
    breaks = [b.id for b in ws.row_breaks.brk]
    assert [t - 1 for t in titles[1:]] == breaks  # a page break before every form but the first
    # print settings: A4 portrait, one page wide, print area over all forms
    assert ws.page_setup.paperSize == 9
    assert ws.page_setup.orientation == "portrait"
    assert (ws.page_setup.fitToWidth or 1) == 1  # OOXML default 1 is omitted
    assert ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    area = ws.print_area if isinstance(ws.print_area, str) else ",".join(ws.print_area)
    assert f"$A$1:$H${ws.max_row}" in area


def _forms_by_head(ws) -> dict[str, list[str]]:
    """Cell texts per form, keyed by the 户主姓名 (the cell right of the 户主姓名 label)."""
    starts = [c.row for row in ws.iter_rows() for c in row if c.value == "2024年脱贫攻坚分类帮扶动态管理审批表"]
    starts.append(ws.max_row + 1)
    out = {}
    for a, b in zip(starts, starts[1:]):
        texts, head = [], None
        for row in ws.iter_rows(min_row=a, max_row=b - 1):
            for c in row:
                if c.value is None:
                    continue
                texts.append(str(c.value))
                if c.value == "户主姓名":
                    head = ws.cell(c.row, c.column + 1).value
        out[head] = texts
    return out


def test_every_household_gets_its_computed_card_ticked_in_first_opinion_only(tmp_path):
    result = make_result()
    forms.write_forms(result, tmp_path)
    hh = result.households
    seen = 0
    for path in tmp_path.glob("*.xlsx"):
        ws = openpyxl.load_workbook(path)["审批表"]
        for head, texts in _forms_by_head(ws).items():
            card = hh.loc[hh["head_name"] == head, "card"].item()
            visit = next(t for t in texts if t.startswith("经上户核查"))
            later = [t for t in texts if t.startswith(("经党员", "经乡镇逐户", "经县扶贫办", "经上户核实"))]
            assert len(later) == 4
            if card in CARDS:
                assert f"☑{card}户" in visit
                assert visit.count("☑") == 1
            else:
                assert "☑" not in visit
                assert card in visit  # 系统初判：不纳入 / 未判定
            for t in later:
                assert "☑" not in t and "□红卡户□黄卡户□绿卡户□蓝卡户" in t
            for t in [visit, *later]:
                assert "年　　月　　日" in t
            assert any("上户调查人（签字）：" in t for t in texts)
            assert any("村主任签字：" in t for t in texts)
            seen += 1
    assert seen == len(hh)


def test_form_prefill_boxes_incomes_and_member_table(tmp_path):
    result = make_result()
    forms.write_forms(result, tmp_path, village="红旗村")
    ws = openpyxl.load_workbook(tmp_path / "城关镇_红旗村_审批表.xlsx")["审批表"]
    by_head = _forms_by_head(ws)
    wang = by_head["王建国"]
    assert "☑建档立卡贫困户　　□非贫困户（□边缘户）" in wang
    assert "☑已脱贫（☑脱贫监测户）　　□未脱贫　　□返贫" in wang
    assert any(t.startswith("□教育扶贫☑产业扶贫") for t in wang)
    assert any("☑临时救助" in t for t in wang)  # eligible policies
    hh = result.households
    assert hh.loc[hh["head_name"] == "王建国", "head_id"].item() in wang  # the form is internal: full ID
    assert "城关镇红旗村一组" in wang  # address
    # incomes are numbers, subtotal is the four incomes
    row = next(c.row for r in ws.iter_rows() for c in r
               if c.value == "经营性收入\n（元）" and _head_of(ws, c.row) == "王建国")
    assert ws.cell(row, 2).value == 3000 and ws.cell(row, 4).value == 12000
    assert ws.cell(row, 6).value == 2400 and ws.cell(row, 8).value == 17400
    # member table: head first, then roster order; 在校生 blank for non-students
    header = next(c.row for r in ws.iter_rows() for c in r if c.value == "姓名" and _head_of(ws, c.row) == "王建国")
    rows = [[ws.cell(header + k, col).value for col in range(2, 9)] for k in range(1, 4)]
    assert rows[0][:2] == ["王建国", "户主"] and rows[0][3] in (None, "")
    assert rows[2][0] == "王小明" and rows[2][1] == "之子" and rows[2][3] == "普通高中"
    assert isinstance(rows[2][2], (int, float)) and rows[2][2] > 0
    assert ws.cell(header + 4, 2).value in (None, "")  # blank rows to reach min_rows
    zhang = by_head["张德福"]
    assert "残疾（二级）" in zhang
    qian = by_head["钱小花"]
    assert "□建档立卡贫困户　　☑非贫困户（☑边缘户）" in qian
    assert any("2024年4月3日至4月10日" in t for t in qian)  # notice period from [schedule]


def _head_of(ws, row: int) -> str | None:
    """户主姓名 of the form containing ``row``."""
    for r in range(row, 0, -1):
        if ws.cell(r, 1).value == "户主姓名":
            return ws.cell(r, 2).value
    return None


def test_village_filter_and_layout_columns(tmp_path):
    result = make_result()
    paths = forms.write_forms(result, tmp_path, village="龙场镇/新华村")
    assert [p.name for p in paths] == ["龙场镇_新华村_审批表.xlsx"]
    assert forms.write_forms(result, tmp_path / "none", village="不存在村") == []
    layout = forms.load_layout()
    assert layout["title"].endswith("审批表")
    ws = openpyxl.load_workbook(paths[0])["审批表"]
    assert ws.column_dimensions["A"].width == pytest.approx(layout["columns"][0] + 0.7109375, abs=1)


def test_large_household_rows_shrink_and_member_lists_grouped_once():
    members, _ = make_frames()
    lists = forms.member_lists(members.sample(frac=1, random_state=3))  # order-independent
    assert [m["name"] for m in lists["城关镇|002"]] == ["王建国", "李秀英", "王小明"]
    assert lists["城关镇|001"][1]["health"] == "残疾（二级）"


def test_forms_command(tmp_path, monkeypatch):
    from fourcard_excel.commands import forms as cmd

    result = make_result()
    monkeypatch.setattr(cmd, "classify_or_exit", lambda *a, **k: result)
    runner = CliRunner()
    src = tmp_path / "花名册"
    src.mkdir()
    out = tmp_path / "审批表"
    res = runner.invoke(cmd.forms_command, [str(src), "-o", str(out / "x"), "--village", "红旗村"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cmd.forms_command, [str(src), "-o", str(src / "out")])
    assert res.exit_code == 2  # output inside the input folder is refused
    res = runner.invoke(cmd.forms_command, [str(src), "-o", str(out), "--village", "红旗村"])
    assert res.exit_code == 0, res.output
    assert (out / "城关镇_红旗村_审批表.xlsx").is_file()
    assert "审批表" in res.output
    res = runner.invoke(cmd.forms_command, [str(src), "-o", str(out), "--village", "无此村"])
    assert res.exit_code == 1
    assert "无此村" in res.output


def test_forms_from_a_real_pipeline_run(tmp_path):
    """A filled roster template → pipeline.classify_inputs → forms: the computed card is ticked."""
    pipeline = pytest.importorskip("fourcard_excel.pipeline")
    from test_templates import _fill

    from fourcard_excel.documents import templates as tpl

    folder = tmp_path / "花名册"
    _fill(tpl.write_template(folder / "城关镇.xlsx", "roster", "member"), "member")
    result = pipeline.classify_inputs(folder, as_of=dt.date(2024, 3, 18))
    paths = forms.write_forms(result, tmp_path / "out")
    assert [p.name for p in paths] == ["城关镇_红旗村_审批表.xlsx"]
    ws = openpyxl.load_workbook(paths[0])["审批表"]
    by_head = _forms_by_head(ws)
    cards = dict(zip(result.households["head_name"], result.households["card"]))
    assert set(by_head) == set(cards)
    for head, texts in by_head.items():
        visit = next(t for t in texts if t.startswith("经上户核查"))
        assert f"☑{cards[head]}户" in visit
    assert "2024年4月3日至4月10日" in "".join(by_head["王建国"])
    assert "残疾、患有大病（三级）" in by_head["王建国"] or "患有大病、残疾（三级）" in by_head["王建国"]


def test_forms_cli_end_to_end(tmp_path):
    pytest.importorskip("fourcard_excel.pipeline")
    from test_templates import _fill

    from fourcard_excel.cli import main
    from fourcard_excel.documents import templates as tpl

    folder = tmp_path / "花名册"
    _fill(tpl.write_template(folder / "城关镇.xlsx", "roster", "household"), "household")
    res = CliRunner().invoke(main, ["forms", str(folder), "-o", str(tmp_path / "审批表"), "--as-of", "2024-03-18"])
    assert res.exit_code == 0, res.output
    ws = openpyxl.load_workbook(tmp_path / "审批表" / "城关镇_红旗村_审批表.xlsx")["审批表"]
    by_head = _forms_by_head(ws)
    assert set(by_head) == {"王建国", "张德福", "钱小花"}
    assert any("☑红卡户" in t for t in by_head["张德福"])
