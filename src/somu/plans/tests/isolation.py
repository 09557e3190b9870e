"""Organization B's plan records, for the isolation walker: one part per area."""

from __future__ import annotations

from typing import Any

from somu.core.registry import Isolation
from somu.org.models import Organization, User
from somu.plans.tests import (
    isolation_items,
    isolation_reports,
    isolation_scenarios,
    isolation_strategy,
)


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    ids: dict[str, int] = {}
    texts: list[str] = []
    for part in (isolation_strategy, isolation_items, isolation_scenarios, isolation_reports):
        built = part.records_of_b(organization=organization, admin=admin, people=people)
        ids.update(built.ids)
        texts.extend(built.texts)
    return Isolation(ids=ids, texts=tuple(texts))
