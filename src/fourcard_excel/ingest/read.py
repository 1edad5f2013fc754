"""Read one input file into raw tables: header found, aliases mapped, merges filled, source kept.

Values stay raw here (str/float/int as the cell held them: the cell type matters for IDs);
normalize.py and validate.py turn them into typed columns and Issues.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import python_calamine as calamine

from ..issues import IssueLog
from ..registry import (
    HOUSEHOLD_COUNT_KEYS,
    NOTE_MARKERS,
    SOURCE_ROW,
    TABLE_KINDS,
    TOTAL_MARKERS,
    alias_table,
    ignored_header,
    normalize_header,
    present,
    required_keys,
)
from .discover import InputFile
from .normalize import carry_block, share_block

HEADER_SCAN_ROWS = 30
MIN_HEADER_MATCHES = 3
SKIP_SHEET_WORDS = ("说明", "填表", "示例", "样表", "字典", "下拉", "选项")


@dataclass
class RawTable:
    kind: str  # roster / posts / villages / contacts
    file: str
    sheet: str
    frame: pd.DataFrame  # canonical keys + "extra:<header>" (raw values) + source_row
    headers: dict[str, str] = field(default_factory=dict)  # key -> the user's header text
    level: str = "member"  # roster only: member / household
    data_rows: int = 0
    header_row: int = 0  # Excel/CSV row number of the header
    unknown: list[str] = field(default_factory=list)  # headers carried as extra: (not ignored ones)
    kept_rows: int | None = None  # rows the frame held before release() (None: not released)

    @property
    def rows(self) -> int:
        """Rows of the frame, also after ``release``."""
        return len(self.frame) if self.kept_rows is None else self.kept_rows

    def release(self) -> None:
        """Drop the raw values once they are typed (members.py): the columns and ``rows`` stay."""
        self.kept_rows = self.rows
        self.frame = self.frame.iloc[0:0].copy()  # a copy: a 0-row view would keep the values alive


@dataclass
class Sheet:
    name: str
    rows: list[list]
    merged: list[tuple[tuple[int, int], tuple[int, int]]]
    row_numbers: list[int] | None = None  # Excel/CSV row number of each entry (default: index + 1)


@lru_cache(maxsize=None)
def _aliases(kind: str) -> dict[str, str]:
    return alias_table(TABLE_KINDS[kind][0])


# ---------------------------------------------------------------- file → sheets


def load_sheets(f: InputFile, data: bytes, log: IssueLog) -> list[Sheet]:
    """Visible data sheets of a workbook or the one table of a CSV; problems logged as file issues."""
    if f.fmt in ("csv", "txt"):
        return _load_csv(f, data, log)
    try:
        wb = calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except calamine.PasswordError:
        _fail(f, log, "F004", f"工作簿“{f.rel}”设有打开密码，无法读取；请在 Excel/WPS 中取消密码后重新提交")
        return []
    except Exception as exc:  # CalamineError, ZipError, XmlError, ...: the file is broken
        _fail(f, log, "F005", f"文件“{f.rel}”无法读取（{type(exc).__name__}），可能已损坏；"
                              "请用 Excel/WPS 打开检查并重新另存为 .xlsx 后提交")
        return []
    sheets = []
    for meta in wb.sheets_metadata:
        name = meta.name
        if str(meta.visible) != "SheetVisibleEnum.Visible" or "WorkSheet" not in str(meta.typ):
            log.add("F011", f"工作表“{name}”是隐藏表或非数据表，已跳过", file=f.rel, sheet=name)
            continue
        if any(word in name for word in SKIP_SHEET_WORDS):
            log.add("F011", f"工作表“{name}”是填表说明/示例页，已跳过", file=f.rel, sheet=name)
            continue
        try:
            sh = wb.get_sheet_by_name(name)
            rows = sh.to_python(skip_empty_area=False)
            merged = list(sh.merged_cell_ranges or [])
        except Exception as exc:
            log.add("F005", f"工作表“{name}”无法读取（{type(exc).__name__}），可能已损坏", file=f.rel, sheet=name)
            continue
        sheets.append(Sheet(name, rows, merged))
    return sheets


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def decode_csv(data: bytes) -> str | None:
    """CSV bytes as text: UTF-16 with BOM (Excel's "Unicode 文本"), UTF-8 (with or without BOM),
    else GBK/GB18030; None when none fits."""
    if data.startswith(UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _load_csv(f: InputFile, data: bytes, log: IssueLog) -> list[Sheet]:
    text = decode_csv(data)
    if text is None:
        _fail(f, log, "F013", f"CSV 文件“{f.rel}”的编码无法识别；请用 Excel/WPS 另存为 .xlsx 或 UTF-8 CSV")
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    rows, numbers = [], []
    line = 1
    for record in reader:
        rows.append(record)
        numbers.append(line)
        line = reader.line_num + 1
    width = max((len(r) for r in rows), default=0)
    rows = [r + [""] * (width - len(r)) for r in rows]
    return [Sheet(f.path.stem, rows, [], numbers)]


def sniff_delimiter(text: str) -> str:
    """Tab for Excel's "Unicode 文本" / tab-separated text, else comma (counted on the first lines)."""
    head = text[:20000].splitlines()[:30]
    tabs = sum(line.count("\t") for line in head)
    commas = sum(line.count(",") for line in head)
    return "\t" if tabs > commas else ","


def text_table_like(data: bytes) -> bool:
    """A .txt worth reading: UTF-16 with BOM, or tab-separated lines."""
    if data.startswith(UTF16_BOMS):
        return True
    text = decode_csv(data[:20000])
    return text is not None and sniff_delimiter(text) == "\t"


def _fail(f: InputFile, log: IssueLog, code: str, reason: str) -> None:
    f.status, f.code, f.reason = "失败", code, reason
    log.add(code, reason, file=f.rel)


def _skip(f: InputFile, log: IssueLog, reason: str) -> None:
    f.status, f.code, f.reason = "已跳过", "F001", reason
    log.add("F001", reason, file=f.rel)


# ---------------------------------------------------------------- sheet → raw table


def _header_keys(cells: list, kind: str) -> list[str | None]:
    table = _aliases(kind)
    roster = kind in ("roster", "supplement")  # the ignore list is about roster exports
    return [table.get(normalize_header(c)) if isinstance(c, str) and c.strip() and not (roster and ignored_header(c))
            else None for c in cells]


def _combine(upper: list, lower: list) -> list:
    """Two-row header: the sub-header where there is one, else the (vertically merged) upper cell."""
    out = []
    for u, lo in zip(upper, lower):
        lo_s = lo.strip() if isinstance(lo, str) else ""
        u_s = u.strip() if isinstance(u, str) else ""
        out.append(lo_s or u_s)
    return out


def find_header(rows: list[list]) -> tuple[int, int, str, list] | None:
    """(first header row index, header row count, table kind, header texts) or None."""
    best = None  # (score, -nrows, -idx, nrows, kind, texts): most matches, then one row, then earliest
    limit = min(len(rows), HEADER_SCAN_ROWS)
    for i in range(limit):
        candidates = [(1, rows[i])]
        if i + 1 < len(rows):
            candidates.append((2, _combine(rows[i], rows[i + 1])))
        for nrows, texts in candidates:
            for kind in TABLE_KINDS:
                keys = [k for k in _header_keys(texts, kind) if k]
                score = len(set(keys))
                if score < MIN_HEADER_MATCHES:
                    continue
                cand = (score, -nrows, -i, nrows, kind, texts)
                if best is None or cand[:3] > best[:3]:
                    best = cand
    if best is None:
        return None
    _, _, neg_i, nrows, kind, texts = best
    return -neg_i, nrows, kind, texts


def _body(rows: list[list], merged, start: int, width: int) -> np.ndarray:
    """The data rows (from ``start``) as one object array of ``width`` columns, short rows padded
    with '' (a CSV's ragged rows), merged ranges filled (``_fill_merged``)."""
    body = rows[start:]
    arr = np.empty((len(body), width), dtype=object)
    if all(len(row) == width for row in body):  # a workbook's rows all have the sheet's width
        if len(body):
            arr[:] = body
    else:
        for i, row in enumerate(body):
            cells = row[:width]
            arr[i, : len(cells)] = cells
            if len(cells) < width:
                arr[i, len(cells):] = ""
    _fill_merged(arr, merged, start, len(rows))
    return arr


def _fill_merged(arr: np.ndarray, merged, start: int, nrows: int) -> None:
    """Copy each merged range's top-left value into the whole range, data area only (row
    ``start`` of the sheet is ``arr[0]``): one slice assignment per range."""
    width = arr.shape[1]
    for (r0, c0), (r1, c1) in merged:
        if r1 < start or (r0 == r1 and c0 == c1):
            continue
        r0 = max(r0, start)
        if r0 >= nrows or c0 >= width:  # nothing of the range is in the data area
            continue
        arr[r0 - start: min(r1, nrows - 1) - start + 1, c0: min(c1, width - 1) + 1] = arr[r0 - start, c0]


def _filled(frame: pd.DataFrame) -> np.ndarray:
    """Boolean 2-D array: the cell holds something ('' and None/NaN are empty)."""
    arr = frame.to_numpy(dtype=object)
    filled = ~pd.isna(arr)
    filled[filled] = arr[filled] != ""
    return filled


_SPACE_RUN = re.compile(r"\s+")


def _text_starts(frame: pd.DataFrame, markers: tuple[str, ...]) -> np.ndarray:
    """Rows where some text cell starts with a marker (spaces ignored), tested once per distinct value."""
    hit = np.zeros(len(frame), dtype=bool)
    first = frozenset(m[0] for m in markers)  # the first character after leading spaces must be one of these
    for j in range(frame.shape[1]):
        codes, uniques = pd.factorize(frame.iloc[:, j].to_numpy(dtype=object), use_na_sentinel=True)
        ok = np.fromiter((type(u) is str and u.lstrip()[:1] in first and _SPACE_RUN.sub("", u).startswith(markers)
                          for u in uniques), dtype=bool, count=len(uniques))
        if ok.any():
            hit |= np.append(ok, False)[codes]
    return hit


def non_data_rows(content: pd.DataFrame, carried_count: np.ndarray | None = None,
                  carried: pd.DataFrame | None = None, lead: pd.DataFrame | None = None,
                  content_count: np.ndarray | None = None) -> np.ndarray:
    """Blank rows, 合计/小计 rows and notes rows (填表人/审核人/填报日期…): not data. The carried
    (unread) columns come as a text block with its per-row count of filled cells, already known;
    ``content_count``: the same count for ``content`` when already known."""
    count = _filled(content).sum(axis=1) if content_count is None else content_count
    if carried_count is not None:
        count = count + carried_count
    drop = count == 0
    sparse = np.flatnonzero((count > 0) & (count <= 3))
    if len(sparse):
        if carried is not None:
            content = pd.concat([content, carried], axis=1)
        sub = content.iloc[sparse]
        blankish = ~sub.map(lambda v: isinstance(v, str) and v.strip() != "" or
                            (v is not None and not isinstance(v, str) and v == v)).any(axis=1).to_numpy()
        notes = _text_starts(sub, NOTE_MARKERS)
        drop[sparse[blankish | notes]] = True
    drop |= _text_starts(content.iloc[:, :4] if lead is None else lead, TOTAL_MARKERS)
    return drop


def sheet_to_table(sheet: Sheet, file: str, log: IssueLog) -> RawTable | None:
    """Detect the header, map columns, drop non-data rows. None when the sheet holds no table."""
    rows = sheet.rows
    found = find_header(rows)
    if found is None:
        if any(any(str(c).strip() for c in r) for r in rows[:HEADER_SCAN_ROWS]):
            log.add("F011", f"工作表“{sheet.name}”中没有找到花名册表头，已跳过", file=file, sheet=sheet.name)
        return None
    start, nrows, kind, texts = found
    data_start = start + nrows
    numbers = sheet.row_numbers or list(range(1, len(rows) + 1))

    keys = _header_keys(texts, kind)
    headers: dict[str, str] = {}
    names: list[str] = []
    unknown: list[str] = []
    for j, (key, text) in enumerate(zip(keys, texts)):
        text = str(text).strip() if text is not None else ""
        if key and key not in headers:
            headers[key] = text
            names.append(key)
        elif key:
            log.add("F012", f"列“{text}”与列“{headers[key]}”含义相同，仅使用前者，此列原样保留",
                    file=file, sheet=sheet.name, row=numbers[start], column=text)
            names.append(f"extra:{text}#{j + 1}")
        elif text:
            name = f"extra:{text}"
            names.append(name if name not in names else f"{name}#{j + 1}")
            if not ignored_header(text):
                unknown.append(text)
        else:
            names.append("")
    if kind == "roster" and is_supplement(headers):
        kind = "supplement"
    if unknown:  # one note per sheet, not one per column (an export has dozens)
        shown = "、".join(f"“{t}”" for t in unknown[:30]) + ("等" if len(unknown) > 30 else "")
        log.add("F010", f"{len(unknown)}列不是{TABLE_KINDS[kind][1]}标准列，已原样保留到 members.csv："
                        f"{shown}", file=file, sheet=sheet.name, row=numbers[start], column="、".join(unknown))

    arr = _body(rows, sheet.merged, data_start, len(names))  # one object array; columns are views of it
    body_rows = len(arr)
    unnamed = [j for j, n in enumerate(names) if n == "" and _filled(pd.DataFrame(arr[:, [j]])).any()]
    for j in unnamed:  # a column with data but no header is kept, never dropped silently
        names[j] = f"extra:第{j + 1}列"
        log.add("F010", f"第{j + 1}列有数据但没有列名，已原样保留到输出；请补上列名", file=file,
                sheet=sheet.name, row=numbers[start], column=f"第{j + 1}列")
    used = [j for j, n in enumerate(names) if n != ""]
    known = [j for j in used if not names[j].startswith("extra:")]
    extra = [j for j in used if names[j].startswith("extra:")]
    lead = [j for j in used[:4]]  # where a 合计/小计 row says so, in sheet order
    known_count = np.zeros(body_rows, dtype=np.int64)
    if known:  # equal texts held once: several times smaller here, in the pickle and in the parent
        arr[:, known], known_count = share_block(arr[:, known])
    frame = pd.DataFrame({names[j]: arr[:, j] for j in known}, dtype=object)
    block, carried_count = (carry_block(arr[:, extra]) if extra else (None, None))  # unread: text, once
    lead_frame = pd.DataFrame({names[j]: (block[:, extra.index(j)] if j in extra else arr[:, j]) for j in lead},
                              dtype=object)
    carried_frame = pd.DataFrame(block, columns=[names[j] for j in extra], dtype=object) if extra else None
    keep = ~non_data_rows(frame, carried_count, carried_frame, lead_frame, known_count)
    frame = frame.loc[keep].reset_index(drop=True)
    if extra:
        frame = pd.concat([frame, pd.DataFrame(block[keep], columns=[names[j] for j in extra], dtype=object)],
                          axis=1)
    frame[SOURCE_ROW] = np.asarray(numbers[data_start:data_start + body_rows], dtype=np.int64)[keep]

    level = "member"
    if kind == "roster" and "relation" not in headers:
        level = "household"
    table = RawTable(kind=kind, file=file, sheet=sheet.name, frame=frame, headers=headers, level=level,
                     data_rows=len(frame), header_row=numbers[start], unknown=unknown)
    missing = [k for k in required_keys(level) if not present(k, headers)] if kind == "roster" else \
        [c.key for c in TABLE_KINDS[kind][0] if c.required and c.key not in headers]
    if missing:
        _report_missing(missing, kind, level, file, sheet.name, numbers[start], log)
        table.frame = frame.iloc[0:0]
    return table


def is_supplement(headers: dict[str, str]) -> bool:
    """A 补充信息表: 乡镇 + 户编号 or 户主证件号码 + some household field, and no member or income
    structure of a roster (与户主关系, the incomes, household-level counts)."""
    structure = ("relation", "wage_income", "business_income", "transfer_income", *HOUSEHOLD_COUNT_KEYS)
    ident = "household_id" in headers or "id_number" in headers
    fields = set(headers) - {"township", "village", "group", "household_id", "id_number", "name"}
    return "township" in headers and ident and bool(fields) and not any(k in headers for k in structure)


def _report_missing(missing, kind, level, file, sheet, row, log: IssueLog) -> None:
    cols = {c.key: c for c in TABLE_KINDS[kind][0]}
    what = TABLE_KINDS[kind][1] + ("（家庭级）" if kind == "roster" and level == "household" else "")
    for key in missing:
        col = cols[key]
        accepted = "、".join(col.all_names)
        log.add("F009", f"{what}缺少必填列“{col.label}”（可用列名：{accepted}），本工作表未读取；"
                        "请补上此列后重新提交", file=file, sheet=sheet, row=row, column=col.label)


def read_file(f: InputFile, data: bytes, log: IssueLog) -> list[RawTable]:
    """Every table found in one input file (rosters and side tables).

    A .txt (Excel's "Unicode 文本") is read when it is UTF-16 with BOM or tab-separated and holds a
    table header; any other .txt is skipped (F001), never a failure."""
    if f.fmt == "txt" and not text_table_like(data):
        _skip(f, log, "文本文件（.txt）不是 Excel 导出的“Unicode 文本”或制表符分隔表格，已跳过")
        return []
    tables = []
    for sheet in load_sheets(f, data, log):
        table = sheet_to_table(sheet, f.rel, log)
        if table is not None:
            tables.append(table)
    if f.status != "失败" and not tables and f.fmt == "txt":
        _skip(f, log, "文本文件（.txt）中没有找到表头，已跳过")
    elif f.status != "失败" and not tables:
        _fail(f, log, "F008", f"文件“{f.rel}”中没有找到花名册表头（如“姓名、证件号码、与户主关系”），"
                              "请使用标准模板或检查表头行")
    return tables
