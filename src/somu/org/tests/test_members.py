from __future__ import annotations

from django.urls import reverse

from somu.core import tenancy
from somu.org.models import Membership, User


def test_an_admin_adds_a_new_account_with_a_role(client_as, admin_a, org_a, people_a):
    response = client_as(admin_a, org_a).post(reverse("org:member_list"), {
        "username": "hanako", "email": "hanako@a.example", "password": "Sakura-2026-kaisha",
        "role": "staff", "person": people_a.suzuki.pk,
    })
    assert response.status_code == 302
    user = User.objects.get(username="hanako")
    assert user.check_password("Sakura-2026-kaisha")
    with tenancy.activate(org_a):
        membership = Membership.objects.get(user=user)
    assert (membership.role, membership.person_id) == ("staff", people_a.suzuki.pk)


def test_a_new_account_needs_an_acceptable_password(client_as, admin_a, org_a):
    response = client_as(admin_a, org_a).post(reverse("org:member_list"), {
        "username": "weak", "password": "12345", "role": "employee",
    })
    assert response.status_code == 200
    assert not User.objects.filter(username="weak").exists()
    assert response.context["form"].errors["password"]


def test_an_existing_account_joins_a_second_organization(client_as, admin_a, admin_b, org_a,
                                                         org_b):
    client_as(admin_b, org_b).post(reverse("org:member_list"), {
        "username": "admin_a", "role": "auditor",
    })
    with tenancy.activate(org_b):
        assert Membership.objects.get(user=admin_a).role == "auditor"
    with tenancy.activate(org_a):
        assert Membership.objects.get(user=admin_a).role == "admin"


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
