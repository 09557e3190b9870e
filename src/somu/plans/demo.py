"""The improvement plan of 株式会社サンプル, after the survey, procedures and approvals demos:
the vision and six KPIs, items made from the latest round's findings (in every state, one
標準化 closed by a template in use, one 多能工化 with its training run under way), two
scenarios (one proposed by the optimizer), the 活動報告 and a 振り返り held on them.

Each area builds its own part through its services (``demo_<area>.py``); every part is
idempotent, so an existing demo gets what a later version adds.
"""

from __future__ import annotations

import datetime as dt

from somu.org.models import Organization
from somu.plans import demo_items, demo_reports, demo_scenarios, demo_strategy


def load_demo(organization: Organization, *, today: dt.date, fresh: bool) -> None:
    """The registry's demo loader."""
    demo_strategy.load(organization, today=today)
    demo_items.load(organization, today=today)
    demo_scenarios.load(organization, today=today)
    demo_reports.load(organization, today=today)
    demo_strategy.load_reviews(organization, today=today)
