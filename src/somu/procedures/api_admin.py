"""/api/v1/procedures/ endpoints for the organization's administration of procedures: recurring
schedules, bulk handovers (引継ぎ) and notifications (chat webhooks, deliveries).

Their operations are registered on :data:`somu.procedures.api.router` (imported by it); the
same rules: permissions first, other
organizations' ids are 404, problems are 422 naming the field.
"""

import urllib.parse
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from ninja import Path, Query
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import Conflict, PagePagination, errors
from somu.core.permissions import (
    HANDOVER,
    MANAGE_NOTIFICATIONS,
    MANAGE_PROCEDURES,
    VIEW_HANDOVER,
    VIEW_PROCEDURES,
    require,
)
from somu.core.uploads import SPREADSHEET_TYPES
from somu.org.models import Membership, Person
from somu.procedures.api import check_param_numbers, person_ref, router
from somu.procedures.models import Delivery, Schedule, Template, Webhook, WebhookKind
from somu.procedures.schemas import (
    MAX_ID,
    DeliveryOut,
    DeliveryQuery,
    HandoverDetailOut,
    HandoverExecuteIn,
    HandoverIn,
    HandoverOut,
    HandoverPlanOut,
    ScheduleIn,
    ScheduleOut,
    ScheduleUpdateIn,
    WebhookIn,
    WebhookOut,
    WebhookUpdateIn,
)

XLSX = SPREADSHEET_TYPES["xlsx"]
ScheduleId = Path(..., ge=1, le=MAX_ID)
HandoverId = Path(..., ge=1, le=MAX_ID)
WebhookId = Path(..., ge=1, le=MAX_ID)
DeliveryId = Path(..., ge=1, le=MAX_ID)
# Webhook URLs other than https are only for a receiver on this machine (tests) or development.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _membership(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined]


# ---- schedules -----------------------------------------------------------------------------------


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
            summary="Recurring launches (e.g. 月次決算 on the 3rd business day)")
@paginate(PagePagination)
def schedule_list(request: HttpRequest) -> Any:
    from somu.procedures.services import schedules

    require(_membership(request), VIEW_PROCEDURES)
    return schedules.schedule_list()


@router.post("/schedules", response={201: ScheduleOut, **errors(403, 409, 422)},
             summary="Create a schedule: rule as in the user guide, params as for a launch")
def schedule_create(request: HttpRequest, payload: ScheduleIn) -> Status[Schedule]:
    membership = _membership(request)
    require(membership, MANAGE_PROCEDURES)
    data = _schedule_data(payload)
    data.setdefault("owner", membership.person)
    schedule = _saved(request, None, data)
    return Status(201, _schedule(schedule.pk))


@router.get("/schedules/{schedule_id}", response={200: ScheduleOut, **errors(403, 404, 422)})
def schedule_get(request: HttpRequest, schedule_id: int = ScheduleId) -> Schedule:
    require(_membership(request), VIEW_PROCEDURES)
    return _schedule(schedule_id)


@router.put("/schedules/{schedule_id}", response={200: ScheduleOut, **errors(403, 404, 409, 422)},
            summary="Change a schedule (fields left out keep their value)")
def schedule_update(request: HttpRequest, payload: ScheduleUpdateIn,
                    schedule_id: int = ScheduleId) -> Schedule:
    require(_membership(request), MANAGE_PROCEDURES)
    schedule = _schedule(schedule_id)
    _saved(request, schedule, _schedule_data(payload))
    return _schedule(schedule_id)


@router.delete("/schedules/{schedule_id}", response={204: None, **errors(403, 404, 422)},
               summary="Delete a schedule (runs it launched stay)")
def schedule_delete(request: HttpRequest, schedule_id: int = ScheduleId) -> Status[None]:
    from somu.procedures.services import schedules

    require(_membership(request), MANAGE_PROCEDURES)
    schedules.schedule_delete(actor=request.user, schedule=_schedule(schedule_id))
    return Status(204, None)


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
             summary="What a handover would move (changes nothing)")
def handover_preview(request: HttpRequest, payload: HandoverIn) -> dict[str, Any]:
    from somu.procedures.services import handover

    require(_membership(request), HANDOVER)
    a, b = _people(payload)
    return _plan_out(handover.handover_preview(from_person=a, to_person=b,
                                               effective_date=payload.effective_date))


@router.post("/handover", response={201: HandoverDetailOut, **errors(403, 409, 422)},
             summary="Hand over everything a person holds; answers the 引継書",
             description="With `expected_digest` (from the preview) a plan that changed since "
                         "is a 409 and nothing is done.")
def handover_execute(request: HttpRequest, payload: HandoverExecuteIn) -> Status[dict[str, Any]]:
    from somu.procedures.services import handover

    require(_membership(request), HANDOVER)
    a, b = _people(payload)
    try:
        done = handover.handover_execute(
            actor=request.user, from_person=a, to_person=b, effective_date=payload.effective_date,
            note=payload.note, expected_digest=payload.expected_digest)
    except handover.HandoverChanged as exc:
        raise Conflict("; ".join(exc.messages)) from exc
    return Status(201, _handover_detail(handover.handover_get(handover_id=done.pk)))


@router.get("/handovers", response={200: list[HandoverOut], **errors(403, 422)},
            summary="Executed handovers, newest first")
@paginate(PagePagination)
def handover_list(request: HttpRequest) -> Any:
    from somu.procedures.services import handover

    require(_membership(request), VIEW_HANDOVER)
    return handover.handover_list()


@router.get("/handovers/{handover_id}", response={200: HandoverDetailOut, **errors(403, 404, 422)},
            summary="An executed handover with its 引継書 items")
def handover_get(request: HttpRequest, handover_id: int = HandoverId) -> dict[str, Any]:
    from somu.procedures.services import handover

    require(_membership(request), VIEW_HANDOVER)
    return _handover_detail(handover.handover_get(handover_id=handover_id))


@router.get("/handovers/{handover_id}/xlsx", response={**errors(403, 404, 422)},
            summary="The 引継書 as an Excel workbook",
            openapi_extra={"responses": {"200": {
                "description": "The workbook", "content": {XLSX: {}}}}})
def handover_xlsx(request: HttpRequest, handover_id: int = HandoverId) -> HttpResponse:
    from somu.procedures.handover_excel import handover_workbook
    from somu.procedures.services import handover

    require(_membership(request), VIEW_HANDOVER)
    done = handover.handover_get(handover_id=handover_id)
    response = HttpResponse(handover_workbook(done), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True,
        filename=f"引継書_{done.from_person.name}_{done.effective_date:%Y%m%d}.xlsx")
    return response


# ---- notifications -------------------------------------------------------------------------------


def _webhook_data(payload: WebhookUpdateIn, webhook: Webhook | None) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    for key in ("name", "kind", "url", "active"):
        if key in data and data[key] is None:
            raise ValidationError({key: ["This field cannot be null."]})
    if "url" in data:
        parts = urllib.parse.urlsplit(data["url"])
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValidationError({"url": ["Enter the webhook's https:// URL."]})
        # Notifications carry names and step titles: only over TLS, except to this machine.
        if parts.scheme != "https" and not settings.DEBUG and parts.hostname not in LOCAL_HOSTS:
            raise ValidationError({"url": ["Use an https:// URL."]})
    kind = data.get("kind", webhook.kind if webhook is not None else "")
    if kind != WebhookKind.CHATWORK:
        data["token"] = ""  # Slack and Teams authenticate by the URL alone
    elif data.get("token") is None:
        data.pop("token", None)  # write-only: leaving it out keeps the saved one
        if webhook is None:
            data["token"] = ""  # the service says Chatwork needs one
    return data


@router.get("/webhooks", response={200: list[WebhookOut], **errors(403)},
            summary="Chat webhooks (Slack, Teams, Chatwork); URLs masked, tokens never shown")
def webhook_list(request: HttpRequest) -> Any:
    from somu.procedures import notify

    require(_membership(request), MANAGE_NOTIFICATIONS)
    return list(notify.webhook_list())


@router.post("/webhooks", response={201: WebhookOut, **errors(403, 422)})
def webhook_create(request: HttpRequest, payload: WebhookIn) -> Status[Webhook]:
    from somu.procedures import notify

    require(_membership(request), MANAGE_NOTIFICATIONS)
    webhook = notify.webhook_save(actor=request.user, webhook=None,
                                  data=_webhook_data(payload, None))
    return Status(201, webhook)


@router.put("/webhooks/{webhook_id}", response={200: WebhookOut, **errors(403, 404, 422)},
            summary="Change a webhook (fields left out keep their value, the token too)")
def webhook_update(request: HttpRequest, payload: WebhookUpdateIn,
                   webhook_id: int = WebhookId) -> Webhook:
    from somu.procedures import notify

    require(_membership(request), MANAGE_NOTIFICATIONS)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    return notify.webhook_save(actor=request.user, webhook=webhook,
                               data=_webhook_data(payload, webhook))


@router.delete("/webhooks/{webhook_id}", response={204: None, **errors(403, 404, 422)})
def webhook_delete(request: HttpRequest, webhook_id: int = WebhookId) -> Status[None]:
    from somu.procedures import notify

    require(_membership(request), MANAGE_NOTIFICATIONS)
    notify.webhook_delete(actor=request.user, webhook=get_object_or_404(Webhook, pk=webhook_id))
    return Status(204, None)


@router.get("/deliveries", response={200: list[DeliveryOut], **errors(403, 422)},
            summary="Notifications sent or being retried (problems_only: the failed ones)")
@paginate(PagePagination)
def delivery_list(request: HttpRequest, filters: Query[DeliveryQuery]) -> Any:
    from somu.procedures import notify

    require(_membership(request), MANAGE_NOTIFICATIONS)
    return notify.delivery_list(problems_only=filters.problems_only)


@router.post("/deliveries/{delivery_id}/retry",
             response={200: DeliveryOut, **errors(403, 404, 409, 422)},
             summary="Send a failed delivery again (the worker sends it next); 409 if not failed")
def delivery_retry(request: HttpRequest, delivery_id: int = DeliveryId) -> Delivery:
    from somu.procedures import notify

    require(_membership(request), MANAGE_NOTIFICATIONS)
    delivery = get_object_or_404(Delivery.objects.select_related("person", "webhook"),
                                 pk=delivery_id)
    try:
        return notify.delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        raise Conflict("; ".join(exc.messages)) from exc
