"""A closed period's files: the 全銀 file read back with the right totals, journals balanced and
in the right 税区分, the same bytes every time, a name that cannot be written refused by claim."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.expenses.formats import journals, zengin
from somu.expenses.models import JournalName, Payment, Settings
from somu.expenses.services import exports
from somu.expenses.tests.accounting import approved_advance, approved_claim, bank, close, line
from somu.expenses.tests.builders import NOW, TODAY, approve

pytestmark = pytest.mark.django_db

BOOKS = {"date": "2026-06-11", "payee": "株式会社 丸善", "purpose": "技術書",
         "account": "新聞図書費", "amount": 3300, "tax_rate": "taxable_10",
         "registration_number": "T7010001008844"}
CAFE = {"date": "2026-06-12", "payee": "喫茶 ひまわり", "purpose": "打合せ",
        "account": "会議費", "amount": 1100, "tax_rate": "taxable_10", "exception": "none"}


@pytest.fixture
def period(world):
    with tenancy.activate(world.org):
        Settings.objects.update(requester_code="1234567890", requester_name="ｶ)ｿｳﾑ",
                                bank_code="0005", branch_code="001", account_kind="1",
                                account_number="7654321")
    bank(world, "suzuki")
    advance = approved_advance(world, amount=5_000)
    close(world, "仮払")
    approved_claim(world, lines=[BOOKS, CAFE, line(1280)], advance=advance.pk)
    approved_claim(world, lines=[line(2400, "東京メトロ")])
    approved_advance(world, amount=30_000)
    return close(world, "6月")


def export(world, period, what, who="secretary"):
    with tenancy.activate(world.org):
        return exports.period_export(membership=world.m(who), period=period, what=what)


def test_the_zengin_file_reads_back_with_the_transfers_and_totals(world, period):
    name, data = export(world, period, "zengin")
    assert name.startswith("zengin-20260625")
    read = zengin.parse(data)
    # 5,680 − 5,000 settled + 2,400 + 30,000 paid out now
    assert (read.total_count, read.total_amount) == (1, 33_080)
    assert read.transfer_date == "0625"
    assert all(len(record) == 120 for record in data.split(b"\r\n")[:-1])


def test_a_period_of_returns_only_has_no_zengin_file_but_its_journal(world):
    bank(world, "suzuki")
    advance = approved_advance(world, amount=50_000)
    close(world, "仮払")
    approved_claim(world, lines=[BOOKS, CAFE, line(1280)], advance=advance.pk)
    period = close(world, "精算")
    with pytest.raises(ValidationError):
        export(world, period, "zengin")
    with tenancy.activate(world.org):
        (voucher,) = exports.vouchers(period, "yayoi")[0]
        assert ("普通預金", 50_000 - 5680) in {(x.account, x.amount) for x in voucher.debits}
        assert {(x.account, x.amount) for x in voucher.credits} == {("仮払金", 50_000)}
        freee = exports.vouchers(period, "freee")[0]
    assert len(freee) == 3  # claim / 未払金 against 仮払金 / the return
    journals.check_balanced(journals.parse("freee", export(world, period, "freee")[1]))


def test_transfers_are_the_positive_payments_with_their_bank_accounts(world):
    with tenancy.activate(world.org):
        Settings.objects.update(requester_code="1234567890", requester_name="ｶ)ｿｳﾑ",
                                bank_code="0005", branch_code="001", account_kind="1",
                                account_number="7654321")
    bank(world, "suzuki")
    approved_claim(world, lines=[line(1280), line(2400)])
    approved_advance(world, amount=30_000)
    period = close(world)
    read = zengin.parse(export(world, period, "zengin")[1])
    assert (read.total_count, read.total_amount) == (1, 33_680)
    (transfer,) = read.transfers
    assert (transfer.bank_code, transfer.branch_code, transfer.account_number, transfer.name,
            transfer.amount) == ("0001", "001", "1234567", "ｽｽﾞｷ ｲﾁﾛｳ", 33_680)
    assert read.payer.requester_code == "1234567890"


def test_every_export_is_byte_identical_when_repeated_and_audited(world, period):
    for what in ("zengin", "yayoi", "moneyforward", "freee"):
        assert export(world, period, what) == export(world, period, what)
    with tenancy.activate(world.org):
        assert AuditEvent.objects.filter(action="expense_period.export").count() == 8


@pytest.mark.parametrize("vendor", ["yayoi", "moneyforward", "freee"])
def test_each_journal_reads_back_balanced_with_one_voucher_per_claim(world, period, vendor):
    vouchers = journals.parse(vendor, export(world, period, vendor)[1])
    journals.check_balanced(vouchers)
    # two claims, one advance paid out; freee: the advance settled is a 取引 of its own
    assert len(vouchers) == (4 if vendor == "freee" else 3)
    assert all(v.date == dt.date(2026, 6, 25) for v in vouchers)


def test_the_journal_s_accounts_and_tax_categories(world, period):
    with tenancy.activate(world.org):
        built, _refs = exports.vouchers(period, "yayoi")
    first = built[0]
    debits = {(x.account, x.tax_category, x.amount) for x in first.debits}
    assert ("新聞図書費", "課対仕入内10%適格", 3300) in debits
    assert ("会議費", "課対仕入内10%区分80%", 1100) in debits  # no invoice: 経過措置
    assert ("旅費交通費", "課対仕入内10%適格", 1280) in debits  # 公共交通機関特例
    credits = {(x.account, x.amount) for x in first.credits}
    assert credits == {("仮払金", 5_000), ("未払金", 680)}
    advance = built[2]
    assert [(x.side, x.account, x.amount) for x in advance.lines] == [
        ("debit", "仮払金", 30_000), ("credit", "普通預金", 30_000)]


def test_edited_vendor_names_are_used(world, period):
    with tenancy.activate(world.org):
        JournalName.objects.create(vendor="freee", key="account:7470", name="書籍代")
        JournalName.objects.create(vendor="freee", key="tax:taxable_10", name="課対仕入10%")
        built, _refs = exports.vouchers(period, "freee")
    assert ("書籍代", "課対仕入10%") in {(x.account, x.tax_category) for x in built[0].debits}


def test_a_name_that_cannot_be_written_names_the_claims_and_the_field(world):
    bank(world, "suzuki")
    claim = approved_claim(world, lines=[line(1280)])
    period = close(world)
    with tenancy.activate(world.org):
        Settings.objects.update(requester_code="1234567890", requester_name="ｶ)ｿｳﾑ",
                                bank_code="0005", branch_code="001", account_number="7654321")
        Payment.objects.update(holder="鈴木 一郎")
        with pytest.raises(ValidationError) as caught:
            exports.period_export(membership=world.m("secretary"), period=period, what="zengin")
        assert not AuditEvent.objects.filter(action="expense_period.export").exists()
    message = " ".join(caught.value.messages)
    assert claim.request.number in message and "受取人名" in message and "鈴" in message


def test_the_command_line_writes_the_same_file(world, period, tmp_path):
    out = tmp_path / "zengin.txt"
    call_command("expenses_export_journals", str(period.pk), org=world.org.slug,
                 vendor="yayoi", out=str(tmp_path / "y.csv"))
    call_command("expenses_export_zengin", "6月", org=world.org.slug, out=str(out))
    assert out.read_bytes() == export(world, period, "zengin")[1]
    assert (tmp_path / "y.csv").read_bytes() == export(world, period, "yayoi")[1]


def test_a_period_s_files_stay_as_first_exported_whatever_is_edited_afterwards(world, period):
    first = {what: export(world, period, what)[1] for what in ("zengin", "yayoi")}
    with tenancy.activate(world.org):
        Settings.objects.update(requester_name="ｶ)ﾍﾞﾂﾒｲ", account_number="1111111")
        JournalName.objects.create(vendor="yayoi", key="account:7470", name="書籍代")
    assert {what: export(world, period, what)[1] for what in ("zengin", "yayoi")} == first


def test_a_correction_reverses_the_original_and_books_the_corrected_lines(world):
    from somu.expenses.formats import journals as journal_files
    from somu.expenses.services import claims as claim_services

    with tenancy.activate(world.org):
        Settings.objects.update(requester_code="1234567890", requester_name="ｶ)ｿｳﾑ",
                                bank_code="0005", branch_code="001", account_kind="1",
                                account_number="7654321")
    bank(world, "suzuki")
    original = approved_claim(world, lines=[line(1280)])
    close(world, "6月前半")
    with tenancy.activate(world.org):
        m = world.m("suzuki")
        correction = claim_services.claim_correct(membership=m, original=original, now=NOW)
        claim_services.claim_submit(membership=m, claim=correction, today=TODAY, now=NOW)
    approve(world, correction)
    second = close(world, "6月後半")
    with tenancy.activate(world.org):
        built, _refs = exports.vouchers(second, "yayoi")
    assert [(v.debits[0].account, v.credits[0].account) for v in built] == [
        ("未払金", "旅費交通費"), ("旅費交通費", "未払金")]
    data = export(world, second, "yayoi")[1]
    journal_files.check_balanced(journal_files.parse("yayoi", data))
