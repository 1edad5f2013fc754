"""Vectorised value normalisation: raw cells (str/float/int/…) → typed canonical columns.

Every function takes a Series of raw cell values and returns ``(values, bad)`` where ``bad`` is a
boolean mask of cells that could not be understood (reported by validate.py, never dropped
silently). Blank cells are never "bad" here; required-ness is checked by the schema.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .registry import CARD, CODE, ENUM, ID, INT, MONEY, MULTI, TEXT, YESNO, Column

_TRUE = {"是", "Y", "YES", "√", "✓", "✔", "1", "有", "TRUE", "对"}
_FALSE = {"否", "N", "NO", "×", "✗", "✘", "0", "无", "FALSE", "", "不是", "没有"}
_MULTI_SPLIT = r"[、，,;；/\s]+"


def is_number_cell(raw: pd.Series) -> pd.Series:
    """True where the cell arrived as a number (float/int, not bool) rather than text."""
    if raw.dtype != object or pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):
        if raw.dtype.kind in "fiu":
            return pd.Series(True, index=raw.index) & raw.notna()
        return pd.Series(False, index=raw.index)
    return pd.Series([isinstance(v, (int, float)) and not isinstance(v, bool) for v in raw],
                     index=raw.index, dtype=bool)


def to_text(raw: pd.Series) -> pd.Series:
    """Cells as trimmed NFKC text; numbers without a spurious '.0'; blanks as ''."""
    obj = raw.astype(object)
    num = is_number_cell(obj)
    out = obj.where(~obj.isna(), "")
    if num.any():
        vals = obj[num].astype(float)
        whole = np.isfinite(vals) & (vals == np.round(vals)) & (vals.abs() < 1e19)
        as_text = vals.astype(object).map(repr)
        as_text[whole] = vals[whole].map(lambda v: str(int(v)))
        out = out.copy()
        out[num] = as_text
    s = out.astype(str)
    s = s.str.normalize("NFKC").str.strip()
    s = s.str.replace("\u3000", " ", regex=False).str.replace(r"[\r\n\t]+", " ", regex=True)
    return s


def parse_money(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """'1,234', '1234元', '1 234.5' → float; blank → 0.0 (townships leave zero incomes blank)."""
    cleaned = text.str.replace(r"[,\s元￥¥]", "", regex=True)
    cleaned = cleaned.str.replace(r"^人民币", "", regex=True)
    values = pd.to_numeric(cleaned.where(cleaned != "", "0"), errors="coerce")
    bad = values.isna()
    return values.fillna(0.0).astype("float64"), bad


def parse_int(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    cleaned = text.str.replace(r"[,\s人岁个]", "", regex=True)
    blank = cleaned == ""
    values = pd.to_numeric(cleaned.where(~blank, None), errors="coerce")
    bad = (values.isna() & ~blank) | (values.notna() & (values != np.round(values)))
    values = values.where(~bad)
    return values.round().astype("Int64"), bad


def parse_yesno(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    up = text.str.upper()
    yes = up.isin(_TRUE)
    no = up.isin(_FALSE)
    return yes.astype(bool), ~(yes | no)


def _lookup_table(col: Column) -> dict[str, str]:
    table = {v: v for v in col.allowed}
    table.update(col.variants)
    return table


def parse_enum(text: pd.Series, col: Column) -> tuple[pd.Series, pd.Series]:
    table = _lookup_table(col)
    mapped = text.map(table)
    blank = text == ""
    bad = mapped.isna() & ~blank
    return mapped.fillna("").astype(str).where(~bad, ""), bad


def parse_multi(text: pd.Series, col: Column) -> tuple[pd.Series, pd.Series]:
    """Several allowed values in one cell → canonical values joined by '、' in registry order."""
    table = _lookup_table(col)
    order = {v: i for i, v in enumerate(col.allowed)}
    parts = text.str.split(_MULTI_SPLIT, regex=True).explode()
    parts = parts[parts.notna() & (parts != "")]
    mapped = parts.map(table)
    bad_parts = mapped.isna()
    bad = bad_parts.groupby(level=0).any().reindex(text.index, fill_value=False)
    good = mapped[~bad_parts & (mapped != "")]
    if len(good):
        frame = pd.DataFrame({"v": good.to_numpy(), "o": good.map(order).to_numpy()},
                             index=good.index)
        frame = frame.reset_index().drop_duplicates().sort_values(["index", "o"], kind="stable")
        joined = frame.groupby("index", sort=False)["v"].agg("、".join)
        out = joined.reindex(text.index, fill_value="").astype(str)
    else:
        out = pd.Series("", index=text.index, dtype="str")
    return out, bad.astype(bool)


def parse_card(text: pd.Series, card_names: tuple[str, ...] | list[str]) -> tuple[pd.Series, pd.Series]:
    """'红卡', '红卡户', '红' → '红卡' (for whatever cards the rules file names)."""
    table: dict[str, str] = {}
    for name in card_names:
        stem = name[:-1] if name.endswith("卡") else name
        for variant in (name, name + "户", stem, stem + "色", stem + "卡户"):
            table[variant] = name
    stripped = text.str.replace(r"^[□☑✓√■]+", "", regex=True)
    mapped = stripped.map(table)
    blank = stripped == ""
    bad = mapped.isna() & ~blank
    return mapped.fillna("").astype(str).where(~bad, ""), bad


_SCI_RE = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


def id_text(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """ID cells as text, and a mask of cells that arrived as numbers (digits lost: corrupted).

    Decided from the cell's type, never from its digits. A CSV cell in scientific notation
    (what Excel writes for such a cell) counts as a number cell too.
    """
    numeric = is_number_cell(raw)
    text = to_text(raw)
    text = text.str.replace(r"\s+", "", regex=True).str.upper()
    sci = text.str.match(_SCI_RE)
    return text, (numeric | sci)


def coerce(raw: pd.Series, col: Column, card_names=()) -> tuple[pd.Series, pd.Series]:
    """Normalise one raw column according to its registry kind → (values, bad mask)."""
    text = to_text(raw)
    kind = col.kind
    if kind in (TEXT, CODE):
        return text, pd.Series(False, index=raw.index)
    if kind == MONEY:
        return parse_money(text)
    if kind == INT:
        return parse_int(text)
    if kind == YESNO:
        return parse_yesno(text)
    if kind == ENUM:
        return parse_enum(text, col)
    if kind == MULTI:
        return parse_multi(text, col)
    if kind == CARD:
        return parse_card(text, card_names or col.allowed)
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
