"""补充信息表: a side table that fills or overrides household fields of the rosters.

A county adds what a national export lacks (the exclusion facts, 教育支出, a corrected 户类别…)
without editing the export: one row per household, 乡镇 + 户编号 or 户主证件号码, then any household
field of the roster. Applied to the members frame after household fields were taken from the head
row and derived (national.py), before household facts are built. Every value that changes what the
roster itself said is listed (H006); a row whose household is not found is a warning (H007).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..issues import IssueLog, located
from ..registry import BY_KEY, HOUSEHOLD, MONEY, SOURCE_FILE, SOURCE_ROW, SOURCE_SHEET, YESNO
from .normalize import coerce, id_text, to_text
from .read import RawTable

KEY_COLUMNS = ("township", "village", "group", "household_id", "id_number", "name")


def _show(values: pd.Series, kind: str) -> pd.Series:
    if kind == YESNO:
        return pd.Series(np.where(values.to_numpy(dtype=bool), "是", "否"), index=values.index)
    if kind == MONEY:
        return values.map(lambda v: "" if pd.isna(v) else f"{v:g}")
    return values.astype(str)


def apply_supplements(tables: list[RawTable], m: pd.DataFrame, headers: dict[int, dict[str, str]],
                      card_names, log: IssueLog) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Fill/override household fields of ``m`` (in place) from every 补充信息表 in ``tables``.

    Returns (per roster file: the keys a supplement supplied for *all* of that file's households,
    which are not reported missing; per key: the hh_keys it was filled for)."""
    supplied: dict[str, set[str]] = {}
    by_key: dict[str, set[str]] = {}
    sups = [t for t in tables if t.kind == "supplement" and len(t.frame)]
    if not sups or not len(m):
        return supplied, by_key
    heads = m.loc[m["is_head"].to_numpy(dtype=bool), ["hh_key", "township", "household_id", "id_number"]
                  ].drop_duplicates("hh_key")
    by_hid = pd.Series(heads["hh_key"].to_numpy(), index=heads["township"] + "|" + heads["household_id"])
    by_hid = by_hid[heads["household_id"].to_numpy() != ""]
    by_id = pd.Series(heads["hh_key"].to_numpy(), index=heads["township"] + "|" + heads["id_number"])
    by_hid = by_hid[~by_hid.index.duplicated()]
    by_id = by_id[~by_id.index.duplicated()]
    for t in sups:
        raw = t.frame
        src = pd.DataFrame({SOURCE_FILE: t.file, SOURCE_SHEET: t.sheet,
                            SOURCE_ROW: raw[SOURCE_ROW].astype("int64")}, index=raw.index)
        town = to_text(raw["township"])
        hid = to_text(raw["household_id"]) if "household_id" in raw else pd.Series("", index=raw.index)
        pid = id_text(raw["id_number"])[0] if "id_number" in raw else pd.Series("", index=raw.index)
        key = (town + "|" + hid).map(by_hid)
        key = key.where(key.notna(), (town + "|" + pid).map(by_id))
        found = key.notna().to_numpy()
        src["hh_key"], src["township"] = key.fillna("").astype(str), town
        if (~found).any():
            ident = hid.where(hid != "", pid)
            log.add_frame("H007", located(src, ~found, t.headers.get("household_id", t.headers.get("id_number", "")),
                                          ident, "补充信息表中的这一户在花名册中找不到（按乡镇＋户编号或户主证件号码对应），"
                                                 "其补充信息未使用；请核对乡镇名称和编号"))
        fields = [k for k in t.headers if k not in KEY_COLUMNS and BY_KEY[k].level == HOUSEHOLD]
        filled_total = 0
        for k in fields:
            col = BY_KEY[k]
            values, bad = coerce(raw[k], col, card_names)
            text = to_text(raw[k])
            use = found & (text != "").to_numpy() & ~bad.to_numpy()
            if bad.any():
                log.add_frame("V002" if col.kind not in (MONEY,) else "V003",
                              located(src, bad.to_numpy(), t.headers[k], text,
                                      f"补充信息表中“{col.label}”的值无法识别，未使用"))
            if not use.any():
                continue
            new = pd.Series(values.to_numpy()[use], index=key[use].to_numpy())
            new = new[~new.index.duplicated(keep="last")]
            rows = m["hh_key"].isin(new.index).to_numpy()
            # one row per household, only the columns needed (not a copy of the wide frame's rows)
            first = m.loc[rows, ["hh_key", k, "_table"]].drop_duplicates("hh_key").set_index("hh_key")
            old = first[k]
            own = first["_table"].isin([n for n, h in headers.items() if k in h])  # its roster has the column
            changed = (old.reindex(new.index).to_numpy() != new.to_numpy()) & own.reindex(new.index).to_numpy(dtype=bool)
            if changed.any():
                sel = src.loc[use].drop_duplicates("hh_key", keep="last").set_index("hh_key").reindex(new.index)
                sel = sel.reset_index()
                before = _show(old.reindex(new.index), col.kind).to_numpy()
                after = _show(new, col.kind).to_numpy()
                msg = "补充信息表将花名册中的“" + col.label + "”由“" + before + "”改为“" + after + "”"
                log.add_frame("H006", located(sel, changed, t.headers[k], after, msg))
            m.loc[rows, k] = m.loc[rows, "hh_key"].map(new).to_numpy()
            filled_total += len(new)
            by_key.setdefault(k, set()).update(new.index)
        if filled_total:
            names = "、".join(BY_KEY[k].label for k in fields)
            log.add("F016", f"补充信息表为花名册中的{int(found.sum())}户补充了：{names}", file=t.file, sheet=t.sheet)
    files = m[SOURCE_FILE]
    supplied = {file: set() for file in files.unique()}
    for k, hh_keys in by_key.items():  # a key is supplied for a file when every household got it
        everywhere = m["hh_key"].isin(hh_keys).groupby(files).all()
        for file in everywhere.index[everywhere.to_numpy(dtype=bool)]:
            supplied[file].add(k)
    return supplied, by_key
