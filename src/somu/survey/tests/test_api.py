"""/api/v1/survey/: the inventory, rounds, respondents, answers, imports and the analysis.

The round used for the analysis (organization A, everyone's capacity 160 h):

    task (function, difficulty)    hours                      capability
    給与計算 (人事労務, 2)          山田 20, 佐藤 10           山田 4, 佐藤 3
    月次決算 (経理財務, 4)          山田 30                    山田 4
    備品管理 (総務, 1, outsource)   鈴木 10, 田中 10           鈴木 3, 田中 3

so the total is 80 h, 月次決算 (30 h, only 山田) is the one person-dependent task and 山田 (G3,
band 3–5) doing 給与計算 is the one over-qualified row.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from functools import partial

import openpyxl
import pytest
from django.core import mail
from django.test import Client

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role
from somu.core.tests.apiclient import api_client, assert_error, field_names
from somu.survey import services
from somu.survey.models import (
    Capability,
    Respondent,
    RoundStatus,
    SurveyRound,
    Task,
    TaskStatus,
    WorkHours,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/survey"


# ---- helpers -------------------------------------------------------------------------------------


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):
    """The root ``api_as``, with paths under /api/v1/survey."""
    return partial(api_as, prefix=API)


def make_task(name: str, function: str, difficulty: int | None = None, **extra) -> Task:
    return services.task_save(actor=None, task=None, data={
        "function": function, "category": "一般", "name": name, "difficulty": difficulty,
        **extra})


class Survey:
    """Org A's tasks and a round with the hours above; 鈴木 (employee_a) is a respondent."""

    def __init__(self, org, people) -> None:
        p = people
        with tenancy.activate(org):
            self.payroll = make_task("給与計算", "人事労務", 2)
            self.closing = make_task("月次決算", "経理財務", 4, automatable=True)
            self.supplies = make_task("備品管理", "総務", 1, outsourceable=True)
            self.round = services.round_save(actor=None, survey_round=None,
                                             data={"name": "2026年度 業務調査"})
            org_id = org.pk
            WorkHours.objects.bulk_create([
                WorkHours(organization_id=org_id, round=self.round, person=person, task=task,
                          hours=Decimal(hours))
                for person, task, hours in [
                    (p.yamada, self.payroll, "20"), (p.sato, self.payroll, "10"),
                    (p.yamada, self.closing, "30"), (p.suzuki, self.supplies, "10"),
                    (p.tanaka, self.supplies, "10")]])
            Capability.objects.bulk_create([
                Capability(organization_id=org_id, round=self.round, person=person, task=task,
                           level=level)
                for person, task, level in [
                    (p.yamada, self.payroll, 4), (p.sato, self.payroll, 3),
                    (p.yamada, self.closing, 4), (p.suzuki, self.supplies, 3),
                    (p.tanaka, self.supplies, 3)]])
            services.round_touch(self.round)
            services.respondents_invite(actor=None, survey_round=self.round,
                                        person_ids=[p.suzuki.pk, p.yamada.pk], send_mail=False)
            self.suzuki = Respondent.objects.get(round=self.round, person=p.suzuki)


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


@pytest.fixture
def survey_b(org_b, people_b):
    """Organization B's own task and round, whose ids org A must never reach."""
    with tenancy.activate(org_b):
        task = make_task("請求書発行", "経理財務", 2)
        survey_round = services.round_save(actor=None, survey_round=None,
                                           data={"name": "B社 業務調査"})
        WorkHours.objects.create(organization_id=org_b.pk, round=survey_round,
                                 person=people_b.kimura, task=task, hours=Decimal("12"))
        services.respondents_invite(actor=None, survey_round=survey_round,
                                    person_ids=[people_b.kimura.pk], send_mail=False)
        respondent = Respondent.objects.get(round=survey_round)
    return task, survey_round, respondent


# ---- the inventory -------------------------------------------------------------------------------


def test_tasks_are_listed_filtered_and_paginated(api_as, admin_a, survey):
    api = api_as(admin_a)
    body = api.get("/tasks").json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert [t["name"] for t in body["items"]] == ["給与計算", "月次決算", "備品管理"]
    assert body["items"][2]["path"] == "総務 > 一般 > 備品管理"
    assert [t["name"] for t in api.get("/tasks", function="総務").json()["items"]] == ["備品管理"]
    assert [t["name"] for t in api.get("/tasks", flag="automatable").json()["items"]] == [
        "月次決算"]
    assert [t["name"] for t in api.get("/tasks", q="決算").json()["items"]] == ["月次決算"]
    page = api.get("/tasks", page_size=2, page=2).json()
    assert (page["count"], len(page["items"])) == (3, 1)


def test_archived_tasks_are_listed_only_when_asked(api_as, admin_a, survey, org_a):
    with tenancy.activate(org_a):
        services.task_save(actor=None, task=survey.supplies, data={"status": "archived"})
    api = api_as(admin_a)
    assert api.get("/tasks").json()["count"] == 2
    assert api.get("/tasks", status="all").json()["count"] == 3
    assert [t["name"] for t in api.get("/tasks", status="archived").json()["items"]] == [
        "備品管理"]


def test_a_task_is_created_read_changed_and_deleted(api_as, staff_a, org_a, people_a):
    api = api_as(staff_a)
    created = api.post("/tasks", {
        "function": "総務", "category": "庶務", "name": " 郵便物の仕分け ", "frequency": "daily",
        "difficulty": 1, "remote_ok": False, "required_skill_id": people_a.excel.pk})
    assert created.status_code == 201, created.content
    task = created.json()
    assert (task["name"], task["frequency"], task["status"]) == (
        "郵便物の仕分け", "daily", "active")
    assert task["required_skill_id"] == people_a.excel.pk
    assert api.get(f"/tasks/{task['id']}").json() == task
    patched = api.patch(f"/tasks/{task['id']}", {"outsourceable": True, "subcategory": "郵便"})
    assert patched.status_code == 200
    assert (patched.json()["outsourceable"], patched.json()["path"]) == (
        True, "総務 > 庶務 > 郵便 > 郵便物の仕分け")
    assert api.delete(f"/tasks/{task['id']}").status_code == 204
    assert_error(api.get(f"/tasks/{task['id']}"), 404, "not_found")
    with tenancy.activate(org_a):
        actions = list(AuditEvent.objects.filter(action__startswith="survey_task")
                       .order_by("seq").values_list("action", flat=True))
    assert actions == ["survey_task.create", "survey_task.update", "survey_task.delete"]


def test_a_duplicate_task_path_is_a_409_conflict(api_as, admin_a, survey):
    api = api_as(admin_a)
    error = assert_error(api.post("/tasks", {"function": "総務", "category": "一般",
                                             "name": "備品管理"}), 409, "conflict")
    assert field_names(error) == ["name"]
    error = assert_error(api.patch(f"/tasks/{survey.payroll.pk}",
                                   {"function": "総務", "name": "備品管理"}), 409, "conflict")
    assert field_names(error) == ["name"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"function": "総務", "category": "一般"}, "name"),
        ({"function": "総務", "category": "一般", "name": "  "}, "name"),
        ({"function": "総務", "category": "一般", "name": "x", "difficulty": 6}, "difficulty"),
        ({"function": "総務", "category": "一般", "name": "x", "difficulty": "易"}, "difficulty"),
        ({"function": "総務", "category": "一般", "name": "x", "frequency": "often"},
         "frequency"),
        ({"function": "総務", "category": "一般", "name": "x", "scope": "world"}, "scope"),
        ({"function": "総務", "category": "一般", "name": "x", "status": "gone"}, "status"),
        ({"function": "総務", "category": "一般", "name": "x", "remote_ok": "maybe"},
         "remote_ok"),
        ({"function": "総務", "category": "一般", "name": "x", "required_skill_id": 999999},
         "required_skill_id"),
        ({"function": "総務", "category": "一般", "name": "x" * 201}, "name"),
        ({"function": "総務", "category": "一般", "name": "x", "colour": "red"}, "colour"),
    ],
)
def test_bad_task_fields_get_422_naming_the_field(api_as, admin_a, org_a, people_a, payload,
                                                  field):
    error = assert_error(api_as(admin_a).post("/tasks", payload), 422, "invalid")
    assert field in field_names(error)
    with tenancy.activate(org_a):
        assert not Task.objects.exists()


def test_a_skill_of_another_organization_gets_422(api_as, admin_a, people_a, people_b):
    error = assert_error(api_as(admin_a).post("/tasks", {
        "function": "総務", "category": "一般", "name": "x",
        "required_skill_id": people_b.skill.pk}), 422, "invalid")
    assert field_names(error) == ["required_skill_id"]


def test_a_task_with_answers_cannot_be_deleted_only_archived(api_as, admin_a, survey, org_a, tr):
    api = api_as(admin_a)
    error = assert_error(api.delete(f"/tasks/{survey.closing.pk}"), 409, "conflict")
    assert error["message"] == tr(
        "Survey answers refer to this task; archive it instead of deleting it.")
    assert api.patch(f"/tasks/{survey.closing.pk}", {"status": "archived"}).json()["status"] == (
        TaskStatus.ARCHIVED)


def test_only_survey_managers_change_the_inventory(api_as, employee_a, auditor_a, survey):
    for user in (employee_a, auditor_a):
        api = api_as(user)
        assert api.get("/tasks").status_code == 200  # respondents and analysts read it
        assert_error(api.post("/tasks", {"function": "総務", "category": "一般", "name": "x"}),
                     403, "forbidden")
        assert_error(api.patch(f"/tasks/{survey.payroll.pk}", {"name": "x"}), 403, "forbidden")
        assert_error(api.delete(f"/tasks/{survey.payroll.pk}"), 403, "forbidden")


# ---- rounds and respondents ----------------------------------------------------------------------


def test_a_round_is_created_read_with_progress_changed_and_deleted(api_as, admin_a, org_a):
    api = api_as(admin_a)
    created = api.post("/rounds", {"name": "2027年度 業務調査", "due_on": "2027-05-31",
                                   "allow_past_due": True})  # whatever today's date is
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["due_on"]) == ("draft", "2027-05-31")
    assert body["progress"] == {"invited": 0, "not_started": 0, "in_progress": 0,
                                "submitted": 0, "rate": 0.0}
    patched = api.patch(f"/rounds/{body['id']}", {"status": "open", "description": "年1回"})
    assert (patched.json()["status"], patched.json()["description"]) == ("open", "年1回")
    assert [r["name"] for r in api.get("/rounds").json()["items"]] == ["2027年度 業務調査"]
    assert api.delete(f"/rounds/{body['id']}").status_code == 204
    with tenancy.activate(org_a):
        assert not SurveyRound.objects.exists()


def test_a_past_due_date_is_422_unless_allow_past_due_confirms_it(api_as, admin_a, org_a):
    api = api_as(admin_a)
    error = assert_error(api.post("/rounds", {"name": "2000年度", "due_on": "2001-03-31"}),
                         422, "invalid")
    assert field_names(error) == ["due_on"]
    with tenancy.activate(org_a):
        assert not SurveyRound.objects.exists()
    created = api.post("/rounds", {"name": "2000年度", "due_on": "2001-03-31",
                                   "allow_past_due": True})
    assert created.status_code == 201, created.content
    round_id = created.json()["id"]
    error = assert_error(api.patch(f"/rounds/{round_id}", {"due_on": "2001-02-28"}), 422,
                         "invalid")
    assert field_names(error) == ["due_on"]
    assert api.patch(f"/rounds/{round_id}", {"status": "open"}).status_code == 200


def test_a_round_reports_how_many_have_answered(api_as, admin_a, survey, org_a):
    with tenancy.activate(org_a):
        services.answers_save(actor=None, respondent=survey.suzuki, answers=[
            services.Answer(task_id=survey.supplies.pk, hours=Decimal("10"))], submit=True)
    progress = api_as(admin_a).get(f"/rounds/{survey.round.pk}").json()["progress"]
    assert progress == {"invited": 2, "not_started": 1, "in_progress": 0, "submitted": 1,
                        "rate": 0.5}


def test_a_duplicate_round_name_is_a_409_conflict(api_as, admin_a, survey):
    error = assert_error(api_as(admin_a).post("/rounds", {"name": "2026年度 業務調査"}), 409,
                         "conflict")
    assert field_names(error) == ["name"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "x", "status": "done"}, "status"),
     ({"name": "x", "due_on": "2027-02-30"}, "due_on"), ({"name": "x", "due_on": 5}, "due_on")],
)
def test_bad_round_fields_get_422_naming_the_field(api_as, admin_a, org_a, payload, field):
    error = assert_error(api_as(admin_a).post("/rounds", payload), 422, "invalid")
    assert field in field_names(error)


def test_an_employee_sees_only_the_rounds_they_are_asked_to_answer(api_as, admin_a, employee_a,
                                                                    survey):
    other = api_as(admin_a).post("/rounds", {"name": "別の調査"}).json()
    api = api_as(employee_a)
    assert [r["name"] for r in api.get("/rounds").json()["items"]] == ["2026年度 業務調査"]
    assert api.get(f"/rounds/{survey.round.pk}").status_code == 200
    assert_error(api.get(f"/rounds/{other['id']}"), 404, "not_found")
    assert_error(api.post("/rounds", {"name": "x"}), 403, "forbidden")
    assert_error(api.get(f"/rounds/{survey.round.pk}/respondents"), 403, "forbidden")


def test_inviting_a_department_adds_its_people_mails_them_and_opens_the_round(
        api_as, admin_a, org_a, people_a, django_capture_on_commit_callbacks):
    api = api_as(admin_a)
    round_id = api.post("/rounds", {"name": "2027年度 業務調査"}).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/rounds/{round_id}/invite", {"department_ids": [people_a.somu.pk]})
    assert response.json() == {"invited": 2, "respondents": 2, "status": "open"}
    assert sorted(m.to[0] for m in mail.outbox) == ["yamada@a.example"]  # 鈴木 has no address
    again = api.post(f"/rounds/{round_id}/invite",
                     {"department_ids": [people_a.honbu.pk], "send_mail": False})
    assert again.json() == {"invited": 1, "respondents": 3, "status": "open"}  # + 佐藤 (人事部)
    listed = api.get(f"/rounds/{round_id}/respondents").json()
    assert [(r["employee_number"], r["name"], r["department"], r["status"])
            for r in listed["items"]] == [("A001", "山田 太郎", "総務部", "not_started"),
                                          ("A002", "鈴木 花子", "総務部", "not_started"),
                                          ("A003", "佐藤 健", "人事部", "not_started")]


@pytest.mark.parametrize("body_of", [
    lambda p, pb: {},
    lambda p, pb: {"department_ids": [999999]},
    lambda p, pb: {"department_ids": [pb.somu.pk]},
    lambda p, pb: {"person_ids": [pb.kimura.pk]},
    lambda p, pb: {"person_ids": ["x"]},
])
def test_inviting_nobody_or_unknown_ids_gets_422_and_invites_no_one(
        api_as, admin_a, survey, people_a, people_b, org_a, body_of):
    with tenancy.activate(org_a):
        before = Respondent.objects.count()
    response = api_as(admin_a).post(f"/rounds/{survey.round.pk}/invite",
                                    body_of(people_a, people_b))
    error = assert_error(response, 422, "invalid")
    assert field_names(error)[0].split(".")[0] in ("department_ids", "person_ids")
    with tenancy.activate(org_a):
        assert Respondent.objects.count() == before


def test_inviting_to_a_closed_round_gets_422(api_as, admin_a, survey, people_a):
    api = api_as(admin_a)
    api.patch(f"/rounds/{survey.round.pk}", {"status": "closed"})
    assert_error(api.post(f"/rounds/{survey.round.pk}/invite",
                          {"person_ids": [people_a.sato.pk]}), 422, "invalid")


def test_respondents_are_filtered_by_status(api_as, admin_a, survey, org_a):
    with tenancy.activate(org_a):
        services.answers_save(actor=None, respondent=survey.suzuki, answers=[], submit=True)
    api = api_as(admin_a)
    submitted = api.get(f"/rounds/{survey.round.pk}/respondents", status="submitted").json()
    assert [r["name"] for r in submitted["items"]] == ["鈴木 花子"]
    pending = api.get(f"/rounds/{survey.round.pk}/respondents", status="not_started").json()
    assert [r["name"] for r in pending["items"]] == ["山田 太郎"]
    error = assert_error(api.get(f"/rounds/{survey.round.pk}/respondents", status="late"), 422,
                         "invalid")
    assert field_names(error) == ["status"]


def test_remind_mails_only_those_who_have_not_submitted(
        api_as, admin_a, survey, org_a, django_capture_on_commit_callbacks):
    with tenancy.activate(org_a):
        services.answers_save(actor=None, respondent=survey.suzuki, answers=[], submit=True)
    api = api_as(admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/rounds/{survey.round.pk}/remind")
    assert response.json() == {"reminded": 1}
    assert [m.to for m in mail.outbox] == [["yamada@a.example"]]
    listed = api.get(f"/rounds/{survey.round.pk}/respondents", status="not_started").json()
    assert listed["items"][0]["reminder_count"] == 1
    error = assert_error(api.post(f"/rounds/{survey.round.pk}/remind",
                                  {"respondent_ids": [999999]}), 422, "invalid")
    assert field_names(error) == ["respondent_ids"]


# ---- my answers ----------------------------------------------------------------------------------


def test_a_respondent_saves_and_later_submits_their_answers(api_as, employee_a, survey):
    api = api_as(employee_a)
    path = f"/rounds/{survey.round.pk}/answers/me"
    mine = api.get(path).json()  # what an import put in the round for 鈴木
    assert (mine["status"], mine["answers"]) == ("not_started", [
        {"task_id": survey.supplies.pk, "hours": 10.0, "monthly": None, "level": 3}])
    saved = api.put(path, {"answers": [
        {"task_id": survey.supplies.pk, "hours": 12.5, "level": 3},
        {"task_id": survey.payroll.pk, "level": 2},
    ]})
    assert saved.status_code == 200, saved.content
    assert saved.json()["status"] == "in_progress"
    answers = {a["task_id"]: a for a in api.get(path).json()["answers"]}
    assert answers[survey.supplies.pk]["hours"] == 12.5
    assert answers[survey.supplies.pk]["level"] == 3
    assert (answers[survey.payroll.pk]["hours"], answers[survey.payroll.pk]["level"]) == (None, 2)
    submitted = api.put(path, {"answers": [{"task_id": survey.supplies.pk, "hours": "8"}],
                               "submit": True}).json()
    assert submitted["status"] == "submitted" and submitted["submitted_at"]
    assert [a["task_id"] for a in submitted["answers"]] == [survey.supplies.pk]


def test_monthly_answers_are_stored_with_their_average(api_as, employee_a, survey, org_a,
                                                       people_a):
    monthly = [10] * 11 + [58]
    response = api_as(employee_a).put(f"/rounds/{survey.round.pk}/answers/me", {
        "answers": [{"task_id": survey.closing.pk, "monthly": monthly}]})
    assert response.status_code == 200, response.content
    answer = response.json()["answers"][0]
    assert answer["monthly"] == monthly
    assert answer["hours"] == 14.0
    with tenancy.activate(org_a):
        row = WorkHours.objects.get(round=survey.round, person=people_a.suzuki,
                                    task=survey.closing)
    assert row.hours == Decimal("14.00")  # (11 × 10 + 58) / 12


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"task_id": "SUPPLIES", "hours": 500}, "answers.1.hours"),
        ({"task_id": "SUPPLIES", "hours": -1}, "answers.1.hours"),
        ({"task_id": "SUPPLIES", "hours": "沢山"}, "answers.1.hours"),
        ({"task_id": "SUPPLIES", "level": 7}, "answers.1.level"),
        ({"task_id": "SUPPLIES", "monthly": [1, 2, 3]}, "answers.1.monthly"),
        ({"task_id": "SUPPLIES", "monthly": [1] * 11 + [401]}, "answers.1.monthly.11"),
        ({"task_id": "SUPPLIES", "hours": 1, "monthly": [1] * 12}, "answers.1"),
        ({"task_id": 999999, "hours": 1}, "task-999999"),
        ({"task_id": "PAYROLL", "hours": 1}, "task-PAYROLL"),  # answered twice
        ({"task_id": "CLOSING", "hours": 390}, "body"),  # 400+ hours in total
    ],
)
def test_invalid_answers_get_422_naming_the_line_and_nothing_is_saved(
        api_as, employee_a, survey, org_a, people_a, bad, field):
    ids = {"SUPPLIES": survey.supplies.pk, "PAYROLL": survey.payroll.pk,
           "CLOSING": survey.closing.pk}
    api = api_as(employee_a)
    path = f"/rounds/{survey.round.pk}/answers/me"
    api.put(path, {"answers": [{"task_id": survey.supplies.pk, "hours": 10, "level": 3}]})
    bad = {k: ids.get(v, v) if k == "task_id" else v for k, v in bad.items()}
    field = field.replace("PAYROLL", str(survey.payroll.pk))
    response = api.put(path, {"answers": [{"task_id": survey.payroll.pk, "hours": 20}, bad],
                              "submit": True})
    error = assert_error(response, 422, "invalid")
    assert field in field_names(error)
    mine = api.get(path).json()
    assert mine["status"] == "in_progress"
    assert [(a["task_id"], a["hours"]) for a in mine["answers"]] == [(survey.supplies.pk, 10.0)]


def test_answers_to_a_closed_round_get_422(api_as, admin_a, employee_a, survey):
    api_as(admin_a).patch(f"/rounds/{survey.round.pk}", {"status": RoundStatus.CLOSED})
    response = api_as(employee_a).put(f"/rounds/{survey.round.pk}/answers/me", {"answers": []})
    assert_error(response, 422, "invalid")


def test_submitted_answers_cannot_be_changed_through_the_api_until_reopened(
        api_as, employee_a, survey, org_a, people_a, tr):
    api = api_as(employee_a)
    path = f"/rounds/{survey.round.pk}/answers/me"
    api.put(path, {"answers": [{"task_id": survey.supplies.pk, "hours": 8}], "submit": True})
    error = assert_error(api.put(path, {"answers": [{"task_id": survey.supplies.pk,
                                                      "hours": 99}]}), 409, "conflict")
    assert error["message"] == tr(
        "These answers have been submitted; reopen them before changing them.")
    with tenancy.activate(org_a):
        row = WorkHours.objects.get(round=survey.round, person=people_a.suzuki)
        assert row.hours == Decimal("8.00")
    reopened = api.post(f"{path}/reopen")
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "in_progress"
    changed = api.put(path, {"answers": [{"task_id": survey.supplies.pk, "hours": 9}]})
    assert changed.json()["answers"][0]["hours"] == 9.0


def test_answers_me_is_404_for_people_not_asked_and_403_without_the_right(
        api_as, make_user, org_a, people_a, auditor_a, admin_a, survey):
    not_asked = make_user("sato", org_a, Role.EMPLOYEE, person=people_a.sato)
    path = f"/rounds/{survey.round.pk}/answers/me"
    assert_error(api_as(not_asked).get(path), 404, "not_found")
    assert_error(api_as(not_asked).put(path, {"answers": []}), 404, "not_found")
    assert_error(api_as(admin_a).get(path), 404, "not_found")  # an account with no person
    assert_error(api_as(auditor_a).get(path), 403, "forbidden")


def test_answers_need_a_list(api_as, employee_a, survey):
    api = api_as(employee_a)
    path = f"/rounds/{survey.round.pk}/answers/me"
    assert "answers" in field_names(assert_error(api.put(path, {}), 422, "invalid"))
    assert "answers" in field_names(assert_error(api.put(path, {"answers": "all"}), 422,
                                                 "invalid"))


# ---- import --------------------------------------------------------------------------------------


def upload(text: str, name: str = "hours.csv") -> io.BytesIO:
    handle = io.BytesIO(text.encode("utf-8-sig"))
    handle.name = name
    return handle


LONG_CSV = (
    "社員番号,部門,大分類,中分類,業務名,月間工数(時間)\n"
    "A001,人事労務,一般,,給与計算,25\n"
    "A003,総務,一般,,来客対応,5\n"
)


def test_an_import_file_fills_the_round(api_as, admin_a, survey, org_a, people_a):
    response = api_as(admin_a).post(f"/rounds/{survey.round.pk}/import",
                                    {"file": upload(LONG_CSV), "create_tasks": "true"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["layout"], body["rows"], body["hours_saved"], body["tasks_created"]) == (
        "long", 2, 2, 1)
    with tenancy.activate(org_a):
        row = WorkHours.objects.get(round=survey.round, person=people_a.yamada,
                                    task=survey.payroll)
        assert row.hours == Decimal("25")


def test_a_bad_import_file_gets_422_listing_every_row_and_nothing_is_written(
        api_as, admin_a, survey, org_a):
    bad = ("社員番号,部門,大分類,中分類,業務名,月間工数(時間)\n"
           "A001,人事労務,一般,,給与計算,-5\n"
           "Z999,人事労務,一般,,給与計算,10\n")
    with tenancy.activate(org_a):
        before = sorted(WorkHours.objects.values_list("person_id", "task_id", "hours"))
    response = api_as(admin_a).post(f"/rounds/{survey.round.pk}/import",
                                    {"file": upload(bad), "layout": "long"})
    error = assert_error(response, 422, "invalid", extra=("rows",))
    rows = error["rows"]
    assert {r["row"] for r in rows} == {2, 3}
    assert {"row", "column", "value", "reason"} == set(rows[0])
    assert any(r["column"] == "社員番号" and r["value"] == "Z999" for r in rows)
    assert set(field_names(error)) == {"file"}
    with tenancy.activate(org_a):
        assert sorted(WorkHours.objects.values_list("person_id", "task_id", "hours")) == before


def test_unknown_tasks_fail_the_import_unless_it_may_create_them(api_as, admin_a, survey,
                                                                 org_a):
    response = api_as(admin_a).post(f"/rounds/{survey.round.pk}/import",
                                    {"file": upload(LONG_CSV)})
    error = assert_error(response, 422, "invalid", extra=("rows",))
    assert any(r["value"] == "来客対応" or "来客対応" in r["reason"] for r in error["rows"])
    with tenancy.activate(org_a):
        assert not Task.objects.filter(name="来客対応").exists()


def test_an_import_needs_a_file_and_a_known_layout(api_as, admin_a, survey):
    api = api_as(admin_a)
    error = assert_error(api.post(f"/rounds/{survey.round.pk}/import",
                                  {"file": upload(LONG_CSV), "layout": "diagonal"}), 422,
                         "invalid")
    assert field_names(error) == ["layout"]
    error = assert_error(api.post(f"/rounds/{survey.round.pk}/import",
                                  {"file": upload(LONG_CSV), "create_tasks": "maybe"}), 422,
                         "invalid")
    assert field_names(error) == ["create_tasks"]
    error = assert_error(api.post(f"/rounds/{survey.round.pk}/import", {"layout": "long",
                                                                        "x": upload("")}),
                         422, "invalid")
    assert field_names(error) == ["file"]


def test_importing_needs_the_survey_manager_right(api_as, auditor_a, survey):
    response = api_as(auditor_a).post(f"/rounds/{survey.round.pk}/import",
                                      {"file": upload(LONG_CSV)})
    assert_error(response, 403, "forbidden")


# ---- the analysis --------------------------------------------------------------------------------


def test_the_analysis_comes_back_as_json_and_is_cached(api_as, auditor_a, survey, org_a):
    api = api_as(auditor_a)
    body = api.get(f"/rounds/{survey.round.pk}/analysis").json()
    assert body["totals"]["hours"] == 80.0
    assert body["dependency"]["dependent_task_ids"] == [survey.closing.pk]
    assert [f["key"] for f in body["by_function"]] == ["人事労務", "経理財務", "総務"]
    assert api.get(f"/rounds/{survey.round.pk}/analysis").json() == body
    refreshed = api.get(f"/rounds/{survey.round.pk}/analysis", refresh="true").json()
    assert refreshed == body
    assert_error(api.get(f"/rounds/{survey.round.pk}/analysis", refresh="maybe"), 422,
                 "invalid")


def test_the_analysis_follows_new_answers(api_as, admin_a, employee_a, survey):
    api = api_as(admin_a)
    assert api.get(f"/rounds/{survey.round.pk}/analysis").json()["totals"]["hours"] == 80.0
    api_as(employee_a).put(f"/rounds/{survey.round.pk}/answers/me", {"answers": [
        {"task_id": survey.supplies.pk, "hours": 30}]})
    assert api.get(f"/rounds/{survey.round.pk}/analysis").json()["totals"]["hours"] == 100.0


def test_drill_down_rows_are_the_rows_behind_a_figure(api_as, admin_a, survey, people_a):
    api = api_as(admin_a)
    path = f"/rounds/{survey.round.pk}/analysis/rows"
    everything = api.get(path).json()
    assert everything["count"] == 5
    assert everything["items"][0] == {
        "id": everything["items"][0]["id"], "person_id": people_a.yamada.pk,
        "employee_number": "A001", "person": "山田 太郎", "department": "総務部", "grade": "G3",
        "task_id": survey.closing.pk, "function": "経理財務", "category": "一般",
        "subcategory": "", "task": "月次決算", "hours": 30.0, "monthly": None}
    assert [r["person"] for r in api.get(path, function="総務").json()["items"]] == [
        "鈴木 花子", "田中 美咲"]
    assert [r["task"] for r in api.get(path, dependent="true").json()["items"]] == ["月次決算"]
    assert api.get(path, person_id=people_a.yamada.pk).json()["count"] == 2
    assert api.get(path, department_id=0).json()["count"] == 1  # 田中 has no department
    assert api.get(path, grade="G1").json()["count"] == 2
    assert api.get(path, flag="outsourceable").json()["count"] == 2
    over = api.get(path, qualification="over").json()["items"]  # G3 山田 on difficulty 2
    assert [(r["person"], r["task"]) for r in over] == [("山田 太郎", "給与計算")]
    assert api.get(path, page_size=2, page=3).json()["items"][0]["hours"] == 10.0


@pytest.mark.parametrize("query", [{"flag": "cheap"}, {"qualification": "some"},
                                   {"person_id": "x"}, {"department_id": -1}, {"page": 0}])
def test_bad_drill_down_filters_get_422(api_as, admin_a, survey, query):
    error = assert_error(api_as(admin_a).get(f"/rounds/{survey.round.pk}/analysis/rows", **query),
                         422, "invalid")
    assert field_names(error) == list(query)


def test_the_report_downloads_as_an_excel_workbook(api_as, auditor_a, survey):
    response = api_as(auditor_a).get(f"/rounds/{survey.round.pk}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    assert ".xlsx" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames[0] == "概要"
    kpis = {r[0]: r[1] for r in workbook["概要"].iter_rows(min_row=8, values_only=True) if r[0]}
    assert kpis["総工数"] == 80.0
    assert workbook["概要"]["B4"].value == "2026年度 業務調査"
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        assert any(n.startswith("xl/charts/chart") for n in z.namelist())


def test_two_rounds_are_compared(api_as, admin_a, survey, org_a, people_a):
    with tenancy.activate(org_a):
        after = services.round_save(actor=None, survey_round=None, data={"name": "改善後"})
        WorkHours.objects.create(organization_id=org_a.pk, round=after, person=people_a.yamada,
                                 task=survey.closing, hours=Decimal("20"))
        services.round_touch(after)
    body = api_as(admin_a).get("/compare", before=survey.round.pk, after=after.pk).json()
    assert body["before"] == {"id": survey.round.pk, "name": "2026年度 業務調査"}
    assert body["after"]["name"] == "改善後"
    hours = next(m for m in body["comparison"]["metrics"] if m["metric"] == "hours")
    assert (hours["before"], hours["after"], hours["change"]) == (80.0, 20.0, -60.0)


def test_compare_needs_both_rounds(api_as, admin_a, survey):
    error = assert_error(api_as(admin_a).get("/compare", before=survey.round.pk), 422, "invalid")
    assert field_names(error) == ["after"]


def test_the_analysis_needs_the_analysis_right(api_as, employee_a, make_user, org_a, survey):
    api = api_as(employee_a)
    for path in (f"/rounds/{survey.round.pk}/analysis",
                 f"/rounds/{survey.round.pk}/analysis/rows",
                 f"/rounds/{survey.round.pk}/report.xlsx",
                 f"/compare?before={survey.round.pk}&after={survey.round.pk}"):
        assert_error(api.get(path), 403, "forbidden")
    # A manager analyses their own department subtree only (test_analysis_scope): linked to
    # no person, that is nobody; the organization-wide report and comparison stay closed.
    manager = api_as(make_user("manager", org_a, Role.MANAGER))
    assert manager.get(f"/rounds/{survey.round.pk}/analysis").json()["totals"]["hours"] == 0
    assert manager.get(f"/rounds/{survey.round.pk}/analysis/rows").json()["count"] == 0
    for path in (f"/rounds/{survey.round.pk}/report.xlsx",
                 f"/compare?before={survey.round.pk}&after={survey.round.pk}"):
        assert_error(manager.get(path), 403, "forbidden")


# ---- organizations, authentication, bad input ----------------------------------------------------


def test_ids_of_another_organization_are_not_found(api_as, admin_a, survey, survey_b, org_b):
    task, other_round, respondent = survey_b
    api = api_as(admin_a)
    r = other_round.pk
    reads = [f"/tasks/{task.pk}", f"/rounds/{r}", f"/rounds/{r}/respondents",
             f"/rounds/{r}/analysis", f"/rounds/{r}/analysis/rows", f"/rounds/{r}/report.xlsx",
             f"/compare?before={r}&after={survey.round.pk}",
             f"/compare?before={survey.round.pk}&after={r}", f"/rounds/{r}/answers/me"]
    for path in reads:
        assert_error(api.get(path), 404, "not_found")
    assert_error(api.patch(f"/tasks/{task.pk}", {"name": "x"}), 404, "not_found")
    assert_error(api.delete(f"/tasks/{task.pk}"), 404, "not_found")
    assert_error(api.patch(f"/rounds/{r}", {"name": "x"}), 404, "not_found")
    assert_error(api.delete(f"/rounds/{r}"), 404, "not_found")
    assert_error(api.post(f"/rounds/{r}/invite", {"person_ids": []}), 404, "not_found")
    assert_error(api.post(f"/rounds/{r}/remind"), 404, "not_found")
    assert_error(api.put(f"/rounds/{r}/answers/me", {"answers": []}), 404, "not_found")
    assert_error(api.post(f"/rounds/{r}/import", {"file": upload(LONG_CSV)}), 404, "not_found")
    error = assert_error(api.post(f"/rounds/{survey.round.pk}/remind",
                                  {"respondent_ids": [respondent.pk]}), 422, "invalid")
    assert field_names(error) == ["respondent_ids"]
    with tenancy.activate(org_b):
        assert Task.objects.get(pk=task.pk).name == "請求書発行"
        assert SurveyRound.objects.filter(pk=r).exists()
        assert Respondent.objects.get(pk=respondent.pk).reminder_count == 0


def test_a_token_works_only_in_its_own_organization(api_as, make_user, org_a, org_b, survey,
                                                    survey_b):
    user = make_user("both", org_a, Role.ADMIN)
    make_user("both", org_b, Role.ADMIN)
    body = api_as(user, org_b).get("/rounds").json()
    assert [r["name"] for r in body["items"]] == ["B社 業務調査"]


def test_without_a_token_every_endpoint_answers_401(survey):
    client = api_client()
    assert_error(client.get(f"{API}/tasks"), 401, "unauthorized")
    assert_error(client.get(f"{API}/rounds/{survey.round.pk}/analysis"), 401, "unauthorized")
    assert_error(client.post(f"{API}/rounds", {"name": "x"}, content_type="application/json"),
                 401, "unauthorized")


def test_a_session_works_too(client_as, admin_a, org_a, survey):
    response = client_as(admin_a, org_a).get(f"{API}/rounds/{survey.round.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "2026年度 業務調査"


@pytest.mark.parametrize("path", ["/tasks/99999999999999999999999", "/rounds/0",
                                  "/rounds/-3/analysis", "/rounds/abc",
                                  "/rounds/99999999999999999999/report.xlsx"])
def test_malformed_ids_get_422_not_a_server_error(api_as, admin_a, survey, path):
    assert_error(api_as(admin_a).get(path), 422, "invalid")


def test_nul_characters_get_422_naming_the_field(api_as, admin_a, survey):
    api = api_as(admin_a)
    assert field_names(assert_error(api.post("/rounds", {"name": "a\x00b"}), 422,
                                    "invalid")) == ["name"]
    assert field_names(assert_error(api.get("/tasks", q="a\x00b"), 422, "invalid")) == ["q"]


def test_malformed_json_gets_400_with_the_error_body(api_as, admin_a, survey):
    api = api_as(admin_a)
    response = api.client.post(f"{API}/tasks", '{"name": ', content_type="application/json",
                               **api.auth)
    assert_error(response, 400, "bad_request")
    response = api.client.put(f"{API}/rounds/{survey.round.pk}/answers/me", "[1, 2]",
                              content_type="application/json", **api.auth)
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code, response.json()["error"]["code"])


def test_the_openapi_document_describes_the_survey_endpoints(db):
    doc = Client().get("/api/v1/openapi.json").json()
    paths = doc["paths"]
    for path in ("/api/v1/survey/tasks", "/api/v1/survey/rounds/{round_id}/answers/me",
                 "/api/v1/survey/rounds/{round_id}/import", "/api/v1/survey/compare",
                 "/api/v1/survey/rounds/{round_id}/report.xlsx"):
        assert path in paths, path
    assert {"201", "401", "403", "409", "422"} <= set(paths["/api/v1/survey/tasks"]["post"][
        "responses"])
    assert "survey" in paths["/api/v1/survey/tasks"]["get"]["tags"]
