"""Workbook options, cached cell formats, colours and safe names for files and sheets."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path

import pandas as pd
import xlsxwriter

# Never turn input text into formulas, links or numbers (PITFALLS: Writing).
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

YES_TEXT, NO_TEXT = "是", "否"

HEADER_BG = "#1F4E78"
HEADER_FG = "#FFFFFF"
BORDER_COLOUR = "#BFBFBF"
TITLE_SIZE = 13

# Neutral styling for the non-card sheets
NOT_CARDED_TAB = "#A6A6A6"
UNDETERMINED_TAB = "#595959"
UNDETERMINED_FILL = "#EDEDED"
LEVEL_FILLS = {"错误": "#FCE4E4", "警告": "#FFF2CC", "提示": ""}
STATUS_FILLS = {"失败": "#FCE4E4", "已跳过": "#EDEDED", "已处理": ""}

NUMBER_FORMATS = {
    "int": "0",
    "money": "#,##0.00",
    "float": "#,##0.00",
    "pct": "0.0%",
    "date": "yyyy-mm-dd",
    "text": "@",
}

# Text that would become live in Excel or a CSV consumer if retyped: = + - @ or a control char.
INJECTION_RE = r"^[=+\-@\x00-\x1f\x7f]"

SEP = _SEP = "\x1e"  # record separator: joins a column for a one-pass scan
_LIVE_JOINED = re.compile(_SEP + "[=+\\-@\x00-\x1d\x1f\x7f]")

MAX_ROWS = 1_048_576
MAX_CELL_CHARS = 32_767

_HEX_RE = re.compile(r"^#?([0-9A-Fa-f]{6})$")


ENV_WRITER = "FOURCARD_WRITER"  # "rust" (default when installed) or "xlsxwriter"


def writer_engine(engine: str | None = None) -> str:
    """Which writer ``new_workbook`` uses: ``engine``, else ``$FOURCARD_WRITER``, else "rust" when
    rvgsrust-xlsxwriter is installed (about 3x faster, same content: benchmarks/bench_writers.py),
    else "xlsxwriter"."""
    import os

    choice = (engine or os.environ.get(ENV_WRITER, "") or "rust").strip().lower()
    if choice not in ("rust", "xlsxwriter"):
        raise ValueError(f"{ENV_WRITER} 只能是 rust 或 xlsxwriter，收到 {choice!r}")
    if choice == "rust":
        try:
            import rvgsrust_xlsxwriter  # noqa: F401
        except ImportError:
            return "xlsxwriter"
    return choice


def new_workbook(path: Path | str, *, tmpdir: Path | str | None = None, constant_memory: bool = False,
                 created: dt.date | dt.datetime | None = None, engine: str | None = None):
    """A workbook with the safe string options, xlsxwriter's API (``Workbook.add_format`` with a
    property dict, ``add_worksheet``, ``write_*``...).

    ``engine`` (see ``writer_engine``): "rust" gives a ``rustbook.Workbook`` (rust_xlsxwriter
    behind xlsxwriter's API subset: what ``write_frame``/``write_block`` and the workbooks here
    use; strings are never formulas, links or numbers there either); "xlsxwriter" the original.
    xlsxwriter's book is built in memory (shared strings, no scratch files) unless
    ``constant_memory=True`` (flat memory for a huge single book; rows in order, which
    ``write_frame`` does); ``tmpdir`` keeps scratch files inside the output folder. ``created``
    fixes the document date so reruns produce byte-identical workbooks (both engines).
    """
    options = dict(SAFE_OPTIONS)
    options["constant_memory"] = constant_memory
    options["in_memory"] = not constant_memory
    if tmpdir is not None:
        options["tmpdir"] = str(tmpdir)
    if writer_engine(engine) == "rust":
        from .rustbook import Workbook

        wb = Workbook(path, options)
    else:
        wb = xlsxwriter.Workbook(str(path), options)
    if created is not None:
        if not isinstance(created, dt.datetime):
            created = dt.datetime(created.year, created.month, created.day)
        wb.set_properties({"created": created, "author": "fourcard-excel", "comments": ""})
    return wb


def hex_colour(colour: str | None, default: str = "#808080") -> str:
    """'#RRGGBB' in upper case, or ``default`` for anything unusable."""
    m = _HEX_RE.match(str(colour or "").strip())
    return f"#{m.group(1).upper()}" if m else default


def tint(colour: str, amount: float = 0.75) -> str:
    """A light tint of ``colour`` (mixed with white) so that black text on it stays readable."""
    c = hex_colour(colour)
    rgb = [int(c[i:i + 2], 16) for i in (1, 3, 5)]
    mixed = [round(v + (255 - v) * amount) for v in rgb]
    return "#" + "".join(f"{v:02X}" for v in mixed)


def card_colour(rules, name: str, default: str = "#808080") -> str:
    try:
        return hex_colour(rules.colour(name), default)
    except Exception:  # noqa: BLE001 - an unknown card keeps neutral styling
        return default


class Formats:
    """Creates each distinct cell format once per workbook (formats are costly to create per cell)."""

    def __init__(self, workbook, base: dict | None = None) -> None:
        self.workbook = workbook
        self.base = base if base is not None else {"border": 1, "border_color": BORDER_COLOUR,
                                                   "valign": "vcenter"}
        self._cache: dict[tuple, object] = {}

    def get(self, **props):
        key = tuple(sorted(props.items()))
        fmt = self._cache.get(key)
        if fmt is None:
            fmt = self.workbook.add_format({**self.base, **props})
            self._cache[key] = fmt
        return fmt

    def cell(self, kind: str, fill: str = "", quote: bool = False, number_format: str | None = None):
        props: dict = {"num_format": number_format or NUMBER_FORMATS.get(kind, "General")}
        if kind == "text":
            props.pop("num_format")  # General keeps text editable; cell type is string anyway
        if fill:
            props["bg_color"] = fill
            props["pattern"] = 1
        if quote:
            props["quote_prefix"] = True
        return self.get(**props)

    def header(self):
        return self.get(bold=True, font_color=HEADER_FG, bg_color=HEADER_BG, pattern=1,
                        text_wrap=True, align="center")

    def title(self):
        fmt = self._cache.get(("__title__",))
        if fmt is None:
            fmt = self._cache[("__title__",)] = self.workbook.add_format({"bold": True,
                                                                          "font_size": TITLE_SIZE})
        return fmt

    def total(self, kind: str):
        props = {"bold": True, "bg_color": "#F2F2F2", "pattern": 1}
        if kind != "text":
            props["num_format"] = NUMBER_FORMATS.get(kind, "General")
        return self.get(**props)


# --- names -----------------------------------------------------------------------------------

_FILE_BAD = re.compile(r'[<>:"/\\|?*\x00-\x1f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def safe_filename(name: object, used: set[str] | None = None, default: str = "未命名") -> str:
    """A file-name stem valid on Windows (no <>:\"/\\|?*, no trailing dot/space, no CON/PRN...).

    ``used`` (lower-cased stems already taken) makes the result unique with a ``_2`` suffix.
    """
    s = unicodedata.normalize("NFC", str(name or ""))
    s = _FILE_BAD.sub("_", s).strip().rstrip(". ")
    if not s:
        s = default
    if s.split(".")[0].upper() in _RESERVED:
        s = "_" + s
    s = s[:100]
    if used is not None:
        base, n = s, 2
        while s.lower() in used:
            s = f"{base}_{n}"
            n += 1
        used.add(s.lower())
    return s


def safe_sheet_name(name: object, used: set[str] | None = None, default: str = "表") -> str:
    """A sheet name Excel accepts: ≤31 chars, none of []:*?/\\, not starting/ending with ', unique."""
    s = _SHEET_BAD.sub("_", str(name or "")).strip().strip("'")
    if not s or s.lower() == "history":
        s = s + "_" if s else default
    s = s[:31]
    if used is not None:
        base, n = s, 2
        while s.lower() in used:
            suffix = f"({n})"
            s = base[: 31 - len(suffix)] + suffix
            n += 1
        used.add(s.lower())
    return s


def text_width(values: pd.Series) -> pd.Series:
    """Display width of text: CJK/full-width characters count 2."""
    s = values.astype("str")
    return s.str.len() + s.str.count(r"[^\x00-\x7f]")


_LIVE_ONE = re.compile(INJECTION_RE)


def is_live(text: str) -> bool:
    """``live_text`` of one value: it starts with = + - @ or a control character."""
    return _LIVE_ONE.match(text) is not None


def live_flags(texts) -> list[bool]:
    """``live_text`` of a list of str as one flag per value (all False when none is live)."""
    mask = live_text(list(texts))
    return [False] * len(texts) if mask is None else mask.tolist()


def live_text(text: pd.Series):
    """Boolean array: which values (str, no NA) start with = + - @ or a control character;
    None when none do. A one-pass scan of the joined column skips the per-value regex in the
    usual case (about 4x faster on 200k rows)."""
    if not len(text):
        return None
    values = text.tolist() if isinstance(text, pd.Series) else list(text)
    joined = _SEP + _SEP.join(values)
    exact = joined.count(_SEP) == len(values)  # no value holds the separator itself
    if exact and _LIVE_JOINED.search(joined) is None:
        return None
    mask = pd.Series(values, dtype=object).str.contains(INJECTION_RE, regex=True).to_numpy(dtype=bool)
    return mask if mask.any() else None
