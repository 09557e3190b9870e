"""A closed period's files: the 全銀 総合振込 file of its transfers and the journal CSV for
弥生会計, マネーフォワード クラウド会計 and freee会計.

The pure writers are in :mod:`somu.expenses.formats`; this module turns the period into their
input. Everything is read from the closed period (the payments keep a copy of the bank
accounts, the claims are locked), ordered by stable keys and never stamped with the time, so
exporting a period twice gives byte-identical files. A problem — a name that cannot be written
in 全銀 characters, a code of the wrong length, an unbalanced 伝票 — names the claim and the
field, and no file is produced. Every export is in the audit log with the file's SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.approvals.services.base import audit_actor
from somu.audit.services import audit_record
from somu.core.permissions import require
from somu.expenses import permissions as p
from somu.expenses.formats import journal_freee, journals, zengin
from somu.expenses.formats.journal_defaults import (
    DEFAULT_TAX_CATEGORIES,
    VENDORS,
    tax_key_without_invoice,
)
from somu.expenses.formats.journal_model import Side
from somu.expenses.models import (
    Account,
    AccountRole,
    Claim,
    ClaimKind,
    InvoiceException,
    JournalName,
    Line,
    Payment,
    Period,
    PeriodFile,
)
from somu.expenses.services import setup
from somu.expenses.services.registry_check import UNCHECKED, VALID
from somu.org.models import Membership, User

FIELD_LABELS = {
    "name": "受取人名", "bank_code": "銀行コード", "branch_code": "支店コード",
    "account_type": "預金種目", "account_number": "口座番号", "amount": "金額",
    "requester_code": "依頼人コード", "transfers": "振込", "account": "勘定科目",
    "partner": "取引先", "memo": "摘要", "tax_category": "税区分", "lines": "仕訳",
}


# The payer's fields (the header record) by their own names: 依頼人名, not 受取人名.
PAYER_LABELS = {"name": "依頼人名", "bank_code": "振込元の銀行コード",
                "branch_code": "振込元の支店コード", "account_type": "振込元の預金種目",
                "account_number": "振込元の口座番号"}


def _claim_refs(period: Period) -> dict[int, str]:
    """Person id → the numbers of the claims and advances paid to them in ``period``."""
    refs: dict[int, list[str]] = {}
    for requester, number in (Claim.objects.filter(period=period)
                              .order_by("request__number")
                              .values_list("request__requester_id", "request__number")):
        refs.setdefault(requester, []).append(number)
    return {k: "、".join(v) for k, v in refs.items()}


def _problem_text(where: str, field: str, reason: str, value: str,
                  characters: Iterable[str] = ()) -> str:
    label = FIELD_LABELS.get(field, field)
    chars = " ".join(characters)
    if reason == "characters":
        return _("%(where)s: %(field)s %(value)s cannot be written in 全銀 characters "
                 "(%(chars)s).") % {"where": where, "field": label, "value": value,
                                     "chars": chars}
    return _("%(where)s: %(field)s “%(value)s” %(reason)s") % {
        "where": where, "field": label, "value": value,
        "reason": _reason_text(reason)}


def _reason_text(reason: str) -> str:
    """The formats' reason codes (zengin.ZenginProblem, journals.JournalProblem) in words."""
    texts = {
        "digits": _("does not have the number of digits the format needs."),
        "choice": _("is not one of the values the format allows."),
        "empty": _("is empty."),
        "amount": _("is not an amount the format can hold (1 to 10 digits)."),
        "total": _("makes the file's total too large."),
        "unbalanced": _("leaves debits and credits unequal."),
        "one_sided": _("has only one side (debit or credit)."),
        "duplicate": _("is used twice."),
        "shape": _("cannot be written in this product's import format."),
    }
    return texts.get(reason, _("is not valid."))


def zengin_file(period: Period) -> bytes:
    """The period's 総合振込 file (the transfers: payments above zero)."""
    settings = setup.settings_of()
    payer = zengin.Payer(
        requester_code=settings.requester_code, name=settings.requester_name,
        bank_code=settings.bank_code, branch_code=settings.branch_code,
        account_type=settings.account_kind, account_number=settings.account_number)
    refs = _claim_refs(period)
    payments = list(Payment.objects.filter(period=period, amount__gt=0)
                    .select_related("person").order_by("person__employee_number", "pk"))
    if not payments:
        raise ValidationError(_("The period has nothing to transfer, so it has no 全銀 file."))
    where = {str(pay.pk): f"{pay.person.name} ({refs.get(pay.person_id, '')})"
             for pay in payments}
    transfers = [zengin.Transfer(
        ref=str(pay.pk), bank_code=pay.bank_code, branch_code=pay.branch_code,
        account_type=pay.account_kind, account_number=pay.account_number, name=pay.holder,
        amount=pay.amount) for pay in payments]
    try:
        return zengin.write_transfers(payer, period.payment_date, transfers)
    except zengin.ZenginError as error:
        raise ValidationError([_problem_text(
            where.get(x.ref, _("Payer (expense settings)")),
            PAYER_LABELS.get(x.field, x.field) if x.ref == "payer" else x.field, x.reason, x.value,
            x.characters) for x in error.problems]) from error


def has_qualified_invoice(line: Line) -> bool:
    """Whether the line keeps the full input-tax credit: a registration number the registry
    does not contradict, or one of the exceptions that need no qualified invoice."""
    if line.exception == InvoiceException.NONE:
        return False
    if line.exception:
        return True
    return bool(line.registration_number) and line.registry_status in (VALID, UNCHECKED)


class _Names:
    """somu's accounts and tax keys in one vendor's words (JournalName, else the defaults)."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.edited = dict(JournalName.objects.filter(vendor=vendor).values_list("key", "name"))
        self.by_role = {a.role: a for a in Account.objects.exclude(role="")}
        self.advance = self.role(AccountRole.ADVANCE, "仮払金")
        self.payable = self.role(AccountRole.PAYABLE, "未払金")
        self.bank = self.role(AccountRole.BANK, "普通預金")

    def account(self, account: Account) -> str:
        return self.edited.get(f"account:{account.code}", account.name)

    def role(self, role: str, fallback: str) -> str:
        account = self.by_role.get(role)
        return self.account(account) if account is not None else fallback

    def tax(self, key: str) -> tuple[str, str]:
        default = DEFAULT_TAX_CATEGORIES[self.vendor].get(key)
        category = self.edited.get(f"tax:{key}", default.category if default else key)
        return category, (default.invoice if default else "")


def _claim_entries(claim: Claim, lines: list[Line], names: _Names, *, freee: bool
                   ) -> list[tuple[journals.Line, ...]]:
    """The 仕訳 of one claim: its lines on the debit side; 仮払金 for the advance it settles and
    未払金 for the rest on the credit side (a return left over from the advance: 普通預金).

    freee's 取引 has one settlement line, so for freee a claim that settles an advance is two
    取引: the claim against 未払金, then 未払金 (or the returned money) against 仮払金 — the
    organization registers 仮払金 as a freee 口座 (see the docs)."""
    number = claim.request.number
    person = claim.request.requester.name
    memo = f"{number} {person}"
    outside = names.tax("out_of_scope")[0]
    advance, payable, bank = names.advance, names.payable, names.bank
    amount = claim.request.amount or 0
    if claim.kind == ClaimKind.ADVANCE:
        return [(journals.Line(journals.DEBIT, advance, amount, tax_category=outside,
                               partner=person, memo=memo),
                 journals.Line(journals.CREDIT, bank, amount, tax_category=outside,
                               partner=person, memo=memo))]
    rows: list[journals.Line] = []
    for line in lines:
        key = line.tax_rate if has_qualified_invoice(line) else tax_key_without_invoice(
            line.tax_rate, line.date)
        category, invoice = names.tax(key)
        rows.append(journals.Line(
            journals.DEBIT, names.account(line.account), line.amount, tax_category=category,
            partner=line.payee, invoice=invoice, memo=f"{line.purpose} ({number})"))
    settled = (claim.advance.request.amount or 0) if claim.advance is not None else 0
    rest = amount - settled
    returned = f"返金 {memo}"  # the file's words do not depend on who exports it

    def side(kind: Side, account: str, value: int, text: str = memo) -> journals.Line:
        return journals.Line(kind, account, value, tax_category=outside, partner=person,
                             memo=text)

    if claim.corrects is not None:
        return _correction_entries(claim, rows, names, side)
    if freee and settled:
        used = min(amount, settled)
        out = [(*rows, side(journals.CREDIT, payable, amount)),
               (side(journals.DEBIT, payable, used), side(journals.CREDIT, advance, used))]
        if rest < 0:
            out.append((side(journals.DEBIT, bank, -rest, returned),
                        side(journals.CREDIT, advance, -rest, returned)))
        return out
    if settled:
        rows.append(side(journals.CREDIT, advance, settled))
    if rest > 0:
        rows.append(side(journals.CREDIT, payable, rest))
    elif rest < 0:  # the person returns what the advance left over (返金)
        rows.append(side(journals.DEBIT, bank, -rest, returned))
    return [tuple(rows)]


def _correction_entries(claim: Claim, rows: list[journals.Line], names: _Names, side: Any
                        ) -> list[tuple[journals.Line, ...]]:
    """A correction: the original's 仕訳 reversed (its lines credited back against 未払金), then
    the corrected lines against 未払金 — two 伝票, so each has one settlement line (freee)."""
    original = claim.corrects
    assert original is not None
    number = original.request.number
    payable = names.payable
    reversed_rows: list[journals.Line] = []
    for line in Line.objects.filter(claim=original).select_related("account").order_by(
            "number"):
        key = line.tax_rate if has_qualified_invoice(line) else tax_key_without_invoice(
            line.tax_rate, line.date)
        category, invoice = names.tax(key)
        reversed_rows.append(journals.Line(
            journals.CREDIT, names.account(line.account), line.amount, tax_category=category,
            partner=line.payee, invoice=invoice, memo=f"取消 {line.purpose} ({number})"))
    old = sum(r.amount for r in reversed_rows)
    new = sum(r.amount for r in rows)
    return [(side(journals.DEBIT, payable, old, f"取消 {number}"), *reversed_rows),
            (*rows, side(journals.CREDIT, payable, new))]


def vouchers(period: Period, vendor: str) -> tuple[list[journals.Voucher], dict[int, str]]:
    """The period's 伝票 (dated its payment date, in the order the claims were made) and, by
    voucher number, the claim each comes from."""
    names = _Names(vendor)
    claims = list(Claim.objects.filter(period=period).select_related(
        "request", "request__requester", "advance__request", "corrects__request").order_by("pk"))
    lines: dict[int, list[Line]] = {}
    for line in Line.objects.filter(claim__period=period).select_related("account").order_by(
            "claim_id", "number"):
        lines.setdefault(line.claim_id, []).append(line)
    out: list[journals.Voucher] = []
    refs: dict[int, str] = {}
    for claim in claims:
        memo = f"{claim.request.number} {claim.request.requester.name}"
        for entry in _claim_entries(claim, lines.get(claim.pk, []), names,
                                    freee=vendor == "freee"):
            n = len(out) + 1
            refs[n] = claim.request.number
            out.append(journals.Voucher(n, period.payment_date, entry, memo=memo))
    return out, refs


def journal_file(period: Period, vendor: str) -> bytes:
    if vendor not in VENDORS:
        raise ValidationError({"vendor": [_("Choose 弥生, マネーフォワード or freee.")]})
    found, refs = vouchers(period, vendor)
    if not found:
        raise ValidationError(_("The period has no claims to journal."))
    try:
        if vendor == "freee":
            names = _Names(vendor)
            return journal_freee.write_freee(found, settlement_accounts={
                *journal_freee.SETTLEMENT_ACCOUNTS, names.bank, names.advance},
                unsettled_account=names.payable)
        return journals.write(vendor, found)
    except journals.JournalError as error:
        raise ValidationError([_problem_text(
            f"{refs.get(x.voucher, x.voucher)}" + (f" #{x.line}" if x.line else ""),
            x.field, x.reason, x.detail, x.characters) for x in error.problems]) from error


def filename(period: Period, what: str) -> str:
    base = f"{period.payment_date:%Y%m%d}-{period.pk}"
    if what == "zengin":
        return f"zengin-{base}.txt"
    return f"journal-{base}-{journals.FILE_NAMES[what]}"


def export_file(*, actor: User | None, period: Period, what: str) -> tuple[str, bytes]:
    """``what``: "zengin" or a vendor. The file's name and bytes; audited as ``actor`` (None:
    the system, e.g. the command line without ``--actor``).

    The first export of a file is kept (PeriodFile) and served again afterwards: the same closed
    period always gives the same bytes, whatever was edited since (settings, names, people)."""
    if what != "zengin" and what not in VENDORS:
        raise ValidationError({"vendor": [_("Choose 弥生, マネーフォワード or freee.")]})
    with transaction.atomic():
        Period.objects.select_for_update().get(pk=period.pk)
        kept = PeriodFile.objects.filter(period=period, what=what).first()
        if kept is not None:
            name, data = kept.name, bytes(kept.data)
        else:
            data = zengin_file(period) if what == "zengin" else journal_file(period, what)
            name = filename(period, what)
            PeriodFile.objects.create(period=period, what=what, name=name, data=data,
                                      sha256=hashlib.sha256(data).hexdigest(),
                                      created_at=timezone.now())
    audit_record(actor=actor, action="expense_period.export", obj=period,
                 changes={"file": [None, name],
                          "sha256": [None, hashlib.sha256(data).hexdigest()]})
    return name, data


def period_export(*, membership: Membership, period: Period, what: str) -> tuple[str, bytes]:
    """A period's file for a member of the accounting staff."""
    require(membership, p.PROCESS_EXPENSES)
    return export_file(actor=audit_actor(membership), period=period, what=what)
