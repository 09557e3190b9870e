"""The demo survey of 株式会社サンプル shows every finding of the analysis, the same each time."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from somu.core import tenancy
from somu.org import demo as org_demo
from somu.org.models import Organization, Person, PersonStatus
from somu.procedures.tests.test_demo_procedures import TODAY as DEMO_DAY
from somu.shell.demo import ensure_demo
from somu.survey import analysis, demo, selectors
from somu.survey.analysis import AnalysisResult
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    RoundStatus,
    SurveyRound,
    Task,
    WorkHours,
)
from somu.survey.starter import STARTER_TASKS


@dataclass
class Demo:
    organization: Organization
    people: dict[str, int]  # employee number → person id
    tasks: dict[str, int]  # task name → task id
    before: AnalysisResult
    after: AnalysisResult


@pytest.fixture
def sample(db: None, settings, tmp_path: Path) -> Demo:
    settings.DATA_DIR = tmp_path  # the demo keeps its password there
    ensure_demo(today=DEMO_DAY)
    organization = Organization.objects.get(slug=org_demo.DEMO_SLUG)
    with tenancy.activate(organization):
        results = [
            selectors.round_analysis(survey_round=SurveyRound.objects.get(name=name),
                                     refresh=True)
            for name in (demo.ROUND_2025, demo.ROUND_2026)
        ]
        return Demo(
            organization=organization,
            people=dict(Person.objects.values_list("employee_number", "pk")),
            tasks=dict(Task.objects.values_list("name", "pk")),
            before=results[0],
            after=results[1],
        )


def _person(sample: Demo, result: AnalysisResult, number: str) -> analysis.PersonLoad:
    return next(p for p in result.people if p.person_id == sample.people[number])


def test_the_demo_adopts_the_starter_inventory_and_has_two_closed_rounds_and_one_open(sample):
    with tenancy.activate(sample.organization):
        assert Task.objects.count() == len(STARTER_TASKS)
        rounds = dict(SurveyRound.objects.values_list("name", "status"))
        assert rounds == {demo.ROUND_2025: RoundStatus.CLOSED, demo.ROUND_2026: RoundStatus.CLOSED,
                          demo.ROUND_OPEN: RoundStatus.OPEN}
        back_office = set(Person.objects.filter(
            status=PersonStatus.ACTIVE, department__name__in=demo.BACK_OFFICE,
        ).values_list("pk", flat=True))
        assert len(back_office) == 34
        for name in (demo.ROUND_2025, demo.ROUND_2026):
            respondents = Respondent.objects.filter(round__name=name)
            assert set(respondents.values_list("person_id", flat=True)) == back_office
            assert not respondents.exclude(status=ResponseStatus.SUBMITTED).exists()
            assert set(WorkHours.objects.filter(round__name=name)
                       .values_list("person_id", flat=True)) == back_office
        # Retired people are not asked.
        retired = Person.objects.filter(employee_number__in=["S0009", "S0015", "S0024"])
        assert not Respondent.objects.filter(person__in=retired).exists()


def test_each_person_reports_a_realistic_month_within_their_hours(sample):
    loads = {p.employee_number: p for p in sample.after.people}
    for number, load in loads.items():
        if number == "S0026":
            continue  # the overloaded one
        assert 0.7 * load.capacity <= load.load <= load.capacity, (number, load.load)
    part_timers = [loads[n] for n in ("S0041", "S0048", "S0036")]
    assert [p.capacity for p in part_timers] == [100, 80, 120]
    for task in sample.after.tasks:
        assert 1 <= task.people <= 3, task.name


def test_seasonal_tasks_keep_hours_as_the_average_of_their_twelve_months(sample):
    with tenancy.activate(sample.organization):
        rows = list(WorkHours.objects.filter(round__name=demo.ROUND_2026, monthly__isnull=False))
    assert len(rows) >= 20
    for row in rows:
        assert len(row.monthly) == 12
        assert row.hours == (sum(Decimal(v) for v in row.monthly) / 12).quantize(Decimal("0.01"))


def test_three_people_each_hold_tasks_nobody_else_can_do(sample):
    dependent = {t.task_id: t for t in sample.after.tasks if t.person_dependent}
    assert sample.after.dependency.dependent_tasks == len(dependent)
    assert 0.25 <= sample.after.dependency.rate_by_count <= 0.4
    holders = {
        "S0017": ("月次決算", "年次決算", "連結決算", "法人税申告準備"),
        "S0030": ("サーバー・クラウド運用", "ネットワーク保守", "セキュリティインシデント対応"),
        "S0020": ("株主総会運営", "取締役会事務局"),
    }
    for number, names in holders.items():
        for name in names:
            task = dependent[sample.tasks[name]]
            assert task.capable == (sample.people[number],), name


def test_the_closer_s_retirement_would_orphan_more_than_forty_hours_partly_absorbed(sample):
    risk = next(r for r in sample.after.retirement if r.person_id == sample.people["S0017"])
    assert risk.orphaned_hours > 40
    assert {sample.tasks[n] for n in ("月次決算", "年次決算", "連結決算", "法人税申告準備")} <= set(
        risk.orphaned_task_ids)
    assert risk.absorbed, "colleagues at capability 2 could take some of it"
    assert 0 < risk.unabsorbed_hours < risk.orphaned_hours
    absorbers = {a.person_id for a in risk.absorbed}
    assert absorbers <= {sample.people[n] for n in ("S0005", "S0027", "S0039")}


def test_ikeda_is_overloaded(sample):
    ikeda = _person(sample, sample.after, "S0026")
    assert ikeda.overloaded and 180 <= ikeda.load <= 190 and ikeda.capacity == 160
    overloaded = [p.employee_number for p in sample.after.people if p.overloaded]
    assert overloaded == ["S0026"]


def test_the_general_affairs_manager_does_routine_work_below_her_grade(sample):
    nakamura = sample.people["S0006"]
    with tenancy.activate(sample.organization):
        routine = {
            name: float(WorkHours.objects.get(round__name=demo.ROUND_2026, person_id=nakamura,
                                              task__name=name).hours)
            for name in ("来客・電話対応", "郵便物の受発送")
        }
    assert routine == {"来客・電話対応": 18.0, "郵便物の受発送": 8.0}
    g5 = next(g for g in sample.after.qualification.by_grade if g.grade == "G5")
    assert g5.over_hours >= 26
    # Each hour at G5 (6,800 yen) instead of G1 (2,400 yen) costs 4,400 yen more.
    assert g5.over_cost >= 26 * 4400
    assert sample.after.qualification.over_hours > 0 and sample.after.qualification.over_cost > 0


def test_march_is_the_peak_of_the_year(sample):
    seasonality = sample.after.seasonality
    assert seasonality.peak_month == 3
    by_month = {m.month: m.hours for m in seasonality.months}
    assert by_month[12] > by_month[8]  # 年末調整
    assert by_month[6] > by_month[8]  # 株主総会
    assert sample.before.seasonality.peak_month == 3


def test_some_work_could_be_outsourced_or_automated(sample):
    flags = {f.flag: f for f in sample.after.flags}
    for flag in ("outsourceable", "automatable"):
        assert flags[flag].hours > 100 and len(flags[flag].task_ids) >= 10


def test_the_comparison_shows_what_the_improvement_changed(sample):
    comparison = analysis.compare(sample.before, sample.after)
    metrics = {m.metric: m for m in comparison.metrics}
    assert metrics["hours"].change is not None and metrics["hours"].change < 0
    assert metrics["dependency_rate_by_count"].change < 0
    assert metrics["dependency_rate_by_hours"].change < 0
    assert (metrics["overloaded"].before, metrics["overloaded"].after) == (3, 1)
    assert comparison.overloaded_after == (sample.people["S0026"],)

    def dependent(result: AnalysisResult) -> set[str]:
        return {t.name for t in result.tasks if t.person_dependent}

    # Payroll no longer rests on 池田 alone, nor 経営企画 on 高橋 alone.
    assert dependent(sample.before) - dependent(sample.after) == {
        "給与計算", "年末調整", "賞与計算", "予算策定支援", "経営会議資料の作成", "IR資料の作成",
        "全社リスク管理"}
    assert dependent(sample.after) <= dependent(sample.before)
    payroll_before = next(t for t in sample.before.tasks if t.name == "給与計算")
    payroll_after = next(t for t in sample.after.tasks if t.name == "給与計算")
    assert payroll_before.capable == (sample.people["S0026"],)
    assert sample.people["S0037"] in payroll_after.capable
    payroll = next(t for t in comparison.tasks if t.key == str(sample.tasks["給与計算"]))
    assert payroll.change < 0
    planning = next(b for b in comparison.bus_factors if b[:2] == ("function", "経営企画"))
    assert planning[2] == 1 and planning[3] is not None and planning[3] >= 2
    assert metrics["bus_factor"].change is not None and metrics["bus_factor"].change > 0


def test_the_open_round_has_people_in_every_state_and_staff_has_not_started(sample):
    with tenancy.activate(sample.organization):
        survey_round = SurveyRound.objects.get(name=demo.ROUND_OPEN)
        progress = selectors.round_progress(survey_round=survey_round)
        assert progress.submitted == 4 and progress.in_progress == 2
        assert progress.not_started == progress.invited - 6 > 0
        yoshida = Respondent.objects.get(round=survey_round, person__employee_number="S0034")
        assert yoshida.status == ResponseStatus.NOT_STARTED
        departments = set(Respondent.objects.filter(round=survey_round)
                          .values_list("person__department__name", flat=True))
        assert departments == {"総務部", "情報システム部"}
        assert str(survey_round.due_on) == "2027-01-29"
        in_progress = Respondent.objects.filter(round=survey_round,
                                                status=ResponseStatus.IN_PROGRESS)
        assert all(Capability.objects.filter(round=survey_round, person=r.person).exists()
                   for r in in_progress)


def test_the_demo_survey_is_the_same_on_every_load(db):
    def answers(slug: str) -> list[tuple[object, ...]]:
        company = org_demo.load_company(org_demo.SAMPLE, slug=slug)
        demo.load(company.organization)
        with tenancy.activate(company.organization):
            hours = list(WorkHours.objects.order_by(
                "round__name", "person__employee_number", "task__name").values_list(
                "round__name", "person__employee_number", "task__name", "hours", "monthly"))
            levels = list(Capability.objects.order_by(
                "round__name", "person__employee_number", "task__name").values_list(
                "round__name", "person__employee_number", "task__name", "level"))
        return hours + levels

    assert answers("sample-first") == answers("sample-second")
