"""Rules file (TOML): loading, validation with Chinese errors naming key and line, compiled access.

See ``data/rules.toml`` for the format (every key commented). ``load_rules(path=None)`` returns a
``Rules``; any problem raises ``RulesError`` with a message such as
"规则文件“rules.toml”第12行 [thresholds] per_capita_line：应为数字，实际为“五千”".
"""

from __future__ import annotations

import copy
import hashlib
import re
import string
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from .. import registry
from .expr import Compiled, ExprError, Namespace, as_bool, compile_expr, names_in

# Contract 2 (docs/ARCHITECTURE.md): household columns and their kinds, usable in expressions.
TEXT, BOOL, INT, NINT, FLOAT = "text", "bool", "int", "Int64", "float"
HOUSEHOLD_COLUMNS: dict[str, str] = {
    "hh_key": TEXT, "township": TEXT, "village": TEXT, "group": TEXT, "household_id": TEXT,
    "head_name": TEXT, "head_id": TEXT, "head_age": NINT, "head_sex": TEXT,
    "category": TEXT, "registered": BOOL, "poverty_status": TEXT, "monitored": BOOL,
    "size_declared": NINT, "members": INT, "size": INT,
    "wage_income": FLOAT, "business_income": FLOAT, "property_income": FLOAT,
    "transfer_income": FLOAT, "business_cost": FLOAT, "education_cost": FLOAT,
    "income_total_declared": FLOAT, "per_capita_declared": FLOAT, "total_income": FLOAT,
    "net_income": FLOAT, "per_capita": FLOAT, "economic_income": FLOAT,
    "labour_able": INT, "labour_weak": INT, "no_labour_household": BOOL, "n_serious_ill": INT,
    "n_disabled": INT, "n_severe_disabled": INT, "ill_or_disabled": BOOL, "severe_disabled": BOOL,
    "n_chronic": INT, "chronic": BOOL, "n_students": INT, "fulltime_student": BOOL,
    "risk_types": TEXT, "risk_illness": BOOL, "risk_disaster": BOOL, "risk_education": BOOL,
    "return_risk": BOOL, "has_car": BOOL, "luxury_house": BOOL, "parents_separate": BOOL,
    "main_cause": TEXT, "policies_enjoyed": TEXT, "policies_eligible": TEXT,
    "card_visit": TEXT, "card_review": TEXT, "card_township": TEXT, "card_county": TEXT,
    "card_final": TEXT, "source_file": TEXT, "source_sheet": TEXT, "source_row": NINT,
    "blocking_issues": TEXT,
}
# Facts defined by expressions in the rules file's [facts] section (in this contract order).
RULE_FACTS = ("registered", "risk_illness", "risk_disaster", "risk_education", "return_risk")
# Extra name available in review_reason templates only.
CLASSIFY_NAMES = ("exclusions",)

# Sets whose values must be canonical registry values: set name -> (allowed, Chinese field label)
CANONICAL_SETS: dict[str, tuple[tuple[str, ...], str]] = {
    "able_labour": (registry.LABOUR, "劳动技能"),
    "weak_labour": (registry.LABOUR, "劳动技能"),
    "health_serious_ill": (registry.HEALTH, "健康状况"),
    "health_disabled": (registry.HEALTH, "健康状况"),
    "health_chronic": (registry.HEALTH, "健康状况"),
    "severe_disability_grades": (registry.DISABILITY_GRADES, "残疾等级"),
    "fulltime_schooling": (registry.SCHOOLING, "在校生状况"),
    "registered_categories": (registry.CATEGORY, "户类别"),
    "not_exited": (registry.POVERTY_STATUS, "脱贫属性"),
    "illness_risks": (registry.RISKS, "风险类型"),
    "disaster_risks": (registry.RISKS, "风险类型"),
    "education_risks": (registry.RISKS, "风险类型"),
}
EXCLUSION_ACTIONS = ("next", "keep", "drop")
_COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DEFAULT_NAME = "rules.toml"


class RulesError(ValueError):
    """A bad rules file. ``str(err)`` is a Chinese message naming the file, line and key."""


@dataclass(frozen=True)
class Reason:
    text: str
    when: str = ""  # expression; "" = always
    line: int = 0


@dataclass(frozen=True)
class Factor:
    """An exclusion or a priority factor: a named condition."""

    id: str
    name: str
    condition: str
    enabled: bool = True
    score: int = 1
    line: int = 0


@dataclass(frozen=True)
class CardRule:
    id: str
    name: str
    colour: str
    condition: str
    description: str = ""
    label: str = ""  # shown in 判定规则; defaults to the card name
    excludable: tuple[str, ...] = ()  # exclusion ids that forbid this card
    on_exclusion: str = "next"  # next | keep | drop
    keep_if_excluded: str = ""  # expression: excluded households that keep the card (+ review)
    review_reason: str = ""  # template for the review flag
    priority: bool = False
    reasons: tuple[Reason, ...] = ()
    line: int = 0


@dataclass
class Rules:
    path: Path | None
    sha256: str
    raw: dict
    text: str
    thresholds: dict[str, float]
    sets: dict[str, tuple[str, ...]]
    facts: dict[str, str]
    exclusions: list[Factor]
    priority: list[Factor]
    cards: list[CardRule]
    not_carded_reasons: tuple[Reason, ...] = ()
    _compiled: dict[str, Compiled] = field(default_factory=dict, repr=False)

    @property
    def card_names(self) -> list[str]:
        return [c.name for c in self.cards]

    def colour(self, name: str) -> str:
        for card in self.cards:
            if card.name == name:
                return card.colour
        raise KeyError(name)

    def card(self, name: str) -> CardRule:
        for card in self.cards:
            if card.name == name:
                return card
        raise KeyError(name)

    def section(self, name: str) -> dict:
        value = self.raw.get(name, {})
        return value if isinstance(value, dict) else {}

    @property
    def constants(self) -> dict[str, object]:
        out: dict[str, object] = dict(self.thresholds)
        out.update(self.sets)
        return out

    @property
    def enabled_exclusions(self) -> list[Factor]:
        return [e for e in self.exclusions if e.enabled]

    def compiled(self, source: str) -> Compiled:
        fn = self._compiled.get(source)
        if fn is None:
            fn = self._compiled[source] = compile_expr(source)
        return fn

    def namespace(self, frame: pd.DataFrame, **extra: object) -> Namespace:
        return Namespace(frame, self.constants, extra)

    def mask(self, source: str, ns: Namespace) -> np.ndarray:
        """Evaluate a condition over the namespace's frame; bool array."""
        return as_bool(self.compiled(source)(ns), ns.n)

    def eval_facts(self, frame: pd.DataFrame, ns: Namespace | None = None) -> dict[str, np.ndarray]:
        """Evaluate the [facts] expressions in order; returns name -> bool array."""
        ns = ns or self.namespace(frame)
        out: dict[str, np.ndarray] = {}
        for name, source in self.facts.items():
            value = self.mask(source, ns)
            ns.set(name, value)
            out[name] = value
        return out


# ---------------------------------------------------------------------------------------------
# loading


def default_rules_path() -> Path:
    return Path(str(resources.files("fourcard_excel") / "data" / DEFAULT_NAME))


@lru_cache(maxsize=1)
def _default_raw() -> dict:
    return tomllib.loads(default_rules_path().read_text(encoding="utf-8"))


def default_section(name: str) -> dict:
    """A section of the packaged default rules file: the plan's figures live there and only there,
    so modules take their fallbacks from it instead of repeating the numbers in code."""
    value = _default_raw().get(name, {})
    return copy.deepcopy(value) if isinstance(value, dict) else {}


def load_rules(path: str | Path | None = None) -> Rules:
    """Load and validate a rules file (the packaged default when ``path`` is None)."""
    p = Path(path) if path is not None else default_rules_path()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise RulesError(f"找不到规则文件“{p}”，请检查 --rules 指定的路径") from None
    except OSError as exc:
        raise RulesError(f"无法读取规则文件“{p}”：{exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RulesError(f"规则文件“{p.name}”不是 UTF-8 编码，请用 UTF-8 保存后重试") from None
    return parse_rules(text, p, sha256=hashlib.sha256(data).hexdigest())


def parse_rules(text: str, path: str | Path | None = None, *, sha256: str | None = None) -> Rules:
    """Parse and validate rules from TOML text (``path`` only names the file in messages)."""
    p = Path(path) if path is not None else None
    fname = p.name if p else "规则文件"
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"第{m.group(1)}行第{m.group(2)}列" if m else ""
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise RulesError(f"规则文件“{fname}”{where}不是有效的 TOML 格式（{detail}）。"
                         f"请检查引号、方括号和等号是否成对、完整") from None
    v = _Validator(raw, text, fname)
    rules = v.build()
    rules.path = p
    rules.sha256 = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    v.dry_run(rules)
    return rules


class _Validator:
    def __init__(self, raw: dict, text: str, fname: str) -> None:
        self.raw, self.text, self.fname = raw, text, fname
        self.lines = text.splitlines()

    # -- errors and line numbers --------------------------------------------------------------
    def fail(self, where: str, problem: str, line: int = 0) -> RulesError:
        at = f"第{line}行 " if line else ""
        return RulesError(f"规则文件“{self.fname}”{at}{where}：{problem}")

    def line_of(self, section: str, key: str | None = None, index: int | None = None) -> int:
        """Best-effort 1-based line of ``[section]`` / ``[[section]]`` number ``index`` / a key in it."""
        header = re.compile(r"^\s*\[\[\s*" + re.escape(section) + r"\s*\]\]" if index is not None
                            else r"^\s*\[\s*" + re.escape(section) + r"\s*\]")
        start, count = None, -1
        for i, line in enumerate(self.lines):
            if header.match(line):
                count += 1
                if index is None or count == index:
                    start = i
                    break
        if start is None:
            return 0
        if key is None:
            return start + 1
        key_re = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
        for j in range(start + 1, len(self.lines)):
            if re.match(r"^\s*\[", self.lines[j]):
                break
            if key_re.match(self.lines[j]):
                return j + 1
        return start + 1

    # -- building -------------------------------------------------------------------------------
    def build(self) -> Rules:
        thresholds = self.thresholds()
        sets = self.sets()
        for name in set(thresholds) & set(sets):
            raise self.fail(f"[sets] {name}", "与 [thresholds] 中的名称重复，请改名",
                            self.line_of("sets", name))
        for name in sorted((set(thresholds) | set(sets)) & set(HOUSEHOLD_COLUMNS)):
            sec = "thresholds" if name in thresholds else "sets"
            raise self.fail(f"[{sec}] {name}", "与家庭指标列同名，请改名", self.line_of(sec, name))
        facts = self.facts()
        exclusions = self.factors("exclusions", required=False)
        priority = self.factors("priority", required=False)
        cards = self.cards([e.id for e in exclusions])
        nc = self.raw.get("not_carded", {})
        if not isinstance(nc, dict):
            raise self.fail("[not_carded]", "应为一个表（[not_carded]）", self.line_of("not_carded"))
        not_carded = self.reasons(nc.get("reasons", []), "[not_carded] reasons",
                                  self.line_of("not_carded", "reasons"))
        for name in ("spotcheck", "quotas", "schedule", "review", "contact"):
            if name in self.raw and not isinstance(self.raw[name], dict):
                raise self.fail(f"[{name}]", "应为一个表", self.line_of(name))
        return Rules(path=None, sha256="", raw=self.raw, text=self.text, thresholds=thresholds,
                     sets=sets, facts=facts, exclusions=exclusions, priority=priority, cards=cards,
                     not_carded_reasons=not_carded)

    def table(self, name: str) -> dict:
        value = self.raw.get(name)
        if value is None:
            raise self.fail(f"[{name}]", f"缺少 [{name}] 部分")
        if not isinstance(value, dict):
            raise self.fail(f"[{name}]", "应为一个表", self.line_of(name))
        return value

    def thresholds(self) -> dict[str, float]:
        out = {}
        for key, value in self.table("thresholds").items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(f"[thresholds] {key}", f"应为数字，实际为“{value}”",
                                self.line_of("thresholds", key))
            if not _ID_RE.match(key):
                raise self.fail(f"[thresholds] {key}", "名称只能用英文字母、数字和下划线",
                                self.line_of("thresholds", key))
            out[key] = float(value)
        return out

    def sets(self) -> dict[str, tuple[str, ...]]:
        out = {}
        table = self.table("sets")
        for key, value in table.items():
            line = self.line_of("sets", key)
            if not _ID_RE.match(key):
                raise self.fail(f"[sets] {key}", "名称只能用英文字母、数字和下划线", line)
            if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
                raise self.fail(f"[sets] {key}", "应为文本列表，例如 [\"普通劳动力\", \"技能劳动力\"]", line)
            if key in CANONICAL_SETS:
                allowed, label = CANONICAL_SETS[key]
                for x in value:
                    if x not in allowed:
                        raise self.fail(f"[sets] {key}", f"“{x}”不是{label}的标准值，应为："
                                        + "、".join(allowed), line)
            out[key] = tuple(value)
        for key in CANONICAL_SETS:
            if key not in out:
                raise self.fail(f"[sets] {key}", f"缺少集合 {key}（{CANONICAL_SETS[key][1]}的取值列表）",
                                self.line_of("sets"))
        return out

    def facts(self) -> dict[str, str]:
        table = self.table("facts")
        out: dict[str, str] = {}
        for key, value in table.items():
            if key not in RULE_FACTS:
                raise self.fail(f"[facts] {key}", "不是可定义的指标，只能定义：" + "、".join(RULE_FACTS),
                                self.line_of("facts", key))
            if not isinstance(value, str):
                raise self.fail(f"[facts] {key}", "应为表达式文本（用引号括起）", self.line_of("facts", key))
            out[key] = value
        for key in RULE_FACTS:
            if key not in out:
                raise self.fail(f"[facts] {key}", f"缺少指标 {key} 的表达式", self.line_of("facts"))
        return {k: out[k] for k in RULE_FACTS}

    def factors(self, section: str, required: bool) -> list[Factor]:
        items = self.raw.get(section, [])
        if not isinstance(items, list):
            raise self.fail(f"[[{section}]]", f"应写成若干个 [[{section}]] 表", self.line_of(section))
        out, seen = [], set()
        for i, item in enumerate(items):
            line = self.line_of(section, None, i)
            where = f"[[{section}]] 第{i + 1}项"
            if not isinstance(item, dict):
                raise self.fail(where, "应为表", line)
            for key in ("id", "name", "condition"):
                if not isinstance(item.get(key), str) or not item[key].strip():
                    raise self.fail(f"{where} {key}", "缺少或不是文本", self.line_of(section, key, i))
            if not _ID_RE.match(item["id"]) or item["id"] in seen:
                raise self.fail(f"{where} id", f"“{item['id']}”重复或不是英文标识符",
                                self.line_of(section, "id", i))
            seen.add(item["id"])
            enabled = item.get("enabled", True)
            if not isinstance(enabled, bool):
                raise self.fail(f"{where} enabled", "应为 true 或 false", self.line_of(section, "enabled", i))
            score = item.get("score", 1)
            if isinstance(score, bool) or not isinstance(score, int):
                raise self.fail(f"{where} score", "应为整数", self.line_of(section, "score", i))
            out.append(Factor(item["id"], item["name"], item["condition"], enabled, score, line))
        return out

    def cards(self, exclusion_ids: list[str]) -> list[CardRule]:
        items = self.raw.get("cards")
        if not isinstance(items, list) or not items:
            raise self.fail("[[cards]]", "至少需要一张卡（[[cards]] 表，含 id、name、colour、condition）",
                            self.line_of("cards", None, 0))
        out: list[CardRule] = []
        ids, names = set(), set()
        for i, item in enumerate(items):
            where = f"[[cards]] 第{i + 1}张卡"

            def ln(key: str | None = None, _i: int = i) -> int:
                return self.line_of("cards", key, _i)

            if not isinstance(item, dict):
                raise self.fail(where, "应为表", ln())
            for key in ("id", "name", "colour", "condition"):
                if not isinstance(item.get(key), str) or not item[key].strip():
                    raise self.fail(f"{where} {key}", "缺少或不是文本", ln(key))
            cid, name = item["id"], item["name"]
            if not _ID_RE.match(cid) or cid in ids:
                raise self.fail(f"{where} id", f"“{cid}”重复或不是英文标识符（如 red）", ln("id"))
            if name in names or name in (registry.NOT_CARDED, registry.UNDETERMINED):
                raise self.fail(f"{where} name", f"卡名“{name}”重复或为保留名称", ln("name"))
            ids.add(cid)
            names.add(name)
            if not _COLOUR_RE.match(item["colour"]):
                raise self.fail(f"{where} colour", f"“{item['colour']}”应为 #RRGGBB 形式的颜色，如 #FF0000",
                                ln("colour"))
            exc = item.get("excludable", False)
            if isinstance(exc, bool):
                excludable = tuple(exclusion_ids) if exc else ()
            elif isinstance(exc, list) and all(isinstance(x, str) for x in exc):
                unknown = [x for x in exc if x not in exclusion_ids]
                if unknown:
                    raise self.fail(f"{where} excludable", f"没有 id 为“{unknown[0]}”的排除情形", ln("excludable"))
                excludable = tuple(exc)
            else:
                raise self.fail(f"{where} excludable", "应为 true、false 或排除情形 id 列表", ln("excludable"))
            action = item.get("on_exclusion", "next")
            if action not in EXCLUSION_ACTIONS:
                raise self.fail(f"{where} on_exclusion", f"“{action}”应为 next（改判下一张卡）、"
                                "keep（保留并人工复核）或 drop（不纳入）", ln("on_exclusion"))
            for key in ("description", "label", "keep_if_excluded", "review_reason"):
                if not isinstance(item.get(key, ""), str):
                    raise self.fail(f"{where} {key}", "应为文本", ln(key))
            priority = item.get("priority", False)
            if not isinstance(priority, bool):
                raise self.fail(f"{where} priority", "应为 true 或 false", ln("priority"))
            reasons = self.reasons(item.get("reasons", []), f"{where} reasons", ln("reasons"))
            out.append(CardRule(
                id=cid, name=name, colour=item["colour"].upper(), condition=item["condition"],
                description=item.get("description", ""), label=item.get("label", "") or name,
                excludable=excludable, on_exclusion=action,
                keep_if_excluded=item.get("keep_if_excluded", ""),
                review_reason=item.get("review_reason", ""), priority=priority, reasons=reasons,
                line=ln()))
        return out

    def reasons(self, items: object, where: str, line: int) -> tuple[Reason, ...]:
        if not isinstance(items, list):
            raise self.fail(where, "应为列表：文本，或 { when = \"条件\", text = \"文字\" }", line)
        out = []
        for item in items:
            if isinstance(item, str):
                out.append(Reason(item, "", line))
            elif isinstance(item, dict) and isinstance(item.get("text"), str) \
                    and isinstance(item.get("when", ""), str) and set(item) <= {"text", "when"}:
                out.append(Reason(item["text"], item.get("when", ""), line))
            else:
                raise self.fail(where, f"“{item}”应为文本，或 {{ when = \"条件\", text = \"文字\" }}", line)
        return tuple(out)

    # -- expressions: names and a dry run over a one-row sample ---------------------------------
    def dry_run(self, rules: Rules) -> None:
        constants = set(rules.thresholds) | set(rules.sets)
        base = (set(HOUSEHOLD_COLUMNS) - set(RULE_FACTS)) | constants
        frame = sample_households()
        ns = rules.namespace(frame)
        known = set(base)
        for name, source in rules.facts.items():
            self.check_expr(rules, source, known, ns, f"[facts] {name}", self.line_of("facts", name))
            ns.set(name, rules.mask(source, ns))
            known.add(name)
        full = set(HOUSEHOLD_COLUMNS) | constants
        for section, factors in (("exclusions", rules.exclusions), ("priority", rules.priority)):
            for i, f in enumerate(factors):
                self.check_expr(rules, f.condition, full, ns, f"[[{section}]] {f.id} condition",
                                self.line_of(section, "condition", i))
        for i, card in enumerate(rules.cards):
            where = f"[[cards]] {card.name}"
            self.check_expr(rules, card.condition, full, ns, f"{where} condition",
                            self.line_of("cards", "condition", i))
            if card.keep_if_excluded:
                self.check_expr(rules, card.keep_if_excluded, full, ns, f"{where} keep_if_excluded",
                                self.line_of("cards", "keep_if_excluded", i))
            self.check_template(card.review_reason, full | set(CLASSIFY_NAMES), f"{where} review_reason",
                                self.line_of("cards", "review_reason", i))
            for r in card.reasons:
                self.check_reason(rules, r, full, ns, f"{where} reasons")
        for r in rules.not_carded_reasons:
            self.check_reason(rules, r, full, ns, "[not_carded] reasons")

    def check_expr(self, rules: Rules, source: str, known: set[str], ns: Namespace, where: str,
                   line: int) -> None:
        try:
            compile_expr(source, known)
            rules.mask(source, ns)
        except ExprError as exc:
            names = sorted(n for n in known if not n.startswith("_"))
            hint = ""
            if "未知的名称" in str(exc):
                hint = "。可用的名称：" + "、".join(names)
            raise self.fail(where, f"表达式“{source}”有误：{exc}{hint}", line) from None

    def check_reason(self, rules: Rules, r: Reason, known: set[str], ns: Namespace, where: str) -> None:
        if r.when:
            self.check_expr(rules, r.when, known, ns, f"{where} when", r.line)
        self.check_template(r.text, known, f"{where} text", r.line)

    def check_template(self, text: str, known: set[str], where: str, line: int) -> None:
        try:
            fields = template_fields(text)
        except ValueError:
            raise self.fail(where, f"“{text}”中的花括号不成对；占位写法为 {{名称}}", line) from None
        for name in fields:
            if name not in known:
                raise self.fail(where, f"“{text}”中的占位 {{{name}}} 不是家庭指标或阈值名称", line)


def template_fields(text: str) -> list[str]:
    """Placeholder names in a reason template ("人均纯收入{per_capita}元" -> ["per_capita"])."""
    out = []
    for _, name, spec, conv in string.Formatter().parse(text):
        if name is None:
            continue
        if not name or spec or conv or not _ID_RE.match(name):
            raise ValueError(name)
        out.append(name)
    return out


def template_parts(text: str) -> list[tuple[str, str | None]]:
    """(literal, name-or-None) pieces of a template."""
    return [(lit, name) for lit, name, _, _ in string.Formatter().parse(text)]


def sample_households(n: int = 1) -> pd.DataFrame:
    """A frame with every contract-2 column (default values), for dry runs and tests."""
    cols = {}
    for name, kind in HOUSEHOLD_COLUMNS.items():
        if kind == TEXT:
            cols[name] = pd.Series([""] * n, dtype="str")
        elif kind == BOOL:
            cols[name] = pd.Series([False] * n, dtype=bool)
        elif kind == INT:  # counts 0; size and members 1
            cols[name] = pd.Series([1 if name in ("size", "members") else 0] * n, dtype="int64")
        elif kind == NINT:
            cols[name] = pd.Series([pd.NA] * n, dtype="Int64")
        else:
            cols[name] = pd.Series([0.0] * n, dtype="float64")
    return pd.DataFrame(cols)


__all__ = ["CardRule", "Factor", "Reason", "Rules", "RulesError", "load_rules", "parse_rules",
           "default_rules_path", "sample_households", "HOUSEHOLD_COLUMNS", "RULE_FACTS",
           "template_fields", "template_parts", "names_in"]
