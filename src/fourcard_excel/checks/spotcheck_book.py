"""Workbooks of the county spot-check: the printable list (县级抽查名单.xlsx), reading it back when
it returns filled in, and the check result (抽查核验结果.xlsx).

Layout of 县级抽查名单.xlsx (``read_sample_book`` relies on it):

- 汇总: title; key/value rows (随机种子, 抽查比例, 最低比例, 抽查组人数, 各组工作量差, 评估日期;
  older lists may also hold 生成时间); the stratum table (header 乡镇, 卡别, 四卡户数, 应抽户数, 实抽户数, 其中强制抽取,
  抽查比例; ends at a 合计 row); the team table (header 抽查组, 抽查人, ...).
- one sheet per team (第1组 ...) or, without teams, per township: title row, header row
  (``LIST_COLUMNS``), one row per household in route order.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..write import styles
from ..write.atomic import atomic_path
from ..write.sheet import write_cells

SUMMARY_SHEET = "汇总"
BLANK_COLUMNS = ["核查卡别", "核查意见", "抽查人签字1", "抽查人签字2", "日期"]
LIST_COLUMNS = ["序号", "乡镇", "行政村", "户编号", "户主姓名", "证件号码", "家庭人口", "卡别", "判定依据",
                "申报卡别", "抽取方式"] + BLANK_COLUMNS
LIST_WIDTHS = [5, 10, 11, 17, 9, 20, 6, 6, 32, 8, 12, 8, 22, 10, 10, 10]
STRATA_HEADER = ["乡镇", "卡别", "四卡户数", "应抽户数", "实抽户数", "其中强制抽取", "抽查比例"]
TEAM_HEADER = ["抽查组", "抽查人", "单位", "成员所在乡镇", "负责乡镇", "户数"]
META_LABELS = {"随机种子": "seed", "抽查比例": "rate", "最低比例": "min_rate", "抽查组人数": "team_size",
               "各组工作量差（户）": "load_spread", "评估日期": "as_of", "生成时间": "created"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class BookError(ValueError):
    """A returned workbook that is not a readable spot-check list; the message is Chinese."""


# --------------------------------------------------------------------------------------------
# helpers


def sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", str(text)).strip("'") or "未命名"
    base = base[:31]
    name, n = base, 2
    while name.lower() in {u.lower() for u in used} or name == SUMMARY_SHEET:
        suffix = f"({n})"
        name = base[:31 - len(suffix)] + suffix
        n += 1
    used.add(name)
    return name


class _Formats:
    def __init__(self, wb) -> None:
        base = {"border": 1, "valign": "vcenter", "font_size": 10}
        self.title = wb.add_format({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"})
        self.subtitle = wb.add_format({"bold": True, "font_size": 11})
        self.header = wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True,
                                     "bg_color": "#D9D9D9"})
        self.text = wb.add_format({**base, "num_format": "@"})
        self.text_q = wb.add_format({**base, "num_format": "@", "quote_prefix": True})
        self.wrap = wb.add_format({**base, "text_wrap": True})
        self.wrap_q = wb.add_format({**base, "text_wrap": True, "quote_prefix": True})
        self.int = wb.add_format({**base, "num_format": "0", "align": "center"})
        self.pct = wb.add_format({**base, "num_format": "0.0%"})
        self.blank = wb.add_format({**base, "num_format": "@"})
        self.forced = wb.add_format({**base, "num_format": "@", "bg_color": "#FCE4D6"})
        self.label = wb.add_format({"bold": True})
        self.plain = wb.add_format({"num_format": "@"})
        self.bad = wb.add_format({**base, "bg_color": "#FFC7CE"})
        self.good = wb.add_format({**base, "bg_color": "#C6EFCE"})


def _write_text(ws, row: int, col: int, value: object, fmt, fmt_q) -> None:
    s = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    ws.write_string(row, col, s, fmt_q if styles.is_live(s) else fmt)


def _text_cells(column: pd.Series) -> list[str]:
    """``_write_text``'s text of every value of a column: NA → "", 是/否 for booleans, str()."""
    arr = column.to_numpy(dtype=object)
    na = pd.isna(arr).tolist()
    return ["" if m else v if type(v) is str else ("是" if v else "否") if isinstance(v, bool) else str(v)
            for v, m in zip(arr.tolist(), na)]


def _cell_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, (bool,)):
        return "是" if value else "否"
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return value


def _write_table(ws, fm: _Formats, top: int, frame: pd.DataFrame, pct_cols=(), int_cols=()) -> int:
    """A bordered table with a header at ``top``; returns the next free row."""
    for c, name in enumerate(frame.columns):
        ws.write_string(top, c, str(name), fm.header)
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=top + 1):
        for c, (name, v) in enumerate(zip(frame.columns, values)):
            v = _cell_value(v)
            if name in pct_cols and isinstance(v, (int, float)):
                ws.write_number(r, c, float(v), fm.pct)
            elif name in int_cols and isinstance(v, (int, float)):
                ws.write_number(r, c, float(v), fm.int)
            else:
                _write_text(ws, r, c, v, fm.text, fm.text_q)
    return top + 1 + len(frame)


def _print_setup(ws, last_col: int, header_row: int | None = None) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_footer("&C第 &P 页，共 &N 页")
    if header_row is not None:
        ws.repeat_rows(0, header_row)


# --------------------------------------------------------------------------------------------
# the printable list


def _col(sample: pd.DataFrame, name: str) -> pd.Series:
    if name in sample.columns:
        return sample[name]
    return pd.Series("", index=sample.index, dtype="object")


def list_frame(sample: pd.DataFrame) -> pd.DataFrame:
    """The household rows of a team/township sheet, in route order (without 序号)."""
    forced = _col(sample, "forced").astype(bool) if "forced" in sample.columns else pd.Series(
        False, index=sample.index)
    size = pd.to_numeric(_col(sample, "size"), errors="coerce")
    return pd.DataFrame({
        "乡镇": _col(sample, "township").fillna("").astype(str),
        "行政村": _col(sample, "village").fillna("").astype(str),
        "户编号": _col(sample, "household_id").fillna("").astype(str),
        "户主姓名": _col(sample, "head_name").fillna("").astype(str),
        "证件号码": _col(sample, "head_id").fillna("").astype(str),
        "家庭人口": size,
        "卡别": _col(sample, "card").fillna("").astype(str),
        "判定依据": _col(sample, "reasons").fillna("").astype(str),
        "申报卡别": _col(sample, "declared_card").fillna("").astype(str),
        "抽取方式": forced.map({True: "强制（申报卡别不一致）", False: "随机"}),
    })


def write_sample_book(path: Path | str, sample: pd.DataFrame, strata: pd.DataFrame,
                      teams: pd.DataFrame, meta: dict) -> Path:
    """Write 县级抽查名单.xlsx (汇总 + one sheet per team, or per township without teams)."""
    path = Path(path)
    card_choices = list(meta.get("card_names") or []) + ["不纳入"]
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp)  # the Rust writer when installed; in memory, text stays text
        as_of = meta.get("as_of")  # a fixed document date: reruns give the same bytes
        wb.set_properties({"title": "县级抽查名单", "subject": f"随机种子 {meta['seed']}",
                           "comments": f"随机种子 {meta['seed']}；抽查比例 {meta['rate']:.0%}",
                           **({"created": dt.datetime(as_of.year, as_of.month, as_of.day)} if as_of else {})})
        wb.set_custom_property("随机种子", str(meta["seed"]))
        wb.set_custom_property("抽查比例", float(meta["rate"]))
        fm = _Formats(wb)
        used: set[str] = {SUMMARY_SHEET}
        _write_summary(wb, fm, strata, teams, meta)

        rows = list_frame(sample)
        has_teams = bool(meta.get("teams")) and "team" in sample.columns and (sample["team"] != "").any()
        if has_teams:
            team_no = sample["team"].str.extract(r"(\d+)")[0].astype("int64")
            groups = [(t, rows.loc[team_no == n]) for n, t in
                      sorted({(int(n), t) for n, t in zip(team_no, sample["team"])})]
            who = sample.groupby("team")["inspectors"].first().to_dict()
        else:
            groups = [(t, rows.loc[rows["乡镇"] == t]) for t in sorted(rows["乡镇"].unique())]
            who = {}
        for label, part in groups:
            name = sheet_name(label, used)
            title = f"县级抽查名单——{label}"
            if who.get(label):
                title += f"（抽查人：{who[label]}）"
            title += f"    随机种子：{meta['seed']}"
            _write_list_sheet(wb, fm, name, title, part, card_choices)
        if not groups:
            _write_list_sheet(wb, fm, sheet_name("抽查名单", used), "县级抽查名单（无四卡户）", rows,
                              card_choices)
        wb.close()
    return path


def _write_summary(wb, fm: _Formats, strata: pd.DataFrame, teams: pd.DataFrame, meta: dict) -> None:
    ws = wb.add_worksheet(SUMMARY_SHEET)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 16)
    ws.set_column(2, 6, 12)
    ws.merge_range(0, 0, 0, 6, "县级抽查汇总（附表备注3、4：按30%比例复核，每组2人以上同时签字）", fm.title)
    seed = int(meta["seed"])
    spread = meta.get("load_spread")
    info = [
        ("随机种子", seed),
        ("抽查比例", float(meta["rate"])),
        ("最低比例", float(meta.get("min_rate") or meta["rate"])),
        ("抽查组人数", int(meta["team_size"]) if meta.get("teams") else "未分组"),
        ("各组工作量差（户）", int(spread) if spread is not None else "未分组"),
        ("评估日期", str(meta.get("as_of") or "")),
    ]
    pct = wb.add_format({"num_format": "0%", "align": "left"})
    num = wb.add_format({"num_format": "0", "align": "left"})
    for r, (label, value) in enumerate(info, start=1):
        ws.write_string(r, 0, label, fm.label)
        if label in ("抽查比例", "最低比例"):
            ws.write_number(r, 1, value, pct)
        elif isinstance(value, int) and abs(value) < 10**15:
            ws.write_number(r, 1, value, num)
        else:
            ws.write_string(r, 1, str(value), fm.plain)
    row = len(info) + 2
    ws.write_string(row, 0, "分层抽取情况（乡镇×卡别，应抽户数＝向上取整（抽查比例×四卡户数））", fm.subtitle)
    table = strata[STRATA_HEADER].copy()
    if len(table):
        total = {"乡镇": "合计", "卡别": ""}
        for c in ("四卡户数", "应抽户数", "实抽户数", "其中强制抽取"):
            total[c] = int(table[c].sum())
        total["抽查比例"] = total["实抽户数"] / total["四卡户数"] if total["四卡户数"] else 0.0
        table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    row = _write_table(ws, fm, row + 1, table, pct_cols=("抽查比例",),
                       int_cols=("四卡户数", "应抽户数", "实抽户数", "其中强制抽取"))
    if teams is not None and len(teams):
        row += 1
        ws.write_string(row, 0, f"抽查组及工作量（各组工作量差 {spread} 户；抽查人不检查本乡镇）", fm.subtitle)
        row = _write_table(ws, fm, row + 1, teams[TEAM_HEADER], int_cols=("户数",))
    _print_setup(ws, 6)


def _write_list_sheet(wb, fm: _Formats, name: str, title: str, rows: pd.DataFrame,
                      card_choices: list[str]) -> None:
    ws = wb.add_worksheet(name)
    last = len(LIST_COLUMNS) - 1
    ws.merge_range(0, 0, 0, last, title, fm.title)
    ws.set_row(0, 24)
    for c, (head, width) in enumerate(zip(LIST_COLUMNS, LIST_WIDTHS)):
        ws.set_column(c, c, width)
        ws.write_string(1, c, head, fm.header)
    ws.set_row(1, 30)
    values = rows.reset_index(drop=True)
    n = len(values)
    # column by column (one native call per run of a format on the Rust writer), the same cells
    # as writing row by row: numbers, text (quote-prefixed when formula-like), formatted blanks
    write_cells(ws, 2, 0, list(range(1, n + 1)), fm.int, ws.write_number)
    forced = (values["抽取方式"] != "随机").tolist() if n else []
    for c, head in enumerate(values.columns, start=1):
        column = values[head]
        if head == "家庭人口":
            nums = pd.to_numeric(column, errors="coerce")
            cells = [float(v) if ok else "" for v, ok in zip(nums.tolist(), nums.notna().tolist())]
            write_cells(ws, 2, c, cells, [fm.int if isinstance(v, float) else fm.text for v in cells],
                        lambda r, c_, v, f: (ws.write_number if isinstance(v, float) else ws.write_string)(r, c_, v, f))
            continue
        cells = _text_cells(column)
        plain, quoted = (fm.wrap, fm.wrap_q) if head == "判定依据" else (fm.text, fm.text_q)
        fmts = [quoted if q else plain for q in styles.live_flags(cells)]
        if head == "抽取方式":
            fmts = [fm.forced if f else fmt for f, fmt in zip(forced, fmts)]
        write_cells(ws, 2, c, cells, fmts, ws.write_string)
    for c in range(len(LIST_COLUMNS) - len(BLANK_COLUMNS), len(LIST_COLUMNS)):
        write_cells(ws, 2, c, [None] * n, fm.blank, ws.write_blank)
    first, last_row = 2, max(2, len(values) + 1)
    card_col = LIST_COLUMNS.index("核查卡别")
    if card_choices and len(values):
        ws.data_validation(first, card_col, last_row, card_col, {
            "validate": "list", "source": card_choices, "ignore_blank": True,
            "input_title": "核查卡别", "input_message": "从下拉列表选择核查后的卡别",
            "error_title": "核查卡别", "error_message": "请选择：" + "、".join(card_choices),
            "error_type": "warning"})
    ws.freeze_panes(2, 0)
    _print_setup(ws, last, header_row=1)


# --------------------------------------------------------------------------------------------
# reading a returned list


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if pd.isna(value):
            return ""
        if value.is_integer():
            return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d") if not isinstance(value, dt.datetime) or not (
            value.hour or value.minute) else value.strftime("%Y-%m-%d %H:%M")
    return str(value).strip()


def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return float(value)
    s = str(value).strip().replace("％", "%")
    try:
        if s.endswith("%"):
            return float(s[:-1]) / 100
        return float(s)
    except ValueError:
        return None


def read_sample_book(path: Path | str) -> dict:
    """Read a (filled-in) 县级抽查名单.xlsx: ``meta`` dict, ``strata`` frame (乡镇, 卡别, 四卡户数,
    应抽户数), ``rows`` frame (sheet, row = Excel row number, 乡镇, 行政村, 户编号, 户主姓名, 证件号码,
    卡别, 核查卡别, 核查意见, 抽查人签字1, 抽查人签字2, 日期). Raises ``BookError``."""
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    if not path.is_file():
        raise BookError(f"找不到文件：{path}")
    try:
        wb = CalamineWorkbook.from_path(str(path))
        sheets = {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
                  for name in wb.sheet_names}
    except (CalamineError, OSError, ValueError) as exc:
        raise BookError(f"无法读取 {path.name}：{exc}（请确认是县级抽查名单 .xlsx 文件）") from None
    if SUMMARY_SHEET not in sheets:
        raise BookError(f"{path.name} 中没有“{SUMMARY_SHEET}”工作表，不是本工具生成的县级抽查名单")
    meta, strata = _read_summary(sheets[SUMMARY_SHEET], path.name)

    parts = []
    for name, grid in sheets.items():
        if name == SUMMARY_SHEET:
            continue
        frame = _read_list_sheet(name, grid)
        if frame is not None:
            parts.append(frame)
    cols = ["sheet", "row"] + LIST_COLUMNS[1:9] + BLANK_COLUMNS
    if not parts:
        raise BookError(f"{path.name} 中没有抽查名单工作表（表头应含 户主姓名、核查卡别）")
    rows = pd.concat(parts, ignore_index=True)[cols]
    return {"meta": meta, "strata": strata, "rows": rows}


def _read_summary(grid: list[list], fname: str) -> tuple[dict, pd.DataFrame]:
    meta: dict = {}
    strata_rows: list[dict] = []
    header: list[str] | None = None
    for raw in grid:
        cells = [_text(c) for c in raw]
        if not any(cells):
            if header is not None and strata_rows:
                break
            continue
        if header is None:
            if cells[0] in META_LABELS and len(raw) > 1:
                key = META_LABELS[cells[0]]
                meta[key] = _number(raw[1]) if key in ("rate", "min_rate") else _text(raw[1])
            elif cells[:4] == STRATA_HEADER[:4]:
                header = cells
            continue
        if cells[0] in ("合计", "总计"):
            break
        rec = dict(zip(header, cells))
        strata_rows.append(rec)
    if header is None:
        raise BookError(f"{fname} 的“汇总”工作表中找不到分层抽取表（乡镇、卡别、四卡户数……），无法计算覆盖率")
    strata = pd.DataFrame(strata_rows, columns=header)
    for col in ("四卡户数", "应抽户数"):
        if col in strata.columns:
            strata[col] = pd.to_numeric(strata[col], errors="coerce").fillna(0).astype("int64")
    strata = strata[["乡镇", "卡别", "四卡户数", "应抽户数"]]
    return meta, strata


def _read_list_sheet(name: str, grid: list[list]) -> pd.DataFrame | None:
    header_at = None
    for i, raw in enumerate(grid[:15]):
        cells = [_text(c) for c in raw]
        if "户主姓名" in cells and "核查卡别" in cells:
            header_at = i
            break
    if header_at is None:
        return None
    header = [_text(c) for c in grid[header_at]]
    index = {h: header.index(h) for h in LIST_COLUMNS if h in header}
    needed = ["乡镇", "户主姓名", "卡别"] + BLANK_COLUMNS
    if any(h not in index for h in needed) or ("户编号" not in index and "证件号码" not in index):
        return None
    recs = []
    for r, raw in enumerate(grid[header_at + 1:], start=header_at + 2):
        def get(h: str) -> str:
            j = index.get(h)
            return _text(raw[j]) if j is not None and j < len(raw) else ""
        if not (get("户主姓名") or get("证件号码") or get("户编号")):
            continue
        rec = {"sheet": name, "row": r}
        for h in LIST_COLUMNS[1:9] + BLANK_COLUMNS:
            rec[h] = get(h)
        recs.append(rec)
    return pd.DataFrame(recs, columns=["sheet", "row"] + LIST_COLUMNS[1:9] + BLANK_COLUMNS)


# --------------------------------------------------------------------------------------------
# the check result


def write_check_book(path: Path | str, frames: dict[str, pd.DataFrame], issues: pd.DataFrame) -> Path:
    """Write 抽查核验结果.xlsx: 覆盖率, 问题清单, 签字不全, 未核查, 卡别不一致."""
    from ..issues import ISSUE_COLUMNS

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp)
        fm = _Formats(wb)
        cov = frames["覆盖率"]
        ws = wb.add_worksheet("覆盖率")
        meta = frames.get("_meta")
        seed = meta["seed"].iloc[0] if meta is not None and "seed" in meta.columns and len(meta) else ""
        ok = (cov["是否达标"] == "达标").all() if len(cov) else False
        ws.write_string(0, 0, f"县级抽查核验：覆盖率按“已填核查卡别且两人签字”的户数计算；随机种子 {seed}；"
                              + ("全部分层达标" if ok else "存在未达标分层"), fm.subtitle)
        _write_table(ws, fm, 1, cov, pct_cols=("覆盖率",),
                     int_cols=("四卡户数", "应核查户数", "抽取户数", "已核查户数", "有效核查户数"))
        status_col = list(cov.columns).index("是否达标")
        for r, v in enumerate(cov["是否达标"], start=2):
            ws.write_string(r, status_col, v, fm.good if v == "达标" else fm.bad)
        ws.set_column(0, len(cov.columns) - 1, 12)
        _print_setup(ws, len(cov.columns) - 1, header_row=1)

        for name, frame in (("问题清单", issues[ISSUE_COLUMNS] if len(issues) else
                             pd.DataFrame(columns=ISSUE_COLUMNS)),
                            ("签字不全", frames["签字不全"]), ("未核查", frames["未核查"]),
                            ("卡别不一致", frames["卡别不一致"])):
            ws = wb.add_worksheet(name)
            _write_table(ws, fm, 0, frame.reset_index(drop=True), int_cols=("行号", "签字人数"))
            ws.set_column(0, max(len(frame.columns) - 1, 0), 12)
            if name == "问题清单":
                ws.set_column(7, 7, 60)
            if len(frame.columns):
                ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
            ws.freeze_panes(1, 0)
            _print_setup(ws, len(frame.columns) - 1, header_row=0)
        wb.close()
    return path
