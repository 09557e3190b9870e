"""Organization B's strategy records, for the isolation walker: a KPI (manual, with a reading),
a review; their names must never show in organization A."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.core.registry import Isolation
from somu.org.models import Organization, User
from somu.plans.models import Review
from somu.plans.services import strategy

# Far from any date a test runs on, so the target is never "in the past".
ON = dt.date(2030, 1, 1)


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    strategy.vision_save(actor=admin, data={"statement": "ビー社の止まらない総務"},
                         today=dt.date(2026, 1, 1))
    kpi = strategy.kpi_save(actor=admin, kpi=None, data={
        "name": "ビー社問い合わせ件数", "definition": "manual", "unit": "件", "direction": "down",
        "target": 5, "target_on": ON}, today=dt.date(2026, 1, 1))
    reading = strategy.reading_save(actor=admin, kpi=kpi, data={
        "on": dt.date(2026, 1, 1), "value": 9, "note": "ビー社の記録"}, today=dt.date(2026, 1, 1))
    review = Review.objects.create(organization=organization, held_on=dt.date(2026, 1, 1),
                                   title="ビー社振り返り", decisions="ビー社の決定")
    return Isolation(ids={"kpi_id": kpi.pk, "reading_id": reading.pk, "plan_review_id": review.pk},
                     texts=("ビー社問い合わせ件数", "ビー社振り返り", "ビー社の止まらない総務"))
