"""Approval forms (审批表): the plan's appendix form, one printed A4 page per household.

The layout lives in ``data/审批表版式.toml`` (copied to ``templates/`` for users; text, reviewable in a diff, editable by a county
without touching code); this module fills it per household from the classified households frame
(contract 2 + 3) and the members frame (contract 1) and writes one workbook per 乡镇_行政村 with
xlsxwriter: one sheet of forms separated by horizontal page breaks, A4 portrait, one page wide.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

from .. import registry as reg
from ..write.atomic import atomic_path
from .notice import add_group_order, card_names, notice_schedule, safe_name

WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
TICK, BOX = "☑", "□"
LAYOUT_NAME = "审批表版式.toml"
SHEET_NAME = "审批表"
MAX_FORMS_PER_SHEET = 500  # Excel allows 1,023 manual page breaks per sheet
DATE_LINE = "　　　　年　　月　　日"
NOTE_LIMIT = 60  # characters of 系统初判依据 shown in the first opinion block

_FIELD_RE = re.compile(r"^\{(\w+)\}$")


class FormLayoutError(ValueError):
    """The layout file is missing or malformed (message in Chinese)."""


def default_layout_path() -> Path:
    """The packaged layout (``data/``); ``templates/审批表版式.toml`` is a byte-identical copy for users."""
    path = Path(__file__).resolve().parent.parent / "data" / LAYOUT_NAME
    if not path.is_file():
        raise FormLayoutError(f"找不到审批表版式文件 {LAYOUT_NAME}，请重新安装 fourcard-excel")
    return path


def load_layout(path: Path | str | None = None) -> dict:
    path = Path(path) if path else default_layout_path()
    try:
        layout = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise FormLayoutError(f"审批表版式文件 {path} 无法读取：{exc}") from exc
    if not layout.get("columns") or not layout.get("rows"):
        raise FormLayoutError(f"审批表版式文件 {path} 缺少 columns 或 rows")
    return layout


# --- values -----------------------------------------------------------------------------------

def boxes(options, ticked) -> str:
    """"☑a□b□c" for the options, ticking those in ``ticked``."""
    ticked = set(ticked)
    return "".join(f"{TICK if o in ticked else BOX}{o}" for o in options)


def card_boxes(names: list[str], card: str | None) -> str:
    return "".join(f"{TICK if n == card else BOX}{n}户" for n in names)


def category_boxes(category: str) -> str:
    registered = category == "建档立卡贫困户"
    non_poor = category in ("边缘户", "一般农户")
    return (f"{TICK if registered else BOX}建档立卡贫困户　　"
            f"{TICK if non_poor else BOX}非贫困户（{TICK if category == '边缘户' else BOX}边缘户）")


def poverty_boxes(status: str, monitored: bool) -> str:
    return (f"{TICK if status == '已脱贫' else BOX}已脱贫（{TICK if monitored else BOX}脱贫监测户）　　"
            f"{TICK if status == '未脱贫' else BOX}未脱贫　　{TICK if status == '返贫' else BOX}返贫")


def policy_boxes(joined: str) -> str:
    chosen = [p for p in str(joined or "").split("、") if p]
    half = (len(reg.POLICIES) + 1) // 2
    first = boxes(reg.POLICIES[:half], chosen)
    second = boxes(reg.POLICIES[half:], chosen)
    return f"{first}\n{second}"


def _col(frame: pd.DataFrame, name: str, default) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([default] * len(frame), index=frame.index)


def _money(series: pd.Series) -> np.ndarray:
    return pd.to_numeric(series, errors="coerce").fillna(0.0).round(2).to_numpy(dtype=float)


def household_values(households: pd.DataFrame, rules, as_of: dt.date | None = None) -> list[dict]:
    """One dict of form fields per household (same order as ``households``)."""
    names = card_names(rules)
    sched = notice_schedule(rules, as_of)
    hh = households
    text = {k: _col(hh, k, "").fillna("").astype(str).to_numpy()
            for k in ("township", "village", "group", "household_id", "head_name", "head_id", "main_cause",
                      "category", "poverty_status", "policies_enjoyed", "policies_eligible", "card",
                      "reasons", "hh_key")}
    monitored = _col(hh, "monitored", False).fillna(False).astype(bool).to_numpy()
    size = pd.to_numeric(_col(hh, "size", 0), errors="coerce").fillna(0).astype(int).to_numpy()
    money = {k: _money(_col(hh, k, 0.0)) for k in ("business_income", "wage_income", "transfer_income",
                                                   "property_income", "total_income", "business_cost",
                                                   "net_income", "per_capita")}
    notice_from = f"{sched['start'].month}月{sched['start'].day}日" if sched["start"] else "　　月　　日"
    notice_to = f"{sched['end'].month}月{sched['end'].day}日" if sched["end"] else "　　月　　日"
    out = []
    for i in range(len(hh)):
        card = text["card"][i]
        if card in names:
            note = f"系统初判：{card}。{text['reasons'][i]}"
        elif card == reg.UNDETERMINED:
            note = "系统初判：未判定（花名册数据有错误，请核实后填写）。"
        else:
            note = f"系统初判：{card or reg.NOT_CARDED}。{text['reasons'][i]}"
        if len(note) > NOTE_LIMIT:
            note = note[: NOTE_LIMIT - 1] + "…"
        out.append({
            "year": sched["year"],
            "hh_key": text["hh_key"][i],
            "township": text["township"][i],
            "village": text["village"][i],
            "group": text["group"][i],
            "household_id": text["household_id"][i],
            "head_name": text["head_name"][i],
            "head_id": text["head_id"][i],
            "size": int(size[i]),
            "main_cause": text["main_cause"][i],
            "category_boxes": category_boxes(text["category"][i]),
            "poverty_boxes": poverty_boxes(text["poverty_status"][i], bool(monitored[i])),
            "address": f"{text['township'][i]}{text['village'][i]}{text['group'][i]}",
            "business_income": money["business_income"][i],
            "wage_income": money["wage_income"][i],
            "transfer_income": money["transfer_income"][i],
            "property_income": money["property_income"][i],
            "income_subtotal": money["total_income"][i],
            "business_cost": money["business_cost"][i],
            "net_income": money["net_income"][i],
            "per_capita": money["per_capita"][i],
            "policies_enjoyed_boxes": policy_boxes(text["policies_enjoyed"][i]),
            "policies_eligible_boxes": policy_boxes(text["policies_eligible"][i]),
            "card": card,
            "computed_boxes": card_boxes(names, card),
            "blank_boxes": card_boxes(names, None),
            "computed_note": note,
            "notice_from": notice_from,
            "notice_to": notice_to,
            "date_line": DATE_LINE,
        })
    return out


MEMBER_FIELDS = ("name", "relation", "age", "schooling", "health", "labour", "employment")


def member_lists(members: pd.DataFrame) -> dict[str, list[dict]]:
    """hh_key -> member dicts (户主 first, then roster order), built with one groupby."""
    if members is None or len(members) == 0:
        return {}
    m = members
    order = pd.DataFrame({
        "hh_key": _col(m, "hh_key", "").astype(str).to_numpy(),
        "not_head": ~_col(m, "is_head", False).fillna(False).astype(bool).to_numpy(),
        "file": _col(m, "source_file", "").astype(str).to_numpy(),
        "row": pd.to_numeric(_col(m, "source_row", 0), errors="coerce").fillna(0).to_numpy(),
    })
    age = pd.to_numeric(_col(m, "age_calc", pd.NA), errors="coerce")
    age = age.fillna(pd.to_numeric(_col(m, "age", pd.NA), errors="coerce"))
    health = _col(m, "health", "").fillna("").astype(str)
    grade = _col(m, "disability_grade", "").fillna("").astype(str)
    health = health.where(grade.eq("") | ~health.str.contains("残疾"), health + "（" + grade + "）")
    relation = _col(m, "relation", "").fillna("").astype(str)
    relation = relation.where(relation.ne("") | ~_col(m, "is_head", False).fillna(False).astype(bool), "户主")
    cols = {
        "name": _col(m, "name", "").fillna("").astype(str).to_numpy(),
        "relation": relation.to_numpy(),
        "age": age.to_numpy(dtype=float, na_value=np.nan),
        "schooling": _col(m, "schooling", "").fillna("").astype(str).to_numpy(),
        "health": health.to_numpy(),
        "labour": _col(m, "labour", "").fillna("").astype(str).to_numpy(),
        "employment": _col(m, "employment", "").fillna("").astype(str).to_numpy(),
    }
    sorted_pos = order.sort_values(["hh_key", "not_head", "file", "row"], kind="stable").index.to_numpy()
    keys_sorted = order["hh_key"].to_numpy()[sorted_pos]
    out: dict[str, list[dict]] = {}
    for key, idx in pd.Series(np.arange(len(sorted_pos))).groupby(keys_sorted, sort=False).indices.items():
        pos = sorted_pos[idx]
        out[key] = [{f: cols[f][p] for f in MEMBER_FIELDS} for p in pos]
    return out


# --- rendering --------------------------------------------------------------------------------

@dataclass
class _Formats:
    title: object
    label: object
    value: object
    value_left: object
    money: object
    member: object
    note: object


def _formats(wb, font_size: int) -> _Formats:
    base = {"font_size": font_size, "border": 1, "text_wrap": True, "valign": "vcenter"}
    return _Formats(
        title=wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
        label=wb.add_format({**base, "align": "center"}),
        value=wb.add_format({**base, "align": "center"}),
        value_left=wb.add_format({**base, "align": "left"}),
        money=wb.add_format({**base, "align": "center", "num_format": "#,##0.00"}),
        # member cells: one line, shrunk to fit ("长期慢性病、残疾（三级）")
        member=wb.add_format({"font_size": font_size, "border": 1, "align": "center", "valign": "vcenter",
                              "shrink": True}),
        note=wb.add_format({"font_size": font_size - 1, "align": "left", "valign": "vcenter"}),
    )


def _span(at: str) -> tuple[int, int]:
    first, _, last = at.partition(":")
    return xl_cell_to_rowcol(f"{first}1")[1], xl_cell_to_rowcol(f"{last or first}1")[1]


def _put(ws, row: int, c1: int, c2: int, value, fmt) -> None:
    if c1 == c2:
        if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            ws.write_number(row, c1, float(value), fmt)
        else:
            ws.write_string(row, c1, str(value), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        ws.merge_range(row, c1, row, c2, None, fmt)
        ws.write_number(row, c1, float(value), fmt)
    else:
        ws.merge_range(row, c1, row, c2, str(value), fmt)


def _fill(template: str, values: dict):
    """The value of a cell: a number for a lone money/number field, else the formatted text."""
    m = _FIELD_RE.match(template)
    if m and m.group(1) in values:
        return values[m.group(1)]
    return template.format_map(_Default(values))


class _Default(dict):
    def __missing__(self, key):  # unknown field in a layout: leave it blank
        return ""


def render_form(ws, top: int, values: dict, members: list[dict], layout: dict, fmt: _Formats,
                n_cols: int) -> int:
    """Write one household's form starting at ``top``; return the next free row."""
    page = layout.get("page", {})
    row = top
    ws.merge_range(row, 0, row, n_cols - 1, _fill(layout.get("title", ""), values), fmt.title)
    ws.set_row(row, page.get("title_height", 28))
    row += 1
    for spec in layout["rows"]:
        if spec.get("type") == "members":
            row = _render_members(ws, row, spec, members, fmt)
            continue
        ws.set_row(row, spec.get("height", 22))
        for cell in spec.get("cells", []):
            c1, c2 = _span(cell["at"])
            if "label" in cell:
                _put(ws, row, c1, c2, cell["label"], fmt.label)
                continue
            value = _fill(cell.get("value", ""), values)
            if cell.get("style") == "note":
                f = fmt.note
            elif isinstance(value, float):
                f = fmt.money
            else:
                f = fmt.value_left if cell.get("align") == "left" else fmt.value
            _put(ws, row, c1, c2, value, f)
        row += 1
    return row


def _render_members(ws, row: int, spec: dict, members: list[dict], fmt: _Formats) -> int:
    columns = spec["columns"]
    n_rows = max(int(spec.get("min_rows", 6)), len(members))
    budget = float(spec.get("budget", 120))
    height = float(spec.get("row_height", 20))
    if n_rows * height > budget:
        height = max(float(spec.get("min_row_height", 14)), budget / n_rows)
    label_col = 0
    ws.merge_range(row, label_col, row + n_rows, label_col, spec.get("label", ""), fmt.label)
    ws.set_row(row, spec.get("header_height", 28))
    for at, header, _ in columns:
        c1, c2 = _span(at)
        _put(ws, row, c1, c2, header, fmt.label)
    for i in range(n_rows):
        r = row + 1 + i
        ws.set_row(r, height)
        member = members[i] if i < len(members) else None
        for at, _, field_ in columns:
            c1, c2 = _span(at)
            value = "" if member is None else member.get(field_, "")
            if field_ == "age":
                if isinstance(value, float) and np.isnan(value):
                    value = ""
                elif value != "":
                    value = int(value)
            if field_ == "schooling" and value == "非在校生":
                value = ""  # the paper form leaves 在校生状况 blank for non-students
            _put(ws, r, c1, c2, value, fmt.member)
    return row + 1 + n_rows


# --- workbooks --------------------------------------------------------------------------------

def _villages(households: pd.DataFrame, village: str | None) -> pd.DataFrame:
    hh = households.copy()
    hh["township"] = _col(hh, "township", "").fillna("").astype(str)
    hh["village"] = _col(hh, "village", "").fillna("").astype(str)
    hh["group"] = _col(hh, "group", "").fillna("").astype(str)
    if village:
        match = (hh["village"].eq(village) | (hh["township"] + "/" + hh["village"]).eq(village)
                 | (hh["township"] + "_" + hh["village"]).eq(village))
        hh = hh[match]
    hh = add_group_order(hh)
    hh["_pos"] = np.arange(len(hh))
    return hh.sort_values(["township", "village", "_group_num", "group", "_pos"], kind="stable",
                          na_position="last")


def write_forms(result, out_dir: Path | str, village: str | None = None,
                layout: dict | Path | str | None = None) -> list[Path]:
    """One workbook ``<乡镇>_<行政村>_审批表.xlsx`` per village; one A4 page per household.

    ``village`` restricts to one 行政村 (name, "乡镇/行政村" or "乡镇_行政村").
    """
    out_dir = Path(out_dir)
    layout = layout if isinstance(layout, dict) else load_layout(layout)
    hh = _villages(result.households, village)
    if hh.empty:
        return []
    members = member_lists(result.members)
    values = household_values(hh, result.rules, getattr(result, "as_of", None))
    hh = hh.assign(_i=np.arange(len(hh)))
    created = dt.datetime.combine(getattr(result, "as_of", None) or dt.date(2024, 1, 1), dt.time())
    paths = []
    for (township, vill), part in hh.groupby(["township", "village"], sort=True):
        name = f"{safe_name(township, '未填乡镇')}_{safe_name(vill, '未填行政村')}_审批表.xlsx"
        path = out_dir / name
        items = [values[i] for i in part["_i"].to_numpy()]
        _write_workbook(path, items, members, layout, created, f"{township}{vill}")
        paths.append(path)
    return paths


def _write_workbook(path: Path, items: list[dict], members: dict[str, list[dict]], layout: dict,
                    created: dt.datetime, title: str) -> None:
    widths = layout["columns"]
    n_cols = len(widths)
    page = layout.get("page", {})
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        wb.set_properties({"title": f"{title}审批表", "author": "fourcard-excel", "created": created})
        fmt = _formats(wb, int(layout.get("font_size", 10)))
        for chunk_no, start in enumerate(range(0, len(items), MAX_FORMS_PER_SHEET), start=1):
            chunk = items[start:start + MAX_FORMS_PER_SHEET]
            ws = wb.add_worksheet(SHEET_NAME if chunk_no == 1 else f"{SHEET_NAME}（{chunk_no}）")
            for j, w in enumerate(widths):
                ws.set_column(j, j, w)
            row = 0
            breaks = []
            for item in chunk:
                if row:
                    breaks.append(row)
                row = render_form(ws, row, item, members.get(item["hh_key"], []), layout, fmt, n_cols)
            ws.set_h_pagebreaks(breaks)
            ws.print_area(0, 0, row - 1, n_cols - 1)
            ws.set_paper(int(page.get("paper", 9)))
            if page.get("landscape"):
                ws.set_landscape()
            else:
                ws.set_portrait()
            ws.set_margins(left=page.get("margin_left", 0.5), right=page.get("margin_right", 0.4),
                           top=page.get("margin_top", 0.5), bottom=page.get("margin_bottom", 0.4))
            ws.center_horizontally()
            ws.fit_to_pages(1, 0)
            ws.hide_gridlines(2)
        wb.close()
