"""Login throttling, security headers, secure cookies behind HTTPS, CSRF, and the health check."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import subprocess
import sys

import pytest
from conftest import PASSWORD
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from somu.org.models import LoginFailure


def text(response) -> str:
    return html.unescape(response.content.decode())


def login(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


# ---- login ---------------------------------------------------------------------------------------


def test_the_right_password_logs_in_and_goes_home(admin_a):
    client = Client()
    response = login(client, "admin_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get(reverse("home")).status_code == 200


def test_login_follows_next_but_never_to_another_site(admin_a):
    response = Client().post(reverse("login") + "?next=/org/people/",
                             {"username": "admin_a", "password": PASSWORD})
    assert response["Location"] == "/org/people/"
    response = Client().post(reverse("login"), {"username": "admin_a", "password": PASSWORD,
                                                "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_a_wrong_password_is_refused_with_a_message(admin_a):
    response = login(Client(), "admin_a", "wrong")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert response.context["form"].non_field_errors()


def test_after_too_many_failures_even_the_right_password_is_refused(admin_a, tr):
    client = Client()
    for _ in range(settings.SOMU_LOGIN_MAX_FAILURES):
        assert login(client, "admin_a", "wrong").status_code == 200
    response = login(client, "admin_a", PASSWORD)
    assert response.status_code == 200
    assert tr("Too many failed logins. Wait a few minutes and try again.") in text(response)
    assert "_auth_user_id" not in client.session


def test_throttling_counts_the_username_whatever_its_case(admin_a, tr):
    client = Client()
    for n in range(settings.SOMU_LOGIN_MAX_FAILURES):
        login(client, "ADMIN_A" if n % 2 else " admin_a", "wrong")
    assert tr("Too many failed logins. Wait a few minutes and try again.") in text(
        login(client, "admin_a", PASSWORD))


def test_throttling_ends_when_the_failures_are_older_than_the_window(admin_a):
    client = Client()
    for _ in range(settings.SOMU_LOGIN_MAX_FAILURES):
        login(client, "admin_a", "wrong")
    old = timezone.now() - dt.timedelta(seconds=settings.SOMU_LOGIN_WINDOW_SECONDS + 1)
    LoginFailure.objects.update(created_at=old)
    assert login(client, "admin_a", PASSWORD).status_code == 302


def test_failures_on_one_account_do_not_lock_out_another(admin_a, staff_a):
    client = Client()
    for _ in range(settings.SOMU_LOGIN_MAX_FAILURES):
        login(client, "admin_a", "wrong")
    assert login(client, "staff_a", PASSWORD).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled_too(staff_a, tr):
    client = Client()
    for n in range(settings.SOMU_LOGIN_MAX_FAILURES * 4):
        login(client, f"guess{n}", "wrong")
    assert tr("Too many failed logins. Wait a few minutes and try again.") in text(
        login(client, "staff_a", PASSWORD))


def test_login_failures_never_hold_the_username_or_address_in_clear(admin_a):
    login(Client(), "admin_a", "wrong", REMOTE_ADDR="203.0.113.7")
    rows = list(LoginFailure.objects.values_list("key_hash", flat=True))
    assert len(rows) == 2
    for value in rows:
        assert "admin_a" not in value
        assert "203.0.113.7" not in value
        assert len(value) == 64


def test_logout_needs_a_post(admin_a):
    client = Client()
    client.force_login(admin_a)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


# ---- CSRF ----------------------------------------------------------------------------------------


def test_the_login_form_needs_its_csrf_token(admin_a):
    client = Client(enforce_csrf_checks=True)
    assert login(client, "admin_a", PASSWORD).status_code == 403
    page = client.get(reverse("login"))
    token = page.context["csrf_token"]
    response = client.post(reverse("login"), {"username": "admin_a", "password": PASSWORD,
                                              "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


@pytest.mark.parametrize(("url", "data"), [
    ("org:person_create", {"employee_number": "A099", "name": "x", "employment_type": "regular"}),
    ("org:department_create", {"name": "経理部"}),
    ("token_create", {"name": "t"}),
    ("switch_organization", {"organization_id": "1"}),
])
def test_page_forms_need_their_csrf_token(admin_a, org_a, people_a, url, data):
    from somu.core import tenancy
    from somu.org.models import ApiToken, Department, Person

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    assert client.post(reverse(url), data).status_code == 403
    with tenancy.activate(org_a):
        assert not Person.objects.filter(employee_number="A099").exists()
        assert not Department.objects.filter(name="経理部").exists()
        assert not ApiToken.objects.exists()


# ---- headers and cookies -------------------------------------------------------------------------


def test_responses_forbid_framing_and_sniffing(client_as, admin_a, org_a):
    for response in (Client().get(reverse("login")), client_as(admin_a, org_a).get("/"),
                     Client().get("/api/v1/people")):
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_http_only_and_same_site(admin_a):
    client = Client()
    login(client, "admin_a", PASSWORD)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def _settings_with(env: dict[str, str], tmp_path) -> dict[str, object]:
    code = (
        "import json, somu.settings as s; print(json.dumps({k: getattr(s, k, None) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
        "'SECURE_HSTS_SECONDS', 'SECURE_PROXY_SSL_HEADER', 'SECURE_REDIRECT_EXEMPT')}))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SOMU_", "DATABASE_URL"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**keep, "SOMU_DATA_DIR": str(tmp_path), "SECRET_KEY": "test", **env},
    )
    return json.loads(result.stdout)


def test_with_somu_https_cookies_are_secure_and_http_redirects(tmp_path):
    values = _settings_with({"SOMU_HTTPS": "1"}, tmp_path)
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    # Load balancers probe over plain HTTP: a redirect would mark the app down.
    assert values["SECURE_REDIRECT_EXEMPT"] == ["^healthz$"]


def test_without_somu_https_cookies_may_travel_over_plain_http(tmp_path):
    values = _settings_with({}, tmp_path)
    assert values["SESSION_COOKIE_SECURE"] is None  # Django's default, False
    assert values["SECURE_SSL_REDIRECT"] is None


# ---- health --------------------------------------------------------------------------------------


def test_healthz_answers_200_json_without_login(db):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}
