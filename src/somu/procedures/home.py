"""What the procedures app adds to the home page: the member's next steps, and for those who
oversee procedures the overdue steps. A few queries whatever the
number of runs and steps."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core.home import Attention, Lead, Waiting
from somu.core.permissions import has_perm
from somu.org.models import Membership
from somu.procedures.models import OPEN_STATES, Step, StepState
from somu.procedures.permissions import VIEW_PROCEDURES, WORK_STEPS
from somu.procedures.selectors.steps import my_tasks_count

NEXT_STEPS = 5


def lead(*, membership: Membership, today: dt.date) -> list[Lead]:
    """"You have 3 procedure steps to do. 1 is overdue." (one query), when there are any."""
    counts = my_tasks_count(membership, today=today)
    if counts is None or not counts.ready:
        return []
    text = ngettext("You have %(n)s procedure step to do.",
                    "You have %(n)s procedure steps to do.", counts.ready) % {"n": counts.ready}
    warning = ngettext("%(n)s is overdue.", "%(n)s are overdue.",
                       counts.overdue) % {"n": counts.overdue} if counts.overdue else ""
    return [Lead(text, reverse("procedures:my_tasks"), _("My tasks"), warning)]


def waiting_steps(*, membership: Membership, today: dt.date) -> list[Waiting]:
    """The member's next ready steps, the most urgent first (one query)."""
    if membership.person_id is None or not has_perm(membership, WORK_STEPS):
        return []
    steps = (Step.objects.filter(assignee_id=membership.person_id, state=StepState.READY)
             .select_related("run")
             .order_by(F("due_date").asc(nulls_last=True), "run_id", "position")[:NEXT_STEPS])
    return [Waiting(
        title=f"{step.name}（{step.run.name}）",
        detail=(_("due %(date)s") % {"date": date_format(step.due_date)}
                if step.due_date else _("no due date")),
        url=reverse("procedures:step_detail", args=[step.pk]),
        overdue=step.due_date is not None and step.due_date < today,
    ) for step in steps]


def attention(*, membership: Membership, today: dt.date) -> list[Attention]:
    """Overdue steps of the organization."""
    items: list[Attention] = []
    if has_perm(membership, VIEW_PROCEDURES):
        overdue = Step.objects.filter(state__in=OPEN_STATES, due_date__lt=today).count()
        items.append(Attention(_("Overdue steps"), f"{overdue:,}",
                               reverse("procedures:board"), warn=overdue > 0))
    return items
