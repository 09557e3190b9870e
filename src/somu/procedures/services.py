"""Writes for procedures: templates and their versions, launching runs, and the step state machine.

Every function is keyword-only, atomic and audited. Templates and launches are here; the step
transitions live in :mod:`somu.procedures.transitions` and are re-exported, so callers import
everything from this module. A launch validates every parameter and assignee before it writes,
then inserts runs, steps and events in bulk: one run or ten thousand cost the same few queries
plus the inserts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, audit_record_many
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.org.models import Person, PersonStatus
from somu.org.services import Actor
from somu.procedures.engine import plan as planning
from somu.procedures.engine.spec import (
    SpecError,
    SpecProblem,
    TemplateSpec,
    parse_spec,
    spec_to_dict,
)
from somu.procedures.launching import (
    AssigneeResolver,
    Directory,
    LaunchError,
    StepRows,
    Unresolved,
    actor_identity,
    assign,
    calendar_for_active_organization,
    coerce_params,
    default_run_name,
    due_order_lines,
    notify_launched,
    person_refs,
    unresolved_messages,
)
from somu.procedures.models import (
    EventKind,
    Run,
    RunStatus,
    Schedule,
    StepEvent,
    Template,
    TemplateVersion,
)
from somu.procedures.transitions import (
    MAX_ATTACHMENT_BYTES,
    StepConflict,
    run_advance,
    run_cancel,
    step_attach,
    step_comment,
    step_complete,
    step_decide,
    step_reassign,
    step_reopen,
    step_save_progress,
)
from somu.survey.models import Task

__all__ = [
    "MAX_ATTACHMENT_BYTES",
    "LaunchError",
    "SpecError",
    "StepConflict",
    "TemplateNameTaken",
    "run_advance",
    "run_cancel",
    "run_launch",
    "runs_bulk_launch",
    "step_attach",
    "step_comment",
    "step_complete",
    "step_decide",
    "step_reassign",
    "step_reopen",
    "step_save_progress",
    "template_archive",
    "template_import",
    "template_link_tasks",
    "template_save",
]

BULK_BATCH: Final = 2000


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
    data = spec_to_dict(spec) if isinstance(spec, TemplateSpec) else spec
    parsed = parse_spec(data)
    return parsed, spec_to_dict(parsed)


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


# ---- launching -------------------------------------------------------------------------------


def _version_and_spec(template: Template, version: TemplateVersion | None
                      ) -> tuple[TemplateVersion, TemplateSpec]:
    from somu.procedures.selectors import version_spec

    version = version or template.current_version
    if version is not None and version.template_id != template.pk:
        raise LaunchError({"version": [_("This version belongs to another template.")]})
    if version is None:
        raise LaunchError({"template": [_("This template has no definition yet.")]})
    if template.archived:
        raise LaunchError({"template": [_("This template is archived.")]})
    return version, version_spec(version)


def _build_runs(
    *, actor: Actor, template: Template, version: TemplateVersion, spec: TemplateSpec,
    param_sets: Sequence[Mapping[str, Any]], start_date: dt.date | None, names: Sequence[str],
    starter: Person | None, schedule: Schedule | None, occurrence: dt.date | None,
) -> list[Run]:
    """Validate every parameter set and assignee, then insert runs, steps and events in bulk."""
    from somu.procedures.selectors import today

    start = start_date or today()
    directory = Directory()
    directory.preload([*person_refs(spec, param_sets),
                       *([template.owner_id] if template.owner_id else [])])
    actor_person, label = actor_identity(actor)
    if starter is None:
        starter = actor_person or (schedule.owner if schedule is not None else None)
    resolver = AssigneeResolver(directory)
    calendar = calendar_for_active_organization()
    org_id = tenancy.active_organization_id()
    many = len(param_sets) > 1
    errors: dict[str, list[str]] = {}
    unresolved: dict[str, list[Unresolved]] = {}
    prepared = []
    for index, raw in enumerate(param_sets):
        prefix = f"params[{index}]." if many else ""
        params, problems = coerce_params(spec, raw, directory, prefix=prefix)
        if problems:
            errors.update(problems)
            continue
        planned = planning.plan_launch(spec, values=params.typed, start=start, calendar=calendar)
        assignees: dict[str, tuple[Person | None, bool]] = {}
        for item in planned:
            if item.state == "skipped":
                assignees[item.key] = (None, False)
                continue
            try:
                assignees[item.key] = assign(resolver, template, spec, item.key,
                                             typed=params.typed, starter=starter)
            except Unresolved as exc:
                unresolved.setdefault(f"{prefix}assignee", []).append(exc)
        name = (names[index] if index < len(names) else "") or default_run_name(
            template, spec, params.typed, start, directory)
        prepared.append((params, planned, assignees, name))
    for key, failures in unresolved.items():
        errors[key] = unresolved_messages(failures)  # one line per missing role, not per step
    if errors:
        raise LaunchError(errors)

    now = timezone.now()
    runs = [
        Run(organization_id=org_id, template=template, version=version, name=name[:300],
            params=params.stored, start_date=start, started_by=_user(actor), starter=starter,
            schedule=schedule, occurrence=occurrence, created_at=now,
            status=RunStatus.RUNNING if any(p.state != "skipped" for p in planned)
            else RunStatus.COMPLETED,
            completed_at=None if any(p.state != "skipped" for p in planned) else now)
        for params, planned, _assignees, name in prepared
    ]
    Run.objects.bulk_create(runs, batch_size=BULK_BATCH)
    rows = StepRows()
    ready_at = rows.datetime(now)
    for run, (_params, planned, assignees, _name) in zip(runs, prepared, strict=True):
        for item in planned:
            person, flagged = assignees[item.key]
            rows.add(organization_id=org_id, run_id=run.pk, key=item.key, name=item.name[:300],
                     position=item.position, kind=item.kind, state=item.state,
                     assignee_id=person.pk if person is not None else None, flagged=flagged,
                     due_date=item.due_date, depends_on=item.depends_on,
                     estimated_minutes=item.estimated_minutes,
                     ready_at=ready_at if item.state == "ready" else None)
    rows.insert()
    notify_launched(runs, actor_person_id=actor_person.pk if actor_person else None)
    StepEvent.objects.bulk_create([
        StepEvent(organization_id=org_id, run=run, kind=EventKind.LAUNCHED, actor=_user(actor),
                  actor_label=label, data={"version": version.number})
        for run in runs
    ], batch_size=BULK_BATCH)
    audit_record_many(actor=actor, entries=[
        {"action": "procedure_run.launch", "obj": run,
         "changes": {"template": [None, template.pk], "version": [None, version.number],
                     "params": [None, run.params], "start_date": [None, run.start_date]}}
        for run in runs
    ])
    return runs


@transaction.atomic
def run_launch(
    *, actor: Actor, template: Template, params: Mapping[str, Any],
    start_date: dt.date | None = None, name: str = "", starter: Person | None = None,
    schedule: Schedule | None = None, occurrence: dt.date | None = None,
    version: TemplateVersion | None = None,
) -> Run:
    """Launch one run: coerce the parameters, plan the steps on the organization's business
    calendar, resolve every assignee; raises :class:`LaunchError` naming what is wrong.

    ``params`` holds raw values: strings from a form or the API, people by 社員番号 (str) or
    id (int) or Person, departments by name, code or id, dates as ISO strings or dates.
    """
    version, spec = _version_and_spec(template, version)
    (run,) = _build_runs(actor=actor, template=template, version=version, spec=spec,
                         param_sets=[params], start_date=start_date, names=[name],
                         starter=starter, schedule=schedule, occurrence=occurrence)
    return run


def launch_warnings(*, start_date: dt.date, run: Run | None = None) -> list[str]:
    """What to tell whoever launches a run starting on ``start_date``: allowed, but worth a
    second look. A start on a non-business day (a weekend, a holiday of the organization's
    calendar) often means a mistyped date, and its due dates are counted from a day off. With
    ``run``, its steps due before the start or before a step they wait for (a 希望納期 typed
    before the start date puts 納品・検収 before 発注)."""
    found = []
    reason = calendar_for_active_organization().holiday_reason(start_date)
    if reason is not None:
        found.append(_("The start date %(date)s is not a business day (%(reason)s). The run "
                       "was launched; check that the date and its due dates are right.")
                     % {"date": start_date.isoformat(), "reason": reason})
    if run is not None:
        found += due_order_lines(list(run.steps.order_by("position")), start=start_date)
    return found


@transaction.atomic
def runs_bulk_launch(
    *, actor: Actor, template: Template, param_sets: Sequence[Mapping[str, Any]],
    start_date: dt.date | None = None, names: Sequence[str] = (),
) -> list[Run]:
    """Launch one run per parameter set (e.g. 年末調整 for every employee): all or nothing.

    Problems are keyed ``params[<index>].<key>`` (and ``params[<index>].assignee``).
    """
    if not param_sets:
        return []
    version, spec = _version_and_spec(template, None)
    return _build_runs(actor=actor, template=template, version=version, spec=spec,
                       param_sets=param_sets, start_date=start_date, names=names,
                       starter=None, schedule=None, occurrence=None)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None
