"""Organizations are strictly isolated: every route, asked for another organization's record,
answers 404 (or 403) and changes nothing.

The walker visits EVERY URL pattern of somu.urls and EVERY operation of the JSON API, so a new
module is covered the day it is mounted. Each app's registry entry names an isolation hook that
builds one of each of its records in organization B and returns their ids by path parameter; a
route whose path parameter no hook (nor ``NON_ID_KWARGS``) knows fails the test.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from somu.audit.models import AuditChainHead, AuditEvent
from somu.core import registry, tenancy
from somu.core.api import api
from somu.core.tenancy import TenantModel
from somu.core.tests.apiclient import api_client, bearer
from somu.org import services
from somu.org.models import Membership, Organization

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
QUERY_SAMPLES: dict[str, str] = {"year": "2026", "date": "2026-01-05", "days": "1",
                                 # the invoice registry's lookup and name search (global data)
                                 "number": "T1000020012131", "q": "ビー"}
# Required query parameters that are ids of tenant records (e.g. the rounds compared): reads that
# need them are left to their app's isolation tests.
ID_QUERY: frozenset[str] = frozenset({"before", "after"})

DENIED = {403, 404}

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\{(?P<api_name>[^}]+)\}")


@dataclass
class OrgB:
    """Organization B with one of each record of every app: what each app's isolation hook
    (its registry entry) built, by path parameter, and texts that must not leak."""

    people: Any
    ids: dict[str, int]
    texts: tuple[str, ...]


@pytest.fixture
def b(org_b, people_b, admin_b) -> OrgB:
    ids: dict[str, int] = {}
    texts: list[str] = []
    with tenancy.activate(org_b):
        for entry in registry.entries():
            if entry.contribution.isolation:
                hook = registry.resolve(entry.contribution.isolation)
                found = hook(organization=org_b, admin=admin_b, people=people_b)
                # Two apps naming different records by one path parameter would leave one
                # app's routes asked for the other's ids (404 by accident, nothing tested).
                clash = set(found.ids) & set(ids)
                assert not clash, f"{entry.label} reuses the path parameters {clash}"
                ids.update(found.ids)
                texts.extend(found.texts)
    return OrgB(people_b, ids, tuple(texts))


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
    return {**b.ids, **NON_ID_KWARGS}


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


def test_the_walker_knows_every_path_parameter_of_every_route(b):
    known = set(b.ids) | set(NON_ID_KWARGS)
    unknown = {
        (route, name)
        for route in [*page_routes(), *(op.path for op in api_operations())]
        for name in params_of(route)
        if name not in known
    }
    assert unknown == set(), "return these ids from the app's isolation hook (registry entry)"


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
        if not any(name in b.ids for name in names):
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
    client, auth = api_client(), bearer(raw)
    doc = client.get("/api/v1/openapi.json").json()
    values = id_values(b)
    before = snapshot(org_b)
    failures = []
    checked = 0
    for op in api_operations():
        if not any(name in b.ids for name in params_of(op.path)):
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
        leaks.extend(f"{route}: {text}" for text in b.texts if text in body)
    assert leaks == []
    assert checked >= 12


def test_no_api_read_of_organization_a_returns_anything_of_organization_b(org_a, admin_a,
                                                                          people_a, b):
    with tenancy.activate(org_a):
        _token, raw = services.api_token_create(
            actor=admin_a, membership=Membership.objects.get(user=admin_a), name="walker")
    client, auth = api_client(), bearer(raw)
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
        leaks.extend(f"{op}: {text}" for text in b.texts if text in body)
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
