"""帮扶措施台账 → one typed, matched frame: year, household position, measure code.

The ledger arrives as ``result.tables["ledger"]`` (registry.LEDGER_COLUMNS, typed by
ingest.side_tables: amounts already parsed, 措施类别 canonical, unknown ones reported as V002).
Households are matched by 户主证件号码 (any member's ID as a fallback), else 乡镇 + 户编号.
Everything is vectorised: merges and factorised lookups, no per-row Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...ingest.ids import normalize_ids
from ...registry import MEASURES
from ..contacts import parse_dates

MEASURE_CODE = {m: i for i, m in enumerate(MEASURES)}
_YEAR_RE = r"^\s*((?:19|20)\d{2})(?:\.0+)?\s*年?(?:度)?\s*$"


def _text(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    s = frame[key]
    if pd.api.types.is_string_dtype(s.dtype) and not s.hasnans:  # typed by ingest: "" for blanks
        return s
    return s.astype(object).where(s.notna(), "").astype(str).str.strip()


def parse_year(year: pd.Series, date: pd.Series) -> pd.Series:
    """年度 ('2024', '2024年', '2024年度', 2024.0) or else the year of 日期; <NA> when neither reads."""
    codes, uniques = pd.factorize(year.to_numpy(dtype=object), use_na_sentinel=True)
    found = pd.Series(uniques, dtype="str").str.extract(_YEAR_RE)[0]
    values = pd.to_numeric(found, errors="coerce").to_numpy(dtype="float64")
    out = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else np.nan, np.nan)
    missing = np.isnan(out)
    if missing.any():
        d_codes, d_uniques = pd.factorize(date.to_numpy(dtype=object)[missing], use_na_sentinel=True)
        parsed = parse_dates(pd.Series(d_uniques, dtype=object)).dt.year.to_numpy(dtype="float64")
        from_date = np.where(d_codes >= 0, parsed[np.maximum(d_codes, 0)] if len(parsed) else np.nan, np.nan)
        out[missing] = from_date
    return pd.Series(out, index=year.index).astype("Int64")


def household_index(households: pd.DataFrame, members: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """(ID → household position, '乡镇|户编号' → household position) lookups."""
    pos = pd.Series(np.arange(len(households)), index=households["hh_key"].astype(str).to_numpy())
    head = pd.Series(np.arange(len(households)), index=households["head_id"].astype(str).to_numpy())
    head = head[head.index != ""]
    by_id = head[~head.index.duplicated()]
    if members is not None and len(members) and "id_number" in members.columns:
        m_ids = members["id_number"].astype(str).to_numpy()
        m_pos = pos.reindex(members["hh_key"].astype(str).to_numpy()).to_numpy()
        ok = (m_ids != "") & ~np.isnan(m_pos)
        extra = pd.Series(m_pos[ok].astype(np.int64), index=m_ids[ok])
        extra = extra[~extra.index.duplicated() & ~extra.index.isin(by_id.index)]
        by_id = pd.concat([by_id, extra])
    hid = households["household_id"].astype(str).to_numpy()
    key = households["township"].astype(str).to_numpy() + "|" + hid
    by_code = pd.Series(np.arange(len(households)), index=key)[hid != ""]
    by_code = by_code[~by_code.index.duplicated()]
    return by_id, by_code


def prepare_ledger(ledger: pd.DataFrame, households: pd.DataFrame, members: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """The ledger with ``hh`` (household position, -1 unmatched), ``code`` (措施 index, -1 unknown),
    ``year`` (Int64), ``id`` (normalised 户主证件号码), amounts as float and source columns."""
    n = len(ledger)
    out = pd.DataFrame(index=pd.RangeIndex(n))
    for key in ("township", "village", "head_name", "household_id", "measure", "project", "note",
                "source_file", "source_sheet"):
        out[key] = _text(ledger, key).to_numpy()
    ids = _text(ledger, "head_id")
    if not pd.api.types.is_string_dtype(ids.dtype) or ids.dtype == object:  # not typed by ingest (id_text)
        ids = normalize_ids(ids)
    out["id"] = ids.to_numpy(dtype=object)
    for key in ("principal", "amount"):
        out[key] = (pd.to_numeric(ledger[key], errors="coerce").fillna(0.0).to_numpy(dtype="float64")
                    if key in ledger.columns else 0.0)
    out["covered"] = (pd.to_numeric(ledger["covered"], errors="coerce").astype("Int64").to_numpy()
                      if "covered" in ledger.columns else pd.array([pd.NA] * n, dtype="Int64"))
    out["source_row"] = (pd.to_numeric(ledger["source_row"], errors="coerce").astype("Int64").to_numpy()
                         if "source_row" in ledger.columns else pd.array([pd.NA] * n, dtype="Int64"))
    out["year"] = parse_year(_text(ledger, "year"), _text(ledger, "date")).to_numpy() if n else \
        pd.array([], dtype="Int64")
    codes, uniques = pd.factorize(out["measure"].to_numpy(dtype=object))
    lookup = np.array([MEASURE_CODE.get(u, -1) for u in uniques] + [-1], dtype=np.int64)
    out["code"] = lookup[codes]

    by_id, by_code = household_index(households, members)
    hh = by_id.reindex(out["id"].to_numpy()).to_numpy(dtype="float64", copy=True)
    no_id = np.isnan(hh)
    if no_id.any():
        keys = (out["township"] + "|" + out["household_id"]).to_numpy()[no_id]
        found = by_code.reindex(keys).to_numpy(dtype="float64", copy=True)
        found[out["household_id"].to_numpy()[no_id] == ""] = np.nan
        hh[no_id] = found
    out["hh"] = np.where(np.isnan(hh), -1, hh).astype(np.int64)
    return out
