"""/api/v1/procedures/: schedules and handovers (引継ぎ).

The fixtures are those of test_api.py: organization A's 入社手続き owned by 山田 (A001), whose
approval step names 山田 by 社員番号.
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from somu.core import tenancy
from somu.procedures.models import Handover, Schedule, Step
from somu.procedures.tests.builders import save
from somu.procedures.tests.test_api import (  # noqa: F401 (the fixtures api_as, hr, run, template)
    api_as_fixture,
    assert_error,
    count,
    field_names,
    hr_fixture,
    run_fixture,
    steps_of,
    template_fixture,
)

pytestmark = pytest.mark.django_db

MONTHLY = {"kind": "monthly_business_day", "n": 3}


@pytest.fixture
def b_admin_records(org_b, people_b, admin_b):
    """Organization B's schedule and handover."""
    spec = {"name": "ビー社の手順", "parameters": [{"key": "担当", "type": "person"}],
            "steps": [{"key": "a", "name": "ビー社の作業", "assignee": {"param": "担当"}}]}
    b_template = save(org_b, spec)
    with tenancy.activate(org_b):
        schedule = Schedule.objects.create(template=b_template, name="ビー社の定例", rule=MONTHLY,
                                           params={}, organization=org_b)
        handover = Handover.objects.create(from_person=people_b.kimura,
                                           to_person=people_b.kimura,
                                           effective_date=dt.date(2026, 4, 1),
                                           organization=org_b)
    return schedule, handover


# ---- schedules -----------------------------------------------------------------------------------


def test_a_schedule_is_created_read_changed_and_deleted(api_as, staff_a, people_a, template):
    api = api_as(staff_a)
    created = api.post("/schedules", {"template_id": template.pk, "name": "毎月の入社手続き",
                                      "rule": MONTHLY, "params": {"入社者": "A002"}})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["template_name"], body["rule"], body["params"], body["active"]) == (
        "入社手続き", MONTHLY, {"入社者": people_a.suzuki.pk}, True)
    assert body["next_occurrence"] is not None
    schedule_id = body["id"]
    listed = api.get("/schedules").json()
    assert [(s["id"], s["run_count"]) for s in listed["items"]] == [(schedule_id, 0)]
    assert api.get(f"/schedules/{schedule_id}").json()["name"] == "毎月の入社手続き"
    changed = api.put(f"/schedules/{schedule_id}", {"active": False})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["active"], changed.json()["rule"]) == (False, MONTHLY)
    assert api.delete(f"/schedules/{schedule_id}").status_code == 204
    assert_error(api.get(f"/schedules/{schedule_id}"), 404, "not_found")


@pytest.mark.parametrize(("body", "field"), [
    ({"rule": {"kind": "hourly"}}, "rule"),
    ({"rule": {"kind": "monthly_business_day", "n": 0}}, "rule"),
    ({"params": {"入社者": "Z999"}}, "params"),
    ({"params": {"趣味": "x"}}, "params"),
    ({"template_id": 999999}, "template_id"),
    ({"owner_id": 999999}, "owner_id"),
    ({"name": ""}, "name"),
    ({"rule": "monthly"}, "rule"),
])
def test_a_bad_schedule_is_a_422_naming_the_field(api_as, staff_a, template, body, field):
    data = {"template_id": template.pk, "name": "定例", "rule": MONTHLY, **body}
    error = assert_error(api_as(staff_a).post("/schedules", data), 422, "invalid")
    assert field in field_names(error)


def test_an_archived_template_cannot_be_scheduled(api_as, staff_a, org_a, template):
    api = api_as(staff_a)
    api.post(f"/templates/{template.pk}/archive")
    error = assert_error(api.post("/schedules", {"template_id": template.pk, "name": "定例",
                                                 "rule": MONTHLY}), 422, "invalid")
    assert field_names(error) == ["template_id"]


def test_managers_see_schedules_but_only_staff_change_them(api_as, manager_a, employee_a,
                                                          template):
    manager = api_as(manager_a)
    assert manager.get("/schedules").status_code == 200
    assert_error(manager.post("/schedules", {"template_id": template.pk, "name": "定例",
                                             "rule": MONTHLY}), 403, "forbidden")
    assert_error(api_as(employee_a).get("/schedules"), 403, "forbidden")


# ---- handover ------------------------------------------------------------------------------------


def test_a_handover_is_previewed_then_executed(api_as, admin_a, org_a, people_a, template, run):
    api = api_as(admin_a)
    body = {"from_person": "A001", "to_person": people_a.sato.pk,
            "effective_date": dt.date.today().isoformat()}
    preview = api.post("/handover/preview", body)
    assert preview.status_code == 200, preview.content
    plan = preview.json()
    assert (plan["from_person"]["name"], plan["to_person"]["name"]) == ("山田 太郎", "佐藤 健")
    kinds = sorted(i["kind"] for i in plan["items"])
    assert kinds == ["step", "step", "template_owner", "template_rule"]
    assert plan["can_execute"] is True
    assert count(org_a, Handover) == 0  # a preview changes nothing

    executed = api.post("/handover", {**body, "note": "4月1日付 異動",
                                      "expected_digest": plan["digest"]})
    assert executed.status_code == 201, executed.content
    done = executed.json()
    assert (done["note"], done["item_count"], len(done["items"])) == ("4月1日付 異動", 4, 4)
    steps = steps_of(org_a, run)
    assert steps["account"].assignee_id == people_a.sato.pk
    assert [h["id"] for h in api.get("/handovers").json()["items"]] == [done["id"]]
    assert api.get(f"/handovers/{done['id']}").json()["items"] == done["items"]
    xlsx = api.get(f"/handovers/{done['id']}/xlsx")
    assert xlsx.status_code == 200
    assert "引継書" in xlsx["Content-Disposition"] or "filename*" in xlsx["Content-Disposition"]
    openpyxl.load_workbook(io.BytesIO(xlsx.content))


def test_the_handover_preview_lists_the_roles_it_cannot_move(api_as, admin_a, make_user, org_a,
                                                              people_a):
    from somu.core.permissions import Role

    save(org_a, {"somu": "procedure/1", "name": "備品発注", "steps": [
        {"key": "order", "name": "発注", "assignee": {"role": "staff"}}]})
    make_user("yamada", org_a, Role.STAFF, person=people_a.yamada)
    plan = api_as(admin_a).post("/handover/preview", {
        "from_person": "A001", "to_person": people_a.sato.pk, "effective_date": "2026-04-01",
    }).json()
    assert [(r["role"], r["template_name"], r["steps"]) for r in plan["roles_kept"]] == [
        ("staff", "備品発注", ["発注"])]


def test_a_handover_whose_plan_changed_since_the_preview_is_a_409(api_as, admin_a, org_a,
                                                                 people_a, run):
    api = api_as(admin_a)
    body = {"from_person": "A001", "to_person": "A003", "effective_date": "2026-04-01"}
    digest = api.post("/handover/preview", body).json()["digest"]
    with tenancy.activate(org_a):
        Step.objects.filter(run=run, key="account").update(assignee=people_a.tanaka)
    assert_error(api.post("/handover", {**body, "expected_digest": digest}), 409, "conflict")
    assert count(org_a, Handover) == 0


@pytest.mark.parametrize(("body", "fields"), [
    ({"from_person": "Z999", "to_person": 999999}, ["from_person", "to_person"]),
    ({"effective_date": "2026-04-31"}, ["effective_date"]),
    ({"from_person": None}, ["from_person"]),
])
def test_a_bad_handover_is_a_422_naming_the_field(api_as, admin_a, people_a, body, fields):
    data = {"from_person": "A001", "to_person": "A003", "effective_date": "2026-04-01", **body}
    error = assert_error(api_as(admin_a).post("/handover/preview", data), 422, "invalid")
    assert sorted(set(field_names(error))) == fields


def test_handing_over_to_oneself_or_nothing_is_a_422(api_as, admin_a, people_a):
    api = api_as(admin_a)
    assert_error(api.post("/handover", {"from_person": "A001", "to_person": "A001",
                                        "effective_date": "2026-04-01"}), 422, "invalid")
    assert_error(api.post("/handover", {"from_person": "A004", "to_person": "A001",
                                        "effective_date": "2026-04-01"}), 422, "invalid")


def test_only_admins_hand_over(api_as, staff_a, people_a):
    api = api_as(staff_a)
    assert_error(api.post("/handover/preview", {"from_person": "A001", "to_person": "A003",
                                                "effective_date": "2026-04-01"}), 403,
                 "forbidden")
    assert_error(api.get("/handovers"), 403, "forbidden")


def test_an_auditor_reads_handovers_through_the_api_but_cannot_hand_over(api_as, auditor_a,
                                                                          people_a):
    api = api_as(auditor_a)
    assert api.get("/handovers").status_code == 200
    assert_error(api.post("/handover", {"from_person": "A001", "to_person": "A003",
                                        "effective_date": "2026-04-01"}), 403, "forbidden")


# ---- isolation -----------------------------------------------------------------------------------


def test_another_organizations_records_are_not_found(api_as, admin_a, people_a, template,
                                                     b_admin_records):
    schedule, handover = b_admin_records
    api = api_as(admin_a)
    for response in (
        api.get(f"/schedules/{schedule.pk}"), api.put(f"/schedules/{schedule.pk}", {}),
        api.delete(f"/schedules/{schedule.pk}"),
        api.get(f"/handovers/{handover.pk}"), api.get(f"/handovers/{handover.pk}/xlsx"),
    ):
        assert_error(response, 404, "not_found")
    for path in ("/schedules", "/handovers"):
        assert api.get(path).json()["count"] == 0
    error = assert_error(api.post("/handover/preview", {
        "from_person": "B001", "to_person": "A001", "effective_date": "2026-04-01"}), 422,
        "invalid")
    assert field_names(error) == ["from_person"]
    error = assert_error(api.post("/schedules", {"template_id": schedule.template_id,
                                                 "name": "x", "rule": MONTHLY}), 422, "invalid")
    assert field_names(error) == ["template_id"]
