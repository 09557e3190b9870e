"""Reads of the approvals module: the inbox, the requests list with its filters (one parser for
the page, the export and the API), a request with its route and history, delegations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from somu.approvals import permissions as p
from somu.approvals.models import (
    Delegation,
    PostReview,
    PostReviewState,
    Request,
    RequestState,
    RequestType,
    Seat,
    SeatState,
    Stage,
    StageKind,
    StageState,
)
from somu.core.permissions import has_perm
from somu.org.models import Department, Membership, Person

# ---- delegations and the chain ----------------------------------------------------------------


def _delegations_on(day: dt.date) -> QuerySet[Delegation]:
    return Delegation.objects.filter(start__lte=day, end__gte=day, revoked_at__isnull=True)


def _covers(delegation: Delegation, request_type_id: int) -> bool:
    types = [t.pk for t in delegation.request_types.all()]
    return not types or request_type_id in types


def delegations_visible(membership: Membership) -> QuerySet[Delegation]:
    """The delegations a member sees: everyone's for an administrator of approvals, else those
    where they are the absent approver or the deputy (one reader for the page and the API)."""
    qs = Delegation.objects.select_related("principal", "deputy").prefetch_related(
        "request_types")
    if has_perm(membership, p.MANAGE_APPROVALS):
        return qs
    if membership.person_id is None:
        return qs.none()
    return qs.filter(Q(principal_id=membership.person_id) | Q(deputy_id=membership.person_id))


def active_delegation(*, principal_id: int, deputy_id: int, request_type_id: int,
                      day: dt.date) -> Delegation | None:
    """The delegation under which ``deputy`` decides for ``principal`` on ``day``, if any."""
    for delegation in (_delegations_on(day).filter(principal_id=principal_id,
                                                   deputy_id=deputy_id)
                       .prefetch_related("request_types").order_by("pk")):
        if _covers(delegation, request_type_id):
            return delegation
    return None


def deputies_of(person_ids: Iterable[int], request_type_id: int,
                day: dt.date) -> list[tuple[str, int]]:
    """(principal's name, deputy id) for the given people's delegations in force on ``day``."""
    out = []
    for delegation in (_delegations_on(day).filter(principal_id__in=list(person_ids))
                       .select_related("principal").prefetch_related("request_types")):
        if _covers(delegation, request_type_id):
            out.append((delegation.principal.name, delegation.deputy_id))
    return out


def is_superior_of(me: Person, other: Person) -> bool:
    """Whether ``me`` is above ``other``: their manager, or the head of their department or of
    a department above it, and (when both have a position) of a more senior rank."""
    if other.manager_id == me.pk:
        return True
    if other.department_id is None:
        return False
    parents, heads = {}, {}
    for pk, parent_id, head_id in Department.objects.values_list("id", "parent_id", "head_id"):
        parents[pk], heads[pk] = parent_id, head_id
    chain: list[int] = []
    current: int | None = other.department_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    if not any(heads.get(d) == me.pk for d in chain):
        return False
    if me.position is not None and other.position is not None:
        return me.position.rank < other.position.rank
    return True


# ---- the inbox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    request: Request
    seat: Seat
    # Whose decision it is when not one's own (代理承認); None: one's own.
    principal: Person | None = None


def inbox(person: Person, *, today: dt.date) -> list[InboxItem]:
    """The requests awaiting ``person``'s decision: their own seats, and those of the people
    they are deputy for today. Three queries, whatever the number."""
    delegations = list(_delegations_on(today).filter(deputy=person)
                       .prefetch_related("request_types"))
    principals = {d.principal_id for d in delegations}
    seats = (Seat.objects.filter(current=True, state=SeatState.PENDING,
                                 person_id__in={person.pk} | principals)
             .exclude(stage__kind=StageKind.CIRCULATE)
             .select_related("request__request_type", "request__requester", "stage", "person")
             .order_by("pending_since", "pk"))
    out = []
    for seat in seats:
        if person.pk in (seat.request.requester_id, seat.request.submitted_by_id):
            continue  # one's own request (or one filed for someone): never one's to decide
        if seat.person_id == person.pk:
            out.append(InboxItem(seat.request, seat))
        elif any(
                d.principal_id == seat.person_id and _covers(d, seat.request.request_type_id)
                for d in delegations):
            out.append(InboxItem(seat.request, seat, seat.person))
    return out



def circulated_to(person: Person) -> QuerySet[Seat]:
    return (Seat.objects.filter(person=person, current=True, state=SeatState.PENDING,
                                stage__kind=StageKind.CIRCULATE)
            .select_related("request__request_type", "request__requester")
            .order_by("pending_since"))


def post_reviews_of(person: Person) -> QuerySet[PostReview]:
    return (PostReview.objects.filter(person=person, state=PostReviewState.PENDING)
            .select_related("request__request_type", "seat__decided_by")
            .order_by("created_at"))


# ---- the requests list ------------------------------------------------------------------------


@dataclass
class RequestFilter:
    """The list's filters, read alike from a page's query string and the API's parameters."""

    request_type: int | None = None
    state: str = ""
    requester: int | None = None
    department: int | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""
    mine: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> RequestFilter:
        out = cls()

        def number(key: str) -> int | None:
            raw = str(data.get(key) or "").replace(",", "").strip()
            if not raw:
                return None
            if not raw.isdecimal():
                out.errors[key] = raw
                return None
            return int(raw)

        def day(key: str) -> dt.date | None:
            raw = str(data.get(key) or "").strip()
            if not raw:
                return None
            try:
                return dt.date.fromisoformat(raw)
            except ValueError:
                out.errors[key] = raw
                return None

        out.request_type, out.requester = number("type"), number("requester")
        out.department = number("department")
        out.amount_min, out.amount_max = number("amount_min"), number("amount_max")
        out.date_from, out.date_to = day("from"), day("to")
        state = str(data.get("state") or "")
        if state and state not in RequestState.values:
            out.errors["state"] = state
        else:
            out.state = state
        out.q = str(data.get("q") or "").strip()[:100]
        out.mine = str(data.get("mine") or "") in ("1", "true", "on")
        return out


def visible_requests(membership: Membership, *,
                     today: dt.date | None = None) -> QuerySet[Request]:
    """What ``membership`` may read: everything with 申請の閲覧 (staff, auditors, admins);
    otherwise one's own (filed by or for oneself), those one holds or held a seat in, and,
    for a manager, those of their department subtree. Given ``today``, also those awaiting
    the decision of someone one is deputy for that day (代理承認 before deciding)."""
    qs = Request.objects.all()
    if has_perm(membership, p.VIEW_REQUESTS):
        return qs
    person_id = membership.person_id
    if person_id is None:
        return qs.none()
    mine = Q(requester_id=person_id) | Q(submitted_by_id=person_id)
    seated = Exists(Seat.objects.filter(request=OuterRef("pk"), person_id=person_id))
    deputy = Exists(Seat.objects.filter(request=OuterRef("pk"), decided_by_id=person_id))
    scope = mine | Q(seated) | Q(deputy)
    if today is not None:
        principals = _delegations_on(today).filter(deputy_id=person_id).values("principal_id")
        scope |= Q(Exists(Seat.objects.filter(request=OuterRef("pk"), current=True,
                                              state=SeatState.PENDING,
                                              person_id__in=principals)))
    if membership.role == "manager":
        scope |= Q(department_id__in=membership.managed_department_ids())
    return qs.filter(scope).exclude(Q(state=RequestState.DRAFT) & ~mine)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def requests_list(membership: Membership, flt: RequestFilter) -> QuerySet[Request]:
    qs = visible_requests(membership).select_related("request_type", "requester", "department")
    if flt.mine and membership.person_id:
        qs = qs.filter(Q(requester_id=membership.person_id)
                       | Q(submitted_by_id=membership.person_id))
    if flt.request_type:
        qs = qs.filter(request_type_id=flt.request_type)
    if flt.state:
        qs = qs.filter(state=flt.state)
    if flt.requester:
        qs = qs.filter(requester_id=flt.requester)
    if flt.department:
        qs = qs.filter(department_id=flt.department)
    if flt.amount_min is not None:
        qs = qs.filter(amount__gte=flt.amount_min)
    if flt.amount_max is not None:
        qs = qs.filter(amount__lte=flt.amount_max)
    # Ranges on the timestamp itself (the index serves them; __date would not).
    if flt.date_from:
        qs = qs.filter(created_at__gte=_day_start(flt.date_from))
    if flt.date_to:
        qs = qs.filter(created_at__lt=_day_start(flt.date_to + dt.timedelta(days=1)))
    if flt.q:
        qs = qs.filter(Q(title__icontains=flt.q) | Q(number__icontains=flt.q))
    return qs.order_by("-created_at", "-pk")


def can_read(membership: Membership, request: Request, *, today: dt.date | None = None) -> bool:
    """Whether ``membership`` may read ``request``; given ``today``, also as a deputy for that
    day, or as someone above an approver whose decision is pending (代決)."""
    if visible_requests(membership, today=today).filter(pk=request.pk).exists():
        return True
    if today is None or membership.person is None or request.state != RequestState.IN_PROGRESS:
        return False
    pending = (Seat.objects.filter(request=request, current=True, state=SeatState.PENDING)
               .exclude(stage__kind=StageKind.CIRCULATE).select_related("person__position"))
    return any(is_superior_of(membership.person, seat.person) for seat in pending)


# ---- one request ------------------------------------------------------------------------------


def request_route(request: Request) -> list[Stage]:
    """The current round's stages with their current seats (two queries)."""
    return list(Stage.objects.filter(request=request, round=request.route_round)
                .prefetch_related(_current_seats()).order_by("index"))


def _current_seats() -> Any:
    from django.db.models import Prefetch

    return Prefetch("seats", queryset=Seat.objects.filter(current=True)
                    .select_related("person__position", "decided_by", "delegation")
                    .order_by("pk"), to_attr="current_seats")


def active_stage(stages: Iterable[Stage]) -> Stage | None:
    return next((s for s in stages if s.state == StageState.ACTIVE
                 and s.kind != StageKind.CIRCULATE), None)


def request_types(*, active_only: bool = True) -> QuerySet[RequestType]:
    qs = RequestType.objects.all()
    return qs.filter(is_active=True) if active_only else qs
