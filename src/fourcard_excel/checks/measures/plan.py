"""一户一策 (五(一)): per household, what its card and facts entitle it to, what the ledger (and a
national export's 低保/特困供养 columns) shows it received, what is missing.

Measures are bits of an int64 mask (bit i = registry.MEASURES[i]), so entitlement, receipt and
"missing" are numpy bit operations over all households at once; text is built once per distinct
mask (rules.textfmt.join_names).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...issues import LOCATION_COLUMNS
from ...registry import BY_KEY, MEASURES, NOT_CARDED, UNDETERMINED
from ...rules.textfmt import join_names
from .config import Entitlement, MeasureConfig
from .ledger import MEASURE_CODE

EVIDENCE = {"dibao_status": "低保", "tekun_status": "特困供养"}  # roster column -> measure it proves
# households.csv column group (registry.DERIVED_LABELS names them 一户一策：…)
HOUSEHOLD_KEYS = ("plan_entitled", "plan_received", "plan_missing")


def bit(measure: str) -> int:
    return 1 << MEASURE_CODE[measure]


def bits_of(measures) -> int:
    out = 0
    for m in measures:
        out |= bit(m)
    return out


@dataclass
class Plan:
    received: np.ndarray  # int64 mask per household (check year + roster evidence)
    entitled: np.ndarray  # required measures
    optional: np.ndarray  # measures the plan lists as support where it fits
    missing: np.ndarray  # required and not received (through ``accepts``)
    masks: dict[Entitlement, np.ndarray]  # required entitlement -> households it applies to
    unmet: dict[Entitlement, np.ndarray]  # required entitlement -> households missing it
    carded: np.ndarray  # bool: household has a card (not 不纳入/未判定)


def received_mask(n: int, hh: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Bitmask per household of the measure codes in (hh, code) pairs (hh -1 / code -1 ignored)."""
    ok = hh >= 0
    out = np.zeros(n, dtype=np.int64)
    for c in np.unique(code[ok & (code >= 0)]):
        out[hh[ok & (code == c)]] |= np.int64(1) << np.int64(c)  # same value per code: duplicates are fine
    return out


def roster_evidence(households: pd.DataFrame, members: pd.DataFrame | None
                    ) -> tuple[np.ndarray, pd.DataFrame]:
    """Bitmask of 低保/特困供养 shown by the roster's 享受低保政策情况/享受特困供养政策情况 columns, and
    the rows whose value could not be read (for a 提示): their location columns (issues.located),
    ``key`` (the column) and ``value``."""
    from ...ingest.normalize import parse_enum

    n = len(households)
    out = np.zeros(n, dtype=np.int64)
    bad_parts = []
    if members is None or not len(members):
        return out, pd.DataFrame()
    pos = pd.Series(np.arange(n), index=households["hh_key"].astype(str).to_numpy())
    pos = pos[~pos.index.duplicated()]
    for key, measure in EVIDENCE.items():
        if key not in members.columns:
            continue
        values = members[key]
        filled = (values.astype(str) != "").to_numpy()
        if not filled.any():
            continue
        sub = members.loc[filled]
        parsed, bad = parse_enum(sub[key], BY_KEY[key])
        yes = (parsed == "是").to_numpy()
        where = pos.reindex(sub["hh_key"].astype(str).to_numpy()).to_numpy()
        ok = yes & ~np.isnan(where)
        out[where[ok].astype(np.int64)] |= bit(measure)
        if bad.any():
            rows = sub.loc[bad.to_numpy()]
            rows = rows.drop_duplicates(["source_file", key]) if "source_file" in rows.columns else rows
            bad_parts.append(rows[[c for c in LOCATION_COLUMNS if c in rows.columns]].assign(key=key, value=rows[key]))
    return out, (pd.concat(bad_parts, ignore_index=True) if bad_parts else pd.DataFrame())


def build_plan(households: pd.DataFrame, rules, cfg: MeasureConfig, received: np.ndarray) -> Plan:
    n = len(households)
    card = households["card"].astype(str).to_numpy()
    carded = (card != NOT_CARDED) & (card != UNDETERMINED) & (card != "")
    ns = rules.namespace(households)
    entitled = np.zeros(n, dtype=np.int64)
    optional = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=np.int64)
    masks, unmet = {}, {}
    for e in cfg.entitlements:
        mask = card == e.card
        if e.when and mask.any():
            mask = mask & rules.mask(e.when, ns)
        if not e.required:
            optional[mask] |= bit(e.measure)
            continue
        entitled[mask] |= bit(e.measure)
        lacks = mask & ((received & bits_of(e.accepts)) == 0)
        missing[lacks] |= bit(e.measure)
        masks[e], unmet[e] = mask, lacks
    optional &= ~entitled
    return Plan(received, entitled, optional, missing, masks, unmet, carded)


def names(mask: np.ndarray) -> np.ndarray:
    return join_names(mask, MEASURES).values()


def plan_frame(households: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """The 一户一策 frame: one row per carded household (outputs["measures_plan"])."""
    h = households.loc[plan.carded]
    sel = plan.carded
    return pd.DataFrame({
        "hh_key": h["hh_key"].to_numpy(), "乡镇": h["township"].to_numpy(), "行政村": h["village"].to_numpy(),
        "户编号": h["household_id"].to_numpy(), "户主姓名": h["head_name"].to_numpy(),
        "户主证件号码": h["head_id"].to_numpy(), "家庭人口": h["size"].to_numpy(),
        "卡别": h["card"].to_numpy(), "应享措施": names(plan.entitled[sel]),
        "可享措施": names(plan.optional[sel]), "已享措施": names(plan.received[sel]),
        "未享措施": names(plan.missing[sel]),
    })


def household_columns(plan: Plan) -> dict[str, np.ndarray]:
    """The 一户一策 column group for households.csv ("" for households without a card)."""
    keep = plan.carded
    return {
        "plan_entitled": np.where(keep, names(plan.entitled), ""),
        "plan_received": names(plan.received),
        "plan_missing": np.where(keep, names(plan.missing), ""),
    }
