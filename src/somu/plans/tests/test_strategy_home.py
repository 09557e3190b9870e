"""The plan's home panels: attention for the back office, a lead for executives."""

from __future__ import annotations

import datetime as dt
from typing import Any

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Membership, Organization
from somu.plans import home
from somu.plans.models import ItemStatus
from somu.plans.tests import kpi_world as w

TODAY = dt.date(2026, 7, 15)



def membership(org: Organization, user: Any) -> Membership:
    with tenancy.activate(org):
        return Membership.objects.get(user=user)


def test_staff_see_kpis_off_track_and_items_overdue_or_due_soon(org_a, world, staff_a) -> None:
    w.kpi(org_a, "hours", name="工数", target="100", target_on=dt.date(2026, 6, 30))  # overdue
    w.kpi(org_a, "dependency_rate_count", name="属人化率", target="20")  # achieved
    w.item(org_a, due_on=dt.date(2026, 7, 1), status=ItemStatus.PLANNED)  # overdue
    w.item(org_a, due_on=dt.date(2026, 7, 29))  # due within 14 days
    w.item(org_a, due_on=dt.date(2026, 7, 30))  # later
    w.item(org_a, due_on=dt.date(2026, 7, 1), status=ItemStatus.DONE)  # done: not counted
    with tenancy.activate(org_a):
        shown = home.attention(membership=membership(org_a, staff_a), today=TODAY)
    assert [(a.label, a.value, a.note, a.warn) for a in shown] == [
        ("目標から遠ざかっている KPI", "1 / 2",
         "目標に近づいていない、または目標日を過ぎたもの", True),
        ("期限を過ぎた改善施策", "1", "14 日以内に期限: 1 件", True)]


def test_executives_get_the_kpis_as_a_lead_not_the_attention_panel(
        org_a, world, make_user) -> None:
    w.kpi(org_a, "hours", name="工数", target="100", target_on=dt.date(2026, 6, 30))
    w.kpi(org_a, "dependency_rate_count", name="属人化率", target="20")
    executive = membership(org_a, make_user("ceo", org_a, Role.EXECUTIVE))
    with tenancy.activate(org_a):
        assert home.attention(membership=executive, today=TODAY) == []
        lead = home.lead(membership=executive, today=TODAY)
    assert lead[0].text == "KPI 2 件のうち 1 件が順調または達成です。"
    assert lead[0].warning == "1 件が目標から遠ざかっています。" and lead[0].url == "/plans/"
