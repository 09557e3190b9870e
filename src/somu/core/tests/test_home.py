"""The home page: what waits for each person, and the figures that need an overseer's attention."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from somu.core import tenancy
from somu.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from somu.procedures.models import Step
from somu.procedures.services import runs as run_services
from somu.procedures.services import templates as template_services
from somu.survey import selectors as survey_selectors
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    RoundStatus,
    SurveyRound,
    Task,
    WorkHours,
)

TODAY = dt.date(2026, 6, 10)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))))


def steps_for(org, people, dues: list[dt.date | None]) -> list[Step]:
    """One run of a template with a step per due date, all assigned to 鈴木 (A002)."""
    with tenancy.activate(org):
        template = template_services.template_save(actor=None, template=None, spec={
            "name": "月次処理",
            "steps": [{"key": f"s{i}", "name": f"ステップ{i}", "assignee": {"person": "A002"}}
                      for i in range(len(dues))],
        })
        run = run_services.run_launch(actor=None, template=template, params={},
                                      name="月次処理 6月")
        steps = list(run.steps.order_by("position"))
        for step, due in zip(steps, dues, strict=True):
            Step.objects.filter(pk=step.pk).update(due_date=due)
            step.due_date = due
    return steps


def page(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_person_sees_their_next_steps_the_overdue_first(client_as, employee_a, org_a, people_a,
                                                          tr):
    overdue, *_later = steps_for(org_a, people_a, [dt.date(2026, 6, 5),
                                                   dt.date(2026, 6, 12), None])
    body = page(client_as(employee_a, org_a))
    assert body.index("ステップ0（月次処理 6月）") < body.index("ステップ1（月次処理 6月）") \
        < body.index("ステップ2（月次処理 6月）")
    assert reverse("procedures:step_detail", args=[overdue.pk]) in body
    assert tr("due %(date)s", date="2026-06-05 (金)") in body
    assert tr("no due date") in body
    assert f'<li class="overdue"><a href="{reverse("procedures:step_detail", args=[overdue.pk])}"' \
        in body
    assert tr("Needs attention") not in body  # an employee oversees nothing


def test_with_nothing_to_do_the_home_page_says_so(client_as, employee_a, org_a, people_a, tr):
    assert tr("Nothing is waiting for you.") in page(client_as(employee_a, org_a))


def test_an_administrator_sees_overdue_steps_and_failed_notifications_linked_to_their_lists(
        client_as, admin_a, org_a, people_a, tr):
    steps_for(org_a, people_a, [dt.date(2026, 6, 1), dt.date(2026, 6, 9), dt.date(2026, 6, 10)])
    with tenancy.activate(org_a):
        for person, day, status in (
                (people_a.suzuki, dt.date(2026, 6, 9), DeliveryStatus.FAILED),
                (people_a.suzuki, dt.date(2026, 6, 8), DeliveryStatus.GAVE_UP),
                (people_a.suzuki, dt.date(2026, 5, 1), DeliveryStatus.GAVE_UP),  # > 14 days ago
                (people_a.yamada, dt.date(2026, 6, 9), DeliveryStatus.SENT)):
            Delivery.objects.create(channel=DeliveryChannel.EMAIL, person=person, day=day,
                                    status=status)
    body = page(client_as(admin_a, org_a))
    assert (f'<a class="tile tile-warn" href="{reverse("procedures:board")}">'
            f'<span class="tile-num">2</span>{tr("Overdue steps")}</a>') in body
    assert (f'<a class="tile tile-warn" href="{reverse("notify:settings")}?problems=1">'
            f'<span class="tile-num">2</span>{tr("Failed notifications")}') in body


def test_the_latest_closed_rounds_dependency_rate_and_overloaded_people_come_from_its_analysis(
        client_as, admin_a, org_a, people_a, tr):
    with tenancy.activate(org_a):
        old = SurveyRound.objects.create(name="2025年度 業務調査", status=RoundStatus.CLOSED)
        survey_round = SurveyRound.objects.create(name="2026年度 業務調査",
                                                  status=RoundStatus.CLOSED,
                                                  due_on=dt.date(2026, 5, 31))
        # A newer round still collecting answers: its partial figures are not the result.
        still_open = SurveyRound.objects.create(name="2026年度 追加調査", status=RoundStatus.OPEN)
        task = Task.objects.create(function="総務", category="庶務", name="備品管理")
        other = Task.objects.create(function="総務", category="庶務", name="来客対応")
        WorkHours.objects.create(round=old, person=people_a.yamada, task=task, hours=1)
        WorkHours.objects.create(round=survey_round, person=people_a.yamada, task=task,
                                 hours=200)  # over 160: overloaded
        WorkHours.objects.create(round=survey_round, person=people_a.suzuki, task=other,
                                 hours=40)
        Capability.objects.create(round=survey_round, person=people_a.suzuki, task=task, level=3)
        Capability.objects.create(round=survey_round, person=people_a.yamada, task=task, level=4)
        Capability.objects.create(round=survey_round, person=people_a.suzuki, task=other, level=4)
        WorkHours.objects.create(round=still_open, person=people_a.yamada, task=task, hours=5)
        survey_selectors.round_analysis(survey_round=still_open)
    client = client_as(admin_a, org_a)
    url = reverse("survey:analysis", args=[survey_round.pk])
    # Not analysed yet: the home page does not compute it, it sends you to the analysis.
    body = page(client)
    assert f'href="{url}"' in body
    closed = tr("%(round)s (closed, %(date)s)", round="2026年度 業務調査", date="2026-05-31 (日)")
    assert tr("%(round)s: open the analysis to compute it", round=closed) in body
    assert "2026年度 追加調査" not in body
    with tenancy.activate(org_a):
        result = survey_selectors.round_analysis(survey_round=survey_round)
    assert result.dependency.rate_by_hours == pytest.approx(40 / 240)
    body = page(client)
    note = tr("%(round)s, as of %(date)s", round=closed, date="2026-06-10 (水)")
    assert (f'<a class="tile tile-warn" href="{url}?section=dependency"><span class="tile-num">'
            f'16.7%</span>{tr("Person dependency rate (by hours)")}<span class="tile-note">'
            f'{note}</span></a>') in body
    assert (f'<a class="tile tile-warn" href="{url}?section=load"><span class="tile-num">1</span>'
            f'{tr("Overloaded people")}') in body


def test_a_round_still_collecting_answers_shows_its_progress_not_a_partial_rate(
        client_as, admin_a, org_a, people_a, tr):
    with tenancy.activate(org_a):
        survey_round = SurveyRound.objects.create(name="2026年度 業務調査",
                                                  status=RoundStatus.OPEN)
        task = Task.objects.create(function="総務", category="庶務", name="備品管理")
        WorkHours.objects.create(round=survey_round, person=people_a.yamada, task=task, hours=10)
        Respondent.objects.create(round=survey_round, person=people_a.yamada,
                                  status=ResponseStatus.SUBMITTED)
        Respondent.objects.create(round=survey_round, person=people_a.suzuki)
        survey_selectors.round_analysis(survey_round=survey_round)
    body = page(client_as(admin_a, org_a))
    progress = tr("Collecting answers (%(answered)s of %(asked)s)", answered="1", asked="2")
    label = tr("Person dependency rate (by hours)")
    assert f'<span class="tile-num">{progress}</span>{label}' in body
    assert tr("%(round)s: the figure is shown once the round is closed",
              round="2026年度 業務調査") in body
    assert "%</span>" not in body


def test_a_manager_sees_overdue_steps_but_not_what_they_cannot_open(client_as, manager_a, org_a,
                                                                    people_a, tr):
    body = page(client_as(manager_a, org_a))
    assert tr("Overdue steps") in body
    assert tr("Failed notifications") not in body
    assert tr("Person dependency rate (by hours)") not in body


def test_another_organizations_figures_never_show(client_as, admin_a, org_a, people_a, org_b,
                                                  people_b, tr):
    with tenancy.activate(org_b):
        Delivery.objects.create(channel=DeliveryChannel.EMAIL, person=people_b.kimura,
                                day=dt.date(2026, 6, 9), status=DeliveryStatus.FAILED)
    body = page(client_as(admin_a, org_a))
    assert (f'<a class="tile" href="{reverse("notify:settings")}?problems=1">'
            f'<span class="tile-num">0</span>') in body


def test_the_home_page_takes_a_few_queries_however_much_there_is(
        client_as, admin_a, employee_a, org_a, people_a, django_assert_max_num_queries):
    steps_for(org_a, people_a, [dt.date(2026, 6, d) for d in range(1, 29)])
    for user in (admin_a, employee_a):
        client = client_as(user, org_a)
        page(client)  # warm the session
        # 14 before approvals; it reads the inbox (2 queries) and the 後閲 count once.
        with django_assert_max_num_queries(17):
            page(client)
