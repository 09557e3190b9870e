"""Step conditions: a small, safe expression language over a run's parameters.

A condition decides at launch whether a step applies (false → the step is skipped)::

    雇用形態 in ['正社員', '契約社員'] and not 海外赴任
    入社日 >= '2026-04-01' or 等級 > 3
    部署 == 「営業部」 && 社会保険 != false

Grammar (lowest precedence first)::

    expr       := and_expr (("or" | "||") and_expr)*
    and_expr   := not_expr (("and" | "&&") not_expr)*
    not_expr   := ("not" | "!") not_expr | comparison
    comparison := operand [("==" | "!=" | "<" | "<=" | ">" | ">=") operand
                          | ["not"] "in" "[" [operand ("," operand)* [","]] "]"]
    operand    := "(" expr ")" | name | string | number | true | false | null

A name is a parameter key (any Python identifier, Japanese included); a bare operand is true
when its value is truthy (a boolean parameter, a non-empty text). The text is tokenized and
parsed by hand into a tree of the node classes below; it is never given to ``eval``, so there
is no attribute access, call, subscript or any other Python: such text is a syntax error.

Evaluation is forgiving about types because parameter values arrive typed (dates, numbers,
person ids): a missing value is ``None`` and only equals ``null``; ordering anything against
``None`` is false rather than an error; a date compares with an ISO date string; a number
compares with a numeric string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Final

MAX_LENGTH: Final = 1000
MAX_DEPTH: Final = 50

_KEYWORDS: Final = {"and", "or", "not", "in"}
_LITERAL_WORDS: Final[dict[str, Any]] = {
    "true": True, "True": True, "false": False, "False": False,
    "null": None, "None": None,
}
_COMPARISONS: Final = ("==", "!=", "<=", ">=", "<", ">")
# Two-character operators are tried before their one-character prefixes.
_OPERATORS: Final = ("==", "!=", "<=", ">=", "&&", "||", "<", ">", "!", "(", ")", "[", "]", ",")
_QUOTES: Final = {"'": "'", '"': '"', "「": "」"}
_DIGITS: Final = frozenset("0123456789")


class ExprError(ValueError):
    """The condition text is not a valid expression; ``position`` is the 0-based offset."""

    def __init__(self, message: str, position: int) -> None:
        self.position = position
        self.reason = message
        super().__init__(f"{message} at column {position + 1}")


# --- tokens ------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "name", "keyword", "literal", "op", "end"
    text: str
    position: int
    value: Any = None

    def describe(self) -> str:
        if self.kind == "end":
            return "end of condition"
        if self.kind == "literal" and isinstance(self.value, str):
            return f"string {self.text}"
        return f"'{self.text}'"


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _QUOTES:
            value, end = _read_string(text, i)
            tokens.append(_Token("literal", text[i:end], i, value))
            i = end
        elif ch in _DIGITS or (ch in ".-" and i + 1 < n and text[i + 1] in _DIGITS and (
            ch == "." or _negative_allowed(tokens)
        )):
            end = i + 1
            while end < n and (text[end] in _DIGITS or text[end] == "."):
                end += 1
            raw = text[i:end]
            if raw.count(".") > 1 or raw.endswith("."):
                raise ExprError(f"invalid number '{raw}'", i)
            if end < n and _is_name_char(text[end]):
                raise ExprError(f"invalid number '{text[i:end + 1]}'", i)
            number: int | Decimal = Decimal(raw) if "." in raw else int(raw)
            tokens.append(_Token("literal", raw, i, number))
            i = end
        elif ch.isidentifier():
            end = i + 1
            while end < n and _is_name_char(text[end]):
                end += 1
            word = text[i:end]
            if word in _KEYWORDS:
                tokens.append(_Token("keyword", word, i))
            elif word in _LITERAL_WORDS:
                tokens.append(_Token("literal", word, i, _LITERAL_WORDS[word]))
            else:
                tokens.append(_Token("name", word, i))
            i = end
        else:
            op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
            if op is None:
                if ch == "=":
                    raise ExprError("use '==' to compare, not '='", i)
                if ch in "&|":
                    raise ExprError(f"use '{ch * 2}' (or '{'and' if ch == '&' else 'or'}')", i)
                raise ExprError(f"unexpected character '{ch}'", i)
            tokens.append(_Token("op", op, i))
            i += len(op)
    tokens.append(_Token("end", "", n))
    return tokens


def _negative_allowed(tokens: list[_Token]) -> bool:
    """Whether a '-' here starts a negative number (it never subtracts: there is no '-')."""
    if not tokens:
        return True
    last = tokens[-1]
    return last.kind == "keyword" or (last.kind == "op" and last.text not in (")", "]"))


def _is_name_char(ch: str) -> bool:
    return ("a" + ch).isidentifier()


def _read_string(text: str, start: int) -> tuple[str, int]:
    closing = _QUOTES[text[start]]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == closing:
            return "".join(out), i + 1
        if ch == "\\" and closing != "」" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == "\n":
            break
        out.append(ch)
        i += 1
    raise ExprError("unterminated string", start)


# --- the tree ----------------------------------------------------------------------------------

class _Node:
    def evaluate(self, values: Mapping[str, Any]) -> Any:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Name(_Node):
    key: str

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return values.get(self.key)


@dataclass(frozen=True, slots=True)
class _Literal(_Node):
    value: Any

    def evaluate(self, values: Mapping[str, Any]) -> Any:
        return self.value


@dataclass(frozen=True, slots=True)
class _Or(_Node):
    items: tuple[_Node, ...]

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        return any(_truthy(item.evaluate(values)) for item in self.items)


@dataclass(frozen=True, slots=True)
class _And(_Node):
    items: tuple[_Node, ...]

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        return all(_truthy(item.evaluate(values)) for item in self.items)


@dataclass(frozen=True, slots=True)
class _Not(_Node):
    item: _Node

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        return not _truthy(self.item.evaluate(values))


@dataclass(frozen=True, slots=True)
class _Compare(_Node):
    op: str
    left: _Node
    right: _Node

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        return _compare(self.op, self.left.evaluate(values), self.right.evaluate(values))


@dataclass(frozen=True, slots=True)
class _In(_Node):
    item: _Node
    options: tuple[_Node, ...]
    negated: bool

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        value = self.item.evaluate(values)
        found = any(_equal(value, option.evaluate(values)) for option in self.options)
        return found != self.negated


# --- the parser --------------------------------------------------------------------------------

class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0
        self.names: set[str] = set()

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at(self, *texts: str) -> bool:
        token = self.current
        return token.kind in ("op", "keyword") and token.text in texts

    def expect(self, text: str, what: str) -> _Token:
        if not self.at(text):
            raise self.unexpected(what)
        return self.advance()

    def unexpected(self, expected: str = "") -> ExprError:
        token = self.current
        if token.kind == "end":
            message = "unexpected end of condition"
        else:
            message = f"unexpected {token.describe()}"
        if expected:
            message += f" (expected {expected})"
        return ExprError(message, token.position)

    def nested(self, position: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExprError(f"condition nested more than {MAX_DEPTH} levels deep", position)

    def parse(self) -> _Node:
        node = self.parse_or()
        if self.current.kind != "end":
            raise self.unexpected("'and', 'or' or the end")
        return node

    def parse_or(self) -> _Node:
        items = [self.parse_and()]
        while self.at("or", "||"):
            self.advance()
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else _Or(tuple(items))

    def parse_and(self) -> _Node:
        items = [self.parse_not()]
        while self.at("and", "&&"):
            self.advance()
            items.append(self.parse_not())
        return items[0] if len(items) == 1 else _And(tuple(items))

    def parse_not(self) -> _Node:
        if self.at("not", "!"):
            token = self.advance()
            self.nested(token.position)
            item = self.parse_not()
            self.depth -= 1
            return _Not(item)
        return self.parse_comparison()

    def parse_comparison(self) -> _Node:
        left = self.parse_operand()
        if self.at(*_COMPARISONS):
            op = self.advance().text
            return _Compare(op, left, self.parse_operand())
        negated = False
        if self.at("not"):
            self.advance()
            if not self.at("in"):
                raise self.unexpected("'in' after 'not'")
            negated = True
        if self.at("in"):
            self.advance()
            return _In(left, self.parse_list(), negated)
        return left

    def parse_list(self) -> tuple[_Node, ...]:
        self.expect("[", "a list such as ['a', 'b'] after 'in'")
        options: list[_Node] = []
        while not self.at("]"):
            options.append(self.parse_operand())
            if not self.at(","):
                break
            self.advance()
        self.expect("]", "',' or ']'")
        return tuple(options)

    def parse_operand(self) -> _Node:
        token = self.current
        if self.at("("):
            self.advance()
            self.nested(token.position)
            node = self.parse_or()
            self.depth -= 1
            self.expect(")", "')'")
            return node
        if token.kind == "name":
            self.advance()
            self.names.add(token.text)
            return _Name(token.text)
        if token.kind == "literal":
            self.advance()
            return _Literal(token.value)
        raise self.unexpected("a parameter or a value")


# --- evaluation --------------------------------------------------------------------------------

def _truthy(value: Any) -> bool:
    return bool(value)


def _as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _normalize(left: Any, right: Any) -> tuple[Any, Any] | None:
    """Both sides as comparable values of one type, or None when they cannot be compared."""
    if left is None or right is None:
        return None
    if isinstance(left, bool) or isinstance(right, bool):
        if isinstance(left, bool) and isinstance(right, bool):
            return left, right
        # A boolean parameter stored as text ("true") still equals the literal true.
        other = right if isinstance(left, bool) else left
        flag = left if isinstance(left, bool) else right
        if isinstance(other, str) and other.strip().lower() in ("true", "false"):
            return flag, other.strip().lower() == "true"
        return None
    if isinstance(left, dt.date) or isinstance(right, dt.date):
        a, b = _as_date(left), _as_date(right)
        return None if a is None or b is None else (a, b)
    if not (isinstance(left, str) and isinstance(right, str)):
        a_num, b_num = _as_number(left), _as_number(right)
        if a_num is not None and b_num is not None:
            return a_num, b_num
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return None


def _equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    pair = _normalize(left, right)
    if pair is None:
        return False
    return bool(pair[0] == pair[1])


_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "==":
        return _equal(left, right)
    if op == "!=":
        return not _equal(left, right)
    pair = _normalize(left, right)
    if pair is None or isinstance(pair[0], bool):
        return False
    return _ORDER[op](pair[0], pair[1])


# --- the public API ----------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Condition:
    """A parsed condition: ``names`` are the parameter keys it reads."""

    text: str
    names: frozenset[str]
    _root: _Node

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        """Whether the condition holds for these (typed) parameter values."""
        return _truthy(self._root.evaluate(values))

    def compared_values(self) -> list[tuple[str, Any]]:
        """(parameter, literal) pairs it tests for equality or membership.

        Lets validation catch ``雇用形態 == '正社'`` when the choices say 正社員.
        """
        out: list[tuple[str, Any]] = []
        stack: list[_Node] = [self._root]
        while stack:
            node = stack.pop()
            if isinstance(node, _Or | _And):
                stack.extend(reversed(node.items))  # keep the written order
            elif isinstance(node, _Not):
                stack.append(node.item)
            elif isinstance(node, _Compare) and node.op in ("==", "!="):
                for name, other in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(name, _Name) and isinstance(other, _Literal):
                        out.append((name.key, other.value))
            elif isinstance(node, _In) and isinstance(node.item, _Name):
                out.extend(
                    (node.item.key, option.value)
                    for option in node.options if isinstance(option, _Literal)
                )
        return out

    def matches(self, value: Any, literal: Any) -> bool:
        """Whether ``value == literal`` holds with the language's comparison rules."""
        return _equal(value, literal)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Condition) and other._root == self._root

    def __hash__(self) -> int:
        return hash(self._root)


_ALWAYS: Final = Condition("", frozenset(), _Literal(True))


@lru_cache(maxsize=2048)
def parse_condition(text: str) -> Condition:
    """The condition for ``text``; blank text means "always".

    Raises :class:`ExprError` with the position of the first problem.
    """
    if len(text) > MAX_LENGTH:
        raise ExprError(f"condition longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not text.strip():
        return _ALWAYS
    parser = _Parser(text)
    root = parser.parse()
    return Condition(text, frozenset(parser.names), root)
