"""/api/v1/procedures/webhooks and deliveries: chat webhooks that notifications are sent
to, and the deliveries made to them (retrying a failed one).
"""


import urllib.parse
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import MAX_ID, PagePagination, errors
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.procedures.models import Delivery, Webhook, WebhookKind
from somu.procedures.permissions import MANAGE_NOTIFICATIONS
from somu.procedures.schemas.webhooks import (
    DeliveryOut,
    DeliveryQuery,
    WebhookIn,
    WebhookOut,
    WebhookUpdateIn,
)

router = Router(tags=["procedures"])

WebhookId = Path(..., ge=1, le=MAX_ID)
DeliveryId = Path(..., ge=1, le=MAX_ID)
# Webhook URLs other than https are only for a receiver on this machine (tests) or development.
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})



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
            summary="Chat webhooks (Slack, Teams, Chatwork); URLs masked, tokens never shown",
            operation_id="somu_procedures_api_admin_webhook_list")
def webhook_list(request: AuthedRequest) -> Any:
    from somu.procedures import notify

    require(request.auth, MANAGE_NOTIFICATIONS)
    return list(notify.webhook_list())


@router.post("/webhooks", response={201: WebhookOut, **errors(403, 422)},
             operation_id="somu_procedures_api_admin_webhook_create")
def webhook_create(request: AuthedRequest, payload: WebhookIn) -> Status[Webhook]:
    from somu.procedures import notify

    require(request.auth, MANAGE_NOTIFICATIONS)
    webhook = notify.webhook_save(actor=request.user, webhook=None,
                                  data=_webhook_data(payload, None))
    return Status(201, webhook)


@router.put("/webhooks/{webhook_id}", response={200: WebhookOut, **errors(403, 404, 422)},
            summary="Change a webhook (fields left out keep their value, the token too)",
            operation_id="somu_procedures_api_admin_webhook_update")
def webhook_update(request: AuthedRequest, payload: WebhookUpdateIn,
                   webhook_id: int = WebhookId) -> Webhook:
    from somu.procedures import notify

    require(request.auth, MANAGE_NOTIFICATIONS)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    return notify.webhook_save(actor=request.user, webhook=webhook,
                               data=_webhook_data(payload, webhook))


@router.delete("/webhooks/{webhook_id}", response={204: None, **errors(403, 404, 422)},
               operation_id="somu_procedures_api_admin_webhook_delete")
def webhook_delete(request: AuthedRequest, webhook_id: int = WebhookId) -> Status[None]:
    from somu.procedures import notify

    require(request.auth, MANAGE_NOTIFICATIONS)
    notify.webhook_delete(actor=request.user, webhook=get_object_or_404(Webhook, pk=webhook_id))
    return Status(204, None)


@router.get("/deliveries", response={200: list[DeliveryOut], **errors(403, 422)},
            summary="Notifications sent or being retried (problems_only: the failed ones)",
            operation_id="somu_procedures_api_admin_delivery_list")
@paginate(PagePagination)
def delivery_list(request: AuthedRequest, filters: Query[DeliveryQuery]) -> Any:
    from somu.procedures import notify

    require(request.auth, MANAGE_NOTIFICATIONS)
    return notify.delivery_list(problems_only=filters.problems_only)


@router.post("/deliveries/{delivery_id}/retry",
             response={200: DeliveryOut, **errors(403, 404, 409, 422)},
             summary="Send a failed delivery again (the worker sends it next); 409 if not failed",
             operation_id="somu_procedures_api_admin_delivery_retry")
def delivery_retry(request: AuthedRequest, delivery_id: int = DeliveryId) -> Delivery:
    from somu.procedures import notify

    require(request.auth, MANAGE_NOTIFICATIONS)
    delivery = get_object_or_404(Delivery.objects.select_related("person", "webhook"),
                                 pk=delivery_id)
    try:
        return notify.delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        raise Conflict("; ".join(exc.messages)) from exc
