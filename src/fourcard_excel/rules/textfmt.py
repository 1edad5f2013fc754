"""Vectorised Chinese text for classification results: figures with thousands separators,
reason templates filled per household, "；"/"、"-joined lists built per distinct pattern.

Strings are numpy object arrays; work is done once per distinct pattern of present fragments
(usually a few dozen), so a million households cost a few object concatenations each.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .expr import Namespace, Text
from .ruleset import template_parts

_LUT = np.array([str(i) for i in range(1000)], dtype=object)
_LUT_COMMA = np.array([f",{i:03d}" for i in range(1000)], dtype=object)
_FRAC = np.array([""] + [f".{i:02d}".rstrip("0") for i in range(1, 100)], dtype=object)


def format_numbers(x: np.ndarray) -> np.ndarray:
    """Numbers as text: thousands separators, at most 2 decimals, no trailing zeros; NaN -> ""."""
    x = np.asarray(x, dtype="float64")
    out = np.full(len(x), "", dtype=object)
    ok = np.isfinite(x)
    if not ok.any():
        return out
    v = x[ok]
    big = np.abs(v) >= 1e12
    scaled = np.abs(np.where(big, 0.0, v)) * 100
    cents = np.round(scaled).astype(np.int64)
    ties = np.flatnonzero(np.abs(scaled % 1 - 0.5) < 1e-6)  # near half a cent: round like str.format
    if len(ties):
        cents[ties] = [round(float(f"{abs(val):.2f}") * 100) for val in v[ties]]
    ip, fr = cents // 100, cents % 100
    s = np.empty(len(v), dtype=object)
    bounds = [(0, 10**3), (10**3, 10**6), (10**6, 10**9), (10**9, 10**12)]
    for groups, (lo, hi) in enumerate(bounds, start=1):
        sel = (ip >= lo) & (ip < hi)
        if not sel.any():
            continue
        q = ip[sel]
        text = _LUT[q // 10 ** (3 * (groups - 1))]
        for g in range(groups - 2, -1, -1):
            text = text + _LUT_COMMA[(q // 10 ** (3 * g)) % 1000]
        s[sel] = text
    frac = fr != 0
    if frac.any():
        s[frac] = s[frac] + _FRAC[fr[frac]]
    neg = (v < 0) & (cents > 0)
    if neg.any():
        s[neg] = "-" + s[neg]
    if big.any():
        s[big] = np.array([f"{val:,.2f}".rstrip("0").rstrip(".") for val in v[big]], dtype=object)
    out[ok] = s
    return out


STATIC_LIMIT = 4096  # Text columns with at most this many values are rendered per value


def _static_codes(value: object, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """(codes over ``rows``, texts) when a value has few distinct texts there, else None."""
    if isinstance(value, Text):
        sub = value.take(rows)
        if len(sub.uniques) <= STATIC_LIMIT:
            return sub.codes, sub.uniques
        return None
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return value[rows].astype(np.int64), np.array(["否", "是"], dtype=object)
    return None


def _scalar_text(value: object) -> str | None:
    """Text of a constant (threshold, set), or None for a column."""
    if isinstance(value, (bool, np.bool_)):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return str(format_numbers(np.array([value], dtype="float64"))[0])
    if isinstance(value, (tuple, list)):
        return "、".join(map(str, value))
    if isinstance(value, str):
        return value
    return None


def _segment(value: object, rows: np.ndarray, prefix: str, suffix: str) -> np.ndarray:
    """prefix + text of ``value`` at ``rows`` + suffix, built on distinct values only."""
    if isinstance(value, Text):
        sub = value.take(rows)
        codes, texts = sub.codes, sub.uniques
    elif isinstance(value, np.ndarray) and value.dtype == object:
        codes, uniq = pd.factorize(value[rows], use_na_sentinel=False)
        texts = np.asarray(uniq, dtype=object)
    elif isinstance(value, np.ndarray) and value.dtype == bool:
        codes, texts = value[rows].astype(np.int64), np.array(["否", "是"], dtype=object)
    else:
        codes, uniq = pd.factorize(np.asarray(value, dtype="float64")[rows], use_na_sentinel=False)
        texts = format_numbers(np.asarray(uniq, dtype="float64"))
    if prefix:
        texts = prefix + texts
    if suffix:
        texts = texts + suffix
    return np.asarray(texts, dtype=object)[np.asarray(codes)]


def render(pieces: Sequence[tuple[str, str | None]], ns: Namespace, rows: np.ndarray,
           fixed: dict[str, str] | None = None) -> np.ndarray | str:
    """Fill a template's (literal, name) pieces for ``rows``: an object array, or one string when
    every piece is constant. ``fixed`` gives the text of names constant over these rows."""
    fixed = fixed or {}
    merged: list[object] = []  # str literals and column values, adjacent literals merged
    for lit, name in pieces:
        items: list[object] = [lit] if lit else []
        if name is not None:
            if name in fixed:
                items.append(fixed[name])
            else:
                value = ns.get(name)
                const = _scalar_text(value)
                items.append(const if const is not None else value)
        for item in items:
            if isinstance(item, str) and merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + item
            else:
                merged.append(item)
    if not merged:
        return ""
    if len(merged) == 1 and isinstance(merged[0], str):
        return merged[0]
    # segments: (prefix literal, column, suffix literal only for the last column)
    segments: list[np.ndarray] = []
    prefix = ""
    columns = [i for i, item in enumerate(merged) if not isinstance(item, str)]
    for i, item in enumerate(merged):
        if isinstance(item, str):
            prefix = item if i < columns[-1] else prefix
            continue
        suffix = merged[i + 1] if i == columns[-1] and i + 1 < len(merged) else ""
        segments.append(_segment(item, rows, prefix, suffix))
        prefix = ""
    acc = segments[0]
    for seg in segments[1:]:
        acc = acc + seg
    return acc


def join_templates(out: np.ndarray, rows: np.ndarray, masks: Sequence[np.ndarray],
                   templates: Sequence[str], ns: Namespace, sep: str = "；") -> None:
    """For each row in ``rows``, write into ``out`` the templates whose mask holds, joined by sep.

    ``masks`` are bool arrays over ``rows``. Rows are grouped by which templates apply and by the
    values of low-cardinality placeholders (text, yes/no), so those are rendered once per group.
    """
    if len(rows) == 0 or not templates:
        return
    parsed = [template_parts(t) for t in templates]
    key = np.zeros(len(rows), dtype=np.int64)
    for j, m in enumerate(masks):
        key |= np.asarray(m, dtype=np.int64) << j
    radix_total = 1 << len(masks)
    static: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in dict.fromkeys(n for parts in parsed for _, n in parts if n is not None):
        sc = _static_codes(ns.get(name), rows)
        radix = max(len(sc[1]), 1) if sc is not None else 0
        if sc is None or radix_total * radix >= 2**62:
            continue
        key = key * radix + sc[0]
        radix_total *= radix
        static[name] = sc
    for _, members in _groups(key):
        first = members[0]
        pieces: list[tuple[str, str | None]] = []
        bits = 0
        for j, m in enumerate(masks):
            bits |= int(m[first]) << j
        for j, parts in enumerate(parsed):
            if bits >> j & 1:
                if pieces:
                    pieces.append((sep, None))
                pieces.extend(parts)
        fixed = {name: str(texts[codes[first]]) for name, (codes, texts) in static.items()}
        r = rows[members]
        out[r] = render(pieces, ns, r, fixed) if pieces else ""


def join_names(bits: np.ndarray, names: Sequence[str], sep: str = "、") -> Text:
    """For each bitmask value, the names of its set bits joined by ``sep`` (as a ``Text``)."""
    codes = np.zeros(len(bits), dtype=np.int64)
    texts: list[str] = []
    for pattern, members in _groups(bits):
        codes[members] = len(texts)
        texts.append(sep.join(name for j, name in enumerate(names) if pattern >> j & 1))
    return Text(codes=codes, uniques=np.array(texts or [""], dtype=object))


def _groups(bits: np.ndarray):
    """(value, positions) for each distinct value of an int array, in first-seen order.

    Factorise (hash, O(n)) then a stable argsort of the small group codes (radix sort)."""
    if len(bits) == 0:
        return
    codes, uniq = pd.factorize(bits)
    if len(uniq) == 1:
        yield int(uniq[0]), np.arange(len(bits))
        return
    small = codes.astype(np.int16 if len(uniq) < 2**15 else np.int64)
    order = np.argsort(small, kind="stable")
    bounds = np.searchsorted(small[order], np.arange(len(uniq) + 1), side="left")
    for g, value in enumerate(uniq):
        yield int(value), order[bounds[g]:bounds[g + 1]]
