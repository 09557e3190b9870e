"""Reading and verifying the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from somu.audit import chain
from somu.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    object_type: str = ""
    object_id: str = ""  # exact: one record's history
    actor: str = ""
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_event_list(*, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """Events of the active organization, newest first."""
    f = filters or AuditFilter()
    qs = AuditEvent.objects.all()
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.actor:
        qs = qs.filter(actor_label__icontains=f.actor)
    if f.q:
        qs = qs.filter(Q(object_repr__icontains=f.q) | Q(object_id=f.q) | Q(request_id=f.q))
    if f.date_from:
        qs = qs.filter(created_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(created_at__date__lte=f.date_to)
    return qs.order_by("-seq")


def audit_actions() -> list[str]:
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_object_types() -> list[str]:
    return list(
        AuditEvent.objects.order_by("object_type").values_list("object_type", flat=True).distinct()
    )


def _stored_entries(organization_id: int) -> Iterator[chain.StoredEntry]:
    qs = AuditEvent.all_objects.filter(organization_id=organization_id).order_by("seq")
    for event in qs.iterator(chunk_size=2000):
        yield chain.StoredEntry(
            id=event.pk,
            seq=event.seq,
            prev_hash=event.prev_hash,
            hash=event.hash,
            content=event.chain_content(),
        )


@dataclass(frozen=True)
class ChainReport:
    organization_id: int
    checked: int
    broken: chain.ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def audit_chain_verify(*, organization_id: int) -> ChainReport:
    """Recompute one organization's chain from the stored rows."""
    from somu.audit.models import AuditChainHead

    checked, broken = chain.verify(_stored_entries(organization_id))
    if broken is None:
        # A deleted tail leaves a consistent but shorter chain: the head still knows its length.
        head = AuditChainHead.objects.filter(organization_id=organization_id).first()
        if head is not None and head.seq != checked:
            broken = chain.ChainBreak(
                entry_id=0,
                seq=checked + 1,
                reason=f"chain ends at {checked} but {head.seq} events were recorded",
            )
    return ChainReport(organization_id=organization_id, checked=checked, broken=broken)
