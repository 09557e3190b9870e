"""Person pickers: the search behind them, and pages that stay small with 10,000 people."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from somu.core import tenancy
from somu.org import services
from somu.org.models import Person
from somu.org.pickers import PeopleField, PersonField

SEARCH = reverse("org:person_search")


def search(client, q: str, **params: str) -> list[str]:
    response = client.get(SEARCH, {"q": q, **params})
    assert response.status_code == 200
    return [row["label"] for row in response.json()["results"]]


@pytest.fixture
def many_people(org_a, people_a) -> int:
    """10,000 more people in organization A: 社員番号 E00001 … E10000."""
    with tenancy.activate(org_a):
        Person.objects.bulk_create([
            Person(organization=org_a, employee_number=f"E{n:05d}", name=f"社員 {n:05d}",
                   name_kana=f"しゃいん {n:05d}", department=people_a.jinji)
            for n in range(1, 10_001)
        ], batch_size=2000)
    return 10_000


def test_it_finds_people_by_name_kana_in_either_script_or_employee_number(
        client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    assert search(client, "山田") == ["A001 山田 太郎"]
    assert search(client, "すずき") == ["A002 鈴木 花子"]
    assert search(client, "スズキ") == ["A002 鈴木 花子"]  # katakana finds the hiragana reading
    assert search(client, "ｽｽﾞｷ") == ["A002 鈴木 花子"]  # half-width katakana too
    assert search(client, "Ａ００３") == ["A003 佐藤 健"]  # full-width 社員番号
    assert search(client, "さとう けん") == ["A003 佐藤 健"]  # every word must match
    assert search(client, "nobody") == []


def test_each_result_says_who_the_person_is(client_as, staff_a, org_a, people_a):
    response = client_as(staff_a, org_a).get(SEARCH, {"q": "A002"})
    assert response.json() == {"results": [{
        "id": people_a.suzuki.pk, "number": "A002", "name": "鈴木 花子", "kana": "すずき はなこ",
        "department": "管理本部/総務部", "label": "A002 鈴木 花子"}]}


def test_retired_people_are_offered_only_when_asked_for(client_as, staff_a, org_a, people_a):
    with tenancy.activate(org_a):
        services.person_retire(actor=None, person=people_a.tanaka,
                               retired_on=dt.date(2026, 3, 31))
    client = client_as(staff_a, org_a)
    assert search(client, "田中") == []
    assert search(client, "田中", status="all") == ["A004 田中 美咲（退職）"]


def test_it_never_offers_people_of_another_organization(client_as, staff_a, org_a, people_a,
                                                       org_b, people_b):
    client = client_as(staff_a, org_a)
    assert search(client, "木村") == []
    assert search(client, "B001", status="all") == []


def test_it_needs_a_login_and_a_membership(client, org_a, people_a):
    response = client.get(SEARCH, {"q": "山田"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_with_10000_people_it_answers_20_with_an_exact_number_first(
        client_as, staff_a, org_a, many_people, django_assert_max_num_queries):
    client = client_as(staff_a, org_a)
    with django_assert_max_num_queries(8):  # session, membership, search, departments
        labels = search(client, "社員")
    assert len(labels) == 20
    assert search(client, "E09999") == ["E09999 社員 09999"]
    # "e0" is in every one of the 10,000 numbers, all sorting before it: the person whose
    # number it is still comes first.
    with tenancy.activate(org_a):
        services.person_create(actor=None, data={"employee_number": "e0", "name": "小野 零"})
    labels = search(client, "e0")
    assert labels[0] == "e0 小野 零" and len(labels) == 20


def test_with_10000_people_the_pages_with_pickers_do_not_embed_everyone(
        client_as, admin_a, org_a, many_people, django_assert_max_num_queries):
    client = client_as(admin_a, org_a)
    for url in (reverse("org:member_list"), reverse("procedures:handover_new"),
                reverse("procedures:template_create")):
        with django_assert_max_num_queries(20):
            response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200
        assert 'data-person-picker="/org/people/search/' in body or \
            'data-person-search="/org/people/search/"' in body  # the editor's 社員番号 inputs
        assert "社員 05000" not in body
        assert len(body) < 100_000


def test_the_picker_shows_the_chosen_person_and_validates_against_the_organization(
        org_a, people_a, org_b, people_b):
    class Form(forms.Form):
        person = PersonField(label="person")
        people = PeopleField(label="people", required=False)

    with tenancy.activate(org_a):
        html = str(Form(initial={"person": people_a.yamada.pk})["person"])
        assert f'<option value="{people_a.yamada.pk}" selected>A001 山田 太郎</option>' in html
        assert "鈴木" not in html
        form = Form({"person": str(people_b.kimura.pk)})
        assert not form.is_valid()
        with translation.override("en"):
            assert form.errors["person"] == ["Choose a person from the list."]
        form = Form({"person": str(people_a.suzuki.pk),
                     "people": [str(people_a.sato.pk), str(people_a.tanaka.pk)]})
        assert form.is_valid()
        assert form.cleaned_data["person"] == people_a.suzuki
        assert list(form.cleaned_data["people"]) == [people_a.sato, people_a.tanaka]
