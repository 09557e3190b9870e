"""The template definition (spec): typed, validated, Django-free.

A template version is stored as the canonical dict :func:`.canonical.spec_dict` returns (read
back by :func:`.parse.parse_spec_dict`), and written to and read from YAML in the same shape (see
docs/user/procedures.md for the format)::

    somu: procedure/1
    name: 入社手続き
    category: 人事労務
    description: 新しく入社する人の社会保険・雇用保険・アカウント発行まで
    notes: 根拠法令の出典 …
    on_unresolved_assignee: fail        # or: owner (the step goes to the template owner, flagged)
    tasks: [人事労務 > 入退社 > 入社手続き]   # work-inventory tasks this procedure standardizes
    parameters:
      - {key: 入社者, label: 入社者, type: person, required: true}
      - {key: 入社日, label: 入社日, type: date, required: true}
      - {key: 雇用形態, type: choice, choices: [正社員, 契約社員, パート], default: 正社員}
      - {key: 貸与PC台数, type: number, min: 0, max: 10, default: 1}   # min/max: number, date
    steps:
      - key: shaho
        name: 健康保険・厚生年金保険 被保険者資格取得届
        instructions: "{{入社者}}さんの資格取得届を年金事務所へ提出する。"
        assignee: {role: staff, department: 人事部}
        due: {from: 入社日, offset: 5, unit: calendar, roll: previous}
        depends_on: [docs]
        condition: 雇用形態 in ['正社員', '契約社員']
        checklist: [基礎年金番号を確認, 届出を電子申請]
        form: [{key: receipt_no, label: 受付番号, type: text, required: true}]
        estimated_minutes: 30
        notes: 健康保険法施行規則第24条（事実発生から5日以内）

Other forms: ``assignee`` is ``{person: S0001}`` (社員番号), ``{role: staff, department: 人事部}``
(no department = the whole organization), ``{param: 入社者}``, ``{manager_of: 入社者}``,
``{manager_of: starter}`` or ``starter`` (the default). ``due`` is ``{from: X, offset: N, unit:
business|calendar, roll: none|previous|next}`` (X = ``start`` or a date parameter; N may be
negative), ``{from: X, end_of_month: true, months: 0}``, ``{from: X, day_of_month: 10, months: 1}``
or ``{after: <step key>, offset: 2}`` (the step must be among its dependencies). Approval steps
take ``kind: approval`` and ``on_reject: stop | reopen:<key of an earlier step>``. Instructions
may use ``{{start}}`` and ``{{starter}}`` besides the parameters.

Rules (each in its own small module): conditions in :mod:`somu.rules.expr`, due dates in
:mod:`somu.rules.due`, the dependency graph and launch planning in :mod:`.plan`, schedules in
:mod:`somu.rules.recurrence`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, Literal

# The due rule is shared with other apps; it is re-exported here as part of the spec.
from somu.rules.due import START as START
from somu.rules.due import DueRule as DueRule
from somu.rules.due import Roll as Roll

# Form fields are shared with approvals' request types; re-exported here as part of the spec.
from somu.rules.forms import FIELD_TYPES as FIELD_TYPES
from somu.rules.forms import FieldType as FieldType
from somu.rules.forms import FormFieldSpec as FormFieldSpec

SPEC_FORMAT: Final = "procedure/1"

ParamType = Literal["person", "date", "choice", "text", "number", "department", "boolean"]
PARAM_TYPES: Final[tuple[str, ...]] = (
    "person", "date", "choice", "text", "number", "department", "boolean",
)
StepKindName = Literal["task", "approval"]
AssigneeKind = Literal["person", "role", "param", "manager_of", "starter"]
ROLE_NAMES: Final[tuple[str, ...]] = ("admin", "manager", "staff", "employee")
STARTER: Final = "starter"  # the assignee rule (and manager_of value) meaning the run's starter
# {{ key }} in instructions: a parameter's display value (or {{start}}, {{starter}}).
PLACEHOLDER_RE: Final = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


@dataclass(frozen=True)
class SpecProblem:
    """One validation problem: ``path`` names where (e.g. ``steps[3].due.from``)."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(ValueError):
    """The document is not a valid template; ``problems`` lists every problem found."""

    def __init__(self, problems: list[SpecProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


# The bounds of a number or date parameter that gives none: a value beyond them is a typo
# (1e308 yen, the year 1900), not data a procedure can use.
NUMBER_LIMIT: Final = Decimal("1e12")
DATE_MIN: Final = dt.date(2000, 1, 1)
DATE_MAX: Final = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class ParameterSpec:
    key: str  # an identifier (Japanese allowed): used in {{key}}, due rules and conditions
    label: str
    type: ParamType
    required: bool = True
    choices: tuple[str, ...] = ()  # for type "choice"
    default: Any = None
    help: str = ""
    # For number (int/float) and date (ISO text) parameters: the accepted range, inclusive.
    min: Any = None
    max: Any = None

    def number_bounds(self) -> tuple[Decimal, Decimal]:
        """The range a number parameter accepts: its min/max, else ±:data:`NUMBER_LIMIT`."""
        low = -NUMBER_LIMIT if self.min is None else Decimal(str(self.min))
        high = NUMBER_LIMIT if self.max is None else Decimal(str(self.max))
        return low, high

    def date_bounds(self) -> tuple[dt.date, dt.date]:
        """The range a date parameter accepts: its min/max, else 2000-01-01 … 2100-12-31."""
        low = DATE_MIN if self.min is None else dt.date.fromisoformat(self.min)
        high = DATE_MAX if self.max is None else dt.date.fromisoformat(self.max)
        return low, high


@dataclass(frozen=True)
class AssigneeRule:
    """Who gets the step.

    - ``person``: a specific person, ``value`` = 社員番号;
    - ``role``: a holder of ``role`` (admin/manager/staff/employee) in department ``value``
      (department name or code; subdepartments included), the one with the fewest open steps;
    - ``param``: the person given in parameter ``value``;
    - ``manager_of``: the manager of the person in parameter ``value`` (or of the starter when
      ``value`` is "starter");
    - ``starter``: whoever launched the run.
    """

    kind: AssigneeKind
    value: str = ""
    role: str = ""


@dataclass(frozen=True)
class StepSpec:
    key: str
    name: str
    kind: StepKindName = "task"
    instructions: str = ""  # Markdown; {{param}} is replaced by the parameter's display value
    assignee: AssigneeRule = field(default_factory=lambda: AssigneeRule("starter"))
    due: DueRule | None = None
    depends_on: tuple[str, ...] = ()
    condition: str = ""  # an expression of .expr; "" = always
    checklist: tuple[str, ...] = ()
    form: tuple[FormFieldSpec, ...] = ()
    estimated_minutes: int | None = None
    # Approval steps: on rejection "stop" the run, or "reopen:<step key>" to send it back.
    on_reject: str = "stop"
    notes: str = ""  # e.g. the statutory basis of the deadline, with its source


@dataclass(frozen=True)
class TemplateSpec:
    name: str
    steps: tuple[StepSpec, ...]
    parameters: tuple[ParameterSpec, ...] = ()
    category: str = ""
    description: str = ""
    notes: str = ""
    on_unresolved_assignee: Literal["fail", "owner"] = "fail"
    # Inventory tasks this procedure standardizes, as "function > category > … > name" paths.
    tasks: tuple[str, ...] = ()

    def parameter(self, key: str) -> ParameterSpec | None:
        return next((p for p in self.parameters if p.key == key), None)

    def step(self, key: str) -> StepSpec | None:
        return next((s for s in self.steps if s.key == key), None)

