"""Vectorised value normalisation: raw cells (str/float/int/…) → typed canonical columns.

Roster columns repeat few distinct values (enums, townships, amounts), so every parser works on
the *distinct* values of a column (``pd.factorize``) and maps the result back with one take: the
Python code runs once per distinct value, never once per row.

Every parser returns ``(values, bad)`` where ``bad`` marks cells that could not be understood
(reported by members.py, never dropped silently). Blank cells are never "bad" here; whether a
field may be blank is the schema's business.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..registry import CARD, CODE, ENUM, ID, INT, MONEY, MULTI, TEXT, YESNO, Column

_TRUE = {"是", "Y", "YES", "√", "✓", "✔", "1", "有", "TRUE", "对"}
_FALSE = {"否", "N", "NO", "×", "✗", "✘", "0", "无", "FALSE", "", "不是", "没有"}
_MULTI_SPLIT = re.compile(r"[、，,;；/\s]+")
_SPACES = re.compile(r"[\s\u3000]+")
_MONEY_JUNK = re.compile(r"[,\s元￥¥]|^人民币")
_INT_JUNK = re.compile(r"[,\s人岁个]")
_SCI_RE = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


class Distinct:
    """One raw column factorised once: its distinct values, each row's code, and (computed once,
    on demand) the ``cell_text`` of each distinct value. Every parser below takes a Series or a
    ``Distinct`` of it, so a caller that reads one column several ways (members.py) factorises it
    once. ``codes`` index ``uniques`` plus one last slot for missing cells (None/NaN)."""

    __slots__ = ("codes", "uniques", "index", "_texts", "_upper", "_plain")

    def __init__(self, raw: pd.Series):
        codes, uniques = pd.factorize(raw.to_numpy(dtype=object), use_na_sentinel=True)
        codes[codes < 0] = len(uniques)
        self.codes, self.uniques, self.index = codes, np.asarray(uniques, dtype=object), raw.index
        self._texts = self._upper = self._plain = None

    def results(self, func: Callable[[object], object], dtype=object) -> np.ndarray:
        """``func`` of each distinct value, and of None (missing) in the last slot."""
        out = np.empty(len(self.uniques) + 1, dtype=dtype)
        for i, u in enumerate(self.uniques):
            out[i] = func(u)
        out[-1] = func(None)
        return out

    def plain(self) -> np.ndarray:
        """Plain ASCII letters-and-digits strings (nearly every 户编号 and 证件号码: all distinct):
        their own text, no per-value parser needed."""
        if self._plain is None:
            self._plain = np.fromiter((type(v) is str and v.isascii() and v.isalnum() for v in self.uniques),
                                      dtype=bool, count=len(self.uniques))
        return self._plain

    def texts(self, upper: bool = False) -> np.ndarray:
        """``cell_text`` of each distinct value ('' last, for missing); upper-cased with ``upper``."""
        if upper and self._upper is not None:
            return self._upper
        if not upper and self._texts is not None:
            return self._texts
        plain = self.plain()
        texts = np.empty(len(self.uniques) + 1, dtype=object)
        texts[-1] = ""
        texts[:-1][plain] = [v.upper() for v in self.uniques[plain]] if upper else self.uniques[plain]
        if not plain.all():
            texts[:-1][~plain] = [cell_text(v) for v in self.uniques[~plain]]
        if upper:
            self._upper = texts
        else:
            self._texts = texts
        return texts

    def blank(self) -> np.ndarray:
        """Per distinct value (missing last): its text is '' (a number never is: no text made)."""
        if self._texts is not None:
            return self._texts == ""
        out = np.fromiter((type(u) not in (float, int) and cell_text(u) == "" for u in self.uniques), dtype=bool,
                          count=len(self.uniques))
        return np.append(out, True)

    def spread(self, per_value: np.ndarray) -> np.ndarray:
        """Per-distinct-value results (missing last) over the rows."""
        return per_value[self.codes]

    def text_series(self, per_value: np.ndarray) -> pd.Series:
        """Per-distinct-value texts (missing last) over the rows as a text Series."""
        return str_series(per_value, self.codes, self.index)


def distinct(raw: pd.Series | Distinct) -> Distinct:
    return raw if isinstance(raw, Distinct) else Distinct(raw)


_STR = pd.Series([], dtype="str").dtype  # resolved once (the package sets its storage)


def str_series(per_value: np.ndarray, codes: np.ndarray, index) -> pd.Series:
    """``per_value[codes]`` as a text Series."""
    return pd.Series(per_value[codes], index=index, dtype=_STR)


def cell_text(value: object) -> str:
    """One cell as trimmed NFKC text: numbers without a spurious '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value.isprintable() and " " not in value and unicodedata.is_normalized("NFKC", value):
            return value  # nothing to change (no whitespace: every other one is unprintable); most names
        s = value
    elif isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    elif isinstance(value, float):  # ASCII without spaces: nothing for NFKC or the space rules to change
        if value != value:
            return ""
        return str(int(value)) if value.is_integer() and abs(value) < 1e19 else repr(value)
    elif isinstance(value, (dt.datetime, pd.Timestamp)):
        s = value.strftime("%Y-%m-%d") if value.time() == dt.time(0) else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        s = value.isoformat()
    else:
        s = str(value)
    s = unicodedata.normalize("NFKC", s)
    return _SPACES.sub(" ", s).strip()


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and value == value


def to_text(raw: pd.Series | Distinct) -> pd.Series:
    d = distinct(raw)
    return d.text_series(d.texts())


def carry_block(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Carried (unread) columns as text, all at once: one factorisation of every cell of the 2-D
    object block, ``cell_text`` once per distinct non-text value, one take; also how many cells of
    each row hold something. These columns are only written back out (members.csv), never
    interpreted: text cells stay as the reader gave them (not NFKC), nothing is done per column."""
    codes, uniques = pd.factorize(values.ravel(), use_na_sentinel=True)
    texts = np.array([u if isinstance(u, str) else cell_text(u) for u in uniques] + [""], dtype=object)
    blank = texts == ""
    codes = codes.reshape(values.shape)
    return texts[codes], (~blank[codes]).sum(axis=1)


def share_block(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same cells, each distinct text held once (equal ``str`` cells become one object), and
    how many cells of each row hold something (not blank, not '', as ``carry_block`` counts), from
    one factorisation.

    A reader gives every cell its own string; a roster repeats few distinct values, so sharing
    them cuts the raw tables' memory several times (and what a worker pickles back). Only text
    cells are replaced, by an equal text (a ``str`` equals only a ``str``): numbers, dates and
    booleans keep their own objects and types, so nothing read from a cell changes."""
    flat = values.ravel()
    codes, uniques = pd.factorize(flat, use_na_sentinel=True)
    is_text = np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques))
    filled = np.append(~is_text | (uniques != ""), False)  # code -1 (None/NaN): empty
    is_text = np.append(is_text, False)
    out = flat.copy()
    sel = is_text[codes]
    out[sel] = uniques[codes[sel]]
    return out.reshape(values.shape), filled[codes].reshape(values.shape).sum(axis=1)


def _money(value: object) -> float | None:
    if _is_number(value):
        return float(value)
    text = _MONEY_JUNK.sub("", cell_text(value))
    if text == "":
        return 0.0
    try:
        return float(text)
    except ValueError:
        return None


def parse_money(raw: pd.Series | Distinct) -> tuple[pd.Series, pd.Series]:
    """'1,234', '1234元', '１２３４' → float; blank → 0.0 (townships leave zero incomes blank)."""
    d = distinct(raw)
    results = d.results(_money)
    bad = np.fromiter((v is None or v != v for v in results), dtype=bool, count=len(results))  # NaN too
    values = np.where(bad, 0.0, results).astype("float64")
    return pd.Series(d.spread(values), index=d.index), pd.Series(d.spread(bad), index=d.index)


def _int(value: object) -> float | None:
    if _is_number(value):
        number = float(value)
    else:
        text = _INT_JUNK.sub("", cell_text(value))
        if text == "":
            return np.nan
        try:
            number = float(text)
        except ValueError:
            return None
    return number if number == round(number) else None


def parse_int(raw: pd.Series | Distinct) -> tuple[pd.Series, pd.Series]:
    d = distinct(raw)
    results = d.results(_int)
    bad_u = np.fromiter((v is None for v in results), dtype=bool, count=len(results))
    values = pd.Series(d.spread(np.where(bad_u, np.nan, results).astype(float)), index=d.index)
    return values.round().astype("Int64"), pd.Series(d.spread(bad_u), index=d.index)


def _yesno(value: object) -> object:
    text = cell_text(value).upper()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def parse_yesno(raw: pd.Series | Distinct) -> tuple[pd.Series, pd.Series]:
    d = distinct(raw)
    results = d.results(_yesno)
    bad = np.fromiter((v is None for v in results), dtype=bool, count=len(results))
    yes = np.fromiter((v is True for v in results), dtype=bool, count=len(results))
    return pd.Series(d.spread(yes), index=d.index, dtype=bool), pd.Series(d.spread(bad), index=d.index)


def _lookup_table(col: Column) -> dict[str, str]:
    table = {v: v for v in col.allowed}
    table.update(col.variants)
    return table


def _from_pairs(raw: pd.Series | Distinct, func) -> tuple[pd.Series, pd.Series]:
    """``func`` returns (canonical text, ok) per distinct value."""
    d = distinct(raw)
    pairs = d.results(func)
    text = np.empty(len(pairs), dtype=object)
    ok = np.empty(len(pairs), dtype=bool)
    for i, (t, good) in enumerate(pairs):
        text[i], ok[i] = t, bool(good)
    return d.text_series(text), pd.Series(d.spread(~ok), index=d.index, dtype=bool)


def parse_enum(raw: pd.Series | Distinct, col: Column) -> tuple[pd.Series, pd.Series]:
    table = _lookup_table(col)

    def one(value):
        text = cell_text(value)
        if text == "":
            return table.get("", ""), True
        hit = table.get(text, table.get(text.replace(" ", "")))
        return (hit, True) if hit is not None else ("", False)

    return _from_pairs(raw, one)


def parse_multi(raw: pd.Series | Distinct, col: Column) -> tuple[pd.Series, pd.Series]:
    """Several allowed values in one cell → canonical values joined by '、' in registry order."""
    table = _lookup_table(col)
    order = {v: i for i, v in enumerate(col.allowed)}

    def one(value):
        found, ok = set(), True
        for part in _MULTI_SPLIT.split(cell_text(value)):
            if not part:
                continue
            hit = table.get(part)
            if hit is None:
                ok = False
            elif hit:
                found.add(hit)
        return "、".join(sorted(found, key=lambda v: order.get(v, 99))), ok

    return _from_pairs(raw, one)


def parse_card(raw: pd.Series | Distinct, card_names) -> tuple[pd.Series, pd.Series]:
    """'红卡', '红卡户', '红', '☑红卡' → '红卡' (for whatever cards the rules file names)."""
    table: dict[str, str] = {}
    for name in card_names:
        stem = name[:-1] if name.endswith("卡") else name
        for variant in (name, name + "户", stem, stem + "色", stem + "卡户"):
            table[variant] = name

    def one(value):
        text = cell_text(value).lstrip("□☑✓√■ ")
        if text == "":
            return "", True
        hit = table.get(text)
        return (hit, True) if hit is not None else ("", False)

    return _from_pairs(raw, one)


def id_text(raw: pd.Series | Distinct) -> tuple[pd.Series, pd.Series]:
    """ID cells as text, and a mask of cells that arrived as numbers (digits lost: corrupted).

    Decided from the cell's type, never from its digits. A CSV cell in scientific notation
    (what Excel writes for such a cell) counts as a number cell too.
    """

    d = distinct(raw)
    uniques, plain = d.uniques, d.plain()
    texts = d.texts(upper=True).copy()
    numeric = np.zeros(len(texts), dtype=bool)
    for i in np.flatnonzero(~plain):  # numbers and text needing the parser: space-free, upper-cased
        texts[i] = texts[i].replace(" ", "").upper()
        numeric[i] = _is_number(uniques[i])
    numeric |= np.fromiter((bool(_SCI_RE.match(t)) for t in texts), dtype=bool, count=len(texts))
    return d.text_series(texts), pd.Series(d.spread(numeric), index=d.index, dtype=bool)


def coerce(raw: pd.Series | Distinct, col: Column, card_names=()) -> tuple[pd.Series, pd.Series]:
    """Normalise one raw column according to its registry kind → (values, bad mask)."""
    kind = col.kind
    raw = distinct(raw)
    if kind in (TEXT, CODE):
        return to_text(raw), pd.Series(False, index=raw.index)
    if kind == MONEY:
        return parse_money(raw)
    if kind == INT:
        return parse_int(raw)
    if kind == YESNO:
        return parse_yesno(raw)
    if kind == ENUM:
        return parse_enum(raw, col)
    if kind == MULTI:
        return parse_multi(raw, col)
    if kind == CARD:
        return parse_card(raw, card_names or col.allowed)
    if kind == ID:
        values, _ = id_text(raw)
        return values, pd.Series(False, index=raw.index)
    raise ValueError(f"unknown column kind {kind!r}")


def default_value(col: Column, n: int, index=None) -> pd.Series:
    """The value an absent optional column takes."""
    if col.kind == MONEY:
        return pd.Series(0.0, index=index, dtype="float64")
    if col.kind == INT:
        return pd.Series(pd.NA, index=index, dtype="Int64")
    if col.kind == YESNO:
        return pd.Series(False, index=index, dtype=bool)
    return pd.Series("", index=index, dtype="str")
