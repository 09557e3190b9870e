"""Organization B's items records, for the isolation walker: one item (path parameter
``item_id``) with a title no page or answer of organization A may show."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.core.registry import Isolation
from somu.org.models import Organization, User


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    from somu.core import tenancy
    from somu.plans.services.items import item_create

    with tenancy.activate(organization):
        item = item_create(actor=admin, data={
            "title": "ビー社の改善施策（秘）", "kind": "standardize",
            "description": "ビー社だけの施策"}, today=dt.date(2000, 1, 1))
    return Isolation(ids={"item_id": item.pk}, texts=("ビー社の改善施策（秘）",))
