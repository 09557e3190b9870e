"""/api/v1/plans/: the vision, KPIs (values, trends, rows behind a value), manual readings and
reviews. Thin: a permission, a lookup, then a service or a selector — the services refuse what
the pages refuse. People-level rows show names only without VIEW_ANALYSIS (executives)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from somu.core.api import InputSchema, QuerySchema, errors, optional
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.org.models import Person
from somu.plans import kpis, selectors
from somu.plans.models import Kpi, KpiReading, Review
from somu.plans.permissions import MANAGE_PLAN, VIEW_PLAN
from somu.plans.services import reports as report_services
from somu.plans.services import reviews as review_services
from somu.plans.services import strategy as services
from somu.survey.models import SurveyRound

router = Router(tags=["plans"])
MAX_ID = 2**31 - 1
KpiId = Path(..., ge=1, le=MAX_ID)
ReadingId = Path(..., ge=1, le=MAX_ID)
ReviewId = Path(..., ge=1, le=MAX_ID)


class VisionIn(InputSchema):
    statement: str
    horizon: dt.date | None = None


class VisionOut(Schema):
    statement: str
    horizon: dt.date | None


class PointOut(Schema):
    label: str
    on: dt.date
    value: float | None
    round_id: int | None
    partial: bool = Field(False, description="A month still running: in the trend only, "
                          "never the current value")


class KpiOut(Schema):
    id: int
    name: str
    definition: str
    definition_label: str
    parameters: dict[str, Any]
    direction: str
    unit: str
    target: float
    target_on: dt.date
    description: str
    archived: bool
    current: PointOut | None
    gap: float | None
    achieved: bool
    overdue: bool
    state: str = Field(description="achieved, overdue, off_track, on_track or no_data")
    trend: list[PointOut]


class KpiIn(InputSchema):
    name: str
    definition: str = Field(description="one of the definitions (see the guide), or manual")
    parameters: dict[str, Any] = Field(default_factory=dict, description=(
        "scope (bus_factor: organization, function:<name>, department:<id>), function (hours), "
        "monthly_volume (requests_in_somu)"))
    direction: str | None = Field(None, description="manual KPIs: up or down")
    unit: str = ""
    target: float | None = None
    target_on: dt.date | None = None
    description: str = ""


class KpiPatch(InputSchema):
    name: str = optional(min_length=1)
    parameters: dict[str, Any] = optional()
    direction: str = optional()
    unit: str = optional()
    target: float = optional()
    target_on: dt.date = optional()
    description: str = optional()


class KpiArchiveIn(InputSchema):
    archived: bool = True


class RowOut(Schema):
    label: str
    value: str
    url: str | None


class RowsOut(Schema):
    point: PointOut
    rows: list[RowOut]


class RowsQuery(QuerySchema):
    point: int | None = Field(None, ge=0, le=1000, description="index in the trend; default the "
                                                               "latest value")


class ReadingIn(InputSchema):
    on: dt.date
    value: float
    note: str = ""


class ReadingOut(Schema):
    id: int
    kpi_id: int
    on: dt.date
    value: float
    note: str


class ReviewIn(InputSchema):
    title: str = ""
    held_on: dt.date | None = None
    round_id: int | None = Field(None, ge=1, le=MAX_ID)
    decisions: str = ""
    next_on: dt.date | None = None
    repeat: str = Field("", description="'' or monthly: a recurring 定期振り返り procedure")
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


class ReviewOut(Schema):
    id: int
    held_on: dt.date
    title: str
    round_id: int | None
    decisions: str
    next_on: dt.date | None
    schedule_id: int | None
    kpi_snapshot: list[dict[str, Any]]
    item_snapshot: list[dict[str, Any]]


def _point(p: kpis.Point | None) -> dict[str, Any] | None:
    return None if p is None else {"label": p.label, "on": p.on, "value": p.value,
                                   "round_id": p.round_id, "partial": p.partial}


def _kpi_out(status: kpis.KpiStatus) -> dict[str, Any]:
    k = status.kpi
    return {"id": k.pk, "name": k.name, "definition": k.definition,
            "definition_label": str(status.definition.label), "parameters": k.parameters,
            "direction": k.direction, "unit": kpis.unit_of(k), "target": float(k.target),
            "target_on": k.target_on, "description": k.description, "archived": k.archived,
            "current": _point(status.current), "gap": status.gap, "achieved": status.achieved,
            "overdue": status.overdue, "state": status.state,
            "trend": [_point(p) for p in status.trend]}


def _today() -> dt.date:
    return timezone.localdate()


@router.get("/vision", response={200: VisionOut, **errors(403)},
            summary="The vision (ありたい総務); an empty statement while none is written")
def vision_get(request: AuthedRequest) -> Any:
    require(request.auth, VIEW_PLAN)
    vision = selectors.vision_get()
    return vision or {"statement": "", "horizon": None}


@router.put("/vision", response={200: VisionOut, **errors(403, 422)})
def vision_put(request: AuthedRequest, payload: VisionIn) -> Any:
    require(request.auth, MANAGE_PLAN)
    return services.vision_save(actor=request.user, data=payload.dict(), today=_today())


@router.get("/kpis", response={200: list[KpiOut], **errors(403, 422)},
            summary="KPIs with their current value, target, distance, state and trend")
def kpi_list(request: AuthedRequest, archived: bool = False) -> Any:
    require(request.auth, VIEW_PLAN)
    chosen = list(selectors.kpi_list(archived=archived))
    return [_kpi_out(s) for s in kpis.kpi_statuses(today=_today(), kpis=chosen)]


@router.post("/kpis", response={201: KpiOut, **errors(403, 422)})
def kpi_create(request: AuthedRequest, payload: KpiIn) -> Status[Any]:
    require(request.auth, MANAGE_PLAN)
    kpi = services.kpi_save(actor=request.user, kpi=None, data=payload.dict(), today=_today())
    return Status(201, _kpi_out(kpis.kpi_status(kpi, today=_today())))


@router.get("/kpis/{kpi_id}", response={200: KpiOut, **errors(403, 404, 422)})
def kpi_get(request: AuthedRequest, kpi_id: int = KpiId) -> Any:
    require(request.auth, VIEW_PLAN)
    return _kpi_out(kpis.kpi_status(Kpi.objects.get(pk=kpi_id), today=_today()))


@router.patch("/kpis/{kpi_id}", response={200: KpiOut, **errors(403, 404, 422)})
def kpi_update(request: AuthedRequest, payload: KpiPatch, kpi_id: int = KpiId) -> Any:
    require(request.auth, MANAGE_PLAN)
    kpi = Kpi.objects.get(pk=kpi_id)
    kpi = services.kpi_save(actor=request.user, kpi=kpi, data=payload.dict(exclude_unset=True),
                            today=_today())
    return _kpi_out(kpis.kpi_status(kpi, today=_today()))


@router.post("/kpis/{kpi_id}/archive", response={200: KpiOut, **errors(403, 404, 422)},
             summary="Archive a KPI (archived: false puts it back)")
def kpi_archive(request: AuthedRequest, payload: KpiArchiveIn, kpi_id: int = KpiId) -> Any:
    require(request.auth, MANAGE_PLAN)
    kpi = services.kpi_archive(actor=request.user, kpi=Kpi.objects.get(pk=kpi_id),
                               archived=payload.archived)
    return _kpi_out(kpis.kpi_status(kpi, today=_today()))


@router.get("/kpis/{kpi_id}/rows", response={200: RowsOut, **errors(403, 404, 422)},
            summary="The rows behind one value of the KPI's trend (drill-down)")
def kpi_rows(request: AuthedRequest, query: Query[RowsQuery], kpi_id: int = KpiId) -> Any:
    require(request.auth, VIEW_PLAN)
    kpi = Kpi.objects.get(pk=kpi_id)
    status = kpis.kpi_status(kpi, today=_today())
    if not status.trend:
        raise Http404
    index = query.point
    if index is None:
        known = [i for i, p in enumerate(status.trend) if p.value is not None]
        index = known[-1] if known else len(status.trend) - 1
    if index >= len(status.trend):
        raise ValidationError({"point": _("This KPI has no value at that position.")})
    point = status.trend[index]
    rows = kpis.kpi_rows(kpi, point=point, today=_today(),
                         personal=has_perm(request.auth, "view_analysis"))
    return {"point": _point(point), "rows": [r.__dict__ for r in rows]}


@router.get("/kpis/{kpi_id}/readings", response={200: list[ReadingOut], **errors(403, 404)})
def reading_list(request: AuthedRequest, kpi_id: int = KpiId) -> Any:
    require(request.auth, VIEW_PLAN)
    return list(Kpi.objects.get(pk=kpi_id).readings.order_by("on"))


@router.post("/kpis/{kpi_id}/readings", response={201: ReadingOut, **errors(403, 404, 422)},
             summary="Enter a manual KPI's value on a date")
def reading_create(request: AuthedRequest, payload: ReadingIn, kpi_id: int = KpiId
                   ) -> Status[KpiReading]:
    require(request.auth, MANAGE_PLAN)
    reading = services.reading_save(actor=request.user, kpi=Kpi.objects.get(pk=kpi_id),
                                    data=payload.dict(), today=_today())
    return Status(201, reading)


@router.delete("/readings/{reading_id}", response={204: None, **errors(403, 404)})
def reading_delete(request: AuthedRequest, reading_id: int = ReadingId) -> Status[None]:
    require(request.auth, MANAGE_PLAN)
    services.reading_delete(actor=request.user, reading=KpiReading.objects.get(pk=reading_id))
    return Status(204, None)


@router.get("/reviews", response={200: list[ReviewOut], **errors(403)})
def review_list(request: AuthedRequest) -> Any:
    require(request.auth, VIEW_PLAN)
    return [_review_for(request, r) for r in selectors.review_list()]


@router.post("/reviews", response={201: ReviewOut, **errors(403, 422)},
             summary="Hold a review: snapshot the KPIs and items, record decisions")
def review_create(request: AuthedRequest, payload: ReviewIn) -> Status[Review]:
    require(request.auth, MANAGE_PLAN)
    data = payload.dict()
    round_id, owner_id = data.pop("round_id"), data.pop("owner_id")
    if round_id is not None:
        data["round"] = SurveyRound.objects.filter(pk=round_id).first()
        if data["round"] is None:
            raise ValidationError({"round_id": _("There is no such survey round.")})
    if owner_id is not None:
        data["owner"] = Person.objects.filter(pk=owner_id).first()
        if data["owner"] is None:
            raise ValidationError({"owner_id": _("There is no such person.")})
    review = review_services.review_create(actor=request.user, data=data, today=_today())
    return Status(201, _review_for(request, review))


@router.get("/reviews/{plan_review_id}",
            response={200: ReviewOut, **errors(403, 404, 422)})
def review_get(request: AuthedRequest, plan_review_id: int = ReviewId) -> Review:
    require(request.auth, VIEW_PLAN)
    return _review_for(request, Review.objects.get(pk=plan_review_id))


def _review_for(request: AuthedRequest, review: Review) -> Review:
    """The review as this caller may read it: outside the back office, the items about one
    person without that person's hours (the stored snapshot is untouched)."""
    review.item_snapshot = review_services.item_snapshot_for_viewer(
        review.item_snapshot, personal=report_services.sees_personal_hours(request.auth))
    return review
