"""Values of procedure records, as recorded in the audit log, in words.

A run's parameters are stored as a launch stores them (a person or a department by id, a yes/no
as true/false), a step's form entries by the form field's key and its ticked checklist items by
position. The template's definition says what they mean: the run's version (for a schedule, its
template's current version). Each function reads a whole page of events at once, in one query
per kind of record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

from somu.audit.models import AuditEvent


def _id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def params_texts(items: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    """For each ``(event, recorded params)``, the parameters as 「入社者: 高木 颯、入社日: …」."""
    from somu.audit.presenters import readable
    from somu.org.models import Department, Person
    from somu.procedures.models import Run, Schedule
    from somu.procedures.selectors.templates import version_spec

    def ids(object_type: str) -> set[int]:
        return {pk for e, _v in items
                if e.object_type == object_type and (pk := _id(e.object_id)) is not None}

    run_ids, schedule_ids = ids("procedures.run"), ids("procedures.schedule")
    specs: dict[tuple[str, int], dict[str, Any]] = {}
    if run_ids:
        for run in Run.objects.filter(pk__in=run_ids).select_related("version"):
            specs["procedures.run", run.pk] = {
                p.key: p for p in version_spec(run.version).parameters}
    if schedule_ids:
        for schedule in Schedule.objects.filter(pk__in=schedule_ids).select_related(
                "template__current_version"):
            if schedule.template.current_version is not None:
                specs["procedures.schedule", schedule.pk] = {
                    p.key: p for p in version_spec(schedule.template.current_version).parameters}

    def params_of(event: AuditEvent) -> dict[str, Any]:
        pk = _id(event.object_id)
        return specs.get((event.object_type, pk), {}) if pk is not None else {}

    wanted: dict[str, set[int]] = {"person": set(), "department": set()}
    for event, value in items:
        known = params_of(event)
        if isinstance(value, Mapping):
            for key, raw in value.items():
                param = known.get(key)
                if param is not None and param.type in wanted and (pk := _id(raw)) is not None:
                    wanted[param.type].add(pk)
    names: dict[str, dict[int, str]] = {"person": {}, "department": {}}
    if wanted["person"]:
        names["person"] = dict(Person.objects.filter(pk__in=wanted["person"])
                               .values_list("pk", "name"))
    if wanted["department"]:
        names["department"] = dict(Department.objects.filter(pk__in=wanted["department"])
                                   .values_list("pk", "name"))

    texts = []
    for event, value in items:
        if not isinstance(value, Mapping):
            texts.append(readable(value))
            continue
        known = params_of(event)
        parts = []
        for key, raw in value.items():
            param = known.get(key)
            label = (param.label or key) if param is not None else key
            text = readable(raw)
            if param is not None and param.type in names and (pk := _id(raw)) is not None:
                text = names[param.type].get(pk, _("(deleted)"))
            parts.append(f"{label}: {text}")
        texts.append(_(", ").join(parts) if parts else _("(none)"))
    return texts


def _step_specs(items: Sequence[tuple[AuditEvent, Any]]) -> dict[int, Any]:
    """The definition (StepSpec) of each step the events are about, by step id."""
    from somu.procedures.models import Step
    from somu.procedures.selectors.templates import version_spec

    ids = {pk for e, _v in items
           if e.object_type == "procedures.step" and (pk := _id(e.object_id)) is not None}
    if not ids:
        return {}
    return {step.pk: version_spec(step.run.version).step(step.key)
            for step in Step.objects.filter(pk__in=ids).select_related("run__version")}


def form_values_texts(items: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    """For each ``(event, recorded form entries)``: 「回収日: 2026-03-10、備考: …」 with the
    form's labels instead of its keys."""
    from somu.audit.presenters import readable

    specs = _step_specs(items)
    texts = []
    for event, value in items:
        spec = specs.get(_id(event.object_id) or 0)
        labels = {f.key: f.label or f.key for f in spec.form} if spec is not None else {}
        if not isinstance(value, Mapping):
            texts.append(readable(value))
        elif not value:
            texts.append(_("(none)"))
        else:
            texts.append(_(", ").join(f"{labels.get(k, k)}: {readable(v)}"
                                      for k, v in value.items()))
    return texts


def checklist_texts(items: Sequence[tuple[AuditEvent, Any]]) -> list[str]:
    """For each ``(event, ticked positions)``: the ticked items' names, or how many."""
    from somu.audit.presenters import count_of

    specs = _step_specs(items)
    texts = []
    for event, value in items:
        spec = specs.get(_id(event.object_id) or 0)
        checklist = spec.checklist if spec is not None else ()
        positions = value if isinstance(value, list) else []
        if not positions:
            texts.append(_("(none)"))
        elif all(isinstance(i, int) and 0 <= i < len(checklist) for i in positions):
            texts.append(_(", ").join(checklist[i] for i in positions))
        else:
            texts.append(count_of(positions))
    return texts
