"""`fourcard-excel validate`: what a township runs on its own file before submitting."""

from __future__ import annotations

import openpyxl
import pandas as pd
from click.testing import CliRunner
from rosters import write_member_roster

from fourcard_excel.cli import main


def test_clean_roster_exits_0_and_writes_issue_files(tmp_path):
    (tmp_path / "in").mkdir()
    write_member_roster(tmp_path / "in" / "白沙镇.xlsx")
    out = tmp_path / "校验结果"
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "in"), "-o", str(out), "--as-of", "2024-03-18"])
    assert res.exit_code == 0, res.output
    assert "没有“错误”级问题" in res.output and "家庭：3 户" in res.output
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(issues.columns) == ["级别", "代码", "文件", "工作表", "行号", "列", "值", "说明"]
    assert (out / "问题清单.xlsx").is_file()


def test_errors_exit_1_and_are_listed_by_file_sheet_row_column(tmp_path):
    (tmp_path / "in").mkdir()
    where = write_member_roster(tmp_path / "in" / "白沙镇.xlsx", number_id_row=1)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "in"), "-o", str(out), "--as-of", "2024-03-18"])
    assert res.exit_code == 1, res.output
    assert "I005" in res.output and "请按问题清单改正" in res.output
    with open(out / "issues.csv", "rb") as fh:
        assert fh.read(3) == b"\xef\xbb\xbf"  # UTF-8 with BOM: opens in Excel/WPS
    issues = pd.read_csv(out / "issues.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    row = issues[issues["代码"] == "I005"].iloc[0]
    assert (row["级别"], row["文件"], row["工作表"], row["行号"], row["列"]) == \
        ("错误", "白沙镇.xlsx", "花名册", str(where["number_id"]), "证件号码")
    wb = openpyxl.load_workbook(out / "问题清单.xlsx")
    ws = wb.worksheets[0]
    assert ws.auto_filter.ref  # filterable
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "I005" in values


def test_single_file_input_and_output_not_inside_input(tmp_path):
    (tmp_path / "in").mkdir()
    write_member_roster(tmp_path / "in" / "白沙镇.xlsx")
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "in" / "白沙镇.xlsx"), "-o", str(tmp_path / "o")])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["validate", str(tmp_path / "in"), "-o", str(tmp_path / "in" / "结果")])
    assert res.exit_code == 2 and "输入文件夹" in res.output
