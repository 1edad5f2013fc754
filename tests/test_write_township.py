"""乡镇结果/<乡镇>.xlsx: sheets, fills, tab colours, frozen panes, text IDs, pivots, injection."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import openpyxl
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from write_fixtures import CARD_COLOURS, INJECTIONS, StubRules, fill_rgb, make_result  # noqa: E402

from fourcard_excel.write import styles, write_outputs  # noqa: E402
from fourcard_excel.write.township import write_townships  # noqa: E402

SHEETS = ["汇总", "红卡", "黄卡", "绿卡", "蓝卡", "不纳入", "未判定", "问题清单", "差异核对"]


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    result = make_result(72)
    # 石门乡 has no 绿卡 household: its 绿卡 sheet must still exist
    hh = result.households
    result.households = hh[~((hh["township"] == "石门乡") & (hh["card"] == "绿卡"))].reset_index(drop=True)
    out_dir = tmp_path_factory.mktemp("out")
    write_outputs(result, out_dir)
    return result, out_dir


def households_csv(out_dir: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO((out_dir / "households.csv").read_text(encoding="utf-8-sig"))))


def header_map(ws, row: int = 2) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if c.value}


def test_one_book_per_township_with_safe_names(out):
    _, out_dir = out
    names = sorted(p.name for p in (out_dir / "乡镇结果").iterdir())
    assert names == ["城关镇.xlsx", "白沙_镇.xlsx", "石门乡.xlsx"]  # "白沙/镇" sanitised


def test_sheets_tabs_fills_and_panes(out):
    result, out_dir = out
    wb = openpyxl.load_workbook(out_dir / "乡镇结果" / "城关镇.xlsx")
    assert wb.sheetnames == SHEETS
    for card, colour in CARD_COLOURS.items():
        ws = wb[card]
        assert ws.sheet_properties.tabColor.rgb == "FF" + colour[1:]
        assert ws.freeze_panes == "E3"  # title + header rows, 行政村..户主姓名 frozen
        assert ws.auto_filter.ref.startswith("A2:")
        assert ws.max_row > 2
        tint = "FF" + styles.tint(colour)[1:]
        for r in range(3, ws.max_row + 1):
            assert fill_rgb(ws, r, 1) == tint
            assert fill_rgb(ws, r, 10) == tint
        # print setup: landscape, fitted to the page width, header repeated
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert ws.print_title_rows == "$2:$2"
    assert wb["不纳入"].sheet_properties.tabColor.rgb == "FF" + styles.NOT_CARDED_TAB[1:]
    und = wb["未判定"]
    assert fill_rgb(und, 3, 1) == "FF" + styles.UNDETERMINED_FILL[1:]
    cols = header_map(und)
    assert und.cell(3, cols["阻断问题"]).value == "证件号码校验位错误"


def test_empty_card_sheet_present(out):
    _, out_dir = out
    wb = openpyxl.load_workbook(out_dir / "乡镇结果" / "石门乡.xlsx")
    assert wb.sheetnames == SHEETS
    ws = wb["绿卡"]
    assert ws.max_row == 2 and ws.cell(2, 1).value == "行政村"
    assert "共 0 户" in ws.cell(1, 1).value


def test_ids_text_money_format_booleans(out):
    _, out_dir = out
    ws = openpyxl.load_workbook(out_dir / "乡镇结果" / "城关镇.xlsx")["红卡"]
    cols = header_map(ws)
    for r in range(3, ws.max_row + 1):
        hid = ws.cell(r, cols["户编号"])
        pid = ws.cell(r, cols["户主证件号码"])
        assert hid.data_type == "s" and hid.value.startswith("0") and len(hid.value) == 15
        assert pid.data_type == "s" and len(pid.value) == 18
        money = ws.cell(r, cols["人均纯收入"])
        assert isinstance(money.value, (int, float)) and money.number_format == "#,##0.00"
        assert ws.cell(r, cols["需人工复核"]).value in ("是", "否")
        assert ws.cell(r, cols["是否一致"]).value in ("是", "否", None)
        size = ws.cell(r, cols["家庭人口"])  # a number cell with a whole value and format "0"
        # (xlsx stores every number as a double: rust_xlsxwriter writes <v>5.0</v>, which openpyxl
        # reads as 5.0; xlsxwriter writes <v>5</v>; Excel shows 5 for both)
        assert size.data_type == "n" and float(size.value).is_integer() and size.number_format == "0"


def test_yellow_sorted_by_priority(out):
    _, out_dir = out
    ws = openpyxl.load_workbook(out_dir / "乡镇结果" / "城关镇.xlsx")["黄卡"]
    col = header_map(ws)["优先分"]
    scores = [ws.cell(r, col).value for r in range(3, ws.max_row + 1)]
    assert len(scores) > 2 and scores == sorted(scores, reverse=True)


def test_pivot_totals_match_households_csv(out):
    result, out_dir = out
    rows = households_csv(out_dir)
    for book in (out_dir / "乡镇结果").iterdir():
        ws = openpyxl.load_workbook(book)["汇总"]
        town_rows = [r for r in rows if styles.safe_filename(r["乡镇"]) == book.stem]
        header = [c.value for c in ws[2]]
        total_row = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
        for j, card in enumerate(header[1:-1], start=2):
            expected = sum(1 for r in town_rows if r["卡别"] == card)
            assert ws.cell(total_row, j).value == expected, (book.name, card)
        assert ws.cell(total_row, len(header)).value == len(town_rows)
        # village rows sum to the 合计 row; persons block follows
        for j in range(2, len(header) + 1):
            assert sum(ws.cell(r, j).value for r in range(3, total_row)) == ws.cell(total_row, j).value
        persons_total = [ws.cell(r, len(header)).value for r in range(total_row + 1, ws.max_row + 1)
                         if ws.cell(r, 1).value == "合计"]
        assert persons_total == [sum(int(r["家庭人口"]) for r in town_rows)]


def test_difference_and_issue_sheets(out):
    result, out_dir = out
    hh = result.households
    wb = openpyxl.load_workbook(out_dir / "乡镇结果" / "城关镇.xlsx")
    town = hh[hh["township"] == "城关镇"]
    diff = wb["差异核对"]
    n_diff = int(town["agrees"].eq(False).fillna(False).sum())
    assert n_diff > 0 and diff.max_row - 2 == n_diff
    cols = header_map(diff)
    assert {"申报卡别", "计算卡别", "判定依据"} <= set(cols)
    for r in range(3, diff.max_row + 1):
        assert diff.cell(r, cols["申报卡别"]).value != diff.cell(r, cols["计算卡别"]).value
    issues = wb["问题清单"]
    n_issues = int((result.issues["乡镇"] == "城关镇").sum())
    assert issues.max_row - 2 == n_issues
    assert {c.value for c in issues[2]} == {"级别", "代码", "文件", "工作表", "行号", "列", "值", "说明"}


def test_injection_stays_text(out):
    _, out_dir = out
    found = {}
    sheets = [ws for book in sorted((out_dir / "乡镇结果").iterdir())
              for ws in openpyxl.load_workbook(book).worksheets]
    for ws in sheets:
        assert not ws._hyperlinks
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if cell.value in INJECTIONS:
                    found[cell.value] = cell
    assert INJECTIONS[0] in found and INJECTIONS[3] in found and INJECTIONS[2] in found
    for cell in found.values():
        assert cell.data_type == "s" and cell.quotePrefix


def test_five_card_scheme_sheet_names(tmp_path):
    colours = {"红卡": "#C00000", "橙卡": "#FFC000", "黄卡": "#FFFF00", "绿卡": "#00B050",
               "重点关注/监测[边缘]户:超过三十一个字符的卡片名称也要能写成工作表名称": "#7030A0"}
    rules = StubRules(colours=colours)
    result = make_result(42, rules=rules, injections=False)
    paths = write_townships(result, tmp_path)
    wb = openpyxl.load_workbook(paths[0])
    names = wb.sheetnames
    assert names[:5] == ["汇总", "红卡", "橙卡", "黄卡", "绿卡"]
    long_name = names[5]
    assert len(long_name) <= 31 and not set("[]:*?/\\") & set(long_name)
    assert wb[long_name].sheet_properties.tabColor.rgb == "FF7030A0"
    assert names[6:] == ["不纳入", "未判定", "问题清单", "差异核对"]
    # the long card name still appears in the pivot header
    assert list(colours)[4] in [c.value for c in wb["汇总"][2]]


def test_sanitisers():
    used: set[str] = set()
    assert styles.safe_filename("CON", used) == "_CON"
    assert styles.safe_filename('a<b>:c"d|e?f*. ', used) == "a_b__c_d_e_f_"
    assert styles.safe_filename("城关镇", used) == "城关镇"
    assert styles.safe_filename("城关镇", used) == "城关镇_2"
    seen: set[str] = set()
    assert styles.safe_sheet_name("a[b]:c*d?e/f\\g", seen) == "a_b__c_d_e_f_g"
    long = "一" * 40
    first, second = styles.safe_sheet_name(long, seen), styles.safe_sheet_name(long, seen)
    assert len(first) == 31 and len(second) == 31 and first != second


@pytest.mark.parametrize("mode", ["row", "conditional"])
def test_write_frame_generic(tmp_path, mode):
    import datetime as dt

    import pandas as pd

    from fourcard_excel.write.sheet import write_frame

    frame = pd.DataFrame({
        "姓名": ["张三", "=1+1", "", "李四"],
        "证件号码": ["52240119900101001X", "522401199001010028", "", "052240"],
        "人数": pd.array([1, None, 3, 4], dtype="Int64"),
        "金额": [1234.5, float("nan"), 0.0, 1e6],
        "覆盖率": [0.3, 0.25, 1.0, 0.0],
        "是否达标": pd.array([True, False, None, True], dtype="boolean"),
        "日期": pd.to_datetime(["2024-03-18", None, "2024-04-10", "2024-01-01"]),
        "备注": ["长" * 40000, "a", "b", "c"],
    })
    fills = pd.Series(["#FF0000", "", "#FF0000", "#00FF00"])
    wb = styles.new_workbook(tmp_path / "t.xlsx", tmpdir=tmp_path)
    write_frame(wb, "名单[1]/测试", frame, row_fill=fills, tab_colour="#123456", title="标题",
                fill_mode=mode, freeze_cols=1)
    wb.close()
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert ws.title == "名单_1__测试"
    assert ws.freeze_panes == "B3" and ws.auto_filter.ref == "A2:H6"
    assert [fill_rgb(ws, r, 2) for r in range(3, 7)] == ["FFFF0000", "", "FFFF0000", "FF00FF00"]
    assert ws["A4"].value == "=1+1" and ws["A4"].data_type == "s" and ws["A4"].quotePrefix
    assert ws["A5"].value is None  # blank text is a blank cell
    assert ws["B3"].data_type == "s" and ws["B6"].value == "052240"
    assert ws["C3"].value == 1 and ws["C4"].value is None and ws["C3"].number_format == "0"
    assert ws["D3"].number_format == "#,##0.00" and ws["D4"].value is None
    assert ws["E3"].number_format == "0.0%"
    assert [ws.cell(r, 6).value for r in range(3, 7)] == ["是", "否", None, "是"]
    assert ws["G3"].value == dt.datetime(2024, 3, 18) and ws["G3"].number_format == "yyyy-mm-dd"
    assert len(ws["H3"].value) == 32767


def test_blank_township_households_not_lost(tmp_path):
    result = make_result(12, injections=False)
    result.households.loc[result.households["township"] == "石门乡", "township"] = ""
    paths = write_townships(result, tmp_path)
    assert sorted(p.name for p in paths) == ["城关镇.xlsx", "未填乡镇.xlsx", "白沙_镇.xlsx", "石门乡.xlsx"]
    ws = openpyxl.load_workbook(tmp_path / "乡镇结果" / "未填乡镇.xlsx")["汇总"]
    total = next(r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "合计")
    assert ws.cell(total, ws.max_column).value == 4
