"""/api/v1/plans/scenarios…: what-if 新体制, their recomputed figures, and the optimizer's
proposals. Reading needs VIEW_SCENARIOS, changing MANAGE_PLAN; every rule is in
:mod:`somu.plans.services.scenarios`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import MAX_ID, InputSchema, PagePagination, QuerySchema, errors, optional
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.plans import permissions as p
from somu.plans import scenario_present as present
from somu.plans.models import Scenario
from somu.plans.services import scenario_proposals as proposals
from somu.plans.services import scenarios as services
from somu.survey.models import SurveyRound

router = Router(tags=["plans"])

ScenarioId = Path(..., ge=1, le=MAX_ID)


def today() -> dt.date:
    return timezone.localdate()


# ---- schemas -------------------------------------------------------------------------------------


class ScenarioIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    round_id: int = Field(..., ge=1, le=MAX_ID)
    description: str = Field("", max_length=10_000)


class ScenarioPatch(InputSchema):
    name: str = optional(min_length=1, max_length=200)
    description: str = optional(max_length=10_000)


class OperationIn(InputSchema):
    """One operation as :mod:`somu.plans.engine.ops` reads it, e.g. ``{"op": "move", "task":
    12, "from": 3, "to": 5, "hours": 10}``."""

    # Any JSON here: the service refuses what is not an object (after the scenario is found,
    # so another organization's scenario is 404 whatever the body).
    operation: Any = Field(..., json_schema_extra={"type": "object"})


class OperationRemoveIn(InputSchema):
    index: int = Field(..., ge=0, le=10_000)  # 0-based position in ``operations``


class ProposeIn(InputSchema):
    round_id: int = Field(..., ge=1, le=MAX_ID)
    kind: str = Field(..., max_length=20)  # leveling | cross_training
    name: str = Field("", max_length=190)
    time_limit_s: float = Field(10.0, ge=0.5, le=10)
    max_changes: int | None = Field(None, ge=1, le=100_000)
    overqualified_penalty: float = Field(0.0, ge=0, le=1000)
    k: int | None = Field(None, ge=1, le=20)
    bus_factor_target: int | None = Field(None, ge=1, le=1000)
    scope: str = Field("organization", max_length=20)  # organization | function | department
    scope_key: str = Field("", max_length=200)  # the function's name or the department's id
    objective: str = Field("pairs", max_length=10)  # pairs | hours
    horizon_months: float = Field(3.0, ge=0.5, le=36)


class ScenarioOut(Schema):
    id: int
    name: str
    description: str
    round_id: int
    round_name: str
    source: str
    source_label: str
    operations: list[dict[str, Any]]
    proposal: dict[str, Any]
    proposal_label: str
    created_at: dt.datetime
    updated_at: dt.datetime


class OperationOut(Schema):
    scenario: ScenarioOut
    warnings: list[str]


class ScenarioLineOut(Schema):
    key: str
    label: str
    before: float | None
    after: float | None
    change: float | None
    better: bool | None


class ScenarioPersonOut(Schema):
    name: str
    capacity: float
    load_before: float | None
    load_after: float | None
    utilization_before: float | None
    utilization_after: float | None
    overloaded_before: bool
    overloaded_after: bool
    hire: bool


class ResultOut(Schema):
    scenario_id: int
    operations: list[str]  # each operation in words
    lines: list[ScenarioLineOut]  # baseline → scenario, figure by figure
    people: list[ScenarioPersonOut]
    warnings: list[str]  # moves to someone who needs training (要トレーニング)
    error: str  # why the operations no longer apply to the round ("" when they do)


class ScenarioCompareQuery(QuerySchema):
    a: int | None = Field(None, ge=1, le=MAX_ID)  # without it: no columns
    b: int | None = Field(None, ge=1, le=MAX_ID)


class CompareColumnOut(Schema):
    scenario_id: int
    name: str
    lines: list[ScenarioLineOut]
    error: str


class CompareOut(Schema):
    baseline_round_id: int | None
    columns: list[CompareColumnOut]


class ItemMadeOut(Schema):
    id: int
    number: int
    title: str
    kind: str
    task_id: int | None
    person_id: int | None


def _out(scenario: Scenario) -> dict[str, Any]:
    return {
        "id": scenario.pk, "name": scenario.name, "description": scenario.description,
        "round_id": scenario.round_id, "round_name": scenario.round.name,
        "source": scenario.source, "source_label": str(scenario.get_source_display()),
        "operations": scenario.operations, "proposal": scenario.proposal,
        "proposal_label": present.proposal_label(scenario.proposal),
        "created_at": scenario.created_at, "updated_at": scenario.updated_at,
    }


def _line(line: Any, label: str) -> dict[str, Any]:
    return {"key": line.key, "label": label, "before": line.before, "after": line.after,
            "change": line.change, "better": line.better}


def _lines(lines: list[Any]) -> list[dict[str, Any]]:
    rows = {r.key: r.label for r in present.rows([lines])}
    return [_line(line, rows.get(line.key, line.key)) for line in lines]


def _get(scenario_id: int) -> Scenario:
    return Scenario.objects.select_related("round").get(pk=scenario_id)


def _round(round_id: int) -> SurveyRound:
    found = SurveyRound.objects.filter(pk=round_id).first()
    if found is None:
        raise ValidationError({"round_id": [_("There is no survey round with id %(id)s.")
                                            % {"id": round_id}]})
    return found


# ---- endpoints -----------------------------------------------------------------------------------


@router.get("/scenarios", response={200: list[ScenarioOut], **errors(403, 422)},
            summary="Scenarios (新体制), most recently changed first")
@paginate(PagePagination)
def scenario_list(request: AuthedRequest) -> Any:
    require(request.auth, p.VIEW_SCENARIOS)
    return [_out(s) for s in Scenario.objects.select_related("round")
            .order_by("-updated_at", "-pk")]


@router.post("/scenarios", response={201: ScenarioOut, **errors(403, 422)},
             summary="Start a scenario from a survey round")
def scenario_create(request: AuthedRequest, payload: ScenarioIn) -> Status[dict[str, Any]]:
    require(request.auth, p.VIEW_SCENARIOS)
    require(request.auth, p.MANAGE_PLAN)
    scenario = services.scenario_create(actor=request.user, data={
        "name": payload.name, "description": payload.description,
        "round": _round(payload.round_id)})
    return Status(201, _out(_get(scenario.pk)))


@router.post("/scenarios/propose", response={201: ScenarioOut, **errors(403, 422)},
             summary="Run the optimizer (leveling or cross-training) and save its proposal as a "
                     "scenario; infeasible → 422 naming the tasks, nothing stored")
def scenario_propose(request: AuthedRequest, payload: ProposeIn) -> Status[dict[str, Any]]:
    require(request.auth, p.VIEW_SCENARIOS)
    require(request.auth, p.MANAGE_PLAN)
    params = payload.dict(exclude={"round_id", "kind", "name"})
    scenario = proposals.proposal_run(actor=request.user, round=_round(payload.round_id),
                                      kind=payload.kind, params=params, today=today(),
                                      name=payload.name)
    return Status(201, _out(_get(scenario.pk)))


@router.get("/scenarios/compare", response={200: CompareOut, **errors(403, 404, 422)},
            summary="One or two scenarios side by side with the baseline of the first one's "
                    "round")
def scenario_compare(request: AuthedRequest, query: Query[ScenarioCompareQuery]) -> dict[str, Any]:
    require(request.auth, p.VIEW_SCENARIOS)
    from somu.plans.engine import scenario as engine

    if query.a is None:
        return {"baseline_round_id": None, "columns": []}
    chosen = [_get(query.a)] + ([_get(query.b)] if query.b is not None else [])
    results = [services.scenario_result(s) for s in chosen]
    baseline = results[0].baseline
    columns = []
    for scenario, result in zip(chosen, results, strict=True):
        lines = engine.compare(baseline, result.summary) if result.summary is not None else []
        columns.append({"scenario_id": scenario.pk, "name": scenario.name,
                        "lines": _lines(lines), "error": result.error})
    return {"baseline_round_id": chosen[0].round_id, "columns": columns}


@router.get("/scenarios/{scenario_id}", response={200: ScenarioOut, **errors(403, 404, 422)})
def scenario_get(request: AuthedRequest, scenario_id: int = ScenarioId) -> dict[str, Any]:
    require(request.auth, p.VIEW_SCENARIOS)
    return _out(_get(scenario_id))


@router.patch("/scenarios/{scenario_id}", response={200: ScenarioOut, **errors(403, 404, 422)},
              summary="Rename a scenario or change its description")
def scenario_update(request: AuthedRequest, payload: ScenarioPatch,
                    scenario_id: int = ScenarioId) -> dict[str, Any]:
    require(request.auth, p.VIEW_SCENARIOS)
    require(request.auth, p.MANAGE_PLAN)
    scenario = _get(scenario_id)
    services.scenario_update(actor=request.user, scenario=scenario,
                             data=payload.dict(exclude_unset=True))
    return _out(_get(scenario_id))


@router.delete("/scenarios/{scenario_id}", response={204: None, **errors(403, 404, 422)})
def scenario_delete(request: AuthedRequest, scenario_id: int = ScenarioId) -> Status[None]:
    require(request.auth, p.VIEW_SCENARIOS)
    require(request.auth, p.MANAGE_PLAN)
    services.scenario_delete(actor=request.user, scenario=_get(scenario_id))
    return Status(204, None)


@router.post("/scenarios/{scenario_id}/operations",
             response={201: OperationOut, **errors(403, 404, 422)},
             summary="Add an operation; the whole list is applied to the round's data first "
                     "(422 naming the person and task on a problem, nothing stored)")
def scenario_op_add(request: AuthedRequest, payload: OperationIn,
                    scenario_id: int = ScenarioId) -> Status[dict[str, Any]]:
    require(request.auth, p.VIEW_SCENARIOS)
    require(request.auth, p.MANAGE_PLAN)
    scenario, warnings = services.scenario_op_add(actor=request.user, scenario=_get(scenario_id),
                                                  op=payload.operation)
    return Status(201, {"scenario": _out(_get(scenario.pk)), "warnings": warnings})


@router.post("/scenarios/{scenario_id}/operations/remove",
             response={200: ScenarioOut, **errors(403, 404, 422)},
             summary="Remove the operation at a position (0-based)")
def scenario_op_remove(request: AuthedRequest, payload: OperationRemoveIn,
                       scenario_id: int = ScenarioId) -> dict[str, Any]:
    require(request.auth, p.VIEW_SCENARIOS)
    require(request.auth, p.MANAGE_PLAN)
    services.scenario_op_remove(actor=request.user, scenario=_get(scenario_id),
                                index=payload.index)
    return _out(_get(scenario_id))


@router.get("/scenarios/{scenario_id}/result", response={200: ResultOut, **errors(403, 404, 422)},
            summary="The scenario's figures side by side with the baseline round's")
def scenario_result(request: AuthedRequest, scenario_id: int = ScenarioId) -> dict[str, Any]:
    require(request.auth, p.VIEW_SCENARIOS)
    scenario = _get(scenario_id)
    result = services.scenario_result(scenario)
    return {
        "scenario_id": scenario.pk, "operations": [o.text for o in result.ops],
        "lines": _lines(result.lines),
        "people": [vars(row) for row in present.people_rows(result.baseline, result.summary)],
        "warnings": result.warnings, "error": result.error,
    }


@router.post("/scenarios/{scenario_id}/items",
             response={201: list[ItemMadeOut], **errors(403, 404, 409, 422)},
             summary="Turn the scenario into improvement items (one per operation, proposed)")
def scenario_items(request: AuthedRequest, scenario_id: int = ScenarioId) -> Status[list[Any]]:
    require(request.auth, p.VIEW_SCENARIOS)
    require(request.auth, p.MANAGE_PLAN)
    items = services.scenario_items(actor=request.user, scenario=_get(scenario_id),
                                    today=today())
    return Status(201, [{"id": i.pk, "number": i.number, "title": i.title, "kind": i.kind,
                         "task_id": i.task_id, "person_id": i.person_id} for i in items])
