"""What the approvals module tells people, through :mod:`somu.notify` (in-app, email, chat)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext as _

from somu.approvals.models import Request
from somu.approvals.selectors import deputies_of
from somu.notify.services import Message, notify_many


def _url(request: Request) -> str:
    return reverse("approvals:request_detail", args=[request.pk])


def _label(request: Request) -> str:
    return f"{request.number} {request.title}".strip()


def notify_pending(request: Request, person_ids: Iterable[int], *, today: dt.date) -> None:
    """The approvers whose decision is now needed, and their deputies of the day."""
    # Nobody is asked to decide what they filed (or had filed for them).
    own = {request.requester_id, request.submitted_by_id}
    ids = [pk for pk in dict.fromkeys(person_ids) if pk not in own]
    if not ids:
        return
    messages = [Message(pk, "approvals.decision_needed",
                        _("Awaiting your decision: %(request)s") % {"request": _label(request)},
                        _("Requested by %(name)s.") % {"name": request.requester.name},
                        _url(request), request)
                for pk in ids]
    for principal, deputy in deputies_of(ids, request.request_type_id, today):
        if deputy in own:
            continue
        messages.append(Message(
            deputy, "approvals.decision_needed",
            _("Awaiting your decision as deputy: %(request)s") % {"request": _label(request)},
            _("You decide for %(name)s under a delegation.") % {"name": principal},
            _url(request), request))
    notify_many(messages)


def notify_requester(request: Request, title: str, body: str = "") -> None:
    people = {request.requester_id}
    if request.submitted_by_id:
        people.add(request.submitted_by_id)
    notify_many([Message(pk, "approvals.request_decided", title % {"request": _label(request)},
                         body, _url(request), request) for pk in people])


def notify_circulated(request: Request, person_ids: Iterable[int]) -> None:
    notify_many([Message(pk, "approvals.circulated",
                         _("For your information: %(request)s") % {"request": _label(request)},
                         _("Approved; circulated to you (回覧)."), _url(request), request)
                 for pk in dict.fromkeys(person_ids)])


def notify_post_review(request: Request, person_id: int, decided_by: str) -> None:
    notify_many([Message(person_id, "approvals.post_review",
                         _("Decided in your absence: %(request)s") % {"request": _label(request)},
                         _("%(name)s decided in your place (代決); please review it (後閲).")
                         % {"name": decided_by}, _url(request), request)])
