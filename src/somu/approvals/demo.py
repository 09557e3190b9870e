"""The approvals demo (being built): the built-in request types."""

from __future__ import annotations

import datetime as dt

from somu.approvals.services.types import ensure_built_in_types
from somu.org.models import Organization


def load_demo(organization: Organization, *, today: dt.date, fresh: bool) -> None:
    ensure_built_in_types()
