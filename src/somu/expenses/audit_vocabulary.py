"""The expenses module's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        "expense_claim.lock": _("Claim approved and locked for retention"),
        "expense_claim.correct": _("Correction of an approved claim started"),
        "expense_receipt.add": _("Receipt uploaded"),
        "expense_receipt.remove": _("Receipt removed"),
        "expense_receipt.download": _("Receipt downloaded"),
        "expense_account.create": _("Account (勘定科目) added"),
        "expense_account.update": _("Account (勘定科目) changed"),
        "expense_account.delete": _("Account (勘定科目) deleted"),
        "expense_rule.create": _("Expense rule (規程チェック) added"),
        "expense_rule.update": _("Expense rule (規程チェック) changed"),
        "expense_rule.move": _("Expense rule (規程チェック) moved"),
        "expense_settings.update": _("Expense settings changed"),
        "expense_journal_names.update": _("Names in an accounting product changed"),
        "expense_bank_account.save": _("Bank account for reimbursements saved"),
        "expense_period.close": _("Period closed (締め)"),
        "expense_period.export": _("Period file exported (全銀 or journal)"),
        "expense_search.export": _("Stored claims exported (電帳法 search)"),
        "invoice_registry.import": _("Invoice registry imported (shared by all organizations)"),
    },
    object_types={
        "expenses.claim": _("expense claim"),
        "expenses.receipt": _("receipt"),
        "expenses.account": _("account (勘定科目)"),
        "expenses.rule": _("expense rule"),
        "expenses.settings": _("expense settings"),
        "expenses.journal_names": _("names in an accounting product"),
        "expenses.bankaccount": _("bank account"),
        "expenses.period": _("period (締め)"),
        "expenses.search": _("電帳法 search"),
        "expenses.registryimport": _("invoice registry import"),
    },
    fields={
        "names": _("names in the accounting product"),
        "retain_until": _("retained until"),
        "receipts": _("receipts (SHA-256)"),
        "sha256": _("SHA-256"),
        "corrects": _("corrects"),
        "bank_code": _("bank code"),
        "branch_code": _("branch code"),
        "kind": _("account type"),
        "number": _("account number (last digits)"),
        "holder": _("account holder"),
        "cutoff": _("approved up to"),
        "payment_date": _("payment date"),
        "transfers": _("transfers (yen)"),
        "returns": _("returns (yen)"),
        "file": _("file"),
        "criteria": _("search criteria"),
        "lines": _("lines"),
        "person": _("person"),
        "claims": _("claims and advances"),
        "claim": _("expense claim"),
        "files": _("files"),
        "rows": _("rows read"),
        "written": _("registrants added or updated"),
        "deleted": _("registrants deleted"),
    },
)
