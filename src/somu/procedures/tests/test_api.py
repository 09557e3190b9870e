"""/api/v1/procedures/: templates, the library, runs, steps, my tasks, the board.

Organization A's 入社手続き (see builders.onboarding): 鈴木 (employee_a) is the newcomer and
hands in the documents, 佐藤 (人事部 staff) files the insurance notices, 山田 (manager_a) issues
the accounts and approves. Schedules, handovers and notifications are in test_api_admin.py.
"""

from __future__ import annotations

import copy
import io
from functools import partial

import pytest

from somu.core import tenancy
from somu.core.tests.apiclient import api_client, assert_error, field_names
from somu.procedures.models import Run, Step, StepState, Template
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save
from somu.survey import services as survey_services

pytestmark = pytest.mark.django_db

API = "/api/v1/procedures"
NEWCOMER = {"入社者": "A002", "入社日": "2026-04-30"}  # 鈴木 花子


# ---- helpers -------------------------------------------------------------------------------------


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):
    """The root ``api_as``, with paths under /api/v1/procedures."""
    return partial(api_as, prefix=API)


@pytest.fixture(name="hr")
def hr_fixture(make_user, org_a, people_a):
    """佐藤 of 人事部 as staff: the 人事部 role holder the onboarding steps go to."""
    return make_hr_staff(make_user, org_a, people_a)


@pytest.fixture(name="template")
def template_fixture(org_a, people_a, hr) -> Template:
    return save(org_a, onboarding(), owner=people_a.yamada)


def launch(org, template, params=NEWCOMER, **kwargs) -> Run:
    with tenancy.activate(org):
        return run_services.run_launch(actor=None, template=template, params=params, **kwargs)


def count(org, model) -> int:
    with tenancy.activate(org):
        return model.objects.count()


def steps_of(org, run: Run) -> dict[str, Step]:
    with tenancy.activate(org):
        return {s.key: s for s in Step.objects.filter(run=run)}


@pytest.fixture(name="run")
def run_fixture(org_a, template) -> Run:
    return launch(org_a, template)


@pytest.fixture
def b_records(org_b, people_b, admin_b):
    """Organization B's own template, run and step, whose ids org A must never reach."""
    spec = {"name": "ビー社の手順", "parameters": [{"key": "担当", "type": "person"}],
            "steps": [{"key": "a", "name": "ビー社の作業", "assignee": {"param": "担当"}}]}
    template = save(org_b, spec)
    b_run = launch(org_b, template, {"担当": "B001"})
    return template, b_run, next(iter(steps_of(org_b, b_run).values()))


# ---- templates -----------------------------------------------------------------------------------


def test_templates_are_listed_with_their_run_counts(api_as, staff_a, template, run):
    body = api_as(staff_a).get("/templates").json()
    assert set(body) == {"items", "count", "page", "page_size"}
    (item,) = body["items"]
    assert (item["name"], item["version"], item["run_count"], item["open_runs"]) == (
        "入社手続き", 1, 1, 1)
    assert item["owner_name"] == "山田 太郎"


def test_a_template_is_created_from_a_json_spec(api_as, staff_a, people_a, hr):
    response = api_as(staff_a).post("/templates", {"spec": onboarding(), "note": "初版"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["category"], body["version"]) == ("入社手続き", "人事労務", 1)
    assert body["spec"]["steps"][0]["key"] == "docs"
    assert [(v["number"], v["note"], v["created_by"]) for v in body["versions"]] == [
        (1, "初版", "staff_a")]


def test_a_template_is_created_from_yaml_text(api_as, staff_a, people_a):
    text = "name: 備品発注\nsteps:\n  - key: order\n    name: 発注する\n"
    response = api_as(staff_a).post("/templates", {"yaml": text})
    assert response.status_code == 201, response.content
    assert response.json()["spec"]["steps"] == [{"key": "order", "name": "発注する"}]


def test_a_bad_definition_is_a_422_naming_every_problem_by_path(api_as, staff_a, people_a,
                                                                org_a):
    spec = {"name": "t", "steps": [{"key": "a", "name": "A"},
                                   {"key": "b", "name": "B", "depends_on": ["x"]},
                                   {"key": "c", "name": "C", "assignee": {"person": "Z999"}}]}
    error = assert_error(api_as(staff_a).post("/templates", {"spec": spec}), 422, "invalid")
    assert "steps[1].depends_on" in field_names(error)
    assert count(org_a, Template) == 0


def test_broken_yaml_is_a_422_naming_the_line(api_as, staff_a):
    error = assert_error(api_as(staff_a).post("/templates", {"yaml": "name: [a\nsteps: 1\n"}),
                         422, "invalid")
    assert field_names(error) == ["yaml"]
    assert "line" in error["fields"][0]["message"]


@pytest.mark.parametrize("body", [{}, {"spec": {"name": "t"}, "yaml": "name: t"},
                                  {"spec": "not a mapping"}, {"yaml": "name: t", "extra": 1}])
def test_a_definition_must_be_given_once_as_spec_or_yaml(api_as, staff_a, body):
    assert_error(api_as(staff_a).post("/templates", body), 422, "invalid")


def test_a_duplicate_template_name_is_a_409(api_as, staff_a, template):
    error = assert_error(api_as(staff_a).post("/templates", {"spec": onboarding()}), 409,
                         "conflict")
    assert field_names(error) == ["name"]


def test_saving_a_changed_definition_makes_a_new_version_and_runs_keep_theirs(
        api_as, staff_a, template, run):
    api = api_as(staff_a)
    changed = onboarding(description="改訂版")
    response = api.put(f"/templates/{template.pk}", {"spec": changed, "note": "説明を改訂"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["description"]) == (2, "改訂版")
    assert [v["number"] for v in body["versions"]] == [2, 1]
    old = api.get(f"/templates/{template.pk}/versions/1").json()
    assert old["spec"]["description"] == "新しく入社する人の手続き"
    assert api.get(f"/runs/{run.pk}").json()["version"] == 1
    # the same definition again: no new version
    assert api.put(f"/templates/{template.pk}", {"spec": changed}).json()["version"] == 2
    assert_error(api.get(f"/templates/{template.pk}/versions/9"), 404, "not_found")


def test_a_bad_change_is_a_422_and_keeps_the_version(api_as, staff_a, template):
    spec = onboarding()
    spec["steps"][1]["due"] = {"from": "入社者"}  # a person, not a date
    error = assert_error(api_as(staff_a).put(f"/templates/{template.pk}", {"spec": spec}),
                         422, "invalid")
    assert any(f.startswith("steps[1].due") for f in field_names(error))
    template.refresh_from_db()
    assert template.current_version.number == 1


def test_export_then_import_gives_the_same_definition(api_as, staff_a, template):
    api = api_as(staff_a)
    exported = api.get(f"/templates/{template.pk}/export")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("text/yaml")
    assert "attachment" in exported["Content-Disposition"]
    text = exported.content.decode()
    assert "name: 入社手続き" in text
    original = api.get(f"/templates/{template.pk}").json()["spec"]

    # the same file imported over the template: nothing changes
    same = api.post("/templates/import", {"yaml": text, "update": True})
    assert same.status_code == 200, same.content
    assert (same.json()["id"], same.json()["version"]) == (template.pk, 1)
    # imported as a new template (renamed): the same definition
    copy_ = api.post("/templates/import", {"yaml": text.replace("name: 入社手続き",
                                                                "name: 入社手続き（写し）")})
    assert copy_.status_code == 201, copy_.content
    assert {**copy_.json()["spec"], "name": "入社手続き"} == original


def test_import_accepts_a_file_and_raw_yaml(api_as, staff_a, people_a, tr):
    api = api_as(staff_a)
    text = "name: 備品発注\nsteps:\n  - {key: order, name: 発注する}\n"
    upload = io.BytesIO(text.encode("cp932"))  # Shift_JIS from an office PC
    upload.name = "備品発注.yaml"
    response = api.post("/templates/import", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["versions"][0]["note"] == tr("Imported from %(file)s",
                                                        file="備品発注.yaml")
    raw = api.client.post(f"{API}/templates/import?update=true",
                          text.replace("発注する", "発注して記録する"),
                          content_type="application/yaml", **api.auth)
    assert raw.status_code == 200, raw.content
    assert raw.json()["version"] == 2


def test_importing_an_existing_name_without_update_is_a_409(api_as, staff_a, template):
    text = api_as(staff_a).get(f"/templates/{template.pk}/export").content.decode()
    assert_error(api_as(staff_a).post("/templates/import", {"yaml": text}), 409, "conflict")


@pytest.mark.parametrize(("body", "field"), [
    ({"yaml": "- just\n- a list\n"}, "yaml"),
    ({"yaml": "a: &x 1\nb: *x\n"}, "yaml"),
    ({"text": "name: t"}, "text"),
])
def test_a_bad_import_is_a_422_naming_the_field(api_as, staff_a, body, field):
    error = assert_error(api_as(staff_a).post("/templates/import", body), 422, "invalid")
    assert field in field_names(error)


def test_an_import_body_that_is_not_json_is_a_422(api_as, staff_a):
    api = api_as(staff_a)
    response = api.client.post(f"{API}/templates/import", "{not json",
                               content_type="application/json", **api.auth)
    assert_error(response, 422, "invalid")


def test_a_file_import_needs_the_file(api_as, staff_a):
    api = api_as(staff_a)
    response = api.client.post(f"{API}/templates/import", {"update": "true"}, **api.auth)
    assert field_names(assert_error(response, 422, "invalid")) == ["file"]


def test_the_preview_gives_the_due_dates_for_a_start_date(api_as, manager_a, template):
    api = api_as(manager_a)
    body = api.get(f"/templates/{template.pk}/preview", start="2026-04-30").json()
    assert body["start"] == "2026-04-30"
    rows = {r["key"]: r for r in body["steps"]}
    assert rows["docs"]["due_date"] == "2026-04-24"  # 入社日 (= start) − 3 business days
    assert rows["koyo"]["due_date"] == "2026-05-10"
    assert rows["account"]["due_date"] is None
    error = assert_error(api.get(f"/templates/{template.pk}/preview", start="2026-02-30"),
                         422, "invalid")
    assert field_names(error) == ["start"]


def test_a_template_is_archived_and_brought_back(api_as, staff_a, template):
    api = api_as(staff_a)
    assert api.post(f"/templates/{template.pk}/archive").json()["archived"] is True
    assert api.get("/templates").json()["count"] == 0
    assert api.get("/templates", include_archived=True).json()["count"] == 1
    assert api.post(f"/templates/{template.pk}/archive", {"archived": False}).json()[
        "archived"] is False


def test_a_template_is_linked_to_inventory_tasks(api_as, staff_a, org_a, template):
    with tenancy.activate(org_a):
        task = survey_services.task_save(actor=None, task=None, data={
            "function": "人事労務", "category": "入退社", "name": "入社手続き"})
    api = api_as(staff_a)
    body = api.put(f"/templates/{template.pk}/tasks", {"task_ids": [task.pk]}).json()
    assert (body["task_ids"], body["version"]) == ([task.pk], 2)
    assert body["spec"]["tasks"] == ["人事労務 > 入退社 > 入社手続き"]
    error = assert_error(api.put(f"/templates/{template.pk}/tasks", {"task_ids": [999999]}),
                         422, "invalid")
    assert field_names(error) == ["task_ids"]


def test_who_may_see_and_edit_templates(api_as, employee_a, manager_a, auditor_a, template):
    assert_error(api_as(employee_a).get("/templates"), 403, "forbidden")
    assert api_as(auditor_a).get(f"/templates/{template.pk}").status_code == 200
    manager = api_as(manager_a)
    assert manager.get(f"/templates/{template.pk}/export").status_code == 200
    assert_error(manager.put(f"/templates/{template.pk}", {"spec": onboarding()}), 403,
                 "forbidden")
    assert_error(manager.post("/templates", {"spec": onboarding(name="x")}), 403, "forbidden")
    assert_error(manager.post(f"/templates/{template.pk}/archive"), 403, "forbidden")


def test_another_organizations_template_is_not_found(api_as, admin_a, people_a, b_records):
    b_template = b_records[0]
    api = api_as(admin_a)
    for response in (
        api.get(f"/templates/{b_template.pk}"),
        api.put(f"/templates/{b_template.pk}", {"spec": onboarding()}),
        api.get(f"/templates/{b_template.pk}/versions/1"),
        api.get(f"/templates/{b_template.pk}/export"),
        api.get(f"/templates/{b_template.pk}/preview"),
        api.post(f"/templates/{b_template.pk}/archive"),
        api.put(f"/templates/{b_template.pk}/tasks", {"task_ids": []}),
    ):
        assert_error(response, 404, "not_found")
    assert api.get("/templates").json()["count"] == 0


# ---- the library ---------------------------------------------------------------------------------


def test_the_library_lists_procedures_and_one_is_adopted_once(api_as, staff_a, people_a, hr):
    api = api_as(staff_a)
    entries = api.get("/library").json()
    assert len(entries) >= 9
    by_key = {e["key"]: e for e in entries}
    assert by_key["onboarding"]["steps"] > 0
    assert by_key["onboarding"]["adopted_template_id"] is None
    adopted = api.post("/library/onboarding/adopt")
    assert adopted.status_code == 201, adopted.content
    body = adopted.json()
    assert body["library_key"] == "onboarding"
    assert {e["key"]: e for e in api.get("/library").json()}["onboarding"][
        "adopted_template_id"] == body["id"]
    assert_error(api.post("/library/onboarding/adopt"), 409, "conflict")
    assert_error(api.post("/library/no-such-procedure/adopt"), 404, "not_found")


def test_only_procedure_staff_adopt_from_the_library(api_as, manager_a, employee_a):
    assert api_as(manager_a).get("/library").status_code == 200
    assert_error(api_as(manager_a).post("/library/onboarding/adopt"), 403, "forbidden")
    assert_error(api_as(employee_a).get("/library"), 403, "forbidden")


# ---- runs ----------------------------------------------------------------------------------------


def test_a_run_is_launched_with_assignees_and_due_dates(api_as, staff_a, people_a, template):
    response = api_as(staff_a).post("/runs", {
        "template_id": template.pk, "params": NEWCOMER, "start_date": "2026-04-01"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["status"], body["start_date"], body["version"]) == (
        "鈴木 花子さん 入社手続き", "running", "2026-04-01", 1)
    assert body["params"]["入社者"] == people_a.suzuki.pk
    assert {p["key"]: p["display"] for p in body["parameters"]}["入社者"] == "鈴木 花子"
    steps = {s["key"]: s for s in body["steps"]}
    assert (steps["docs"]["assignee_name"], steps["docs"]["state"],
            steps["docs"]["due_date"]) == ("鈴木 花子", "ready", "2026-04-24")
    assert steps["shaho"]["assignee_name"] == "佐藤 健"
    assert (body["steps_total"], body["steps_finished"]) == (5, 0)


def test_a_launch_on_a_non_business_day_answers_201_with_a_warning(api_as, staff_a, org_a,
                                                                   template, tr):
    api = api_as(staff_a)
    saturday = api.post("/runs", {"template_id": template.pk, "params": NEWCOMER,
                                  "start_date": "2026-04-04"})
    assert saturday.status_code == 201, saturday.content
    assert saturday.json()["warnings"] == [tr(
        "The start date %(date)s is not a business day (%(reason)s). The run was launched; "
        "check that the date and its due dates are right.") % {
            "date": "2026-04-04", "reason": "週休日"}]
    weekday = api.post("/runs", {"template_id": template.pk, "params": NEWCOMER,
                                 "start_date": "2026-04-01"})
    assert weekday.json()["warnings"] == []
    bulk = api.post("/runs/bulk", {"template_id": template.pk, "param_sets": [NEWCOMER],
                                   "start_date": "2026-04-05"})
    assert bulk.status_code == 201 and len(bulk.json()["warnings"]) == 1
    assert count(org_a, Run) == 3


def test_launch_problems_name_the_parameter(api_as, staff_a, org_a, template):
    api = api_as(staff_a)
    error = assert_error(api.post("/runs", {"template_id": template.pk,
                                            "params": {"入社者": "Z999"}}), 422, "invalid")
    assert set(field_names(error)) == {"params.入社者", "params.入社日"}
    error = assert_error(api.post("/runs", {"template_id": 999999, "params": {}}), 422,
                         "invalid")
    assert field_names(error) == ["template_id"]
    error = assert_error(api.post("/runs", {"template_id": template.pk,
                                            "start_date": "2026-13-01"}), 422, "invalid")
    assert field_names(error) == ["start_date"]
    assert count(org_a, Run) == 0


@pytest.mark.parametrize(("params", "field"), [
    ({"入社者": 10**30, "入社日": "2026-04-30"}, "params.入社者"),
    ({"入社者": {"id": 1}, "入社日": "2026-04-30"}, "params.入社者"),
    ({"入社者": "A002", "入社日": ["2026-04-30"]}, "params.入社日"),
    ({"入社者": "A002", "入社日": "2026-04-30", "雇用形態": "役員"}, "params.雇用形態"),
])
def test_odd_parameter_values_are_a_422_naming_them(api_as, staff_a, template, params, field):
    api = api_as(staff_a)
    error = assert_error(api.post("/runs", {"template_id": template.pk, "params": params}),
                         422, "invalid")
    assert field in field_names(error)
    error = assert_error(api.post("/runs/bulk", {"template_id": template.pk,
                                                 "param_sets": [NEWCOMER, params]}),
                         422, "invalid")
    assert field.replace("params.", "param_sets[1].") in field_names(error)


def test_a_launch_whose_assignee_cannot_be_resolved_names_it(api_as, staff_a, template, org_a,
                                                            people_a):
    api = api_as(staff_a)
    # 田中 has no manager: the account step's rule (manager of 入社者) finds nobody
    error = assert_error(api.post("/runs", {"template_id": template.pk, "params": {
        "入社者": "A004", "入社日": "2026-04-30"}}), 422, "invalid")
    assert field_names(error) == ["assignee"]


def test_a_bulk_launch_creates_a_run_per_parameter_set(api_as, staff_a, org_a, template):
    sets = [{"入社者": "A002", "入社日": day} for day in ("2026-04-01", "2026-05-01", "2026-06-01")]
    response = api_as(staff_a).post("/runs/bulk", {"template_id": template.pk,
                                                   "param_sets": sets})
    assert response.status_code == 201, response.content
    assert response.json()["launched"] == 3
    with tenancy.activate(org_a):
        assert sorted(response.json()["run_ids"]) == sorted(Run.objects.values_list("pk",
                                                                                 flat=True))


def test_a_bulk_launch_is_all_or_nothing_and_names_the_bad_row(api_as, staff_a, org_a,
                                                               template):
    sets = [{"入社者": "A002", "入社日": "2026-04-30"}, {"入社者": "Z999", "入社日": "2026-04-30"},
            {"入社者": "A002", "入社日": "4月1日"}]
    error = assert_error(api_as(staff_a).post("/runs/bulk", {"template_id": template.pk,
                                                             "param_sets": sets}), 422, "invalid")
    assert set(field_names(error)) == {"param_sets[1].入社者", "param_sets[2].入社日"}
    assert (count(org_a, Run), count(org_a, Step)) == (0, 0)


def test_a_bulk_launch_of_one_set_names_index_zero(api_as, staff_a, template):
    error = assert_error(api_as(staff_a).post("/runs/bulk", {
        "template_id": template.pk, "param_sets": [{"入社者": "A002"}]}), 422, "invalid")
    assert field_names(error) == ["param_sets[0].入社日"]


def test_a_bulk_launch_takes_at_most_10000_sets(api_as, staff_a, template):
    api = api_as(staff_a)
    error = assert_error(api.post("/runs/bulk", {"template_id": template.pk,
                                                 "param_sets": [{}] * 10_001}), 422, "invalid")
    assert field_names(error) == ["param_sets"]
    assert_error(api.post("/runs/bulk", {"template_id": template.pk, "param_sets": []}),
                 422, "invalid")


def test_runs_are_listed_filtered_and_paginated(api_as, manager_a, org_a, people_a, template):
    first = launch(org_a, template)
    second = launch(org_a, template, {"入社者": "A002", "入社日": "2026-05-01"})
    with tenancy.activate(org_a):
        step_services.run_cancel(actor=None, run=second)
    api = api_as(manager_a)
    body = api.get("/runs").json()
    assert [r["id"] for r in body["items"]] == [second.pk, first.pk]
    assert body["items"][1]["steps_total"] == 5
    assert [r["id"] for r in api.get("/runs", status="running").json()["items"]] == [first.pk]
    assert [r["id"] for r in api.get("/runs", assignee=people_a.yamada.pk).json()["items"]] == [
        second.pk, first.pk]
    assert api.get("/runs", assignee=people_a.tanaka.pk).json()["count"] == 0
    assert api.get("/runs", template_id=template.pk, page_size=1, page=2).json()["items"][0][
        "id"] == first.pk
    assert field_names(assert_error(api.get("/runs", status="lost"), 422, "invalid")) == [
        "status"]


def test_a_runs_timeline_and_its_cancellation(api_as, staff_a, run):
    api = api_as(staff_a)
    events = api.get(f"/runs/{run.pk}/events").json()["items"]
    assert [e["kind"] for e in events] == ["launched"]
    cancelled = api.post(f"/runs/{run.pk}/cancel", {"reason": "入社辞退"})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert {s["state"] for s in cancelled.json()["steps"]} == {"cancelled"}
    assert api.get(f"/runs/{run.pk}/events").json()["items"][-1]["comment"] == "入社辞退"
    assert_error(api.post(f"/runs/{run.pk}/cancel"), 409, "conflict")


def test_who_may_see_launch_and_cancel_runs(api_as, employee_a, manager_a, template, run):
    assert_error(api_as(employee_a).get("/runs"), 403, "forbidden")
    assert_error(api_as(employee_a).get(f"/runs/{run.pk}"), 403, "forbidden")
    manager = api_as(manager_a)
    assert manager.get(f"/runs/{run.pk}").status_code == 200
    assert_error(manager.post("/runs", {"template_id": template.pk, "params": NEWCOMER}), 403,
                 "forbidden")
    assert_error(manager.post("/runs/bulk", {"template_id": template.pk,
                                             "param_sets": [NEWCOMER]}), 403, "forbidden")
    assert_error(manager.post(f"/runs/{run.pk}/cancel"), 403, "forbidden")


def test_another_organizations_runs_are_not_found(api_as, admin_a, people_a, b_records):
    b_template, b_run, _step = b_records
    api = api_as(admin_a)
    for response in (api.get(f"/runs/{b_run.pk}"), api.get(f"/runs/{b_run.pk}/events"),
                     api.post(f"/runs/{b_run.pk}/cancel")):
        assert_error(response, 404, "not_found")
    error = assert_error(api.post("/runs", {"template_id": b_template.pk,
                                            "params": {"担当": "B001"}}), 422, "invalid")
    assert field_names(error) == ["template_id"]
    assert api.get("/runs").json()["count"] == 0


# ---- steps ---------------------------------------------------------------------------------------


def test_the_assignee_reads_their_step_with_its_instructions(api_as, employee_a, org_a, run):
    docs = steps_of(org_a, run)["docs"]
    body = api_as(employee_a).get(f"/steps/{docs.pk}").json()
    assert (body["name"], body["state"], body["can_act"]) == ("入社書類の提出", "ready", True)
    assert "鈴木 花子さんは" in body["instructions_html"]
    assert "{{入社者}}" in body["instructions"]
    assert [c["text"] for c in body["checklist"]] == ["雇用契約書", "マイナンバー"]
    assert body["run_name"] == "鈴木 花子さん 入社手続き"


def test_the_assignee_completes_their_step_and_the_next_become_ready(api_as, employee_a, org_a,
                                                                    run):
    docs = steps_of(org_a, run)["docs"]
    api = api_as(employee_a)
    response = api.post(f"/steps/{docs.pk}/complete", {
        "checklist_done": [0, 1], "actual_minutes": 25, "revision": docs.revision})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["actual_minutes"]) == ("done", 25)
    steps = steps_of(org_a, run)
    assert (steps["shaho"].state, steps["koyo"].state, steps["account"].state) == (
        StepState.READY, StepState.READY, StepState.READY)


def test_completing_a_step_twice_is_a_409(api_as, employee_a, org_a, run, tr):
    docs = steps_of(org_a, run)["docs"]
    api = api_as(employee_a)
    body = {"checklist_done": [0, 1]}
    assert api.post(f"/steps/{docs.pk}/complete", body).status_code == 200
    error = assert_error(api.post(f"/steps/{docs.pk}/complete", body), 409, "conflict")
    assert error["message"] == tr("This step was already completed by %(who)s.", who="鈴木 花子")


def test_a_stale_revision_is_a_409(api_as, employee_a, org_a, run):
    docs = steps_of(org_a, run)["docs"]
    api = api_as(employee_a)
    assert api.post(f"/steps/{docs.pk}/save", {"checklist_done": [0]}).status_code == 200
    assert_error(api.post(f"/steps/{docs.pk}/complete", {
        "checklist_done": [0, 1], "revision": docs.revision + 5}), 409, "conflict")


def test_completing_needs_the_checklist_and_the_required_form_fields(api_as, employee_a, hr,
                                                                    org_a, run):
    docs = steps_of(org_a, run)["docs"]
    error = assert_error(api_as(employee_a).post(f"/steps/{docs.pk}/complete", {
        "checklist_done": [0]}), 422, "invalid")
    assert field_names(error) == ["checklist"]
    api_as(employee_a).post(f"/steps/{docs.pk}/complete", {"checklist_done": [0, 1]})
    shaho = steps_of(org_a, run)["shaho"]
    error = assert_error(api_as(hr).post(f"/steps/{shaho.pk}/complete", {
        "form_values": {"submitted_on": "昨日"}}), 422, "invalid")
    assert set(field_names(error)) == {"receipt_no", "submitted_on"}
    done = api_as(hr).post(f"/steps/{shaho.pk}/complete", {
        "form_values": {"receipt_no": "R-1", "submitted_on": "2026-05-01"}})
    assert done.status_code == 200, done.content
    assert done.json()["form_values"] == {"receipt_no": "R-1", "submitted_on": "2026-05-01"}


@pytest.mark.parametrize("body", [
    {"checklist_done": "all"}, {"actual_minutes": -1}, {"actual_minutes": "many"},
    {"form_values": [1, 2]}, {"revision": -1}, {"done": True},
])
def test_bad_progress_is_a_422(api_as, employee_a, org_a, run, body):
    docs = steps_of(org_a, run)["docs"]
    assert_error(api_as(employee_a).post(f"/steps/{docs.pk}/complete", body), 422, "invalid")


def test_progress_is_saved_without_completing(api_as, employee_a, org_a, run):
    docs = steps_of(org_a, run)["docs"]
    body = api_as(employee_a).post(f"/steps/{docs.pk}/save", {
        "checklist_done": [1], "actual_minutes": 10}).json()
    assert (body["state"], body["checklist_done"], body["actual_minutes"]) == ("ready", [1], 10)
    assert [c["checked"] for c in body["checklist"]] == [False, True]


def test_people_see_and_act_only_on_their_own_steps(api_as, employee_a, auditor_a, hr, org_a,
                                                    run):
    steps = steps_of(org_a, run)
    employee = api_as(employee_a)
    assert_error(employee.get(f"/steps/{steps['shaho'].pk}"), 404, "not_found")
    assert_error(employee.post(f"/steps/{steps['shaho'].pk}/save", {}), 404, "not_found")
    auditor = api_as(auditor_a)
    assert auditor.get(f"/steps/{steps['docs'].pk}").json()["can_act"] is False
    assert_error(auditor.post(f"/steps/{steps['docs'].pk}/complete", {}), 403, "forbidden")
    assert_error(auditor.post(f"/steps/{steps['docs'].pk}/comments", {"text": "x"}), 403,
                 "forbidden")
    # staff act on any step
    assert api_as(hr).post(f"/steps/{steps['docs'].pk}/save", {}).status_code == 200


def test_a_step_is_reassigned_by_id_or_employee_number(api_as, staff_a, employee_a, org_a,
                                                       people_a, run):
    shaho = steps_of(org_a, run)["shaho"]
    api = api_as(staff_a)
    body = api.post(f"/steps/{shaho.pk}/reassign", {"employee_number": "A004",
                                                    "comment": "佐藤さん休暇"}).json()
    assert body["assignee_name"] == "田中 美咲"
    body = api.post(f"/steps/{shaho.pk}/reassign", {"assignee_id": people_a.sato.pk}).json()
    assert body["assignee_id"] == people_a.sato.pk
    for bad, field in (({"employee_number": "Z999"}, "employee_number"), ({}, "assignee_id"),
                       ({"assignee_id": 1, "employee_number": "A001"}, "assignee_id")):
        error = assert_error(api.post(f"/steps/{shaho.pk}/reassign", bad), 422, "invalid")
        assert field_names(error) == [field]
    docs = steps_of(org_a, run)["docs"]
    assert_error(api_as(employee_a).post(f"/steps/{docs.pk}/reassign", {
        "employee_number": "A003"}), 403, "forbidden")


def test_a_done_step_is_reopened_with_a_reason(api_as, employee_a, org_a, run):
    docs = steps_of(org_a, run)["docs"]
    api = api_as(employee_a)
    api.post(f"/steps/{docs.pk}/complete", {"checklist_done": [0, 1]})
    error = assert_error(api.post(f"/steps/{docs.pk}/reopen", {"reason": "  "}), 422, "invalid")
    assert field_names(error) == ["reason"]
    body = api.post(f"/steps/{docs.pk}/reopen", {"reason": "書類の不備"}).json()
    assert body["state"] == "ready"
    assert_error(api.post(f"/steps/{docs.pk}/reopen", {"reason": "もう一度"}), 409, "conflict")


def _to_approval(api_as, employee_a, hr, manager_a, org_a, run) -> Step:
    steps = steps_of(org_a, run)
    api_as(employee_a).post(f"/steps/{steps['docs'].pk}/complete", {"checklist_done": [0, 1]})
    api_as(hr).post(f"/steps/{steps['shaho'].pk}/complete",
                    {"form_values": {"receipt_no": "R-1"}})
    api_as(hr).post(f"/steps/{steps['koyo'].pk}/complete", {})
    api_as(manager_a).post(f"/steps/{steps['account'].pk}/complete", {})
    approve = steps_of(org_a, run)["approve"]
    assert approve.state == StepState.READY
    return approve


def test_an_approval_is_rejected_with_a_comment_or_approved(api_as, employee_a, hr, manager_a,
                                                            org_a, run):
    approve = _to_approval(api_as, employee_a, hr, manager_a, org_a, run)
    api = api_as(manager_a)
    error = assert_error(api.post(f"/steps/{approve.pk}/decide", {"approve": False}), 422,
                         "invalid")
    assert field_names(error) == ["comment"]
    assert_error(api.post(f"/steps/{approve.pk}/complete", {}), 409, "conflict")
    body = api.post(f"/steps/{approve.pk}/decide", {"approve": True, "comment": "確認しました"})
    assert body.status_code == 200, body.content
    assert body.json()["state"] == "approved"
    assert api.get(f"/runs/{run.pk}").json()["status"] == "completed"
    assert_error(api.post(f"/steps/{approve.pk}/decide", {"approve": True}), 409, "conflict")
    assert field_names(assert_error(api.post(f"/steps/{approve.pk}/decide", {}), 422,
                                    "invalid")) == ["approve"]


def test_comments_are_added_and_listed(api_as, employee_a, org_a, run):
    docs = steps_of(org_a, run)["docs"]
    api = api_as(employee_a)
    created = api.post(f"/steps/{docs.pk}/comments", {"text": "マイナンバーは来週提出します"})
    assert created.status_code == 201, created.content
    assert created.json()["actor"] == "鈴木 花子"
    assert [c["comment"] for c in api.get(f"/steps/{docs.pk}/comments").json()["items"]] == [
        "マイナンバーは来週提出します"]
    assert field_names(assert_error(api.post(f"/steps/{docs.pk}/comments", {"text": " "}), 422,
                                    "invalid")) == ["text"]


def test_a_file_is_attached_to_a_step(api_as, employee_a, org_a, run, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    docs = steps_of(org_a, run)["docs"]
    upload = io.BytesIO(b"%PDF-1.4 contract")
    upload.name = "雇用契約書.pdf"
    api = api_as(employee_a)
    response = api.post(f"/steps/{docs.pk}/attachments", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["data"]["filename"] == "雇用契約書.pdf"
    assert [a["filename"] for a in api.get(f"/steps/{docs.pk}").json()["attachments"]] == [
        "雇用契約書.pdf"]
    assert field_names(assert_error(api.post(f"/steps/{docs.pk}/attachments"), 422,
                                    "invalid")) == ["file"]


def test_another_organizations_steps_are_not_found(api_as, admin_a, people_a, b_records):
    step = b_records[2]
    api = api_as(admin_a)
    for response in (
        api.get(f"/steps/{step.pk}"), api.post(f"/steps/{step.pk}/save", {}),
        api.post(f"/steps/{step.pk}/complete", {}),
        api.post(f"/steps/{step.pk}/decide", {"approve": True}),
        api.post(f"/steps/{step.pk}/reassign", {"employee_number": "A001"}),
        api.post(f"/steps/{step.pk}/reopen", {"reason": "x"}),
        api.post(f"/steps/{step.pk}/comments", {"text": "x"}),
        api.get(f"/steps/{step.pk}/comments"),
    ):
        assert_error(response, 404, "not_found")


# ---- my tasks, the board, the calendar, insights ------------------------------------------------


def test_my_tasks_lists_the_callers_open_steps_in_buckets(api_as, employee_a, admin_a, run,
                                                          org_a):
    body = api_as(employee_a).get("/my-tasks").json()
    ready = [s["key"] for name in ("overdue", "today", "this_week", "later") for s in body[name]]
    assert ready == ["docs"]
    assert body["waiting"] == []
    assert sum(body["counts"].values()) == 1
    # an account without a person record holds nothing
    body = api_as(admin_a).get("/my-tasks").json()
    assert sum(body["counts"].values()) == 0


def test_auditors_have_no_tasks(api_as, auditor_a):
    assert_error(api_as(auditor_a).get("/my-tasks"), 403, "forbidden")


def test_the_board_shows_runs_by_template_holders_and_late_steps(api_as, manager_a, org_a,
                                                                template):
    import datetime as dt

    launch(org_a, template, start_date=dt.date(2020, 4, 1),
           params={"入社者": "A002", "入社日": "2020-04-30"})
    body = api_as(manager_a).get("/board").json()
    (row,) = body["templates"]
    assert (row["name"], row["running"], row["steps_total"]) == ("入社手続き", 1, 5)
    assert [s["key"] for s in body["late_steps"]] == ["docs", "shaho", "koyo"]
    assert {h["name"] for h in body["holders"]} >= {"鈴木 花子"}


def test_the_calendar_lists_open_steps_by_due_date(api_as, manager_a, run):
    api = api_as(manager_a)
    body = api.get("/calendar", year=2026, month=5).json()
    assert (body["year"], body["month"]) == (2026, 5)
    assert {d["date"]: [s["key"] for s in d["steps"]] for d in body["days"]} == {
        "2026-05-01": ["shaho"], "2026-05-10": ["koyo"]}
    assert api.get("/calendar").status_code == 200  # this month
    assert field_names(assert_error(api.get("/calendar", year=2026, month=13), 422,
                                    "invalid")) == ["month"]


def test_insights_compare_survey_hours_with_procedures(api_as, manager_a, org_a, template):
    with tenancy.activate(org_a):
        task = survey_services.task_save(actor=None, task=None, data={
            "function": "人事労務", "category": "入退社", "name": "入社手続き"})
        template_services.template_link_tasks(actor=None, template=template, task_ids=[task.pk])
    api = api_as(manager_a)
    (row,) = api.get("/insights").json()
    assert (row["task_id"], row["template_ids"], row["surveyed_hours"]) == (
        task.pk, [template.pk], None)
    assert_error(api.get("/insights", round_id=999999), 404, "not_found")
    assert_error(api.get("/insights", round_id="x"), 422, "invalid")


def test_the_views_need_procedure_rights(api_as, employee_a):
    api = api_as(employee_a)
    for path in ("/board", "/calendar", "/insights"):
        assert_error(api.get(path), 403, "forbidden")


def test_nothing_of_another_organization_shows_in_lists(api_as, admin_a, people_a, b_records):
    api = api_as(admin_a)
    for path in ("/templates", "/runs"):
        assert api.get(path).json()["count"] == 0
    assert api.get("/board").json()["templates"] == []
    body = api.get("/library").json()
    assert all(e["adopted_template_id"] is None for e in body)


def test_a_session_write_needs_the_csrf_token(admin_a, org_a, template):
    client = api_client()
    client.force_login(admin_a)
    response = client.post(f"{API}/templates/{template.pk}/archive", {},
                           content_type="application/json")
    assert response.status_code == 403
    assert client.get(f"{API}/templates/{template.pk}").status_code == 200


def test_the_openapi_document_describes_every_procedures_operation(client):
    doc = client.get("/api/v1/openapi.json").json()
    paths = [p for p in doc["paths"] if p.startswith("/api/v1/procedures/")]
    assert len(paths) >= 30
    assert "/api/v1/procedures/templates/{template_id}/versions/{number}" in paths
    copy.deepcopy(doc)


def test_the_preview_and_the_launch_warn_of_a_due_date_before_the_start(api_as, staff_a,
                                                                        template, tr):
    api = api_as(staff_a)
    # 入社日 = the start: 入社書類の提出 (3 business days before it) is due before the run starts.
    body = api.get(f"/templates/{template.pk}/preview", start="2026-04-30").json()
    rows = {r["key"]: r for r in body["steps"]}
    assert rows["docs"]["warnings"] == [tr("Due %(date)s, before the start date %(start)s.",
                                           date="2026-04-24", start="2026-04-30")]
    assert rows["koyo"]["warnings"] == []
    launched = api.post("/runs", {"template_id": template.pk, "start_date": "2026-04-30",
                                  "params": {**NEWCOMER, "入社日": "2026-04-30"}})
    assert launched.status_code == 201, launched.content
    assert launched.json()["warnings"] == ["入社書類の提出: " + tr(
        "Due %(date)s, before the start date %(start)s.", date="2026-04-24",
        start="2026-04-30")]
