"""`measures` and `process` with a 帮扶措施台账 through CliRunner; the workbooks opened with openpyxl."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from fourcard_excel.cli import main

from measures_fixtures import AS_OF, EXPECTED, make_county

COLUMNS = ["层级", "乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "卡别", "检查项", "要求", "实际", "说明"]


def read_csv(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def test_measures_command(tmp_path):
    folder, ledger = make_county(tmp_path, ledger_in_folder=False)
    out = tmp_path / "核查"
    res = CliRunner().invoke(main, ["measures", str(folder), "-o", str(out), "--ledger", str(ledger),
                                    "--as-of", AS_OF])
    assert res.exit_code == 1, res.output  # findings → 1
    assert "核查年度：2024" in res.output and "红卡入股金额不足：1 条" in res.output
    raw = (out / "measures.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    f = read_csv(out / "measures.csv")
    assert list(f.columns) == COLUMNS and len(f) == len(EXPECTED)
    assert {p.name for p in (out / "一户一策").glob("*.xlsx")} == {"城关镇.xlsx", "白沙镇.xlsx"}

    wb = openpyxl.load_workbook(out / "一户一策" / "城关镇.xlsx")
    ws = wb["一户一策"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    titles = [r[0] for r in cells if r[0] and str(r[0]).endswith("户）")]
    assert titles == ["东风村（6 户）", "西岭村（5 户）"]  # a block per village; 农一 (not carded) left out
    header = next(r for r in cells if r[0] == "户编号")
    rows = {r[1]: dict(zip(header, r)) for r in cells if r[1] in ("红四", "红一")}
    assert rows["红四"]["未享措施"] == "产业分红、兜底保障A类"
    assert rows["红一"]["证件号码（脱敏）"].count("*") == 8  # birth date hidden
    assert len(ws.row_breaks.brk) == 1  # each village starts a page


def test_measures_command_ledger_option_replaces_the_one_in_the_folder(tmp_path):
    folder, ledger = make_county(tmp_path)  # a ledger in 附表/ of the folder, the same one named again
    out = tmp_path / "核查"
    res = CliRunner().invoke(main, ["measures", str(folder), "-o", str(out), "--ledger", str(ledger),
                                    "--as-of", AS_OF])
    assert res.exit_code == 1, res.output
    assert "提示：使用 帮扶措施台账.xlsx 作为帮扶措施台账，输入文件夹中识别到的台账不参与核查。" in res.output
    assert len(read_csv(out / "measures.csv")) == len(EXPECTED)  # its rows counted once, not twice


def test_measures_command_without_ledger_fails(tmp_path):
    folder, _ = make_county(tmp_path, ledger_in_folder=False)
    res = CliRunner().invoke(main, ["measures", str(folder), "-o", str(tmp_path / "o"), "--as-of", AS_OF])
    assert res.exit_code == 1 and "没有找到帮扶措施台账" in res.output


def test_measures_command_bad_rules_is_usage_error(tmp_path):
    folder, _ = make_county(tmp_path)
    from fourcard_excel.rules.ruleset import default_rules_path

    text = default_rules_path().read_text(encoding="utf-8").replace("repair_max = 20000", "repair_max = -1")
    rules = tmp_path / "rules.toml"
    rules.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["measures", str(folder), "-o", str(tmp_path / "o"), "--rules", str(rules),
                                    "--as-of", AS_OF])
    assert res.exit_code == 2 and "repair_max" in res.output


@pytest.fixture(scope="module")
def processed(tmp_path_factory):
    root = tmp_path_factory.mktemp("county")
    folder, _ = make_county(root)
    out = root / "结果"
    res = CliRunner().invoke(main, ["process", str(folder), "-o", str(out), "--as-of", AS_OF, "--seed", "1",
                                    "--no-db", "-q"])
    return res, out


def test_process_with_a_ledger_in_the_folder(processed):
    res, out = processed
    assert res.exit_code == 0, res.output
    assert f"发现问题 {len(EXPECTED)} 条，应享未享 2 户" in res.output
    f = read_csv(out / "measures.csv")
    assert len(f) == len(EXPECTED)
    hh = read_csv(out / "households.csv").set_index("户主姓名")
    assert hh.loc["红四", "一户一策：未享措施"] == "产业分红、兜底保障A类"
    assert hh.loc["红一", "一户一策：应享措施"] == "产业分红、兜底保障A类" and hh.loc["红一", "一户一策：未享措施"] == ""
    issues = read_csv(out / "issues.csv")
    assert "M015" not in set(issues["代码"]) and {"M001", "M012", "M014"} <= set(issues["代码"])
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    assert "measures.csv" in manifest and "一户一策/城关镇.xlsx" in manifest
    files = read_csv(out / "households.csv")
    assert len(files) == 15


def test_county_book_sheet_with_chart_and_red_rows(processed):
    _, out = processed
    wb = openpyxl.load_workbook(out / "全县汇总.xlsx")
    ws = wb["帮扶措施"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = rows[1]
    assert header[0] == "乡镇" and "红卡产业分红覆盖率" in header and "黄卡户均产业扶贫资金" in header
    by_town = {r[0]: (dict(zip(header, r)), i) for i, r in enumerate(rows[2:], start=3)}
    cg, row_no = by_town["城关镇"]
    assert cg["红卡产业分红覆盖率"] == pytest.approx(5 / 6) and cg["产业扶贫资金是否达标"] == "达标"
    assert ws.cell(row_no, 1).fill.fgColor.rgb.endswith("F4CCCC")  # below the plan: red
    assert by_town["白沙镇"][0]["产业扶贫资金是否达标"] == "未达标"
    assert len(ws._charts) == 1


def test_township_book_has_owed_sheet(processed):
    _, out = processed
    wb = openpyxl.load_workbook(out / "乡镇结果" / "城关镇.xlsx")
    ws = wb["应享未享"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][0].startswith("城关镇应享未享帮扶措施的农户（共 2 户")
    header = rows[1]
    names = {r[header.index("户主姓名")]: r for r in rows[2:]}
    assert set(names) == {"红四", "黄一"}
    assert "应兜尽兜" in names["红四"][header.index("依据")]
    assert ws.cell(3, 1).fill.fgColor.rgb.endswith("F4CCCC")
    assert wb["应享未享"].sheet_properties.tabColor.rgb.endswith("C00000")
    assert wb2_rows(out / "乡镇结果" / "白沙镇.xlsx") == 0


def wb2_rows(path) -> int:
    ws = openpyxl.load_workbook(path)["应享未享"]
    return ws.max_row - 2


def test_process_without_ledger_says_so_once(tmp_path):
    folder, ledger = make_county(tmp_path, ledger_in_folder=False)
    out = tmp_path / "结果"
    res = CliRunner().invoke(main, ["process", str(folder), "-o", str(out), "--as-of", AS_OF, "--no-db", "-q"])
    assert res.exit_code == 0, res.output
    assert "帮扶措施：未提供帮扶措施台账" in res.output
    issues = read_csv(out / "issues.csv")
    assert list(issues.loc[issues["代码"].str.startswith("M"), "代码"]) == ["M015"]
    assert not (out / "measures.csv").exists() and not (out / "一户一策").exists()
    assert "帮扶措施" not in openpyxl.load_workbook(out / "全县汇总.xlsx").sheetnames
    # the same ledger named with --ledger is checked
    res = CliRunner().invoke(main, ["process", str(folder), "-o", str(out), "--as-of", AS_OF, "--no-db", "-q",
                                    "--ledger", str(ledger)])
    assert res.exit_code == 0, res.output
    assert len(read_csv(out / "measures.csv")) == len(EXPECTED)


def empty_copy(ledger, path):
    """The ledger with its header kept and every data row deleted (a blank template filled in later)."""
    wb = openpyxl.load_workbook(ledger)
    ws = wb.active
    header = next(r[0].row for r in ws.iter_rows() if any(c.value == "措施类别" for c in r))
    ws.delete_rows(header + 1, ws.max_row - header)
    wb.save(path)
    return path


def test_an_empty_ledger_named_wins_under_process_and_measures_alike(tmp_path):
    folder, ledger = make_county(tmp_path)  # a ledger with rows in 附表/ of the folder
    blank = empty_copy(ledger, tmp_path / "空台账.xlsx")
    res = CliRunner().invoke(main, ["process", str(folder), "-o", str(tmp_path / "p"), "--as-of", AS_OF,
                                    "--no-db", "-q", "--ledger", str(blank)])
    assert res.exit_code == 0, res.output
    issues = read_csv(tmp_path / "p" / "issues.csv")
    f024 = issues[issues["代码"] == "F024"]
    assert list(f024["文件"]) == ["空台账.xlsx"] and list(f024["级别"]) == ["警告"]
    assert "没有读到数据行" in f024["说明"].iat[0] and "也不参与核查" in f024["说明"].iat[0]
    assert not (tmp_path / "p" / "measures.csv").exists()  # the folder's ledger was not checked
    res = CliRunner().invoke(main, ["measures", str(folder), "-o", str(tmp_path / "m"), "--ledger", str(blank),
                                    "--as-of", AS_OF])
    assert "提示：使用 空台账.xlsx 作为帮扶措施台账" in res.output
    assert not (tmp_path / "m" / "measures.csv").exists() or len(read_csv(tmp_path / "m" / "measures.csv")) == 0
