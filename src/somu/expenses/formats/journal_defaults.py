"""The default mapping of somu's 勘定科目 and 税区分 to each vendor's names, as data.

An organization starts from these and edits them (its 弥生 or freee may have renamed an account
or use 個別対応方式's 共通対応 categories); the writers only ever see the mapped names.

Tax keys (purchases, tax included): ``taxable_10`` (課税仕入 10%), ``taxable_8_reduced`` (軽減
8%), ``exempt`` (非課税仕入), ``out_of_scope`` (対象外/不課税), and for a purchase without a
qualified invoice (適格請求書のない課税仕入れ — 免税事業者等から) the 経過措置 keys
``taxable_10_no_invoice_<pct>`` / ``taxable_8_reduced_no_invoice_<pct>`` for 80/70/50/30 %.

The 経過措置 (平成28年改正法附則 52条・53条) as amended by the 令和8年度税制改正: 80 % of the
deemed input tax for purchases up to 2026-09-30, 70 % from 2026-10-01 to 2028-09-30, 50 % to
2030-09-30, 30 % to 2031-09-30, nothing after. Before the amendment the schedule was 80 % then
50 % (2026-10-01 to 2029-09-30); the amendment applies from 課税期間 beginning on or after
2026-10-01 — a company whose period began earlier keeps the old rate until its period ends, and
edits the mapping for that period. Sources: 経済産業省「令和8年度税制改正について（概要）」as quoted
in https://www.fps-net.com/knowledge/tax/2026/4_3.html ; freee's tax categories
https://developer.freee.co.jp/accounting/accounting-improvement/8133 (控70/控30) and
https://developer.freee.co.jp/news/6471 (控80/控50).

Vendor names: 弥生 encodes the invoice status in the 税区分 (``課対仕入内10%適格``,
``課対仕入内10%区分80%``; 内 = tax-included entry); freee in the 税区分 (``課対仕入(控80) 10%``);
MF keeps the 税区分 and says it in its インボイス column (``適格``, ``80%控除``). The 70 % and 30 %
names of 弥生 and MF follow their 80 %/50 % pattern — check them against the product's list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

VENDORS: Final = ("yayoi", "moneyforward", "freee")
BASE_TAX_KEYS: Final = ("taxable_10", "taxable_8_reduced", "exempt", "out_of_scope")
TAXABLE_KEYS: Final = ("taxable_10", "taxable_8_reduced")
TRANSITIONAL_PERCENTS: Final = (80, 70, 50, 30)

# (first day, last day, creditable %) for purchases without a qualified invoice.
INVOICE_SYSTEM_START: Final = dt.date(2023, 10, 1)
TRANSITIONAL_CREDIT: Final = (
    (dt.date(2023, 10, 1), dt.date(2026, 9, 30), 80),
    (dt.date(2026, 10, 1), dt.date(2028, 9, 30), 70),
    (dt.date(2028, 10, 1), dt.date(2030, 9, 30), 50),
    (dt.date(2030, 10, 1), dt.date(2031, 9, 30), 30),
)


def no_invoice_key(tax_key: str, percent: int) -> str:
    return f"{tax_key}_no_invoice_{percent}"


TAX_KEYS: Final = BASE_TAX_KEYS + tuple(
    no_invoice_key(key, pct) for key in TAXABLE_KEYS for pct in TRANSITIONAL_PERCENTS)


def transitional_credit_percent(purchased_on: dt.date) -> int:
    """The share (%) of input tax creditable on a purchase without a qualified invoice made on
    ``purchased_on``: 100 before the invoice system (区分記載請求書), then the schedule, then 0."""
    if purchased_on < INVOICE_SYSTEM_START:
        return 100
    for first, last, percent in TRANSITIONAL_CREDIT:
        if first <= purchased_on <= last:
            return percent
    return 0


def tax_key_without_invoice(tax_key: str, purchased_on: dt.date) -> str:
    """The tax key of a purchase lacking a qualified invoice (and not one of the exceptions
    that need none, e.g. 公共交通機関 under ¥30,000): the 経過措置 key of its date,
    ``out_of_scope`` once nothing is creditable, the key itself when it is not taxable."""
    if tax_key not in TAXABLE_KEYS:
        return tax_key
    percent = transitional_credit_percent(purchased_on)
    if percent == 100:
        return tax_key
    if percent == 0:
        return "out_of_scope"
    return no_invoice_key(tax_key, percent)


@dataclass(frozen=True)
class VendorTax:
    """A vendor's 税区分 name, and the value of its インボイス column (MF only)."""

    category: str
    invoice: str = ""


def _yayoi() -> dict[str, VendorTax]:
    names = {"taxable_10": "課対仕入内10%", "taxable_8_reduced": "課対仕入内軽減8%"}
    table = {key: VendorTax(f"{name}適格") for key, name in names.items()}
    table |= {no_invoice_key(key, pct): VendorTax(f"{name}区分{pct}%")
              for key, name in names.items() for pct in TRANSITIONAL_PERCENTS}
    return table | {"exempt": VendorTax("非課仕入"), "out_of_scope": VendorTax("対象外")}


def _moneyforward() -> dict[str, VendorTax]:
    names = {"taxable_10": "課税仕入 10%", "taxable_8_reduced": "課税仕入 (軽)8%"}
    table = {key: VendorTax(name, "適格") for key, name in names.items()}
    table |= {no_invoice_key(key, pct): VendorTax(name, f"{pct}%控除")
              for key, name in names.items() for pct in TRANSITIONAL_PERCENTS}
    return table | {"exempt": VendorTax("非課税仕入"), "out_of_scope": VendorTax("対象外")}


def _freee() -> dict[str, VendorTax]:
    rates = {"taxable_10": "10%", "taxable_8_reduced": "8%(軽)"}
    table = {key: VendorTax(f"課対仕入 {rate}") for key, rate in rates.items()}
    table |= {no_invoice_key(key, pct): VendorTax(f"課対仕入(控{pct}) {rate}")
              for key, rate in rates.items() for pct in TRANSITIONAL_PERCENTS}
    return table | {"exempt": VendorTax("非課仕入"), "out_of_scope": VendorTax("対象外")}


DEFAULT_TAX_CATEGORIES: Final[Mapping[str, Mapping[str, VendorTax]]] = MappingProxyType({
    "yayoi": MappingProxyType(_yayoi()),
    "moneyforward": MappingProxyType(_moneyforward()),
    "freee": MappingProxyType(_freee()),
})


@dataclass(frozen=True)
class DefaultAccount:
    """An account of the default chart for a Japanese SME's expense claims."""

    key: str
    name: str  # the Japanese name, also every vendor's default unless overridden below
    tax_key: str  # the usual tax key of a claim line on it


DEFAULT_ACCOUNTS: Final = (
    DefaultAccount("travel", "旅費交通費", "taxable_10"),
    DefaultAccount("communication", "通信費", "taxable_10"),
    DefaultAccount("supplies", "消耗品費", "taxable_10"),
    DefaultAccount("meetings", "会議費", "taxable_10"),
    DefaultAccount("entertainment", "交際費", "taxable_10"),
    DefaultAccount("welfare", "福利厚生費", "taxable_10"),
    DefaultAccount("books", "新聞図書費", "taxable_10"),
    DefaultAccount("fees", "支払手数料", "taxable_10"),
    DefaultAccount("shipping", "荷造運賃", "taxable_10"),
    DefaultAccount("advertising", "広告宣伝費", "taxable_10"),
    DefaultAccount("training", "研修費", "taxable_10"),
    DefaultAccount("taxes", "租税公課", "out_of_scope"),
    DefaultAccount("misc", "雑費", "taxable_10"),
    DefaultAccount("advances", "仮払金", "out_of_scope"),
    DefaultAccount("payable", "未払金", "out_of_scope"),
    DefaultAccount("bank", "普通預金", "out_of_scope"),
    DefaultAccount("cash", "現金", "out_of_scope"),
)

# Where a vendor's default chart names an account differently. In all three the 法人 charts
# use the names above; the 個人事業主 charts say 接待交際費 for 交際費. freee's 決済口座 is a
# registered 口座 (e.g. "三井住友銀行"), not the account 普通預金: map "bank" to that name.
VENDOR_ACCOUNT_OVERRIDES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType({
    "yayoi": MappingProxyType({}),
    "moneyforward": MappingProxyType({}),
    "freee": MappingProxyType({}),
})


def default_account_names(vendor: str) -> dict[str, str]:
    """Account key → the vendor's default name (a fresh dict the caller may edit)."""
    overrides = VENDOR_ACCOUNT_OVERRIDES[vendor]
    return {a.key: overrides.get(a.key, a.name) for a in DEFAULT_ACCOUNTS}
