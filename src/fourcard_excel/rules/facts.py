"""Members frame (contract 1) -> households frame (contract 2): household facts, vectorised.

Member-level rows are aggregated per ``hh_key`` with factorised keys and ``np.bincount`` (no
``groupby.apply``); household-level rows take the declared ``n_*`` counts. Which labour, health,
schooling and disability values count comes from the rules file's [sets]; facts that depend on
thresholds (registered, the risks, return risk) are the rules file's [facts] expressions.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from .. import registry
from ..ingest import ids
from .expr import MULTI_SEP, Text
from .ruleset import HOUSEHOLD_COLUMNS, RULE_FACTS, TEXT, Rules, names_in, template_fields

# household column -> members column taken from the household's representative (户主) row
_FROM_HEAD = {
    "hh_key": "hh_key", "township": "township", "village": "village", "group": "group",
    "household_id": "household_id", "head_name": "name", "head_id": "id_number",
    "category": "category", "poverty_status": "poverty_status", "monitored": "monitored",
    "size_declared": "size_declared", "wage_income": "wage_income",
    "business_income": "business_income", "property_income": "property_income",
    "transfer_income": "transfer_income", "business_cost": "business_cost",
    "education_cost": "education_cost", "income_total_declared": "income_total_declared",
    "per_capita_declared": "per_capita_declared", "risk_types": "risk_types",
    "has_car": "has_car", "luxury_house": "luxury_house", "parents_separate": "parents_separate",
    "main_cause": "main_cause", "policies_enjoyed": "policies_enjoyed",
    "policies_eligible": "policies_eligible", "card_visit": "card_visit",
    "card_review": "card_review", "card_township": "card_township", "card_county": "card_county",
    "card_final": "card_final", "source_file": "source_file", "source_sheet": "source_sheet",
    "source_row": "source_row",
}
_INCOMES = ("wage_income", "business_income", "property_income", "transfer_income")
_LABOUR = ("labour", "n_labour_able", "n_labour_weak")
_ILL = ("health", "n_serious_ill", "n_disabled", "n_severe_disabled")
# Which roster columns (registry keys) each household column of contract 2 is built from, as the
# code below builds it: the copies of _FROM_HEAD, then the counts and sums. Facts defined in the
# rules file's [facts] are expanded through their expressions (``read_columns``).
FACT_SOURCES: dict[str, tuple[str, ...]] = {
    **{col: (src,) for col, src in _FROM_HEAD.items() if src in registry.BY_KEY},
    "head_age": ("id_number", "age"), "head_sex": ("id_number", "sex"),
    "members": ("relation", "size_declared"), "size": ("relation", "size_declared"),
    "total_income": _INCOMES, "net_income": (*_INCOMES, "business_cost"),
    "per_capita": (*_INCOMES, "business_cost", "relation", "size_declared"),
    "economic_income": _INCOMES[:3],
    "labour_able": ("labour", "n_labour_able"), "labour_weak": ("labour", "n_labour_weak"),
    "no_labour_household": _LABOUR,
    "n_serious_ill": ("health", "n_serious_ill"), "n_disabled": ("health", "n_disabled"),
    "n_severe_disabled": ("health", "disability_grade", "n_severe_disabled"),
    "ill_or_disabled": _ILL, "severe_disabled": ("health", "disability_grade", "n_severe_disabled"),
    "n_chronic": ("health", "n_chronic"), "chronic": ("health", "n_chronic"),
    "n_students": ("schooling", "n_students"), "fulltime_student": ("schooling", "n_students"),
}
# Columns the program itself reads whatever the rules say: identity, grouping and declared cards.
STRUCTURAL = ("township", "village", "household_id", "name", "id_number", "relation",
              "card_visit", "card_review", "card_township", "card_county", "card_final")


def rule_names(rules: Rules) -> set[str]:
    """Every name the rules file's expressions and reason templates use."""
    sources = [*rules.facts.values(), *(f.condition for f in rules.exclusions if f.enabled),
               *(f.condition for f in rules.priority)]
    templates = []
    for card in rules.cards:
        sources += [card.condition, card.keep_if_excluded]
        templates.append(card.review_reason)
        for r in card.reasons:
            sources.append(r.when)
            templates.append(r.text)
    for r in rules.not_carded_reasons:
        sources.append(r.when)
        templates.append(r.text)
    names: set[str] = set()
    for src in sources:
        if src:
            names |= names_in(src)
    for text in templates:
        if text:
            names |= set(template_fields(text))
    return names


def read_columns(rules: Rules) -> frozenset[str]:
    """Registry keys of the roster columns the rules read (derived from the rules file), plus the
    structural columns and the national-export columns that supply them (registry.SUPPLIED_BY)."""
    todo = list(rule_names(rules))
    seen: set[str] = set()
    keys: set[str] = set(STRUCTURAL)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in rules.facts:  # a [facts] expression: follow its names
            todo += sorted(names_in(rules.facts[name]))
        keys.update(FACT_SOURCES.get(name, ()))
    for key in list(keys):
        keys.update(registry.SUPPLIED_BY.get(key, ()))
    keys.update(k for k, qualified in registry.QUALIFIES.items() if keys.intersection(qualified))
    return frozenset(k for k in keys if k in registry.BY_KEY)


_MONEY = ("wage_income", "business_income", "property_income", "transfer_income", "business_cost",
          "education_cost", "income_total_declared", "per_capita_declared")
_DECLARED = ("income_total_declared", "per_capita_declared")
_BOOLS = ("monitored", "has_car", "luxury_house", "parents_separate")
SORT_KEYS = ["township", "village", "household_id", "hh_key"]


def value_flags(values: pd.Series | np.ndarray | Text, wanted: tuple[str, ...] | set[str]) -> np.ndarray:
    """Bool array: the (possibly "、"-joined multi-value) text holds any of ``wanted``.

    Works on the unique values only (factorised), so it is fast on millions of rows; pass a
    ``Text`` to reuse one factorisation for several sets.
    """
    text = values if isinstance(values, Text) else Text(raw=np.asarray(values, dtype=object))
    want = set(wanted)
    flags = np.fromiter((bool(want.intersection(str(u).split(MULTI_SEP))) for u in text.uniques),
                        dtype=bool, count=len(text.uniques))
    return text.mask(flags)


def _text_values(s: pd.Series) -> np.ndarray:
    """Object array of str. Contract 1 text columns hold "" for blanks, so a pandas ``str``
    column is taken as is; other dtypes (object, numbers) are cleaned: missing -> ""."""
    values = s.to_numpy(dtype=object)
    if isinstance(s.dtype, pd.StringDtype) or not len(values):
        return values
    values = values.copy()
    values[pd.isna(values)] = ""
    return np.array([v if isinstance(v, str) else str(v) for v in values], dtype=object)


def sort_order(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Stable ascending order by several text columns: each column is factorised, its distinct
    values ranked with numpy's C string sort, then ``np.lexsort`` runs on the integer ranks."""
    ranks = []
    for key in reversed(keys):  # lexsort: last key is primary
        codes, uniques = pd.factorize(frame[key].to_numpy(dtype=object), use_na_sentinel=False)
        text = np.asarray(uniques, dtype=object).astype(str)
        rank = np.empty(len(text), dtype=np.int64)
        rank[np.argsort(text, kind="stable")] = np.arange(len(text))
        ranks.append(rank[np.asarray(codes)])
    return np.lexsort(ranks)


def _col(m: pd.DataFrame, key: str, default: object) -> pd.Series:
    if key in m.columns:
        return m[key]
    return pd.Series(default, index=m.index)


def build_households(members: pd.DataFrame, rules: Rules, as_of: dt.date | None = None) -> pd.DataFrame:
    """One row per ``hh_key`` with the household facts of contract 2 (docs/ARCHITECTURE.md)."""
    if len(members) == 0:
        return _empty()
    n = len(members)
    codes, _keys = pd.factorize(members["hh_key"].astype(str), sort=False)
    codes = np.asarray(codes)
    k = int(codes.max()) + 1
    pos = np.arange(n)
    is_head = _col(members, "is_head", False).to_numpy(dtype=bool)
    first_any = np.full(k, n, dtype=np.int64)
    np.minimum.at(first_any, codes, pos)
    first_head = np.full(k, n, dtype=np.int64)
    np.minimum.at(first_head, codes[is_head], pos[is_head])
    rep = np.where(first_head < n, first_head, first_any)

    head = members.iloc[rep].reset_index(drop=True)
    out: dict[str, object] = {}
    for col, src in _FROM_HEAD.items():
        kind = HOUSEHOLD_COLUMNS[col]
        if kind == TEXT:
            out[col] = _text_values(_col(head, src, ""))
        elif col in _DECLARED:  # as declared: NaN when the roster left it blank (nothing to compare)
            out[col] = pd.to_numeric(_col(head, src, np.nan), errors="coerce").to_numpy(float)
        elif col in _MONEY:
            out[col] = pd.to_numeric(_col(head, src, 0.0), errors="coerce").fillna(0.0).to_numpy(float)
        elif col in _BOOLS:
            out[col] = _col(head, src, False).fillna(False).to_numpy(dtype=bool)
        else:  # Int64
            out[col] = pd.to_numeric(_col(head, src, pd.NA), errors="coerce").astype("Int64").to_numpy()
    out["head_sex"] = _head_sex(head)
    out["head_age"] = _head_age(head, as_of)

    # --- member counts (member-level) or declared counts (household-level)
    sets = rules.sets
    member_row = (_col(members, "roster_level", "member").astype(str) != "household").to_numpy()
    hh_level = ~member_row[rep]
    labour = Text.from_series(_col(members, "labour", ""))
    health = Text.from_series(_col(members, "health", ""))
    disabled = value_flags(health, sets["health_disabled"])
    flags = {
        "labour_able": value_flags(labour, sets["able_labour"]),
        "labour_weak": value_flags(labour, sets["weak_labour"]),
        "n_serious_ill": value_flags(health, sets["health_serious_ill"]),
        "n_disabled": disabled,
        "n_severe_disabled": disabled & value_flags(_col(members, "disability_grade", ""),
                                                    sets["severe_disability_grades"]),
        "n_chronic": value_flags(health, sets["health_chronic"]),
        "n_students": value_flags(_col(members, "schooling", ""), sets["fulltime_schooling"]),
    }
    declared_key = {"labour_able": "n_labour_able", "labour_weak": "n_labour_weak"}
    for name, flag in flags.items():
        counted = np.bincount(codes, weights=(flag & member_row), minlength=k).astype(np.int64)
        declared = pd.to_numeric(_col(head, declared_key.get(name, name), 0), errors="coerce")
        declared = declared.fillna(0).clip(lower=0).to_numpy(dtype=np.int64)
        out[name] = np.where(hh_level, declared, counted)

    n_rows = np.bincount(codes, weights=member_row, minlength=k).astype(np.int64)
    size_decl = pd.Series(out["size_declared"], dtype="Int64")
    decl = size_decl.fillna(0).to_numpy(dtype=np.int64)
    out["members"] = np.where(hh_level, np.maximum(decl, 1), n_rows)
    out["size"] = np.maximum(out["members"], 1)

    # --- money
    total = out["wage_income"] + out["business_income"] + out["property_income"] + out["transfer_income"]
    out["total_income"] = total
    out["net_income"] = total - out["business_cost"]
    out["per_capita"] = out["net_income"] / out["size"]
    out["economic_income"] = out["wage_income"] + out["business_income"] + out["property_income"]

    # --- derived bools
    out["no_labour_household"] = (out["labour_able"] + out["labour_weak"]) == 0
    out["ill_or_disabled"] = (out["n_serious_ill"] + out["n_disabled"] + out["n_severe_disabled"]) > 0
    out["severe_disabled"] = out["n_severe_disabled"] > 0
    out["chronic"] = out["n_chronic"] > 0
    out["fulltime_student"] = out["n_students"] > 0
    out["blocking_issues"] = np.full(k, "", dtype=object)
    for name in RULE_FACTS:
        out[name] = np.zeros(k, dtype=bool)

    # sorted as the columns are made (one column at a time), not by a copy of the whole frame
    order = sort_order(pd.DataFrame({key: np.asarray(out[key], dtype=object) for key in SORT_KEYS}), SORT_KEYS)
    frame = _to_frame(out, k, order)
    facts = rules.eval_facts(frame)  # row by row: the same values in any row order
    for name, value in facts.items():
        frame[name] = value
    return frame


def _head_sex(head: pd.DataFrame) -> np.ndarray:
    calc = _col(head, "sex_calc", "").fillna("").astype(str)
    given = _col(head, "sex", "").fillna("").astype(str)
    return calc.where(calc != "", given).to_numpy()


def _head_age(head: pd.DataFrame, as_of: dt.date | None) -> np.ndarray:
    """Age of the head in full years: from the ID's birth date at ``as_of``, else as given."""
    age = pd.to_numeric(_col(head, "age_calc", pd.NA), errors="coerce").astype("Int64")
    if as_of is not None and "birth_date" in head.columns:
        recomputed = ids.age_at(head["birth_date"], as_of)
        age = recomputed.where(recomputed.notna(), age)
    given = pd.to_numeric(_col(head, "age", pd.NA), errors="coerce").astype("Int64")
    return age.where(age.notna(), given).to_numpy()


def _to_frame(out: dict[str, object], k: int, order: np.ndarray) -> pd.DataFrame:
    """The household columns, typed, their rows taken in ``order``; each raw column is let go of
    (``out`` emptied) once made."""
    cols = {}
    for name, kind in HOUSEHOLD_COLUMNS.items():
        v = out.pop(name)
        dtype = {TEXT: "str", "Int64": "Int64", "bool": bool, "int": "int64"}.get(kind, "float64")
        typed = pd.Series(v, dtype=dtype).array
        del v
        cols[name] = pd.Series(typed.take(order), dtype=dtype)
    return pd.DataFrame(cols, index=pd.RangeIndex(k), copy=False)  # the Series are new: no second copy


def _empty() -> pd.DataFrame:
    from .ruleset import sample_households

    return sample_households(0)
