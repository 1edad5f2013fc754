"""The roll-up's questions, in SQL over the views of ``engine`` (households, members, issues, ...).

The counting and the cross-county duplicate search are plain standard SQL (GROUP BY / HAVING,
joins, no DuckDB extensions), so the same statements run on Spark SQL or Trino over the same
Parquet files; README shows them. Results are small (one row per county × township × card, or per
repeated person) and come back as pandas frames with the Chinese headers of the output files.
"""

from __future__ import annotations

import pandas as pd

# 汇总.csv: households and persons per county × township × card.
SUMMARY_SQL = """
SELECT county, township, card, COUNT(*) AS households, SUM(size) AS persons
FROM households
GROUP BY county, township, card
"""

# People (valid ID) whose ID appears in more than one county: one hash aggregation over all
# members finds the IDs, a hash join brings back each occurrence with its place and card.
# MIN(county) <> MAX(county) is COUNT(DISTINCT county) > 1 without a per-group distinct set.
DUPLICATE_PEOPLE_SQL = """
WITH repeated AS (
    SELECT id_number
    FROM members
    WHERE id_ok AND id_number <> ''
    GROUP BY id_number
    HAVING MIN(county) <> MAX(county)
)
SELECT m.id_number, m.name, m.county, m.township, m.village, m.household_id, h.card
FROM members m
JOIN repeated r ON m.id_number = r.id_number
LEFT JOIN households h ON h.county = m.county AND h.hh_key = m.hh_key
ORDER BY m.id_number, m.county, m.township, m.village, m.household_id
"""

# 户主 heading households in more than one county.
DUPLICATE_HEADS_SQL = """
WITH repeated AS (
    SELECT head_id
    FROM households
    WHERE LENGTH(head_id) = 18
    GROUP BY head_id
    HAVING MIN(county) <> MAX(county)
)
SELECT h.head_id, h.head_name, h.county, h.township, h.village, h.household_id, h.card
FROM households h
JOIN repeated r ON h.head_id = r.head_id
ORDER BY h.head_id, h.county, h.township, h.village, h.household_id
"""

ISSUES_SQL = """
SELECT county, level, code, COUNT(*) AS n
FROM issues
GROUP BY county, level, code
"""

SPOTCHECK_SQL = """
SELECT county, "乡镇" AS township, "卡别" AS card, COUNT(*) AS sampled
FROM spotcheck
GROUP BY county, "乡镇", "卡别"
"""

QUOTAS_SQL = """
SELECT county, "层级" AS level, "乡镇" AS township, "行政村" AS village,
       TRY_CAST("要求" AS DOUBLE) AS required, TRY_CAST("实际" AS DOUBLE) AS actual,
       "是否达标" AS met
FROM quotas
"""

# #13's coverage (measures_coverage.parquet: one row per township × required entitlement) summed
# over each county's townships, and over the whole city (the second grouping set, county NULL);
# the rate is done / due of the sums, never an average of township rates.
MEASURES_COVERAGE_SQL = """
SELECT county, card, measure, SUM(due) AS due, SUM(done) AS done,
       CASE WHEN SUM(due) > 0 THEN CAST(SUM(done) AS DOUBLE) / SUM(due) END AS rate
FROM measures_coverage
GROUP BY GROUPING SETS ((county, card, measure), (card, measure))
"""

DUP_COLUMNS = {"id_number": "证件号码", "name": "姓名", "county": "县", "township": "乡镇", "village": "行政村",
               "household_id": "户编号", "card": "卡别", "head_id": "证件号码", "head_name": "姓名"}
SUMMARY_COLUMNS = {"county": "县", "township": "乡镇", "card": "卡别", "households": "户数", "persons": "人数"}


def frame(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


def text(df: pd.DataFrame, cols) -> pd.DataFrame:
    for col in cols:
        df[col] = df[col].astype("object").where(df[col].notna(), "").astype("str")
    return df


def summary(con) -> pd.DataFrame:
    """county, township, card, households, persons (unsorted)."""
    df = text(frame(con, SUMMARY_SQL), ["county", "township", "card"])
    df["households"] = df["households"].astype("int64")
    df["persons"] = df["persons"].fillna(0).astype("int64")
    return df


def summary_csv(raw: pd.DataFrame, card_order: list[str]) -> pd.DataFrame:
    """汇总.csv: 县,乡镇,卡别,户数,人数 sorted by county, township and the rules' card order."""
    rank = {c: i for i, c in enumerate(card_order)}
    df = raw.assign(_card=raw["card"].map(rank).fillna(len(rank)).astype("int64"))
    df = df.sort_values(["county", "township", "_card", "card"], kind="stable").drop(columns="_card")
    return df.rename(columns=SUMMARY_COLUMNS)[list(SUMMARY_COLUMNS.values())].reset_index(drop=True)


def duplicate_people(con) -> pd.DataFrame:
    """id_number, name, county, township, village, household_id, card: one row per occurrence."""
    return text(frame(con, DUPLICATE_PEOPLE_SQL),
                ["id_number", "name", "county", "township", "village", "household_id", "card"])


def duplicate_heads(con) -> pd.DataFrame:
    return text(frame(con, DUPLICATE_HEADS_SQL),
                ["head_id", "head_name", "county", "township", "village", "household_id", "card"])


def duplicates_csv(raw: pd.DataFrame) -> pd.DataFrame:
    """证件号码,姓名,县,乡镇,行政村,户编号,卡别 (already sorted by ID in SQL)."""
    df = raw.rename(columns=DUP_COLUMNS)
    return df[["证件号码", "姓名", "县", "乡镇", "行政村", "户编号", "卡别"]].reset_index(drop=True)


def issue_counts(con) -> pd.DataFrame:
    df = text(frame(con, ISSUES_SQL), ["county", "level", "code"])
    df["n"] = df["n"].astype("int64")
    return df


def spotcheck_counts(con) -> pd.DataFrame:
    df = text(frame(con, SPOTCHECK_SQL), ["county", "township", "card"])
    df["sampled"] = df["sampled"].astype("int64")
    return df


def quota_rows(con) -> pd.DataFrame:
    return text(frame(con, QUOTAS_SQL), ["county", "level", "township", "village", "met"])


def measures_coverage(con) -> pd.DataFrame:
    """county ('' for the city total), card, measure, due, done, rate (NaN when nothing is due)."""
    df = text(frame(con, MEASURES_COVERAGE_SQL), ["county", "card", "measure"])
    for col in ("due", "done"):
        df[col] = df[col].fillna(0).astype("int64")
    df["rate"] = df["rate"].astype("float64")
    return df


def columns(con, view: str) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {view}").fetchall()]


def county_totals(con) -> pd.DataFrame:
    """county, households, members (row counts in the views, to compare with the manifests)."""
    hh = frame(con, "SELECT county, COUNT(*) AS households FROM households GROUP BY county")
    mem = frame(con, "SELECT county, COUNT(*) AS members FROM members GROUP BY county")
    return hh.merge(mem, on="county", how="outer")
