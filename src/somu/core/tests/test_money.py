"""Money reads ¥1,234,567 everywhere: one formatter for pages, one Excel format for workbooks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from somu.core.money import YEN_EXCEL_FORMAT, format_yen, format_yen_change


@pytest.mark.parametrize(("value", "shown"), [
    (1234567, "¥1,234,567"), (0, "¥0"), (999, "¥999"), (Decimal("3500.00"), "¥3,500"),
    (12_499.5, "¥12,500"), ("2500", "¥2,500"), (-500, "−¥500"), (None, "—"), ("", "—"),
    ("abc", "—"), (float("nan"), "—"),
])
def test_amounts_are_whole_yen_with_a_yen_sign_and_thousands_commas(value, shown):
    assert format_yen(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (1200, "+¥1,200"), (-300, "−¥300"), (0, "±¥0"), (0.4, "±¥0"), (None, "—"),
])
def test_a_change_of_an_amount_carries_its_sign(value, shown):
    assert format_yen_change(value) == shown


def test_the_page_filter_and_the_analysis_filter_are_the_same():
    page = Template("{% load somu %}{{ v|yen }}").render(Context({"v": 747500}))
    analysis = Template("{% load survey_analysis %}{{ v|yen }}").render(Context({"v": 747500}))
    assert page == analysis == "¥747,500"


def test_the_excel_format_shows_a_yen_sign_and_commas():
    assert YEN_EXCEL_FORMAT == '"¥"#,##0'


def test_the_grade_list_shows_hourly_costs_in_yen(client_as, staff_a, org_a, people_a):
    page = client_as(staff_a, org_a).get(reverse("org:grade_list")).content.decode()
    assert '<td class="num">¥2,500</td>' in page and '<td class="num">¥5,000</td>' in page
