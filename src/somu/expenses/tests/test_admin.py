"""The expense set-up pages: the chart of accounts, the 規程チェック rules, the settings and the
names in the accounting products — what the admin changes, what 経理 only reads, and the
errors a wrong value gets (the services' own, shown next to the field)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from somu.approvals.tests.builders import World
from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.expenses.models import Account, JournalName, Rule, Settings
from somu.expenses.tests.builders import new_claim


@pytest.fixture
def admin(world: World, client_as):
    return client_as(world.users["admin"], world.org)


@pytest.fixture
def staff(world: World, client_as):
    return client_as(world.users["secretary"], world.org)


@pytest.fixture
def employee(world: World, client_as):
    return client_as(world.users["suzuki"], world.org)


def account_data(**changes: Any) -> dict[str, Any]:
    data = {"code": "7600", "name": "広告宣伝費", "role": "", "default_tax_rate": "taxable_10",
            "allowed_tax_rates": ["taxable_10", "out_of_scope"], "is_active": "on",
            "sort_order": ""}
    data.update(changes)
    return data


def test_the_admin_adds_an_account_and_sees_it_in_the_list(world, admin):
    response = admin.post(reverse("expenses:account_create"), account_data())
    assert response.status_code == 302
    with tenancy.activate(world.org):
        created = Account.objects.get(code="7600")
        assert created.allowed_tax_rates == ["taxable_10", "out_of_scope"]
        assert AuditEvent.objects.filter(action="expense_account.create").count() == 1
    page = admin.get(reverse("expenses:account_list")).content.decode()
    assert "広告宣伝費" in page and reverse("expenses:account_edit", args=[created.pk]) in page


def test_a_code_or_name_used_twice_is_refused_next_to_the_field(world, admin):
    for data, field in ((account_data(code="7410"), "code"),
                        (account_data(name="旅費交通費"), "name")):
        response = admin.post(reverse("expenses:account_create"), data)
        assert response.status_code == 200
        assert response.context["form"].errors[field], field
    with tenancy.activate(world.org):
        assert not Account.objects.filter(code="7600").exists()


def test_an_account_lines_use_is_not_deleted_but_can_be_taken_out_of_use(world, admin):
    new_claim(world, lines=[{"date": "2026-06-10", "payee": "JR", "purpose": "移動",
                             "account": "旅費交通費", "amount": 500,
                             "exception": "public_transport"}])
    with tenancy.activate(world.org):
        account = Account.objects.get(code="7410")
    response = admin.post(reverse("expenses:account_delete", args=[account.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode() or "削除" in response.content.decode()
    response = admin.post(reverse("expenses:account_edit", args=[account.pk]), account_data(
        code="7410", name="旅費交通費", role="transport", is_active=""))
    assert response.status_code == 302
    with tenancy.activate(world.org):
        account.refresh_from_db()
        assert not account.is_active


def test_accounting_staff_read_the_set_up_but_cannot_change_it(world, staff, employee):
    page = staff.get(reverse("expenses:account_list"))
    assert page.status_code == 200 and "旅費交通費" in page.content.decode()
    assert reverse("expenses:account_create") not in page.content.decode()
    assert staff.get(reverse("expenses:rule_list")).status_code == 200
    assert staff.get(reverse("expenses:settings")).status_code == 200
    assert staff.get(reverse("expenses:account_create")).status_code == 403
    assert staff.post(reverse("expenses:settings"), {"retention_years": "10"}).status_code == 403
    for name in ("account_list", "rule_list", "settings", "journal_names"):
        assert employee.get(reverse(f"expenses:{name}")).status_code == 403, name


def test_a_rule_s_form_shows_the_parameters_of_its_kind(world, admin):
    here = reverse("expenses:rule_create")
    per_diem = admin.get(here, {"params": "1", "kind": "per_diem"}).content.decode()
    assert 'name="limits"' in per_diem and 'name="accounts"' not in per_diem
    duplicate = admin.get(here, {"params": "1", "kind": "duplicate"}).content.decode()
    assert 'name="limits"' not in duplicate and 'name="amount"' not in duplicate


def test_the_admin_adds_a_rule_with_limits_by_position(world, admin):
    response = admin.post(reverse("expenses:rule_create"), {
        "kind": "per_diem", "severity": "warning", "text": "海外出張の日当", "is_active": "on",
        "limits": "部長: 6000\n課長：5000", "default": "4000", "region": "overseas"})
    assert response.status_code == 302
    with tenancy.activate(world.org):
        rule = Rule.objects.get(text="海外出張の日当")
    assert (rule.number, rule.params) == (10, {"limits": {"部長": 6000, "課長": 5000},
                                               "default": 4000, "region": "overseas"})


def test_a_rule_with_wrong_parameters_is_refused_naming_them(world, admin):
    for data, field in (({"kind": "per_diem", "limits": "部長 6000"}, "limits"),
                        ({"kind": "per_diem", "limits": "取締役: 6000"}, "limits"),
                        ({"kind": "account_limit", "accounts": "0000", "amount": "1"},
                         "accounts"),
                        ({"kind": "receipt_over", "amount": ""}, "amount")):
        response = admin.post(reverse("expenses:rule_create"),
                              {"severity": "error", "text": "x", **data})
        assert response.status_code == 200
        assert response.context["form"].errors[field], data


def test_rules_move_up_and_down(world, admin):
    with tenancy.activate(world.org):
        second = Rule.objects.get(number=2)
    admin.post(reverse("expenses:rule_move", args=[second.pk]), {"direction": "up"})
    with tenancy.activate(world.org):
        assert Rule.objects.get(pk=second.pk).number == 1
    page = admin.get(reverse("expenses:rule_list")).content.decode()
    assert page.index("第9条") < page.index("第8条")  # 宿泊費 now before 日当


def test_the_settings_refuse_a_wrong_payer_code_and_keep_a_right_one(world, admin):
    data = {"retention_years": "10", "retention_basis": "法人税法 第126条",
            "entertainment_per_person": "5000", "requester_code": "123",
            "requester_name": "ｶ)ｿｳﾑ", "bank_code": "0001", "branch_code": "001",
            "account_kind": "1", "account_number": "1234567"}
    response = admin.post(reverse("expenses:settings"), data)
    assert response.status_code == 200 and response.context["form"].errors["requester_code"]
    response = admin.post(reverse("expenses:settings"), {**data, "requester_code": "0123456789"})
    assert response.status_code == 302
    with tenancy.activate(world.org):
        settings = Settings.objects.get()
    assert (settings.retention_years, settings.requester_code) == (10, "0123456789")


def test_journal_names_default_to_somu_s_and_are_saved_per_product(world, admin):
    url = reverse("expenses:journal_names")
    page = admin.get(url, {"vendor": "freee"}).content.decode()
    assert 'placeholder="旅費交通費"' in page
    response = admin.post(f"{url}?vendor=freee", {"name:account:7410": "旅費交通費（freee）",
                                                   "name:account:7411": ""})
    assert response.status_code == 302
    with tenancy.activate(world.org):
        assert list(JournalName.objects.values_list("vendor", "key", "name")) == [
            ("freee", "account:7410", "旅費交通費（freee）")]
    response = admin.post(f"{url}?vendor=freee", {"name:account:9999": "x"})
    assert response.status_code == 200 and "9999" in response.content.decode()


def test_the_set_up_lists_keep_their_query_count(world, admin, django_assert_max_num_queries):
    admin.get(reverse("expenses:account_list"))
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("expenses:account_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert admin.get(reverse("expenses:rule_list")).status_code == 200
