"""The comparison of two survey rounds: each metric side by side, with the direction of change."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from somu.core.web import int_or_none, org_view
from somu.survey import analysis, selectors
from somu.survey.permissions import VIEW_ANALYSIS
from somu.survey.views_analysis import SCOPE_LABELS, _bar, _has_data, _r, _rows_url

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
