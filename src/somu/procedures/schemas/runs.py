"""API schemas of runs: listing, launching (one or in bulk), a run with its steps and events."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from somu.core.api import MAX_ID, InputSchema, QuerySchema
from somu.procedures.schemas.common import (
    MAX_BULK,
    MAX_TEXT,
    EventKindChoice,
    RunStatusChoice,
    StepKindChoice,
    StepStateChoice,
    username,
)

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
        return username(obj.started_by) if obj.started_by_id else ""

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


class RunQuery(QuerySchema):
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


class LaunchIn(InputSchema):
    template_id: int = Field(..., ge=1, le=MAX_ID)
    # Raw values by parameter key: people by id or 社員番号, dates as YYYY-MM-DD.
    params: dict[str, Any] = Field(default_factory=dict)
    start_date: dt.date | None = None
    name: str = Field("", max_length=300)


class BulkLaunchIn(InputSchema):
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


class CancelIn(InputSchema):
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
