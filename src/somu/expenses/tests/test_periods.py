"""締め: what each person gets or returns, the refusal when an account is missing, the lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.expenses.models import Claim, Payment, Period
from somu.expenses.services import periods
from somu.expenses.tests.accounting import (
    approved_advance,
    approved_claim,
    bank,
    close,
    line,
)
from somu.expenses.tests.builders import NOW, TODAY, new_claim

pytestmark = pytest.mark.django_db


def payments(world, period):
    with tenancy.activate(world.org):
        return {x.person.name: x.amount for x in Payment.objects.filter(period=period)
                .select_related("person")}


def test_a_close_pays_each_person_the_total_of_their_approved_claims(world):
    bank(world, "suzuki")
    first = approved_claim(world, lines=[line(1280), line(2400, "東京メトロ")])
    second = approved_claim(world, lines=[line(3300)])
    new_claim(world, lines=[line(999)], submit=True)  # not yet approved: left for later
    period = close(world)
    assert payments(world, period) == {"鈴木 一般": 1280 + 2400 + 3300}
    with tenancy.activate(world.org):
        assert set(Claim.objects.filter(period=period).values_list("pk", flat=True)) == {
            first.pk, second.pk}
        pay = Payment.objects.get(period=period)
        assert (pay.bank_code, pay.branch_code, pay.account_number, pay.holder) == (
            "0001", "001", "1234567", "ｽｽﾞｷ ｲﾁﾛｳ")
        event = AuditEvent.objects.filter(action="expense_period.close").get()
        assert event.changes["claims"] == [None, 2]


def test_an_advance_paid_out_now_and_settled_now_leaves_only_the_claim(world):
    bank(world, "suzuki")
    advance = approved_advance(world, amount=50_000)
    approved_claim(world, lines=[line(8000), line(9000)], advance=advance.pk)
    period = close(world)
    assert payments(world, period) == {"鈴木 一般": 17_000}


def test_an_advance_paid_earlier_is_deducted_and_what_is_left_over_is_returned(world):
    bank(world, "suzuki")
    advance = approved_advance(world, amount=50_000)
    first = close(world, "6月前半")
    assert payments(world, first) == {"鈴木 一般": 50_000}
    approved_claim(world, lines=[line(8000), line(9000)], advance=advance.pk)
    second = close(world, "6月後半", cutoff=TODAY, payment_date=dt.date(2026, 6, 30))
    assert payments(world, second) == {"鈴木 一般": 17_000 - 50_000}
    with tenancy.activate(world.org):
        assert Payment.objects.get(period=second).bank_code == ""  # a return is not transferred


def test_a_claim_that_uses_up_its_advance_exactly_pays_nothing(world):
    bank(world, "suzuki")
    advance = approved_advance(world, amount=17_000)
    close(world, "仮払")
    approved_claim(world, lines=[line(8000), line(9000)], advance=advance.pk)
    period = close(world, "精算")
    assert payments(world, period) == {}
    with tenancy.activate(world.org):
        assert Claim.objects.filter(period=period).count() == 1


def test_a_close_is_refused_whole_naming_everyone_without_a_bank_account(world):
    approved_claim(world, lines=[line(1280)])
    approved_advance(world, amount=20_000)
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        periods.period_close(membership=world.m("secretary"), label="6月", cutoff=TODAY,
                             payment_date=TODAY, now=NOW)
    assert "鈴木 一般" in " ".join(caught.value.messages)
    with tenancy.activate(world.org):
        assert not Period.objects.exists()
        assert not Claim.objects.filter(period__isnull=False).exists()


def test_claims_approved_after_the_cutoff_wait_for_the_next_period(world):
    bank(world, "suzuki")
    approved_claim(world, lines=[line(1280)])
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        periods.period_close(membership=world.m("secretary"), label="5月",
                             cutoff=dt.date(2026, 5, 31), payment_date=TODAY, now=NOW)
    assert "cutoff" in caught.value.message_dict


def test_only_the_accounting_staff_closes_a_period(world):
    bank(world, "suzuki")
    approved_claim(world, lines=[line(1280)])
    with tenancy.activate(world.org), pytest.raises(PermissionDenied):
        periods.period_close(membership=world.m("suzuki"), label="6月", cutoff=TODAY,
                             payment_date=TODAY, now=NOW)


def test_a_label_is_used_once_and_the_payment_date_is_not_before_the_cutoff(world):
    bank(world, "suzuki")
    approved_claim(world, lines=[line(1280)])
    close(world, "6月")
    approved_claim(world, lines=[line(2000)])
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        periods.period_close(membership=world.m("secretary"), label="6月", cutoff=TODAY,
                             payment_date=dt.date(2026, 6, 1), now=NOW)
    assert set(caught.value.message_dict) == {"label", "payment_date"}


def test_the_close_page_previews_and_closes(world, client_as):
    bank(world, "suzuki")
    approved_claim(world, lines=[line(1280)])
    client = client_as(world.users["secretary"], world.org)
    page = client.get("/expenses/periods/close/", {"cutoff": "2026-06-15"})
    assert page.status_code == 200 and "鈴木 一般" in page.content.decode()
    assert "鈴木 一般" not in client.get("/expenses/periods/close/",
                                       {"cutoff": "2026-06-14"}).content.decode()
    done = client.post("/expenses/periods/close/", {"label": "6月", "cutoff": "2026-06-15",
                                                    "payment_date": "2026-06-25"})
    assert done.status_code == 302
    detail = client.get(done["Location"])
    assert "ｽｽﾞｷ ｲﾁﾛｳ" in detail.content.decode()
    assert client_as(world.users["suzuki"], world.org).get(done["Location"]).status_code == 403
