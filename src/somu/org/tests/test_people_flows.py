"""The people pages as a user uses them: add, edit, retire, reinstate, and the errors they see."""

from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from somu.core import tenancy
from somu.org import services
from somu.org.models import Person


def text(response) -> str:
    return html.unescape(response.content.decode())


def form_data(people, **overrides):
    data = {
        "employee_number": "A010", "name": "高橋 一郎", "name_kana": "たかはし いちろう",
        "email": "takahashi@a.example", "department": people.jinji.pk, "grade": people.g1.pk,
        "employment_type": "contract", "hire_date": "2025-04-01", "manager": people.sato.pk,
        "standard_monthly_hours": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def get_person(org, **lookup) -> Person:
    with tenancy.activate(org):
        return Person.objects.get(**lookup)


@pytest.fixture
def client(client_as, staff_a, org_a):
    return client_as(staff_a, org_a)


def test_staff_adds_a_person_through_the_form(client, org_a, people_a, tr):
    assert client.get(reverse("org:person_create")).status_code == 200
    response = client.post(reverse("org:person_create"), form_data(people_a), follow=True)
    person = get_person(org_a, employee_number="A010")
    assert response.redirect_chain[-1][0] == reverse("org:person_detail", args=[person.pk])
    assert (person.name, person.department, person.manager, person.employment_type) == (
        "高橋 一郎", people_a.jinji, people_a.sato, "contract")
    assert tr("%(name)s has been added.", name="高橋 一郎") in text(response)
    assert "管理本部/人事部" in text(response)


def test_staff_edits_a_person(client, org_a, people_a, tr):
    url = reverse("org:person_edit", args=[people_a.tanaka.pk])
    page = client.get(url)
    assert 'value="田中 美咲"' in page.content.decode()
    response = client.post(url, form_data(people_a, employee_number="A004", name="田中 美咲",
                                          department=people_a.somu.pk, manager=people_a.yamada.pk),
                           follow=True)
    assert tr("The changes have been saved.") in text(response)
    tanaka = get_person(org_a, pk=people_a.tanaka.pk)
    assert (tanaka.department, tanaka.manager) == (people_a.somu, people_a.yamada)


def test_a_duplicate_employee_number_is_shown_next_to_the_field(client, org_a, people_a, tr):
    response = client.post(reverse("org:person_create"),
                           form_data(people_a, employee_number="A001"))
    assert response.status_code == 200
    assert response.context["form"].errors["employee_number"] == [
        tr("Another person already has this employee number.")]
    assert tr("Another person already has this employee number.") in text(response)
    assert get_person(org_a, employee_number="A001").name == "山田 太郎"


def test_a_manager_cycle_is_shown_next_to_the_manager_field(client, org_a, people_a, tr):
    # 鈴木 reports to 山田; making 鈴木 山田's manager would close a loop.
    url = reverse("org:person_edit", args=[people_a.yamada.pk])
    response = client.post(url, form_data(people_a, employee_number="A001", name="山田 太郎",
                                          department=people_a.somu.pk, manager=people_a.suzuki.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["manager"] == [
        tr("This manager would create a reporting cycle.")]
    assert get_person(org_a, pk=people_a.yamada.pk).manager is None


def test_a_person_cannot_be_chosen_as_their_own_manager(client, people_a):
    url = reverse("org:person_edit", args=[people_a.yamada.pk])
    response = client.post(url, form_data(people_a, employee_number="A001", name="山田 太郎",
                                          manager=people_a.yamada.pk))
    assert response.status_code == 200
    assert "manager" in response.context["form"].errors


def test_a_bad_hire_date_and_a_missing_name_are_reported(client, people_a):
    response = client.post(reverse("org:person_create"),
                           form_data(people_a, name="", hire_date="2025-02-30"))
    assert set(response.context["form"].errors) == {"name", "hire_date"}


def test_retiring_hides_the_person_from_the_default_list(client, org_a, people_a, tr):
    response = client.post(reverse("org:person_retire", args=[people_a.sato.pk]),
                           {"retired_on": "2026-03-31"}, follow=True)
    assert tr("%(name)s is now recorded as retired.", name="佐藤 健") in text(response)
    sato = get_person(org_a, pk=people_a.sato.pk)
    assert (sato.status, sato.retired_on.isoformat()) == ("retired", "2026-03-31")
    default = text(client.get(reverse("org:person_list")))
    assert "佐藤 健" not in default
    assert "山田 太郎" in default
    retired = client.get(reverse("org:person_list"), {"status": "retired"})
    assert [p.name for p in retired.context["page"]] == ["佐藤 健"]
    everyone = client.get(reverse("org:person_list"), {"status": "all"})
    assert len(everyone.context["page"]) == 4


def test_reinstating_brings_a_retired_person_back(client, org_a, people_a, tr):
    client.post(reverse("org:person_retire", args=[people_a.sato.pk]), {"retired_on": "2026-03-31"})
    response = client.post(reverse("org:person_reinstate", args=[people_a.sato.pk]), follow=True)
    assert tr("%(name)s is active again.", name="佐藤 健") in text(response)
    sato = get_person(org_a, pk=people_a.sato.pk)
    assert (sato.status, sato.retired_on) == ("active", None)
    assert "佐藤 健" in text(client.get(reverse("org:person_list")))


def test_a_retirement_before_the_hire_date_is_refused_with_the_reason(client, org_a, people_a, tr):
    response = client.post(reverse("org:person_retire", args=[people_a.suzuki.pk]),
                           {"retired_on": "2020-03-31"}, follow=True)
    assert tr("The retirement date is before the hire date.") in text(response)
    assert get_person(org_a, pk=people_a.suzuki.pk).status == "active"


def test_retiring_twice_is_refused(client, org_a, people_a, tr):
    url = reverse("org:person_retire", args=[people_a.sato.pk])
    client.post(url, {"retired_on": "2026-03-31"})
    response = client.post(url, {"retired_on": "2026-04-30"}, follow=True)
    assert tr("This person has already retired.") in text(response)
    assert get_person(org_a, pk=people_a.sato.pk).retired_on.isoformat() == "2026-03-31"


def test_a_retirement_without_a_valid_date_is_refused(client, org_a, people_a, tr):
    response = client.post(reverse("org:person_retire", args=[people_a.sato.pk]),
                           {"retired_on": "someday"}, follow=True)
    assert tr("Enter a valid retirement date.") in text(response)
    assert get_person(org_a, pk=people_a.sato.pk).status == "active"


def test_a_skill_level_is_set_and_removed(client, org_a, people_a):
    url = reverse("org:person_skill_set", args=[people_a.suzuki.pk])
    client.post(url, {"skill": people_a.excel.pk, "level": "3"})
    with tenancy.activate(org_a):
        assert [(s.skill.name, s.level) for s in people_a.suzuki.skills.all()] == [("Excel", 3)]
    client.post(url, {"skill": people_a.excel.pk, "level": "0"})
    with tenancy.activate(org_a):
        assert not people_a.suzuki.skills.exists()


def test_the_people_list_searches_by_kana_and_filters_by_department(client, people_a):
    response = client.get(reverse("org:person_list"), {"q": "さとう"})
    assert [p.name for p in response.context["page"]] == ["佐藤 健"]
    response = client.get(reverse("org:person_list"), {"department": people_a.honbu.pk})
    assert [p.name for p in response.context["page"]] == ["山田 太郎", "鈴木 花子", "佐藤 健"]
    response = client.get(reverse("org:person_list"), {"grade": people_a.g1.pk})
    assert [p.name for p in response.context["page"]] == ["鈴木 花子", "田中 美咲"]


def test_an_htmx_search_gets_only_the_table(client, people_a):
    response = client.get(reverse("org:person_list"), {"q": "山田"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "山田 太郎" in body
    assert "<html" not in body


def test_the_person_page_shows_the_department_path_and_capacity(client, people_a):
    body = text(client.get(reverse("org:person_detail", args=[people_a.suzuki.pk])))
    assert "管理本部/総務部" in body
    assert "160 h" in body
    assert "山田 太郎" in body  # the manager


# ---- the person service's rules: the form, the API and the import refuse the same values ------

TODAY = dt.date(2026, 4, 1)


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"hire_date": dt.date(2028, 4, 2)}, "hire_date",
     ("The hire date is more than %(years)s years ahead (after %(date)s); check it.",
      {"years": 2, "date": "2028-04-01"})),
    ({"name_kana": "Takahashi"}, "name_kana", ("Write the furigana in hiragana or katakana.", {})),
    ({"name_kana": "高橋"}, "name_kana", ("Write the furigana in hiragana or katakana.", {})),
    ({"standard_monthly_hours": Decimal(0)}, "standard_monthly_hours",
     ("Standard monthly hours must be more than 0 and at most %(max)s.", {"max": 400})),
    ({"standard_monthly_hours": Decimal("400.5")}, "standard_monthly_hours",
     ("Standard monthly hours must be more than 0 and at most %(max)s.", {"max": 400})),
])
def test_the_person_service_refuses_implausible_values_and_stores_nothing(
        org_a, people_a, tr, data, field, message):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as refused:
        services.person_create(actor=None, today=TODAY, data={
            "employee_number": "A010", "name": "高橋 一郎", **data})
    assert refused.value.message_dict == {field: [tr(message[0]) % message[1]]}
    with tenancy.activate(org_a):
        assert not Person.objects.filter(employee_number="A010").exists()


def test_plausible_values_pass_the_person_service(org_a, people_a):
    with tenancy.activate(org_a):
        person = services.person_create(actor=None, today=TODAY, data={
            "employee_number": "A010", "name": "高橋 一郎", "name_kana": "タカハシ・イチロー　ｼﾞｭﾆｱ",
            "hire_date": dt.date(2028, 4, 1), "standard_monthly_hours": Decimal(400)})
    assert person.pk is not None


def test_the_form_shows_the_furigana_and_hours_rules_next_to_their_fields(client, org_a,
                                                                           people_a, tr):
    response = client.post(reverse("org:person_create"), form_data(
        people_a, name_kana="Takahashi", standard_monthly_hours="0"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "name_kana": [tr("Write the furigana in hiragana or katakana.")],
        "standard_monthly_hours": [
            tr("Standard monthly hours must be more than 0 and at most %(max)s.") % {"max": 400}]}
    with tenancy.activate(org_a):
        assert not Person.objects.filter(employee_number="A010").exists()


def test_the_api_refuses_the_same_values_with_422_naming_the_field(client, org_a, people_a):
    response = client.post("/api/v1/people", {"employee_number": "A010", "name": "高橋 一郎",
                                              "name_kana": "Takahashi"},
                           content_type="application/json")
    assert response.status_code == 422, response.content
    assert [f["field"] for f in response.json()["error"]["fields"]] == ["name_kana"]


def test_a_duplicate_employee_number_is_reported_together_with_the_other_field_errors(
        client, org_a, people_a, tr):
    response = client.post(reverse("org:person_create"), form_data(
        people_a, employee_number="A001", email="bad", hire_date="2025-02-30",
        name_kana="Takahashi"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"employee_number", "email", "hire_date", "name_kana"}
    assert errors["employee_number"] == [tr("Another person already has this employee number.")]


def test_the_person_service_reports_every_problem_at_once(org_a, people_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as refused:
        services.person_update(actor=None, person=people_a.yamada, today=TODAY, data={
            "employee_number": "A002", "name_kana": "Yamada", "manager": people_a.suzuki})
    assert refused.value.message_dict == {
        "employee_number": [tr("Another person already has this employee number.")],
        "name_kana": [tr("Write the furigana in hiragana or katakana.")],
        "manager": [tr("This manager would create a reporting cycle.")],
    }


def test_the_api_answers_a_taken_employee_number_alone_with_409_and_with_others_with_422(
        client, org_a, people_a):
    alone = client.post("/api/v1/people", {"employee_number": "A001", "name": "高橋 一郎"},
                        content_type="application/json")
    assert alone.status_code == 409, alone.content
    both = client.post("/api/v1/people", {"employee_number": "A001", "name": "高橋 一郎",
                                          "name_kana": "Takahashi"},
                       content_type="application/json")
    assert both.status_code == 422, both.content
    assert sorted(f["field"] for f in both.json()["error"]["fields"]) == [
        "employee_number", "name_kana"]


def test_the_department_choices_follow_the_organization_chart(client, org_a, people_a):
    with tenancy.activate(org_a):
        eigyo = services.department_create(actor=None, name="営業本部")
        services.department_create(actor=None, name="営業部", parent=eigyo)
        services.department_create(actor=None, name="会計部", parent=people_a.honbu)
    page = client.get(reverse("org:person_create")).content.decode()
    select = page[page.index('name="department"'):]
    select = select[:select.index("</select>")]
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    # As the organization chart lists them: each under its parent, siblings in their set order.
    assert labels[1:] == ["管理本部", "管理本部/総務部", "管理本部/人事部", "管理本部/会計部",
                          "営業本部", "営業本部/営業部"]


def test_the_manager_is_chosen_with_the_searching_person_picker(client, people_a):
    page = client.get(reverse("org:person_edit", args=[people_a.suzuki.pk])).content.decode()
    select = page[page.index('name="manager"'):]
    select = select[:select.index("</select>")]
    assert "data-person-picker" in page[page.rindex("<select", 0, page.index('name="manager"')):
                                        page.index('name="manager"') + 200]
    # Only the chosen manager is sent, not every person of the organization.
    assert "A001 山田 太郎" in select and "佐藤" not in select
