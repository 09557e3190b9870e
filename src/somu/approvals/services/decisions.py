"""Deciding: approve, reject, send back (差し戻し), 代理承認, 代決 with its 後閲, 合議 participants
added, 回覧 read, and what final approval sets off.

A decision locks the request row, then finds the seat in the state the database holds: two
approvers deciding one stage at the same moment get one decision and one :class:`Conflict`
(HTTP 409) that names the current state.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.approvals.models import (
    Acting,
    Delegation,
    EventKind,
    PostReview,
    PostReviewState,
    Request,
    RequestState,
    Seat,
    SeatState,
    Stage,
    StageKind,
    StageState,
)
from somu.approvals.selectors import active_delegation, is_superior_of
from somu.approvals.services import notices
from somu.approvals.services.base import (
    acting_person,
    audit_actor,
    close_round,
    locked,
    record_event,
)
from somu.approvals.services.progress import activate_next
from somu.audit.services import audit_record
from somu.core.errors import Conflict
from somu.org.models import Membership, Person

Decision = Literal["approve", "reject", "return"]
DECISIONS: Final = ("approve", "reject", "return")
RETURN_TO_REQUESTER: Final = "requester"


def _conflict_for(request: Request) -> Conflict:
    """What a late second decision is told: the state the request is in now."""
    return Conflict(_("This request has already moved on: it is now “%(state)s”. Reload to see "
                      "the current state.") % {"state": request.get_state_display()})


def _choose_seat(request: Request, me: Person, seat: Seat | int | None, acting: str,
                 today: dt.date) -> tuple[Seat, str, Delegation | None]:
    """The pending seat ``me`` decides, in person, as deputy or for an absent approver."""
    pending = Seat.objects.select_related("stage", "person").filter(
        request=request, current=True, state=SeatState.PENDING,
        stage__round=request.route_round, stage__state=StageState.ACTIVE)
    if seat is not None:
        pk = seat.pk if isinstance(seat, Seat) else seat
        found = pending.filter(pk=pk).first()
        if found is None:
            if Seat.objects.filter(pk=pk, request=request).exists():
                raise _conflict_for(request) if request.state != RequestState.IN_PROGRESS \
                    else Conflict(_("This approver's decision was already taken or is not "
                                    "needed any more. Reload to see the current state."))
            raise Seat.DoesNotExist
        candidates = [found]
    else:
        candidates = list(pending)
    if me.pk == request.requester_id:
        raise PermissionDenied(_("Nobody approves their own request, not as deputy and not for "
                                 "an absent approver."))
    for candidate in candidates:
        if acting in ("", "self") and candidate.person_id == me.pk:
            return candidate, Acting.SELF, None
    if acting in ("", "delegate"):
        for candidate in candidates:
            delegation = active_delegation(principal_id=candidate.person_id, deputy_id=me.pk,
                                           request_type_id=request.request_type_id, day=today)
            if delegation is not None:
                return candidate, Acting.DELEGATE, delegation
    if acting == "superior" and seat is not None:
        candidate = candidates[0]
        if candidate.person_id == me.pk:
            raise ValidationError(_("This is your own decision: decide it in person."))
        if is_superior_of(me, candidate.person):
            return candidate, Acting.SUPERIOR, None
        raise PermissionDenied(_("Only someone above %(name)s in the organization can decide in "
                                 "their place (代決).") % {"name": candidate.person.name})
    if not candidates:
        raise _conflict_for(request) if request.state != RequestState.IN_PROGRESS else Conflict(
            _("Nothing on this request awaits a decision from you. Reload to see the current "
              "state."))
    if Seat.objects.filter(request=request, person=me, current=True,
                           stage__round=request.route_round,
                           state__in=(SeatState.APPROVED, SeatState.NOT_NEEDED)).exists():
        # Their seat was pending a moment ago: another member met the quorum meanwhile (or they
        # decided already). A late decision, not a lack of right.
        raise Conflict(_("This approver's decision was already taken or is not needed any "
                         "more. Reload to see the current state."))
    raise PermissionDenied(_("This request does not await your decision."))


def _quorum_met(stage: Stage) -> bool:
    seats = list(stage.seats.filter(current=True).values_list("state", flat=True))
    approved = sum(1 for s in seats if s == SeatState.APPROVED)
    if stage.quorum == "all":
        need = len(seats)
    elif stage.quorum == "at_least":
        need = min(stage.at_least, len(seats))
    else:
        need = 1
    return approved >= max(need, 1)


@transaction.atomic
def request_decide(*, membership: Membership, request: Request | int, decision: str,
                   comment: str = "", seat: Seat | int | None = None, acting: str = "",
                   return_to: str | int | None = None, today: dt.date,
                   now: dt.datetime) -> Request:
    """Approve, reject (ends the request) or send back (to the requester or an earlier stage).

    ``acting``: "" (in person, or as deputy when a delegation covers it), "delegate", or
    "superior" (代決: ``seat`` names the absent approver's seat; a reason is required and the
    absent approver gets a 後閲 task).
    """
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose approve, reject or send back.")})
    comment = (comment or "").strip()
    if decision in ("reject", "return") and not comment:
        raise ValidationError({"comment": _("Say why in the comment.")})
    if acting == "superior" and not comment:
        raise ValidationError({"comment": _("Say why you decide in the absent approver's "
                                            "place.")})
    request = locked(request)
    if request.state != RequestState.IN_PROGRESS:
        raise _conflict_for(request)
    me = acting_person(membership)
    chosen, how, delegation = _choose_seat(request, me, seat, acting, today)
    stage = chosen.stage
    target_stage: Stage | None = None
    if decision == "return" and return_to not in (None, "", RETURN_TO_REQUESTER):
        try:
            index = int(return_to)
        except (TypeError, ValueError):
            index = -1
        target_stage = Stage.objects.filter(
            request=request, round=request.route_round, index=index, index__lt=stage.index,
            state=StageState.DONE).first()
        if target_stage is None:
            raise ValidationError({"return_to": _("Send it back to the requester or to an "
                                                  "earlier stage that was decided.")})

    chosen.state = {"approve": SeatState.APPROVED, "reject": SeatState.REJECTED,
                    "return": SeatState.RETURNED}[decision]
    chosen.decided_by, chosen.acting, chosen.delegation = me, how, delegation
    chosen.comment, chosen.decided_at = comment, now
    chosen.save()
    kind = {"approve": EventKind.APPROVED, "reject": EventKind.REJECTED,
            "return": EventKind.RETURNED}[decision]
    record_event(request, kind, actor=me, now=now, comment=comment, stage=stage,
           on_behalf_of=chosen.person if chosen.person_id != me.pk else None, acting=how,
           delegation=delegation,
           data={"to_stage": target_stage.index} if target_stage is not None else {})
    action = {"approve": "approval_request.approve", "reject": "approval_request.reject",
              "return": "approval_request.return"}[decision]
    audit_record(actor=audit_actor(membership), action=action, obj=request,
                 changes={"stage": [None, stage.index], "seat_of": [None, chosen.person.name],
                          "acting": [None, how or None],
                          "delegation": [None, delegation.pk if delegation else None]})
    if how == Acting.SUPERIOR:
        PostReview.objects.create(organization_id=request.organization_id, seat=chosen,
                                  request=request, person=chosen.person, created_at=now)
        notices.notify_post_review(request, chosen.person_id, me.name)

    if decision == "approve":
        if _quorum_met(stage):
            stage.state, stage.decided_at = StageState.DONE, now
            stage.save(update_fields=["state", "decided_at"])
            stage.seats.filter(current=True, state=SeatState.PENDING).update(
                state=SeatState.NOT_NEEDED)
            activate_next(request, now=now)
    elif decision == "reject":
        stage.state, stage.decided_at = StageState.REJECTED, now
        stage.save(update_fields=["state", "decided_at"])
        stage.seats.filter(current=True, state=SeatState.PENDING).update(
            state=SeatState.NOT_NEEDED)
        close_round(request)
        request.state, request.decided_at, request.updated_at = RequestState.REJECTED, now, now
        request.save(update_fields=["state", "decided_at", "updated_at"])
        notices.notify_requester(request, _("Rejected: %(request)s"), comment)
    elif target_stage is None:
        stage.state, stage.decided_at = StageState.RETURNED, now
        stage.save(update_fields=["state", "decided_at"])
        close_round(request)
        request.state, request.updated_at = RequestState.SENT_BACK, now
        request.save(update_fields=["state", "updated_at"])
        notices.notify_requester(request, _("Sent back to you: %(request)s"), comment)
    else:
        _reopen_from(request, target_stage, stage)
        activate_next(request, now=now)
    return request


def _reopen_from(request: Request, target: Stage, current: Stage) -> None:
    """差し戻し to an earlier stage: it and every stage up to the current one are decided
    again, by fresh seats (the old ones stay, with their decisions, in the history)."""
    stages = list(Stage.objects.filter(request=request, round=request.route_round,
                                       index__gte=target.index, index__lte=current.index)
                  .exclude(state=StageState.SKIPPED))
    old = list(Seat.objects.filter(stage__in=stages, current=True))
    Seat.objects.filter(pk__in=[s.pk for s in old], state=SeatState.PENDING).update(
        state=SeatState.CANCELLED)
    Seat.objects.filter(pk__in=[s.pk for s in old]).update(current=False)
    Seat.objects.bulk_create(
        Seat(organization_id=request.organization_id, stage_id=s.stage_id, request=request,
             person_id=s.person_id, added_by_id=s.added_by_id) for s in old)
    Stage.objects.filter(pk__in=[s.pk for s in stages]).update(state=StageState.WAITING,
                                                                decided_at=None)


@transaction.atomic
def seat_mark_seen(*, membership: Membership, request: Request | int,
                   now: dt.datetime) -> Request:
    """回覧: the reader confirms they have seen the approved request."""
    request = locked(request)
    me = acting_person(membership)
    seats = Seat.objects.filter(request=request, person=me, current=True,
                                state=SeatState.PENDING, stage__kind=StageKind.CIRCULATE)
    if not seats.exists():
        raise Conflict(_("Nothing on this request is circulated to you, or you have seen it."))
    stage_ids = set(seats.values_list("stage_id", flat=True))
    seats.update(state=SeatState.SEEN, decided_by=me, decided_at=now)
    for stage in Stage.objects.filter(pk__in=stage_ids):
        if not stage.seats.filter(current=True, state=SeatState.PENDING).exists():
            stage.state, stage.decided_at = StageState.DONE, now
            stage.save(update_fields=["state", "decided_at"])
    record_event(request, EventKind.SEEN, actor=me, now=now)
    return request


@transaction.atomic
def stage_add_participant(*, membership: Membership, request: Request | int, stage: Stage | int,
                          person: Person, now: dt.datetime) -> Seat:
    """A 合議 member asks another person into the consultation (when the rule allows it)."""
    request = locked(request)
    me = acting_person(membership)
    stage_pk = stage.pk if isinstance(stage, Stage) else stage
    target = Stage.objects.filter(pk=stage_pk, request=request).first()
    if target is None:
        raise Stage.DoesNotExist
    if target.kind != StageKind.CONSULT or not target.allow_add:
        raise ValidationError(_("The rule of this stage does not allow adding participants."))
    if target.state != StageState.ACTIVE or target.round != request.route_round:
        raise Conflict(_("Participants can be added only while the consultation is open."))
    if not target.seats.filter(current=True, person=me).exists():
        raise PermissionDenied(_("Only a member of this consultation can add a participant."))
    if person.pk == request.requester_id:
        raise ValidationError({"person": _("The requester cannot decide on their own request.")})
    if not person.is_active:
        raise ValidationError({"person": _("%(name)s has retired.") % {"name": person.name}})
    if target.seats.filter(current=True, person=person).exists():
        raise ValidationError({"person": _("%(name)s is already in this consultation.")
                               % {"name": person.name}})
    seat = Seat.objects.create(organization_id=request.organization_id, stage=target,
                               request=request, person=person, state=SeatState.PENDING,
                               pending_since=now, added_by=me)
    record_event(request, EventKind.PARTICIPANT_ADDED, actor=me, now=now, stage=target,
           data={"person": person.pk, "name": person.name})
    audit_record(actor=audit_actor(membership), action="approval_request.add_participant",
                 obj=request, changes={"participant": [None, person.name]})
    notices.notify_pending(request, [person.pk], today=timezone.localdate(now))
    return seat


@transaction.atomic
def post_review_complete(*, membership: Membership, post_review: PostReview | int, flag: bool,
                         comment: str = "", now: dt.datetime) -> PostReview:
    """後閲: the absent approver acknowledges what was decided for them, or flags it."""
    pk = post_review.pk if isinstance(post_review, PostReview) else post_review
    review = PostReview.objects.select_for_update().select_related("request").get(pk=pk)
    me = acting_person(membership)
    if review.person_id != me.pk:
        raise PermissionDenied(_("Only the approver it was decided for reviews it."))
    if review.state != PostReviewState.PENDING:
        raise Conflict(_("This review is already done."))
    comment = (comment or "").strip()
    if flag and not comment:
        raise ValidationError({"comment": _("Say what is wrong in the comment.")})
    review.state = PostReviewState.FLAGGED if flag else PostReviewState.ACKNOWLEDGED
    review.comment, review.reviewed_at = comment, now
    review.save()
    record_event(review.request, EventKind.POST_REVIEWED, actor=me, now=now, comment=comment,
           data={"flagged": flag})
    audit_record(actor=audit_actor(membership), action="approval_request.post_review",
                 obj=review.request, changes={"post_review": [None, review.state]})
    if flag:
        notices.notify_requester(review.request, _("Flagged after the fact: %(request)s"),
                                 comment)
    return review
