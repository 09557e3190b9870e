"""Organization B's records of the notification centre, for the isolation walker."""

from __future__ import annotations

from typing import Any

from somu.core.registry import Isolation
from somu.notify import services
from somu.org.models import Organization, User


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    """One notification to 木村 (B001) and his notification settings."""
    notification = services.notify(
        recipient=people.kimura, kind="procedures.step_assigned", title="ビー社通知の件名",
        body="ビー社通知の本文", url="/procedures/")
    assert notification is not None
    services.preferences_save(actor=admin, person=people.kimura, data={
        "procedures.step_decided": {"in_app": True, "email": "off"}})
    return Isolation(ids={"notification_id": notification.pk},
                     texts=("ビー社通知の件名", "ビー社通知の本文"))
