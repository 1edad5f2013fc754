"""County spot-check (县级抽查): draw, teams, and checking a returned list.

The plan's appendix (notes 3 and 4): the county re-checks 30% of the four-card households in
teams of two or more inspectors who sign together.

- ``draw_sample``: stratify by township × card, draw ``ceil(rate × N)`` per stratum. The order
  inside a stratum comes from a seeded hash of ``hh_key``, so the draw depends only on the seed
  and the data, never on file names, file order or row order. Households whose computed card
  disagrees with the declared one can be forced in first; they count toward the stratum's n.
- ``assign_teams``: inspectors → teams of at least ``team_size``; whole townships go to the
  least-loaded team without a member from that township; a township larger than a fair share is
  split by village.
- ``check_returned``: a returned, filled-in list → coverage per stratum, rows without two
  signatures, rows not checked, rows whose checked card differs from the computed card.

``run``/``write`` follow contract 6 (docs/ARCHITECTURE.md). Workbook layout lives in
``spotcheck_book.py``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import secrets
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .. import registry
from ..issues import IssueLog
from ..result import RunResult, SheetSpec
from ..rules.ruleset import default_section

NAME = "spotcheck"
SHEET_NAME = "县级抽查"
WORKBOOK_NAME = "县级抽查名单.xlsx"
CSV_NAME = "spotcheck.csv"
CHECK_WORKBOOK_NAME = "抽查核验结果.xlsx"

_DEFAULTS = default_section("spotcheck")  # the plan's figures, from the packaged rules file
DEFAULT_RATE = float(_DEFAULTS["rate"])
DEFAULT_MIN_RATE = float(_DEFAULTS["min_rate"])
DEFAULT_TEAM_SIZE = int(_DEFAULTS["team_size"])
SEED_LIMIT = 10**6  # a picked seed has at most six digits: easy to read out and retype

CSV_COLUMNS = ["乡镇", "行政村", "户编号", "户主姓名", "户主证件号码", "卡别", "抽查组", "抽查人"]
INSPECTOR_COLUMNS = ["姓名", "单位", "所在乡镇"]
_INSPECTOR_ALIASES = {
    "姓名": "姓名", "抽查人": "姓名", "抽查人员": "姓名", "人员姓名": "姓名",
    "单位": "单位", "工作单位": "单位", "所在单位": "单位", "单位名称": "单位",
    "所在乡镇": "所在乡镇", "乡镇": "所在乡镇", "所属乡镇": "所在乡镇", "户籍乡镇": "所在乡镇",
    "工作乡镇": "所在乡镇",
}

FORCED_LABEL = "强制（申报卡别不一致）"
RANDOM_LABEL = "随机"


class SpotCheckError(ValueError):
    """A spot-check input or option that cannot be used; the message is Chinese."""


# --------------------------------------------------------------------------------------------
# options from the rules file


def spotcheck_config(rules: object) -> dict:
    """The [spotcheck] section (rate, min_rate, team_size) from a Rules object or a dict."""
    section: dict = {}
    if rules is not None:
        if hasattr(rules, "section"):
            try:
                section = dict(rules.section("spotcheck") or {})
            except (KeyError, LookupError):
                section = {}
        elif isinstance(rules, dict):
            section = dict(rules.get("spotcheck", rules))
        elif isinstance(getattr(rules, "raw", None), dict):
            section = dict(rules.raw.get("spotcheck", {}))
    return {
        "rate": float(section.get("rate", DEFAULT_RATE)),
        "min_rate": float(section.get("min_rate", DEFAULT_MIN_RATE)),
        "team_size": int(section.get("team_size", DEFAULT_TEAM_SIZE)),
    }


def card_names_of(rules: object) -> list[str]:
    """Carded names (rules.card_names), falling back to the four cards of the plan."""
    names = getattr(rules, "card_names", None)
    if names is None and isinstance(rules, dict):
        names = rules.get("card_names")
    return list(names) if names else list(registry.CARDS)


def check_rate(rate: float, min_rate: float) -> float:
    """Validate a sampling rate: above 0, at most 1, never below the rules file's minimum."""
    try:
        rate = float(rate)
    except (TypeError, ValueError):
        raise SpotCheckError(f"抽查比例“{rate}”不是有效数字") from None
    if not (0 < rate <= 1):
        raise SpotCheckError(f"抽查比例须大于0且不超过100%，现为{rate:g}")
    if rate + 1e-12 < min_rate:
        raise SpotCheckError(f"抽查比例{rate:.0%}低于规则文件规定的最低比例{min_rate:.0%}")
    return rate


def pick_seed() -> int:
    return secrets.randbelow(SEED_LIMIT)


def sample_size(n_frame: pd.Series | np.ndarray | int, rate: float):
    """``ceil(rate × N)``, robust to binary fractions (0.3 × 10 is 3, not 4)."""
    raw = np.round(np.asarray(n_frame, dtype=float) * rate, 9)
    out = np.ceil(raw).astype(np.int64)
    return int(out) if np.ndim(out) == 0 else out


# --------------------------------------------------------------------------------------------
# the draw


def seeded_order(keys: pd.Series, seed: int) -> np.ndarray:
    """A pseudo-random uint64 per key from ``blake2b(f"{seed}:{key}")``: row-order independent."""
    prefix = f"{int(seed)}:"
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b((prefix + k).encode("utf-8"), digest_size=8).digest(), "big")
         for k in keys.astype(str)),
        dtype=np.uint64, count=len(keys))


def sampling_frame(households: pd.DataFrame, card_names: list[str]) -> pd.DataFrame:
    """Households that hold one of the cards (not 不纳入 / 未判定)."""
    return households.loc[households["card"].isin(list(card_names))]


def draw_sample(households: pd.DataFrame, card_names: list[str], rate: float, seed: int,
                force_disagree: bool = False) -> pd.DataFrame:
    """Stratified draw: township × card, ``n = ceil(rate × N)`` per stratum.

    Returns the drawn households (input columns kept) plus ``stratum_size`` (N),
    ``stratum_target`` (n), ``forced`` (bool: computed card disagrees with the declared one and
    ``force_disagree``), ``draw_rank`` (1-based order in the stratum), sorted for a field route
    (township, village, household id, hh_key). Forced households come first in their stratum;
    if a stratum has more of them than n, all are taken.
    """
    frame = sampling_frame(households, card_names).copy()
    card_rank = {name: i for i, name in enumerate(card_names)}
    if frame.empty:
        out = frame.copy()
        for col, dtype in (("stratum_size", "int64"), ("stratum_target", "int64"), ("forced", "bool"),
                           ("draw_rank", "int64")):
            out[col] = pd.Series(dtype=dtype)
        return out
    if force_disagree and "agrees" in frame.columns:
        agrees = frame["agrees"].astype("boolean")
        forced = (agrees == False).fillna(False).astype(bool)  # noqa: E712 (NA-aware)
    else:
        forced = pd.Series(False, index=frame.index)
    frame["forced"] = forced.to_numpy()
    frame["_card_rank"] = frame["card"].map(card_rank).astype("int64")
    frame["_hash"] = seeded_order(frame["hh_key"], seed)
    frame["_not_forced"] = ~frame["forced"]
    frame = frame.sort_values(["township", "_card_rank", "_not_forced", "_hash", "hh_key"],
                              kind="stable")
    groups = frame.groupby(["township", "card"], sort=False)
    frame["stratum_size"] = groups["hh_key"].transform("size").astype("int64")
    frame["stratum_target"] = sample_size(frame["stratum_size"].to_numpy(), rate)
    frame["draw_rank"] = groups.cumcount().astype("int64") + 1
    chosen = frame.loc[(frame["draw_rank"] <= frame["stratum_target"]) | frame["forced"]]
    chosen = chosen.drop(columns=["_card_rank", "_hash", "_not_forced"])
    return route_sort(chosen)


def route_sort(sample: pd.DataFrame) -> pd.DataFrame:
    """Township, village, household for a field route."""
    keys = [c for c in ("township", "village", "household_id", "hh_key") if c in sample.columns]
    return sample.sort_values(keys, kind="stable").reset_index(drop=True)


def strata_summary(households: pd.DataFrame, sample: pd.DataFrame, card_names: list[str],
                   rate: float) -> pd.DataFrame:
    """One row per stratum (乡镇 × 卡别) with N, n, drawn, forced and the achieved rate."""
    frame = sampling_frame(households, card_names)
    cols = ["乡镇", "卡别", "四卡户数", "应抽户数", "实抽户数", "其中强制抽取", "抽查比例"]
    if frame.empty:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    n_all = frame.groupby(["township", "card"]).size().rename("四卡户数")
    drawn = sample.groupby(["township", "card"]).size().rename("实抽户数")
    forced = sample.loc[sample["forced"]].groupby(["township", "card"]).size().rename("其中强制抽取")
    out = pd.concat([n_all, drawn, forced], axis=1).fillna(0).astype("int64").reset_index()
    out = out.rename(columns={"township": "乡镇", "card": "卡别"})
    out["应抽户数"] = sample_size(out["四卡户数"].to_numpy(), rate)
    out["抽查比例"] = out["实抽户数"] / out["四卡户数"]
    card_rank = {name: i for i, name in enumerate(card_names)}
    out["_r"] = out["卡别"].map(card_rank)
    out = out.sort_values(["乡镇", "_r"], kind="stable").drop(columns="_r").reset_index(drop=True)
    return out[cols]


# --------------------------------------------------------------------------------------------
# inspectors and teams


def _clean_text(values: pd.Series) -> pd.Series:
    return values.fillna("").astype(str).str.normalize("NFKC").str.strip()


def normalize_inspectors(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns 姓名, 单位, 所在乡镇 (blank = county staff, may go anywhere); blank names dropped."""
    rename = {}
    for col in frame.columns:
        key = registry.normalize_header(col)
        if key in _INSPECTOR_ALIASES and _INSPECTOR_ALIASES[key] not in rename.values():
            rename[col] = _INSPECTOR_ALIASES[key]
    df = frame.rename(columns=rename)
    if "姓名" not in df.columns:
        raise SpotCheckError("抽查人员名单缺少“姓名”列（应有列：姓名、单位、所在乡镇）")
    out = pd.DataFrame({c: _clean_text(df[c]) if c in df.columns else "" for c in INSPECTOR_COLUMNS},
                       index=df.index)
    out = out.loc[out["姓名"] != ""].reset_index(drop=True)
    return out


def read_inspectors(path: Path | str) -> pd.DataFrame:
    """Read the inspectors list (.xlsx/.xls via calamine, .csv UTF-8 or GBK)."""
    path = Path(path)
    if not path.is_file():
        raise SpotCheckError(f"找不到抽查人员名单文件：{path}")
    if path.suffix.lower() == ".csv":
        from ..ingest.read import decode_csv

        text = decode_csv(path.read_bytes())
        if text is None:
            raise SpotCheckError(f"抽查人员名单 {path.name} 的编码无法识别，请另存为 UTF-8 CSV")
        rows = list(csv.reader(io.StringIO(text)))
    else:
        from python_calamine import CalamineError, CalamineWorkbook
        try:
            wb = CalamineWorkbook.from_path(str(path))
            rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except (CalamineError, OSError, ValueError) as exc:
            raise SpotCheckError(f"无法读取抽查人员名单 {path.name}：{exc}") from None
    header_at = None
    for i, row in enumerate(rows[:20]):
        if any(registry.normalize_header(c) in ("姓名", "抽查人", "抽查人员", "人员姓名") for c in row):
            header_at = i
            break
    if header_at is None:
        raise SpotCheckError(f"抽查人员名单 {path.name} 中找不到表头（应有列：姓名、单位、所在乡镇）")
    header = [str(c).strip() for c in rows[header_at]]
    body = [list(r) + [""] * (len(header) - len(r)) for r in rows[header_at + 1:]]
    frame = pd.DataFrame([r[:len(header)] for r in body], columns=header, dtype=object)
    frame = frame.loc[:, [h != "" for h in header]]
    return normalize_inspectors(frame)


def form_teams(inspectors: pd.DataFrame, team_size: int) -> pd.DataFrame:
    """Inspectors → teams of at least ``team_size``.

    Inspectors from the same township are grouped together so that each team is barred from as
    few townships as possible; county staff (blank 所在乡镇) fill the remaining places. Returns one
    row per inspector with ``team_no`` (1-based); empty when there are too few inspectors.
    """
    df = normalize_inspectors(inspectors)
    df = df.drop_duplicates(subset=["姓名", "单位", "所在乡镇"]).reset_index(drop=True)
    k = len(df) // team_size
    if k == 0:
        return df.assign(team_no=pd.Series(dtype="int64"))
    df["_county"] = df["所在乡镇"] == ""
    df = df.sort_values(["_county", "所在乡镇", "单位", "姓名"], kind="stable").reset_index(drop=True)
    pos = np.arange(len(df))
    team = pos // team_size
    extra = pos >= k * team_size  # remainder spread round-robin over the teams
    team[extra] = (pos[extra] - k * team_size) % k
    df["team_no"] = team + 1
    return df.drop(columns="_county")


def team_label(no: int) -> str:
    return f"第{int(no)}组"


def assign_teams(sample: pd.DataFrame, inspectors: pd.DataFrame | None,
                 team_size: int = DEFAULT_TEAM_SIZE) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Assign the drawn households to inspector teams.

    Returns ``(sample_with_team, teams, issues)``: the sample with ``team`` (第N组) and
    ``inspectors`` (names joined by "、"); one row per team (抽查组, 抽查人, 单位, 成员所在乡镇,
    负责乡镇, 户数); an ``IssueLog.frame()`` with S005 (too few inspectors) and S006 (a township
    only reachable by a team with one of its own members).

    Whole townships go, largest first, to the least-loaded team that has no member from that
    township. A township larger than a fair share (total / teams) is split by village (villages
    stay whole) so the load can be balanced.
    """
    log = IssueLog()
    out = sample.copy()
    out["team"] = ""
    out["inspectors"] = ""
    team_cols = ["抽查组", "抽查人", "单位", "成员所在乡镇", "负责乡镇", "户数"]
    empty_teams = pd.DataFrame({c: pd.Series(dtype="object") for c in team_cols})
    if inspectors is None:
        return out, empty_teams, log.frame()
    if team_size < 2:
        raise SpotCheckError(f"每个抽查组至少2人（附表备注4），现设为{team_size}人")
    people = form_teams(inspectors, team_size)
    if people.empty or people["team_no"].isna().all():
        log.add("S005", f"抽查人员共{len(people)}人，不足组成一个{team_size}人抽查组；抽查名单未分组",
                value=len(people))
        return out, empty_teams, log.frame()
    k = int(people["team_no"].max())
    homes = [set(people.loc[(people["team_no"] == t) & (people["所在乡镇"] != ""), "所在乡镇"])
             for t in range(1, k + 1)]

    town = out["township"].astype(str)
    village = out["village"].astype(str) if "village" in out.columns else pd.Series("", index=out.index)
    loads = town.value_counts()
    total = int(loads.sum())
    fair = math.ceil(total / k) if k else total
    # units: (township, village or None, load), largest first
    units: list[tuple[str, str | None, int]] = []
    for t, load in loads.items():
        eligible = sum(t not in h for h in homes)
        by_village = village[town == t].value_counts()
        if load > fair and eligible > 1 and len(by_village) > 1:
            units.extend((t, v, int(n)) for v, n in by_village.items())
        else:
            units.append((t, None, int(load)))
    units.sort(key=lambda u: (-u[2], u[0], u[1] or ""))

    team_load = [0] * k
    team_towns: list[dict[str, bool]] = [{} for _ in range(k)]  # township -> whole?
    assignment: dict[tuple[str, str | None], int] = {}
    conflicts: dict[str, int] = {}
    for t, v, load in units:
        eligible = [i for i in range(k) if t not in homes[i]]
        if not eligible:
            eligible = list(range(k))
            conflicts[t] = conflicts.get(t, 0) + load
        if v is None:
            best = min(eligible, key=lambda i: (team_load[i], i))
        else:  # villages of a split township: stay with a team holding it while under a fair share
            best = min(eligible, key=lambda i: (not (t in team_towns[i] and team_load[i] + load <= fair),
                                                team_load[i], i))
        assignment[(t, v)] = best
        team_load[best] += load
        team_towns[best][t] = team_towns[best].get(t, True) and v is None
    for t, n in conflicts.items():
        log.add("S006", f"{t}的{n}户只能由含本乡镇人员的抽查组检查，无法回避，请增加其他乡镇或县直抽查人员",
                township=t, value=n)

    amap = pd.DataFrame([(t, v if v is not None else "", v is None, i) for (t, v), i in assignment.items()],
                        columns=["t", "v", "whole", "i"])
    whole = amap.loc[amap["whole"]].set_index("t")["i"]
    split = amap.loc[~amap["whole"]].set_index(["t", "v"])["i"]
    team_idx = town.map(whole)
    if len(split):
        by_village = pd.Series(split.reindex(pd.MultiIndex.from_arrays([town, village])).to_numpy(),
                               index=out.index)
        team_idx = team_idx.where(team_idx.notna(), by_village)
    team_idx = team_idx.astype("int64")
    names = people.groupby("team_no")["姓名"].agg("、".join)
    units_ = people.groupby("team_no")["单位"].agg(lambda s: "、".join(dict.fromkeys(x for x in s if x)))
    out["team"] = (team_idx + 1).map(team_label)
    out["inspectors"] = (team_idx + 1).map(names).fillna("")

    rows = []
    for i in range(k):
        towns = []
        for t, whole in sorted(team_towns[i].items()):
            towns.append(t if whole else f"{t}（部分村）")
        rows.append({
            "抽查组": team_label(i + 1),
            "抽查人": names.get(i + 1, ""),
            "单位": units_.get(i + 1, ""),
            "成员所在乡镇": "、".join(sorted(homes[i])) or "县直",
            "负责乡镇": "、".join(towns),
            "户数": int(team_load[i]),
        })
    teams = pd.DataFrame(rows, columns=team_cols)
    return out, teams, log.frame()


def load_spread(teams: pd.DataFrame) -> int | None:
    """Max − min households per team (None without teams)."""
    if teams is None or teams.empty:
        return None
    loads = teams["户数"].astype("int64")
    return int(loads.max() - loads.min())


# --------------------------------------------------------------------------------------------
# contract 6: run / write


def run(result: RunResult, *, seed: int | None = None, rate: float | None = None,
        force_disagree: bool = False, inspectors: pd.DataFrame | Path | str | None = None,
        team_size: int | None = None) -> None:
    """Draw the county spot-check into ``result.outputs["spotcheck"]``.

    ``result.outputs["spotcheck"]`` is a dict: ``sample`` (drawn households, route order, with
    team/inspectors), ``strata`` (乡镇 × 卡别 summary), ``teams`` (one row per team), ``meta``
    (seed, rate, min_rate, team_size, load_spread, force_disagree, card_names). Sets
    ``result.seed`` when it was None, adds the 县级抽查 sheet for 全县汇总.xlsx and S005/S006
    issues. Raises ``SpotCheckError`` for an unusable rate, team size or inspectors file.
    """
    cfg = spotcheck_config(result.rules)
    rate = check_rate(cfg["rate"] if rate is None else rate, cfg["min_rate"])
    team_size = int(cfg["team_size"] if team_size is None else team_size)
    if team_size < 2:
        raise SpotCheckError(f"每个抽查组至少2人（附表备注4），现设为{team_size}人")
    if seed is None:
        seed = result.seed if result.seed is not None else pick_seed()
    seed = int(seed)
    result.seed = seed
    cards = card_names_of(result.rules)
    if isinstance(inspectors, (str, Path)):
        inspectors = read_inspectors(inspectors)

    sample = draw_sample(result.households, cards, rate, seed, force_disagree)
    sample, teams, issues = assign_teams(sample, inspectors, team_size)
    strata = strata_summary(result.households, sample, cards, rate)
    spread = load_spread(teams)
    meta = {
        "seed": seed, "rate": rate, "min_rate": cfg["min_rate"], "team_size": team_size,
        "load_spread": spread, "force_disagree": bool(force_disagree), "card_names": cards,
        "as_of": result.as_of, "teams": not teams.empty,
    }
    result.outputs[NAME] = {"sample": sample, "strata": strata, "teams": teams, "meta": meta}
    result.add_issues(issues)
    result.sheets[SHEET_NAME] = SheetSpec(frame=summary_sheet_frame(strata), title=summary_title(meta))


def summary_title(meta: dict) -> str:
    text = f"县级抽查：随机种子 {meta['seed']}，抽查比例 {meta['rate']:.0%}（按乡镇×卡别分层，每层向上取整）"
    if meta.get("load_spread") is not None:
        text += f"；各组工作量差 {meta['load_spread']} 户"
    return text


def summary_sheet_frame(strata: pd.DataFrame) -> pd.DataFrame:
    """The stratum table with a 合计 row and the rate as text (for 全县汇总.xlsx)."""
    df = strata.copy()
    if len(df):
        total = {"乡镇": "合计", "卡别": ""}
        for col in ("四卡户数", "应抽户数", "实抽户数", "其中强制抽取"):
            total[col] = int(df[col].sum())
        total["抽查比例"] = total["实抽户数"] / total["四卡户数"] if total["四卡户数"] else 0.0
        df = pd.concat([df, pd.DataFrame([total])], ignore_index=True)
    df["抽查比例"] = df["抽查比例"].map(lambda x: f"{x:.1%}")
    return df


def csv_frame(sample: pd.DataFrame) -> pd.DataFrame:
    """spotcheck.csv rows."""
    def col(name: str) -> pd.Series:
        if name in sample.columns:
            return sample[name].fillna("").astype(str)
        return pd.Series("", index=sample.index, dtype="str")
    return pd.DataFrame({
        "乡镇": col("township"), "行政村": col("village"), "户编号": col("household_id"),
        "户主姓名": col("head_name"), "户主证件号码": col("head_id"), "卡别": col("card"),
        "抽查组": col("team"), "抽查人": col("inspectors"),
    })[CSV_COLUMNS]


def _csv_safe(values: pd.Series) -> pd.Series:
    s = values.astype(str)
    return s.where(~s.str.match(r"^[=+\-@\t\r]"), "'" + s)


def write(result: RunResult, out_dir: Path | str) -> list[Path]:
    """Write OUT/县级抽查名单.xlsx and OUT/spotcheck.csv (atomic). Needs ``run`` first."""
    from ..write.atomic import atomic_path
    from . import spotcheck_book

    data = result.outputs.get(NAME)
    if data is None:
        raise SpotCheckError("尚未抽取县级抽查名单（请先运行抽样）")
    out_dir = Path(out_dir)
    book = spotcheck_book.write_sample_book(out_dir / WORKBOOK_NAME, data["sample"], data["strata"],
                                            data["teams"], data["meta"])
    frame = csv_frame(data["sample"]).apply(_csv_safe)
    csv_path = out_dir / CSV_NAME
    with atomic_path(csv_path) as tmp:
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return [book, csv_path]


# --------------------------------------------------------------------------------------------
# checking a returned list


def _norm_card(values: pd.Series, card_names: list[str]) -> pd.Series:
    s = values.fillna("").astype(str).map(lambda x: unicodedata.normalize("NFKC", x)).str.strip()
    s = s.str.replace(r"\s+", "", regex=True)
    short = {name[:-1]: name for name in card_names if name.endswith("卡") and len(name) > 1}
    return s.map(lambda x: short.get(x, x))


def check_returned(path: Path | str) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Check a returned, filled-in 县级抽查名单.

    A row is *checked* when 核查卡别 is filled, and *valid* when also signed by two inspectors.
    Coverage per stratum = valid rows / N (N from the 汇总 sheet); it must reach
    ``ceil(min_rate × N)``. Returns ``(frames, issues)``: frames 覆盖率, 签字不全, 未核查,
    卡别不一致 (and 核查明细, all rows read) and an ``IssueLog.frame()`` with S001–S004.
    """
    from . import spotcheck_book

    book = spotcheck_book.read_sample_book(path)
    meta, strata, rows = book["meta"], book["strata"], book["rows"]
    fname = Path(path).name
    min_rate = float(meta.get("min_rate") or DEFAULT_MIN_RATE)
    card_names = list(dict.fromkeys(strata["卡别"].tolist())) or list(registry.CARDS)
    log = IssueLog()

    rows = rows.copy()
    rows["核查卡别"] = _norm_card(rows["核查卡别"], card_names)
    sig1 = _clean_text(rows["抽查人签字1"])
    sig2 = _clean_text(rows["抽查人签字2"])
    n_sign = (sig1 != "").astype(int) + (sig2 != "").astype(int)
    # the same name twice is one signature
    n_sign = n_sign.where(~((sig1 != "") & (sig1 == sig2)), 1)
    rows["签字人数"] = n_sign
    rows["已核查"] = rows["核查卡别"] != ""
    rows["有效核查"] = rows["已核查"] & (rows["签字人数"] >= 2)
    rows["卡别一致"] = ~rows["已核查"] | (rows["核查卡别"] == rows["卡别"])

    base = rows.assign(文件=fname, 工作表=rows["sheet"], 行号=rows["row"], 乡镇=rows["乡镇"],
                       hh_key=rows["乡镇"] + "|" + rows["户编号"].where(rows["户编号"] != "", rows["证件号码"]))
    who = base["行政村"] + " " + base["户主姓名"] + "（" + base["户编号"].where(base["户编号"] != "",
                                                                        base["证件号码"]) + "）"

    unsigned = base.loc[rows["已核查"] & (rows["签字人数"] < 2)]
    log.add_frame("S002", unsigned.assign(
        列="抽查人签字", 值=unsigned["签字人数"].astype(str) + "人",
        说明=who[unsigned.index] + "：抽查记录签字" + unsigned["签字人数"].astype(str) + "人，须两名抽查人同时签字"))
    unchecked = base.loc[~rows["已核查"]]
    log.add_frame("S003", unchecked.assign(列="核查卡别", 值="",
                                           说明=who[unchecked.index] + "：未填写核查卡别，视为未核查"))
    differ = base.loc[~rows["卡别一致"]]
    log.add_frame("S004", differ.assign(
        列="核查卡别", 值=differ["核查卡别"],
        说明=who[differ.index] + "：核查卡别" + differ["核查卡别"] + "，计算卡别" + differ["卡别"]))

    # coverage per stratum
    got = rows.groupby(["乡镇", "卡别"]).agg(抽取户数=("有效核查", "size"), 已核查户数=("已核查", "sum"),
                                          有效核查户数=("有效核查", "sum")).reset_index()
    cov = strata[["乡镇", "卡别", "四卡户数"]].merge(got, on=["乡镇", "卡别"], how="outer")
    for c in ("四卡户数", "抽取户数", "已核查户数", "有效核查户数"):
        cov[c] = cov[c].fillna(0).astype("int64")
    cov["应核查户数"] = sample_size(cov["四卡户数"].to_numpy(), min_rate)
    with np.errstate(divide="ignore", invalid="ignore"):
        cov["覆盖率"] = np.where(cov["四卡户数"] > 0, cov["有效核查户数"] / cov["四卡户数"].clip(lower=1), 0.0)
    cov["是否达标"] = np.where(cov["有效核查户数"] >= cov["应核查户数"], "达标", "未达标")
    cov = cov[["乡镇", "卡别", "四卡户数", "应核查户数", "抽取户数", "已核查户数", "有效核查户数", "覆盖率", "是否达标"]]
    short = cov.loc[cov["是否达标"] == "未达标"]
    log.add_frame("S001", short.assign(
        文件=fname, 工作表="汇总", 列="有效核查户数", 值=short["有效核查户数"].astype(str),
        说明=short["乡镇"] + short["卡别"] + "：四卡户" + short["四卡户数"].astype(str) + "户，有效核查（已填核查卡别且双人签字）"
        + short["有效核查户数"].astype(str) + "户，覆盖率" + short["覆盖率"].map(lambda x: f"{x:.1%}")
        + "，至少应核查" + short["应核查户数"].astype(str) + "户（" + f"{min_rate:.0%}" + "）"))

    show = ["工作表", "行号", "乡镇", "行政村", "户编号", "户主姓名", "证件号码", "卡别", "核查卡别",
            "核查意见", "抽查人签字1", "抽查人签字2", "日期"]
    detail = rows.rename(columns={"sheet": "工作表", "row": "行号"})
    detail_cols = show + ["签字人数", "已核查", "有效核查", "卡别一致"]
    frames = {
        "覆盖率": cov,
        "签字不全": detail.loc[rows["已核查"] & (rows["签字人数"] < 2), show + ["签字人数"]],
        "未核查": detail.loc[~rows["已核查"], show],
        "卡别不一致": detail.loc[~rows["卡别一致"], show],
        "核查明细": detail[detail_cols],
        "_meta": pd.DataFrame([meta]),
    }
    return frames, log.frame()


def check_failed(issues: pd.DataFrame) -> bool:
    """Coverage shortfall, missing signatures or unchecked rows → the returned list fails."""
    return bool(issues["代码"].isin(["S001", "S002", "S003"]).any()) if len(issues) else False


def write_check(frames: dict[str, pd.DataFrame], issues: pd.DataFrame, out_dir: Path | str) -> Path:
    """Write OUT/抽查核验结果.xlsx."""
    from . import spotcheck_book

    return spotcheck_book.write_check_book(Path(out_dir) / CHECK_WORKBOOK_NAME, frames, issues)
