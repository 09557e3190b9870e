"""What the expenses endpoint modules share: the clock, path parameters, finding a claim the
caller may read, a claim as the API shows it, and the 409 that carries the claim's state."""


import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path

from somu.core.api import MAX_ID, api
from somu.core.errors import Conflict
from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.expenses import selectors
from somu.expenses.models import Claim
from somu.expenses.schemas import ClaimOut, FindingOut, LineOut, ReceiptOut
from somu.org.models import Membership

ClaimId = Path(..., ge=1, le=MAX_ID)
LineId = Path(..., ge=1, le=MAX_ID)
ReceiptId = Path(..., ge=1, le=MAX_ID)


# The API's clock: endpoints call ``common.today()`` / ``common.now()``, so a test freezes them.
def today() -> dt.date:
    return timezone.localdate()


def now() -> dt.datetime:
    return timezone.now()


def require_any(membership: Membership, *perms: str) -> None:
    if not any(has_perm(membership, perm) for perm in perms):
        raise PermissionDenied(_("You do not have permission to do this."))


def claim_get(request: AuthedRequest, claim_id: int) -> Claim:
    """A claim the caller may read; others (and other organizations') are 404."""
    return selectors.readable_claim(request.auth, claim_id, today=today())


def claim_detail(claim_id: int) -> dict[str, Any]:
    """The claim with its lines, receipts, totals per tax rate and findings, read fresh."""
    claim = Claim.objects.select_related("request", "request__requester").get(pk=claim_id)
    lines = selectors.claim_lines(claim)
    return {
        **ClaimOut.from_orm(claim).dict(),
        "editable": not claim.locked and claim.request.is_editable,
        "lines": [LineOut.from_orm(line).dict() for line in lines],
        "receipts": [ReceiptOut.from_orm(r).dict() for r in selectors.claim_receipts(claim)],
        "tax_totals": selectors.tax_totals(lines),
        "findings": [FindingOut(**f).dict() for f in claim.findings or []],
    }


# Appended to the description of every operation that may answer it.
CONFLICT_NOTE = ("409 when the claim can no longer be changed (submitted, approved and locked) "
                 "or moved on meanwhile: the error adds `state`, the claim's state now.")


def conflict(http: HttpRequest, claim_id: int, exc: Conflict) -> HttpResponse:
    """409 with the claim's state now (the one error body with one more key)."""
    state = (Claim.objects.filter(pk=claim_id).values_list("request__state", flat=True)
             .first() or "")
    body = {"error": {"code": "conflict", "message": str(exc), "fields": [], "state": state}}
    return api.create_response(http, body, status=409)
