"""Request type pages: the list, a new type and an edit, the form fields as text lines, the
follow-up procedure with its parameters mapped from the request."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from somu.approvals.models import RequestType
from somu.approvals.tests.builders import World
from somu.core import tenancy
from somu.procedures.models import Template
from somu.procedures.services import templates as template_services

SUPPLIES: dict[str, Any] = {
    "somu": "procedure/1", "name": "備品発注",
    "parameters": [{"key": "品名", "type": "text"}, {"key": "金額", "type": "number",
                                                      "label": "発注金額"}],
    "steps": [{"key": "order", "name": "発注する"}],
}


@pytest.fixture
def admin(world: World, client_as):
    return client_as(world.users["admin"], world.org)


@pytest.fixture
def supplies(world: World) -> Template:
    with tenancy.activate(world.org):
        return template_services.template_save(actor=None, template=None, spec=SUPPLIES)


def type_data(**changes: Any) -> dict[str, Any]:
    data = {"name": "名刺発注", "code": "meishi", "number_prefix": "名刺",
            "description": "名刺の発注", "categories": "新規\n追加\n新規",
            "has_amount": "on", "allows_attachments": "", "is_active": "on",
            "fields_text": "count:枚数:number:required\nkind:種類:choice:required:通常|英語",
            "follow_up_template": "", "sort_order": "60"}
    data.update(changes)
    return data


def saved_or_none(world: World, code: str) -> RequestType | None:
    with tenancy.activate(world.org):
        return RequestType.objects.filter(code=code).first()


def saved(world: World, code: str) -> RequestType:
    with tenancy.activate(world.org):
        return RequestType.objects.get(code=code)


def test_the_list_shows_every_type_with_its_prefix(world, admin):
    page = admin.get(reverse("approvals:type_list")).content.decode()
    for name in ("稟議（一般）", "購入申請", "出張申請", "押印申請", "契約締結申請"):
        assert name in page


def test_the_list_makes_a_fixed_number_of_queries(world, admin, supplies,
                                                  django_assert_max_num_queries):
    admin.get(reverse("approvals:type_list"))
    with django_assert_max_num_queries(12) as few:
        admin.get(reverse("approvals:type_list"))
    count = len(few.captured_queries)  # each request clears the log
    for code in ("a", "b", "c"):
        admin.post(reverse("approvals:type_create"), type_data(
            code=code, follow_up_template=str(supplies.pk)))
    assert saved(world, "c").follow_up_template_id == supplies.pk
    with django_assert_max_num_queries(count):
        admin.get(reverse("approvals:type_list"))


def test_creating_a_type_parses_its_fields_and_categories(world, admin):
    response = admin.post(reverse("approvals:type_create"), type_data())
    assert response.status_code == 302
    made = saved(world, "meishi")
    assert made.categories == ["新規", "追加"]
    assert made.fields == [
        {"key": "count", "label": "枚数", "type": "number", "required": True},
        {"key": "kind", "label": "種類", "type": "choice", "required": True,
         "choices": ["通常", "英語"]}]
    assert made.has_amount and not made.allows_attachments


def test_an_unknown_field_type_is_named_with_its_line(world, admin, tr):
    response = admin.post(reverse("approvals:type_create"),
                          type_data(fields_text="count:枚数:number\ncolor:色:colour"))
    assert response.status_code == 200
    assert "colour" in response.content.decode()
    with tenancy.activate(world.org):
        assert not RequestType.objects.filter(code="meishi").exists()


def test_a_code_already_used_is_refused_next_to_the_code(world, admin, tr):
    response = admin.post(reverse("approvals:type_create"), type_data(code="purchase"))
    assert tr("The code “%(code)s” is already used.") % {"code": "purchase"} in \
        response.content.decode()


def test_editing_keeps_the_code_and_changes_the_rest(world, admin):
    purchase = world.types["purchase"]
    page = admin.get(reverse("approvals:type_edit", args=[purchase.pk])).content.decode()
    assert "item:品名:text:required" in page
    response = admin.post(reverse("approvals:type_edit", args=[purchase.pk]),
                          type_data(name="物品購入申請", code="hacked"))
    assert response.status_code == 302
    changed = saved(world, "purchase")
    assert changed.name == "物品購入申請" and changed.number_prefix == "名刺"


def test_the_follow_up_parameters_are_shown_by_name_and_mapped_to_form_fields(world, admin,
                                                                           supplies):
    partial = admin.get(reverse("approvals:type_create"), {
        "params": "1", "follow_up_template": supplies.pk,
        "fields_text": "count:枚数:number"}).content.decode()
    assert "品名" in partial and "発注金額" in partial and "枚数" in partial
    response = admin.post(reverse("approvals:type_create"), type_data(
        follow_up_template=str(supplies.pk), **{"param__品名": "@title",
                                                 "param__金額": "count"}))
    assert response.status_code == 302
    made = saved(world, "meishi")
    assert made.follow_up_template_id == supplies.pk
    assert made.follow_up_params == {"品名": "@title", "金額": "count"}


def test_a_parameter_mapped_to_an_unknown_field_is_refused(world, admin, supplies, tr):
    response = admin.post(reverse("approvals:type_create"), type_data(
        follow_up_template=str(supplies.pk), **{"param__品名": "nothing"}))
    assert tr("Unknown form field: %(keys)s.") % {"keys": "nothing"} in response.content.decode()
    assert saved_or_none(world, "meishi") is None


def test_only_those_who_manage_approvals_see_the_type_pages(world, client_as):
    employee = client_as(world.users["suzuki"], world.org)
    assert employee.get(reverse("approvals:type_list")).status_code == 403
    assert employee.post(reverse("approvals:type_create"), type_data()).status_code == 403
