"""Moving a request along its route: the next stage opens, or the request is approved, its
回覧 goes out and its follow-up procedure starts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.approvals import kinds
from somu.approvals.models import (
    EventKind,
    Request,
    RequestState,
    Seat,
    SeatState,
    Stage,
    StageKind,
    StageState,
)
from somu.approvals.services import notices
from somu.approvals.services.base import record_event

BLOCKING_KINDS: Final = ("review", "consult", "approve", "decide")


def activate_next(request: Request, *, now: dt.datetime) -> Stage | None:
    """Open the first waiting stage that blocks (its seats become pending and are told);
    with none left, the request is finally approved. Returns the stage opened."""
    stage = (Stage.objects.filter(request=request, round=request.route_round,
                                  state=StageState.WAITING, kind__in=BLOCKING_KINDS)
             .order_by("index").first())
    if stage is None:
        request_complete(request, now=now)
        return None
    stage.state = StageState.ACTIVE
    stage.save(update_fields=["state"])
    seats = list(Seat.objects.filter(stage=stage, current=True, state=SeatState.WAITING))
    Seat.objects.filter(pk__in=[s.pk for s in seats]).update(state=SeatState.PENDING,
                                                              pending_since=now)
    notices.notify_pending(request, [s.person_id for s in seats], today=timezone.localdate(now))
    return stage



def request_complete(request: Request, *, now: dt.datetime) -> None:
    """The last blocking stage is decided: approved; 回覧 goes out; the follow-up starts."""
    request.state, request.decided_at, request.updated_at = RequestState.APPROVED, now, now
    request.save(update_fields=["state", "decided_at", "updated_at"])
    record_event(request, EventKind.COMPLETED, actor=None, now=now)
    circulate = list(Stage.objects.filter(request=request, round=request.route_round,
                                          kind=StageKind.CIRCULATE, state=StageState.WAITING))
    if circulate:
        Stage.objects.filter(pk__in=[s.pk for s in circulate]).update(state=StageState.ACTIVE)
        seats = Seat.objects.filter(stage__in=circulate, current=True)
        people = list(seats.values_list("person_id", flat=True))
        seats.update(state=SeatState.PENDING, pending_since=now)
        notices.notify_circulated(request, people)
    kind = kinds.kind_of(request.request_type)
    if kind is not None and kind.on_approved is not None:
        kind.on_approved(request, now)
    notices.notify_requester(request, _("Approved: %(request)s"))
    _launch_follow_up(request, now=now)


def follow_up_params(request: Request) -> dict[str, Any]:
    """The follow-up procedure's parameters, mapped from the request."""
    special: Mapping[str, Any] = {
        "@title": request.title, "@amount": request.amount, "@number": request.number,
        "@requester": request.requester_id, "@department": request.department_id,
    }
    out: dict[str, Any] = {}
    for param, source in (request.request_type.follow_up_params or {}).items():
        value = special[source] if source in special else request.values.get(source)
        if value not in (None, ""):
            out[param] = value
    return out


def _launch_error_text(error: ValidationError) -> str:
    """「希望納期: このパラメーターは必須です。」: each message with the parameter it is about."""
    if not hasattr(error, "error_dict"):
        return " ".join(error.messages)
    return " ".join(f"{key}: {message}" if key != "__all__" else message
                    for key, messages in error.message_dict.items() for message in messages)


def _launch_follow_up(request: Request, *, now: dt.datetime) -> None:
    template = request.request_type.follow_up_template
    if template is None:
        return
    from somu.procedures.services.runs import run_launch

    url = reverse("approvals:request_detail", args=[request.pk])
    try:
        with transaction.atomic():
            run = run_launch(actor=None, template=template, params=follow_up_params(request),
                             start_date=timezone.localdate(now), starter=request.requester,
                             name=f"{request.number} {request.title}",
                             origin=(f"{request.number} {request.title}", url))
    except ValidationError as error:
        # The approval stands; the launch failure is shown on the request for the staff.
        record_event(request, EventKind.LAUNCHED, actor=None, now=now,
               data={"error": _launch_error_text(error)})
        return
    request.launched_run = run
    request.save(update_fields=["launched_run"])
    record_event(request, EventKind.LAUNCHED, actor=None, now=now,
           data={"run": run.pk, "name": run.name})


