"""The expenses app's request kinds for the approvals engine (see somu.approvals.kinds)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from somu.approvals.kinds import RequestKind
from somu.expenses.services.setup import ADVANCE_KIND, CLAIM_KIND

if TYPE_CHECKING:
    from django.http import HttpRequest

    from somu.approvals.models import Request, RequestType


def _new(request_type: RequestType) -> str:
    kind = "advance" if request_type.kind == ADVANCE_KIND else "claim"
    return reverse("expenses:claim_new") + f"?kind={kind}"


def _edit(request: Request) -> str:
    return reverse("expenses:claim_detail", args=[request.expense_claim.pk])


def _section(http: HttpRequest, request: Request) -> str:
    from somu.expenses.views.section import claim_section

    return claim_section(http, request)


def _before_submit(request: Request, today: dt.date) -> None:
    from somu.expenses.services.claims import before_submit

    before_submit(request, today)


def _on_approved(request: Request, now: dt.datetime) -> None:
    from somu.expenses.services.claims import on_approved

    on_approved(request, now)


KINDS = tuple(
    RequestKind(key=key, label=label, new_url=_new, edit_url=_edit, section=_section,
                before_submit=_before_submit, on_approved=_on_approved)
    for key, label in ((CLAIM_KIND, _("Expense claim")), (ADVANCE_KIND, _("Advance"))))
