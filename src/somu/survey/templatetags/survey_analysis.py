"""Number formats of the analysis pages: hours, yen, shares and changes, grouped by locale."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from somu.core.percent import format_percent
from somu.core.templatetags import somu as core_tags

register = template.Library()


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


@register.filter
def hours(value: Any, digits: int = 1) -> str:
    """``1234.56`` → ``1,234.6`` (the unit is written by the template)."""
    number = _number(value)
    if number is None:
        return "—"
    return number_format(round(number, int(digits)), int(digits), force_grouping=True)


@register.simple_tag
def term(key: str) -> str:
    """``{% term "orphaned_hours" %}``: an analysis term from :mod:`somu.survey.terms`."""
    from somu.survey.terms import TERMS

    return str(TERMS[key])


# Money has one formatter for every page: the analysis pages load it under the same names.
register.filter("yen", core_tags.yen)
register.filter("yen_change", core_tags.yen_change)


@register.filter
def pct(value: Any) -> str:
    """A share as a percentage with one decimal: ``0.4286`` → ``42.9%`` (one formatter for every
    page, see :mod:`somu.core.percent`)."""
    return format_percent(value)


@register.filter
def signed(value: Any, digits: int = 1) -> str:
    """A change with its sign: ``+3.5``, ``−2.0``, ``±0``."""
    number = _number(value)
    if number is None:
        return "—"
    rounded = round(number, int(digits))
    if rounded == 0:
        return "±0"
    text = number_format(abs(rounded), int(digits), force_grouping=True)
    return f"+{text}" if rounded > 0 else f"−{text}"


@register.filter
def points(value: Any, digits: int = 1) -> str:
    """A change of a share in percentage points: ``-0.125`` → ``−12.5 pt``."""
    number = _number(value)
    if number is None:
        return "—"
    return f"{signed(number * 100, digits)} pt"


@register.simple_tag(takes_context=True)
def finding_actions(context: Any, kind: str, round_id: int, task: Any = None,
                    person: Any = None) -> str:
    """``{% finding_actions "dependent_task" survey_round.pk task=t.task_id %}``: the links the
    installed apps offer for a finding (registry ``finding_actions``, e.g. plans' "make it an
    improvement item"); empty when none does or the reader may not act on it."""
    from django.utils.html import format_html, format_html_join

    from somu.core.home import Finding
    from somu.core.registry import functions

    request = context.get("request")
    membership = getattr(request, "membership", None)
    hooks = functions("finding_actions")
    if membership is None or not hooks:
        return ""
    finding = Finding(kind=kind, round_id=int(round_id),
                      task_id=int(task) if task not in (None, "") else None,
                      person_id=int(person) if person not in (None, "") else None)
    links = [link for hook in hooks for link in hook(finding, membership=membership)]
    if not links:
        return ""
    return format_html('<span class="finding-actions">{}</span>', format_html_join(
        " ", '<a class="button small" href="{}">{}</a>', ((url, label) for label, url in links)))
