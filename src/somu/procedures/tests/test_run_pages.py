"""Pages where runs are launched and watched: launch, run list, run detail with its timeline,
cancel, the board, the due-date calendar and the comparison with the work survey."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from somu.core import tenancy
from somu.core.permissions import Role
from somu.procedures.models import Run, RunStatus, Step, StepState
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save
from somu.survey import services as survey_services
from somu.survey.models import RoundStatus, Task


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def shows(response, text: str) -> bool:  # type: ignore[no-untyped-def]
    return escape(text) in body(response)


@pytest.fixture
def hr(make_user, org_a, people_a):  # type: ignore[no-untyped-def]
    """佐藤 of 人事部 as staff: launches runs and is the 人事部 role holder."""
    return make_hr_staff(make_user, org_a, people_a)


@pytest.fixture
def template(org_a, people_a, hr):  # type: ignore[no-untyped-def]
    """入社手続き; its 人事部 steps need ``hr`` (佐藤) to exist as staff."""
    return save(org_a, onboarding(), owner=people_a.yamada)


def launch(org, template, person, day: str = "2026-04-30", **kwargs: Any) -> Run:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return run_services.run_launch(actor=None, template=template,
                                       params={"入社者": person.pk, "入社日": day},
                                       start_date=dt.date(2026, 4, 1), **kwargs)


def launch_url(template) -> str:  # type: ignore[no-untyped-def]
    return reverse("procedures:run_launch", args=[template.pk])


def run_url(run: Run) -> str:
    return reverse("procedures:run_detail", args=[run.pk])


def runs_of(org) -> int:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return Run.objects.count()


# ---- launching -----------------------------------------------------------------------------------


def test_the_launch_page_asks_for_each_parameter_with_a_fitting_input(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a) -> None:
    response = client_as(hr, org_a).get(launch_url(template))
    assert response.status_code == 200
    page = body(response)
    # 入社者: a person picker that searches as one types, not a list of everyone.
    assert 'name="param_0"' in page and 'data-person-picker="/org/people/search/"' in page
    assert "A002 鈴木 花子" not in page
    assert 'name="param_1"' in page and 'type="date"' in page  # 入社日
    assert '<option value="契約社員">' in page  # 雇用形態: its choices
    assert "健康保険・厚生年金 資格取得届" in page  # the due-date preview


def test_launching_through_the_page_lists_the_steps_with_assignees_and_due_dates(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    client = client_as(hr, org_a)
    response = client.post(launch_url(template), {
        "start_date": "2026-04-01", "param_0": people_a.suzuki.pk, "param_1": "2026-04-30",
        "param_2": "正社員", "name": "",
    })
    assert response.status_code == 302
    with tenancy.activate(org_a):
        run = Run.objects.get()
    assert response["Location"] == run_url(run)
    assert run.name == "鈴木 花子さん 入社手続き"
    assert run.starter == people_a.sato
    page = client.get(run_url(run))
    assert page.status_code == 200
    assert shows(page, "鈴木 花子さん 入社手続き")
    for text in ("入社書類の提出", "佐藤 健", "山田 太郎",
                 "2026-04-24", "2026-05-01", "2026-05-10"):
        assert text in body(page), text
    assert shows(page, tr("Launched"))  # the timeline


def test_out_of_range_numbers_and_dates_are_shown_next_to_their_fields_and_launch_nothing(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, people_a, tr) -> None:
    from somu.procedures.services import library

    with tenancy.activate(org_a):
        template = library.library_adopt(actor=None, key="supplies_order", owner=people_a.sato)
    page = client_as(hr, org_a).get(launch_url(template)).content.decode()
    assert 'min="1"' in page and 'max="10000"' in page and 'min="2000-01-01"' in page
    response = client_as(hr, org_a).post(launch_url(template), {
        "start_date": "2026-04-01", "param_0": "椅子", "param_1": "-3", "param_2": "1e308",
        "param_3": "1900-01-01", "name": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["param_1"] == [tr("Enter a number from %(min)s to %(max)s.") % {
        "min": "1", "max": "10,000"}]
    assert errors["param_2"] == [tr("Enter a number from %(min)s to %(max)s.") % {
        "min": "0", "max": "1,000,000,000"}]
    assert errors["param_3"] == [tr("Enter a date from %(min)s to %(max)s.") % {
        "min": "2000-01-01", "max": "2100-12-31"}]
    assert runs_of(org_a) == 0


def test_a_launch_on_a_holiday_is_allowed_with_a_warning_after_it(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    response = client_as(hr, org_a).post(launch_url(template), {
        "start_date": "2026-05-03", "param_0": people_a.suzuki.pk, "param_1": "2026-05-07",
        "param_2": "正社員", "name": ""}, follow=True)
    assert runs_of(org_a) == 1
    assert shows(response, tr(
        "The start date %(date)s is not a business day (%(reason)s). The run was launched; "
        "check that the date and its due dates are right.") % {
            "date": "2026-05-03", "reason": "憲法記念日"})


def test_a_launch_on_a_business_day_gets_no_warning(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a) -> None:
    response = client_as(hr, org_a).post(launch_url(template), {
        "start_date": "2026-04-01", "param_0": people_a.suzuki.pk, "param_1": "2026-04-30",
        "param_2": "正社員", "name": ""}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]


def test_the_preview_recomputes_the_due_dates_for_the_values_typed(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template) -> None:
    response = client_as(hr, org_a).get(launch_url(template), {
        "preview": "1", "start_date": "2026-04-01", "param_1": "2026-04-30"},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = body(response)
    assert "<html" not in page  # a fragment
    assert "2026-04-24" in page and "2026-05-01" in page
    assert runs_of(org_a) == 0


def test_the_name_field_shows_the_name_the_run_will_get_as_values_are_typed(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    client = client_as(hr, org_a)
    page = body(client.post(launch_url(template), {"start_date": "2026-04-01", "name": ""}))
    # Not a made-up 「入社手続き 2026-12-05」 placeholder: a neutral hint, and the real name.
    assert f'placeholder="{tr("Named automatically if left empty")}"' in page
    assert '<strong id="run-default-name">入社手続き 2026-04-01</strong>' in page
    preview = body(client.get(launch_url(template), {
        "preview": "1", "start_date": "2026-04-01", "param_0": people_a.suzuki.pk,
        "param_1": "2026-04-30"}, HTTP_HX_REQUEST="true"))
    assert ('<strong id="run-default-name" hx-swap-oob="true">鈴木 花子さん 入社手続き</strong>'
            in preview)
    response = client.post(launch_url(template), {
        "start_date": "2026-04-01", "param_0": people_a.suzuki.pk, "param_1": "2026-04-30",
        "param_2": "正社員", "name": ""})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        assert Run.objects.get().name == "鈴木 花子さん 入社手続き"  # what the hint said


def test_a_launch_with_a_missing_parameter_shows_the_error_and_creates_nothing(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, tr) -> None:
    response = client_as(hr, org_a).post(launch_url(template), {
        "start_date": "2026-04-01", "param_0": "", "param_1": "not a date"})
    assert response.status_code == 200
    assert shows(response, tr("This field is required."))
    assert shows(response, tr("Enter a valid date."))
    assert runs_of(org_a) == 0


def test_a_launch_the_service_refuses_shows_why_and_creates_nothing(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a) -> None:
    # 田中 has no manager: the step 「アカウント発行」 (the newcomer's manager) has nobody.
    response = client_as(hr, org_a).post(launch_url(template), {
        "start_date": "2026-04-01", "param_0": people_a.tanaka.pk, "param_1": "2026-04-30",
        "param_2": "正社員"})
    assert response.status_code == 200
    assert "run-launch-errors" in body(response)
    assert "アカウント発行" in body(response)
    assert runs_of(org_a) == 0


def test_an_unknown_choice_is_refused_next_to_its_field(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a) -> None:
    response = client_as(hr, org_a).post(launch_url(template), {
        "start_date": "2026-04-01", "param_0": people_a.suzuki.pk, "param_1": "2026-04-30",
        "param_2": "役員"})
    assert response.status_code == 200
    assert "has-error" in body(response)
    assert runs_of(org_a) == 0


def test_only_procedure_staff_may_launch(  # type: ignore[no-untyped-def]
        client_as, employee_a, manager_a, org_a, template) -> None:
    assert client_as(employee_a, org_a).get(launch_url(template)).status_code == 403
    assert client_as(manager_a, org_a).post(launch_url(template), {}).status_code == 403
    assert runs_of(org_a) == 0


def test_another_organizations_template_cannot_be_launched(  # type: ignore[no-untyped-def]
        client_as, admin_b, org_b, template) -> None:
    assert client_as(admin_b, org_b).get(launch_url(template)).status_code == 404


# ---- progress: skipped steps are counted apart from the steps done ------------------------------


def test_progress_counts_skipped_steps_apart_on_the_list_the_run_and_the_board(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    with tenancy.activate(org_a):  # パート: shaho is skipped
        run = run_services.run_launch(actor=None, template=template, params={
            "入社者": people_a.suzuki.pk, "入社日": "2026-04-30", "雇用形態": "パート"},
            start_date=dt.date(2026, 4, 1))
    client = client_as(hr, org_a)
    counts = tr("%(total)s steps: %(done)s done, %(skipped)s skipped") % {
        "total": 5, "done": 0, "skipped": 1}
    assert shows(client.get(reverse("procedures:run_list")), counts)
    assert shows(client.get(run_url(run)), counts)
    assert shows(client.get(reverse("procedures:board")), counts)
    api = client.get(f"/api/v1/procedures/runs/{run.pk}").json()
    assert (api["steps_total"], api["steps_finished"], api["steps_skipped"]) == (5, 1, 1)
    listed = client.get("/api/v1/procedures/runs").json()["items"][0]
    assert (listed["steps_finished"], listed["steps_skipped"]) == (1, 1)
    board = client.get("/api/v1/procedures/board").json()["templates"][0]
    assert (board["steps_finished"], board["steps_skipped"], board["progress"]) == (1, 1, 20)


# ---- the run list and a run -------------------------------------------------------------------


def test_the_run_list_shows_progress_and_filters(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    first = launch(org_a, template, people_a.suzuki)
    second = launch(org_a, template, people_a.suzuki, name="佐藤さんの入社")
    with tenancy.activate(org_a):
        step_services.run_cancel(actor=None, run=second, reason="取りやめ")
    client = client_as(hr, org_a)
    page = client.get(reverse("procedures:run_list"))
    assert page.status_code == 200
    assert first.name in body(page) and "佐藤さんの入社" in body(page)
    assert shows(page, tr("%(total)s steps: %(done)s done") % {"total": 5, "done": 0})
    running = client.get(reverse("procedures:run_list"), {"status": "running"})
    assert first.name in body(running) and "佐藤さんの入社" not in body(running)
    mine = client.get(reverse("procedures:run_list"), {"assignee": people_a.sato.pk,
                                                       "template": template.pk},
                      HTTP_HX_REQUEST="true")
    assert first.name in body(mine) and "<html" not in body(mine)
    nobody = client.get(reverse("procedures:run_list"), {"assignee": people_a.tanaka.pk})
    assert first.name not in body(nobody)


def test_the_run_page_shows_the_flag_of_an_assignee_rule_that_could_not_be_resolved(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, people_a, tr) -> None:
    template = save(org_a, onboarding(on_unresolved_assignee="owner"), owner=people_a.yamada)
    run = launch(org_a, template, people_a.tanaka)  # 田中 has no manager
    page = client_as(hr, org_a).get(run_url(run))
    assert "⚑" in body(page)
    assert shows(page, tr(
        "The assignee rule could not be resolved; the step went to the template owner."))


def test_overdue_steps_are_highlighted_on_the_run_page(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    run = launch(org_a, template, people_a.suzuki, day="2020-04-30")
    page = client_as(hr, org_a).get(run_url(run))
    assert "run-row-late" in body(page)
    assert shows(page, tr("overdue"))


def test_a_person_with_a_step_in_the_run_sees_it_and_others_do_not(  # type: ignore[no-untyped-def]
        client_as, employee_a, make_user, org_a, template, people_a) -> None:
    run = launch(org_a, template, people_a.suzuki)
    assert client_as(employee_a, org_a).get(run_url(run)).status_code == 200  # 鈴木 has docs
    outsider = make_user("tanaka_emp", org_a, Role.EMPLOYEE, person=people_a.tanaka)
    assert client_as(outsider, org_a).get(run_url(run)).status_code == 403


def test_another_organizations_run_is_not_found(  # type: ignore[no-untyped-def]
        client_as, admin_b, org_b, template, people_a) -> None:
    run = launch(template.organization, template, people_a.suzuki)
    client = client_as(admin_b, org_b)
    assert client.get(run_url(run)).status_code == 404
    assert client.post(reverse("procedures:run_cancel", args=[run.pk])).status_code == 404


def test_cancelling_a_run_closes_its_open_steps_and_says_why_on_the_timeline(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    run = launch(org_a, template, people_a.suzuki)
    client = client_as(hr, org_a)
    response = client.post(reverse("procedures:run_cancel", args=[run.pk]),
                           {"reason": "入社辞退のため"})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        run.refresh_from_db()
        assert run.status == RunStatus.CANCELLED
        assert not Step.objects.filter(run=run, state__in=[StepState.READY, StepState.WAITING])
    page = client.get(run_url(run))
    assert "入社辞退のため" in body(page)
    again = client.post(reverse("procedures:run_cancel", args=[run.pk]), follow=True)
    assert shows(again, tr("This run was cancelled."))


def test_an_employee_cannot_cancel_a_run(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a, template, people_a) -> None:
    run = launch(org_a, template, people_a.suzuki)
    assert client_as(employee_a, org_a).post(
        reverse("procedures:run_cancel", args=[run.pk])).status_code == 403
    with tenancy.activate(org_a):
        assert Run.objects.get(pk=run.pk).status == RunStatus.RUNNING


def test_the_run_page_needs_a_constant_number_of_queries(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, django_assert_max_num_queries) -> None:
    small = launch(org_a, template, people_a.suzuki)
    client = client_as(hr, org_a)
    client.get(run_url(small))  # warm caches (the parsed spec)
    with django_assert_max_num_queries(10):
        assert client.get(run_url(small)).status_code == 200
    big_spec = onboarding(steps=[
        {"key": f"s{i}", "name": f"手順{i}", "assignee": {"param": "入社者"},
         "depends_on": [f"s{i - 1}"] if i else []} for i in range(40)])
    big_spec["name"] = "大きな手順"
    big = launch(org_a, save(org_a, big_spec), people_a.suzuki)
    with tenancy.activate(org_a):
        for _ in range(5):
            step = Step.objects.filter(run=big, state=StepState.READY).first()
            step_services.step_comment(actor=None, step=step, text="確認中")
            step_services.step_complete(actor=None, step=step)
    client.get(run_url(big))
    with django_assert_max_num_queries(10):
        assert client.get(run_url(big)).status_code == 200


# ---- the board, the calendar, insights -----------------------------------------------------


def test_the_board_shows_runs_by_template_who_holds_what_and_late_steps(  # type: ignore[no-untyped-def]
        client_as, manager_a, org_a, template, people_a, tr) -> None:
    launch(org_a, template, people_a.suzuki, day="2020-04-30")  # 入社書類 long overdue
    launch(org_a, template, people_a.suzuki, name="二件目")
    page = client_as(manager_a, org_a).get(reverse("procedures:board"))
    assert page.status_code == 200
    assert shows(page, tr("runs in progress"))
    assert "入社手続き" in body(page)
    assert f"?assignee={people_a.suzuki.pk}" in body(page)
    assert "2020-04-24" in body(page)  # the late step's due date (4/29 昭和の日 skipped)


def test_an_employee_does_not_see_the_board(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a) -> None:
    assert client_as(employee_a, org_a).get(reverse("procedures:board")).status_code == 403
    assert client_as(employee_a, org_a).get(reverse("procedures:calendar")).status_code == 403


def test_the_board_needs_a_constant_number_of_queries(  # type: ignore[no-untyped-def]
        client_as, manager_a, org_a, template, people_a, django_assert_max_num_queries) -> None:
    client = client_as(manager_a, org_a)
    launch(org_a, template, people_a.suzuki, day="2020-04-30")
    with django_assert_max_num_queries(10):
        client.get(reverse("procedures:board"))
    for day in ("2020-05-29", "2020-06-30", "2020-07-31"):
        launch(org_a, template, people_a.suzuki, day=day)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("procedures:board")).status_code == 200


def test_the_calendar_shows_open_steps_on_their_day_and_holidays_by_name(  # type: ignore[no-untyped-def]
        client_as, manager_a, org_a, template, people_a) -> None:
    launch(org_a, template, people_a.suzuki, day="2026-05-12")  # docs due 5/7 (after GW)
    client = client_as(manager_a, org_a)
    page = client.get(reverse("procedures:calendar"), {"month": "2026-05"})
    assert page.status_code == 200
    assert "憲法記念日" in body(page) and "こどもの日" in body(page)
    assert "入社書類の提出" in body(page)
    assert "?month=2026-04" in body(page) and "?month=2026-06" in body(page)
    april = client.get(reverse("procedures:calendar"), {"month": "2026-04"})
    assert "昭和の日" in body(april) and "入社書類の提出" not in body(april)
    assert client.get(reverse("procedures:calendar"), {"month": "garbage"}).status_code == 200


def test_insights_explain_an_empty_page_with_a_link_to_the_templates(  # type: ignore[no-untyped-def]
        client_as, auditor_a, org_a, tr) -> None:
    page = client_as(auditor_a, org_a).get(reverse("procedures:insights"))
    assert page.status_code == 200
    assert shows(page, tr("No procedure is linked to the work inventory yet"))
    assert reverse("procedures:template_list") in body(page)


def test_insights_compare_surveyed_estimated_and_recorded_hours(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, template, people_a, tr) -> None:
    with tenancy.activate(org_a):
        task = Task.objects.create(function="人事", category="入退社", name="入社手続き")
        survey_services.round_save(actor=None, survey_round=None,
                                   data={"name": "2026年度 業務調査", "status": RoundStatus.OPEN})
        template_services.template_link_tasks(actor=None, template=template, task_ids=[task.pk])
    launch(org_a, template, people_a.suzuki)
    page = client_as(hr, org_a).get(reverse("procedures:insights"))
    assert page.status_code == 200
    assert "入社手続き" in body(page) and "2026年度 業務調査" in body(page)
    assert shows(page, tr("estimated h/month"))
    # one run of 30+30+20+15 estimated minutes in a year: 95 / 12 / 60 h per month
    assert "0.1" in body(page)


def test_an_employee_does_not_see_the_insights(  # type: ignore[no-untyped-def]
        client_as, employee_a, org_a) -> None:
    assert client_as(employee_a, org_a).get(reverse("procedures:insights")).status_code == 403


DELIVERY = {"somu": "procedure/1", "name": "備品発注",
            "parameters": [{"key": "希望納期", "label": "希望納期", "type": "date"}],
            "steps": [
                {"key": "order", "name": "発注", "assignee": "starter", "due": {"offset": 0}},
                {"key": "receive", "name": "納品・検収", "assignee": "starter",
                 "depends_on": ["order"], "due": {"from": "希望納期", "offset": 0}},
            ]}


def test_the_preview_warns_when_a_due_date_comes_before_the_start_or_its_predecessor(  # type: ignore[no-untyped-def]
        client_as, hr, org_a, tr) -> None:
    template = save(org_a, DELIVERY)
    client = client_as(hr, org_a)
    response = client.get(launch_url(template), {
        "preview": "1", "start_date": "2026-12-11", "param_0": "2026-12-01"},
        HTTP_HX_REQUEST="true")
    assert shows(response, "納品・検収: " + tr(
        "Due %(date)s, before the start date %(start)s.", date="2026-12-01",
        start="2026-12-11"))
    assert shows(response, "納品・検収: " + tr(
        "Due %(date)s, before “%(step)s” (due %(other)s), which it waits for.",
        date="2026-12-01", step="発注", other="2026-12-11"))
    fine = client.get(launch_url(template), {
        "preview": "1", "start_date": "2026-12-11", "param_0": "2026-12-18"},
        HTTP_HX_REQUEST="true")
    assert 'id="due-warnings"' not in body(fine)
    # A warning, not a refusal: the launch goes through and says it again.
    launched = client.post(launch_url(template), {
        "start_date": "2026-12-11", "param_0": "2026-12-01", "name": ""}, follow=True)
    assert runs_of(org_a) == 1
    assert shows(launched, "納品・検収: " + tr(
        "Due %(date)s, before the start date %(start)s.", date="2026-12-01",
        start="2026-12-11"))


def test_the_timeline_names_what_no_person_did_in_words(client_as, admin_a, org_a, people_a,  # type: ignore[no-untyped-def]
                                                        template):
    run = launch(org_a, template, people_a.suzuki)  # no actor: as the worker's schedules launch
    page = body(client_as(admin_a, org_a).get(run_url(run)))
    assert "システム（自動処理）" in page
    assert ">system<" not in page
