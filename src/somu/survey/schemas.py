"""API schemas of the survey app: the inventory, rounds, respondents, answers and drill-down rows.

Choice fields are plain strings checked by validators (not enums in unions), so a wrong value
gets a 422 naming exactly the field.
"""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import field_validator, model_validator

from somu.core.api import InputSchema, QuerySchema
from somu.survey.models import (
    MAX_MONTHLY_HOURS,
    Frequency,
    ResponseStatus,
    RoundStatus,
    Scope,
    TaskStatus,
)

FLAGS = ("remote_ok", "outsourceable", "automatable")
MAX_ID = 2**62  # larger ids cannot exist, and overflow some databases' integers


def _choice(value: str | None, choices: Any, *, blank: bool) -> str | None:
    if value is None or (blank and value == ""):
        return value
    allowed = [c.value for c in choices]
    if value not in allowed:
        raise ValueError(f"Choose one of: {', '.join(allowed)}.")
    return value


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
    frequency: str
    difficulty: int | None
    scope: str
    remote_ok: bool
    outsourceable: bool
    automatable: bool
    required_skill_id: int | None
    notes: str
    status: str
    proposed_by_id: int | None
    sort_order: int


class TaskPatch(_In):
    function: str | None = Field(None, min_length=1, max_length=50)
    category: str | None = Field(None, min_length=1, max_length=100)
    subcategory: str | None = Field(None, max_length=100)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    frequency: str | None = None
    difficulty: int | None = Field(None, ge=1, le=5)
    scope: str | None = None
    remote_ok: bool | None = None
    outsourceable: bool | None = None
    automatable: bool | None = None
    required_skill_id: int | None = Field(None, ge=1, le=MAX_ID)
    notes: str | None = None
    status: str | None = None
    sort_order: int | None = Field(None, ge=0, le=2_000_000_000)

    @field_validator("frequency")
    @classmethod
    def _frequency(cls, value: str | None) -> str | None:
        return _choice(value, Frequency, blank=True)

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str | None) -> str | None:
        return _choice(value, Scope, blank=True)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        return _choice(value, TaskStatus, blank=False)


class TaskIn(TaskPatch):
    function: str = Field(..., min_length=1, max_length=50)
    category: str = Field(..., min_length=1, max_length=100)
    subcategory: str = Field("", max_length=100)
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    frequency: str = ""
    scope: str = ""
    remote_ok: bool = False
    outsourceable: bool = False
    automatable: bool = False
    notes: str = ""
    status: str = TaskStatus.ACTIVE.value
    sort_order: int = Field(0, ge=0, le=2_000_000_000)


class TaskQuery(_Query):
    q: str = Field("", max_length=200)
    function: str = Field("", max_length=50)
    status: str = "active"  # "all" for every status
    flag: str = ""

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        return value if value == "all" else _choice(value, TaskStatus, blank=True) or ""

    @field_validator("flag")
    @classmethod
    def _flag(cls, value: str) -> str:
        if value and value not in FLAGS:
            raise ValueError(f"Choose one of: {', '.join(FLAGS)}.")
        return value


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
    status: str
    due_on: dt.date | None
    data_version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class RoundDetailOut(RoundOut):
    progress: ProgressOut


class RoundPatch(_In):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    status: str | None = None
    due_on: dt.date | None = None
    allow_past_due: bool = False  # confirms a due_on that has already passed (else 422)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str | None) -> str | None:
        return _choice(value, RoundStatus, blank=False)


class RoundIn(RoundPatch):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = ""
    status: str = RoundStatus.DRAFT.value


class RespondentOut(Schema):
    id: int
    person_id: int
    employee_number: str
    name: str
    department: str
    status: str
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
    status: str = ""

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        return _choice(value, ResponseStatus, blank=True) or ""


class InviteIn(_In):
    department_ids: list[int] = Field(default_factory=list, max_length=10_000)
    person_ids: list[int] = Field(default_factory=list, max_length=100_000)
    include_subdepartments: bool = True
    send_mail: bool = True


class InviteOut(Schema):
    invited: int  # new respondents
    respondents: int  # respondents of the round now
    status: str  # the round's status (a draft is opened by inviting)


class RemindIn(_In):
    respondent_ids: list[int] | None = Field(None, max_length=100_000)


class RemindOut(Schema):
    reminded: int


# ---- answers -------------------------------------------------------------------------------------


class AnswerIn(_In):
    task_id: int = Field(..., ge=1, le=MAX_ID)
    hours: Decimal | None = Field(None, ge=0, le=MAX_MONTHLY_HOURS)
    monthly: list[Decimal] | None = Field(None, min_length=12, max_length=12)
    level: int | None = Field(None, ge=0, le=4)

    @field_validator("monthly")
    @classmethod
    def _monthly(cls, values: list[Decimal] | None) -> list[Decimal] | None:
        if values is not None:
            for value in values:
                if not value.is_finite() or not 0 <= value <= MAX_MONTHLY_HOURS:
                    raise ValueError(f"Each month must be between 0 and {MAX_MONTHLY_HOURS} hours.")
        return values

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
    status: str
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
    flag: str | None = None
    dependent: bool = False  # only the person-dependent (属人化) tasks
    qualification: Literal["over", "under"] | None = None
    orphaned_of: int | None = Field(None, ge=1, le=MAX_ID)  # tasks orphaned if they leave

    @field_validator("flag")
    @classmethod
    def _flag(cls, value: str | None) -> str | None:
        if value and value not in FLAGS:
            raise ValueError(f"Choose one of: {', '.join(FLAGS)}.")
        return value or None


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
