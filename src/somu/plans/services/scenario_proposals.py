"""The optimizer's proposals (HiGHS, through :mod:`somu.plans.engine`): leveling and
cross-training on one round, each saved as a scenario the user then edits.

An infeasible run (a task in scope nobody can do or teach) is a ValidationError naming the tasks,
and nothing is stored. A plan is saved only once :func:`verification` has recomputed its
scenario with the analysis' own functions and found that it keeps its promise; otherwise it is
refused and nothing is stored. Only active people take hours, learn or teach. A proposal is
labelled 最適解 (optimal) or 暫定解 (best found, with its gap) in the scenario's ``proposal`` JSON,
with what the check found (``verified``, ``bus_factor``, ``verified_max_utilization``,
``min_capable``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.org.models import Person, PersonStatus
from somu.org.services import Actor
from somu.plans.models import Scenario, ScenarioSource
from somu.plans.services.scenarios import MAX_TIME_LIMIT_S, round_base, scenario_create
from somu.survey.analysis import SurveyData
from somu.survey.models import SurveyRound

KINDS = ("leveling", "cross_training")
SCOPES = ("organization", "function", "department")
OBJECTIVES = ("pairs", "hours")


def _number(params: dict[str, Any], key: str, errors: dict[str, list[str]], *,
            low: float, high: float, integer: bool = False, default: Any = None) -> Any:
    value = params.get(key, default)
    if value is None or value == "":
        return default
    try:
        number = float(value)
        if isinstance(value, bool) or number != number:
            raise ValueError
    except (TypeError, ValueError):
        errors[key] = [_("Enter a number.")]
        return default
    if integer and number != int(number):
        errors[key] = [_("Enter a whole number.")]
        return default
    if not low <= number <= high:
        errors[key] = [_("Enter a number between %(low)s and %(high)s.")
                       % {"low": f"{low:g}", "high": f"{high:g}"}]
        return default
    return int(number) if integer else number


def clean_params(kind: str, params: dict[str, Any], data: SurveyData) -> dict[str, Any]:
    """The optimizer's parameters, checked: every bound here, so the page and the API agree."""
    errors: dict[str, list[str]] = {}
    if kind not in KINDS:
        raise ValidationError({"kind": [_("Choose leveling or cross-training.")]})
    cleaned: dict[str, Any] = {
        "time_limit_s": _number(params, "time_limit_s", errors, low=0.5,
                                high=MAX_TIME_LIMIT_S, default=MAX_TIME_LIMIT_S),
    }
    if kind == "leveling":
        cleaned["max_changes"] = _number(params, "max_changes", errors, low=1, high=100_000,
                                         integer=True)
        cleaned["overqualified_penalty"] = _number(params, "overqualified_penalty", errors,
                                                   low=0, high=1000, default=0.0)
    else:
        k = _number(params, "k", errors, low=1, high=20, integer=True)
        target = _number(params, "bus_factor_target", errors, low=1, high=1000, integer=True)
        if k is None and target is None and "k" not in errors and \
                "bus_factor_target" not in errors:
            errors["k"] = [_("Enter k (capable people per task) or a bus factor target.")]
        if k is not None and target is not None:
            errors["bus_factor_target"] = [_("Enter either k or a bus factor target, not "
                                             "both.")]
        cleaned["k"] = k
        cleaned["bus_factor_target"] = target
        objective = str(params.get("objective") or "pairs")
        if objective not in OBJECTIVES:
            errors["objective"] = [_("Choose fewest pairs or fewest training hours.")]
        cleaned["objective"] = objective
        cleaned["horizon_months"] = _number(params, "horizon_months", errors, low=0.5,
                                            high=36, default=3.0)
        scope = str(params.get("scope") or "organization")
        if scope not in SCOPES:
            errors["scope"] = [_("Choose the organization, a function or a department.")]
        cleaned["scope"] = scope
        key = str(params.get("scope_key") or "").strip()
        if scope == "function":
            functions = set(data.tasks["function"].to_list())
            if key not in functions:
                errors["scope_key"] = [_("Choose a function of this round.")]
        elif scope == "department":
            departments = {str(d) for d in data.people["department_id"].to_list()
                           if d is not None}
            if key not in departments:
                errors["scope_key"] = [_("Choose a department with people in this round.")]
        else:
            key = ""
        cleaned["scope_key"] = key
    if errors:
        raise ValidationError(errors)
    return cleaned


def scope_task_ids(data: SurveyData, scope: str, key: str) -> list[int] | None:
    """The tasks of a function (None for the organization or a department: a department's
    scope is the engine's ``department_id``, its people's hours as the analysis counts
    them)."""
    import polars as pl

    if scope == "function":
        return sorted(data.tasks.filter(pl.col("function") == key)["task_id"].to_list())
    return None


def active_person_ids(data: SurveyData) -> list[int]:
    """The round's people who still work here: only they may take hours, learn or teach."""
    ids = data.people["person_id"].to_list()
    return sorted(Person.objects.filter(pk__in=ids, status=PersonStatus.ACTIVE)
                  .values_list("pk", flat=True))


def scope_label(data: SurveyData, scope: str, key: str) -> str:
    import polars as pl

    if scope == "function":
        return key
    if scope == "department":
        rows = data.people.filter(pl.col("department_id") == int(key))["department"].to_list()
        return rows[0] if rows else key
    return _("The whole organization")


def _unique_name(base: str) -> str:
    name, n = base, 1
    while Scenario.objects.filter(name=name).exists():
        n += 1
        name = f"{base} ({n})"
    return name


@transaction.atomic
def proposal_run(*, actor: Actor, round: SurveyRound, kind: str,
                 params: dict[str, Any], today: dt.date, name: str = "") -> Scenario:
    """Run one optimizer on the round and save its proposal as a scenario; infeasible →
    ValidationError naming the tasks, nothing stored."""
    data, _summary = round_base(round)
    cleaned = clean_params(kind, params, data)
    active = active_person_ids(data)
    if kind == "leveling":
        from somu.plans.engine import leveling

        proposal = leveling.level(
            data, scope_person_ids=active, max_changes=cleaned["max_changes"],
            overqualified_penalty=cleaned["overqualified_penalty"],
            time_limit_s=cleaned["time_limit_s"])
        source = ScenarioSource.LEVELING
        default_name = _("Leveling proposal %(on)s") % {"on": today.isoformat()}
    else:
        from somu.plans.engine import crosstraining

        proposal = crosstraining.cross_train(
            data, k=cleaned["k"], bus_factor_target=cleaned["bus_factor_target"],
            scope_task_ids=scope_task_ids(data, cleaned["scope"], cleaned["scope_key"]),
            department_id=(int(cleaned["scope_key"]) if cleaned["scope"] == "department"
                           else None),
            available_person_ids=active, objective=cleaned["objective"],
            horizon_months=cleaned["horizon_months"],
            time_limit_s=cleaned["time_limit_s"])
        source = ScenarioSource.CROSS_TRAINING
        default_name = _("Cross-training proposal %(on)s (%(scope)s)") % {
            "on": today.isoformat(),
            "scope": scope_label(data, cleaned["scope"], cleaned["scope_key"])}
    if proposal.status == "infeasible" or not proposal.ops or proposal.reason:
        raise ValidationError([refusal(proposal, data)])
    checked = verification(data, kind, cleaned, proposal, active)
    if not checked["verified"]:
        raise ValidationError([_("The optimizer's plan did not pass the check: recomputed "
                                 "on the scenario, it does not reach what it promises. Nothing "
                                 "was saved; allow more time or change the conditions.")])
    label = _("optimal") if proposal.status == "optimal" else _("best found")
    record = {
        "kind": kind, "params": cleaned, "status": proposal.status,
        "objective": proposal.objective, "bound": proposal.bound, "gap": proposal.gap,
        "seconds": round_seconds(proposal.seconds), "operations": len(proposal.ops),
        **checked,
    }
    scenario = scenario_create(
        actor=actor,
        data={"name": _unique_name((name or default_name).strip()[:190]), "round": round,
              "description": _("Proposed by the optimizer (%(label)s).") % {"label": label}},
        ops=list(proposal.ops), source=source, proposal=record)
    audit_record(actor=actor, action="plan_scenario.propose", obj=scenario,
                 object_repr=scenario.name,
                 changes={"kind": [None, scenario.get_source_display()],
                          "status": [None, label], "operations": [None, len(proposal.ops)]})
    return scenario


def verification(data: SurveyData, kind: str, cleaned: dict[str, Any], proposal: Any,
                 active: list[int]) -> dict[str, Any]:
    """Check a proposal by recomputing its scenario with the figures' own functions
    (:func:`somu.plans.engine.scenario.recompute`, i.e. the analysis'), not the optimizer's:

    - the optimizer's own check (``details["verified"]``) must have passed;
    - leveling: no move to someone not capable, and nobody in scope (the active people) above
      the utilization the optimizer keeps (``verified_max_utilization``: recomputed);
    - cross-training with a target: the scope's bus factor, recomputed (the analysis'
      definition of the organization, the function or the department), reaches the target
      (``bus_factor``). A recomputed value below the target refuses the plan; a value the
      recompute could only bound (greedy: an upper bound) is accepted with the optimizer's own
      exact proof on the same capable sets, which its check requires;
    - cross-training with k: every task with hours in the scope has k capable people (for a
      department, k of its people) in the recomputed data (``min_capable``).

    Returns the figures to store with the proposal and ``verified``."""
    import polars as pl

    from somu.plans.engine import scenario as engine
    from somu.plans.engine.ops import OpsError
    from somu.survey.analysis.frames import prepare
    from somu.survey.analysis.types import AnalysisOptions

    details = proposal.details or {}
    # A bus factor target needs the exact solver's time; the other checks the usual budget.
    options = (AnalysisOptions(exact_time_limit_s=2.0, exact_total_budget_s=2.0)
               if kind == "cross_training" and cleaned.get("bus_factor_target")
               else engine.RECOMPUTE_OPTIONS)
    try:
        applied, figures = engine.recompute(data, list(proposal.ops), options)
    except OpsError:
        return {"verified": False}
    ok = details.get("verified") is True
    if kind == "leveling":
        in_scope = set(active)
        worst = max((line.utilization for line in figures.people if line.person_id in in_scope),
                    default=0.0)
        cap = float(details.get("utilization_cap") or 0.0)
        ok = ok and not applied.needs_training and worst <= cap + 1e-4
        return {"verified": ok, "verified_max_utilization": round(worst, 6)}
    scope, key = cleaned["scope"], cleaned["scope_key"]
    target = cleaned["bus_factor_target"]
    if target:
        value = next((b.value for b in figures.bus_factors if b.scope == scope
                      and b.key == key), None)
        ok = ok and (value is None or value >= target)
        return {"verified": ok, "bus_factor": value}
    fr = prepare(applied.data, AnalysisOptions())
    tasks = scope_task_ids(data, scope, key)
    if scope == "department":
        members = fr.people.filter(pl.col("department_id") == int(key))["person_id"]
        weights = (fr.hours.filter(pl.col("person_id").is_in(members.implode()))
                   .group_by("task_id").agg(pl.col("hours").sum()))
        rows = fr.tasks.select("task_id", "capable").join(weights, on="task_id")
        counts = [len(set(c) & set(members.to_list())) for _t, c in
                  rows.filter(pl.col("hours") > 0).select("task_id", "capable").iter_rows()]
    else:
        rows = fr.tasks.filter(pl.col("hours") > 0)
        if tasks is not None:
            rows = rows.filter(pl.col("task_id").is_in(tasks))
        counts = rows["capable_count"].to_list()
    least = min(counts, default=0)
    return {"verified": ok and least >= (cleaned["k"] or 0), "min_capable": least}


def refusal(proposal: Any, data: SurveyData) -> str:
    """Why there is no plan, in words: the tasks at fault by name where the engine knows them."""
    task_names = dict(zip(data.tasks["task_id"].to_list(), data.tasks["name"].to_list(),
                          strict=True))
    named = "、".join(task_names.get(t, str(t)) for t in proposal.infeasible_tasks)
    reason = proposal.reason
    details = proposal.details or {}
    if named and reason == "no_teacher":
        return _("No feasible proposal: nobody can teach these tasks (capability 4): "
                 "%(tasks)s.") % {"tasks": named}
    if named and reason in ("no_learner", "not_enough_spare_time"):
        return _("No feasible proposal: nobody has the spare hours to learn these tasks "
                 "within the horizon: %(tasks)s.") % {"tasks": named}
    if named and reason == "bus_factor_unreachable":
        return _("No feasible proposal: even training everyone possible does not reach the "
                 "bus factor target; these tasks cannot be trained: %(tasks)s.") % {
            "tasks": named}
    if named and reason == "coverage_not_reached":
        return _("The time limit stopped the optimizer before these tasks were covered: "
                 "%(tasks)s. Allow more time or a smaller scope.") % {"tasks": named}
    if named:
        return _("No feasible proposal: nobody can do these tasks: %(tasks)s.") % {
            "tasks": named}
    if reason == "not_enough_spare_time":
        return _("No feasible proposal: the learners' spare hours cannot cover every task "
                 "within the horizon; allow a longer horizon.")
    if reason == "bus_factor_unreachable":
        return _("No feasible proposal: even training everyone possible does not reach the "
                 "bus factor target.")
    if reason == "max_changes_too_small":
        return _("No feasible proposal: at least %(n)s assignments must change; allow more "
                 "changes.") % {"n": details.get("forced_changes", "?")}
    if reason == "nothing_to_level":
        return _("There are no hours to level in this round.")
    if reason == "target_not_proven":
        return _("The optimizer found a plan but could not prove within the time limit that it "
                 "reaches the bus factor target; nothing was saved. Allow more time or a "
                 "smaller scope.")
    if reason == "no_solution_in_time":
        return _("The optimizer found no plan within the time limit; allow more time or "
                 "fewer conditions.")
    if reason == "nothing_to_do" or (proposal.status != "infeasible" and not proposal.ops):
        return _("Nothing to change: the round already meets the conditions.")
    return _("No feasible proposal within these limits; allow more changes, a longer "
             "horizon or a lower target.")


def round_seconds(value: Any) -> float:
    try:
        return round(float(value), 2)
    except (TypeError, ValueError):
        return 0.0
