"""The procedures demo: library templates, runs in every state, schedules, one overdue step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from somu.core import tenancy
from somu.org import demo as org_demo
from somu.org.models import Organization, Person, User
from somu.procedures.demo import STAFF, ensure_procedures_demo
from somu.procedures.models import (
    OPEN_STATES,
    EventKind,
    Run,
    RunStatus,
    Schedule,
    Step,
    StepEvent,
    StepState,
    Template,
)
from somu.procedures.selectors import steps as step_selectors
from somu.procedures.services import library
from somu.survey import demo as survey_demo


def sample_company(*, survey: bool = True) -> Organization:
    """株式会社サンプル with its role accounts (and survey), as ``somu demo`` loads it."""
    admin = User.objects.create(username="admin")
    org_demo.load(admin=admin, password="demo-password")
    sample = Organization.objects.get(slug=org_demo.DEMO_SLUG)
    if survey:
        survey_demo.load(sample)
    return sample


# The day the demo is built around in these tests: a Saturday in December, the day the demo
# once came out without a finished onboarding step (the offsets were in calendar days).
TODAY = dt.date(2026, 12, 5)


@pytest.fixture
def sample(db: None) -> Organization:
    sample = sample_company()
    ensure_procedures_demo(sample, today=TODAY)
    return sample


def overdue_steps(today: dt.date) -> list[Step]:
    return list(Step.objects.filter(state__in=OPEN_STATES, due_date__lt=today)
                .select_related("assignee", "run"))


def test_the_demo_adopts_every_library_procedure_owned_by_the_staff_account(sample):
    with tenancy.activate(sample):
        templates = Template.objects.exclude(library_key="").select_related("owner")
        assert {t.library_key for t in templates} == {e.key for e in library.library_entries()}
        assert {t.owner.employee_number for t in templates} == {STAFF}
        onboarding = templates.get(library_key="onboarding")
        assert {t.name for t in onboarding.tasks.all()} >= {"入退社手続き"}


def test_the_demo_has_runs_in_every_state(sample):
    with tenancy.activate(sample):
        statuses = set(Run.objects.values_list("status", flat=True))
        assert statuses == {RunStatus.RUNNING, RunStatus.COMPLETED, RunStatus.STOPPED,
                            RunStatus.CANCELLED}
        onboarding = Run.objects.get(template__library_key="onboarding")
        states = set(onboarding.steps.values_list("state", flat=True))
        assert {StepState.DONE, StepState.READY, StepState.WAITING} <= states
        done = onboarding.steps.filter(state__in=(StepState.DONE, StepState.APPROVED))
        assert done.exists() and not done.filter(
            actual_minutes__isnull=True, kind="task").exists()
        offboarding = Run.objects.get(template__library_key="offboarding")
        assert offboarding.status == RunStatus.COMPLETED
        assert offboarding.completed_at.date() < dt.date(2025, 12, 31)
        # Everything went through the services: the timeline has who did what.
        assert StepEvent.objects.filter(run=offboarding, kind=EventKind.COMPLETED).count() >= 8


def test_the_demo_has_exactly_one_overdue_step_and_it_is_the_staff_accounts(sample):
    with tenancy.activate(sample):
        overdue = overdue_steps(TODAY)
        assert [(s.run.template.library_key, s.key) for s in overdue] == [
            ("monthly_close", "close_period")]
        yoshida = Person.objects.get(employee_number=STAFF)
        assert overdue[0].assignee == yoshida
        tasks = step_selectors.my_tasks(person=yoshida, today=TODAY)
        assert [s.key for s in tasks.overdue] == ["close_period"]


def test_the_manager_account_has_an_approval_waiting(sample):
    with tenancy.activate(sample):
        nakamura = Person.objects.get(employee_number="S0006")
        pending = Step.objects.get(assignee=nakamura, state=StepState.READY, kind="approval")
        assert pending.run.template.library_key == "supplies_order"


def test_the_demo_schedules_the_monthly_close_and_a_weekly_check(sample):
    with tenancy.activate(sample):
        rules = {s.template.library_key: s.rule for s in Schedule.objects.all()}
        assert rules["monthly_close"]["kind"] == "monthly_business_day"
        assert rules["monthly_close"]["n"] == 3
        assert rules["weekly_expense_check"]["kind"] == "weekly"
        assert all(s.next_occurrence >= TODAY for s in Schedule.objects.all())


def test_the_insights_compare_surveyed_estimated_and_actual_hours(sample):
    with tenancy.activate(sample):
        rows = {row.task.name: row for row in step_selectors.insights(today=TODAY)}
        assert rows["月次決算"].surveyed_hours
        assert rows["経費精算チェック"].actual_hours > 0
        assert rows["経費精算チェック"].runs_completed == 2


def test_loading_the_demo_again_adds_nothing(sample):
    with tenancy.activate(sample):
        counts = (Template.objects.count(), Run.objects.count(), Step.objects.count(),
                  StepEvent.objects.count(), Schedule.objects.count(), Person.objects.count())
    again = ensure_procedures_demo(sample, today=TODAY)
    assert not again.templates and not again.runs and not again.schedules
    with tenancy.activate(sample):
        assert counts == (Template.objects.count(), Run.objects.count(), Step.objects.count(),
                          StepEvent.objects.count(), Schedule.objects.count(),
                          Person.objects.count())


@pytest.mark.parametrize("today", [
    dt.date(2026, 1, 5),  # the first business day after 年末年始
    dt.date(2026, 5, 1),  # between the Golden Week holidays
    dt.date(2026, 5, 6),  # a 振替休日 (憲法記念日 fell on a Sunday)
    dt.date(2026, 8, 15),  # a Saturday
    dt.date(2026, 12, 29),  # the year-end holidays
    dt.date(2027, 3, 22),  # a Monday that is a 振替休日 (春分の日 on Sunday)
])
def test_any_day_gives_one_overdue_step_and_an_onboarding_under_way(db, today):
    sample = sample_company(survey=False)
    ensure_procedures_demo(sample, today=today)
    with tenancy.activate(sample):
        overdue = overdue_steps(today)
        assert [(s.key, s.assignee.employee_number) for s in overdue] == [
            ("close_period", STAFF)]
        assert set(Run.objects.values_list("status", flat=True)) == {
            RunStatus.RUNNING, RunStatus.COMPLETED, RunStatus.STOPPED, RunStatus.CANCELLED}
        onboarding = Run.objects.get(template__library_key="onboarding")
        states = set(onboarding.steps.values_list("state", flat=True))
        assert {StepState.DONE, StepState.READY, StepState.WAITING} <= states
        # Nothing in the demo happened after the day it is built around.
        latest = StepEvent.objects.order_by("-created_at").first()
        assert latest is not None and timezone.localdate(latest.created_at) <= today
