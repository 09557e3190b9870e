"""/api/v1/procedures/ endpoints for bulk handovers (引継ぎ): preview, execute, list, read and
download as a workbook. Permissions first, other organizations' ids are 404, problems are 422
naming the field.
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import MAX_ID, PagePagination, errors
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.core.uploads import SPREADSHEET_TYPES
from somu.org.models import Person
from somu.procedures.api.common import person_ref
from somu.procedures.permissions import HANDOVER, VIEW_HANDOVER
from somu.procedures.schemas.handover import (
    HandoverDetailOut,
    HandoverExecuteIn,
    HandoverIn,
    HandoverOut,
    HandoverPlanOut,
)

router = Router(tags=["procedures"])

XLSX = SPREADSHEET_TYPES["xlsx"]
HandoverId = Path(..., ge=1, le=MAX_ID)



# ---- handover ------------------------------------------------------------------------------------


def _people(payload: HandoverIn) -> tuple[Person, Person]:
    problems: dict[str, list[str]] = {}
    found: list[Person | None] = []
    for field in ("from_person", "to_person"):
        try:
            found.append(person_ref(getattr(payload, field), field))
        except ValidationError as exc:
            problems.update(exc.message_dict)
            found.append(None)
    if problems:
        raise ValidationError(problems)
    a, b = found
    assert a is not None and b is not None
    return a, b


def _ref(person: Person) -> dict[str, Any]:
    return {"id": person.pk, "employee_number": person.employee_number, "name": person.name}


def _plan_out(plan: Any) -> dict[str, Any]:
    return {
        "from_person": _ref(plan.from_person), "to_person": _ref(plan.to_person),
        "effective_date": plan.effective_date,
        "items": [item.as_json() for item in plan.items], "counts": plan.counts(),
        "errors": [str(e) for e in plan.errors], "warnings": [str(w) for w in plan.warnings],
        "can_execute": plan.can_execute, "digest": plan.digest,
        "roles_kept": [use.as_json() for use in plan.roles_kept],
    }


def _handover_detail(handover: Any) -> dict[str, Any]:
    return {**HandoverOut.from_orm(handover).dict(), "items": handover.items}


@router.post("/handover/preview", response={200: HandoverPlanOut, **errors(403, 422)},
             summary="What a handover would move (changes nothing)",
             operation_id="somu_procedures_api_admin_handover_preview")
def handover_preview(request: AuthedRequest, payload: HandoverIn) -> dict[str, Any]:
    from somu.procedures.services import handover

    require(request.auth, HANDOVER)
    a, b = _people(payload)
    return _plan_out(handover.handover_preview(from_person=a, to_person=b,
                                               effective_date=payload.effective_date))


@router.post("/handover", response={201: HandoverDetailOut, **errors(403, 409, 422)},
             summary="Hand over everything a person holds; answers the 引継書",
             description="With `expected_digest` (from the preview) a plan that changed since "
                         "is a 409 and nothing is done.",
             operation_id="somu_procedures_api_admin_handover_execute")
def handover_execute(request: AuthedRequest, payload: HandoverExecuteIn) -> Status[dict[str, Any]]:
    from somu.procedures.services import handover

    require(request.auth, HANDOVER)
    a, b = _people(payload)
    try:
        done = handover.handover_execute(
            actor=request.user, from_person=a, to_person=b, effective_date=payload.effective_date,
            note=payload.note, expected_digest=payload.expected_digest)
    except handover.HandoverChanged as exc:
        raise Conflict("; ".join(exc.messages)) from exc
    return Status(201, _handover_detail(handover.handover_get(handover_id=done.pk)))


@router.get("/handovers", response={200: list[HandoverOut], **errors(403, 422)},
            summary="Executed handovers, newest first",
            operation_id="somu_procedures_api_admin_handover_list")
@paginate(PagePagination)
def handover_list(request: AuthedRequest) -> Any:
    from somu.procedures.services import handover

    require(request.auth, VIEW_HANDOVER)
    return handover.handover_list()


@router.get("/handovers/{handover_id}", response={200: HandoverDetailOut, **errors(403, 404, 422)},
            summary="An executed handover with its 引継書 items",
            operation_id="somu_procedures_api_admin_handover_get")
def handover_get(request: AuthedRequest, handover_id: int = HandoverId) -> dict[str, Any]:
    from somu.procedures.services import handover

    require(request.auth, VIEW_HANDOVER)
    return _handover_detail(handover.handover_get(handover_id=handover_id))


@router.get("/handovers/{handover_id}/xlsx", response={**errors(403, 404, 422)},
            summary="The 引継書 as an Excel workbook",
            openapi_extra={"responses": {"200": {
                "description": "The workbook", "content": {XLSX: {}}}}},
            operation_id="somu_procedures_api_admin_handover_xlsx")
def handover_xlsx(request: AuthedRequest, handover_id: int = HandoverId) -> HttpResponse:
    from somu.procedures.handover_excel import handover_workbook
    from somu.procedures.services import handover

    require(request.auth, VIEW_HANDOVER)
    done = handover.handover_get(handover_id=handover_id)
    response = HttpResponse(handover_workbook(done), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"引継書_{done.from_person.name}_{done.effective_date:%Y%m%d}.xlsx")
    return response
