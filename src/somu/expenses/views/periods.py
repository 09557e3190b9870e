"""締め pages for the accounting staff: the periods, closing one (with a preview of its
payments), a period's payments, returns and claims, and its files."""

from __future__ import annotations

import contextlib
import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, org_view
from somu.expenses import permissions as p
from somu.expenses.formats.journal_defaults import VENDORS
from somu.expenses.models import Claim, Payment, Period, Vendor
from somu.expenses.services import banks, exports, periods


class CloseForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=60,
                            help_text=gettext_lazy("e.g. 2026年6月締め"))
    cutoff = forms.DateField(label=gettext_lazy("Approved up to"),
                             widget=forms.DateInput(attrs={"type": "date"}))
    payment_date = forms.DateField(label=gettext_lazy("Payment date"),
                                   widget=forms.DateInput(attrs={"type": "date"}))


@org_view(p.PROCESS_EXPENSES)
def period_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "expenses/accounting/period_list.html", {
        "periods": Period.objects.all()[:200]})


@require_http_methods(["GET", "POST"])
@org_view(p.PROCESS_EXPENSES)
def period_close(request: AuthedRequest) -> HttpResponse:
    """GET: the form and the preview for ``?cutoff=`` (default today); POST: close."""
    today = timezone.localdate()
    if request.method == "POST":
        form = CloseForm(request.POST)
    else:
        form = CloseForm(initial={"cutoff": request.GET.get("cutoff") or today,
                                  "payment_date": request.GET.get("payment_date") or today,
                                  "label": request.GET.get("label", "")})
    cutoff: dt.date = today
    with contextlib.suppress(ValidationError):  # a bad date previews today
        cutoff = forms.DateField().clean(request.POST.get("cutoff") or request.GET.get("cutoff")
                                         or today)
    if request.method == "POST" and form.is_valid():
        try:
            period = periods.period_close(
                membership=request.membership, label=form.cleaned_data["label"],
                cutoff=form.cleaned_data["cutoff"],
                payment_date=form.cleaned_data["payment_date"], now=timezone.now())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The period has been closed."))
            return redirect("expenses:period_detail", period_id=period.pk)
    preview = periods.plan(cutoff)
    return render(request, "expenses/accounting/period_close.html", {
        "form": form, "preview": preview, "cutoff": cutoff,
        "lacking": [e for e in preview if e.amount > 0 and e.bank is None]},
        status=422 if form.errors else 200)


@org_view(p.PROCESS_EXPENSES)
def period_detail(request: AuthedRequest, period_id: int) -> HttpResponse:
    period = get_object_or_404(Period, pk=period_id)
    payments = list(Payment.objects.filter(period=period).select_related("person"))
    claims = list(Claim.objects.filter(period=period).select_related(
        "request", "request__requester").order_by("request__number"))
    return render(request, "expenses/accounting/period_detail.html", {
        "period": period, "transfers": [x for x in payments if x.amount > 0],
        "returns": [x for x in payments if x.amount < 0], "claims": claims,
        "vendors": [(v, Vendor(v).label) for v in VENDORS],
        "bank_names": {x.pk: " ".join(filter(None, (
            banks.bank_name(x.bank_code), banks.branch_name(x.bank_code, x.branch_code))))
            for x in payments if x.amount > 0},
        "transfer_total": sum(x.amount for x in payments if x.amount > 0),
        "return_total": -sum(x.amount for x in payments if x.amount < 0)})


@org_view(p.PROCESS_EXPENSES)
def period_download(request: AuthedRequest, period_id: int) -> HttpResponse:
    """``?file=zengin`` or ``?file=<vendor>``."""
    period = get_object_or_404(Period, pk=period_id)
    what = request.GET.get("file", "")
    if what != "zengin" and what not in VENDORS:
        messages.error(request, _("Choose the 全銀 file or a journal."))
        return redirect("expenses:period_detail", period_id=period.pk)
    try:
        name, data = exports.period_export(membership=request.membership, period=period,
                                           what=what)
    except ValidationError as exc:
        return render(request, "expenses/accounting/export_error.html", {
            "period": period, "errors": exc.messages}, status=422)
    content_type = "text/plain; charset=Shift_JIS" if what == "zengin" else "text/csv"
    return HttpResponse(data, content_type=content_type, headers={
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=name)})
