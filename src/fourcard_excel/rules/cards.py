"""Households frame (contract 2) -> classified households (contract 3), from a rules file.

Everything is evaluated over whole columns: each card's condition, each exclusion and priority
factor is one vectorised expression (see ``expr.py``); reasons are filled per distinct pattern of
applicable fragments (see ``textfmt.py``). Card names, exclusion handling and reasons all come
from the rules file; nothing here knows about 红卡 or 黄卡.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import registry
from .ruleset import Rules, template_parts
from .textfmt import join_names, join_templates, render

# Declared card stages, latest first (the 公示确定 card wins over earlier stages).
STAGES = ("card_final", "card_county", "card_township", "card_review", "card_visit")
RESULT_COLUMNS = ("card", "rule", "reasons", "exclusions", "priority_factors", "priority_score",
                  "review", "review_reason", "declared_card", "declared_stage", "agrees")
NOT_CARDED_RULE = "不纳入：不符合任何一类卡的条件"
DROPPED_RULE = "不纳入：存在排除情形"


def classify(households: pd.DataFrame, rules: Rules, as_of: dt.date | None = None) -> pd.DataFrame:
    """Give every household its card, rule, reasons, exclusions, priority and review flag.

    ``as_of``: assessment date; when given, the head's age is recomputed from ``head_id`` at that
    date (falling back to ``head_age`` where the ID has no valid birth date).
    Returns a new frame with the input's rows, index and columns plus contract-3 columns.
    """
    df = households.copy(deep=False)
    n = len(df)
    if as_of is not None and "head_id" in df.columns:
        df["head_age"] = _fill_head_age(df, as_of)
    ns = rules.namespace(df)
    facts = rules.eval_facts(df, ns)

    blocking = df["blocking_issues"].to_numpy(dtype=object) if "blocking_issues" in df.columns \
        else np.full(n, "", dtype=object)
    blocked = blocking != ""
    cand = np.flatnonzero(blocked)
    blocked[cand[pd.isna(blocking[cand])]] = False

    excl = rules.enabled_exclusions
    excl_pos = {e.id: j for j, e in enumerate(excl)}
    excl_bits = np.zeros(n, dtype=np.int64)
    for j, e in enumerate(excl):
        excl_bits |= rules.mask(e.condition, ns).astype(np.int64) << j

    card_idx = np.full(n, -1, dtype=np.int64)  # -1: matched no card; -2: dropped by an exclusion
    assigned = blocked.copy()
    review = np.zeros(n, dtype=bool)
    shown_bits = np.zeros(n, dtype=np.int64)  # exclusions that forbade a card the household met
    excluded_from = np.full(n, -1, dtype=np.int64)  # first card an exclusion took away
    for i, card in enumerate(rules.cards):
        cond = rules.mask(card.condition, ns) & ~assigned
        take = cond
        card_mask = sum(1 << excl_pos[x] for x in card.excludable if x in excl_pos)
        if card_mask:
            hits = excl_bits & card_mask
            hit = cond & (hits != 0)
            if card.on_exclusion == "keep":
                keep = hit
            elif card.keep_if_excluded:
                keep = hit & rules.mask(card.keep_if_excluded, ns)
            else:
                keep = np.zeros(n, dtype=bool)
            drop = hit & ~keep
            shown_bits = np.where(hit, shown_bits | hits, shown_bits)
            review |= keep
            excluded_from[drop & (excluded_from < 0)] = i
            if card.on_exclusion == "drop":
                card_idx[drop] = -2
                assigned |= drop
            take = cond & ~drop
        card_idx[take] = i
        assigned |= take

    names = np.array([c.name for c in rules.cards] + [registry.NOT_CARDED] * 2, dtype=object)
    labels = np.array([c.label for c in rules.cards] + [DROPPED_RULE, NOT_CARDED_RULE], dtype=object)
    card = names[card_idx].copy()  # -1/-2 index the two trailing entries
    rule = labels[card_idx].copy()
    card[blocked] = registry.UNDETERMINED
    rule[(card_idx == -1) & (excluded_from >= 0)] = DROPPED_RULE
    rule[blocked] = ""
    ok = ~blocked

    shown_bits[blocked] = 0
    excl_text = join_names(shown_bits, [e.name for e in excl])
    ns.set("exclusions", excl_text)
    exclusions = excl_text.values()

    reasons = np.full(n, "", dtype=object)
    for i, c in enumerate(rules.cards):
        _fill_reasons(reasons, np.flatnonzero(ok & (card_idx == i)), c.reasons, rules, ns, excluded_from)
    _fill_reasons(reasons, np.flatnonzero(ok & (card_idx < 0)), rules.not_carded_reasons, rules, ns,
                  excluded_from)
    if blocked.any():
        reasons[blocked] = "存在错误，无法判定卡别：" + blocking[blocked].astype(str)

    factors, score = _priority(card_idx, ok, rules, ns, n)
    review &= ok
    review_reason = np.full(n, "", dtype=object)
    for i, c in enumerate(rules.cards):
        rows = np.flatnonzero(review & (card_idx == i))
        if len(rows):
            text = c.review_reason or "存在排除情形（{exclusions}），请人工复核"
            review_reason[rows] = render(template_parts(text), ns, rows)

    declared, stage = declared_cards(df)
    has_decl = (declared != "") & ok
    agrees = pd.array(np.where(has_decl, card == declared, False), dtype="boolean")
    agrees[~has_decl] = pd.NA

    columns = {name: pd.Series(v, index=df.index, dtype=bool, copy=False) for name, v in facts.items()}
    text = {"card": card, "rule": rule, "reasons": reasons, "exclusions": exclusions,
            "priority_factors": factors}
    columns.update({k: pd.Series(v, index=df.index, dtype="str") for k, v in text.items()})
    columns["priority_score"] = pd.Series(score, index=df.index, dtype="int64", copy=False)
    columns["review"] = pd.Series(review, index=df.index, dtype=bool, copy=False)
    columns["review_reason"] = pd.Series(review_reason, index=df.index, dtype="str")
    columns["declared_card"] = pd.Series(declared, index=df.index, dtype="str")
    columns["declared_stage"] = pd.Series(stage, index=df.index, dtype="str")
    columns["agrees"] = pd.Series(agrees, index=df.index)
    merged = {c: df[c] for c in df.columns}
    merged.update(columns)
    return pd.DataFrame(merged, index=df.index, copy=False)


def _fill_reasons(out: np.ndarray, rows: np.ndarray, reasons, rules: Rules, ns,
                  excluded_from: np.ndarray) -> None:
    """Reasons of one card for its rows, plus "符合黄卡条件，但存在排除情形（…），不得评定为黄卡"
    where an exclusion moved a household past an earlier card."""
    if len(rows) == 0:
        return
    masks = [rules.mask(r.when, ns)[rows] if r.when else np.ones(len(rows), dtype=bool)
             for r in reasons]
    texts = [r.text for r in reasons]
    moved = excluded_from[rows]
    for j in np.unique(moved[moved >= 0]):
        name = rules.cards[int(j)].name
        masks.append(moved == j)
        texts.append(f"符合{name}条件，但存在排除情形（{{exclusions}}），不得评定为{name}")
    join_templates(out, rows, masks, texts, ns)


def _priority(card_idx: np.ndarray, ok: np.ndarray, rules: Rules, ns, n: int):
    factors = np.full(n, "", dtype=object)
    score = np.zeros(n, dtype=np.int64)
    eligible = np.zeros(n, dtype=bool)
    for i, c in enumerate(rules.cards):
        if c.priority:
            eligible |= card_idx == i
    eligible &= ok
    active = [f for f in rules.priority if f.enabled]
    if not eligible.any() or not active:
        return factors, score
    bits = np.zeros(n, dtype=np.int64)
    for j, f in enumerate(active):
        m = rules.mask(f.condition, ns) & eligible
        bits |= m.astype(np.int64) << j
        score += m * f.score
    return join_names(bits, [f.name for f in active]).values(), score


def declared_cards(df: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Latest non-empty declared card and its stage's Chinese label, per household."""
    n = len(df)
    declared = np.full(n, "", dtype=object)
    stage = np.full(n, "", dtype=object)
    open_ = np.ones(n, dtype=bool)  # rows still without a declared card
    for key in STAGES:  # latest first
        if key not in df.columns:
            continue
        values = df[key].to_numpy(dtype=object)
        hit = open_ & (values != "")
        rows = np.flatnonzero(hit)
        rows = rows[~pd.isna(values[rows])]  # NA cells (only looked at where not "")
        if len(rows) == 0:
            continue
        declared[rows] = values[rows]  # canonical card names (contract 1): no cleaning needed
        stage[rows] = registry.label(key)
        open_[rows] = False
    return declared, stage


def _fill_head_age(df: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """``head_age`` as given (build_households computed it at ``as_of``); where it is missing,
    the head's full years at ``as_of`` from ``head_id``."""
    age = pd.to_numeric(df["head_age"], errors="coerce").astype("Int64") if "head_age" in df.columns \
        else pd.Series(pd.NA, index=df.index, dtype="Int64")
    missing = age.isna().to_numpy()
    if missing.any():
        age = age.copy()
        age[missing] = age_from_ids(df["head_id"][missing], as_of).to_numpy()
    return age


def age_from_ids(ids: pd.Series, as_of: dt.date, fallback: pd.Series | None = None) -> pd.Series:
    """Full years at ``as_of`` from 18-character IDs (digits 7-14 = yyyymmdd), vectorised.

    Rows whose ID has no valid birth date keep ``fallback`` (NA if none). Returns Int64.
    """
    s = ids.fillna("").astype(str).to_numpy(dtype=object)
    arr = np.asarray(s, dtype="U19").view(np.uint32).reshape(len(s), 19) if len(s) else \
        np.zeros((0, 19), dtype=np.uint32)
    d = arr[:, 6:14].astype(np.int64) - ord("0")
    valid = (arr[:, 17] != 0) & (arr[:, 18] == 0) & ((d >= 0) & (d <= 9)).all(axis=1)
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month = d[:, 4] * 10 + d[:, 5]
    day = d[:, 6] * 10 + d[:, 7]
    valid &= (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31) & (year >= 1900)
    ts = pd.Timestamp(as_of)
    age = ts.year - year - ((month * 100 + day) > (ts.month * 100 + ts.day))
    out = pd.Series(pd.array(np.where(valid, age, 0), dtype="Int64"), index=ids.index)
    out[~valid] = pd.NA
    if fallback is not None:
        fb = pd.to_numeric(fallback, errors="coerce").astype("Int64")
        out = out.where(out.notna(), fb)
    return out


def classification_issues(classified: pd.DataFrame) -> pd.DataFrame:
    """Issue rows from a classified frame: C001 computed card ≠ latest declared card (提示, to send
    back with the reasons), C002 households flagged for manual review (警告)."""
    from ..issues import IssueLog, at, located

    log = IssueLog()
    if not len(classified):
        return log.frame()
    disagree = classified["agrees"].astype("boolean").eq(False).fillna(False).to_numpy(dtype=bool)
    if disagree.any():
        d = classified.loc[disagree, ["card", "declared_stage", "declared_card", "reasons"]]
        msg = ("计算卡别为" + d["card"].astype(str) + "，" + d["declared_stage"].astype(str)
               + "为" + d["declared_card"].astype(str) + "；依据：" + d["reasons"].astype(str)
               + "。请核实后在差异核对表中说明")
        log.add_frame("C001", located(classified, disagree, at(disagree, d["declared_stage"]),
                                      at(disagree, d["declared_card"]), at(disagree, msg)))
    review = classified["review"].astype(bool).to_numpy()
    if review.any():
        msg = "需人工复核：" + classified["review_reason"][review].astype(str)
        log.add_frame("C002", located(classified, review, "卡别", classified["card"], at(review, msg)))
    return log.frame()
