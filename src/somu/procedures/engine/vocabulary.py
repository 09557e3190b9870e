"""The words of a template's dict form: its fields in documented order, the values some of
them take, and the limits a template stays within (read by :mod:`.parse`)."""

from __future__ import annotations

from typing import Final

from somu.procedures.engine.spec import START, STARTER

MAX_STEPS: Final = 200
MAX_PARAMETERS: Final = 50
MAX_KEY_LENGTH: Final = 100
MAX_NAME_LENGTH: Final = 200
MAX_OFFSET_DAYS: Final = 3660
MAX_MONTHS: Final = 120

TOP_FIELDS: Final = (
    "somu", "name", "category", "description", "notes", "on_unresolved_assignee", "tasks",
    "parameters", "steps",
)
PARAM_FIELDS: Final = (
    "key", "label", "type", "required", "choices", "default", "help", "min", "max",
)
STEP_FIELDS: Final = (
    "key", "name", "kind", "instructions", "assignee", "due", "depends_on", "condition",
    "checklist", "form", "estimated_minutes", "on_reject", "notes",
)
FORM_FIELDS: Final = ("key", "label", "type", "required", "choices", "help")
DUE_FIELDS: Final = (
    "from", "after", "offset", "unit", "end_of_month", "day_of_month", "months", "roll",
)
ASSIGNEE_KINDS: Final = ("person", "role", "param", "manager_of", "starter")
STEP_KINDS: Final = ("task", "approval")
UNITS: Final = ("business", "calendar")
ON_UNRESOLVED: Final = ("fail", "owner")
# Names a parameter cannot take: they mean something else in due rules and assignee rules,
# or are words of the condition language.
RESERVED_KEYS: Final = frozenset({
    START, STARTER, "and", "or", "not", "in", "true", "false", "null", "True", "False", "None",
})
# {{start}} and {{starter}} may be used in instructions besides the parameters.
PLACEHOLDERS: Final = frozenset({START, STARTER})
