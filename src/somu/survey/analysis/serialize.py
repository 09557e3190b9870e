"""Results to JSON-safe dicts and back, exactly (tuples stay tuples, ints stay ints).

Written once over the dataclasses' type hints, so a field added to :mod:`.types` needs nothing
here. A dict that does not match the dataclasses (an older cache) raises ``ValueError``; the
caller recomputes.

:func:`to_snapshot` / :func:`from_snapshot` are the same, with the two long lists (people and
tasks, nine tenths of a large result) stored as a row per item under one list of column names
instead of an object per item: a 10,000-person result is 30 % smaller, and faster to write,
store and read back. The small sections keep their shape, so the home page can read a figure
from the stored JSON by its path.
"""

from __future__ import annotations

import dataclasses
import math
import types
from collections.abc import Callable
from functools import cache
from typing import (
    Any,
    Literal,
    NoReturn,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
    overload,
)

from .types import AnalysisResult

T = TypeVar("T")


def to_dict(result: Any) -> dict[str, Any]:
    """A dataclass (an :class:`AnalysisResult`, a :class:`Comparison`, …) as plain dicts, lists,
    strings, numbers, booleans and None."""
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        raise TypeError(f"not a dataclass instance: {result!r}")
    value = _dumper(type(result))(result)
    assert isinstance(value, dict)
    return value


# The lists stored as rows under their column names by to_snapshot.
_TABULAR = ("people", "tasks")


def to_snapshot(result: AnalysisResult) -> dict[str, Any]:
    """:func:`to_dict` with the people and tasks as ``{"columns": [...], "rows": [[...], ...]}``
    (the cached analysis: see the module docstring)."""
    value = to_dict(result)
    for name in _TABULAR:
        items = value[name]
        columns = list(items[0]) if items else []
        value[name] = {"columns": columns, "rows": [list(item.values()) for item in items]}
    return value


def from_snapshot(data: dict[str, Any]) -> AnalysisResult:
    """The :class:`AnalysisResult` :func:`to_snapshot` stored (or :func:`to_dict`: a snapshot
    written before the rows layout reads as well)."""
    if not isinstance(data, dict):
        _fail("an object", data)
    unpacked = dict(data)
    for name in _TABULAR:
        table = data.get(name)
        if isinstance(table, dict):
            columns, rows = table.get("columns"), table.get("rows")
            if not isinstance(columns, list) or not isinstance(rows, list):
                _fail(f"columns and rows for {name}", table)
            unpacked[name] = [dict(zip(columns, row, strict=True)) for row in rows]
    return from_dict(unpacked)


# A dumper per type hint, built once like the loaders below: walking every value's class at run
# time (dataclasses.fields per item) made writing a 10,000-person result take 0.3 s.
Dumper = Callable[[Any], Any]


def _same(v: Any) -> Any:
    return v


def _finite(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"not a finite number: {v}")
    return v


@cache
def _dumper(hint: Any) -> Dumper:
    origin, args = get_origin(hint), get_args(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_dumper(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise ValueError(f"unsupported union {hint}")
        inner = _dumper(options[0])
        return _same if inner is _same else (lambda v: None if v is None else inner(v))
    if origin is tuple:
        items = [_dumper(a) for a in args if a is not Ellipsis]
        if all(item is _same for item in items):
            return list  # ids and names: the bulk of a large result
        if len(args) == 2 and args[1] is Ellipsis:
            item = items[0]
            return lambda v: [item(x) for x in v]
        return lambda v: [dump(x) for dump, x in zip(items, v, strict=True)]
    if origin is dict:
        val = _dumper(args[1])
        return lambda v: {str(k): val(x) for k, x in v.items()}
    if hint is float:
        return _finite
    if hint in (int, str, bool) or origin is Literal:
        return _same
    raise ValueError(f"unsupported type {hint}")


def _dataclass_dumper(cls: type) -> Dumper:
    hints = get_type_hints(cls)
    names = tuple(f.name for f in dataclasses.fields(cls))
    fields: list[tuple[str, Dumper]] = []

    def dump(v: Any) -> dict[str, Any]:
        if not fields:  # filled on first use: a dataclass may refer to itself
            fields.extend((n, _dumper(hints[n])) for n in names)
        return {n: f(getattr(v, n)) for n, f in fields}

    return dump


@overload
def from_dict(data: dict[str, Any]) -> AnalysisResult: ...


@overload
def from_dict(data: dict[str, Any], cls: type[T]) -> T: ...


def from_dict(data: dict[str, Any], cls: type[Any] = AnalysisResult) -> Any:
    """Rebuild ``cls`` (by default an :class:`AnalysisResult`) from :func:`to_dict`'s output."""
    return _loader(cls)(data)  # type: ignore[arg-type]  # classes are hashable


# A loader per type hint, built once: the cached analysis of a 10,000-person round holds hundreds
# of thousands of values, and walking the type hints for each of them took a second per request.
Loader = Callable[[Any], Any]


def _fail(what: str, value: Any) -> NoReturn:
    raise ValueError(f"expected {what}, got {value!r:.80}")


@cache
def _loader(hint: Any) -> Loader:
    origin, args = get_origin(hint), get_args(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _dataclass_loader(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        if len(options) != 1:
            raise ValueError(f"unsupported union {hint}")
        inner = _loader(options[0])
        return lambda v: None if v is None else inner(v)
    if origin is Literal:
        allowed = frozenset(args)
        return lambda v: v if v in allowed else _fail(f"one of {sorted(allowed)}", v)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _loader(args[0])
            if args[0] in (int, str):  # ids and names: the bulk of a large result
                kind = args[0]

                def plain(v: Any) -> tuple[Any, ...]:
                    if not isinstance(v, list) or not all(type(x) is kind for x in v):
                        _fail(f"a list of {kind.__name__}", v)
                    return tuple(v)

                return plain
            return lambda v: tuple(map(item, v)) if isinstance(v, list) else _fail("a list", v)
        items = [_loader(a) for a in args]

        def fixed(v: Any) -> tuple[Any, ...]:
            if not isinstance(v, list) or len(v) != len(items):
                _fail(f"a list of {len(items)} items", v)
            return tuple(load(x) for load, x in zip(items, v, strict=True))

        return fixed
    if origin is dict:
        key, val = _loader(args[0]), _loader(args[1])
        return lambda v: ({key(k): val(x) for k, x in v.items()} if isinstance(v, dict)
                          else _fail("an object", v))
    if hint is bool:
        return lambda v: v if isinstance(v, bool) else _fail("a boolean", v)
    if hint is int:
        def integer(v: Any) -> int:
            if type(v) is int:
                return v
            if isinstance(v, bool) or not isinstance(v, float) or v != int(v):
                _fail("an integer", v)
            return int(v)

        return integer
    if hint is float:
        def number(v: Any) -> float:
            if type(v) is float:
                return v
            if isinstance(v, bool) or not isinstance(v, int):
                _fail("a number", v)
            return float(v)

        return number
    if hint is str:
        return lambda v: v if isinstance(v, str) else _fail("a string", v)
    raise ValueError(f"unsupported type {hint}")


def _dataclass_loader(cls: type) -> Loader:
    hints = get_type_hints(cls)
    names = tuple(f.name for f in dataclasses.fields(cls))
    expected = frozenset(names)
    fields: list[tuple[str, Loader]] = []

    def load(v: Any) -> Any:
        if not fields:  # filled on first use: a dataclass may refer to itself
            fields.extend((n, _loader(hints[n])) for n in names)
        if not isinstance(v, dict):
            _fail(f"an object for {cls.__name__}", v)
        if v.keys() != expected:
            raise ValueError(f"{cls.__name__}: missing {sorted(expected - v.keys())}, "
                             f"unknown {sorted(v.keys() - expected)}")
        return cls(**{n: f(v[n]) for n, f in fields})

    return load
