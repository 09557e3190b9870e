"""The API's strict JSON types: which decoded JSON values a field annotation accepts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field

from somu.core.jsontypes import date_text_error, json_type_error
from somu.org.models import EmploymentType


class Nested(BaseModel):
    x: int


@pytest.mark.parametrize(("annotation", "value"), [
    (int, 3), (int, 3.0), (int | None, None), (Annotated[int, Field(ge=1)], 1),
    (bool, False), (str, ""), (dt.date, "2026-04-01"), (dt.date | None, None),
    (dt.datetime, "2026-04-01T09:00:00"), (Decimal, 1), (Decimal, 1.5), (Decimal, "1.50"),
    (float, 2), (EmploymentType, "regular"), (Literal["a", "b"], "b"),
    (list[int], [1, 2]), (dict[str, Any], {"a": [1]}), (Nested, {"x": 1}),
    (int | str, "A001"), (Any, object()),
])
def test_a_value_of_the_declared_kind_is_accepted(annotation, value):
    assert json_type_error(annotation, value) is None


@pytest.mark.parametrize(("annotation", "value", "message"), [
    (dt.date | None, 0, "Expected a date as a string (YYYY-MM-DD) or null, got an integer."),
    (dt.date, "0", "Expected a date as a string (YYYY-MM-DD), got the string '0'."),
    (int, False, "Expected an integer, got a boolean."),
    (int, 1.5, "Expected an integer, got a number."),
    (int, "1", "Expected an integer, got the string '1'."),
    (bool, 1, "Expected true or false, got an integer."),
    (bool, "true", "Expected true or false, got the string 'true'."),
    (str, 10, "Expected a string, got an integer."),
    (str, None, "Expected a string, got null."),
    (Decimal, True, "Expected a number, got a boolean."),
    (EmploymentType, 1, "Expected one of 'regular', 'contract', 'part_time', 'dispatched', "
                        "got an integer."),
    (list[int], [1, "2"], "Expected a list whose items are each an integer, got a list."),
    (Nested, [1], "Expected an object, got a list."),
    (Literal[1], True, "Expected one of 1, got a boolean."),
])
def test_a_value_of_another_kind_is_refused_with_what_was_expected(annotation, value, message):
    assert json_type_error(annotation, value) == message


def test_a_query_date_must_be_written_as_a_date():
    assert date_text_error(dt.date | None, "0") == "Expected a date as a string (YYYY-MM-DD)."
    assert date_text_error(dt.date, "2026-04-01") is None
    assert date_text_error(int, "0") is None
