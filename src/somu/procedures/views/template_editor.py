"""The structured template editor's conversions: a spec to the editor's initial values, the
posted rows back to a spec, and the engine's problems (``steps[3].due.from``) back onto the
fields of the page. The forms themselves are in :mod:`somu.procedures.forms_templates`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from django.forms import BaseForm
from django.utils.translation import gettext as _

from somu.procedures.engine.spec import (
    START,
    AssigneeRule,
    DueRule,
    FormFieldSpec,
    ParameterSpec,
    SpecProblem,
    StepSpec,
    TemplateSpec,
)
from somu.procedures.forms_templates import (
    AFTER_PREFIX,
    EditorChoices,
    form_fields_text,
    parse_form_fields,
)

# Separators people type between keys: commas (half and full width), 、 and spaces.
_KEY_SEPARATORS: Final = re.compile(r"[,\s、，]+")


def split_keys(text: str) -> tuple[str, ...]:
    """Step keys as typed in "depends on" (``a, b`` or ``a、b``), duplicates dropped."""
    keys: list[str] = []
    for key in _KEY_SEPARATORS.split(text.strip()):
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


def lines(text: str) -> tuple[str, ...]:
    """The non-empty lines of a one-item-per-line text area."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def _typed_default(value: str, type_: str) -> Any:
    """The default as the YAML would hold it: numbers and yes/no typed, the rest as text."""
    if value == "":
        return None
    if type_ == "number":
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                return value
    if type_ == "boolean":
        lowered = value.lower()
        if lowered in ("true", "yes", "1", "はい", "on"):
            return True
        if lowered in ("false", "no", "0", "いいえ", "off"):
            return False
    return value


def _bound(value: str, type_: str) -> Any:
    """min/max as the YAML would hold them: a number for a number parameter, else the text
    (a date; for other types the engine says a bound does not apply)."""
    return _typed_default(value, "number" if type_ == "number" else "text")


# ---- spec <-> forms -------------------------------------------------------------------------


def head_initial(spec: TemplateSpec) -> dict[str, Any]:
    return {"name": spec.name, "category": spec.category, "description": spec.description,
            "notes": spec.notes, "on_unresolved_assignee": spec.on_unresolved_assignee}


def parameter_initial(spec: TemplateSpec) -> list[dict[str, Any]]:
    out = []
    for number, p in enumerate(spec.parameters, start=1):
        default = p.default
        if isinstance(default, bool):
            default = "true" if default else "false"
        out.append({"key": p.key, "label": p.label, "type": p.type, "required": p.required,
                    "choices": "\n".join(p.choices),
                    "default": "" if default is None else str(default), "help": p.help,
                    "min": "" if p.min is None else str(p.min),
                    "max": "" if p.max is None else str(p.max), "ORDER": number})
    return out


def step_initial(spec: TemplateSpec) -> list[dict[str, Any]]:
    out = []
    for number, s in enumerate(spec.steps, start=1):
        row: dict[str, Any] = {
            "key": s.key, "name": s.name, "kind": s.kind, "instructions": s.instructions,
            "assignee_kind": s.assignee.kind, "depends_on": ", ".join(s.depends_on),
            "condition": s.condition, "checklist": "\n".join(s.checklist),
            "form_fields": form_fields_text(s.form), "estimated_minutes": s.estimated_minutes,
            "on_reject": s.on_reject or "stop", "notes": s.notes, "ORDER": number,
        }
        rule = s.assignee
        if rule.kind == "person":
            row["assignee_person"] = rule.value
        elif rule.kind == "role":
            row["assignee_role"] = rule.role or "staff"
            row["assignee_department"] = rule.value
        elif rule.kind in ("param", "manager_of"):
            row["assignee_param"] = rule.value
        if s.due is not None:
            d = s.due
            row.update({
                "due_base": AFTER_PREFIX + d.after_step if d.after_step else d.base,
                "due_kind": d.kind, "due_offset": d.offset, "due_unit": d.unit,
                "due_months": d.months, "due_day": d.day or None, "due_roll": d.roll,
            })
        out.append(row)
    return out


def choices_from_spec(spec: TemplateSpec | None) -> EditorChoices:
    if spec is None:
        return EditorChoices()
    return EditorChoices(
        date_params=[p.key for p in spec.parameters if p.type == "date"],
        person_params=[p.key for p in spec.parameters if p.type == "person"],
        all_params=[p.key for p in spec.parameters],
        steps=[(s.key, s.name) for s in spec.steps],
    )


def choices_from_post(data: Any) -> EditorChoices:
    """The parameters and steps as posted (before validation), for the selects."""
    out = EditorChoices()

    def rows(prefix: str) -> Iterable[int]:
        try:
            total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 1000)
        except (TypeError, ValueError):
            total = 0
        return (i for i in range(total) if not data.get(f"{prefix}-{i}-DELETE"))

    for i in rows("params"):
        key = (data.get(f"params-{i}-key") or data.get(f"params-{i}-label") or "").strip()
        if not key:
            continue
        out.all_params.append(key)
        kind = data.get(f"params-{i}-type")
        if kind == "date":
            out.date_params.append(key)
        elif kind == "person":
            out.person_params.append(key)
    for i in rows("steps"):
        key = (data.get(f"steps-{i}-key") or "").strip()
        if key:
            out.steps.append((key, (data.get(f"steps-{i}-name") or "").strip()))
    return out


def _due_rule(data: dict[str, Any]) -> DueRule | None:
    base = (data.get("due_base") or "").strip()
    if not base:
        return None
    after = base[len(AFTER_PREFIX):] if base.startswith(AFTER_PREFIX) else ""
    kind: Any = data.get("due_kind") or "offset"
    return DueRule(
        base=START if after else base, after_step=after, kind=kind,
        offset=(data.get("due_offset") or 0) if kind == "offset" else 0,
        unit=data.get("due_unit") or "business",
        months=(data.get("due_months") or 0) if kind != "offset" else 0,
        day=(data.get("due_day") or 0) if kind == "day_of_month" else 0,
        roll=data.get("due_roll") or "none",
    )


def _assignee_rule(data: dict[str, Any]) -> AssigneeRule:
    kind: Any = data.get("assignee_kind") or "starter"
    if kind == "person":
        return AssigneeRule("person", value=(data.get("assignee_person") or "").strip())
    if kind == "role":
        return AssigneeRule("role", role=data.get("assignee_role") or "staff",
                            value=(data.get("assignee_department") or "").strip())
    if kind in ("param", "manager_of"):
        return AssigneeRule(kind, value=(data.get("assignee_param") or "").strip())
    return AssigneeRule("starter")


def _form_fields(text: str, previous: StepSpec | None) -> tuple[FormFieldSpec, ...]:
    """The step's form fields; help texts (which the one-line format has no room for) are kept
    from the previous version's field of the same key."""
    fields = parse_form_fields(text)
    if previous is None:
        return fields
    helps = {f.key: f.help for f in previous.form if f.help}
    return tuple(replace(f, help=helps.get(f.key, "")) for f in fields)


def build_spec(head: dict[str, Any], params: Sequence[BaseForm], steps: Sequence[BaseForm],
               *, previous: TemplateSpec | None = None) -> TemplateSpec:
    """The spec the page describes; ``params`` and ``steps`` are the kept rows, in order.

    What the page does not edit is kept from ``previous``: the linked inventory tasks and the
    help texts of form fields.
    """
    parameters = []
    for form in params:
        d = form.cleaned_data
        parameters.append(ParameterSpec(
            key=d["key"], label=d["label"] or d["key"], type=d["type"],
            required=bool(d.get("required")),
            choices=lines(d.get("choices") or "") if d["type"] == "choice" else (),
            default=_typed_default(d.get("default") or "", d["type"]), help=d.get("help") or "",
            min=_bound(d.get("min") or "", d["type"]), max=_bound(d.get("max") or "", d["type"]),
        ))
    used = {(f.cleaned_data.get("key") or "").strip() for f in steps}
    step_specs = []
    for number, form in enumerate(steps, start=1):
        d = form.cleaned_data
        key = (d.get("key") or "").strip()
        if not key:
            # Numbered by position, skipping keys another row already uses.
            candidate, n = f"step{number}", number
            while candidate in used:
                n += 1
                candidate = f"step{n}"
            key = candidate
            used.add(key)
            d["key"] = key
        on_reject = (d.get("on_reject") or "stop").strip()
        step_specs.append(StepSpec(
            key=key, name=(d.get("name") or "").strip() or key, kind=d.get("kind") or "task",
            instructions=d.get("instructions") or "", assignee=_assignee_rule(d),
            due=_due_rule(d), depends_on=split_keys(d.get("depends_on") or ""),
            condition=(d.get("condition") or "").strip(),
            checklist=lines(d.get("checklist") or ""),
            form=_form_fields(d.get("form_fields") or "",
                              previous.step(key) if previous is not None else None),
            estimated_minutes=d.get("estimated_minutes"),
            on_reject=on_reject if d.get("kind") == "approval" else "stop",
            notes=d.get("notes") or "",
        ))
    return TemplateSpec(
        name=head["name"].strip(), steps=tuple(step_specs), parameters=tuple(parameters),
        category=(head.get("category") or "").strip(),
        description=head.get("description") or "", notes=head.get("notes") or "",
        on_unresolved_assignee=head.get("on_unresolved_assignee") or "fail",
        tasks=previous.tasks if previous is not None else (),
    )


# ---- validation problems back onto the page ----------------------------------------------------

_PATH: Final = re.compile(r"^(?P<section>parameters|steps)\[(?P<index>\d+)\](?:\.(?P<rest>.*))?$")
_STEP_FIELDS: Final = {
    "key": "key", "name": "name", "kind": "kind", "instructions": "instructions",
    "depends_on": "depends_on", "condition": "condition", "checklist": "checklist",
    "form": "form_fields", "estimated_minutes": "estimated_minutes", "on_reject": "on_reject",
    "notes": "notes",
}
_DUE_FIELDS: Final = {
    "from": "due_base", "after": "due_base", "offset": "due_offset", "unit": "due_unit",
    "months": "due_months", "day_of_month": "due_day", "day": "due_day",
    "end_of_month": "due_kind", "roll": "due_roll",
}
_PARAM_FIELDS: Final = {
    "key", "label", "type", "required", "choices", "default", "help", "min", "max",
}
_HEAD_FIELDS: Final = {"name", "category", "description", "notes", "on_unresolved_assignee"}


def _step_field(rest: str) -> str:
    head, _sep, tail = rest.partition(".")
    head = head.split("[")[0]
    if head == "due":
        return _DUE_FIELDS.get(tail.split(".")[0].split("[")[0], "due_base")
    if head == "assignee":
        if "department" in tail:
            return "assignee_department"
        if "role" in tail:
            return "assignee_role"
        if "person" in tail:
            return "assignee_person"
        if "param" in tail or "manager_of" in tail:
            return "assignee_param"
        return "assignee_kind"
    return _STEP_FIELDS.get(head, "")


@dataclass(frozen=True)
class PlacedProblem:
    """A problem as the summary shows it: where (in words) and what."""

    path: str
    where: str
    message: str
    anchor: str = ""  # the id of the editor row it belongs to


def place_problems(problems: Sequence[SpecProblem], *, head: BaseForm,
                   params: Sequence[BaseForm], steps: Sequence[BaseForm],
                   params_all: Sequence[BaseForm] = (), steps_all: Sequence[BaseForm] = ()
                   ) -> list[PlacedProblem]:
    """Attach each problem to the field its path names; return them all for the summary.

    ``params`` and ``steps`` are the kept rows in spec order, ``*_all`` every row of the page
    (for the anchors). ``steps[3].due.from`` is the 4th kept step row's ``due_base``; a path
    that names no field (``steps`` for a cycle) stays in the summary only.
    """
    params_all = list(params_all) or list(params)
    steps_all = list(steps_all) or list(steps)
    placed: list[PlacedProblem] = []
    for problem in problems:
        where, anchor = problem.path, ""
        match = _PATH.match(problem.path)
        if match:
            index, rest = int(match["index"]), match["rest"] or ""
            if match["section"] == "steps" and index < len(steps):
                form = steps[index]
                name = form.cleaned_data.get("name") or form.cleaned_data.get("key") or ""
                where = _("Step %(number)s “%(name)s”") % {"number": index + 1, "name": name}
                anchor = f"step-row-{steps_all.index(form) + 1}"
                field_name = _step_field(rest)
                _add_error(form, field_name, problem.message)
            elif match["section"] == "parameters" and index < len(params):
                form = params[index]
                where = _("Parameter %(number)s “%(key)s”") % {
                    "number": index + 1, "key": form.cleaned_data.get("key", "")}
                anchor = f"param-row-{params_all.index(form) + 1}"
                field_name = rest.split(".")[0].split("[")[0]
                _add_error(form, field_name if field_name in _PARAM_FIELDS else "",
                           problem.message)
        else:
            top = problem.path.split(".")[0].split("[")[0]
            if top in _HEAD_FIELDS:
                _add_error(head, top, problem.message)
        placed.append(PlacedProblem(problem.path, where, problem.message, anchor))
    return placed


def _add_error(form: BaseForm, field_name: str, message: str) -> None:
    if field_name and field_name in form.fields:
        form.add_error(field_name, message)
    else:
        form.add_error(None, message)
