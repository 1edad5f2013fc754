"""An xlsxwriter-compatible workbook over ``rvgsrust_xlsxwriter`` (the Rust ``rust_xlsxwriter``).

``styles.new_workbook`` returns one of these when the Rust writer is installed (and
``FOURCARD_WRITER`` does not say ``xlsxwriter``). It offers the subset of xlsxwriter's API that the
``write/`` layer and the checks' sheets use — ``add_format(dict)``, ``add_worksheet``,
``worksheets()``, ``add_chart(dict)``, ``set_properties``, ``set_custom_property``, ``close()`` and on a worksheet the
``write*`` calls, ``merge_range``, ``set_column``/``set_row``, panes, filter, print setup, tab
colour, ``data_validation`` (lists) and ``insert_chart`` — so code written against xlsxwriter runs
unchanged and the workbooks are the same in content (benchmarks/bench_writers.py,
tests/test_writer_backends.py). Anything outside the subset raises ``AttributeError`` or
``NotImplementedError``; use ``styles.new_workbook(..., engine="xlsxwriter")`` for such a book.

The per-cell ``write*`` methods are the native ones (bound at creation), so the hot loop in
``sheet._write_rows`` pays no Python wrapper per cell: that is where the speed comes from. Fewer
calls still: ``columnar`` worksheets take a column's run of one format in one ``write_column``
(in-memory sheets), ``row_runs`` ones a row's run of one format in one ``write_row_run``.

Bytes are reproducible: rust_xlsxwriter stamps the current time into ``docProps/core.xml``;
``close`` replaces that member with one dated ``created`` and holding the text properties as
xlsxwriter writes them (copying every other member's compressed bytes unchanged), so equal input
gives byte-identical files, as with xlsxwriter. Custom properties (not in the binding) are added
the same way as ``docProps/custom.xml``. Row heights are rounded to whole pixels as xlsxwriter does.
Known differences that a user cannot see: whole numbers are stored as ``1.0`` (not ``1``) and an
empty string is written as a formatted blank cell.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import rvgsrust_xlsxwriter as rx
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

CORE_XML = "docProps/core.xml"
CUSTOM_XML = "docProps/custom.xml"
CONTENT_TYPES = "[Content_Types].xml"
PACKAGE_RELS = "_rels/.rels"
_BORDERS = {0: None, 1: "thin", 2: "medium", 3: "dashed", 4: "dotted", 5: "thick", 6: "double", 7: "hair"}


# --- formats ---------------------------------------------------------------------------------

def make_format(workbook, props: dict):
    """A native Format from an xlsxwriter property dict (the keys this project uses)."""
    f = workbook.add_format()
    for key, value in props.items():
        if value is None or value is False:
            continue
        if key == "border":
            style = _BORDERS.get(int(value))
            if style:
                f = f.set_border(style)
        elif key in ("top", "bottom", "left", "right"):
            style = _BORDERS.get(int(value))
            if style:
                f = getattr(f, f"set_{key}_border")(style)
        elif key == "border_color":
            f = f.set_border_color(value)
        elif key == "bg_color":
            f = f.set_background_color(value)
        elif key == "fg_color":
            f = f.set_foreground_color(value)
        elif key == "pattern":
            f = f.set_pattern("solid" if int(value) == 1 else "none")
        elif key == "num_format":
            f = f.set_num_format(str(value))
        elif key == "font_color":
            f = f.set_font_color(value)
        elif key == "font_size":
            f = f.set_font_size(float(value))
        elif key == "font_name":
            f = f.set_font_name(value)
        elif key in ("bold", "italic", "text_wrap", "quote_prefix", "shrink"):
            f = getattr(f, f"set_{key}")()
        elif key == "underline":
            f = f.set_underline()
        elif key == "align":
            f = f.set_align(value)
        elif key == "valign":
            f = f.set_vertical_align(value)
        elif key == "indent":
            f = f.set_indent(int(value))
        elif key == "rotation":
            f = f.set_rotation(int(value))
        elif key == "locked":
            f = f.set_locked() if value else f.set_unlocked()
        else:
            raise NotImplementedError(f"rustbook: format property {key!r} is not mapped")
    return f


# --- charts ----------------------------------------------------------------------------------

def _sheet_ref(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _range(spec) -> str:
    """xlsxwriter's [sheet, r1, c1, r2, c2] / [sheet, r, c] or a formula string → a formula."""
    if isinstance(spec, str):
        return spec if spec.startswith("=") else "=" + spec
    sheet, *cells = spec
    if len(cells) == 2:
        return f"={_sheet_ref(sheet)}!{xl_rowcol_to_cell(cells[0], cells[1], True, True)}"
    r1, c1, r2, c2 = cells
    a = xl_rowcol_to_cell(r1, c1, True, True)
    b = xl_rowcol_to_cell(r2, c2, True, True)
    return f"={_sheet_ref(sheet)}!{a}:{b}"


class Chart:
    """Collects xlsxwriter-style chart calls; built natively when inserted."""

    def __init__(self, options: dict) -> None:
        kind = options.get("type", "column")
        sub = options.get("subtype")
        self.kind = f"{kind}_{sub}" if sub in ("stacked", "percent_stacked") else kind
        self.series: list[dict] = []
        self.options: dict = {}

    def add_series(self, options: dict) -> None:
        self.series.append(dict(options))

    def __getattr__(self, name):
        if name.startswith("set_"):
            return lambda options: self.options.__setitem__(name[4:], dict(options))
        raise AttributeError(name)

    def build(self):
        # the native chart objects change in place and return None: no chaining
        chart = rx.Chart(self.kind)
        for s in self.series:
            ser = rx.ChartSeries()
            ser.set_values(_range(s["values"]))
            if "categories" in s:
                ser.set_categories(_range(s["categories"]))
            if "name" in s:
                name = s["name"]
                ser.set_name(_range(name) if isinstance(name, (list, tuple)) else str(name))
            fmt = _chart_format(s)
            if fmt is not None:
                ser.set_format(fmt)
            if "points" in s:
                ser.set_points([_point(p) for p in s["points"]])
            labels = s.get("data_labels")
            if labels:
                lab = rx.ChartDataLabel()
                for key, method in (("value", "show_value"), ("category", "show_category_name"),
                                    ("series_name", "show_series_name"), ("percentage", "show_percentage"),
                                    ("leader_lines", "show_leader_lines")):
                    if labels.get(key):
                        getattr(lab, method)()
                ser.set_data_label(lab)
            chart.push_series(ser)
        o = self.options
        if "title" in o and o["title"].get("name"):
            chart.set_title_name(o["title"]["name"])
        for axis in ("x_axis", "y_axis"):
            if axis in o:
                if o[axis].get("name"):
                    getattr(chart, f"set_{axis}_name")(o[axis]["name"])
                if o[axis].get("reverse"):
                    getattr(chart, f"set_{axis}_reverse")()
                if o[axis].get("num_format"):
                    getattr(chart, f"set_{axis}_num_format")(str(o[axis]["num_format"]))
                for key in ("min", "max", "major_unit"):
                    if o[axis].get(key) is not None:
                        getattr(chart, f"set_{axis}_{key}")(float(o[axis][key]))
        if "legend" in o and o["legend"].get("position"):
            if o["legend"]["position"] == "none":
                chart.set_legend_hidden()
            else:
                chart.set_legend_position(o["legend"]["position"])
        if "size" in o:
            if "width" in o["size"]:
                chart.set_width(int(o["size"]["width"]))
            if "height" in o["size"]:
                chart.set_height(int(o["size"]["height"]))
        return chart


def _chart_format(options: dict):
    fill, border = options.get("fill"), options.get("border")
    if not fill and not border:
        return None
    fmt = rx.ChartFormat()
    if fill and fill.get("color"):
        fmt.set_fill_color(fill["color"])
    if border and border.get("color"):
        fmt.set_border_color(border["color"])
    return fmt


def _point(options: dict):
    point = rx.ChartPoint()
    fmt = _chart_format(options or {})
    if fmt is not None:
        point.set_format(fmt)
    return point


# --- worksheet -------------------------------------------------------------------------------

class Worksheet:
    """xlsxwriter-style worksheet; per-cell writes go straight to the native methods."""

    # ``write_column`` takes a whole run of cells in one native call (same cells as one ``write``
    # each): sheet._write_rows writes column by column when a worksheet says so. Not in
    # constant-memory mode, where rows must come in order (an earlier row is refused).
    columnar = True

    # ``write_row_run(row, col, values, fmt)``: adjacent cells of one row sharing a format in one
    # native call (the same cells as one ``write`` each), used where rows must come in order
    row_runs = True

    def __init__(self, native, constant_memory: bool = False) -> None:
        self.native = native
        self.constant_memory = constant_memory  # as xlsxwriter's worksheets say it
        if constant_memory:
            self.columnar = False
        self.write_row_run = native.write_row
        w = native.write
        # bound once: the hot loop calls these per cell without a Python wrapper
        self.write = self.write_string = self.write_number = self.write_blank = w
        self.write_boolean = self.write_datetime = w

    def get_name(self) -> str:
        return self.native.name

    @property
    def name(self) -> str:
        return self.native.name

    def write_row(self, row, col, data, cell_format=None):
        self.native.write_row(row, col, list(data), cell_format)

    def write_column(self, row, col, data, cell_format=None):
        self.native.write_column(row, col, data if isinstance(data, list) else list(data), cell_format)

    def merge_range(self, first_row, first_col, last_row, last_col, data, cell_format=None):
        self.native.merge_range(first_row, first_col, last_row, last_col, data, cell_format)

    def set_column(self, first_col, last_col, width=None, cell_format=None, options=None):
        for c in range(first_col, last_col + 1):
            if width is not None:
                self.native.set_column_width(c, float(width))
            if cell_format is not None:
                self.native.set_column_format(c, cell_format)
            if options and options.get("hidden"):
                self.native.set_column_hidden(c)

    def set_row(self, row, height=None, cell_format=None, options=None):
        if height is not None:  # in whole pixels, as xlsxwriter rounds it (22 pt → 29 px = 21.75 pt)
            self.native.set_row_height_pixels(row, int(float(height) * 4.0 / 3.0 + 0.5))
        if cell_format is not None:
            self.native.set_row_format(row, cell_format)
        if options and options.get("hidden"):
            self.native.set_row_hidden(row)

    def set_tab_color(self, colour):
        self.native.set_tab_color(colour)

    def freeze_panes(self, row, col=0, *_):
        self.native.freeze_panes(row, col)

    def autofilter(self, first_row, first_col, last_row, last_col):
        self.native.autofilter(first_row, first_col, last_row, last_col)

    def set_landscape(self):
        self.native.set_landscape()

    def set_portrait(self):
        self.native.set_portrait()

    def set_paper(self, paper):
        self.native.set_paper_size(int(paper))

    def fit_to_pages(self, width, height):
        self.native.set_print_fit_to_pages(int(width), int(height))

    def repeat_rows(self, first_row, last_row=None):
        self.native.set_repeat_rows(first_row, first_row if last_row is None else last_row)

    def set_margins(self, left=0.7, right=0.7, top=0.75, bottom=0.75):
        self.native.set_margins(left, right, top, bottom, 0.3, 0.3)  # xlsxwriter's header/footer

    def set_header(self, header="", *_):
        self.native.set_header(header)

    def set_footer(self, footer="", *_):
        self.native.set_footer(footer)

    def print_area(self, first_row, first_col, last_row, last_col):
        self.native.set_print_area(first_row, first_col, last_row, last_col)

    def hide(self):
        self.native.hide()

    def set_h_pagebreaks(self, breaks):
        self.native.set_page_breaks([int(b) for b in breaks])

    def center_horizontally(self):
        self.native.set_print_center_horizontally(True)

    def hide_gridlines(self, option=1):
        """xlsxwriter's options: 0 show all, 1 hide printed gridlines (the default anyway), 2 hide
        on screen and printed."""
        self.native.set_print_gridlines(option == 0)
        self.native.set_screen_gridlines(option != 2)

    def insert_chart(self, row, col, chart: Chart, options=None):
        opts = options or {}
        self.native.insert_chart(row, col, chart.build(), int(opts.get("x_offset", 0)),
                                 int(opts.get("y_offset", 0)))

    def data_validation(self, first_row, first_col, last_row, last_col, options: dict):
        dv = rx.DataValidation()
        kind = options.get("validate")
        if kind != "list":
            raise NotImplementedError(f"rustbook: data validation {kind!r} is not mapped")
        source = options["source"]
        if isinstance(source, str):
            dv.allow_list_formula(source)
        else:
            dv.allow_list_strings([str(v) for v in source])
        if options.get("input_title"):
            dv.set_input_title(options["input_title"])
        if options.get("input_message"):
            dv.set_input_message(options["input_message"])
        if options.get("error_title"):
            dv.set_error_title(options["error_title"])
        if options.get("error_message"):
            dv.set_error_message(options["error_message"])
        if options.get("error_type", "stop") != "stop":
            dv.set_error_style(options["error_type"])
        for key, method in (("ignore_blank", "ignore_blank"), ("dropdown", "show_dropdown"),
                            ("show_input", "show_input_message"), ("show_error", "show_error_message")):
            if key in options:
                getattr(dv, method)(bool(options[key]))
        self.native.add_data_validation(first_row, first_col, last_row, last_col, dv)

    def conditional_format(self, first_row, first_col, last_row, last_col, options: dict):
        """Only the formula type (``sheet.FILL_MODE = "conditional"`` uses it)."""
        if options.get("type") != "formula":
            raise NotImplementedError(f"rustbook: conditional format {options.get('type')!r} is not mapped")
        cf = rx.ConditionalFormatFormula()
        cf.set_rule(options["criteria"])
        cf.set_format(options["format"])
        if options.get("multi_range"):
            cf.set_multi_range(options["multi_range"])
        self.native.add_conditional_format(first_row, first_col, last_row, last_col, cf)


# --- workbook --------------------------------------------------------------------------------

class Workbook:
    """xlsxwriter-style workbook saved to ``path`` on ``close()``."""

    engine = "rust"

    def __init__(self, path, options: dict | None = None) -> None:
        self.path = Path(path)
        self.options = dict(options or {})
        self.native = rx.Workbook()
        tmpdir = self.options.get("tmpdir")
        if tmpdir:
            self.native.set_tempdir(str(tmpdir))
        self._sheets: list[Worksheet] = []
        self._props: dict = {}
        self._custom: list[tuple[str, str, str]] = []
        self._closed = False

    def add_format(self, props: dict | None = None):
        return make_format(self.native, props or {})

    def add_worksheet(self, name: str | None = None) -> Worksheet:
        constant_memory = bool(self.options.get("constant_memory"))
        ws = Worksheet(self.native.add_worksheet(name, constant_memory), constant_memory)
        self._sheets.append(ws)
        return ws

    def worksheets(self) -> list[Worksheet]:
        return list(self._sheets)

    def add_chart(self, options: dict) -> Chart:
        return Chart(options)

    def set_properties(self, props: dict) -> None:
        """xlsxwriter's document properties (title, subject, author, keywords, comments, created);
        like xlsxwriter, each call replaces the previous set."""
        self._props = dict(props)
        text = {k: str(props[k]) for k in ("title", "author", "subject", "keywords", "comments")
                if props.get(k)}
        self.native.set_properties(**text)

    def set_custom_property(self, name: str, value, property_type: str | None = None) -> None:
        """A custom document property (docProps/custom.xml), typed as xlsxwriter types it."""
        if name is None or value is None:
            raise ValueError("rustbook: set_custom_property needs a name and a value")
        if property_type is None:
            if isinstance(value, bool):
                property_type = "bool"
            elif isinstance(value, dt.datetime):
                property_type = "date"
            elif isinstance(value, int):
                property_type = "number_int"
            elif isinstance(value, float):
                property_type = "number"
            else:
                property_type = "text"
        if property_type == "bool":
            value = str(value).lower()
        elif property_type == "date":
            value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
        self._custom.append((str(name), str(value), property_type))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        data = self.native.save_to_buffer()
        created = self._props.get("created")
        if created is not None or self._custom:
            replace = {}
            if created is not None:
                replace[CORE_XML] = core_xml(_as_datetime(created), self._props)
            data = rewrite_members(data, replace, {CUSTOM_XML: custom_xml(self._custom)} if self._custom else {})
        self.path.write_bytes(data)


# --- reproducible bytes ----------------------------------------------------------------------

def _as_datetime(created: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(created, dt.datetime):
        return created
    return dt.datetime(created.year, created.month, created.day)


def core_xml(created: dt.datetime, props: dict | str = "") -> bytes:
    """docProps/core.xml as xlsxwriter writes it: ``props`` holds title, subject, author,
    keywords, comments (empty ones left out, the author always written); a str is the author."""
    if isinstance(props, str):
        props = {"author": props}
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    author = escape(str(props.get("author") or ""))

    def opt(tag: str, key: str) -> str:
        value = props.get(key)
        return f"<{tag}>{escape(str(value))}</{tag}>" if value else ""

    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"{opt('dc:title', 'title')}{opt('dc:subject', 'subject')}"
        f"<dc:creator>{author}</dc:creator>"
        f"{opt('cp:keywords', 'keywords')}{opt('dc:description', 'comments')}"
        f"<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>'
    ).encode("utf-8")


_VT = {"number_int": "vt:i4", "number": "vt:r8", "date": "vt:filetime", "bool": "vt:bool", "text": "vt:lpwstr"}


def custom_xml(properties: list[tuple[str, str, str]]) -> bytes:
    """docProps/custom.xml as xlsxwriter writes it (pid from 2, in the order set)."""
    body = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name={quoteattr(name)}>'
        f"<{_VT[kind]}>{escape(value)}</{_VT[kind]}></property>"
        for pid, (name, value, kind) in enumerate(properties, start=2))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{body}</Properties>"
    ).encode("utf-8")


def fix_created(data: bytes, created: dt.datetime | dt.date, author: str = "fourcard-excel") -> bytes:
    """The xlsx ``data`` with its docProps/core.xml dated ``created`` (UTC, to the second)."""
    return replace_member(data, CORE_XML, core_xml(_as_datetime(created), author))


def replace_member(data: bytes, name: str, content: bytes) -> bytes:
    """Replace one member of a zip archive, copying the others' compressed bytes unchanged."""
    return rewrite_members(data, {name: content})


def _deflate(content: bytes) -> bytes:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    return comp.compress(content) + comp.flush()


def _with_parts(data: bytes, added: dict[str, bytes]) -> dict[str, bytes]:
    """The [Content_Types].xml and _rels/.rels contents announcing the ``added`` parts (only
    docProps/custom.xml is known)."""
    if not added:
        return {}
    if set(added) != {CUSTOM_XML}:
        raise NotImplementedError(f"rustbook: adding {sorted(added)} is not mapped")
    src = zipfile.ZipFile(io.BytesIO(data))
    types = src.read(CONTENT_TYPES).decode("utf-8")
    rels = src.read(PACKAGE_RELS).decode("utf-8")
    types = types.replace("</Types>", '<Override PartName="/docProps/custom.xml" ContentType='
                          '"application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>')
    rid = rels.count("<Relationship ") + 1
    rels = rels.replace("</Relationships>", f'<Relationship Id="rId{rid}" Type="http://schemas.openxmlformats.org'
                        '/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
                        "</Relationships>")
    return {CONTENT_TYPES: types.encode("utf-8"), PACKAGE_RELS: rels.encode("utf-8")}


def rewrite_members(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """A zip archive with the ``replace`` members' contents replaced and the ``add`` members
    appended (a new part is also announced in [Content_Types].xml and _rels/.rels); every other
    member's compressed bytes are copied unchanged, so the result is reproducible."""
    add = dict(add or {})
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0:
        raise ValueError("not a zip archive")
    count, cd_size, cd_offset = struct.unpack("<HII", data[eocd + 10:eocd + 20])
    if cd_offset == 0xFFFFFFFF or count == 0xFFFF:  # zip64: rebuild the slow way
        return _replace_member_slow(data, {**replace, **_with_parts(data, add)}, add)
    records = []
    pos = cd_offset
    for _ in range(count):
        n, m, k = struct.unpack("<HHH", data[pos + 28:pos + 34])
        records.append(bytearray(data[pos:pos + 46 + n + m + k]))
        pos += 46 + n + m + k
    replace = {**replace, **_with_parts(data, add)}
    offsets = sorted(struct.unpack("<I", bytes(r[42:46]))[0] for r in records) + [cd_offset]
    out = bytearray()
    central = bytearray()

    def local(rec: bytearray, fname: bytes, content: bytes) -> None:
        body = _deflate(content)
        crc = zlib.crc32(content) & 0xFFFFFFFF
        dostime, dosdate = struct.unpack("<HH", bytes(rec[12:16]))
        struct.pack_into("<I", rec, 42, len(out))
        out.extend(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, dostime, dosdate, crc,
                               len(body), len(content), len(fname), 0) + fname + body)
        struct.pack_into("<HH", rec, 8, 0, 8)
        struct.pack_into("<III", rec, 16, crc, len(body), len(content))

    template = None
    for rec in records:
        n = struct.unpack("<H", bytes(rec[28:30]))[0]
        fname = bytes(rec[46:46 + n])
        old = struct.unpack("<I", bytes(rec[42:46]))[0]
        key = fname.decode("utf-8", "replace")
        if key == CORE_XML or template is None:
            template = rec
        if key in replace:
            local(rec, fname, replace[key])
        else:
            end = offsets[offsets.index(old) + 1]
            struct.pack_into("<I", rec, 42, len(out))
            out += data[old:end]
        central += rec
    for name, content in add.items():  # new members: central record modelled on core.xml's
        fname = name.encode("utf-8")
        rec = bytearray(template[:46]) + fname
        struct.pack_into("<HHH", rec, 28, len(fname), 0, 0)
        local(rec, fname, content)
        central += rec
    tail = bytearray(data[eocd:])
    total = count + len(add)
    struct.pack_into("<HHII", tail, 8, total, total, len(central), len(out))
    return bytes(out + central + tail)


def _replace_member_slow(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, replace[info.filename] if info.filename in replace else src.read(info))
        for name, content in (add or {}).items():
            dst.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


__all__ = ["Workbook", "Worksheet", "Chart", "custom_xml", "fix_created", "make_format",
           "replace_member", "rewrite_members",
           "xl_col_to_name"]
