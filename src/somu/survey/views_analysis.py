"""Pages of the survey analysis: the dashboard, the rows behind each figure, the printable and
Excel reports, and the comparison of two rounds.

The analysis itself comes from :func:`selectors.round_analysis` (cached per round); these views
only arrange its result for reading. Charts are described as small JSON specs (``json_script``)
that ``static/somu/survey-charts.js`` turns into ECharts charts; every bar, slice and cell links
to :func:`drill_rows` with the filter that selects the rows it was computed from.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.db.models import OuterRef, QuerySet, Subquery, Sum
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
from somu.core.web import int_or_none, org_view, paginate, querystring_without_page, render_page
from somu.org.selectors import department_paths
from somu.survey import analysis, selectors, terms
from somu.survey.analysis.types import AnalysisResult, TaskSummary
from somu.survey.drill import FLAG_LABELS, DrillError, drill_parse
from somu.survey.models import AnalysisSnapshot, Capability, CapabilityLevel, SurveyRound
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
    return {"charts": charts}


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


# ---- drill-down ----------------------------------------------------------------------------------


def _with_capability(rows: QuerySet[Any], survey_round: SurveyRound) -> QuerySet[Any]:
    level = Capability.objects.filter(
        round=survey_round, person_id=OuterRef("person_id"), task_id=OuterRef("task_id")
    ).values("level")[:1]
    return rows.annotate(capability_level=Subquery(level))


CSV_HEADER = ("社員番号", "氏名", "部署", "等級", "部門", "大分類", "中分類", "業務名", "難易度",
              "月間工数(時間)", "対応可能レベル")


def _csv(survey_round: SurveyRound, rows: Iterable[Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename_header(
        f"工数明細_{_safe_name(survey_round.name)}.csv", f"survey-{survey_round.pk}-rows.csv")
    response.write("\ufeff")  # the BOM: Excel opens UTF-8 CSV as Shift_JIS without it
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    paths = department_paths()
    for row in rows:
        person, task = row.person, row.task
        writer.writerow([
            person.employee_number, person.name, paths.get(person.department_id, ""),
            person.grade.code if person.grade_id else "", task.function, task.category,
            task.subcategory, task.name, task.difficulty or "", row.hours,
            "" if row.capability_level is None else row.capability_level,
        ])
    return response


@require_GET
@org_view(VIEW_TEAM_ANALYSIS)
def drill_rows(request: AuthedRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    scope = _scope(request)
    try:
        parsed = drill_parse(survey_round=survey_round, params=request.GET,
                             department_ids=scope)
    except DrillError as exc:
        return render(request, "survey/analysis_rows.html",
                      {"survey_round": survey_round, "error": str(exc)}, status=400)
    rows = selectors.hours_rows(survey_round=survey_round, drill=parsed.drill,
                                department_ids=scope)
    if request.GET.get("format") == "csv":
        return _csv(survey_round, _with_capability(rows, survey_round).iterator(chunk_size=2000))
    total = rows.aggregate(total=Sum("hours"))["total"] or 0
    context = {
        "survey_round": survey_round, "caption": parsed.caption, "total": total,
        "levels": dict(CapabilityLevel.choices), "paths": department_paths(),
        "scope_label": _scope_label(request) if scope is not None else "",
    }
    if request.GET.get("embed"):
        context["rows"] = _with_capability(rows, survey_round)[:50]
        context["count"] = rows.count()
        # The list is shown inside the dashboard: its link must not be relative to that page.
        context["all_url"] = f"{request.path}?" + urlencode(
            [(k, v) for k, v in request.GET.items() if k != "embed"])
        return render(request, "survey/_analysis_rows_embed.html", context)
    query = querystring_without_page(request)
    context.update({
        "page": paginate(request, _with_capability(rows, survey_round)), "query": query,
        "csv_query": urlencode([*request.GET.items(), ("format", "csv")]),
    })
    return render_page(request, "survey/analysis_rows.html", context,
                       partial="survey/_analysis_rows_table.html")


# ---- comparison ----------------------------------------------------------------------------------

# Which direction of change is an improvement: -1 lower is better, +1 higher is better.
METRIC_DIRECTION = {
    "hours": 0, "cost": -1, "people": 0, "tasks": 0, "utilization": 0,
    "dependent_tasks": -1, "dependency_rate_by_count": -1, "dependency_rate_by_hours": -1,
    "dependent_hours": -1, "bus_factor": 1, "overloaded": -1, "over_qualified_hours": -1,
    "over_qualified_cost": -1, "under_qualified_hours": -1, "under_qualified_cost": -1,
    "gini": -1, "cv": -1, "max_over_mean": -1, "orphaned_hours": -1,
}
METRIC_LABELS = {
    "hours": gettext_lazy("Total hours (per month)"),
    "cost": gettext_lazy("Cost (yen per month)"),
    "people": gettext_lazy("People"),
    "people_with_hours": gettext_lazy("People with hours"),
    "tasks": gettext_lazy("Tasks with hours"),
    "utilization": gettext_lazy("Utilization"),
    "dependent_tasks": gettext_lazy("Person-dependent tasks"),
    "dependency_rate_by_count": gettext_lazy("Person dependency rate (by count)"),
    "dependency_rate_by_hours": gettext_lazy("Person dependency rate (by hours)"),
    "dependent_hours": gettext_lazy("Hours of person-dependent tasks"),
    "bus_factor": gettext_lazy("Bus factor (organization)"),
    "overloaded": gettext_lazy("Overloaded people"),
    "over_qualified_hours": gettext_lazy("Over-qualified hours"),
    "over_qualified_cost": gettext_lazy("Over-qualified cost (yen)"),
    "under_qualified_hours": gettext_lazy("Under-qualified hours"),
    "under_qualified_cost": gettext_lazy("Under-qualified cost (yen)"),
    "gini": gettext_lazy("Gini coefficient of load"),
    "cv": gettext_lazy("Coefficient of variation of load"),
    "max_over_mean": gettext_lazy("Max ÷ mean of load"),
    "orphaned_hours": gettext_lazy("Largest orphaned hours of one person"),
}
RATE_METRICS = {"dependency_rate_by_count", "dependency_rate_by_hours", "utilization"}
YEN_METRICS = {"cost", "over_qualified_cost", "under_qualified_cost"}
COUNT_METRICS = {"people", "people_with_hours", "tasks", "dependent_tasks", "bus_factor",
                 "overloaded"}


RATIO_METRICS = {"cv", "gini", "max_over_mean"}
# Digits a change is shown with: a change that rounds to zero is no change.
KIND_DIGITS = {"rate": 3, "yen": 0, "count": 0, "ratio": 2, "hours": 1}


def _verdict(direction: int, change: float | None, digits: int = 1) -> str:
    if change is None or direction == 0 or round(change, digits) == 0:
        return ""
    return "better" if (change > 0) == (direction > 0) else "worse"


def _metric_kind(key: str) -> str:
    if key in RATE_METRICS:
        return "rate"
    if key in YEN_METRICS:
        return "yen"
    if key in RATIO_METRICS:
        return "ratio"
    return "count" if key in COUNT_METRICS else "hours"


@require_GET
@org_view(VIEW_ANALYSIS)
def compare(request: HttpRequest) -> HttpResponse:
    rounds = list(selectors.round_list().order_by("-created_at"))
    before_id = int_or_none(request.GET.get("before"))
    after_id = int_or_none(request.GET.get("after"))
    context: dict[str, Any] = {"rounds": rounds, "before_id": before_id, "after_id": after_id}
    if before_id is None or after_id is None:
        # Arriving from a round's analysis, only "after" is chosen: the form, without reproach.
        typed = [request.GET.get(k, "") for k in ("before", "after")]
        if any(v and int_or_none(v) is None for v in typed):
            context["error"] = _("Choose two rounds from the lists.")
        return render(request, "survey/analysis_compare.html", context,
                      status=400 if "error" in context else 200)
    before = selectors.round_get(round_id=before_id)
    after = selectors.round_get(round_id=after_id)
    context.update({"before": before, "after": after})
    if before.pk == after.pk:
        context["error"] = _("Choose two different rounds: a round compared with itself "
                             "shows no change.")
        return render(request, "survey/analysis_compare.html", context)
    empty = [r.name for r in (before, after) if not _has_data(r)]
    if empty:
        context["error"] = _("%(names)s has no survey data yet.") % {"names": "、".join(empty)}
        return render(request, "survey/analysis_compare.html", context)
    result_before = selectors.round_analysis(survey_round=before)
    result_after = selectors.round_analysis(survey_round=after)
    comparison = analysis.compare(result_before, result_after)
    names = {**selectors.analysis_labels(result=result_before)[0],
             **selectors.analysis_labels(result=result_after)[0]}
    metrics = [{"m": m, "label": METRIC_LABELS.get(m.metric, m.metric),
                "kind": _metric_kind(m.metric),
                "verdict": _verdict(METRIC_DIRECTION.get(m.metric, 0), m.change,
                                    KIND_DIGITS[_metric_kind(m.metric)])}
               for m in comparison.metrics]
    functions = list(comparison.by_function)
    context.update({
        "comparison": comparison, "metrics": metrics,
        "task_changes": [k for k in comparison.tasks[:30] if k.change],
        "bus_rows": [{"scope": SCOPE_LABELS.get(s, s), "before": b, "after": a,
                      "label": _("Whole organization") if s == "organization" else label,
                      "verdict": _verdict(1, None if a is None or b is None else a - b, 0)}
                     for s, label, b, a in comparison.bus_factors],
        "overloaded_before": [names.get(p, f"#{p}") for p in comparison.overloaded_before],
        "overloaded_after": [names.get(p, f"#{p}") for p in comparison.overloaded_after],
        "charts": {"compare-function": _bar(
            [k.label for k in functions],
            [{"name": before.name, "data": [_r(k.before) for k in functions]},
             {"name": after.name, "data": [_r(k.after) for k in functions]}],
            [_rows_url(after, function=k.key) for k in functions],
            colors=["#9aa5b1", "#0b5cad"])},
    })
    return render(request, "survey/analysis_compare.html", context)
