"""Bank accounts: checked against the 全銀 bank master, masked in the audit log, seen only by the
person, the accounting staff and administrators."""

from __future__ import annotations

import functools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role
from somu.expenses.models import BankAccount
from somu.expenses.services import banks
from somu.expenses.tests.accounting import bank
from somu.expenses.tests.builders import NOW

pytestmark = pytest.mark.django_db

GOOD = {"bank_code": "0001", "branch_code": "001", "kind": "1", "number": "1234567",
        "holder": "ｽｽﾞｷ ｲﾁﾛｳ"}


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):
    return functools.partial(api_as, prefix="/api/v1/expenses")


def test_a_person_sets_their_own_account_and_the_log_keeps_only_the_last_digits(world):
    bank(world, "suzuki")
    with tenancy.activate(world.org):
        account = BankAccount.objects.get(person=world.people["suzuki"])
        assert (account.bank_code, account.number, account.holder) == (
            "0001", "1234567", "ｽｽﾞｷ ｲﾁﾛｳ")
        event = AuditEvent.objects.get(action="expense_bank_account.save")
    assert event.changes["number"] == [None, "****567"]
    assert "1234567" not in str(event.changes)
    assert banks.bank_name("0001") == "みずほ"


@pytest.mark.parametrize(("field", "value"), [
    ("bank_code", "9998"), ("bank_code", "12"), ("branch_code", "999"), ("branch_code", "1"),
    ("kind", "3"), ("number", "123456"), ("number", "12345ab"),
    ("holder", "スズキ イチロウ"), ("holder", "ｽｽﾞｷ ｲﾁﾛｰ"), ("holder", "鈴木"), ("holder", ""),
])
def test_a_bad_field_is_refused_by_name_and_nothing_is_stored(world, field, value):
    with tenancy.activate(world.org):
        with pytest.raises(ValidationError) as caught:
            banks.bank_account_save(membership=world.m("suzuki"),
                                    person=world.people["suzuki"],
                                    data={**GOOD, field: value}, now=NOW)
        assert set(caught.value.message_dict) == {field}
        assert not BankAccount.objects.exists()


def test_nobody_else_may_change_a_person_s_account(world):
    with tenancy.activate(world.org), pytest.raises(PermissionDenied):
        banks.bank_account_save(membership=world.m("ito"), person=world.people["suzuki"],
                                data=GOOD, now=NOW)


def test_the_accounting_staff_and_admins_set_anyone_s_account(world):
    with tenancy.activate(world.org):
        for who in ("secretary", "admin"):
            banks.bank_account_save(membership=world.m(who), person=world.people["suzuki"],
                                    data=GOOD, now=NOW)
        assert BankAccount.objects.count() == 1


def test_the_account_page_shows_one_s_own_account_and_saves_it(world, client_as):
    client = client_as(world.users["suzuki"], world.org)
    saved = client.post("/expenses/bank-account/", GOOD)
    assert saved.status_code == 302
    page = client.get("/account/").content.decode()
    assert 'id="bank-account"' in page and "ｽｽﾞｷ ｲﾁﾛｳ" in page


def test_only_the_person_staff_and_admins_see_an_account(world, make_user, client_as, api_as):
    bank(world, "suzuki")
    manager = make_user("u_manager", world.org, Role.MANAGER, person=world.people["yamamoto"])
    auditor = make_user("u_auditor", world.org, Role.AUDITOR)
    suzuki = world.people["suzuki"].pk
    for user in (manager, auditor, world.users["ito"], world.users["kato"]):
        assert api_as(user).get(f"/bank-accounts/{suzuki}").status_code == 404
        assert api_as(user).put(f"/bank-accounts/{suzuki}", GOOD).status_code == 404
        assert api_as(user).get("/bank-accounts").status_code == 403
        client = client_as(user, world.org)
        assert client.get("/expenses/bank-accounts/").status_code == 403
        assert client.get(f"/expenses/bank-accounts/{suzuki}/").status_code == 403
        assert "1234567" not in client.get("/account/").content.decode()
    for user in (world.users["suzuki"], world.users["secretary"], world.users["admin"]):
        answer = api_as(user).get(f"/bank-accounts/{suzuki}")
        assert answer.status_code == 200 and answer.json()["number"] == "1234567"
    listed = client_as(world.users["secretary"], world.org).get("/expenses/bank-accounts/")
    assert "ｽｽﾞｷ ｲﾁﾛｳ" in listed.content.decode()
    edit = client_as(world.users["secretary"], world.org).post(
        f"/expenses/bank-accounts/{suzuki}/", {**GOOD, "number": "7777777"})
    assert edit.status_code == 302


def test_the_api_refuses_a_bank_that_does_not_exist_naming_the_field(world, api_as):
    answer = api_as(world.users["suzuki"]).put(
        f"/bank-accounts/{world.people['suzuki'].pk}", {**GOOD, "bank_code": "9998"})
    assert answer.status_code == 422
    assert "bank_code" in str(answer.json()["error"]["fields"])
