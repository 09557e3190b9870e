"""What the approvals endpoint modules share: the clock, finding a request the caller may read,
a request as the API shows it, and the 409 that carries the request's current state."""


import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path

from somu.approvals import presenters, selectors
from somu.approvals.models import Request, Stage
from somu.approvals.schemas import RequestFields, RequestOut
from somu.core.api import MAX_ID, api
from somu.core.errors import Conflict
from somu.core.requests import AuthedRequest
from somu.org.models import Membership, Person

RequestId = Path(..., ge=1, le=MAX_ID)


# The API's clock: endpoints call ``common.today()`` / ``common.now()`` (never the clock
# directly), so a test freezes these two and the whole API works on its given day.
def today() -> dt.date:
    return timezone.localdate()


def now() -> dt.datetime:
    return timezone.now()


def _awaits_as_deputy(membership: Membership, request: Request) -> bool:
    """A deputy reads what awaits their decision for the absent approver (代理承認) before they
    hold any seat in it."""
    if membership.person is None:
        return False
    return any(item.request.pk == request.pk
               for item in selectors.inbox(membership.person, today=today()))


def request_get(request: AuthedRequest, request_id: int) -> Request:
    """A request the caller may read; others (and other organizations') are 404."""
    found = Request.objects.select_related("request_type", "requester").get(pk=request_id)
    membership = request.auth
    if not selectors.can_read(membership, found) and not _awaits_as_deputy(membership, found):
        raise Http404
    return found


def person_of(person_id: int | None, field: str) -> Person | None:
    """A person of the organization by id; an unknown one is 422 naming ``field``."""
    if person_id is None:
        return None
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError({field: [_("There is no person with id %(id)s.")
                                       % {"id": person_id}]})
    return person


def stage_dict(stage: Stage) -> dict[str, Any]:
    return {
        "id": stage.pk, "round": stage.round, "index": stage.index, "kind": stage.kind,
        "kind_label": presenters.stage_kind_label(stage.kind), "label": stage.label,
        "quorum": stage.quorum, "at_least": stage.at_least, "allow_add": stage.allow_add,
        "rule_row": stage.rule_row, "state": stage.state, "decided_at": stage.decided_at,
        "why": [{"code": str(w.get("code", "")), "params": dict(w.get("params", {})),
                 "text": presenters.why_text(w)} for w in stage.why or []],
        "seats": list(getattr(stage, "current_seats", [])),
    }


def request_detail(request_id: int) -> dict[str, Any]:
    """The request with its current route and files, read fresh (after a write)."""
    found = Request.objects.select_related("request_type", "requester").get(pk=request_id)
    return {
        **RequestOut.from_orm(found).dict(),
        "stages": [stage_dict(s) for s in selectors.request_route(found)],
        "attachments": list(found.attachments.all()),
        "editable": found.is_editable,
    }


# Appended to the description of every operation that may answer it.
CONFLICT_NOTE = ("409 when the request moved on meanwhile (decided, recalled, submitted): the "
                 "error adds `state`, the request's state now, and `request`, the request as it "
                 "is now.")


def conflict(http: HttpRequest, request_id: int, exc: Conflict) -> HttpResponse:
    """409 naming what happened meanwhile, with the request as it is now: the one error body
    (declared as ``ErrorOut``) with two more keys, so a client need not read it again."""
    current = Request.objects.select_related("request_type", "requester").get(pk=request_id)
    body = {"error": {"code": "conflict", "message": str(exc), "fields": [],
                      "state": current.state,
                      "request": RequestFields.from_orm(RequestOut.from_orm(current).dict())
                      .model_dump(mode="json")}}
    return api.create_response(http, body, status=409)
