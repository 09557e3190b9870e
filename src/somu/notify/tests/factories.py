"""What the notification tests share (not a test module)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.core import tenancy
from somu.notify import services
from somu.notify.models import Notification
from somu.org.models import Organization, Person

ASSIGNED = "procedures.step_assigned"  # in-app on, email in the digest by default
DECIDED = "procedures.step_decided"  # in-app on, email immediately by default


def tell(org: Organization, person: Person, title: str, *, kind: str = ASSIGNED,
         url: str = "/procedures/", at: dt.datetime | None = None, **kwargs: Any
         ) -> Notification:
    """A notification to ``person``, written ``at`` a given moment when one is given."""
    with tenancy.activate(org):
        notification = services.notify(recipient=person, kind=kind, title=title, url=url,
                                       **kwargs)
        assert notification is not None
        if at is not None:
            Notification.objects.filter(pk=notification.pk).update(created_at=at)
            notification.created_at = at
    return notification


def titles(org: Organization, person: Person) -> list[str]:
    with tenancy.activate(org):
        return list(Notification.objects.filter(recipient=person).order_by("pk")
                    .values_list("title", flat=True))
