"""Contact log checks (结对帮扶联系走访, plan §五(一); rules file section [contact]).

The contact log is an optional side table recognised by its headers (registry.CONTACT_COLUMNS:
日期, 帮扶干部, 干部层级, 户主证件号码, 方式) and arrives as ``result.tables["contacts"]``.

Checks (decisions stated in the sheet title):
- monthly contacts per household by card (红卡 ≥ 2, 黄卡/绿卡 ≥ 1): every record counts (电话,
  微信 and 上户走访); checked for every calendar month from the log's first to its last month
  (records dated after as_of are ignored), for every household of a township the log covers
  (a township is covered when at least one record matches one of its households);
- 县/乡/村 cadres ≥ 6 上户走访 a year and 市直 cadres ≥ 1 a quarter, per (household, cadre) pair
  found in the log; when the log covers only part of a year/quarter, the minimum is pro-rated
  and rounded half up (e.g. 3 months of a year → 2 visits; 1 month of a quarter → not checked).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..ingest.ids import normalize_ids
from ..issues import IssueLog
from ..registry import CONTACT_COLUMNS
from ..result import RunResult, SheetSpec
from ..rules.ruleset import default_section
from ..write.atomic import atomic_path

SHORTFALL_COLUMNS = ["乡镇", "行政村", "户主姓名", "户主证件号码", "卡别", "检查项目", "帮扶干部",
                     "要求", "实际", "缺口", "期间"]
DEFAULTS = default_section("contact")  # the plan's figures, from the packaged rules file
VISIT = "上户走访"
CITY = "市直"
LOCAL_LEVELS = ("县", "乡", "村")
ITEM_MONTHLY = "每月联系（电话、微信、上户走访）"
ITEM_YEARLY = "县乡村干部每年上户走访"
ITEM_QUARTERLY = "市直干部每季度上户走访"
BAD_DATE_CODE = "D005"


def settings(rules) -> dict:
    cfg = dict(DEFAULTS)
    if rules is not None:
        try:
            section = rules.section("contact") or {}
        except Exception:  # noqa: BLE001 - a rules object without the section
            section = (getattr(rules, "raw", None) or {}).get("contact") or {}
        cfg.update({k: v for k, v in dict(section).items() if v is not None})
    return cfg


def parse_dates(values: pd.Series) -> pd.Series:
    """Dates as typed in Chinese logs: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305,
    '2024-03-05 00:00:00', Excel serial numbers (45356). NaT when unreadable."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return pd.to_datetime(values).dt.normalize()
    t = values.astype(object).where(values.notna(), "").astype(str).str.normalize("NFKC").str.strip()
    t = t.str.split(r"[\sT]", n=1, regex=True).str[0].fillna("")
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    serial = t.str.fullmatch(r"\d{5}(?:\.0+)?")
    if serial.any():
        days = pd.to_numeric(t[serial], errors="coerce")
        out[serial] = pd.to_datetime(days, unit="D", origin="1899-12-30").to_numpy()
    rest = t.str.replace("日", "", regex=False).str.replace(r"[年月/.]", "-", regex=True)
    compact = rest.str.fullmatch(r"\d{8}")
    rest = rest.where(~compact, rest.str.slice(0, 4) + "-" + rest.str.slice(4, 6) + "-"
                      + rest.str.slice(6, 8))
    parts = rest.str.extract(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
    ok = parts[0].notna() & ~serial
    if ok.any():
        ymd = parts[ok].astype(int)
        ymd.columns = ["year", "month", "day"]
        out[ok] = pd.to_datetime(ymd, errors="coerce").to_numpy()
    return out


def _variants(key: str) -> dict[str, str]:
    col = next(c for c in CONTACT_COLUMNS if c.key == key)
    return {**{v: v for v in col.allowed}, **col.variants}


def normalise_log(log: pd.DataFrame) -> pd.DataFrame:
    """The log with canonical values (tolerates a reader that left raw text)."""
    out = pd.DataFrame(index=log.index)
    for key in ("cadre", "cadre_level", "id_number", "way"):
        out[key] = log[key].astype(object).where(log[key].notna(), "").astype(str).str.strip() \
            if key in log.columns else ""
    out["id_number"] = normalize_ids(out["id_number"])
    for key in ("cadre_level", "way"):
        mapped = out[key].str.normalize("NFKC").map(_variants(key))
        out[key] = mapped.fillna(out[key])
    out["date_text"] = log["date"].astype(object).where(log["date"].notna(), "").astype(str) \
        if "date" in log.columns else ""
    out["date"] = parse_dates(log["date"]) if "date" in log.columns else pd.NaT
    for key in ("source_file", "source_sheet"):
        out[key] = log[key].astype(str) if key in log.columns else ""
    out["source_row"] = (pd.to_numeric(log["source_row"], errors="coerce").astype("Int64")
                         if "source_row" in log.columns else pd.NA)
    return out.reset_index(drop=True)


def _months_in(periods: pd.PeriodIndex, freq: str) -> pd.DataFrame:
    """For each year/quarter touched by the monthly ``periods``: how many of its months are covered."""
    frame = pd.DataFrame({"month": periods})
    frame["bucket"] = frame["month"].dt.asfreq(freq) if freq != "M" else frame["month"]
    return frame.groupby("bucket", as_index=False).agg(covered=("month", "size"))


def _required(minimum: float, covered: pd.Series, length: int) -> pd.Series:
    return np.floor(minimum * covered / length + 0.5).astype(int)


def check_contacts(households: pd.DataFrame, log: pd.DataFrame, as_of, cfg: dict | None = None
                   ) -> dict:
    """Run the checks. Returns dict with ``shortfalls`` (SHORTFALL_COLUMNS + hh_key), ``unmatched``,
    ``bad_dates``, ``late`` (normalised log rows), ``months`` (PeriodIndex), ``uncovered``
    (townships with households due contacts and no record)."""
    cfg = {**DEFAULTS, **(cfg or {})}
    ts = pd.Timestamp(as_of)
    log = normalise_log(log)
    bad_dates = log[log["date"].isna()]
    late = log[log["date"] > ts]
    valid = log[log["date"].notna() & (log["date"] <= ts)].copy()
    valid["month"] = valid["date"].dt.to_period("M")

    h = households.reset_index(drop=True)
    heads = pd.DataFrame({
        "id_number": h["head_id"].astype(str), "hh_key": h["hh_key"].astype(str),
        "乡镇": h["township"].astype(str), "行政村": h["village"].astype(str),
        "户主姓名": h["head_name"].astype(str), "户主证件号码": h["head_id"].astype(str),
        "卡别": h["card"].astype(str)})
    heads = heads[heads["id_number"] != ""].drop_duplicates("id_number")
    m = valid.merge(heads, on="id_number", how="left", indicator=True)
    unmatched = m[m["_merge"] == "left_only"].drop(columns="_merge")
    matched = m[m["_merge"] == "both"].drop(columns="_merge")

    empty = pd.DataFrame(columns=[*SHORTFALL_COLUMNS, "hh_key"])
    result = {"shortfalls": empty, "unmatched": unmatched, "bad_dates": bad_dates, "late": late,
              "months": pd.PeriodIndex([], freq="M"), "uncovered": []}
    if valid.empty:
        return result
    months = pd.period_range(valid["month"].min(), valid["month"].max(), freq="M")
    result["months"] = months
    parts = []

    # monthly contacts by card, every household of a covered township
    per_month = {str(k): int(v) for k, v in dict(cfg["per_month"]).items()}
    covered_towns = set(matched["乡镇"])
    due = heads[heads["卡别"].isin(per_month.keys())]
    result["uncovered"] = sorted(set(due["乡镇"]) - covered_towns)
    due = due[due["乡镇"].isin(covered_towns)]
    if len(due):
        grid = due.merge(pd.DataFrame({"month": months}), how="cross")
        counts = matched.groupby(["hh_key", "month"]).size().rename("实际").reset_index()
        grid = grid.merge(counts, on=["hh_key", "month"], how="left")
        grid["实际"] = grid["实际"].fillna(0).astype(int)
        grid["要求"] = grid["卡别"].map(per_month).astype(int)
        grid = grid[grid["实际"] < grid["要求"]]
        parts.append(grid.assign(检查项目=ITEM_MONTHLY, 帮扶干部="",
                                 期间=grid["month"].astype(str), _order=grid["month"].dt.start_time))

    # visits per (household, cadre) pair: 县/乡/村 per year, 市直 per quarter
    for levels, freq, length, minimum, item in (
            (LOCAL_LEVELS, "Y", 12, float(cfg["cadre_visits_per_year"]), ITEM_YEARLY),
            ((CITY,), "Q", 3, float(cfg["city_visits_per_quarter"]), ITEM_QUARTERLY)):
        recs = matched[matched["cadre_level"].isin(levels)].copy()
        if recs.empty or minimum <= 0:
            continue
        recs["bucket"] = recs["month"].dt.asfreq(freq)
        pair_cols = ["hh_key", "cadre", "cadre_level"]
        info_cols = ["乡镇", "行政村", "户主姓名", "户主证件号码", "卡别"]
        pairs = recs[pair_cols + info_cols].drop_duplicates(pair_cols)
        buckets = _months_in(months, freq)
        buckets["要求"] = _required(minimum, buckets["covered"], length)
        buckets = buckets[buckets["要求"] > 0]
        grid = pairs.merge(buckets, how="cross")
        visits = recs[recs["way"] == VISIT].groupby(pair_cols + ["bucket"]).size().rename("实际")
        grid = grid.merge(visits.reset_index(), on=[*pair_cols, "bucket"], how="left")
        grid["实际"] = grid["实际"].fillna(0).astype(int)
        grid = grid[grid["实际"] < grid["要求"]]
        if grid.empty:
            continue
        if freq == "Y":
            label = grid["bucket"].dt.year.astype(str) + "年"
        else:
            label = (grid["bucket"].dt.year.astype(str) + "年第" + grid["bucket"].dt.quarter.astype(str)
                     + "季度")
        partial = grid["covered"] < length
        label = label.where(~partial, label + "（记录覆盖" + grid["covered"].astype(str)
                            + "个月，按比例要求）")
        parts.append(grid.assign(检查项目=item,
                                 帮扶干部=grid["cadre"] + "（" + grid["cadre_level"] + "）",
                                 期间=label, _order=grid["bucket"].dt.start_time))

    if parts:
        out = pd.concat(parts, ignore_index=True)
        out["缺口"] = out["要求"] - out["实际"]
        item_order = {ITEM_MONTHLY: 0, ITEM_YEARLY: 1, ITEM_QUARTERLY: 2}
        out["_item"] = out["检查项目"].map(item_order)
        out = out.sort_values(["乡镇", "行政村", "户主证件号码", "_item", "_order", "帮扶干部"],
                              kind="stable")
        result["shortfalls"] = out[[*SHORTFALL_COLUMNS, "hh_key"]].reset_index(drop=True)
    return result


def run(result: RunResult, **_options) -> None:
    """Check the contact log if one was supplied: sheet 联系走访, issues D003/D004."""
    log = (result.tables or {}).get("contacts")
    if log is None or len(log) == 0:
        result.outputs["contacts"] = None
        return
    cfg = settings(result.rules)
    checked = check_contacts(result.households, log, result.as_of, cfg)
    result.outputs["contacts"] = checked
    issues = IssueLog()

    short = checked["shortfalls"]
    if len(short):
        text = short["期间"] + short["检查项目"] + short["帮扶干部"].where(
            short["帮扶干部"] == "", "：" + short["帮扶干部"]) + "要求" + short["要求"].astype(str) \
            + "次，实际" + short["实际"].astype(str) + "次"
        per_hh = pd.DataFrame({"hh_key": short["hh_key"], "t": text})
        grouped = per_hh.groupby("hh_key", sort=False)["t"].agg("；".join)
        first = short.drop_duplicates("hh_key").set_index("hh_key")
        issues.add_frame("D003", pd.DataFrame({
            "hh_key": grouped.index, "乡镇": first.loc[grouped.index, "乡镇"].to_numpy(),
            "列": "联系走访", "值": (first.loc[grouped.index, "户主姓名"] + "（"
                                   + first.loc[grouped.index, "卡别"] + "）").to_numpy(),
            "说明": ("联系走访次数不足：" + grouped).to_numpy()}))

    un = checked["unmatched"]
    if len(un):
        issues.add_frame("D004", pd.DataFrame({
            "文件": un["source_file"], "工作表": un["source_sheet"], "行号": un["source_row"],
            "列": "户主证件号码", "值": un["id_number"],
            "说明": "联系记录（" + un["date"].dt.strftime("%Y-%m-%d") + "，" + un["cadre"]
                    + "）中的户主证件号码在本期花名册中找不到，该记录未计入"}))
    bad = checked["bad_dates"]
    if len(bad):
        issues.add_frame(BAD_DATE_CODE, pd.DataFrame({
            "文件": bad["source_file"], "工作表": bad["source_sheet"], "行号": bad["source_row"],
            "列": "日期", "值": bad["date_text"],
            "说明": "联系记录的日期无法识别（应为 2024-03-05 这样的日期），该记录未计入"}),
            level="警告")
    late = checked["late"]
    if len(late):
        issues.add_frame(BAD_DATE_CODE, pd.DataFrame({
            "文件": late["source_file"], "工作表": late["source_sheet"], "行号": late["source_row"],
            "列": "日期", "值": late["date"].dt.strftime("%Y-%m-%d"),
            "说明": f"联系记录的日期晚于评估日期 {pd.Timestamp(result.as_of):%Y-%m-%d}，该记录未计入"}),
            level="警告")
    result.add_issues(issues.frame())

    months = checked["months"]
    span = f"{months[0]}至{months[-1]}" if len(months) else "无有效记录"
    per_month = "、".join(f"{k}每月≥{v}次" for k, v in dict(cfg["per_month"]).items())
    title = (f"联系走访不足名单（记录期间 {span}）：{per_month}（电话、微信、上户走访均计入）；"
             f"县乡村三级干部每年上户走访≥{cfg['cadre_visits_per_year']}次、市直干部每季度≥"
             f"{cfg['city_visits_per_quarter']}次（按户、按干部计；记录未覆盖整年/整季度时按比例要求）。")
    if checked["uncovered"]:
        title += "以下乡镇没有任何联系记录，未检查：" + "、".join(checked["uncovered"]) + "。"
    result.sheets["联系走访"] = SheetSpec(short[SHORTFALL_COLUMNS], title=title,
                                        row_fill=pd.Series("#FCE4E4", index=short.index))


def write(result: RunResult, out_dir) -> list:
    """联系走访不足名单.csv (UTF-8 with BOM) when a contact log was checked."""
    from pathlib import Path

    checked = result.outputs.get("contacts")
    if not checked:
        return []
    frame = checked["shortfalls"][SHORTFALL_COLUMNS].copy()
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col]):
            s = frame[col].fillna("").astype(str)
            frame[col] = s.where(~s.str.match(r"^[=+\-@\t\r]"), "'" + s)
    path = Path(out_dir) / "联系走访不足名单.csv"
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig")
    return [path]
