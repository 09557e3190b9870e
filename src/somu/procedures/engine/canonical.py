"""The canonical dict of a template: how a version is stored and exported.

Defaults are omitted and keys follow the documented order (``somu`` first), so that
export → import → export gives the same text; :mod:`.parse` reads it back.
"""

from __future__ import annotations

from typing import Any

from somu.procedures.engine.spec import (
    SPEC_FORMAT,
    STARTER,
    AssigneeRule,
    DueRule,
    FormFieldSpec,
    ParameterSpec,
    StepSpec,
    TemplateSpec,
)


def spec_dict(spec: TemplateSpec) -> dict[str, Any]:
    """The canonical dict: ``somu`` first, documented key order, defaults omitted."""
    out: dict[str, Any] = {"somu": SPEC_FORMAT, "name": spec.name}
    for name in ("category", "description", "notes"):
        if value := getattr(spec, name):
            out[name] = value
    if spec.on_unresolved_assignee != "fail":
        out["on_unresolved_assignee"] = spec.on_unresolved_assignee
    if spec.tasks:
        out["tasks"] = list(spec.tasks)
    if spec.parameters:
        out["parameters"] = [_parameter_dict(p) for p in spec.parameters]
    out["steps"] = [_step_dict(s) for s in spec.steps]
    return out


def _parameter_dict(param: ParameterSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"key": param.key}
    if param.label and param.label != param.key:
        out["label"] = param.label
    out["type"] = param.type
    if not param.required:
        out["required"] = False
    if param.choices:
        out["choices"] = list(param.choices)
    if param.default is not None:
        out["default"] = param.default
    if param.min is not None:
        out["min"] = param.min
    if param.max is not None:
        out["max"] = param.max
    if param.help:
        out["help"] = param.help
    return out


def _step_dict(step: StepSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"key": step.key, "name": step.name}
    if step.kind != "task":
        out["kind"] = step.kind
    if step.instructions:
        out["instructions"] = step.instructions
    if step.assignee != AssigneeRule(STARTER):
        out["assignee"] = assignee_dict(step.assignee)
    if step.due is not None:
        out["due"] = due_dict(step.due)
    if step.depends_on:
        out["depends_on"] = list(step.depends_on)
    if step.condition:
        out["condition"] = step.condition
    if step.checklist:
        out["checklist"] = list(step.checklist)
    if step.form:
        out["form"] = [_form_dict(f) for f in step.form]
    if step.estimated_minutes is not None:
        out["estimated_minutes"] = step.estimated_minutes
    if step.kind == "approval" and step.on_reject != "stop":
        out["on_reject"] = step.on_reject
    if step.notes:
        out["notes"] = step.notes
    return out


def assignee_dict(rule: AssigneeRule) -> dict[str, Any] | str:
    """An assignee rule in its YAML form (``"starter"`` for the starter)."""
    if rule.kind == "starter":
        return STARTER
    if rule.kind == "role":
        out: dict[str, Any] = {"role": rule.role}
        if rule.value:
            out["department"] = rule.value
        return out
    return {rule.kind: rule.value}


def due_dict(rule: DueRule) -> dict[str, Any]:
    """A due rule in its YAML form."""
    out: dict[str, Any] = {"after": rule.after_step} if rule.after_step else {"from": rule.base}
    if rule.kind == "offset":
        out["offset"] = rule.offset
        if rule.unit != "business":
            out["unit"] = rule.unit
    elif rule.kind == "end_of_month":
        out["end_of_month"] = True
    else:
        out["day_of_month"] = rule.day
    if rule.kind != "offset" and rule.months:
        out["months"] = rule.months
    if rule.roll != "none":
        out["roll"] = rule.roll
    return out


def _form_dict(field: FormFieldSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"key": field.key}
    if field.label and field.label != field.key:
        out["label"] = field.label
    if field.type != "text":
        out["type"] = field.type
    if field.required:
        out["required"] = True
    if field.choices:
        out["choices"] = list(field.choices)
    if field.help:
        out["help"] = field.help
    return out
