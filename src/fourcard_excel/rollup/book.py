"""全市汇总.xlsx: the city's (or province's) workbook, written with the house helpers
(``write.styles``, ``write.sheet``, ``write.atomic``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..write import styles
from ..write.atomic import atomic_path
from ..write.sheet import write_block, write_frame

NEUTRAL = ["#7F7F7F", "#A5A5A5", "#5B9BD5", "#ED7D31", "#70AD47", "#FFC000"]

SHEET_NOTES = [
    ("总览", "各县分卡户数、人数和占比（占本县农户数），附图表。"),
    ("图表", "各县分卡户数堆积条形图。"),
    ("乡镇明细", "各县各乡镇分卡户数、人数。"),
    ("问题统计", "各县问题数（按级别、按问题代码），问题含义见各县问题清单。"),
    ("县级抽查", "各县抽查名单覆盖率；每个乡镇×卡别分层应抽不少于规定比例（向上取整）。"),
    ("公益岗位", "各县公益岗位达标情况（全县、乡镇、村三级）。"),
    ("帮扶措施", "各县帮扶措施覆盖率（应享户数、已落实户数按乡镇相加，低于 100% 标红）和核查发现的问题条数；"
             "仅含用帮扶措施台账核查过的县（measures_coverage.parquet、measures.parquet）。"),
    ("跨县重复人员", "同一证件号码出现在两个及以上县的人员，每次出现一行，按证件号码排序。"),
    ("跨县重复户主", "同一户主证件号码在两个及以上县为户主的家庭。"),
]


def card_colours(order: list[str], colours: dict[str, str]) -> dict[str, str]:
    out, spare = {}, iter(NEUTRAL * 4)
    for card in order:
        out[card] = styles.hex_colour(colours.get(card), "") or next(spare)
    return out


def write_book(path: Path, data) -> Path:
    """``data``: a ``RollupResult``. Returns ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp, tmpdir=path.parent)
        fmts = styles.Formats(wb)
        used: set[str] = set()
        name = data.name
        order, cards = data.order, data.cards
        colours = card_colours(order, data.colours)

        ws = write_frame(wb, "总览", data.county_households, formats=fmts, used_names=used, autofilter=False,
                         title=f"{name}四卡分类汇总（户数）", bold_last_row=True, freeze_cols=1)
        row = 2 + len(data.county_households) + 1
        write_block(ws, fmts, data.county_persons, row, title=f"{name}四卡分类汇总（人数）", bold_last_row=True)
        row += 2 + len(data.county_persons) + 1
        write_block(ws, fmts, data.county_shares, row, title="各卡户数占比（占本县农户数）", bold_last_row=True)
        _chart(wb, used, ws.get_name(), len(data.counties), cards, order, colours, name)

        ws = write_frame(wb, "乡镇明细", data.township_households, formats=fmts, used_names=used,
                         title="各县各乡镇分卡户数", bold_last_row=True, freeze_cols=2)
        write_block(ws, fmts, data.township_persons, 2 + len(data.township_households) + 1,
                    title="各县各乡镇分卡人数", bold_last_row=True)

        ws = write_frame(wb, "问题统计", data.issues_by_level, formats=fmts, used_names=used, autofilter=False,
                         title="各县问题数（按级别）", bold_last_row=True, freeze_cols=1)
        ws.set_column(3, 3, 40)
        write_block(ws, fmts, data.issues_by_code, 2 + len(data.issues_by_level) + 1,
                    title="各县问题数（按问题代码）")

        rate = data.spotcheck.attrs.get("rate", 0.3)
        write_frame(wb, "县级抽查", data.spotcheck, formats=fmts, used_names=used,
                    title=f"各县县级抽查覆盖情况（每层应抽不少于 {rate:.0%}）", freeze_cols=1,
                    row_fill=data.spotcheck["是否达标"].map({"否": "#FCE4E4", "是": "#E2EFDA"}).fillna(""))
        write_frame(wb, "公益岗位", data.quotas, formats=fmts, used_names=used, title="各县公益岗位达标情况",
                    freeze_cols=1,
                    row_fill=data.quotas["全县是否达标"].map({"否": "#FCE4E4", "是": "#E2EFDA"}).fillna(""))
        _measures(wb, fmts, used, data)
        write_frame(wb, "跨县重复人员", data.dup_people, formats=fmts, used_names=used, freeze_cols=2,
                    title=f"跨县重复人员：{data.dup_people['证件号码'].nunique()} 人，{len(data.dup_people)} 条记录")
        write_frame(wb, "跨县重复户主", data.dup_heads, formats=fmts, used_names=used, freeze_cols=2,
                    title=f"跨县重复户主：{data.dup_heads['证件号码'].nunique()} 人，{len(data.dup_heads)} 户")
        _notes(wb, fmts, used, data)
        wb.close()
    return path


def _measures(wb, fmts, used, data) -> None:
    """帮扶措施: coverage per county × entitlement (red below 100 %), then the findings per 检查项."""
    coverage, findings = data.measures_coverage, data.measures
    if coverage is None and findings is None:
        return
    findings_title = "各县帮扶措施核查发现的问题（有帮扶措施台账的县）"
    if coverage is None:
        write_frame(wb, "帮扶措施", findings, formats=fmts, used_names=used, title=findings_title, freeze_cols=1)
        return
    n = coverage.loc[coverage["县"] != "合计", "县"].nunique()
    ws = write_frame(wb, "帮扶措施", coverage, formats=fmts, used_names=used, freeze_cols=1,
                     title=f"各县帮扶措施覆盖情况（{n} 个县有帮扶措施台账；应享户数、已落实户数为各乡镇之和，"
                           "覆盖率低于 100% 标红）", row_fill=data.measures_fills)
    if findings is not None:
        write_block(ws, fmts, findings, 2 + len(coverage) + 1, title=findings_title)


def _chart(wb, used, overview: str, n: int, cards: list[str], order: list[str], colours: dict[str, str],
           name: str) -> None:
    if n == 0 or not cards:
        return
    header, first, last = 1, 2, 1 + n
    bar = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for card in cards:
        col = 1 + order.index(card)
        bar.add_series({"name": [overview, header, col], "categories": [overview, first, 0, last, 0],
                        "values": [overview, first, col, last, col],
                        "fill": {"color": colours[card]}, "border": {"color": "#595959"}})
    bar.set_title({"name": f"{name}各县四卡户数"})
    bar.set_x_axis({"name": "户数"})
    bar.set_y_axis({"reverse": True})
    bar.set_legend({"position": "bottom"})
    bar.set_size({"width": 820, "height": max(320, 60 + 24 * n)})
    ws = wb.add_worksheet(styles.safe_sheet_name("图表", used))
    ws.write_string(0, 0, f"{name}四卡分类图表（数据见“总览”）")
    ws.insert_chart(2, 1, bar)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)


def _notes(wb, fmts, used, data) -> None:
    """数据说明: each county's as_of, rules hash and counts; the 警告 below; what each sheet holds."""
    n_warn = len(data.warnings)
    title = f"{data.name}汇总数据说明（共 {len(data.counties)} 个县" + \
        (f"，警告 {n_warn} 条，见表下方）" if n_warn else "）")
    ws = write_frame(wb, "数据说明", data.county_notes, formats=fmts, used_names=used, autofilter=False,
                     title=title, freeze_cols=1, widths={"规则文件SHA-256": 66, "结果文件夹": 40})
    row = 2 + len(data.county_notes) + 1
    warnings = pd.DataFrame({"警告": data.warnings or ["无：各县使用同一规则文件和同一评定基准日。"]})
    write_block(ws, fmts, warnings, row,
                row_fill=pd.Series(["#FFF2CC" if n_warn else ""] * len(warnings)))
    row += 2 + len(warnings) + 1
    notes = pd.DataFrame(SHEET_NOTES, columns=["工作表", "内容"])
    write_block(ws, fmts, notes, row, title="各工作表内容")
