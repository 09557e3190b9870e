"""Reads of the expenses app for the pages and the API: who may read a claim, one's own claims
and every claim, a claim's lines, receipts and totals per tax rate, what a claim may link to, and
the set-up lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from somu.approvals import selectors as approvals
from somu.approvals.models import Request, RequestState
from somu.core.permissions import has_perm
from somu.expenses import checks
from somu.expenses import permissions as p
from somu.expenses.models import Account, Claim, ClaimKind, JournalName, Line, Receipt, Rule
from somu.expenses.services.admin import journal_keys
from somu.org.models import Membership, Person


def _claims() -> QuerySet[Claim]:
    return Claim.objects.select_related(
        "request", "request__request_type", "request__requester", "request__submitted_by",
        "trip", "advance__request", "corrects__request")


def may_read(membership: Membership, claim: Claim, *, today: dt.date | None = None) -> bool:
    """The claimant (and whoever filed it), whoever may read its approvals request (approvers,
    deputies, the department's manager, 申請の閲覧), and accounting staff and auditors."""
    if has_perm(membership, p.PROCESS_EXPENSES) or has_perm(membership, p.SEARCH_EXPENSES):
        return True
    person_id = membership.person_id
    if person_id is not None and person_id in (claim.request.requester_id,
                                               claim.request.submitted_by_id):
        return True
    return approvals.can_read(membership, claim.request, today=today)


def readable_claim(membership: Membership, claim_id: int | str, *,
                   today: dt.date | None = None) -> Claim:
    """The claim if ``membership`` may read it; else Http404 (a subclass-free 404 for pages and
    the API alike: another organization's claim is not even found)."""
    if not str(claim_id).isdigit():
        raise Http404
    found = _claims().filter(pk=int(claim_id)).first()
    if found is None or not may_read(membership, found, today=today):
        raise Http404
    return found


def readable_receipt(membership: Membership, receipt_id: int | str, *,
                     today: dt.date | None = None) -> Receipt:
    if not str(receipt_id).isdigit():
        raise Http404
    found = Receipt.objects.filter(pk=int(receipt_id)).first()
    if found is None:
        raise Http404
    readable_claim(membership, found.claim_id, today=today)
    return found


def claim_lines(claim: Claim) -> list[Line]:
    return list(Line.objects.filter(claim=claim).select_related("account", "receipt")
                .order_by("number"))


def my_claims(person: Person | None, *, state: str = "", kind: str = "") -> QuerySet[Claim]:
    """One's own claims and advances (filed by or for oneself), newest first."""
    if person is None:
        return Claim.objects.none()
    qs = (Claim.objects.filter(Q(request__requester=person) | Q(request__submitted_by=person))
          .select_related("request", "request__request_type")
          .annotate(line_count=Count("lines")).order_by("-request__created_at", "-pk"))
    if state in RequestState.values:
        qs = qs.filter(request__state=state)
    if kind in ClaimKind.values:
        qs = qs.filter(kind=kind)
    return qs


def approved_trips(person: Person) -> QuerySet[Request]:
    """The claimant's approved 出張申請 a claim or an advance may name."""
    return Request.objects.filter(requester=person, state=RequestState.APPROVED,
                                  request_type__code="travel").order_by("-submitted_on", "-pk")


def open_advances(person: Person, *, claim: Claim | None = None) -> QuerySet[Claim]:
    """The claimant's approved advances not yet settled by another live claim."""
    qs = (Claim.objects.filter(kind=ClaimKind.ADVANCE, request__requester=person,
                               request__state=RequestState.APPROVED)
          .select_related("request"))
    settled = Claim.objects.filter(advance__isnull=False).exclude(
        request__state=RequestState.REJECTED)
    if claim is not None:
        settled = settled.exclude(pk=claim.pk)
    return qs.exclude(pk__in=settled.values("advance_id")).order_by("-pk")


def claim_accounts() -> list[Account]:
    """The active accounts a line may use (not the balance-sheet ones the journals use)."""
    return [a for a in Account.objects.filter(is_active=True) if a.on_claims]


def sees_every_claim(membership: Membership) -> bool:
    return has_perm(membership, p.PROCESS_EXPENSES) or has_perm(membership, p.SEARCH_EXPENSES)


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
