"""Pages where procedures are run and watched: launching a run, the run list, a run with its
steps and timeline, the manager's board, the due-date calendar and the comparison with the
work survey (insights).

Views stay thin: reads go through :mod:`somu.procedures.selectors`, writes through
:mod:`somu.procedures.services`; a service's ``LaunchError`` is shown next to the parameter it
names. Every id is looked up in the active organization, so another organization's id is a 404.
"""

from __future__ import annotations

import calendar as _months
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.web import (
    apply_errors,
    int_or_none,
    org_view,
    paginate,
    querystring_without_page,
    render_page,
)
from somu.org.models import Membership, Organization
from somu.org.permissions import VIEW_ORG
from somu.org.selectors import business_calendar, department_paths
from somu.procedures import forms_runs as rf
from somu.procedures import selectors
from somu.procedures.models import (
    OPEN_STATES,
    EventKind,
    Run,
    RunStatus,
    Step,
    StepEvent,
)
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES
from somu.procedures.selectors import runs as run_selectors
from somu.procedures.selectors import steps as step_selectors
from somu.procedures.selectors import templates as template_selectors
from somu.procedures.services import launching
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.survey.models import SurveyRound
from somu.survey.permissions import VIEW_ANALYSIS

RUNS_PER_PAGE: Final = 50
# The timeline of a long-running run can grow to thousands of events; the newest are kept.
TIMELINE_LIMIT: Final = 500
FINISHING_EVENTS: Final = (EventKind.COMPLETED, EventKind.APPROVED, EventKind.REJECTED)
WEEKDAYS: Final = ("月", "火", "水", "木", "金", "土", "日")


# ---- launching ---------------------------------------------------------------------------------


def _due_warnings(rows: list[template_selectors.PreviewRow]) -> list[str]:
    return [f"{row.name}: {text}" for row in rows if not row.skipped for text in row.warnings]


@require_http_methods(["GET", "POST"])
@org_view(MANAGE_PROCEDURES)
def run_launch(request: AuthedRequest, template_id: int) -> HttpResponse:
    """Launch a run of the template's current version; ``?preview=1`` answers the due-date
    preview for the values typed so far (htmx)."""
    template = template_selectors.template_get(template_id=template_id)
    if template.current_version is None or template.archived:
        messages.error(request, _("This template cannot be launched: it is archived or has no "
                                  "definition yet."))
        return redirect("procedures:template_detail", template_id=template.pk)
    spec = template_selectors.version_spec(template.current_version)
    today = selectors.today()
    kwargs: dict[str, Any] = {
        "spec": spec, "departments": department_paths(),
    }
    if request.method == "POST":
        form = rf.RunLaunchForm(request.POST, **kwargs)
    elif request.GET.get("preview"):
        form = rf.RunLaunchForm(request.GET, **kwargs)
    else:
        form = rf.RunLaunchForm(initial={"start_date": today}, **kwargs)

    if request.method == "GET" and request.GET.get("preview"):
        form.is_valid()  # partial values are enough for a preview
        start = form.cleaned_data.get("start_date") or today
        rows = template_selectors.due_preview(spec=spec, start_date=start, params=form.params())
        return render(request, "procedures/_run_preview.html", {
            "rows": rows, "start": start, "due_warnings": _due_warnings(rows),
            # The name the run will get, swapped into the name field's hint (hx-swap-oob).
            "swapped_name": template_selectors.run_default_name(
                template=template, spec=spec, start_date=start, params=form.params())})

    if request.method == "POST" and form.is_valid():
        membership = request.membership
        try:
            run = run_services.run_launch(
                actor=request.user, template=template, params=form.params(),
                start_date=form.cleaned_data["start_date"],
                name=form.cleaned_data["name"].strip(), starter=membership.person,
            )
        except launching.LaunchError as exc:
            field_map = {p.key: rf.param_field(i) for i, p in enumerate(spec.parameters)}
            apply_errors(form, exc, field_map)
        else:
            messages.success(request, _("“%(name)s” has been launched.") % {"name": run.name})
            for warning in run_services.launch_warnings(start_date=run.start_date, run=run):
                messages.warning(request, warning)
            return redirect("procedures:run_detail", run_id=run.pk)
    start = today
    if form.is_bound and hasattr(form, "cleaned_data"):
        start = form.cleaned_data.get("start_date") or today
    params = form.params() if form.is_bound and hasattr(form, "cleaned_data") else None
    rows = template_selectors.due_preview(spec=spec, start_date=start, params=params)
    return render(request, "procedures/run_launch.html", {
        "template": template, "version": template.current_version, "spec": spec,
        "form": form, "rows": rows, "start": start,
        "blockers": launching.launch_blockers(template, spec),
        "due_warnings": _due_warnings(rows),
        "default_name": template_selectors.run_default_name(
            template=template, spec=spec, start_date=start, params=params),
    })


# ---- runs ----------------------------------------------------------------------------------------


@require_GET
@org_view(VIEW_PROCEDURES)
def run_list(request: HttpRequest) -> HttpResponse:
    templates = list(template_selectors.template_list(
        include_archived=True).values_list("pk", "name"))
    form = rf.RunFilterForm(request.GET or None, templates=templates,
                            statuses=RunStatus.choices)
    filters: dict[str, Any] = {"template_id": None, "status": None, "person_id": None}
    if form.is_bound and form.is_valid():
        filters = {"template_id": form.cleaned_data["template"],
                   "status": form.cleaned_data["status"] or None,
                   "person_id": getattr(form.cleaned_data["assignee"], "pk", None)}
    page = paginate(request, run_selectors.run_list(**filters), per_page=RUNS_PER_PAGE)
    return render_page(request, "procedures/run_list.html", {
        "form": form, "page": page, "query": querystring_without_page(request),
        "filtered": any(v is not None for v in filters.values()),
        "today": selectors.today(),
    }, partial="procedures/_run_table.html")


def _can_see_run(membership: Membership, run: Run) -> bool:
    """Procedure viewers see every run; anyone else the runs in which they hold a step."""
    if has_perm(membership, VIEW_PROCEDURES):
        return True
    return membership.person_id is not None and Step.objects.filter(
        run=run, assignee_id=membership.person_id).exists()


@dataclass
class TimelineEntry:
    """One line of the run's timeline as shown: the event and what it changed, in words."""

    event: StepEvent
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _timeline(run: Run) -> tuple[list[TimelineEntry], dict[int, StepEvent], bool]:
    """The timeline (oldest first, at most TIMELINE_LIMIT of the newest), the event that
    finished each step (for "completed by"), and whether older events were left out."""
    events = list(run_selectors.run_timeline(run=run).order_by("-created_at", "-pk")
                  [:TIMELINE_LIMIT + 1])
    truncated = len(events) > TIMELINE_LIMIT
    events = list(reversed(events[:TIMELINE_LIMIT]))
    finished_by: dict[int, StepEvent] = {}
    entries = []
    for event in events:
        if event.kind in FINISHING_EVENTS and event.step_id is not None:
            finished_by[event.step_id] = event
        elif event.kind == EventKind.REOPENED and event.step_id is not None:
            finished_by.pop(event.step_id, None)
        entries.append(TimelineEntry(event, _event_detail(event)))
    return entries, finished_by, truncated


def _event_detail(event: StepEvent) -> str:
    data = event.data or {}
    if event.kind == EventKind.REASSIGNED:
        return _("%(from)s → %(to)s") % {"from": data.get("from_name") or "—",
                                         "to": data.get("to_name") or "—"}
    if event.kind == EventKind.COMPLETED and data.get("minutes") is not None:
        return _("%(n)s min") % {"n": data["minutes"]}
    if event.kind == EventKind.ATTACHED:
        return str(data.get("filename", ""))
    if event.kind == EventKind.LAUNCHED and data.get("version"):
        return _("version %(n)s") % {"n": data["version"]}
    if event.kind in (EventKind.CANCELLED, EventKind.RUN_STOPPED) and data.get("cancelled_steps"):
        return _("%(n)s open steps cancelled") % {"n": data["cancelled_steps"]}
    return ""


@require_GET
@org_view(VIEW_ORG)
def run_detail(request: AuthedRequest, run_id: int) -> HttpResponse:
    membership = request.membership
    run = run_selectors.run_get(run_id=run_id)
    if not _can_see_run(membership, run):
        raise PermissionDenied(_("You do not have permission to do this."))
    steps = run_selectors.run_steps(run=run)
    timeline, finished_by, truncated = _timeline(run)
    today = selectors.today()
    finished = sum(1 for s in steps if s.state in ("done", "skipped", "approved"))
    skipped = sum(1 for s in steps if s.state == "skipped")
    can_view_all = has_perm(membership, VIEW_PROCEDURES)
    rows = [{
        "step": s,
        "late": s.state in OPEN_STATES and s.due_date is not None and s.due_date < today,
        "finished_by": finished_by.get(s.pk),
        "can_open": can_view_all or (membership.person_id is not None
                                     and s.assignee_id == membership.person_id),
    } for s in steps]
    return render(request, "procedures/run_detail.html", {
        "run": run, "rows": rows, "timeline": timeline, "timeline_truncated": truncated,
        "params": run_selectors.run_param_display(run=run),
        "steps_total": len(steps), "steps_finished": finished,
        "steps_done": finished - skipped, "steps_skipped": skipped,
        "steps_late": sum(1 for r in rows if r["late"]),
        "percent": round(100 * finished / len(steps)) if steps else 0,
        "can_cancel": run.status == RunStatus.RUNNING
        and has_perm(membership, MANAGE_PROCEDURES),
        "cancel_form": rf.RunCancelForm(), "today": today,
    })


@require_POST
@org_view(MANAGE_PROCEDURES)
def run_cancel(request: HttpRequest, run_id: int) -> HttpResponse:
    run = run_selectors.run_get(run_id=run_id)
    form = rf.RunCancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        step_services.run_cancel(actor=request.user, run=run, reason=reason)
    except step_services.StepConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The run has been cancelled; its open steps are closed."))
    return redirect("procedures:run_detail", run_id=run.pk)


# ---- the board -------------------------------------------------------------------------------


def _week_end(today: dt.date) -> dt.date:
    """The Sunday ending today's week (weeks run Monday to Sunday, as on the calendar)."""
    return today + dt.timedelta(days=6 - today.weekday())


@require_GET
@org_view(VIEW_PROCEDURES)
def board(request: HttpRequest) -> HttpResponse:
    today = selectors.today()
    week_end = _week_end(today)
    data = step_selectors.board(today=today, week_end=week_end)
    return render(request, "procedures/board.html", {
        "board": data, "today": today, "week_end": week_end,
        "running": sum(row.running for row in data.templates),
        "late_total": sum(row.steps_late for row in data.templates),
        "due_this_week": data.due_this_week,
        "holders_late": [h for h in data.holders if h.late],
    })


# ---- the due-date calendar ---------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    holiday: str  # a national or company holiday's name ("" for business days and weekends)
    weekend: bool
    today: bool
    steps: list[Step]

    @property
    def closed(self) -> bool:
        return bool(self.holiday) or self.weekend


def _month(value: str | None, today: dt.date) -> tuple[int, int]:
    """``?month=2026-05`` as (2026, 5); today's month when missing or malformed."""
    try:
        year_text, month_text = (value or "").split("-")
        year, month = int(year_text), int(month_text)
        if 1 <= month <= 12 and 1950 <= year <= 2150:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


def _organization(request: AuthedRequest) -> Organization:
    return request.organization


@require_GET
@org_view(VIEW_PROCEDURES)
def due_calendar(request: AuthedRequest) -> HttpResponse:
    today = selectors.today()
    year, month = _month(request.GET.get("month"), today)
    person_id = int_or_none(request.GET.get("assignee"))
    by_day = step_selectors.due_calendar(year=year, month=month, person_id=person_id)
    cal = business_calendar(organization=_organization(request))
    weeks: list[list[CalendarDay]] = []
    for week in _months.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            reason = cal.holiday_reason(day) or ""
            weekend = day.weekday() in cal.weekend_days
            row.append(CalendarDay(
                day=day, in_month=day.month == month,
                holiday="" if reason == "週休日" else reason, weekend=weekend,
                today=day == today, steps=by_day.get(day, []) if day.month == month else [],
            ))
        weeks.append(row)
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(request, "procedures/calendar.html", {
        "weeks": weeks, "weekdays": WEEKDAYS, "first": first, "today": today,
        "previous": f"{previous:%Y-%m}", "next": f"{following:%Y-%m}",
        "this_month": f"{today:%Y-%m}", "assignee": person_id,
        "days_with_steps": [d for week in weeks for d in week if d.in_month and d.steps],
        "holidays": [d for week in weeks for d in week if d.in_month and d.holiday],
        "open_count": sum(len(v) for v in by_day.values()),
    })


# ---- insights: the link back to the work survey ------------------------------------------------


@require_GET
@org_view(VIEW_ORG)
def insights(request: AuthedRequest) -> HttpResponse:
    membership = request.membership
    if not (has_perm(membership, VIEW_PROCEDURES) or has_perm(membership, VIEW_ANALYSIS)):
        raise PermissionDenied(_("You do not have permission to do this."))
    round_id = int_or_none(request.GET.get("round"))
    survey_round = step_selectors.insights_round(round_id=round_id)
    rows = step_selectors.insights(today=selectors.today(),
                                   round_id=survey_round.pk if survey_round else None)
    return render(request, "procedures/insights.html", {
        "rows": rows, "round": survey_round,
        "rounds": list(SurveyRound.objects.order_by("-created_at", "-pk").only("pk", "name")),
        "days": step_selectors.INSIGHT_DAYS,
    })
