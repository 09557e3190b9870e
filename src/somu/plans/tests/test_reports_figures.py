"""The activity report's figures, against values worked out by hand on a small office and
against the survey's own analysis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from somu.core import tenancy
from somu.plans import kpis
from somu.plans.models import Kpi, Report
from somu.plans.services import reports as services
from somu.plans.tests import reports_office
from somu.plans.tests.reports_office import Q2, TODAY, Office
from somu.survey import selectors as survey_selectors


@pytest.fixture
def office(org_a: Any, people_a: Any) -> Office:
    return reports_office.build(org_a, people_a)


@pytest.fixture
def q2(office: Office, staff_a: Any) -> dict[str, Any]:
    with tenancy.activate(office.organization):
        report = services.report_create(actor=staff_a, period="quarter", starts_on=Q2,
                                        today=TODAY)
        return Report.objects.get(pk=report.pk).figures  # as stored, read back


def test_the_quarter_runs_from_july_to_september_and_is_named_for_the_fiscal_year(
        office: Office, staff_a: Any) -> None:
    with tenancy.activate(office.organization):
        report = services.report_create(actor=staff_a, period="quarter", starts_on=Q2,
                                        today=TODAY)
    assert (report.starts_on, report.ends_on) == (Q2, dt.date(2026, 9, 30))
    assert report.title == "2026年度 第2四半期（7〜9月） 活動報告"


def test_runs_launched_and_completed_count_those_of_the_quarter_only(q2: dict[str, Any]) -> None:
    proc = q2["procedures"]
    # Launched 7/3 and 9/30 (not 6/30); completed 8/10 and 7/1 00:10 (a run launched in June).
    assert (proc["runs_launched"], proc["runs_completed"]) == (2, 2)
    assert {t["name"]: (t["launched"], t["completed"]) for t in proc["by_template"]} == {
        "月次決算": (1, 1), "入社手続き": (1, 0), "年末調整": (0, 1)}


def test_steps_done_by_their_due_date_count_as_on_time_in_tokyo_time(q2: dict[str, Any]) -> None:
    proc = q2["procedures"]
    # 7/9 (due 7/10) on time, 8/2 (due 7/31) late, 8/5 without a due date, 9/30 23:30 (due 9/30)
    # on time; 10/1 is after the quarter and the open step is not completed.
    assert (proc["steps_completed"], proc["steps_with_due"], proc["steps_on_time"],
            proc["steps_late"]) == (4, 3, 2, 1)
    assert proc["on_time_rate"] == pytest.approx(2 / 3)


def test_the_on_time_trend_shows_the_six_months_up_to_the_quarter_s_end(
        q2: dict[str, Any]) -> None:
    months = {m["month"]: (m["completed"], m["with_due"], m["on_time"], m["in_period"])
              for m in q2["procedures"]["by_month"]}
    assert months == {
        "2026-04": (0, 0, 0, False), "2026-05": (0, 0, 0, False),
        "2026-06": (1, 1, 1, False), "2026-07": (1, 1, 1, True),
        "2026-08": (2, 1, 0, True), "2026-09": (1, 1, 1, True),
    }
    rates = [m["rate"] for m in q2["procedures"]["by_month"]]
    assert rates == [None, None, 1.0, 1.0, 0.0, 1.0]


def test_requests_count_first_submissions_and_decisions_in_the_quarter_by_type(
        q2: dict[str, Any]) -> None:
    req = q2["requests"]
    # Submitted 7/15 (経費精算) and 9/29 (稟議); approved 7/20 and 7/2 (submitted in June); the
    # 稟議 was rejected on 10/2, after the quarter; the draft was never submitted.
    assert (req["submitted"], req["approved"], req["rejected"]) == (2, 2, 0)
    assert {r["name"]: (r["submitted"], r["approved"], r["rejected"])
            for r in req["by_type"]} == {"経費精算": (1, 2, 0), "稟議": (1, 0, 0)}


def test_hours_by_function_come_from_the_last_round_closed_by_the_quarter_s_end(
        q2: dict[str, Any]) -> None:
    hours = q2["hours"]
    # The round closed in November is later than the quarter: 2026 against 2025.
    assert hours["round"]["name"] == "2026年度 業務調査"
    assert hours["previous_round"]["name"] == "2025年度 業務調査"
    assert {r["function"]: (r["hours"], r["previous"], r["change"])
            for r in hours["by_function"]} == {
        "経理": (185.0, 0.0, 185.0), "人事": (20.0, 30.0, -10.0), "総務": (10.0, 10.0, 0.0)}
    assert (hours["total"], hours["previous_total"], hours["change"]) == (215.0, 40.0, 175.0)


def test_hours_match_the_survey_analysis_of_the_round(office: Office,
                                                       q2: dict[str, Any]) -> None:
    with tenancy.activate(office.organization):
        result = survey_selectors.round_analysis(survey_round=office.round_2026)
    assert [(r["function"], r["hours"]) for r in q2["hours"]["by_function"]] == [
        (b.label, round(b.hours, 1)) for b in result.by_function]


def test_the_risks_name_the_dependent_task_the_retiree_and_the_overloaded_person(
        q2: dict[str, Any]) -> None:
    risks = q2["risks"]
    assert risks["round"]["name"] == "2026年度 業務調査"
    assert risks["dependent_tasks"] == [
        {"task": "給与計算", "function": "人事", "hours": 20.0, "people": ["山田 太郎"]}]
    assert [(r["person"], r["orphaned_hours"]) for r in risks["retirement"]] == [
        ("山田 太郎", 20.0)]
    assert [(r["person"], r["load"], r["utilization"]) for r in risks["overloaded"]] == [
        ("田中 美咲", 170.0, pytest.approx(170 / 160, abs=1e-3))]
    assert risks["dependency_rate_by_count"] == pytest.approx(1 / 3)


def test_items_done_in_the_quarter_and_the_open_ones_as_they_stood_at_its_end(
        q2: dict[str, Any]) -> None:
    items = q2["items"]
    assert [(i["number"], i["title"], i["owner"], i["done_on"]) for i in items["done"]] == [
        (1, "給与計算の手順書を作る", "鈴木 花子", "2026-08-20")]
    assert items["done_expected_hours"] == 5.0
    # #3 (late since 9/1) and #4 are open; #6 was made in November, after the quarter.
    assert [(i["number"], i["overdue"]) for i in items["open"]] == [(3, True), (4, False)]
    assert (items["open_count"], items["overdue_count"]) == (2, 1)
    assert {s["status"]: s["count"] for s in items["by_status"]} == {
        "proposed": 1, "planned": 0, "in_progress": 1, "done": 2, "cancelled": 1}


def test_a_month_report_of_the_current_month_sees_up_to_today(office: Office,
                                                             staff_a: Any) -> None:
    with tenancy.activate(office.organization):
        report = services.report_create(actor=staff_a, period="month",
                                        starts_on=dt.date(2026, 12, 1), today=TODAY)
    assert report.ends_on == dt.date(2026, 12, 31)
    assert report.figures["as_of"] == "2026-12-05"
    # The round closed in November is now the latest, compared with 2026.
    assert report.figures["hours"]["round"]["name"] == "2026年度 下期調査"
    assert report.figures["hours"]["previous_round"]["name"] == "2026年度 業務調査"


def test_executives_see_the_people_in_the_risks_by_name_without_their_hours(
        q2: dict[str, Any]) -> None:
    shown = services.for_viewer(q2, personal=False)
    assert shown["risks"]["overloaded"] == [{"person": "田中 美咲"}]
    assert shown["risks"]["retirement"] == [{"person": "山田 太郎"}]
    assert q2["risks"]["overloaded"][0]["load"] == 170.0  # the stored figures are untouched


def test_an_item_s_effect_is_as_last_measured_when_the_report_is_made(
        q2: dict[str, Any]) -> None:
    done = q2["items"]["done"][0]
    # 給与計算: 20 h in the 2026 round (the item's baseline), 5 h in the round closed in November.
    assert (done["state"], done["baseline_round"], done["measured_round"],
            done["measured_hours"]) == ("measured", "2026年度 業務調査", "2026年度 下期調査", 15.0)


def test_kpis_are_reported_against_their_targets_as_the_kpi_page_computes_them(
        office: Office, staff_a: Any) -> None:
    with tenancy.activate(office.organization):
        kpi = Kpi.objects.create(organization=office.organization, name="期限内完了率",
                                 definition="on_time_rate", direction="up",
                                 target=Decimal("90"), target_on=dt.date(2027, 3, 31))
        report = services.report_create(actor=staff_a, period="quarter", starts_on=Q2,
                                        today=TODAY)
        status = kpis.kpi_status(kpi, today=dt.date(2026, 9, 30))
    [row] = report.figures["kpis"]
    september = report.figures["procedures"]["by_month"][-1]
    # The KPI's value is September's on-time rate, in percent, the month the quarter ends.
    assert row["current"] == status.current.value == 100 * september["rate"] == 100.0
    assert (row["current_text"], row["target_text"]) == ("100.0%", "90.0%")
    assert (row["achieved"], row["overdue"]) == (True, False)


def test_a_past_period_s_round_based_kpi_reads_the_rounds_closed_by_its_end_only(
        office: Office, staff_a: Any) -> None:
    with tenancy.activate(office.organization):
        Kpi.objects.create(organization=office.organization, name="属人化率",
                           definition="dependency_rate_count", direction="down",
                           target=Decimal("10"), target_on=dt.date(2027, 3, 31))
        report = services.report_create(actor=staff_a, period="quarter", starts_on=Q2,
                                        today=TODAY)
    [row] = report.figures["kpis"]
    # Q2 ends on 9/30: the round closed on 11/30 is not yet there; the 2026 round's rate is
    # 1 task of 3 (給与計算), as the report's own risks say.
    assert row["current_label"] == "2026年度 業務調査"
    assert row["current"] == pytest.approx(100 / 3)
    assert report.figures["risks"]["round"]["name"] == row["current_label"]
