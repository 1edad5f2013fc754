"""Public-welfare jobs (公益岗位): quota compliance, PV income use and priority hiring.

Plan §四(一): the county sets at least 520 posts (all levels), the county level at least 60,
each 挂牌督战 township at least 30 township-level posts, each other township 20, each 贫困村 with a
光伏电站 3 village posts, each other 贫困村 or 挂牌督战村 2, each other village 1; posts go first to
黄卡 households with labour or weak labour. §四(二): at least 80% of a village's PV income pays
黄卡 post wages.

Inputs are the side tables ``posts`` (registry.POST_COLUMNS keys) and ``villages``
(registry.VILLAGE_COLUMNS keys), plus the classified households and the members frame.
Pure functions (``check_quotas``, ``pv_share``, ``match_holders``) do the work; ``run`` puts the
frames, sheets and issues on a RunResult; ``write`` writes quotas.csv.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .. import issues as iss
from ..ingest.ids import normalize_ids
from ..result import RunResult, SheetSpec
from ..rules.ruleset import default_section
from ..write import csvs
from ..write.atomic import atomic_path

# Defaults: the packaged rules file's [quotas] (the plan's figures); a rules file overrides them.
DEFAULTS: dict[str, float] = default_section("quotas")

PRIORITY_CARD = "黄卡"

LEVEL_COUNTY_TOTAL, LEVEL_COUNTY, LEVEL_TOWNSHIP, LEVEL_VILLAGE = "全县", "县级", "乡镇", "村"
POST_COUNTY, POST_TOWNSHIP, POST_VILLAGE = "县级", "乡镇级", "村级"  # registry.POST_LEVELS
YES, NO = "是", "否"
RED, GREEN = "#FFC7CE", "#C6EFCE"

# quotas.csv columns, exactly.
QUOTA_COLUMNS = ["层级", "乡镇", "行政村", "要求", "实际", "缺口", "是否达标"]
BASIS = "依据"  # extra column in the sheet only

SHEET_QUOTAS = "公益岗位"
SHEET_HOLDERS = "公益岗位人员核对"
SHEET_CANDIDATES = "公益岗位候选"
SHEET_PV = "光伏收益使用"
CSV_NAME = "quotas.csv"

# Issue codes without a title in issues.CODES yet (see the report): missing inputs, posts that
# cannot be placed. Levels are passed explicitly so IssueLog does not look them up.
CODE_MISSING_INPUT = "Q006"  # 提示: 未提供公益岗位花名册或村情表，相关核查未做
CODE_UNPLACED = "Q007"  # 警告: 公益岗位无法归属到乡镇或村情表中的村

# Holder match results
MATCH_OK = "黄卡户"
MATCH_NOT_PRIORITY = "非黄卡户"
MATCH_NOT_FOUND = "花名册中找不到"
MATCH_NO_ID = "证件号码为空"

HOLDER_COLUMNS = ["乡镇", "行政村", "岗位名称", "设岗层级", "姓名", "证件号码", "核对结果", "所在户卡别",
                  "所在户户主", "家庭识别码", "来源文件", "工作表", "来源行号"]
CANDIDATE_COLUMNS = ["乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "家庭人口", "有劳动能力人数",
                     "弱劳动力人数", "人均纯收入", "优先因素", "优先分", "家庭识别码"]
PV_COLUMNS = ["乡镇", "行政村", "光伏年收益", "用于黄卡公益岗位工资", "比例（%）", "要求（%）", "是否达标"]


# --------------------------------------------------------------------------------------------
# helpers


def quota_config(rules: object = None, overrides: dict | None = None) -> dict:
    """DEFAULTS, updated by the rules file's [quotas] section (if any) and ``overrides``."""
    cfg = dict(DEFAULTS)
    section = getattr(rules, "section", None)
    if callable(section):
        try:
            cfg.update(section("quotas") or {})
        except Exception:  # noqa: BLE001 - a rules object without the section keeps the defaults
            pass
    if overrides:
        cfg.update(overrides)
    return cfg


def _names(values: pd.Series) -> pd.Series:
    """Place names compared as text: NFKC, no whitespace."""
    s = values.astype("object").where(values.notna(), "").astype(str)
    return s.str.normalize("NFKC").str.replace(r"\s+", "", regex=True)


def _col(frame: pd.DataFrame, key: str, default: object = "") -> pd.Series:
    if key in frame.columns:
        return frame[key]
    return pd.Series([default] * len(frame), index=frame.index, dtype="object")


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}


def _yes(values: pd.Series) -> pd.Series:
    """YESNO column as bool: already bool (contract 1) or 是/否 text."""
    if values.dtype == bool:
        return values
    s = values.astype("object").where(values.notna(), "").astype(str).str.strip().str.lower()
    return s.isin(_TRUE)


def _money(values: pd.Series) -> pd.Series:
    """MONEY column as float; NaN stays NaN (a figure not given)."""
    return pd.to_numeric(values, errors="coerce").astype(float)


def _int(x: float) -> int:
    return int(np.ceil(float(x) - 1e-9))


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


def _prepare_villages(villages: pd.DataFrame | None) -> pd.DataFrame:
    """One row per (township, village) with bool flags; duplicates merged (any 是 wins)."""
    cols = ["township", "village", "poor_village", "supervised_village", "has_pv", "supervised_township"]
    if villages is None or len(villages) == 0:
        return pd.DataFrame({c: pd.Series(dtype=bool if c not in cols[:2] else "object") for c in cols})
    v = pd.DataFrame({
        "township": _names(_col(villages, "township")),
        "village": _names(_col(villages, "village")),
        "poor_village": _yes(_col(villages, "poor_village", False)),
        "supervised_village": _yes(_col(villages, "supervised_village", False)),
        "has_pv": _yes(_col(villages, "has_pv", False)),
        "supervised_township": _yes(_col(villages, "supervised_township", False)),
    })
    v = v[v["village"] != ""]
    return (v.groupby(["township", "village"], as_index=False, sort=True)
            .agg({c: "any" for c in cols[2:]}))


def _prepare_posts(posts: pd.DataFrame | None, villages: pd.DataFrame) -> pd.DataFrame:
    """Posts with normalised names, the village table's township filled in for a village-level
    post without a township when the village name is unique, and where each post is counted:
    ``placed`` in {"county", "township", "village", ""} and ``unplaced_reason``."""
    if posts is None or len(posts) == 0:
        cols = ["post_name", "post_level", "township", "village", "name", "id_number", "source_file",
                "source_sheet", "source_row", "placed", "unplaced_reason"]
        return _empty(cols)
    p = posts.copy()
    p["township"] = _names(_col(posts, "township"))
    p["village"] = _names(_col(posts, "village"))
    p["post_level"] = _names(_col(posts, "post_level"))
    for key in ("post_name", "name", "source_file", "source_sheet"):
        p[key] = _col(posts, key).astype("object").where(_col(posts, key).notna(), "").astype(str)
    p["id_number"] = normalize_ids(_col(posts, "id_number").astype("object").where(
        _col(posts, "id_number").notna(), ""))
    if "source_row" not in p.columns:
        p["source_row"] = pd.NA

    have_table = len(villages) > 0
    level = p["post_level"]
    is_village = level == POST_VILLAGE
    if have_table:
        # a village-level post without a township: take it from the village table if unique
        counts = villages.groupby("village")["township"].agg(["nunique", "first"])
        unique = counts[counts["nunique"] == 1]["first"]
        fill = is_village & (p["township"] == "") & p["village"].isin(unique.index)
        p.loc[fill, "township"] = p.loc[fill, "village"].map(unique)
        known = pd.MultiIndex.from_frame(villages[["township", "village"]])
        in_table = pd.MultiIndex.from_frame(p[["township", "village"]]).isin(known)
    else:
        in_table = np.ones(len(p), dtype=bool)

    placed = np.select(
        [level == POST_COUNTY,
         (level == POST_TOWNSHIP) & (p["township"] != ""),
         is_village & (p["village"] != "") & in_table],
        ["county", "township", "village"], default="")
    reason = np.select(
        [(level == POST_TOWNSHIP) & (p["township"] == ""),
         is_village & (p["village"] == ""),
         is_village & ~in_table,
         ~level.isin([POST_COUNTY, POST_TOWNSHIP, POST_VILLAGE])],
        ["乡镇级岗位未填写乡镇", "村级岗位未填写行政村", "所在村不在村情表中", "设岗层级无法识别"], default="")
    p["placed"] = placed
    p["unplaced_reason"] = np.where(placed == "", reason, "")
    return p


# --------------------------------------------------------------------------------------------
# quota check


def check_quotas(posts: pd.DataFrame | None, villages: pd.DataFrame | None, quota_cfg: dict,
                 townships: Iterable[str] = ()) -> pd.DataFrame:
    """One row per requirement: 全县, 县级, each township, each village of the village table.

    Columns 层级,乡镇,行政村,要求,实际,缺口,是否达标 (the quotas.csv columns) and 依据 (which
    minimum applied). Townships checked: those in the village table, in ``townships`` (the
    rosters) and in the posts. A township is 挂牌督战 when any village row says 所在乡镇是否挂牌督战=是.
    A village's minimum is the first that applies: 贫困村 with PV; 贫困村 or 挂牌督战村; other.
    Order: 全县, 县级, townships sorted, villages sorted by township and village.
    """
    cfg = {**DEFAULTS, **(quota_cfg or {})}
    v = _prepare_villages(villages)
    p = _prepare_posts(posts, v)

    rows = [
        {"层级": LEVEL_COUNTY_TOTAL, "乡镇": "", "行政村": "", "要求": _int(cfg["county_total"]),
         "实际": len(p), BASIS: "全县县乡村三级公益岗位合计"},
        {"层级": LEVEL_COUNTY, "乡镇": "", "行政村": "", "要求": _int(cfg["county_level"]),
         "实际": int((p["placed"] == "county").sum()), BASIS: "县级公益岗位"},
    ]
    head = pd.DataFrame(rows)

    # townships
    names = set(v["township"]) | set(_names(pd.Series(list(townships), dtype="object"))) | set(p["township"])
    names.discard("")
    town = pd.DataFrame({"乡镇": sorted(names)}, dtype="object")
    town_sup = town["乡镇"].isin(v.loc[v["supervised_township"], "township"])
    town_posts = p.loc[p["placed"] == "township"].groupby("township").size()
    town["层级"] = LEVEL_TOWNSHIP
    town["行政村"] = ""
    town["要求"] = np.where(town_sup, _int(cfg["township_supervised"]), _int(cfg["township_other"]))
    town["实际"] = town["乡镇"].map(town_posts).fillna(0).astype(int)
    town[BASIS] = np.where(town_sup, "挂牌督战乡镇", "一般乡镇")

    # villages: every village of the table, with or without posts
    vil = v.copy()
    vil_posts = p.loc[p["placed"] == "village"].groupby(["township", "village"]).size().rename("n")
    vil = vil.merge(vil_posts.reset_index(), on=["township", "village"], how="left")
    poor_pv = vil["poor_village"] & vil["has_pv"]
    poor_or_sup = vil["poor_village"] | vil["supervised_village"]
    vil_out = pd.DataFrame({
        "层级": LEVEL_VILLAGE,
        "乡镇": vil["township"],
        "行政村": vil["village"],
        "要求": np.select([poor_pv, poor_or_sup],
                        [_int(cfg["village_poor_pv"]), _int(cfg["village_poor_or_supervised"])],
                        default=_int(cfg["village_other"])),
        "实际": vil["n"].fillna(0).astype(int),
        BASIS: np.select(
            [poor_pv, vil["poor_village"] & vil["supervised_village"], vil["poor_village"],
             vil["supervised_village"]],
            ["有光伏电站的贫困村", "贫困村、挂牌督战村", "贫困村", "挂牌督战村"], default="非贫困村"),
    })

    out = pd.concat([head, town, vil_out], ignore_index=True)
    out["要求"] = out["要求"].astype(int)
    out["实际"] = out["实际"].astype(int)
    out["缺口"] = (out["要求"] - out["实际"]).clip(lower=0).astype(int)
    out["是否达标"] = np.where(out["实际"] >= out["要求"], YES, NO)
    for col in ("层级", "乡镇", "行政村", "是否达标", BASIS):
        out[col] = out[col].astype(str)
    return out[QUOTA_COLUMNS + [BASIS]].reset_index(drop=True)


def unplaced_posts(posts: pd.DataFrame | None, villages: pd.DataFrame | None) -> pd.DataFrame:
    """Posts counted in the county total only, with the reason (no township, village not in the
    village table, unknown level). Village checks are skipped without a village table, so then
    village-level posts are not listed here."""
    v = _prepare_villages(villages)
    p = _prepare_posts(posts, v)
    bad = p[p["placed"] == ""]
    if len(v) == 0:
        bad = bad[bad["unplaced_reason"] != "所在村不在村情表中"]
    return bad.reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# PV income


def pv_share(villages: pd.DataFrame | None, min_share: float = DEFAULTS["pv_share_min"]) -> pd.DataFrame:
    """Villages whose PV income and its use for 黄卡 post wages are both given (income > 0):
    share = use / income, met when share ≥ min_share ("不得低于" includes the figure)."""
    if villages is None or len(villages) == 0:
        return _empty(PV_COLUMNS)
    income = _money(_col(villages, "pv_income", np.nan))
    used = _money(_col(villages, "pv_to_yellow_wages", np.nan))
    given = (income > 0) & used.notna()
    if not given.any():
        return _empty(PV_COLUMNS)
    t = _names(_col(villages, "township"))[given]
    vname = _names(_col(villages, "village"))[given]
    inc, use = income[given], used[given]
    share = use / inc
    met = use >= inc * float(min_share) - 0.005  # 0.5 分 tolerance for cents in the figures
    out = pd.DataFrame({
        "乡镇": t.astype(str),
        "行政村": vname.astype(str),
        "光伏年收益": inc.round(2),
        "用于黄卡公益岗位工资": use.round(2),
        "比例（%）": (share * 100).round(2),
        "要求（%）": round(float(min_share) * 100, 2),
        "是否达标": np.where(met, YES, NO),
    })
    for extra in ("source_file", "source_sheet", "source_row"):
        if extra in villages.columns:
            out[extra] = villages.loc[given, extra]
    return out.sort_values(["乡镇", "行政村"], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# holders and candidates


@dataclass
class HolderMatch:
    holders: pd.DataFrame  # every post row, HOLDER_COLUMNS + internal keys
    flagged: pd.DataFrame  # holders not in a priority-card household or not found (HOLDER_COLUMNS)
    candidates: pd.DataFrame  # priority-card households with labour and no post (CANDIDATE_COLUMNS)
    summary: dict = field(default_factory=dict)


def match_holders(posts: pd.DataFrame | None, households: pd.DataFrame, members: pd.DataFrame,
                  card: str = PRIORITY_CARD) -> HolderMatch:
    """Match post holders to households by normalised ID (any member of a household) and list
    the ``card`` households with able or weak labour that hold no post, highest priority first.

    Summary: posts, matched, priority (held by ``card`` households), share (priority / posts or
    None), not_priority, not_found, candidates.
    """
    p = _prepare_posts(posts, _prepare_villages(None))
    mem = pd.DataFrame({"id_number": normalize_ids(_col(members, "id_number")),
                        "hh_key": _col(members, "hh_key").astype(str)})
    mem = mem[mem["id_number"] != ""].drop_duplicates("id_number", keep="first")
    hh = pd.DataFrame({
        "hh_key": _col(households, "hh_key").astype(str),
        "card": _col(households, "card").astype(str),
        "head_name": _col(households, "head_name").astype(str),
    }).drop_duplicates("hh_key")
    m = p.merge(mem, on="id_number", how="left").merge(hh, on="hh_key", how="left")
    m["hh_key"] = m["hh_key"].fillna("").astype(str)
    m["card"] = m["card"].fillna("").astype(str)
    m["head_name"] = m["head_name"].fillna("").astype(str)
    found = m["hh_key"] != ""
    result = np.select(
        [m["id_number"] == "", ~found, m["card"] == card],
        [MATCH_NO_ID, MATCH_NOT_FOUND, MATCH_OK], default=MATCH_NOT_PRIORITY)
    m["result"] = result
    holders = pd.DataFrame({
        "乡镇": m["township"], "行政村": m["village"], "岗位名称": m["post_name"],
        "设岗层级": m["post_level"], "姓名": m["name"], "证件号码": m["id_number"],
        "核对结果": m["result"].astype(str),
        "所在户卡别": m["card"].where(found, ""), "所在户户主": m["head_name"],
        "家庭识别码": m["hh_key"], "来源文件": m["source_file"], "工作表": m["source_sheet"],
        "来源行号": pd.to_numeric(m["source_row"], errors="coerce").astype("Int64"),
    })
    flagged = holders[holders["核对结果"] != MATCH_OK]
    flagged = flagged.sort_values(["核对结果", "乡镇", "行政村", "来源文件", "来源行号"], kind="stable")

    # candidates: priority-card households with able or weak labour and no member holding a post
    holding = set(m.loc[found, "hh_key"])
    able = pd.to_numeric(_col(households, "labour_able", 0), errors="coerce").fillna(0)
    weak = pd.to_numeric(_col(households, "labour_weak", 0), errors="coerce").fillna(0)
    keys = _col(households, "hh_key").astype(str)
    want = (_col(households, "card").astype(str) == card) & ((able + weak) > 0) & ~keys.isin(holding)
    c = households.loc[want]
    cand = pd.DataFrame({
        "乡镇": _col(c, "township").astype(str), "行政村": _col(c, "village").astype(str),
        "户编号": _col(c, "household_id").astype(str), "户主姓名": _col(c, "head_name").astype(str),
        "户主证件号码": _col(c, "head_id").astype(str),
        "家庭人口": pd.to_numeric(_col(c, "size", 0), errors="coerce").fillna(0).astype(int),
        "有劳动能力人数": able[want].astype(int), "弱劳动力人数": weak[want].astype(int),
        "人均纯收入": pd.to_numeric(_col(c, "per_capita", 0.0), errors="coerce").round(2),
        "优先因素": _col(c, "priority_factors").astype(str),
        "优先分": pd.to_numeric(_col(c, "priority_score", 0), errors="coerce").fillna(0).astype(int),
        "家庭识别码": keys[want],
        "source_file": _col(c, "source_file").astype(str),
        "source_sheet": _col(c, "source_sheet").astype(str),
        "source_row": pd.to_numeric(_col(c, "source_row", pd.NA), errors="coerce").astype("Int64"),
    })
    cand = cand.sort_values(["优先分", "乡镇", "行政村", "家庭识别码"], ascending=[False, True, True, True],
                            kind="stable").reset_index(drop=True)

    n = len(holders)
    n_priority = int((holders["核对结果"] == MATCH_OK).sum())
    summary = {
        "posts": n,
        "matched": int(found.sum()),
        "priority": n_priority,
        "share": (n_priority / n) if n else None,
        "not_priority": int((holders["核对结果"] == MATCH_NOT_PRIORITY).sum()),
        "not_found": int(holders["核对结果"].isin([MATCH_NOT_FOUND, MATCH_NO_ID]).sum()),
        "candidates": len(cand),
    }
    return HolderMatch(holders.reset_index(drop=True), flagged.reset_index(drop=True)[HOLDER_COLUMNS],
                       cand, summary)


# --------------------------------------------------------------------------------------------
# issues


def _quota_issues(log: iss.IssueLog, quotas: pd.DataFrame) -> None:
    short = quotas[quotas["是否达标"] == NO]
    if not len(short):
        return
    where = np.select(
        [short["层级"] == LEVEL_COUNTY_TOTAL, short["层级"] == LEVEL_COUNTY, short["层级"] == LEVEL_TOWNSHIP],
        ["全县公益岗位", "县级公益岗位", short["乡镇"] + "乡镇级公益岗位（" + short[BASIS] + "）"],
        default=short["乡镇"] + short["行政村"] + "村级公益岗位（" + short[BASIS] + "）")
    msg = (pd.Series(where, index=short.index) + short["实际"].astype(str) + "个，要求不少于"
           + short["要求"].astype(str) + "个，缺" + short["缺口"].astype(str) + "个")
    log.add_frame("Q001", pd.DataFrame({"说明": msg, "乡镇": short["乡镇"], "列": "公益岗位",
                                        "值": short["实际"].astype(str)}))


def _holder_issues(log: iss.IssueLog, match: HolderMatch) -> None:
    h = match.holders
    base = lambda f: pd.DataFrame({"文件": f["来源文件"], "工作表": f["工作表"], "行号": f["来源行号"],  # noqa: E731
                                   "列": "证件号码", "值": f["证件号码"], "乡镇": f["乡镇"],
                                   "hh_key": f["家庭识别码"]})
    notp = h[h["核对结果"] == MATCH_NOT_PRIORITY]
    if len(notp):
        frame = base(notp)
        frame["说明"] = (notp["姓名"] + "（" + notp["岗位名称"] + "）所在户为" + notp["所在户卡别"]
                       + "，公益岗位应优先聘用有劳动能力的黄卡户")
        log.add_frame("Q002", frame)
    nf = h[h["核对结果"].isin([MATCH_NOT_FOUND, MATCH_NO_ID])]
    if len(nf):
        frame = base(nf)
        frame["说明"] = np.where(nf["核对结果"] == MATCH_NO_ID,
                               nf["姓名"] + "（" + nf["岗位名称"] + "）未填写证件号码，无法核对",
                               nf["姓名"] + "（" + nf["岗位名称"] + "）的证件号码在各乡镇花名册中找不到")
        log.add_frame("Q003", frame)
    c = match.candidates
    if len(c):
        msg = (c["户主姓名"] + "户为黄卡户，有劳动能力" + c["有劳动能力人数"].astype(str) + "人、弱劳动力"
               + c["弱劳动力人数"].astype(str) + "人，未安排公益岗位（优先分" + c["优先分"].astype(str) + "）")
        log.add_frame("Q004", pd.DataFrame({"文件": c["source_file"], "工作表": c["source_sheet"],
                                            "行号": c["source_row"], "说明": msg, "乡镇": c["乡镇"],
                                            "hh_key": c["家庭识别码"]}))


def _pv_issues(log: iss.IssueLog, pv: pd.DataFrame) -> None:
    bad = pv[pv["是否达标"] == NO]
    if not len(bad):
        return
    used = np.where(bad["用于黄卡公益岗位工资"] > 0, bad["用于黄卡公益岗位工资"].map("{:g}".format) + "元",
                    "未填写或为0元")
    msg = (bad["乡镇"] + bad["行政村"] + "光伏年收益" + bad["光伏年收益"].map("{:g}".format)
           + "元，用于黄卡户公益岗位工资" + used + "，占"
           + bad["比例（%）"].map("{:g}".format) + "%，要求不低于" + bad["要求（%）"].map("{:g}".format) + "%")
    frame = pd.DataFrame({"说明": msg, "乡镇": bad["乡镇"], "列": "光伏收益用于黄卡公益岗位工资",
                          "值": bad["用于黄卡公益岗位工资"]})
    for src, dst in (("source_file", "文件"), ("source_sheet", "工作表"), ("source_row", "行号")):
        if src in bad.columns:
            frame[dst] = bad[src]
    log.add_frame("Q005", frame)


def _unplaced_issues(log: iss.IssueLog, unplaced: pd.DataFrame) -> None:
    if not len(unplaced):
        return
    msg = ("岗位“" + unplaced["post_name"] + "”（" + unplaced["township"] + unplaced["village"] + "，"
           + unplaced["name"] + "）" + unplaced["unplaced_reason"] + "，只计入全县总数")
    log.add_frame(CODE_UNPLACED, pd.DataFrame({
        "文件": unplaced["source_file"], "工作表": unplaced["source_sheet"], "行号": unplaced["source_row"],
        "列": "行政村", "值": unplaced["village"], "说明": msg, "乡镇": unplaced["township"]}),
        level=iss.WARNING)


# --------------------------------------------------------------------------------------------
# run / write


def _fills(flags: pd.Series) -> pd.Series:
    return pd.Series(np.where(flags == YES, GREEN, RED), index=flags.index, dtype="object")


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%"


def run(result: RunResult, *, quota_cfg: dict | None = None, card: str = PRIORITY_CARD) -> None:
    """Check the posts and the village table on ``result`` (contract 6).

    Sets result.outputs["quotas"] (the quotas.csv frame), ["quotas_sheet"] (with 依据),
    ["post_holders"], ["post_candidates"], ["pv_share"], ["post_summary"] (dict); sheets
    公益岗位 (red shortfalls, green met), 公益岗位人员核对, 公益岗位候选 and 光伏收益使用 when there is
    something to show; issues Q001–Q005 (+ Q006 missing input, Q007 unplaced posts).
    Without a posts table it only adds a 提示.
    """
    log = iss.IssueLog()
    posts = result.tables.get("posts")
    villages = result.tables.get("villages")
    if posts is None or len(posts) == 0:
        log.add(CODE_MISSING_INPUT, "未提供公益岗位花名册，公益岗位数量和聘用情况未核查", level=iss.INFO)
        result.add_issues(log.frame())
        return
    cfg = quota_config(result.rules, quota_cfg)
    if villages is None or len(villages) == 0:
        log.add(CODE_MISSING_INPUT, "未提供村情表：各村公益岗位数量和光伏收益未核查，所有乡镇按一般乡镇要求核查",
                level=iss.INFO)

    townships = _col(result.households, "township") if result.households is not None else []
    sheet = check_quotas(posts, villages, cfg, townships=townships)
    quotas = sheet[QUOTA_COLUMNS].copy()
    pv = pv_share(villages, float(cfg["pv_share_min"]))
    match = match_holders(posts, result.households, result.members, card=card)
    unplaced = unplaced_posts(posts, villages)

    _quota_issues(log, sheet)
    _holder_issues(log, match)
    _pv_issues(log, pv)
    _unplaced_issues(log, unplaced)

    s = match.summary
    summary = {
        **s,
        "requirements": len(quotas),
        "shortfalls": int((quotas["是否达标"] == NO).sum()),
        "pv_checked": len(pv),
        "pv_failed": int((pv["是否达标"] == NO).sum()) if len(pv) else 0,
        "unplaced": len(unplaced),
    }
    result.outputs["quotas"] = quotas
    result.outputs["quotas_sheet"] = sheet
    result.outputs["post_holders"] = match.flagged
    result.outputs["post_candidates"] = match.candidates[CANDIDATE_COLUMNS]
    result.outputs["pv_share"] = pv[PV_COLUMNS]
    result.outputs["post_summary"] = summary

    title = (f"公益岗位共{s['posts']}个，黄卡户聘用{s['priority']}个（占{_pct(s['share'])}）；"
             f"核查{summary['requirements']}项，未达标{summary['shortfalls']}项")
    result.sheets[SHEET_QUOTAS] = SheetSpec(sheet, row_fill=_fills(sheet["是否达标"]),
                                            tab_colour=RED if summary["shortfalls"] else GREEN, title=title)
    if len(match.flagged):
        result.sheets[SHEET_HOLDERS] = SheetSpec(
            match.flagged, title=f"非黄卡户{s['not_priority']}人，花名册中找不到{s['not_found']}人")
    if len(match.candidates):
        result.sheets[SHEET_CANDIDATES] = SheetSpec(
            match.candidates[CANDIDATE_COLUMNS],
            title=f"有劳动能力、未安排公益岗位的黄卡户{len(match.candidates)}户（按优先分从高到低）")
    if len(pv):
        result.sheets[SHEET_PV] = SheetSpec(
            pv[PV_COLUMNS], row_fill=_fills(pv["是否达标"]),
            title=f"光伏收益用于黄卡户公益岗位工资不低于{float(cfg['pv_share_min']) * 100:g}%")
    result.add_issues(log.frame())




def _csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = csvs.escape_text(out[col].astype(str))  # the rule of every other CSV
    return out


def write(result: RunResult, out_dir: Path | str) -> list[Path]:
    """Write OUT/quotas.csv (UTF-8 with BOM) if ``run`` produced a quota table; return the paths."""
    quotas = result.outputs.get("quotas")
    if quotas is None:
        return []
    path = Path(out_dir) / CSV_NAME
    with atomic_path(path) as tmp:
        _csv_safe(quotas[QUOTA_COLUMNS]).to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return [path]


WORKBOOK_NAME = "公益岗位核查.xlsx"
SHEET_ISSUES = "问题清单"
_SHEET_ORDER = (SHEET_QUOTAS, SHEET_HOLDERS, SHEET_CANDIDATES, SHEET_PV)


def write_workbook(result: RunResult, path: Path | str, issues: pd.DataFrame | None = None) -> Path:
    """The standalone 公益岗位核查.xlsx: this module's sheets (as in 全县汇总.xlsx) and, when
    given, the issues (问题清单, columns issues.ISSUE_COLUMNS). Written atomically."""
    from ..write import sheet as sheet_writer  # noqa: PLC0415 - only the CLI needs the writer
    from ..write import styles

    path = Path(path)
    with atomic_path(path) as tmp:
        wb = styles.new_workbook(tmp, tmpdir=path.parent, created=result.as_of)
        fmts = styles.Formats(wb)
        used: set[str] = set()
        for name in _SHEET_ORDER:
            spec = result.sheets.get(name)
            if spec is None:
                continue
            sheet_writer.write_frame(wb, name, spec.frame, formats=fmts, used_names=used,
                                     row_fill=spec.row_fill, tab_colour=spec.tab_colour, title=spec.title,
                                     freeze_cols=3 if name == SHEET_QUOTAS else 0)
        if issues is not None and len(issues):
            fills = issues["级别"].map(styles.LEVEL_FILLS).fillna("")
            sheet_writer.write_frame(wb, SHEET_ISSUES, issues[iss.ISSUE_COLUMNS].reset_index(drop=True),
                                     formats=fmts, used_names=used, row_fill=fills.reset_index(drop=True),
                                     title=f"共{len(issues)}条")
        wb.close()
    return path
