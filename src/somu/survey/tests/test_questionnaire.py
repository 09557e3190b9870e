"""The questionnaire: a person enters their own tasks, hours and capability, and nobody else's."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from somu.core import tenancy
from somu.core.permissions import Role
from somu.survey import services
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    RoundStatus,
    SurveyRound,
    Task,
    TaskStatus,
    WorkHours,
)
from somu.survey.starter import STARTER_TASKS

MY_SURVEYS = reverse("survey:my_surveys")


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def shows(response, text: str) -> bool:  # type: ignore[no-untyped-def]
    return escape(text) in body(response)


def row_html(response, task: Task) -> str:  # type: ignore[no-untyped-def]
    """The questionnaire row of ``task``: where its own error messages must appear."""
    match = re.search(rf'<div class="q-row[^"]*" id="task-{task.pk}".*?(?=<div class="q-row|'
                      r'</details>)', body(response), re.S)
    assert match, f"no row for {task.name}"
    return match.group(0)


class Survey:
    """An open round of organization A with the starter inventory; 鈴木 and 山田 are asked."""

    def __init__(self, org, people) -> None:  # type: ignore[no-untyped-def]
        self.org = org
        with tenancy.activate(org):
            services.starter_inventory_adopt(actor=None)
            self.round = services.round_save(actor=None, survey_round=None,
                                             data={"name": "2026年度 業務調査"})
            services.respondents_invite(actor=None, survey_round=self.round, send_mail=False,
                                        person_ids=[people.suzuki.pk, people.yamada.pk])
            self.round.refresh_from_db()
            self.payroll = Task.objects.get(name="給与計算")
            self.closing = Task.objects.get(name="月次決算")
            self.adjustment = Task.objects.get(name="年末調整")
            self.suzuki = Respondent.objects.get(person=people.suzuki)
            self.yamada = Respondent.objects.get(person=people.yamada)
        self.url = reverse("survey:questionnaire", args=[self.round.pk])
        self.propose_url = reverse("survey:task_propose", args=[self.round.pk])

    def hours(self, person) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
        with tenancy.activate(self.org):
            return dict(WorkHours.objects.filter(round=self.round, person=person)
                        .values_list("task__name", "hours"))

    def levels(self, person) -> dict[str, int]:  # type: ignore[no-untyped-def]
        with tenancy.activate(self.org):
            return dict(Capability.objects.filter(round=self.round, person=person)
                        .values_list("task__name", "level"))

    def respondent(self, respondent: Respondent) -> Respondent:
        with tenancy.activate(self.org):
            return Respondent.objects.get(pk=respondent.pk)


@pytest.fixture
def survey(org_a, people_a) -> Survey:  # type: ignore[no-untyped-def]
    return Survey(org_a, people_a)


@pytest.fixture
def suzuki(client_as, employee_a, org_a):  # type: ignore[no-untyped-def]
    """鈴木 花子 (employee) signed in."""
    return client_as(employee_a, org_a)


@pytest.fixture
def yamada(client_as, manager_a, org_a):  # type: ignore[no-untyped-def]
    """山田 太郎 (manager) signed in."""
    return client_as(manager_a, org_a)


def months(task: Task, values: list[str]) -> dict[str, str]:
    return {f"varies-{task.pk}": "on",
            **{f"m-{task.pk}-{i}": v for i, v in enumerate(values)}}


# ---- the list of my surveys ----------------------------------------------------------------------


def test_my_surveys_lists_the_rounds_i_am_asked_to_answer(suzuki, survey, org_a, tr):
    with tenancy.activate(org_a):
        services.round_save(actor=None, survey_round=None, data={"name": "関係ない調査"})
    response = suzuki.get(MY_SURVEYS)
    assert "2026年度 業務調査" in body(response)
    assert survey.url in body(response)
    assert shows(response, tr("Not started"))
    assert "関係ない調査" not in body(response)


def test_an_account_without_a_person_record_is_told_why_there_is_nothing(client_as, admin_a,
                                                                          org_a, survey, tr):
    client = client_as(admin_a, org_a)
    response = client.get(MY_SURVEYS)
    assert response.status_code == 200
    assert shows(response, tr("Your account is not linked to a person"))
    assert client.get(survey.url).status_code == 404


def test_an_auditor_does_not_answer_surveys(client_as, auditor_a, org_a):
    assert client_as(auditor_a, org_a).get(MY_SURVEYS).status_code == 403


# ---- answering -----------------------------------------------------------------------------------


def test_the_questionnaire_lists_the_inventory_by_function_and_category(suzuki, survey):
    response = suzuki.get(survey.url)
    assert response.status_code == 200
    page = body(response)
    assert page.count('<details class="q-section"') == len({t.function for t in STARTER_TASKS})
    assert "<h3>給与</h3>" in page
    assert '<small class="q-sub">給与計算</small>' in row_html(response, survey.payroll)
    assert f'name="hours-{survey.payroll.pk}"' in page
    # The twelve monthly inputs come from one template, added when "varies by month" is ticked.
    assert f'name="m-{survey.payroll.pk}-11"' not in page
    assert '<template id="q-month-inputs">' in page
    assert f'name="level-{survey.payroll.pk}"' in page
    assert "somu/survey.js" in page


def test_saving_keeps_the_answers_for_coming_back_later(suzuki, survey, people_a, tr):
    response = suzuki.post(survey.url, {
        "action": "save",
        f"hours-{survey.payroll.pk}": "12.5", f"level-{survey.payroll.pk}": "3",
        f"level-{survey.closing.pk}": "1",  # could do it, learning: no hours
    }, follow=True)
    assert shows(response, tr("Your answers have been saved. You can come back and continue "
                              "later."))
    assert survey.hours(people_a.suzuki) == {"給与計算": Decimal("12.5")}
    assert survey.levels(people_a.suzuki) == {"給与計算": 3, "月次決算": 1}
    respondent = survey.respondent(survey.suzuki)
    assert respondent.status == ResponseStatus.IN_PROGRESS
    assert respondent.saved_at is not None
    again = suzuki.get(survey.url)
    row = row_html(again, survey.payroll)
    assert 'value="12.5"' in row
    assert '<option value="3" selected>' in row
    assert '<option value="1" selected>' in row_html(again, survey.closing)


def test_hours_that_vary_by_month_are_stored_month_by_month(suzuki, survey, people_a):
    values = ["0", "0", "0", "0", "0", "0", "0", "0", "40", "20", "0", "0"]  # 12月, 1月
    suzuki.post(survey.url, {"action": "save", **months(survey.adjustment, values)})
    assert survey.hours(people_a.suzuki) == {"年末調整": Decimal("5.00")}
    with tenancy.activate(survey.org):
        stored = WorkHours.objects.get(person=people_a.suzuki).monthly
    assert [Decimal(v) for v in stored] == [Decimal(v) for v in values]
    row = row_html(suzuki.get(survey.url), survey.adjustment)
    assert "q-row varies" in row and 'value="40"' in row


def test_ticking_varies_by_month_without_javascript_offers_the_twelve_months(
        suzuki, saved, people_a, tr):
    response = suzuki.post(saved.url, {"action": "save", f"hours-{saved.adjustment.pk}": "6",
                                       f"varies-{saved.adjustment.pk}": "on"})
    row = row_html(response, saved.adjustment)
    assert escape(tr("Enter 12 monthly values (April to March).")) in row
    assert row.count('value="6"') == 13  # the typed figure, and each month starting from it
    assert saved.hours(people_a.suzuki) == {"月次決算": Decimal(8)}


def test_full_width_digits_are_read_as_hours(suzuki, survey, people_a):
    suzuki.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": "１２．５"})
    assert survey.hours(people_a.suzuki) == {"給与計算": Decimal("12.5")}


def test_the_page_shows_the_running_total_per_month(suzuki, survey):
    suzuki.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": "10",
                             **months(survey.adjustment, ["0"] * 8 + ["24", "0", "0", "0"])})
    page = body(suzuki.get(survey.url))
    assert '<strong data-q-average>12.0</strong>' in page
    assert '<strong data-q-month="8">34</strong>' in page  # December: 10 + 24
    assert '<strong data-q-month="0">10</strong>' in page


def test_emptying_a_task_removes_it_from_my_answers(suzuki, survey, people_a):
    suzuki.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": "8"})
    suzuki.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": ""})
    assert survey.hours(people_a.suzuki) == {}


def test_submitting_makes_the_answers_read_only_until_i_change_them(suzuki, survey, people_a,
                                                                    tr):
    response = suzuki.post(survey.url, {"action": "submit",
                                        f"hours-{survey.payroll.pk}": "20",
                                        f"level-{survey.payroll.pk}": "4"}, follow=True)
    assert shows(response, tr("Thank you: your answers have been submitted."))
    respondent = survey.respondent(survey.suzuki)
    assert respondent.status == ResponseStatus.SUBMITTED and respondent.submitted_at
    page = body(response)
    assert 'name="hours-' not in page
    assert "給与計算" in page and "月次決算" not in page  # only what I answered
    assert 'name="action" value="reopen"' in page
    # A stale form posted after submitting changes nothing.
    response = suzuki.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": "99"},
                           follow=True)
    assert shows(response, tr("These answers can no longer be changed."))
    assert survey.hours(people_a.suzuki) == {"給与計算": Decimal(20)}
    suzuki.post(survey.url, {"action": "reopen"})
    respondent = survey.respondent(survey.suzuki)
    assert respondent.status == ResponseStatus.IN_PROGRESS and respondent.submitted_at is None
    assert 'value="20"' in row_html(suzuki.get(survey.url), survey.payroll)


def test_the_submitted_answers_lock_is_the_service_rule_the_page_and_api_share(
        suzuki, survey, people_a, tr):
    suzuki.post(survey.url, {"action": "submit", f"hours-{survey.payroll.pk}": "20"})
    respondent = survey.respondent(survey.suzuki)
    with tenancy.activate(survey.org), pytest.raises(services.AnswersSubmitted) as refused:
        services.answers_save(actor=None, respondent=respondent, answers=[
            services.Answer(task_id=survey.payroll.pk, hours=Decimal(99))])
    assert str(refused.value) == tr(
        "These answers have been submitted; reopen them before changing them.")
    assert survey.hours(people_a.suzuki) == {"給与計算": Decimal(20)}


def test_a_closed_round_shows_the_answers_without_a_way_to_change_them(suzuki, survey, people_a,
                                                                       tr):
    suzuki.post(survey.url, {"action": "submit", f"hours-{survey.payroll.pk}": "20"})
    with tenancy.activate(survey.org):
        services.round_save(actor=None, survey_round=survey.round, data={"status": "closed"})
    response = suzuki.get(survey.url)
    assert shows(response, tr("This round is closed: your answers can no longer be changed."))
    assert 'value="reopen"' not in body(response)
    suzuki.post(survey.url, {"action": "reopen"})
    assert survey.respondent(survey.suzuki).status == ResponseStatus.SUBMITTED


# ---- bad input: a message next to the field, and nothing saved ---------------------------------


@pytest.fixture
def saved(suzuki, survey, people_a):  # type: ignore[no-untyped-def]
    """鈴木 has already saved 8 h on 月次決算."""
    suzuki.post(survey.url, {"action": "save", f"hours-{survey.closing.pk}": "8"})
    assert survey.hours(people_a.suzuki) == {"月次決算": Decimal(8)}
    return survey


@pytest.mark.parametrize(("typed", "message"), [
    ("-3", "Hours cannot be negative."),
    ("abc", "Enter a number of hours."),
    ("500", "More than %(max)s hours a month is not possible."),
])
def test_invalid_hours_are_shown_next_to_the_field_and_nothing_is_saved(
        suzuki, saved, people_a, tr, typed, message):
    response = suzuki.post(saved.url, {
        "action": "submit",
        f"hours-{saved.closing.pk}": "10",  # a valid change that must not be saved either
        f"hours-{saved.payroll.pk}": typed,
    })
    assert response.status_code == 200
    expected = tr(message, max=400) if "%(max)s" in message else tr(message)
    row = row_html(response, saved.payroll)
    assert escape(expected) in row
    assert f'value="{escape(typed)}"' in row  # what was typed stays, to be corrected
    assert escape(expected) not in row_html(response, saved.closing)
    assert shows(response, tr("Some answers need correcting (marked below). Nothing has been "
                              "saved yet."))
    assert saved.hours(people_a.suzuki) == {"月次決算": Decimal(8)}
    assert saved.respondent(saved.suzuki).status == ResponseStatus.IN_PROGRESS


def test_eleven_monthly_values_are_refused_next_to_the_field(suzuki, saved, people_a, tr):
    response = suzuki.post(saved.url, {"action": "save", f"hours-{saved.closing.pk}": "10",
                                       **months(saved.adjustment, ["5"] * 11 + [""])})
    assert escape(tr("Enter 12 monthly values (April to March).")) in row_html(
        response, saved.adjustment)
    assert saved.hours(people_a.suzuki) == {"月次決算": Decimal(8)}


def test_a_bad_month_is_named_and_marked(suzuki, saved, people_a, tr):
    response = suzuki.post(saved.url, {"action": "save",
                                       **months(saved.adjustment, ["5"] * 11 + ["-1"])})
    row = row_html(response, saved.adjustment)
    assert escape(tr("Hours cannot be negative.")) in row
    assert re.search(rf'name="m-{saved.adjustment.pk}-11" value="-1"[^>]*aria-invalid="true"',
                     row)
    assert saved.hours(people_a.suzuki) == {"月次決算": Decimal(8)}


def test_more_than_400_hours_in_total_is_refused_and_nothing_is_saved(suzuki, saved, people_a,
                                                                     tr):
    response = suzuki.post(saved.url, {"action": "submit",
                                       f"hours-{saved.closing.pk}": "250",
                                       f"hours-{saved.payroll.pk}": "200"})
    assert response.status_code == 200
    assert shows(response, tr(
        "Your hours add up to %(total)s a month, more than %(max)s: please check them.",
        total="450", max=400))
    assert saved.hours(people_a.suzuki) == {"月次決算": Decimal(8)}
    assert saved.respondent(saved.suzuki).status == ResponseStatus.IN_PROGRESS


def test_a_capability_outside_zero_to_four_is_refused(suzuki, saved, people_a, tr):
    response = suzuki.post(saved.url, {"action": "save", f"level-{saved.payroll.pk}": "7"})
    assert escape(tr("Choose a capability level from 0 to 4.")) in row_html(
        response, saved.payroll)
    assert saved.levels(people_a.suzuki) == {}


# ---- proposing a task ----------------------------------------------------------------------------


def test_a_proposed_task_joins_my_questionnaire_with_what_i_typed(suzuki, yamada, survey,
                                                                  people_a, org_a, client_as,
                                                                  admin_a):
    response = suzuki.post(survey.propose_url, {
        "questionnaire": "1", f"hours-{survey.payroll.pk}": "6",
        "function": "総務", "category": "庶務", "subcategory": "",
        "name": "社内報の発行", "description": "毎月の社内報を編集し配信する。",
    })
    with tenancy.activate(org_a):
        task = Task.objects.get(name="社内報の発行")
    assert response.status_code == 302
    assert response["Location"] == f"{survey.url}#task-{task.pk}"
    assert task.status == TaskStatus.PROPOSED
    assert task.proposed_by == people_a.suzuki
    assert survey.hours(people_a.suzuki) == {"給与計算": Decimal(6)}  # the typed hours are kept
    page = suzuki.get(survey.url)
    assert "q-row proposed" in row_html(page, task)
    suzuki.post(survey.url, {"action": "save", f"hours-{task.pk}": "3",
                             f"hours-{survey.payroll.pk}": "6"})
    assert survey.hours(people_a.suzuki) == {"給与計算": Decimal(6), "社内報の発行": Decimal(3)}
    # Only its proposer sees a proposed task in the questionnaire; the admin sees it to review.
    assert "社内報の発行" not in body(yamada.get(survey.url))
    inventory = client_as(admin_a, org_a).get(reverse("survey:task_list"),
                                              {"status": "proposed"})
    assert "社内報の発行" in body(inventory)


def test_a_bare_proposal_leaves_my_saved_answers_alone(suzuki, survey, people_a, org_a):
    suzuki.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": "6"})
    suzuki.post(survey.propose_url,
                {"function": "総務", "category": "庶務", "name": "社内報の発行"})
    assert survey.hours(people_a.suzuki) == {"給与計算": Decimal(6)}
    with tenancy.activate(org_a):
        assert Task.objects.filter(name="社内報の発行", status=TaskStatus.PROPOSED).exists()


def test_a_proposal_without_a_name_is_refused_and_nothing_is_saved(suzuki, survey, people_a,
                                                                   org_a, tr):
    count = len(STARTER_TASKS)
    response = suzuki.post(survey.propose_url, {
        "questionnaire": "1", f"hours-{survey.payroll.pk}": "6",
        "function": "総務", "category": "庶務", "name": ""})
    assert response.status_code == 200
    assert 'id="propose" open' in body(response)
    assert shows(response, tr("This field is required."))
    assert 'value="6"' in row_html(response, survey.payroll)
    assert survey.hours(people_a.suzuki) == {}
    with tenancy.activate(org_a):
        assert Task.objects.count() == count


def test_proposing_a_task_already_in_the_inventory_says_so(suzuki, survey, tr):
    response = suzuki.post(survey.propose_url, {
        "function": "人事労務", "category": survey.payroll.category,
        "subcategory": survey.payroll.subcategory, "name": "給与計算"})
    assert shows(response, tr("This task already exists in the inventory."))


# ---- only my own answers -------------------------------------------------------------------------


def test_i_never_see_another_persons_answers(suzuki, yamada, survey, people_a):
    yamada.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": "77.25",
                             f"level-{survey.payroll.pk}": "4"})
    assert survey.hours(people_a.yamada) == {"給与計算": Decimal("77.25")}
    page = suzuki.get(survey.url)
    assert "77.25" not in body(page)
    assert "selected" not in row_html(page, survey.payroll).replace(
        '<option value="" selected>', "")
    # Saving my answers leaves his alone.
    suzuki.post(survey.url, {"action": "save", f"hours-{survey.payroll.pk}": "1"})
    assert survey.hours(people_a.yamada) == {"給与計算": Decimal("77.25")}


def test_a_round_i_am_not_asked_to_answer_is_not_found(client_as, make_user, org_a, people_a,
                                                       survey):
    sato = client_as(make_user("sato", org_a, Role.EMPLOYEE, person=people_a.sato), org_a)
    assert sato.get(survey.url).status_code == 404
    assert sato.post(survey.url, {"action": "save",
                                  f"hours-{survey.payroll.pk}": "5"}).status_code == 404
    assert sato.post(survey.propose_url, {"function": "総務", "category": "庶務",
                                          "name": "x"}).status_code == 404
    with tenancy.activate(org_a):
        assert not WorkHours.objects.exists()
        assert not Task.objects.filter(name="x").exists()


def test_another_organizations_round_is_not_found(suzuki, survey, org_b, people_b):
    with tenancy.activate(org_b):
        round_b = services.round_save(actor=None, survey_round=None, data={"name": "B社の調査"})
        services.respondents_invite(actor=None, survey_round=round_b, send_mail=False,
                                    person_ids=[people_b.kimura.pk])
    for name in ("survey:questionnaire", "survey:task_propose"):
        target = reverse(name, args=[round_b.pk])
        assert suzuki.post(target, {"action": "save", "function": "総務", "category": "庶務",
                                    "name": "x"}).status_code == 404
    assert suzuki.get(reverse("survey:questionnaire", args=[round_b.pk])).status_code == 404
    assert "B社の調査" not in body(suzuki.get(MY_SURVEYS))
    with tenancy.activate(org_b):
        assert Respondent.objects.get().status == ResponseStatus.NOT_STARTED
        assert SurveyRound.objects.get().status == RoundStatus.OPEN


# ---- cost --------------------------------------------------------------------------------------


def test_the_questionnaire_of_the_starter_inventory_stays_under_a_query_budget(
        suzuki, survey, django_assert_max_num_queries):
    answers = {f"hours-{survey.payroll.pk}": "10", f"level-{survey.closing.pk}": "2",
               **months(survey.adjustment, ["1"] * 12)}
    suzuki.post(survey.url, {"action": "save", **answers})
    suzuki.get(survey.url)
    with django_assert_max_num_queries(12):
        response = suzuki.get(survey.url)
    assert body(response).count('class="q-row') >= 80


def test_saving_the_whole_starter_inventory_stays_under_a_query_budget(
        suzuki, survey, django_assert_max_num_queries):
    with tenancy.activate(survey.org):
        ids = list(Task.objects.values_list("pk", flat=True))
    answers = {f"hours-{pk}": "1" for pk in ids} | {f"level-{pk}": "3" for pk in ids}
    with django_assert_max_num_queries(30):
        response = suzuki.post(survey.url, {"action": "save", **answers})
    assert response.status_code == 302
    with tenancy.activate(survey.org):
        assert WorkHours.objects.count() == len(ids)


def test_a_task_cannot_be_proposed_into_submitted_answers_even_bypassing_the_page(
        suzuki, survey, tr):
    suzuki.post(survey.url, {"action": "submit", f"hours-{survey.payroll.pk}": "20"})
    respondent = survey.respondent(survey.suzuki)
    with tenancy.activate(survey.org), pytest.raises(ValidationError) as refused:
        services.task_propose(actor=None, respondent=respondent, function="総務",
                              category="庶務", name="社内イベント運営")
    assert refused.value.messages == [
        tr("These answers have been submitted; reopen them before changing them.")]
    with tenancy.activate(survey.org):
        assert not Task.objects.filter(name="社内イベント運営").exists()
