"""Claim pages (work in progress: the full pages replace these)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect

from somu.core.requests import AuthedRequest
from somu.core.web import org_view
from somu.expenses import permissions as p
from somu.expenses.models import Claim


@org_view(p.SUBMIT_EXPENSES)
def claim_new(request: AuthedRequest) -> HttpResponse:
    return redirect("approvals:request_new")


@org_view(p.SUBMIT_EXPENSES)
def claim_detail(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = get_object_or_404(Claim, pk=claim_id)
    return redirect("approvals:request_detail", request_id=claim.request_id)
