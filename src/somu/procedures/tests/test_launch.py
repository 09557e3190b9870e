"""Launching runs: parameters, assignees by rule, due dates on the organization's calendar."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils.html import escape

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services as org_services
from somu.org.models import Department
from somu.procedures.models import EventKind, Run, RunStatus, Step, StepEvent, StepState
from somu.procedures.services import launching
from somu.procedures.services import runs as run_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save, step_spec

NEWCOMER = {"入社者": "A002", "入社日": "2026-04-30"}  # 鈴木 花子, a Thursday before GW
# At most, for one launch: savepoint; the people named (with their managers), the actor, the
# calendar (2), the departments, the holders of every role and their open steps; run, steps;
# the ready steps, notification preferences and notifications; the event; the audit entry (6).
LAUNCH_QUERIES = 21


@pytest.fixture
def hr(make_user, org_a, people_a):  # type: ignore[no-untyped-def]
    """佐藤 of 人事部 as staff, launching."""
    return make_hr_staff(make_user, org_a, people_a)


def launch(org, template, params: dict[str, Any], **kwargs: Any) -> Run:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return run_services.run_launch(template=template, params=params, **kwargs)


def steps_of(org, run: Run) -> dict[str, Step]:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return {s.key: s for s in Step.objects.filter(run=run).select_related("assignee")}


def launch_error(org, template, params, **kwargs) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    with pytest.raises(launching.LaunchError) as exc:
        launch(org, template, params, **kwargs)
    return exc.value.message_dict


def test_a_launch_gives_every_step_an_assignee_a_due_date_and_a_state(org_a, people_a, hr):
    template = save(org_a, onboarding())
    run = launch(org_a, template, NEWCOMER, actor=hr, start_date=dt.date(2026, 4, 1))
    steps = steps_of(org_a, run)
    assert run.name == "鈴木 花子さん 入社手続き"
    assert run.params == {"入社者": people_a.suzuki.pk, "入社日": "2026-04-30",
                          "雇用形態": "正社員"}
    assert run.start_date == dt.date(2026, 4, 1)
    assert run.starter == people_a.sato
    assert {k: s.assignee for k, s in steps.items()} == {
        "docs": people_a.suzuki,  # the person in 入社者
        "shaho": people_a.sato, "koyo": people_a.sato,  # 人事部 staff
        "account": people_a.yamada,  # 入社者's manager
        "approve": people_a.yamada,  # A001
    }
    assert {k: s.state for k, s in steps.items()} == {
        "docs": "ready", "shaho": "waiting", "koyo": "waiting", "account": "waiting",
        "approve": "waiting"}
    assert steps["docs"].ready_at is not None
    # 3 business days before Thu 4/30: 4/28, 4/27, 4/24 (4/29 昭和の日 does not count)
    assert steps["docs"].due_date == dt.date(2026, 4, 24)
    # 5 calendar days after 4/30 is 5/5 こどもの日, rolled back over 5/4, 5/3 (Sun), 5/2 → 5/1
    assert steps["shaho"].due_date == dt.date(2026, 5, 1)
    assert steps["koyo"].due_date == dt.date(2026, 5, 10)  # 翌月10日, no roll
    assert steps["account"].due_date is None  # counted from the documents' completion
    assert steps["approve"].due_date is None
    assert steps["shaho"].depends_on == ["docs"]
    assert steps["docs"].estimated_minutes == 30
    with tenancy.activate(org_a):
        assert StepEvent.objects.filter(run=run, kind=EventKind.LAUNCHED).count() == 1
        assert AuditEvent.objects.filter(action="procedure_run.launch",
                                         object_id=str(run.pk)).count() == 1


def test_due_dates_follow_a_company_holiday_added_to_the_calendar(org_a, people_a, hr):
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        org_services.company_holiday_add(actor=None, name="創立記念日", month=5, day=1,
                                         year=2026)
    steps = steps_of(org_a, launch(org_a, template, NEWCOMER, actor=hr))
    assert steps["shaho"].due_date == dt.date(2026, 4, 30)


def test_the_start_date_defaults_to_today_and_names_fall_back_to_the_date(org_a, people_a,
                                                                          hr):
    spec = onboarding(name="月次決算", parameters=[])
    spec["steps"] = [{"key": "close", "name": "締め", "due": {"from": "start", "offset": 3}}]
    template = save(org_a, spec)
    run = launch(org_a, template, {}, actor=hr)
    with tenancy.activate(org_a):
        from somu.procedures.selectors import today
        assert run.start_date == today()
        assert run.name == f"月次決算 {today().isoformat()}"
        assert run.steps.get().assignee == people_a.sato  # the starter


def test_a_step_whose_condition_is_false_is_skipped(org_a, people_a, hr):
    template = save(org_a, onboarding())
    steps = steps_of(org_a, launch(org_a, template, {**NEWCOMER, "雇用形態": "パート"},
                                   actor=hr))
    assert steps["shaho"].state == StepState.SKIPPED
    assert steps["shaho"].assignee is None
    assert steps["approve"].state == StepState.WAITING


def test_a_run_whose_every_step_is_skipped_is_complete_at_once(org_a, people_a, hr):
    spec = onboarding(name="任意手続き", parameters=[{"key": "必要", "type": "boolean"}])
    spec["steps"] = [{"key": "a", "name": "A", "condition": "必要"}]
    template = save(org_a, spec)
    run = launch(org_a, template, {"必要": "false"}, actor=hr)
    assert run.status == RunStatus.COMPLETED


def test_role_work_goes_to_the_holder_with_the_fewest_open_steps(org_a, people_a, hr,
                                                                 make_user):
    with tenancy.activate(org_a):
        ito = org_services.person_create(actor=None, data={
            "employee_number": "A009", "name": "伊藤 誠", "department": people_a.jinji})
    make_user("ito", org_a, Role.STAFF, person=ito)
    template = save(org_a, onboarding())
    first = steps_of(org_a, launch(org_a, template, NEWCOMER, actor=hr))
    # ties go by employee number (A003 佐藤 before A009 伊藤), then the load evens out
    assert first["shaho"].assignee == people_a.sato
    assert first["koyo"].assignee == ito
    second = steps_of(org_a, launch(org_a, template, NEWCOMER, actor=hr))
    assert {second["shaho"].assignee, second["koyo"].assignee} == {people_a.sato, ito}


def test_a_role_in_a_parent_department_includes_its_subdepartments(org_a, people_a, hr):
    spec = onboarding()
    step_spec(spec, "koyo")["assignee"] = {"role": "staff", "department": "管理本部"}
    steps = steps_of(org_a, launch(org_a, save(org_a, spec), NEWCOMER, actor=hr))
    assert steps["koyo"].assignee == people_a.sato


def test_a_role_nobody_holds_fails_once_naming_all_its_steps(org_a, people_a, staff_a, tr):
    template = save(org_a, onboarding())
    errors = launch_error(org_a, template, NEWCOMER, actor=staff_a)
    assert errors["assignee"] == [
        tr("Nobody in %(department)s has the role “%(role)s” (steps: %(steps)s).",
           department="人事部", role=tr("Back-office staff"),
           steps="健康保険・厚生年金 資格取得届、雇用保険 資格取得届")]


def test_the_launch_page_says_which_roles_are_missing_and_disables_the_button(
        client_as, staff_a, org_a, people_a, tr):
    template = save(org_a, onboarding())
    page = client_as(staff_a, org_a).get(
        reverse("procedures:run_launch", args=[template.pk])).content.decode()
    missing = tr("Nobody in %(department)s has the role “%(role)s” (steps: %(steps)s).",
                 department="人事部", role=tr("Back-office staff"),
                 steps="健康保険・厚生年金 資格取得届、雇用保険 資格取得届")
    assert escape(missing) in page
    assert f'href="{reverse("org:member_list")}"' in page.split('id="launch-blockers"')[1]
    assert re.search(r'<button type="submit" class="primary" disabled[^>]*>', page)
    assert escape(tr("Launching cannot work until every role above has a holder.")) in page


def test_the_launch_page_lets_a_launch_go_when_the_roles_are_held(client_as, hr, org_a,
                                                                   people_a):
    template = save(org_a, onboarding())
    page = client_as(hr, org_a).get(
        reverse("procedures:run_launch", args=[template.pk])).content.decode()
    assert 'id="launch-blockers"' not in page
    assert '<button type="submit" class="primary">' in page


def test_a_missing_manager_fails_with_a_clear_message(org_a, people_a, hr, tr):
    template = save(org_a, onboarding())
    errors = launch_error(org_a, template, {**NEWCOMER, "入社者": "A003"}, actor=hr)
    assert errors["assignee"] == [tr("Step '%(step)s': %(person)s has no manager.",
                                     step="アカウント発行", person="佐藤 健")]


def test_an_unresolved_step_goes_to_the_owner_flagged_when_the_template_says_so(
        org_a, people_a, hr):
    template = save(org_a, onboarding(on_unresolved_assignee="owner"), owner=people_a.tanaka)
    steps = steps_of(org_a, launch(org_a, template, {**NEWCOMER, "入社者": "A003"}, actor=hr))
    assert steps["account"].assignee == people_a.tanaka
    assert steps["account"].assignee_flagged
    assert not steps["docs"].assignee_flagged


def test_the_owner_fallback_fails_when_there_is_no_owner(org_a, people_a, hr, tr):
    template = save(org_a, onboarding(on_unresolved_assignee="owner"))
    errors = launch_error(org_a, template, {**NEWCOMER, "入社者": "A003"}, actor=hr)
    assert errors["assignee"] == [
        tr("Step '%(step)s': %(person)s has no manager.", step="アカウント発行",
           person="佐藤 健") + " "
        + tr("The template has no active owner to take the step instead.")]


def test_the_starter_rule_needs_a_launching_user_linked_to_a_person(org_a, people_a,
                                                                    staff_a, hr, tr):
    spec = onboarding()
    step_spec(spec, "docs")["assignee"] = "starter"
    template = save(org_a, spec)
    assert steps_of(org_a, launch(org_a, template, NEWCOMER, actor=hr))["docs"].assignee == \
        people_a.sato
    assert steps_of(org_a, launch(org_a, template, NEWCOMER, actor=staff_a,
                                  starter=people_a.tanaka))["docs"].assignee == people_a.tanaka
    errors = launch_error(org_a, template, NEWCOMER, actor=staff_a)
    assert errors["assignee"] == [tr(
        "Step '%(step)s': the run has no starter (the launching user is not linked "
        "to a person).", step="入社書類の提出")]


def test_the_starters_manager(org_a, people_a, make_user):
    suzuki = make_user("suzuki_staff", org_a, Role.STAFF, person=people_a.suzuki)
    spec = onboarding()
    step_spec(spec, "koyo")["assignee"] = {"manager_of": "starter"}
    step_spec(spec, "shaho")["assignee"] = {"person": "A004"}
    steps = steps_of(org_a, launch(org_a, save(org_a, spec), NEWCOMER, actor=suzuki))
    assert steps["koyo"].assignee == people_a.yamada


def test_a_retired_assignee_is_refused(org_a, people_a, hr, tr):
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        org_services.person_retire(actor=None, person=people_a.yamada,
                                   retired_on=dt.date(2026, 3, 31))
    errors = launch_error(org_a, template, NEWCOMER, actor=hr)
    assert tr("Step '%(step)s': %(person)s is no longer active.", step="人事部長の確認",
              person="山田 太郎") in errors["assignee"]


def test_parameters_are_checked_by_type_and_every_problem_is_named(org_a, people_a, hr, tr):
    template = save(org_a, onboarding())
    errors = launch_error(org_a, template, {"入社日": "4月1日", "雇用形態": "役員"}, actor=hr)
    assert errors == {
        "入社者": [tr("This parameter is required.")],
        "入社日": [tr("Enter a date as YYYY-MM-DD.")],
        "雇用形態": [tr("Choose one of: %(choices)s.", choices="正社員, 契約社員, パート")],
    }
    errors = launch_error(org_a, template, {**NEWCOMER, "入社者": "Z999"}, actor=hr)
    assert errors == {"入社者": [tr("No person has this employee number or id.")]}


def test_people_are_given_by_employee_number_id_or_record(org_a, people_a, hr):
    template = save(org_a, onboarding())
    for ref in ("A002", people_a.suzuki.pk, people_a.suzuki):
        run = launch(org_a, template, {**NEWCOMER, "入社者": ref}, actor=hr)
        assert run.params["入社者"] == people_a.suzuki.pk
    run = launch(org_a, template, {**NEWCOMER, "入社日": dt.date(2026, 4, 30)}, actor=hr)
    assert run.params["入社日"] == "2026-04-30"


def test_someone_of_another_organization_is_unknown(org_a, people_a, people_b, hr):
    template = save(org_a, onboarding())
    errors = launch_error(org_a, template, {**NEWCOMER, "入社者": people_b.kimura.pk},
                          actor=hr)
    assert "入社者" in errors


def test_number_boolean_and_department_parameters_drive_conditions(org_a, people_a, hr):
    spec = onboarding(name="備品発注", parameters=[
        {"key": "金額", "type": "number"},
        {"key": "至急", "type": "boolean", "required": False},
        {"key": "部署", "type": "department"},
    ])
    spec["steps"] = [
        {"key": "order", "name": "発注"},
        {"key": "ringi", "name": "稟議", "condition": "金額 >= 100000"},
        {"key": "rush", "name": "至急対応", "condition": "至急"},
    ]
    template = save(org_a, spec)
    run = launch(org_a, template, {"金額": "120,000", "部署": "総務部"}, actor=hr)
    assert run.params == {"金額": 120000, "至急": False, "部署": people_a.somu.pk}
    states = {k: s.state for k, s in steps_of(org_a, run).items()}
    assert states == {"order": "ready", "ringi": "ready", "rush": "skipped"}
    errors = launch_error(org_a, template, {"金額": "たくさん", "部署": "経理部",
                                            "至急": "maybe"}, actor=hr)
    assert set(errors) == {"金額", "部署", "至急"}


def test_a_bulk_launch_is_all_or_nothing(org_a, people_a, hr, tr):
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        with pytest.raises(launching.LaunchError) as exc:
            run_services.runs_bulk_launch(actor=hr, template=template, param_sets=[
                NEWCOMER, {**NEWCOMER, "入社日": "soon"}])
        assert exc.value.message_dict == {"params[1].入社日": [tr("Enter a date as YYYY-MM-DD.")]}
        assert not Run.objects.exists()
        runs = run_services.runs_bulk_launch(actor=hr, template=template, param_sets=[
            NEWCOMER, {**NEWCOMER, "入社日": "2026-06-01"}], names=["", "再入社"])
        assert [r.name for r in runs] == ["鈴木 花子さん 入社手続き", "再入社"]
        assert Step.objects.filter(run__in=runs).count() == 10
        assert AuditEvent.objects.filter(action="procedure_run.launch").count() == 2


def test_a_bulk_launch_spreads_role_work_across_holders(org_a, people_a, hr, make_user):
    with tenancy.activate(org_a):
        ito = org_services.person_create(actor=None, data={
            "employee_number": "A009", "name": "伊藤 誠", "department": people_a.jinji})
    make_user("ito", org_a, Role.STAFF, person=ito)
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        runs = run_services.runs_bulk_launch(actor=hr, template=template,
                                             param_sets=[NEWCOMER] * 10)
        counts = {p: Step.objects.filter(run__in=runs, assignee=p, key__in=["shaho", "koyo"])
                  .count() for p in (people_a.sato, ito)}
    assert counts == {people_a.sato: 10, ito: 10}


def test_launching_a_bigger_template_costs_no_more_queries(org_a, people_a, hr,
                                                           django_assert_max_num_queries):
    small = save(org_a, onboarding())
    big_spec = onboarding(name="大きな手続き")
    big_spec["steps"] = [*big_spec["steps"], *[
        {"key": f"extra{i}", "name": f"追加{i}", "assignee": {"role": "staff",
                                                              "department": "人事部"},
         "due": {"from": "入社日", "offset": i}, "depends_on": ["docs"]} for i in range(25)]]
    big = save(org_a, big_spec)
    with tenancy.activate(org_a):
        launch(org_a, small, NEWCOMER, actor=hr)  # warm the spec cache
        launch(org_a, big, NEWCOMER, actor=hr)
        with django_assert_max_num_queries(25) as small_ctx:
            launch(org_a, small, NEWCOMER, actor=hr)
        with django_assert_max_num_queries(len(small_ctx.captured_queries)):
            launch(org_a, big, NEWCOMER, actor=hr)


def test_a_launch_reads_every_role_pool_at_once_in_a_pinned_number_of_queries(
        org_a, people_a, hr, django_assert_max_num_queries):
    """One pool or three (人事部, 管理本部 and anywhere): the holders of every role in one
    query, their open steps in another; the whole launch in LAUNCH_QUERIES."""
    one = save(org_a, onboarding())
    spec = onboarding(name="三つの担当範囲")
    spec["steps"] = [*spec["steps"], *[
        {"key": f"pool{i}", "name": f"担当範囲{i}", "assignee": assignee,
         "due": {"from": "入社日", "offset": i}, "depends_on": ["docs"]}
        for i, assignee in enumerate([{"role": "staff", "department": "管理本部"},
                                      {"role": "staff"}])]]
    three = save(org_a, spec)
    with tenancy.activate(org_a):
        launch(org_a, one, NEWCOMER, actor=hr)  # warm the spec cache
        launch(org_a, three, NEWCOMER, actor=hr)
        with django_assert_max_num_queries(LAUNCH_QUERIES):
            launch(org_a, one, NEWCOMER, actor=hr)
        with django_assert_max_num_queries(LAUNCH_QUERIES):
            run = launch(org_a, three, NEWCOMER, actor=hr)
    steps = steps_of(org_a, run)
    assert steps["pool0"].assignee == steps["pool1"].assignee == people_a.sato


def test_a_role_in_a_department_renamed_since_the_template_was_saved_fails_naming_it(
        org_a, people_a, hr, tr):
    template = save(org_a, onboarding())  # its role steps name 人事部
    with tenancy.activate(org_a):
        Department.objects.filter(pk=people_a.jinji.pk).update(name="人事グループ", code="")
    errors = launch_error(org_a, template, NEWCOMER, actor=hr)
    assert "人事部" in " ".join(errors["assignee"])
    with tenancy.activate(org_a):
        assert not Run.objects.exists()
