"""Writing the audit log. Every service that changes data calls :func:`audit_record`."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models, transaction
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


@transaction.atomic
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
    """Append one event to the active organization's chain."""
    org_id = organization_id if organization_id is not None else tenancy.active_organization_id()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]

    # The head row lock makes concurrent appends to one chain queue up instead of forking it.
    head, _ = AuditChainHead.objects.get_or_create(
        organization_id=org_id, defaults={"seq": 0, "last_hash": chain.GENESIS}
    )
    head = AuditChainHead.objects.select_for_update().get(pk=head.pk)

    event = AuditEvent(
        organization_id=org_id,
        seq=head.seq + 1,
        # Stored to the microsecond on both databases, so the hash can be recomputed exactly.
        created_at=timezone.now(),
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        actor_label=_actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        changes=jsonable(dict(changes or {})),
        request_id=current_request_id() if current_request_id() != "-" else "",
        prev_hash=head.last_hash,
    )
    event.hash = chain.entry_hash(event.prev_hash, event.chain_content())
    with tenancy.activate(org_id):
        event.save()
    head.seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["seq", "last_hash"])
    return event


_ENTRY_KEYS = frozenset({"action", "obj", "object_type", "object_id", "object_repr", "changes"})


@transaction.atomic
def audit_record_many(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    entries: Iterable[Mapping[str, Any]],
    organization_id: int | None = None,
) -> list[AuditEvent]:
    """Append many events to the active organization's chain in one locked pass.

    Each entry holds the keyword arguments :func:`audit_record` takes (``action``, ``obj``,
    ``object_type``, ``object_id``, ``object_repr``, ``changes``); the events are hashed exactly
    as :func:`audit_record` would hash them one by one, but written with one bulk insert, so an
    import of thousands of records does not take thousands of round trips.
    """
    org_id = organization_id if organization_id is not None else tenancy.active_organization_id()
    head, _ = AuditChainHead.objects.get_or_create(
        organization_id=org_id, defaults={"seq": 0, "last_hash": chain.GENESIS}
    )
    head = AuditChainHead.objects.select_for_update().get(pk=head.pk)

    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    actor_label = _actor_label(actor)
    request_id = current_request_id() if current_request_id() != "-" else ""
    seq, prev_hash = head.seq, head.last_hash
    events: list[AuditEvent] = []
    for entry in entries:
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            raise ValueError(f"Unknown audit entry keys: {sorted(unknown)}")
        obj: models.Model | None = entry.get("obj")
        object_type = entry.get("object_type", "")
        object_id = entry.get("object_id", "")
        object_repr = entry.get("object_repr", "")
        if obj is not None:
            object_type = object_type or obj._meta.label_lower
            object_id = object_id or str(obj.pk)
            object_repr = object_repr or str(obj)[:200]
        seq += 1
        event = AuditEvent(
            organization_id=org_id,
            seq=seq,
            created_at=timezone.now(),
            actor_id=actor_id,
            actor_label=actor_label,
            action=entry["action"],
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=jsonable(dict(entry.get("changes") or {})),
            request_id=request_id,
            prev_hash=prev_hash,
        )
        event.hash = chain.entry_hash(event.prev_hash, event.chain_content())
        prev_hash = event.hash
        events.append(event)
    if not events:
        return []
    # bulk_create skips AuditEvent.save(): these rows are new by construction.
    AuditEvent.all_objects.bulk_create(events, batch_size=500)
    head.seq = seq
    head.last_hash = prev_hash
    head.save(update_fields=["seq", "last_hash"])
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
