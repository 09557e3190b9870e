"""Organization B's audit events, for the isolation walker."""

from __future__ import annotations

from typing import Any

from somu.audit.models import AuditEvent
from somu.core.registry import Isolation
from somu.org.models import Organization, User


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    event = AuditEvent.objects.order_by("seq").first()
    assert event is not None
    return Isolation(ids={"event_id": event.pk})
