"""What the home page shows: the shapes apps fill in (no Django, no feature app).

Each app that has something for a person's starting point provides a function returning
:class:`Waiting` items (what waits for this person) or :class:`Attention` items (a number that
needs an administrator's or manager's attention, linked to the list behind it).
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
