"""What the measures check writes: measures.csv, 一户一策/<乡镇>.xlsx (printable, one row per household,
grouped by village), and the sheet specs for 全县汇总.xlsx (帮扶措施, with a chart) and the
township books (应享未享)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ...ingest.ids import mask_id
from ...result import SheetSpec
from ...write import csvs, styles
from ...write.atomic import atomic_path
from ...write.sheet import write_block
from .config import MeasureConfig
from .findings import FINDING_COLUMNS

CSV_NAME = "measures.csv"
PLAN_DIR = "一户一策"
RED = "#F4CCCC"
OWED_COLUMNS = ["乡镇", "行政村", "户编号", "户主姓名", "家庭人口", "卡别", "应享措施", "已享措施", "未享措施", "依据"]
BOOK_COLUMNS = ["户编号", "户主姓名", "证件号码（脱敏）", "家庭人口", "卡别", "应享措施", "未享措施", "可享措施",
                "已享措施", "帮扶责任人", "签字"]
BOOK_WIDTHS = {"户编号": 18, "户主姓名": 9, "证件号码（脱敏）": 20, "家庭人口": 6, "卡别": 6, "应享措施": 22,
               "未享措施": 22, "可享措施": 36, "已享措施": 30, "帮扶责任人": 10, "签字": 10}


@dataclass
class ChartSheet(SheetSpec):
    """A SheetSpec whose sheet also gets a native chart (``chart(workbook, worksheet, header_row)``)."""

    chart: object = None
    number_formats: dict | None = None
    freeze_cols: int = 1


def summary_spec(frame: pd.DataFrame, fills: pd.Series, cfg: MeasureConfig, year) -> ChartSheet:
    rate_cols = [c for c in frame.columns if c.endswith("覆盖率")]
    high, low = cfg.industry_cards
    title = (f"帮扶措施落实情况（{year}年台账；红色：低于工作方案要求）：应享措施应全覆盖（四(二)产业分红全覆盖、"
             f"四(六)应兜尽兜、应保尽保）；{high}户均产业扶贫资金不低于{low}户均的"
             f"{cfg.yellow_industry_ratio_min:g}倍（四(二)，按获得资金的户平均）")
    n_towns = len(frame)

    def chart(wb, ws, header_row: int) -> None:
        if not rate_cols or n_towns == 0:
            return
        ch = wb.add_chart({"type": "column"})
        name = ws.get_name()
        for c in rate_cols:
            col = list(frame.columns).index(c)
            ch.add_series({"name": [name, header_row, col],
                           "categories": [name, header_row + 1, 0, header_row + n_towns, 0],
                           "values": [name, header_row + 1, col, header_row + n_towns, col]})
        ch.set_title({"name": "各乡镇应享措施覆盖率"})
        ch.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
        ch.set_legend({"position": "bottom"})
        ch.set_size({"width": 760, "height": 360})
        ws.insert_chart(header_row + n_towns + 3, 0, ch)

    return ChartSheet(frame, row_fill=fills, tab_colour="#C00000", title=title, chart=chart,
                      number_formats={c: "#,##0.00" for c in frame.columns if "户均" in c or "之比" in c})


def owed_sheet(plan: pd.DataFrame, cfg: MeasureConfig, year) -> SheetSpec:
    """应享未享 (one per township book): households missing a measure their card entitles them to."""
    owed = plan[plan["未享措施"] != ""]
    basis = {}
    for e in cfg.required:
        basis.setdefault(e.measure, e.plan)
    missing = owed["未享措施"]  # few distinct texts: each joined once, not once per household
    reasons = missing.map({t: "；".join(basis.get(m, "") for m in t.split("、")) for t in missing.unique()})
    frame = owed.assign(依据=reasons.to_numpy())[OWED_COLUMNS].reset_index(drop=True)
    title = "{town}应享未享帮扶措施的农户（共 {n} 户，" + f"{year}年台账）：请逐户落实，已落实的请补录台账"
    return SheetSpec(frame, row_fill=pd.Series(RED, index=frame.index), tab_colour="#C00000", title=title)


def findings_csv(findings: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({c: csvs.escape_text(findings[c]) for c in FINDING_COLUMNS})


def write_csv(result, out: Path) -> Path:
    return csvs.write_csv(findings_csv(result.outputs["measures"]), out / CSV_NAME)


def submit_plan_books(result, out: Path, pool=None):
    """一户一策/<乡镇>.xlsx: one row per carded household, a block per village, A4 landscape.

    The books as jobs of ``pool`` (inline without one): a job-like object whose
    ``result()`` is the paths, in township order."""
    from ... import background

    plan = result.outputs.get("measures_plan")
    if plan is None or plan.empty:
        return background.inline().submit(list)
    frame = plan.assign(**{"证件号码（脱敏）": mask_id(plan["户主证件号码"].astype(str)).to_numpy(),
                           "帮扶责任人": "", "签字": ""})
    frame = frame.sort_values(["乡镇", "行政村", "户编号", "户主证件号码"], kind="stable")
    used: set[str] = set()
    runner = pool if pool is not None and pool.parallel else background.inline()
    year = result.outputs.get("measures_year")
    jobs = []
    for town, part in frame.groupby("乡镇", sort=True):
        stem = styles.safe_filename(town or "未填乡镇", used)
        path = out / PLAN_DIR / f"{stem}.xlsx"
        part = part[[c for c in dict.fromkeys(["行政村", *BOOK_COLUMNS]) if c in part.columns]]
        jobs.append(runner.submit(write_plan_book, path, town or "未填乡镇", part, year,
                                  created=result.as_of, tmpdir=out))
    return background.inline().submit(lambda: [job.result() for job in jobs])


def write_plan_book(path: Path, town: str, part: pd.DataFrame, year, *, created=None, tmpdir=None) -> Path:
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp, tmpdir=tmpdir or Path(path).parent, created=created)
        fmts = styles.Formats(wb)
        ws = wb.add_worksheet("一户一策")
        ws.write_string(0, 0, f"{town}“一户一策”帮扶计划（{year}年；工作方案五(一)“逐户制定帮扶计划，做到一户一策”）",
                        fmts.title())
        ws.write_string(1, 0, "应享措施：按卡别和家庭情况必须落实；未享措施：应享而台账中尚未落实；可享措施：方案规定可优先"
                              "安排的措施；已享措施：台账（及花名册低保、特困供养情况）所示")
        row = 3
        breaks = []
        for village, block in part.groupby("行政村", sort=True):
            if row > 3:
                breaks.append(row)
            header = write_block(ws, fmts, block[BOOK_COLUMNS].reset_index(drop=True), row,
                                 title=f"{village or '未填行政村'}（{len(block)} 户）")
            row = header + len(block) + 2
        for i, c in enumerate(BOOK_COLUMNS):
            ws.set_column(i, i, BOOK_WIDTHS.get(c, 12), fmts.get(text_wrap=True, valign="top"))
        ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        if breaks:
            ws.set_h_pagebreaks(breaks)
        wb.close()
    return Path(path)
