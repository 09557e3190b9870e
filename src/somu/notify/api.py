"""/api/v1/notifications: the caller's notifications, read marks and notification settings; and
for admins (``manage_notifications``) the chat webhooks notifications are sent to and the
deliveries made (``/webhooks``, ``/deliveries``, retrying a failed one).

The caller's notifications are their own: notifications go to the person the caller's membership is
linked to, so another person's notification (or another organization's) answers 404 like an
unknown id. An account linked to no person has no notifications and no settings.
"""

import datetime as dt
import urllib.parse
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import (
    MAX_ID,
    InputSchema,
    OneOf,
    PagePagination,
    QuerySchema,
    errors,
    optional,
)
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.notify import selectors, sending, services, webhooks
from somu.notify.forms import LOCAL_HOSTS
from somu.notify.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    EmailMode,
    Notification,
    Webhook,
    WebhookKind,
)
from somu.notify.permissions import MANAGE_NOTIFICATIONS
from somu.org.models import Membership, Person
from somu.org.permissions import VIEW_ORG

router = Router(tags=["notifications"])

NotificationId = Path(..., ge=1, le=MAX_ID)
WebhookId = Path(..., ge=1, le=MAX_ID)
DeliveryId = Path(..., ge=1, le=MAX_ID)
WebhookKindChoice = Annotated[str, OneOf(*WebhookKind.values)]
DeliveryChannelChoice = Annotated[str, OneOf(*DeliveryChannel.values)]
DeliveryStatusChoice = Annotated[str, OneOf(*DeliveryStatus.values)]


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    about_type: str
    about_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationQuery(QuerySchema):
    unread: bool | None = Field(None, description="true: only unread; false: only read.")


class ReadAllOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: str
    label: str
    in_app: bool
    email: str
    chosen: bool = Field(description="false: the kind's default applies (never chosen).")


class PreferenceIn(InputSchema):
    kind: str = Field(..., min_length=1, max_length=100)
    in_app: bool
    email: Annotated[str, OneOf(*EmailMode.values)]


class PreferencesIn(InputSchema):
    preferences: list[PreferenceIn]


def _person(request: AuthedRequest) -> Person | None:
    membership: Membership = request.auth
    require(membership, VIEW_ORG)
    return membership.person


def _own_person(request: AuthedRequest) -> Person:
    person = _person(request)
    if person is None:
        raise HttpError(404, "Your account is not linked to a person of this organization.")
    return person


def _preferences(person: Person) -> list[dict[str, Any]]:
    return [{"kind": p.kind, "label": p.label, "in_app": p.in_app, "email": p.email,
             "chosen": p.chosen} for p in selectors.preferences_of(person=person)]


@router.get("", response={200: list[NotificationOut], **errors(403, 422)})
@paginate(PagePagination)
def notification_list(request: AuthedRequest, filters: Query[NotificationQuery]) -> Any:
    """The caller's notifications, unread first, then the newest."""
    person = _person(request)
    if person is None:
        return Notification.objects.none()
    found = selectors.notification_list(person=person)
    if filters.unread is not None:
        found = found.filter(read_at__isnull=filters.unread)
    return found


@router.post("/read-all", response={200: ReadAllOut, **errors(403, 404)})
def notification_read_all(request: AuthedRequest) -> dict[str, int]:
    """Mark every unread notification of the caller read."""
    return {"marked": services.notifications_mark_all_read(person=_own_person(request))}


@router.get("/preferences", response={200: list[PreferenceOut], **errors(403)})
def preferences_get(request: AuthedRequest) -> list[dict[str, Any]]:
    """Every kind of notification with the caller's setting, or its default (none for an
    account linked to no person: it is never notified)."""
    person = _person(request)
    return _preferences(person) if person is not None else []


@router.put("/preferences", response={200: list[PreferenceOut], **errors(403, 404, 422)})
def preferences_put(request: AuthedRequest, payload: PreferencesIn) -> list[dict[str, Any]]:
    """Set the listed kinds; kinds not listed keep their setting. An unknown kind is 422."""
    person = _own_person(request)
    services.preferences_save(actor=request.user, person=person, data={
        p.kind: {"in_app": p.in_app, "email": p.email} for p in payload.preferences})
    return _preferences(person)


@router.post("/{notification_id}/read", response={200: NotificationOut, **errors(403, 404, 422)})
def notification_read(request: AuthedRequest,
                      notification_id: int = NotificationId) -> Notification:
    """Mark one of the caller's notifications read."""
    person = _own_person(request)
    notification = selectors.notification_get(person=person, notification_id=notification_id)
    return services.notification_mark_read(person=person, notification=notification)


# ---- chat webhooks and deliveries (admins) ---------------------------------------------------


class WebhookOut(Schema):
    id: int
    name: str
    kind: WebhookKindChoice
    url: str  # masked: the path of a webhook URL is its secret
    has_token: bool  # the token itself is never returned
    active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        parts = urllib.parse.urlsplit(obj.url)
        return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "…"

    @staticmethod
    def resolve_has_token(obj: Any) -> bool:
        return bool(obj.token)


class WebhookUpdateIn(InputSchema):
    """A change to a webhook: fields left out keep their value (the token too)."""

    name: str = optional(min_length=1, max_length=100)
    kind: Literal["slack", "teams", "chatwork"] = optional()
    url: str = optional(max_length=500)
    # Chatwork's API token: write-only, never returned.
    token: str | None = Field(None, max_length=200)
    active: bool = optional()


class WebhookIn(WebhookUpdateIn):
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["slack", "teams", "chatwork"]
    url: str = Field(..., max_length=500)
    active: bool = True


class DeliveryOut(Schema):
    id: int
    channel: DeliveryChannelChoice
    person_id: int | None
    person_name: str
    webhook_id: int | None
    webhook_name: str
    day: dt.date
    step_ids: list[int]  # the ids of the items the message lists (today: procedure steps)
    notification_id: int | None  # an email sent at once for this notification (else a digest)
    subject: str
    status: DeliveryStatusChoice
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    sent_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name if obj.person_id else ""

    @staticmethod
    def resolve_webhook_name(obj: Any) -> str:
        return obj.webhook.name if obj.webhook_id else ""


class DeliveryQuery(QuerySchema):
    problems_only: bool = False  # failed and given-up deliveries only


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
            operation_id="somu_notify_api_webhook_list")
def webhook_list(request: AuthedRequest) -> Any:
    require(request.auth, MANAGE_NOTIFICATIONS)
    return list(selectors.webhook_list())


@router.post("/webhooks", response={201: WebhookOut, **errors(403, 422)},
             operation_id="somu_notify_api_webhook_create")
def webhook_create(request: AuthedRequest, payload: WebhookIn) -> Status[Webhook]:
    require(request.auth, MANAGE_NOTIFICATIONS)
    webhook = webhooks.webhook_save(actor=request.user, webhook=None,
                                    data=_webhook_data(payload, None))
    return Status(201, webhook)


@router.put("/webhooks/{webhook_id}", response={200: WebhookOut, **errors(403, 404, 422)},
            summary="Change a webhook (fields left out keep their value, the token too)",
            operation_id="somu_notify_api_webhook_update")
def webhook_update(request: AuthedRequest, payload: WebhookUpdateIn,
                   webhook_id: int = WebhookId) -> Webhook:
    require(request.auth, MANAGE_NOTIFICATIONS)
    webhook = get_object_or_404(Webhook, pk=webhook_id)
    return webhooks.webhook_save(actor=request.user, webhook=webhook,
                                 data=_webhook_data(payload, webhook))


@router.delete("/webhooks/{webhook_id}", response={204: None, **errors(403, 404, 422)},
               operation_id="somu_notify_api_webhook_delete")
def webhook_delete(request: AuthedRequest, webhook_id: int = WebhookId) -> Status[None]:
    require(request.auth, MANAGE_NOTIFICATIONS)
    webhooks.webhook_delete(actor=request.user, webhook=get_object_or_404(Webhook, pk=webhook_id))
    return Status(204, None)


@router.get("/deliveries", response={200: list[DeliveryOut], **errors(403, 422)},
            summary="Notifications sent or being retried (problems_only: the failed ones)",
            operation_id="somu_notify_api_delivery_list")
@paginate(PagePagination)
def delivery_list(request: AuthedRequest, filters: Query[DeliveryQuery]) -> Any:
    require(request.auth, MANAGE_NOTIFICATIONS)
    return selectors.delivery_list(problems_only=filters.problems_only)


@router.post("/deliveries/{delivery_id}/retry",
             response={200: DeliveryOut, **errors(403, 404, 409, 422)},
             summary="Send a failed delivery again (the worker sends it next); 409 if not failed",
             operation_id="somu_notify_api_delivery_retry")
def delivery_retry(request: AuthedRequest, delivery_id: int = DeliveryId) -> Delivery:
    require(request.auth, MANAGE_NOTIFICATIONS)
    delivery = get_object_or_404(Delivery.objects.select_related("person", "webhook"),
                                 pk=delivery_id)
    try:
        return sending.delivery_retry(actor=request.user, delivery=delivery)
    except ValidationError as exc:
        raise Conflict("; ".join(exc.messages)) from exc
