"""City / province roll-up: many counties' ``process`` results in one DuckDB query.

``run(dirs, out_dir, name=...)`` finds the county output folders (``discover``), reads their
Parquet (or, for older runs, CSV) files as one table per kind (``engine``), asks the questions
in SQL (``queries``), shapes the answers (``tables``) and writes OUT/汇总.csv, 跨县重复人员.csv,
跨县重复户主.csv and 全市汇总.xlsx (``book``). ``query(db, sql)`` answers an analyst's SQL against
a database kept with ``db_path``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..registry import NOT_CARDED, UNDETERMINED
from ..write.csvs import escape_text, write_csv
from ..write.tables import ordered_cards
from . import engine, queries, tables
from .discover import RollupError, find_counties

__all__ = ["run", "query", "RollupError", "RollupResult", "SUMMARY_CSV", "PEOPLE_CSV", "HEADS_CSV", "BOOK"]

SUMMARY_CSV = "汇总.csv"
PEOPLE_CSV = "跨县重复人员.csv"
HEADS_CSV = "跨县重复户主.csv"
BOOK = "全市汇总.xlsx"


@dataclass
class RollupResult:
    name: str
    runs: list
    counties: list[str]
    cards: list[str]
    order: list[str]
    colours: dict[str, str]
    summary: pd.DataFrame  # 汇总.csv
    dup_people: pd.DataFrame  # 跨县重复人员.csv
    dup_heads: pd.DataFrame  # 跨县重复户主.csv
    county_households: pd.DataFrame = None
    county_persons: pd.DataFrame = None
    county_shares: pd.DataFrame = None
    township_households: pd.DataFrame = None
    township_persons: pd.DataFrame = None
    issues_by_level: pd.DataFrame = None
    issues_by_code: pd.DataFrame = None
    spotcheck: pd.DataFrame = None
    quotas: pd.DataFrame = None
    measures: pd.DataFrame | None = None  # #13's findings per county × 检查项
    measures_coverage: pd.DataFrame | None = None  # #13's coverage per county × entitlement
    measures_fills: pd.Series | None = None  # its rows below 100 % (red)
    county_notes: pd.DataFrame = None
    warnings: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    member_rows: int = 0
    sql_result: pd.DataFrame | None = None  # the answer to ``run(..., sql=...)``


def _rules_cards(runs) -> tuple[list[str], dict[str, str], float]:
    """Card names in order (the manifests' rules, first seen first), colours and the spot-check
    rate from the packaged rules file."""
    from ..rules.ruleset import load_rules

    rules = load_rules()
    names: list[str] = []
    for run in runs:
        for card in (run.manifest.get("rules") or {}).get("cards") or []:
            if card not in names and card not in (NOT_CARDED, UNDETERMINED):
                names.append(str(card))
    names = names or list(rules.card_names)
    colours = {}
    for card in names:
        try:
            colours[card] = rules.colour(card)
        except Exception:  # noqa: BLE001 - a card the packaged rules do not know: neutral colour
            colours[card] = ""
    rate = float(rules.section("spotcheck").get("min_rate", 0.3))
    return names, colours, rate


def county_notes(runs, totals: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """数据说明 rows (one per county) and the 警告 lines."""
    rows, warnings = [], []
    got = totals.set_index("county") if len(totals) else pd.DataFrame(columns=["households", "members"])
    for run in runs:
        m = run.manifest
        counts = m.get("counts") or {}
        rules = m.get("rules") or {}
        hh = int(got["households"].get(run.county, 0) or 0) if run.county in got.index else 0
        rows.append({
            "县": run.county, "评定基准日": str(m.get("as_of") or ""),
            "规则文件": Path(str(rules.get("path") or "（内置规则）")).name,
            "规则文件SHA-256": str(rules.get("sha256") or ""),
            "输入文件数": counts.get("input_files"), "读入行数": counts.get("rows_read"),
            "成员行数": counts.get("member_rows"), "户数": counts.get("households"), "汇总户数": hh,
            "读取方式": run.source, "程序版本": str(m.get("version") or ""), "结果文件夹": str(run.folder),
        })
        if counts.get("households") is not None and int(counts["households"]) != hh:
            warnings.append(f"{run.county}：清单记录 {counts['households']} 户，汇总读到 {hh} 户，"
                            "结果文件可能被改动或不完整，请重新运行 process。")
    notes = pd.DataFrame(rows)
    for col in ("输入文件数", "读入行数", "成员行数", "户数", "汇总户数"):
        notes[col] = pd.to_numeric(notes[col], errors="coerce").astype("Int64")
    warnings = _differences(notes, "规则文件SHA-256", "规则文件", short=True) + \
        _differences(notes, "评定基准日", "评定基准日") + warnings
    return notes, warnings


def _differences(notes: pd.DataFrame, column: str, what: str, short: bool = False) -> list[str]:
    values = notes[column].fillna("").astype("str")
    groups = notes.groupby(values, sort=True)["县"].apply(list)
    if len(groups) <= 1:
        return []
    parts = [f"{(v[:12] + '…') if short and v else (v or '未记录')}：{'、'.join(cs)}" for v, cs in groups.items()]
    return [f"各县使用的{what}不同，分卡结果不能直接比较（" + "；".join(parts) + "）。"]


def _write_csv(frame: pd.DataFrame, path: Path) -> Path:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = escape_text(out[col])
    return write_csv(out, path)


def run(dirs: list[Path], out_dir: Path, *, name: str = "全市", db_path: Path | None = None,
        memory_limit: str = engine.DEFAULT_MEMORY, threads: int | None = None,
        max_depth: int | None = None, sql: str | None = None) -> RollupResult:
    """Roll up every county folder under ``dirs`` into ``out_dir``. Raises ``RollupError``.

    ``db_path``: keep the DuckDB database there (views over the counties' files + the answers).
    ``sql``: also run this query over the views; its answer is ``result.sql_result``."""
    start = time.perf_counter()
    timings: dict[str, float] = {}
    runs = find_counties([Path(d) for d in dirs], **({"max_depth": max_depth} if max_depth else {}))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    spill = Path(tempfile.mkdtemp(prefix=".duckdb-", dir=out_dir))
    try:
        try:
            con = engine.connect(db_path, memory_limit=memory_limit, threads=threads, temp_dir=spill)
        except ValueError as exc:
            raise RollupError(str(exc)) from exc
        try:
            made = engine.create_views(con, runs)
            timings["discover"] = time.perf_counter() - start
            result = _compute(con, runs, name, made, timings)
            if db_path:
                _keep(con, result)
            if sql:
                result.sql_result = _execute(con, sql)
        finally:
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    t = time.perf_counter()
    from .book import write_book

    result.paths = [
        _write_csv(result.summary, out_dir / SUMMARY_CSV),
        _write_csv(result.dup_people, out_dir / PEOPLE_CSV),
        _write_csv(result.dup_heads, out_dir / HEADS_CSV),
        write_book(out_dir / BOOK, result),
    ]
    timings["write"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - start
    result.timings = {k: round(v, 3) for k, v in timings.items()}
    return result


def _timed(timings, key, fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    timings[key] = timings.get(key, 0.0) + time.perf_counter() - t
    return out


def _compute(con, runs, name, made, timings) -> RollupResult:
    counties = [r.county for r in runs]
    cards, colours, rate = _rules_cards(runs)
    raw = _timed(timings, "summary", queries.summary, con)
    order = ordered_cards(cards, raw["card"])  # the county books' order
    people = _timed(timings, "duplicates", queries.duplicate_people, con)
    heads = _timed(timings, "duplicates", queries.duplicate_heads, con)
    result = RollupResult(name=name, runs=runs, counties=counties, cards=cards, order=order, colours=colours,
                          summary=queries.summary_csv(raw, order), dup_people=queries.duplicates_csv(people),
                          dup_heads=queries.duplicates_csv(heads))
    t = time.perf_counter()
    s = result.summary
    result.county_households = tables.county_cards(s, counties, order, "户数")
    result.county_persons = tables.county_cards(s, counties, order, "人数")
    result.county_shares = tables.shares(result.county_households, cards)
    result.township_households, result.township_persons = tables.township_drill(s, order)
    issue_raw = queries.issue_counts(con) if made.get("issues") else \
        pd.DataFrame({"county": [], "level": [], "code": [], "n": []})
    result.issues_by_level, result.issues_by_code = tables.issue_tables(issue_raw, counties)
    sampled = queries.spotcheck_counts(con) if made.get("spotcheck") else None
    result.spotcheck = tables.spotcheck_coverage(s, sampled, runs, cards, rate)
    result.quotas = tables.quota_compliance(queries.quota_rows(con) if made.get("quotas") else None, runs)
    if made.get("measures"):
        result.measures = tables.measures_findings(con, queries.columns(con, "measures"), s, cards)
    if made.get("measures_coverage"):
        result.measures_coverage, result.measures_fills = tables.measures_coverage(
            queries.measures_coverage(con), counties, order)
    totals = queries.county_totals(con)
    result.member_rows = int(totals["members"].fillna(0).sum()) if len(totals) else 0
    result.county_notes, result.warnings = county_notes(runs, totals)
    stray = sorted(set(totals["county"].dropna().astype(str)) - set(counties))
    if stray:
        result.warnings.append("Parquet 文件中的县名与 manifest.json 不一致：" + "、".join(stray) +
                               "。请重新运行 process（--county 县名）。")
    timings["tables"] = time.perf_counter() - t
    return result


def _keep(con, result: RollupResult) -> None:
    """Store the answers in the kept database beside the views (tables with English names)."""
    frames = {
        "rollup_summary": result.summary.rename(columns={v: k for k, v in queries.SUMMARY_COLUMNS.items()}),
        "cross_county_people": result.dup_people.set_axis(
            ["id_number", "name", "county", "township", "village", "household_id", "card"], axis=1),
        "cross_county_heads": result.dup_heads.set_axis(
            ["head_id", "head_name", "county", "township", "village", "household_id", "card"], axis=1),
        "counties": pd.DataFrame({
            "county": result.counties,
            "folder": [str(r.folder) for r in result.runs],
            "source": [r.source for r in result.runs],
            "as_of": [str(r.manifest.get("as_of") or "") for r in result.runs],
            "rules_sha256": [str((r.manifest.get("rules") or {}).get("sha256") or "") for r in result.runs],
        }),
    }
    for table, df in frames.items():
        con.register("_frame", df)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _frame")
        con.unregister("_frame")


def query(db_path: Path, sql: str, *, memory_limit: str = engine.DEFAULT_MEMORY,
          threads: int | None = None, limit: int | None = None) -> pd.DataFrame:
    """An analyst's SQL against a kept roll-up database (read-only). Raises ``RollupError``.
    ``limit``: fetch at most this many rows (the rest of a province-sized answer is never loaded)."""
    import duckdb

    if not Path(db_path).is_file():
        raise RollupError(f"数据库文件不存在：{db_path}。先运行 fourcard-excel rollup 各县文件夹 -o 输出 --db {db_path}")
    try:
        con = engine.connect(Path(db_path), memory_limit=memory_limit, threads=threads, read_only=True)
    except (duckdb.Error, ValueError) as exc:
        raise RollupError(f"无法打开数据库 {db_path}：{exc}") from exc
    try:
        return _execute(con, sql, limit)
    finally:
        con.close()


def _execute(con, sql: str, limit: int | None = None) -> pd.DataFrame:
    import duckdb

    try:
        cur = con.execute(sql)
        if limit is None:
            return cur.df()
        names = [d[0] for d in cur.description or ()]
        return pd.DataFrame.from_records(cur.fetchmany(limit), columns=names)
    except duckdb.Error as exc:
        raise RollupError(f"SQL 执行出错：{exc}") from exc
