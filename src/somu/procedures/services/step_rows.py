"""The statements of a step completion, written out.

Completing a step is the busiest write of procedures (every person's every task), and Django's
query building cost more than the database's work: 19 ORM statements took ~6 ms where the
database needed well under one. The common path is therefore these statements, with table
and column names taken from the models and values adapted by the model fields (so JSON, dates
and times are stored exactly as the ORM stores them):

1. :func:`lock_run` — the run, all its steps, the version's creation time (the key of the parsed
   spec) and the actor's person, in one ``SELECT``; on PostgreSQL ``FOR UPDATE OF`` the run and
   the steps. The run comes first in ``FROM`` and in ``OF``: PostgreSQL then locks the run row
   before any step row, the order every other transition (``run_cancel``, ``run_advance``,
   handovers) takes its locks in, so the two cannot deadlock. The steps are locked too, not
   only read: a statement that had to wait for the run's lock would otherwise return the step
   rows of the snapshot it started with, without a concurrent completion's changes; locked rows
   are re-read at their latest version. On SQLite, write transactions are IMMEDIATE and
   serialized by the database.
2. :func:`write` — the finished step and the steps it makes ready, in one ``UPDATE``;
3. the timeline events, in one ``INSERT`` (on PostgreSQL, 2 and 3 are one statement).

The audit entry adds its own (``somu.audit.services``); the run's completion, after the last
step, one ``UPDATE`` more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from somu.org.models import Membership, Person
from somu.procedures.models import Run, Step, StepEvent, TemplateVersion


class _Columns:
    """A model's concrete fields with what converts each column's value to Python and back,
    as the ORM does it, for one database backend."""

    def __init__(self, model: Any, conn: Any) -> None:
        self.model = model
        self.table = conn.ops.quote_name(model._meta.db_table)
        fields = model._meta.concrete_fields
        self.attnames = [f.attname for f in fields]
        self.columns = {f.attname: conn.ops.quote_name(f.column) for f in fields}
        self.converters: dict[str, tuple[Any, list[Any]]] = {}
        self.preparers: dict[str, Any] = {}
        for f in fields:
            col = f.get_col(model._meta.db_table)
            converters = [*conn.ops.get_db_converters(col), *col.get_db_converters(conn)]
            if converters:
                self.converters[f.attname] = (col, converters)
            if f.get_internal_type() in ("JSONField", "DateField", "DateTimeField"):
                self.preparers[f.attname] = f.get_db_prep_save

    def convert(self, attname: str, value: Any, conn: Any) -> Any:
        found = self.converters.get(attname)
        if found is not None:
            col, converters = found
            for converter in converters:
                value = converter(value, col, conn)
        return value

    def prep(self, attname: str, value: Any, conn: Any) -> Any:
        preparer = self.preparers.get(attname)
        return value if preparer is None else preparer(value, conn)

    def instance(self, values: Sequence[Any], conn: Any) -> Any:
        return self.model.from_db(conn.alias, self.attnames, [
            self.convert(name, value, conn)
            for name, value in zip(self.attnames, values, strict=True)])


@dataclass(frozen=True)
class _Plan:
    run: _Columns
    step: _Columns
    version: _Columns
    event: _Columns
    lock_sql: str


@cache
def _plan(vendor: str) -> _Plan:
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    run, step = _Columns(Run, conn), _Columns(Step, conn)
    lock = " FOR UPDATE OF r, s" if conn.features.has_select_for_update_of else ""
    lock_sql = (
        f"SELECT {', '.join('r.' + c for c in run.columns.values())}, "  # noqa: S608
        f"{', '.join('s.' + c for c in step.columns.values())}, v.{q('created_at')}, "
        f"p.{q('id')}, p.{q('name')} "
        f"FROM {run.table} r "
        f"INNER JOIN {q(TemplateVersion._meta.db_table)} v ON v.{q('id')} = r.{q('version_id')} "
        f"INNER JOIN {step.table} s ON s.{q('run_id')} = r.{q('id')} "
        f"LEFT OUTER JOIN {q(Membership._meta.db_table)} m ON m.{q('user_id')} = %s "
        f"AND m.{q('organization_id')} = r.{q('organization_id')} AND m.{q('is_active')} "
        f"LEFT OUTER JOIN {q(Person._meta.db_table)} p ON p.{q('id')} = m.{q('person_id')} "
        f"WHERE r.{q('id')} = (SELECT {q('run_id')} FROM {step.table} "
        f"WHERE {q('id')} = %s AND {q('organization_id')} = %s) "
        f"AND r.{q('organization_id')} = %s "
        f"ORDER BY s.{q('position')}, s.{q('id')}{lock}"
    )
    return _Plan(run=run, step=step, version=_Columns(TemplateVersion, conn),
                 event=_Columns(StepEvent, conn), lock_sql=lock_sql)


def _connection() -> tuple[Any, _Plan]:
    conn = connections[DEFAULT_DB_ALIAS]
    return conn, _plan(conn.vendor)


@dataclass(slots=True)
class StepRow:
    """One step of the locked run, as the readiness and due-date rules need it."""

    id: int
    key: str
    name: str
    state: str
    assignee_id: int | None
    revision: int
    due_date: dt.date | None
    raw_completed_at: Any

    @property
    def completed_at(self) -> dt.datetime | None:
        conn, plan = _connection()
        return plan.step.convert("completed_at", self.raw_completed_at, conn)


@dataclass(slots=True)
class LockedRun:
    run: Run
    step: Step  # the step acted on, a full model instance
    steps: list[StepRow]  # every step of the run, by position
    version: TemplateVersion  # id and creation time; the spec is loaded only if not cached
    actor_person_id: int | None
    actor_person_name: str | None


def lock_run(*, step_id: int, organization_id: int, user_id: int | None) -> LockedRun:
    """The run of step ``step_id`` with all its steps, locked; ``Step.DoesNotExist`` when the
    step is not one of the organization's."""
    conn, plan = _connection()
    with conn.cursor() as cursor:
        cursor.execute(plan.lock_sql, [user_id, step_id, organization_id, organization_id])
        rows = cursor.fetchall()
    if not rows:
        raise Step.DoesNotExist
    n_run, n_step = len(plan.run.attnames), len(plan.step.attnames)
    run = plan.run.instance(rows[0][:n_run], conn)
    at = {name: n_run + i for i, name in enumerate(plan.step.attnames)}
    i_id, i_key, i_name, i_state = at["id"], at["key"], at["name"], at["state"]
    i_assignee, i_revision, i_due, i_completed = (
        at["assignee_id"], at["revision"], at["due_date"], at["completed_at"])
    steps: list[StepRow] = []
    locked: Step | None = None
    for row in rows:
        if row[i_id] == step_id:
            locked = plan.step.instance(row[n_run:n_run + n_step], conn)
            locked.run = run
        due = row[i_due]
        steps.append(StepRow(
            id=row[i_id], key=row[i_key], name=row[i_name], state=row[i_state],
            assignee_id=row[i_assignee], revision=row[i_revision],
            due_date=None if due is None else plan.step.convert("due_date", due, conn),
            raw_completed_at=row[i_completed]))
    assert locked is not None
    created_at, person_id, person_name = rows[0][n_run + n_step:]
    version = TemplateVersion.from_db(conn.alias, ["id", "organization_id", "created_at"], [
        run.version_id, run.organization_id,
        plan.version.convert("created_at", created_at, conn)])
    return LockedRun(run=run, step=locked, steps=steps, version=version,
                     actor_person_id=person_id, actor_person_name=person_name)


def _update_sql(changes: Mapping[int, Mapping[str, Any]], conn: Any, plan: _Plan
                ) -> tuple[str, list[Any]]:
    """``UPDATE`` for ``{step id: {attname: value}}``: a ``CASE`` per column for several rows."""
    columns = plan.step.columns
    q_id = columns["id"]
    sets: list[str] = []
    params: list[Any] = []
    if len(changes) == 1:
        ((pk, values),) = changes.items()
        for name, value in values.items():
            sets.append(f"{columns[name]} = %s")
            params.append(plan.step.prep(name, value, conn))
        where = f"{q_id} = %s"
        params.append(pk)
    else:
        for name in sorted({name for values in changes.values() for name in values}):
            column = columns[name]
            whens = [(pk, values[name]) for pk, values in changes.items() if name in values]
            sets.append(f"{column} = CASE {q_id} " + " ".join("WHEN %s THEN %s" for _ in whens)
                        + f" ELSE {column} END")
            for pk, value in whens:
                params += [pk, plan.step.prep(name, value, conn)]
        where = f"{q_id} IN ({', '.join(['%s'] * len(changes))})"
        params += list(changes)
    return (f"UPDATE {plan.step.table} SET {', '.join(sets)} WHERE {where}",  # noqa: S608
            params)


_EVENT_FIELDS = ("organization_id", "run_id", "step_id", "kind", "actor_id", "actor_label",
                 "comment", "data", "created_at")


def _insert_sql(events: Sequence[Mapping[str, Any]], conn: Any, plan: _Plan
                ) -> tuple[str, list[Any]]:
    """``INSERT`` of timeline events (dicts of :data:`_EVENT_FIELDS`), one row each."""
    columns = ", ".join(plan.event.columns[name] for name in _EVENT_FIELDS)
    placeholders = "(" + ", ".join(["%s"] * len(_EVENT_FIELDS)) + ")"
    sql = (f"INSERT INTO {plan.event.table} ({columns}) VALUES "  # noqa: S608
           + ", ".join([placeholders] * len(events)))
    return sql, [plan.event.prep(name, event[name], conn)
                 for event in events for name in _EVENT_FIELDS]


def write(changes: Mapping[int, Mapping[str, Any]], events: Sequence[Mapping[str, Any]]) -> None:
    """Write the steps' ``{step id: {attname: value}}`` and insert the timeline events.

    Two statements; on PostgreSQL one (the update in a ``WITH``, which runs exactly once
    whether or not its result is read), as each statement there is a round trip.
    """
    conn, plan = _connection()
    statements = []
    if changes:
        statements.append(_update_sql(changes, conn, plan))
    if events:
        statements.append(_insert_sql(events, conn, plan))
    if len(statements) == 2 and conn.vendor == "postgresql":
        (update, update_params), (insert, insert_params) = statements
        statements = [(f"WITH changed AS ({update} RETURNING 1) {insert}",
                       update_params + insert_params)]
    with conn.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
