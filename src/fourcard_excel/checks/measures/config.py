"""The rules file's [measures] section: figures, card sets and the entitlement table, validated.

Problems raise ``RulesError`` with a Chinese message naming the key and its line, like the rest of
the rules file. A rules file without the section (e.g. rules-five-card.toml) gives ``None``: the
measures are then not checked (issue M016), never checked against another scheme's figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...registry import MEASURES, NOT_CARDED
from ...rules.expr import ExprError, compile_expr
from ...rules.ruleset import HOUSEHOLD_COLUMNS, RulesError, sample_households

SECTION = "measures"
NUMBERS = ("dividend_per_person", "dividend_rate_min", "yellow_industry_ratio_min", "repair_max",
           "temp_aid_min", "temp_aid_max")
CARD_LISTS = ("dividend_cards", "repair_cards", "temp_aid_not_for", "courtyard_cards", "industry_cards")
# names an entitlement's ``when`` may use besides the household facts and the rules' constants
EXTRA_NAMES = ("card",)


@dataclass(frozen=True)
class Entitlement:
    card: str
    measure: str
    when: str = ""
    required: bool = False
    accepts: tuple[str, ...] = ()
    check: str = ""
    plan: str = ""
    line: int = 0


@dataclass(frozen=True)
class MeasureConfig:
    dividend_per_person: float
    dividend_rate_min: float
    dividend_cards: tuple[str, ...]
    yellow_industry_ratio_min: float
    industry_cards: tuple[str, ...]  # (the card that must get more, the card compared with)
    new_build: dict[str, float]
    repair_max: float
    repair_cards: tuple[str, ...]
    temp_aid_min: float
    temp_aid_max: float
    temp_aid_not_for: tuple[str, ...]
    courtyard_cards: tuple[str, ...]
    nonpoor_dibao_card: str
    whole_household: tuple[str, ...]
    entitlements: tuple[Entitlement, ...]

    @property
    def required(self) -> tuple[Entitlement, ...]:
        return tuple(e for e in self.entitlements if e.required)


def _line_of(text: str, pattern: str, start: int = 0) -> int:
    for i, line in enumerate(text.splitlines()[start:], start + 1):
        if re.match(pattern, line):
            return i
    return 0


def load_config(rules) -> MeasureConfig | None:
    """The validated [measures] section of ``rules`` (a ``Rules``), or None when it has none."""
    raw = (getattr(rules, "raw", None) or {}).get(SECTION)
    if raw is None:
        return None
    text = getattr(rules, "text", "") or ""
    path = getattr(rules, "path", None)
    fname = path.name if path else "规则文件"
    section_line = _line_of(text, r"^\s*\[\s*measures\s*\]")

    def fail(key: str, problem: str, line: int | None = None) -> RulesError:
        if line is None:
            line = _line_of(text, r"^\s*\"?" + re.escape(key) + r"\"?\s*=", max(section_line - 1, 0))
        at = f"第{line}行 " if line else ""
        return RulesError(f"规则文件“{fname}”{at}[measures] {key}：{problem}")

    if not isinstance(raw, dict):
        raise fail("", "应为一个表（[measures]）", section_line)
    cards = set(getattr(rules, "card_names", [])) | {NOT_CARDED}

    def number(key: str) -> float:
        value = raw.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail(key, f"应为不小于0的数字，实际为“{value}”" if key in raw else "缺少此项（数字）")
        return float(value)

    def card_list(key: str, size: int | None = None) -> tuple[str, ...]:
        value = raw.get(key)
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise fail(key, "应为卡名列表，例如 [\"红卡\"]" if key in raw else "缺少此项（卡名列表）")
        unknown = [x for x in value if x not in cards]
        if unknown:
            raise fail(key, f"“{unknown[0]}”不是规则文件中的卡名，可用：" + "、".join(sorted(cards)))
        if size is not None and len(value) != size:
            raise fail(key, f"应正好写{size}张卡")
        return tuple(value)

    def measure_list(key: str, value) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise fail(key, "应为措施类别列表，例如 [\"兜底保障A类\"]")
        unknown = [x for x in value if x not in MEASURES]
        if unknown:
            raise fail(key, f"“{unknown[0]}”不是措施类别，可用：" + "、".join(MEASURES))
        return tuple(value)

    numbers = {k: number(k) for k in NUMBERS}
    if numbers["temp_aid_min"] > numbers["temp_aid_max"]:
        raise fail("temp_aid_min", "不能大于 temp_aid_max")
    lists = {k: card_list(k, 2 if k == "industry_cards" else None) for k in CARD_LISTS}
    new_build = raw.get("new_build")
    if not isinstance(new_build, dict) or not new_build:
        raise fail("new_build", "应写成 { \"红卡\" = 50000, \"黄卡\" = 40000 } 的形式")
    for card, value in new_build.items():
        if card not in cards:
            raise fail("new_build", f"“{card}”不是规则文件中的卡名")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise fail("new_build", f"“{card}”的补助标准应为不小于0的数字")
    dibao_card = raw.get("nonpoor_dibao_card")
    if not isinstance(dibao_card, str) or dibao_card not in cards:
        raise fail("nonpoor_dibao_card", "应为规则文件中的一个卡名，例如 \"蓝卡\"")
    whole = measure_list("whole_household", raw.get("whole_household", []))

    items = raw.get("entitlements", [])
    if not isinstance(items, list):
        raise fail("entitlements", "应写成若干个 [[measures.entitlements]] 表")
    known = set(HOUSEHOLD_COLUMNS) | set(rules.thresholds) | set(rules.sets) | set(EXTRA_NAMES)
    sample = sample_households()
    sample["card"] = ""
    ns = rules.namespace(sample)
    out = []
    start = 0
    for i, item in enumerate(items):
        line = _line_of(text, r"^\s*\[\[\s*measures\.entitlements\s*\]\]", start)
        start = line or start
        where = f"entitlements 第{i + 1}项"
        if not isinstance(item, dict):
            raise fail(where, "应为表", line)
        extra = set(item) - {"card", "measure", "when", "required", "accepts", "check", "plan"}
        if extra:
            raise fail(where, f"未知的键“{sorted(extra)[0]}”（可用：card、measure、when、required、accepts、"
                              "check、plan）", line)
        card, measure = item.get("card"), item.get("measure")
        if card not in cards:
            raise fail(f"{where} card", f"“{card}”不是规则文件中的卡名，可用：" + "、".join(sorted(cards)), line)
        if measure not in MEASURES:
            raise fail(f"{where} measure", f"“{measure}”不是措施类别，可用：" + "、".join(MEASURES), line)
        when = item.get("when", "")
        if not isinstance(when, str):
            raise fail(f"{where} when", "应为表达式文本（用引号括起）", line)
        if when:
            try:
                fn = compile_expr(when, known)
                value = fn(ns)
                if not (isinstance(value, bool) or getattr(value, "dtype", None) == bool):
                    raise ExprError("条件的结果不是“是/否”（例如写成了数值或文本）")
            except ExprError as exc:
                raise fail(f"{where} when", f"表达式“{when}”有误：{exc}", line) from None
        required = item.get("required", False)
        if not isinstance(required, bool):
            raise fail(f"{where} required", "应为 true 或 false", line)
        accepts = measure_list(f"{where} accepts", item.get("accepts", [measure]))
        for key in ("check", "plan"):
            if not isinstance(item.get(key, ""), str):
                raise fail(f"{where} {key}", "应为文本", line)
        if required and not item.get("check"):
            raise fail(f"{where} check", "required = true 的措施须写明检查项名称（check）", line)
        out.append(Entitlement(card, measure, when, required, accepts, item.get("check", ""),
                               item.get("plan", ""), line))

    return MeasureConfig(
        dividend_per_person=numbers["dividend_per_person"], dividend_rate_min=numbers["dividend_rate_min"],
        dividend_cards=lists["dividend_cards"], yellow_industry_ratio_min=numbers["yellow_industry_ratio_min"],
        industry_cards=lists["industry_cards"], new_build={k: float(v) for k, v in new_build.items()},
        repair_max=numbers["repair_max"], repair_cards=lists["repair_cards"],
        temp_aid_min=numbers["temp_aid_min"], temp_aid_max=numbers["temp_aid_max"],
        temp_aid_not_for=lists["temp_aid_not_for"], courtyard_cards=lists["courtyard_cards"],
        nonpoor_dibao_card=dibao_card, whole_household=whole, entitlements=tuple(out))
