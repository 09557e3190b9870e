"""/api/v1/: personal tokens, session auth with CSRF, the error body, pagination, OpenAPI."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from ninja import Schema

from somu.core import tenancy
from somu.core.tests.apiclient import api_client, assert_error, bearer, field_names
from somu.org import services
from somu.org.models import ApiToken, Membership, Person

# ---- tokens --------------------------------------------------------------------------------------


def test_a_token_created_on_the_account_page_is_shown_once(client_as, staff_a, org_a):
    client = client_as(staff_a, org_a)
    response = client.post(reverse("token_create"), {"name": "給与連携"})
    assert response.status_code == 302
    page = client.get(reverse("account")).content.decode()
    raw = re.search(r'data-testid="new-token">(somu_[^<]+)<', page).group(1)
    assert "給与連携" in page
    again = client.get(reverse("account")).content.decode()
    assert raw not in again
    assert "給与連携" in again
    me = api_client().get("/api/v1/me", **bearer(raw))
    assert me.status_code == 200
    assert me.json()["username"] == "staff_a"
    assert me.json()["organization"]["slug"] == "org-a"


def test_a_token_needs_a_name(client_as, staff_a, org_a, tr):
    client = client_as(staff_a, org_a)
    response = client.post(reverse("token_create"), {"name": "  "}, follow=True)
    assert tr("Give the token a name.") in response.content.decode()
    with tenancy.activate(org_a):
        assert not ApiToken.objects.exists()


def test_a_token_created_through_the_api_is_returned_once(client_as, staff_a, org_a):
    client = client_as(staff_a, org_a)
    response = client.post("/api/v1/tokens", {"name": "batch"}, content_type="application/json")
    assert response.status_code == 201
    raw = response.json()["token"]
    assert raw.startswith(f"somu_{response.json()['prefix']}_")
    listed = client.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed] == ["batch"]
    assert "token" not in listed[0]
    assert api_client().get("/api/v1/me", **bearer(raw)).status_code == 200


def test_a_bearer_token_writes_without_csrf(token_for, admin_a, org_a, people_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    created = client.post("/api/v1/people", {"employee_number": "A010", "name": "新人 一郎",
                                             "department_id": people_a.jinji.pk},
                          content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    person_id = created.json()["id"]
    patched = client.patch(f"/api/v1/people/{person_id}", {"name_kana": "しんじん いちろう"},
                           content_type="application/json", **auth)
    assert patched.status_code == 200
    assert patched.json()["name_kana"] == "しんじん いちろう"
    assert patched.json()["department_id"] == people_a.jinji.pk


def test_a_token_acts_only_in_its_organization(make_user, token_for, org_a, org_b, people_a,
                                                people_b):
    from somu.core.permissions import Role

    user = make_user("both", org_a, Role.ADMIN)
    make_user("both", org_b, Role.ADMIN)
    raw = token_for(user, org_b)
    people = api_client().get("/api/v1/people", **bearer(raw)).json()
    assert [p["name"] for p in people["items"]] == ["木村 拓也"]


def test_a_revoked_token_gets_401(token_for, client_as, admin_a, org_a, people_a):
    raw = token_for(admin_a)
    with tenancy.activate(org_a):
        token = ApiToken.objects.get()
    client_as(admin_a, org_a).post(reverse("token_revoke", args=[token.pk]))
    error = assert_error(api_client().get("/api/v1/people", **bearer(raw)), 401, "unauthorized")
    assert "revoked" in error["message"]


def test_a_token_revoked_through_the_api_stops_working(token_for, admin_a, org_a):
    raw = token_for(admin_a)
    client = api_client()
    token_id = client.get("/api/v1/tokens", **bearer(raw)).json()[0]["id"]
    response = client.delete(f"/api/v1/tokens/{token_id}", **bearer(raw))
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    assert_error(client.get("/api/v1/me", **bearer(raw)), 401, "unauthorized")


def test_a_made_up_token_gets_401(db):
    assert_error(api_client().get("/api/v1/me", **bearer("somu_0000_nope")), 401, "unauthorized")
    assert_error(api_client().get("/api/v1/me", **bearer("garbage")), 401, "unauthorized")


def test_a_deactivated_membership_disables_its_tokens(token_for, admin_a, employee_a, org_a):
    raw = token_for(employee_a)
    with tenancy.activate(org_a):
        Membership.objects.filter(user=employee_a).update(is_active=False)
    assert_error(api_client().get("/api/v1/me", **bearer(raw)), 401, "unauthorized")


def test_tokens_are_stored_only_as_hashes(token_for, admin_a, org_a):
    raw = token_for(admin_a)
    secret = raw.split("_", 2)[2]  # somu_<hex prefix>_<secret>; the secret may contain "_"
    assert len(secret) >= 40
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                if any(secret in str(value) for value in row):
                    found.append(table)
    assert found == []


# ---- session auth --------------------------------------------------------------------------------


def test_session_auth_reads_without_csrf_but_writes_need_it(admin_a, org_a, people_a):
    client = api_client()
    client.force_login(admin_a)
    assert client.get("/api/v1/departments").status_code == 200
    refused = client.post("/api/v1/departments", {"name": "経理部"},
                          content_type="application/json")
    assert_error(refused, 403, "forbidden")
    client.get(reverse("home"))  # sets the CSRF cookie, as the browser's first page would
    csrf = client.cookies["csrftoken"].value
    accepted = client.post("/api/v1/departments", {"name": "経理部"},
                           content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["path"] == "経理部"


# ---- errors --------------------------------------------------------------------------------------


def test_no_authentication_gets_401_for_reads_and_writes(db):
    client = api_client()
    assert_error(client.get("/api/v1/people"), 401, "unauthorized")
    assert_error(client.post("/api/v1/people", {"employee_number": "x", "name": "x"},
                             content_type="application/json"), 401, "unauthorized")


def test_an_employee_patching_a_person_gets_403(token_for, employee_a, org_a, people_a):
    response = api_client().patch(f"/api/v1/people/{people_a.suzuki.pk}", {"name": "x"},
                                  content_type="application/json", **bearer(token_for(employee_a)))
    assert_error(response, 403, "forbidden")


def test_a_manager_cannot_move_a_person_out_of_their_department(token_for, manager_a, org_a,
                                                                people_a):
    response = api_client().patch(f"/api/v1/people/{people_a.suzuki.pk}",
                                  {"department_id": people_a.jinji.pk},
                                  content_type="application/json", **bearer(token_for(manager_a)))
    assert_error(response, 403, "forbidden")


def test_an_unknown_id_and_an_id_of_another_organization_get_404(token_for, admin_a, org_a,
                                                                 people_a, people_b):
    client, auth = api_client(), bearer(token_for(admin_a))
    for person_id in (999999, people_b.kimura.pk):
        assert_error(client.get(f"/api/v1/people/{person_id}", **auth), 404, "not_found")
        assert_error(client.patch(f"/api/v1/people/{person_id}", {"name": "x"},
                                  content_type="application/json", **auth), 404, "not_found")
    assert_error(client.get(f"/api/v1/departments/{people_b.somu.pk}", **auth), 404, "not_found")
    assert_error(client.get("/api/v1/no-such-thing", **auth), 404, "not_found")


def test_a_duplicate_employee_number_is_a_409_conflict_naming_the_field(token_for, admin_a, org_a,
                                                                        people_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    response = client.post("/api/v1/people", {"employee_number": "A001", "name": "重複"},
                           content_type="application/json", **auth)
    error = assert_error(response, 409, "conflict")
    assert field_names(error) == ["employee_number"]
    response = client.patch(f"/api/v1/people/{people_a.suzuki.pk}", {"employee_number": "A001"},
                            content_type="application/json", **auth)
    assert field_names(assert_error(response, 409, "conflict")) == ["employee_number"]
    with tenancy.activate(org_a):
        assert Person.objects.filter(employee_number="A001").count() == 1


def test_an_employee_number_used_in_another_organization_is_fine(token_for, admin_a, org_a,
                                                                 people_a, people_b):
    response = api_client().post("/api/v1/people", {"employee_number": "B001", "name": "同番号"},
                                 content_type="application/json", **bearer(token_for(admin_a)))
    assert response.status_code == 201


def test_a_duplicate_department_name_is_a_409_conflict(token_for, admin_a, org_a, people_a):
    response = api_client().post("/api/v1/departments",
                                 {"name": "総務部", "parent_id": people_a.honbu.pk},
                                 content_type="application/json", **bearer(token_for(admin_a)))
    assert field_names(assert_error(response, 409, "conflict")) == ["name"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"employee_number": "A010", "name": "x", "grade_id": "abc"}, "grade_id"),
        ({"employee_number": "A010", "name": "x", "hire_date": "2024-02-30"}, "hire_date"),
        ({"employee_number": "A010", "name": "x", "employment_type": "intern"}, "employment_type"),
        ({"employee_number": "A010"}, "name"),
        ({"employee_number": "A010", "name": "x", "standard_monthly_hours": 500},
         "standard_monthly_hours"),
        ({"employee_number": "A010", "name": "x", "email": "not-an-email"}, "email"),
    ],
)
def test_bad_field_values_get_422_naming_the_field(token_for, admin_a, org_a, people_a, payload,
                                                   field):
    response = api_client().post("/api/v1/people", payload, content_type="application/json",
                                 **bearer(token_for(admin_a)))
    assert field in field_names(assert_error(response, 422, "invalid"))
    with tenancy.activate(org_a):
        assert not Person.objects.filter(employee_number="A010").exists()


def test_a_reference_to_another_organizations_grade_gets_422(token_for, admin_a, org_a, people_a,
                                                            people_b):
    response = api_client().post("/api/v1/people", {"employee_number": "A010", "name": "x",
                                                    "grade_id": people_b.grade.pk},
                                 content_type="application/json", **bearer(token_for(admin_a)))
    assert field_names(assert_error(response, 422, "invalid")) == ["grade"]


def test_a_manager_cycle_gets_422(token_for, admin_a, org_a, people_a, tr):
    response = api_client().patch(f"/api/v1/people/{people_a.yamada.pk}",
                                  {"manager_id": people_a.suzuki.pk},
                                  content_type="application/json", **bearer(token_for(admin_a)))
    error = assert_error(response, 422, "invalid")
    assert error["fields"] == [
        {"field": "manager", "message": tr("This manager would create a reporting cycle.")}]


def test_moving_a_department_under_its_own_child_gets_422(token_for, admin_a, org_a, people_a):
    response = api_client().patch(f"/api/v1/departments/{people_a.honbu.pk}",
                                  {"parent_id": people_a.somu.pk}, content_type="application/json",
                                  **bearer(token_for(admin_a)))
    assert field_names(assert_error(response, 422, "invalid")) == ["parent"]


def test_a_retirement_before_the_hire_date_gets_422(token_for, admin_a, org_a, people_a):
    response = api_client().post(f"/api/v1/people/{people_a.suzuki.pk}/retire",
                                 {"retired_on": "2020-01-01"}, content_type="application/json",
                                 **bearer(token_for(admin_a)))
    assert field_names(assert_error(response, 422, "invalid")) == ["retired_on"]


def test_malformed_json_gets_400_with_the_error_body(token_for, admin_a, org_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    response = client.post("/api/v1/people", '{"name": "x",', content_type="application/json",
                           **auth)
    assert_error(response, 400, "bad_request")
    response = client.post("/api/v1/people", "[1, 2]", content_type="application/json", **auth)
    assert response.status_code in (400, 422)
    assert_error(response, response.status_code, response.json()["error"]["code"])


def test_a_wrong_method_gets_405_naming_the_allowed_methods(token_for, admin_a, org_a):
    response = api_client().put("/api/v1/people", "{}", content_type="application/json",
                                **bearer(token_for(admin_a)))
    assert_error(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}


def test_a_bad_query_parameter_gets_422(token_for, admin_a, org_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    assert_error(client.get("/api/v1/people?page=0", **auth), 422, "invalid")
    assert_error(client.get("/api/v1/people?department_id=x", **auth), 422, "invalid")
    assert_error(client.get("/api/v1/calendar/non-business-days?year=99999", **auth), 422,
                 "invalid")


# ---- pagination and reads -----------------------------------------------------------------------


def test_list_endpoints_paginate(token_for, admin_a, org_a, people_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    first = client.get("/api/v1/people?page_size=3", **auth).json()
    assert (first["count"], first["page"], first["page_size"]) == (4, 1, 3)
    assert [p["employee_number"] for p in first["items"]] == ["A001", "A002", "A003"]
    second = client.get("/api/v1/people?page_size=3&page=2", **auth).json()
    assert [p["employee_number"] for p in second["items"]] == ["A004"]
    assert client.get("/api/v1/people?page=9", **auth).json()["items"] == []


@pytest.mark.parametrize("path", ["/api/v1/departments", "/api/v1/grades", "/api/v1/skills",
                                  "/api/v1/audit/events"])
def test_every_list_endpoint_answers_items_and_count(token_for, admin_a, org_a, people_a, path):
    body = api_client().get(f"{path}?page_size=2", **bearer(token_for(admin_a))).json()
    assert set(body) == {"items", "count", "page", "page_size"}
    assert len(body["items"]) == min(2, body["count"])


def test_the_people_endpoint_filters_like_the_page(token_for, admin_a, org_a, people_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    body = client.get(f"/api/v1/people?department_id={people_a.honbu.pk}", **auth).json()
    assert [p["name"] for p in body["items"]] == ["山田 太郎", "鈴木 花子", "佐藤 健"]
    body = client.get("/api/v1/people?q=すずき", **auth).json()
    assert [p["name"] for p in body["items"]] == ["鈴木 花子"]


def test_the_calendar_endpoints_use_the_business_calendar(token_for, admin_a, org_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    body = client.get("/api/v1/calendar/add-business-days?date=2025-12-26&days=1", **auth).json()
    assert body == {"date": "2026-01-05", "is_business_day": True, "reason": None}
    days = client.get("/api/v1/calendar/non-business-days?year=2026", **auth).json()
    assert {"date": "2026-09-22", "reason": "国民の休日"} in days


def test_the_person_detail_includes_skills(token_for, admin_a, org_a, people_a):
    with tenancy.activate(org_a):
        services.person_skill_set(actor=admin_a, person=people_a.suzuki, skill=people_a.excel,
                                  level=3)
    body = api_client().get(f"/api/v1/people/{people_a.suzuki.pk}",
                            **bearer(token_for(admin_a))).json()
    assert body["skills"] == [{"skill_id": people_a.excel.pk, "skill": "Excel", "level": 3}]


def test_api_writes_are_audited_with_the_request_id(token_for, admin_a, org_a, people_a):
    from somu.audit.models import AuditEvent

    response = api_client().patch(f"/api/v1/people/{people_a.tanaka.pk}", {"name_kana": "たなか"},
                                  content_type="application/json", **bearer(token_for(admin_a)))
    with tenancy.activate(org_a):
        event = AuditEvent.objects.filter(action="person.update").latest("seq")
    assert event.request_id == response["X-Request-ID"]
    assert event.actor_label == "admin_a"
    assert event.changes == {"name_kana": ["たなか みさき", "たなか"]}


# ---- OpenAPI -------------------------------------------------------------------------------------


def test_the_openapi_document_lists_error_responses_and_the_bearer_scheme(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    schemes = doc["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    create = doc["paths"]["/api/v1/people"]["post"]
    assert {"201", "401", "403", "409", "422"} <= set(create["responses"])
    error_schema = create["responses"]["409"]["content"]["application/json"]["schema"]
    assert error_schema["$ref"].endswith("/ErrorOut")
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            assert "401" in operation["responses"], f"{method} {path}"
    assert "409" in doc["info"]["description"]


def test_the_api_documentation_page_renders(client_as, admin_a, org_a):
    assert client_as(admin_a, org_a).get("/api/v1/docs").status_code == 200


def test_the_openapi_document_is_valid_json_with_every_operation_described(db):
    doc = json.loads(Client().get("/api/v1/openapi.json").content)
    assert doc["openapi"].startswith("3.")
    assert len(doc["paths"]) >= 15


def test_no_two_schemas_of_the_api_share_a_name(db):
    """The OpenAPI document names a schema by its class: a second class of the same name in
    another app replaces the first there, and the document describes an answer wrongly (the
    people list was once described by the scenario's per-person figures)."""
    Client().get("/api/v1/openapi.json")  # every router imported
    seen: dict[str, list[str]] = {}
    pending = [Schema]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("somu.") and ".tests." not in cls.__module__:
            seen.setdefault(cls.__name__, []).append(cls.__module__)
    assert {name: modules for name, modules in seen.items() if len(set(modules)) > 1} == {}


# ---- strict types and bodies --------------------------------------------------------------------


def test_an_integer_is_not_a_date_and_the_error_names_the_field(token_for, admin_a, org_a,
                                                                people_a):
    response = api_client().patch(f"/api/v1/people/{people_a.tanaka.pk}", {"hire_date": 0},
                                  content_type="application/json", **bearer(token_for(admin_a)))
    error = assert_error(response, 422, "invalid")
    assert error["fields"] == [{
        "field": "hire_date",
        "message": "Expected a date as a string (YYYY-MM-DD) or null, got an integer."}]
    people_a.tanaka.refresh_from_db()
    assert people_a.tanaka.hire_date is None


@pytest.mark.parametrize(("payload", "field"), [
    ({"employee_number": "A010", "name": "x", "department_id": True}, "department_id"),
    ({"employee_number": "A010", "name": "x", "grade_id": 1.5}, "grade_id"),
    ({"employee_number": "A010", "name": "x", "hire_date": "0"}, "hire_date"),
    ({"employee_number": "A010", "name": "x", "grade_id": "1"}, "grade_id"),
    ({"employee_number": 10, "name": "x"}, "employee_number"),
    ({"employee_number": "A010", "name": "x", "employment_type": 1}, "employment_type"),
    ({"employee_number": "A010", "name": "x", "standard_monthly_hours": False},
     "standard_monthly_hours"),
])
def test_a_value_of_the_wrong_json_type_gets_422_naming_the_field(token_for, admin_a, org_a,
                                                                  people_a, payload, field):
    response = api_client().post("/api/v1/people", payload, content_type="application/json",
                                 **bearer(token_for(admin_a)))
    assert field_names(assert_error(response, 422, "invalid")) == [field]
    with tenancy.activate(org_a):
        assert not Person.objects.filter(employee_number__in=["A010", "10"]).exists()


def test_a_decimal_may_be_given_as_text_or_a_number(token_for, admin_a, org_a, people_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    for value in ("150.5", 150.5):
        response = client.patch(f"/api/v1/people/{people_a.tanaka.pk}",
                                {"standard_monthly_hours": value},
                                content_type="application/json", **auth)
        assert response.status_code == 200, response.content
        people_a.tanaka.refresh_from_db()
        assert people_a.tanaka.standard_monthly_hours == Decimal("150.5")


@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", "1", '"name"'])
def test_a_body_that_is_not_a_json_object_gets_422(token_for, admin_a, org_a, people_a, body):
    response = api_client().patch(f"/api/v1/people/{people_a.tanaka.pk}", body,
                                  content_type="application/json", **bearer(token_for(admin_a)))
    error = assert_error(response, 422, "invalid")
    assert error["fields"] == [{"field": "body", "message": "The body must be a JSON object."}]


def test_null_for_a_field_that_cannot_be_empty_gets_422_not_409(token_for, admin_a, org_a,
                                                                 people_a):
    response = api_client().patch(f"/api/v1/people/{people_a.tanaka.pk}", {"name": None},
                                  content_type="application/json", **bearer(token_for(admin_a)))
    error = assert_error(response, 422, "invalid")
    assert error["fields"] == [{"field": "name", "message": "Expected a string, got null."}]


def test_null_clears_a_field_that_may_be_empty(token_for, admin_a, org_a, people_a):
    response = api_client().patch(f"/api/v1/people/{people_a.suzuki.pk}", {"manager_id": None},
                                  content_type="application/json", **bearer(token_for(admin_a)))
    assert response.status_code == 200, response.content
    assert response.json()["manager_id"] is None


@pytest.mark.parametrize(("payload", "field", "message"), [
    ({"name": "経理\x00部"}, "name", "Value error, Remove the NUL character."),
    ({"name": "経理部", "colour": "red"}, "colour", "Extra inputs are not permitted"),
])
def test_a_nul_byte_or_an_unknown_field_gets_422(token_for, admin_a, org_a, people_a, payload,
                                                 field, message):
    response = api_client().post("/api/v1/departments", payload, content_type="application/json",
                                 **bearer(token_for(admin_a)))
    assert assert_error(response, 422, "invalid")["fields"] == [
        {"field": field, "message": message}]
    with tenancy.activate(org_a):
        from somu.org.models import Department

        assert not Department.objects.filter(name__startswith="経理").exists()


def test_surrounding_whitespace_is_trimmed(token_for, admin_a, org_a, people_a):
    response = api_client().post("/api/v1/departments", {"name": "  経理部\u3000", "code": " K1 "},
                                 content_type="application/json", **bearer(token_for(admin_a)))
    assert response.status_code == 201, response.content
    assert (response.json()["name"], response.json()["code"]) == ("経理部", "K1")


@pytest.mark.parametrize("path", ["/api/v1/people", "/api/v1/departments", "/api/v1/grades",
                                  "/api/v1/skills", "/api/v1/audit/events"])
def test_a_page_past_the_end_is_empty_and_a_huge_page_is_422_never_409(token_for, admin_a,
                                                                       org_a, people_a, path):
    client, auth = api_client(), bearer(token_for(admin_a))
    body = client.get(f"{path}?page=1000000&page_size=500", **auth).json()
    assert (body["items"], body["page"]) == ([], 1000000)
    assert body["count"] > 0
    for query in (f"page={2**63}", f"page={2**64}", f"page_size={2**63}", "page_size=501"):
        error = assert_error(client.get(f"{path}?{query}", **auth), 422, "invalid")
        assert field_names(error) == [query.split("=")[0]]


def test_a_date_in_a_query_must_be_written_as_a_date(token_for, admin_a, org_a, people_a):
    client, auth = api_client(), bearer(token_for(admin_a))
    for path in ("/api/v1/audit/events?date_to=0",
                 "/api/v1/calendar/add-business-days?date=0&days=1"):
        error = assert_error(client.get(path, **auth), 422, "invalid")
        assert error["fields"][0]["message"] == "Expected a date as a string (YYYY-MM-DD)."
    assert client.get("/api/v1/audit/events?date_to=2030-01-01", **auth).status_code == 200


def test_a_query_parameter_given_twice_gets_422(token_for, admin_a, org_a, people_a):
    response = api_client().get("/api/v1/people?page_size=1&page_size=2&q=a",
                                **bearer(token_for(admin_a)))
    assert assert_error(response, 422, "invalid")["fields"] == [
        {"field": "page_size", "message": "Give this parameter once."}]


def test_a_huge_id_in_a_body_gets_422_naming_the_field(token_for, admin_a, org_a, people_a):
    response = api_client().post("/api/v1/departments", {"name": "経理部", "parent_id": 2**63},
                                 content_type="application/json", **bearer(token_for(admin_a)))
    assert field_names(assert_error(response, 422, "invalid")) == ["parent_id"]


# Operations any authenticated member may call: they check no role, so they never answer 403.
NO_ROLE_NEEDED = {("get", "/api/v1/me"), ("get", "/api/v1/organizations"),
                  ("get", "/api/v1/tokens"), ("post", "/api/v1/tokens"),
                  ("delete", "/api/v1/tokens/{token_id}"),
                  # the invoice registry: public data any member may look up
                  ("get", "/api/v1/expenses/registry"),
                  ("get", "/api/v1/expenses/registry/lookup"),
                  ("get", "/api/v1/expenses/registry/search")}


def test_every_operation_lists_the_error_statuses_it_can_answer(db):
    doc = Client().get("/api/v1/openapi.json").json()
    missing = []
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            expected = {"401"}
            if "requestBody" in operation:
                expected |= {"400", "422"} if "application/json" in operation[
                    "requestBody"]["content"] else {"422"}
            if operation.get("parameters"):
                expected.add("422")
            if "{" in path:
                expected.add("404")
            if (method, path) not in NO_ROLE_NEEDED:
                expected.add("403")
            responses = operation["responses"]
            missing += [f"{method.upper()} {path}: {status}"
                        for status in sorted(expected - set(responses))]
            for status, response in responses.items():
                if status.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema["$ref"].endswith("/ErrorOut"), f"{method} {path} {status}"
    assert missing == []


def test_the_openapi_document_shows_enums_bounds_and_nullability(db):
    doc = Client().get("/api/v1/openapi.json").json()
    schemas = doc["components"]["schemas"]
    person_in = schemas["PersonIn"]["properties"]
    assert person_in["employment_type"]["allOf"][0]["$ref"].endswith("/EmploymentType")
    assert schemas["EmploymentType"]["enum"] == ["regular", "contract", "part_time", "dispatched"]
    hours = person_in["standard_monthly_hours"]["anyOf"]
    assert hours[0] == {"type": "number", "minimum": 0, "maximum": 400}
    assert hours[1]["type"] == "string"
    assert hours[2] == {"type": "null"}
    patch = schemas["PersonPatch"]["properties"]
    assert patch["name"] == {"maxLength": 100, "minLength": 1, "title": "Name", "type": "string"}
    assert {"type": "null"} in patch["manager_id"]["anyOf"]
    grade = schemas["GradeIn"]["properties"]
    assert (grade["difficulty_min"]["minimum"], grade["difficulty_min"]["maximum"]) == (1, 5)
    people = {p["name"]: p["schema"]
              for p in doc["paths"]["/api/v1/people"]["get"]["parameters"]}
    assert people["status"]["enum"] == ["active", "retired", "all"]
    assert people["page"]["maximum"] == 1_000_000
    assert people["page_size"]["maximum"] == 500


def test_every_body_and_query_schema_derives_from_the_shared_bases(db):
    from pydantic import BaseModel

    from somu.core.api import InputSchema, QuerySchema, api

    Client().get("/api/v1/openapi.json")  # the routers are mounted
    wrong = []
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:
                    source = model.__ninja_param_source__
                    base = {"body": InputSchema, "query": QuerySchema}.get(source)
                    if base is None:
                        continue
                    for name, field in model.model_fields.items():
                        kind = field.annotation
                        if isinstance(kind, type) and issubclass(kind, BaseModel) and not (
                                issubclass(kind, base)):
                            wrong.append(f"{path} {source} {name}: {kind.__name__}")
    assert wrong == []


def test_fixed_value_fields_of_answers_list_their_values(db):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["MeOut"]["properties"]["role"]["enum"] == [
        "admin", "manager", "staff", "employee", "auditor", "executive"]
    assert schemas["RoundOut"]["properties"]["status"]["enum"] == ["draft", "open", "closed"]
    assert "" in schemas["TaskOut"]["properties"]["frequency"]["enum"]


def test_fixed_value_fields_of_procedures_answers_list_their_values(db):
    schemas = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]

    def values(schema: str, field: str) -> list[str]:
        return schemas[schema]["properties"][field].get("enum")

    assert values("RunOut", "status") == ["running", "completed", "stopped", "cancelled"]
    assert values("RunDetailOut", "status") == values("RunOut", "status")
    assert values("StepOut", "kind") == ["task", "approval"]
    assert values("StepOut", "state") == [
        "waiting", "ready", "done", "skipped", "approved", "rejected", "cancelled"]
    assert values("StepDetailOut", "run_status") == values("RunOut", "status")
    assert values("FormFieldOut", "type") == [
        "text", "textarea", "number", "date", "choice", "boolean"]
    assert "handed_over" in values("EventOut", "kind")
    assert values("WebhookOut", "kind") == ["slack", "teams", "chatwork"]
    assert values("DeliveryOut", "channel") == ["email", "webhook"]
    assert values("DeliveryOut", "status") == [
        "pending", "sent", "sending", "failed", "gave_up", "uncertain"]
    assert values("HandoverItemOut", "kind") == [
        "step", "template_rule", "template_owner", "schedule_owner"]
    assert {"", "ready", "active", "inactive"} <= set(values("HandoverItemOut", "state"))
    assert values("HandoverRoleKeptOut", "role") == values("MeOut", "role")
    assert values("RoleNeedOut", "role") == values("MeOut", "role")
