"""The county database (全县分类帮扶、动态管理数据库): SQLite schema, migrations, period storage.

One row in ``periods`` per process run (period id = as_of, ISO date); one row in ``households``
per (period, hh_key) with the household facts (contract 2) and classification (contract 3).
Recording a period is one transaction: an interrupted run leaves the previous state intact, and
recording the same period again replaces it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd

DEFAULT_DB_NAME = "fourcard.sqlite"


class HistoryError(Exception):
    """A database problem, with a Chinese message for the user."""


# --- stored household fields: (key, SQL type) -------------------------------------------------
# Keys are the column keys of contracts 2 and 3. "BOOL" is stored as INTEGER 0/1.
HOUSEHOLD_FIELDS: tuple[tuple[str, str], ...] = (
    ("township", "TEXT"), ("village", "TEXT"), ("group", "TEXT"), ("household_id", "TEXT"),
    ("head_name", "TEXT"), ("head_id", "TEXT"), ("head_age", "INTEGER"), ("head_sex", "TEXT"),
    ("category", "TEXT"), ("registered", "BOOL"), ("poverty_status", "TEXT"), ("monitored", "BOOL"),
    ("size_declared", "INTEGER"), ("members", "INTEGER"), ("size", "INTEGER"),
    ("wage_income", "REAL"), ("business_income", "REAL"), ("property_income", "REAL"),
    ("transfer_income", "REAL"), ("business_cost", "REAL"), ("education_cost", "REAL"),
    ("income_total_declared", "REAL"), ("per_capita_declared", "REAL"), ("total_income", "REAL"),
    ("net_income", "REAL"), ("per_capita", "REAL"), ("economic_income", "REAL"),
    ("labour_able", "INTEGER"), ("labour_weak", "INTEGER"), ("no_labour_household", "BOOL"),
    ("n_serious_ill", "INTEGER"), ("n_disabled", "INTEGER"), ("n_severe_disabled", "INTEGER"),
    ("ill_or_disabled", "BOOL"), ("severe_disabled", "BOOL"), ("n_chronic", "INTEGER"),
    ("chronic", "BOOL"), ("n_students", "INTEGER"), ("fulltime_student", "BOOL"),
    ("risk_types", "TEXT"), ("risk_illness", "BOOL"), ("risk_disaster", "BOOL"),
    ("risk_education", "BOOL"), ("return_risk", "BOOL"),
    ("has_car", "BOOL"), ("luxury_house", "BOOL"), ("parents_separate", "BOOL"),
    ("main_cause", "TEXT"), ("policies_enjoyed", "TEXT"), ("policies_eligible", "TEXT"),
    ("card_visit", "TEXT"), ("card_review", "TEXT"), ("card_township", "TEXT"),
    ("card_county", "TEXT"), ("card_final", "TEXT"),
    ("source_file", "TEXT"), ("source_sheet", "TEXT"), ("source_row", "INTEGER"),
    ("blocking_issues", "TEXT"),
    ("card", "TEXT"), ("rule", "TEXT"), ("reasons", "TEXT"), ("exclusions", "TEXT"),
    ("priority_factors", "TEXT"), ("priority_score", "INTEGER"), ("review", "BOOL"),
    ("review_reason", "TEXT"), ("declared_card", "TEXT"), ("declared_stage", "TEXT"),
    ("agrees", "BOOL"),
)
FIELD_KEYS = tuple(k for k, _ in HOUSEHOLD_FIELDS)
BOOL_FIELDS = tuple(k for k, t in HOUSEHOLD_FIELDS if t == "BOOL")
INT_FIELDS = tuple(k for k, t in HOUSEHOLD_FIELDS if t == "INTEGER")
REAL_FIELDS = tuple(k for k, t in HOUSEHOLD_FIELDS if t == "REAL")
TEXT_FIELDS = tuple(k for k, t in HOUSEHOLD_FIELDS if t == "TEXT")

CONTACT_FIELDS = ("date", "cadre", "cadre_level", "id_number", "way", "hh_key",
                  "source_file", "source_sheet", "source_row")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _household_ddl() -> str:
    cols = ",\n  ".join(f"{_q(k)} {'INTEGER' if t == 'BOOL' else t}" for k, t in HOUSEHOLD_FIELDS)
    return (
        "CREATE TABLE households (\n"
        "  period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,\n"
        "  hh_key TEXT NOT NULL,\n"
        f"  {cols},\n"
        "  PRIMARY KEY (period, hh_key)\n)"
    )


# Ordered migrations: (version, description, statements). Never edit a released one; append.
MIGRATIONS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (1, "periods and households", (
        "CREATE TABLE periods (\n"
        "  period TEXT PRIMARY KEY,\n"
        "  as_of TEXT NOT NULL,\n"
        "  recorded_at TEXT NOT NULL,\n"
        "  rules_sha256 TEXT NOT NULL DEFAULT '',\n"
        "  rules_path TEXT NOT NULL DEFAULT '',\n"
        "  n_households INTEGER NOT NULL,\n"
        "  manifest TEXT NOT NULL\n)",
        _household_ddl(),
        "CREATE INDEX households_hh_key ON households(hh_key, period)",
    )),
    (2, "contact log and head-ID index", (
        "CREATE TABLE contacts (\n"
        "  period TEXT NOT NULL REFERENCES periods(period) ON DELETE CASCADE,\n"
        "  seq INTEGER NOT NULL,\n"
        "  date TEXT, cadre TEXT, cadre_level TEXT, id_number TEXT, way TEXT, hh_key TEXT,\n"
        "  source_file TEXT, source_sheet TEXT, source_row INTEGER,\n"
        "  PRIMARY KEY (period, seq)\n)",
        "CREATE INDEX households_head_id ON households(head_id)",
    )),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)  # explicit transactions
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone()
    if row is None:
        return 0
    value = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    return int(value or 0)


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Apply the pending migrations up to ``target`` (default: all), each in its own transaction."""
    target = SCHEMA_VERSION if target is None else target
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                     "description TEXT NOT NULL, applied_at TEXT NOT NULL)")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise HistoryError(f"数据库版本为 {current}，高于本程序支持的版本 {SCHEMA_VERSION}，"
                           "请升级 fourcard-excel 后再使用该数据库。")
    for version, description, statements in MIGRATIONS:
        if version <= current or version > target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= version:  # applied meanwhile by another process
                conn.execute("ROLLBACK")
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                         (version, description, _now()))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return schema_version(conn)


def open_db(path: Path | str, *, create: bool = True) -> sqlite3.Connection:
    """Open (or create) the county database and bring its schema up to date."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise HistoryError(f"数据库文件不存在：{path}")
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = _connect(path)
        migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"无法打开数据库 {path}：文件不是有效的 SQLite 数据库或已损坏（{exc}）") from exc
    return conn


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


# --- conversion between frames and rows -------------------------------------------------------

def households_for_db(households: pd.DataFrame) -> pd.DataFrame:
    """The stored columns (hh_key + HOUSEHOLD_FIELDS) with SQL-friendly values; absent columns NULL."""
    n = len(households)
    out = pd.DataFrame({"hh_key": households["hh_key"].astype(str).to_numpy()}, index=range(n))
    for key, kind in HOUSEHOLD_FIELDS:
        if key not in households.columns:
            out[key] = None
            continue
        col = households[key].reset_index(drop=True)
        if kind == "BOOL":
            num = col.astype("boolean").astype("Int64")
        elif kind == "INTEGER":
            num = pd.to_numeric(col, errors="coerce").round().astype("Int64")
        elif kind == "REAL":
            num = pd.to_numeric(col, errors="coerce").astype("float64")
        else:
            out[key] = col.astype(object).where(col.notna(), None).map(
                lambda v: v if v is None else str(v))
            continue
        out[key] = num.astype(object).where(num.notna(), None)
    return out


def _python_rows(frame: pd.DataFrame) -> Iterator[tuple]:
    """Rows as tuples of plain Python values (numpy scalars converted) for executemany."""
    for row in frame.itertuples(index=False, name=None):
        yield tuple(v.item() if hasattr(v, "item") else v for v in row)


def households_from_db(frame: pd.DataFrame) -> pd.DataFrame:
    """Restore dtypes of rows read from ``households``."""
    frame = frame.copy()
    for key in BOOL_FIELDS:
        if key in frame.columns:
            frame[key] = frame[key].astype("Int64").astype("boolean")
            if key != "agrees":
                frame[key] = frame[key].fillna(False).astype(bool)
    for key in INT_FIELDS:
        if key in frame.columns:
            frame[key] = pd.to_numeric(frame[key], errors="coerce").astype("Int64")
    for key in REAL_FIELDS:
        if key in frame.columns:
            frame[key] = pd.to_numeric(frame[key], errors="coerce").astype("float64")
    for key in TEXT_FIELDS + ("hh_key", "period"):
        if key in frame.columns:
            frame[key] = frame[key].fillna("").astype(str)
    return frame


def contacts_for_db(contacts: pd.DataFrame | None) -> pd.DataFrame:
    if contacts is None or len(contacts) == 0:
        return pd.DataFrame(columns=["seq", *CONTACT_FIELDS])
    out = pd.DataFrame({"seq": range(len(contacts))})
    for key in CONTACT_FIELDS:
        if key in contacts.columns:
            col = contacts[key].reset_index(drop=True)
            if key == "source_row":
                col = pd.to_numeric(col, errors="coerce").astype("Int64")
                out[key] = col.astype(object).where(col.notna(), None)
            else:
                out[key] = col.astype(object).where(col.notna(), None).map(
                    lambda v: v if v is None else str(v))
        else:
            out[key] = None
    return out


# --- periods -----------------------------------------------------------------------------------

def write_period(conn: sqlite3.Connection, period: str, households: pd.DataFrame, *,
                 rules_sha256: str = "", rules_path: str = "", manifest: dict | None = None,
                 contacts: pd.DataFrame | None = None, rows: Iterable[tuple] | None = None) -> int:
    """Replace ``period`` by the given households in one transaction. Returns the household count.

    ``rows`` may override the household row iterator (tests use it to interrupt a run).
    """
    table = households_for_db(households)
    if table["hh_key"].duplicated().any():
        dup = table.loc[table["hh_key"].duplicated(), "hh_key"].iloc[0]
        raise HistoryError(f"同一期内家庭识别码重复（{dup}），无法写入数据库")
    columns = ["period", "hh_key", *FIELD_KEYS]
    insert_hh = (f"INSERT INTO households ({', '.join(_q(c) for c in columns)}) "
                 f"VALUES ({', '.join('?' * len(columns))})")
    contact_table = contacts_for_db(contacts)
    ccols = ["period", "seq", *CONTACT_FIELDS]
    insert_c = (f"INSERT INTO contacts ({', '.join(_q(c) for c in ccols)}) "
                f"VALUES ({', '.join('?' * len(ccols))})")
    table.insert(0, "period", period)
    contact_table.insert(0, "period", period)
    manifest_text = json.dumps(manifest or {}, ensure_ascii=False, default=str, sort_keys=True)

    conn.execute("BEGIN IMMEDIATE")
    try:
        # children first (explicit; does not rely on ON DELETE CASCADE)
        conn.execute("DELETE FROM contacts WHERE period = ?", (period,))
        conn.execute("DELETE FROM households WHERE period = ?", (period,))
        conn.execute("DELETE FROM periods WHERE period = ?", (period,))
        conn.execute("INSERT INTO periods (period, as_of, recorded_at, rules_sha256, rules_path, "
                     "n_households, manifest) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (period, period, _now(), rules_sha256 or "", rules_path or "", len(table),
                      manifest_text))
        conn.executemany(insert_hh, rows if rows is not None else _python_rows(table))
        if len(contact_table):
            conn.executemany(insert_c, _python_rows(contact_table))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return len(table)


def list_periods(conn: sqlite3.Connection) -> pd.DataFrame:
    """All recorded periods, oldest first, with household counts per card."""
    periods = pd.read_sql_query(
        "SELECT period, as_of, recorded_at, rules_sha256, rules_path, n_households FROM periods "
        "ORDER BY period", conn)
    counts = pd.read_sql_query(
        "SELECT period, card, COUNT(*) AS n FROM households GROUP BY period, card", conn)
    if len(counts):
        wide = counts.pivot(index="period", columns="card", values="n").fillna(0).astype(int)
        preferred = ["红卡", "黄卡", "绿卡", "蓝卡", "不纳入", "未判定"]
        wide = wide[sorted(wide.columns, key=lambda c: (preferred.index(c) if c in preferred
                                                        else len(preferred), str(c)))]
        periods = periods.merge(wide, left_on="period", right_index=True, how="left")
    return periods


def previous_period(conn: sqlite3.Connection, as_of: dt.date | str) -> str | None:
    """The latest recorded period strictly before ``as_of`` (ISO string), or None."""
    row = conn.execute("SELECT MAX(period) FROM periods WHERE period < ?",
                       (_iso(as_of),)).fetchone()
    return row[0] if row and row[0] else None


def load_period(conn: sqlite3.Connection, period: str) -> pd.DataFrame:
    frame = pd.read_sql_query("SELECT * FROM households WHERE period = ? ORDER BY township, "
                              "village, household_id, hh_key", conn, params=(period,))
    return households_from_db(frame)


def period_exists(conn: sqlite3.Connection, period: str) -> bool:
    return conn.execute("SELECT 1 FROM periods WHERE period = ?", (period,)).fetchone() is not None


def last_reviews(conn: sqlite3.Connection, before: dt.date | str, *,
                 inclusive: bool = False) -> pd.DataFrame:
    """hh_key → last_review (ISO period) over periods before (or up to) ``before``."""
    op = "<=" if inclusive else "<"
    return pd.read_sql_query(
        f"SELECT hh_key, MAX(period) AS last_review FROM households WHERE period {op} ? "
        "GROUP BY hh_key", conn, params=(_iso(before),))


def _iso(value: dt.date | str) -> str:
    """Period id: ISO date; lenient text such as 2024-6-30 or 2024/06/30 is normalised."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    text = str(value).strip()
    try:
        return pd.Timestamp(text.replace("/", "-")).date().isoformat()
    except (ValueError, TypeError):
        return text[:10]
