"""The default vendor names, and the 経過措置 a purchase without a qualified invoice falls under."""

import datetime as dt

import pytest

from somu.expenses.formats.journal_defaults import (
    DEFAULT_ACCOUNTS,
    DEFAULT_TAX_CATEGORIES,
    TAX_KEYS,
    VENDORS,
    default_account_names,
    tax_key_without_invoice,
    transitional_credit_percent,
)


def d(text):
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(("day", "percent"), [
    ("2023-09-30", 100), ("2023-10-01", 80), ("2026-09-30", 80), ("2026-10-01", 70),
    ("2028-09-30", 70), ("2028-10-01", 50), ("2030-09-30", 50), ("2030-10-01", 30),
    ("2031-09-30", 30), ("2031-10-01", 0),
])
def test_the_creditable_share_follows_the_purchase_date(day, percent):
    assert transitional_credit_percent(d(day)) == percent


def test_a_purchase_without_invoice_gets_the_key_of_its_date():
    assert tax_key_without_invoice("taxable_10", d("2026-09-30")) == "taxable_10_no_invoice_80"
    assert tax_key_without_invoice("taxable_8_reduced", d("2026-12-01")) == (
        "taxable_8_reduced_no_invoice_70")
    assert tax_key_without_invoice("taxable_10", d("2031-10-01")) == "out_of_scope"
    assert tax_key_without_invoice("taxable_10", d("2023-09-01")) == "taxable_10"
    assert tax_key_without_invoice("exempt", d("2026-12-01")) == "exempt"


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_names_every_tax_key(vendor):
    table = DEFAULT_TAX_CATEGORIES[vendor]
    assert set(table) == set(TAX_KEYS)
    assert all(tax.category for tax in table.values())
    # the qualified and the 80 % purchase must differ where the vendor records it
    plain, no_invoice = table["taxable_10"], table["taxable_10_no_invoice_80"]
    assert (plain.category, plain.invoice) != (no_invoice.category, no_invoice.invoice)


def test_freee_uses_its_published_transitional_names():
    freee = DEFAULT_TAX_CATEGORIES["freee"]
    assert freee["taxable_10_no_invoice_80"].category == "課対仕入(控80) 10%"
    assert freee["taxable_8_reduced_no_invoice_50"].category == "課対仕入(控50) 8%(軽)"


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_default_account_has_a_vendor_name_and_a_known_tax_key(vendor):
    names = default_account_names(vendor)
    assert set(names) == {a.key for a in DEFAULT_ACCOUNTS}
    assert names["travel"] == "旅費交通費" and names["payable"] == "未払金"
    assert all(a.tax_key in TAX_KEYS for a in DEFAULT_ACCOUNTS)
