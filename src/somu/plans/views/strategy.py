"""Pages: the plan (vision, KPI cards, items by KPI), the vision, KPIs and their drill-down,
manual readings, and reviews (振り返り). Thin: a permission, a lookup, a service or selector.

Executives (and managers) see each KPI's rows by name only: a person's hours and the links to
the survey's per-person pages are for those who may see the whole analysis (VIEW_ANALYSIS).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, int_or_none, org_view
from somu.plans import kpis, selectors
from somu.plans.forms_strategy import KpiForm, ReadingForm, ReviewForm, VisionForm
from somu.plans.permissions import MANAGE_PLAN, VIEW_PLAN, VIEW_REPORTS
from somu.plans.services import reports as report_services
from somu.plans.services import reviews as review_services
from somu.plans.services import strategy as services

CHART_UNITS = {"%": "%", "overqualified_cost": "yen"}


def chart_spec(status: kpis.KpiStatus) -> dict[str, Any]:
    """The trend as a bar chart with the target as a line; each bar opens its rows."""
    kpi = status.kpi
    base = reverse("plans:kpi_detail", args=[kpi.pk])
    unit = "yen" if kpi.definition == "overqualified_cost" else (
        "%" if kpis.unit_of(kpi) == "%" else "")
    return {"kind": "bar", "categories": [p.label for p in status.trend],
            "series": [{"name": kpi.name, "data": [
                None if p.value is None else round(p.value, 2) for p in status.trend]}],
            "links": [f"{base}?point={i}" for i in range(len(status.trend))],
            "unit": unit, "markLine": status.target}


def _card(status: kpis.KpiStatus) -> dict[str, Any]:
    current = status.current.value if status.current else None
    return {"status": status, "current": kpis.format_value(status.kpi, current),
            "target": kpis.format_value(status.kpi, status.target),
            "gap": kpis.format_value(status.kpi, abs(status.gap))
            if status.gap is not None else "", "chart": f"kpi-{status.kpi.pk}"}


@org_view(VIEW_PLAN)
def plan(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    kpi_rows = list(selectors.kpi_list())
    statuses = kpis.kpi_statuses(today=today, kpis=kpi_rows)
    return render(request, "plans/plan.html", {
        "vision": selectors.vision_get(),
        "cards": [_card(s) for s in statuses],
        "charts": {f"kpi-{s.kpi.pk}": chart_spec(s) for s in statuses},
        "groups": selectors.items_by_kpi(kpi_rows, today=today),
        "archived": selectors.kpi_list(archived=True),
        "can_manage": has_perm(request.membership, MANAGE_PLAN),
        "can_reports": has_perm(request.membership, VIEW_REPORTS),
    })


@org_view(MANAGE_PLAN)
def vision_edit(request: AuthedRequest) -> HttpResponse:
    vision = selectors.vision_get()
    initial = {"statement": vision.statement, "horizon": vision.horizon} if vision else {}
    form = VisionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.vision_save(actor=request.user, data=form.cleaned_data,
                                 today=timezone.localdate())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The vision has been saved."))
            return redirect("plans:plan")
    return render(request, "plans/plan_vision_form.html", {"form": form})


@org_view(MANAGE_PLAN)
def kpi_edit(request: AuthedRequest, kpi_id: int | None = None) -> HttpResponse:
    kpi = selectors.kpi_get(kpi_id=kpi_id) if kpi_id else None
    initial: dict[str, Any] = {}
    if kpi is not None:
        initial = {f: getattr(kpi, f) for f in ("name", "definition", "direction", "unit",
                                                "target", "target_on", "description")}
        initial.update(kpi.parameters)
    form = KpiForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.kpi_save(actor=request.user, kpi=kpi, data=form.service_data(),
                                      today=timezone.localdate())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The KPI has been saved."))
            return redirect("plans:kpi_detail", kpi_id=saved.pk)
    return render(request, "plans/kpi_form.html", {
        "form": form, "kpi": kpi, "definitions": kpis.DEFINITIONS.values()})


@require_POST
@org_view(MANAGE_PLAN)
def kpi_archive(request: AuthedRequest, kpi_id: int) -> HttpResponse:
    kpi = selectors.kpi_get(kpi_id=kpi_id)
    archived = request.POST.get("archived", "1") != "0"
    services.kpi_archive(actor=request.user, kpi=kpi, archived=archived)
    messages.success(request, _("The KPI has been archived.") if archived
                     else _("The KPI is back on the plan."))
    return redirect("plans:plan")


def _detail(request: AuthedRequest, kpi_id: int, reading_form: ReadingForm | None = None,
            status_code: int = 200) -> HttpResponse:
    kpi = selectors.kpi_get(kpi_id=kpi_id)
    today = timezone.localdate()
    status = kpis.kpi_status(kpi, today=today)
    index = int_or_none(request.GET.get("point"))
    if index is None or not 0 <= index < len(status.trend):
        known = [i for i, p in enumerate(status.trend) if p.value is not None and not p.partial]
        index = known[-1] if known else (len(status.trend) - 1 if status.trend else None)
    point = status.trend[index] if index is not None else None
    personal = has_perm(request.membership, "view_analysis")
    rows = kpis.kpi_rows(kpi, point=point, today=today, personal=personal) if point else []
    return render(request, "plans/kpi_detail.html", {
        "kpi": kpi, "card": _card(status), "point": point, "index": index,
        "point_value": kpis.format_value(kpi, point.value if point else None),
        "rows": rows, "personal": personal,
        "charts": {f"kpi-{kpi.pk}": chart_spec(status)},
        "readings": list(kpi.readings.order_by("-on")) if kpi.definition == "manual" else [],
        "reading_form": reading_form or ReadingForm(initial={"on": today}),
        "can_manage": has_perm(request.membership, MANAGE_PLAN),
        "points": list(enumerate(status.trend)),
    }, status=status_code)


@org_view(VIEW_PLAN)
def kpi_detail(request: AuthedRequest, kpi_id: int) -> HttpResponse:
    return _detail(request, kpi_id)


@require_POST
@org_view(MANAGE_PLAN)
def reading_new(request: AuthedRequest, kpi_id: int) -> HttpResponse:
    kpi = selectors.kpi_get(kpi_id=kpi_id)
    form = ReadingForm(request.POST)
    if form.is_valid():
        try:
            services.reading_save(actor=request.user, kpi=kpi, data=form.cleaned_data,
                                  today=timezone.localdate())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The value has been recorded."))
            return redirect("plans:kpi_detail", kpi_id=kpi.pk)
    return _detail(request, kpi.pk, reading_form=form, status_code=422)


@require_POST
@org_view(MANAGE_PLAN)
def reading_delete(request: AuthedRequest, reading_id: int) -> HttpResponse:
    reading = selectors.reading_get(reading_id=reading_id)
    kpi_id = reading.kpi_id
    services.reading_delete(actor=request.user, reading=reading)
    messages.success(request, _("The value has been deleted."))
    return redirect("plans:kpi_detail", kpi_id=kpi_id)


@org_view(VIEW_PLAN)
def review_list(request: HttpRequest) -> HttpResponse:
    membership = getattr(request, "membership", None)
    return render(request, "plans/review_list.html", {
        "reviews": selectors.review_list(),
        "can_manage": has_perm(membership, MANAGE_PLAN)})


@org_view(MANAGE_PLAN)
def review_new(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ReviewForm(request.POST or None, initial={
        "held_on": today, "round": review_services.latest_round(today)})
    if request.method == "POST" and form.is_valid():
        try:
            review = review_services.review_create(actor=request.user, data=form.cleaned_data,
                                                   today=today)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The review has been recorded."))
            return redirect("plans:review_detail", plan_review_id=review.pk)
    return render(request, "plans/review_form.html", {"form": form})


@org_view(VIEW_PLAN)
def review_detail(request: AuthedRequest, plan_review_id: int) -> HttpResponse:
    review = selectors.review_get(review_id=plan_review_id)
    return render(request, "plans/review_detail.html", {
        "review": review, "items": review_services.item_rows(
            review.item_snapshot,
            personal=report_services.sees_personal_hours(request.membership))})


urlpatterns: list[URLPattern] = [
    path("", plan, name="plan"),
    path("vision/", vision_edit, name="vision_edit"),
    path("kpis/new/", kpi_edit, name="kpi_new"),
    path("kpis/<int:kpi_id>/", kpi_detail, name="kpi_detail"),
    path("kpis/<int:kpi_id>/edit/", kpi_edit, name="kpi_edit"),
    path("kpis/<int:kpi_id>/archive/", kpi_archive, name="kpi_archive"),
    path("kpis/<int:kpi_id>/readings/new/", reading_new, name="reading_new"),
    path("readings/<int:reading_id>/delete/", reading_delete, name="reading_delete"),
    path("reviews/", review_list, name="review_list"),
    path("reviews/new/", review_new, name="review_new"),
    path("reviews/<int:plan_review_id>/", review_detail, name="review_detail"),
]
