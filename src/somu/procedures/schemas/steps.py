"""API schemas of working on steps, my tasks, the board, the due-date calendar and insights."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from somu.core.api import MAX_ID, InputSchema, QuerySchema
from somu.procedures.schemas.common import MAX_TEXT, FieldTypeChoice, RunStatusChoice
from somu.procedures.schemas.runs import ParamDisplayOut, StepFields, StepOut

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


class ProgressIn(InputSchema):
    checklist_done: list[int] | None = Field(None, max_length=1000)
    form_values: dict[str, Any] | None = None
    actual_minutes: int | None = Field(None, ge=0, le=100_000)


class CompleteIn(ProgressIn):
    revision: int | None = Field(None, ge=0)  # the revision the caller saw: 409 when it moved


class DecideIn(InputSchema):
    approve: bool
    comment: str = Field("", max_length=MAX_TEXT)
    revision: int | None = Field(None, ge=0)


class ReassignIn(InputSchema):
    """The new assignee by person id or by 社員番号 (one of the two)."""

    assignee_id: int | None = Field(None, ge=1, le=MAX_ID)
    employee_number: str | None = Field(None, max_length=50)
    comment: str = Field("", max_length=MAX_TEXT)


class ReopenIn(InputSchema):
    reason: str = Field(..., max_length=MAX_TEXT)


class CommentIn(InputSchema):
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


class CalendarQuery(QuerySchema):
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


class InsightQuery(QuerySchema):
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
