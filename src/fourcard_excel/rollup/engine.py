"""DuckDB over the counties' files: one view per table across all counties.

- Parquet (``process`` since the roll-up exists): one ``read_parquet([...], union_by_name=true)``
  over the list of files. The files carry ``county`` (the manifest's county) themselves.
- CSV (an older run without Parquet): ``read_csv(..., all_varchar=true)``, the Chinese headers
  mapped back to the keys and cast to the Parquet types (IDs and 户编号 stay text), with the
  manifest's county as a literal.

Views, not copies: a 20M-row province is scanned in place, column by column. The views keep
absolute paths, so a kept database (``--db``) works as long as the county folders stay put.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ..write import parquet as pq_schema
from ..write.styles import INJECTION_RE
from .discover import OPTIONAL, SIDE_CSVS, CountyRun

DEFAULT_MEMORY = "4GB"
YES = "是"
_ESCAPED = "^'(" + INJECTION_RE.removeprefix("^") + ")"  # write.csvs.escape_text's prefix


def connect(db_path: Path | None = None, *, memory_limit: str = DEFAULT_MEMORY, threads: int | None = None,
            temp_dir: Path | None = None, read_only: bool = False):
    """A DuckDB connection with a memory limit, a thread count and a spill folder."""
    import duckdb

    con = duckdb.connect(str(db_path) if db_path else ":memory:", read_only=read_only)
    con.execute(f"SET memory_limit = '{size_text(memory_limit)}'")
    con.execute(f"SET threads = {int(threads or os.cpu_count() or 1)}")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")  # the library never prints
    if temp_dir is not None:
        con.execute(f"SET temp_directory = {_quote(str(temp_dir))}")
    return con


def size_text(text: str) -> str:
    """A DuckDB size ('4GB', '512MB'); only digits, a dot and a unit, so it is safe to inline."""
    s = str(text).strip().upper().replace(" ", "")
    if not s or not all(c.isdigit() or c in ".KMGTIB" for c in s) or not s[0].isdigit():
        raise ValueError(f"内存上限写法不对：{text}（例如 4GB、512MB）")
    return s


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


def _unescape(expr: str) -> str:
    """Undo the CSV writer's ' prefix on text that would be live in a spreadsheet (the same
    characters as ``write.csvs.escape_text``: = + - @ and control characters)."""
    return f"regexp_replace({expr}, {_quote(_ESCAPED)}, '\\1')"


def _csv_select(table: str, path: Path, county: str) -> str:
    """SELECT of one county's CSV (all text) as the Parquet table's keys and types."""
    header = set(_csv_header(path))
    cols = [f"{_quote(county)} AS county"]
    for key in pq_schema.TABLES[table]:
        lab = pq_schema.label(table, key)
        kind = pq_schema.sql_type(key)
        if lab not in header:
            cols.append(f"CAST(NULL AS {kind}) AS {_ident(key)}")
            continue
        src = _ident(lab)
        if kind == "BOOLEAN":
            expr = f"CASE WHEN {src} = '{YES}' THEN TRUE WHEN {src} = '否' THEN FALSE END"
        elif kind in ("BIGINT", "DOUBLE"):
            expr = f"TRY_CAST({src} AS {kind})"
        else:
            expr = f"COALESCE({_unescape(src)}, '')"
        cols.append(f"{expr} AS {_ident(key)}")
    return (f"SELECT {', '.join(cols)} FROM read_csv({_quote(str(path))}, all_varchar = true, header = true, "
            "delim = ',', quote = '\"', escape = '\"')")


def stray_files(con, files: dict[str, str]) -> list[str]:
    """Parquet files whose ``county`` column is not (only) the manifest's county, from the files'
    column statistics (no data is read)."""
    if not files:
        return []
    listed = "[" + ", ".join(_quote(p) for p in files) + "]"
    rows = con.execute(f"SELECT file_name, MIN(stats_min_value), MAX(stats_max_value), COUNT(*) "
                       f"FROM parquet_metadata({listed}) WHERE path_in_schema = 'county' "
                       "GROUP BY file_name").fetchall()
    ok = {Path(f).as_posix() for f, lo, hi, _ in rows if lo == hi == files.get(f, files.get(Path(f).as_posix()))}
    return [f for f in files if Path(f).as_posix() not in ok]


def table_sql(table: str, runs: list[CountyRun], con=None) -> str | None:
    """The view's query over every county that has the table (None when none has it).

    Parquet files are read as one list; ``county`` is the manifest's: when a file's own county
    column says otherwise (a renamed county), the file name maps to the manifest's county."""
    if table in OPTIONAL:  # only some counties have them, as Parquet also beside an older run's CSVs
        files = {str(r.parquet[table]): r.county for r in runs if table in r.parquet}
    else:
        files = {str(r.file(table)): r.county for r in runs if r.source == "Parquet" and r.file(table)}
    parts = []
    if files:
        listed = "[" + ", ".join(_quote(p) for p in files) + "]"
        if con is None or not stray_files(con, files):
            parts.append(f"SELECT * FROM read_parquet({listed}, union_by_name = true)")
        else:
            pairs = ", ".join(f"({_quote(f)}, {_quote(c)})" for f, c in files.items())
            parts.append(f"SELECT t.* EXCLUDE (filename, county), m.county FROM read_parquet({listed}, "
                         f"union_by_name = true, filename = true) t JOIN (VALUES {pairs}) m(file, county) "
                         "ON t.filename = m.file")
    if table in pq_schema.TABLES:
        parts += [_csv_select(table, r.csv[table], r.county) for r in runs
                  if r.source == "CSV" and table in r.csv]
    if not parts:
        return None
    return "\nUNION ALL BY NAME\n".join(parts)


def side_sql(kind: str, runs: list[CountyRun]) -> str | None:
    """spotcheck.csv / quotas.csv of every county, all text, with the county's name."""
    parts = [f"SELECT {_quote(r.county)} AS county, * FROM read_csv({_quote(str(r.side[kind]))}, "
             "all_varchar = true, header = true)"
             for r in runs if kind in r.side]
    return "\nUNION ALL BY NAME\n".join(parts) if parts else None


def create_views(con, runs: list[CountyRun]) -> dict[str, bool]:
    """Create the views households, members, issues, measures, measures_coverage, spotcheck, quotas
    (each only when some county has it). Returns view -> created."""
    made = {}
    for table in ("households", "members", "issues", *OPTIONAL):
        sql = table_sql(table, runs, con)
        if sql:
            con.execute(f"CREATE OR REPLACE VIEW {table} AS {sql}")
        made[table] = bool(sql)
    for kind in SIDE_CSVS:
        sql = side_sql(kind, runs)
        if sql:
            con.execute(f"CREATE OR REPLACE VIEW {kind} AS {sql}")
        made[kind] = bool(sql)
    return made
