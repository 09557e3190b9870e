"""Filters for the activity report page: the same formats as its workbook and PDF
(:mod:`somu.plans.report_text`)."""

from __future__ import annotations

from typing import Any

from django import template

from somu.plans import report_text

register = template.Library()


@register.filter
def rhours(value: Any) -> str:
    return report_text.hours(value)


@register.filter
def rchange(value: Any) -> str:
    return report_text.change(value)


@register.filter
def rpct(value: Any) -> str:
    return report_text.rate(value)


@register.filter
def rwidth(value: Any) -> int:
    """A share as a bar width in percent, 0–100."""
    try:
        return max(0, min(100, round(float(value) * 100)))
    except (TypeError, ValueError):
        return 0
