"""Due-date arithmetic on the Japanese business calendar (holidays, 年末年始, leap years)."""

import datetime as dt

import pytest

from somu.rules.calendar import BusinessCalendar, build_calendar
from somu.rules.due import DueRule, add_months, compute_due

CAL = BusinessCalendar()  # weekends, national holidays, 12/29–1/3


def d(text):
    return dt.date.fromisoformat(text)


def due(rule, start="2026-04-01", calendar=CAL, completed=None, **dates):
    return compute_due(
        rule, start=d(start), dates={k: d(v) if v else None for k, v in dates.items()},
        completed={k: d(v) for k, v in (completed or {}).items()}, calendar=calendar,
    )


def test_business_days_from_the_start_skip_the_weekend():
    # 2026-04-03 is a Friday: 1 business day later is Monday 04-06.
    assert due(DueRule(offset=1), start="2026-04-03") == d("2026-04-06")


def test_business_days_skip_golden_week_and_its_substitute_holiday():
    # 4/29 昭和の日, 5/3–5/5, 5/6 振替休日 (憲法記念日 fell on a Sunday).
    assert due(DueRule(offset=1), start="2026-04-28") == d("2026-04-30")
    assert due(DueRule(offset=3), start="2026-04-28") == d("2026-05-07")


def test_business_days_skip_silver_week_with_its_citizens_holiday():
    # 9/21 敬老の日, 9/22 国民の休日, 9/23 秋分の日 in 2026.
    assert due(DueRule(offset=1), start="2026-09-18") == d("2026-09-24")


def test_business_days_cross_the_year_end_company_holidays():
    # 12/28 (Mon) is the last business day of 2026; 2027 starts on Monday 1/4.
    assert due(DueRule(offset=1), start="2026-12-25") == d("2026-12-28")
    assert due(DueRule(offset=2), start="2026-12-25") == d("2027-01-04")
    assert due(DueRule(offset=-1), start="2027-01-04") == d("2026-12-28")


def test_a_negative_offset_counts_business_days_before_a_date_parameter():
    rule = DueRule(base="給与支給日", offset=-3)
    # Payday Friday 5/8: 5/7, 5/1, then 4/30 (Golden Week is skipped).
    assert due(rule, 給与支給日="2026-05-08") == d("2026-04-30")
    assert due(rule, 給与支給日="2026-05-25") == d("2026-05-20")


def test_calendar_days_then_roll_to_the_previous_business_day():
    rule = DueRule(base="入社日", offset=5, unit="calendar", roll="previous")
    assert due(rule, 入社日="2026-04-01") == d("2026-04-06")
    # 4/25 + 5 = 4/30 (Thu) stays; 4/27 + 5 = 5/2 (Sat) rolls back to 5/1.
    assert due(rule, 入社日="2026-04-25") == d("2026-04-30")
    assert due(rule, 入社日="2026-04-27") == d("2026-05-01")


def test_calendar_days_roll_next_over_the_new_year():
    rule = DueRule(offset=3, unit="calendar", roll="next")
    assert due(rule, start="2026-12-29") == d("2027-01-04")


def test_calendar_days_backwards_roll_previous_over_the_new_year():
    rule = DueRule(offset=-7, unit="calendar", roll="previous")
    assert due(rule, start="2027-01-05") == d("2026-12-28")


def test_no_roll_keeps_a_holiday():
    assert due(DueRule(offset=2, unit="calendar"), start="2026-05-01") == d("2026-05-03")


def test_offset_zero_on_a_holiday_is_rolled_or_kept():
    assert due(DueRule(offset=0), start="2027-01-01") == d("2027-01-01")
    assert due(DueRule(offset=0, roll="next"), start="2027-01-01") == d("2027-01-04")


def test_day_of_month_after_is_the_employment_insurance_deadline():
    # 雇用保険 資格取得届: by the 10th of the month after hire; 2026-05-10 is a Sunday.
    rule = DueRule(base="入社日", kind="day_of_month", day=10, months=1, roll="next")
    assert due(rule, 入社日="2026-04-01") == d("2026-05-11")
    assert due(rule, 入社日="2026-12-15") == d("2027-01-12")  # 1/10 Sun, 1/11 成人の日


def test_day_of_month_clamps_the_31st_to_the_end_of_february():
    rule = DueRule(kind="day_of_month", day=31, months=1)
    assert due(rule, start="2026-01-15") == d("2026-02-28")
    assert due(rule, start="2028-01-15") == d("2028-02-29")  # leap year
    rolled = DueRule(kind="day_of_month", day=31, months=1, roll="next")
    assert due(rolled, start="2026-01-15") == d("2026-03-02")  # 2/28 is a Saturday


def test_day_of_month_can_look_back_a_month_across_the_year():
    rule = DueRule(kind="day_of_month", day=10, months=-1)
    assert due(rule, start="2026-01-20") == d("2025-12-10")


def test_end_of_month_handles_leap_years_and_rolls():
    same = DueRule(kind="end_of_month")
    assert due(same, start="2028-02-03") == d("2028-02-29")
    assert due(same, start="2027-02-03") == d("2027-02-28")
    rolled = DueRule(kind="end_of_month", roll="previous")
    assert due(rolled, start="2027-02-03") == d("2027-02-26")  # 2/28 is a Sunday


def test_end_of_month_of_the_next_month_crosses_the_year_end():
    rule = DueRule(kind="end_of_month", months=1, roll="previous")
    assert due(rule, start="2026-12-15") == d("2027-01-29")  # 1/31 is a Sunday
    december = DueRule(kind="end_of_month", roll="previous")
    assert due(december, start="2026-12-01") == d("2026-12-28")  # 12/29–31 company holidays


def test_a_missing_date_parameter_gives_no_due_date():
    rule = DueRule(base="退職日", offset=5)
    assert due(rule) is None
    assert due(rule, 退職日=None) is None


def test_after_a_step_counts_from_its_completion():
    rule = DueRule(after_step="approve", offset=2)
    assert due(rule) is None
    assert due(rule, completed={"other": "2026-04-30"}) is None
    assert due(rule, completed={"approve": "2026-04-30"}) == d("2026-05-07")


def test_a_completion_timestamp_counts_as_its_date():
    rule = DueRule(after_step="approve", offset=1)
    result = compute_due(
        rule, start=d("2026-04-01"), dates={},
        completed={"approve": dt.datetime(2026, 4, 3, 18, 30)}, calendar=CAL,
    )
    assert result == d("2026-04-06")


def test_company_holidays_of_the_organization_are_skipped():
    founding_day = d("2026-06-01")  # a Monday off for the company's anniversary
    calendar = build_calendar(one_off=[(founding_day, "創立記念日")])
    assert due(DueRule(offset=1), start="2026-05-29", calendar=calendar) == d("2026-06-02")
    assert due(DueRule(offset=1), start="2026-05-29") == d("2026-06-01")


def test_a_calendar_without_year_end_holidays_works_on_december_29():
    calendar = BusinessCalendar(annual_holidays=frozenset())
    assert due(DueRule(offset=1), start="2026-12-28", calendar=calendar) == d("2026-12-29")


@pytest.mark.parametrize(
    ("year", "month", "months", "expected"),
    [(2026, 1, 0, (2026, 1)), (2026, 12, 1, (2027, 1)), (2026, 1, -1, (2025, 12)),
     (2026, 6, 18, (2027, 12)), (2026, 6, -18, (2024, 12))],
)
def test_add_months_wraps_years(year, month, months, expected):
    assert add_months(year, month, months) == expected
