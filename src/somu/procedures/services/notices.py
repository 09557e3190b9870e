"""What procedures tells people through the notification centre (:mod:`somu.notify`): a step
that became ready tells its assignee, a decided approval tells the requester.

Notifications are for someone other than the actor, so they are written in the organization's
language (``LANGUAGE_CODE``), not in the language of whoever's request made them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from somu.notify.services import Message, notify_many
from somu.procedures.models import Run, Step, StepState, actor_display

# One insert per this many runs' ready steps (a bulk launch may make thousands).
NOTIFY_BATCH: Final = 1000


def notify_ready(steps: Iterable[Step], *, run_names: Mapping[int, str],
                 actor_person_id: int | None) -> None:
    """Tell the assignee of each step just made ready that it waits for them (not the actor
    about a step they are to do themselves): one preference read and one insert in all."""
    with translation.override(settings.LANGUAGE_CODE):
        notify_many([
            Message(step.assignee_id, "procedures.step_assigned",
                    title=_("“%(step)s” is ready for you") % {"step": step.name},
                    body=run_names.get(step.run_id, ""),
                    url=reverse("procedures:step_detail", args=[step.pk]), about=step)
            for step in steps
            if step.assignee_id is not None and step.assignee_id != actor_person_id
        ])


def notify_launched(runs: Sequence[Run], *, actor_person_id: int | None) -> None:
    """After a launch: tell the assignees of the steps that are ready at once."""
    names = {run.pk: run.name for run in runs}
    ids = list(names)
    for start in range(0, len(ids), NOTIFY_BATCH):
        ready = (Step.objects.filter(run_id__in=ids[start:start + NOTIFY_BATCH],
                                     state=StepState.READY, assignee__isnull=False)
                 .order_by().only("pk", "name", "assignee_id", "run_id"))
        notify_ready(ready, run_names=names, actor_person_id=actor_person_id)


def notify_decided(run: Run, step: Step, *, approved: bool, decider: str, comment: str,
                   actor_person_id: int | None) -> None:
    """Tell the person who started ``run`` that its approval step ``step`` was decided."""
    if run.starter_id is None or run.starter_id == actor_person_id:
        return
    with translation.override(settings.LANGUAGE_CODE):
        values = {"step": step.name, "run": run.name}
        title = (_("“%(step)s” of “%(run)s” was approved") if approved
                 else _("“%(step)s” of “%(run)s” was rejected")) % values
        body = _("Decided by %(who)s.") % {"who": actor_display(decider)}
        if comment:
            body += "\n" + comment
        notify_many([Message(run.starter_id, "procedures.step_decided", title=title, body=body,
                             url=reverse("procedures:step_detail", args=[step.pk]),
                             about=step)])
