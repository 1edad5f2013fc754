"""Raw roster tables → the members frame (contract 1): typed values, households assigned.

Coercion problems (a value that cannot be understood) become Issues here, with the user's own
column header, file, sheet and Excel row; the cell then counts as blank.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..issues import LOCATION_COLUMNS, IssueLog, located
from ..registry import (
    BY_KEY,
    COLUMNS,
    ENUM,
    HOUSEHOLD,
    ID,
    INT,
    MONEY,
    SOURCE_FILE,
    SOURCE_ROW,
    SOURCE_SHEET,
    TEXT,
)
from . import ids as idmod
from . import coverage, national, supplement
from .normalize import Distinct, coerce, default_value, id_text, to_text
from .read import RawTable

INCOME_KEYS = ("wage_income", "business_income", "property_income", "transfer_income")
DECLARED_MONEY = ("income_total_declared", "per_capita_declared", "net_income_declared")

_ID_MESSAGES = {
    idmod.EMPTY: ("I001", "证件号码为空；请填写18位身份证号码"),
    idmod.BAD_FORMAT: ("I002", "证件号码应为18位（前17位数字，末位数字或X）；请核对后重填"),
    idmod.BAD_CHECK: ("I003", "证件号码校验位错误（第18位与前17位不符），多为录入错误；请对照身份证核对"),
    idmod.BAD_DATE: ("I004", "证件号码中的出生日期无效；请对照身份证核对"),
}
NUMBER_ID_MESSAGE = ("证件号码以数字格式保存，Excel 只保留15位有效数字，后几位已丢失（显示值不可信）；"
                     "请将该列设为“文本”格式后，对照身份证重新录入")


LATER_COLUMNS = ("hh_key", "id_ok", "birth_date", "sex_calc", "age_calc")  # set once households are known
BAD_PREFIX = "_bad:"  # column holding the user's text of cells that could not be read ("" elsewhere)


def unreadable(col, read: bool = True) -> tuple[str, str]:
    """Issue code and Chinese message for a cell of ``col`` whose value could not be understood.

    ``read``: the rules (or the program) read this column, so the household cannot be classified
    safely (错误); otherwise the value is kept as written and noted (提示, V014)."""
    if not read:
        return "V014", f"“{col.label}”的值不是常用写法，已按原文保留；分类规则不读此列，不影响判定"
    if col.kind in (MONEY, INT):
        return "V003", f"“{col.label}”应填数字（可写“1,234”或“1234元”）；请改正"
    return "V002", f"“{col.label}”的值不在可选范围内，可填：{'、'.join(col.allowed)}"


def _typed_table(table: RawTable, card_names, read_keys=None) -> pd.DataFrame:
    """Coerce one table's columns. For a column with unreadable cells, ``_bad:<key>`` keeps the
    user's text of those cells (blank cells are never unreadable, so "" means fine). In a column
    the rules do not read (``read_keys``), an unreadable text value is kept as written."""
    raw = table.frame
    n = len(raw)
    out: dict[str, object] = {}  # columns, made a frame once at the end (no fragmented inserts)
    out[SOURCE_FILE] = repeated(table.file, n)
    out[SOURCE_SHEET] = repeated(table.sheet, n)
    out[SOURCE_ROW] = raw[SOURCE_ROW].astype("int64")
    out["roster_level"] = repeated(table.level, n)
    distinct: dict[str, Distinct] = {}  # each column factorised once, read as many ways as needed
    for col in COLUMNS:
        if col.key in raw.columns:
            d = distinct[col.key] = Distinct(raw[col.key])
            if col.kind == ID:
                values, numeric = id_text(d)
                values, from_id, long22 = national.split_disability_ids(values)
                out[col.key] = values
                out["_id_numeric"] = numeric
                out["_id_disability"] = from_id
                out["_id_22"] = long22
                continue
            values, mask = coerce(d, col, card_names)
            if col.key in DECLARED_MONEY:
                values = values.where(~d.spread(d.blank()))
            if mask.any():
                text = to_text(d)
                out[BAD_PREFIX + col.key] = text.where(mask.to_numpy(), "")
                if read_keys is not None and col.key not in read_keys and values.dtype == "str":
                    values = values.where(~mask.to_numpy(), text)  # kept as written
            out[col.key] = values
        else:
            if col.key in DECLARED_MONEY:
                out[col.key] = np.full(n, np.nan)
            else:
                out[col.key] = default_value(col, len(raw), raw.index)
            if col.kind == ID:
                out["_id_numeric"] = np.zeros(n, dtype=bool)
                out["_id_disability"] = pd.Series("", index=raw.index, dtype="str")
                out["_id_22"] = np.zeros(n, dtype=bool)
    out["health"], out["disability_grade"] = national.add_disability(out["health"], out["disability_grade"],
                                                                     out["_id_disability"])
    incomes_present = [k for k in INCOME_KEYS if k in raw.columns]
    if incomes_present:
        blank = np.ones(len(raw), dtype=bool)
        for k in incomes_present:
            blank &= distinct[k].spread(distinct[k].blank())
        out["_incomes_blank"] = blank
    else:
        out["_incomes_blank"] = np.ones(n, dtype=bool)
    frame = pd.DataFrame(out, index=raw.index)
    for key in (SOURCE_FILE, SOURCE_SHEET, "roster_level"):
        frame[key] = frame[key].astype("str")
    carried = [c for c in raw.columns if isinstance(c, str) and c.startswith("extra:")]
    if carried:  # already text (read.py); joined in one go
        frame = pd.concat([frame, raw[carried]], axis=1)
    return frame


def _assign_households(t: pd.DataFrame, table_no: int) -> pd.DataFrame:
    """Group rows of one table into households (户编号, else 户主 row + the rows after it)."""
    if t["roster_level"].iat[0] == "household":
        t["is_head"] = True
        seq = np.arange(1, len(t) + 1)
    else:
        t["is_head"] = (t["relation"] == "户主").to_numpy()
        seq = np.cumsum(t["is_head"].to_numpy())
    hid = t["household_id"].astype(str)
    has_hid = (hid != "").to_numpy()
    group = np.where(has_hid, "H:" + hid, np.where(seq > 0, f"S{table_no}:" + pd.Series(seq).astype(str).to_numpy(),
                                                    ""))
    t["_grp"] = f"T{table_no}|" + pd.Series(group, index=t.index)
    t.loc[~has_hid & (seq == 0), "_grp"] = ""
    return t


def build_members(tables: list[RawTable], as_of, card_names, log: IssueLog, read_keys=None
                  ) -> tuple[pd.DataFrame, dict[int, dict[str, str]]]:
    """All roster tables → one members frame (contract 1) and each table's header texts.

    Issues go to ``log``. The headers (table number → key → the user's header text) let later
    checks name columns as the user wrote them. ``read_keys`` (rules.facts.read_columns): the
    columns the rules read; an unknown value elsewhere is a 提示, not an 错误 (None: all read).
    Supplementary tables (补充信息表) among ``tables`` fill or override household fields.
    """
    parts = []
    headers = {}
    for n, table in enumerate(t for t in tables if t.kind == "roster" and t.rows):
        typed = _typed_table(table, card_names, read_keys)
        typed["_table"] = n
        parts.append(_assign_households(typed, n))
        headers[n] = table.headers
        table.release()  # its raw values are no longer needed: the peak is one raw table, not all
    if not parts:
        return empty_members(), {}
    m = stack_columns(parts)  # a dict of columns: one frame is made once, at the end
    del parts
    bad_columns = [c for c in m if c.startswith(BAD_PREFIX)]
    for c in bad_columns:
        m[c] = m[c].fillna("")

    # rows that belong to no household
    orphan = (m["_grp"] == "").to_numpy()
    if orphan.any():
        m["hh_key"] = pd.Series("", index=m["_grp"].index, dtype="str")
        log.add_frame("H004", located(pd.DataFrame({k: m[k] for k in LOCATION_COLUMNS if k in m}), orphan,
                                      column_header(headers, m, "relation"), m["relation"],
                                      "此行之前没有“户主”行，无法归入任何家庭；请补上户主行或填写户编号"))
        m = {k: v[~orphan].reset_index(drop=True) for k, v in m.items()}

    # the head row of each household gives the household-level fields
    # (positions only: no copy of the wide frame's head rows)
    grp = m.pop("_grp")  # one text per row, not kept: head_pos says where each row's household is
    n_rows = len(grp)
    is_head = m["is_head"].to_numpy(dtype=bool)
    head_at = np.flatnonzero(is_head)
    head_at = head_at[~grp.iloc[head_at].duplicated().to_numpy()]  # each group's first 户主 row
    src_head = np.zeros(n_rows, dtype=bool)  # the row household fields are read from
    src_head[head_at] = True
    src_head |= ~grp.duplicated().to_numpy() & ~grp.isin(grp.iloc[head_at]).to_numpy()  # else its first row
    src_at = np.flatnonzero(src_head)
    # every group has one source row: one lookup serves every column
    head_pos = src_at[pd.Index(grp.to_numpy()[src_at]).get_indexer(grp)]
    del grp

    def from_head(key: str) -> pd.Series:
        return m[key].take(head_pos)

    conflicts = []
    for col in COLUMNS:
        if col.level == HOUSEHOLD:
            head_values = from_head(col.key).to_numpy()
            if col.kind in (TEXT, ENUM, MONEY) and col.key not in ("township",):
                own = m[col.key]
                filled = (own != "") if col.kind != MONEY else (own.notna() & (own != 0))
                same = own.to_numpy() == head_values
                differs = filled.to_numpy(dtype=bool) & ~np.asarray(same, dtype=bool) & ~src_head
                if differs.any():
                    conflicts.append((col, differs, own))
            m[col.key] = pd.Series(head_values, index=own_index(m))
    m["_incomes_blank"] = pd.Series(from_head("_incomes_blank").to_numpy(), index=own_index(m))
    # the columns set below exist from the start: the frame (one block per column, not copied
    # into consolidated blocks) never gains a column, so it is never fragmented by inserts
    for key in LATER_COLUMNS:
        m.setdefault(key, pd.Series(np.zeros(n_rows, dtype=bool), index=own_index(m)))
    m = pd.DataFrame(m, copy=False)
    # hh_key: made once per household on its source row (every field it is made of is the same on
    # all rows of a household: household fields come from that row, a group never spans tables)
    # and shared by the household's rows: one string per household, not one per member
    head_id = m["id_number"].astype(str).to_numpy()[src_at]
    hid = m["household_id"].astype(str).to_numpy()[src_at]
    fallback = (m[SOURCE_FILE].iloc[src_at] + "!" + m[SOURCE_SHEET].iloc[src_at] + "!"
                + m[SOURCE_ROW].iloc[src_at].astype(str)).to_numpy()
    ident = np.where(hid != "", hid, np.where(head_id != "", head_id, fallback))
    keys = (m["township"].iloc[src_at].astype(str) + "|" + ident).to_numpy(dtype=object)
    m["hh_key"] = pd.Series(keys[np.searchsorted(src_at, head_pos)], index=m.index, dtype="str")
    # a 补充信息表 fills or overrides household fields, then the national columns are derived
    supplied, filled = supplement.apply_supplements(tables, m, headers, card_names, log)

    def present(key: str) -> np.ndarray:
        return has_column(headers, m, key) | m["hh_key"].isin(filled.get(key, ())).to_numpy()

    national.derive_household_fields(m, present)
    for col, differs, own in conflicts:
        log.add_frame("H005", located(m, differs, column_header(headers, m, col.key), own.astype(str),
                                           f"本行“{col.label}”与户主行不一致，已按户主行为准；请核对"))

    # IDs: text, check digit, birth date, sex, age
    checked = idmod.check_ids(m["id_number"])
    numeric = m["_id_numeric"].to_numpy(dtype=bool)
    m["id_ok"] = (checked["status"] == idmod.OK).to_numpy() & ~numeric
    m["birth_date"] = checked["birth_date"].where(~numeric)
    m["sex_calc"] = checked["sex"].where(~numeric, "")
    m["age_calc"] = idmod.age_at(m["birth_date"], as_of)
    id_header = column_header(headers, m, "id_number")
    long22 = m["_id_22"].to_numpy(dtype=bool)
    if long22.any():
        log.add_frame("I013", located(m, long22, id_header, m["id_number"],
                                      "证件号码为22位（身份证号+4位），已取前18位作为身份证号，并按残疾人证记为残疾；请核对"))
    off = national.birth_mismatch(m["birth_declared"], m["birth_date"]) & m["id_ok"].to_numpy()
    if off.any():
        log.add_frame("I012", located(m, off, column_header(headers, m, "birth_declared"), m["birth_declared"],
                                      "出生日期与证件号码中的出生日期不符；请核对"))
    if numeric.any():
        log.add_frame("I005", located(m, numeric, id_header, m["id_number"], NUMBER_ID_MESSAGE))
    for status, (code, message) in _ID_MESSAGES.items():
        mask = (checked["status"] == status).to_numpy() & ~numeric
        if mask.any():
            log.add_frame(code, located(m, mask, id_header, m["id_number"], message))

    # values that could not be understood (household fields: reported on the head row only)
    for name in bad_columns:
        key = name[len(BAD_PREFIX):]
        col = BY_KEY[key]
        mask = (m[name] != "").to_numpy(copy=True)
        if col.level == HOUSEHOLD:
            mask &= src_head
        if mask.any():
            code, msg = unreadable(col, read_keys is None or key in read_keys)
            log.add_frame(code, located(m, mask, column_header(headers, m, key), m[name], msg))

    coverage.report_columns(tables, read_keys, supplied, log)
    return m, headers


def repeated(value: str, n: int) -> np.ndarray:
    """``n`` references to one string (``np.full`` would make ``n`` copies of it)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out



def stack_columns(parts: list[pd.DataFrame]) -> dict[str, pd.Series]:
    """``pd.concat(parts, ignore_index=True)`` as a dict of columns, built one column at a time,
    each let go of in the parts once stacked: the peak is the parts plus one column, not the
    parts plus a whole second copy of them (a million members, ~80 columns). Empties ``parts``.
    The same columns and dtypes as ``pd.concat`` for the parts ``build_members`` makes (each with
    rows, a key typed alike in every part); a part with no rows, or a key typed differently in two
    parts, may come out typed otherwise. Text columns are let go of one by one; a numeric column
    is a view of its part's block until the block's last column is stacked."""
    order = list(dict.fromkeys(c for p in parts for c in p.columns))
    lengths = [len(p) for p in parts]
    columns = [dict(p.items()) for p in parts]
    parts.clear()
    out = {}
    for key in order:
        pieces = [c.pop(key, None) for c in columns]
        if all(x is not None for x in pieces):
            out[key] = pd.concat(pieces, ignore_index=True)
        else:  # missing in some tables: NA there, typed as concatenating the frames would
            frames = [x.to_frame() if x is not None else pd.DataFrame(index=pd.RangeIndex(n))
                      for x, n in zip(pieces, lengths)]
            out[key] = pd.concat(frames, ignore_index=True)[key]
        del pieces
    return out


def own_index(m: dict[str, pd.Series]) -> pd.Index:
    return next(iter(m.values())).index


def has_column(headers: dict[int, dict[str, str]], m: pd.DataFrame, key: str) -> np.ndarray:
    """Per row of ``m``: its table has a column for ``key``."""
    tables = {n: key in h for n, h in headers.items()}
    return m["_table"].map(tables).fillna(False).to_numpy(dtype=bool)


def column_header(headers: dict[int, dict[str, str]], m: pd.DataFrame, key: str) -> pd.Series | str:
    """The user's own header text for ``key``, per row of ``m`` when tables name it differently."""
    label = BY_KEY[key].label
    names = {n: h.get(key, label) for n, h in headers.items()}
    if len(set(names.values())) <= 1:
        return next(iter(names.values()), label)
    return m["_table"].map(names).astype(str)


def empty_members() -> pd.DataFrame:
    cols = {SOURCE_FILE: "str", SOURCE_SHEET: "str", SOURCE_ROW: "int64", "roster_level": "str"}
    frame = pd.DataFrame({k: pd.Series(dtype=v) for k, v in cols.items()})
    for col in COLUMNS:
        frame[col.key] = default_value(col, 0, frame.index)
    for k, dtype in (("hh_key", "str"), ("is_head", bool), ("id_ok", bool), ("sex_calc", "str")):
        frame[k] = pd.Series(dtype=dtype)
    frame["birth_date"] = pd.Series(dtype="datetime64[ns]")
    frame["age_calc"] = pd.Series(dtype="Int64")
    return frame
