from __future__ import annotations

from typing import Any

from django import template

from somu.core.money import format_yen, format_yen_change

register = template.Library()


@register.filter
def yen(value: Any) -> str:
    """``{{ grade.hourly_cost|yen }}`` → ``¥3,500`` (see :mod:`somu.core.money`)."""
    return format_yen(value)


@register.filter
def yen_change(value: Any) -> str:
    """``{{ change|yen_change }}`` → ``+¥1,200``, ``−¥300`` or ``±¥0``."""
    return format_yen_change(value)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ paths|get_item:person.department_id }}``"""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
