"""A share reads 24.8% everywhere: one formatter for pages, charts' labels and the home page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from somu.core.percent import PERCENT_EXCEL_FORMAT, format_percent


@pytest.mark.parametrize(("share", "shown"), [
    (0.2477, "24.8%"), (0.24749, "24.7%"), (0.24775, "24.8%"), (Decimal("0.00049"), "0.0%"),
    (0.00051, "0.1%"), (0, "0.0%"), (1, "100.0%"), (12.3456, "1,234.6%"), ("0.5", "50.0%"),
    (None, "—"), ("", "—"), ("abc", "—"), (float("nan"), "—"), (True, "—"),
])
def test_a_share_is_a_percentage_with_one_decimal_rounded_half_up(share, shown):
    assert format_percent(share) == shown


def test_the_analysis_filter_is_the_one_formatter():
    rendered = Template("{% load survey_analysis %}{{ v|pct }}").render(Context({"v": 0.2477}))
    assert rendered == format_percent(0.2477) == "24.8%"


def test_the_excel_format_has_one_decimal_too():
    assert PERCENT_EXCEL_FORMAT == "0.0%"
