"""Recurring schedules on the business calendar: 第n営業日, yearly dates, weekly runs."""

import datetime as dt

import pytest

from somu.rules.calendar import BusinessCalendar, CalendarError
from somu.rules.recurrence import (
    Recurrence,
    next_occurrence,
    occurrences_between,
    parse_recurrence,
    recurrence_dict,
)

CAL = BusinessCalendar()


def d(text):
    return dt.date.fromisoformat(text)


def between(rule, start, end):
    dates = occurrences_between(parse_recurrence(rule), d(start), d(end), CAL)
    return [x.isoformat() for x in dates]


def test_monthly_closing_on_the_third_business_day_of_every_month_of_2026_and_2027():
    assert between({"kind": "monthly_business_day", "n": 3}, "2026-01-01", "2027-12-31") == [
        "2026-01-07",  # 1/1–1/3 年始, 1/4 Sunday
        "2026-02-04", "2026-03-04", "2026-04-03",
        "2026-05-08",  # 5/1, then ゴールデンウィーク until the 振替休日 5/6
        "2026-06-03", "2026-07-03", "2026-08-05", "2026-09-03", "2026-10-05",
        "2026-11-05",  # 11/3 文化の日
        "2026-12-03",
        "2027-01-06", "2027-02-03", "2027-03-03", "2027-04-05",
        "2027-05-10",  # 5/3–5/5 holidays after a weekend
        "2027-06-03", "2027-07-05", "2027-08-04", "2027-09-03", "2027-10-05", "2027-11-04",
        "2027-12-03",
    ]


def test_the_last_business_day_of_the_month_counts_back_from_the_end():
    assert between({"kind": "monthly_business_day", "n": -1}, "2026-01-01", "2026-12-31") == [
        "2026-01-30", "2026-02-27", "2026-03-31", "2026-04-30", "2026-05-29", "2026-06-30",
        "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-30", "2026-11-30",
        "2026-12-28",  # 12/29–12/31 are company holidays
    ]
    assert between({"kind": "monthly_business_day", "n": -2}, "2026-05-01", "2026-05-31") == [
        "2026-05-28"
    ]


def test_a_month_with_too_few_business_days_raises_a_calendar_error():
    rule = parse_recurrence({"kind": "monthly_business_day", "n": 20})
    with pytest.raises(CalendarError, match="fewer than 20 business days"):
        next_occurrence(rule, d("2026-01-01"), CAL)


def test_year_end_adjustment_every_november_first():
    rule = {"kind": "yearly", "month": 11, "day": 1}
    assert between(rule, "2026-01-01", "2028-12-31") == ["2026-11-01", "2027-11-01", "2028-11-01"]
    rolled = {**rule, "roll": "next"}
    assert between(rolled, "2026-01-01", "2027-12-31") == ["2026-11-02", "2027-11-01"]


def test_a_yearly_february_29th_falls_on_the_28th_in_common_years():
    assert between({"kind": "yearly", "month": 2, "day": 29}, "2027-01-01", "2028-12-31") == [
        "2027-02-28", "2028-02-29",
    ]


def test_weekly_on_monday_rolls_a_holiday_monday_to_tuesday():
    rule = {"kind": "weekly", "weekday": 0, "roll": "next"}
    assert between(rule, "2026-01-01", "2026-02-28") == [
        "2026-01-05", "2026-01-13",  # 1/12 成人の日
        "2026-01-19", "2026-01-26", "2026-02-02", "2026-02-09", "2026-02-16",
        "2026-02-24",  # 2/23 天皇誕生日
    ]


def test_a_rolled_date_still_counts_for_its_own_week_or_month():
    monday = parse_recurrence({"kind": "weekly", "weekday": "monday", "roll": "next"})
    assert next_occurrence(monday, d("2026-01-13"), CAL) == d("2026-01-13")
    assert next_occurrence(monday, d("2026-01-14"), CAL) == d("2026-01-19")
    # 12/31 rolled forward lands in January; January's own 31st (a Sunday) gives 2/1.
    end = {"kind": "monthly_day", "day": 31, "roll": "next"}
    assert between(end, "2027-01-01", "2027-02-28") == ["2027-01-04", "2027-02-01"]


def test_a_date_rolled_back_before_the_start_goes_to_the_next_period():
    rule = parse_recurrence({"kind": "monthly_day", "day": 25, "roll": "previous"})
    assert next_occurrence(rule, d("2026-01-23"), CAL) == d("2026-01-23")  # 1/25 is a Sunday
    assert next_occurrence(rule, d("2026-01-24"), CAL) == d("2026-02-25")
    first = parse_recurrence({"kind": "monthly_day", "day": 1, "roll": "previous"})
    # January 1st rolls back to 12/28, so after 12/28 the next run is February's.
    assert next_occurrence(first, d("2026-12-29"), CAL) == d("2027-02-01")


def test_monthly_day_clamps_to_the_end_of_short_months():
    assert between({"kind": "monthly_day", "day": 31}, "2026-01-01", "2026-04-30") == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30",
    ]


def test_every_other_friday_from_an_anchor():
    rule = {"kind": "weekly", "weekday": 4, "interval_weeks": 2, "anchor": "2026-01-09"}
    assert between(rule, "2026-01-01", "2026-02-28") == [
        "2026-01-09", "2026-01-23", "2026-02-06", "2026-02-20",
    ]


def test_next_occurrence_includes_the_day_itself():
    rule = parse_recurrence({"kind": "monthly_business_day", "n": 3})
    assert next_occurrence(rule, d("2026-04-03"), CAL) == d("2026-04-03")
    assert next_occurrence(rule, d("2026-04-04"), CAL) == d("2026-05-08")


def test_occurrences_between_an_empty_range_is_empty():
    rule = parse_recurrence({"kind": "weekly", "weekday": 2})
    assert occurrences_between(rule, d("2026-01-08"), d("2026-01-13"), CAL) == []
    assert occurrences_between(rule, d("2026-01-08"), d("2026-01-01"), CAL) == []


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        ({"kind": "monthly_business_day", "n": 3}, Recurrence("monthly_business_day", n=3)),
        ({"kind": "monthly_day", "day": 25, "roll": "previous"},
         Recurrence("monthly_day", day=25, roll="previous")),
        ({"kind": "yearly", "month": 11, "day": 1}, Recurrence("yearly", month=11, day=1)),
        ({"kind": "weekly", "weekday": 0, "roll": "next"},
         Recurrence("weekly", weekday=0, roll="next")),
        ({"kind": "weekly", "weekday": 4, "interval_weeks": 2, "anchor": "2026-01-09"},
         Recurrence("weekly", weekday=4, interval_weeks=2, anchor=d("2026-01-09"))),
    ],
)
def test_the_dict_form_round_trips(data, rule):
    assert parse_recurrence(data) == rule
    assert recurrence_dict(rule) == data


def test_weekday_names_in_english_and_japanese_are_accepted():
    for name in ("friday", "Fri", "金", "金曜日"):
        assert parse_recurrence({"kind": "weekly", "weekday": name}).weekday == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "daily"}, "Unknown recurrence kind 'daily'"),
        ({}, "Unknown recurrence kind None"),
        ({"kind": "monthly_business_day"}, "n is required"),
        ({"kind": "monthly_business_day", "n": 0}, "n must not be 0"),
        ({"kind": "monthly_business_day", "n": 30}, "n must be between -23 and 23"),
        ({"kind": "monthly_business_day", "n": 3, "roll": "next"},
         "'roll' does not apply to a monthly_business_day recurrence"),
        ({"kind": "monthly_day", "day": 0}, "day must be between 1 and 31"),
        ({"kind": "monthly_day", "day": "x"}, "day must be a whole number"),
        ({"kind": "yearly", "month": 2, "day": 30}, "2/30 is not a date"),
        ({"kind": "yearly", "month": 13, "day": 1}, "month must be between 1 and 12"),
        ({"kind": "weekly", "weekday": "funday"}, "weekday must be 0 (Monday) to 6 (Sunday)"),
        ({"kind": "weekly", "weekday": 1, "roll": "later"}, "roll must be one of"),
        ({"kind": "weekly", "weekday": 1, "day": 3}, "'day' does not apply to a weekly"),
        ({"kind": "weekly", "weekday": 1, "anchor": "soon"}, "anchor must be a date"),
    ],
)
def test_invalid_rules_get_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_recurrence(data)
