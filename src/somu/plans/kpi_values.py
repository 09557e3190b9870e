"""The figures behind :mod:`somu.plans.kpis`: each definition's value per round or month, and
the rows a value is made of. Reads only (survey's analysis, procedures' steps and templates,
the plan's items, approvals' requests when that app is installed)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.apps import apps
from django.db.models import Min
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.core.money import EMPTY, format_yen
from somu.org.models import Department, Person
from somu.plans.models import Item, ItemKind, ItemStatus, Kpi, KpiReading
from somu.procedures.models import Step, StepState, Template, TemplateVersion
from somu.survey import selectors as survey
from somu.survey.analysis.types import AnalysisResult, BusFactor
from somu.survey.models import RoundStatus, SurveyRound

RowTuple = tuple[str, str, str | None]
ROWS_LIMIT = 500
MOVED_KINDS = (ItemKind.OUTSOURCE, ItemKind.AUTOMATE)


# ---- rounds ------------------------------------------------------------------------------------


def round_date(survey_round: SurveyRound) -> dt.date:
    return survey_round.due_on or timezone.localdate(survey_round.created_at)


def round_order(survey_round: SurveyRound) -> tuple[dt.date, dt.datetime, int]:
    return (round_date(survey_round), survey_round.created_at, survey_round.pk)


def closed_rounds() -> list[SurveyRound]:
    """Closed rounds, oldest first (by the answer-by date, else the creation date)."""
    return sorted(SurveyRound.objects.filter(status=RoundStatus.CLOSED), key=round_order)


def analysis_of(survey_round: SurveyRound) -> AnalysisResult:
    return survey.round_analysis(survey_round=survey_round)


def _bus_factor(kpi: Kpi, result: AnalysisResult) -> BusFactor | None:
    scope = str(kpi.parameters.get("scope") or "organization")
    kind, _sep, key = scope.partition(":")
    return next((b for b in result.bus_factors
                 if b.scope == kind and (kind == "organization" or b.key == key)), None)


def round_value(kpi: Kpi, result: AnalysisResult) -> float | None:
    key = kpi.definition
    if key == "dependency_rate_count":
        return result.dependency.rate_by_count * 100 if result.dependency.tasks else None
    if key == "dependency_rate_hours":
        return result.dependency.rate_by_hours * 100 if result.dependency.hours else None
    if key == "bus_factor":
        factor = _bus_factor(kpi, result)
        return float(factor.value) if factor is not None and factor.value is not None else None
    if key == "hours":
        function = kpi.parameters.get("function")
        if not function:
            return result.totals.hours
        return next((b.hours for b in result.by_function if b.key == function), 0.0)
    if key == "overloaded_people":
        return float(sum(1 for p in result.people if p.overloaded))
    if key == "overqualified_cost":
        return float(result.qualification.over_cost)
    raise ValueError(key)


# ---- months ------------------------------------------------------------------------------------


def months_up_to(today: dt.date, count: int = 12) -> list[dt.date]:
    """The first days of the ``count`` months up to ``today``'s, oldest first."""
    year, month = today.year, today.month
    firsts = []
    for _i in range(count):
        firsts.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def month_end(first: dt.date) -> dt.date:
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def month_label(first: dt.date, *, partial: bool = False) -> str:
    """「2026年11月」, or 「2026年12月（途中）」 for a month still running."""
    label = _("%(year)d-%(month)02d") % {"year": first.year, "month": first.month}
    return _("%(month)s (partial)") % {"month": label} if partial else label


def month_running(first: dt.date, today: dt.date) -> bool:
    """Whether the month starting on ``first`` is still running on ``today`` (it is complete
    on its last day)."""
    return today < month_end(first)


def _aware_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def month_values(kpi: Kpi, months: list[dt.date], ctx: Any) -> list[float | None]:
    key = kpi.definition
    if key == "moved_hours":
        moved = _moved_items()
        return [sum(float(i.expected_hours) for i in moved if _moved_on(i) <= month_end(m))
                for m in months]
    if key == "standardization_rate":
        tasks, standardized = _standardization(ctx)
        if not tasks:
            return [None for _m in months]
        return [100 * sum(1 for t in tasks if (standardized.get(t) or dt.date.max) <= month_end(m))
                / len(tasks) for m in months]
    if key == "on_time_rate":
        counts = _steps_by_month(months)
        return [100 * counts[m][0] / counts[m][1] if counts[m][1] else None for m in months]
    if key == "requests_in_somu":
        volume = int(kpi.parameters.get("monthly_volume") or 0)
        submitted = _requests_by_month(months)
        if submitted is None or volume <= 0:
            return [None for _m in months]
        return [min(100.0, 100 * submitted[m] / volume) for m in months]
    raise ValueError(key)


def _moved_items() -> list[Item]:
    return list(Item.objects.filter(kind__in=MOVED_KINDS, status=ItemStatus.DONE)
                .order_by("number"))


def _moved_on(item: Item) -> dt.date:
    return item.moves_on or item.done_on or dt.date.max


def _standardization(ctx: Any) -> tuple[list[int], dict[int, dt.date]]:
    """The tasks with hours in the latest closed round, and for each standardized one the date
    its runnable template (not archived, with a current version) got its first version."""
    if "standardization" in ctx.memo:
        return ctx.memo["standardization"]
    rounds = ctx.rounds
    tasks: list[int] = []
    standardized: dict[int, dt.date] = {}
    if rounds:
        result = ctx.result(rounds[-1])
        tasks = [t.task_id for t in result.tasks if t.hours > 0]
        links = list(Template.tasks.through.objects.filter(
            task_id__in=tasks, template__archived=False,
            template__current_version__isnull=False,
            template__organization_id=rounds[-1].organization_id,
        ).values_list("task_id", "template_id"))
        firsts = dict(TemplateVersion.objects.filter(
            template_id__in={t for _k, t in links}).values("template_id")
            .annotate(first=Min("created_at")).values_list("template_id", "first"))
        for task_id, template_id in links:
            if firsts.get(template_id) is None:
                continue
            on = timezone.localdate(firsts[template_id])
            standardized[task_id] = min(on, standardized.get(task_id, dt.date.max))
    ctx.memo["standardization"] = (tasks, standardized)
    return tasks, standardized


COMPLETED = (StepState.DONE, StepState.APPROVED, StepState.REJECTED)


def _steps(first: dt.date, last: dt.date) -> Any:
    return Step.objects.filter(
        completed_at__gte=_aware_start(first),
        completed_at__lt=_aware_start(last + dt.timedelta(days=1)),
        due_date__isnull=False, state__in=COMPLETED)


def _steps_by_month(months: list[dt.date]) -> dict[dt.date, list[int]]:
    counts: dict[dt.date, list[int]] = {m: [0, 0] for m in months}
    for completed_at, due in _steps(months[0], month_end(months[-1])).values_list(
            "completed_at", "due_date"):
        day = timezone.localdate(completed_at)
        bucket = counts[dt.date(day.year, day.month, 1)]
        bucket[1] += 1
        bucket[0] += 1 if day <= due else 0
    return counts


def _request_model() -> Any:
    if not apps.is_installed("somu.approvals"):
        return None
    return apps.get_model("approvals", "Request")


def _requests_by_month(months: list[dt.date]) -> dict[dt.date, int] | None:
    model = _request_model()
    if model is None:
        return None
    counts: dict[dt.date, int] = defaultdict(int)
    for day in model.objects.filter(
            submitted_on__gte=months[0], submitted_on__lte=month_end(months[-1])).values_list(
            "submitted_on", flat=True):
        counts[dt.date(day.year, day.month, 1)] += 1
    return counts


# ---- manual ------------------------------------------------------------------------------------


def readings_of(kpi: Kpi) -> list[KpiReading]:
    cache = getattr(kpi, "_prefetched_objects_cache", {})
    if "readings" in cache:
        return sorted(cache["readings"], key=lambda r: r.on)
    return list(kpi.readings.order_by("on"))


# ---- presentation ------------------------------------------------------------------------------


def format_value(kpi: Kpi, value: float | None, unit: str) -> str:
    if value is None:
        return EMPTY
    if kpi.definition == "overqualified_cost":
        return format_yen(value)
    if unit == "%":
        return f"{value:.1f}%"
    if kpi.definition in ("bus_factor", "overloaded_people"):
        return f"{value:.0f} {unit}"
    text = f"{value:,.1f}" if value != int(value) else f"{int(value):,}"
    return f"{text} {unit}".strip()


def parameters_label(kpi: Kpi) -> str:
    params = kpi.parameters or {}
    if kpi.definition == "bus_factor":
        kind, _sep, key = str(params.get("scope") or "organization").partition(":")
        if kind == "function":
            return _("Function: %(name)s") % {"name": key}
        if kind == "department":
            name = Department.objects.filter(pk=int(key) if key.isdigit() else 0).values_list(
                "name", flat=True).first()
            return _("Department: %(name)s") % {"name": name or "—"}
        return _("Whole organization")
    if kpi.definition == "hours":
        function = params.get("function")
        return _("Function: %(name)s") % {"name": function} if function else \
            _("Whole organization")
    if kpi.definition == "requests_in_somu":
        return _("%(count)s requests a month") % {"count": params.get("monthly_volume")}
    return ""


def item_url(item_id: int) -> str | None:
    """The improvement item's page (built by the items area), or ``None`` while it is not
    there: links to items go through here so the pages work either way."""
    try:
        return reverse("plans:item_detail", args=[item_id])
    except NoReverseMatch:
        return None


def _drill(round_id: int, query: str, personal: bool) -> str | None:
    if not personal:
        return None
    return reverse("survey:analysis_rows", args=[round_id]) + "?" + query


def _hours(value: float) -> str:
    return _("%(hours)s h/month") % {"hours": f"{value:,.1f}"}


def rows(kpi: Kpi, point: Any, ctx: Any, *, personal: bool) -> list[RowTuple]:
    key = kpi.definition
    if key in ("dependency_rate_count", "dependency_rate_hours", "bus_factor", "hours",
               "overloaded_people", "overqualified_cost"):
        survey_round = SurveyRound.objects.filter(pk=point.round_id).first()
        if survey_round is None:
            return []
        return _round_rows(kpi, survey_round, ctx.result(survey_round), personal)
    if key == "moved_hours":
        end = month_end(point.on)
        return [(f"#{i.number} {i.title}", _hours(float(i.expected_hours)), item_url(i.pk))
                for i in _moved_items() if _moved_on(i) <= end]
    if key == "standardization_rate":
        return _standardization_rows(ctx, month_end(point.on))
    if key == "on_time_rate":
        return _step_rows(point.on)
    if key == "requests_in_somu":
        return _request_rows(point.on)
    readings: list[RowTuple] = [
        (r.on.strftime("%Y/%m/%d"), format_value(kpi, float(r.value), kpi.unit), None)
        for r in readings_of(kpi) if r.on <= point.on]
    return readings[::-1]


def _round_rows(kpi: Kpi, survey_round: SurveyRound, result: AnalysisResult,
                personal: bool) -> list[RowTuple]:
    key = kpi.definition
    rid = survey_round.pk
    tasks = {t.task_id: t for t in result.tasks}
    if key in ("dependency_rate_count", "dependency_rate_hours"):
        out: list[RowTuple] = []
        for task_id in result.dependency.dependent_task_ids:
            t = tasks[task_id]
            value = _("%(hours)s · %(count)s capable") % {"hours": _hours(t.hours),
                                                        "count": len(t.capable)}
            out.append((f"{t.function} / {t.name}", value, _drill(rid, f"task={task_id}",
                                                                    personal)))
        return out
    if key == "bus_factor":
        factor = _bus_factor(kpi, result)
        if factor is None:
            return []
        names = dict(Person.objects.filter(pk__in=factor.removed).values_list("pk", "name"))
        out = [(_("Hours of the scope left with nobody capable"),
                _("%(uncovered)s of %(total)s") % {"uncovered": _hours(factor.uncovered_hours),
                                                   "total": _hours(factor.hours)}, None)]
        out += [(names.get(pk, "—"), _("would leave"), _drill(rid, f"person={pk}", personal))
                for pk in factor.removed]
        return out
    if key == "hours":
        function = kpi.parameters.get("function")
        if function:
            return [(t.name, _hours(t.hours), _drill(rid, f"task={t.task_id}", personal))
                    for t in result.tasks if t.function == function and t.hours > 0]
        from urllib.parse import quote

        return [(b.label, _hours(b.hours), _drill(rid, f"function={quote(b.key)}", personal))
                for b in result.by_function]
    if key == "overloaded_people":
        return [(p.name, _("%(load)s of %(capacity)s (%(rate)s%%)") % {
                    "load": _hours(p.load), "capacity": _hours(p.capacity),
                    "rate": f"{p.utilization * 100:.0f}"} if personal else "",
                 _drill(rid, f"person={p.person_id}", personal))
                for p in result.people if p.overloaded]
    return [(g.grade, _("%(hours)s · %(cost)s") % {"hours": _hours(g.over_hours),
                                                  "cost": format_yen(g.over_cost)},
             _drill(rid, f"grade={g.grade}&qualification=over", personal))
            for g in result.qualification.by_grade if g.over_hours > 0]


def _standardization_rows(ctx: Any, end: dt.date) -> list[RowTuple]:
    tasks, standardized = _standardization(ctx)
    if not tasks:
        return []
    result = ctx.result(ctx.rounds[-1])
    summaries = {t.task_id: t for t in result.tasks}
    templates: dict[int, tuple[int, str]] = {}
    for task_id, template_id, name in Template.tasks.through.objects.filter(
            task_id__in=[t for t, on in standardized.items() if on <= end],
            template__archived=False, template__current_version__isnull=False).values_list(
            "task_id", "template_id", "template__name"):
        templates.setdefault(task_id, (template_id, name))
    out: list[RowTuple] = []
    for task_id in tasks:
        t = summaries[task_id]
        if task_id in templates:
            template_id, name = templates[task_id]
            out.append((f"{t.function} / {t.name}", _("Procedure: %(name)s") % {"name": name},
                        reverse("procedures:template_detail", args=[template_id])))
        else:
            out.append((f"{t.function} / {t.name}", _("No runnable procedure"), None))
    return out


def _step_rows(first: dt.date) -> list[RowTuple]:
    out: list[RowTuple] = []
    for step in _steps(first, month_end(first)).select_related("run").order_by(
            "completed_at", "pk")[:ROWS_LIMIT]:
        day = timezone.localdate(step.completed_at)
        late = day > step.due_date
        value = _("due %(due)s · completed %(done)s · %(verdict)s") % {
            "due": step.due_date.strftime("%Y/%m/%d"), "done": day.strftime("%Y/%m/%d"),
            "verdict": _("late") if late else _("on time")}
        out.append((f"{step.run.name} / {step.name}", value,
                    reverse("procedures:run_detail", args=[step.run_id])))
    return out


def _request_rows(first: dt.date) -> list[RowTuple]:
    model = _request_model()
    if model is None:
        return []
    return [(f"{r.number} {r.title}".strip(), r.submitted_on.strftime("%Y/%m/%d"),
             reverse("approvals:request_detail", args=[r.pk]))
            for r in model.objects.filter(submitted_on__gte=first,
                                          submitted_on__lte=month_end(first))
            .order_by("submitted_on", "pk")[:ROWS_LIMIT]]
