"""A small, safe expression language for rules-file conditions, evaluated vectorised.

Syntax is a subset of Python expressions, parsed with ``ast`` and compiled into closures; nothing
is ever passed to ``eval``. Allowed:

- names: household facts (columns), thresholds (numbers) and sets (lists of text)
- literals: numbers, "text", true/false (``True``/``False``), lists ``["未脱贫", "返贫"]``
- ``and``, ``or``, ``not``; comparisons ``== != < <= > >=`` (chains allowed), ``in`` / ``not in``
- arithmetic ``+ - * /`` and unary minus
- ``has(column, value_or_set, ...)``: a multi-value text column (values joined by "、") holds any
  of the given values

Values at run time are numpy bool/float arrays, ``Text`` columns (factorised strings) or scalars.
Missing numbers are NaN, so any comparison with a missing number is false.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

MULTI_SEP = "、"


class ExprError(ValueError):
    """A problem with an expression; the message is Chinese and names the offending part."""


class Text:
    """A text column. Equality with constants compares the raw strings directly; anything needing
    the distinct values (has(), templates) factorises once, lazily."""

    def __init__(self, raw: np.ndarray | None = None, codes: np.ndarray | None = None,
                 uniques: np.ndarray | None = None) -> None:
        self.raw = raw  # object array of str (may hold NaN for missing)
        self._codes, self._uniques = codes, uniques
        self._eq: dict[str, np.ndarray] = {}

    @classmethod
    def from_series(cls, s: pd.Series) -> "Text":
        return cls(raw=s.to_numpy(dtype=object))

    def __len__(self) -> int:
        return len(self.raw) if self.raw is not None else len(self._codes)

    def _factorize(self) -> None:
        codes, uniques = pd.factorize(self.raw, use_na_sentinel=True)
        codes = np.asarray(codes)
        uniques = np.asarray(uniques, dtype=object)
        if (codes < 0).any():  # missing -> ""
            codes = np.where(codes < 0, len(uniques), codes)
            uniques = np.append(uniques, "")
        self._codes, self._uniques = codes, np.array([str(u) for u in uniques], dtype=object)

    @property
    def codes(self) -> np.ndarray:
        if self._codes is None:
            self._factorize()
        return self._codes

    @property
    def uniques(self) -> np.ndarray:
        if self._uniques is None:
            self._factorize()
        return self._uniques

    @property
    def factorized(self) -> bool:
        return self._codes is not None

    def mask(self, unique_flags: np.ndarray) -> np.ndarray:
        return np.asarray(unique_flags, dtype=bool)[self.codes]

    def eq(self, const: str) -> np.ndarray:
        """Bool array: value == const (missing counts as "")."""
        if const in self._eq:
            return self._eq[const]
        if self.factorized:
            out = self.mask(self.uniques == const)
        else:
            out = np.asarray(self.raw == const, dtype=bool)
            if const == "":
                out |= pd.isna(self.raw)
        self._eq[const] = out
        return out

    def isin(self, values: tuple) -> np.ndarray:
        wanted = [str(v) for v in values]
        if self.factorized or len(wanted) > 3:
            return self.mask(np.isin(self.uniques, np.array(wanted, dtype=object)))
        out = np.zeros(len(self), dtype=bool)
        for v in wanted:
            out |= self.eq(v)
        return out

    def take(self, rows: np.ndarray) -> "Text":
        if self.factorized:
            return Text(codes=self.codes[rows], uniques=self.uniques)
        return Text(raw=self.raw[rows])

    def values(self) -> np.ndarray:
        if self.raw is not None and not self.factorized:
            return self.raw
        return self.uniques[self.codes]


class Namespace:
    """Resolves names for evaluation: frame columns (converted lazily, cached) and constants."""

    def __init__(self, frame: pd.DataFrame, constants: Mapping[str, object] | None = None,
                 extra: Mapping[str, object] | None = None) -> None:
        self.frame = frame
        self.n = len(frame)
        self.constants = dict(constants or {})
        self.cache: dict[str, object] = dict(extra or {})

    def set(self, name: str, value: object) -> None:
        self.cache[name] = value

    def get(self, name: str) -> object:
        if name in self.cache:
            return self.cache[name]
        if name in self.frame.columns:
            value = to_value(self.frame[name])
            self.cache[name] = value
            return value
        if name in self.constants:
            return self.constants[name]
        raise ExprError(f"未知的名称“{name}”")


def to_value(s: pd.Series) -> object:
    """Convert a frame column to the evaluator's representation."""
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        if isinstance(dtype, pd.BooleanDtype):
            return s.fillna(False).to_numpy(dtype=bool)
        return s.to_numpy(dtype=bool)
    if pd.api.types.is_numeric_dtype(dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan)
    return Text.from_series(s)


Compiled = Callable[[Namespace], object]

_CMP = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
        ast.Gt: operator.gt, ast.GtE: operator.ge}
_CMP_TEXT = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_ARITH = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide}
FUNCTIONS = ("has",)


def names_in(source: str) -> set[str]:
    """Every name an expression refers to (function names excluded)."""
    tree = _parse(source)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called}


def compile_expr(source: str, known: set[str] | None = None) -> Compiled:
    """Compile ``source``; if ``known`` is given, every name must be in it."""
    tree = _parse(source)
    if known is not None:
        unknown = sorted(names_in(source) - set(known))
        if unknown:
            raise ExprError(f"未知的名称“{unknown[0]}”")
    return _compile(tree.body)


def evaluate_mask(fn: Compiled, ns: Namespace) -> np.ndarray:
    """Evaluate a condition to a bool array of the frame's length."""
    return as_bool(fn(ns), ns.n)


def as_bool(value: object, n: int) -> np.ndarray:
    if isinstance(value, (bool, np.bool_)):
        return np.full(n, bool(value))
    if isinstance(value, np.ndarray) and value.dtype == bool:
        return value
    raise ExprError("条件的结果不是“是/否”（例如写成了数值或文本）")


def _parse(source: str) -> ast.Expression:
    if not isinstance(source, str) or not source.strip():
        raise ExprError("表达式为空")
    try:
        return ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExprError(f"表达式语法错误（第{exc.offset or 0}个字符附近）") from None


def _compile(node: ast.AST) -> Compiled:  # noqa: C901 - one dispatch over node kinds
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or isinstance(value, (int, float, str)):
            v = float(value) if isinstance(value, int) and not isinstance(value, bool) else value
            return lambda ns: v
        raise ExprError(f"不支持的常量 {value!r}")
    if isinstance(node, ast.Name):
        name = node.id
        if name in ("true", "True"):
            return lambda ns: True
        if name in ("false", "False"):
            return lambda ns: False
        return lambda ns: ns.get(name)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        items = []
        for elt in node.elts:
            if not isinstance(elt, ast.Constant) or not isinstance(elt.value, (int, float, str)):
                raise ExprError("列表中只能写数字或文本常量")
            items.append(elt.value)
        values = tuple(items)
        return lambda ns: values
    if isinstance(node, ast.BoolOp):
        parts = [_compile(v) for v in node.values]
        is_and = isinstance(node.op, ast.And)
        word = "and" if is_and else "or"

        def boolop(ns: Namespace) -> object:
            acc = None
            for part in parts:
                v = _bool(part(ns), ns.n, word)
                acc = v if acc is None else ((acc & v) if is_and else (acc | v))
            return acc

        return boolop
    if isinstance(node, ast.UnaryOp):
        inner = _compile(node.operand)
        if isinstance(node.op, ast.Not):
            return lambda ns: np.logical_not(_bool(inner(ns), ns.n, "not"))
        if isinstance(node.op, ast.USub):
            return lambda ns: -_num(inner(ns), "-")
        if isinstance(node.op, ast.UAdd):
            return lambda ns: _num(inner(ns), "+")
        raise ExprError("不支持的运算符")
    if isinstance(node, ast.BinOp):
        op = _ARITH.get(type(node.op))
        if op is None:
            raise ExprError("只支持 + - * / 四则运算")
        left, right = _compile(node.left), _compile(node.right)

        def binop(ns: Namespace) -> object:
            with np.errstate(divide="ignore", invalid="ignore"):
                return op(_num(left(ns), "运算"), _num(right(ns), "运算"))

        return binop
    if isinstance(node, ast.Compare):
        return _compile_compare(node)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords:
            raise ExprError("只能调用函数 has(列, 值或集合, ...)")
        if len(node.args) < 2:
            raise ExprError("has() 至少需要两个参数：has(多选列, 值或集合)")
        column = _compile(node.args[0])
        wanted = [_compile(a) for a in node.args[1:]]

        def has(ns: Namespace) -> np.ndarray:
            col = column(ns)
            if not isinstance(col, Text):
                raise ExprError("has() 的第一个参数必须是文本列")
            values: set[str] = set()
            for w in wanted:
                v = w(ns)
                values.update([v] if isinstance(v, str) else [str(x) for x in _seq(v, "has")])
            flags = [bool(values.intersection(u.split(MULTI_SEP))) for u in col.uniques]
            return col.mask(np.array(flags, dtype=bool))

        return has
    raise ExprError(f"不支持的写法：{type(node).__name__}")


def _compile_compare(node: ast.Compare) -> Compiled:
    operands = [_compile(node.left)] + [_compile(c) for c in node.comparators]
    ops = list(node.ops)

    def compare(ns: Namespace) -> object:
        values = [f(ns) for f in operands]
        acc = None
        for op, a, b in zip(ops, values, values[1:]):
            r = _compare_pair(op, a, b, ns.n)
            acc = r if acc is None else (acc & r)
        return acc

    return compare


def _compare_pair(op: ast.cmpop, a: object, b: object, n: int) -> object:
    if isinstance(op, (ast.In, ast.NotIn)):
        seq = _seq(b, "in")
        if isinstance(a, Text):
            r = a.isin(seq)
        elif isinstance(a, str):
            r = a in seq
        else:
            r = np.isin(_num(a, "in"), np.array([float(x) for x in seq if not isinstance(x, str)]))
        return np.logical_not(r) if isinstance(op, ast.NotIn) else r
    if type(op) not in _CMP:
        raise ExprError("不支持 is / is not，请用 == 或 !=")
    fn = _CMP[type(op)]
    if isinstance(a, Text) or isinstance(b, Text):
        if isinstance(a, Text) and isinstance(b, str):
            col, const, flip = a, b, False
        elif isinstance(b, Text) and isinstance(a, str):
            col, const, flip = b, a, True
        else:
            raise ExprError(f"文本列只能与文本常量比较（{_CMP_TEXT[type(op)]}）")
        if type(op) in (ast.Eq, ast.NotEq):
            r = col.eq(const)
            return r if type(op) is ast.Eq else ~r
        flags = np.array([fn(const, u) if flip else fn(u, const) for u in col.uniques], dtype=bool)
        return col.mask(flags)
    if isinstance(a, str) or isinstance(b, str):
        if isinstance(a, str) and isinstance(b, str):
            return fn(a, b)
        raise ExprError("数值不能与文本比较")
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)) or _is_bool(a) or _is_bool(b):
        if type(op) not in (ast.Eq, ast.NotEq):
            raise ExprError("是/否的值只能用 == 或 != 比较")
        return fn(_bool(a, n, "=="), _bool(b, n, "=="))
    with np.errstate(invalid="ignore"):
        return fn(_num(a, "比较"), _num(b, "比较"))


def _is_bool(v: object) -> bool:
    return isinstance(v, np.ndarray) and v.dtype == bool


def _bool(v: object, n: int, where: str) -> object:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if _is_bool(v):
        return v
    raise ExprError(f"“{where}”两边必须是条件（是/否），不能是数值或文本")


def _num(v: object, where: str) -> object:
    if isinstance(v, (bool, np.bool_)) or _is_bool(v):
        raise ExprError(f"是/否的值不能参与{where}")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, np.ndarray):
        return v
    raise ExprError(f"文本不能参与{where}")


def _seq(v: object, where: str) -> tuple:
    if isinstance(v, (tuple, list)):
        return tuple(v)
    raise ExprError(f"“{where}”右边必须是列表或集合，例如 [\"未脱贫\", \"返贫\"]")
