"""What the procedures API schemas share: input and query bases, limits, and the fixed-value
fields listed as enums in the document.

Input schemas forbid unknown fields and strip whitespace, so a typo is a 422 naming the field.
Required fields of bodies sent to ``…/{id}`` operations take any plain value (ids are looked up
before the values are checked), so another organization's id answers 404 whatever the body.
"""

from typing import Annotated, Any

from somu.core.api import OneOf
from somu.core.permissions import Role
from somu.procedures.engine.spec import FIELD_TYPES
from somu.procedures.models import (
    EventKind,
    RunStatus,
    StepKind,
    StepState,
)
from somu.procedures.services.handover import ITEM_KINDS

MAX_BULK = 10_000  # parameter sets per bulk launch
MAX_TEXT = 20_000

# Fixed-value fields of answers, listed as enums in the document (built from the models' choices,
# so a new value cannot be answered before the document names it).
RoleChoice = Annotated[str, OneOf(*(role.value for role in Role))]
RunStatusChoice = Annotated[str, OneOf(*RunStatus.values)]
StepKindChoice = Annotated[str, OneOf(*StepKind.values)]
StepStateChoice = Annotated[str, OneOf(*StepState.values)]
EventKindChoice = Annotated[str, OneOf(*EventKind.values)]
FieldTypeChoice = Annotated[str, OneOf(*FIELD_TYPES)]
HandoverKindChoice = Annotated[str, OneOf(*ITEM_KINDS)]
# A step's state for step items, the schedule's for schedule items, "" for the others.
HandoverStateChoice = Annotated[str, OneOf("", *StepState.values, "active", "inactive")]


def username(user: Any) -> str:
    return user.get_username() if user is not None else ""
