"""Account basics on the members and people pages: an administrator sets another account's
password, and retiring a person deactivates their login to the organization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services
from somu.org.models import ApiToken, Membership, User

NEW_PASSWORD = "Fuji-san-3776-meters"
OLD_PASSWORD = "correct horse battery staple"


def _membership(org, user) -> Membership:
    with tenancy.activate(org):
        return Membership.objects.select_related("user", "person").get(user=user)


# ---- an administrator sets another account's password --------------------------------------------


def test_an_admin_sets_the_password_of_an_account_and_it_is_audited(
        client_as, admin_a, staff_a, org_a):
    membership = _membership(org_a, staff_a)
    client = client_as(admin_a, org_a)
    members = client.get(reverse("org:member_list")).content.decode()
    url = reverse("org:member_password", args=[membership.pk])
    assert url in members
    assert client.get(url).status_code == 200
    response = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("org:member_list")
    assert User.objects.get(pk=staff_a.pk).check_password(NEW_PASSWORD)
    with tenancy.activate(org_a):
        event = AuditEvent.objects.get(action="user.password_set")
    assert (event.actor_id, event.object_repr) == (admin_a.pk, "staff_a")
    assert NEW_PASSWORD not in str(event.changes)


def test_a_weak_or_mismatched_password_gets_a_field_error(client_as, admin_a, staff_a, org_a):
    url = reverse("org:member_password", args=[_membership(org_a, staff_a).pk])
    client = client_as(admin_a, org_a)
    weak = client.post(url, {"new_password1": "12345678", "new_password2": "12345678"})
    # The rules' errors under the password, a mismatch under its confirmation.
    assert weak.status_code == 200 and list(weak.context["form"].errors) == ["new_password1"]
    mismatch = client.post(url, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert list(mismatch.context["form"].errors) == ["new_password2"]
    assert User.objects.get(pk=staff_a.pk).check_password(OLD_PASSWORD)


def test_the_service_refuses_a_weak_password_too(org_a, admin_a, staff_a):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.user_password_set(actor=admin_a, membership=_membership(org_a, staff_a),
                                   password="password")
    assert caught.value.message_dict["new_password1"]


def test_an_account_of_another_organization_too_is_refused(
        client_as, make_user, admin_a, org_a, org_b, tr):
    shared = make_user("shared", org_a, Role.STAFF)
    make_user("shared", org_b, Role.ADMIN)
    url = reverse("org:member_password", args=[_membership(org_a, shared).pk])
    response = client_as(admin_a, org_a).post(
        url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    assert tr("This account also belongs to another organization: only its owner (password "
              "reset by email) or the server operator can change its password.") in (
        response.context["form"].non_field_errors())
    assert User.objects.get(pk=shared.pk).check_password(OLD_PASSWORD)


def test_an_admin_does_not_set_their_own_password_here(org_a, admin_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.user_password_set(actor=admin_a, membership=_membership(org_a, admin_a),
                                   password=NEW_PASSWORD)
    assert caught.value.messages == [tr("Change your own password on your account page.")]


@pytest.mark.parametrize("who", ["staff_a", "manager_a", "employee_a", "auditor_a"])
def test_only_admins_set_passwords(client_as, org_a, admin_a, who, request):
    user = request.getfixturevalue(who)
    url = reverse("org:member_password", args=[_membership(org_a, admin_a).pk])
    client = client_as(user, org_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"new_password1": NEW_PASSWORD,
                             "new_password2": NEW_PASSWORD}).status_code == 403
    assert User.objects.get(pk=admin_a.pk).check_password(OLD_PASSWORD)


def test_another_organizations_account_is_not_found(client_as, admin_a, admin_b, org_a, org_b):
    url = reverse("org:member_password", args=[_membership(org_b, admin_b).pk])
    assert client_as(admin_a, org_a).post(
        url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}).status_code == 404
    assert User.objects.get(pk=admin_b.pk).check_password(OLD_PASSWORD)


# ---- retiring a person deactivates their login ---------------------------------------------------


def test_retiring_a_person_deactivates_their_login_and_tokens(org_a, people_a, employee_a,
                                                              admin_a):
    membership = _membership(org_a, employee_a)
    with tenancy.activate(org_a):
        token, _raw = services.api_token_create(actor=employee_a, membership=membership,
                                                name="連携")
        services.person_retire(actor=admin_a, person=people_a.suzuki,
                               retired_on=dt.date(2026, 3, 31))
        membership.refresh_from_db()
        assert not membership.is_active
        assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
        assert AuditEvent.objects.filter(action="membership.deactivate").count() == 1


def test_the_retire_form_says_the_login_will_be_deactivated(
        client_as, admin_a, org_a, people_a, employee_a, tr):
    client = client_as(admin_a, org_a)
    page = client.get(reverse("org:person_detail", args=[people_a.suzuki.pk])).content.decode()
    assert tr("The login %(usernames)s is linked to this person: retiring deactivates it in "
              "this organization, with its API tokens.",
              "The logins %(usernames)s are linked to this person: retiring deactivates them "
              "in this organization, with their API tokens.",
              n=1, usernames="employee_a") in page
    response = client.post(reverse("org:person_retire", args=[people_a.suzuki.pk]),
                           {"retired_on": "2026-03-31"}, follow=True)
    assert tr("Their login to this organization has been deactivated.") in (
        response.content.decode())
    # The retired person's account is out: it no longer reaches the organization.
    assert client_as(employee_a, org_a).get(reverse("home")).status_code != 200


def test_nobody_retires_the_person_their_own_account_is_linked_to(
        client_as, make_user, org_a, people_a, tr):
    admin = make_user("admin_yamada", org_a, Role.ADMIN, person=people_a.yamada)
    response = client_as(admin, org_a).post(
        reverse("org:person_retire", args=[people_a.yamada.pk]),
        {"retired_on": "2026-03-31"}, follow=True)
    assert tr("You cannot retire the person your own account is linked to: you would lose "
              "access. Ask another administrator.") in response.content.decode()
    assert _membership(org_a, admin).is_active
    with tenancy.activate(org_a):
        people_a.yamada.refresh_from_db()
    assert people_a.yamada.status == "active"
