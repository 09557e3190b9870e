"""Writes for procedure templates: saving, importing, archiving and linking tasks.

Every function is keyword-only, atomic and audited. Launching runs is in
:mod:`somu.procedures.services.runs`; the step state machine in
:mod:`somu.procedures.services.steps`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.org.models import Person, PersonStatus
from somu.org.services import Actor
from somu.procedures.engine.parse import parse_spec_dict, spec_dict
from somu.procedures.engine.spec import (
    SpecError,
    SpecProblem,
    TemplateSpec,
)
from somu.procedures.models import Template, TemplateVersion
from somu.procedures.services.launching import Directory
from somu.survey.models import Task

# ---- templates ---------------------------------------------------------------------------------


def _task_paths() -> dict[str, Task]:
    """Inventory tasks by path, spaces around ">" normalized."""
    return {_norm_path(task.path): task for task in Task.objects.all()}


def _norm_path(path: str) -> str:
    return " > ".join(part.strip() for part in path.split(">") if part.strip())


def _reference_problems(spec: TemplateSpec) -> tuple[list[SpecProblem], list[Task]]:
    """What the spec names that this organization lacks: people, departments, inventory tasks."""
    problems: list[SpecProblem] = []
    directory = Directory()
    directory.preload(s.assignee.value for s in spec.steps if s.assignee.kind == "person")
    for index, step in enumerate(spec.steps):
        rule = step.assignee
        if rule.kind == "person":
            person = directory.by_number.get(rule.value.strip())
            if person is None:
                problems.append(SpecProblem(f"steps[{index}].assignee.person", _(
                    "No person has employee number %(number)s."
                ) % {"number": rule.value}))
            elif person.status != PersonStatus.ACTIVE:
                problems.append(SpecProblem(f"steps[{index}].assignee.person", _(
                    "%(person)s (%(number)s) is no longer active."
                ) % {"person": person.name, "number": rule.value}))
        elif rule.kind == "role" and rule.value and directory.department_id(rule.value) is None:
            problems.append(SpecProblem(f"steps[{index}].assignee.department", _(
                "There is no department with the name or code %(department)s."
            ) % {"department": rule.value}))
    tasks: list[Task] = []
    if spec.tasks:
        by_path = _task_paths()
        for index, path in enumerate(spec.tasks):
            task = by_path.get(_norm_path(path))
            if task is None:
                problems.append(SpecProblem(f"tasks[{index}]", _(
                    "The work inventory has no task %(path)s."
                ) % {"path": path}))
            else:
                tasks.append(task)
    return problems, tasks


def _validated(spec: Mapping[str, Any] | TemplateSpec) -> tuple[TemplateSpec, dict[str, Any]]:
    """The spec validated by the engine (a TemplateSpec is re-checked through its dict form)."""
    data = spec_dict(spec) if isinstance(spec, TemplateSpec) else spec
    parsed = parse_spec_dict(data)
    return parsed, spec_dict(parsed)


@transaction.atomic
def template_save(
    *, actor: Actor, template: Template | None, spec: Mapping[str, Any] | TemplateSpec,
    note: str = "", owner: Person | None = None, library_key: str = "",
) -> Template:
    """Create a template (version 1) or save a new version of it when its definition changed.

    Raises :class:`SpecError` naming every problem by path (the engine's checks, then the
    people, departments and inventory tasks it refers to), or ``ValidationError`` on ``name``
    when another template has the name. Runs keep the version they were launched with.
    """
    parsed, canonical = _validated(spec)
    problems, tasks = _reference_problems(parsed)
    if problems:
        raise SpecError(problems)
    taken = Template.objects.filter(name=parsed.name)
    if template is not None:
        taken = taken.exclude(pk=template.pk)
    if taken.exists():
        raise ValidationError({"name": ValidationError(
            _("A template with this name already exists."), code="unique")})

    creating = template is None
    if template is None:
        template = Template(library_key=library_key, owner=owner)
        template.organization_id = tenancy.active_organization_id()
    else:
        # Two editors saving at once queue here instead of both taking the next number.
        list(Template.objects.select_for_update().filter(pk=template.pk).values_list("pk"))
    current = template.current_version
    before = {"name": template.name, "category": template.category,
              "description": template.description, "owner": template.owner_id,
              "version": current.number if current else None}
    template.name = parsed.name
    template.category = parsed.category
    template.description = parsed.description
    if owner is not None:
        template.owner = owner
    if library_key:
        template.library_key = library_key
    template.save()
    if current is None or current.spec != canonical:
        number = (current.number if current else 0) + 1
        if not creating:
            number = max(number, 1 + max(
                template.versions.values_list("number", flat=True), default=0))
        version = TemplateVersion(
            template=template, number=number, spec=canonical, note=note[:300],
            created_by=_user(actor),
        )
        version.organization_id = template.organization_id
        version.save()
        template.current_version = version
        template.save(update_fields=["current_version", "updated_at"])
        template.tasks.set(tasks)
    after = {"name": template.name, "category": template.category,
             "description": template.description, "owner": template.owner_id,
             "version": template.current_version.number if template.current_version else None}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changes:
        audit_record(actor=actor, action=f"procedure_template.{'create' if creating else 'update'}",
                     obj=template, changes=changes)
    return template


class TemplateNameTaken(Conflict):
    """An imported file names a template that exists, and it was not imported as an update.

    The page, the API (409) and ``somu procedures_import`` each say how to import it as the
    existing template's new version instead.
    """

    def __init__(self, name: str) -> None:
        super().__init__(_("A template named “%(name)s” already exists.") % {"name": name})
        self.name = name


@dataclass(frozen=True)
class TemplateImported:
    template: Template
    created: bool
    changed: bool  # False when the file was the same as the current version


@transaction.atomic
def template_import(
    *, actor: Actor, spec: Mapping[str, Any], update: bool, note: str
) -> TemplateImported:
    """Save an imported definition: a new template, or with ``update`` a new version of the
    template of the same name. Raises :class:`TemplateNameTaken` when the name exists and
    ``update`` is false, :class:`SpecError` / ``ValidationError`` like :func:`template_save`.
    """
    name = spec.get("name")
    existing = Template.objects.filter(name=name).first() if isinstance(name, str) else None
    if existing is not None and not update:
        raise TemplateNameTaken(str(name))
    before = existing.current_version_id if existing is not None else None
    template = template_save(actor=actor, template=existing, spec=spec, note=note)
    return TemplateImported(template=template, created=existing is None,
                            changed=existing is None or template.current_version_id != before)


@transaction.atomic
def template_archive(*, actor: Actor, template: Template, archived: bool = True) -> Template:
    """Archive a template (hidden from launching and the list) or bring it back."""
    if template.archived != archived:
        template.archived = archived
        template.save(update_fields=["archived", "updated_at"])
        audit_record(actor=actor, action="procedure_template.archive", obj=template,
                     changes={"archived": [not archived, archived]})
    return template


@transaction.atomic
def template_link_tasks(*, actor: Actor, template: Template, task_ids: Iterable[int]) -> Template:
    """Link the template to inventory tasks; recorded in a new version's ``tasks`` so the
    definition (and its YAML export) stays the one source of truth."""
    tasks = list(Task.objects.filter(pk__in=set(task_ids)))
    paths = sorted(task.path for task in tasks)
    current = template.current_version
    if current is None:
        raise ValidationError(_("This template has no definition yet."))
    data = dict(current.spec)
    if sorted(data.get("tasks", [])) == paths:
        return template
    data["tasks"] = paths
    if not paths:
        data.pop("tasks", None)
    return template_save(actor=actor, template=template, spec=data,
                         note=_("Changed the related tasks"))


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None
