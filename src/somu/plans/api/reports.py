"""/api/v1/plans/reports: activity reports (活動報告) — list, make, read, delete, and the
workbook and PDF. Every rule is in :mod:`somu.plans.services.reports`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpResponse
from ninja import Path, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from somu.core.api import MAX_ID, InputSchema, OneOf, PagePagination, errors
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.plans.models import Report
from somu.plans.permissions import MANAGE_PLAN, VIEW_REPORTS
from somu.plans.services import reports as services

router = Router(tags=["plans"])

ReportId = Path(..., ge=1, le=MAX_ID)


class ReportIn(InputSchema):
    period: Annotated[str, OneOf("month", "quarter")]
    starts_on: dt.date = Field(..., description="The first day of the month or fiscal quarter "
                               "(April 1, July 1, October 1 or January 1)")
    title: str = Field("", max_length=200, description="Empty: a title naming the period")
    comment: str = Field("", max_length=5000)


class ReportOut(Schema):
    id: int
    period: str
    starts_on: dt.date
    ends_on: dt.date
    title: str
    comment: str
    created_at: dt.datetime
    created_by: str


class ReportDetailOut(ReportOut):
    figures: dict[str, Any] = Field(description="The figures as computed when the report was "
                                    "made; per-person hours only for the back office")


def _out(report: Report) -> dict[str, Any]:
    return {"id": report.pk, "period": report.period, "starts_on": report.starts_on,
            "ends_on": report.ends_on, "title": report.title, "comment": report.comment,
            "created_at": report.created_at,
            "created_by": report.created_by.get_username() if report.created_by else ""}


@router.get("/reports", response={200: list[ReportOut], **errors(403, 422)},
            summary="Activity reports (活動報告), the latest period first")
@paginate(PagePagination)
def report_list(request: AuthedRequest) -> Any:
    require(request.auth, VIEW_REPORTS)
    return [_out(r) for r in services.report_list()]


@router.post("/reports", response={201: ReportDetailOut, **errors(403, 409, 422)},
             summary="Make the report of a past or the current month / fiscal quarter")
def report_create(request: AuthedRequest, payload: ReportIn) -> Status[dict[str, Any]]:
    require(request.auth, MANAGE_PLAN)
    report = services.report_create(
        actor=request.user, period=payload.period, starts_on=payload.starts_on,
        title=payload.title, comment=payload.comment, today=_today())
    return Status(201, _detail(request, report))


@router.get("/reports/{report_id}", response={200: ReportDetailOut, **errors(403, 404, 422)})
def report_get(request: AuthedRequest, report_id: int = ReportId) -> dict[str, Any]:
    require(request.auth, VIEW_REPORTS)
    return _detail(request, services.report_get(report_id=report_id))


@router.delete("/reports/{report_id}", response={204: None, **errors(403, 404, 422)})
def report_delete(request: AuthedRequest, report_id: int = ReportId) -> Status[None]:
    require(request.auth, MANAGE_PLAN)
    services.report_delete(actor=request.user, report=services.report_get(report_id=report_id))
    return Status(204, None)


@router.get("/reports/{report_id}/xlsx", response={200: None, **errors(403, 404, 422)},
            summary="The report as an Excel workbook with charts")
def report_xlsx(request: AuthedRequest, report_id: int = ReportId) -> HttpResponse:
    require(request.auth, VIEW_REPORTS)
    from somu.plans.views.reports import xlsx_response

    return xlsx_response(services.report_get(report_id=report_id),
                         personal=services.sees_personal_hours(request.auth))


@router.get("/reports/{report_id}/pdf", response={200: None, **errors(403, 404, 422)},
            summary="The report as a PDF (A4, Japanese fonts)")
def report_pdf(request: AuthedRequest, report_id: int = ReportId) -> HttpResponse:
    require(request.auth, VIEW_REPORTS)
    from somu.plans.views.reports import pdf_response

    return pdf_response(services.report_get(report_id=report_id),
                        personal=services.sees_personal_hours(request.auth))


def _detail(request: AuthedRequest, report: Report) -> dict[str, Any]:
    personal = services.sees_personal_hours(request.auth)
    return _out(report) | {"figures": services.for_viewer(report.figures, personal=personal)}


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
