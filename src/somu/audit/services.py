"""Writing the audit log. Every service that changes data calls :func:`audit_record`."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from somu.audit import chain
from somu.audit.models import AuditChainHead, AuditEvent
from somu.core import tenancy
from somu.core.requestid import current_request_id

Changes = dict[str, list[Any]]


def jsonable(value: Any) -> Any:
    """A field value as it is stored in the log: stable JSON, whatever the database."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        # 160.00 and 160 are one value; plain notation, never "1.6E+2".
        return format(value.normalize(), "f")
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of ``instance``; foreign keys by id.

    A field that holds a secret declares ``audit_value(value)``: the log keeps what that returns
    (a masked form), never the secret itself — audit events can never be rewritten later.
    """
    result: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        value = getattr(instance, attname)
        audit_value = getattr(field, "audit_value", None)
        result[name] = audit_value(value) if audit_value is not None else jsonable(value)
    return result


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> Changes:
    """``{field: [before, after]}`` for every field whose value changed."""
    changes: Changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = [old, new]
    return changes


def _actor_label(actor: AbstractBaseUser | AnonymousUser | None) -> str:
    if actor is None or not actor.is_authenticated:
        return "system"
    return actor.get_username()


def _new_event(org_id: int, actor_id: int | None, actor_label: str, request_id: str,
               action: str, obj: models.Model | None, object_type: str, object_id: str,
               object_repr: str, changes: Mapping[str, Any] | None) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEvent(
        organization_id=org_id,
        # Stored to the microsecond on both databases, so the hash can be recomputed exactly.
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=jsonable(dict(changes or {})),
        request_id=request_id,
    )


_EVENT_COLUMNS = ("organization_id", "seq", "created_at", "actor_id", "actor_label", "action",
                  "object_type", "object_id", "object_repr", "changes", "request_id",
                  "prev_hash", "hash")
_BATCH = 500


def _append(org_id: int, events: list[AuditEvent]) -> None:
    """Chain ``events`` onto the organization's log: lock the head, insert, move the head.

    Three statements whatever the number of events (up to 500 per insert); two on PostgreSQL,
    where the head moves in a ``WITH`` of the (last) insert. The head row's lock
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serializes write transactions) makes
    concurrent appends queue up instead of forking the chain, and a locked row is read at its
    latest version, so the appender that waited chains onto what the other one wrote. Written
    out rather than through the ORM: every service writes one of these, and the ORM's query
    building took longer than the statements themselves.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    head_table = quote(AuditChainHead._meta.db_table)
    select_head = (f"SELECT {quote('seq')}, {quote('last_hash')} FROM {head_table} "  # noqa: S608
                   f"WHERE {quote('organization_id')} = %s"
                   + (" FOR UPDATE" if conn.features.has_select_for_update else ""))
    with conn.cursor() as cursor:
        cursor.execute(select_head, [org_id])
        head = cursor.fetchone()
        if head is None:  # the organization's first event
            AuditChainHead.objects.bulk_create(
                [AuditChainHead(organization_id=org_id, seq=0, last_hash=chain.GENESIS)],
                ignore_conflicts=True)
            cursor.execute(select_head, [org_id])
            head = cursor.fetchone()
        seq, prev_hash = int(head[0]), str(head[1])
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.hash = prev_hash = chain.entry_hash(prev_hash, event.chain_content())
        changes_field = AuditEvent._meta.get_field("changes")
        columns = ", ".join(quote(c) for c in _EVENT_COLUMNS)
        row_sql = "(" + ", ".join(["%s"] * len(_EVENT_COLUMNS)) + ")"
        returning = conn.features.can_return_rows_from_bulk_insert
        move_head = (f"UPDATE {head_table} SET {quote('seq')} = %s, "  # noqa: S608
                     f"{quote('last_hash')} = %s WHERE {quote('organization_id')} = %s")
        head_moved = False
        for start in range(0, len(events), _BATCH):
            batch = events[start:start + _BATCH]
            params: list[Any] = []
            prefix = ""
            if conn.vendor == "postgresql" and start + _BATCH >= len(events):
                prefix, params, head_moved = f"WITH head AS ({move_head}) ", [
                    seq, prev_hash, org_id], True
            for e in batch:
                params += [e.organization_id, e.seq,
                           conn.ops.adapt_datetimefield_value(e.created_at), e.actor_id,
                           e.actor_label, e.action, e.object_type, e.object_id, e.object_repr,
                           changes_field.get_db_prep_save(e.changes, conn), e.request_id,
                           e.prev_hash, e.hash]
            sql = (f"{prefix}INSERT INTO {quote(AuditEvent._meta.db_table)} ({columns}) VALUES "  # noqa: S608
                   + ", ".join([row_sql] * len(batch))
                   + (f" RETURNING {quote('id')}, {quote('seq')}" if returning else ""))
            cursor.execute(sql, params)
            ids = {s: i for i, s in cursor.fetchall()} if returning else {}
            for e in batch:
                e.pk = ids.get(e.seq)
                e._state.adding, e._state.db = False, conn.alias
        if not head_moved:
            cursor.execute(move_head, [seq, prev_hash, org_id])


@transaction.atomic(savepoint=False)
def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: Mapping[str, Any] | None = None,
    organization_id: int | None = None,
) -> AuditEvent:
    """Append one event to the active organization's chain.

    No savepoint of its own: an append that fails fails the caller's whole transaction, which
    must not commit a change without its entry anyway.
    """
    org_id = organization_id if organization_id is not None else tenancy.active_organization_id()
    request_id = current_request_id()
    event = _new_event(org_id, actor.pk if actor is not None and actor.is_authenticated else None,
                       _actor_label(actor), request_id if request_id != "-" else "", action, obj,
                       object_type, object_id, object_repr, changes)
    _append(org_id, [event])
    return event


_ENTRY_KEYS = frozenset({"action", "obj", "object_type", "object_id", "object_repr", "changes"})


@transaction.atomic(savepoint=False)
def audit_record_many(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    entries: Iterable[Mapping[str, Any]],
    organization_id: int | None = None,
) -> list[AuditEvent]:
    """Append many events to the active organization's chain in one locked pass.

    Each entry holds the keyword arguments :func:`audit_record` takes (``action``, ``obj``,
    ``object_type``, ``object_id``, ``object_repr``, ``changes``); the events are hashed exactly
    as :func:`audit_record` would hash them one by one, but written with one insert per 500, so
    an import of thousands of records does not take thousands of round trips.
    """
    org_id = organization_id if organization_id is not None else tenancy.active_organization_id()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    actor_label = _actor_label(actor)
    request_id = current_request_id() if current_request_id() != "-" else ""
    events: list[AuditEvent] = []
    for entry in entries:
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise ValueError(f"Unknown audit entry keys: {sorted(unknown)}")
        events.append(_new_event(
            org_id, actor_id, actor_label, request_id, entry["action"], entry.get("obj"),
            entry.get("object_type", ""), entry.get("object_id", ""),
            entry.get("object_repr", ""), entry.get("changes")))
    if events:
        _append(org_id, events)
    return events


def save_with_audit(
    instance: models.Model,
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    fields: tuple[str, ...],
    data: Mapping[str, Any],
    action_prefix: str,
) -> models.Model:
    """Create or update ``instance`` from ``data`` (only ``fields``), validated and audited."""
    creating = instance._state.adding
    before = {} if creating else snapshot(instance, fields)
    for name, value in data.items():
        if name not in fields:
            raise ValueError(f"{name!r} cannot be set here")
        setattr(instance, name, value)
    if not creating and not diff(before, snapshot(instance, fields)):
        return instance
    if instance.organization_id is None:  # type: ignore[attr-defined]
        instance.organization_id = tenancy.active_organization_id()  # type: ignore[attr-defined]
    instance.full_clean()
    instance.save()
    audit_record(
        actor=actor,
        action=f"{action_prefix}.{'create' if creating else 'update'}",
        obj=instance,
        changes=diff(before, snapshot(instance, fields)),
    )
    return instance
