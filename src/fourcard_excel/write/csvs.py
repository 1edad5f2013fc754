"""Machine-readable results: households.csv, members.csv, issues.csv (UTF-8 with BOM).

Deterministic: rows sorted by stable keys, floats with two decimals, booleans as 是/否, so a
rerun on the same input gives byte-identical files. Text that starts with = + - @ or a control
character is prefixed with ' so a spreadsheet never evaluates it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .. import registry
from ..issues import ISSUE_COLUMNS, LEVEL_ORDER
from . import styles
from .atomic import atomic_path

ENCODING = "utf-8-sig"

# households.csv: the columns the spec requires first, then the rest of the facts.
HOUSEHOLD_CSV_KEYS = [
    "township", "village", "group", "household_id", "hh_key", "head_name", "head_id", "head_age",
    "head_sex", "size", "category", "poverty_status", "monitored",
    "wage_income", "business_income", "property_income", "transfer_income", "business_cost",
    "education_cost", "total_income", "net_income", "per_capita", "economic_income",
    "labour_able", "labour_weak", "no_labour_household", "ill_or_disabled", "severe_disabled",
    "fulltime_student", "risk_types", "risk_illness", "risk_disaster", "risk_education", "return_risk",
    "has_car", "luxury_house", "parents_separate",
    "card", "rule", "reasons", "exclusions", "priority_factors", "priority_score", "review",
    "review_reason", "declared_card", "declared_stage", "agrees", "blocking_issues",
    "plan_entitled", "plan_received", "plan_missing",  # 一户一策 (checks/measures), when checked
    "source_file", "source_sheet", "source_row",
]
HOUSEHOLD_SORT = ["township", "village", "household_id", "hh_key"]

MEMBER_CSV_KEYS = [
    "hh_key", "township", "village", "group", "household_id",
    *[c.key for c in registry.COLUMNS if c.level == registry.MEMBER],
    "id_ok", "age_calc", "sex_calc", "roster_level", "source_file", "source_sheet", "source_row",
]
# Labels for keys registry.DERIVED_LABELS lacks (proposed there; the registry wins once added).
LOCAL_LABELS = {"head_sex": "户主性别", "id_ok": "证件号码有效", "roster_level": "花名册类型",
                "is_head": "是否户主", "size_declared": "家庭人口（申报）"}
ROSTER_LEVELS = {"member": "成员花名册", "household": "户花名册"}

MEMBER_SORT = ["source_file", "source_sheet", "source_row"]
MEMBER_CSV_SET = frozenset(MEMBER_CSV_KEYS)


_STR = pd.Series([], dtype="str").dtype


def escape_text(values: pd.Series) -> pd.Series:
    """Prefix text that a spreadsheet would evaluate (= + - @, control characters) with '."""
    if values.dtype == _STR:  # the usual case: already text; without NA it is used as it is
        try:
            live = styles.live_text(values.tolist())  # joins the values: a NA (float) raises
        except TypeError:
            pass
        else:
            return values if live is None else values.where(~live, "'" + values)
    s = values.astype("object").where(values.notna(), "").astype("str")
    live = styles.live_text(s)
    return s if live is None else s.where(~live, "'" + s)


def csv_frame(frame: pd.DataFrame, keys: list[str] | None = None, *, extras: bool = False) -> pd.DataFrame:
    """Select ``keys`` present in ``frame`` (plus ``extra:*`` columns), label them in Chinese and
    turn values into deterministic CSV text: 是/否, escaped text; numbers stay numbers."""
    keys = [k for k in (keys or list(frame.columns)) if k in frame.columns]
    if extras:
        keys += [c for c in frame.columns if str(c).startswith("extra:") and c not in keys]
    out = {}
    for key in keys:
        out[output_label(key, out)] = csv_column(frame[key])
    return pd.DataFrame(out, index=frame.index)


def output_label(key: str, taken) -> str:
    """Chinese header for a key; ``extra:<header>`` → ``<header>`` (kept unique)."""
    key = str(key)
    if key.startswith("extra:"):
        lab = key[len("extra:"):]
    else:
        lab = registry.label(key)
        if lab == key:
            lab = LOCAL_LABELS.get(key, key)
    base, n = lab, 2
    while lab in taken:
        lab = f"{base}_{n}"
        n += 1
    return lab


def csv_column(series: pd.Series) -> pd.Series:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        text = pd.Series(np.where(series.fillna(False).astype(bool), styles.YES_TEXT, styles.NO_TEXT),
                         index=series.index, dtype="object")
        return text.where(series.notna(), "") if series.isna().any() else text
    if pd.api.types.is_integer_dtype(dtype):
        return series.astype("Int64")
    if pd.api.types.is_float_dtype(dtype):
        return series.round(2)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return series.dt.strftime("%Y-%m-%d").fillna("")
    return escape_text(series)


# rows converted and written at a time: memory stays flat for 1M members (with a pool, one chunk
# per worker and one more are in flight: each is a copy of its rows, their pickle and their CSV text)
CHUNK_ROWS = 25_000


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    with atomic_path(path) as tmp, open(tmp, "w", encoding=ENCODING, newline="") as fh:
        fh.write(frame_csv(frame, header=True))
    return Path(path)


def frame_csv(frame: pd.DataFrame, header: bool = True) -> str:
    """``frame.to_csv(None, index=False, lineterminator="\\n", float_format="%.2f")``, the same
    text, about 3x faster for the frames written here: each column becomes its cells' text at once
    (floats "%.2f", integers, text as is, NA empty) and rows are joined with ",". Only fields holding
    a comma, quote, CR, LF or NUL are quoted (``_csv_field``). Any other kind of column
    (or a one-column frame: csv quotes a lone empty field) is left to pandas."""
    cols = [_csv_cells(frame.iloc[:, i]) for i in range(frame.shape[1])] if frame.shape[1] > 1 else [None]
    if any(c is None for c in cols):
        return frame.to_csv(None, index=False, header=header, lineterminator="\n", float_format="%.2f")
    out = io.StringIO()
    if header:
        csv.writer(out, lineterminator="\n").writerow([str(c) for c in frame.columns])
    if len(frame):
        out.write("\n".join(map(",".join, zip(*cols))))
        out.write("\n")
    return out.getvalue()


_CSV_SPECIAL = (",", '"', "\r", "\n", "\x00")


def _csv_field(value: str) -> str:
    """One field as the csv module writes it (QUOTE_MINIMAL, doubled quotes): a comma, quote or
    LF quotes it; CR and NUL (treated differently across Python versions) are left to the module."""
    if "\r" in value or "\x00" in value:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow([value, ""])
        return buf.getvalue()[:-2]  # drop the empty second field's "," and the line end
    if "," in value or '"' in value or "\n" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_cells(series: pd.Series) -> list[str] | None:
    """A column's CSV fields as pandas writes them, or None for a kind not handled here."""
    dtype = series.dtype
    if dtype == np.float64:
        arr = series.to_numpy()
        if not np.signbit(arr[arr == 0]).any():  # -0.0 ("-0.00") would share 0.0's code
            codes, uniques = pd.factorize(arr)  # each distinct value formatted once; NaN → -1 → ""
            texts = list(map("%.2f".__mod__, uniques.tolist())) + [""]
            return np.array(texts, dtype=object)[codes].tolist()
        cells = list(map("%.2f".__mod__, arr.tolist()))
        for i in np.flatnonzero(np.isnan(arr)).tolist():
            cells[i] = ""
        return cells
    if isinstance(dtype, pd.Int64Dtype) or dtype == np.int64:
        cells = list(map(str, series.to_numpy(dtype="int64", na_value=0).tolist()))
        for i in np.flatnonzero(series.isna().to_numpy()).tolist():
            cells[i] = ""
        return cells
    if dtype == object or isinstance(dtype, pd.StringDtype):
        arr = series.to_numpy(dtype=object)  # no copy; all str unless NA (or other objects) in it
        if pd.api.types.infer_dtype(arr, skipna=False) not in ("string", "empty"):
            arr = series.to_numpy(dtype=object, na_value="")
            if pd.api.types.infer_dtype(arr, skipna=False) not in ("string", "empty"):
                return None
        cells = arr.tolist()
        joined = "\x1e".join(cells)
        if any(ch in joined for ch in _CSV_SPECIAL):
            cells = list(map(_csv_field, cells))
        return cells
    return None


def sort_order(frame: pd.DataFrame, sort_keys: list[str] | None) -> np.ndarray:
    """Row positions of ``frame`` in the order of a stable sort by ``sort_keys`` (those present),
    computed on the key columns only: no sorted copy of a wide frame."""
    keys = [k for k in (sort_keys or []) if k in frame.columns]
    return (frame[keys].reset_index(drop=True).sort_values(keys, kind="stable").index.to_numpy()
            if keys and len(frame) else np.arange(len(frame)))


def write_csv_chunked(frame: pd.DataFrame, path: Path, convert, sort_keys: list[str] | None = None,
                      chunk_rows: int = CHUNK_ROWS, pool=None, keep=None) -> Path:
    """``convert(frame)`` written as CSV, ``chunk_rows`` rows at a time, in the order of a stable
    sort by ``sort_keys``: the same bytes as converting and writing the sorted frame whole, without
    a sorted copy of a wide frame or a converted copy of all of it.

    With a parallel ``background.Pool`` (``convert`` then a module-level function), the chunks
    are converted to CSV text by its workers, a few at a time (memory stays bounded), and written
    here in order. ``keep(column)``: whether ``convert`` needs that column (default: all); the
    others are not copied into the chunks."""
    order = sort_order(frame, sort_keys)
    cols = np.arange(frame.shape[1]) if keep is None else \
        np.flatnonzero([keep(c) for c in frame.columns])
    starts = range(0, max(len(frame), 1), chunk_rows)
    parallel = pool is not None and pool.parallel and len(starts) > 1
    window = getattr(pool, "workers", 1) + 1  # chunks in flight: each worker busy, one more waiting
    with atomic_path(path) as tmp, open(tmp, "w", encoding=ENCODING, newline="") as fh:
        pending: list = []
        for start in starts:
            part = frame.iloc[order[start:start + chunk_rows], cols]
            if not parallel:
                fh.write(csv_text(convert, part, start == 0))
                continue
            pending.append(pool.submit(csv_text, convert, part, start == 0))
            if len(pending) >= window:
                fh.write(pending.pop(0).result())
        for job in pending:
            fh.write(job.result())
    return Path(path)


def csv_text(convert, part: pd.DataFrame, header: bool) -> str:
    """One chunk of a CSV file as text (a pool job)."""
    return frame_csv(convert(part), header)


def sort_households(households: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in HOUSEHOLD_SORT if k in households.columns]
    return households.sort_values(keys, kind="stable") if keys else households


def sort_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Issues in a stable order independent of the order checks ran: file, sheet, row, level, code."""
    df = issues.copy()
    for col in ISSUE_COLUMNS:
        if col not in df.columns:
            df[col] = pd.NA if col == "行号" else ""
    df["_lvl"] = df["级别"].map(LEVEL_ORDER).fillna(9)
    df["行号"] = pd.to_numeric(df["行号"], errors="coerce").astype("Int64")
    text_cols = ["代码", "列", "值", "说明"]
    for col in ["文件", "工作表", *text_cols]:
        df[col] = df[col].astype("object").where(df[col].notna(), "").astype("str")
    df = df.sort_values(["文件", "工作表", "行号", "_lvl", *text_cols], kind="stable", na_position="first")
    return df.drop(columns="_lvl").reset_index(drop=True)


def households_csv(households: pd.DataFrame) -> pd.DataFrame:
    return csv_frame(sort_households(households), HOUSEHOLD_CSV_KEYS)


def households_csv_part(households: pd.DataFrame) -> pd.DataFrame:
    """households.csv's columns for these rows (no sorting)."""
    return csv_frame(households, HOUSEHOLD_CSV_KEYS)


def label_roster_level(members: pd.DataFrame) -> pd.DataFrame:
    """``roster_level`` (member/household) as its Chinese name, for members.csv and members.parquet."""
    if "roster_level" not in members.columns:
        return members
    return members.assign(roster_level=members["roster_level"].replace(ROSTER_LEVELS))


def member_csv_column(key) -> bool:
    """A members column that members.csv shows."""
    return key in MEMBER_CSV_SET or str(key).startswith("extra:")


def members_csv_part(members: pd.DataFrame) -> pd.DataFrame:
    """members.csv's columns for these rows (no sorting)."""
    return csv_frame(label_roster_level(members), MEMBER_CSV_KEYS, extras=True)


def members_csv(members: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in MEMBER_SORT if k in members.columns]
    return members_csv_part(members.sort_values(keys, kind="stable") if keys else members)


def issues_csv(issues: pd.DataFrame) -> pd.DataFrame:
    df = sort_issues(issues)
    out = pd.DataFrame({c: escape_text(df[c]) for c in ISSUE_COLUMNS if c != "行号"})
    out.insert(ISSUE_COLUMNS.index("行号"), "行号", df["行号"])
    return out[ISSUE_COLUMNS]


def write_csvs(households: pd.DataFrame, members: pd.DataFrame, issues: pd.DataFrame,
               out_dir: Path, pool=None) -> list[Path]:
    """households.csv, members.csv, issues.csv; ``pool``: chunks converted by its workers."""
    out_dir = Path(out_dir)
    return [
        write_csv_chunked(households, out_dir / "households.csv", households_csv_part, HOUSEHOLD_SORT,
                          pool=pool),
        write_csv_chunked(members, out_dir / "members.csv", members_csv_part, MEMBER_SORT, pool=pool,
                          keep=member_csv_column),
        write_csv(issues_csv(issues), out_dir / "issues.csv"),
    ]
