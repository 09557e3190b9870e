"""Reads of the expenses app for the pages and the API: which claims a member may read, a claim
with its lines, receipts and totals per tax rate, and the set-up lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from somu.approvals import selectors as approvals
from somu.core.permissions import has_perm
from somu.expenses import checks
from somu.expenses import permissions as p
from somu.expenses.models import Account, Claim, JournalName, Line, Receipt, Rule
from somu.expenses.services.admin import journal_keys
from somu.org.models import Membership


def sees_every_claim(membership: Membership) -> bool:
    return has_perm(membership, p.PROCESS_EXPENSES) or has_perm(membership, p.SEARCH_EXPENSES)


def readable_claim(membership: Membership, claim_id: int, *,
                   today: dt.date | None = None) -> Claim:
    """The claim ``claim_id`` if ``membership`` may read it: its claimant (or who filed it),
    whoever may read its approval request (its approvers …; given ``today`` also a deputy of
    the day or someone above a pending approver), and 経理 and auditors
    (PROCESS_EXPENSES / SEARCH_EXPENSES). Anyone else gets :class:`Claim.DoesNotExist`, as for
    an unknown id."""
    claim = (Claim.objects.select_related("request", "request__request_type",
                                          "request__requester", "request__requester__position",
                                          "trip")
             .get(pk=claim_id))
    person_id = membership.person_id
    if person_id is not None and person_id in (claim.request.requester_id,
                                               claim.request.submitted_by_id):
        return claim
    if sees_every_claim(membership) or approvals.can_read(membership, claim.request,
                                                          today=today):
        return claim
    raise Claim.DoesNotExist


def claims_list(membership: Membership, *, everyone: bool = False, kind: str = "",
                state: str = "") -> QuerySet[Claim]:
    """The member's own claims (claimant or filer), or with ``everyone`` every claim (the caller
    checks the permission), newest first."""
    found = Claim.objects.select_related("request", "request__requester")
    if not everyone:
        found = found.filter(Q(request__requester_id=membership.person_id)
                             | Q(request__submitted_by_id=membership.person_id))
    if kind:
        found = found.filter(kind=kind)
    if state:
        found = found.filter(request__state=state)
    return found.order_by("-pk")


def claim_lines(claim: Claim) -> list[Line]:
    return list(Line.objects.filter(claim=claim).select_related("account"))


def claim_receipts(claim: Claim) -> list[Receipt]:
    return list(Receipt.objects.filter(claim=claim))


def tax_totals(lines: list[Line]) -> list[dict[str, Any]]:
    """Totals per tax rate as on an invoice (one rounding per rate)."""
    totals = checks.tax_totals((line.tax_rate, line.amount) for line in lines)
    return [{"tax_rate": rate, "total": total, "tax": tax}
            for rate, (total, tax) in sorted(totals.items())]


def accounts(*, active_only: bool = False) -> QuerySet[Account]:
    found = Account.objects.all()
    return found.filter(is_active=True) if active_only else found


def rules(*, active_only: bool = False) -> QuerySet[Rule]:
    found = Rule.objects.order_by("number")
    return found.filter(is_active=True) if active_only else found


def journal_table(vendor: str) -> list[dict[str, str]]:
    """Each key a vendor names: somu's name (the default) and the vendor's, if one is set."""
    names = dict(JournalName.objects.filter(vendor=vendor).values_list("key", "name"))
    return [{"key": key, "somu": default, "name": names.get(key, "")}
            for key, default in journal_keys()]



