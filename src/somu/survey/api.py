"""/api/v1/survey/ endpoints: the inventory, rounds, answers, imports and the analysis.

Thin and typed: permissions, then services (writes) or selectors (reads). Ids of another
organization are not found (the tenancy scope), so they answer 404 like unknown ids.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from ninja import File, Form, Path, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import PagePagination, errors
from somu.core.errors import Conflict
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.core.uploads import SPREADSHEET_TYPES
from somu.org.models import Department, Membership, Person, Skill
from somu.survey import selectors, services
from somu.survey.drill import DrillError, drill_parse
from somu.survey.models import Respondent, SurveyRound, Task
from somu.survey.permissions import ANSWER_SURVEY, MANAGE_SURVEY, VIEW_ANALYSIS, analysis_scope
from somu.survey.schemas import (
    MAX_ID,
    AnalysisQuery,
    AnswersIn,
    CompareQuery,
    DrillQuery,
    HoursRowOut,
    ImportErrorOut,
    ImportOut,
    InviteIn,
    InviteOut,
    MyAnswersOut,
    RemindIn,
    RemindOut,
    RespondentOut,
    RespondentQuery,
    RoundDetailOut,
    RoundIn,
    RoundOut,
    RoundPatch,
    TaskIn,
    TaskOut,
    TaskPatch,
    TaskQuery,
)

router = Router(tags=["survey"])

XLSX = SPREADSHEET_TYPES["xlsx"]
# Form fields are checked here, so an error names the field as a JSON body's would.
FORM_BOOLEANS = {"true": True, "1": True, "on": True, "yes": True,
                 "false": False, "0": False, "off": False, "no": False, "": False}

# Path ids: bounded, so a huge number is a 422 rather than a database overflow.
TaskId = Path(..., ge=1, le=MAX_ID)
RoundId = Path(..., ge=1, le=MAX_ID)


def _require_any(membership: Membership, *perms: str) -> None:
    if not any(has_perm(membership, perm) for perm in perms):
        require(membership, perms[0])  # raises the 403


# ---- the inventory -------------------------------------------------------------------------------


def _task_data(payload: TaskPatch, *, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    if "required_skill_id" in data:
        skill_id = data.pop("required_skill_id")
        skill = Skill.objects.filter(pk=skill_id).first() if skill_id is not None else None
        if skill_id is not None and skill is None:
            raise ValidationError({"required_skill_id": f"Unknown skill id {skill_id}."})
        data["required_skill"] = skill
    for key in ("function", "category", "name", "status"):
        if partial and key in data and data[key] is None:
            raise ValidationError({key: "This field cannot be null."})
    for key in ("subcategory", "description", "frequency", "scope", "notes"):
        if key in data and data[key] is None:
            data[key] = ""
    for key in ("remote_ok", "outsourceable", "automatable", "sort_order"):
        if key in data and data[key] is None:
            raise ValidationError({key: "This field cannot be null."})
    return data


@router.get("/tasks", response={200: list[TaskOut], **errors(403, 422)},
            summary="The work inventory (業務一覧), filtered like its page")
@paginate(PagePagination)
def task_list(request: AuthedRequest, filters: Query[TaskQuery]) -> Any:
    _require_any(request.auth, MANAGE_SURVEY, ANSWER_SURVEY, VIEW_ANALYSIS)
    return selectors.task_list(filters=selectors.TaskFilter(
        q=filters.q, function=filters.function,
        status="" if filters.status == "all" else filters.status, flag=filters.flag))


@router.get("/tasks/{task_id}", response={200: TaskOut, **errors(403, 404, 422)})
def task_get(request: AuthedRequest, task_id: int = TaskId) -> Task:
    _require_any(request.auth, MANAGE_SURVEY, ANSWER_SURVEY, VIEW_ANALYSIS)
    return Task.objects.get(pk=task_id)


@router.post("/tasks", response={201: TaskOut, **errors(403, 409, 422)})
def task_create(request: AuthedRequest, payload: TaskIn) -> Status[Task]:
    require(request.auth, MANAGE_SURVEY)
    task = services.task_save(actor=request.user, task=None,
                              data=_task_data(payload, partial=False))
    return Status(201, task)


@router.patch("/tasks/{task_id}", response={200: TaskOut, **errors(403, 404, 409, 422)})
def task_update(request: AuthedRequest, payload: TaskPatch, task_id: int = TaskId) -> Task:
    require(request.auth, MANAGE_SURVEY)
    task = Task.objects.get(pk=task_id)
    return services.task_save(actor=request.user, task=task,
                              data=_task_data(payload, partial=True))


@router.delete("/tasks/{task_id}", response={204: None, **errors(403, 404, 409, 422)},
               summary="Delete a task no answers refer to (409 otherwise: archive it)")
def task_delete(request: AuthedRequest, task_id: int = TaskId) -> Status[None]:
    require(request.auth, MANAGE_SURVEY)
    task = Task.objects.get(pk=task_id)
    try:
        services.task_delete(actor=request.user, task=task)
    except ValidationError as exc:
        raise Conflict("; ".join(exc.messages)) from exc
    return Status(204, None)


# ---- rounds and respondents ----------------------------------------------------------------------


def _round_readable(request: AuthedRequest, round_id: int) -> SurveyRound:
    """A round the caller may see: all of them for survey managers and analysts, otherwise
    only the rounds the caller's person is asked to answer."""
    membership = request.auth
    _require_any(membership, MANAGE_SURVEY, VIEW_ANALYSIS, ANSWER_SURVEY)
    survey_round = selectors.round_get(round_id=round_id)
    if not (has_perm(membership, MANAGE_SURVEY) or has_perm(membership, VIEW_ANALYSIS)) and not (
        membership.person_id
        and Respondent.objects.filter(round=survey_round, person_id=membership.person_id).exists()
    ):
        raise Http404
    return survey_round


def _round_managed(request: AuthedRequest, round_id: int) -> SurveyRound:
    require(request.auth, MANAGE_SURVEY)
    return selectors.round_get(round_id=round_id)


def _round_detail(survey_round: SurveyRound) -> dict[str, Any]:
    progress = selectors.round_progress(survey_round=survey_round)
    return {**RoundOut.from_orm(survey_round).dict(),
            "progress": {"invited": progress.invited, "not_started": progress.not_started,
                         "in_progress": progress.in_progress, "submitted": progress.submitted,
                         "rate": progress.rate}}


@router.get("/rounds", response={200: list[RoundOut], **errors(403, 422)},
            summary="Survey rounds (a respondent sees the rounds they are asked to answer)")
@paginate(PagePagination)
def round_list(request: AuthedRequest) -> Any:
    membership = request.auth
    _require_any(membership, MANAGE_SURVEY, VIEW_ANALYSIS, ANSWER_SURVEY)
    rounds = selectors.round_list()
    if not (has_perm(membership, MANAGE_SURVEY) or has_perm(membership, VIEW_ANALYSIS)):
        rounds = rounds.filter(respondents__person_id=membership.person_id or 0)
    return rounds


@router.get("/rounds/{round_id}", response={200: RoundDetailOut, **errors(403, 404, 422)},
            summary="A round with its answering progress")
def round_get(request: AuthedRequest, round_id: int = RoundId) -> dict[str, Any]:
    return _round_detail(_round_readable(request, round_id))


@router.post("/rounds", response={201: RoundDetailOut, **errors(403, 409, 422)})
def round_create(request: AuthedRequest, payload: RoundIn) -> Status[dict[str, Any]]:
    require(request.auth, MANAGE_SURVEY)
    data = payload.dict()
    allow_past_due = data.pop("allow_past_due")
    survey_round = services.round_save(actor=request.user, survey_round=None, data=data,
                                       allow_past_due=allow_past_due)
    return Status(201, _round_detail(survey_round))


@router.patch("/rounds/{round_id}", response={200: RoundDetailOut, **errors(403, 404, 409, 422)})
def round_update(request: AuthedRequest, payload: RoundPatch,
                 round_id: int = RoundId) -> dict[str, Any]:
    survey_round = _round_managed(request, round_id)
    data = payload.dict(exclude_unset=True)
    allow_past_due = data.pop("allow_past_due", False)
    for key in ("name", "status"):
        if key in data and data[key] is None:
            raise ValidationError({key: "This field cannot be null."})
    if data.get("description", "") is None:
        data["description"] = ""
    services.round_save(actor=request.user, survey_round=survey_round, data=data,
                        allow_past_due=allow_past_due)
    return _round_detail(survey_round)


@router.delete("/rounds/{round_id}", response={204: None, **errors(403, 404, 422)},
               summary="Delete a round with its answers and analysis")
def round_delete(request: AuthedRequest, round_id: int = RoundId) -> Status[None]:
    survey_round = _round_managed(request, round_id)
    services.round_delete(actor=request.user, survey_round=survey_round)
    return Status(204, None)


@router.get("/rounds/{round_id}/respondents",
            response={200: list[RespondentOut], **errors(403, 404, 422)},
            summary="Who is asked to answer, and how far they have got")
@paginate(PagePagination)
def respondent_list(request: AuthedRequest, filters: Query[RespondentQuery],
                    round_id: int = RoundId) -> Any:
    survey_round = _round_managed(request, round_id)
    return selectors.respondent_list(survey_round=survey_round, status=filters.status)


def _unknown_ids(model: Any, ids: list[int]) -> list[int]:
    wanted = set(ids)
    found = set(model.objects.filter(pk__in=[i for i in wanted if 0 < i <= MAX_ID])
                .values_list("pk", flat=True))
    return sorted(wanted - found)


@router.post("/rounds/{round_id}/invite", response={200: InviteOut, **errors(403, 404, 422)},
             summary="Ask the active people of departments (and/or people) to answer")
def round_invite(request: AuthedRequest, payload: InviteIn, round_id: int = RoundId) -> Any:
    survey_round = _round_managed(request, round_id)
    problems: dict[str, str] = {}
    if not payload.department_ids and not payload.person_ids:
        problems["department_ids"] = "Choose departments or people to invite."
    if unknown := _unknown_ids(Department, payload.department_ids):
        problems["department_ids"] = f"Unknown department ids: {unknown[:20]}."
    if unknown := _unknown_ids(Person, payload.person_ids):
        problems["person_ids"] = f"Unknown person ids: {unknown[:20]}."
    if problems:
        raise ValidationError(problems)
    new = services.respondents_invite(
        actor=request.user, survey_round=survey_round, department_ids=payload.department_ids,
        person_ids=payload.person_ids, include_subdepartments=payload.include_subdepartments,
        send_mail=payload.send_mail)
    survey_round.refresh_from_db()
    return {"invited": len(new), "status": survey_round.status,
            "respondents": Respondent.objects.filter(round=survey_round).count()}


@router.post("/rounds/{round_id}/remind", response={200: RemindOut, **errors(403, 404, 422)},
             summary="Email the respondents who have not submitted (all, or those given)")
def round_remind(request: AuthedRequest, payload: RemindIn, round_id: int = RoundId) -> Any:
    survey_round = _round_managed(request, round_id)
    ids = payload.respondent_ids
    if ids is not None:
        unknown = sorted(set(ids) - set(Respondent.objects.filter(
            round=survey_round, pk__in=[i for i in ids if 0 < i <= MAX_ID]
        ).values_list("pk", flat=True)))
        if unknown:
            raise ValidationError(
                {"respondent_ids": f"Not respondents of this round: {unknown[:20]}."})
    count = services.respondents_remind(actor=request.user, survey_round=survey_round,
                                        respondent_ids=ids)
    return {"reminded": count}


# ---- my answers ----------------------------------------------------------------------------------


def _my_respondent(request: AuthedRequest, round_id: int) -> Respondent:
    """The caller's place among the round's respondents; 404 when they are not asked."""
    membership = request.auth
    require(membership, ANSWER_SURVEY)
    survey_round = selectors.round_get(round_id=round_id)
    if membership.person is None:
        raise Http404
    respondent = selectors.respondent_for_person(survey_round=survey_round,
                                                 person=membership.person)
    if respondent is None:
        raise Http404
    return respondent


def _my_answers(respondent: Respondent) -> dict[str, Any]:
    answers = selectors.answers_of(survey_round=respondent.round, person=respondent.person)
    return {
        "round_id": respondent.round_id, "respondent_id": respondent.pk,
        "status": respondent.status, "saved_at": respondent.saved_at,
        "submitted_at": respondent.submitted_at,
        "answers": [
            {"task_id": task_id, "level": a["level"],
             "hours": float(a["hours"]) if a["hours"] is not None else None,  # type: ignore[arg-type]
             "monthly": [float(v) for v in a["monthly"]]  # type: ignore[attr-defined]
             if a["monthly"] is not None else None}
            for task_id, a in sorted(answers.items())
        ],
    }


@router.get("/rounds/{round_id}/answers/me", response={200: MyAnswersOut, **errors(403, 404, 422)},
            summary="The caller's answers in a round they are asked to answer")
def my_answers_get(request: AuthedRequest, round_id: int = RoundId) -> dict[str, Any]:
    return _my_answers(_my_respondent(request, round_id))


@router.put("/rounds/{round_id}/answers/me",
            response={200: MyAnswersOut, **errors(403, 404, 409, 422)},
            summary="Replace the caller's answers (all or nothing); optionally submit them; "
                    "submitted answers are read-only (409) until reopened")
def my_answers_put(request: AuthedRequest, payload: AnswersIn,
                   round_id: int = RoundId) -> dict[str, Any]:
    respondent = _my_respondent(request, round_id)
    seen: set[int] = set()
    for answer in payload.answers:
        if answer.task_id in seen:
            raise ValidationError({f"task-{answer.task_id}": "This task is answered twice."})
        seen.add(answer.task_id)
    answers = [
        services.Answer(
            task_id=a.task_id,
            hours=a.hours.quantize(services.HUNDREDTH) if a.hours is not None else None,
            monthly=tuple(v.quantize(services.HUNDREDTH) for v in a.monthly) if a.monthly else None,
            level=a.level,
        )
        for a in payload.answers
    ]
    respondent = services.answers_save(actor=request.user, respondent=respondent,
                                       answers=answers, submit=payload.submit)
    return _my_answers(respondent)


@router.post("/rounds/{round_id}/answers/me/reopen",
             response={200: MyAnswersOut, **errors(403, 404, 422)},
             summary="Make the caller's submitted answers editable again (while the round is open)")
def my_answers_reopen(request: AuthedRequest, round_id: int = RoundId) -> dict[str, Any]:
    respondent = services.reopen(actor=request.user, respondent=_my_respondent(request, round_id))
    return _my_answers(respondent)


# ---- import --------------------------------------------------------------------------------------


@router.post("/rounds/{round_id}/import",
             response={200: ImportOut, 422: ImportErrorOut, **errors(403, 404)},
             summary="Import hours and capabilities (.xlsx/.csv, long or wide layout)")
def hours_import(
    request: AuthedRequest,
    file: File[UploadedFile | None] = None,
    layout: Form[str] = "auto",
    create_tasks: Form[str] = "false",
    round_id: int = RoundId,
) -> Any:
    from somu.core.tabular import error_line
    from somu.survey.importing import LAYOUTS, ImportFailed
    from somu.survey.importing import hours_import as import_hours

    survey_round = _round_managed(request, round_id)
    problems = {}
    if file is None:
        problems["file"] = "Attach the .xlsx or .csv file to import."
    if layout not in LAYOUTS:
        problems["layout"] = f"Choose one of: {', '.join(LAYOUTS)}."
    create = FORM_BOOLEANS.get(create_tasks.strip().lower())
    if create is None:
        problems["create_tasks"] = "Give true or false."
    if problems:
        raise ValidationError(problems)
    assert file is not None
    try:
        result = import_hours(actor=request.user, survey_round=survey_round, source=file,
                              filename=file.name or "", layout=layout,  # type: ignore[arg-type]
                              create_tasks=bool(create))
    except ImportFailed as exc:
        count = len(exc.errors)
        return Status(422, {"error": {
            "code": "invalid",
            "message": f"{count} error(s) in {file.name}; nothing was imported.",
            "fields": [{"field": "file", "message": error_line(e)} for e in exc.errors],
            "rows": [{"row": e.row, "column": e.column, "value": e.value, "reason": e.reason}
                     for e in exc.errors],
        }})
    return {field: getattr(result, field) for field in ImportOut.model_fields}


# ---- the analysis --------------------------------------------------------------------------------


def _analysed_round(request: AuthedRequest, round_id: int) -> SurveyRound:
    require(request.auth, VIEW_ANALYSIS)
    return selectors.round_get(round_id=round_id)


def _scoped_round(
    request: AuthedRequest, round_id: int
) -> tuple[SurveyRound, frozenset[int] | None]:
    """The round and whose data the caller may analyse (a manager: their department subtree),
    as on the dashboard and its drill-down pages."""
    scope = analysis_scope(request.auth)
    return selectors.round_get(round_id=round_id), scope


@router.get("/rounds/{round_id}/analysis", response={200: dict[str, Any], **errors(403, 404, 422)},
            summary="The round's analysis (cached; refresh=true recomputes)")
def analysis_get(request: AuthedRequest, filters: Query[AnalysisQuery],
                 round_id: int = RoundId) -> dict[str, Any]:
    from somu.survey.analysis import to_dict

    survey_round, scope = _scoped_round(request, round_id)
    return to_dict(selectors.round_analysis(survey_round=survey_round, refresh=filters.refresh,
                                            department_ids=scope))


# The API's query names that the drill-down parser (the page) knows by another name.
DRILL_PARAMS = {"department_id": "department", "person_id": "person", "task_id": "task"}


@router.get("/rounds/{round_id}/analysis/rows",
            response={200: list[HoursRowOut], **errors(403, 404, 422)},
            summary="The hours rows behind a figure (drill-down)")
@paginate(PagePagination)
def analysis_rows(request: AuthedRequest, filters: Query[DrillQuery],
                  round_id: int = RoundId) -> Any:
    survey_round, scope = _scoped_round(request, round_id)
    # The page's parser, so the API accepts and refuses what the page does (page names in it).
    params = {DRILL_PARAMS.get(name, name): "1" if value is True else str(value)
              for name, value in filters.dict().items() if value is not None and value is not False}
    try:
        drill = drill_parse(survey_round=survey_round, params=params,
                            department_ids=scope).drill
    except DrillError as exc:
        field = next((k for k, v in DRILL_PARAMS.items() if v == exc.param), exc.param)
        raise ValidationError({field: str(exc)}) from exc
    return selectors.hours_rows(survey_round=survey_round, drill=drill, department_ids=scope)


@router.get("/rounds/{round_id}/report.xlsx", response={**errors(403, 404, 422)},
            summary="The analysis as an Excel workbook (a sheet per view, native charts)",
            openapi_extra={"responses": {"200": {
                "description": "The workbook", "content": {XLSX: {}}}}})
def analysis_report(request: AuthedRequest, filters: Query[AnalysisQuery],
                    round_id: int = RoundId) -> HttpResponse:
    from somu.survey.report import build_report_xlsx

    survey_round = _analysed_round(request, round_id)
    result = selectors.round_analysis(survey_round=survey_round, refresh=filters.refresh)
    data = build_report_xlsx(survey_round=survey_round, result=result,
                             labels=selectors.analysis_labels(result=result))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{survey_round.name}_分析レポート.xlsx")
    return response


@router.get("/compare", response={200: dict[str, Any], **errors(403, 404, 422)},
            summary="Two rounds side by side: what changed (after − before)")
def rounds_compare(request: AuthedRequest, filters: Query[CompareQuery]) -> dict[str, Any]:
    from somu.survey.analysis import compare, to_dict

    require(request.auth, VIEW_ANALYSIS)
    before = selectors.round_get(round_id=filters.before)
    after = selectors.round_get(round_id=filters.after)
    return {
        "before": {"id": before.pk, "name": before.name},
        "after": {"id": after.pk, "name": after.name},
        "comparison": to_dict(compare(selectors.round_analysis(survey_round=before),
                                      selectors.round_analysis(survey_round=after))),
    }
