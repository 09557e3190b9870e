"""Organizations are strictly isolated: every route, asked for another organization's record,
answers 404 (or 403) and changes nothing.

The walker visits EVERY URL pattern of somu.urls and EVERY operation of the JSON API, so a new
module is covered the day it is mounted. A route whose path parameter the map below does not know
fails the test: extend ``ID_KWARGS`` (or ``NON_ID_KWARGS``) when you add one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from somu.audit.models import AuditChainHead, AuditEvent
from somu.core import tenancy
from somu.core.api import api
from somu.core.permissions import Role
from somu.core.tenancy import TenantModel
from somu.org import invitations, services
from somu.org.models import CompanyHoliday, Invitation, Membership, Organization
from somu.procedures.models import (
    Delivery,
    DeliveryChannel,
    Handover,
    Run,
    Schedule,
    Step,
    StepAttachment,
    Template,
    Webhook,
)
from somu.procedures.services import handover as procedure_handover
from somu.procedures.services import runs as run_services
from somu.procedures.services import schedules as procedure_schedules
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services
from somu.survey import services as survey_services
from somu.survey.models import Capability, SurveyRound, Task, WorkHours

# Path parameters that are ids of tenant records: how to find organization B's one.
ID_KWARGS: dict[str, Callable[[Any], int]] = {
    "person_id": lambda b: b.people.kimura.pk,
    "department_id": lambda b: b.people.somu.pk,
    "grade_id": lambda b: b.people.grade.pk,
    "skill_id": lambda b: b.people.skill.pk,
    "holiday_id": lambda b: b.holiday.pk,
    "token_id": lambda b: b.token_id,
    "event_id": lambda b: b.event.pk,
    "membership_id": lambda b: b.membership.pk,
    "invitation_id": lambda b: b.invitation.pk,
    "round_id": lambda b: b.survey_round.pk,
    "task_id": lambda b: b.task.pk,
    "template_id": lambda b: b.proc.template.pk,
    "run_id": lambda b: b.proc.run.pk,
    "step_id": lambda b: b.proc.step.pk,
    "attachment_id": lambda b: b.proc.attachment.pk,
    "schedule_id": lambda b: b.proc.schedule.pk,
    "handover_id": lambda b: b.proc.handover.pk,
    "webhook_id": lambda b: b.proc.webhook.pk,
    "delivery_id": lambda b: b.proc.delivery.pk,
}
# Path parameters that are not record ids; routes with only these have nothing to isolate.
# ``token``: an invitation link's secret; the link is meant to work across organizations (the
# invitee accepts it from wherever they are) and is tested in org/tests/test_members.py.
NON_ID_KWARGS: dict[str, Any] = {"fmt": "csv", "layout": "long", "number": 1,
                                 "key": "onboarding",
                                 # The password reset link: a login account (not a tenant record)
                                 # and a signed token; a made-up one is an invalid link. The same
                                 # made-up value is an invalid invitation link.
                                 "uidb64": "MQ", "token": "set-password"}

# Required query parameters of API reads, with a valid value.
QUERY_SAMPLES: dict[str, str] = {"year": "2026", "date": "2026-01-05", "days": "1"}
# Required query parameters that are ids of tenant records (e.g. the rounds compared): reads that
# need them are left to their app's isolation tests.
ID_QUERY: frozenset[str] = frozenset({"before", "after"})

# Text of organization B that must never appear in organization A's pages and answers.
B_TEXT = ("木村 拓也", "ビー商事", "B001", "簿記", "admin_b", "きむら",
          "ビー社固有業務", "ビー調査", "ビー社手順", "ビー通知", "ビー定期", "ビー引継",
          "ビー添付", "小林 美咲", "invitee@b.example")

DENIED = {403, 404}

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\{(?P<api_name>[^}]+)\}")


@dataclass
class ProceduresB:
    template: Template
    run: Run
    step: Step
    attachment: StepAttachment
    schedule: Schedule
    handover: Handover
    webhook: Webhook
    delivery: Delivery


@dataclass
class OrgB:
    people: Any
    holiday: CompanyHoliday
    token_id: int
    event: AuditEvent
    membership: Membership
    invitation: Invitation
    survey_round: SurveyRound
    task: Task
    proc: ProceduresB


def procedures_of_b(admin_b: Any, people_b: Any) -> ProceduresB:
    """Organization B's template, run, step, attachment, schedule, handover, webhook, delivery."""
    template = template_services.template_save(actor=admin_b, template=None, spec={
        "name": "ビー社手順",
        "parameters": [{"key": "期日", "type": "date"}],
        "steps": [
            {"key": "first", "name": "ビー社手順 第1段階", "assignee": {"person": "B001"},
             "due": {"from": "期日", "offset": 1}},
            {"key": "second", "name": "ビー社手順 承認", "kind": "approval",
             "assignee": {"person": "B001"}, "depends_on": ["first"]},
        ],
    })
    run = run_services.run_launch(actor=admin_b, template=template,
                                  params={"期日": "2026-04-01"}, name="ビー社手順 実行")
    step = run.steps.get(key="first")
    attachment = step_services.step_attach(
        actor=admin_b, step=step, upload=ContentFile(b"b", name="ビー添付.txt"))
    schedule = procedure_schedules.schedule_save(actor=admin_b, schedule=None, data={
        "template": template, "name": "ビー定期", "rule": {"kind": "weekly", "weekday": 0},
        "params": {}, "owner": people_b.kimura, "active": True})
    kobayashi = services.person_create(actor=None, data={
        "employee_number": "B002", "name": "小林 美咲", "name_kana": "こばやし みさき",
        "department": people_b.somu})
    handover = procedure_handover.handover_execute(
        actor=admin_b, from_person=people_b.kimura, to_person=kobayashi,
        effective_date=dt.date(2026, 4, 1), note="ビー引継")
    webhook = Webhook.objects.create(name="ビー通知", kind="slack",
                                     url="https://hooks.slack.com/services/B/B/B")
    delivery = Delivery.objects.create(channel=DeliveryChannel.WEBHOOK, webhook=webhook,
                                       day=dt.date(2026, 4, 1), subject="ビー通知",
                                       body="ビー社手順")
    return ProceduresB(template, run, step, attachment, schedule, handover, webhook, delivery)


@pytest.fixture
def b(org_b, people_b, admin_b) -> OrgB:
    with tenancy.activate(org_b):
        membership = Membership.objects.get(user=admin_b)
        token, _raw = services.api_token_create(actor=admin_b, membership=membership, name="b")
        holiday = CompanyHoliday.objects.first()
        event = AuditEvent.objects.order_by("seq").first()
        task = survey_services.task_save(actor=admin_b, task=None, data={
            "function": "総務", "category": "庶務", "name": "ビー社固有業務", "difficulty": 2})
        survey_round = survey_services.round_save(
            actor=admin_b, survey_round=None, data={"name": "ビー調査 2026"})
        WorkHours.objects.create(organization=org_b, round=survey_round,
                                 person=people_b.kimura, task=task, hours=12)
        Capability.objects.create(organization=org_b, round=survey_round,
                                  person=people_b.kimura, task=task, level=4)
        proc = procedures_of_b(admin_b, people_b)
        invitation, _url, _sent = invitations.invitation_create(
            actor=admin_b, email="invitee@b.example", role=Role.STAFF,
            now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    return OrgB(people_b, holiday, token.pk, event, membership, invitation, survey_round, task,
                proc)


def snapshot(organization: Organization) -> dict[str, list[dict[str, Any]]]:
    """Every row of ``organization``, in every tenant table, plus the organization itself."""
    rows: dict[str, list[dict[str, Any]]] = {
        "organization": list(Organization.objects.filter(pk=organization.pk).values()),
        "chain_head": list(AuditChainHead.objects.filter(organization=organization).values()),
    }
    for model in apps.get_models():
        if issubclass(model, TenantModel):
            rows[model._meta.label] = list(
                model.all_objects.filter(organization=organization).order_by("pk").values()
            )
    return rows


def page_routes() -> Iterator[str]:
    """Every page route of somu.urls as a full pattern string, includes followed."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                assert isinstance(pattern, URLPattern)
                yield prefix + str(pattern.pattern)

    for route in walk(get_resolver().url_patterns, ""):
        if not route.startswith("api/v1/"):  # the API is walked operation by operation
            yield "/" + route


@dataclass(frozen=True)
class ApiOperation:
    method: str
    path: str  # /api/v1/people/{person_id}

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def api_operations() -> list[ApiOperation]:
    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            # Nested routers (procedures) are listed with their mount prefix, e.g. "procedures/".
            full = ("/api/v1/" + prefix.strip("/") + path).replace("//", "/")
            for operation in path_view.operations:
                found.extend(ApiOperation(m, full) for m in operation.methods)
    return found


def params_of(route: str) -> list[str]:
    return [m.group("name") or m.group("api_name") for m in PARAM.finditer(route)]


def fill(route: str, values: dict[str, Any]) -> str:
    return PARAM.sub(lambda m: str(values[m.group("name") or m.group("api_name")]), route)


def id_values(b: OrgB) -> dict[str, Any]:
    return {**{k: get(b) for k, get in ID_KWARGS.items()}, **NON_ID_KWARGS}


def openapi_operation(doc: dict[str, Any], op: ApiOperation) -> dict[str, Any]:
    return doc["paths"][op.path][op.method.lower()]


def sample_body(doc: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any] | None:
    """A body that passes validation, so the request reaches the record lookup."""
    if "requestBody" not in operation:
        return None
    content = operation["requestBody"]["content"]
    if "application/json" not in content:  # a file upload: the id is checked before the file
        return None
    schema = content["application/json"]["schema"]
    schema = resolve(doc, schema)
    return {name: sample_value(doc, schema["properties"][name])
            for name in schema.get("required", [])}


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def sample_value(doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    schema = resolve(doc, schema)
    if "enum" in schema:
        return schema["enum"][0]
    if schema.get("format") == "date":
        return "2030-01-01"
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": []}.get(
        schema.get("type", "string"), "x")


def query_samples(operation: dict[str, Any]) -> dict[str, str] | None:
    """Valid values of the required query parameters; None when one of them is an id."""
    query = {}
    for param in operation.get("parameters", []):
        if param["in"] == "query" and param.get("required"):
            if param["name"] in ID_QUERY:
                return None
            assert param["name"] in QUERY_SAMPLES, (
                f"add a sample value for the query parameter {param['name']!r}")
            query[param["name"]] = QUERY_SAMPLES[param["name"]]
    return query


# ---- the map must know every parameter -----------------------------------------------------------


def test_the_walker_knows_every_path_parameter_of_every_route():
    known = set(ID_KWARGS) | set(NON_ID_KWARGS)
    unknown = {
        (route, name)
        for route in [*page_routes(), *(op.path for op in api_operations())]
        for name in params_of(route)
        if name not in known
    }
    assert unknown == set(), "extend ID_KWARGS in tests/test_isolation.py for these routes"


def test_the_walker_finds_the_routes_it_is_meant_to_cover():
    routes = set(page_routes())
    assert "/org/people/<int:person_id>/edit/" in routes
    assert "/audit/<int:event_id>/" in routes
    assert ApiOperation("PATCH", "/api/v1/people/{person_id}") in api_operations()
    assert ApiOperation("DELETE", "/api/v1/tokens/{token_id}") in api_operations()


# ---- another organization's ids ------------------------------------------------------------------


def test_every_page_with_an_id_of_another_organization_answers_404(client_as, admin_a, org_a,
                                                                  org_b, people_a, b):
    client = client_as(admin_a, org_a)
    values = id_values(b)
    before = snapshot(org_b)
    failures = []
    checked = 0
    for route in page_routes():
        names = params_of(route)
        if not any(name in ID_KWARGS for name in names):
            continue
        url = fill(route, values)
        got = client.get(url).status_code
        posted = client.post(url, {"name": "x", "retired_on": "2030-01-01",
                                   "direction": "up", "role": "admin"}).status_code
        checked += 1
        if not ((got in DENIED and posted in DENIED | {405})
                or (got == 405 and posted in DENIED)):
            failures.append(f"{route}: GET {got}, POST {posted}")
    assert failures == []
    assert checked >= 15
    assert snapshot(org_b) == before


def test_every_api_operation_with_an_id_of_another_organization_answers_404(org_a, org_b,
                                                                           admin_a, people_a, b):
    with tenancy.activate(org_a):
        _token, raw = services.api_token_create(
            actor=admin_a, membership=Membership.objects.get(user=admin_a), name="walker")
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    doc = client.get("/api/v1/openapi.json").json()
    values = id_values(b)
    before = snapshot(org_b)
    failures = []
    checked = 0
    for op in api_operations():
        if not any(name in ID_KWARGS for name in params_of(op.path)):
            continue
        operation = openapi_operation(doc, op)
        body = sample_body(doc, operation)
        response = client.generic(
            op.method, fill(op.path, values),
            data="" if body is None else json.dumps(body),
            content_type="application/json", QUERY_STRING="", **auth)
        checked += 1
        if response.status_code not in DENIED:
            failures.append(f"{op}: {response.status_code} {response.content[:200]!r}")
        elif response.json()["error"]["code"] not in ("not_found", "forbidden"):
            failures.append(f"{op}: {response.json()}")
    assert failures == []
    assert checked >= 7
    assert snapshot(org_b) == before


# ---- lists and counts ----------------------------------------------------------------------------


def test_no_page_of_organization_a_shows_anything_of_organization_b(client_as, admin_a, org_a,
                                                                    people_a, b):
    client = client_as(admin_a, org_a)
    leaks = []
    checked = 0
    for route in page_routes():
        if params_of(route):
            continue
        response = client.get(route)
        if response.status_code != 200:
            continue
        checked += 1
        body = response.content.decode("utf-8", errors="replace")
        leaks.extend(f"{route}: {text}" for text in B_TEXT if text in body)
    assert leaks == []
    assert checked >= 12


def test_no_api_read_of_organization_a_returns_anything_of_organization_b(org_a, admin_a,
                                                                          people_a, b):
    with tenancy.activate(org_a):
        _token, raw = services.api_token_create(
            actor=admin_a, membership=Membership.objects.get(user=admin_a), name="walker")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    doc = client.get("/api/v1/openapi.json").json()
    leaks, checked = [], 0
    for op in api_operations():
        if op.method != "GET" or params_of(op.path):
            continue
        query = query_samples(openapi_operation(doc, op))
        if query is None:
            continue
        response = client.get(op.path, query, **auth)
        assert response.status_code == 200, f"{op}: {response.content[:200]!r}"
        checked += 1
        body = response.content.decode()
        leaks.extend(f"{op}: {text}" for text in B_TEXT if text in body)
    assert leaks == []
    assert checked >= 10


@pytest.mark.parametrize(("path", "count"), [
    ("/api/v1/people", 4), ("/api/v1/departments", 3), ("/api/v1/grades", 3),
    ("/api/v1/skills", 1),
])
def test_api_list_counts_cover_only_the_callers_organization(client_as, admin_a, org_a, people_a,
                                                             b, path, count):
    assert client_as(admin_a, org_a).get(path).json()["count"] == count


def test_the_audit_and_token_lists_cover_only_the_callers_organization(client_as, admin_a, org_a,
                                                                       people_a, b):
    client = client_as(admin_a, org_a)
    with tenancy.activate(org_a):
        events = AuditEvent.objects.count()
    assert client.get("/api/v1/audit/events").json()["count"] == events
    assert client.get("/api/v1/tokens").json() == []
    home = client.get("/")
    assert home.context["summary"] == {"people": 4, "departments": 3, "grades": 3, "skills": 1}


def test_a_form_naming_another_organizations_records_is_refused(client_as, admin_a, org_a, org_b,
                                                                people_a, b):
    client = client_as(admin_a, org_a)
    before = snapshot(org_b)
    response = client.post("/org/people/new/", {
        "employee_number": "A050", "name": "越境 太郎", "employment_type": "regular",
        "department": b.people.somu.pk, "grade": b.people.grade.pk,
        "manager": b.people.kimura.pk})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"department", "grade", "manager"}
    response = client.post(f"/org/people/{people_a.suzuki.pk}/skills/",
                           {"skill": b.people.skill.pk, "level": "3"})
    assert response.status_code == 302
    response = client.post("/org/departments/new/", {"name": "越境部", "parent": b.people.somu.pk})
    assert "parent" in response.context["form"].errors
    with tenancy.activate(org_a):
        from somu.org.models import Person, PersonSkill

        assert not Person.objects.filter(employee_number="A050").exists()
        assert not PersonSkill.objects.exists()
    assert snapshot(org_b) == before
