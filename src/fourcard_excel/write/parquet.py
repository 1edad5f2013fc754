"""Typed Parquet files beside the CSVs: households, members, issues (and measures, measures_coverage
when the measures ledger was checked).

They are what a city or province rolls up (``fourcard-excel rollup``, DuckDB over Parquet): one
file per table, the same rows as the CSV, but with the contract's English column keys and real
types (IDs, 户编号 and codes stay text; booleans bool; money float64; counts nullable int64) and a
``county`` column, so many counties' files read as one table. The Chinese label of each column is
kept as field metadata (``label``). Written with pyarrow, atomically (``atomic_path``).

Types are fixed per key (``SQL_TYPES``) rather than inferred, so every county's file has the same
schema even when a column is empty in one county; the roll-up's CSV fallback reads older runs with
the same table (``TABLES``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..memory import release_freed
from .atomic import atomic_path
from .csvs import (HOUSEHOLD_CSV_KEYS, HOUSEHOLD_SORT, MEMBER_CSV_KEYS, MEMBER_SORT, label_roster_level,
                   output_label, sort_issues, sort_order)

COUNTY = "county"
COUNTY_LABEL = "县"

# Issue columns: Chinese header (issues.csv) -> key.
ISSUE_KEYS = {"级别": "level", "代码": "code", "文件": "file", "工作表": "sheet", "行号": "row",
              "列": "column", "值": "value", "说明": "message", "乡镇": "township", "hh_key": "hh_key"}

MEMBER_KEYS = [*MEMBER_CSV_KEYS, "is_head"]

# Tables and their column keys in file order (after ``county``).
TABLES = {
    "households": HOUSEHOLD_CSV_KEYS,
    "members": MEMBER_KEYS,
    "issues": list(ISSUE_KEYS.values()),
}

# measures_coverage.parquet (#13's coverage in long form, one row per township × required
# entitlement): key -> Chinese label. due/done are household counts; 覆盖率 = done / due is left to
# the reader, so a city sums due and done over townships before dividing.
COVERAGE_KEYS = {"township": "乡镇", "card": "卡别", "measure": "措施", "due": "应享户数", "done": "已落实户数"}

BOOL_KEYS = {"monitored", "no_labour_household", "ill_or_disabled", "severe_disabled", "fulltime_student",
             "risk_illness", "risk_disaster", "risk_education", "return_risk", "has_car", "luxury_house",
             "parents_separate", "review", "agrees", "id_ok", "is_head", "registered", "chronic"}
INT_KEYS = {"head_age", "size", "size_declared", "members", "labour_able", "labour_weak", "priority_score",
            "source_row", "age", "age_calc", "row", "n_serious_ill", "n_disabled", "n_severe_disabled",
            "n_chronic", "n_students", "due", "done"}
FLOAT_KEYS = {"wage_income", "business_income", "property_income", "transfer_income", "business_cost",
              "education_cost", "income_total_declared", "per_capita_declared", "total_income",
              "net_income", "per_capita", "economic_income"}


def sql_type(key: str) -> str:
    """The column's SQL type: BOOLEAN, BIGINT, DOUBLE or VARCHAR (IDs and codes are text)."""
    if key in BOOL_KEYS:
        return "BOOLEAN"
    if key in INT_KEYS:
        return "BIGINT"
    if key in FLOAT_KEYS:
        return "DOUBLE"
    return "VARCHAR"


def label(table: str, key: str) -> str:
    """The column's Chinese header in the table's CSV (households.csv, members.csv, issues.csv)."""
    if key == COUNTY:
        return COUNTY_LABEL
    if table == "issues":
        return {v: k for k, v in ISSUE_KEYS.items()}[key]
    if table == "measures_coverage":
        return COVERAGE_KEYS[key]
    return output_label(key, ())


def arrow_column(series: pd.Series, kind: str):
    """A pyarrow array of the given SQL type (NA → null)."""
    import pyarrow as pa

    if kind == "BOOLEAN":
        if pd.api.types.is_bool_dtype(series.dtype) and not isinstance(series.dtype, pd.BooleanDtype):
            return pa.array(series.to_numpy(dtype=bool), type=pa.bool_())
        return pa.array(series.astype("boolean"), type=pa.bool_(), from_pandas=True)
    if kind == "BIGINT":
        values = series if pd.api.types.is_integer_dtype(series.dtype) else pd.to_numeric(series, errors="coerce")
        return pa.array(values.astype("Int64"), type=pa.int64(), from_pandas=True)
    if kind == "DOUBLE":
        return pa.array(pd.to_numeric(series, errors="coerce").astype("float64"), type=pa.float64(),
                        from_pandas=True)
    if not (pd.api.types.is_string_dtype(series.dtype) and series.dtype != object):
        series = series.astype(object).where(series.notna(), None)
        series = series.map(lambda v: v if v is None or isinstance(v, str) else str(v))
    # the object array itself (NA as NaN/None → null): 6× faster than the string array's own
    # ``__arrow_array__``, which copies it first
    return pa.array(series.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def county_table(county: str, n: int, columns: list[tuple[str, object, dict | None]]):
    """A pyarrow Table of ``n`` rows: ``county`` first, then ``columns`` (name, array, field metadata)."""
    import pyarrow as pa

    fields = [pa.field(COUNTY, pa.string(), metadata={"label": COUNTY_LABEL})]
    arrays = [pa.array([county] * n, type=pa.string())]
    for name, array, metadata in columns:
        fields.append(pa.field(name, array.type, metadata=metadata))
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def frame_table(frame: pd.DataFrame, table: str, keys: list[str], county: str, order=None):
    """``frame``'s ``keys`` (those present) as a pyarrow Table with ``county`` first; ``order``:
    row positions to take, one column at a time (no reordered copy of the whole frame)."""
    columns = [(key, arrow_column(frame[key] if order is None else frame[key].take(order), sql_type(key)),
                {"label": label(table, key)})
               for key in keys if key in frame.columns and key != COUNTY]
    return county_table(county, len(frame) if order is None else len(order), columns)


ROW_GROUP = 50_000  # rows converted to Arrow and written at a time (one row group each)


def write_frame_table(frame: pd.DataFrame, table: str, keys: list[str], county: str, order, path: Path,
                      rows: int = ROW_GROUP) -> Path:
    """``frame_table`` written ``rows`` rows at a time, each chunk one row group: a million members
    never exist as one Arrow table beside the frame. ``order``: the row positions in file order."""
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        writer = None
        try:
            for start in range(0, max(len(order), 1), rows):
                part = frame_table(frame, table, keys, county, order=order[start:start + rows])
                if writer is None:
                    writer = pq.ParquetWriter(tmp, part.schema, compression="zstd")
                writer.write_table(part, row_group_size=rows)
                del part
        finally:
            if writer is not None:
                writer.close()
    release_freed()  # Arrow's allocator keeps freed blocks for reuse: the rest of the run does not need them
    return Path(path)


def dtype_kind(dtype) -> str:
    """The SQL type of a column of unknown meaning, from its dtype (text otherwise)."""
    if pd.api.types.is_bool_dtype(dtype):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(dtype):
        return "BIGINT"
    if pd.api.types.is_float_dtype(dtype):
        return "DOUBLE"
    return "VARCHAR"


def any_frame_table(frame: pd.DataFrame, county: str):
    """A frame of unknown columns (measures findings): types from dtypes, text otherwise."""
    columns = [(str(col), arrow_column(frame[col], dtype_kind(frame[col].dtype)), None)
               for col in frame.columns if str(col) != COUNTY]
    return county_table(county, len(frame), columns)


def write_table(table, path: Path) -> Path:
    import pyarrow.parquet as pq

    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")
    return Path(path)


def members_frame(members: pd.DataFrame) -> pd.DataFrame:
    """The members' Parquet columns (unsorted: ``write_parquet`` takes them in ``MEMBER_SORT`` order).
    Only ``roster_level`` is a new column; the others are the members frame's own (no copy)."""
    return label_roster_level(members)


def issues_frame(issues: pd.DataFrame) -> pd.DataFrame:
    df = sort_issues(issues)
    return df.rename(columns={k: v for k, v in ISSUE_KEYS.items() if k in df.columns})


def coverage_frame(result) -> pd.DataFrame | None:
    """``result.outputs["measures_coverage"]`` (wide: per township + 全县) in the long schema of
    ``COVERAGE_KEYS`` (township rows only), or None when measures were not checked. Card and
    measure come from the plan's entitlements (``outputs["measures_entitlements"]``, else the
    required entitlements of the rules' [measures] section)."""
    coverage = (result.outputs or {}).get("measures_coverage")
    if not isinstance(coverage, pd.DataFrame) or not len(coverage):
        return None
    from ..checks.measures.aggregates import coverage_long

    entitlements = result.outputs.get("measures_entitlements")
    if entitlements is None and getattr(result, "rules", None) is not None:
        from ..checks.measures.config import load_config

        cfg = load_config(result.rules)
        entitlements = [e for e in cfg.entitlements if e.required] if cfg else ()
    return coverage_long(coverage, entitlements)


def write_parquet(result, out_dir: Path) -> list[Path]:
    """households.parquet, members.parquet, issues.parquet and, when ``result.outputs["measures"]``
    is a non-empty DataFrame, measures.parquet; when ``result.outputs["measures_coverage"]`` is,
    measures_coverage.parquet. Returns the paths written."""
    from .manifest import county_of

    out_dir = Path(out_dir)
    county = county_of(result)
    paths = [
        write_frame_table(result.households, "households", TABLES["households"], county,
                          sort_order(result.households, HOUSEHOLD_SORT), out_dir / "households.parquet"),
        write_frame_table(members_frame(result.members), "members", TABLES["members"], county,
                          sort_order(result.members, MEMBER_SORT), out_dir / "members.parquet"),
        write_table(frame_table(issues_frame(result.issues), "issues", TABLES["issues"], county),
                    out_dir / "issues.parquet"),
    ]
    measures = (result.outputs or {}).get("measures")
    if isinstance(measures, pd.DataFrame) and len(measures):
        paths.append(write_table(any_frame_table(measures, county), out_dir / "measures.parquet"))
    coverage = coverage_frame(result)
    if coverage is not None:
        paths.append(write_table(frame_table(coverage, "measures_coverage", list(COVERAGE_KEYS), county),
                                 out_dir / "measures_coverage.parquet"))
    return paths
