"""Generic styled sheet: write a DataFrame as a formatted, filterable, printable Excel table.

Other modules (spot-check list, quotas, notices) reuse ``write_frame``::

    wb = styles.new_workbook(tmp, tmpdir=out_dir)
    fmts = styles.Formats(wb)
    write_frame(wb, "名单", frame, formats=fmts, row_fill=fills, tab_colour="#FF0000",
                title="某某镇红卡户名单", freeze_cols=3)
    wb.close()

Column kinds come from dtypes: bool/boolean → 是/否 text; integers → "0"; floats → "#,##0.00"
(or "0.0%" for headers ending in 占比/比例/覆盖率/比率); datetimes → yyyy-mm-dd; everything else
text (IDs stay text). Text starting with = + - @ or a control character gets a quote-prefix format.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from . import styles
from .styles import Formats

# Row colouring: "row" = one cell format per (kind, fill) given to every cell of the row;
# "conditional" = plain cells plus one conditional format per colour per sheet.
# benchmarks/bench_row_colour.py, 200k households in 4 card sheets, CPU seconds on the shared
# 2-core machine: uncoloured 75.1, row 74.8, conditional 75.1 (ratio conditional/row 1.004).
# Formats are created once and passed per cell, and every cell carries a format anyway (border,
# number format), so a fill costs nothing. "row" is kept: as fast, and the colour travels with the
# row when users sort, filter or copy (a positional conditional range would not).
FILL_MODE = "row"

PCT_SUFFIXES = ("占比", "比例", "覆盖率", "比率")
_SEP = styles.SEP  # joins a column's sample for one-pass scans
_SEP_BYTE = ord(_SEP)
MIN_WIDTH, MAX_WIDTH = 6, 50
WIDTH_SAMPLE = 2000


def write_frame(workbook, name: str, frame: pd.DataFrame, *, formats: Formats | None = None,
                used_names: set[str] | None = None, row_fill: pd.Series | Iterable | None = None,
                tab_colour: str | None = None, title: str = "",
                number_formats: Mapping[str, str] | None = None,
                widths: Mapping[str, float] | None = None, freeze_cols: int = 0,
                autofilter: bool = True, landscape: bool = True, bold_last_row: bool = False,
                fill_mode: str | None = None, hidden_columns: Iterable[str] = ()):
    """Add sheet ``name`` (sanitised; unique within ``used_names``) holding ``frame``.

    - ``row_fill``: per row "#RRGGBB" or "" (aligned by position), e.g. a light card tint.
    - ``number_formats``: header → Excel number format, overriding the dtype default.
    - ``widths``: header → column width, overriding the estimate from header and content.
    - ``freeze_cols``: columns kept visible when scrolling right (the header row is always frozen).
    - ``bold_last_row``: style the last row as a totals row (合计).
    Returns the (first) worksheet. Frames longer than an Excel sheet continue on "name(续2)".
    """
    formats = formats or Formats(workbook)
    if used_names is None:
        used_names = {ws.get_name().lower() for ws in workbook.worksheets()}
    header_row = 1 if title else 0
    limit = styles.MAX_ROWS - header_row - 1
    fills = None if row_fill is None else pd.Series(list(row_fill) if not isinstance(row_fill, pd.Series)
                                                    else row_fill.to_numpy(), dtype="object")
    first = None
    for part, start in enumerate(range(0, max(len(frame), 1), limit)):
        chunk = frame.iloc[start:start + limit]
        sheet_name = name if part == 0 else f"{str(name)[:26]}(续{part + 1})"
        ws = workbook.add_worksheet(styles.safe_sheet_name(sheet_name, used_names))
        part_fill = None if fills is None else fills.iloc[start:start + limit].reset_index(drop=True)
        _write_sheet(ws, formats, chunk, title=title, header_row=header_row, row_fill=part_fill,
                     tab_colour=tab_colour, number_formats=number_formats or {}, widths=widths or {},
                     freeze_cols=freeze_cols, autofilter=autofilter, landscape=landscape,
                     bold_last_row=bold_last_row and start + limit >= len(frame),
                     fill_mode=fill_mode or FILL_MODE, hidden=set(hidden_columns))
        first = first or ws
    return first


def write_block(ws, formats: Formats, frame: pd.DataFrame, start_row: int, *, title: str = "",
                number_formats: Mapping[str, str] | None = None, bold_last_row: bool = False,
                row_fill: pd.Series | None = None) -> int:
    """Write a titled table at ``start_row`` of an existing sheet (pivot blocks stacked on one
    sheet). Returns the header row index; the next free row is header + len(frame) + 2."""
    r = start_row
    if title:
        ws.write_string(r, 0, title, formats.title())
        r += 1
    cols = [_prepare(frame.iloc[:, i], str(c), (number_formats or {}).get(str(c)))
            for i, c in enumerate(frame.columns)]
    _write_header(ws, formats, frame.columns, r)
    _write_rows(ws, formats, cols, r + 1, len(frame), row_fill, bold_last_row, "row")
    return r


def write_cells(ws, row: int, col: int, values: list, formats, writer=None) -> None:
    """``values[i]`` at (``row + i``, ``col``) with ``formats[i]`` (a list) or one format for all.

    On an engine that writes columns natively (``ws.columnar``: the Rust writer) each run of rows
    sharing a format is one ``write_column`` call; otherwise cell by cell with ``writer(r, c, v, f)``
    (default ``ws.write``; pass ``ws.write_string`` etc. to keep xlsxwriter's typed calls)."""
    n = len(values)
    if not n:
        return
    if getattr(ws, "constant_memory", False):  # rows must come in order there: a column would be lost
        raise ValueError("write_cells writes a column: not on a constant-memory worksheet")
    single = not isinstance(formats, list)
    if getattr(ws, "columnar", False):
        if single:
            ws.write_column(row, col, values, formats)
            return
        for a, b in same_object_runs(formats):
            ws.write_column(row + a, col, values[a:b], formats[a])
        return
    w = writer or ws.write
    if single:
        for i, v in enumerate(values, start=row):
            w(i, col, v, formats)
    else:
        for i, v, f in zip(range(row, row + n), values, formats):
            w(i, col, v, f)


# --- runs: the cells one native call can take -------------------------------------------------

def same_object_runs(items) -> list[tuple[int, int]]:
    """(start, stop) of each run of adjacent ``items`` that are the same object (a format)."""
    out, start = [], 0
    for i in range(1, len(items) + 1):
        if i == len(items) or items[i] is not items[start]:
            out.append((start, i))
            start = i
    return out


def code_runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, stops) of each run of equal adjacent ``codes`` (a non-empty integer array)."""
    breaks = np.flatnonzero(np.diff(codes)) + 1
    return np.concatenate([[0], breaks]), np.concatenate([breaks, [len(codes)]])


# --- internals -------------------------------------------------------------------------------

class _Col:
    __slots__ = ("name", "kind", "values", "has_na", "quote", "nf", "width")

    def __init__(self, name, kind, values, has_na, quote, nf, width):
        self.name, self.kind, self.values, self.has_na = name, kind, values, has_na
        self.quote, self.nf, self.width = quote, nf, width


def _display_width(text: str) -> float:
    """Width in Excel character units: UTF-8 CJK is 3 bytes and 2 columns, ASCII 1 and 1."""
    return (len(text) + len(text.encode("utf-8"))) / 2


def _content_width(values: list[str], lengths: np.ndarray) -> float:
    """``max(map(_display_width, values))`` (0.0 for none) in one pass over the joined text:
    ``lengths`` are the values' character counts. ASCII text is as wide as it is long; otherwise the
    UTF-8 byte count of each value comes from the separator positions in the encoded join."""
    if not values:
        return 0.0
    joined = _SEP.join(values)
    if joined.isascii():
        return float(lengths.max())
    encoded = np.frombuffer((joined + _SEP).encode("utf-8"), dtype=np.uint8)
    ends = np.flatnonzero(encoded == _SEP_BYTE)
    if len(ends) != len(values):  # a value holds the separator itself: value by value
        return max(map(_display_width, values))
    nbytes = np.diff(ends, prepend=-1) - 1
    return float((lengths + nbytes).max()) / 2


def _prepare(series: pd.Series, name: str, number_format: str | None) -> _Col:
    """Turn a column into Python values + a kind: numpy/pandas per column, one tolist each.

    Kept free of per-call pandas overhead (dozens of small sheets per township book)."""
    dtype = series.dtype
    n = len(series)
    header_w = _display_width(name)
    if pd.api.types.is_bool_dtype(dtype):
        arr = series.to_numpy(dtype=object, na_value=None)
        out = np.full(n, None, dtype=object)
        out[arr == True] = styles.YES_TEXT  # noqa: E712 - elementwise on an object array
        out[arr == False] = styles.NO_TEXT  # noqa: E712
        has_na = bool((out == None).any())  # noqa: E711
        return _Col(name, "text", out.tolist(), has_na, None, number_format, max(header_w, 4))
    if pd.api.types.is_numeric_dtype(dtype):
        arr = series.to_numpy(dtype="float64", na_value=np.nan)
        finite = np.isfinite(arr)
        has_na = not finite.all()
        if pd.api.types.is_integer_dtype(dtype):
            kind = "int"
            obj = np.where(finite, arr, 0).astype(np.int64).astype(object)
        else:
            kind = "pct" if name.endswith(PCT_SUFFIXES) else "money"
            obj = arr.astype(object)
        if has_na:
            obj[~finite] = None
        top = float(np.abs(arr[finite]).max()) if finite.any() else 0.0
        digits = len(f"{top:,.0f}") + (3 if kind == "money" else 0) + (1 if kind == "pct" else 0)
        return _Col(name, kind, obj.tolist(), has_na, None, number_format, max(header_w, digits + 1))
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = [None if pd.isna(v) else v.to_pydatetime() for v in series.tolist()]
        return _Col(name, "date", values, True, None, number_format, max(header_w, 11))
    if pd.api.types.is_string_dtype(dtype) and dtype != object:
        arr = series.to_numpy(dtype=object, na_value="")
    else:  # object or other: anything → str, NA → ""
        arr = series.astype(object).where(series.notna(), "").astype(str).to_numpy(dtype=object)
    values = arr.tolist()
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    if n and lengths.max() > styles.MAX_CELL_CHARS:
        values = [v[:styles.MAX_CELL_CHARS] for v in values]
        arr = np.array(values, dtype=object)
        lengths = np.minimum(lengths, styles.MAX_CELL_CHARS)
    quote = styles.live_text(values) if n else None
    content_w = _content_width(values[:WIDTH_SAMPLE], lengths[:WIDTH_SAMPLE])
    blank = lengths == 0
    has_blank = bool(blank.any())
    if has_blank:
        arr = arr.copy()
        arr[blank] = None
        values = arr.tolist()
    return _Col(name, "text", values, has_blank, quote, number_format, max(header_w, content_w))


def _write_header(ws, formats: Formats, columns, row: int) -> None:
    ws.write_row(row, 0, [str(c) for c in columns], formats.header())


def _fill_codes(row_fill: pd.Series | None, n: int) -> tuple[list[str], np.ndarray]:
    if row_fill is None or n == 0:
        return [""], np.zeros(n, dtype=np.int64)
    codes, uniques = pd.factorize(row_fill.fillna("").astype("str"), sort=False)
    palette = [styles.hex_colour(u, "") if u else "" for u in uniques]
    return palette, codes.astype(np.int64)


def _write_rows(ws, formats: Formats, cols: list[_Col], first: int, n: int,
                row_fill: pd.Series | None, bold_last_row: bool, fill_mode: str) -> None:
    if n == 0 or not cols:
        return
    palette, codes = _fill_codes(row_fill, n)
    cell_fills = palette if fill_mode == "row" else [""] * len(palette)
    writers, options, format_codes = [], [], []
    for col in cols:
        opts = [formats.cell(col.kind, f, False, col.nf) for f in cell_fills]
        if col.quote is not None:
            opts += [formats.cell(col.kind, f, True, col.nf) for f in cell_fills]
            idx = codes + col.quote.astype(np.int64) * len(cell_fills)
        elif len(opts) == 1 or len(set(map(id, opts))) == 1:
            opts, idx = opts[:1], None  # one format for the whole column
        else:
            idx = codes
        options.append(opts)
        format_codes.append(idx)
        if col.has_na:  # None → blank cell (keeps the fill), other values by type
            writers.append(ws.write)
        elif col.kind == "text":
            writers.append(ws.write_string)
        elif col.kind == "date":
            writers.append(ws.write_datetime)
        else:
            writers.append(ws.write_number)
    body_n = n - 1 if bold_last_row else n
    if getattr(ws, "columnar", False):
        _write_columns(ws, cols, writers, options, format_codes, first, body_n)
    elif getattr(ws, "row_runs", False) and body_n > 0:
        _write_row_runs(ws, cols, writers, options, format_codes, codes, first, body_n)
    else:
        fmt_lists = [itertools.repeat(opts[0], n) if idx is None else np.array(opts, dtype=object)[idx].tolist()
                     for opts, idx in zip(options, format_codes)]
        rows = zip(range(first, first + body_n), zip(*[c.values for c in cols]), zip(*fmt_lists))
        col_idx = range(len(cols))
        for r, vrow, frow in rows:
            for c, w, v, f in zip(col_idx, writers, vrow, frow):
                w(r, c, v, f)
    if bold_last_row:
        r = first + n - 1
        for c, (col, w) in enumerate(zip(cols, writers)):
            w(r, c, col.values[-1], formats.total(col.kind))
    if fill_mode == "conditional":
        _conditional_fills(ws, formats, palette, codes, first, len(cols) - 1)


def _write_row_runs(ws, cols: list[_Col], writers: list, options: list[list], format_codes: list,
                    codes: np.ndarray, first: int, n: int) -> None:
    """The body row by row (rows in order: constant-memory sheets), each run of adjacent cells
    sharing a format in one ``ws.write_row_run`` call (the engine's ``row_runs``: rust_xlsxwriter's
    ``write_row``, the same cells as one ``write`` each). A row's formats follow from its fill code
    unless one of its cells is quote-prefixed (rare): such a row is written cell by cell."""
    ncols = len(cols)
    quoted = np.zeros(n, dtype=bool)
    for col in cols:
        if col.quote is not None:
            quoted |= col.quote[:n]
    runs_by_code: dict[int, list[tuple]] = {}
    for k in np.unique(codes[:n]).tolist():
        fmts = [opts[0] if idx is None else opts[k] for opts, idx in zip(options, format_codes)]
        runs_by_code[k] = [(a, b, fmts[a], b - a == 1) for a, b in same_object_runs(fmts)]
    write_run, write = ws.write_row_run, ws.write
    rows = zip(range(first, first + n), map(list, zip(*[c.values for c in cols])), codes[:n].tolist(),
               quoted.tolist())  # lists: the native call takes a list slice
    for r, vrow, k, q in rows:
        if q:
            for c in range(ncols):
                idx = format_codes[c]
                writers[c](r, c, vrow[c], options[c][0 if idx is None else idx[r - first]])
            continue
        for a, b, f, single in runs_by_code[k]:
            if single:
                write(r, a, vrow[a], f)
            else:
                write_run(r, a, vrow[a:b], f)


MIN_RUN = 8  # a column's runs shorter than this on average are written cell by cell


def _write_columns(ws, cols: list[_Col], writers: list, options: list[list], format_codes: list,
                   first: int, n: int) -> None:
    """The body column by column, one ``write_column`` per run of rows sharing a format (the
    engine's ``columnar`` path: rust_xlsxwriter, about 1.5x faster than cell by cell).

    The file is the same as when written row by row: cells are stored by position and strings
    numbered on saving, but each sheet numbers its formats in the order they are first used. So
    the first cell of every format is written first, in row-major order, then the columns."""
    if n <= 0:
        return
    firsts = []  # (row, col, option) of each format's first use in the column
    runs = []
    for c, (opts, idx) in enumerate(zip(options, format_codes)):
        if idx is None:
            firsts.append((0, c, 0))
            runs.append([(0, n, 0)])
            continue
        idx = idx[:n]
        uniq, at = np.unique(idx, return_index=True)
        firsts.extend((int(r), c, int(u)) for u, r in zip(uniq, at))
        starts, stops = code_runs(idx)
        if len(starts) * MIN_RUN > n:
            runs.append(None)  # fragmented: cell by cell
        else:
            runs.append([(a, b, int(idx[a])) for a, b in zip(starts.tolist(), stops.tolist())])
    seen: set[int] = set()
    for r, c, code in sorted(firsts):
        fmt = options[c][code]
        if id(fmt) not in seen:
            seen.add(id(fmt))
            writers[c](first + r, c, cols[c].values[r], fmt)
    write_column = ws.write_column
    for c, (col, w) in enumerate(zip(cols, writers)):
        values, opts = col.values, options[c]
        if runs[c] is None:
            fmts = np.array(opts, dtype=object)[format_codes[c][:n]].tolist()
            for r, v, f in zip(range(first, first + n), values, fmts):
                w(r, c, v, f)
            continue
        for a, b, code in runs[c]:
            write_column(first + a, c, values[a:b] if (a, b) != (0, len(values)) else values, opts[code])


def _conditional_fills(ws, formats: Formats, palette: list[str], codes: np.ndarray, first: int,
                       last_col: int) -> None:
    """One conditional format per colour covering that colour's runs of consecutive rows."""
    from xlsxwriter.utility import xl_range

    if not len(codes):
        return
    starts, stops = code_runs(codes)
    ends = stops - 1
    run_codes = codes[starts]
    for code, colour in enumerate(palette):
        if not colour:
            continue
        sel = run_codes == code
        ranges = [xl_range(first + s, 0, first + e, last_col) for s, e in zip(starts[sel], ends[sel])]
        if not ranges:
            continue
        fmt = formats.workbook.add_format({"bg_color": colour, "pattern": 1})
        s0, e0 = starts[sel][0], ends[sel][0]
        ws.conditional_format(first + s0, 0, first + e0, last_col,
                              {"type": "formula", "criteria": "=TRUE", "format": fmt,
                               "multi_range": " ".join(ranges)})


def _write_sheet(ws, formats: Formats, frame: pd.DataFrame, *, title: str, header_row: int,
                 row_fill, tab_colour, number_formats, widths, freeze_cols, autofilter, landscape,
                 bold_last_row, fill_mode, hidden) -> None:
    cols = [_prepare(frame.iloc[:, i], str(c), number_formats.get(str(c))) for i, c in enumerate(frame.columns)]
    for i, col in enumerate(cols):
        width = widths.get(col.name) or min(max(col.width + 2, MIN_WIDTH), MAX_WIDTH)
        ws.set_column(i, i, width, None, {"hidden": True} if col.name in hidden else None)
    if tab_colour:
        ws.set_tab_color(styles.hex_colour(tab_colour))
    if title:
        ws.write_string(0, 0, title, formats.title())
    if cols:
        _write_header(ws, formats, frame.columns, header_row)
    ws.freeze_panes(header_row + 1, freeze_cols)
    n = len(frame)
    _write_rows(ws, formats, cols, header_row + 1, n, row_fill, bold_last_row, fill_mode)
    if autofilter and cols:
        ws.autofilter(header_row, 0, header_row + max(n, 0), len(cols) - 1)
    # print: landscape, fit to page width, header row repeated, page numbers
    if landscape:
        ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header("&C&A")
    ws.set_footer("&C第 &P 页，共 &N 页")
