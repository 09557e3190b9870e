"""The business calendar: pure date arithmetic, no database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from somu.rules.calendar import BusinessCalendar, CalendarError, build_calendar

D = dt.date
CAL = BusinessCalendar()  # 土日, national holidays, 12/29–1/3


def test_an_ordinary_weekday_is_a_business_day():
    assert CAL.is_business_day(D(2025, 11, 25))  # Tuesday
    assert CAL.holiday_reason(D(2025, 11, 25)) is None


def test_weekends_are_not_business_days():
    assert not CAL.is_business_day(D(2025, 11, 22))  # Saturday
    assert not CAL.is_business_day(D(2025, 11, 23))  # Sunday (勤労感謝の日 too)
    assert CAL.holiday_reason(D(2025, 11, 29)) == "週休日"


def test_a_substitute_holiday_after_a_sunday_holiday_is_not_a_business_day():
    # 勤労感謝の日 2025-11-23 falls on a Sunday, so Monday 11/24 is 振替休日.
    assert not CAL.is_business_day(D(2025, 11, 24))
    assert CAL.holiday_reason(D(2025, 11, 24)) == "振替休日"


def test_golden_week_2026_ends_with_a_substitute_holiday_on_wednesday():
    # 憲法記念日 5/3 is a Sunday; 5/4 and 5/5 are holidays already, so the 振替休日 is 5/6.
    assert not CAL.is_business_day(D(2026, 5, 6))
    assert CAL.holiday_reason(D(2026, 5, 6)) == "振替休日"
    assert CAL.next_business_day(D(2026, 5, 2)) == D(2026, 5, 7)


def test_a_day_between_two_national_holidays_is_a_citizens_holiday():
    # 敬老の日 9/21 and 秋分の日 9/23 2026 enclose Tuesday 9/22: 国民の休日.
    assert CAL.holiday_reason(D(2026, 9, 22)) == "国民の休日"
    assert CAL.add_business_days(D(2026, 9, 18), 1) == D(2026, 9, 24)


def test_next_business_day_includes_the_day_itself_unless_told_otherwise():
    assert CAL.next_business_day(D(2025, 11, 25)) == D(2025, 11, 25)
    assert CAL.next_business_day(D(2025, 11, 25), include_self=False) == D(2025, 11, 26)
    assert CAL.next_business_day(D(2025, 11, 22)) == D(2025, 11, 25)  # Sat → past 振替休日


def test_previous_business_day_skips_weekends_and_holidays_backwards():
    assert CAL.previous_business_day(D(2025, 11, 24)) == D(2025, 11, 21)
    assert CAL.previous_business_day(D(2025, 11, 25), include_self=False) == D(2025, 11, 21)
    assert CAL.previous_business_day(D(2026, 1, 4)) == D(2025, 12, 26)


def test_adding_one_business_day_on_friday_gives_monday():
    assert CAL.add_business_days(D(2025, 12, 5), 1) == D(2025, 12, 8)


def test_adding_zero_business_days_returns_the_day_unchanged():
    assert CAL.add_business_days(D(2025, 11, 22), 0) == D(2025, 11, 22)


def test_adding_business_days_over_the_year_end_skips_the_company_holidays():
    # By hand: 2025-12-28 is a Sunday; 12/29–1/3 are company holidays (1/1 also 元日) and
    # 2026-01-04 is a Sunday, so the first business day after it is Monday 2026-01-05.
    assert CAL.add_business_days(D(2025, 12, 28), 1) == D(2026, 1, 5)
    # By hand: 2026-12-28 is a Monday; 12/29–1/3 are off, 2027-01-04 is a Monday: that day.
    assert CAL.add_business_days(D(2026, 12, 28), 1) == D(2027, 1, 4)
    # By hand: 2027-12-28 is a Tuesday; 12/29–1/3 are off, 2028-01-04 is a Tuesday.
    assert CAL.add_business_days(D(2027, 12, 28), 1) == D(2028, 1, 4)
    # Two business days after Friday 2025-12-26: Mon 1/5 is the first, Tue 1/6 the second.
    assert CAL.add_business_days(D(2025, 12, 26), 2) == D(2026, 1, 6)


def test_subtracting_business_days_goes_back_over_the_year_end():
    assert CAL.subtract_business_days(D(2026, 1, 5), 1) == D(2025, 12, 26)
    assert CAL.add_business_days(D(2026, 1, 5), -1) == D(2025, 12, 26)
    assert CAL.subtract_business_days(D(2025, 11, 25), 2) == D(2025, 11, 20)


def test_business_days_between_counts_the_half_open_range():
    # [11/17 Mon, 11/28 Fri): 11/17–21 and 11/25–27; 11/22–24 are Sat, Sun and 振替休日.
    assert CAL.business_days_between(D(2025, 11, 17), D(2025, 11, 28)) == 8
    assert CAL.business_days_between(D(2025, 11, 28), D(2025, 11, 17)) == -8
    assert CAL.business_days_between(D(2025, 11, 17), D(2025, 11, 17)) == 0


def test_the_year_2026_has_the_expected_number_of_business_days():
    # By hand: 365 days − 104 weekend days (1/1 is a Thursday) − 17 national holidays on weekdays
    # (1/1, 1/12, 2/11, 2/23, 3/20, 4/29, 5/4, 5/5, 5/6 振替, 7/20, 8/11, 9/21, 9/22 国民の休日,
    # 9/23, 10/12, 11/3, 11/23) − company holidays 12/29–12/31 (Tue–Thu) and 1/2 (Fri); 1/1 is
    # already 元日 and 1/3 a Saturday.
    non_business = CAL.non_business_days(2026)
    assert len(non_business) == 365 - CAL.business_days_between(D(2026, 1, 1), D(2027, 1, 1))
    assert CAL.business_days_between(D(2026, 1, 1), D(2027, 1, 1)) == 365 - 104 - 17 - 4


def test_non_business_days_name_the_reason():
    reasons = dict(CAL.non_business_days(2026))
    assert reasons[D(2026, 1, 1)] == "元日"
    assert reasons[D(2026, 1, 2)] == "会社休日"
    assert reasons[D(2026, 5, 6)] == "振替休日"
    assert reasons[D(2026, 9, 22)] == "国民の休日"
    assert reasons[D(2026, 1, 10)] == "週休日"
    assert D(2026, 1, 5) not in reasons


def test_the_third_business_day_of_january_comes_after_the_new_year_holidays():
    assert CAL.nth_business_day_of_month(2026, 1, 1) == D(2026, 1, 5)
    assert CAL.nth_business_day_of_month(2026, 1, 3) == D(2026, 1, 7)
    assert CAL.nth_business_day_of_month(2026, 5, 1) == D(2026, 5, 1)
    assert CAL.nth_business_day_of_month(2026, 5, 2) == D(2026, 5, 7)


def test_asking_for_more_business_days_than_a_month_has_is_an_error():
    with pytest.raises(CalendarError, match="fewer than 25 business days"):
        CAL.nth_business_day_of_month(2026, 2, 25)
    with pytest.raises(CalendarError):
        CAL.nth_business_day_of_month(2026, 2, 0)


def test_custom_weekend_days_replace_saturday_and_sunday():
    # A shop open on weekends, closed Tuesday and Wednesday.
    cal = build_calendar(weekend_days=[1, 2])
    assert cal.is_business_day(D(2025, 12, 6))  # Saturday
    assert not cal.is_business_day(D(2025, 12, 9))  # Tuesday
    assert cal.add_business_days(D(2025, 12, 8), 1) == D(2025, 12, 11)  # Mon → Thu
    # Without annual holidays configured, 12/29–1/3 are not special; 1/1 is still 元日.
    assert cal.is_business_day(D(2025, 12, 29))
    assert not cal.is_business_day(D(2026, 1, 1))


def test_a_one_off_company_holiday_is_not_a_business_day_that_year_only():
    cal = build_calendar(annual=[(12, 29, "年末休暇")], one_off=[(D(2026, 6, 15), "創立記念日")])
    assert cal.holiday_reason(D(2026, 6, 15)) == "創立記念日"
    assert cal.is_business_day(D(2027, 6, 15))
    assert cal.holiday_reason(D(2026, 12, 29)) == "年末休暇"
    assert cal.add_business_days(D(2026, 6, 12), 1) == D(2026, 6, 16)


def test_a_calendar_without_any_business_day_raises_instead_of_looping():
    cal = build_calendar(weekend_days=range(7))
    with pytest.raises(CalendarError, match="No business day"):
        cal.next_business_day(D(2026, 1, 1))
    with pytest.raises(CalendarError):
        cal.previous_business_day(D(2026, 1, 1))
    with pytest.raises(CalendarError):
        cal.add_business_days(D(2026, 1, 1), 1)


dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2060, 12, 31))
counts = st.integers(min_value=1, max_value=60)


@given(day=dates, n=counts)
def test_adding_then_subtracting_returns_the_start_rolled_back_to_a_business_day(day, n):
    result = CAL.subtract_business_days(CAL.add_business_days(day, n), n)
    assert result == CAL.previous_business_day(day)


@given(day=dates, n=counts)
def test_the_business_days_between_a_business_day_and_n_later_are_n(day, n):
    start = CAL.next_business_day(day)
    end = CAL.add_business_days(start, n)
    assert CAL.is_business_day(end)
    assert CAL.business_days_between(start, end) == n
    assert CAL.business_days_between(end, start) == -n
