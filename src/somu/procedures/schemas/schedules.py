"""API schemas of schedules (recurring launches)."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from somu.core.api import MAX_ID, InputSchema, optional

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


class ScheduleUpdateIn(InputSchema):
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
