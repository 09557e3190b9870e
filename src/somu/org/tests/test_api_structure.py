"""/api/v1/grades and /api/v1/skills: written through the same services and rules as the pages."""

from __future__ import annotations

import json

import pytest

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tests.apiclient import api_client, assert_error, bearer, field_names
from somu.org.models import Grade, Skill

GRADE = {"code": "G4", "name": "部長", "hourly_cost": 7000, "difficulty_min": 4,
         "difficulty_max": 5, "sort_order": 4}


@pytest.fixture
def as_admin(token_for, admin_a):
    client, auth = api_client(), bearer(token_for(admin_a))

    def call(method: str, path: str, body: dict | None = None):
        return client.generic(method, f"/api/v1{path}", "" if body is None else
                              json.dumps(body), content_type="application/json",
                              **auth)

    return call


def test_an_admin_adds_a_grade_and_it_is_audited(as_admin, org_a, people_a):
    response = as_admin("POST", "/grades", GRADE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in GRADE} == GRADE
    assert as_admin("GET", f"/grades/{body['id']}").json() == body
    with tenancy.activate(org_a):
        event = AuditEvent.objects.filter(action="grade.create").latest("seq")
    assert (event.actor_label, event.object_id) == ("admin_a", str(body["id"]))


@pytest.mark.parametrize(("change", "field"), [
    ({"difficulty_min": 0}, "difficulty_min"),
    ({"difficulty_max": 6}, "difficulty_max"),
    ({"hourly_cost": -1}, "hourly_cost"),
    ({"hourly_cost": "7000"}, "hourly_cost"),
    ({"code": ""}, "code"),
    ({"code": "G" * 17}, "code"),
])
def test_a_bad_grade_gets_422_naming_the_field(as_admin, org_a, people_a, change, field):
    response = as_admin("POST", "/grades", {**GRADE, **change})
    assert field_names(assert_error(response, 422, "invalid")) == [field]
    with tenancy.activate(org_a):
        assert Grade.objects.count() == 3


def test_a_grade_band_running_backwards_gets_the_pages_message(as_admin, org_a, people_a, tr):
    response = as_admin("POST", "/grades", {**GRADE, "difficulty_min": 5, "difficulty_max": 4})
    assert assert_error(response, 422, "invalid")["fields"] == [
        {"field": "difficulty_max", "message": tr("The band must run from low to high.")}]
    response = as_admin("PATCH", f"/grades/{people_a.g1.pk}", {"difficulty_min": 3})
    assert field_names(assert_error(response, 422, "invalid")) == ["difficulty_max"]


def test_a_duplicate_grade_code_is_a_409_naming_the_field(as_admin, org_a, people_a, tr):
    response = as_admin("POST", "/grades", {**GRADE, "code": "G1"})
    assert assert_error(response, 409, "conflict")["fields"] == [
        {"field": "code", "message": tr("A grade with this code already exists.")}]
    response = as_admin("PATCH", f"/grades/{people_a.g2.pk}", {"code": "G1"})
    assert field_names(assert_error(response, 409, "conflict")) == ["code"]


def test_a_grade_code_used_in_another_organization_is_fine(as_admin, org_a, people_a, people_b):
    assert as_admin("POST", "/grades", {**GRADE, "code": "B1"}).status_code == 201


def test_patching_a_grade_changes_only_the_given_fields_and_is_audited(as_admin, org_a,
                                                                     people_a):
    response = as_admin("PATCH", f"/grades/{people_a.g1.pk}", {"hourly_cost": 2600})
    assert response.status_code == 200, response.content
    assert (response.json()["hourly_cost"], response.json()["code"]) == (2600, "G1")
    with tenancy.activate(org_a):
        event = AuditEvent.objects.filter(action="grade.update").latest("seq")
    assert event.changes == {"hourly_cost": [2500, 2600]}


def test_a_grade_nobody_holds_is_deleted_and_a_held_one_is_a_conflict(as_admin, org_a, people_a,
                                                                     tr):
    created = as_admin("POST", "/grades", GRADE).json()
    response = as_admin("DELETE", f"/grades/{created['id']}")
    assert response.status_code == 204
    assert_error(as_admin("GET", f"/grades/{created['id']}"), 404, "not_found")
    response = as_admin("DELETE", f"/grades/{people_a.g1.pk}")
    assert assert_error(response, 409, "conflict")["message"] == tr(
        "People hold this grade; change their grade first.")
    with tenancy.activate(org_a):
        assert Grade.objects.filter(pk=people_a.g1.pk).exists()
        assert AuditEvent.objects.filter(action="grade.delete").count() == 1


def test_the_document_says_deleting_a_grade_may_conflict(db):
    document = api_client().get("/api/v1/openapi.json").json()
    answers = document["paths"]["/api/v1/grades/{grade_id}"]["delete"]["responses"]
    assert {"204", "404", "409"} <= set(answers)


def test_an_admin_adds_and_renames_a_skill(as_admin, org_a, people_a):
    response = as_admin("POST", "/skills", {"name": " 英文契約 ", "category": "法務"})
    assert response.status_code == 201, response.content
    skill = response.json()
    assert (skill["name"], skill["category"], skill["description"]) == ("英文契約", "法務", "")
    response = as_admin("PATCH", f"/skills/{skill['id']}", {"description": "英文の契約書を読む"})
    assert response.json()["description"] == "英文の契約書を読む"
    assert as_admin("GET", f"/skills/{skill['id']}").json()["name"] == "英文契約"
    with tenancy.activate(org_a):
        actions = list(AuditEvent.objects.filter(object_id=str(skill["id"]),
                                                 action__startswith="skill.")
                       .order_by("seq").values_list("action", flat=True))
    assert actions == ["skill.create", "skill.update"]


def test_a_bad_or_duplicate_skill_is_refused(as_admin, org_a, people_a, tr):
    assert field_names(assert_error(as_admin("POST", "/skills", {"name": ""}), 422,
                                    "invalid")) == ["name"]
    assert field_names(assert_error(as_admin("POST", "/skills", {"name": "x", "level": 3}), 422,
                                    "invalid")) == ["level"]
    response = as_admin("POST", "/skills", {"name": "Excel"})
    assert assert_error(response, 409, "conflict")["fields"] == [
        {"field": "name", "message": tr("A skill with this name already exists.")}]
    with tenancy.activate(org_a):
        assert Skill.objects.count() == 1


def test_skills_cannot_be_deleted_through_the_api_as_on_the_page(as_admin, people_a):
    response = as_admin("DELETE", f"/skills/{people_a.excel.pk}")
    assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize("role", ["employee_a", "manager_a", "auditor_a"])
def test_only_roles_that_manage_the_structure_write_grades_and_skills(request, token_for, org_a,
                                                                      people_a, role):
    client, auth = api_client(), bearer(token_for(request.getfixturevalue(role)))
    calls = [("POST", "/grades", GRADE), ("PATCH", f"/grades/{people_a.g1.pk}", {"name": "x"}),
             ("DELETE", f"/grades/{people_a.g1.pk}", None), ("POST", "/skills", {"name": "x"}),
             ("PATCH", f"/skills/{people_a.excel.pk}", {"name": "x"})]
    for method, path, body in calls:
        response = client.generic(method, f"/api/v1{path}",
                                  "" if body is None else json.dumps(body),
                                  content_type="application/json", **auth)
        assert_error(response, 403, "forbidden")
    with tenancy.activate(org_a):
        assert list(Grade.objects.values_list("name", flat=True)) == ["一般", "主任", "課長"]
        assert list(Skill.objects.values_list("name", flat=True)) == ["Excel"]


def test_another_organizations_grades_and_skills_are_not_found(as_admin, org_b, people_a,
                                                               people_b):
    for method, path, body in [
        ("GET", f"/grades/{people_b.grade.pk}", None),
        ("PATCH", f"/grades/{people_b.grade.pk}", {"name": "x"}),
        ("DELETE", f"/grades/{people_b.grade.pk}", None),
        ("GET", f"/skills/{people_b.skill.pk}", None),
        ("PATCH", f"/skills/{people_b.skill.pk}", {"name": "x"}),
    ]:
        assert_error(as_admin(method, path, body), 404, "not_found")
    with tenancy.activate(org_b):
        assert Grade.objects.get(pk=people_b.grade.pk).name == "一般"
        assert Skill.objects.get(pk=people_b.skill.pk).name == "簿記"
