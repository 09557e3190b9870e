"""The figures of an activity report (活動報告), computed once when the report is made.

Everything here reads: the procedures' runs and steps, the approvals' requests (when that app is
installed), the survey's closed rounds through their cached analysis, the plan's items, and the
KPIs and measured effects of :mod:`somu.plans.kpis` / :mod:`somu.plans.measure`. The result is
plain JSON (numbers, strings, lists), stored in ``Report.figures`` so the page, the workbook and
the PDF say the same thing for ever.

Period bounds are inclusive dates; ``as_of`` is the last day the figures can see (the period's
end, or today for the current period).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from somu.plans import kpi_values, kpis, measure
from somu.plans.models import Item, ItemKind, ItemStatus
from somu.procedures.models import Run, RunStatus, Step
from somu.survey import selectors as survey_selectors
from somu.survey.analysis import AnalysisResult
from somu.survey.models import RoundStatus, SurveyRound

VERSION = 1
TOP = 5  # risks listed per kind
TREND_MONTHS = 6  # the on-time chart: the period's last month and the five before
OPEN_STATUSES = (ItemStatus.PROPOSED, ItemStatus.PLANNED, ItemStatus.IN_PROGRESS)
# A step is completed when done, approved or rejected: the on-time KPI counts the same steps.
DONE_STEP_STATES = kpi_values.COMPLETED


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the organization's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_starts(starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    out, month = [], starts_on.replace(day=1)
    while month <= ends_on:
        out.append(month)
        month = add_months(month, 1)
    return out


def _between(field: str, starts_on: dt.date, ends_on: dt.date) -> Q:
    """``field`` (a timestamp) falls on one of the days starts_on … ends_on (local time)."""
    return Q(**{f"{field}__gte": day_start(starts_on),
                f"{field}__lt": day_start(ends_on + dt.timedelta(days=1))})


def _r1(value: float | None) -> float | None:
    return None if value is None else round(float(value), 1)


# ---- procedures ----------------------------------------------------------------------------------


def procedure_figures(*, starts_on: dt.date, ends_on: dt.date) -> dict[str, Any]:
    """Runs launched and completed, steps completed and how many by their due date; the on-time
    rate per month over the last :data:`TREND_MONTHS` months up to the period's end."""
    launched = Run.objects.filter(_between("created_at", starts_on, ends_on))
    completed = Run.objects.filter(_between("completed_at", starts_on, ends_on),
                                   status=RunStatus.COMPLETED)
    by_template: Counter[str] = Counter(launched.values_list("template__name", flat=True))
    done_by_template: Counter[str] = Counter(completed.values_list("template__name", flat=True))
    trend_start = add_months(ends_on.replace(day=1), 1 - TREND_MONTHS)
    first = min(trend_start, starts_on)
    months: dict[str, dict[str, Any]] = {
        f"{m:%Y-%m}": {"month": f"{m:%Y-%m}", "label": f"{m.year}年{m.month}月",
                       "in_period": starts_on <= m <= ends_on,
                       "completed": 0, "with_due": 0, "on_time": 0}
        for m in month_starts(first, ends_on)
    }
    rows = Step.objects.filter(_between("completed_at", first, ends_on),
                               state__in=DONE_STEP_STATES).values_list("completed_at", "due_date")
    for completed_at, due in rows:
        day = timezone.localdate(completed_at)
        month = months[f"{day:%Y-%m}"]
        month["completed"] += 1
        if due is not None:
            month["with_due"] += 1
            month["on_time"] += day <= due
    in_period = [m for m in months.values() if m["in_period"]]
    with_due = sum(m["with_due"] for m in in_period)
    on_time = sum(m["on_time"] for m in in_period)
    for m in months.values():
        m["rate"] = m["on_time"] / m["with_due"] if m["with_due"] else None
    return {
        "runs_launched": sum(by_template.values()),
        "runs_completed": sum(done_by_template.values()),
        "steps_completed": sum(m["completed"] for m in in_period),
        "steps_with_due": with_due,
        "steps_on_time": on_time,
        "steps_late": with_due - on_time,
        "on_time_rate": on_time / with_due if with_due else None,
        "by_template": [
            {"name": name, "launched": by_template[name], "completed": done_by_template[name]}
            for name in sorted(set(by_template) | set(done_by_template),
                               key=lambda n: (-by_template[n] - done_by_template[n], n))
        ][:10],
        "by_month": [m for m in months.values() if m["month"] >= f"{trend_start:%Y-%m}"],
    }


# ---- requests (approvals) ------------------------------------------------------------------------


def request_figures(*, starts_on: dt.date, ends_on: dt.date) -> dict[str, Any] | None:
    """Requests (申請・稟議, expense claims included: they are requests too) submitted for the
    first time in the period, and those approved or rejected in it, per request type. None when
    the approvals app is not installed."""
    if not apps.is_installed("somu.approvals"):
        return None
    from somu.approvals.models import Request, RequestState

    types: dict[str, dict[str, Any]] = {}

    def _row(name: str) -> dict[str, Any]:
        return types.setdefault(name, {"name": name, "submitted": 0, "approved": 0,
                                       "rejected": 0})

    for name in Request.objects.filter(submitted_on__gte=starts_on, submitted_on__lte=ends_on
                                       ).values_list("request_type__name", flat=True):
        _row(name)["submitted"] += 1
    decided = Request.objects.filter(
        _between("decided_at", starts_on, ends_on),
        state__in=(RequestState.APPROVED, RequestState.REJECTED),
    ).values_list("request_type__name", "state")
    for name, state in decided:
        _row(name)["approved" if state == RequestState.APPROVED else "rejected"] += 1
    rows = sorted(types.values(), key=lambda r: (-r["submitted"], r["name"]))
    return {
        "submitted": sum(r["submitted"] for r in rows),
        "approved": sum(r["approved"] for r in rows),
        "rejected": sum(r["rejected"] for r in rows),
        "by_type": rows,
    }


# ---- hours and risks (the survey) ---------------------------------------------------------------


def closed_rounds_by(day: dt.date) -> list[SurveyRound]:
    """Closed rounds that ended by ``day`` (their answer date, or the day they were made when
    they have none), oldest first — the order the KPIs' trends use."""
    rounds = [r for r in SurveyRound.objects.filter(status=RoundStatus.CLOSED)
              if (r.due_on or timezone.localdate(r.created_at)) <= day]
    return sorted(rounds, key=lambda r: (r.due_on or timezone.localdate(r.created_at),
                                         r.created_at, r.pk))


def _round_ref(r: SurveyRound) -> dict[str, Any]:
    return {"id": r.pk, "name": r.name, "due_on": r.due_on.isoformat() if r.due_on else None}


def hours_figures(latest: tuple[SurveyRound, AnalysisResult] | None,
                  previous: tuple[SurveyRound, AnalysisResult] | None) -> dict[str, Any] | None:
    """Hours per function in the latest closed round, and the change from the round before."""
    if latest is None:
        return None
    now = {b.key: b for b in latest[1].by_function}
    before = {b.key: b for b in previous[1].by_function} if previous else {}
    rows = []
    for key in list(now) + [k for k in before if k not in now]:
        hours = now[key].hours if key in now else 0.0
        prior = before[key].hours if key in before else (0.0 if previous else None)
        rows.append({
            "function": (now.get(key) or before[key]).label,
            "hours": _r1(hours), "share": now[key].share if key in now else 0.0,
            "previous": _r1(prior),
            "change": _r1(hours - prior) if prior is not None else None,
        })
    total = latest[1].totals.hours
    prior_total = previous[1].totals.hours if previous else None
    return {
        "round": _round_ref(latest[0]),
        "previous_round": _round_ref(previous[0]) if previous else None,
        "total": _r1(total),
        "previous_total": _r1(prior_total),
        "change": _r1(total - prior_total) if prior_total is not None else None,
        "people": latest[1].totals.people_with_hours,
        "by_function": rows,
    }


def risk_figures(latest: tuple[SurveyRound, AnalysisResult] | None) -> dict[str, Any] | None:
    """The top risks of the latest closed round: person-dependent tasks by hours, the people whose
    leaving would orphan the most hours, the overloaded people. Hours per person are kept for
    the back office; :func:`somu.plans.services.reports.for_viewer` hides them from executives."""
    if latest is None:
        return None
    survey_round, result = latest
    people, _tasks = survey_selectors.analysis_labels(result=result)
    tasks = {t.task_id: t for t in result.tasks}
    dependent = [tasks[t] for t in result.dependency.dependent_task_ids if t in tasks][:TOP]
    return {
        "round": _round_ref(survey_round),
        "dependency_rate_by_count": result.dependency.rate_by_count,
        "dependency_rate_by_hours": result.dependency.rate_by_hours,
        "dependent_tasks_count": result.dependency.dependent_tasks,
        "tasks_count": result.dependency.tasks,
        "dependent_tasks": [
            {"task": t.name, "function": t.function, "hours": _r1(t.hours),
             "people": [people.get(p, "") for p in t.capable]}
            for t in dependent
        ],
        "retirement": [
            {"person": r.name, "orphaned_hours": _r1(r.orphaned_hours),
             "unabsorbed_hours": _r1(r.unabsorbed_hours), "tasks": len(r.orphaned_task_ids)}
            for r in result.retirement[:TOP]
        ],
        "overloaded_count": sum(1 for p in result.people if p.overloaded),
        "overloaded": [
            {"person": p.name, "load": _r1(p.load), "capacity": _r1(p.capacity),
             "utilization": round(p.utilization, 4)}
            for p in sorted((p for p in result.people if p.overloaded),
                            key=lambda p: -p.utilization)[:TOP]
        ],
    }


# ---- items, effects and KPIs ---------------------------------------------------------------------


def _item_row(item: Item) -> dict[str, Any]:
    return {
        "number": item.number, "title": item.title, "kind": item.kind,
        "kind_label": str(ItemKind(item.kind).label), "status": item.status,
        "status_label": str(ItemStatus(item.status).label),
        "owner": item.owner.name if item.owner else "",
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "done_on": item.done_on.isoformat() if item.done_on else None,
        "expected_hours": float(item.expected_hours),
        "expected_capable": item.expected_capable,
        "expected_cost": item.expected_cost,
        "personal": measure.about_a_person(item),
    }


def item_figures(*, starts_on: dt.date, ends_on: dt.date, as_of: dt.date,
                 made_on: dt.date) -> dict[str, Any]:
    """Items done in the period (with their measured effect), the open ones and the count per
    status. Statuses are as they stand when the report is made, for items made by ``as_of``."""
    items = list(Item.objects.filter(created_at__lt=day_start(as_of + dt.timedelta(days=1)))
                 .select_related("owner", "task", "person", "round", "kpi"))
    done = sorted((i for i in items if i.status == ItemStatus.DONE and i.done_on
                   and starts_on <= i.done_on <= ends_on), key=lambda i: (i.done_on, i.number))
    # The effect as last measured when the report is made (a round closed after the period
    # may already show what an item done in it brought).
    effects = measured_effects(done, today=made_on)
    done_rows = [_item_row(i) | effects.get(i.pk, {"state": "not_measured"}) for i in done]
    open_items = sorted((i for i in items if i.status in OPEN_STATUSES),
                        key=lambda i: (i.due_on or dt.date.max, i.number))
    counts = Counter(i.status for i in items)
    return {
        "done": done_rows,
        "done_count": len(done),
        "done_expected_hours": _r1(sum(float(i.expected_hours) for i in done)),
        "open_count": len(open_items),
        "overdue_count": sum(1 for i in open_items if i.due_on and i.due_on < as_of),
        "open": [_item_row(i) | {"overdue": bool(i.due_on and i.due_on < as_of)}
                 for i in open_items[:20]],
        "by_status": [{"status": s.value, "label": str(s.label), "count": counts[s.value]}
                      for s in ItemStatus],
    }


def measured_effects(items: list[Item], *, today: dt.date) -> dict[int, dict[str, Any]]:
    """Each item's measured effect (:func:`somu.plans.measure.item_effects`), by item id."""
    out: dict[int, dict[str, Any]] = {}
    for effect in measure.item_effects(items, today=today):
        out[effect.item.pk] = {
            "state": effect.state,
            "baseline_round": effect.baseline_round.name if effect.baseline_round else "",
            "measured_round": effect.measured_round.name if effect.measured_round else "",
            "measured_hours": _r1(effect.measured_hours),
            "measured_capable": effect.measured_capable,
            "kpi_before": effect.kpi_before, "kpi_after": effect.kpi_after,
        }
    return out


def kpi_figures(*, as_of: dt.date) -> list[dict[str, Any]]:
    """The KPIs against their targets as they stood on ``as_of``
    (:func:`somu.plans.kpis.kpi_statuses`), with their values written as the KPI page writes
    them."""
    rows = []
    for s in kpis.kpi_statuses(today=as_of):
        current = s.current.value if s.current else None
        rows.append({
            "name": s.kpi.name, "definition": str(s.definition.label),
            "parameters": s.parameters_label, "unit": kpis.unit_of(s.kpi),
            "direction": s.kpi.direction if s.kpi.definition == "manual"
            else s.definition.direction,
            "current": current, "current_label": s.current.label if s.current else "",
            "current_text": kpis.format_value(s.kpi, current),
            "target": float(s.target), "target_text": kpis.format_value(s.kpi, float(s.target)),
            "target_on": s.target_on.isoformat(),
            "gap": s.gap, "achieved": s.achieved, "overdue": s.overdue,
        })
    return rows


# ---- all together --------------------------------------------------------------------------------


def compute(*, starts_on: dt.date, ends_on: dt.date, today: dt.date) -> dict[str, Any]:
    """Every figure of the report for starts_on … ends_on, as seen on ``today``."""
    as_of = min(ends_on, today)
    rounds = closed_rounds_by(ends_on)
    analysed = [(r, survey_selectors.round_analysis(survey_round=r)) for r in rounds[-2:]]
    latest = analysed[-1] if analysed else None
    previous = analysed[-2] if len(analysed) > 1 else None
    return {
        "version": VERSION,
        "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
        "as_of": as_of.isoformat(), "made_on": today.isoformat(),
        "procedures": procedure_figures(starts_on=starts_on, ends_on=ends_on),
        "requests": request_figures(starts_on=starts_on, ends_on=ends_on),
        "hours": hours_figures(latest, previous),
        "items": item_figures(starts_on=starts_on, ends_on=ends_on, as_of=as_of,
                              made_on=today),
        "kpis": kpi_figures(as_of=as_of),
        "risks": risk_figures(latest),
    }
