"""The worker's side of improvement items: once a day per organization with open 標準化 or
多能工化 items, close those whose work is done (a template for the task in use, the training run
completed). Registered by the plans app's ``ready()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Final

from django.utils import timezone

from somu.core import tenancy
from somu.jobs.models import Job
from somu.jobs.registry import DueJob, handler, periodic
from somu.plans.models import Item, ItemKind, ItemStatus

CLOSE_ITEMS: Final = "plans_items_close"


@periodic
def due_item_checks(now: dt.datetime) -> Iterator[DueJob]:
    day = timezone.localtime(now).date()
    # Cross-organization discovery: which organizations have items that may close.
    org_ids = set(
        Item.all_objects.filter(kind__in=(ItemKind.STANDARDIZE, ItemKind.CROSS_TRAIN))
        .exclude(status__in=(ItemStatus.DONE, ItemStatus.CANCELLED))
        .values_list("organization_id", flat=True)
    )
    for org_id in sorted(org_ids):
        yield DueJob(CLOSE_ITEMS, f"{CLOSE_ITEMS}:{org_id}:{day.isoformat()}",
                     {"date": day.isoformat()}, org_id)


@handler(CLOSE_ITEMS)
def handle_close_items(job: Job, now: dt.datetime) -> None:
    from somu.plans.training import items_close_fulfilled

    if job.organization_id is None:
        raise ValueError(f"Job {job.key} names no organization.")
    with tenancy.activate(job.organization_id):
        items_close_fulfilled(today=dt.date.fromisoformat(str(job.payload["date"])))
