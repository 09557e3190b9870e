"""Helpers shared by the procedures endpoint modules."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from somu.core.api import MAX_ID
from somu.org.models import Person


def person_ref(value: int | str | None, field: str) -> Person | None:
    """A person of the organization by id (int) or 社員番号 (str); unknown ones are 422."""
    if value is None or value == "":
        return None
    if isinstance(value, int):
        person = Person.objects.filter(pk=value).first() if 0 < value <= MAX_ID else None
    else:
        person = Person.objects.filter(employee_number=value.strip()).first()
    if person is None:
        raise ValidationError({field: [f"Unknown person {value!r}."]})
    return person


def check_param_numbers(params: Mapping[str, Any], prefix: str) -> None:
    """Refuse integers no record id can be (people and departments are looked up by id; the
    database cannot even compare such numbers)."""
    problems = {f"{prefix}{key}": ["The number is too large."] for key, value in params.items()
                if isinstance(value, int) and abs(value) > MAX_ID}
    if problems:
        raise ValidationError(problems)
