"""全县汇总.xlsx: pivots equal households.csv, native charts, issue stats, file list, extra sheets."""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from write_fixtures import fill_rgb, make_result  # noqa: E402

from fourcard_excel.result import SheetSpec  # noqa: E402
from fourcard_excel.write import write_outputs  # noqa: E402


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    result = make_result(66)
    quota = pd.DataFrame({"乡镇": ["城关镇", "石门乡"], "应设岗位": [30, 20], "实设岗位": [31, 12],
                          "是否达标": ["是", "否"]})
    result.sheets["公益岗位"] = SheetSpec(frame=quota, row_fill=pd.Series(["#C6EFCE", "#FFC7CE"]),
                                         tab_colour="#00B050", title="公益岗位设置情况")
    out_dir = tmp_path_factory.mktemp("out")
    write_outputs(result, out_dir)
    return result, out_dir


def rows_of(ws, first_header_row: int = 2):
    header = [c.value for c in ws[first_header_row]]
    rows = []
    for r in range(first_header_row + 1, ws.max_row + 1):
        values = [c.value for c in ws[r]]
        if values[0] is None:
            break
        rows.append(dict(zip(header, values)))
    return header, rows


def test_sheets(out):
    _, out_dir = out
    wb = openpyxl.load_workbook(out_dir / "全县汇总.xlsx")
    assert wb.sheetnames == ["总览", "图表", "问题统计", "文件清单", "公益岗位"]
    extra = wb["公益岗位"]
    assert extra.cell(1, 1).value == "公益岗位设置情况"
    assert extra.sheet_properties.tabColor.rgb == "FF00B050"
    assert fill_rgb(extra, 4, 1) == "FFFFC7CE"
    assert extra.freeze_panes == "A3"


def test_overview_totals_equal_households_csv(out):
    _, out_dir = out
    hh = list(csv.DictReader(io.StringIO((out_dir / "households.csv").read_text(encoding="utf-8-sig"))))
    ws = openpyxl.load_workbook(out_dir / "全县汇总.xlsx")["总览"]
    header, rows = rows_of(ws)
    assert header[0] == "乡镇" and header[-1] == "合计"
    for row in rows:
        town = row["乡镇"]
        sel = hh if town == "合计" else [h for h in hh if h["乡镇"] == town]
        for card in header[1:-1]:
            assert row[card] == sum(1 for h in sel if h["卡别"] == card), (town, card)
        assert row["合计"] == len(sel)
    assert rows[-1]["乡镇"] == "合计" and rows[-1]["合计"] == len(hh)
    # persons block: the 合计 row equals the sum of 家庭人口
    persons_start = 2 + len(rows) + 3
    assert ws.cell(persons_start - 1, 1).value.endswith("（人数）")
    _, persons = rows_of(ws, persons_start)
    assert persons[-1]["合计"] == sum(int(h["家庭人口"]) for h in hh)
    # shares block: percentages formatted, one row per township + 合计
    shares_start = persons_start + len(persons) + 3
    _, shares = rows_of(ws, shares_start)
    assert len(shares) == len(rows)
    assert ws.cell(shares_start + 1, 2).number_format == "0.0%"
    assert abs(shares[-1]["红卡占比"] - rows[-1]["红卡"] / rows[-1]["合计"]) < 1e-9


def test_native_charts(out):
    _, out_dir = out
    with zipfile.ZipFile(out_dir / "全县汇总.xlsx") as zf:
        charts = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        xml = [zf.read(n).decode("utf-8") for n in charts]
        assert any("xl/drawings/drawing" in n for n in zf.namelist())
    bar = next(x for x in xml if "<c:barChart>" in x)
    assert '<c:barDir val="bar"/>' in bar and '<c:grouping val="stacked"/>' in bar
    assert "总览" in bar and "FF0000" in bar  # series read from 总览, red series coloured red
    assert any("<c:pieChart>" in x for x in xml)


def test_issue_stats_and_file_list(out):
    result, out_dir = out
    wb = openpyxl.load_workbook(out_dir / "全县汇总.xlsx")
    header, rows = rows_of(wb["问题统计"])
    assert header == ["乡镇", "错误", "警告", "提示", "合计"]
    assert rows[-1]["合计"] == len(result.issues)
    assert any(r["乡镇"] == "（未归属乡镇）" for r in rows)
    files = wb["文件清单"]
    header, frows = rows_of(files)
    assert {"文件", "乡镇", "状态", "原因", "读入行数", "户数", "错误数"} <= set(header)
    assert len(frows) == len(result.files)
    failed = next(r for r in range(3, files.max_row + 1) if files.cell(r, 3).value == "失败")
    assert fill_rgb(files, failed, 1) == "FFFCE4E4"
    assert files.cell(failed, 4).value


def test_county_book_without_households(tmp_path):
    result = make_result(6)
    result.households = result.households.iloc[0:0]
    paths = write_outputs(result, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "全县汇总.xlsx")
    assert "总览" in wb.sheetnames and "图表" not in wb.sheetnames
    assert any(p.name == "manifest.json" for p in paths)
