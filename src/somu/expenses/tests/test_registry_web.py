"""The invoice registry's import page (the deployment's operators only) and its API (any
member): lookup, name search, state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from somu.core.tests.apiclient import Api, assert_error, field_names
from somu.expenses.registry_models import Registrant, RegistryImport
from somu.expenses.services import registry
from somu.expenses.tests import registry_files as f
from somu.org import services as org_services
from somu.org.models import Organization, User

URL = "/expenses/registry/"


@pytest.fixture
def operator(db: None) -> User:
    return org_services.user_create(actor=None, username="operator", password="x" * 20,
                                    is_superuser=True)


def _upload(name: str, lines: list[str]) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f.data(lines), content_type="text/csv")


def test_an_operator_imports_files_on_the_page_and_sees_the_registry_state(
        client_as: Callable[..., Client], operator: User) -> None:
    client = client_as(operator)

    page = client.get(URL)
    assert page.status_code == 200
    assert "zenken.csv" not in page.content.decode()

    response = client.post(URL, {"kind": "full", "files": [_upload("zenken.csv", f.FULL)]})

    assert response.status_code == 200
    assert Registrant.objects.count() == 3
    run = RegistryImport.objects.get()
    assert run.actor == operator and run.files[0]["name"] == "zenken.csv"
    assert "zenken.csv" in response.content.decode()


def test_a_bad_file_on_the_page_is_refused_naming_the_line_and_nothing_is_imported(
        client_as: Callable[..., Client], operator: User) -> None:
    bad = [f.FULL[0], f.FULL[1].replace("2024-04-01", "2024-13-01", 1)]

    response = client_as(operator).post(
        URL, {"kind": "full", "files": [_upload("good.csv", f.FULL), _upload("bad.csv", bad)]})

    assert response.status_code == 422
    text = response.content.decode()
    assert "bad.csv" in text and "2024-13-01" in text
    assert not Registrant.objects.exists() and not RegistryImport.objects.exists()


def test_the_page_is_for_operators_only(client_as: Callable[..., Client], admin_a: User,
                                       org_a: Organization) -> None:
    assert client_as(admin_a, org_a).get(URL).status_code == 403
    response = client_as(admin_a, org_a).post(
        URL, {"kind": "full", "files": [_upload("zenken.csv", f.FULL)]})
    assert response.status_code == 403
    assert not Registrant.objects.exists()
    assert Client().get(URL).status_code == 302  # to the login


# --- the API --------------------------------------------------------------------------------

@pytest.fixture
def api(api_as: Callable[..., Api], employee_a: User) -> Api:
    return api_as(employee_a, prefix="/api/v1/expenses/registry")


def test_any_member_looks_a_number_up_on_a_date(api: Api) -> None:
    assert api.get("/lookup", number=f.ACME, on="2025-01-01").json()["code"] == "unchecked"
    registry.registry_import(files=[registry.RegistryFile("full.csv", f.stream(f.FULL))],
                             kind="full", actor=None)

    body = api.get("/lookup", number=f.ACME, on="2025-01-01").json()

    assert body["code"] == "valid" and body["name"] == "株式会社アクメ"
    assert body["registered_on"] == "2023-10-01" and body["warning"] is False
    assert body["message"]
    early = api.get("/lookup", number=f.ACME, on="2023-09-01").json()
    assert early["code"] == "not_yet" and early["warning"] is True
    assert api.get("/lookup", number="T123", on="2025-01-01").json()["code"] == "invalid"


def test_a_lookup_without_a_number_or_with_a_bad_date_is_a_422(api: Api) -> None:
    assert field_names(assert_error(api.get("/lookup"), 422, "invalid")) == ["number"]
    bad_date = api.get("/lookup", number=f.ACME, on="2025-02-30")
    assert field_names(assert_error(bad_date, 422, "invalid")) == ["on"]


def test_any_member_searches_registrants_by_name_and_sees_the_state(api: Api) -> None:
    registry.registry_import(files=[registry.RegistryFile("full.csv", f.stream(f.FULL))],
                             kind="full", actor=None)

    found = api.get("/search", q="ｱｸﾒ").json()
    state = api.get("").json()

    assert [(r["number"], r["name"]) for r in found] == [(f.ACME, "株式会社アクメ")]
    assert state["imported"] is True and state["registrants"] == 3
    assert state["last_import"]["files"] == ["full.csv"]
    assert field_names(assert_error(api.get("/search", q=""), 422, "invalid")) == ["q"]


def test_the_api_has_no_import(api: Api) -> None:
    response = api.post("", {"files": []})

    assert response.status_code in (404, 405)
    assert not RegistryImport.objects.exists()


def test_a_superusers_account_page_leads_to_the_import_page_and_an_admins_does_not(
        client_as: Callable[..., Client], make_user: Callable[..., User], admin_a: User,
        org_a: Organization) -> None:
    from somu.core.permissions import Role

    operator = make_user("operator_a", org_a, Role.STAFF)
    User.objects.filter(pk=operator.pk).update(is_superuser=True)
    link = f'href="{URL}"'

    assert link in client_as(User.objects.get(pk=operator.pk), org_a).get("/account/") \
        .content.decode()
    assert link not in client_as(admin_a, org_a).get("/account/").content.decode()
