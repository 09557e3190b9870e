"""Japanese business-day arithmetic. Pure Python: no Django, no database.

A :class:`BusinessCalendar` knows the weekend days, Japan's national holidays (振替休日 and 国民の
休日 included, from the maintained ``holidays`` package) and the organization's own company
holidays (年末年始 12/29–1/3 by default). Every due date in somu is computed through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

import holidays

SATURDAY: Final = 5
SUNDAY: Final = 6
DEFAULT_WEEKEND: Final = frozenset({SATURDAY, SUNDAY})
# 年末年始: the default company holidays of most Japanese offices.
DEFAULT_YEAR_END: Final = frozenset({(12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3)})
_ONE_DAY: Final = dt.timedelta(days=1)
# A calendar whose every day is a holiday would make "next business day" loop forever.
_MAX_SCAN_DAYS: Final = 3660


class CalendarError(ValueError):
    """The calendar cannot answer, e.g. no business day exists within ten years."""


@lru_cache(maxsize=256)
def _national_holidays(year: int) -> dict[dt.date, str]:
    return dict(holidays.country_holidays("JP", years=year, language="ja").items())


def national_holiday_name(day: dt.date) -> str | None:
    return _national_holidays(day.year).get(day)


@dataclass(frozen=True)
class BusinessCalendar:
    """Which days are business days (営業日) for one organization."""

    weekend_days: frozenset[int] = DEFAULT_WEEKEND
    # Recurring company holidays as (month, day); e.g. (12, 29) for every 29 December.
    annual_holidays: frozenset[tuple[int, int]] = DEFAULT_YEAR_END
    # One-off company holidays (a 創立記念日 in one year, a move, …).
    extra_holidays: frozenset[dt.date] = frozenset()
    holiday_names: dict[object, str] = field(default_factory=dict, compare=False, hash=False)

    def holiday_reason(self, day: dt.date) -> str | None:
        """Why ``day`` is not a business day (holiday name or "weekend"), or None."""
        if (name := national_holiday_name(day)) is not None:
            return name
        if day in self.extra_holidays:
            return self.holiday_names.get(day, "会社休日")
        if (day.month, day.day) in self.annual_holidays:
            return self.holiday_names.get((day.month, day.day), "会社休日")
        if day.weekday() in self.weekend_days:
            return "週休日"
        return None

    def is_business_day(self, day: dt.date) -> bool:
        return (
            day.weekday() not in self.weekend_days
            and (day.month, day.day) not in self.annual_holidays
            and day not in self.extra_holidays
            and national_holiday_name(day) is None
        )

    def next_business_day(self, day: dt.date, *, include_self: bool = True) -> dt.date:
        """The first business day on or after ``day`` (after it, with include_self=False)."""
        current = day if include_self else day + _ONE_DAY
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_business_day(current):
                return current
            current += _ONE_DAY
        raise CalendarError(f"No business day within ten years after {day}.")

    def previous_business_day(self, day: dt.date, *, include_self: bool = True) -> dt.date:
        """The last business day on or before ``day`` (before it, with include_self=False)."""
        current = day if include_self else day - _ONE_DAY
        for _ in range(_MAX_SCAN_DAYS):
            if self.is_business_day(current):
                return current
            current -= _ONE_DAY
        raise CalendarError(f"No business day within ten years before {day}.")

    def add_business_days(self, day: dt.date, count: int) -> dt.date:
        """Step ``count`` business days from ``day`` (negative: backwards).

        ``day`` itself is not counted, so adding 1 to a Friday gives the next Monday (when it is a
        business day) and adding 0 returns ``day`` unchanged, business day or not.
        """
        current = day
        step = _ONE_DAY if count >= 0 else -_ONE_DAY
        for _ in range(abs(count)):
            current = (
                self.next_business_day(current, include_self=False)
                if step > dt.timedelta(0)
                else self.previous_business_day(current, include_self=False)
            )
        return current

    def subtract_business_days(self, day: dt.date, count: int) -> dt.date:
        return self.add_business_days(day, -count)

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Business days in the half-open range [start, end); negative when end < start."""
        if end < start:
            return -self.business_days_between(end, start)
        return sum(1 for day in _days(start, end) if self.is_business_day(day))

    def nth_business_day_of_month(self, year: int, month: int, n: int) -> dt.date:
        """The n-th business day of a month (n ≥ 1), e.g. 第3営業日 for 月次決算."""
        if n < 1:
            raise CalendarError("n must be 1 or more.")
        first = dt.date(year, month, 1)
        day = self.add_business_days(first - _ONE_DAY, n)
        if day.month != month:
            raise CalendarError(f"{year}-{month:02d} has fewer than {n} business days.")
        return day

    def non_business_days(self, year: int) -> list[tuple[dt.date, str]]:
        """Every day of ``year`` that is not a business day, with the reason."""
        start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        out = []
        for day in _days(start, end):
            reason = self.holiday_reason(day)
            if reason is not None:
                out.append((day, reason))
        return out


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    current = start
    while current < end:
        yield current
        current += _ONE_DAY


def build_calendar(
    *,
    weekend_days: Iterable[int] | None = None,
    annual: Iterable[tuple[int, int, str]] = (),
    one_off: Iterable[tuple[dt.date, str]] = (),
) -> BusinessCalendar:
    """A calendar from stored settings.

    ``annual`` holds (month, day, name) for every year, ``one_off`` holds (date, name).
    """
    annual = list(annual)
    one_off = list(one_off)
    names: dict[object, str] = {(m, d): name for m, d, name in annual}
    names.update({day: name for day, name in one_off})
    return BusinessCalendar(
        weekend_days=DEFAULT_WEEKEND if weekend_days is None else frozenset(weekend_days),
        annual_holidays=frozenset((m, d) for m, d, _ in annual),
        extra_holidays=frozenset(day for day, _ in one_off),
        holiday_names=names,
    )
