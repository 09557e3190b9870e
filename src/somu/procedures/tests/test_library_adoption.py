"""Adopting a library procedure says once, at adoption, which roles to set up — and the page and
the API refuse a second adoption alike, because the service does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services as org_services
from somu.procedures.models import Template
from somu.procedures.services import launching, library
from somu.procedures.tests.test_api import api_as_fixture, assert_error  # noqa: F401

CLOSE = "monthly_close"  # 13 steps by the staff role, one (経理責任者の承認) by the manager role


def _needs(org) -> dict[str, tuple[str, ...]]:
    with tenancy.activate(org):
        return {n.role: n.steps for n in launching.role_needs(library.library_entry(CLOSE).spec)}


def test_role_needs_names_each_missing_role_once_with_its_steps(org_a, people_a, admin_a):
    needs = _needs(org_a)
    assert set(needs) == {"staff", "manager"}
    assert len(needs["staff"]) == 13
    assert needs["manager"] == ("経理責任者の承認",)


def test_a_role_held_only_by_an_account_without_a_person_is_still_needed(
        org_a, people_a, staff_a, make_user):
    assert "staff" in _needs(org_a)  # staff_a is linked to nobody: no step can go to them
    make_user("sato", org_a, Role.STAFF, person=people_a.sato)
    assert set(_needs(org_a)) == {"manager"}


def test_a_retired_holder_does_not_count(org_a, people_a, make_user):
    make_user("sato", org_a, Role.STAFF, person=people_a.sato)
    with tenancy.activate(org_a):
        org_services.person_retire(actor=None, person=people_a.sato,
                                   retired_on=dt.date(2026, 3, 31))
    assert "staff" in _needs(org_a)


def test_adopting_twice_is_refused_by_the_service_naming_the_template(org_a, people_a):
    with tenancy.activate(org_a):
        first = library.library_adopt(actor=None, key=CLOSE)
        Template.objects.filter(pk=first.pk).update(name="月次決算（旧）")  # not a name clash
        with pytest.raises(library.AlreadyAdopted) as caught:
            library.library_adopt(actor=None, key=CLOSE)
        assert Template.objects.filter(library_key=CLOSE).count() == 1
    assert caught.value.template == first


def test_the_page_tells_the_admin_at_adoption_which_roles_to_set_up(
        client_as, admin_a, org_a, people_a, tr):
    response = client_as(admin_a, org_a).post(
        reverse("procedures:library_adopt", args=[CLOSE]))
    assert response.status_code == 302
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert len(warnings) == 2  # one per role, not one per step at the first launch
    staff, manager = warnings
    assert tr("Back-office staff") in staff and tr("Manager") in manager
    assert "13" in staff and "経理責任者の承認" in manager
    members = reverse("org:member_list")
    assert all(f'href="{members}"' in w for w in warnings)
    # The admin has no person record: nobody can take the steps meanwhile, and it says so.
    assert all(tr("Until then launching it fails: the template has no owner to take them.") in w
               for w in warnings)


def test_with_an_owner_the_page_says_the_steps_go_to_the_owner_meanwhile(
        client_as, make_user, org_a, people_a, tr):
    admin = make_user("admin_yamada", org_a, Role.ADMIN, person=people_a.yamada)
    response = client_as(admin, org_a).post(reverse("procedures:library_adopt", args=[CLOSE]))
    warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    # 山田 holds the admin role, not manager: both roles are still missing.
    assert len(warnings) == 2
    assert all(tr("Until then they go to the owner %(owner)s, flagged for review.",
                  owner="山田 太郎") in w for w in warnings)


def test_nothing_to_set_up_means_no_warning(client_as, make_user, org_a, people_a):
    make_user("yamada", org_a, Role.MANAGER, person=people_a.yamada)
    staff = make_user("suzuki", org_a, Role.STAFF, person=people_a.suzuki)
    response = client_as(staff, org_a).post(reverse("procedures:library_adopt", args=[CLOSE]))
    assert [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"] == []


def test_the_page_and_the_api_refuse_a_second_adoption_alike(
        client_as, api_as, admin_a, org_a, people_a, tr):
    client = client_as(admin_a, org_a)
    client.post(reverse("procedures:library_adopt", args=[CLOSE]))
    with tenancy.activate(org_a):
        template = Template.objects.get(library_key=CLOSE)
        # Renamed: only the adoption record (library_key) can tell it is the same procedure.
        Template.objects.filter(pk=template.pk).update(name="月次決算（当社版）")
    again = client.post(reverse("procedures:library_adopt", args=[CLOSE]))
    assert again["Location"] == reverse("procedures:template_detail", args=[template.pk])
    assert tr("This procedure was adopted already.") in [
        str(m) for m in get_messages(again.wsgi_request)]
    error = assert_error(api_as(admin_a).post(f"/library/{CLOSE}/adopt"), 409, "conflict")
    assert str(template.pk) in error["message"]
    with tenancy.activate(org_a):
        assert Template.objects.filter(library_key=CLOSE).count() == 1


def test_the_api_answers_what_to_set_up_with_the_adopted_template(api_as, admin_a, org_a,
                                                                    people_a):
    response = api_as(admin_a).post(f"/library/{CLOSE}/adopt")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["library_key"] == CLOSE
    needs = {n["role"]: n for n in body["setup_needed"]}
    assert set(needs) == {"staff", "manager"}
    assert needs["manager"] == {"role": "manager", "department": "",
                                "steps": ["経理責任者の承認"]}
