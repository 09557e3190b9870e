"""API schemas of handovers (引継ぎ): the plan, its items and executed handovers."""

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ValidationError as PydanticValidationError
from pydantic import field_validator

from somu.core.api import InputSchema
from somu.procedures.schemas.common import (
    MAX_TEXT,
    HandoverKindChoice,
    HandoverStateChoice,
    RoleChoice,
    username,
)

# ---- handover ------------------------------------------------------------------------------------


class HandoverIn(InputSchema):
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
        return username(obj.executed_by) if obj.executed_by_id else ""


class HandoverDetailOut(HandoverFields):
    items: list[HandoverItemOut]
