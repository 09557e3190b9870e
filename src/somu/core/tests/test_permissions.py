"""Who may do what: has_perm per role, and what the pages answer."""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from somu.audit.permissions import VIEW_AUDIT
from somu.core import tenancy
from somu.core.permissions import Role, has_perm, require
from somu.org.models import Membership
from somu.org.permissions import (
    EDIT_PEOPLE,
    IMPORT_PEOPLE,
    MANAGE_MEMBERS,
    MANAGE_ORGANIZATION,
    MANAGE_STRUCTURE,
    VIEW_ORG,
)
from somu.procedures.permissions import HANDOVER, VIEW_HANDOVER
from somu.survey.permissions import VIEW_ANALYSIS, VIEW_TEAM_ANALYSIS, analysis_scope


def text(response) -> str:
    return html.unescape(response.content.decode())


ROLES = ["admin", "manager", "staff", "employee", "auditor"]

# perm: the roles that hold it (in general, "may I see the button").
EXPECTED = {
    VIEW_ORG: {"admin", "manager", "staff", "employee", "auditor"},
    EDIT_PEOPLE: {"admin", "manager", "staff"},
    IMPORT_PEOPLE: {"admin", "staff"},
    MANAGE_STRUCTURE: {"admin", "staff"},
    MANAGE_MEMBERS: {"admin"},
    VIEW_AUDIT: {"admin", "auditor"},
    MANAGE_ORGANIZATION: {"admin"},
    VIEW_ANALYSIS: {"admin", "staff", "auditor"},
    VIEW_TEAM_ANALYSIS: {"admin", "manager", "staff", "auditor"},
    HANDOVER: {"admin"},
    # The auditor reads everything read-only, the executed handovers (also in the audit log) too.
    VIEW_HANDOVER: {"admin", "auditor"},
}


@pytest.fixture
def memberships(org_a, admin_a, manager_a, staff_a, employee_a, auditor_a):
    users = {"admin": admin_a, "manager": manager_a, "staff": staff_a, "employee": employee_a,
             "auditor": auditor_a}
    with tenancy.activate(org_a):
        return {
            role: Membership.objects.select_related("person").get(user=user)
            for role, user in users.items()
        }


@pytest.mark.parametrize("perm", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_holds_exactly_its_permissions(memberships, org_a, role, perm):
    with tenancy.activate(org_a):
        assert has_perm(memberships[role], perm) is (role in EXPECTED[perm])


@pytest.mark.parametrize(
    ("department", "allowed"),
    [("somu", True), ("jinji", False), ("honbu", False), (None, False)],
)
def test_a_manager_edits_people_only_in_their_own_department_subtree(
    memberships, org_a, people_a, department, allowed
):
    dept_id = getattr(people_a, department).pk if department else None
    with tenancy.activate(org_a):
        assert has_perm(memberships["manager"], EDIT_PEOPLE, department_id=dept_id) is allowed


def test_a_manager_of_a_parent_department_covers_its_sub_departments(
    make_user, org_a, people_a
):
    from somu.org import services

    with tenancy.activate(org_a):
        boss = services.person_create(actor=None, data={
            "employee_number": "A100", "name": "本部 長", "department": people_a.honbu})
    user = make_user("honbu_manager", org_a, Role.MANAGER, person=boss)
    with tenancy.activate(org_a):
        membership = Membership.objects.get(user=user)
        for dept in (people_a.honbu, people_a.somu, people_a.jinji):
            assert has_perm(membership, EDIT_PEOPLE, department_id=dept.pk)


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_admin_and_staff_edit_people_in_any_department(memberships, org_a, people_a, role):
    with tenancy.activate(org_a):
        assert has_perm(memberships[role], EDIT_PEOPLE, department_id=people_a.jinji.pk)
        assert has_perm(memberships[role], EDIT_PEOPLE, department_id=None)


def test_an_inactive_membership_may_do_nothing(memberships, org_a):
    membership = memberships["admin"]
    membership.is_active = False
    assert not has_perm(membership, VIEW_ORG)
    assert not has_perm(None, VIEW_ORG)


def test_an_unknown_permission_is_a_programming_error(memberships):
    with pytest.raises(ValueError, match="Unknown permission"):
        has_perm(memberships["admin"], "fly")


def test_require_raises_permission_denied_with_a_message(memberships, tr):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied) as raised:
        require(memberships["employee"], EDIT_PEOPLE)
    assert str(raised.value) == tr("You do not have permission to do this.")


def test_role_labels_follow_the_active_language(tr):
    from django.utils import translation

    field = Membership._meta.get_field("role")
    with translation.override("en"):
        assert dict(field.flatchoices)["admin"] == "Administrator"
    with translation.override("ja"):
        assert dict(field.flatchoices)["admin"] == tr("Administrator")


# ---- pages ---------------------------------------------------------------------------------------


def test_an_employee_gets_403_on_person_edit_and_department_create(client_as, employee_a, org_a,
                                                                   people_a, tr):
    client = client_as(employee_a, org_a)
    assert client.get(reverse("org:person_edit", args=[people_a.suzuki.pk])).status_code == 403
    assert client.get(reverse("org:department_create")).status_code == 403
    response = client.post(reverse("org:department_create"), {"name": "経理部"})
    assert response.status_code == 403
    assert tr("You do not have permission to do this.") in text(response)


def test_an_employee_sees_people_but_no_edit_buttons(client_as, employee_a, org_a, people_a):
    client = client_as(employee_a, org_a)
    body = client.get(reverse("org:person_detail", args=[people_a.suzuki.pk])).content.decode()
    assert "鈴木 花子" in body
    assert reverse("org:person_edit", args=[people_a.suzuki.pk]) not in body
    body = client.get(reverse("org:person_list")).content.decode()
    assert reverse("org:person_create") not in body


def test_a_manager_can_edit_suzuki_of_their_department(client_as, manager_a, org_a, people_a):
    client = client_as(manager_a, org_a)
    url = reverse("org:person_edit", args=[people_a.suzuki.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "employee_number": "A002", "name": "鈴木 花子", "name_kana": "すずき はなこ",
        "department": people_a.somu.pk, "grade": people_a.g2.pk, "employment_type": "regular",
        "hire_date": "2022-04-01", "manager": people_a.yamada.pk,
    })
    assert response.status_code == 302
    with tenancy.activate(org_a):
        people_a.suzuki.refresh_from_db()
    assert people_a.suzuki.grade == people_a.g2


def test_a_manager_gets_403_on_sato_of_another_department(client_as, manager_a, org_a, people_a):
    client = client_as(manager_a, org_a)
    assert client.get(reverse("org:person_edit", args=[people_a.sato.pk])).status_code == 403
    response = client.post(reverse("org:person_retire", args=[people_a.sato.pk]),
                           {"retired_on": "2026-03-31"})
    assert response.status_code == 403


def test_a_manager_cannot_move_their_person_out_of_their_department(client_as, manager_a, org_a,
                                                                    people_a):
    client = client_as(manager_a, org_a)
    response = client.post(reverse("org:person_edit", args=[people_a.suzuki.pk]), {
        "employee_number": "A002", "name": "鈴木 花子", "department": people_a.jinji.pk,
        "employment_type": "regular",
    })
    assert response.status_code == 403
    with tenancy.activate(org_a):
        people_a.suzuki.refresh_from_db()
    assert people_a.suzuki.department == people_a.somu


def test_a_manager_cannot_manage_departments(client_as, manager_a, org_a):
    assert client_as(manager_a, org_a).get(reverse("org:department_create")).status_code == 403


def test_an_auditor_opens_the_audit_log_but_cannot_edit(client_as, auditor_a, org_a, people_a):
    client = client_as(auditor_a, org_a)
    assert client.get(reverse("audit:event_list")).status_code == 200
    assert client.get(reverse("org:person_edit", args=[people_a.suzuki.pk])).status_code == 403
    assert client.get(reverse("org:person_create")).status_code == 403
    assert client.get(reverse("org:grade_create")).status_code == 403


@pytest.mark.parametrize("page", ["audit:event_list", "org:member_list"])
def test_staff_cannot_see_the_audit_log_or_the_members_page(client_as, staff_a, org_a, page):
    client = client_as(staff_a, org_a)
    assert client.get(reverse(page)).status_code == 403
    body = client.get(reverse("home")).content.decode()
    assert reverse(page) not in body


def test_an_admin_sees_the_audit_log_and_members_in_the_navigation(client_as, admin_a, org_a):
    body = client_as(admin_a, org_a).get(reverse("home")).content.decode()
    assert reverse("audit:event_list") in body
    assert reverse("org:member_list") in body


@pytest.mark.parametrize("user", ["admin_a", "manager_a", "staff_a", "employee_a", "auditor_a"])
def test_the_navigation_offers_no_feature_that_is_not_there_yet(request, client_as, org_a, tr,
                                                                  user):
    body = text(client_as(request.getfixturevalue(user), org_a).get(reverse("home")))
    assert tr("Requests and approvals") not in body
    assert tr("Coming in a later release") not in body


def test_an_employee_keeps_the_api_documentation_and_personal_tokens(client_as, employee_a,
                                                                     org_a, tr):
    # An employee may work on their own steps and answer their survey through the API with a
    # personal token, so both the documentation and the tokens stay in the navigation.
    body = text(client_as(employee_a, org_a).get(reverse("home")))
    assert 'href="/api/v1/docs"' in body
    assert tr("Personal API tokens") in body
    assert tr("Other") not in body  # no empty group heading once the audit log link is hidden


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("org:person_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_any_membership_is_told_so(client, db, tr):
    from somu.org import services

    user = services.user_create(actor=None, username="lonely", password="x" * 12)
    client.force_login(user)
    response = client.get(reverse("org:person_list"))
    assert response.status_code == 403
    assert tr("Your account does not belong to any organization yet. "
              "Ask an administrator to add you.") in text(response)


def test_the_analysis_scope_is_everyone_or_a_managers_department_subtree(
        memberships, org_a, people_a):
    with tenancy.activate(org_a):
        for role in ("admin", "staff", "auditor"):
            assert analysis_scope(memberships[role]) is None
        assert analysis_scope(memberships["manager"]) == {people_a.somu.pk}
        with pytest.raises(PermissionDenied):
            analysis_scope(memberships["employee"])
