"""/api/v1/procedures/schedules: recurring launches of a template. Permissions first,
other organizations' ids are 404, problems are 422 naming the field.
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import MAX_ID, PagePagination, errors
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.procedures.api.common import check_param_numbers, person_ref
from somu.procedures.models import Schedule, Template
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES
from somu.procedures.schemas.schedules import ScheduleIn, ScheduleOut, ScheduleUpdateIn

router = Router(tags=["procedures"])

ScheduleId = Path(..., ge=1, le=MAX_ID)



def _schedule_data(payload: ScheduleUpdateIn) -> dict[str, Any]:
    """The service's data: ids turned into records of the organization (unknown ones 422)."""
    data = payload.dict(exclude_unset=True)
    if "template_id" in data:
        template_id = data.pop("template_id")
        template = Template.objects.filter(pk=template_id).first()
        if template is None:
            raise ValidationError({"template_id": [f"Unknown template id {template_id}."]})
        data["template"] = template
    if "owner_id" in data:
        data["owner"] = person_ref(data.pop("owner_id"), "owner_id")
    for key in ("name", "rule", "params", "active"):
        if key in data and data[key] is None:
            raise ValidationError({key: ["This field cannot be null."]})
    check_param_numbers(data.get("params") or {}, "params.")
    return data


def _saved(request: HttpRequest, schedule: Schedule | None, data: dict[str, Any]) -> Schedule:
    from somu.procedures.services import schedules

    try:
        return schedules.schedule_save(actor=request.user, schedule=schedule, data=data)
    except ValidationError as exc:
        # The service names records by model field; the body names them by id.
        names = {"template": "template_id", "owner": "owner_id"}
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()}
                              ) from exc


def _schedule(schedule_id: int) -> Schedule:
    return get_object_or_404(Schedule.objects.select_related("template", "owner"), pk=schedule_id)


@router.get("/schedules", response={200: list[ScheduleOut], **errors(403, 422)},
            summary="Recurring launches (e.g. 月次決算 on the 3rd business day)",
            operation_id="somu_procedures_api_admin_schedule_list")
@paginate(PagePagination)
def schedule_list(request: AuthedRequest) -> Any:
    from somu.procedures.services import schedules

    require(request.auth, VIEW_PROCEDURES)
    return schedules.schedule_list()


@router.post("/schedules", response={201: ScheduleOut, **errors(403, 409, 422)},
             summary="Create a schedule: rule as in the user guide, params as for a launch",
             operation_id="somu_procedures_api_admin_schedule_create")
def schedule_create(request: AuthedRequest, payload: ScheduleIn) -> Status[Schedule]:
    membership = request.auth
    require(membership, MANAGE_PROCEDURES)
    data = _schedule_data(payload)
    data.setdefault("owner", membership.person)
    schedule = _saved(request, None, data)
    return Status(201, _schedule(schedule.pk))


@router.get("/schedules/{schedule_id}", response={200: ScheduleOut, **errors(403, 404, 422)},
            operation_id="somu_procedures_api_admin_schedule_get")
def schedule_get(request: AuthedRequest, schedule_id: int = ScheduleId) -> Schedule:
    require(request.auth, VIEW_PROCEDURES)
    return _schedule(schedule_id)


@router.put("/schedules/{schedule_id}", response={200: ScheduleOut, **errors(403, 404, 409, 422)},
            summary="Change a schedule (fields left out keep their value)",
            operation_id="somu_procedures_api_admin_schedule_update")
def schedule_update(request: AuthedRequest, payload: ScheduleUpdateIn,
                    schedule_id: int = ScheduleId) -> Schedule:
    require(request.auth, MANAGE_PROCEDURES)
    schedule = _schedule(schedule_id)
    _saved(request, schedule, _schedule_data(payload))
    return _schedule(schedule_id)


@router.delete("/schedules/{schedule_id}", response={204: None, **errors(403, 404, 422)},
               summary="Delete a schedule (runs it launched stay)",
               operation_id="somu_procedures_api_admin_schedule_delete")
def schedule_delete(request: AuthedRequest, schedule_id: int = ScheduleId) -> Status[None]:
    from somu.procedures.services import schedules

    require(request.auth, MANAGE_PROCEDURES)
    schedules.schedule_delete(actor=request.user, schedule=_schedule(schedule_id))
    return Status(204, None)
