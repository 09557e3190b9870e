"""KPI definitions against values computed by hand on the small world of ``kpi_world``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from somu.core import tenancy
from somu.org.models import Organization
from somu.plans import kpis, measure
from somu.plans.models import ItemKind, ItemStatus, KpiReading
from somu.plans.tests import kpi_world as w
from somu.plans.tests.kpi_world import TODAY


def status(org: Organization, kpi: Any, today: dt.date = TODAY) -> kpis.KpiStatus:
    with tenancy.activate(org):
        return kpis.kpi_status(kpi, today=today)


def values(s: kpis.KpiStatus) -> list[float | None]:
    return [None if p.value is None else round(p.value, 3) for p in s.trend]


def test_dependency_rates_are_read_per_closed_round_oldest_first(org_a, world) -> None:
    by_count = status(org_a, w.kpi(org_a, "dependency_rate_count", target="20"))
    by_hours = status(org_a, w.kpi(org_a, "dependency_rate_hours", target="20"))
    # 2025: T1 (山田 only) and T3 (佐藤 only) of 3 tasks; (130 + 30) of 230 hours. 2026: none.
    assert [p.label for p in by_count.trend] == ["2025年度 業務調査", "2026年度 業務調査"]
    assert values(by_count) == [round(200 / 3, 3), 0.0]
    assert values(by_hours) == [round(16000 / 230, 3), 0.0]
    assert by_count.current is not None and by_count.current.round_id == world.r2026.pk


def test_a_lower_is_better_kpi_below_its_target_is_achieved(org_a, world) -> None:
    s = status(org_a, w.kpi(org_a, "dependency_rate_count", target="20"))
    assert s.gap == -20.0 and s.achieved and not s.overdue and s.state == "achieved"


def test_bus_factor_of_the_organization_and_of_a_function(org_a, world) -> None:
    whole = status(org_a, w.kpi(org_a, "bus_factor", direction="up", target="3",
                                parameters={"scope": "organization"}))
    # 2025: 山田 leaving leaves T1 (130 of 230 h > half) with nobody; 2026: 山田 and 鈴木 both.
    assert values(whole) == [1.0, 2.0]
    assert whole.gap == 1.0 and not whole.achieved and whole.state == "on_track"
    jinji = status(org_a, w.kpi(org_a, "bus_factor", name="人事", direction="up", target="2",
                                parameters={"scope": "function:人事"}))
    # 佐藤 is the only one capable of 勤怠集計 in both rounds (田中 is capable in 2026, but
    # does no hours, and the scope's task has 30 h): 2026 needs both gone.
    assert values(jinji) == [1.0, 2.0]
    assert jinji.achieved


def test_bus_factor_rows_name_the_people_and_the_hours_left(org_a, world, people_a) -> None:
    kpi = w.kpi(org_a, "bus_factor", direction="up", target="3",
                parameters={"scope": "organization"})
    s = status(org_a, kpi)
    with tenancy.activate(org_a):
        rows = kpis.kpi_rows(kpi, point=s.trend[0], today=TODAY)
        hidden = kpis.kpi_rows(kpi, point=s.trend[0], today=TODAY, personal=False)
    assert rows[0].value == "230.0 時間/月 のうち 130.0 時間/月"
    assert [r.label for r in rows[1:]] == ["山田 太郎"]
    drill = f"/survey/rounds/{world.r2025.pk}/analysis/rows/"
    assert rows[1].url == f"{drill}?person={people_a.yamada.pk}"
    assert [r.url for r in hidden] == [None, None]


def test_hours_total_and_of_one_function(org_a, world) -> None:
    total = status(org_a, w.kpi(org_a, "hours", target="180"))
    somu = status(org_a, w.kpi(org_a, "hours", name="総務", target="150",
                               parameters={"function": "総務"}))
    assert values(total) == [230.0, 200.0]
    assert values(somu) == [200.0, 170.0]
    assert total.gap == 20.0
    with tenancy.activate(org_a):
        rows = kpis.kpi_rows(somu.kpi, point=somu.trend[1], today=TODAY)
    assert [(r.label, r.value) for r in rows] == [("備品発注", "100.0 時間/月"),
                                                  ("契約書管理", "70.0 時間/月")]


def test_overloaded_people_and_their_rows(org_a, world) -> None:
    kpi = w.kpi(org_a, "overloaded_people", target="0")
    s = status(org_a, kpi)
    # 2025: 山田 180 h of 160; 2026: 山田 110 h.
    assert values(s) == [1.0, 0.0]
    with tenancy.activate(org_a):
        rows = kpis.kpi_rows(kpi, point=s.trend[0], today=TODAY)
        names_only = kpis.kpi_rows(kpi, point=s.trend[0], today=TODAY, personal=False)
    assert [(r.label, r.value) for r in rows] == [
        ("山田 太郎", "160.0 時間/月 に対して 180.0 時間/月（112%）")]
    assert [(r.label, r.value, r.url) for r in names_only] == [("山田 太郎", "", None)]


def test_overqualified_cost_is_hours_times_the_rate_difference(org_a, world) -> None:
    kpi = w.kpi(org_a, "overqualified_cost", target="100000")
    s = status(org_a, kpi)
    # 山田 (G3 ¥5,000) on 備品発注 (difficulty 1, G1 ¥2,500): 130 h, then 60 h × ¥2,500.
    assert values(s) == [325000.0, 150000.0]
    assert kpis.format_value(kpi, s.current.value if s.current else None) == "¥150,000"
    with tenancy.activate(org_a):
        rows = kpis.kpi_rows(kpi, point=s.trend[1], today=TODAY)
    assert [(r.label, r.value) for r in rows] == [("G3", "60.0 時間/月・¥150,000")]


def test_the_on_time_rate_counts_steps_completed_in_each_month_with_a_due_date(
        org_a, world) -> None:
    w.steps(org_a, [
        (dt.date(2026, 7, 10), dt.date(2026, 7, 10)),  # on the day: on time
        (dt.date(2026, 7, 10), dt.date(2026, 7, 3)),  # early
        (dt.date(2026, 7, 1), dt.date(2026, 7, 2)),  # late
        (None, dt.date(2026, 7, 2)),  # no due date: not counted
        (dt.date(2026, 6, 30), dt.date(2026, 6, 29)),
        (dt.date(2026, 7, 20), None),  # not completed
    ])
    s = status(org_a, w.kpi(org_a, "on_time_rate", direction="up", target="90"))
    # On 7/15 July is still running: in the trend, marked partial; the current value is
    # June's, the last complete month.
    assert [p.label for p in s.trend][-3:] == ["2026年5月", "2026年6月", "2026年7月（途中）"]
    assert [p.partial for p in s.trend][-3:] == [False, False, True]
    assert len(s.trend) == 12 and s.trend[0].label == "2025年8月"
    assert values(s)[-3:] == [None, 100.0, round(200 / 3, 3)]
    assert (s.current.label, s.current.value, s.state) == ("2026年6月", 100.0, "achieved")
    with tenancy.activate(org_a):
        rows = kpis.kpi_rows(s.kpi, point=s.trend[-1], today=TODAY)
    assert len(rows) == 3
    assert rows[0].value == "期限 2026/07/01・完了 2026/07/02・期限超過"
    assert rows[0].url is not None and rows[0].url.startswith("/procedures/runs/")


def test_moved_hours_add_up_done_outsourcing_and_automation_from_the_month_work_moves(
        org_a, world) -> None:
    w.item(org_a, kind=ItemKind.OUTSOURCE, status=ItemStatus.DONE, expected_hours=Decimal(10),
           done_on=dt.date(2026, 5, 10))
    w.item(org_a, kind=ItemKind.AUTOMATE, status=ItemStatus.DONE, expected_hours=Decimal(5),
           done_on=dt.date(2026, 5, 1), moves_on=dt.date(2026, 7, 1))
    w.item(org_a, kind=ItemKind.OUTSOURCE, status=ItemStatus.IN_PROGRESS,
           expected_hours=Decimal(99))
    w.item(org_a, kind=ItemKind.STANDARDIZE, status=ItemStatus.DONE, expected_hours=Decimal(7),
           done_on=dt.date(2026, 1, 1))
    s = status(org_a, w.kpi(org_a, "moved_hours", direction="up", target="20"))
    assert values(s)[-4:] == [0.0, 10.0, 10.0, 15.0]
    # The current value is June's (July is still running): 10 h of the 20 h target.
    assert s.gap == 10.0


def test_standardization_rate_counts_tasks_of_the_latest_closed_round_with_a_runnable_template(
        org_a, world) -> None:
    w.standardize(org_a, world.t1, dt.date(2026, 6, 10))
    archived = w.standardize(org_a, world.t2, dt.date(2026, 5, 1), name="契約書手順")
    with tenancy.activate(org_a):
        archived.archived = True
        archived.save()
    s = status(org_a, w.kpi(org_a, "standardization_rate", direction="up", target="50"))
    assert values(s)[-3:] == [0.0, round(100 / 3, 3), round(100 / 3, 3)]
    with tenancy.activate(org_a):
        rows = kpis.kpi_rows(s.kpi, point=s.trend[-1], today=TODAY)
    assert [(r.label, r.value) for r in rows] == [
        ("総務 / 備品発注", "手順: 備品発注手順"),
        ("総務 / 契約書管理", "実行できる手順なし"),
        ("人事 / 勤怠集計", "実行できる手順なし")]


def test_requests_in_somu_is_the_share_of_the_monthly_volume_capped_at_100(
        org_a, world, people_a) -> None:
    from somu.approvals.models import Request, RequestType

    with tenancy.activate(org_a):
        kind = RequestType.objects.create(organization=org_a, name="購入申請", number_prefix="購")
        now = timezone.now()
        for day in [dt.date(2026, 7, 1), dt.date(2026, 7, 2), dt.date(2026, 6, 5)] + [
                dt.date(2026, 5, 1)] * 5:
            Request.objects.create(organization=org_a, request_type=kind, title="備品",
                                   requester=people_a.suzuki, submitted_on=day,
                                   created_at=now, updated_at=now)
    s = status(org_a, w.kpi(org_a, "requests_in_somu", direction="up", target="80",
                            parameters={"monthly_volume": 4}))
    assert values(s)[-3:] == [100.0, 25.0, 50.0]
    # Two requests by 7/15 are half the monthly volume, but July is not over: the current
    # value is June's, not a partial month compared with a whole month's volume.
    assert (s.current.label, s.current.value) == ("2026年6月", 25.0)
    # Read on July 31, July is complete.
    with tenancy.activate(org_a):
        assert kpis.kpi_status(s.kpi, today=dt.date(2026, 7, 31)).current.value == 50.0


def test_a_manual_kpi_takes_its_readings_up_to_today(org_a, world) -> None:
    kpi = w.kpi(org_a, "manual", unit="件", direction="down", target="5")
    with tenancy.activate(org_a):
        for on, value in [(dt.date(2026, 4, 1), 12), (dt.date(2026, 6, 1), 8),
                          (dt.date(2026, 8, 1), 1)]:
            KpiReading.objects.create(organization=org_a, kpi=kpi, on=on, value=Decimal(value))
    s = status(org_a, kpi)
    assert values(s) == [12.0, 8.0]
    assert s.gap == 3.0 and s.state == "on_track"
    assert kpis.format_value(kpi, 8.0) == "8 件"


def test_a_kpi_past_its_date_without_reaching_the_target_is_overdue(org_a, world) -> None:
    s = status(org_a, w.kpi(org_a, "hours", target="100", target_on=dt.date(2026, 6, 30)))
    assert s.overdue and s.off_track and s.state == "overdue"


def test_a_kpi_that_did_not_get_closer_is_off_track(org_a, world) -> None:
    s = status(org_a, w.kpi(org_a, "bus_factor", direction="up", target="5",
                            parameters={"scope": "function:人事"}))
    assert values(s) == [1.0, 2.0] and s.state == "on_track"
    s = status(org_a, w.kpi(org_a, "overqualified_cost", name="x", target="0",
                            direction="down"))
    assert s.state == "on_track"
    manual = w.kpi(org_a, "manual", name="手入力", unit="件", direction="up", target="10")
    with tenancy.activate(org_a):
        KpiReading.objects.create(organization=org_a, kpi=manual, on=dt.date(2026, 5, 1),
                                  value=Decimal(5))
        KpiReading.objects.create(organization=org_a, kpi=manual, on=dt.date(2026, 6, 1),
                                  value=Decimal(5))
    assert status(org_a, manual).state == "off_track"


def test_kpi_statuses_reads_every_kpi_not_archived(org_a, world) -> None:
    w.kpi(org_a, "hours", target="180")
    w.kpi(org_a, "overloaded_people", target="0", archived=True)
    with tenancy.activate(org_a):
        statuses = kpis.kpi_statuses(today=TODAY)
    assert [s.kpi.definition for s in statuses] == ["hours"]


def test_item_effects_measure_against_the_first_closed_round_after_the_baseline(
        org_a, world, people_a) -> None:
    kpi = w.kpi(org_a, "dependency_rate_count", target="20")
    standardize = w.item(org_a, task=world.t1, round=world.r2025, expected_hours=Decimal(20),
                         expected_capable=1, kpi=kpi)
    reassign = w.item(org_a, kind=ItemKind.REASSIGN, person=people_a.yamada,
                      round=world.r2025, expected_hours=Decimal(20))
    later = w.item(org_a, task=world.t1, round=world.r2026, expected_capable=1)
    with tenancy.activate(org_a):
        effects = measure.item_effects([standardize, reassign, later], today=TODAY)
    first, second, third = effects
    assert first.state == "measured" and first.measured_round == world.r2026
    # 備品発注: 130 h → 100 h; capable 1 → 2; KPI 66.7% → 0%.
    assert first.measured_hours == 30.0 and first.measured_capable == 1
    assert first.kpi_before is not None and round(first.kpi_before, 3) == round(200 / 3, 3)
    assert first.kpi_after == 0.0
    # 山田's load: 180 h → 110 h.
    assert second.measured_hours == 70.0 and second.measured_capable is None
    # The open 2027 round does not count: nothing measured yet.
    assert third.state == "not_measured" and third.measured_hours is None


def test_an_item_without_a_baseline_round_uses_the_latest_closed_one_before_it_was_made(
        org_a, world) -> None:
    made = w.item(org_a, task=world.t3)
    with tenancy.activate(org_a):
        type(made).objects.filter(pk=made.pk).update(created_at=w.aware(dt.date(2026, 7, 1)))
        made.refresh_from_db()
        (effect,) = measure.item_effects([made], today=TODAY)
    # Made on 1 July 2026: the latest closed round before it is 2026; none after it yet.
    assert effect.baseline_round == world.r2026 and effect.state == "not_measured"


def test_item_effects_read_a_fixed_number_of_queries_whatever_the_items(
        org_a, world, django_assert_max_num_queries) -> None:
    kpi = w.kpi(org_a, "dependency_rate_count", target="20")
    items = [w.item(org_a, task=world.t1, round=world.r2025, kpi=kpi) for _n in range(10)]
    with tenancy.activate(org_a):
        measure.item_effects(items[:1], today=TODAY)  # the analyses are cached once
        with django_assert_max_num_queries(20):
            effects = measure.item_effects(items, today=TODAY)
    assert {e.measured_hours for e in effects} == {30.0}
