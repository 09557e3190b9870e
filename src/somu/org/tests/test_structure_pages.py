"""Departments, grades and the calendar, managed through the pages."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from somu.core import tenancy
from somu.org import services
from somu.org.models import CompanyHoliday, Department, Grade


def text(response) -> str:
    return html.unescape(response.content.decode())


def tree(response) -> list[tuple[int, str]]:
    return [(n.depth, n.department.name) for n in response.context["nodes"]]


@pytest.fixture
def client(client_as, admin_a, org_a):
    return client_as(admin_a, org_a)


# ---- departments --------------------------------------------------------------------------------


def test_the_department_tree_shows_the_hierarchy_and_people_counts(client, people_a):
    response = client.get(reverse("org:department_tree"))
    assert tree(response) == [(0, "管理本部"), (1, "総務部"), (1, "人事部")]
    assert [n.people_count for n in response.context["nodes"]] == [0, 2, 1]


def test_a_department_is_created_under_a_parent(client, org_a, people_a, tr):
    response = client.post(reverse("org:department_create"),
                           {"name": "経理部", "code": "ACC", "parent": people_a.honbu.pk},
                           follow=True)
    assert tr("The department has been added.") in text(response)
    assert tree(response)[-1] == (1, "経理部")


def test_the_add_form_preselects_the_parent_from_the_link(client, people_a):
    response = client.get(reverse("org:department_create"), {"parent": people_a.honbu.pk})
    assert response.context["form"]["parent"].value() == people_a.honbu.pk


def test_a_duplicate_sibling_name_is_shown_next_to_the_name(client, people_a, tr):
    response = client.post(reverse("org:department_create"),
                           {"name": "総務部", "parent": people_a.honbu.pk})
    assert response.context["form"].errors["name"] == [
        tr("A department with this name already exists here.")]


def test_the_same_name_under_another_parent_is_fine(client, org_a, people_a):
    client.post(reverse("org:department_create"), {"name": "総務部"})
    with tenancy.activate(org_a):
        assert Department.objects.filter(name="総務部").count() == 2


def test_a_department_is_renamed_and_moved(client, org_a, people_a):
    url = reverse("org:department_edit", args=[people_a.jinji.pk])
    client.post(url, {"name": "人事総務部", "code": "HR", "parent": ""})
    response = client.get(reverse("org:department_tree"))
    assert tree(response) == [(0, "管理本部"), (1, "総務部"), (0, "人事総務部")]


def test_a_department_cannot_be_moved_under_its_own_child(client, org_a, people_a, tr):
    url = reverse("org:department_edit", args=[people_a.honbu.pk])
    form = client.get(url).context["form"]
    with tenancy.activate(org_a):
        offered = [label for _value, label in form.fields["parent"].choices][1:]
    assert offered == []  # every other department is below 管理本部
    response = client.post(url, {"name": "管理本部", "parent": people_a.somu.pk})
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    with tenancy.activate(org_a):
        assert Department.objects.get(pk=people_a.honbu.pk).parent is None


def test_the_service_refuses_a_parent_inside_the_departments_subtree(org_a, people_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as raised:
        services.department_update(actor=None, department=people_a.honbu,
                                   data={"parent": people_a.jinji})
    assert raised.value.message_dict == {"parent": [
        tr("A department cannot be placed under itself or one of its sub-departments.")]}


def test_departments_move_up_and_down_among_their_siblings(client, people_a):
    url = reverse("org:department_move", args=[people_a.jinji.pk])
    client.post(url, {"direction": "up"})
    assert tree(client.get(reverse("org:department_tree")))[1:] == [(1, "人事部"), (1, "総務部")]
    client.post(url, {"direction": "up"})  # already first: nothing changes
    assert tree(client.get(reverse("org:department_tree")))[1:] == [(1, "人事部"), (1, "総務部")]
    client.post(url, {"direction": "down"})
    assert tree(client.get(reverse("org:department_tree")))[1:] == [(1, "総務部"), (1, "人事部")]


def test_a_department_with_people_cannot_be_deleted(client, org_a, people_a, tr):
    response = client.post(reverse("org:department_delete", args=[people_a.jinji.pk]), follow=True)
    assert tr("People belong to this department; move them first.") in text(response)
    with tenancy.activate(org_a):
        assert Department.objects.filter(pk=people_a.jinji.pk).exists()


def test_a_department_with_sub_departments_cannot_be_deleted(client, org_a, people_a, tr):
    response = client.post(reverse("org:department_delete", args=[people_a.honbu.pk]), follow=True)
    assert tr("Move or delete its sub-departments first.") in text(response)
    with tenancy.activate(org_a):
        assert Department.objects.filter(pk=people_a.honbu.pk).exists()


def test_an_empty_department_is_deleted(client, org_a, people_a, tr):
    with tenancy.activate(org_a):
        empty = services.department_create(actor=None, name="空き部署", parent=people_a.honbu)
    response = client.post(reverse("org:department_delete", args=[empty.pk]), follow=True)
    assert tr("The department has been deleted.") in text(response)
    with tenancy.activate(org_a):
        assert not Department.objects.filter(pk=empty.pk).exists()


# ---- grades and skills ---------------------------------------------------------------------------


def grade_form(**overrides):
    return {"code": "G4", "name": "部長", "hourly_cost": "7000", "difficulty_min": "4",
            "difficulty_max": "5", "sort_order": "4", **overrides}


def test_a_grade_is_added_and_listed_with_its_cost(client, org_a, people_a):
    response = client.post(reverse("org:grade_create"), grade_form(), follow=True)
    body = text(response)
    assert "部長" in body
    assert "¥7,000" in body


def test_a_grade_band_running_from_high_to_low_is_rejected(client, org_a, people_a, tr):
    response = client.post(reverse("org:grade_create"),
                           grade_form(difficulty_min="5", difficulty_max="2"))
    assert response.context["form"].errors["difficulty_max"] == [
        tr("The band must run from low to high.")]
    with tenancy.activate(org_a):
        assert not Grade.objects.filter(code="G4").exists()


def test_the_grade_service_rejects_a_reversed_band_with_a_clear_message(org_a, people_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as raised:
        services.grade_save(actor=None, grade=None, data={
            "code": "G9", "name": "x", "hourly_cost": 1, "difficulty_min": 4,
            "difficulty_max": 2})
    assert raised.value.message_dict == {"difficulty_max": [
        tr("The band must run from low to high.")]}


def test_a_difficulty_outside_one_to_five_is_rejected(client, people_a):
    response = client.post(reverse("org:grade_create"), grade_form(difficulty_max="6"))
    assert "difficulty_max" in response.context["form"].errors


def test_a_duplicate_grade_code_is_shown_next_to_the_code(client, people_a, tr):
    response = client.post(reverse("org:grade_create"), grade_form(code="G1"))
    assert response.context["form"].errors["code"] == [tr("A grade with this code already exists.")]


def test_a_grade_in_use_cannot_be_deleted(client, org_a, people_a, tr):
    response = client.post(reverse("org:grade_delete", args=[people_a.g1.pk]), follow=True)
    assert tr("People hold this grade; change their grade first.") in text(response)
    with tenancy.activate(org_a):
        assert Grade.objects.filter(pk=people_a.g1.pk).exists()


def test_a_skill_is_added_and_a_duplicate_name_is_refused(client, org_a, people_a, tr):
    client.post(reverse("org:skill_create"), {"name": "英文契約", "category": "法務"})
    response = client.post(reverse("org:skill_create"), {"name": "Excel", "category": ""})
    assert response.context["form"].errors["name"] == [tr("A skill with this name already exists.")]
    skills = client.get(reverse("org:skill_list")).context["skills"]
    assert [s.name for s in skills] == ["Excel", "英文契約"]


# ---- calendar ------------------------------------------------------------------------------------


def test_the_calendar_lists_national_and_company_holidays(client, org_a):
    response = client.get(reverse("org:calendar"), {"year": 2026})
    holidays = dict(response.context["holidays"])
    assert holidays[dt.date(2026, 9, 22)] == "国民の休日"
    assert holidays[dt.date(2026, 12, 29)] == "年末休暇"
    assert response.context["business_days"] == 240


def test_a_company_holiday_is_added_and_changes_the_business_day_count(client, org_a, tr):
    url = reverse("org:calendar") + "?year=2026"
    response = client.post(url, {"name": "創立記念日", "month": "6", "day": "15", "year": "2026"},
                           follow=True)
    assert tr("The company holiday has been added.") in text(response)
    assert response.context["business_days"] == 239
    assert "創立記念日" in text(response)


def test_a_company_holiday_on_a_day_that_does_not_exist_is_rejected(client, org_a, tr):
    response = client.post(reverse("org:calendar"), {"name": "x", "month": "2", "day": "30"})
    assert response.context["form"].errors["day"] == [
        tr("This day does not exist in that month.")]
    with tenancy.activate(org_a):
        assert not CompanyHoliday.objects.filter(month=2).exists()


def test_february_29_is_accepted_as_a_yearly_holiday_but_not_in_2026(client, org_a):
    ok = client.post(reverse("org:calendar"), {"name": "閏日", "month": "2", "day": "29"})
    assert ok.status_code == 302
    refused = client.post(reverse("org:calendar"),
                          {"name": "閏日", "month": "2", "day": "29", "year": "2026"})
    assert "day" in refused.context["form"].errors


def test_a_company_holiday_twice_is_refused(client, org_a, tr):
    response = client.post(reverse("org:calendar"), {"name": "年末", "month": "12", "day": "29"})
    assert response.context["form"].errors["day"] == [tr("This day is already a company holiday.")]


def test_a_company_holiday_is_deleted(client, org_a, tr):
    with tenancy.activate(org_a):
        holiday = CompanyHoliday.objects.get(month=1, day=3)
    response = client.post(reverse("org:company_holiday_delete", args=[holiday.pk]), follow=True)
    assert tr("The company holiday has been removed.") in text(response)
    with tenancy.activate(org_a):
        assert not CompanyHoliday.objects.filter(pk=holiday.pk).exists()


def test_an_employee_sees_the_calendar_but_cannot_add_holidays(client_as, employee_a, org_a):
    client = client_as(employee_a, org_a)
    assert client.get(reverse("org:calendar")).status_code == 200
    response = client.post(reverse("org:calendar"), {"name": "x", "month": "6", "day": "1"})
    assert response.status_code == 403
