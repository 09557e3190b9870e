"""API schemas of the procedures app: templates, runs, steps, schedules, handovers, webhooks.

Input schemas forbid unknown fields and strip whitespace, so a typo is a 422 naming the field.
Required fields of bodies sent to ``…/{id}`` operations take any plain value (ids are looked up
before the values are checked), so another organization's id answers 404 whatever the body.
"""

import datetime as dt
import urllib.parse
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ValidationError as PydanticValidationError
from pydantic import field_validator

from somu.core.api import MAX_ID, InputSchema, OneOf, QuerySchema, optional
from somu.core.permissions import Role
from somu.procedures.engine.spec import FIELD_TYPES
from somu.procedures.models import (
    DeliveryChannel,
    DeliveryStatus,
    EventKind,
    RunStatus,
    StepKind,
    StepState,
    WebhookKind,
)
from somu.procedures.services.handover import ITEM_KINDS

MAX_BULK = 10_000  # parameter sets per bulk launch
MAX_TEXT = 20_000


_Query = QuerySchema
_In = InputSchema


# Fixed-value fields of answers, listed as enums in the document (built from the models' choices,
# so a new value cannot be answered before the document names it).
RoleChoice = Annotated[str, OneOf(*(role.value for role in Role))]
RunStatusChoice = Annotated[str, OneOf(*RunStatus.values)]
StepKindChoice = Annotated[str, OneOf(*StepKind.values)]
StepStateChoice = Annotated[str, OneOf(*StepState.values)]
EventKindChoice = Annotated[str, OneOf(*EventKind.values)]
FieldTypeChoice = Annotated[str, OneOf(*FIELD_TYPES)]
WebhookKindChoice = Annotated[str, OneOf(*WebhookKind.values)]
DeliveryChannelChoice = Annotated[str, OneOf(*DeliveryChannel.values)]
DeliveryStatusChoice = Annotated[str, OneOf(*DeliveryStatus.values)]
HandoverKindChoice = Annotated[str, OneOf(*ITEM_KINDS)]
# A step's state for step items, the schedule's for schedule items, "" for the others.
HandoverStateChoice = Annotated[str, OneOf("", *StepState.values, "active", "inactive")]


def _username(user: Any) -> str:
    return user.get_username() if user is not None else ""


# ---- templates -----------------------------------------------------------------------------------


class TemplateFields(Schema):
    """A template's own fields (no resolvers: detail answers are built as dicts)."""

    id: int
    name: str
    category: str
    description: str
    owner_id: int | None
    owner_name: str
    library_key: str
    archived: bool
    version: int | None  # the current version's number
    task_ids: list[int]
    run_count: int | None = None  # lists only: all runs
    open_runs: int | None = None  # lists only: running runs
    created_at: dt.datetime
    updated_at: dt.datetime


class TemplateOut(TemplateFields):
    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return obj.owner.name if obj.owner_id else ""

    @staticmethod
    def resolve_version(obj: Any) -> int | None:
        return obj.current_version.number if obj.current_version_id else None

    @staticmethod
    def resolve_task_ids(obj: Any) -> list[int]:
        return sorted(task.pk for task in obj.tasks.all())

    @staticmethod
    def resolve_run_count(obj: Any) -> int | None:
        return getattr(obj, "run_count", None)

    @staticmethod
    def resolve_open_runs(obj: Any) -> int | None:
        return getattr(obj, "open_runs", None)


class VersionOut(Schema):
    number: int
    note: str
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_created_by(obj: Any) -> str:
        return _username(obj.created_by)


class VersionDetailOut(VersionOut):
    template_id: int
    spec: dict[str, Any]


class TemplateDetailOut(TemplateFields):
    spec: dict[str, Any] | None  # the current version's definition (canonical form)
    versions: list[VersionOut]


class TemplateQuery(_Query):
    include_archived: bool = False


class TemplateIn(_In):
    """A definition as JSON (``spec``) or as YAML text (``yaml``): one of the two."""

    spec: dict[str, Any] | None = None
    yaml: str | None = Field(None, max_length=1024 * 1024)
    note: str = Field("", max_length=300)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


class TemplateImportIn(_In):
    yaml: str = Field(..., max_length=1024 * 1024)
    update: bool = False  # a template of the same name gets a new version instead of a 409
    note: str = Field("", max_length=300)


class ArchiveIn(_In):
    archived: bool = True


class TasksIn(_In):
    task_ids: list[int] = Field(..., max_length=10_000)


class PreviewQuery(_Query):
    start: dt.date | None = None  # the sample start date; today when not given


class PreviewRowOut(Schema):
    key: str
    name: str
    kind: str
    due_date: dt.date | None
    explanation: str  # the due rule in words
    assignee: str  # the assignee rule in words
    skipped: bool
    depends_on: list[str]
    # The due date falls before the start date or before a step it waits for (not refused).
    warnings: list[str]


class PreviewOut(Schema):
    template_id: int
    version: int
    start: dt.date
    steps: list[PreviewRowOut]


# ---- the library ---------------------------------------------------------------------------------


class LibraryEntryOut(Schema):
    key: str
    name: str
    category: str
    description: str
    notes: str  # how deadlines are counted, with the sources cited
    steps: int
    adopted_template_id: int | None  # this organization's template adopted from the entry


class AdoptIn(_In):
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


class RoleNeedOut(Schema):
    """A role the adopted procedure's steps are assigned by that nobody holds yet."""

    role: RoleChoice  # admin / manager / staff / employee / auditor
    department: str  # "" when any holder in the organization will do
    steps: list[str]  # names of the steps that need it


class AdoptOut(TemplateDetailOut):
    # What to set up before launching: give these roles to people's accounts (members page or
    # PUT /memberships/{id}); until then the steps go to the owner, flagged, or fail without one.
    setup_needed: list[RoleNeedOut]


# ---- runs ----------------------------------------------------------------------------------------


class RunFields(Schema):
    id: int
    template_id: int
    template_name: str
    version: int
    name: str
    params: dict[str, Any]
    start_date: dt.date
    status: RunStatusChoice
    starter_id: int | None
    started_by: str
    schedule_id: int | None
    occurrence: dt.date | None
    created_at: dt.datetime
    completed_at: dt.datetime | None
    steps_total: int | None = None
    steps_finished: int | None = None  # done, approved or skipped
    steps_skipped: int | None = None  # of the finished, those skipped (their condition false)
    steps_late: int | None = None


class RunOut(RunFields):
    @staticmethod
    def resolve_template_name(obj: Any) -> str:
        return str(obj.template.name)

    @staticmethod
    def resolve_version(obj: Any) -> int:
        return int(obj.version.number)

    @staticmethod
    def resolve_started_by(obj: Any) -> str:
        return _username(obj.started_by) if obj.started_by_id else ""

    @staticmethod
    def resolve_steps_total(obj: Any) -> int | None:
        return getattr(obj, "steps_total", None)

    @staticmethod
    def resolve_steps_finished(obj: Any) -> int | None:
        return getattr(obj, "steps_finished", None)

    @staticmethod
    def resolve_steps_skipped(obj: Any) -> int | None:
        return getattr(obj, "steps_skipped", None)

    @staticmethod
    def resolve_steps_late(obj: Any) -> int | None:
        return getattr(obj, "steps_late", None)


class RunQuery(_Query):
    template_id: int | None = Field(None, ge=1, le=MAX_ID)
    status: Literal["running", "completed", "stopped", "cancelled"] | None = None
    assignee: int | None = Field(None, ge=1, le=MAX_ID)  # a person id: runs they hold a step of


class StepFields(Schema):
    id: int
    run_id: int
    run_name: str
    template_id: int
    key: str
    name: str
    position: int
    kind: StepKindChoice
    state: StepStateChoice
    assignee_id: int | None
    assignee_name: str
    assignee_flagged: bool
    due_date: dt.date | None
    depends_on: list[str]
    estimated_minutes: int | None
    actual_minutes: int | None
    ready_at: dt.datetime | None
    completed_at: dt.datetime | None
    revision: int


class StepOut(StepFields):
    @staticmethod
    def resolve_run_name(obj: Any) -> str:
        return str(obj.run.name)

    @staticmethod
    def resolve_template_id(obj: Any) -> int:
        return int(obj.run.template_id)

    @staticmethod
    def resolve_assignee_name(obj: Any) -> str:
        return obj.assignee.name if obj.assignee_id else ""


class RunDetailOut(RunFields):
    parameters: list["ParamDisplayOut"]
    steps: list[StepOut]


class ParamDisplayOut(Schema):
    key: str
    label: str
    display: str  # names for people and departments, dates written out


RunDetailOut.model_rebuild()


class LaunchIn(_In):
    template_id: int = Field(..., ge=1, le=MAX_ID)
    # Raw values by parameter key: people by id or 社員番号, dates as YYYY-MM-DD.
    params: dict[str, Any] = Field(default_factory=dict)
    start_date: dt.date | None = None
    name: str = Field("", max_length=300)


class BulkLaunchIn(_In):
    template_id: int = Field(..., ge=1, le=MAX_ID)
    param_sets: list[dict[str, Any]] = Field(..., min_length=1, max_length=MAX_BULK)
    start_date: dt.date | None = None


class LaunchOut(RunDetailOut):
    # Allowed but worth a look, e.g. a start on a non-business day (in the UI's language).
    warnings: list[str] = []


class BulkLaunchOut(Schema):
    launched: int
    run_ids: list[int]
    warnings: list[str] = []


class CancelIn(_In):
    reason: str = Field("", max_length=MAX_TEXT)


class EventOut(Schema):
    id: int
    run_id: int
    step_id: int | None
    step_name: str
    kind: EventKindChoice
    actor: str  # the actor's name as the timeline shows it
    comment: str
    data: dict[str, Any]
    created_at: dt.datetime

    @staticmethod
    def resolve_step_name(obj: Any) -> str:
        return obj.step.name if obj.step_id else ""

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)


# ---- steps ---------------------------------------------------------------------------------------


class ChecklistItemOut(Schema):
    index: int
    text: str
    checked: bool


class FormFieldOut(Schema):
    key: str
    label: str
    type: FieldTypeChoice
    required: bool
    choices: list[str]
    help: str
    value: Any


class AttachmentOut(Schema):
    id: int
    filename: str
    size: int
    created_at: dt.datetime


class StepDetailOut(StepFields):
    template_name: str
    run_status: RunStatusChoice
    instructions: str  # Markdown as written in the template
    instructions_html: str  # rendered, with the run's parameter values
    checklist: list[ChecklistItemOut]
    form: list[FormFieldOut]
    checklist_done: list[int]
    form_values: dict[str, Any]
    notes: str
    due_rule: str  # the due rule in words
    assignee_rule: str  # the assignee rule in words
    on_reject: str
    dependencies: list[int]  # step ids
    dependents: list[int]
    parameters: list[ParamDisplayOut]
    attachments: list[AttachmentOut]
    can_act: bool  # whether the caller may work on it


class ProgressIn(_In):
    checklist_done: list[int] | None = Field(None, max_length=1000)
    form_values: dict[str, Any] | None = None
    actual_minutes: int | None = Field(None, ge=0, le=100_000)


class CompleteIn(ProgressIn):
    revision: int | None = Field(None, ge=0)  # the revision the caller saw: 409 when it moved


class DecideIn(_In):
    approve: bool
    comment: str = Field("", max_length=MAX_TEXT)
    revision: int | None = Field(None, ge=0)


class ReassignIn(_In):
    """The new assignee by person id or by 社員番号 (one of the two)."""

    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    employee_number: str | None = Field(None, max_length=50)
    comment: str = Field("", max_length=MAX_TEXT)


class ReopenIn(_In):
    reason: str = Field(..., max_length=MAX_TEXT)


class CommentIn(_In):
    text: str = Field(..., max_length=MAX_TEXT)


class MyTasksOut(Schema):
    overdue: list[StepOut]
    today: list[StepOut]
    this_week: list[StepOut]
    later: list[StepOut]
    waiting: list[StepOut]
    counts: dict[str, int]  # per bucket, the full number (each list stops at 200)


# ---- the board, the calendar, insights -----------------------------------------------------------


class BoardTemplateOut(Schema):
    template_id: int
    name: str
    running: int
    steps_total: int
    steps_finished: int  # done, approved or skipped
    steps_skipped: int
    steps_late: int
    progress: int  # percent


class HolderOut(Schema):
    person_id: int | None
    name: str
    employee_number: str
    open: int
    late: int


class BoardOut(Schema):
    today: dt.date
    templates: list[BoardTemplateOut]
    holders: list[HolderOut]
    late_steps: list[StepOut]


class CalendarQuery(_Query):
    year: int | None = Field(None, ge=1900, le=2200)  # this year when not given
    month: int | None = Field(None, ge=1, le=12)  # this month when not given
    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    template_id: int | None = Field(None, ge=1, le=MAX_ID)


class CalendarDayOut(Schema):
    date: dt.date
    steps: list[StepOut]


class CalendarOut(Schema):
    year: int
    month: int
    days: list[CalendarDayOut]


class InsightQuery(_Query):
    round_id: int | None = Field(None, ge=1, le=MAX_ID)


class InsightOut(Schema):
    task_id: int
    task: str  # the inventory path
    template_ids: list[int]
    surveyed_hours: float | None  # per month; None without a survey round
    estimated_hours: float
    actual_hours: float
    runs_launched: int
    runs_completed: int


# ---- schedules -----------------------------------------------------------------------------------


class ScheduleOut(Schema):
    id: int
    template_id: int
    template_name: str
    name: str
    rule: dict[str, Any]
    params: dict[str, Any]
    owner_id: int | None
    active: bool
    next_occurrence: dt.date | None
    last_launched_at: dt.datetime | None
    created_at: dt.datetime
    run_count: int | None = None  # lists only: runs it launched

    @staticmethod
    def resolve_template_name(obj: Any) -> str:
        return str(obj.template.name)

    @staticmethod
    def resolve_run_count(obj: Any) -> int | None:
        return getattr(obj, "run_count", None)


class ScheduleUpdateIn(_In):
    """A change to a schedule: fields left out keep their value."""

    template_id: int = optional(ge=1, le=MAX_ID)
    name: str = optional(min_length=1, max_length=200)
    # e.g. {"kind": "monthly_business_day", "n": 3}: see the user guide for every kind.
    rule: dict[str, Any] = optional()
    params: dict[str, Any] = optional()  # raw values as for a launch
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)
    active: bool = optional()


class ScheduleIn(ScheduleUpdateIn):
    template_id: int = Field(..., ge=1, le=MAX_ID)
    name: str = Field(..., min_length=1, max_length=200)
    rule: dict[str, Any]
    params: dict[str, Any] = Field(default_factory=dict)
    active: bool = True


# ---- handover ------------------------------------------------------------------------------------


class HandoverIn(_In):
    """Who hands over to whom: people by id or 社員番号."""

    from_person: int | str
    to_person: int | str
    effective_date: dt.date

    @field_validator("from_person", "to_person", mode="wrap")
    @classmethod
    def _person_ref(cls, value: Any, handler: Any) -> Any:
        # One message for the field rather than one per member of the union.
        try:
            return handler(value)
        except PydanticValidationError:
            raise ValueError("Give the person's id or 社員番号.") from None


class HandoverExecuteIn(HandoverIn):
    note: str = Field("", max_length=MAX_TEXT)
    # The preview's digest: when given, a plan that changed since answers 409 and does nothing.
    expected_digest: str | None = Field(None, max_length=64)


class HandoverItemOut(Schema):
    kind: HandoverKindChoice  # step, template_rule, template_owner, schedule_owner
    object_id: int
    moves: bool  # False: 残務, completed by the predecessor before the effective date
    template_id: int | None
    template_name: str
    run_id: int | None
    run_name: str
    step_key: str
    step_name: str
    schedule_name: str
    state: HandoverStateChoice
    due_date: dt.date | None
    instructions: str
    checklist: list[str]
    notes: str


class PersonRefOut(Schema):
    id: int
    employee_number: str
    name: str


class HandoverRoleKeptOut(Schema):
    role: RoleChoice
    role_label: str
    department: str  # "" for anywhere in the organization
    template_id: int
    template_name: str
    steps: list[str]


class HandoverPlanOut(Schema):
    from_person: PersonRefOut
    to_person: PersonRefOut
    effective_date: dt.date
    items: list[HandoverItemOut]
    counts: dict[str, int]
    errors: list[str]  # blocking
    warnings: list[str]
    can_execute: bool
    digest: str  # send it back as expected_digest when executing
    # Roles of the predecessor's account that template rules use: the handover cannot move them.
    roles_kept: list[HandoverRoleKeptOut]


class HandoverFields(Schema):
    id: int
    from_person: PersonRefOut
    to_person: PersonRefOut
    effective_date: dt.date
    note: str
    item_count: int
    executed_by: str
    executed_at: dt.datetime


class HandoverOut(HandoverFields):
    @staticmethod
    def resolve_item_count(obj: Any) -> int:
        return len(obj.items)

    @staticmethod
    def resolve_executed_by(obj: Any) -> str:
        return _username(obj.executed_by) if obj.executed_by_id else ""


class HandoverDetailOut(HandoverFields):
    items: list[HandoverItemOut]


# ---- notifications -------------------------------------------------------------------------------


class WebhookOut(Schema):
    id: int
    name: str
    kind: WebhookKindChoice
    url: str  # masked: the path of a webhook URL is its secret
    has_token: bool  # the token itself is never returned
    active: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_url(obj: Any) -> str:
        parts = urllib.parse.urlsplit(obj.url)
        return f"{parts.scheme}://{parts.netloc}/…" if parts.netloc else "…"

    @staticmethod
    def resolve_has_token(obj: Any) -> bool:
        return bool(obj.token)


class WebhookUpdateIn(_In):
    """A change to a webhook: fields left out keep their value (the token too)."""

    name: str = optional(min_length=1, max_length=100)
    kind: Literal["slack", "teams", "chatwork"] = optional()
    url: str = optional(max_length=500)
    # Chatwork's API token: write-only, never returned.
    token: str | None = Field(None, max_length=200)
    active: bool = optional()


class WebhookIn(WebhookUpdateIn):
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["slack", "teams", "chatwork"]
    url: str = Field(..., max_length=500)
    active: bool = True


class DeliveryOut(Schema):
    id: int
    channel: DeliveryChannelChoice
    person_id: int | None
    person_name: str
    webhook_id: int | None
    webhook_name: str
    day: dt.date
    step_ids: list[int]
    subject: str
    status: DeliveryStatusChoice
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str
    sent_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return obj.person.name if obj.person_id else ""

    @staticmethod
    def resolve_webhook_name(obj: Any) -> str:
        return obj.webhook.name if obj.webhook_id else ""


class DeliveryQuery(_Query):
    problems_only: bool = False  # failed and given-up deliveries only
