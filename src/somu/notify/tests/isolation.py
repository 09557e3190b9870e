"""Organization B's records of the notification centre, for the isolation walker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.core.registry import Isolation
from somu.notify import services
from somu.notify.models import Delivery, DeliveryChannel, Webhook
from somu.org.models import Organization, User


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    """One notification to 木村 (B001) and his notification settings; a chat webhook and a
    delivery to it."""
    notification = services.notify(
        recipient=people.kimura, kind="procedures.step_assigned", title="ビー社通知の件名",
        body="ビー社通知の本文", url="/procedures/")
    assert notification is not None
    services.preferences_save(actor=admin, person=people.kimura, data={
        "procedures.step_decided": {"in_app": True, "email": "off"}})
    webhook = Webhook.objects.create(name="ビー通知先", kind="slack",
                                     url="https://hooks.slack.com/services/B/B/B")
    delivery = Delivery.objects.create(channel=DeliveryChannel.WEBHOOK, webhook=webhook,
                                       day=dt.date(2026, 4, 1), subject="ビー社の配信",
                                       body="ビー社の配信本文")
    return Isolation(ids={"notification_id": notification.pk, "webhook_id": webhook.pk,
                          "delivery_id": delivery.pk},
                     texts=("ビー社通知の件名", "ビー社通知の本文", "ビー通知先", "ビー社の配信"))
