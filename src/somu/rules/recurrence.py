"""When a schedule launches its runs: 第3営業日 monthly, 11/1 yearly, every Monday…

A :class:`Recurrence` is stored as its dict (:func:`recurrence_dict`) in ``Schedule.rule``::

    {kind: monthly_business_day, n: 3}                  # 月次決算: 3rd business day
    {kind: monthly_business_day, n: -1}                 # last business day of the month
    {kind: monthly_day, day: 25, roll: previous}        # 25th, earlier when a holiday
    {kind: yearly, month: 11, day: 1, roll: next}       # 年末調整 on 11/1
    {kind: weekly, weekday: 0, roll: next}              # every Monday (Tuesday after a holiday)
    {kind: weekly, weekday: 4, interval_weeks: 2, anchor: 2026-01-09}   # every other Friday
"""

from __future__ import annotations

import calendar as _months
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from somu.rules.calendar import BusinessCalendar, CalendarError
from somu.rules.due import ROLLS, Roll, roll

RecurrenceKind = Literal["monthly_business_day", "monthly_day", "yearly", "weekly"]
KINDS: Final[tuple[str, ...]] = ("monthly_business_day", "monthly_day", "yearly", "weekly")
WEEKDAYS: Final[tuple[str, ...]] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
_JA_WEEKDAYS: Final = "月火水木金土日"
# Weeks of an every-n-weeks schedule without an anchor are counted from this Monday.
EPOCH_MONDAY: Final = dt.date(2001, 1, 1)
# The fields each kind uses (besides kind and roll).
_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "monthly_business_day": ("n",),
    "monthly_day": ("day", "roll"),
    "yearly": ("month", "day", "roll"),
    "weekly": ("weekday", "roll", "interval_weeks", "anchor"),
}
_MAX_PERIODS: Final = 1200


@dataclass(frozen=True)
class Recurrence:
    """A schedule's rule. Fields not used by ``kind`` stay at their defaults."""

    kind: RecurrenceKind
    n: int = 0  # monthly_business_day: 第n営業日; negative counts from the end (-1 = 最終営業日)
    day: int = 0  # monthly_day, yearly: day of the month (clamped to the month's last day)
    month: int = 0  # yearly: 1–12
    weekday: int = 0  # weekly: 0 = Monday … 6 = Sunday
    roll: Roll = "none"  # a date that is not a business day moves (or stays)
    interval_weeks: int = 1  # weekly: every n weeks
    anchor: dt.date | None = None  # weekly every n weeks: a day in a week that has a run


def parse_recurrence(data: Mapping[str, Any]) -> Recurrence:
    """The recurrence for its dict form; ValueError with a clear message when it is invalid."""
    if not isinstance(data, Mapping):
        raise ValueError("The recurrence must be a mapping with a kind.")
    kind = data.get("kind")
    if kind not in KINDS:
        raise ValueError(f"Unknown recurrence kind {kind!r}: use one of {', '.join(KINDS)}.")
    allowed = ("kind", *_FIELDS[kind])
    for name in data:
        if name not in allowed:
            raise ValueError(f"{name!r} does not apply to a {kind} recurrence.")
    rule_roll = data.get("roll", "none")
    if rule_roll not in ROLLS:
        raise ValueError(f"roll must be one of {', '.join(ROLLS)}, not {rule_roll!r}.")
    if kind == "monthly_business_day":
        n = _int(data, "n", -23, 23, required=True)
        if n == 0:
            raise ValueError("n must not be 0: 1 is the first business day, -1 the last.")
        return Recurrence("monthly_business_day", n=n)
    if kind == "monthly_day":
        return Recurrence("monthly_day", day=_int(data, "day", 1, 31, required=True),
                          roll=rule_roll)
    if kind == "yearly":
        month = _int(data, "month", 1, 12, required=True)
        day = _int(data, "day", 1, 31, required=True)
        if day > _months.monthrange(2024, month)[1]:  # 2024: a leap year, so 2/29 is fine
            raise ValueError(f"{month}/{day} is not a date.")
        return Recurrence("yearly", month=month, day=day, roll=rule_roll)
    interval = _int(data, "interval_weeks", 1, 52, required=False) or 1
    anchor = data.get("anchor")
    if anchor is not None and not isinstance(anchor, dt.date):
        try:
            anchor = dt.date.fromisoformat(str(anchor))
        except ValueError:
            raise ValueError(f"anchor must be a date like 2026-01-05, not {anchor!r}.") from None
    return Recurrence("weekly", weekday=_weekday(data.get("weekday")), roll=rule_roll,
                      interval_weeks=interval, anchor=anchor)


def _int(data: Mapping[str, Any], name: str, low: int, high: int, *, required: bool) -> int:
    value = data.get(name)
    if value is None:
        if required:
            raise ValueError(f"{name} is required.")
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {value!r}.") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}.")
    return value


def _weekday(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        for i, name in enumerate(WEEKDAYS):
            if text in (name, name[:3]) or text in (_JA_WEEKDAYS[i], _JA_WEEKDAYS[i] + "曜日"):
                return i
    raise ValueError(
        f"weekday must be 0 (Monday) to 6 (Sunday) or a name such as monday, not {value!r}."
    )


def recurrence_dict(rule: Recurrence) -> dict[str, Any]:
    """The JSON form stored in ``Schedule.rule`` (only the fields the kind uses)."""
    out: dict[str, Any] = {"kind": rule.kind}
    if rule.kind == "monthly_business_day":
        out["n"] = rule.n
    elif rule.kind == "monthly_day":
        out["day"] = rule.day
    elif rule.kind == "yearly":
        out["month"], out["day"] = rule.month, rule.day
    else:
        out["weekday"] = rule.weekday
        if rule.interval_weeks != 1:
            out["interval_weeks"] = rule.interval_weeks
        if rule.anchor is not None:
            out["anchor"] = rule.anchor.isoformat()
    if rule.roll != "none":
        out["roll"] = rule.roll
    return out


# --- occurrences -------------------------------------------------------------------------------

def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, _months.monthrange(year, month)[1])


def _business_day_of_month(year: int, month: int, n: int, calendar: BusinessCalendar) -> dt.date:
    if n > 0:
        return calendar.nth_business_day_of_month(year, month, n)
    day = calendar.subtract_business_days(calendar.previous_business_day(_last_day(year, month)),
                                          -n - 1)
    if (day.year, day.month) != (year, month):
        raise CalendarError(f"{year}-{month:02d} has fewer than {-n} business days.")
    return day


def _monthly(
    rule: Recurrence, calendar: BusinessCalendar
) -> Callable[[int], dt.date]:
    def candidate(index: int) -> dt.date:  # index = year * 12 + month - 1
        year, month = divmod(index, 12)
        month += 1
        if rule.kind == "monthly_business_day":
            return _business_day_of_month(year, month, rule.n, calendar)
        day = dt.date(year, month, min(rule.day, _months.monthrange(year, month)[1]))
        return roll(day, rule.roll, calendar)

    return candidate


def _yearly(rule: Recurrence, calendar: BusinessCalendar) -> Callable[[int], dt.date]:
    def candidate(year: int) -> dt.date:
        # 2/29 falls on 2/28 in common years.
        day = dt.date(year, rule.month, min(rule.day, _months.monthrange(year, rule.month)[1]))
        return roll(day, rule.roll, calendar)

    return candidate


def _weekly(rule: Recurrence, calendar: BusinessCalendar) -> Callable[[int], dt.date | None]:
    anchor = rule.anchor or EPOCH_MONDAY
    anchor_week = (anchor - EPOCH_MONDAY).days // 7

    def candidate(week: int) -> dt.date | None:  # week = weeks since EPOCH_MONDAY
        if (week - anchor_week) % rule.interval_weeks:
            return None
        day = EPOCH_MONDAY + dt.timedelta(weeks=week, days=rule.weekday)
        return roll(day, rule.roll, calendar)

    return candidate


def next_occurrence(rule: Recurrence, on_or_after: dt.date, calendar: BusinessCalendar) -> dt.date:
    """The first date on or after ``on_or_after`` on which the schedule launches.

    A rolled date belongs to its period (a 1/1 rolled back to 12/28 is January's run): periods
    are tried from the one before ``on_or_after``'s, so a date rolled forward across the
    period boundary is found, and one rolled back before ``on_or_after`` is passed over.
    Raises CalendarError when a month has fewer business days than the rule asks for.
    """
    candidate: Callable[[int], dt.date | None]
    if rule.kind in ("monthly_business_day", "monthly_day"):
        candidate, first = _monthly(rule, calendar), on_or_after.year * 12 + on_or_after.month - 2
    elif rule.kind == "yearly":
        candidate, first = _yearly(rule, calendar), on_or_after.year - 1
    else:
        candidate, first = _weekly(rule, calendar), (on_or_after - EPOCH_MONDAY).days // 7 - 1
    for period in range(first, first + _MAX_PERIODS):
        day = candidate(period)
        if day is not None and day >= on_or_after:
            return day
    raise CalendarError(f"No occurrence of {recurrence_dict(rule)} after {on_or_after}.")


def occurrences_between(
    rule: Recurrence, start: dt.date, end: dt.date, calendar: BusinessCalendar
) -> list[dt.date]:
    """Every occurrence in [start, end], in order (e.g. a year of schedule for a preview)."""
    out: list[dt.date] = []
    current = start
    while current <= end:
        day = next_occurrence(rule, current, calendar)
        if day > end:
            break
        out.append(day)
        current = day + dt.timedelta(days=1)
    return out
