"""Requests and approvals (申請・稟議): request types, the 決裁権限規程 as effective-dated data,
requests with their frozen routes, the approvers' seats, delegations and 後閲.

The route of a request is resolved by :mod:`somu.rules.routing` from the rule version in force on
its submission date and stored as :class:`Stage` rows with their :class:`Seat` rows, so a later
edit of the rules never changes it. Every step of its life is a :class:`RequestEvent`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.core.tenancy import TenantModel


class RequestType(TenantModel):
    """A kind of request (申請種別): 稟議（一般）, 購入申請, 出張申請 …, its form and numbering."""

    # Named in the 決裁権限規程 and the API; stable when the name changes.
    code = models.SlugField(_("code"), max_length=40, allow_unicode=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    # The request numbers' prefix: 稟議 → 稟議-2026-00042 (per fiscal year, gap-free).
    number_prefix = models.CharField(_("number prefix"), max_length=16)
    # The form: a list of rules.forms.FormFieldSpec as dicts (key, label, type, required, choices).
    fields = models.JSONField(_("form fields"), default=list, blank=True)
    # 区分 the 規程 can branch on (e.g. 設備投資 / 消耗品); empty: the type has none.
    categories = models.JSONField(_("categories"), default=list, blank=True)
    has_amount = models.BooleanField(_("has an amount"), default=True)
    allows_attachments = models.BooleanField(_("allows attachments"), default=True)
    # On final approval, launch this procedure (購入申請 → 備品発注) with parameters mapped from
    # the request: {procedure parameter key: form field key, or "@title", "@amount",
    # "@requester", "@number", "@department"}.
    follow_up_template = models.ForeignKey(
        "procedures.Template", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("follow-up procedure"),
    )
    follow_up_params = models.JSONField(_("follow-up parameters"), default=dict, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # Another app owns the content of this type's requests (see somu.approvals.kinds), e.g.
    # "expenses.claim"; empty: the form fields above.
    kind = models.CharField(max_length=40, blank=True, editable=False)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"],
                                    name="request_type_unique_code"),
        ]

    def __str__(self) -> str:
        return self.name


class RequestCounter(TenantModel):
    """The last number given per request type and fiscal year; locked while a number is drawn,
    in the submitting transaction, so numbers are gap-free and never given twice."""

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request_type", "fiscal_year"],
                                    name="request_counter_unique_year"),
        ]


class RuleVersion(TenantModel):
    """One revision (改定) of the 決裁権限規程: its rows, in force from ``effective_from``.

    A request uses the version in force on its submission date: the latest ``effective_from`` on
    or before that day (of two on the same day, the later revision).
    """

    number = models.PositiveIntegerField(_("revision"))
    effective_from = models.DateField(_("effective from"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-effective_from", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"],
                                    name="rule_version_unique_number"),
        ]

    def __str__(self) -> str:
        return f"第{self.number}版 ({self.effective_from.isoformat()})"


class AuthorityRule(TenantModel):
    """One row of the 決裁権限規程: which requests it applies to, and the stages it adds.

    ``stages`` is a list of rules.routing.StageRule as dicts. A request gets the stages of every
    row it matches; exactly one of them must be the 決裁.
    """

    version = models.ForeignKey(RuleVersion, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    request_type = models.ForeignKey(RequestType, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("request type"))
    category = models.CharField(_("category"), max_length=100, blank=True)
    amount_min = models.BigIntegerField(_("amount from"), null=True, blank=True)
    amount_max = models.BigIntegerField(_("amount up to"), null=True, blank=True)
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+", verbose_name=_("department"))
    condition = models.CharField(_("condition"), max_length=500, blank=True)
    stages = models.JSONField(_("stages"), default=list)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="authority_rule_unique_row"),
        ]


class RequestState(models.TextChoices):
    # A context of their own: "In progress" of a survey answer is not 承認中.
    DRAFT = "draft", pgettext_lazy("request state", "Draft")
    IN_PROGRESS = "in_progress", pgettext_lazy("request state", "In progress")
    SENT_BACK = "sent_back", pgettext_lazy("request state", "Sent back")
    RECALLED = "recalled", pgettext_lazy("request state", "Recalled")
    APPROVED = "approved", pgettext_lazy("request state", "Approved")
    REJECTED = "rejected", pgettext_lazy("request state", "Rejected")


# The requester may edit (and submit) the request in these states.
EDITABLE_STATES = (RequestState.DRAFT, RequestState.SENT_BACK, RequestState.RECALLED)


class Request(TenantModel):
    """A request (申請) or 稟議: its current content, state and frozen route."""

    request_type = models.ForeignKey(RequestType, on_delete=models.PROTECT,
                                     related_name="requests", verbose_name=_("request type"))
    # Given at the first submission, kept through 差し戻し and 取り戻し.
    number = models.CharField(_("number"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    requester = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("requester"))
    # The requester's department when submitted (the route walks up from it).
    department = models.ForeignKey("org.Department", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("department"))
    # 代理申請: who entered and submitted it for the requester (None: the requester).
    submitted_by = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+",
                                     verbose_name=_("submitted by"))
    amount = models.BigIntegerField(_("amount (yen)"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    values = models.JSONField(_("form"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=RequestState.choices,
                             default=RequestState.DRAFT)
    # The submitted versions so far (0: never submitted).
    revision = models.PositiveIntegerField(default=0)
    # The route's generation: a resubmission after 差し戻し starts a new one.
    route_round = models.PositiveIntegerField(default=0)
    rule_version = models.ForeignKey(RuleVersion, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    # The 規程 in force on this day applies (the first submission's date).
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    launched_run = models.ForeignKey("procedures.Run", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"],
                                    condition=~Q(number=""), name="request_unique_number"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="request_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["organization", "state", "-created_at"]),
            models.Index(fields=["organization", "requester", "-created_at"]),
            models.Index(fields=["organization", "request_type", "-created_at"]),
            models.Index(fields=["organization", "-created_at", "-id"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES


class RequestRevision(TenantModel):
    """What was submitted each time: the content of version N, kept to show the differences."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    amount = models.BigIntegerField(null=True, blank=True)
    category = models.CharField(max_length=100, blank=True)
    values = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)  # file names at that version
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")

    class Meta:
        ordering = ["request", "number"]
        constraints = [
            models.UniqueConstraint(fields=["request", "number"], name="revision_unique_number"),
        ]


class StageKind(models.TextChoices):
    REVIEW = "review", _("Review")  # 審査
    CONSULT = "consult", _("Consultation")  # 合議
    APPROVE = "approve", _("Approval")  # 承認
    DECIDE = "decide", _("Final decision")  # 決裁
    CIRCULATE = "circulate", _("Circulation")  # 回覧


class Quorum(models.TextChoices):
    ANY = "any", _("Any one")
    ALL = "all", _("All")
    AT_LEAST = "at_least", _("At least N")


class StageState(models.TextChoices):
    WAITING = "waiting", _("Waiting")  # an earlier stage is still open
    ACTIVE = "active", _("Awaiting decision")
    DONE = "done", _("Approved")
    SKIPPED = "skipped", _("Skipped")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Sent back")
    CANCELLED = "cancelled", _("Cancelled")  # recalled, or a round replaced after 差し戻し


class Stage(TenantModel):
    """One stage of a request's frozen route (審査 / 合議 / 承認 / 決裁 / 回覧)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="stages")
    round = models.PositiveIntegerField()
    index = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=StageKind.choices)
    label = models.CharField(max_length=100, blank=True)
    quorum = models.CharField(max_length=16, choices=Quorum.choices, default=Quorum.ANY)
    at_least = models.PositiveSmallIntegerField(default=1)
    allow_add = models.BooleanField(default=False)
    # The 規程 row that produced it and why these approvers (rules.routing.Why as dicts).
    rule_row = models.PositiveIntegerField(null=True, blank=True)
    why = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=StageState.choices,
                             default=StageState.WAITING)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "round", "index"]
        constraints = [
            models.UniqueConstraint(fields=["request", "round", "index"],
                                    name="stage_unique_index"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}".strip()

    @property
    def blocks(self) -> bool:
        """回覧 never holds the request up."""
        return self.kind != StageKind.CIRCULATE


class SeatState(models.TextChoices):
    WAITING = "waiting", _("Waiting")  # the stage is not active yet
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Sent back")
    NOT_NEEDED = "not_needed", _("Not needed")  # the stage was decided without this seat
    SEEN = "seen", _("Seen")  # 回覧: read
    CANCELLED = "cancelled", _("Cancelled")


class Acting(models.TextChoices):
    SELF = "", _("In person")
    DELEGATE = "delegate", _("As deputy (代理承認)")
    SUPERIOR = "superior", _("For the absent approver (代決)")


class Seat(TenantModel):
    """One approver's place in a stage: whose decision it is, and who took it on whose behalf."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="seats")
    # Denormalized for the inbox: "the pending seats of these people".
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="seats")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=SeatState.choices,
                             default=SeatState.WAITING)
    decided_by = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    acting = models.CharField(max_length=16, choices=Acting.choices, default=Acting.SELF,
                              blank=True)
    delegation = models.ForeignKey("Delegation", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # A 合議 participant added by another member (None: from the route).
    added_by = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="+")
    # The stage became active for this seat (the inbox's "waiting since").
    pending_since = models.DateTimeField(null=True, blank=True)
    # False once a send-back to an earlier stage replaced it with a fresh seat (kept: history).
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["stage", "pk"]
        indexes = [
            models.Index(fields=["organization", "person", "state", "pending_since"]),
        ]


class Delegation(TenantModel):
    """代理承認: ``deputy`` decides for ``principal`` from ``start`` to ``end`` (inclusive), for
    every request type or the listed ones."""

    principal = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("absent approver"))
    deputy = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("deputy"))
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    request_types = models.ManyToManyField(RequestType, blank=True, related_name="+",
                                           verbose_name=_("request types"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("org.User", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                   name="delegation_end_after_start"),
            models.CheckConstraint(condition=~Q(principal=models.F("deputy")),
                                   name="delegation_not_to_oneself"),
        ]
        indexes = [models.Index(fields=["organization", "deputy", "start", "end"])]


class PostReviewState(models.TextChoices):
    PENDING = "pending", _("To review")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FLAGGED = "flagged", _("Flagged")


class PostReview(TenantModel):
    """後閲: the absent approver's look, after the fact, at what a superior decided for them."""

    seat = models.OneToOneField(Seat, on_delete=models.CASCADE, related_name="post_review")
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="post_reviews")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=PostReviewState.choices,
                             default=PostReviewState.PENDING)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "person", "state"])]


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    ROUTE_CHANGED = "route_changed", _("Route resolved again")
    RECALLED = "recalled", _("Recalled")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Sent back")
    SEEN = "seen", _("Seen")
    PARTICIPANT_ADDED = "participant_added", _("Participant added")
    STAGE_SKIPPED = "stage_skipped", _("Stage skipped")
    COMPLETED = "completed", _("Finally approved")
    LAUNCHED = "launched", _("Follow-up procedure started")
    POST_REVIEWED = "post_reviewed", _("Reviewed after the fact")
    COMMENTED = "commented", _("Commented")


class RequestEvent(TenantModel):
    """One line of a request's history: who did what, on whose behalf, with what comment."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    actor = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    on_behalf_of = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    acting = models.CharField(max_length=16, choices=Acting.choices, default=Acting.SELF,
                              blank=True)
    delegation = models.ForeignKey(Delegation, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"approvals/{instance.organization_id}/{instance.request_id}/{instance.key}"


class Attachment(TenantModel):
    """A file attached to a request (見積書, 契約書案 …); its type checked from its content."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    key = models.CharField(max_length=40)  # the stored file's name: never the user's
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey("org.Person", on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.filename
