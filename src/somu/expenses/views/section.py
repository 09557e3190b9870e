"""The claim's section on the approvals request page and the 稟議書: the lines, the totals per tax
rate, the receipts and the 規程チェック's findings with the rule's text, so an approver decides
with everything in view."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from somu.approvals.models import Request
from somu.core.money import format_yen
from somu.expenses import selectors
from somu.expenses.models import Claim, ClaimKind
from somu.expenses.views import presenting


def _printing(http: HttpRequest) -> bool:
    match = getattr(http, "resolver_match", None)
    return match is not None and match.url_name == "request_print"


def claim_section(http: HttpRequest, request: Request) -> str:
    claim = (Claim.objects.select_related("trip", "advance__request", "corrects__request")
             .get(request=request))
    claim.request = request
    lines = selectors.claim_lines(claim) if claim.kind == ClaimKind.CLAIM else []
    return render_to_string("expenses/_claim_section.html", {
        "claim": claim, "lines": presenting.line_rows(lines),
        "totals": presenting.tax_rows(lines),
        "total_text": format_yen(sum(line.amount for line in lines)),
        "receipts": list(claim.receipts.all()) if claim.kind == ClaimKind.CLAIM else [],
        "findings": presenting.findings(claim, today=timezone.localdate(), live=False),
        "purpose": (request.values or {}).get("purpose", ""),
        "advance_amount": format_yen(claim.advance.request.amount) if claim.advance else "",
        # Not on the printed 稟議書: a link is no use on paper.
        "edit_url": "" if _printing(http) else reverse("expenses:claim_detail", args=[claim.pk]),
        "printing": _printing(http),
    }, request=http)
