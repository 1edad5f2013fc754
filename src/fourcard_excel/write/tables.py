"""Frames shown in the workbooks: labelled household lists and card pivots (vectorised)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import registry
from ..registry import NOT_CARDED, UNDETERMINED
from .csvs import output_label

TOTAL = "合计"
BLANK = "（未填）"  # pivot row for a blank township/village

# Columns of a card sheet (one row per household), in order; missing keys are skipped.
CARD_SHEET_KEYS = [
    # printed (the print area of a card sheet covers these, so an A4 landscape page stays legible)
    "village", "group", "household_id", "head_name", "head_id", "size", "category", "poverty_status",
    "per_capita", "reasons", "exclusions", "priority_factors", "priority_score", "review_reason",
    "declared_card", "agrees",
    # on screen only: the figures behind the reasons and where the household came from
    "wage_income", "business_income", "property_income", "transfer_income", "business_cost",
    "card", "rule", "review", "source_file", "source_row",
]
CARD_PRINT_COLUMNS = 16
CARD_SHEET_FREEZE = 4  # 行政村, 村民小组, 户编号, 户主姓名 stay visible
UNDETERMINED_KEYS = [
    "village", "group", "household_id", "head_name", "head_id", "size", "category", "poverty_status",
    "blocking_issues", "declared_card", "source_file", "source_sheet", "source_row",
]
DIFF_KEYS = [
    "village", "group", "household_id", "head_name", "head_id", "declared_stage", "declared_card",
    "card", "rule", "reasons", "exclusions", "review_reason", "source_file", "source_row",
]
DIFF_LABELS = {"card": "计算卡别"}
CARD_WIDTHS = {"判定依据": 40, "排除情形": 18, "优先因素": 18, "复核原因": 24, "阻断问题": 50,
               "来源文件": 28, "户主证件号码": 21, "户编号": 18}


def card_order(rules, cards_present: pd.Series | None = None) -> list[str]:
    """The rules file's cards, then any other card name seen, then 不纳入 and 未判定."""
    return ordered_cards(list(rules.card_names), () if cards_present is None else cards_present)


def ordered_cards(card_names: list[str], seen=()) -> list[str]:
    """``card_names`` in their order, then other names found in ``seen`` (sorted; a value is never
    dropped), then 不纳入 and 未判定: one order for a county's books and a city's roll-up."""
    not_cards = (NOT_CARDED, UNDETERMINED)
    seen = {str(c) for c in pd.unique(pd.Series(list(seen), dtype="object")) if str(c)}
    extra = sorted(seen - set(card_names) - set(not_cards))
    return [*card_names, *extra, *not_cards]


def labelled(frame: pd.DataFrame, keys: list[str], rename: dict[str, str] | None = None) -> pd.DataFrame:
    """Columns ``keys`` (those present) with Chinese headers from the registry."""
    out: dict[str, pd.Series] = {}
    for key in keys:
        if key in frame.columns:
            lab = (rename or {}).get(key) or output_label(key, out)
            out[lab] = frame[key]
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def sort_by_priority(frame: pd.DataFrame) -> pd.DataFrame:
    """Highest priority first, otherwise the household order (township, village, 户编号)."""
    if "priority_score" not in frame.columns or frame.empty:
        return frame
    score = pd.to_numeric(frame["priority_score"], errors="coerce").fillna(0)
    return frame.iloc[(-score).argsort(kind="stable")]


def card_pivot(households: pd.DataFrame, by: str, order: list[str], *, weights: str | None = None,
               by_label: str | None = None, total_label: str = TOTAL) -> pd.DataFrame:
    """``by`` × card counts (households, or the sum of ``weights`` e.g. persons), 合计 column/row."""
    label = by_label or registry.label(by)
    if households.empty:
        table = pd.DataFrame(0, index=pd.Index([], name=label), columns=order, dtype="int64")
    else:
        # a crosstab by counting codes (pd.crosstab's groupby/pivot is ~5x slower on small frames)
        index = households[by].astype("str")
        index = index.where(index != "", BLANK)
        rows, row_names = pd.factorize(index, sort=True)  # NA → -1: left out, as crosstab does
        cols, card_names = pd.factorize(households["card"].astype("str"), sort=True)
        keep = (rows >= 0) & (cols >= 0)
        cell = rows[keep] * len(card_names) + cols[keep]
        sums = np.zeros(len(row_names) * len(card_names), dtype="int64")
        if weights:  # int64 sums (exact), as crosstab's
            np.add.at(sums, cell, households[weights].astype("int64").to_numpy()[keep])
        else:
            sums += np.bincount(cell, minlength=len(sums))
        table = pd.DataFrame(sums.reshape(len(row_names), len(card_names)),
                             index=pd.Index(row_names, name=label), columns=list(card_names))
        used = np.zeros(len(row_names), dtype=bool)
        used[rows[keep]] = True
        table = table[used].reindex(columns=order, fill_value=0)
    table = table.sort_index()
    table[total_label] = table.sum(axis=1)
    total_row = table.sum(axis=0).to_frame().T
    total_row.index = [total_label]
    table = pd.concat([table, total_row])
    table.index.name = label
    out = table.reset_index()
    out.columns = [label, *table.columns]
    return out.astype({c: "int64" for c in table.columns})


def share_table(counts: pd.DataFrame, cards: list[str], total_col: str = TOTAL) -> pd.DataFrame:
    """Each card's share of the row's households (0..1, shown as percentages)."""
    first = counts.columns[0]
    out = pd.DataFrame({first: counts[first]})
    denom = counts[total_col].where(counts[total_col] > 0)
    for card in cards:
        out[f"{card}占比"] = (counts[card] / denom).fillna(0.0)
    return out
