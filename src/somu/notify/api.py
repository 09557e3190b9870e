"""/api/v1/notifications: the caller's notifications, read marks and notification settings.

Everything here is the caller's own: notifications go to the person the caller's membership is
linked to, so another person's notification (or another organization's) answers 404 like an
unknown id. An account linked to no person has no notifications and no settings.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from somu.core.api import MAX_ID, InputSchema, OneOf, PagePagination, QuerySchema, errors
from somu.core.permissions import require
from somu.notify import selectors, services
from somu.notify.models import EmailMode, Notification
from somu.org.models import Membership, Person
from somu.org.permissions import VIEW_ORG

router = Router(tags=["notifications"])

NotificationId = Path(..., ge=1, le=MAX_ID)


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


def _person(request: HttpRequest) -> Person | None:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    require(membership, VIEW_ORG)
    return membership.person


def _own_person(request: HttpRequest) -> Person:
    person = _person(request)
    if person is None:
        raise HttpError(404, "Your account is not linked to a person of this organization.")
    return person


def _preferences(person: Person) -> list[dict[str, Any]]:
    return [{"kind": p.kind, "label": p.label, "in_app": p.in_app, "email": p.email,
             "chosen": p.chosen} for p in selectors.preferences_of(person=person)]


@router.get("", response={200: list[NotificationOut], **errors(403, 422)})
@paginate(PagePagination)
def notification_list(request: HttpRequest, filters: Query[NotificationQuery]) -> Any:
    """The caller's notifications, unread first, then the newest."""
    person = _person(request)
    if person is None:
        return Notification.objects.none()
    found = selectors.notification_list(person=person)
    if filters.unread is not None:
        found = found.filter(read_at__isnull=filters.unread)
    return found


@router.post("/read-all", response={200: ReadAllOut, **errors(403, 404)})
def notification_read_all(request: HttpRequest) -> dict[str, int]:
    """Mark every unread notification of the caller read."""
    return {"marked": services.notifications_mark_all_read(person=_own_person(request))}


@router.get("/preferences", response={200: list[PreferenceOut], **errors(403)})
def preferences_get(request: HttpRequest) -> list[dict[str, Any]]:
    """Every kind of notification with the caller's setting, or its default (none for an
    account linked to no person: it is never notified)."""
    person = _person(request)
    return _preferences(person) if person is not None else []


@router.put("/preferences", response={200: list[PreferenceOut], **errors(403, 404, 422)})
def preferences_put(request: HttpRequest, payload: PreferencesIn) -> list[dict[str, Any]]:
    """Set the listed kinds; kinds not listed keep their setting. An unknown kind is 422."""
    person = _own_person(request)
    services.preferences_save(actor=request.user, person=person, data={
        p.kind: {"in_app": p.in_app, "email": p.email} for p in payload.preferences})
    return _preferences(person)


@router.post("/{notification_id}/read", response={200: NotificationOut, **errors(403, 404, 422)})
def notification_read(request: HttpRequest,
                      notification_id: int = NotificationId) -> Notification:
    """Mark one of the caller's notifications read."""
    person = _own_person(request)
    notification = selectors.notification_get(person=person, notification_id=notification_id)
    return services.notification_mark_read(person=person, notification=notification)
