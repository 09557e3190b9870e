"""/api/v1/approvals/ endpoints of the approvers: the inbox (own seats and as deputy, 回覧 and
後閲), deciding, marking a 回覧 seen, adding a 合議 participant, completing a 後閲.

Deciding needs no permission of its own: the services check the seat (nobody approves their own
request: 403). Two decisions on one stage at once: one is recorded, the other is a 409 whose body
carries the request's current state.
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.responses import Status

import somu.approvals.api.common as common
from somu.approvals import selectors
from somu.approvals.api.common import (
    CONFLICT_NOTE,
    RequestId,
    conflict,
    person_of,
    request_detail,
)
from somu.approvals.models import PostReview, Request, Seat, Stage
from somu.approvals.schemas import (
    DecisionIn,
    InboxOut,
    ParticipantIn,
    PostReviewDoneOut,
    PostReviewIn,
    RequestDetailOut,
    SeatOut,
)
from somu.approvals.services import decisions as services
from somu.core.api import MAX_ID, errors
from somu.core.errors import Conflict
from somu.core.requests import AuthedRequest

router = Router(tags=["approvals"])

ReviewId = Path(..., ge=1, le=MAX_ID)


@router.get("/inbox", response={200: InboxOut, **errors(403)},
            summary="What awaits the caller: decisions (own and as deputy), 回覧, 後閲",
            operation_id="somu_approvals_api_inbox")
def inbox(request: AuthedRequest) -> dict[str, Any]:
    person = request.auth.person
    if person is None:
        return {"decisions": [], "circulated": [], "post_reviews": []}
    return {
        "decisions": [{
            "request": item.request, "seat_id": item.seat.pk, "stage_id": item.seat.stage_id,
            "stage_kind": item.seat.stage.kind, "stage_label": item.seat.stage.label,
            "pending_since": item.seat.pending_since,
            "principal_id": item.principal.pk if item.principal else None,
            "principal_name": item.principal.name if item.principal else ""}
            for item in selectors.inbox(person, today=common.today())],
        "circulated": [{"request": seat.request, "seat_id": seat.pk, "stage_id": seat.stage_id,
                        "pending_since": seat.pending_since}
                       for seat in selectors.circulated_to(person)],
        "post_reviews": [{
            "id": review.pk, "request": review.request, "seat_id": review.seat_id,
            "state": review.state, "decided_by_id": review.seat.decided_by_id,
            "decided_by_name": review.seat.decided_by.name if review.seat.decided_by else "",
            "decision_comment": review.seat.comment, "created_at": review.created_at}
            for review in selectors.post_reviews_of(person).select_related("request__requester")],
    }


def _request(request_id: int) -> Request:
    # Deciding is checked by the service (the seat, the deputy, the superior): no read check
    # first, or a deputy could not reach a request before holding a seat in it.
    return Request.objects.only("pk").get(pk=request_id)


@router.post("/requests/{request_id}/decide",
             response={200: RequestDetailOut, **errors(403, 404, 409, 422)},
             summary="Approve, reject or send back (差し戻し); as deputy or for the absent "
                     "approver (代決)",
             description="`return_to`: \"requester\" (default) or the index of an earlier "
                         "stage that was decided. A reject or send-back needs a comment; so "
                         "does 代決 (`acting: \"superior\"` with `seat_id`). " + CONFLICT_NOTE,
             operation_id="somu_approvals_api_request_decide")
def request_decide(request: AuthedRequest, payload: DecisionIn,
                   request_id: int = RequestId) -> Any:
    found = _request(request_id)
    try:
        services.request_decide(
            membership=request.auth, request=found.pk, decision=payload.decision,
            comment=payload.comment, seat=payload.seat_id, acting=payload.acting,
            return_to=payload.return_to, today=common.today(), now=common.now())
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    except Seat.DoesNotExist as exc:
        raise ValidationError({"seat_id": [_("No such seat awaits a decision on this "
                                             "request.")]}) from exc
    return request_detail(found.pk)


@router.post("/requests/{request_id}/seen",
             response={200: RequestDetailOut, **errors(403, 404, 409, 422)},
             summary="回覧: confirm having read the approved request",
             description=CONFLICT_NOTE,
             operation_id="somu_approvals_api_request_seen")
def request_seen(request: AuthedRequest, request_id: int = RequestId) -> Any:
    found = _request(request_id)
    try:
        services.seat_mark_seen(membership=request.auth, request=found.pk, now=common.now())
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    return request_detail(found.pk)


@router.post("/requests/{request_id}/participants",
             response={201: SeatOut, **errors(403, 404, 409, 422)},
             summary="Ask another person into an open 合議 (when its rule allows it)",
             description=CONFLICT_NOTE,
             operation_id="somu_approvals_api_request_add_participant")
def participant_add(request: AuthedRequest, payload: ParticipantIn,
                    request_id: int = RequestId) -> Any:
    found = _request(request_id)
    person = person_of(payload.person_id, "person_id")
    assert person is not None
    try:
        seat = services.stage_add_participant(membership=request.auth, request=found.pk,
                                              stage=payload.stage_id, person=person,
                                              now=common.now())
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    except Stage.DoesNotExist as exc:
        raise ValidationError({"stage_id": [_("This request has no such stage.")]}) from exc
    return Status(201, Seat.objects.select_related("person", "decided_by").get(pk=seat.pk))


@router.post("/post-reviews/{review_id}",
             response={200: PostReviewDoneOut, **errors(403, 404, 409, 422)},
             summary="後閲: acknowledge what was decided in one's absence, or flag it",
             operation_id="somu_approvals_api_post_review")
def post_review(request: AuthedRequest, payload: PostReviewIn,
                review_id: int = ReviewId) -> PostReview:
    PostReview.objects.only("pk").get(pk=review_id)
    return services.post_review_complete(membership=request.auth, post_review=review_id,
                                         flag=payload.flag, comment=payload.comment,
                                         now=common.now())
