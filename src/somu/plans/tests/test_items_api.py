"""/api/v1/plans/items: the same items and the same refusals as the pages, as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from somu.core import tenancy
from somu.core.permissions import Role
from somu.core.tests.apiclient import assert_error
from somu.plans.models import Item
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db



@pytest.fixture
def staff(api_as, staff_a):  # type: ignore[no-untyped-def]
    return api_as(staff_a)


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


def later(days: int = 30) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_an_item_is_created_read_moved_and_listed(staff, survey, people_a):
    created = staff.post("/items", {"title": "備品管理の外注", "kind": "outsource",
                                    "owner_id": people_a.sato.pk, "due_on": later(),
                                    "task_id": survey.supplies.pk, "expected_hours": 25,
                                    "vendor": "オフィス便", "moves_on": later(60)})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["status"], body["vendor"]) == (1, "proposed", "オフィス便")
    moved = staff.post(f"/items/{body['id']}/move", {"status": "done",
                                                     "from_status": "proposed"})
    assert moved.json()["done_on"] == timezone.localdate().isoformat()
    listed = staff.get("/items?kind=outsource")
    assert [i["id"] for i in listed.json()["items"]] == [body["id"]]


def test_bad_input_gets_the_pages_message_under_the_apis_field_name(
        staff, people_a, people_b, tr, org_a):
    response = staff.post("/items", {"title": "x", "kind": "simplify",
                                     "owner_id": people_b.kimura.pk})
    error = assert_error(response, 422, "invalid")
    assert error["fields"] == [{"field": "owner_id",
                                "message": tr("Choose one of this organization's records.")}]
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    error = assert_error(staff.post("/items", {"title": "x", "kind": "simplify",
                                               "due_on": past}), 422, "invalid")
    assert error["fields"] == [{"field": "due_on", "message": tr(
        "The due date %(date)s is in the past: choose today or a later date.") % {"date": past}}]
    with tenancy.activate(org_a):
        assert not Item.objects.exists()


def test_moving_twice_to_the_same_column_is_a_conflict(staff):
    item = staff.post("/items", {"title": "x", "kind": "combine"}).json()
    assert staff.post(f"/items/{item['id']}/move", {"status": "planned"}).status_code == 200
    assert_error(staff.post(f"/items/{item['id']}/move", {"status": "planned"}), 409,
                 "conflict")


def test_training_through_the_api_names_the_learner_already_capable(staff, survey, tr):
    item = staff.post("/items", {"title": "x", "kind": "cross_train",
                                 "task_id": survey.closing.pk}).json()
    people = survey.people
    response = staff.post(f"/items/{item['id']}/training", {
        "learner_id": people.yamada.pk, "teacher_id": people.yamada.pk, "target_level": 3,
        "start_on": later(1)})
    error = assert_error(response, 422, "invalid")
    # 山田 can teach 月次決算 (4) already: neither a learner nor a teacher of himself.
    assert sorted(error["fields"], key=lambda f: f["field"]) == [
        {"field": "learner_id", "message": tr(
            "%(name)s can already do “%(task)s” at level %(level)s (target %(target)s): choose "
            "someone still below it.") % {"name": people.yamada.name, "task": "月次決算",
                                          "level": 4, "target": 3}},
        {"field": "teacher_id", "message": tr(
            "Choose someone else to teach: the learner cannot teach themselves.")}]
    ok = staff.post(f"/items/{item['id']}/training", {
        "learner_id": people.suzuki.pk, "teacher_id": people.yamada.pk, "target_level": 3,
        "start_on": later(1)})
    assert ok.status_code == 200 and ok.json()["training_run_id"]
    assert ok.json()["status"] == "in_progress"


def test_standardize_and_check_and_delete(staff, survey):
    item = staff.post("/items", {"title": "x", "kind": "standardize",
                                 "task_id": survey.closing.pk}).json()
    linked = staff.post(f"/items/{item['id']}/standardize", {}).json()
    assert linked["template_id"] and linked["status"] == "in_progress"
    assert staff.post(f"/items/{item['id']}/check", {}).json()["status"] == "in_progress"
    assert_error(staff.delete(f"/items/{item['id']}"), 422, "invalid")
    staff.post(f"/items/{item['id']}/move", {"status": "cancelled"})
    assert staff.delete(f"/items/{item['id']}").status_code == 204


def test_an_executive_reads_items_but_cannot_write(api_as, make_user, org_a, staff):
    staff.post("/items", {"title": "x", "kind": "combine"})
    executive = api_as(make_user("exec", org_a, Role.EXECUTIVE))
    assert executive.get("/items").status_code == 200
    assert_error(executive.post("/items", {"title": "y", "kind": "combine"}), 403, "forbidden")


def test_unknown_fields_and_kinds_are_refused_not_ignored(staff: Any):
    assert_error(staff.post("/items", {"title": "x", "kind": "fly"}), 422, "invalid")
    assert_error(staff.post("/items", {"title": "x", "kind": "combine", "number": 7}), 422,
                 "invalid")


def test_a_patch_changes_only_the_fields_sent(staff, people_a):
    item = staff.post("/items", {"title": "経費精算の自動化", "kind": "automate",
                                 "owner_id": people_a.sato.pk, "expected_hours": 20}).json()
    patched = staff.patch(f"/items/{item['id']}", {"vendor": "経費精算クラウド",
                                                   "moves_on": later(40)})
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert (body["vendor"], body["moves_on"], body["owner_id"], body["expected_hours"]) == (
        "経費精算クラウド", later(40), people_a.sato.pk, "20.00")


def test_the_learner_teacher_and_target_level_are_set_only_by_starting_the_training(
        staff, survey, org_a):
    item = staff.post("/items", {"title": "x", "kind": "cross_train",
                                 "task_id": survey.closing.pk}).json()
    # 佐藤 has no capability on 月次決算: an edit cannot record him as the teacher, bypassing
    # the training's checks.
    for body in ({"teacher_id": survey.people.sato.pk}, {"learner_id": survey.people.yamada.pk},
                 {"target_level": 2}):
        response = staff.patch(f"/items/{item['id']}", body)
        assert response.status_code == 422, body
        assert staff.post("/items", {"title": "y", "kind": "cross_train",
                                     **body}).status_code == 422
    with tenancy.activate(org_a):
        stored = Item.objects.get(pk=item["id"])
        assert (stored.learner_id, stored.teacher_id, stored.target_level) == (None, None, None)
        assert Item.objects.count() == 1


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.MANAGER])
def test_an_item_about_one_person_shows_no_hours_or_cost_outside_the_back_office(
        staff, api_as, make_user, client_as, org_a, people_a, role):
    item = staff.post("/items", {"title": "鈴木さんの負荷を分ける", "kind": "reassign",
                                 "finding": "overload", "person_id": people_a.suzuki.pk,
                                 "expected_hours": "12.5", "expected_cost": 42000}).json()
    other = staff.post("/items", {"title": "備品発注の外注", "kind": "outsource",
                                  "expected_hours": "7.5"}).json()
    assert (item["expected_hours"], item["expected_cost"]) == ("12.50", 42000)
    viewer = make_user(f"viewer_{role}", org_a, role)
    reader = api_as(viewer)
    seen = reader.get(f"/items/{item['id']}").json()
    assert (seen["title"], seen["person_id"]) == ("鈴木さんの負荷を分ける", people_a.suzuki.pk)
    assert (seen["expected_hours"], seen["expected_cost"]) == (None, None)
    listed = {i["id"]: i for i in reader.get("/items").json()["items"]}
    assert listed[item["id"]]["expected_hours"] is None
    assert listed[other["id"]]["expected_hours"] == "7.50"  # not about a person
    client = client_as(viewer, org_a)
    for url in ("/plans/items/", f"/plans/items/{item['id']}/"):
        page = client.get(url).content.decode()
        assert "鈴木さんの負荷を分ける" in page and "12.5" not in page and "42,000" not in page
