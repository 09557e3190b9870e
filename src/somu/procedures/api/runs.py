"""/api/v1/procedures/runs: listing, launching (one or in bulk), reading and cancelling
runs. Launch problems come back as 422 naming the request field (``params.入社日``,
``param_sets[3].assignee``)."""


from typing import Any

from django.core.exceptions import ValidationError
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import MAX_ID, PagePagination, errors
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.procedures import selectors
from somu.procedures.api.common import check_param_numbers
from somu.procedures.models import Run, Template
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES
from somu.procedures.schemas.runs import (
    BulkLaunchIn,
    BulkLaunchOut,
    CancelIn,
    EventOut,
    LaunchIn,
    LaunchOut,
    RunDetailOut,
    RunOut,
    RunQuery,
)
from somu.procedures.selectors import runs as run_selectors
from somu.procedures.services import launching
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services

router = Router(tags=["procedures"])

RunId = Path(..., ge=1, le=MAX_ID)



def _launch_field(key: str) -> str:
    """A launch problem's key as the field of the request body it is about."""
    if key in ("assignee", "template", "__all__"):
        return key
    return f"params.{key}"


def _bulk_field(key: str) -> str:
    if key.startswith("params["):
        return "param_sets[" + key.removeprefix("params[")
    return f"param_sets[0].{key}"  # a single parameter set is not indexed by the service


def _renamed(exc: ValidationError, rename: Any) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({rename(k): v for k, v in exc.message_dict.items()})


def _launchable(template_id: int) -> Template:
    template = Template.objects.select_related("current_version").filter(pk=template_id).first()
    if template is None:
        raise ValidationError({"template_id": [f"Unknown template id {template_id}."]})
    return template


def _run_detail(run: Run) -> dict[str, Any]:
    steps = run_selectors.run_steps(run=run)
    today = selectors.today()
    finished = [s for s in steps if s.state in ("done", "skipped", "approved")]
    late = [s for s in steps if s.state in ("waiting", "ready") and s.due_date
            and s.due_date < today]
    out = RunOut.from_orm(run).dict()
    skipped = [s for s in steps if s.state == "skipped"]
    out.update(steps_total=len(steps), steps_finished=len(finished), steps_late=len(late),
               steps_skipped=len(skipped),
               steps=steps, parameters=[{"key": k, "label": label, "display": display}
                                        for k, label, display in
                                        run_selectors.run_param_display(run=run)])
    return out


@router.get("/runs", response={200: list[RunOut], **errors(403, 422)},
            summary="Runs, newest first, with their progress",
            operation_id="somu_procedures_api_run_list")
@paginate(PagePagination)
def run_list(request: AuthedRequest, filters: Query[RunQuery]) -> Any:
    require(request.auth, VIEW_PROCEDURES)
    return run_selectors.run_list(template_id=filters.template_id, status=filters.status,
                                  person_id=filters.assignee).select_related("started_by")


@router.post("/runs", response={201: LaunchOut, **errors(403, 422)},
             summary="Launch a run: every step gets its assignee and due date",
             description="`warnings` lists what is allowed but worth a look, such as a start "
                         "date that is not a business day.",
             operation_id="somu_procedures_api_run_launch")
def run_launch(request: AuthedRequest, payload: LaunchIn) -> Status[dict[str, Any]]:
    require(request.auth, MANAGE_PROCEDURES)
    template = _launchable(payload.template_id)
    check_param_numbers(payload.params, "params.")
    try:
        run = run_services.run_launch(actor=request.user, template=template, params=payload.params,
                                      start_date=payload.start_date, name=payload.name)
    except launching.LaunchError as exc:
        raise _renamed(exc, _launch_field) from exc
    return Status(201, {**_run_detail(run_selectors.run_get(run_id=run.pk)),
                        "warnings": run_services.launch_warnings(start_date=run.start_date,
                                                                 run=run)})


@router.post("/runs/bulk", response={201: BulkLaunchOut, **errors(403, 422)},
             summary="Launch one run per parameter set (at most 10,000): all or nothing",
             description="A problem names the parameter set by index: "
                         "`param_sets[3].入社者`; then no run is created.",
             operation_id="somu_procedures_api_run_bulk_launch")
def run_bulk_launch(request: AuthedRequest, payload: BulkLaunchIn) -> Status[dict[str, Any]]:
    require(request.auth, MANAGE_PROCEDURES)
    template = _launchable(payload.template_id)
    for index, params in enumerate(payload.param_sets):
        check_param_numbers(params, f"param_sets[{index}].")
    try:
        runs = run_services.runs_bulk_launch(actor=request.user, template=template,
                                             param_sets=payload.param_sets,
                                             start_date=payload.start_date)
    except launching.LaunchError as exc:
        raise _renamed(exc, _bulk_field) from exc
    warnings = run_services.launch_warnings(start_date=runs[0].start_date) if runs else []
    return Status(201, {"launched": len(runs), "run_ids": [run.pk for run in runs],
                        "warnings": warnings})


@router.get("/runs/{run_id}", response={200: RunDetailOut, **errors(403, 404, 422)},
            summary="A run with its parameters and steps",
            operation_id="somu_procedures_api_run_get")
def run_get(request: AuthedRequest, run_id: int = RunId) -> dict[str, Any]:
    require(request.auth, VIEW_PROCEDURES)
    return _run_detail(run_selectors.run_get(run_id=run_id))


@router.get("/runs/{run_id}/events", response={200: list[EventOut], **errors(403, 404, 422)},
            summary="The run's timeline: who did what when, oldest first",
            operation_id="somu_procedures_api_run_events")
@paginate(PagePagination)
def run_events(request: AuthedRequest, run_id: int = RunId) -> Any:
    require(request.auth, VIEW_PROCEDURES)
    return run_selectors.run_timeline(run=run_selectors.run_get(run_id=run_id))


@router.post("/runs/{run_id}/cancel", response={200: RunDetailOut, **errors(403, 404, 409, 422)},
             summary="Cancel a running run (its open steps are cancelled)",
             operation_id="somu_procedures_api_run_cancel")
def run_cancel(request: AuthedRequest, payload: CancelIn, run_id: int = RunId) -> dict[str, Any]:
    require(request.auth, MANAGE_PROCEDURES)
    run = run_selectors.run_get(run_id=run_id)
    step_services.run_cancel(actor=request.user, run=run, reason=payload.reason)
    return _run_detail(run_selectors.run_get(run_id=run_id))
