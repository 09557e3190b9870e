"""/api/v1/plans/scenarios…: the same rules as the pages, 4xx JSON errors, never 500."""

from __future__ import annotations

import pytest

from somu.core import tenancy
from somu.core.permissions import Role
from somu.core.tests.apiclient import assert_error
from somu.plans.models import Item, Scenario
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    """The analysis pages' hand-checkable round (see ``test_scenarios_services``)."""
    return Survey(org_a, people_a)



@pytest.fixture
def api(api_as, admin_a):
    return api_as(admin_a)


@pytest.fixture
def scenario_id(api, survey) -> int:
    response = api.post("/scenarios", {"name": "新体制案", "round_id": survey.round.pk})
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_a_scenario_is_built_read_and_turned_into_items(api, scenario_id, survey, people_a):
    added = api.post(f"/scenarios/{scenario_id}/operations", {"operation": {
        "op": "move", "task": survey.closing.pk, "from": people_a.yamada.pk,
        "to": people_a.suzuki.pk, "hours": 10}})
    assert added.status_code == 201, added.content
    assert len(added.json()["warnings"]) == 1 and "鈴木 花子" in added.json()["warnings"][0]
    api.post(f"/scenarios/{scenario_id}/operations", {"operation": {
        "op": "train", "person": people_a.suzuki.pk, "task": survey.closing.pk, "level": 3}})
    result = api.get(f"/scenarios/{scenario_id}/result").json()
    lines = {x["key"]: x for x in result["lines"]}
    assert (lines["dependency_rate_by_count"]["before"],
            lines["dependency_rate_by_count"]["after"]) == (0.5, 0.25)
    assert lines["dependency_rate_by_count"]["better"] is True
    assert len(result["operations"]) == 2
    items = api.post(f"/scenarios/{scenario_id}/items")
    assert items.status_code == 201
    assert [i["kind"] for i in items.json()] == ["reassign", "cross_train"]
    assert_error(api.post(f"/scenarios/{scenario_id}/items"), 409, "conflict")


def test_a_bad_operation_is_422_with_the_japanese_message_and_stores_nothing(
        api, scenario_id, survey, people_a, org_a, tr):
    response = api.post(f"/scenarios/{scenario_id}/operations", {"operation": {
        "op": "move", "task": survey.closing.pk, "from": people_a.yamada.pk,
        "to": people_a.suzuki.pk, "hours": 31}})
    error = assert_error(response, 422, "invalid")
    assert tr("%(person)s has only %(available)s h/month on %(task)s (the operation moves "
              "%(hours)s h/month).", person="山田 太郎", available="30.0", task="月次決算",
              hours="31.0") in error["message"]
    with tenancy.activate(org_a):
        assert Scenario.objects.get().operations == []


@pytest.mark.parametrize("operation", [
    {}, {"op": 5}, {"op": "move"}, {"op": "move", "task": "x", "from": [], "to": {},
                                    "hours": "many"},
    {"op": "train", "person": 1, "task": 1, "level": 9}, {"op": "hire", "capacity": -1},
    {"op": "outsource", "task": 2**63, "how": "magic"}, {"op": "retire", "person": None},
    {"op": "drop", "task": 1, "extra": True}, {"op": ["move"]}, {"op": {"a": 1}},
    {"op": "move", "task": 1, "from": 1, "to": 2, "hours": 10**400},
    {"op": "hire", "key": "new-1", "capacity": 10**400},
])
def test_malformed_operations_are_422_never_500(api, scenario_id, operation):
    response = api.post(f"/scenarios/{scenario_id}/operations", {"operation": operation})
    assert response.status_code == 422, response.content


@pytest.mark.parametrize(("operation", "message"), [
    ({"op": "hire", "key": "new-1", "capacity": 1e300},
     "「月間の標準時間」は 400 以下にしてください。"),
    ({"op": "hire", "key": "new-1", "name": "あ" * 61}, "「名称」は 60 文字以内にしてください。"),
])
def test_the_api_refuses_a_hire_beyond_the_forms_bounds(api, scenario_id, org_a, operation,
                                                       message):
    error = assert_error(api.post(f"/scenarios/{scenario_id}/operations",
                                  {"operation": operation}), 422, "invalid")
    assert message in error["message"]
    with tenancy.activate(org_a):
        assert Scenario.objects.get().operations == []


@pytest.mark.parametrize("body", [
    [], {"operation": []}, {"operation": None}, {"operation": "move"}, {"index": -1},
    {"index": 99},
])
def test_malformed_bodies_are_4xx(api, scenario_id, body):
    for path in ("operations", "operations/remove"):
        response = api.post(f"/scenarios/{scenario_id}/{path}", body)
        assert 400 <= response.status_code < 500, response.content


def test_unknown_rounds_and_scenarios_are_refused(api, scenario_id):
    error = assert_error(api.post("/scenarios", {"name": "x", "round_id": 999999}), 422,
                         "invalid")
    assert "round_id" in [f["field"] for f in error["fields"]]
    assert api.get("/scenarios/999999").status_code == 404
    assert api.get("/scenarios/compare", a=999999).status_code == 404


def test_rename_compare_and_delete(api, scenario_id, survey, org_a):
    renamed = api.patch(f"/scenarios/{scenario_id}", {"name": "改名"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "改名"
    compared = api.get("/scenarios/compare", a=scenario_id, b=scenario_id)
    assert compared.status_code == 200
    assert len(compared.json()["columns"]) == 2
    assert api.delete(f"/scenarios/{scenario_id}").status_code == 204
    with tenancy.activate(org_a):
        assert not Scenario.objects.exists()
        assert not Item.objects.exists()


def test_proposal_parameters_are_checked_before_anything_runs(api, survey, org_a):
    bad = [
        {"kind": "magic"},
        {"kind": "cross_training", "k": 2, "bus_factor_target": 2},
        {"kind": "cross_training", "scope": "function", "scope_key": "存在しない"},
        {"kind": "cross_training", "k": 2, "objective": "fun"},
        {"kind": "leveling", "time_limit_s": 60},
    ]
    for body in bad:
        response = api.post("/scenarios/propose", {"round_id": survey.round.pk, **body})
        assert response.status_code == 422, (body, response.content)
    with tenancy.activate(org_a):
        assert not Scenario.objects.exists()


def test_executives_cannot_read_scenarios_and_auditors_cannot_change_them(
        api_as, make_user, org_a, auditor_a, scenario_id, people_a):
    executive = api_as(make_user("exec", org_a, Role.EXECUTIVE, person=people_a.sato))
    assert_error(executive.get("/scenarios"), 403, "forbidden")
    assert_error(executive.get(f"/scenarios/{scenario_id}/result"), 403, "forbidden")
    auditor = api_as(auditor_a)
    assert auditor.get(f"/scenarios/{scenario_id}").status_code == 200
    assert_error(auditor.delete(f"/scenarios/{scenario_id}"), 403, "forbidden")


def test_the_list_stays_within_a_fixed_number_of_queries(api, scenario_id, survey, org_a,
                                                         admin_a,
                                                         django_assert_max_num_queries):
    from somu.plans.services import scenarios as services

    with tenancy.activate(org_a):
        for n in range(6):
            services.scenario_create(actor=admin_a, data={"name": f"案{n}",
                                                          "round": survey.round})
    with django_assert_max_num_queries(10):
        response = api.get("/scenarios")
    assert response.status_code == 200 and len(response.json()["items"]) == 7
