"""A template's dict form (YAML or stored JSON) to a validated :class:`TemplateSpec` and back.

:func:`parse_spec_dict` accepts the friendly forms people write in YAML (see :mod:`.spec`) and
reports every problem at once, each with a path such as ``steps[2].due.from``.
:func:`spec_dict` writes the canonical form: defaults omitted, keys in the documented order, so
that export → import → export gives the same text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, cast

from somu.procedures.engine.canonical import assignee_dict, due_dict, spec_dict
from somu.procedures.engine.plan import find_cycle, transitive_dependencies
from somu.procedures.engine.spec import (
    DATE_MAX,
    DATE_MIN,
    FIELD_TYPES,
    NUMBER_LIMIT,
    PARAM_TYPES,
    PLACEHOLDER_RE,
    ROLE_NAMES,
    SPEC_FORMAT,
    START,
    STARTER,
    AssigneeRule,
    DueRule,
    FormFieldSpec,
    ParameterSpec,
    SpecError,
    SpecProblem,
    StepSpec,
    TemplateSpec,
)
from somu.procedures.engine.vocabulary import (
    ASSIGNEE_KINDS,
    DUE_FIELDS,
    FORM_FIELDS,
    MAX_KEY_LENGTH,
    MAX_MONTHS,
    MAX_NAME_LENGTH,
    MAX_OFFSET_DAYS,
    MAX_PARAMETERS,
    MAX_STEPS,
    ON_UNRESOLVED,
    PARAM_FIELDS,
    PLACEHOLDERS,
    RESERVED_KEYS,
    STEP_FIELDS,
    STEP_KINDS,
    TOP_FIELDS,
    UNITS,
)
from somu.rules.due import ROLLS
from somu.rules.expr import ExprError, parse_condition

__all__ = ["assignee_dict", "due_dict", "parse_spec_dict", "spec_dict"]

def parse_spec_dict(data: Mapping[str, Any]) -> TemplateSpec:
    """A validated spec from its dict form (YAML or stored JSON).

    Raises :class:`SpecError` listing every problem: missing or wrong-typed fields, duplicate
    keys, unknown dependency, dependency cycle (naming the cycle, e.g. "a → b → a"), unknown
    parameter in a due rule, condition or assignee rule, a due rule on a non-date parameter, an
    ``after`` step that is not a (transitive) dependency, an assignee parameter that is not a
    person, a bad condition expression, ``on_reject`` naming an unknown step.
    """
    return _Parser().document(data)


def _fmt(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _one_of(allowed: Sequence[str]) -> str:
    return "one of " + ", ".join(allowed)


class _Parser:
    def __init__(self) -> None:
        self.problems: list[SpecProblem] = []
        self.param_types: dict[str, str] = {}
        self.param_choices: dict[str, tuple[str, ...]] = {}

    def problem(self, path: str, message: str) -> None:
        self.problems.append(SpecProblem(path, message))

    # --- typed field readers (None: absent or reported) -------------------------------------

    def fields(self, data: Any, path: str, allowed: Sequence[str], what: str) -> bool:
        if not isinstance(data, Mapping):
            self.problem(path, f"{what} must be a mapping (key: value)")
            return False
        for name in data:
            if name not in allowed:
                hint = difflib.get_close_matches(str(name), allowed, n=1)
                suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
                self.problem(_join(path, str(name)), f"unknown field{suffix}")
        return True

    def text(
        self, data: Mapping[str, Any], name: str, path: str, *, required: bool = False,
        max_length: int = 0,
    ) -> str:
        value = data.get(name)
        where = _join(path, name)
        if value is None or value == "":
            if required:
                self.problem(where, "is required")
            return ""
        if isinstance(value, bool):
            self.problem(where, f"must be text, not {str(value).lower()}")
            return ""
        if isinstance(value, int | float | Decimal):
            value = str(value)  # YAML reads 2026 or 1.5 as numbers; they are meant as text
        elif isinstance(value, dt.date):
            value = value.isoformat()
        if not isinstance(value, str):
            self.problem(where, f"must be text, not a {_type_name(value)}")
            return ""
        if max_length and len(value) > max_length:
            self.problem(where, f"longer than {max_length} characters")
        return value

    def key(self, data: Mapping[str, Any], path: str) -> str:
        value = data.get("key")
        where = _join(path, "key")
        if value is None or value == "":
            self.problem(where, "is required")
            return ""
        if not isinstance(value, str) or not value.isidentifier():
            self.problem(
                where, f"{_fmt(value)} is not a valid key (letters, digits and _, "
                "not starting with a digit; Japanese is fine)",
            )
            return ""
        if len(value) > MAX_KEY_LENGTH:
            self.problem(where, f"longer than {MAX_KEY_LENGTH} characters")
        return value

    def integer(
        self, data: Mapping[str, Any], name: str, path: str, *, low: int, high: int
    ) -> int | None:
        value = data.get(name)
        if value is None:
            return None
        where = _join(path, name)
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"must be a whole number, not {_fmt(value)}")
            return None
        if not low <= value <= high:
            self.problem(where, f"must be between {low} and {high}")
            return None
        return value

    def boolean(self, data: Mapping[str, Any], name: str, path: str) -> bool | None:
        value = data.get(name)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.problem(_join(path, name), f"must be true or false, not {_fmt(value)}")
            return None
        return value

    def choice(
        self, data: Mapping[str, Any], name: str, path: str, allowed: Sequence[str], default: str
    ) -> str:
        value = data.get(name)
        if value is None:
            return default
        if value not in allowed:
            self.problem(_join(path, name), f"{_fmt(value)} is not {_one_of(allowed)}")
            return default
        return cast(str, value)

    def text_list(self, data: Mapping[str, Any], name: str, path: str) -> tuple[str, ...]:
        value = data.get(name)
        where = _join(path, name)
        if value is None:
            return ()
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            value = [value]  # a single item written without brackets
        if not isinstance(value, list | tuple):
            self.problem(where, f"must be a list, not a {_type_name(value)}")
            return ()
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, int | float | Decimal) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{where}[{i}]", "must be non-empty text")
                continue
            out.append(item)
        return tuple(out)

    def items(self, data: Mapping[str, Any], name: str, path: str, limit: int) -> list[Any]:
        value = data.get(name)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.problem(_join(path, name), f"must be a list, not a {_type_name(value)}")
            return []
        if len(value) > limit:
            self.problem(_join(path, name), f"at most {limit} allowed, found {len(value)}")
            return []
        return list(value)

    # --- the document ---------------------------------------------------------------------

    def document(self, data: Mapping[str, Any]) -> TemplateSpec:
        if not self.fields(data, "", TOP_FIELDS, "the template"):
            raise SpecError(self.problems)
        version = data.get("somu")
        if version is not None and version != SPEC_FORMAT:
            self.problem("somu", f"unsupported format {_fmt(version)} (expected '{SPEC_FORMAT}')")
        name = self.text(data, "name", "", required=True, max_length=MAX_NAME_LENGTH)
        category = self.text(data, "category", "", max_length=100)
        description = self.text(data, "description", "")
        notes = self.text(data, "notes", "")
        on_unresolved = self.choice(data, "on_unresolved_assignee", "", ON_UNRESOLVED, "fail")
        tasks = self.text_list(data, "tasks", "")
        parameters = self.parameters(self.items(data, "parameters", "", MAX_PARAMETERS))
        raw_steps = self.items(data, "steps", "", MAX_STEPS)
        if "steps" not in data or (not raw_steps and isinstance(data.get("steps"), list)):
            self.problem("steps", "at least one step is required")
        steps = [self.step(raw, f"steps[{i}]") for i, raw in enumerate(raw_steps)]
        self.check_graph(steps)
        if self.problems:
            raise SpecError(self.problems)
        return TemplateSpec(
            name=name, steps=tuple(s for s, _ in steps if s is not None),
            parameters=parameters, category=category, description=description, notes=notes,
            on_unresolved_assignee=cast(Any, on_unresolved), tasks=tasks,
        )

    def parameters(self, raw: list[Any]) -> tuple[ParameterSpec, ...]:
        out: list[ParameterSpec] = []
        for i, item in enumerate(raw):
            path = f"parameters[{i}]"
            if not self.fields(item, path, PARAM_FIELDS, "a parameter"):
                continue
            key = self.key(item, path)
            if key in RESERVED_KEYS:
                self.problem(_join(path, "key"), f"'{key}' is reserved; choose another key")
            elif key in self.param_types:
                self.problem(_join(path, "key"), f"duplicate parameter '{key}'")
            type_ = self.choice(item, "type", path, PARAM_TYPES, "text")
            choices = self.text_list(item, "choices", path)
            if key and key not in self.param_types:
                self.param_types[key] = type_
                if type_ == "choice":
                    self.param_choices[key] = choices
            if type_ == "choice" and not choices:
                self.problem(_join(path, "choices"), "a choice parameter needs choices")
            elif type_ != "choice" and choices:
                self.problem(_join(path, "choices"), "only a choice parameter has choices")
            if len(set(choices)) != len(choices):
                self.problem(_join(path, "choices"), "duplicate choice")
            default = self.default(item.get("default"), type_, choices, _join(path, "default"))
            low, high = self.bounds(item, type_, path)
            if default is not None and not self.within(default, type_, low, high):
                self.problem(_join(path, "default"), "is outside min … max")
            required = self.boolean(item, "required", path)
            out.append(ParameterSpec(
                key=key, label=self.text(item, "label", path, max_length=MAX_NAME_LENGTH) or key,
                type=cast(Any, type_), required=True if required is None else required,
                choices=choices, default=default, help=self.text(item, "help", path),
                min=low, max=high,
            ))
        return tuple(out)

    def bounds(self, item: Mapping[str, Any], type_: str, path: str) -> tuple[Any, Any]:
        """``min`` and ``max`` of a number (a number) or date (ISO text) parameter."""
        found: dict[str, Any] = {}
        for name in ("min", "max"):
            value = item.get(name)
            where = _join(path, name)
            if value is None:
                continue
            if type_ not in ("number", "date"):
                self.problem(where, "only a number or date parameter has min and max")
            elif type_ == "number":
                if isinstance(value, bool) or not isinstance(value, int | float):
                    self.problem(where, f"must be a number, not {_fmt(value)}")
                elif not math.isfinite(value) or abs(Decimal(str(value))) > NUMBER_LIMIT:
                    self.problem(where, f"must be between {-NUMBER_LIMIT:f} and {NUMBER_LIMIT:f}")
                else:
                    found[name] = value
            else:
                day = self.date_value(value, where)
                if day is not None and not DATE_MIN.year - 100 <= day.year <= DATE_MAX.year + 100:
                    self.problem(where, "must be a year between 1900 and 2200")
                elif day is not None:
                    found[name] = day.isoformat()
        low, high = found.get("min"), found.get("max")
        if low is not None and high is not None and not self.within(low, type_, None, high):
            self.problem(_join(path, "max"), "must not be less than min")
            return None, None
        return low, high

    def date_value(self, value: Any, where: str) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.problem(where, f"must be a date like 2026-04-01, not {_fmt(value)}")
            return None

    @staticmethod
    def within(value: Any, type_: str, low: Any, high: Any) -> bool:
        if type_ == "number":
            number = Decimal(str(value))
            return (low is None or number >= Decimal(str(low))) and (
                high is None or number <= Decimal(str(high)))
        if type_ == "date":  # ISO text compares in date order
            return (low is None or str(value) >= low) and (high is None or str(value) <= high)
        return True

    def default(self, value: Any, type_: str, choices: tuple[str, ...], path: str) -> Any:
        if value is None:
            return None
        numeric = isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        if numeric and type_ != "number":
            value = str(value)  # e.g. choices [1, 2] with default 1: all text
        if type_ == "boolean":
            if not isinstance(value, bool):
                self.problem(path, f"must be true or false, not {_fmt(value)}")
                return None
            return value
        if type_ == "number":
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value
            self.problem(path, f"must be a number, not {_fmt(value)}")
            return None
        if type_ == "date":
            if isinstance(value, dt.date):
                return value.isoformat()
            try:
                return dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                self.problem(path, f"must be a date like 2026-04-01, not {_fmt(value)}")
                return None
        if not isinstance(value, str):
            self.problem(path, f"must be text, not {_fmt(value)}")
            return None
        if type_ == "choice" and choices and value not in choices:
            self.problem(path, f"{_fmt(value)} is not among the choices")
        return value

    # --- steps ----------------------------------------------------------------------------

    def step(self, item: Any, path: str) -> tuple[StepSpec | None, str]:
        if not self.fields(item, path, STEP_FIELDS, "a step"):
            return None, path
        key = self.key(item, path)
        name = self.text(item, "name", path, required=True, max_length=300)
        kind = self.choice(item, "kind", path, STEP_KINDS, "task")
        instructions = self.text(item, "instructions", path)
        for match in PLACEHOLDER_RE.finditer(instructions):
            ref = match.group(1)
            if ref not in self.param_types and ref not in PLACEHOLDERS:
                self.problem(_join(path, "instructions"), f"unknown parameter '{ref}' in {{{{…}}}}")
        assignee = self.assignee(item.get("assignee"), _join(path, "assignee"))
        due = self.due(item.get("due"), _join(path, "due"))
        depends_on = self.text_list(item, "depends_on", path)
        if len(set(depends_on)) != len(depends_on):
            self.problem(_join(path, "depends_on"), "lists a step twice")
        condition = self.condition(item, path)
        checklist = self.text_list(item, "checklist", path)
        form = self.form(item, path)
        minutes = self.integer(item, "estimated_minutes", path, low=0, high=100_000)
        on_reject = "stop"
        if "on_reject" in item:
            if kind != "approval":
                self.problem(_join(path, "on_reject"), "only approval steps have on_reject")
            else:
                on_reject = self.on_reject(item.get("on_reject"), _join(path, "on_reject"))
        spec = StepSpec(
            key=key, name=name, kind=cast(Any, kind), instructions=instructions,
            assignee=assignee, due=due, depends_on=depends_on, condition=condition,
            checklist=checklist, form=form, estimated_minutes=minutes, on_reject=on_reject,
            notes=self.text(item, "notes", path),
        )
        return spec, path

    def condition(self, item: Mapping[str, Any], path: str) -> str:
        value = item.get("condition")
        where = _join(path, "condition")
        if value is None or value == "":
            return ""
        if not isinstance(value, str):
            self.problem(where, f"must be an expression in text, not {_fmt(value)}")
            return ""
        try:
            parsed = parse_condition(value)
        except ExprError as exc:
            self.problem(where, str(exc))
            return value
        for ref in sorted(parsed.names - self.param_types.keys()):
            self.problem(where, f"unknown parameter '{ref}'")
        for ref, literal in parsed.compared_values():
            choices = self.param_choices.get(ref)
            if choices and literal is not None and not any(
                parsed.matches(choice, literal) for choice in choices
            ):
                self.problem(where, f"{_fmt(literal)} is not a choice of '{ref}'")
        return value

    def on_reject(self, value: Any, path: str) -> str:
        if value == "stop":
            return "stop"
        if isinstance(value, str) and value.startswith("reopen:") and value[7:].strip():
            return "reopen:" + value[7:].strip()
        self.problem(path, f"{_fmt(value)} is not 'stop' or 'reopen:<step key>'")
        return "stop"

    def assignee(self, value: Any, path: str) -> AssigneeRule:
        default = AssigneeRule(STARTER)
        if value is None or value == STARTER:
            return default
        if isinstance(value, str):
            self.problem(path, f"{_fmt(value)} is not 'starter' or a rule such as {{person: …}}, "
                         "{role: …}, {param: …}, {manager_of: …}")
            return default
        if not self.fields(value, path, (*ASSIGNEE_KINDS, "department"), "assignee"):
            return default
        kinds = [k for k in ASSIGNEE_KINDS if k in value]
        if len(kinds) != 1:
            self.problem(path, f"give exactly one of {', '.join(ASSIGNEE_KINDS)}")
            return default
        kind = kinds[0]
        if "department" in value and kind != "role":
            self.problem(_join(path, "department"), "only a role rule has a department")
        if kind == "starter":
            if value["starter"] is not True:
                self.problem(_join(path, "starter"), "must be true")
            return default
        if kind == "role":
            role = self.choice(value, "role", path, ROLE_NAMES, "")
            department = self.text(value, "department", path, max_length=MAX_NAME_LENGTH)
            return AssigneeRule("role", department, role)
        target = self.text(value, kind, path, required=True, max_length=MAX_NAME_LENGTH)
        if kind in ("param", "manager_of") and target and not (
            kind == "manager_of" and target == STARTER
        ):
            type_ = self.param_types.get(target)
            if type_ is None:
                self.problem(_join(path, kind), f"unknown parameter '{target}'")
            elif type_ != "person":
                self.problem(
                    _join(path, kind), f"parameter '{target}' is a {type_}, not a person"
                )
        return AssigneeRule(cast(Any, kind), target)

    def due(self, value: Any, path: str) -> DueRule | None:
        if value is None:
            return None
        if not self.fields(value, path, DUE_FIELDS, "due"):
            return None
        problems = len(self.problems)
        if "from" in value and "after" in value:
            self.problem(path, "give either from or after, not both")
        base = self.text(value, "from", path) or START
        after = self.text(value, "after", path)
        if "from" in value and base != START:
            type_ = self.param_types.get(base)
            if type_ is None:
                self.problem(_join(path, "from"), f"unknown parameter '{base}' (or 'start')")
            elif type_ != "date":
                self.problem(_join(path, "from"), f"parameter '{base}' is a {type_}, not a date")
        end_of_month = self.boolean(value, "end_of_month", path)
        kinds = [k for k in ("offset", "day_of_month") if k in value]
        if end_of_month:
            kinds.append("end_of_month")
        if len(kinds) > 1:
            self.problem(path, "give only one of offset, end_of_month, day_of_month")
        kind = kinds[0] if kinds else "offset"
        if "unit" in value and kind != "offset":
            self.problem(_join(path, "unit"), "only an offset has a unit")
        if "months" in value and kind == "offset":
            self.problem(_join(path, "months"), "only end_of_month and day_of_month have months")
        offset = self.integer(
            value, "offset", path, low=-MAX_OFFSET_DAYS, high=MAX_OFFSET_DAYS
        ) or 0
        day = self.integer(value, "day_of_month", path, low=1, high=31) or 0
        months = self.integer(value, "months", path, low=-MAX_MONTHS, high=MAX_MONTHS) or 0
        unit = self.choice(value, "unit", path, UNITS, "business")
        roll = self.choice(value, "roll", path, ROLLS, "none")
        if len(self.problems) != problems:
            return None
        return DueRule(
            base=START if after else base, after_step=after, kind=cast(Any, kind),
            offset=offset, unit=cast(Any, unit), months=months, day=day, roll=cast(Any, roll),
        )

    def form(self, item: Mapping[str, Any], path: str) -> tuple[FormFieldSpec, ...]:
        out: list[FormFieldSpec] = []
        seen: set[str] = set()
        for i, raw in enumerate(self.items(item, "form", path, 100)):
            where = f"{_join(path, 'form')}[{i}]"
            if not self.fields(raw, where, FORM_FIELDS, "a form field"):
                continue
            key = self.key(raw, where)
            if key in seen:
                self.problem(_join(where, "key"), f"duplicate form field '{key}'")
            seen.add(key)
            type_ = self.choice(raw, "type", where, FIELD_TYPES, "text")
            choices = self.text_list(raw, "choices", where)
            if type_ == "choice" and not choices:
                self.problem(_join(where, "choices"), "a choice field needs choices")
            elif type_ != "choice" and choices:
                self.problem(_join(where, "choices"), "only a choice field has choices")
            required = self.boolean(raw, "required", where)
            out.append(FormFieldSpec(
                key=key, label=self.text(raw, "label", where, max_length=MAX_NAME_LENGTH) or key,
                type=cast(Any, type_), required=bool(required), choices=choices,
                help=self.text(raw, "help", where),
            ))
        return tuple(out)

    # --- cross-step checks ----------------------------------------------------------------

    def check_graph(self, steps: list[tuple[StepSpec | None, str]]) -> None:
        known: dict[str, str] = {}
        for step, path in steps:
            if step is None or not step.key:
                continue
            if step.key in known:
                self.problem(_join(path, "key"), f"duplicate step '{step.key}'")
            else:
                known[step.key] = path
        deps: dict[str, tuple[str, ...]] = {}
        for step, path in steps:
            if step is None:
                continue
            for i, dep in enumerate(step.depends_on):
                if dep == step.key:
                    self.problem(
                        f"{_join(path, 'depends_on')}[{i}]", "a step cannot depend on itself"
                    )
                elif dep not in known:
                    self.problem(_join(path, "depends_on"), f"unknown step '{dep}'")
            if step.key and known.get(step.key) == path:
                deps[step.key] = tuple(d for d in step.depends_on if d in known and d != step.key)
        cycle = find_cycle(deps)
        if cycle is not None:
            self.problem(known[cycle[0]], "dependency cycle: " + " → ".join(cycle))
        for step, path in steps:
            if step is None:
                continue
            # Without a valid graph "comes before" has no meaning: only unknown names count.
            before = transitive_dependencies(deps, step.key) if cycle is None else None
            after = step.due.after_step if step.due else ""
            if after and after not in known:
                self.problem(_join(path, "due.after"), f"unknown step '{after}'")
            elif after and before is not None and after not in before:
                self.problem(
                    _join(path, "due.after"),
                    f"step '{after}' is not a dependency of this step; add it to depends_on",
                )
            target = step.on_reject.removeprefix("reopen:") if step.on_reject != "stop" else ""
            if target and target not in known:
                self.problem(_join(path, "on_reject"), f"unknown step '{target}'")
            elif target and before is not None and target not in before:
                self.problem(
                    _join(path, "on_reject"),
                    f"step '{target}' does not come before this step, so it cannot be reopened",
                )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_name(value: Any) -> str:
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, str):
        return "text"
    return type(value).__name__
