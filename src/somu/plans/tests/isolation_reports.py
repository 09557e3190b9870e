"""Organization B's reports records, for the isolation walker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.core import tenancy
from somu.core.registry import Isolation
from somu.org.models import Organization, User


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    from somu.plans.services.reports import report_create

    with tenancy.activate(organization):
        report = report_create(actor=admin, period="month", starts_on=dt.date(2025, 4, 1),
                               title="B社 2025年4月の活動報告（秘）", today=dt.date(2025, 5, 10))
    return Isolation(ids={"report_id": report.pk}, texts=(report.title,))
