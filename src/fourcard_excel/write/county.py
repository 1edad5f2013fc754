"""全县汇总.xlsx: 总览 (township × card pivots), 图表 (native charts), 问题统计, 文件清单, and the
extra sheets the checks put in ``result.sheets``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..issues import CODES, ERROR, INFO, LEVEL_ORDER, WARNING
from . import styles, tables
from .atomic import atomic_path
from .sheet import write_block, write_frame

COUNTY_BOOK = "全县汇总.xlsx"
NO_TOWNSHIP = "（未归属乡镇）"
FILE_COLUMNS = {"文件": "文件", "乡镇": "乡镇", "状态": "状态", "原因": "原因", "读入行数": "读入行数",
                "户数": "户数", "错误数": "错误数", "重复于": "重复于（已选用的文件）", "大小": "大小（字节）",
                "sha256": "SHA-256"}
FILE_WIDTHS = {"文件": 40, "原因": 40, "重复于（已选用的文件）": 30, "SHA-256": 66, "大小（字节）": 12}


def write_county(result, out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    path = out_dir / COUNTY_BOOK
    hh = result.households
    rules = result.rules
    order = tables.card_order(rules, hh["card"] if "card" in hh else None)
    cards = list(rules.card_names)
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp, tmpdir=out_dir, created=result.as_of, constant_memory=True)
        fmts = styles.Formats(wb)
        used: set[str] = set()

        # 总览: households, persons, shares (township × card)
        counts = tables.card_pivot(hh, "township", order)
        ws = write_frame(wb, "总览", counts, formats=fmts, used_names=used, autofilter=False,
                         title="全县四卡分类汇总（户数）", bold_last_row=True, freeze_cols=1)
        next_row = 1 + 1 + len(counts) + 1
        if "size" in hh.columns:
            persons = tables.card_pivot(hh, "township", order, weights="size")
            write_block(ws, fmts, persons, next_row, title="全县四卡分类汇总（人数）", bold_last_row=True)
            next_row += 2 + len(persons) + 1
        shares = tables.share_table(counts, order)
        write_block(ws, fmts, shares, next_row, title="各卡户数占比（占本乡镇农户数）", bold_last_row=True)

        n_towns = len(counts) - 1
        if n_towns > 0 and cards:
            add_charts(wb, used, ws.get_name(), header_row=1, n_towns=n_towns, cards=cards,
                       order=order, rules=rules)

        write_issue_stats(wb, fmts, used, result.issues)

        files = file_list(result.files)
        write_frame(wb, "文件清单", files, formats=fmts, used_names=used, widths=FILE_WIDTHS,
                    row_fill=files["状态"].map(styles.STATUS_FILLS).fillna("") if "状态" in files else None,
                    title=f"输入文件清单（共 {len(files)} 个）", freeze_cols=1)

        for name, spec in (result.sheets or {}).items():
            write_extra_sheet(wb, fmts, used, name, spec)
        wb.close()
    return path


def write_extra_sheet(wb, fmts, used, name, spec) -> None:
    """A check's sheet: a ``SheetSpec`` (frame, row_fill, tab_colour, title) or a bare DataFrame."""
    if isinstance(spec, pd.DataFrame):
        write_frame(wb, name, spec, formats=fmts, used_names=used)
        return
    ws = write_frame(wb, name, spec.frame, formats=fmts, used_names=used, row_fill=spec.row_fill,
                     tab_colour=spec.tab_colour, title=spec.title or "",
                     number_formats=getattr(spec, "number_formats", None),  # optional SheetSpec fields
                     freeze_cols=getattr(spec, "freeze_cols", 0) or 0)
    chart = getattr(spec, "chart", None)  # optional: adds a native chart (e.g. 帮扶措施)
    if chart is not None:
        chart(wb, ws, 1 if spec.title else 0)


def add_charts(wb, used, overview: str, *, header_row: int, n_towns: int, cards: list[str],
               order: list[str], rules) -> None:
    """图表 sheet: cards by township (stacked bar) and the county's card shares (pie)."""
    first, last = header_row + 1, header_row + n_towns
    total_row = last + 1
    bar = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for card in cards:
        col = 1 + order.index(card)
        colour = styles.card_colour(rules, card)
        bar.add_series({
            "name": [overview, header_row, col],
            "categories": [overview, first, 0, last, 0],
            "values": [overview, first, col, last, col],
            "fill": {"color": colour}, "border": {"color": "#595959"},
        })
    bar.set_title({"name": "各乡镇四卡户数"})
    bar.set_x_axis({"name": "户数"})
    bar.set_y_axis({"reverse": True})
    bar.set_legend({"position": "bottom"})
    bar.set_size({"width": 820, "height": max(320, 60 + 28 * n_towns)})

    pie = wb.add_chart({"type": "pie"})
    ncards = len(cards)  # cards come first in ``order``
    pie.add_series({
        "name": "全县四卡户数占比",
        "categories": [overview, header_row, 1, header_row, ncards],
        "values": [overview, total_row, 1, total_row, ncards],
        "points": [{"fill": {"color": styles.card_colour(rules, c)}} for c in cards],
        "data_labels": {"percentage": True, "category": True, "leader_lines": True},
    })
    pie.set_title({"name": "全县四卡户数占比"})
    pie.set_size({"width": 520, "height": 380})

    ws = wb.add_worksheet(styles.safe_sheet_name("图表", used))
    ws.write_string(0, 0, "全县四卡分类图表（数据见“总览”）")
    ws.insert_chart(2, 1, bar)
    ws.insert_chart(2, 15, pie)
    ws.set_landscape()
    ws.fit_to_pages(1, 1)


def issue_level_table(issues: pd.DataFrame) -> pd.DataFrame:
    levels = [ERROR, WARNING, INFO]
    town = _issue_towns(issues)
    if len(issues):
        table = pd.crosstab(town.rename("乡镇"), issues["级别"].astype("str"))
    else:
        table = pd.DataFrame(index=pd.Index([], name="乡镇"))
    table = table.reindex(columns=levels, fill_value=0).astype("int64").sort_index()
    table["合计"] = table.sum(axis=1)
    table.loc["合计"] = table.sum(axis=0)
    out = table.reset_index()
    out.columns = ["乡镇", *levels, "合计"]
    return out


def issue_code_table(issues: pd.DataFrame) -> pd.DataFrame:
    cols = ["乡镇", "级别", "代码", "问题", "条数"]
    if not len(issues):
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "条数" else "str") for c in cols})
    frame = pd.DataFrame({"乡镇": _issue_towns(issues), "级别": issues["级别"].astype("str"),
                          "代码": issues["代码"].astype("str")})
    out = frame.groupby(["乡镇", "级别", "代码"], sort=False).size().rename("条数").reset_index()
    out["问题"] = out["代码"].map({k: v[1] for k, v in CODES.items()}).fillna("")
    out["_lvl"] = out["级别"].map(LEVEL_ORDER).fillna(9)
    out = out.sort_values(["乡镇", "_lvl", "代码"], kind="stable").reset_index(drop=True)
    return out[cols].astype({"条数": "int64"})


def write_issue_stats(wb, fmts, used, issues: pd.DataFrame) -> None:
    levels = issue_level_table(issues)
    ws = write_frame(wb, "问题统计", levels, formats=fmts, used_names=used, autofilter=False,
                     title="各乡镇问题数（按级别）", bold_last_row=True, freeze_cols=1,
                     widths={"乡镇": 16})
    codes = issue_code_table(issues)
    ws.set_column(3, 3, 40)
    write_block(ws, fmts, codes, 1 + 1 + len(levels) + 1, title="各乡镇问题数（按问题代码）")


def file_list(files: pd.DataFrame) -> pd.DataFrame:
    keep = [c for c in FILE_COLUMNS if c in files.columns]
    out = files[keep].rename(columns=FILE_COLUMNS)
    sort = [c for c in ("乡镇", "文件") if c in out.columns]
    return out.sort_values(sort, kind="stable").reset_index(drop=True) if sort else out.reset_index(drop=True)


def _issue_towns(issues: pd.DataFrame) -> pd.Series:
    if "乡镇" not in issues.columns:
        return pd.Series(NO_TOWNSHIP, index=issues.index)
    town = issues["乡镇"].astype("object").where(issues["乡镇"].notna(), "").astype("str")
    return town.where(town != "", NO_TOWNSHIP)
