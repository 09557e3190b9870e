"""What the request services share: the acting person, the locked request, the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from somu.approvals.models import (
    Request,
    RequestEvent,
    Seat,
    SeatState,
    Stage,
    StageState,
)
from somu.org.models import Membership, Person, User


def acting_person(membership: Membership) -> Person:
    if membership.person is None:
        raise PermissionDenied(_("Your account is not linked to a person of the organization; "
                                 "ask an administrator to link it."))
    return membership.person


def audit_actor(membership: Membership) -> User | None:
    """Who the audit log names: the member's login, or the system for a membership without one
    (the demo acting as its people)."""
    return membership.user if membership.user_id else None


def locked(request: Request | int) -> Request:
    pk = request.pk if isinstance(request, Request) else request
    return Request.objects.select_for_update().select_related("request_type").get(pk=pk)


def record_event(request: Request, kind: str, *, actor: Person | None, now: dt.datetime,
                 comment: str = "", stage: Stage | None = None,
                 data: Mapping[str, Any] | None = None, **extra: Any) -> RequestEvent:
    """One line of the request's history."""
    return RequestEvent.objects.create(
        organization_id=request.organization_id, request=request, at=now, kind=kind,
        actor=actor, stage=stage, comment=comment, data=dict(data or {}), **extra)


def close_round(request: Request) -> None:
    """Cancel what is still open in the current round (a recall, a send-back to the requester)."""
    Stage.objects.filter(request=request, round=request.route_round,
                         state__in=(StageState.WAITING, StageState.ACTIVE)).update(
        state=StageState.CANCELLED)
    Seat.objects.filter(request=request, stage__round=request.route_round,
                        state__in=(SeatState.WAITING, SeatState.PENDING)).update(
        state=SeatState.CANCELLED)


