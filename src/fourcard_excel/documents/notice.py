"""Public notice lists (公示名单): one printable workbook per village.

Only what a public list may show: 序号, 村民小组, 户主姓名, 家庭人口, 卡别. No health, disability,
income, causes or children's data. The ID number is left out by default; with ``mask_id`` it is
shown as ``ids.mask_id`` (first 6 and last 4 characters), the same mask as every other list, so two
lists cannot be combined to recover the birth date (PITFALLS: privacy in public notices).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import registry as reg
from ..ingest.ids import mask_id as mask_ids
from ..rules.ruleset import default_section
from ..write import styles
from ..write.atomic import atomic_path
from ..write.sheet import write_cells

NOTICE_DIR = "公示名单"
SHEET_NAME = "公示名单"
NOTICE_STAGE = "公开公示"
DEFAULT_NOTICE_DAYS = int(default_section("schedule")["notice_days"])  # from the packaged rules file
BLANK_PHONE = "＿＿＿＿＿＿＿＿＿＿＿＿"
BLANK_DATE = "　　　　年　　月　　日"
NOTICE_COLUMNS = ["序号", "村民小组", "户主姓名", "家庭人口", "卡别"]
ID_COLUMN = "证件号码（部分隐藏）"

_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_NUM_RE = re.compile(r"\d+|[零〇一二两三四五六七八九十百]+")


# --- small shared helpers (forms.py uses them too) ----------------------------------------------

def safe_name(text: object, fallback: str) -> str:
    """A file/folder name from a township or village name."""
    s = _UNSAFE_NAME.sub("_", str(text or "")).strip().strip(".")
    return s or fallback


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if "百" in text or "十" in text:
        total, current = 0, 0
        for ch in text:
            if ch in _CN_DIGITS:
                current = _CN_DIGITS[ch]
            elif ch == "十":
                total += (current or 1) * 10
                current = 0
            elif ch == "百":
                total += (current or 1) * 100
                current = 0
        return total + current
    digits = [_CN_DIGITS.get(ch) for ch in text]
    if any(d is None for d in digits):
        return None
    return int("".join(str(d) for d in digits))


def group_number(text: object) -> float:
    """The number in a 村民小组 name ("三组", "第12村民小组", "10组"), NaN if none: natural order."""
    m = _NUM_RE.search(str(text or ""))
    if not m:
        return np.nan
    n = _cn_number(m.group(0))
    return np.nan if n is None else float(n)


def add_group_order(frame: pd.DataFrame, column: str = "group") -> pd.DataFrame:
    """Add ``_group_num`` (natural number of the 村民小组, mapped once per distinct value)."""
    groups = frame[column].fillna("").astype(str)
    uniques = pd.unique(groups)
    mapping = {u: group_number(u) for u in uniques}
    out = frame.copy()
    out["_group_num"] = groups.map(mapping).astype(float)
    return out


def card_names(rules) -> list[str]:
    names = getattr(rules, "card_names", None)
    return list(names) if names else list(reg.CARDS)


def card_scheme_name(rules) -> str:
    """"红黄绿蓝卡" from the rules' card names (other counties: their own colours)."""
    names = card_names(rules)
    if all(n.endswith("卡") for n in names):
        return "".join(n[:-1] for n in names) + "卡"
    return "、".join(names)


def _section(rules, name: str) -> dict:
    if rules is None:
        return {}
    section = getattr(rules, "section", None)
    if callable(section):
        try:
            return dict(section(name) or {})
        except Exception:  # noqa: BLE001 - a missing section means defaults
            return {}
    return dict((getattr(rules, "raw", {}) or {}).get(name, {}))


def _parse_day(text: object, year: int) -> dt.date | None:
    s = str(text or "").strip()
    for fmt in ("%Y-%m-%d", "%m-%d", "%Y/%m/%d", "%m/%d"):
        try:
            d = dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
        return d.replace(year=year) if "%Y" not in fmt else d
    return None


def notice_schedule(rules, as_of: dt.date | None = None) -> dict:
    """Year, notice start/end (dates or None) and notice days from the rules' [schedule]."""
    sched = _section(rules, "schedule")
    year = int(sched.get("year") or (as_of.year if as_of else 2024))
    days = int(sched.get("notice_days") or DEFAULT_NOTICE_DAYS)
    start = end = None
    for stage in sched.get("stages") or []:
        if len(stage) >= 3 and str(stage[0]) == NOTICE_STAGE:
            start = _parse_day(stage[1], year)
            end = _parse_day(stage[2], year)
    if start is not None and end is None:
        end = start + dt.timedelta(days=days)
    return {"year": year, "start": start, "end": end, "days": days}


def _cn_date(d: dt.date | None, with_year: bool = True) -> str:
    if d is None:
        return BLANK_DATE if with_year else "　　月　　日"
    return f"{d.year}年{d.month}月{d.day}日" if with_year else f"{d.month}月{d.day}日"


# --- notices --------------------------------------------------------------------------------------

def notice_frame(households: pd.DataFrame, rules, mask_id: bool = False) -> pd.DataFrame:
    """Carded households, sorted for posting, with only public columns (+ township/village)."""
    names = card_names(rules)
    hh = households[households["card"].isin(names)]
    cols = ["township", "village", "group", "head_name", "size", "card"]
    if mask_id:
        cols.append("head_id")
    hh = add_group_order(hh[cols].fillna({"group": "", "head_name": ""}))
    hh = hh.sort_values(["township", "village", "_group_num", "group", "head_name"], kind="stable",
                        na_position="last")
    out = pd.DataFrame({
        "township": hh["township"].astype(str).to_numpy(),
        "village": hh["village"].astype(str).to_numpy(),
        "村民小组": hh["group"].astype(str).to_numpy(),
        "户主姓名": hh["head_name"].astype(str).to_numpy(),
        "家庭人口": pd.to_numeric(hh["size"], errors="coerce").fillna(0).astype(int).to_numpy(),
        "卡别": hh["card"].astype(str).to_numpy(),
    })
    if mask_id:
        out[ID_COLUMN] = mask_ids(hh["head_id"].fillna("").astype(str)).to_numpy()
    return out


def write_notices(result, out_dir: Path | str, mask_id: bool = False, phone: str = "",
                  village: str | None = None) -> list[Path]:
    """Write ``<out_dir>/<乡镇>/<行政村>.xlsx`` for every village with carded households."""
    out_dir = Path(out_dir)
    rules = result.rules
    frame = notice_frame(result.households, rules, mask_id=mask_id)
    sched = notice_schedule(rules, getattr(result, "as_of", None))
    scheme = card_scheme_name(rules)
    created = dt.datetime.combine(getattr(result, "as_of", None) or dt.date(2024, 1, 1), dt.time())
    paths = []
    for (township, vill), part in frame.groupby(["township", "village"], sort=True):
        if village and village not in (vill, f"{township}/{vill}", f"{township}_{vill}"):
            continue
        path = out_dir / safe_name(township, "未填乡镇") / f"{safe_name(vill, '未填行政村')}.xlsx"
        _write_one(path, township, vill, part, sched, scheme, phone, mask_id, card_names(rules), created)
        paths.append(path)
    return paths


def write(result, out_dir: Path | str, *, mask_id: bool = False, phone: str = "") -> list[Path]:
    """Check-module style entry for ``process``: notices under ``<out_dir>/公示名单/``."""
    return write_notices(result, Path(out_dir) / NOTICE_DIR, mask_id=mask_id, phone=phone)


def _write_one(path: Path, township: str, village: str, part: pd.DataFrame, sched: dict, scheme: str,
               phone: str, mask_id: bool, names: list[str], created: dt.datetime) -> None:
    columns = NOTICE_COLUMNS + ([ID_COLUMN] if mask_id else [])
    last_col = len(columns) - 1
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp)  # the Rust writer when installed; in memory, text stays text
        wb.set_properties({"title": f"{township}{village}公示名单", "author": "fourcard-excel",
                           "created": created})
        ws = wb.add_worksheet(SHEET_NAME)
        f_title = wb.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter",
                                 "text_wrap": True})
        f_line = wb.add_format({"font_size": 11, "align": "left", "valign": "vcenter", "text_wrap": True})
        f_head = wb.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                                "bg_color": "#D9D9D9"})
        f_cell = wb.add_format({"border": 1, "align": "center", "valign": "vcenter"})
        f_cell_q = wb.add_format({"border": 1, "align": "center", "valign": "vcenter", "quote_prefix": True})
        f_right = wb.add_format({"font_size": 11, "align": "right", "valign": "vcenter"})

        year = sched["year"]
        ws.merge_range(0, 0, 0, last_col, f"{township}{village}{year}年{scheme}分类管理公示名单", f_title)
        ws.set_row(0, 36)
        period = (f"公示时间：{_cn_date(sched['start'])}至{_cn_date(sched['end'])}"
                  f"（公示期{sched['days']}天）")
        ws.merge_range(1, 0, 1, last_col, period, f_line)
        ws.set_row(1, 22)
        intro = (f"经农户申报、上户核查、民主评议、乡镇复核、县级抽查，现将本村{scheme}分类管理对象名单予以公示。"
                 "公示期间，如有异议，请向村民委员会或乡镇人民政府反映。")
        ws.merge_range(2, 0, 2, last_col, intro, f_line)
        ws.set_row(2, 44)
        header_row = 3
        for j, name in enumerate(columns):
            ws.write_string(header_row, j, name, f_head)
        n = len(part)
        sizes = part["家庭人口"].to_numpy()
        cards = part["卡别"].to_numpy()
        # column by column (one native call per run of a format on the Rust writer)
        first = header_row + 1
        write_cells(ws, first, 0, list(range(1, n + 1)), f_cell, ws.write_number)
        write_cells(ws, first, 3, [int(v) for v in sizes.tolist()], f_cell, ws.write_number)
        for j, name in ((1, "村民小组"), (2, "户主姓名"), (4, "卡别")) + (((5, ID_COLUMN),) if mask_id else ()):
            texts = ["" if v is None else str(v) for v in part[name].tolist()]
            write_cells(ws, first, j, texts, [f_cell_q if q else f_cell for q in styles.live_flags(texts)],
                        ws.write_string)
        last_table_row = header_row + n
        counts = pd.Series(cards).value_counts()
        summary = "、".join(f"{n}{int(counts[n])}户" for n in names if n in counts.index)
        r = last_table_row + 1
        ws.merge_range(r, 0, r, last_col, f"合计：共{len(part)}户{int(sizes.sum())}人（{summary}）", f_line)
        r += 2
        ws.merge_range(r, 0, r, last_col, f"监督举报电话：{phone.strip() or BLANK_PHONE}", f_line)
        r += 2
        ws.merge_range(r, 0, r, last_col, f"{village}村民委员会（盖章）　　　{township}人民政府（盖章）", f_right)
        r += 1
        ws.merge_range(r, 0, r, last_col, BLANK_DATE, f_right)

        widths = [6, 12, 14, 10, 10, 24]
        for j in range(len(columns)):
            ws.set_column(j, j, widths[j])
        ws.set_paper(9)
        ws.set_portrait()
        ws.center_horizontally()
        ws.set_margins(left=0.6, right=0.6, top=0.7, bottom=0.7)
        ws.repeat_rows(header_row)
        ws.fit_to_pages(1, 0)
        ws.print_area(0, 0, r, last_col)
        ws.set_footer("&C第 &P 页，共 &N 页")
        wb.close()


