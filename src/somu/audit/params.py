"""The launch parameters of a procedure run or schedule, as recorded in the audit log, in words.

Parameters are stored as a launch stores them: a person or a department by id, a yes/no as
true/false. Their types are in the template's definition, so the run's version (or, for a
schedule, its template's current version) says how to read them. A whole page of events costs
at most four queries: runs, schedules, people, departments.
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
    from somu.procedures.selectors import version_spec

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
