"""Roster and side-table templates: generated from the registry, committed files do not drift."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl.utils import column_index_from_string, range_boundaries

from fourcard_excel import registry as reg
from fourcard_excel.documents import templates as tpl
from fourcard_excel.ingest.ids import check_ids, make_id

REPO = Path(__file__).resolve().parents[1]
COMMITTED = REPO / "templates"
ALL = list(tpl.TEMPLATE_FILES.items())


def _validations(ws) -> dict[str, list]:
    """Header text -> data validations covering that column's data rows (row 2 on)."""
    headers = {c.column: c.value for c in ws[1]}
    out: dict[str, list] = {h: [] for h in headers.values()}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            min_col, min_row, max_col, max_row = range_boundaries(rng)
            if min_row >= 2:
                for col in range(min_col, max_col + 1):
                    out[headers[col]].append(dv)
    return out


def _list_values(wb, dv) -> list[str]:
    f = dv.formula1
    if f.startswith('"'):
        return f.strip('"').split(",")
    sheet, _, ref = f.lstrip("=").rpartition("!")
    ws = wb[sheet.strip("'")]
    min_col, min_row, _, max_row = range_boundaries(ref.replace("$", ""))
    return [ws.cell(r, min_col).value for r in range(min_row, max_row + 1)]


@pytest.mark.parametrize(("key", "name"), ALL, ids=[n for _, n in ALL])
def test_committed_templates_do_not_drift(tmp_path, key, name):
    kind, level = key
    fresh = tpl.write_template(tmp_path / name, kind, level)
    committed = COMMITTED / name
    assert committed.is_file(), f"templates/{name} 未提交：运行 fourcard-excel template --all -o templates"
    with zipfile.ZipFile(committed) as a, zipfile.ZipFile(fresh) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        for part in a.namelist():
            assert a.read(part) == b.read(part), (
                f"templates/{name} 的 {part} 与注册表生成的不一致：运行 fourcard-excel template --all -o templates")


@pytest.mark.parametrize(("key", "name"), ALL, ids=[n for _, n in ALL])
def test_dropdowns_equal_registry_allowed_values(tmp_path, key, name):
    kind, level = key
    path = tpl.write_template(tmp_path / name, kind, level)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.title == tpl.KIND_NAMES[kind]
    dvs = _validations(ws)
    cols = tpl.template_columns(kind, level)
    assert [c.value for c in ws[1]] == [tpl.header_text(tc) for tc in cols]
    enumerated = 0
    for tc in cols:
        header = tpl.header_text(tc)
        lists = [dv for dv in dvs[header] if dv.type == "list"]
        if tc.kind in (reg.ENUM, reg.MULTI, reg.CARD):
            assert len(lists) == 1, header
            assert _list_values(wb, lists[0]) == list(tc.column.allowed), header
            enumerated += 1
        elif tc.kind == reg.YESNO:
            assert len(lists) == 1 and _list_values(wb, lists[0]) == ["是", "否"], header
            enumerated += 1
        else:
            assert not lists, header
        # every data validation reaches far down and shows the column's help
        for dv in dvs[header]:
            assert range_boundaries(str(dv.sqref))[3] >= tpl.DATA_ROWS
            assert dv.showInputMessage and dv.prompt
        if tc.kind == reg.MULTI:
            (dv,) = lists
            assert dv.errorStyle == "information"  # several values "a、b" must stay possible
            assert "、" in dv.prompt
        elif lists:
            assert lists[0].errorStyle in (None, "stop")
    if kind == "roster":
        assert enumerated >= 15
        expected = {"劳动技能", "健康状况", "在校生状况", "与户主关系", "户类别", "脱贫属性", "风险类型",
                    "脱贫监测户", "有消费型汽车", "房屋装修豪华", "父母单独立户且子女有赡养能力"}
        if level == "household":
            expected -= {"劳动技能", "健康状况", "在校生状况", "与户主关系"}
        assert expected <= {h for h, v in dvs.items() if any(d.type == "list" for d in v)}


@pytest.mark.parametrize("level", tpl.LEVELS)
def test_roster_formats_header_messages_and_freeze(tmp_path, level):
    wb = openpyxl.load_workbook(tpl.write_template(tmp_path / "t.xlsx", "roster", level))
    ws = wb["花名册"]
    assert ws.freeze_panes == "A2"
    headers = {c.value: c.column_letter for c in ws[1]}
    id_header = "证件号码" if level == "member" else "户主证件号码"
    letter = headers[id_header]
    assert ws.column_dimensions[letter].number_format == "@"  # typed IDs stay text
    assert ws.column_dimensions[headers["户编号"]].number_format == "@"
    dvs = _validations(ws)
    (length,) = [dv for dv in dvs[id_header] if dv.type == "textLength"]
    assert (length.operator, length.formula1) == ("equal", "18")
    for header, dv_list in dvs.items():
        tc = next(t for t in tpl.template_columns("roster", level) if tpl.header_text(t) == header)
        if tc.kind in (reg.MONEY, reg.INT):
            (num,) = dv_list
            assert num.type == ("decimal" if tc.kind == reg.MONEY else "whole")
            assert num.operator == "greaterThanOrEqual"
            assert num.formula1 == ("1" if tc.key == "size_declared" else "0")
    # input message on every header cell
    header_dvs = {}
    for dv in ws.data_validations.dataValidation:
        for rng in str(dv.sqref).split():
            min_col, min_row, max_col, max_row = range_boundaries(rng)
            if min_row == 1:
                header_dvs[min_col] = dv
    assert sorted(header_dvs) == list(range(1, ws.max_column + 1))
    assert all(dv.prompt and dv.showInputMessage for dv in header_dvs.values())
    health = "健康状况"
    if level == "member":
        col = column_index_from_string(headers[health])
        assert "、" in header_dvs[col].prompt  # how to enter several values
    else:
        assert health not in headers and "有劳动能力人数" in headers and "户主姓名" in headers


def test_help_sheet_lists_every_column_with_example(tmp_path):
    wb = openpyxl.load_workbook(tpl.write_template(tmp_path / "t.xlsx", "roster", "member"))
    assert wb.sheetnames == ["花名册", "填表说明"]
    ws = wb["填表说明"]
    rows = list(ws.iter_rows(values_only=True))
    h = next(i for i, r in enumerate(rows) if r[0] == "序号")
    table = rows[h + 1:]
    assert [r[1] for r in table] == [tpl.header_text(tc) for tc in tpl.template_columns("roster", "member")]
    by_label = {r[1]: r for r in table}
    assert by_label["证件号码"][2] == "必填"
    assert by_label["健康状况"][4] == "、".join(reg.HEALTH)
    ids = [v for v in by_label["证件号码"][5:] if v]
    assert len(ids) == 3 and (check_ids(pd.Series(ids))["status"] == "ok").all()
    text = "\n".join(str(r[0]) for r in rows[:h] if r[0])
    assert "多项之间用“、”分隔" in text and "文本格式" in text


def test_long_dropdown_uses_hidden_list_sheet(tmp_path):
    long_values = tuple(f"第{i}类特殊困难情形" for i in range(40))
    assert len(",".join(long_values)) > tpl.LIST_LIMIT
    col = reg.Column("special", "特殊情形", reg.ENUM, reg.HOUSEHOLD, allowed=long_values)
    cols = tpl.template_columns("roster", "member")[:3] + [tpl.TemplateColumn(col, col.label, "特殊情形", False)]
    wb = openpyxl.load_workbook(tpl.write_template(tmp_path / "t.xlsx", "roster", "member", columns=cols))
    assert wb[tpl.LIST_SHEET].sheet_state == "hidden"
    ws = wb.worksheets[0]
    (dv,) = [d for d in _validations(ws)["特殊情形"] if d.type == "list"]
    assert tpl.LIST_SHEET in dv.formula1
    assert _list_values(wb, dv) == list(long_values)
    # the committed roster templates need no list sheet (every list fits inline)
    assert tpl.LIST_SHEET not in openpyxl.load_workbook(COMMITTED / "四卡花名册模板（成员）.xlsx").sheetnames


def test_template_command(tmp_path):
    from fourcard_excel.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["template", "--kind", "posts", "-o", str(tmp_path / "岗位.xlsx")])
    assert res.exit_code == 0, res.output
    assert "公益岗位花名册" in res.output
    assert openpyxl.load_workbook(tmp_path / "岗位.xlsx").sheetnames[0] == "公益岗位花名册"
    res = runner.invoke(main, ["template", "--level", "household", "-o", str(tmp_path / "家庭.xlsx")])
    assert res.exit_code == 0 and "户主证件号码" in [c.value for c in
                                                  openpyxl.load_workbook(tmp_path / "家庭.xlsx").worksheets[0][1]]
    res = runner.invoke(main, ["template", "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 2
    res = runner.invoke(main, ["template", "--all", "-o", str(tmp_path / "all")])
    assert res.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(tpl.TEMPLATE_FILES.values())


# --- a filled template round-trips through the reader and classifier ------------------------------

MEMBER_ROWS = [
    # 乡镇, 行政村, 组, 户编号, 姓名, (birth, female), 关系, 健康, 残疾等级, 劳动技能, 在校生, 户类别, 脱贫属性, 监测, 人口, 工资, 经营, 转移
    ("城关镇", "红旗村", "一组", "0522401001", "王建国", ("19680512", False), "户主", "长期慢性病", "",
     "普通劳动力", "", "建档立卡贫困户", "已脱贫", "是", 3, 9000, 1000, 1200),
    ("城关镇", "红旗村", "一组", "0522401001", "李秀英", ("19700308", True), "配偶", "残疾、患有大病", "三级",
     "弱劳动力或半劳动力", "", "", "", "", None, None, None, None),
    ("城关镇", "红旗村", "一组", "0522401001", "王小明", ("20070921", False), "之子", "健康", "",
     "无劳动力", "普通高中", "", "", "", None, None, None, None),
    ("城关镇", "红旗村", "二组", "0522401002", "张德福", ("19500304", False), "户主", "患有大病", "",
     "丧失劳动力", "", "建档立卡贫困户", "未脱贫", "否", 1, None, None, 3600),
    ("城关镇", "红旗村", "二组", "0522401003", "钱小花", ("19800220", True), "户主", "患有大病", "",
     "弱劳动力或半劳动力", "", "边缘户", "", "否", 1, 2000, 0, 1000),
]


def _fill(path: Path, level: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    r = 2
    for i, row in enumerate(MEMBER_ROWS):
        (town, village, group, hid, name, (birth, female), rel, health, grade, labour, school, cat, status,
         mon, size, wage, biz, transfer) = row
        if level == "household" and rel != "户主":
            continue
        values = {"乡镇": town, "行政村": village, "村民小组": group, "户编号": hid,
                  "户类别": cat, "脱贫属性": status, "脱贫监测户": mon, "家庭人口": size,
                  "工资性收入（元）": wage, "生产经营性收入（元）": biz, "转移性收入（元）": transfer,
                  "有消费型汽车": "否" if rel == "户主" else ""}
        pid = make_id("522401", birth, 100 + i, female=female)
        if level == "member":
            values.update({"姓名": name, "证件号码": pid, "与户主关系": rel, "健康状况": health,
                           "残疾等级": grade, "劳动技能": labour, "在校生状况": school})
        else:
            members = [m for m in MEMBER_ROWS if m[3] == hid]
            values.update({"户主姓名": name, "户主证件号码": pid,
                           "有劳动能力人数": sum(m[9] in ("普通劳动力", "技能劳动力") for m in members),
                           "弱劳动力人数": sum(m[9] == "弱劳动力或半劳动力" for m in members),
                           "患大病人数": sum("患有大病" in m[7] for m in members),
                           "残疾人数": sum("残疾" in m[7] for m in members),
                           "全日制在校生人数": sum(m[10] == "普通高中" for m in members)})
        for header, value in values.items():
            if value not in (None, ""):
                ws.cell(r, col[header], value)
        r += 1
    wb.save(path)


@pytest.mark.parametrize("level", tpl.LEVELS)
def test_filled_template_round_trips_through_the_pipeline(tmp_path, level):
    pipeline = pytest.importorskip("fourcard_excel.pipeline")
    folder = tmp_path / "花名册"
    path = tpl.write_template(folder / "城关镇.xlsx", "roster", level)
    _fill(path, level)
    result = pipeline.classify_inputs(folder, as_of=dt.date(2024, 3, 18))
    issues = result.issues
    header_problems = issues[issues["代码"].str.startswith("F") & issues["级别"].ne("提示")]
    assert header_problems.empty, header_problems.to_string()
    unknown = issues[issues["代码"].isin(["F010", "F012"])]  # unknown or duplicate columns
    assert unknown.empty, unknown.to_string()
    errors = issues[issues["级别"].eq("错误")]
    assert errors.empty, errors.to_string()
    hh = result.households
    assert sorted(hh["head_name"]) == ["张德福", "王建国", "钱小花"]  # no example rows read from 填表说明
    assert set(result.members["roster_level"]) == {level}
    by_name = hh.set_index("head_name")
    assert by_name.loc["王建国", "size"] == 3
    assert by_name.loc["张德福", "card"] == "红卡"
    if level == "member":
        wife = result.members.set_index("name").loc["李秀英"]
        assert wife["health"] == "患有大病、残疾" and wife["disability_grade"] == "三级"


SIDE_ROWS = {
    "posts": {"岗位名称": "护林员", "设岗层级": "村级", "乡镇": "城关镇", "行政村": "红旗村", "姓名": "王建国",
              "证件号码": make_id("522401", "19680512", 100, female=False), "月工资（元）": 800},
    "villages": {"乡镇": "城关镇", "行政村": "红旗村", "是否贫困村": "是", "是否挂牌督战村": "否",
                 "是否有光伏电站": "是", "光伏年收益（元）": 120000},
    "contacts": {"日期": "2024-04-15", "帮扶干部": "张华", "干部层级": "乡",
                 "户主证件号码": make_id("522401", "19680512", 100, female=False), "方式": "电话"},
}


@pytest.mark.parametrize("kind", ["posts", "villages", "contacts"])
def test_filled_side_table_templates_are_read(tmp_path, kind):
    side_tables = pytest.importorskip("fourcard_excel.ingest.side_tables")
    path = tpl.write_template(tmp_path / f"{kind}.xlsx", kind)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    col = {c.value: c.column for c in ws[1]}
    for header, value in SIDE_ROWS[kind].items():
        ws.cell(2, col[header], value)
    wb.save(path)
    frame, log = side_tables.read_side_table(path, kind)
    issues = log.frame()
    serious = issues[issues["级别"].ne("提示")]
    assert serious.empty, serious.to_string()
    assert len(frame) == 1
