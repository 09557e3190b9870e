from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """``{{ paths|get_item:person.department_id }}``"""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
