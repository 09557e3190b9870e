"""Which JSON values a field of a request body accepts: the API's types are strict.

pydantic's lax mode reads ``0`` as 1970-01-01, ``false`` as the integer 0 and ``1.0`` as 1. A
client that sends those has a bug it should hear about, not a record quietly saved with a guess.
``json_type_error`` says whether a decoded JSON value has the kind the field's annotation
declares; the value itself (a date's format, a number's range) is still pydantic's to check.
No Django imports: pure, and testable on its own.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

_LISTS = (list, tuple, set, frozenset, Sequence)
# pydantic also reads "0" or "1700000000" as a date (seconds since 1970): only ISO 8601 is a date.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def json_type_error(annotation: Any, value: Any) -> str | None:
    """A message when ``value`` (decoded JSON) cannot be ``annotation``; None when it can."""
    if _accepts(annotation, value):
        return None
    return f"Expected {_describe(annotation)}, got {_json_kind(value)}."


def date_text_error(annotation: Any, value: Any) -> str | None:
    """For query parameters (always text): a message when a date is not written YYYY-MM-DD."""
    if isinstance(value, str) and _is_date(annotation) and not _ISO_DATE.fullmatch(value):
        return "Expected a date as a string (YYYY-MM-DD)."
    return None


def _is_date(annotation: Any) -> bool:
    if get_origin(annotation) in (Annotated, Union, types.UnionType):
        return any(_is_date(arg) for arg in get_args(annotation))
    return annotation is dt.date


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _accepts(annotation: Any, value: Any) -> bool:
    if annotation is Any or annotation is object:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _accepts(args[0], value)
    if origin is Union or origin is types.UnionType:
        return any(_accepts(arg, value) for arg in args)
    if origin is Literal:
        return any(type(value) is type(lit) and value == lit for lit in args)
    if origin is not None:
        if isinstance(origin, type) and issubclass(origin, Mapping):
            return isinstance(value, dict) and (
                len(args) < 2 or all(_accepts(args[1], v) for v in value.values()))
        if isinstance(origin, type) and issubclass(origin, _LISTS):
            if not isinstance(value, list):
                return False
            if origin is tuple and args and args[-1] is not Ellipsis:
                return len(value) == len(args) and all(map(_accepts, args, value))
            return not args or all(_accepts(args[0], item) for item in value)
        return True
    if not isinstance(annotation, type):
        return True
    return _accepts_type(annotation, value)


def _accepts_type(annotation: type, value: Any) -> bool:
    if issubclass(annotation, enum.Enum):
        return any(type(value) is type(member.value) for member in annotation)
    if issubclass(annotation, bool):
        return isinstance(value, bool)
    if issubclass(annotation, int):
        # JSON has one number type: 2.0 is the integer 2 (JSON Schema agrees), 2.5 is not.
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer())
    if issubclass(annotation, float):
        return _is_number(value)
    if issubclass(annotation, Decimal):
        # Amounts may come as text ("1234.50") so that no client rounds them through a float.
        return _is_number(value) or isinstance(value, str)
    if issubclass(annotation, str):
        return isinstance(value, str)
    if issubclass(annotation, dt.datetime | dt.time | dt.timedelta):
        return isinstance(value, str)
    if issubclass(annotation, dt.date):
        return isinstance(value, str) and _ISO_DATE.fullmatch(value) is not None
    if issubclass(annotation, BaseModel | dict):
        return isinstance(value, dict)
    if issubclass(annotation, list | tuple | set | frozenset):
        return isinstance(value, list)
    return True


def _describe(annotation: Any) -> str:
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _describe(args[0])
    if origin is Union or origin is types.UnionType:
        return " or ".join(dict.fromkeys(_describe(arg) for arg in args))
    if annotation is None or annotation is type(None):
        return "null"
    if origin is Literal:
        return "one of " + ", ".join(repr(lit) for lit in args)
    if origin is not None:
        if isinstance(origin, type) and issubclass(origin, Mapping):
            return "an object"
        if len(args) == 1 or (len(args) == 2 and args[1] is Ellipsis):
            return f"a list whose items are each {_describe(args[0])}"
        return "a list"
    if not isinstance(annotation, type):
        return "a value"
    return _describe_type(annotation)


def _describe_type(annotation: type) -> str:
    if issubclass(annotation, enum.Enum):
        return "one of " + ", ".join(repr(member.value) for member in annotation)
    if issubclass(annotation, bool):
        return "true or false"
    if issubclass(annotation, int):
        return "an integer"
    if issubclass(annotation, float | Decimal):
        return "a number"
    if issubclass(annotation, str):
        return "a string"
    if issubclass(annotation, dt.datetime):
        return "a date and time as a string (YYYY-MM-DDTHH:MM:SS)"
    if issubclass(annotation, dt.date):
        return "a date as a string (YYYY-MM-DD)"
    if issubclass(annotation, dt.time):
        return "a time as a string (HH:MM)"
    if issubclass(annotation, BaseModel | dict):
        return "an object"
    if issubclass(annotation, list | tuple | set | frozenset):
        return "a list"
    return "a value"


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return f"the string {value[:20]!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
