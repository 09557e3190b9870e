"""Switching organization and language."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from somu.core.permissions import Role


def test_a_user_of_two_organizations_switches_and_sees_only_the_other(make_user, org_a, org_b,
                                                                      people_a, people_b):
    user = make_user("consultant", org_a, Role.STAFF)
    make_user("consultant", org_b, Role.EMPLOYEE)
    client = Client()
    client.force_login(user)

    first = client.get(reverse("org:person_list")).content.decode()
    assert "山田 太郎" in first  # 株式会社エー sorts first
    assert "ビー商事株式会社" in first  # offered in the switcher

    response = client.post(reverse("switch_organization"), {"organization_id": org_b.pk})
    assert response.status_code == 302
    after = client.get(reverse("org:person_list"))
    names = [p.name for p in after.context["page"]]
    assert names == ["木村 拓也"]
    assert after.context["membership"].role == "employee"
    assert client.get(reverse("org:person_create")).status_code == 403  # an employee in B


def test_switching_to_an_organization_you_do_not_belong_to_is_404(client_as, admin_a, org_a,
                                                                  org_b, people_a):
    client = client_as(admin_a, org_a)
    assert client.post(reverse("switch_organization"), {"organization_id": org_b.pk}) \
        .status_code == 404
    assert client.post(reverse("switch_organization"), {"organization_id": "x"}).status_code == 404
    first = next(iter(client.get(reverse("org:person_list")).context["page"]))
    assert first.name == "山田 太郎"


def test_a_stale_organization_in_the_session_falls_back_to_a_membership(client_as, admin_a,
                                                                        org_a, org_b, people_a):
    client = client_as(admin_a, org_b)  # the session names B, where admin_a has no membership
    response = client.get(reverse("org:person_list"))
    assert response.status_code == 200
    assert response.context["organization"] == org_a


def test_switching_needs_a_post(client_as, admin_a, org_a):
    assert client_as(admin_a, org_a).get(reverse("switch_organization")).status_code == 405


def test_pages_are_japanese_by_default(client_as, admin_a, org_a):
    body = client_as(admin_a, org_a).get(reverse("home")).content.decode()
    assert '<html lang="ja">' in body


def test_switching_the_language_to_english_renders_pages_in_english(client_as, admin_a, org_a):
    client = client_as(admin_a, org_a)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/org/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/org/people/"
    body = client.get(reverse("org:person_list")).content.decode()
    assert '<html lang="en">' in body
    assert ">People</h1>" in body
    client.post(reverse("set_language"), {"language": "ja"})
    assert '<html lang="ja">' in client.get(reverse("home")).content.decode()
