"""What the home page shows: the shapes apps fill in (no Django, no feature app).

Each app that has something for a person's starting point names, in its registry entry
(:mod:`somu.core.registry`), functions ``(membership=, today=)`` returning :class:`Lead` items
(a summary line), :class:`Waiting` items (what waits for this person) or :class:`Attention`
items (a number that needs an administrator's or manager's attention, linked to the list behind
it). The home page shows them in the order of ``INSTALLED_APPS``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Waiting:
    """Something waiting for the signed-in person: a step to do, a survey to answer."""

    title: str
    detail: str  # e.g. the due date, as shown
    url: str
    overdue: bool = False


@dataclass(frozen=True)
class Attention:
    """A figure that may need someone's attention; ``warn`` when it does now."""

    label: str
    value: str
    url: str
    note: str = ""
    warn: bool = False


@dataclass(frozen=True)
class Lead:
    """A one-line summary above the waiting list ("You have 3 procedure steps to do."), with a
    warning part when some are late, and a link to the list behind it."""

    text: str
    url: str
    link: str
    warning: str = ""


@dataclass(frozen=True)
class TaskPanel:
    """What another app has for the person on "My tasks" (requests awaiting their decision…):
    a titled list with its full count and a link to the app's own list."""

    title: str
    count: int
    url: str
    link: str
    items: tuple[Waiting, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One finding of the survey analysis, as the apps that act on findings receive it
    (registry ``finding_actions``): its kind (``dependent_task``, ``retirement``, ``overload``,
    ``overqualified``, ``outsourceable``, ``automatable``), the round it was seen in, and the
    task and/or person it is about."""

    kind: str
    round_id: int
    task_id: int | None = None
    person_id: int | None = None
