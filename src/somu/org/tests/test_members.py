from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from somu.core import tenancy
from somu.org.models import Invitation, Membership, User

REFUSED = ("既存のアカウントをユーザー名で追加することはできません。メールで招待してください。"
           "招待された方がご自身のアカウントで承諾します。")


def _invite(client, email, role="staff", person=None):
    data = {"email": email, "role": role}
    if person is not None:
        data["person"] = person.pk
    return client.post(reverse("org:member_list"), data)


def _link(message) -> str:
    [url] = [word for word in message.body.split() if "/org/invitations/" in word]
    return urlsplit(url).path


def test_an_admin_typing_another_organizations_username_is_refused_without_learning_if_it_exists(
    client_as, admin_a, admin_b, org_a, org_b
):
    client = client_as(admin_b, org_b)
    existing = client.post(reverse("org:member_list"), {"username": "admin_a", "role": "admin"})
    unknown = client.post(reverse("org:member_list"), {"username": "nobody-x", "role": "admin"})

    for response in (existing, unknown):
        assert response.status_code == 200
        assert response.context["add_form"].errors == {"username": [REFUSED]}
    assert existing.content.count(REFUSED.encode()) == unknown.content.count(REFUSED.encode())
    with tenancy.activate(org_b):
        assert not Membership.objects.filter(user=admin_a).exists()


def test_an_invitation_is_emailed_and_accepting_it_with_an_existing_account_joins(
    client_as, admin_a, admin_b, org_a, org_b
):
    response = _invite(client_as(admin_b, org_b), "admin_a@example.com", role="auditor")
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["admin_a@example.com"]
    assert "ビー商事株式会社" in message.subject
    link = _link(message)

    client = client_as(admin_a, org_a)
    page = client.get(link)
    assert page.status_code == 200 and "admin_a" in page.content.decode()
    assert client.post(link).status_code == 302

    with tenancy.activate(org_b):
        assert Membership.objects.get(user=admin_a).role == "auditor"
    with tenancy.activate(org_a):
        assert Membership.objects.get(user=admin_a).role == "admin"
    assert client.session["organization_id"] == org_b.pk
    # A link works once.
    assert client_as(admin_a, org_a).get(link).status_code == 410


def test_a_newcomer_creates_their_own_account_from_the_invitation(
    client_as, admin_a, org_a, people_a
):
    _invite(client_as(admin_a, org_a), "hanako@a.example", person=people_a.suzuki)
    link = _link(mail.outbox[0])
    client = Client()
    assert "ログインして承諾" in client.get(link).content.decode()

    page = client.get(link).content.decode()
    assert 'name="password"' in page and 'name="password_confirmation"' in page
    weak = client.post(link, {"username": "hanako", "password": "12345",
                              "password_confirmation": "12345"})
    assert weak.status_code == 200 and weak.context["form"].errors["password"]
    assert "password_confirmation" not in weak.context["form"].errors
    taken = client.post(link, {"username": "ADMIN_A", "password": "Sakura-2026-kaisha",
                               "password_confirmation": "Sakura-2026-kaisha"})
    assert taken.context["form"].errors["username"] == [
        "このユーザー名は使われています。別の名前を選んでください。"]
    mistyped = client.post(link, {"username": "hanako", "password": "Sakura-2026-kaisha",
                                  "password_confirmation": "Sakura-2026-kaisya"})
    assert mistyped.context["form"].errors == {"password_confirmation": [
        "2つのパスワードが一致しません。両方の欄に同じパスワードを入力してください。"]}
    assert "2つのパスワードが一致しません" in mistyped.content.decode()
    assert not User.objects.filter(username="hanako").exists()

    joined = client.post(link, {"username": "hanako", "password": "Sakura-2026-kaisha",
                                "password_confirmation": "Sakura-2026-kaisha"})
    assert joined.status_code == 302
    user = User.objects.get(username="hanako")
    assert user.email == "hanako@a.example" and user.check_password("Sakura-2026-kaisha")
    with tenancy.activate(org_a):
        membership = Membership.objects.get(user=user)
    assert (membership.role, membership.person_id) == ("staff", people_a.suzuki.pk)
    assert client.get(reverse("home")).status_code == 200


def test_an_expired_or_cancelled_invitation_cannot_be_accepted(client_as, admin_a, org_a):
    with time_machine.travel(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        _invite(client_as(admin_a, org_a), "late@a.example")
        _invite(client_as(admin_a, org_a), "cancelled@a.example")
        late, cancelled = (_link(m) for m in mail.outbox)
        with tenancy.activate(org_a):
            invitation = Invitation.objects.get(email="cancelled@a.example")
        client_as(admin_a, org_a).post(reverse("org:invitation_revoke", args=[invitation.pk]))
        assert Client().get(cancelled).status_code == 410
    with time_machine.travel(dt.datetime(2026, 4, 8, 9, 1, tzinfo=dt.UTC), tick=False):
        response = Client().post(late, {"username": "late", "password": "Sakura-2026-kaisha",
                                        "password_confirmation": "Sakura-2026-kaisha"})
    assert response.status_code == 410
    assert "期限切れか、すでに使われています" in response.content.decode()
    assert not User.objects.filter(username="late").exists()


def test_a_member_cannot_accept_an_invitation_into_their_own_organization(
    client_as, admin_a, staff_a, org_a
):
    _invite(client_as(admin_a, org_a), "staff_a@example.com", role="admin")
    response = client_as(staff_a, org_a).post(_link(mail.outbox[0]))
    assert "すでにこの組織に所属しています" in response.content.decode()
    with tenancy.activate(org_a):
        assert Membership.objects.get(user=staff_a).role == "staff"


def test_a_deployment_operator_may_still_add_an_existing_account_by_username(
    client_as, admin_a, admin_b, org_a, org_b
):
    User.objects.filter(pk=admin_b.pk).update(is_superuser=True)
    response = client_as(admin_b, org_b).post(reverse("org:member_list"),
                                              {"username": "admin_a", "role": "auditor"})
    assert response.status_code == 302
    with tenancy.activate(org_b):
        assert Membership.objects.get(user=admin_a).role == "auditor"


def test_pending_invitations_are_listed_and_another_organizations_cannot_be_cancelled(
    client_as, admin_a, admin_b, org_a, org_b
):
    _invite(client_as(admin_b, org_b), "secret-b@b.example")
    with tenancy.activate(org_b):
        invitation = Invitation.objects.get()
    assert "secret-b@b.example" in client_as(admin_b, org_b).get(
        reverse("org:member_list")).content.decode()
    client = client_as(admin_a, org_a)
    assert "secret-b@b.example" not in client.get(reverse("org:member_list")).content.decode()
    assert client.post(reverse("org:invitation_revoke", args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_an_admin_changes_a_role_and_removes_an_account(client_as, admin_a, staff_a, org_a):
    client = client_as(admin_a, org_a)
    with tenancy.activate(org_a):
        membership = Membership.objects.get(user=staff_a)
    client.post(reverse("org:member_update", args=[membership.pk]), {"role": "auditor"})
    membership.refresh_from_db()
    assert membership.role == "auditor"
    client.post(reverse("org:member_update", args=[membership.pk]), {"deactivate": "1"})
    membership.refresh_from_db()
    assert membership.is_active is False
    # Without an active membership the account sees no organization at all.
    response = client_as(staff_a, org_a).get(reverse("org:person_list"))
    assert response.status_code == 403


def test_an_admin_cannot_change_their_own_role(client_as, admin_a, org_a):
    with tenancy.activate(org_a):
        membership = Membership.objects.get(user=admin_a)
    client_as(admin_a, org_a).post(reverse("org:member_update", args=[membership.pk]),
                                   {"role": "employee"})
    membership.refresh_from_db()
    assert membership.role == "admin"


def test_staff_cannot_manage_accounts(client_as, staff_a, org_a):
    assert client_as(staff_a, org_a).get(reverse("org:member_list")).status_code == 403


def test_both_invite_forms_preselect_the_employee_role_not_administrator(
    client_as, admin_a, org_a
):
    """Forgetting to change the role must not invite an administrator."""
    User.objects.filter(pk=admin_a.pk).update(is_superuser=True)  # shows the add-account form
    page = client_as(admin_a, org_a).get(reverse("org:member_list")).content.decode()

    selected = re.findall(r'<select name="role"[^>]*>.*?<option value="(\w+)"[^>]*selected', page,
                          re.S)
    assert selected == ["employee", "employee"]
