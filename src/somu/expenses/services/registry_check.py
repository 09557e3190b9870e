"""The インボイス check of a line's 登録番号: the answer of the offline registry
(:func:`somu.expenses.services.registry.lookup`; format and check digit only while none is
imported)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Final

from somu.expenses.services import registry

# Line.registry_status values.
NONE: Final = ""  # no number given
INVALID: Final = "invalid"  # format or check digit wrong
UNCHECKED: Final = "unchecked"  # well-formed; no registry imported to check it against
VALID: Final = "valid"  # registered and valid on the line's date
NOT_REGISTERED: Final = "not_registered"  # not in the registry
NOT_YET: Final = "not_yet"  # registered only after the line's date
CANCELLED: Final = "cancelled"  # cancelled or expired on or before the line's date


def registry_status(number: str, day: dt.date) -> str:
    if not number:
        return NONE
    return registry.lookup(number, day).code


def registry_statuses(items: Sequence[tuple[str, dt.date]]) -> list[str]:
    """:func:`registry_status` of many lines in one registry query (a claim's submission)."""
    asked = [(number, day) for number, day in items if number]
    answers = iter(registry.lookup_many(asked)) if asked else iter(())
    return [next(answers).code if number else NONE for number, _day in items]
