"""Pages of the survey analysis: the dashboard and the printable and Excel reports. The rows
behind each figure are in :mod:`somu.survey.views_drill`, the comparison of two rounds in
:mod:`somu.survey.views_compare`.

The analysis itself comes from :func:`selectors.round_analysis` (cached per round); these views
only arrange its result for reading. Charts are described as small JSON specs (``json_script``)
that ``static/somu/survey-charts.js`` turns into ECharts charts; every bar, slice and cell links
to :func:`~somu.survey.views_drill.drill_rows` with the filter that selects the rows it was
computed from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from somu.core.percent import format_percent
from somu.core.requests import AuthedRequest
from somu.core.uploads import SPREADSHEET_TYPES
from somu.core.web import org_view
from somu.org.selectors import department_paths
from somu.survey import selectors, terms
from somu.survey.analysis.types import AnalysisResult, TaskSummary
from somu.survey.drill import FLAG_LABELS
from somu.survey.models import AnalysisSnapshot, SurveyRound
from somu.survey.permissions import VIEW_ANALYSIS, VIEW_TEAM_ANALYSIS, analysis_scope

SECTIONS = (
    ("overview", gettext_lazy("Overview")),
    ("hours", gettext_lazy("Hours")),
    ("dependency", gettext_lazy("Person dependency")),
    ("retirement", gettext_lazy("Retirement risk")),
    ("grades", gettext_lazy("Grade fit")),
    ("load", gettext_lazy("Workload")),
    ("flags", gettext_lazy("Outsourcing and automation")),
    ("seasonality", gettext_lazy("Seasonality")),
)
SCOPE_LABELS = {
    "organization": gettext_lazy("Organization"),
    "function": gettext_lazy("Function"),
    "department": gettext_lazy("Department"),
}
# Long lists are cut for the page (the Excel report has everything); charts show the largest.
TABLE_LIMIT = 300
CHART_LIMIT = 30
# The over-qualified assignments listed on the grade-fit section, largest hours first.
OVER_LIMIT = 20
# The first colours of survey-charts.js's palette, for series that must match other charts.
PALETTE = ("#0b5cad", "#2f9e8f", "#d08c2c", "#7a5fb0", "#c4453c", "#5b8def", "#8a9a5b",
           "#b25f9b", "#4d7c8a", "#e0b84f", "#9aa5b1", "#3d6b4f")
Charts = dict[str, dict[str, Any]]


# ---- helpers -------------------------------------------------------------------------------------


def _rows_url(survey_round: SurveyRound, **params: object) -> str:
    url = reverse("survey:analysis_rows", args=[survey_round.pk])
    query = urlencode([(k, "" if v is None else v) for k, v in params.items()])
    return f"{url}?{query}" if query else url


def _department_param(key: str) -> str:
    """A department breakdown's key as the drill-down's ``department`` (0: no department)."""
    return key if key.isdigit() else "0"


def _has_data(survey_round: SurveyRound, scope: frozenset[int] | None = None) -> bool:
    return selectors.hours_rows(survey_round=survey_round, drill=selectors.HoursDrill(),
                                department_ids=scope).exists()


def _scope(request: AuthedRequest) -> frozenset[int] | None:
    """None: the whole organization; else a manager's departments (PRODUCT.md, manager scope)."""
    return analysis_scope(request.membership)


def _scope_label(request: AuthedRequest) -> str:
    """What a restricted analysis covers, in words: the manager's department and below."""
    person = request.membership.person
    if person is None or person.department_id is None:
        return _("nobody (your account is not linked to a person in a department)")
    return _("%(department)s and its sub-departments") % {
        "department": department_paths().get(person.department_id, "")}


def _r(value: float, digits: int = 1) -> float:
    return round(float(value), digits)


def _bar(categories: list[str], series: list[dict[str, Any]], links: list[str], *,
         unit: str = "h", horizontal: bool = False, **extra: Any) -> dict[str, Any]:
    return {"kind": "bar", "categories": categories, "series": series, "links": links,
            "unit": unit, "horizontal": horizontal, **extra}


@dataclass(frozen=True)
class Labels:
    people: dict[int, str]
    tasks: dict[int, TaskSummary]

    def person(self, person_id: int) -> str:
        return self.people.get(person_id, f"#{person_id}")

    def task(self, task_id: int) -> str:
        task = self.tasks.get(task_id)
        return task.name if task else f"#{task_id}"


# ---- the dashboard's sections --------------------------------------------------------------------


def _overview(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    organization = next((b for b in result.bus_factors if b.scope == "organization"), None)
    # The largest ones: a task someone can only learn (no hours) is no finding for this list.
    dependent = [labels.tasks[t] for t in result.dependency.dependent_task_ids
                 if t in labels.tasks and labels.tasks[t].hours > 0][:5]
    charts: Charts = {"overview-function": {
        "kind": "pie", "categories": [b.label for b in result.by_function],
        "data": [_r(b.hours) for b in result.by_function], "unit": "h",
        # The slices' percentages as the tables print them, not ECharts' own (two decimals).
        "shares": [format_percent(b.share) for b in result.by_function],
        "links": [_rows_url(r, function=b.key) for b in result.by_function]}}
    return {
        "org_bus_factor": organization,
        "overloaded": [p for p in result.people if p.overloaded],
        "top_dependent": dependent,
        "top_retirement": result.retirement[:3],
        "charts": charts,
    }


def _hours(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    functions = [b.key for b in result.by_function]
    people = list(result.people[:CHART_LIMIT])
    tasks = [t for t in result.tasks[:CHART_LIMIT] if t.hours > 0]
    heat = result.heatmap
    heat_tasks = [labels.tasks.get(t) for t in heat.task_ids]
    charts: Charts = {
        "hours-function": _bar(
            [b.label for b in result.by_function],
            [{"name": _("Hours"), "data": [_r(b.hours) for b in result.by_function]}],
            [_rows_url(r, function=b.key) for b in result.by_function]),
        "hours-department": _bar(
            [b.label or _("(no department)") for b in result.by_department],
            [{"name": _("Hours"), "data": [_r(b.hours) for b in result.by_department]}],
            [_rows_url(r, department=_department_param(b.key)) for b in result.by_department],
            horizontal=True),
        "hours-grade": _bar(
            [b.label or _("(no grade)") for b in result.by_grade],
            [{"name": _("Hours"), "data": [_r(b.hours) for b in result.by_grade]}],
            [_rows_url(r, grade=b.key) for b in result.by_grade]),
        "hours-person": _bar(
            [p.name for p in people],
            [{"name": f, "stack": "load", "data": [_r(p.by_function.get(f, 0)) for p in people]}
             for f in functions],
            [_rows_url(r, person=p.person_id) for p in people], horizontal=True,
            seriesParams=[urlencode({"function": f}) for f in functions]),
        "hours-pareto": {
            "kind": "pareto", "categories": [t.name for t in tasks],
            "bars": [_r(t.hours) for t in tasks],
            "cumulative": [_r(t.cumulative_share * 100) for t in tasks],
            "links": [_rows_url(r, task=t.task_id) for t in tasks],
            "names": {"bars": _("Hours"), "line": _("Cumulative share")}},
        "hours-heatmap": {
            "kind": "heatmap",
            "x": [t.name if t else "" for t in heat_tasks],
            "y": [labels.person(p) for p in heat.person_ids],
            "data": [[j, i, _r(v)] for i, row in enumerate(heat.values)
                     for j, v in enumerate(row) if v > 0],
            "base": _rows_url(r),
            "xParams": [urlencode({"task": t}) for t in heat.task_ids],
            "yParams": [urlencode({"person": p}) for p in heat.person_ids]},
    }
    return {
        "people_table": result.people[:TABLE_LIMIT],
        "tasks_table": result.tasks[:TABLE_LIMIT],
        "people_cut": len(result.people) > TABLE_LIMIT,
        "tasks_cut": len(result.tasks) > TABLE_LIMIT,
        "functions": functions,
        "charts": charts,
    }


def _dependency(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    dependent = [labels.tasks[t] for t in result.dependency.dependent_task_ids
                 if t in labels.tasks]
    rows = [{"task": t, "capable": labels.person(t.capable[0]) if t.capable else None}
            for t in dependent[:TABLE_LIMIT]]
    scope_filter = {"organization": lambda key: {}, "function": lambda key: {"function": key},
                    "department": lambda key: {"department": _department_param(key)}}
    bus = [{"factor": b, "names": [labels.person(p) for p in b.removed],
            "url": _rows_url(r, **scope_filter[b.scope](b.key))}
           for b in result.bus_factors]
    top = dependent[:CHART_LIMIT]
    charts: Charts = {"dependency-tasks": _bar(
        [t.name for t in top], [{"name": _("Hours"), "data": [_r(t.hours) for t in top]}],
        [_rows_url(r, task=t.task_id) for t in top], horizontal=True)}
    return {"dependent_rows": rows, "dependent_cut": len(dependent) > TABLE_LIMIT,
            "bus_factors": bus, "charts": charts}


def _retirement(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    risks = []
    for risk in result.retirement[:TABLE_LIMIT]:
        absorbers: dict[int, float] = {}
        for a in risk.absorbed:
            absorbers[a.person_id] = absorbers.get(a.person_id, 0.0) + a.hours
        risks.append({
            "risk": risk,
            "tasks": [(t, labels.task(t)) for t in risk.orphaned_task_ids],
            "absorbers": sorted(((labels.person(p), h) for p, h in absorbers.items()),
                                key=lambda x: -x[1]),
            "absorbed_hours": risk.orphaned_hours - risk.unabsorbed_hours,
        })
    top = result.retirement[:CHART_LIMIT]
    charts: Charts = {"retirement": _bar(
        [x.name for x in top],
        [{"name": str(terms.ABSORBABLE_HOURS), "stack": "o",
          "data": [_r(x.orphaned_hours - x.unabsorbed_hours) for x in top]},
         {"name": str(terms.UNABSORBED_HOURS), "stack": "o",
          "data": [_r(x.unabsorbed_hours) for x in top]}],
        [_rows_url(r, orphaned_of=x.person_id) for x in top], horizontal=True,
        colors=["#6e9fd6", "#c4453c"])}
    return {"risks": risks, "risks_cut": len(result.retirement) > TABLE_LIMIT, "charts": charts}


def _grades(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    by_grade = result.qualification.by_grade
    charts: Charts = {"grades": _bar(
        [g.grade for g in by_grade],
        [{"name": str(terms.OVER_QUALIFIED_HOURS), "data": [_r(g.over_hours) for g in by_grade]},
         {"name": str(terms.UNDER_QUALIFIED_HOURS), "data": [_r(g.under_hours) for g in by_grade]}],
        [_rows_url(r, grade=g.grade) for g in by_grade],
        seriesParams=["qualification=over", "qualification=under"],
        colors=["#d08c2c", "#7a5fb0"])}
    # The largest over-qualified assignments (person × task) of the people in this result (a
    # manager's analysis covers only their departments), each a finding one can act on.
    people = [p.person_id for p in result.people]
    over_rows = list(selectors.hours_rows(
        survey_round=r, drill=selectors.HoursDrill(qualification="over"))
        .filter(person_id__in=people)[:OVER_LIMIT]) if people else []
    return {"charts": charts, "over_rows": over_rows}


def _load(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    busiest = sorted(result.people, key=lambda p: -p.utilization)[:CHART_LIMIT]
    charts: Charts = {"load": _bar(
        [p.name for p in busiest],
        [{"name": str(terms.UTILIZATION), "data": [_r(p.utilization * 100) for p in busiest]}],
        [_rows_url(r, person=p.person_id) for p in busiest], unit="%", horizontal=True,
        markLine=100, highlightAbove=100)}
    return {
        "overloaded": [p for p in result.people if p.overloaded],
        "load_table": sorted(result.people, key=lambda p: -p.utilization)[:TABLE_LIMIT],
        "load_cut": len(result.people) > TABLE_LIMIT,
        "charts": charts,
    }


def _flags(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    flags = [{"flag": f, "label": FLAG_LABELS[f.flag], "url": _rows_url(r, flag=f.flag),
              "tasks": [labels.tasks[t] for t in f.task_ids[:20] if t in labels.tasks],
              "more": max(0, len(f.task_ids) - 20)}
             for f in result.flags]
    charts: Charts = {"flags": _bar(
        [str(FLAG_LABELS[f.flag]) for f in result.flags],
        [{"name": _("Hours"), "data": [_r(f.hours) for f in result.flags]}],
        [_rows_url(r, flag=f.flag) for f in result.flags])}
    return {"flag_rows": flags, "charts": charts}


def _seasonality(r: SurveyRound, result: AnalysisResult, labels: Labels) -> dict[str, Any]:
    months = result.seasonality.months
    if not months:
        return {"charts": {}}
    functions = list(months[0].by_function)
    names = [str(MONTHS[m.month]) for m in months]
    # The same colour for a function as in the other charts (which follow by_function's order).
    order = [b.key for b in result.by_function]
    colors = [PALETTE[order.index(f) % len(PALETTE)] if f in order else "#9aa5b1"
              for f in functions]
    charts: Charts = {"seasonality": _bar(
        names,
        [{"name": f, "stack": "m", "data": [_r(m.by_function.get(f, 0)) for m in months]}
         for f in functions],
        [_rows_url(r) for _m in months],
        seriesParams=[urlencode({"function": f}) for f in functions], colors=colors)}
    peak = result.seasonality.peak_month
    rows = [{"month": str(MONTHS[m.month]), "m": m, "peak": m.month == peak} for m in months]
    return {"month_rows": rows, "functions": functions, "charts": charts}


BUILDERS: dict[str, Callable[[SurveyRound, AnalysisResult, Labels], dict[str, Any]]] = {
    "overview": _overview, "hours": _hours, "dependency": _dependency,
    "retirement": _retirement, "grades": _grades, "load": _load, "flags": _flags,
    "seasonality": _seasonality,
}


def _labels(result: AnalysisResult) -> Labels:
    people, _tasks = selectors.analysis_labels(result=result)
    return Labels(people=people, tasks={t.task_id: t for t in result.tasks})


def _base_context(survey_round: SurveyRound, result: AnalysisResult) -> dict[str, Any]:
    return {
        "survey_round": survey_round, "result": result,
        "method_labels": terms.BUS_FACTOR_METHODS, "method_help": terms.BUS_FACTOR_METHOD_HELP,
        "method_notes": [(label, terms.BUS_FACTOR_METHOD_HELP[key])
                         for key, label in terms.BUS_FACTOR_METHODS.items()],
        "scope_labels": SCOPE_LABELS,
        "table_limit": TABLE_LIMIT, "chart_limit": CHART_LIMIT,
        "org_balance": result.balance[0] if result.balance else None,
        "overloaded_count": sum(1 for p in result.people if p.overloaded),
        "peak_month_name": str(MONTHS[result.seasonality.peak_month])
        if result.seasonality.peak_month else "",
    }


# ---- pages ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@org_view(VIEW_TEAM_ANALYSIS)
def dashboard(request: AuthedRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    scope = _scope(request)
    section = request.GET.get("section", "overview")
    if section not in BUILDERS:
        section = "overview"
    url = f"{reverse('survey:analysis', args=[survey_round.pk])}?section={section}"
    if request.method == "POST":
        # Anyone who may read the analysis may recompute it: it changes no data, only the cache.
        selectors.round_analysis(survey_round=survey_round, refresh=True, department_ids=scope)
        messages.success(request, _("The analysis has been computed again."))
        return redirect(url)
    if not _has_data(survey_round, scope):
        return render(request, "survey/analysis_empty.html", {
            "survey_round": survey_round,
            "scope_label": _scope_label(request) if scope is not None else ""})
    result = selectors.round_analysis(survey_round=survey_round, department_ids=scope)
    labels = _labels(result)
    context = _base_context(survey_round, result)
    context.update(BUILDERS[section](survey_round, result, labels))
    context.update({
        "scope_label": _scope_label(request) if scope is not None else "",
        "section": section, "sections": SECTIONS,
        "section_template": f"survey/_analysis_{section}.html",
        "snapshot": AnalysisSnapshot.objects.filter(round=survey_round)
        .values("computed_at", "took_ms").first(),
        "rows_url": reverse("survey:analysis_rows", args=[survey_round.pk]),
    })
    return render(request, "survey/analysis_dashboard.html", context)


@require_GET
@org_view(VIEW_ANALYSIS)
def print_report(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    if not _has_data(survey_round):
        return render(request, "survey/analysis_empty.html", {"survey_round": survey_round})
    result = selectors.round_analysis(survey_round=survey_round)
    labels = _labels(result)
    context = _base_context(survey_round, result)
    charts: Charts = {}
    for build in BUILDERS.values():
        built = build(survey_round, result, labels)
        charts.update(built.get("charts", {}))
        context.update({k: v for k, v in built.items() if k != "charts"})
    # The printed report shows the dashboard's charts next to its tables (same specs).
    context["charts"] = charts
    context["grades_total"] = result.qualification
    return render(request, "survey/analysis_print.html", context)


def _filename_header(filename: str, fallback: str) -> str:
    """``Content-Disposition`` with an ASCII fallback and the real name per RFC 5987."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _safe_name(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_") or "survey"


@require_GET
@org_view(VIEW_ANALYSIS)
def xlsx_report(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    from somu.survey.report import build_report_xlsx  # heavy (XlsxWriter): load on demand

    result = selectors.round_analysis(survey_round=survey_round)
    content = build_report_xlsx(survey_round=survey_round, result=result)
    response = HttpResponse(
        content,
        content_type=SPREADSHEET_TYPES["xlsx"],
    )
    response["Content-Disposition"] = _filename_header(
        f"業務調査_{_safe_name(survey_round.name)}.xlsx", f"survey-{survey_round.pk}.xlsx")
    return response
