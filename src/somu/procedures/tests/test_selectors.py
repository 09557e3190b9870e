"""Reading procedures: my tasks, the board, the calendar, step pages and the survey comparison."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone, translation

from somu.core import tenancy
from somu.org.models import Membership
from somu.procedures.engine.parse import parse_spec_dict
from somu.procedures.engine.spec import AssigneeRule, DueRule
from somu.procedures.models import Run, RunStatus, Step
from somu.procedures.selectors import runs as run_selectors
from somu.procedures.selectors import steps as step_selectors
from somu.procedures.selectors import templates as template_selectors
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save
from somu.survey import services as survey_services
from somu.survey.models import RoundStatus, SurveyRound, WorkHours

TODAY = dt.date(2026, 5, 13)  # a Wednesday: this week ends on Sunday 5/17
NEWCOMER = {"入社者": "A002", "入社日": "2026-04-30"}


def chores_spec(name: str = "庶務") -> dict[str, Any]:
    """Six steps for the person in 担当者: five ready at once, one waiting for the first."""
    return {
        "name": name, "parameters": [{"key": "担当者", "type": "person"}],
        "steps": [
            *[{"key": f"s{i}", "name": f"作業{i}", "assignee": {"param": "担当者"},
               "estimated_minutes": 10} for i in range(5)],
            {"key": "after", "name": "後続", "assignee": {"param": "担当者"},
             "depends_on": ["s0"]},
        ],
    }


DUES = {"s0": dt.date(2026, 5, 12), "s1": TODAY, "s2": dt.date(2026, 5, 17),
        "s3": dt.date(2026, 5, 18), "s4": None, "after": dt.date(2026, 5, 20)}


def launch_chores(org: Any, actor: Any, template: Any, person: str = "A002") -> Run:
    with tenancy.activate(org):
        run = run_services.run_launch(actor=actor, template=template, params={"担当者": person})
        for key, due in DUES.items():
            Step.objects.filter(run=run, key=key).update(due_date=due)
    return run


@pytest.fixture
def hr(make_user, org_a, people_a):  # type: ignore[no-untyped-def]
    return make_hr_staff(make_user, org_a, people_a)


def keys(steps: list[Step]) -> list[str]:
    return [s.key for s in steps]


def test_my_tasks_sorts_ready_steps_into_buckets_and_lists_waiting_ones(org_a, people_a, hr):
    run = launch_chores(org_a, hr, save(org_a, chores_spec()))
    with tenancy.activate(org_a):
        mine = step_selectors.my_tasks(person=people_a.suzuki, today=TODAY)
        others = step_selectors.my_tasks(person=people_a.sato, today=TODAY)
    assert keys(mine.overdue) == ["s0"]
    assert keys(mine.today) == ["s1"]
    assert keys(mine.this_week) == ["s2"]
    assert keys(mine.later) == ["s3", "s4"]  # no due date last
    assert keys(mine.waiting) == ["after"]
    assert mine.counts == {"overdue": 1, "today": 1, "this_week": 1, "later": 2, "waiting": 1}
    assert mine.total == 6
    assert mine.today[0].run == run
    assert others.total == 0


def test_my_tasks_leaves_out_finished_and_cancelled_steps(org_a, people_a, hr):
    run = launch_chores(org_a, hr, save(org_a, chores_spec()))
    with tenancy.activate(org_a):
        step_services.step_complete(actor=hr, step=Step.objects.get(run=run, key="s1"))
        assert step_selectors.my_tasks(person=people_a.suzuki, today=TODAY).counts["today"] == 0
        step_services.run_cancel(actor=hr, run=run)
        assert step_selectors.my_tasks(person=people_a.suzuki, today=TODAY).total == 0


def test_my_tasks_takes_the_same_queries_for_one_run_or_many(
        org_a, people_a, hr, django_assert_num_queries):
    template = save(org_a, chores_spec())
    launch_chores(org_a, hr, template)

    def read() -> None:
        mine = step_selectors.my_tasks(person=people_a.suzuki, today=TODAY)
        for bucket in (mine.overdue, mine.today, mine.this_week, mine.later, mine.waiting):
            for step in bucket:
                assert step.run.template.name

    with tenancy.activate(org_a), django_assert_num_queries(6):
        read()
    for _ in range(5):
        launch_chores(org_a, hr, template)
    with tenancy.activate(org_a), django_assert_num_queries(6):
        read()


def test_the_board_shows_progress_holders_and_late_steps(org_a, people_a, hr):
    chores = save(org_a, chores_spec())
    launch_chores(org_a, hr, chores)
    second = launch_chores(org_a, hr, chores, person="A004")
    with tenancy.activate(org_a):
        step_services.step_complete(actor=hr, step=Step.objects.get(run=second, key="s0"))
        board = step_selectors.board(today=TODAY)
    (row,) = board.templates
    assert (row.name, row.running, row.steps_total, row.steps_finished) == ("庶務", 2, 12, 1)
    assert row.steps_late == 1  # 鈴木's s0 (田中's is done)
    assert row.progress == 8
    holders = {h.name: (h.open, h.late) for h in board.holders}
    assert holders == {"鈴木 花子": (6, 1), "田中 美咲": (5, 0)}
    assert [(s.key, s.assignee) for s in board.late_steps] == [("s0", people_a.suzuki)]


def test_the_board_takes_the_same_queries_for_few_or_many_runs(
        org_a, people_a, hr, django_assert_num_queries):
    chores = save(org_a, chores_spec())
    other = save(org_a, chores_spec("備品管理"))
    launch_chores(org_a, hr, chores)

    def read() -> None:
        board = step_selectors.board(today=TODAY)
        for step in board.late_steps:
            assert step.run.template.name and step.assignee.name

    with tenancy.activate(org_a), django_assert_num_queries(3):
        read()
    for template in (chores, other, other):
        launch_chores(org_a, hr, template, person="A004")
    with tenancy.activate(org_a):
        with django_assert_num_queries(3):
            read()
        assert len(step_selectors.board(today=TODAY).templates) == 2


def test_the_calendar_lists_open_steps_by_due_date(org_a, people_a, hr):
    launch_chores(org_a, hr, save(org_a, chores_spec()))
    with tenancy.activate(org_a):
        days = step_selectors.due_calendar(year=2026, month=5)
        assert {d: keys(s) for d, s in days.items()} == {
            dt.date(2026, 5, 12): ["s0"], TODAY: ["s1"], dt.date(2026, 5, 17): ["s2"],
            dt.date(2026, 5, 18): ["s3"], dt.date(2026, 5, 20): ["after"]}
        assert step_selectors.due_calendar(year=2026, month=6) == {}
        assert step_selectors.due_calendar(year=2026, month=5, person_id=people_a.sato.pk) == {}


def test_run_list_counts_progress_and_filters(org_a, people_a, hr):
    chores = save(org_a, chores_spec())
    run = launch_chores(org_a, hr, chores)
    launch_chores(org_a, hr, chores, person="A004")
    with tenancy.activate(org_a):
        step_services.step_complete(actor=hr, step=Step.objects.get(run=run, key="s1"))
        runs = {r.pk: r for r in run_selectors.run_list(person_id=people_a.suzuki.pk)}
        assert list(runs) == [run.pk]
        assert (runs[run.pk].steps_total, runs[run.pk].steps_finished) == (6, 1)
        assert run_selectors.run_list(template_id=chores.pk).count() == 2
        assert run_selectors.run_list(status=RunStatus.COMPLETED).count() == 0
        (listed,) = template_selectors.template_list()
        assert (listed.run_count, listed.open_runs) == (2, 2)


def test_the_step_page_renders_instructions_with_names_and_dates(org_a, people_a, hr):
    template = save(org_a, onboarding())
    with tenancy.activate(org_a), translation.override("ja"):
        run = run_services.run_launch(actor=hr, template=template, params=NEWCOMER)
        step = step_selectors.step_get(step_id=Step.objects.get(run=run, key="docs").pk)
        view = step_selectors.step_view(step=step)
    # Dates read as on every page: ISO with the weekday.
    assert "鈴木 花子さんは2026-04-30 (木)までに" in view.instructions_html
    assert view.checklist == [(0, "雇用契約書", False), (1, "マイナンバー", False)]
    assert keys(view.dependents) == ["shaho", "koyo", "account"]
    assert ("入社者", "入社者", "鈴木 花子") in view.params
    with tenancy.activate(org_a):
        shaho = step_selectors.step_view(step=step_selectors.step_get(
            step_id=Step.objects.get(run=run, key="shaho").pk))
    assert [(f.key, f.required) for f in shaho.form] == [("receipt_no", True),
                                                         ("submitted_on", False)]
    assert keys(shaho.dependencies) == ["docs"]


def test_who_may_act_on_a_step(org_a, people_a, hr, employee_a, manager_a, auditor_a):
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        run = run_services.run_launch(actor=hr, template=template, params=NEWCOMER)
        docs = Step.objects.get(run=run, key="docs")  # 鈴木's
        membership = {u: Membership.objects.get(user=u) for u in (hr, employee_a, manager_a,
                                                                   auditor_a)}
    assert step_selectors.can_act_on_step(membership[employee_a], docs)  # the assignee
    assert step_selectors.can_act_on_step(membership[hr], docs)  # procedure staff
    assert not step_selectors.can_act_on_step(membership[manager_a], docs)
    assert not step_selectors.can_act_on_step(membership[auditor_a], docs)
    assert not step_selectors.can_act_on_step(None, docs)


def test_rules_are_described_in_words(tr):
    spec = parse_spec_dict(onboarding())
    with translation.override("en"):
        assert template_selectors.describe_due(DueRule(base="入社日", offset=5, unit="calendar",
                                              roll="previous"), spec) == \
            "入社日 + 5 calendar days, rolled to the previous business day"
        assert template_selectors.describe_due(
            DueRule(offset=-1)) == "the start date − 1 business day"
        assert template_selectors.describe_due(DueRule(base="入社日", kind="day_of_month", day=10,
                                              months=1), spec) == \
            "day 10 of the month 1 month after 入社日"
        assert template_selectors.describe_due(DueRule(kind="end_of_month")) == \
            "end of the month of the start date"
        assert template_selectors.describe_due(DueRule(after_step="docs", offset=2), spec) == \
            "completion of “入社書類の提出” + 2 business days"
        assert template_selectors.describe_due(None) == "No due date"
        assert template_selectors.describe_assignee(AssigneeRule("role", "人事部", "staff")) == \
            "Back-office staff of 人事部"
        assert template_selectors.describe_assignee(AssigneeRule("manager_of", "入社者"), spec) == \
            "The manager of the person in “入社者”"
        assert template_selectors.describe_assignee(AssigneeRule("starter")) == \
            "Whoever launches the run"


def test_the_due_preview_uses_the_sample_start_date_and_the_calendar(org_a, people_a):
    spec = parse_spec_dict(onboarding())
    with tenancy.activate(org_a):
        rows = template_selectors.due_preview(spec=spec, start_date=dt.date(2026, 4, 30),
                                              params={"雇用形態": "パート"})
    by_key = {r.key: r for r in rows}
    assert by_key["shaho"].skipped
    assert by_key["docs"].due_date == dt.date(2026, 4, 24)
    assert by_key["account"].due_date is None
    assert by_key["koyo"].due_date == dt.date(2026, 5, 10)
    assert by_key["docs"].assignee


def test_insights_compare_surveyed_estimated_and_actual_hours(org_a, people_a, hr):
    with tenancy.activate(org_a):
        task = survey_services.task_save(actor=None, task=None, data={
            "function": "総務", "category": "庶務", "name": "庶務"})
        unlinked = survey_services.task_save(actor=None, task=None, data={
            "function": "総務", "category": "庶務", "name": "来客対応"})
        old = survey_services.round_save(actor=None, survey_round=None,
                                         data={"name": "2025年度"})
        SurveyRound.objects.filter(pk=old.pk).update(status=RoundStatus.CLOSED)
        latest = survey_services.round_save(actor=None, survey_round=None,
                                            data={"name": "2026年度"})
        for survey_round, hours in ((old, "3.5"), (latest, "9")):
            for person in (people_a.suzuki, people_a.sato):
                WorkHours.objects.create(round=survey_round, person=person, task=task,
                                         hours=Decimal(hours))
        WorkHours.objects.create(round=old, person=people_a.sato, task=unlinked, hours=5)
    spec = chores_spec()
    spec["tasks"] = ["総務 > 庶務 > 庶務"]
    template = save(org_a, spec)
    runs = [launch_chores(org_a, hr, template) for _ in range(3)]
    with tenancy.activate(org_a):
        for step in Step.objects.filter(run=runs[0]).order_by("position"):
            step_services.step_complete(actor=hr, step=step.pk, actual_minutes=24)
        assert Run.objects.get(pk=runs[0].pk).status == RunStatus.COMPLETED
        (row,) = step_selectors.insights(
            today=timezone.localdate())  # the latest closed round: 2025年度
        assert step_selectors.insights_round().name == "2025年度"
        assert row.task == task
        assert row.templates == (template,)
        assert row.surveyed_hours == Decimal("7.00")
        # 50 estimated minutes per run × 3 runs a year / 12 / 60
        assert row.estimated_hours == Decimal("0.21")
        # 6 × 24 minutes recorded in one completed run a year / 12 / 60
        assert row.actual_hours == Decimal("0.20")
        assert (row.runs_launched, row.runs_completed) == (3, 1)
        (row,) = step_selectors.insights(today=timezone.localdate(), round_id=latest.pk)
        assert row.surveyed_hours == Decimal("18.00")


def test_insights_leave_out_runs_older_than_a_year(org_a, people_a, hr):
    with tenancy.activate(org_a):
        survey_services.task_save(actor=None, task=None, data={
            "function": "総務", "category": "庶務", "name": "庶務"})
    spec = chores_spec()
    spec["tasks"] = ["総務 > 庶務 > 庶務"]
    run = launch_chores(org_a, hr, save(org_a, spec))
    with tenancy.activate(org_a):
        Run.objects.filter(pk=run.pk).update(
            created_at=timezone.now() - dt.timedelta(days=400))
        (row,) = step_selectors.insights(today=timezone.localdate())
    assert row.surveyed_hours is None  # no survey round yet
    assert (row.runs_launched, row.estimated_hours) == (0, Decimal("0.00"))

