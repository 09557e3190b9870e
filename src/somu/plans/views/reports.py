"""Pages: activity reports (活動報告) — the list, making one, reading it (print-friendly), its
Excel workbook and PDF, deleting it. Every rule is in :mod:`somu.plans.services.reports`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.uploads import SPREADSHEET_TYPES
from somu.core.web import apply_errors, org_view
from somu.plans import report_text
from somu.plans.models import Report, ReportPeriod
from somu.plans.permissions import MANAGE_PLAN, VIEW_REPORTS
from somu.plans.services import reports as services


class ReportForm(forms.Form):
    period = forms.ChoiceField(label=gettext_lazy("Period"), choices=ReportPeriod.choices)
    starts_on = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("The first day of the month, or of the fiscal quarter "
                               "(April 1, July 1, October 1 or January 1)."))
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False,
                            help_text=gettext_lazy("Leave empty for a title naming the period."))
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=gettext_lazy("Shown at the top of the report: what "
                                                     "the back office wants management to "
                                                     "know."))


@org_view(VIEW_REPORTS)
def report_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "plans/report_list.html", {
        "reports": list(services.report_list()),
        "can_manage": has_perm(request.membership, MANAGE_PLAN),
    })


@org_view(MANAGE_PLAN)
def report_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    suggested = services.latest_complete(ReportPeriod.QUARTER, today=today)
    form = ReportForm(request.POST or None,
                      initial={"period": suggested.kind, "starts_on": suggested.starts_on})
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_create(actor=request.user, today=today,
                                            **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The report has been made."))
            return redirect("plans:report_detail", report_id=report.pk)
    return render(request, "plans/report_form.html", {"form": form})


def _personal(request: AuthedRequest) -> bool:
    """Per-person hours are for the back office (:func:`services.sees_personal_hours`)."""
    return services.sees_personal_hours(request.membership)


@org_view(VIEW_REPORTS)
def report_detail(request: AuthedRequest, report_id: int) -> HttpResponse:
    report = services.report_get(report_id=report_id)
    figures = services.for_viewer(report.figures, personal=_personal(request))
    return render(request, "plans/report_detail.html", {
        "report": report, "f": figures, "summary": report_text.summary(figures),
        "kpis": [k | {"state": report_text.kpi_state(k),
                      "progress": report_text.kpi_progress(k)}
                 for k in figures.get("kpis") or []],
        "done": [i | {"expected_text": report_text.expected(i),
                      "effect_text": report_text.effect(i)}
                 for i in figures["items"]["done"]],
        "can_manage": has_perm(request.membership, MANAGE_PLAN),
    })


def _filename(report: Report, ext: str) -> str:
    return content_disposition_header(
        True, f"活動報告_{report.starts_on:%Y-%m}_{report.period}.{ext}") or ""


def xlsx_response(report: Report, *, personal: bool) -> HttpResponse:
    from somu.plans.report_book import build_report_xlsx  # XlsxWriter: load on demand

    figures = services.for_viewer(report.figures, personal=personal)
    response = HttpResponse(build_report_xlsx(report, figures),
                            content_type=SPREADSHEET_TYPES["xlsx"])
    response["Content-Disposition"] = _filename(report, "xlsx")
    return response


def pdf_response(report: Report, *, personal: bool) -> HttpResponse:
    from somu.plans.report_pdf import build_report_pdf  # ReportLab: load on demand

    figures = services.for_viewer(report.figures, personal=personal)
    response = HttpResponse(build_report_pdf(report, figures), content_type="application/pdf")
    response["Content-Disposition"] = _filename(report, "pdf")
    return response


@org_view(VIEW_REPORTS)
def report_xlsx(request: AuthedRequest, report_id: int) -> HttpResponse:
    return xlsx_response(services.report_get(report_id=report_id), personal=_personal(request))


@org_view(VIEW_REPORTS)
def report_pdf(request: AuthedRequest, report_id: int) -> HttpResponse:
    return pdf_response(services.report_get(report_id=report_id), personal=_personal(request))


@require_POST
@org_view(MANAGE_PLAN)
def report_delete(request: HttpRequest, report_id: int) -> HttpResponse:
    report = services.report_get(report_id=report_id)
    services.report_delete(actor=request.user, report=report)
    messages.success(request, _("The report “%(title)s” has been deleted.") % {
        "title": report.title})
    return redirect("plans:report_list")


urlpatterns: list[URLPattern] = [
    path("reports/", report_list, name="report_list"),
    path("reports/new/", report_new, name="report_new"),
    path("reports/<int:report_id>/", report_detail, name="report_detail"),
    path("reports/<int:report_id>/xlsx/", report_xlsx, name="report_xlsx"),
    path("reports/<int:report_id>/pdf/", report_pdf, name="report_pdf"),
    path("reports/<int:report_id>/delete/", report_delete, name="report_delete"),
]

