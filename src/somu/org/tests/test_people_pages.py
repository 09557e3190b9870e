from __future__ import annotations

from django.urls import reverse


def test_it_lists_the_people_of_the_active_organization(client_as, admin_a, org_a, people_a):
    response = client_as(admin_a, org_a).get(reverse("org:person_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "山田 太郎" in body
    assert "鈴木 花子" in body


def test_it_does_not_show_people_of_another_organization(client_as, admin_a, org_a, people_a,
                                                         people_b):
    body = client_as(admin_a, org_a).get(reverse("org:person_list")).content.decode()
    assert "木村 拓也" not in body
