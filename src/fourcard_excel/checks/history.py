"""Dynamic management (动态管理, plan §五(二)–(四)): periods, transitions, review calendar, monitoring.

Every process run is recorded as a period in the county database (``history_db``). From the second
period on, ``run`` compares the run with the previous period: a transition matrix, the households
whose card changed with the facts that changed, the new households and the missing ones.

Direction of change (stated in the sheet title): cards are ranked by the rules file's card order
(earlier card = more assistance: 红卡 > 黄卡 > 绿卡 > 蓝卡 > 不纳入). Moving to an earlier card is 升级
(more assistance), to a later one 降级; a different card of the same rank, or to/from 未判定, is
调整; 新增 = only in this period, 退出 = only in the previous one.

Review calendar: each recorded period counts as a review of every household in it; the due date
is the last review + the card's months from ``[review].months``; households due on or before
as_of + 1 month are listed (复核到期). New households count as reviewed at this period.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd

from ..issues import IssueLog
from ..registry import NOT_CARDED, label
from ..result import RunResult, SheetSpec
from ..rules.ruleset import default_section
from ..write import styles
from ..write.atomic import atomic_path
from ..write.sheet import write_frame
from ..write.township import NO_TOWNSHIP
from . import history_db as db
from .history_db import HistoryError, list_periods, open_db, previous_period  # noqa: F401

NEW, EXIT, UP, DOWN, ADJUST, SAME = "新增", "退出", "升级", "降级", "调整", "不变"
TRANSITION_COLUMNS = ["乡镇", "户编号", "户主姓名", "户主证件号码", "上期卡别", "本期卡别", "变化类型",
                      "变化原因"]
NONE_PREV, NONE_CUR = "（上期无）", "（本期无）"
# the plan's figures, from the packaged rules file
DEFAULT_REVIEW_MONTHS = default_section("review")["months"]
DEFAULT_THRESHOLD = float(default_section("thresholds")["per_capita_line"])
DEFAULT_BAND = float(default_section("review")["monitor_band"])
TYPE_FILLS = {UP: "#FCE4E4", DOWN: "#E2EFDA", NEW: "#DDEBF7", EXIT: "#EDEDED", ADJUST: "#FFF2CC"}

# Facts compared for 变化原因: (key, kind). kinds: money, int, bool, text
COMPARED_FACTS: tuple[tuple[str, str], ...] = (
    ("category", "text"), ("poverty_status", "text"), ("monitored", "bool"), ("size", "int"),
    ("per_capita", "money"), ("economic_income", "money"), ("labour_able", "int"),
    ("labour_weak", "int"), ("no_labour_household", "bool"), ("ill_or_disabled", "bool"),
    ("severe_disabled", "bool"), ("fulltime_student", "bool"), ("risk_types", "text"),
    ("exclusions", "text"), ("blocking_issues", "text"),
)
FACT_LABELS = {"category": "户类别", "poverty_status": "脱贫属性", "monitored": "脱贫监测户",
               "risk_types": "风险类型", "blocking_issues": "阻断问题"}


# --- rules access (tolerant: the rules object may be absent in library use) ----------------------

def _section(rules, name: str) -> dict:
    if rules is None:
        return {}
    try:
        return dict(rules.section(name) or {})
    except Exception:  # noqa: BLE001 - missing section
        raw = getattr(rules, "raw", None) or {}
        return dict(raw.get(name) or {})


def card_order(rules) -> list[str]:
    """Card names from most to least assistance: the rules file's order, then 不纳入."""
    names = list(getattr(rules, "card_names", None) or []) if rules is not None else []
    if not names:
        names = ["红卡", "黄卡", "绿卡", "蓝卡"]
    return [n for n in names if n != NOT_CARDED] + [NOT_CARDED]


def review_months(rules) -> dict:
    cfg = _section(rules, "review").get("months")
    return dict(cfg) if cfg else dict(DEFAULT_REVIEW_MONTHS)


def monitor_settings(rules) -> tuple[float, float]:
    """(per-capita threshold, band above it) for the monitoring list."""
    review = _section(rules, "review")
    threshold = review.get("monitor_threshold")
    if threshold is None:
        threshold = _section(rules, "thresholds").get("per_capita_line", DEFAULT_THRESHOLD)
    return float(threshold), float(review.get("monitor_band", DEFAULT_BAND))


# --- transitions -----------------------------------------------------------------------------

def _col(frame: pd.DataFrame, key: str, default) -> pd.Series:
    if key in frame.columns:
        return frame[key]
    return pd.Series([default] * len(frame), index=frame.index)


def _fmt_money(s: pd.Series) -> pd.Series:
    v = pd.to_numeric(s, errors="coerce").fillna(0.0).round(0)
    return v.astype("int64").astype(str)


def _fmt_text(s: pd.Series) -> pd.Series:
    t = s.fillna("").astype(str)
    return t.where(t != "", "无")


def _fact_changes(prev: pd.DataFrame, cur: pd.DataFrame) -> pd.Series:
    """'；'-joined description of the compared facts that differ; prev/cur aligned row by row."""
    parts = []
    for key, kind in COMPARED_FACTS:
        if key not in prev.columns and key not in cur.columns:
            continue
        name = FACT_LABELS.get(key) or label(key)
        a, b = _col(prev, key, None), _col(cur, key, None)
        if kind == "money":
            na, nb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
            changed = ((na - nb).abs() >= 0.5).fillna(na.isna() != nb.isna())
            text = name + "：" + _fmt_money(na) + "→" + _fmt_money(nb) + "元"
        elif kind == "int":
            na, nb = pd.to_numeric(a, errors="coerce"), pd.to_numeric(b, errors="coerce")
            changed = (na != nb).fillna(na.isna() != nb.isna())
            text = name + "：" + _fmt_money(na) + "→" + _fmt_money(nb)
        elif kind == "bool":
            ba = a.astype("boolean").fillna(False).astype(bool)
            bb = b.astype("boolean").fillna(False).astype(bool)
            changed = ba != bb
            yes_no = {True: "是", False: "否"}
            text = name + "：" + ba.map(yes_no) + "→" + bb.map(yes_no)
        else:
            ta, tb = a.fillna("").astype(str), b.fillna("").astype(str)
            changed = ta != tb
            text = name + "：" + _fmt_text(ta) + "→" + _fmt_text(tb)
        changed = changed.astype(bool)
        parts.append(text.where(changed, ""))
    if not parts:
        return pd.Series("", index=cur.index, dtype=str)
    joined = parts[0].astype(str)
    for p in parts[1:]:
        joined = joined + "；" + p.astype(str)
    return joined.str.replace(r"；{2,}", "；", regex=True).str.strip("；")


def compare_periods(prev_df: pd.DataFrame, cur_df: pd.DataFrame,
                    card_order: list[str] | None = None) -> pd.DataFrame:
    """Compare two household frames (contract 2+3 keys) matched on ``hh_key``.

    Returns one row per household in either frame, with TRANSITION_COLUMNS plus ``hh_key``;
    unchanged households are included with 变化类型 不变 (filter them out for the change list).
    """
    order = card_order or ["红卡", "黄卡", "绿卡", "蓝卡", NOT_CARDED]
    rank = {name: i for i, name in enumerate(order)}
    keep = ["hh_key", "township", "household_id", "head_name", "head_id", "card", "rule",
            *[k for k, _ in COMPARED_FACTS]]
    p = prev_df[[c for c in keep if c in prev_df.columns]]
    c = cur_df[[c for c in keep if c in cur_df.columns]]
    m = p.merge(c, on="hh_key", how="outer", suffixes=("_p", "_c"), indicator=True)

    def side(frame: pd.DataFrame, suffix: str) -> pd.DataFrame:
        cols = {k + suffix: k for k in keep if k + suffix in frame.columns}
        out = frame[list(cols)].rename(columns=cols)
        return out

    prev_side, cur_side = side(m, "_p"), side(m, "_c")
    in_prev = m["_merge"].isin(["both", "left_only"]).to_numpy()
    in_cur = m["_merge"].isin(["both", "right_only"]).to_numpy()

    def pick(key: str) -> pd.Series:
        a = _col(cur_side, key, "").fillna("").astype(str)
        b = _col(prev_side, key, "").fillna("").astype(str)
        return a.where(in_cur, b)

    prev_card = _col(prev_side, "card", "").fillna("").astype(str).where(in_prev, "")
    cur_card = _col(cur_side, "card", "").fillna("").astype(str).where(in_cur, "")
    r_prev = prev_card.map(rank)
    r_cur = cur_card.map(rank)
    both = in_prev & in_cur
    kind = np.select(
        [~in_prev, ~in_cur, (prev_card == cur_card).to_numpy(),
         (r_cur < r_prev).fillna(False).to_numpy(dtype=bool),
         (r_cur > r_prev).fillna(False).to_numpy(dtype=bool)],
        [NEW, EXIT, SAME, UP, DOWN], default=ADJUST)

    facts = _fact_changes(prev_side, cur_side)
    rule_p = _col(prev_side, "rule", "").fillna("").astype(str)
    rule_c = _col(cur_side, "rule", "").fillna("").astype(str)
    card_changed = both & (prev_card != cur_card).to_numpy()
    no_facts = (facts == "").to_numpy()
    reason = facts.where(~no_facts, "各项核对事实未变（可能因规则文件或判定口径调整）")
    reason = reason.where(~(card_changed & no_facts & (rule_p != rule_c).to_numpy()),
                          "判定规则：" + _fmt_text(rule_p) + "→" + _fmt_text(rule_c))
    reason = reason.where(both, "")
    reason = reason.where(in_prev, "本期新增（上期数据库中无此户）")
    reason = reason.where(in_cur, "本期花名册中无此户（请核实是否销户、迁出、合户或漏报）")
    reason = reason.where(kind != SAME, facts)

    out = pd.DataFrame({
        "乡镇": pick("township"),
        "户编号": pick("household_id"),
        "户主姓名": pick("head_name"),
        "户主证件号码": pick("head_id"),
        "上期卡别": prev_card,
        "本期卡别": cur_card,
        "变化类型": kind,
        "变化原因": reason.astype(str),
        "hh_key": m["hh_key"].astype(str),
    })
    type_order = {t: i for i, t in enumerate([UP, DOWN, ADJUST, NEW, EXIT, SAME])}
    out["_t"] = out["变化类型"].map(type_order)
    out = out.sort_values(["乡镇", "_t", "户编号", "hh_key"], kind="stable")
    return out.drop(columns="_t").reset_index(drop=True)


def transition_matrix(transitions: pd.DataFrame, card_order: list[str]) -> pd.DataFrame:
    """Households by previous card (rows) × current card (columns), with totals."""
    cards = list(card_order)
    extra = [c for c in pd.unique(pd.concat([transitions["上期卡别"], transitions["本期卡别"]]))
             if c and c not in cards]
    rows = [*cards, *extra, NONE_PREV]
    cols = [*cards, *extra, NONE_CUR]
    prev = transitions["上期卡别"].replace("", NONE_PREV)
    cur = transitions["本期卡别"].replace("", NONE_CUR)
    table = pd.crosstab(prev, cur).reindex(index=rows, columns=cols, fill_value=0).astype(int)
    table["合计"] = table.sum(axis=1)
    table.loc["合计"] = table.sum(axis=0)
    table.index.name = "上期卡别＼本期卡别"
    table.columns.name = None
    return table.reset_index()


# --- review calendar and monitoring ---------------------------------------------------------

def add_months(dates: pd.Series, months: pd.Series | int) -> pd.Series:
    """Vectorised calendar-month addition; the day is clipped to the target month's length."""
    d = pd.to_datetime(dates)
    m = pd.Series(months, index=d.index) if np.isscalar(months) else pd.Series(
        np.asarray(months), index=d.index)
    total = d.dt.year * 12 + (d.dt.month - 1) + m
    year, month = total // 12, total % 12 + 1
    first = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": 1}), errors="coerce")
    day = np.minimum(d.dt.day, first.dt.days_in_month)
    return first + pd.to_timedelta(day - 1, unit="D")


def _months_for(cards: pd.Series, months_cfg: dict) -> pd.Series:
    cfg = dict(months_cfg or DEFAULT_REVIEW_MONTHS)
    default = int(cfg.pop("default", 3))
    return cards.map({k: int(v) for k, v in cfg.items()}).fillna(default).astype(int)


REVIEW_COLUMNS = ["乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "卡别", "复核周期（月）",
                  "上次复核", "到期日", "状态"]


def review_due(source, as_of: dt.date | str, months_cfg: dict | None = None,
               households: pd.DataFrame | None = None, *, horizon_months: int = 1) -> pd.DataFrame:
    """Households whose periodic review is due on or before as_of + ``horizon_months``.

    ``source``: a database connection, or a frame of past records with columns hh_key and period.
    With ``households`` (the run being recorded), the population is those households, last
    reviews come from periods strictly before ``as_of`` and new households count as reviewed at
    ``as_of``. Without it, the population is the latest recorded period on or before ``as_of``.
    Returns REVIEW_COLUMNS + hh_key, sorted by township and due date.
    """
    as_of_s = db._iso(as_of)
    if isinstance(source, sqlite3.Connection):
        if households is None:
            latest = source.execute("SELECT MAX(period) FROM periods WHERE period <= ?",
                                    (as_of_s,)).fetchone()[0]
            if latest is None:
                return pd.DataFrame(columns=[*REVIEW_COLUMNS, "hh_key"])
            households = db.load_period(source, latest)
            last = db.last_reviews(source, as_of_s, inclusive=True)
        else:
            last = db.last_reviews(source, as_of_s, inclusive=False)
    else:
        records = source if source is not None else pd.DataFrame(columns=["hh_key", "period"])
        records = records.assign(period=records["period"].astype(str).str.slice(0, 10))
        if households is None:
            upto = records[records["period"] <= as_of_s]
            if upto.empty:
                return pd.DataFrame(columns=[*REVIEW_COLUMNS, "hh_key"])
            keys = upto.loc[upto["period"] == upto["period"].max(), ["hh_key"]]
            households = keys.merge(upto.drop_duplicates("hh_key", keep="last"), on="hh_key")
        else:
            upto = records[records["period"] < as_of_s]
        last = upto.groupby("hh_key", as_index=False)["period"].max().rename(
            columns={"period": "last_review"})

    h = households.reset_index(drop=True)
    frame = pd.DataFrame({"hh_key": h["hh_key"].astype(str),
                          "card": _col(h, "card", "").fillna("").astype(str)})
    frame = frame.merge(last, on="hh_key", how="left")
    frame["last_review"] = pd.to_datetime(frame["last_review"].fillna(as_of_s))
    frame["months"] = _months_for(frame["card"], months_cfg)
    frame["due"] = add_months(frame["last_review"], frame["months"])
    ts = pd.Timestamp(as_of_s)
    horizon = add_months(pd.Series([ts]), horizon_months).iloc[0]
    sel = (frame["due"] <= horizon).to_numpy()
    due = frame[sel]
    hs = h[sel]
    out = pd.DataFrame({
        "乡镇": _col(hs, "township", "").fillna("").astype(str).to_numpy(),
        "行政村": _col(hs, "village", "").fillna("").astype(str).to_numpy(),
        "户编号": _col(hs, "household_id", "").fillna("").astype(str).to_numpy(),
        "户主姓名": _col(hs, "head_name", "").fillna("").astype(str).to_numpy(),
        "户主证件号码": _col(hs, "head_id", "").fillna("").astype(str).to_numpy(),
        "卡别": due["card"].to_numpy(),
        "复核周期（月）": due["months"].to_numpy(),
        "上次复核": due["last_review"].dt.strftime("%Y-%m-%d").to_numpy(),
        "到期日": due["due"].dt.strftime("%Y-%m-%d").to_numpy(),
        "状态": np.where(due["due"] <= ts, "已到期", "一个月内到期"),
        "hh_key": due["hh_key"].to_numpy(),
    })
    return out.sort_values(["乡镇", "到期日", "行政村", "户编号"], kind="stable").reset_index(drop=True)


MONITOR_COLUMNS = ["乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "卡别", "人均纯收入", "监测原因"]


def _split_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    s = frame.set_index("hh_key")["risk_types"].fillna("").astype(str).str.split("、")
    pairs = s.explode().rename("risk").reset_index()
    return pairs[pairs["risk"] != ""].drop_duplicates()


def monitoring_list(cur: pd.DataFrame, prev: pd.DataFrame | None, threshold: float,
                    band: float) -> pd.DataFrame:
    """Households near the threshold (threshold ≤ per-capita ≤ threshold + band) or with new risks
    since the previous period (risk types not recorded then, or 返贫风险 newly present)."""
    h = cur.reset_index(drop=True)
    pc = pd.to_numeric(_col(h, "per_capita", np.nan), errors="coerce")
    near = ((pc >= threshold) & (pc <= threshold + band)).fillna(False).to_numpy(dtype=bool)
    reason_near = np.where(near, "人均纯收入" + _fmt_money(pc) + f"元，处于{threshold:.0f}～"
                           f"{threshold + band:.0f}元监测区间", "")
    new_risk_text = pd.Series("", index=h.index, dtype=str)
    if prev is not None and len(prev) and "risk_types" in h.columns:
        cur_pairs = _split_pairs(h)
        prev_pairs = _split_pairs(prev) if "risk_types" in prev.columns else cur_pairs.iloc[:0]
        in_prev = h["hh_key"].isin(prev["hh_key"])
        m = cur_pairs.merge(prev_pairs, on=["hh_key", "risk"], how="left", indicator=True)
        new = m[m["_merge"] == "left_only"]
        new = new[new["hh_key"].isin(h.loc[in_prev, "hh_key"])]
        if len(new):
            joined = new.groupby("hh_key")["risk"].agg("、".join)
            new_risk_text = ("新增风险：" + h["hh_key"].map(joined)).fillna("")
        if "return_risk" in h.columns and "return_risk" in prev.columns:
            before = h["hh_key"].map(prev.set_index("hh_key")["return_risk"].astype(bool))
            before = before.astype("boolean").fillna(True).astype(bool)
            newly = in_prev & h["return_risk"].astype(bool) & ~before
            new_risk_text = new_risk_text.where(~(newly & (new_risk_text == "")), "新出现返贫风险")
    has_new = (new_risk_text != "").to_numpy()
    sel = near | has_new
    hs = h[sel]
    reason = (pd.Series(reason_near, index=h.index) + "；" + new_risk_text)[sel]
    out = pd.DataFrame({
        "乡镇": _col(hs, "township", "").astype(str),
        "行政村": _col(hs, "village", "").astype(str),
        "户编号": _col(hs, "household_id", "").astype(str),
        "户主姓名": _col(hs, "head_name", "").astype(str),
        "户主证件号码": _col(hs, "head_id", "").astype(str),
        "卡别": _col(hs, "card", "").astype(str),
        "人均纯收入": pc[sel].round(2),
        "监测原因": reason.str.strip("；"),
        "hh_key": hs["hh_key"].astype(str),
    })
    return out.sort_values(["乡镇", "行政村", "户编号"], kind="stable").reset_index(drop=True)


# --- manifest ----------------------------------------------------------------------------------

def build_manifest(result: RunResult) -> dict:
    """The manifest stored with a period: the run's own manifest if present, else built here."""
    given = result.outputs.get("manifest")
    if isinstance(given, dict):
        return given
    if isinstance(given, (str, Path)) and Path(given).is_file():
        try:
            return json.loads(Path(given).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    h = result.households
    files = result.files
    file_cols = [c for c in ("文件", "乡镇", "状态", "读入行数", "户数", "sha256") if c in files.columns]
    from .. import __version__
    return {
        "as_of": db._iso(result.as_of),
        "rules_sha256": getattr(result.rules, "sha256", "") or "",
        "rules_path": str(getattr(result.rules, "path", "") or ""),
        "seed": result.seed,
        "command": result.command,
        "input_root": str(result.input_root),
        "version": __version__,
        "files": files[file_cols].astype(object).where(files[file_cols].notna(), None).to_dict(
            "records") if len(files) else [],
        "counts": {"households": int(len(h)),
                   "cards": {str(k): int(v) for k, v in
                             _col(h, "card", "").value_counts().items()}},
    }


# --- run / write -------------------------------------------------------------------------------

def default_db_path() -> Path:
    return Path.cwd() / db.DEFAULT_DB_NAME


def record_period(conn: sqlite3.Connection, result: RunResult) -> int:
    """Record ``result`` as the period ``result.as_of`` (replacing it if present), one transaction."""
    contacts = result.tables.get("contacts") if result.tables else None
    if contacts is not None and len(contacts) and "hh_key" not in contacts.columns \
            and "id_number" in contacts.columns and "head_id" in result.households.columns:
        heads = result.households[["head_id", "hh_key"]].drop_duplicates("head_id")
        contacts = contacts.merge(heads, left_on="id_number", right_on="head_id", how="left")
    return db.write_period(conn, db._iso(result.as_of), result.households,
                           rules_sha256=getattr(result.rules, "sha256", "") or "",
                           rules_path=str(getattr(result.rules, "path", "") or ""),
                           manifest=build_manifest(result), contacts=contacts)


def _adjust_note(prev_period: str, period: str, rules) -> str:
    """Plan §五(三): cards are adjusted every ``adjust_months`` months."""
    every = int(_section(rules, "review").get("adjust_months", 6))
    a, b = pd.Timestamp(prev_period), pd.Timestamp(period)
    gap = (b.year - a.year) * 12 + b.month - a.month
    return f"按方案每{every}个月动态调整一次卡别；本期距上期{gap}个月。"


def _change_fill(frame: pd.DataFrame) -> pd.Series:
    return frame["变化类型"].map(TYPE_FILLS).fillna("")


def run(result: RunResult, db_path: Path | str | None | bool = None, record: bool = True) -> None:
    """Compare with the previous period, compute the review calendar and monitoring list, record.

    ``db_path``: None → fourcard.sqlite in the working directory; False → no database (only the
    monitoring list by threshold). ``record=False`` reads the database without writing to it.
    """
    h = result.households
    order = card_order(result.rules)
    threshold, band = monitor_settings(result.rules)
    period = db._iso(result.as_of)
    info: dict = {"db_path": None, "period": period, "previous": None, "recorded": False}
    result.outputs["history"] = info
    log = IssueLog()

    conn = None
    if db_path is not False:
        path = Path(db_path) if db_path not in (None, True) else default_db_path()
        info["db_path"] = str(path)
        if record or path.exists():
            conn = open_db(path)
    try:
        prev_period = previous_period(conn, period) if conn is not None else None
        prev = db.load_period(conn, prev_period) if prev_period else None
        info["previous"] = prev_period

        # transitions
        if prev is not None:
            full = compare_periods(prev, h, order)
            title = (f"动态调整：本期 {period} 与上期 {prev_period} 比较。卡别按规则文件顺序"
                     f"（{' > '.join(order)}）排列，越靠前帮扶力度越大：调往靠前卡别为“升级”，"
                     "调往靠后卡别为“降级”，同级不同卡或涉及未判定为“调整”；本期新有的户为“新增”，"
                     "上期有、本期无的户为“退出”（请核实）。不变的户不列出。"
                     + _adjust_note(prev_period, period, result.rules))
        else:
            full = compare_periods(h.iloc[:0], h.iloc[:0], order)
            title = (f"动态调整：数据库中尚无早于 {period} 的期次，本期为首期记录，无上期数据可比较。"
                     if conn is not None else "动态调整：未使用数据库（--no-db），不做期次比较。")
        changes = full[full["变化类型"] != SAME].reset_index(drop=True)
        info["counts"] = {t: int((full["变化类型"] == t).sum()) for t in (NEW, EXIT, UP, DOWN, ADJUST, SAME)}
        result.outputs["transitions"] = changes
        result.outputs["transitions_all"] = full
        sheet = changes[TRANSITION_COLUMNS]
        result.sheets["动态调整"] = SheetSpec(sheet, row_fill=_change_fill(sheet), title=title)
        if prev is not None:
            matrix = transition_matrix(full, order)
            result.outputs["transition_matrix"] = matrix
            result.sheets["卡别变动矩阵"] = SheetSpec(
                matrix, title=f"卡别变动矩阵（户数）：行为上期 {prev_period} 卡别，列为本期 {period} 卡别")
            exits = changes[changes["变化类型"] == EXIT]
            if len(exits):
                log.add_frame("D001", pd.DataFrame({
                    "值": exits["户主姓名"] + "（" + exits["户主证件号码"] + "）",
                    "说明": "上期（" + prev_period + "）在册，卡别为" + exits["上期卡别"]
                            + "，本期花名册中找不到此户，请核实是否销户、迁出、合户或漏报",
                    "hh_key": exits["hh_key"], "乡镇": exits["乡镇"], "列": "户编号",
                }))

        # review calendar
        if conn is not None:
            due = review_due(conn, period, review_months(result.rules), h)
        else:
            due = review_due(None, period, review_months(result.rules), h)
        result.outputs["review_due"] = due
        result.outputs["review_due_by_township"] = {
            str(t): g.reset_index(drop=True) for t, g in due.groupby("乡镇", sort=True)}
        result.sheets["复核到期"] = SheetSpec(
            due[REVIEW_COLUMNS],
            row_fill=overdue_fills(due),
            title=(f"复核到期名单（截至 {period} 后一个月）：每次处理运行视为对在册家庭的一次复核，"
                   "到期日 = 上次复核 + 复核周期（规则文件 [review].months）。"))
        if len(due):
            log.add_frame("D002", pd.DataFrame({
                "值": due["户主姓名"] + "（" + due["卡别"] + "）",
                "说明": "上次复核" + due["上次复核"] + "，复核周期" + due["复核周期（月）"].astype(str)
                        + "个月，" + due["到期日"] + due["状态"].map({"已到期": "已到期",
                                                                    "一个月内到期": "到期"}),
                "hh_key": due["hh_key"], "乡镇": due["乡镇"], "列": "卡别"}))

        # monitoring list
        mon = monitoring_list(h, prev, threshold, band)
        result.outputs["monitoring"] = mon
        result.sheets["监测名单"] = SheetSpec(
            mon[MONITOR_COLUMNS],
            title=(f"监测名单：人均纯收入在 {threshold:.0f}～{threshold + band:.0f} 元（含两端）的家庭，"
                   "以及与上期相比新增风险类型或新出现返贫风险的家庭。"))

        if conn is not None and record:
            info["households_recorded"] = record_period(conn, result)
            info["recorded"] = True
    finally:
        if conn is not None:
            conn.close()
    result.add_issues(log.frame())


def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text that a spreadsheet would turn live (= + - @) with an apostrophe."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_string_dtype(out[col]):
            s = out[col].fillna("").astype(str)
            out[col] = s.where(~s.str.match(r"^[=+\-@\t\r]"), "'" + s)
    return out


def write_csv(frame: pd.DataFrame, path: Path | str) -> Path:
    """UTF-8 with BOM (opens correctly in Excel/WPS), written atomically."""
    with atomic_path(path) as tmp:
        _csv_safe(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
    return Path(path)


def overdue_fills(due: pd.DataFrame) -> pd.Series:
    """Row colours of a review list: 已到期 light red, 一个月内到期 none."""
    return pd.Series(np.where(due["状态"] == "已到期", styles.LEVEL_FILLS["错误"], ""), index=due.index)


def write_review_workbook(due: pd.DataFrame, path: Path | str, as_of: str) -> Path:
    """复核到期名单.xlsx: one sheet per township, styled and printable like the other books
    (``write_frame``: header, frozen panes, filter, print titles; IDs as text, formula-like text
    quote-prefixed), overdue households in light red."""
    created = None
    with contextlib.suppress(ValueError):  # a fixed document date: reruns give the same bytes
        created = dt.date.fromisoformat(str(as_of)[:10])
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp, tmpdir=Path(path).parent, created=created)
        formats = styles.Formats(wb)
        used: set[str] = set()
        groups = list(due.groupby("乡镇", sort=True)) if len(due) else [("全县", due)]
        for town, g in groups:
            town = str(town) or NO_TOWNSHIP  # as the township books name a blank township
            frame = g[REVIEW_COLUMNS].reset_index(drop=True)
            write_frame(wb, town, frame, formats=formats, used_names=used,
                        row_fill=overdue_fills(frame), widths={"户主证件号码": 21},
                        title=f"{town}复核到期名单（评估日期 {as_of}，共 {len(frame)} 户）", freeze_cols=4)
        wb.close()
    return Path(path)


def write(result: RunResult, out_dir: Path | str) -> list[Path]:
    """transitions.csv, 复核到期名单.xlsx, 监测名单.csv (UTF-8 with BOM) under ``out_dir``."""
    out_dir = Path(out_dir)
    paths: list[Path] = []
    if "transitions" in result.outputs:
        paths.append(write_csv(result.outputs["transitions"][TRANSITION_COLUMNS],
                               out_dir / "transitions.csv"))
    if "review_due" in result.outputs:
        paths.append(write_review_workbook(result.outputs["review_due"], out_dir / "复核到期名单.xlsx",
                                           db._iso(result.as_of)))
    if "monitoring" in result.outputs:
        paths.append(write_csv(result.outputs["monitoring"][MONITOR_COLUMNS], out_dir / "监测名单.csv"))
    return paths


# --- export for other departments (数据共享) -----------------------------------------------------

def parquet_available() -> bool:
    return importlib.util.find_spec("pyarrow") is not None


# Export headers where registry labels are missing or coincide (declared vs computed figures).
EXPORT_LABELS = {"period": "期次", "head_sex": "户主性别", "size_declared": "家庭人口（申报）",
                 "size": "家庭人口", "per_capita_declared": "人均纯收入（申报）",
                 "per_capita": "人均纯收入"}


def export_period(conn: sqlite3.Connection, period: str, out: Path | str, fmt: str = "csv") -> Path:
    """Write one period's households with Chinese headers to ``out`` (a file, or a folder).

    fmt "csv": UTF-8 with BOM; "parquet": needs pyarrow. Raises HistoryError in Chinese.
    """
    fmt = fmt.lower()
    if fmt not in ("csv", "parquet"):
        raise HistoryError(f"不支持的导出格式：{fmt}（可选 csv 或 parquet）")
    if fmt == "parquet" and not parquet_available():
        raise HistoryError("导出 Parquet 格式需要 pyarrow 组件，当前未安装。请先运行 "
                           "`pip install pyarrow`，或改用 --format csv。")
    period = db._iso(period)
    if not db.period_exists(conn, period):
        known = list_periods(conn)["period"].tolist()
        raise HistoryError(f"数据库中没有期次 {period}。已有期次："
                           + ("、".join(known) if known else "无"))
    frame = db.load_period(conn, period)
    cols = ["period", "hh_key", *db.FIELD_KEYS]
    frame = frame[[c for c in cols if c in frame.columns]]
    headers = {c: EXPORT_LABELS.get(c) or label(c) for c in frame.columns}
    # keep headers unique should a label ever coincide
    seen: set[str] = set()
    for c in list(headers):
        if headers[c] in seen:
            headers[c] = f"{headers[c]}（{c}）"
        seen.add(headers[c])
    frame = frame.rename(columns=headers)
    out = Path(out)
    if out.is_dir() or (not out.suffix):
        out = out / f"四卡数据_{period}.{fmt}"
    if fmt == "csv":
        return write_csv(frame, out)
    with atomic_path(out) as tmp:
        frame.to_parquet(tmp, index=False)
    return out

