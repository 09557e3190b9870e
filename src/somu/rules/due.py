"""Due dates: a :class:`DueRule` applied on the organization's business calendar.

Examples of the rules Japanese back-office work needs::

    {from: 入社日, offset: 5, unit: calendar, roll: previous}   # 資格取得届: 5 days after hire
    {from: 入社日, day_of_month: 10, months: 1}                 # 雇用保険: 翌月10日
    {from: 給与支給日, offset: -3}                              # 3 business days before payday
    {from: start, end_of_month: true}                          # 月末
    {after: approve, offset: 2}                                # 2 business days after approval
"""

from __future__ import annotations

import calendar as _months
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, Literal

from somu.rules.calendar import BusinessCalendar

Unit = Literal["business", "calendar"]
Roll = Literal["none", "previous", "next"]
ROLLS: Final[tuple[str, ...]] = ("none", "previous", "next")
DueKind = Literal["offset", "end_of_month", "day_of_month"]
START: Final = "start"  # the due-rule base meaning the run's start date


@dataclass(frozen=True)
class DueRule:
    """When a step is due.

    ``base`` is "start" (the run's start date), a date parameter's key, or — with
    ``after_step`` — the completion date of that predecessor step (then the due date is known
    only once it completes). ``kind``:

    - ``offset``: base ± ``offset`` days in ``unit`` (business or calendar days);
    - ``end_of_month``: the last day of the month ``months`` after base's month (0 = same);
    - ``day_of_month``: day ``day`` of the month ``months`` after base's month (clamped to the
      month's end), e.g. 翌月10日 = {day: 10, months: 1}.

    Then ``roll``: a result that is not a business day moves to the previous or next business
    day, or stays (``none``).
    """

    base: str = START
    after_step: str = ""
    kind: DueKind = "offset"
    offset: int = 0
    unit: Unit = "business"
    months: int = 0
    day: int = 0
    roll: Roll = "none"


def base_date(
    rule: DueRule,
    *,
    start: dt.date,
    dates: Mapping[str, dt.date | None],
    completed: Mapping[str, dt.date] | None = None,
) -> dt.date | None:
    """The date the rule counts from, or None when it is not known (yet)."""
    if rule.after_step:
        base = (completed or {}).get(rule.after_step)
    elif rule.base == START:
        base = start
    else:
        base = dates.get(rule.base)
    if isinstance(base, dt.datetime):
        return base.date()
    return base


def compute_due(
    rule: DueRule,
    *,
    start: dt.date,
    dates: Mapping[str, dt.date | None],
    completed: Mapping[str, dt.date] | None = None,
    calendar: BusinessCalendar,
) -> dt.date | None:
    """The due date ``rule`` gives, or None while its base date is unknown.

    ``start`` is the run's start date, ``dates`` the run's date parameters by key, and
    ``completed`` the completion dates of its finished steps by key (for ``after`` rules).
    """
    base = base_date(rule, start=start, dates=dates, completed=completed)
    if base is None:
        return None
    return due_from_base(rule, base, calendar)


# Launching thousands of runs repeats the same few (rule, base date) pairs; the calendar walk
# is the only non-trivial cost, so it is memoized. Rules and calendars are frozen (hashable).
@lru_cache(maxsize=8192)
def due_from_base(rule: DueRule, base: dt.date, calendar: BusinessCalendar) -> dt.date:
    """The due date for a known base date: the shift, then the roll."""
    if rule.kind == "end_of_month":
        year, month = add_months(base.year, base.month, rule.months)
        day = dt.date(year, month, _months.monthrange(year, month)[1])
    elif rule.kind == "day_of_month":
        year, month = add_months(base.year, base.month, rule.months)
        day = dt.date(year, month, min(max(rule.day, 1), _months.monthrange(year, month)[1]))
    elif rule.unit == "business":
        day = calendar.add_business_days(base, rule.offset)
    else:
        day = base + dt.timedelta(days=rule.offset)
    return roll(day, rule.roll, calendar)


def roll(day: dt.date, how: str, calendar: BusinessCalendar) -> dt.date:
    """``day`` moved to the previous or next business day when it is not one (or kept)."""
    if how == "previous":
        return calendar.previous_business_day(day)
    if how == "next":
        return calendar.next_business_day(day)
    return day


def add_months(year: int, month: int, months: int) -> tuple[int, int]:
    """(year, month) ``months`` after the given month (negative: before)."""
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1
