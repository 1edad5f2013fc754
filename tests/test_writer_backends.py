"""The Rust writer (write/rustbook.py) and xlsxwriter give the same workbooks: values, fills,
number formats, fonts, alignment, borders, sheet names, merges, panes, filters, tab colours, column
widths, row heights, print setup, validations, charts and document properties."""

from __future__ import annotations

import datetime as dt
import io
import math
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from write_fixtures import INJECTIONS, make_result  # noqa: E402

from fourcard_excel.checks import spotcheck  # noqa: E402
from fourcard_excel.documents import notice  # noqa: E402
from fourcard_excel.write import rustbook, styles  # noqa: E402
from fourcard_excel.write.county import write_county  # noqa: E402
from fourcard_excel.write.issues_book import write_issue_book  # noqa: E402
from fourcard_excel.write.sheet import write_frame  # noqa: E402
from fourcard_excel.write.township import write_townships  # noqa: E402


def _number(v):
    """Numbers as doubles (xlsx stores every number as one); compared by ``_same_value``."""
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v


def _same_value(a, b) -> bool:
    """xlsxwriter writes "%.16g" (4076.833333333333), rust_xlsxwriter the shortest exact form
    (4076.8333333333335): equal to one unit in the last place."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-15, abs_tol=0.0)
    return a == b


def _same_cell(a, b) -> bool:
    return a is not None and b is not None and _same_value(a[0], b[0]) and a[1:] == b[1:]


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
                # an empty string cell (xlsxwriter's write_string "") shows as the blank cell
                # rust_xlsxwriter writes for it: both compared as blank
                value = None if c.value == "" else c.value
                al, bd, colour = c.alignment, c.border, c.font.color
                cells[c.coordinate] = (_number(value), c.data_type if value is not None else None,
                                       c.fill.fgColor.rgb if c.fill.fill_type else None,
                                       c.number_format, bool(c.quotePrefix), bool(c.font.b),
                                       float(c.font.sz or 11), colour.rgb if colour is not None and colour.type == "rgb" else None,
                                       al.horizontal, al.vertical, bool(al.wrap_text),
                                       tuple(getattr(bd, side).style for side in ("left", "right", "top", "bottom")))
        tab = ws.sheet_properties.tabColor
        dvs = [(d.type, d.formula1, d.prompt, d.promptTitle, d.error, d.errorTitle, d.errorStyle or "stop",
                bool(d.allow_blank), str(d.sqref)) for d in ws.data_validations.dataValidation]
        ps, pm = ws.page_setup, ws.page_margins
        out[ws.title] = {
            "cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "tab": tab.rgb if tab else None,
            "state": ws.sheet_state, "print_titles": ws.print_title_rows, "print_area": ws.print_area,
            "fit": (ps.fitToWidth, str(ps.fitToHeight), ps.orientation, ps.paperSize),
            "margins": (pm.left, pm.right, pm.top, pm.bottom),
            "centred": bool(ws.print_options.horizontalCentered),
            "header_footer": (ws.oddHeader.center.text, ws.oddFooter.center.text),
            "widths": {k: round(d.width, 2) for k, d in ws.column_dimensions.items() if d.customWidth},
            "heights": {k: d.ht for k, d in ws.row_dimensions.items() if d.ht is not None},
            "hidden_cols": sorted(k for k, d in ws.column_dimensions.items() if d.hidden),
            "validations": dvs, "charts": sorted(type(c).__name__ for c in ws._charts),
        }
    core = wb.properties
    out["properties"] = (core.title, core.subject, core.creator, core.description, core.created)
    out["custom"] = {p.name: p.value for p in wb.custom_doc_props.props}
    return out


def assert_same(a: Path, b: Path) -> None:
    sa, sb = snapshot(a), snapshot(b)
    assert sa["sheets"] == sb["sheets"]
    assert sa["properties"] == sb["properties"] and sa["custom"] == sb["custom"]
    for name in sa["sheets"]:
        for key in sa[name]:
            if key == "cells":
                ca, cb = sa[name]["cells"], sb[name]["cells"]
                diff = [(k, ca.get(k), cb.get(k)) for k in sorted(set(ca) | set(cb))
                        if not _same_cell(ca.get(k), cb.get(k))]
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


def test_notice_books_are_the_same_with_both_writers(result, tmp_path, monkeypatch):
    books = {}
    for engine in ("xlsxwriter", "rust"):
        monkeypatch.setenv(styles.ENV_WRITER, engine)
        books[engine] = notice.write_notices(result, tmp_path / engine, mask_id=True, phone="0851-1234567")
    assert [p.relative_to(tmp_path / "rust") for p in books["rust"]] == \
        [p.relative_to(tmp_path / "xlsxwriter") for p in books["xlsxwriter"]]
    assert len(books["rust"]) >= 3
    for a, b in zip(books["xlsxwriter"], books["rust"]):
        assert_same(a, b)
    # the notice with the formula-like head name: text, quote-prefixed, under both writers
    head = result.households["head_name"].iloc[0]
    found = [c for p in books["rust"] for row in openpyxl.load_workbook(p).worksheets[0].iter_rows()
             for c in row if c.value == head]
    assert found and all(c.data_type == "s" and c.quotePrefix for c in found)


def test_spotcheck_books_are_the_same_with_both_writers(result, tmp_path, monkeypatch):
    from test_spotcheck import INSPECTORS, STD, households, result_for

    for hh, kwargs in ((households(STD, disagree_every=9), {"inspectors": INSPECTORS}), (result.households, {})):
        res = result_for(hh.reset_index(drop=True))
        spotcheck.run(res, seed=2024, force_disagree=True, **kwargs)
        books = {}
        for engine in ("xlsxwriter", "rust"):
            monkeypatch.setenv(styles.ENV_WRITER, engine)
            books[engine], _ = spotcheck.write(res, tmp_path / engine / str(len(hh)))
        assert_same(books["xlsxwriter"], books["rust"])
        snap = snapshot(books["rust"])
        assert snap["custom"] == {"随机种子": "2024", "抽查比例": 0.3}
        assert snap["properties"][:2] == ("县级抽查名单", "随机种子 2024")
        lists = [name for name in snap["sheets"] if snap[name]["validations"]]
        assert lists and all(snap[n]["validations"][0][6] == "warning" for n in lists)
        # the returned-list check reads the Rust book as it reads xlsxwriter's
        frames, issues = spotcheck.check_returned(books["rust"])
        assert set(issues["代码"]) <= {"S001", "S003"}  # nothing filled in yet: unchecked, never unreadable


def test_rust_workbook_properties_and_custom_properties(tmp_path):
    path = tmp_path / "p.xlsx"
    wb = styles.new_workbook(path, engine="rust")
    wb.set_properties({"title": "标题<&>", "subject": "主题", "author": "县扶贫办", "comments": "备注",
                       "created": dt.datetime(2024, 3, 18, 9, 30)})
    wb.set_custom_property("随机种子", "2024")
    wb.set_custom_property("抽查比例", 0.3)
    wb.set_custom_property("份数", 12)
    wb.set_custom_property("已核查", True)
    wb.add_worksheet("表").write_string(0, 0, "甲")
    wb.close()
    data = path.read_bytes()
    assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    book = openpyxl.load_workbook(path)
    core = book.properties
    assert (core.title, core.subject, core.creator, core.description) == ("标题<&>", "主题", "县扶贫办", "备注")
    assert core.created == dt.datetime(2024, 3, 18, 9, 30)
    assert {p.name: p.value for p in book.custom_doc_props.props} == {"随机种子": "2024", "抽查比例": 0.3,
                                                                       "份数": 12, "已核查": True}

    # without a fixed date the library's own core.xml stays (title included); custom.xml is added
    wb = styles.new_workbook(tmp_path / "q.xlsx", engine="rust")
    wb.set_properties({"title": "县级抽查名单"})
    wb.set_custom_property("随机种子", "7")
    wb.add_worksheet("表")
    wb.close()
    assert zipfile.ZipFile(tmp_path / "q.xlsx").testzip() is None
    book = openpyxl.load_workbook(tmp_path / "q.xlsx")
    assert book.properties.title == "县级抽查名单"
    assert [(p.name, p.value) for p in book.custom_doc_props.props] == [("随机种子", "7")]


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


def test_column_writes_give_the_same_bytes_as_cell_writes(tmp_path, monkeypatch):
    """The Rust path writes runs of a column in one call (sheet._write_columns) or, in
    constant-memory mode, runs of a row (sheet._write_row_runs); the file must be byte for byte the
    one written cell by cell: mixed fills, quote-prefixed text in a few rows, None as formatted
    blanks, numbers, dates, yes/no, a totals row and a second sheet."""
    n = 300
    fills = ["#FCE4E4" if i < 40 else "#FFF2CC" if i % 7 else "" for i in range(n)]  # long runs + scattered
    frame = pd.DataFrame({
        "证件号码": [f"5224011990010{i:05d}" for i in range(n)],
        "备注": [INJECTIONS[i % len(INJECTIONS)] if i % 37 == 5 else ("" if i % 11 == 0 else f"备注{i}")
                 for i in range(n)],
        "人数": pd.array([i % 6 if i % 13 else None for i in range(n)], dtype="Int64"),
        "金额": [i * 1.25 if i % 17 else None for i in range(n)],
        "日期": pd.to_datetime(["2024-03-01" if i % 9 else None for i in range(n)]),
        "是否": pd.array([bool(i % 2) if i % 5 else None for i in range(n)], dtype="boolean"),
        "公式样": ["=SUM(A1)" if i % 50 == 3 else "合计" for i in range(n)],
    })

    def build(path, *, columnar: bool, row_runs: bool, constant_memory: bool = False):
        monkeypatch.setattr(rustbook.Worksheet, "columnar", columnar)  # constant memory: never
        monkeypatch.setattr(rustbook.Worksheet, "row_runs", row_runs)
        wb = styles.new_workbook(path, engine="rust", created=dt.date(2026, 1, 2),
                                 constant_memory=constant_memory)
        write_frame(wb, "甲", frame, row_fill=pd.Series(fills), bold_last_row=True, title="标题")
        write_frame(wb, "乙", frame.iloc[::-1], row_fill=pd.Series(fills[::-1]))
        write_frame(wb, "丙", frame.iloc[:3])
        wb.close()
        return path.read_bytes()

    for constant_memory in (False, True):
        cells = build(tmp_path / "cells.xlsx", columnar=False, row_runs=False, constant_memory=constant_memory)
        runs = build(tmp_path / "runs.xlsx", columnar=False, row_runs=True, constant_memory=constant_memory)
        assert runs == cells
        if not constant_memory:
            assert build(tmp_path / "columns.xlsx", columnar=True, row_runs=True) == cells
        for name in ("cells.xlsx", "runs.xlsx"):
            ws = openpyxl.load_workbook(tmp_path / name)["甲"]
            assert ws["G6"].value == "=SUM(A1)" and ws["G6"].data_type == "s" and ws["G6"].quotePrefix
            assert ws["G7"].value == "合计" and not ws["G7"].quotePrefix
            assert ws["B3"].value is None and ws["B3"].fill.fgColor.rgb == "FFFCE4E4"  # blank keeps its fill
            assert ws["A302"].value == "522401199001000299"  # the totals row, last


def test_runs_split_where_the_format_object_or_the_code_changes():
    from fourcard_excel.write.sheet import code_runs, same_object_runs

    a, b, a_copy = ["fill"], ["fill2"], ["fill"]  # equal but not the same object: two formats
    assert same_object_runs([a, a, b, a, a_copy]) == [(0, 2), (2, 3), (3, 4), (4, 5)]
    assert same_object_runs([a]) == [(0, 1)] and same_object_runs([]) == []
    starts, stops = code_runs(np.array([3, 3, 1, 1, 1, 3]))
    assert starts.tolist() == [0, 2, 5] and stops.tolist() == [2, 5, 6]
    starts, stops = code_runs(np.array([7]))
    assert starts.tolist() == [0] and stops.tolist() == [1]


def test_content_width_matches_display_width():
    from fourcard_excel.write.sheet import _content_width, _display_width

    for values in (["abc", "a"], ["城关镇", "x", "éé", "𠀀字", ""], ["a\x1eb", "城"], [""], []):
        lengths = np.array([len(v) for v in values], dtype=np.int64)
        assert _content_width(values, lengths) == max(map(_display_width, values), default=0.0)


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


def test_one_rule_for_text_a_spreadsheet_would_evaluate():
    """Notices, spot-check lists, quotas.csv and every other output quote the same texts."""
    texts = ["=SUM(A1)", "+86 139", "-500", "@王", "\t张三", "\r李四", "\x07", "张三", "", "a=b", "１２"]
    flags = styles.live_flags(texts)
    assert flags == [True, True, True, True, True, True, True, False, False, False, False]
    assert [styles.is_live(t) for t in texts] == flags
    assert styles.live_flags(["张三", "李四"]) == [False, False]
    from fourcard_excel.write.csvs import escape_text

    escaped = escape_text(pd.Series(texts, dtype=object)).tolist()
    assert [e.startswith("'") for e in escaped] == flags


@pytest.mark.parametrize("engine", ["xlsxwriter", "rust"])
def test_write_cells_refuses_a_constant_memory_sheet(engine, tmp_path):
    """Rows must come in order there: a column written after it would be lost without a word."""
    from fourcard_excel.write.sheet import write_cells

    wb = styles.new_workbook(tmp_path / "x.xlsx", engine=engine, constant_memory=True)
    ws = wb.add_worksheet("名单")
    with pytest.raises(ValueError, match="constant-memory"):
        write_cells(ws, 1, 0, ["张三", "李四"], None)
    wb.close()
    wb = styles.new_workbook(tmp_path / "y.xlsx", engine=engine)
    ws = wb.add_worksheet("名单")
    write_cells(ws, 1, 0, ["张三", "李四"], None)
    wb.close()
    assert openpyxl.load_workbook(tmp_path / "y.xlsx")["名单"]["A3"].value == "李四"
