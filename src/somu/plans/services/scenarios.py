"""What-if 新体制 (scenarios): operations on top of one survey round, recomputed by the pure
engine (:mod:`somu.plans.engine`), and the optimizer's proposals saved as scenarios.

A scenario never changes real data: its operations are JSON on the :class:`Scenario` row and
the analysis is recomputed from the round's tables each time it is read. Turning a scenario into
improvement items (:func:`scenario_items`) is the only way it reaches the real plan.

Every rule is here so the pages and the API refuse the same things: an operation is checked by
applying the whole list to the round's data (hours more than a person has on a task, an unknown
person or task, a level outside 1–4 …) and the engine's problem codes are turned into Japanese
messages naming the person and the task; nothing is stored when one fails.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.core.errors import Conflict
from somu.org.models import User
from somu.org.services import Actor
from somu.plans.models import FindingKind, Item, ItemKind, Scenario, ScenarioSource
from somu.plans.services.items import next_number
from somu.plans.services.scenario_terms import Names, names_of, problem_message
from somu.survey import selectors as survey_selectors
from somu.survey.analysis import SurveyData
from somu.survey.models import SurveyRound

MAX_OPERATIONS = 200
MAX_TIME_LIMIT_S = 10.0


# ---- the round's data, kept per fingerprint ------------------------------------------------------

_DATA: OrderedDict[tuple[int, str], tuple[SurveyData, Any]] = OrderedDict()
_DATA_KEPT = 4


def round_base(survey_round: SurveyRound) -> tuple[SurveyData, Any]:
    """The round's tables and the engine's summary of its analysis (the baseline), computed once
    per :func:`somu.survey.selectors.round_fingerprint` and kept in this process."""
    from somu.plans.engine import scenario as engine

    key = (survey_round.pk, survey_selectors.round_fingerprint(survey_round=survey_round))
    if key in _DATA:
        _DATA.move_to_end(key)
        return _DATA[key]
    data = survey_selectors.survey_data(survey_round=survey_round)
    # The baseline through the same computation (and solver budget) as the scenarios.
    base = (data, engine.recompute(data, [])[1])
    _DATA[key] = base
    while len(_DATA) > _DATA_KEPT:
        _DATA.popitem(last=False)
    return base


def _ops_error(exc: Any, names: Names, *, single: bool = False) -> ValidationError:
    messages = [problem_message(problem, names, numbered=not single) for problem in exc.problems]
    return ValidationError(messages or [_("The operations could not be applied.")])


def _check(survey_round: SurveyRound, operations: list[dict[str, Any]],
           *, single: bool = False) -> tuple[list[dict[str, Any]], list[str]]:
    """The operations as the engine stores them, and the warnings (needs training); a problem
    raises ValidationError in Japanese naming the person and the task."""
    from somu.plans.engine import ops as engine_ops

    data, _summary = round_base(survey_round)
    names = names_of(data, operations)
    try:
        parsed = engine_ops.parse(operations)
        applied = engine_ops.apply(data, parsed)
    except engine_ops.OpsError as exc:
        raise _ops_error(exc, names, single=single) from None
    warnings = [problem_message(problem, names, numbered=False)
                for problem in applied.needs_training]
    return list(engine_ops.dump(parsed)), warnings


# ---- writes ------------------------------------------------------------------------------------


def _clean(data: dict[str, Any], *, scenario: Scenario | None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Enter a name for the scenario.")]
    elif len(name) > 200:
        errors["name"] = [_("Use at most 200 characters.")]
    else:
        same = Scenario.objects.filter(name=name)
        if scenario is not None:
            same = same.exclude(pk=scenario.pk)
        if same.exists():
            errors["name"] = [_("A scenario named 「%(name)s」 already exists.") % {"name": name}]
    description = str(data.get("description") or "").strip()
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description}


@transaction.atomic
def scenario_create(*, actor: Actor, data: dict[str, Any],
                    ops: list[dict[str, Any]] | tuple[dict[str, Any], ...] = (),
                    source: str = ScenarioSource.MANUAL,
                    proposal: dict[str, Any] | None = None) -> Scenario:
    """A new scenario on ``data["round"]`` (a round of the organization)."""
    survey_round = data.get("round")
    cleaned = _clean(data, scenario=None)
    if not isinstance(survey_round, SurveyRound):
        raise ValidationError({"round": [_("Choose the round the scenario starts from.")]})
    operations: list[dict[str, Any]] = []
    if ops:
        operations, _warnings = _check(survey_round, list(ops))
    scenario = Scenario.objects.create(
        round=survey_round, operations=operations, source=source, proposal=proposal or {},
        created_by=actor if isinstance(actor, User) else None, **cleaned)
    audit_record(actor=actor, action="plan_scenario.create", obj=scenario,
                 object_repr=scenario.name,
                 changes={"name": [None, scenario.name], "round": [None, survey_round.name],
                          "source": [None, scenario.get_source_display()],
                          "operations": [None, len(operations)]})
    return scenario


def _locked(scenario: Scenario) -> Scenario:
    return Scenario.objects.select_for_update().select_related("round").get(pk=scenario.pk)


@transaction.atomic
def scenario_update(*, actor: Actor, scenario: Scenario, data: dict[str, Any]) -> Scenario:
    """Rename it or change its description (the round stays: operations refer to its data)."""
    scenario = _locked(scenario)
    cleaned = _clean({"name": data.get("name", scenario.name),
                      "description": data.get("description", scenario.description)},
                     scenario=scenario)
    changes = {k: [getattr(scenario, k), v] for k, v in cleaned.items()
               if getattr(scenario, k) != v}
    if changes:
        for key, value in cleaned.items():
            setattr(scenario, key, value)
        scenario.save(update_fields=[*cleaned, "updated_at"])
        audit_record(actor=actor, action="plan_scenario.update", obj=scenario,
                     object_repr=scenario.name, changes=changes)
    return scenario


@transaction.atomic
def scenario_op_add(*, actor: Actor, scenario: Scenario,
                    op: dict[str, Any]) -> tuple[Scenario, list[str]]:
    """Append one operation. The whole list is applied to the round's data first: a problem
    (hours more than the person has on the task, an unknown person …) is a ValidationError
    naming them and nothing is stored. Warnings (a move to someone who needs training) are
    returned, the operation is kept."""
    scenario = _locked(scenario)
    if not isinstance(op, dict):
        raise ValidationError([_("An operation must be a JSON object.")])
    if len(scenario.operations) >= MAX_OPERATIONS:
        raise ValidationError([_("A scenario holds at most %(n)s operations.")
                               % {"n": MAX_OPERATIONS}])
    op = _with_hire_key(op, scenario.operations)
    operations, warnings = _check(scenario.round, [*scenario.operations, op], single=True)
    scenario.operations = operations
    scenario.save(update_fields=["operations", "updated_at"])
    data, _summary = round_base(scenario.round)
    audit_record(actor=actor, action="plan_scenario.op_add", obj=scenario,
                 object_repr=scenario.name,
                 changes={"operation": [None, describe_op(operations[-1],
                                                          names_of(data, operations))]})
    return scenario, warnings


def _with_hire_key(op: dict[str, Any], operations: list[dict[str, Any]]) -> dict[str, Any]:
    """A hire without a key gets the next free one ("new-1", "new-2" …) and a name."""
    if op.get("op") != "hire" or op.get("key"):
        return op
    taken = {o.get("key") for o in operations if o.get("op") == "hire"}
    n = 1
    while f"new-{n}" in taken:
        n += 1
    return {**op, "key": f"new-{n}",
            "name": str(op.get("name") or "").strip() or _("New hire %(n)s") % {"n": n}}


@transaction.atomic
def scenario_op_remove(*, actor: Actor, scenario: Scenario, index: int) -> Scenario:
    """Remove the operation at ``index`` (0-based); the ones after it must still apply (a move
    to a hire needs the hire)."""
    scenario = _locked(scenario)
    if not 0 <= index < len(scenario.operations):
        raise ValidationError({"index": [_("There is no operation number %(n)s.")
                                         % {"n": index + 1}]})
    removed = scenario.operations[index]
    rest = [op for i, op in enumerate(scenario.operations) if i != index]
    try:
        operations, _warnings = _check(scenario.round, rest)
    except ValidationError as exc:
        raise ValidationError(
            [_("Operations after it depend on it; remove those first."), *exc.messages]
        ) from None
    data, _summary = round_base(scenario.round)
    scenario.operations = operations
    scenario.save(update_fields=["operations", "updated_at"])
    audit_record(actor=actor, action="plan_scenario.op_remove", obj=scenario,
                 object_repr=scenario.name,
                 changes={"operation": [describe_op(removed, names_of(data, [removed])), None]})
    return scenario


@transaction.atomic
def scenario_delete(*, actor: Actor, scenario: Scenario) -> None:
    """Delete it; items made from it stay (their link is cleared)."""
    scenario = _locked(scenario)
    audit_record(actor=actor, action="plan_scenario.delete", obj=scenario,
                 object_repr=scenario.name, changes={"name": [scenario.name, None]})
    scenario.delete()


# ---- describing operations --------------------------------------------------------------------


def describe_op(op: dict[str, Any], names: Names) -> str:
    """One operation in plain Japanese: 「山田 太郎 → 佐藤 花子: 給与計算 10.0 時間/月」."""
    kind = op.get("op")
    task = names.task(op.get("task"))
    if kind == "move":
        return _("Move %(hours)s h/month of %(task)s from %(from)s to %(to)s") % {
            "hours": _num(op.get("hours")), "task": task,
            "from": names.person(op.get("from")), "to": names.person(op.get("to"))}
    if kind == "train":
        return _("Train %(person)s on %(task)s to level %(level)s") % {
            "person": names.person(op.get("person")), "task": task, "level": op.get("level")}
    if kind == "drop":
        return _("Stop doing %(task)s") % {"task": task}
    if kind == "outsource":
        hours = op.get("hours")
        what = _("all hours") if hours is None else _("%(hours)s h/month") % {
            "hours": _num(hours)}
        if op.get("how") == "automate":
            return _("Automate %(task)s (%(what)s)") % {"task": task, "what": what}
        return _("Outsource %(task)s (%(what)s)") % {"task": task, "what": what}
    if kind == "hire":
        return _("Hire %(name)s (grade %(grade)s, %(capacity)s h/month)") % {
            "name": op.get("name") or op.get("key"), "grade": op.get("grade") or "—",
            "capacity": _num(op.get("capacity"))}
    if kind == "retire":
        return _("%(person)s retires") % {"person": names.person(op.get("person"))}
    return _("Unknown operation")


def _num(value: Any) -> str:
    try:
        return f"{float(value):,.1f}"
    except (TypeError, ValueError):
        return "—"


# ---- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpLine:
    index: int
    op: dict[str, Any]
    text: str


@dataclass(frozen=True)
class ScenarioResult:
    baseline: Any  # engine Summary
    summary: Any | None  # engine Summary; None when the operations no longer apply
    lines: list[Any]  # engine compare Lines
    applied: Any | None  # engine Applied
    warnings: list[str]
    error: str  # why the operations no longer apply to the round's data ("" when they do)
    ops: list[OpLine]
    names: Names


def scenario_result(scenario: Scenario) -> ScenarioResult:
    """The baseline and the scenario side by side. If the round's data changed so that the
    stored operations no longer apply, the result says why instead of failing."""
    from somu.plans.engine import ops as engine_ops
    from somu.plans.engine import scenario as engine

    data, baseline = round_base(scenario.round)
    names = names_of(data, scenario.operations)
    ops = [OpLine(i, op, describe_op(op, names)) for i, op in enumerate(scenario.operations)]
    try:
        parsed = engine_ops.parse(scenario.operations)
        applied, summary = engine.recompute(data, parsed)
    except engine_ops.OpsError as exc:
        error = " ".join(_ops_error(exc, names).messages)
        return ScenarioResult(baseline, None, [], None, [], error, ops, names)
    warnings = [problem_message(p, names, numbered=False) for p in applied.needs_training]
    lines = list(engine.compare(baseline, summary))
    return ScenarioResult(baseline, summary, lines, applied, warnings, "", ops, names)


# ---- items ---------------------------------------------------------------------------------------


def _item_rows(scenario: Scenario, data: SurveyData, names: Names) -> list[dict[str, Any]]:
    task_hours: dict[int, float] = {}
    for task_id_, total in data.hours.group_by("task_id").agg(
            pl.col("hours").sum()).iter_rows():
        task_hours[int(task_id_)] = float(total)
    load: dict[int, float] = {}
    for person_id_, total in data.hours.group_by("person_id").agg(
            pl.col("hours").sum()).iter_rows():
        load[int(person_id_)] = float(total)
    rows: list[dict[str, Any]] = []
    for op in scenario.operations:
        kind = op.get("op")
        text = describe_op(op, names)
        task_id = op.get("task") if isinstance(op.get("task"), int) else None
        row: dict[str, Any] = {"title": text[:200], "task_id": task_id}
        if kind == "train":
            person = op.get("person")
            row.update(kind=ItemKind.CROSS_TRAIN, target_level=op.get("level"),
                       learner_id=person if isinstance(person, int) else None,
                       person_id=person if isinstance(person, int) else None,
                       expected_capable=1 if int(op.get("level") or 0) >= 3 else 0)
        elif kind == "move":
            source = op.get("from")
            row.update(kind=ItemKind.REASSIGN, expected_hours=float(op.get("hours") or 0),
                       person_id=source if isinstance(source, int) else None)
        elif kind == "drop":
            row.update(kind=ItemKind.ELIMINATE,
                       expected_hours=task_hours.get(task_id or 0, 0.0))
        elif kind == "outsource":
            hours = op.get("hours")
            row.update(kind=ItemKind.AUTOMATE if op.get("how") == "automate"
                       else ItemKind.OUTSOURCE,
                       expected_hours=float(hours) if hours is not None
                       else task_hours.get(task_id or 0, 0.0))
        elif kind == "hire":
            row.update(kind=ItemKind.REASSIGN)
        elif kind == "retire":
            person = op.get("person")
            row.update(kind=ItemKind.REASSIGN,
                       person_id=person if isinstance(person, int) else None,
                       expected_hours=load.get(person if isinstance(person, int) else 0, 0.0))
        else:
            continue
        rows.append(row)
    return rows


@transaction.atomic
def scenario_items(*, actor: Actor, scenario: Scenario, today: dt.date) -> list[Item]:
    """Turn the scenario into improvement items, one per operation: 多能工化 for a training (the
    learner, task and target level), 再配置 for a move, a hire or a retirement, やめる for a
    dropped task, 外注 / 自動化 for hours moved out. Each is proposed, linked to the scenario
    and its round; no real assignment changes."""
    scenario = _locked(scenario)
    if not scenario.operations:
        raise ValidationError([_("The scenario has no operations to turn into items.")])
    if Item.objects.filter(scenario=scenario).exists():
        raise Conflict(_("Items have already been made from this scenario; see the items "
                         "board."))
    data, _summary = round_base(scenario.round)
    names = names_of(data, scenario.operations)
    known_people = set(data.people["person_id"].to_list())
    known_tasks = set(data.tasks["task_id"].to_list())
    number = next_number(scenario.organization_id)
    items: list[Item] = []
    for row in _item_rows(scenario, data, names):
        for key, known in (("task_id", known_tasks), ("person_id", known_people),
                           ("learner_id", known_people)):
            if row.get(key) is not None and row[key] not in known:
                row[key] = None
        item = Item.objects.create(
            number=number, finding=FindingKind.SCENARIO, round=scenario.round,
            scenario=scenario, description=_("From the scenario 「%(name)s」 (%(on)s).") % {
                "name": scenario.name, "on": today.isoformat()}, **row)
        number += 1
        items.append(item)
        audit_record(actor=actor, action="plan_item.create", obj=item,
                     object_repr=str(item),
                     changes={"title": [None, item.title], "kind": [None, item.get_kind_display()],
                              "scenario": [None, scenario.name]})
    return items
