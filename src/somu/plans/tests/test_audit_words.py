"""The plan's audit entries read as words: yen as ¥1,234, a KPI's definition and parameters by
their labels, never a code or a raw dict."""

from __future__ import annotations

import datetime as dt

import pytest

from somu.audit.presenters import present_event
from somu.audit.tests.reading import latest, shown
from somu.core import tenancy
from somu.org.models import Department
from somu.plans.services.items import item_create
from somu.plans.services.strategy import kpi_save

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


def rows(org, action: str) -> dict[str, tuple[str | None, str]]:
    with tenancy.activate(org):
        view = present_event(latest(org, action))
    return {label: (before, after) for label, before, after in shown(view)}


def test_an_item_s_costs_show_in_yen(org_a, tr):
    with tenancy.activate(org_a):
        item_create(actor=None, data={"title": "請求書の外注", "kind": "outsource",
                                      "expected_cost": 1234567, "effort_cost": 50000},
                    today=TODAY)
    shown_rows = {after for _before, after in rows(org_a, "plan_item.create").values()}
    assert {"¥1,234,567", "¥50,000"} <= shown_rows
    assert "1234567" not in shown_rows


def test_a_kpi_s_definition_and_parameters_show_as_their_labels(org_a, tr):
    with tenancy.activate(org_a):
        department = Department.objects.create(organization=org_a, name="管理部")
        kpi_save(actor=None, kpi=None, today=TODAY, data={
            "name": "管理部のバス係数", "definition": "bus_factor",
            "parameters": {"scope": f"department:{department.pk}"}, "target": "2",
            "target_on": dt.date(2027, 3, 31)})
    after = {after for _before, after in rows(org_a, "plan_kpi.create").values()}
    assert tr("Bus factor") in after
    assert tr("Department: %(name)s") % {"name": "管理部"} in after
    assert not any("bus_factor" in text or "department:" in text or "{" in text
                   for text in after)
