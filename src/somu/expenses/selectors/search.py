"""The 電子帳簿保存法 search (電子取引の検索要件): approved lines by 取引年月日, 金額 and 取引先,
each with ranges, in any combination (電子帳簿保存法施行規則 第4条第1項, 第2条第6項第5号).

The parameters are read and checked here, one parser for the page, the API and the export; a bad
value names its field. The query uses the indexes on Line ((organization, date, amount),
(organization, amount), (organization, payee, date)) and on PostgreSQL the trigram index of
migration 0004 for "payee contains".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from somu.expenses.models import Line

MAX_RESULTS: Final = 500  # on a page; narrow the search for more
MAX_EXPORT: Final = 10_000  # lines in one ZIP


@dataclass(frozen=True)
class SearchParams:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    payee: str = ""

    @property
    def empty(self) -> bool:
        return self == SearchParams()

    def as_dict(self) -> dict[str, str]:
        return {k: ("" if v is None else str(v)) for k, v in self.__dict__.items()}


def _day(value: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = [_("Enter a date like 2026-04-01.")]
        return None


def _yen(value: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = str(value or "").strip().replace(",", "")
    if not text:
        return None
    if not text.isdigit() or len(text) > 12:
        errors[field] = [_("Enter a whole number of yen.")]
        return None
    return int(text)


def search_params(data: Mapping[str, Any]) -> SearchParams:
    """The search's parameters from a form, a query string or JSON; bad ones name the field."""
    errors: dict[str, list[str]] = {}
    params = SearchParams(
        date_from=_day(data.get("date_from"), "date_from", errors),
        date_to=_day(data.get("date_to"), "date_to", errors),
        amount_min=_yen(data.get("amount_min"), "amount_min", errors),
        amount_max=_yen(data.get("amount_max"), "amount_max", errors),
        payee=str(data.get("payee") or "").strip()[:100])
    if params.date_from and params.date_to and params.date_from > params.date_to:
        errors["date_to"] = [_("The end is before the start.")]
    if params.amount_min is not None and params.amount_max is not None \
            and params.amount_min > params.amount_max:
        errors["amount_max"] = [_("The maximum is below the minimum.")]
    if errors:
        raise ValidationError(errors)
    return params


def search_lines(params: SearchParams) -> QuerySet[Line]:
    """Approved (locked) lines of the active organization matching every given criterion,
    by 取引年月日 then amount."""
    qs = Line.objects.filter(locked=True)
    if params.date_from:
        qs = qs.filter(date__gte=params.date_from)
    if params.date_to:
        qs = qs.filter(date__lte=params.date_to)
    if params.amount_min is not None:
        qs = qs.filter(amount__gte=params.amount_min)
    if params.amount_max is not None:
        qs = qs.filter(amount__lte=params.amount_max)
    if params.payee:
        qs = qs.filter(payee__icontains=params.payee)
    return qs.select_related("account", "receipt", "claim", "claim__request").order_by(
        "date", "amount", "pk")
