"""The claim's section on the approvals request page and the 稟議書."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from somu.approvals.models import Request
from somu.expenses.models import Claim, Line


def claim_section(http: HttpRequest, request: Request) -> str:
    claim = Claim.objects.get(request=request)
    lines = Line.objects.filter(claim=claim).select_related("account", "receipt")
    return render_to_string("expenses/_claim_section.html",
                            {"claim": claim, "lines": lines}, request=http)
