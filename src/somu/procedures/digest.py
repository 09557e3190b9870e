"""What procedures adds to the daily digest (:mod:`somu.notify.digests`): open steps of running
runs that are overdue or due soon, declared as a digest section in the app's registry entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Final

from django.db.models import QuerySet
from django.urls import reverse

from somu.core import tenancy
from somu.notify.chat import DigestItem
from somu.org.models import Organization
from somu.org.selectors import absolute_url, business_calendar, link_base_url
from somu.procedures.models import OPEN_STATES, RunStatus, Step, StepState
from somu.procedures.schedule_jobs import schedules_key_prefix
from somu.rules.calendar import BusinessCalendar

# A step is "due soon" when it is due within this many business days after the digest's day.
DUE_SOON_BUSINESS_DAYS: Final = 1


def due_soon_limit(*, day: dt.date, calendar: BusinessCalendar) -> dt.date:
    """The last due date that still counts as "due soon" on ``day``."""
    return calendar.add_business_days(day, DUE_SOON_BUSINESS_DAYS)


def notifiable_steps(*, day: dt.date, calendar: BusinessCalendar) -> QuerySet[Step]:
    """Open steps of running runs that are overdue or due soon on ``day``, earliest first."""
    return (
        Step.objects.filter(
            state__in=OPEN_STATES,
            run__status=RunStatus.RUNNING,
            due_date__lte=due_soon_limit(day=day, calendar=calendar),
        )
        .select_related("run", "assignee")
        .order_by("due_date", "run_id", "position", "pk")
    )


def _item(step: Step, day: dt.date, base_url: str) -> DigestItem:
    assert step.due_date is not None
    return DigestItem(
        item_id=step.pk,
        name=step.name,
        context=step.run.name,
        assignee_id=step.assignee_id,
        assignee=step.assignee.name if step.assignee is not None else "",
        due_date=step.due_date,
        days_late=max(0, (day - step.due_date).days),
        waiting=step.state == StepState.WAITING,
        url=absolute_url(reverse("procedures:step_detail", args=[step.pk]), base_url=base_url),
    )


def digest_items(*, organization: Organization, day: dt.date,
                 person_ids: Collection[int] | None = None,
                 item_ids: Sequence[int] | None = None) -> list[DigestItem]:
    """The overdue and due-soon steps on ``day`` (``person_ids``: assigned to them), or, with
    ``item_ids``, exactly those steps as they are now (a chat summary sent again)."""
    base_url = link_base_url(organization_id=organization.pk)
    with tenancy.activate(organization):
        if item_ids is not None:
            steps = {s.pk: s for s in Step.objects.filter(pk__in=item_ids)
                     .select_related("run", "assignee") if s.due_date is not None}
            return [_item(steps[pk], day, base_url) for pk in item_ids if pk in steps]
        found = notifiable_steps(day=day, calendar=business_calendar(organization=organization))
        if person_ids is not None:
            found = found.filter(assignee_id__in=person_ids)
        return [_item(step, day, base_url) for step in found]


def digest_after(organization_id: int, day: dt.date) -> str:
    """The day's digest waits for the day's scheduled launches (their steps are in it)."""
    return schedules_key_prefix(organization_id, day)
