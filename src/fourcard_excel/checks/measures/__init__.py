"""帮扶措施 (plan §四, §五(一)): the measures each card gets, checked against the county's ledger.

Check-module contract (docs/ARCHITECTURE.md, contract 6): ``run(result, **options)`` computes,
``write(result, out_dir)`` writes its own files. Pieces, one per file:

- ``config``: the rules file's [measures] section (figures, card sets, entitlement table);
- ``ledger``: 帮扶措施台账 → typed frame matched to households (ID, else 乡镇 + 户编号);
- ``plan``: 一户一策 — entitled / optional / received / missing measures per household (bitmasks);
- ``findings``: the 户-level checks; ``aggregates``: coverage and the 黄卡/绿卡 industry ratio;
- ``book``: measures.csv, the 一户一策 workbooks, the 帮扶措施 and 应享未享 sheets.

Outputs: ``result.outputs["measures"]`` (the measures.csv frame), ``["measures_plan"]`` (一户一策),
``["measures_coverage"]`` (+ ``["measures_entitlements"]``: the entitlements of its columns),
``["township_sheets"]["应享未享"]``; sheet 帮扶措施 in 全县汇总.xlsx; the households gain
``plan_entitled``, ``plan_received``, ``plan_missing``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ...issues import INFO, IssueLog, located
from ...result import RunResult
from ...rules.facts import sort_order
from .aggregates import coverage_table, industry_findings, industry_table, summary_sheet
from .config import MeasureConfig, load_config
from .findings import CHECKS, FINDING_COLUMNS, INTERNAL, LEVEL_COUNTY, LEVEL_TOWNSHIP, household_findings
from .ledger import prepare_ledger
from .plan import EVIDENCE, build_plan, household_columns, plan_frame, received_mask, roster_evidence

__all__ = ["run", "write", "load_config", "MeasureConfig", "FINDING_COLUMNS", "NOT_CHECKED_CODE"]

NOT_CHECKED_CODE = "M015"
NO_SECTION_CODE = "M016"
NO_YEAR_CODE = "M017"
EVIDENCE_CODE = "M018"
SHEET = "帮扶措施"
OWED_SHEET = "应享未享"
LEVEL_ORDER = {LEVEL_COUNTY: 0, LEVEL_TOWNSHIP: 1}


def _clear(result: RunResult) -> None:
    result.outputs["measures"] = None
    result.outputs["measures_plan"] = None
    result.outputs["measures_coverage"] = None
    result.outputs["measures_entitlements"] = None


def run(result: RunResult, *, ledger: pd.DataFrame | None = None, year: int | None = None, **_options) -> None:
    """Check the measures ledger (``ledger``, else ``result.tables["ledger"]``) against the plan."""
    ledger = ledger if ledger is not None else (result.tables or {}).get("ledger")
    log = IssueLog()
    if ledger is None or not len(ledger):
        _clear(result)
        log.add(NOT_CHECKED_CODE, "没有找到帮扶措施台账，帮扶措施（工作方案四、五(一)）未核查；如需核查，请把"
                                  "帮扶措施台账（乡镇、户主证件号码、措施类别、金额、年度……）放入输入文件夹，或用 --ledger 指定")
        result.add_issues(log.frame())
        return
    cfg = load_config(result.rules)
    if cfg is None:
        _clear(result)
        log.add(NO_SECTION_CODE, "规则文件没有 [measures] 部分，帮扶措施台账未核查；如需核查，请从 templates/rules.toml "
                                 "复制 [measures] 部分并按本县方案修改")
        result.add_issues(log.frame())
        return

    h = result.households.reset_index(drop=True)
    L = prepare_ledger(ledger, h, result.members)
    years = L["year"].dropna()
    if year is None and len(years):
        year = int(years.max())
    no_year = L["year"].isna().to_numpy() & (L["code"].to_numpy() >= 0)
    if no_year.any():  # at the ledger row (its 乡镇 not passed: the issue's 乡镇 stays blank)
        log.add_frame(NO_YEAR_CODE, located(
            L[["source_file", "source_sheet", "source_row"]], no_year, "年度", L["measure"],
            "台账行没有可识别的年度或日期（应为“2024”或“2024-05-10”），"
            + (f"按核查年度{year}年计入" if year is not None else "按本期计入") + "；请补填年度"))
    in_year = L["year"].isna().to_numpy() | (L["year"].fillna(-1).to_numpy() == (year if year is not None else -1))
    received = received_mask(len(h), L["hh"].to_numpy()[in_year], L["code"].to_numpy()[in_year])
    evidence, unreadable = roster_evidence(h, result.members)
    received |= evidence
    if len(unreadable):
        from ...registry import BY_KEY

        labels = unreadable["key"].map({k: BY_KEY[k].label for k in EVIDENCE})
        log.add_frame(EVIDENCE_CODE, located(
            unreadable, np.ones(len(unreadable), dtype=bool), labels, unreadable["value"],
            "取值无法识别（可填：是/否，农村低保/城市低保/未享受，集中供养/分散供养），不作为低保/特困供养依据"), level=INFO)

    plan = build_plan(h, result.rules, cfg, received)
    findings = household_findings(h, L, plan, cfg, year)
    coverage = coverage_table(h, plan)
    industry = industry_table(h, L, cfg, year)
    findings = pd.concat([industry_findings(industry, cfg), findings], ignore_index=True)
    findings = sort_findings(findings)

    result.outputs["measures"] = findings[FINDING_COLUMNS + INTERNAL].reset_index(drop=True)
    result.outputs["measures_plan"] = plan_frame(h, plan)
    result.outputs["measures_coverage"] = coverage
    result.outputs["measures_entitlements"] = tuple(plan.masks)  # the required ones, in coverage order
    result.outputs["measures_year"] = year
    for key, values in household_columns(plan).items():
        result.households[key] = values
    _finding_issues(findings, log)
    result.add_issues(log.frame())

    from .book import owed_sheet, summary_spec

    frame, fills = summary_sheet(coverage, industry, cfg)
    result.sheets[SHEET] = summary_spec(frame, fills, cfg, year)
    result.outputs.setdefault("township_sheets", {})[OWED_SHEET] = owed_sheet(result.outputs["measures_plan"],
                                                                            cfg, year)


def sort_findings(f: pd.DataFrame) -> pd.DataFrame:
    """County, then township rows, then households by 乡镇, 行政村, 户编号, ID, check, year, ledger row."""
    if f.empty:
        return f
    order = {code: f"{i:02d}" for i, code in enumerate(CHECKS.values())}  # by code: names may hold figures
    key = pd.DataFrame({
        "lvl": f["层级"].map(LEVEL_ORDER).fillna(2).astype(int).astype(str), "town": f["乡镇"],
        "village": f["行政村"], "hid": f["户编号"], "id": f["户主证件号码"],
        "check": f["代码"].map(order).fillna("99"), "year": f["年度"],
        "row": f["source_row"].fillna(0).astype("int64").astype(str).str.zfill(9)})
    return f.take(sort_order(key, list(key.columns))).reset_index(drop=True)


def _finding_issues(f: pd.DataFrame, log: IssueLog) -> None:
    if f.empty:
        return
    def col(name):
        return f[name].to_numpy(dtype=object)

    text = col("检查项") + "：" + col("要求") + "；实际" + col("实际") + "。" + col("说明")
    codes = col("代码")
    where = f[["source_file", "source_sheet", "source_row", "hh_key", "乡镇"]].rename(columns={"乡镇": "township"})
    for code in sorted(set(codes)):
        log.add_frame(code, located(where, codes == code, "帮扶措施", col("实际"), text))


def write(result: RunResult, out_dir) -> list[Path]:
    """measures.csv and 一户一策/<乡镇>.xlsx when measures were checked."""
    return submit_writes(result, out_dir).result()


def submit_writes(result: RunResult, out_dir, pool=None):
    """``write`` with the 一户一策 books as jobs of ``pool`` (measures.csv is written now): a
    job-like object whose ``result()`` is the paths, as ``write`` returns them."""
    from ... import background
    from .book import submit_plan_books, write_csv

    if result.outputs.get("measures") is None:
        return background.inline().submit(list)
    out = Path(out_dir)
    first = write_csv(result, out)
    books = submit_plan_books(result, out, pool)
    return background.inline().submit(lambda: [first, *books.result()])


