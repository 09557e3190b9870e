"""Form fields (入力項目): what a step or a request asks its user to fill in, and the cleaning of
the values typed into them.

Procedures' steps and approvals' request types share them. Fields are written one a line as
``key:label:type[:required][:choice1|choice2…]`` (full-width ：and ｜ accepted)::

    receipt_no:受付番号:text:required
    契約種別:契約種別:choice:required:NDA|売買|業務委託
    承認者:承認者:person

Pure: the error messages are English msgids; the Django caller passes ``translate=gettext`` so
the existing Japanese catalog entries apply (the msgids are marked with :func:`gettext_noop`
so ``makemessages`` still finds them here).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Final, Literal, cast

FieldType = Literal["text", "textarea", "number", "date", "choice", "boolean"]
FIELD_TYPES: Final[tuple[str, ...]] = ("text", "textarea", "number", "date", "choice", "boolean")
# Request types may also ask for a person (an id; the caller checks it is one of the
# organization's people). Procedures keep FIELD_TYPES.
RequestFieldType = FieldType | Literal["person"]
REQUEST_FIELD_TYPES: Final[tuple[str, ...]] = (*FIELD_TYPES, "person")


def gettext_noop(message: str) -> str:
    """Marks a msgid for extraction; the caller translates it at runtime."""
    return message


REQUIRED: Final = gettext_noop("This field is required.")
ENTER_NUMBER: Final = gettext_noop("Enter a number.")
ENTER_DATE: Final = gettext_noop("Enter a date as YYYY-MM-DD.")
CHOOSE_ONE: Final = gettext_noop("Choose one of: %(choices)s.")
CHOOSE_PERSON: Final = gettext_noop("Choose a person of this organization.")
# The largest number a form field takes (a quadrillion: amounts in yen, counts, anything real).
MAX_NUMBER: Final = Decimal(10) ** 15
_TRUE: Final = ("true", "1", "on", "yes")
_REQUIRED_WORDS: Final = ("required", "必須", "true")


@dataclass(frozen=True)
class FormFieldSpec:
    key: str
    label: str
    type: RequestFieldType = "text"
    required: bool = False
    choices: tuple[str, ...] = ()  # for type "choice"
    help: str = ""


class FormFieldsError(ValueError):
    """A line of the field text names an unknown type: ``line`` (1-based), ``type``, ``types``."""

    def __init__(self, line: int, type_: str, types: Sequence[str]) -> None:
        self.line = line
        self.type = type_
        self.types = tuple(types)
        super().__init__(f"Line {line}: unknown field type “{type_}” (use one of: "
                         f"{', '.join(self.types)}).")


def parse_form_fields(text: str, *, types: Sequence[str] = FIELD_TYPES
                      ) -> tuple[FormFieldSpec, ...]:
    """Lines of ``key:label:type[:required][:choice1|choice2…]`` as form fields.

    A missing label is the key, a missing type is text; blank lines are ignored. Raises
    :class:`FormFieldsError` naming the first line whose type is not in ``types``.
    """
    out: list[FormFieldSpec] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip().replace("：", ":")
        if not line:
            continue
        parts = [p.strip() for p in line.split(":")]
        key = parts[0]
        label = parts[1] if len(parts) > 1 and parts[1] else key
        type_ = parts[2] if len(parts) > 2 and parts[2] else "text"
        if type_ not in types:
            raise FormFieldsError(number, type_, types)
        required, choices = False, cast(tuple[str, ...], ())
        for extra in parts[3:]:
            if extra.lower() in _REQUIRED_WORDS:
                required = True
            elif extra:
                choices = tuple(c.strip() for c in re.split(r"[|｜、]", extra) if c.strip())
        out.append(FormFieldSpec(key=key, label=label, type=cast(RequestFieldType, type_),
                                 required=required, choices=choices))
    return tuple(out)


def form_fields_text(fields: Iterable[FormFieldSpec]) -> str:
    """The fields as the text :func:`parse_form_fields` reads back."""
    out = []
    for f in fields:
        line = f"{f.key}:{f.label}:{f.type}"
        if f.required:
            line += ":required"
        if f.choices:
            line += ":" + "|".join(f.choices)
        out.append(line)
    return "\n".join(out)


def _same(message: str) -> str:
    return message


def clean_values(
    fields: Iterable[FormFieldSpec], values: Mapping[str, Any], *, final: bool,
    translate: Callable[[str], str] = _same,
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The values coerced by field type, and the errors by field key.

    Text is stripped; a number becomes an int (or a decimal string when it has a fraction), a
    date an ISO string, a boolean a bool, a person an int id. An empty value is "" (False for a
    boolean); with ``final`` a required field must be filled (a required boolean ticked). Keys
    that are not fields are dropped. Messages go through ``translate``.
    """
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in fields:
        raw = values.get(f.key)
        empty = raw is None or (isinstance(raw, str) and not raw.strip())
        if f.type == "boolean":
            value: Any = raw if isinstance(raw, bool) else (
                str(raw).strip().lower() in _TRUE if not empty else False)
            out[f.key] = value
            if final and f.required and not value:
                errors[f.key] = [translate(REQUIRED)]
            continue
        if empty:
            out[f.key] = ""
            if final and f.required:
                errors[f.key] = [translate(REQUIRED)]
            continue
        text = str(raw).strip()
        if f.type == "number":
            try:
                number = Decimal(text.replace(",", ""))
                # Plain numbers only: "1e5000" would make a 5,000-digit integer (and
                # "1e100000000" a hundred million) from one form post.
                if not number.is_finite() or "e" in text.lower() or abs(number) >= MAX_NUMBER:
                    raise InvalidOperation
            except InvalidOperation:
                errors[f.key] = [translate(ENTER_NUMBER)]
                continue
            out[f.key] = int(number) if number == number.to_integral_value() else str(number)
        elif f.type == "date":
            try:
                out[f.key] = (raw if isinstance(raw, dt.date) else
                              dt.date.fromisoformat(text)).isoformat()
            except ValueError:
                errors[f.key] = [translate(ENTER_DATE)]
        elif f.type == "choice" and text not in f.choices:
            errors[f.key] = [translate(CHOOSE_ONE) % {"choices": ", ".join(f.choices)}]
        elif f.type == "person":
            if isinstance(raw, bool) or not text.isdecimal() or int(text) < 1:
                errors[f.key] = [translate(CHOOSE_PERSON)]
            else:
                out[f.key] = int(text)
        else:
            out[f.key] = text
    return out, errors
