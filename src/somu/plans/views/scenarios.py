"""Pages: what-if 新体制 (scenarios) side by side with the baseline, and the optimizer.

Reading needs VIEW_SCENARIOS (the back office and auditors; executives never see them: they
show each person's load); every change needs MANAGE_PLAN as well. Every rule is in
:mod:`somu.plans.services.scenarios`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from somu.core.errors import Conflict
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, int_or_none, org_view
from somu.plans import permissions as p
from somu.plans import scenario_present as present
from somu.plans.forms_scenarios import OP_KINDS, Choices, OperationForm, OptimizeForm, ScenarioForm
from somu.plans.models import Scenario
from somu.plans.services import scenario_proposals as proposals
from somu.plans.services import scenarios as services
from somu.survey.models import SurveyRound


def _scenarios() -> Any:
    return Scenario.objects.select_related("round").annotate(item_count=Count("items"))


def _can_manage(request: AuthedRequest) -> bool:
    return has_perm(request.membership, p.MANAGE_PLAN)


@org_view(p.VIEW_SCENARIOS)
def scenario_list(request: AuthedRequest) -> HttpResponse:
    scenarios = list(_scenarios().order_by("-updated_at", "-pk"))
    return render(request, "plans/scenario_list.html", {
        "scenarios": scenarios, "can_manage": _can_manage(request),
    })


@require_http_methods(["GET", "POST"])
@org_view(p.VIEW_SCENARIOS)
def scenario_new(request: AuthedRequest) -> HttpResponse:
    require(request.membership, p.MANAGE_PLAN)
    initial = {"round": int_or_none(request.GET.get("round"))}
    form = ScenarioForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("plans:scenario_detail", scenario_id=scenario.pk)
    return render(request, "plans/scenario_form.html", {"form": form, "scenario": None},
                  status=400 if request.method == "POST" else 200)


def _detail(request: AuthedRequest, scenario: Scenario, *, forms: dict[str, OperationForm]
            | None = None, open_kind: str = "", status: int = 200) -> HttpResponse:
    result = services.scenario_result(scenario)
    data, _baseline = services.round_base(scenario.round)
    choices = Choices(data, scenario.operations)
    op_forms = {kind: OperationForm(kind=kind, choices=choices) for kind in OP_KINDS}
    op_forms.update(forms or {})
    return render(request, "plans/scenario_detail.html", {
        "scenario": scenario, "result": result,
        "rows": present.rows([result.lines]) if result.summary is not None else [],
        "people": present.people_rows(result.baseline, result.summary),
        "op_forms": op_forms, "open_kind": open_kind,
        "proposal_label": present.proposal_label(scenario.proposal),
        "proposal_check": present.proposal_check(scenario.proposal),
        "can_manage": _can_manage(request),
        "item_count": scenario.items.count(),
    }, status=status)


@org_view(p.VIEW_SCENARIOS)
def scenario_detail(request: AuthedRequest, scenario_id: int) -> HttpResponse:
    scenario = get_object_or_404(Scenario.objects.select_related("round"), pk=scenario_id)
    return _detail(request, scenario)


@require_http_methods(["GET", "POST"])
@org_view(p.VIEW_SCENARIOS)
def scenario_edit(request: AuthedRequest, scenario_id: int) -> HttpResponse:
    require(request.membership, p.MANAGE_PLAN)
    scenario = get_object_or_404(Scenario, pk=scenario_id)
    form = ScenarioForm(request.POST or None, scenario=scenario, initial={
        "name": scenario.name, "description": scenario.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_update(actor=request.user, scenario=scenario,
                                     data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("plans:scenario_detail", scenario_id=scenario.pk)
    return render(request, "plans/scenario_form.html", {"form": form, "scenario": scenario},
                  status=400 if request.method == "POST" else 200)


@require_POST
@org_view(p.VIEW_SCENARIOS)
def scenario_op_add(request: AuthedRequest, scenario_id: int) -> HttpResponse:
    require(request.membership, p.MANAGE_PLAN)
    scenario = get_object_or_404(Scenario.objects.select_related("round"), pk=scenario_id)
    kind = request.POST.get("op", "")
    if kind not in OP_KINDS:
        messages.error(request, _("Choose an operation."))
        return redirect("plans:scenario_detail", scenario_id=scenario.pk)
    data, _baseline = services.round_base(scenario.round)
    form = OperationForm(request.POST, kind=kind, choices=Choices(data, scenario.operations))
    if form.is_valid():
        try:
            scenario, warnings = services.scenario_op_add(
                actor=request.user, scenario=scenario, op=form.operation())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The operation was added and the analysis "
                                        "recomputed."))
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("plans:scenario_detail", scenario_id=scenario.pk)
    return _detail(request, scenario, forms={kind: form}, open_kind=kind, status=400)


@require_POST
@org_view(p.VIEW_SCENARIOS)
def scenario_op_remove(request: AuthedRequest, scenario_id: int) -> HttpResponse:
    require(request.membership, p.MANAGE_PLAN)
    scenario = get_object_or_404(Scenario.objects.select_related("round"), pk=scenario_id)
    index = int_or_none(request.POST.get("index"))
    try:
        services.scenario_op_remove(actor=request.user, scenario=scenario,
                                    index=index if index is not None else -1)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The operation was removed."))
    return redirect("plans:scenario_detail", scenario_id=scenario.pk)


@require_POST
@org_view(p.VIEW_SCENARIOS)
def scenario_items(request: AuthedRequest, scenario_id: int) -> HttpResponse:
    require(request.membership, p.MANAGE_PLAN)
    scenario = get_object_or_404(Scenario.objects.select_related("round"), pk=scenario_id)
    try:
        items = services.scenario_items(actor=request.user, scenario=scenario,
                                        today=timezone.localdate())
    except (ValidationError, Conflict) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s improvement items were made from the scenario "
                                    "(proposed).") % {"n": len(items)})
    return redirect("plans:scenario_detail", scenario_id=scenario.pk)


@require_http_methods(["GET", "POST"])
@org_view(p.VIEW_SCENARIOS)
def scenario_delete(request: AuthedRequest, scenario_id: int) -> HttpResponse:
    require(request.membership, p.MANAGE_PLAN)
    scenario = get_object_or_404(Scenario, pk=scenario_id)
    if request.method == "POST":
        services.scenario_delete(actor=request.user, scenario=scenario)
        messages.success(request, _("The scenario 「%(name)s」 was deleted.")
                         % {"name": scenario.name})
        return redirect("plans:scenario_list")
    return render(request, "plans/scenario_confirm_delete.html", {"scenario": scenario})


@org_view(p.VIEW_SCENARIOS)
def scenario_compare(request: AuthedRequest) -> HttpResponse:
    """Two scenarios (or one) side by side with the baseline of the first one's round."""
    all_scenarios = list(Scenario.objects.select_related("round").order_by("name"))
    by_id = {s.pk: s for s in all_scenarios}
    chosen = [by_id[i] for i in (int_or_none(request.GET.get("a")),
                                 int_or_none(request.GET.get("b"))) if i in by_id]
    context: dict[str, Any] = {"scenarios": all_scenarios, "chosen": chosen,
                               "a_id": chosen[0].pk if chosen else None,
                               "b_id": chosen[1].pk if len(chosen) > 1 else None}
    if chosen:
        results = [services.scenario_result(s) for s in chosen]
        baseline = results[0].baseline
        from somu.plans.engine import scenario as engine

        lines = [engine.compare(baseline, r.summary) if r.summary is not None else []
                 for r in results]
        context.update(rows=present.rows(lines), results=results, baseline_round=chosen[0].round,
                       other_round=len({s.round_id for s in chosen}) > 1)
    return render(request, "plans/scenario_compare.html", context)


def _scope_choices(survey_round: SurveyRound | None) -> list[tuple[str, str]]:
    if survey_round is None:
        return []
    data, _baseline = services.round_base(survey_round)
    functions = sorted({f for f in data.tasks["function"].to_list() if f})
    departments = sorted({(str(d), n) for d, n in zip(
        data.people["department_id"].to_list(), data.people["department"].to_list(),
        strict=True) if d is not None}, key=lambda kv: kv[1])
    return [(f, _("Function: %(name)s") % {"name": f}) for f in functions] + [
        (d, _("Department: %(name)s") % {"name": n}) for d, n in departments]


@require_http_methods(["GET", "POST"])
@org_view(p.VIEW_SCENARIOS)
def optimize(request: AuthedRequest) -> HttpResponse:
    """Choose a round and a proposal, run it, and open the saved scenario."""
    rounds = OptimizeForm().fields["round"].queryset  # type: ignore[attr-defined]
    round_id = int_or_none(request.POST.get("round") or request.GET.get("round"))
    survey_round = (rounds.filter(pk=round_id).first() if round_id else None) or rounds.first()
    form = OptimizeForm(request.POST or None, scope_choices=_scope_choices(survey_round),
                        initial={"round": survey_round, "kind": "cross_training"})
    can_manage = _can_manage(request)
    if request.method == "POST":
        require(request.membership, p.MANAGE_PLAN)
        if form.is_valid():
            try:
                scenario = proposals.proposal_run(
                    actor=request.user, round=form.cleaned_data["round"],
                    kind=form.cleaned_data["kind"], params=form.params(),
                    today=timezone.localdate(), name=form.cleaned_data.get("name") or "")
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                label = present.proposal_label(scenario.proposal)
                messages.success(request, _("The proposal (%(label)s) was saved as the scenario "
                                            "「%(name)s」; edit it as you like.")
                                 % {"label": label, "name": scenario.name})
                return redirect("plans:scenario_detail", scenario_id=scenario.pk)
    groups = [
        ("", [form[f] for f in ("round", "kind", "name", "time_limit_s")]),
        (_("Leveling (平準化)"), [form[f] for f in ("max_changes", "overqualified_penalty")]),
        (_("Cross-training (多能工化)"), [form[f] for f in (
            "k", "bus_factor_target", "scope", "scope_key", "objective", "horizon_months")]),
    ]
    return render(request, "plans/optimize.html", {
        "form": form, "groups": groups, "can_manage": can_manage,
        "has_rounds": survey_round is not None,
    }, status=400 if request.method == "POST" else 200)


urlpatterns: list[URLPattern] = [
    path("scenarios/", scenario_list, name="scenario_list"),
    path("scenarios/new/", scenario_new, name="scenario_new"),
    path("scenarios/compare/", scenario_compare, name="scenario_compare"),
    path("scenarios/<int:scenario_id>/", scenario_detail, name="scenario_detail"),
    path("scenarios/<int:scenario_id>/edit/", scenario_edit, name="scenario_edit"),
    path("scenarios/<int:scenario_id>/operations/", scenario_op_add, name="scenario_op_add"),
    path("scenarios/<int:scenario_id>/operations/remove/", scenario_op_remove,
         name="scenario_op_remove"),
    path("scenarios/<int:scenario_id>/items/", scenario_items, name="scenario_items"),
    path("scenarios/<int:scenario_id>/delete/", scenario_delete, name="scenario_delete"),
    path("optimize/", optimize, name="optimize"),
]
