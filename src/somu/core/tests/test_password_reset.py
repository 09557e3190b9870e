"""「パスワードをお忘れですか」: a reset link by email, in Japanese, on the configured base URL."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from somu.org.models import User

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Sakura-no-hana-2026"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SOMU_BASE_URL = "https://somu.example.jp"


def _link(body: str) -> str:
    found = re.search(r"https://somu\.example\.jp(/password-reset/[^/\s]+/[^/\s]+/)", body)
    assert found, body
    return found.group(1)


def test_the_login_page_links_to_the_password_reset(client, tr):
    page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in page
    assert tr("Forgot your password?") in page


def test_a_user_resets_a_forgotten_password_through_the_emailed_link(admin_a, tr):
    client = Client()
    assert client.get(reverse("password_reset")).status_code == 200
    response = client.post(reverse("password_reset"), {"email": "admin_a@example.com"})
    assert response["Location"] == reverse("password_reset_done")

    [message] = mail.outbox
    assert message.to == ["admin_a@example.com"]
    assert message.subject == tr("[somu] Set a new password")
    assert tr("Open this link to set a new password (it works once and for a few days):") in (
        message.body)
    link = _link(message.body)  # on SOMU_BASE_URL, not on whatever host the request named

    form = client.get(link, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == reverse("password_reset_complete")
    assert User.objects.get(pk=admin_a.pk).check_password(NEW_PASSWORD)
    # The link worked once.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert tr("This link is not valid: it was used already or is too old.") in (
        again.content.decode())


def test_a_weak_new_password_gets_a_field_error_and_changes_nothing(admin_a):
    client = Client()
    client.post(reverse("password_reset"), {"email": "admin_a@example.com"})
    form = client.get(_link(mail.outbox[0].body), follow=True)
    response = client.post(form.redirect_chain[-1][0],
                           {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    # Under the field where the password is chosen, not under the confirmation typed right.
    errors = response.context["form"].errors
    assert errors["new_password1"] and "new_password2" not in errors
    assert User.objects.get(pk=admin_a.pk).check_password("correct horse battery staple")


def test_a_mistyped_confirmation_is_shown_under_the_confirmation(admin_a):
    client = Client()
    client.post(reverse("password_reset"), {"email": "admin_a@example.com"})
    form = client.get(_link(mail.outbox[0].body), follow=True)
    response = client.post(form.redirect_chain[-1][0], {
        "new_password1": "Sakura-2026-kaisha", "new_password2": "Sakura-2026-kaisya"})
    errors = response.context["form"].errors
    assert errors["new_password2"] and "new_password1" not in errors


def test_changing_ones_own_password_shows_a_too_short_one_under_the_new_password(
        client_as, admin_a, org_a):
    response = client_as(admin_a, org_a).post(reverse("password_change"), {
        "old_password": "correct horse battery staple", "new_password1": "12345",
        "new_password2": "12345"})
    errors = response.context["form"].errors
    assert errors["new_password1"] and "new_password2" not in errors


def test_an_unknown_address_gets_the_same_answer_and_no_mail(admin_a):
    response = Client().post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_malformed_address_gets_a_field_error(admin_a):
    response = Client().post(reverse("password_reset"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert mail.outbox == []
