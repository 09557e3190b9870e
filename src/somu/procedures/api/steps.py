"""/api/v1/procedures/ endpoints for working on steps: a step with its instructions, saving,
completing, approving, reassigning, reopening, comments and files; my tasks; the board, the
due-date calendar and the comparison with the work survey.

A step is visible to procedure viewers and to
its assignee (others: 404); acting on it needs to be its assignee or procedure staff (403). A
step changed by someone else meanwhile (completed twice, a stale ``revision``) is a 409.
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import File, Path, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import MAX_ID, PagePagination, errors
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.procedures import selectors
from somu.procedures.api.common import person_ref
from somu.procedures.models import EventKind, Step, StepEvent
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES, WORK_STEPS
from somu.procedures.schemas.runs import EventOut, StepOut
from somu.procedures.schemas.steps import (
    BoardOut,
    CalendarOut,
    CalendarQuery,
    CommentIn,
    CompleteIn,
    DecideIn,
    InsightOut,
    InsightQuery,
    MyTasksOut,
    ProgressIn,
    ReassignIn,
    ReopenIn,
    StepDetailOut,
)
from somu.procedures.selectors import steps as step_selectors
from somu.procedures.services import steps as step_services

router = Router(tags=["procedures"])

StepId = Path(..., ge=1, le=MAX_ID)


# ---- steps ---------------------------------------------------------------------------------------


def _step_readable(request: AuthedRequest, step_id: int) -> Step:
    """A step the caller may see: any for procedure viewers, else only their own (404)."""
    membership = request.auth
    if not has_perm(membership, VIEW_PROCEDURES):
        require(membership, WORK_STEPS)
    step = step_selectors.step_get(step_id=step_id)
    if not step_selectors.can_see_step(membership, step):
        raise Http404
    return step


def _step_actable(request: AuthedRequest, step_id: int) -> Step:
    step = _step_readable(request, step_id)
    if not step_selectors.can_act_on_step(request.auth, step):
        require(None, WORK_STEPS)  # raises the 403
    return step


def _step_detail(request: AuthedRequest, step_id: int, step: Step | None = None) -> dict[str, Any]:
    """The step as the API shows it; ``step`` when the caller already holds a fresh copy."""
    step = step or step_selectors.step_get(step_id=step_id)
    view = step_selectors.step_view(step=step)
    spec = view.spec
    return {
        **StepOut.from_orm(step).dict(),
        "template_name": step.run.template.name, "run_status": step.run.status,
        "instructions": spec.instructions if spec else "",
        "instructions_html": str(view.instructions_html),
        "checklist": [{"index": i, "text": text, "checked": checked}
                      for i, text, checked in view.checklist],
        "form": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required,
                  "choices": list(f.choices), "help": f.help, "value": f.value}
                 for f in view.form],
        "checklist_done": list(step.checklist_done), "form_values": dict(step.form_values),
        "notes": view.notes, "due_rule": view.due_text, "assignee_rule": view.assignee_text,
        "on_reject": spec.on_reject if spec and step.kind == "approval" else "",
        "dependencies": [s.pk for s in view.dependencies],
        "dependents": [s.pk for s in view.dependents],
        "parameters": [{"key": k, "label": label, "display": display}
                       for k, label, display in view.params],
        "attachments": view.attachments,
        "can_act": step_selectors.can_act_on_step(request.auth, step),
    }


@router.get("/steps/{step_id}", response={200: StepDetailOut, **errors(403, 404, 422)},
            summary="A step: its state, instructions (rendered), checklist and form",
            operation_id="somu_procedures_api_work_step_get")
def step_get(request: AuthedRequest, step_id: int = StepId) -> dict[str, Any]:
    return _step_detail(request, step_id, _step_readable(request, step_id))


@router.post("/steps/{step_id}/save", response={200: StepDetailOut, **errors(403, 404, 409, 422)},
             summary="Save checklist ticks, form values and minutes without completing",
             operation_id="somu_procedures_api_work_step_save")
def step_save(request: AuthedRequest, payload: ProgressIn, step_id: int = StepId) -> dict[str, Any]:
    step = _step_actable(request, step_id)
    step_services.step_save_progress(actor=request.user, step=step, **payload.dict())
    return _step_detail(request, step_id)


@router.post("/steps/{step_id}/complete",
             response={200: StepDetailOut, **errors(403, 404, 409, 422)},
             summary="Complete a ready task step; 409 when it is not ready (any more)",
             operation_id="somu_procedures_api_work_step_complete")
def step_complete(request: AuthedRequest, payload: CompleteIn,
                  step_id: int = StepId) -> dict[str, Any]:
    step = _step_actable(request, step_id)
    step_services.step_complete(actor=request.user, step=step, **payload.dict())
    return _step_detail(request, step_id)


@router.post("/steps/{step_id}/decide", response={200: StepDetailOut, **errors(403, 404, 409, 422)},
             summary="Approve or reject a ready approval step (a rejection needs a comment)",
             operation_id="somu_procedures_api_work_step_decide")
def step_decide(request: AuthedRequest, payload: DecideIn, step_id: int = StepId) -> dict[str, Any]:
    step = _step_actable(request, step_id)
    step_services.step_decide(actor=request.user, step=step, approve=payload.approve,
                              comment=payload.comment, revision=payload.revision)
    return _step_detail(request, step_id)


@router.post("/steps/{step_id}/reassign",
             response={200: StepDetailOut, **errors(403, 404, 409, 422)},
             summary="Give an open step to another person (by id or 社員番号)",
             operation_id="somu_procedures_api_work_step_reassign")
def step_reassign(request: AuthedRequest, payload: ReassignIn,
                  step_id: int = StepId) -> dict[str, Any]:
    step = _step_readable(request, step_id)
    require(request.auth, MANAGE_PROCEDURES)
    if (payload.assignee_id is None) == (payload.employee_number is None):
        raise ValidationError({"assignee_id": ["Give assignee_id or employee_number."]})
    if payload.assignee_id is not None:
        assignee = person_ref(payload.assignee_id, "assignee_id")
    else:
        assignee = person_ref(payload.employee_number, "employee_number")
    assert assignee is not None
    step_services.step_reassign(actor=request.user, step=step, assignee=assignee,
                                comment=payload.comment)
    return _step_detail(request, step_id)


@router.post("/steps/{step_id}/reopen", response={200: StepDetailOut, **errors(403, 404, 409, 422)},
             summary="Send a done or approved step back to ready, with a reason",
             operation_id="somu_procedures_api_work_step_reopen")
def step_reopen(request: AuthedRequest, payload: ReopenIn, step_id: int = StepId) -> dict[str, Any]:
    step = _step_actable(request, step_id)
    step_services.step_reopen(actor=request.user, step=step, reason=payload.reason)
    return _step_detail(request, step_id)


@router.post("/steps/{step_id}/comments", response={201: EventOut, **errors(403, 404, 422)},
             summary="Comment on a step (shown in the run's timeline)",
             operation_id="somu_procedures_api_work_step_comment")
def step_comment(request: AuthedRequest, payload: CommentIn, step_id: int = StepId) -> Status[Any]:
    step = _step_readable(request, step_id)
    require(request.auth, WORK_STEPS)
    event = step_services.step_comment(actor=request.user, step=step, text=payload.text)
    return Status(201, StepEvent.objects.select_related("step").get(pk=event.pk))


@router.get("/steps/{step_id}/comments", response={200: list[EventOut], **errors(403, 404, 422)},
            summary="The step's comments, oldest first",
            operation_id="somu_procedures_api_work_step_comments")
@paginate(PagePagination)
def step_comments(request: AuthedRequest, step_id: int = StepId) -> Any:
    step = _step_readable(request, step_id)
    return StepEvent.objects.filter(step=step, kind=EventKind.COMMENTED).select_related(
        "step").order_by("created_at", "pk")


@router.post("/steps/{step_id}/attachments", response={201: EventOut, **errors(403, 404, 422)},
             summary="Attach a file (at most 20 MB) to a step",
             operation_id="somu_procedures_api_work_step_attach")
def step_attach(request: AuthedRequest, file: File[UploadedFile | None] = None,
                step_id: int = StepId) -> Status[Any]:
    step = _step_actable(request, step_id)
    if file is None:
        raise ValidationError({"file": ["Attach a file."]})
    step_services.step_attach(actor=request.user, step=step, upload=file)
    event = StepEvent.objects.filter(step=step, kind=EventKind.ATTACHED).select_related(
        "step").order_by("-pk").first()
    return Status(201, event)


# ---- my tasks, the board, the calendar, insights ------------------------------------------------


@router.get("/my-tasks", response={200: MyTasksOut, **errors(403)},
            summary="The caller's open steps: overdue, today, this week, later, waiting",
            operation_id="somu_procedures_api_work_my_tasks")
def my_tasks(request: AuthedRequest) -> dict[str, Any]:
    membership = request.auth
    require(membership, WORK_STEPS)
    person = membership.person
    if person is None:
        empty: list[Step] = []
        return {"overdue": empty, "today": empty, "this_week": empty, "later": empty,
                "waiting": empty, "counts": dict.fromkeys(
                    ("overdue", "today", "this_week", "later", "waiting"), 0)}
    tasks = step_selectors.my_tasks(person=person, today=selectors.today())
    buckets = {name: getattr(tasks, name)
               for name in ("overdue", "today", "this_week", "later", "waiting")}
    for steps in buckets.values():
        for step in steps:
            step.assignee = person  # all theirs: no query per step for the name
    return {**buckets, "counts": tasks.counts}


@router.get("/board", response={200: BoardOut, **errors(403)},
            summary="Running runs by template, who holds what, and the late steps",
            operation_id="somu_procedures_api_work_board")
def board(request: AuthedRequest) -> dict[str, Any]:
    require(request.auth, VIEW_PROCEDURES)
    today = selectors.today()
    result = step_selectors.board(today=today)
    return {
        "today": today,
        "templates": [{"template_id": r.template_id, "name": r.name, "running": r.running,
                       "steps_total": r.steps_total, "steps_finished": r.steps_finished,
                       "steps_skipped": r.steps_skipped,
                       "steps_late": r.steps_late, "progress": r.progress}
                      for r in result.templates],
        "holders": result.holders,
        "late_steps": result.late_steps,
    }


@router.get("/calendar", response={200: CalendarOut, **errors(403, 422)},
            summary="Open steps due in a month (this month unless ?year=&month=)",
            operation_id="somu_procedures_api_work_due_calendar")
def due_calendar(request: AuthedRequest, filters: Query[CalendarQuery]) -> dict[str, Any]:
    require(request.auth, VIEW_PROCEDURES)
    today = selectors.today()
    year, month = filters.year or today.year, filters.month or today.month
    days = step_selectors.due_calendar(year=year, month=month, person_id=filters.person_id,
                                       template_id=filters.template_id)
    return {"year": year, "month": month,
            "days": [{"date": day, "steps": steps} for day, steps in sorted(days.items())]}


@router.get("/insights", response={200: list[InsightOut], **errors(403, 404, 422)},
            summary="Per inventory task: surveyed hours vs. estimated and actual (h/month)",
            operation_id="somu_procedures_api_work_insights")
def insights(request: AuthedRequest, filters: Query[InsightQuery]) -> list[dict[str, Any]]:
    require(request.auth, VIEW_PROCEDURES)
    return [{"task_id": row.task.pk, "task": row.task.path,
             "template_ids": [t.pk for t in row.templates],
             "surveyed_hours": float(row.surveyed_hours) if row.surveyed_hours is not None
             else None,
             "estimated_hours": float(row.estimated_hours),
             "actual_hours": float(row.actual_hours),
             "runs_launched": row.runs_launched, "runs_completed": row.runs_completed}
            for row in step_selectors.insights(today=selectors.today(),
                                               round_id=filters.round_id)]
