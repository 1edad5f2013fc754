"""The Rust writer (write/rustbook.py) and xlsxwriter give the same workbooks: values, fills,
number formats, sheet names, merges, panes, filters, tab colours, validations and charts."""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from write_fixtures import INJECTIONS, make_result  # noqa: E402

from fourcard_excel.write import rustbook, styles  # noqa: E402
from fourcard_excel.write.county import write_county  # noqa: E402
from fourcard_excel.write.issues_book import write_issue_book  # noqa: E402
from fourcard_excel.write.sheet import write_frame  # noqa: E402
from fourcard_excel.write.township import write_townships  # noqa: E402


def _number(v):
    """Numbers as doubles to 15 significant digits: xlsxwriter writes "%.16g" (4076.833333333333),
    rust_xlsxwriter the shortest exact form (4076.8333333333335): one unit in the last place."""
    return float(f"{float(v):.15g}") if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def snapshot(path: Path) -> dict:
    """Everything a user sees in the workbook, per sheet (numbers compared as doubles: xlsx stores
    every number as one)."""
    wb = openpyxl.load_workbook(path)
    out = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.fill.fgColor.rgb in (None, "00000000") and not c.has_style:
                    continue
                cells[c.coordinate] = (_number(c.value), c.data_type if c.value is not None else None,
                                       c.fill.fgColor.rgb if c.fill.fill_type else None,
                                       c.number_format, bool(c.quotePrefix), bool(c.font.b))
        tab = ws.sheet_properties.tabColor
        dvs = [(d.type, d.formula1, d.prompt, str(d.sqref)) for d in ws.data_validations.dataValidation]
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "tab": tab.rgb if tab else None,
            "state": ws.sheet_state, "print_titles": ws.print_title_rows, "print_area": ws.print_area,
            "fit": (ws.page_setup.fitToWidth, str(ws.page_setup.fitToHeight), ws.page_setup.orientation),
            "hidden_cols": sorted(k for k, d in ws.column_dimensions.items() if d.hidden),
            "validations": dvs, "charts": sorted(type(c).__name__ for c in ws._charts),
        }
    return out


def assert_same(a: Path, b: Path) -> None:
    sa, sb = snapshot(a), snapshot(b)
    assert sa["sheets"] == sb["sheets"]
    for name in sa["sheets"]:
        for key in sa[name]:
            if key == "cells":
                ca, cb = sa[name]["cells"], sb[name]["cells"]
                diff = [(k, ca.get(k), cb.get(k)) for k in sorted(set(ca) | set(cb)) if ca.get(k) != cb.get(k)]
                assert not diff, f"{a.name}/{name}: {diff[:5]}"
            else:
                assert sa[name][key] == sb[name][key], f"{a.name}/{name}: {key}"


@pytest.fixture(scope="module")
def result():
    res = make_result(48)
    res.issues = res.issues.copy()
    return res


def test_township_books_are_the_same_with_both_writers(result, tmp_path, monkeypatch):
    books = {}
    for engine in ("xlsxwriter", "rust"):
        monkeypatch.setenv(styles.ENV_WRITER, engine)
        books[engine] = write_townships(result, tmp_path / engine)
    assert [p.name for p in books["rust"]] == [p.name for p in books["xlsxwriter"]]
    assert len(books["rust"]) >= 2
    for a, b in zip(books["xlsxwriter"], books["rust"]):
        assert_same(a, b)


def test_county_and_issue_books_are_the_same_with_both_writers(result, tmp_path, monkeypatch):
    for engine in ("xlsxwriter", "rust"):
        monkeypatch.setenv(styles.ENV_WRITER, engine)
        (tmp_path / engine).mkdir()
        write_county(result, tmp_path / engine)
        write_issue_book(result.issues, tmp_path / engine / "问题清单.xlsx", created=result.as_of)
    for name in ("全县汇总.xlsx", "问题清单.xlsx"):
        assert_same(tmp_path / "xlsxwriter" / name, tmp_path / "rust" / name)
    charts = snapshot(tmp_path / "rust" / "全县汇总.xlsx")["图表"]["charts"]
    assert charts == ["BarChart", "PieChart"]


def test_rust_writer_keeps_text_as_text_and_cuts_long_cells(tmp_path):
    frame = pd.DataFrame({"证件号码": ["430124198001010038", "01234"], "备注": [INJECTIONS[0], "x" * 40_000],
                          "金额": [1.5, None], "日期": pd.to_datetime(["2024-03-01", None])})
    path = tmp_path / "a.xlsx"
    wb = styles.new_workbook(path, engine="rust", created=dt.date(2026, 1, 2))
    assert isinstance(wb, rustbook.Workbook)
    write_frame(wb, "名单：测试/甲", frame, row_fill=pd.Series(["#FCE4E4", ""]), hidden_columns=["日期"])
    wb.close()
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.title == "名单：测试_甲"  # full-width colon allowed, / is not
    assert ws["A2"].value == "430124198001010038" and ws["A2"].data_type == "s"
    assert ws["B2"].value == INJECTIONS[0] and ws["B2"].data_type == "s" and ws["B2"].quotePrefix
    assert len(ws["B3"].value) == styles.MAX_CELL_CHARS
    assert ws["C2"].number_format == "#,##0.00" and ws["C3"].value is None
    assert ws["C3"].fill.fgColor.rgb == "00000000" and ws["C2"].fill.fgColor.rgb == "FFFCE4E4"
    assert ws["D2"].value == dt.datetime(2024, 3, 1) and ws["D2"].number_format == "yyyy-mm-dd"
    assert ws.column_dimensions["D"].hidden


def test_rust_workbook_bytes_are_reproducible(tmp_path):
    def build(path):
        wb = styles.new_workbook(path, engine="rust", created=dt.date(2026, 1, 2))
        write_frame(wb, "表", pd.DataFrame({"甲": ["一", "二"], "乙": [1, 2]}))
        wb.close()
        return path.read_bytes()

    first = build(tmp_path / "a.xlsx")
    core = zipfile.ZipFile(io.BytesIO(first)).read(rustbook.CORE_XML).decode()
    assert "2026-01-02T00:00:00Z" in core and "fourcard-excel" in core
    # the archive stays valid and every other member is unchanged
    assert zipfile.ZipFile(io.BytesIO(first)).testzip() is None
    import time
    time.sleep(1.1)  # rust_xlsxwriter's own date is the clock's: it would differ now
    assert build(tmp_path / "b.xlsx") == first


def test_unknown_engine_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv(styles.ENV_WRITER, "libxlsxwriter")
    with pytest.raises(ValueError, match="FOURCARD_WRITER"):
        styles.new_workbook(tmp_path / "x.xlsx")


def test_without_the_rust_writer_books_are_written_with_xlsxwriter(monkeypatch, tmp_path):
    import sys

    import xlsxwriter

    monkeypatch.delenv(styles.ENV_WRITER, raising=False)
    monkeypatch.setitem(sys.modules, "rvgsrust_xlsxwriter", None)  # as on a platform without its wheel
    assert styles.writer_engine() == "xlsxwriter"
    wb = styles.new_workbook(tmp_path / "x.xlsx", created=dt.date(2026, 1, 2))
    assert isinstance(wb, xlsxwriter.Workbook)
    wb.close()
