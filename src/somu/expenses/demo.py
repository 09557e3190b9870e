"""The expenses part of ``somu demo``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from somu.core import tenancy
from somu.expenses.services import setup
from somu.org.models import Organization


def load_demo(organization: Organization, *, today: dt.date, fresh: bool) -> None:
    """The registry's demo loader (idempotent)."""
    with tenancy.activate(organization), transaction.atomic():
        setup.ensure_defaults()
