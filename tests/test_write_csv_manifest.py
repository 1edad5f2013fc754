"""issues.csv / 问题清单.xlsx, households.csv, members.csv and manifest.json."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from write_fixtures import INJECTIONS, make_result  # noqa: E402

from fourcard_excel.issues import ISSUE_COLUMNS, IssueLog  # noqa: E402
from fourcard_excel.write import csvs, write_issue_files  # noqa: E402


def read_csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM expected for Excel"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture(scope="module")
def result():
    return make_result(60)


def test_issue_files(tmp_path, result):
    paths = write_issue_files(result.issues, tmp_path)
    assert [p.name for p in paths] == ["问题清单.xlsx", "issues.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["issues.csv", "问题清单.xlsx"]  # no temp left
    rows = read_csv_rows(tmp_path / "issues.csv")
    assert rows[0] == ISSUE_COLUMNS
    assert len(rows) == len(result.issues) + 1
    # grouped by file: the file column is sorted
    files = [r[2] for r in rows[1:]]
    assert files == sorted(files)
    # the injected value is escaped in CSV
    values = [r[6] for r in rows[1:]]
    assert "'" + INJECTIONS[0] in values

    wb = openpyxl.load_workbook(tmp_path / "问题清单.xlsx")
    assert wb.sheetnames == ["问题清单", "按文件汇总"]
    ws = wb["问题清单"]
    assert [c.value for c in ws[2]] == ISSUE_COLUMNS
    assert ws.freeze_panes == "C3"
    assert ws.auto_filter.ref == f"A2:H{len(result.issues) + 2}"
    cells = [ws.cell(r, 7) for r in range(3, ws.max_row + 1)]
    inj = [c for c in cells if c.value == INJECTIONS[0]]
    assert inj and inj[0].data_type == "s" and inj[0].quotePrefix
    # 错误 rows are tinted
    err = [r for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value == "错误"]
    assert ws.cell(err[0], 1).fill.fgColor.rgb == "FFFCE4E4"
    summary = wb["按文件汇总"]
    last = [c.value for c in summary[summary.max_row]]
    assert last[0] == "合计" and last[-1] == len(result.issues)


def test_issue_files_empty(tmp_path):
    paths = write_issue_files(IssueLog().frame(), tmp_path / "新建")
    rows = read_csv_rows(paths[1])
    assert rows == [ISSUE_COLUMNS]
    wb = openpyxl.load_workbook(paths[0])
    assert wb["问题清单"].max_row == 2


def test_escape_text():
    s = pd.Series(["=1+1", "+86", "-5", "@x", "\tA", "正常", "", None, "a=b"])
    assert csvs.escape_text(s).tolist() == ["'=1+1", "'+86", "'-5", "'@x", "'\tA", "正常", "", "", "a=b"]


def test_issue_csv_order_is_independent_of_input_order(tmp_path, result):
    a = write_issue_files(result.issues, tmp_path / "a")[1].read_bytes()
    shuffled = result.issues.sample(frac=1.0, random_state=3)
    b = write_issue_files(shuffled, tmp_path / "b")[1].read_bytes()
    assert a == b
