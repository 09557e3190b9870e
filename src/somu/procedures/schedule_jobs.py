"""The worker's side of schedules: a ``schedules:<org>:<date>:<hour>`` job for each organization
with a schedule due, and its handler (registered by the procedures app's ``ready()``).

The handler is not atomic:
:func:`~somu.procedures.services.schedules.schedule_launch_due` launches each occurrence in its
own transaction (the schedule's row lock and the unique (schedule, occurrence) make a re-run
skip what was launched), so a long catch-up does not hold the organization's
audit-chain lock for the whole job; the job is marked done after the last launch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Final

from django.utils import timezone

from somu.jobs.models import Job
from somu.jobs.registry import DueJob, handler, periodic
from somu.org.models import Organization
from somu.procedures.models import Schedule

SCHEDULES: Final = "schedules"


def schedules_key_prefix(organization_id: int, day: dt.date) -> str:
    """What every schedules job of an organization and day begins with (jobs run after it)."""
    return f"{SCHEDULES}:{organization_id}:{day.isoformat()}:"


def payload_date(job: Job) -> dt.date:
    return dt.date.fromisoformat(str(job.payload["date"]))


def organization_of(job: Job) -> Organization:
    if job.organization_id is None:
        raise ValueError(f"Job {job.key} names no organization.")
    return Organization.objects.get(pk=job.organization_id)


@periodic
def due_schedules(now: dt.datetime) -> Iterator[DueJob]:
    local = timezone.localtime(now)
    # Cross-organization discovery: one of the few places the worker reads all_objects.
    due_orgs = set(
        Schedule.all_objects.filter(active=True, next_occurrence__lte=local.date())
        .values_list("organization_id", flat=True)
    )
    for org_id in sorted(due_orgs):
        yield DueJob(SCHEDULES, f"{schedules_key_prefix(org_id, local.date())}{local.hour:02d}",
                     {"date": local.date().isoformat()}, org_id)


@handler(SCHEDULES, atomic=False)
def handle_schedules(job: Job, now: dt.datetime) -> None:
    """Launch the organization's runs whose schedule occurrence is due by the job's date."""
    from somu.procedures.services.schedules import schedule_launch_due

    schedule_launch_due(organization=organization_of(job), today=payload_date(job))
