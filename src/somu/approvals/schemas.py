"""API schemas of requests and approvals: request types, requests with their frozen routes, the
inbox, delegations and the 決裁権限規程 (revisions and the tester).

Answers keep raw values (ids, state codes, yen as integers) for machines; a route's reasons come
both as codes with parameters and as sentences in the caller's language. Input schemas forbid
unknown fields; required fields of bodies sent to ``…/{id}`` operations take any plain value (ids
are looked up before the values are checked), so another organization's id answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from ninja import Field, Schema

from somu.approvals.models import (
    Acting,
    EventKind,
    PostReviewState,
    Quorum,
    RequestState,
    SeatState,
    StageKind,
    StageState,
)
from somu.core.api import MAX_ID, InputSchema, OneOf, optional
from somu.rules.routing import APPROVER_KINDS

MAX_TEXT: Final = 20_000
MAX_AMOUNT: Final = 10**13  # what the services accept (¥10 trillion)

RequestStateChoice = Annotated[str, OneOf(*RequestState.values)]
StageKindChoice = Annotated[str, OneOf(*StageKind.values)]
StageStateChoice = Annotated[str, OneOf(*StageState.values)]
SeatStateChoice = Annotated[str, OneOf(*SeatState.values)]
ActingChoice = Annotated[str, OneOf(*Acting.values)]
QuorumChoice = Annotated[str, OneOf(*Quorum.values)]
EventKindChoice = Annotated[str, OneOf(*EventKind.values)]
PostReviewStateChoice = Annotated[str, OneOf(*PostReviewState.values)]
ApproverChoice = Annotated[str, OneOf(*APPROVER_KINDS)]
VacancyChoice = Annotated[str, OneOf("escalate", "fallback", "skip")]


def _name(person: Any) -> str:
    return person.name if person is not None else ""


# ---- request types ----------------------------------------------------------------------------


class RequestFormFieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool = False
    choices: list[str] = []
    help: str = ""


class RequestTypeOut(Schema):
    id: int
    code: str  # named in the 決裁権限規程
    name: str
    description: str
    number_prefix: str
    fields: list[RequestFormFieldOut]
    categories: list[str]
    has_amount: bool
    allows_attachments: bool
    follow_up_template_id: int | None
    follow_up_params: dict[str, str]
    is_active: bool
    sort_order: int


# ---- requests ---------------------------------------------------------------------------------


class RequestFields(Schema):
    """A request's own fields (no resolvers: detail answers are built as dicts)."""

    id: int
    number: str  # "" until the first submission
    title: str
    request_type_id: int
    request_type: str  # its code
    requester_id: int
    requester_name: str
    submitted_by_id: int | None  # 代理申請: who filed it for the requester
    department_id: int | None
    amount: int | None  # yen
    category: str
    values: dict[str, Any]
    state: RequestStateChoice
    revision: int  # submitted versions so far
    route_round: int
    rule_version_id: int | None
    submitted_on: dt.date | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    launched_run_id: int | None  # the follow-up procedure's run
    created_at: dt.datetime
    updated_at: dt.datetime


class RequestOut(RequestFields):
    @staticmethod
    def resolve_request_type(obj: Any) -> str:
        return str(obj.request_type.code)

    @staticmethod
    def resolve_requester_name(obj: Any) -> str:
        return _name(obj.requester)


class WhyOut(Schema):
    code: str
    params: dict[str, Any]
    text: str  # the reason as a sentence


class SeatOut(Schema):
    id: int
    person_id: int
    person_name: str
    state: SeatStateChoice
    decided_by_id: int | None
    decided_by_name: str
    acting: ActingChoice  # "" in person, "delegate" 代理承認, "superior" 代決
    delegation_id: int | None
    comment: str
    decided_at: dt.datetime | None
    added_by_id: int | None  # a 合議 participant added by this member
    pending_since: dt.datetime | None

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return _name(obj.person)

    @staticmethod
    def resolve_decided_by_name(obj: Any) -> str:
        return _name(obj.decided_by) if obj.decided_by_id else ""


class StageOut(Schema):
    id: int
    round: int
    index: int
    kind: StageKindChoice
    kind_label: str
    label: str
    quorum: QuorumChoice
    at_least: int
    allow_add: bool
    rule_row: int | None
    state: StageStateChoice
    decided_at: dt.datetime | None
    why: list[WhyOut]
    seats: list[SeatOut]


class RequestAttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_id: int | None
    uploaded_at: dt.datetime


class RequestDetailOut(RequestFields):
    stages: list[StageOut]  # the current round's route
    attachments: list[RequestAttachmentOut]
    editable: bool  # draft, sent back or recalled


class RequestIn(InputSchema):
    """A new draft. ``requester_id`` files it for someone else (代理申請); the caller by
    default."""

    request_type_id: int = Field(..., ge=1, le=MAX_ID)
    title: str = Field(..., max_length=200)
    amount: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    category: str = Field("", max_length=100)
    values: dict[str, Any] = Field(default_factory=dict)  # form values by field key
    requester_id: int | None = Field(None, ge=1, le=MAX_ID)


class RequestUpdateIn(InputSchema):
    """A change to a draft (or a request sent back or recalled): fields left out keep their
    value; ``amount: null`` clears it."""

    title: str = optional(max_length=200)
    amount: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    category: str = optional(max_length=100)
    values: dict[str, Any] = optional()


class RecallIn(InputSchema):
    comment: str = Field("", max_length=MAX_TEXT)


class DecisionIn(InputSchema):
    """``return_to``: "requester" (default) or the index of an earlier, decided stage.
    ``acting``: "" in person (or as deputy when a delegation covers it), "delegate", or
    "superior" (代決, with ``seat_id`` naming the absent approver's seat and a comment)."""

    decision: Annotated[str, OneOf("approve", "reject", "return")]
    comment: str = Field("", max_length=MAX_TEXT)
    seat_id: int | None = Field(None, ge=1, le=MAX_ID)
    acting: Annotated[str, OneOf("", "delegate", "superior")] = ""
    return_to: Annotated[str, OneOf("requester")] | Annotated[int, Field(ge=0, le=1000)] | None \
        = None


class ParticipantIn(InputSchema):
    stage_id: int = Field(..., ge=1, le=MAX_ID)
    person_id: int = Field(..., ge=1, le=MAX_ID)


class RequestEventOut(Schema):
    id: int
    request_id: int
    at: dt.datetime
    kind: EventKindChoice
    actor_id: int | None
    actor_name: str
    on_behalf_of_id: int | None
    acting: ActingChoice
    delegation_id: int | None
    stage_id: int | None
    comment: str
    data: dict[str, Any]

    @staticmethod
    def resolve_actor_name(obj: Any) -> str:
        return _name(obj.actor) if obj.actor_id else ""


class RevisionOut(Schema):
    number: int
    title: str
    amount: int | None
    category: str
    values: dict[str, Any]
    attachments: list[str]  # file names at that version
    submitted_at: dt.datetime
    submitted_by_id: int | None


# ---- the inbox --------------------------------------------------------------------------------


class InboxItemOut(Schema):
    request: RequestOut
    seat_id: int
    stage_id: int
    stage_kind: StageKindChoice
    stage_label: str
    pending_since: dt.datetime | None
    principal_id: int | None  # whose seat, when deciding as their deputy; None: one's own
    principal_name: str


class CirculatedOut(Schema):
    request: RequestOut
    seat_id: int
    stage_id: int
    pending_since: dt.datetime | None


class PostReviewOut(Schema):
    id: int
    request: RequestOut
    seat_id: int
    state: PostReviewStateChoice
    decided_by_id: int | None
    decided_by_name: str
    decision_comment: str
    created_at: dt.datetime


class InboxOut(Schema):
    decisions: list[InboxItemOut]  # awaiting the caller's decision, own and as deputy
    circulated: list[CirculatedOut]  # 回覧 to read
    post_reviews: list[PostReviewOut]  # 後閲: decided in the caller's absence


class PostReviewIn(InputSchema):
    flag: bool = False  # true: something is wrong (a comment says what)
    comment: str = Field("", max_length=MAX_TEXT)


class PostReviewDoneOut(Schema):
    id: int
    request_id: int
    state: PostReviewStateChoice
    comment: str
    reviewed_at: dt.datetime | None


# ---- delegations ------------------------------------------------------------------------------


class DelegationOut(Schema):
    id: int
    principal_id: int
    principal_name: str
    deputy_id: int
    deputy_name: str
    start: dt.date
    end: dt.date
    request_type_ids: list[int]  # empty: every request type
    note: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_principal_name(obj: Any) -> str:
        return _name(obj.principal)

    @staticmethod
    def resolve_deputy_name(obj: Any) -> str:
        return _name(obj.deputy)

    @staticmethod
    def resolve_request_type_ids(obj: Any) -> list[int]:
        return sorted(t.pk for t in obj.request_types.all())


class DelegationIn(InputSchema):
    """``principal_id`` defaults to the caller (an administrator sets anyone's)."""

    deputy_id: int = Field(..., ge=1, le=MAX_ID)
    start: dt.date
    end: dt.date
    principal_id: int | None = Field(None, ge=1, le=MAX_ID)
    request_type_ids: list[int] = Field(default_factory=list, max_length=100)
    note: str = Field("", max_length=300)


# ---- the 決裁権限規程 -------------------------------------------------------------------------


class StageRuleIn(InputSchema):
    """One stage of a row (rules.routing.StageRule): its kind and how its approvers are found.
    ``value``: position → the position name (課長); levels_up → "1".."9"; person → a person id;
    group → a department id; field → the form field key; manager → ""."""

    kind: StageKindChoice
    approver: ApproverChoice
    value: str = Field("", max_length=100)
    position: str = Field("", max_length=100)  # group only: narrow to this position
    quorum: QuorumChoice = "any"
    at_least: int = Field(1, ge=0, le=1000)
    vacancy: VacancyChoice = "escalate"
    fallback: int | None = Field(None, ge=1, le=MAX_ID)  # a person id
    allow_add: bool = False
    label: str = Field("", max_length=100)


class RuleRowIn(InputSchema):
    number: int = Field(..., ge=1, le=100_000)
    request_type: str = Field(..., max_length=40)  # the request type's code
    category: str = Field("", max_length=100)
    amount_min: int | None = Field(None, ge=0, le=MAX_AMOUNT)  # inclusive (以上)
    amount_max: int | None = Field(None, ge=0, le=MAX_AMOUNT)  # inclusive (以下)
    department_id: int | None = Field(None, ge=1, le=MAX_ID)  # and everything below it
    condition: str = Field("", max_length=500)
    note: str = Field("", max_length=300)
    stages: list[StageRuleIn] = Field(..., max_length=20)


class RuleVersionFields(Schema):
    id: int
    number: int
    effective_from: dt.date
    note: str
    created_at: dt.datetime
    created_by: str  # the administrator's login name


class RuleVersionOut(RuleVersionFields):
    @staticmethod
    def resolve_created_by(obj: Any) -> str:
        return obj.created_by.get_username() if obj.created_by_id else ""


class StageRuleOut(Schema):
    kind: StageKindChoice
    approver: ApproverChoice
    value: str
    position: str
    quorum: QuorumChoice
    at_least: int
    vacancy: VacancyChoice
    fallback: int | None
    allow_add: bool
    label: str


class RuleRowOut(Schema):
    number: int
    request_type: str  # code
    request_type_id: int
    category: str
    amount_min: int | None
    amount_max: int | None
    department_id: int | None
    condition: str
    note: str
    stages: list[StageRuleOut]


class RuleVersionDetailOut(RuleVersionFields):
    rows: list[RuleRowOut]


class RuleVersionIn(InputSchema):
    effective_from: dt.date
    note: str = Field("", max_length=300)
    rows: list[RuleRowIn] = Field(..., max_length=1000)


class RuleTestIn(InputSchema):
    """A hypothetical request: which route would it get on ``date`` (today when not given)?"""

    request_type: str = Field(..., max_length=40)  # code
    requester_id: int = Field(..., ge=1, le=MAX_ID)
    amount: int | None = Field(None, ge=0, le=MAX_AMOUNT)
    category: str = Field("", max_length=100)
    department_id: int | None = Field(None, ge=1, le=MAX_ID)  # default: the requester's
    values: dict[str, Any] = Field(default_factory=dict)
    date: dt.date | None = None


class TestApproverOut(Schema):
    id: int
    name: str


class TestStageOut(Schema):
    kind: StageKindChoice
    kind_label: str
    row: int
    label: str
    quorum: QuorumChoice
    at_least: int
    skipped: bool
    approvers: list[TestApproverOut]
    why: list[WhyOut]


class RuleTestOut(Schema):
    version_id: int | None  # the revision in force on the date
    version: int | None
    date: dt.date
    rows: list[int]  # the matching rows
    stages: list[TestStageOut]
    error: str  # why no route ("" when there is one)
