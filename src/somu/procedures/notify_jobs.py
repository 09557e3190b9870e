"""The worker's side of notifications: a ``digest:<org>:<date>`` job per organization once its
digest hour has passed, a ``send:<delivery>:<attempt>`` job per delivery whose attempt is due, and
their handlers (registered by :class:`~somu.procedures.apps.ProceduresConfig`).

A digest job runs after the organization's schedules jobs of its day (``after``), so the steps
those launches create are in the digest.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from typing import Final

from django.conf import settings
from django.utils import timezone

from somu.jobs.models import Job
from somu.jobs.queue import enqueue
from somu.jobs.registry import DueJob, handler, periodic
from somu.org.models import Organization
from somu.procedures.models import Delivery
from somu.procedures.notify import build_digests, due_q, send_delivery
from somu.procedures.schedule_jobs import organization_of, payload_date, schedules_key_prefix

DIGEST: Final = "digest"
SEND: Final = "send"


def digest_hour() -> int:
    """The deployment's digest hour (``SOMU_DIGEST_HOUR``, default 8); an organization may set
    its own on its settings page."""
    return int(getattr(settings, "SOMU_DIGEST_HOUR", os.environ.get("SOMU_DIGEST_HOUR", 8)))


@periodic
def due_digests(now: dt.datetime) -> Iterator[DueJob]:
    local = timezone.localtime(now)
    default_hour = digest_hour()
    for org_id, own_hour in Organization.objects.order_by("pk").values_list("pk", "digest_hour"):
        # From this local hour on, the organization's digests of the day are built.
        if local.hour >= (default_hour if own_hour is None else own_hour):
            yield DueJob(DIGEST, f"{DIGEST}:{org_id}:{local.date().isoformat()}",
                         {"date": local.date().isoformat()}, org_id,
                         [schedules_key_prefix(org_id, local.date())])


@periodic
def due_sends(now: dt.datetime) -> Iterator[DueJob]:
    retries = Delivery.all_objects.filter(due_q(now)).values_list(
        "pk", "attempts", "organization_id"
    )
    for pk, attempts, org_id in retries:
        yield DueJob(SEND, f"{SEND}:{pk}:{attempts}", {"delivery": pk}, org_id)


@handler(DIGEST)
def handle_digest(job: Job, now: dt.datetime) -> None:
    """Build the day's digests and queue one send job per new delivery."""
    organization = organization_of(job)
    for delivery in build_digests(organization=organization, day=payload_date(job)):
        enqueue(SEND, f"{SEND}:{delivery.pk}:0", {"delivery": delivery.pk}, now, organization)


# The message leaves the building; the delivery's own claim keeps it from going out twice.
@handler(SEND, atomic=False)
def handle_send(job: Job, now: dt.datetime) -> None:
    send_delivery(int(job.payload["delivery"]), now=now)
