"""Reading the audit log as the tests do: the rows of a change set, the latest event of an
action, a page's visible text."""

from __future__ import annotations

import re

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org.models import Organization


def shown(view) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(r.label, r.before.text if r.before else None, r.after.text) for r in view.changes]


def latest(org: Organization, action: str) -> AuditEvent:
    with tenancy.activate(org):
        return AuditEvent.objects.filter(action=action).latest("seq")


def visible_text(html: str) -> str:
    """The page without its tags and attributes (a filter's option values are codes, fine)."""
    return re.sub(r"<[^>]+>", " ", html)
