"""What the rules read and a roster does not give: one warning per file, and unrecognised headers
that look like a column the rules read.

A column the rules read is never dropped without a word: when a file lacks it (a national export
has no exclusion columns, no 教育支出, no declared cards) the household is classified without it and
the file gets one 警告 (F015) naming what could not be checked and how to supply it. An unknown
header close to such a column ("家庭有小汽车", "教育开支") gets a 警告 (F014) naming the field it
probably is. Similarity is computed once per distinct header text (lru_cache).
"""

from __future__ import annotations

import difflib
from functools import lru_cache

from ..issues import IssueLog
from ..registry import (
    BY_KEY,
    COLUMNS,
    HOUSEHOLD_COUNT_KEYS,
    MEMBER,
    QUALIFIES,
    SUPPLIED_BY,
    normalize_header,
    present,
    required_keys,
)
from .read import RawTable

CLOSE = 0.7  # similarity at or above which an unknown header is "probably" a known field
STAGE_KEYS = ("card_visit", "card_review", "card_township", "card_county", "card_final")
HEAD_KEYS = ("name", "id_number", "age")  # person columns a household-level roster has (the head's)
# keys never reported missing: identity/grouping (household_id is optional: the head's ID serves)
NOT_REPORTED = ("township", "village", "group", "household_id", "name", "id_number", "relation")
# columns that only stand in for a canonical one (户类型 for 户类别 …): the canonical one is reported
SUPPLIERS = frozenset(k for keys in SUPPLIED_BY.values() for k in keys) | frozenset(QUALIFIES)


@lru_cache(maxsize=1 << 14)
def similarity(header: str, key: str) -> float:
    """How close a normalised header text is to any name of field ``key`` (0..1): the best of
    difflib's ratio and the character-set Jaccard index (word order differs in Chinese headers)."""
    chars = set(header)
    best = 0.0
    for name in BY_KEY[key].all_names:
        other = normalize_header(name)
        common = chars & set(other)
        if not common:
            continue
        best = max(best, len(common) / len(chars | set(other)))
        matcher = difflib.SequenceMatcher(None, header, other)
        if matcher.quick_ratio() > best:  # an upper bound: skip the real ratio when it cannot win
            best = max(best, matcher.ratio())
    return best


def probable_field(header: str, candidates: set[str]) -> str | None:
    """The candidate key an unknown header most probably means, or None."""
    norm = normalize_header(header)
    scored = [(similarity(norm, k), k) for k in sorted(candidates)]
    score, key = max(scored, default=(0.0, None))
    return key if score >= CLOSE else None


def _applies(key: str, level: str) -> bool:
    if level == "household":
        return BY_KEY[key].level != MEMBER or key in HEAD_KEYS
    # a member-level roster counts its member rows (家庭人口 is only compared)
    return key not in HOUSEHOLD_COUNT_KEYS and key != "size_declared"


def report_columns(tables: list[RawTable], read_keys, supplied: dict[str, set[str]], log: IssueLog) -> None:
    """F014 per unknown header that looks like an unmapped rules-read column; F015 once per file."""
    if read_keys is None:
        return
    rosters = [t for t in tables if t.kind == "roster" and t.rows]  # typed and released by now
    missing_by_file: dict[str, list[str]] = {}
    for t in rosters:
        keys = set(t.headers)
        candidates = {k for k in read_keys
                      if _applies(k, t.level) and k not in SUPPLIERS and not present(k, keys)}
        for text in t.unknown:
            key = probable_field(text, candidates)
            if key:
                log.add("F014", f"列“{text}”未识别，可能是“{BY_KEY[key].label}”；如是，请把列名改为“{BY_KEY[key].label}”"
                                f"（否则此列不参与判定）", file=t.file, sheet=t.sheet, row=t.header_row, column=text)
        required = set(required_keys(t.level))
        lacking = [k for k in sorted(candidates, key=_order)
                   if k not in required and k not in NOT_REPORTED and k not in supplied.get(t.file, set())]
        if any(k in keys for k in STAGE_KEYS):
            lacking = [k for k in lacking if k not in STAGE_KEYS]
        seen = missing_by_file.setdefault(t.file, [])
        seen += [k for k in lacking if k not in seen]
    for file, lacking in missing_by_file.items():
        # a file with several sheets: missing only if no sheet has it
        lacking = [k for k in lacking if all(not present(k, set(t.headers)) for t in rosters if t.file == file)]
        if not lacking:
            continue
        names = _names(lacking)
        first = next(t for t in rosters if t.file == file)
        sheet, row = first.sheet, first.header_row  # the (first) header row the columns are missing from
        log.add("F015", f"本文件没有规则要用的列：{names}。相关排除情形和判定因素未能核查，已按“否”或0处理；"
                        "请在花名册中补上这些列，或在同一文件夹放一张补充信息表（乡镇、户编号或户主证件号码，"
                        "再加这些列）", file=file, sheet=sheet, row=row,
                column="、".join(BY_KEY[k].label for k in lacking))


_POSITION = {c.key: i for i, c in enumerate(COLUMNS)}


def _order(key: str) -> int:
    return _POSITION.get(key, 999)


def _names(keys: list[str]) -> str:
    stages = [k for k in keys if k in STAGE_KEYS]
    out = [f"“{BY_KEY[k].label}”" for k in keys if k not in STAGE_KEYS]
    if stages:
        out.append("申报卡别（" + "/".join(BY_KEY[k].label for k in stages) + "，用于核对申报卡别）")
    return "、".join(out)
