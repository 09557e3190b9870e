"""API schemas of the survey app: the inventory, rounds, respondents, answers and drill-down rows.

Choice fields are strings with ``OneOf`` (not enums in unions): the document lists their values
and a wrong value gets a 422 naming exactly the field. A PATCH field that cannot be empty is
``optional()``: it may be left out, not set to null.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import model_validator

from somu.core.api import MAX_ID, DecimalText, InputSchema, OneOf, QuerySchema, optional
from somu.survey.models import (
    MAX_MONTHLY_HOURS,
    Frequency,
    ResponseStatus,
    RoundStatus,
    Scope,
    TaskStatus,
)

FLAGS = ("remote_ok", "outsourceable", "automatable")


FrequencyChoice = Annotated[str, OneOf("", *Frequency.values)]
ScopeChoice = Annotated[str, OneOf("", *Scope.values)]
TaskStatusChoice = Annotated[str, OneOf(*TaskStatus.values)]
RoundStatusChoice = Annotated[str, OneOf(*RoundStatus.values)]
ResponseStatusChoice = Annotated[str, OneOf(*ResponseStatus.values)]
# Hours as a number, or as text so that a value read can be sent back unchanged.
Hours = Annotated[Decimal, Field(ge=0, le=MAX_MONTHLY_HOURS), DecimalText()]


_Query = QuerySchema
_In = InputSchema


# ---- the inventory -------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    function: str
    category: str
    subcategory: str
    name: str
    path: str
    description: str
    frequency: FrequencyChoice
    difficulty: int | None
    scope: ScopeChoice
    remote_ok: bool
    outsourceable: bool
    automatable: bool
    required_skill_id: int | None
    notes: str
    status: TaskStatusChoice
    proposed_by_id: int | None
    sort_order: int


class TaskPatch(_In):
    function: str = optional(min_length=1, max_length=50)
    category: str = optional(min_length=1, max_length=100)
    subcategory: str = optional(max_length=100)
    name: str = optional(min_length=1, max_length=200)
    description: str = optional()
    frequency: FrequencyChoice = optional()
    difficulty: int | None = Field(None, ge=1, le=5)
    scope: ScopeChoice = optional()
    remote_ok: bool = optional()
    outsourceable: bool = optional()
    automatable: bool = optional()
    required_skill_id: int | None = Field(None, ge=1, le=MAX_ID)
    notes: str = optional()
    status: TaskStatusChoice = optional()
    sort_order: int = optional(ge=0, le=2_000_000_000)


class TaskIn(TaskPatch):
    function: str = Field(..., min_length=1, max_length=50)
    category: str = Field(..., min_length=1, max_length=100)
    subcategory: str = Field("", max_length=100)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    frequency: FrequencyChoice = ""
    scope: ScopeChoice = ""
    remote_ok: bool = False
    outsourceable: bool = False
    automatable: bool = False
    notes: str = ""
    status: TaskStatusChoice = TaskStatus.ACTIVE.value
    sort_order: int = Field(0, ge=0, le=2_000_000_000)


class TaskQuery(_Query):
    q: str = Field("", max_length=200)
    function: str = Field("", max_length=50)
    status: Annotated[str, OneOf("", *TaskStatus.values, "all")] = "active"  # "all": every status
    flag: Annotated[str, OneOf("", *FLAGS)] = ""


# ---- rounds and respondents ----------------------------------------------------------------------


class ProgressOut(Schema):
    invited: int
    not_started: int
    in_progress: int
    submitted: int
    rate: float


class RoundOut(Schema):
    id: int
    name: str
    description: str
    status: RoundStatusChoice
    due_on: dt.date | None
    data_version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class RoundDetailOut(RoundOut):
    progress: ProgressOut


class RoundPatch(_In):
    name: str = optional(min_length=1, max_length=200)
    description: str = optional()
    status: RoundStatusChoice = optional()
    due_on: dt.date | None = None
    allow_past_due: bool = False  # confirms a due_on that has already passed (else 422)


class RoundIn(RoundPatch):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    status: RoundStatusChoice = RoundStatus.DRAFT.value


class RespondentOut(Schema):
    id: int
    person_id: int
    employee_number: str
    name: str
    department: str
    status: ResponseStatusChoice
    invited_at: dt.datetime
    saved_at: dt.datetime | None
    submitted_at: dt.datetime | None
    reminded_at: dt.datetime | None
    reminder_count: int

    @staticmethod
    def resolve_employee_number(obj: Any) -> str:
        return str(obj.person.employee_number)

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.person.name)

    @staticmethod
    def resolve_department(obj: Any) -> str:
        return obj.person.department.name if obj.person.department_id else ""


class RespondentQuery(_Query):
    status: Annotated[str, OneOf("", *ResponseStatus.values)] = ""


class InviteIn(_In):
    department_ids: list[int] = Field(default_factory=list, max_length=10_000)
    person_ids: list[int] = Field(default_factory=list, max_length=100_000)
    include_subdepartments: bool = True
    send_mail: bool = True


class InviteOut(Schema):
    invited: int  # new respondents
    respondents: int  # respondents of the round now
    status: RoundStatusChoice  # the round's status (a draft is opened by inviting)


class RemindIn(_In):
    respondent_ids: list[int] | None = Field(None, max_length=100_000)


class RemindOut(Schema):
    reminded: int


# ---- answers -------------------------------------------------------------------------------------


class AnswerIn(_In):
    task_id: int = Field(..., ge=1, le=MAX_ID)
    hours: Hours | None = None
    monthly: list[Hours] | None = Field(None, min_length=12, max_length=12)
    level: int | None = Field(None, ge=0, le=4)

    @model_validator(mode="after")
    def _hours_or_monthly(self) -> "AnswerIn":
        if self.hours is not None and self.monthly is not None:
            raise ValueError("Give hours or monthly, not both.")
        return self


class AnswersIn(_In):
    answers: list[AnswerIn] = Field(..., max_length=5_000)
    submit: bool = False


class AnswerOut(Schema):
    task_id: int
    hours: float | None
    monthly: list[float] | None
    level: int | None


class MyAnswersOut(Schema):
    round_id: int
    respondent_id: int
    status: ResponseStatusChoice
    saved_at: dt.datetime | None
    submitted_at: dt.datetime | None
    answers: list[AnswerOut]


# ---- import --------------------------------------------------------------------------------------


class ImportOut(Schema):
    layout: str
    rows: int
    people: int
    tasks: int
    hours_saved: int
    hours_removed: int
    capabilities_saved: int
    tasks_created: int
    tasks_updated: int
    respondents_created: int


class RowErrorOut(Schema):
    row: int | None
    column: str
    value: str
    reason: str


class FieldErrorOut(Schema):
    field: str
    message: str


class ImportErrorDetail(Schema):
    code: str
    message: str
    fields: list[FieldErrorOut] = []
    rows: list[RowErrorOut] = []


class ImportErrorOut(Schema):
    error: ImportErrorDetail


# ---- the analysis --------------------------------------------------------------------------------


class AnalysisQuery(_Query):
    refresh: bool = False


class DrillQuery(_Query):
    """The filters of :class:`somu.survey.selectors.HoursDrill`; all optional, combined."""

    function: str | None = Field(None, max_length=50)
    category: str | None = Field(None, max_length=100)
    department_id: int | None = Field(None, ge=0, le=MAX_ID)  # 0: people without a department
    grade: str | None = Field(None, max_length=32)  # empty: people without a grade
    person_id: int | None = Field(None, ge=1, le=MAX_ID)
    task_id: int | None = Field(None, ge=1, le=MAX_ID)
    flag: Annotated[str, OneOf("", *FLAGS)] | None = None
    dependent: bool = False  # only the person-dependent (属人化) tasks
    qualification: Literal["over", "under"] | None = None
    orphaned_of: int | None = Field(None, ge=1, le=MAX_ID)  # tasks orphaned if they leave


class HoursRowOut(Schema):
    id: int
    person_id: int
    employee_number: str
    person: str
    department: str
    grade: str
    task_id: int
    function: str
    category: str
    subcategory: str
    task: str
    hours: float
    monthly: list[float] | None

    @staticmethod
    def resolve_employee_number(obj: Any) -> str:
        return str(obj.person.employee_number)

    @staticmethod
    def resolve_person(obj: Any) -> str:
        return str(obj.person.name)

    @staticmethod
    def resolve_department(obj: Any) -> str:
        return obj.person.department.name if obj.person.department_id else ""

    @staticmethod
    def resolve_grade(obj: Any) -> str:
        return obj.person.grade.code if obj.person.grade_id else ""

    @staticmethod
    def resolve_function(obj: Any) -> str:
        return str(obj.task.function)

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.task.category)

    @staticmethod
    def resolve_subcategory(obj: Any) -> str:
        return str(obj.task.subcategory)

    @staticmethod
    def resolve_task(obj: Any) -> str:
        return str(obj.task.name)

    @staticmethod
    def resolve_monthly(obj: Any) -> list[float] | None:
        return [float(v) for v in obj.monthly] if obj.monthly is not None else None


class CompareQuery(_Query):
    before: int = Field(..., ge=1, le=MAX_ID)
    after: int = Field(..., ge=1, le=MAX_ID)
