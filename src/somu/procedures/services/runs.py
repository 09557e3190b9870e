"""Writes for runs: launching one run or many from a template version.

A launch validates every parameter and assignee before it writes, then inserts runs, steps and
events in bulk: one run or ten thousand cost the same few queries plus the inserts. The
parameter and assignee machinery is in :mod:`somu.procedures.services.launching`; cancelling
and advancing runs are with the step transitions in :mod:`somu.procedures.services.steps`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.audit.services import audit_record_many
from somu.core import tenancy
from somu.org.models import Person
from somu.org.services import Actor
from somu.procedures.engine import plan as planning
from somu.procedures.engine.spec import TemplateSpec
from somu.procedures.models import (
    EventKind,
    Run,
    RunStatus,
    Schedule,
    Step,
    StepEvent,
    Template,
    TemplateVersion,
)
from somu.procedures.services.launching import (
    AssigneeResolver,
    Directory,
    LaunchError,
    Unresolved,
    actor_identity,
    assign,
    calendar_for_active_organization,
    coerce_params,
    default_run_name,
    due_order_lines,
    person_refs,
    unresolved_messages,
)
from somu.procedures.services.notices import notify_launched

BULK_BATCH: Final = 2000


def _version_and_spec(template: Template, version: TemplateVersion | None
                      ) -> tuple[TemplateVersion, TemplateSpec]:
    from somu.procedures.selectors.templates import version_spec

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
    resolver = AssigneeResolver(directory, spec)
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
    version: TemplateVersion | None = None, origin: tuple[str, str] | None = None,
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
    if origin is not None:
        # What started it (another app's record, e.g. 稟議-2026-00042), linked from the run.
        run.origin_label, run.origin_url = origin[0][:200], origin[1][:300]
        run.save(update_fields=["origin_label", "origin_url"])
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


# ---- inserting steps -------------------------------------------------------------------------

STEP_FIELDS: Final = (
    "organization", "run", "key", "name", "position", "kind", "state", "assignee",
    "assignee_flagged", "due_date", "depends_on", "checklist_done", "form_values",
    "estimated_minutes", "ready_at", "revision",
)
INSERT_BATCH: Final = 1000
COPY_THRESHOLD: Final = 2000


class StepRows:
    """New step rows for a bulk insert, adapted for the database once per distinct value.

    ``bulk_create`` prepares every field of every model instance through the ORM; at 200,000
    steps that preparation is most of a bulk launch. Rows here are plain tuples in
    :data:`STEP_FIELDS` order, inserted with ``executemany``.
    """

    def __init__(self) -> None:
        from django.db import connection

        self.ops = connection.ops
        self.rows: list[tuple[Any, ...]] = []
        self._json: dict[tuple[str, ...], Any] = {}
        self._dates: dict[dt.date, Any] = {}
        self.empty_list = self.ops.adapt_json_value([], None)
        self.empty_dict = self.ops.adapt_json_value({}, None)

    def json_list(self, items: tuple[str, ...]) -> Any:
        if items not in self._json:
            self._json[items] = self.ops.adapt_json_value(list(items), None)
        return self._json[items]

    def date(self, value: dt.date | None) -> Any:
        if value is None:
            return None
        if value not in self._dates:
            self._dates[value] = self.ops.adapt_datefield_value(value)
        return self._dates[value]

    def datetime(self, value: dt.datetime | None) -> Any:
        return None if value is None else self.ops.adapt_datetimefield_value(value)

    def add(self, *, organization_id: int, run_id: int, key: str, name: str, position: int,
            kind: str, state: str, assignee_id: int | None, flagged: bool,
            due_date: dt.date | None, depends_on: tuple[str, ...],
            estimated_minutes: int | None, ready_at: Any) -> None:
        self.rows.append((
            organization_id, run_id, key, name, position, kind, state, assignee_id, flagged,
            self.date(due_date), self.json_list(depends_on), self.empty_list, self.empty_dict,
            estimated_minutes, ready_at, 0,
        ))

    def insert(self) -> None:
        from django.db import connection

        meta = Step._meta
        columns = ", ".join(self.ops.quote_name(str(meta.get_field(f).column))  # type: ignore[union-attr]
                            for f in STEP_FIELDS)
        placeholders = ", ".join(["%s"] * len(STEP_FIELDS))
        # Only identifiers from the model's own metadata are interpolated; values are parameters.
        table = self.ops.quote_name(meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        with connection.cursor() as cursor:
            if connection.vendor != "postgresql":
                # SQLite prepares the statement once and runs it in-process: cheap per row.
                for start in range(0, len(self.rows), INSERT_BATCH):
                    cursor.executemany(sql, self.rows[start:start + INSERT_BATCH])
            elif len(self.rows) > COPY_THRESHOLD:
                # A bulk launch: COPY streams the rows, several times faster than INSERTs.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                # One launch: a multi-row INSERT is one round trip (COPY costs more to set up).
                for start in range(0, len(self.rows), INSERT_BATCH):
                    batch = self.rows[start:start + INSERT_BATCH]
                    values = ", ".join([f"({placeholders})"] * len(batch))
                    cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values}",  # noqa: S608
                                   [value for row in batch for value in row])
