"""The worker's side of notifications (registered by :class:`~somu.notify.apps.NotifyConfig`):

- ``digest:<org>:<date>``, once the organization's digest hour has passed: build the day's
  digests (:func:`somu.notify.digests.build_digests`) and queue one send per new delivery. It
  runs after the jobs the digest sections name (``after``: the day's scheduled launches), so
  the steps those launches create are in it;
- ``email_now:<notification>``, for each notification wanted by email at once: write its
  delivery and queue its send;
- ``send:<delivery>:<attempt>``, for each delivery whose attempt is due: send it (the delivery's
  own claim keeps it from going out twice);
- ``notify_prune:<date>``, once a day: delete the in-app notifications older than 90 days.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Final

from django.conf import settings
from django.utils import timezone

from somu.core import registry, tenancy
from somu.jobs.models import Job
from somu.jobs.queue import enqueue
from somu.jobs.registry import DueJob, handler, periodic
from somu.notify.digests import build_digests, notification_email_create
from somu.notify.models import Delivery, EmailMode, Notification
from somu.notify.sending import due_q, send_delivery
from somu.notify.services import notification_prune
from somu.org.models import Organization

DIGEST: Final = "digest"
SEND: Final = "send"
EMAIL_NOW: Final = "email_now"
PRUNE: Final = "notify_prune"


def digest_hour() -> int:
    """The deployment's digest hour (``SOMU_DIGEST_HOUR``, default 8); an organization may set
    its own on its settings page."""
    return int(getattr(settings, "SOMU_DIGEST_HOUR", os.environ.get("SOMU_DIGEST_HOUR", 8)))


def _after(org_id: int, day: dt.date) -> list[str]:
    return [registry.resolve(section.after)(org_id, day)
            for section in registry.digest_sections() if section.after]


@periodic
def due_digests(now: dt.datetime) -> Iterator[DueJob]:
    local = timezone.localtime(now)
    default_hour = digest_hour()
    for org_id, own_hour in Organization.objects.order_by("pk").values_list("pk", "digest_hour"):
        # From this local hour on, the organization's digests of the day are built.
        if local.hour >= (default_hour if own_hour is None else own_hour):
            yield DueJob(DIGEST, f"{DIGEST}:{org_id}:{local.date().isoformat()}",
                         {"date": local.date().isoformat()}, org_id,
                         _after(org_id, local.date()))


@periodic
def due_immediate_emails(now: dt.datetime) -> Iterator[DueJob]:
    waiting = (Notification.all_objects
               .filter(email_mode=EmailMode.IMMEDIATE, emailed_at__isnull=True)
               .exclude(recipient__email="").order_by("pk")
               .values_list("pk", "organization_id"))
    for pk, org_id in waiting:
        yield DueJob(EMAIL_NOW, f"{EMAIL_NOW}:{pk}", {"notification": pk}, org_id)


@periodic
def due_sends(now: dt.datetime) -> Iterator[DueJob]:
    retries = Delivery.all_objects.filter(due_q(now)).values_list(
        "pk", "attempts", "organization_id"
    )
    for pk, attempts, org_id in retries:
        yield DueJob(SEND, f"{SEND}:{pk}:{attempts}", {"delivery": pk}, org_id)


@periodic
def due_prune(now: dt.datetime) -> Iterator[DueJob]:
    day = timezone.localdate(now)
    yield DueJob(PRUNE, f"{PRUNE}:{day.isoformat()}", {}, None)


@handler(DIGEST)
def handle_digest(job: Job, now: dt.datetime) -> None:
    """Build the day's digests and queue one send job per new delivery."""
    if job.organization_id is None:
        raise ValueError(f"Job {job.key} names no organization.")
    organization = Organization.objects.get(pk=job.organization_id)
    day = dt.date.fromisoformat(str(job.payload["date"]))
    for delivery in build_digests(organization=organization, day=day, now=now):
        enqueue(SEND, f"{SEND}:{delivery.pk}:0", {"delivery": delivery.pk}, now, organization)


@handler(EMAIL_NOW)
def handle_email_now(job: Job, now: dt.datetime) -> None:
    """Write one notification's email (exactly once, in this job's transaction) and queue it."""
    delivery = notification_email_create(notification_id=int(job.payload["notification"]),
                                         now=now)
    if delivery is not None:
        enqueue(SEND, f"{SEND}:{delivery.pk}:0", {"delivery": delivery.pk}, now,
                delivery.organization_id)


# The message leaves the building; the delivery's own claim keeps it from going out twice.
@handler(SEND, atomic=False)
def handle_send(job: Job, now: dt.datetime) -> None:
    send_delivery(int(job.payload["delivery"]), now=now)


@handler(PRUNE)
def handle_prune(job: Job, now: dt.datetime) -> None:
    with tenancy.unscoped():
        notification_prune(now=now)
