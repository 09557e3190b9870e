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
        "invoice_registry.import": _("Invoice registry imported (shared by all organizations)"),
    },
    object_types={
        "expenses.claim": _("expense claim"),
        "expenses.receipt": _("receipt"),
        "expenses.account": _("account (勘定科目)"),
        "expenses.rule": _("expense rule"),
        "expenses.settings": _("expense settings"),
        "expenses.journal_names": _("names in an accounting product"),
        "expenses.registryimport": _("invoice registry import"),
    },
    fields={
        "retain_until": _("retained until"),
        "receipts": _("receipts (SHA-256)"),
        "sha256": _("SHA-256"),
        "corrects": _("corrects"),
        "claim": _("expense claim"),
        "files": _("files"),
        "rows": _("rows read"),
        "written": _("registrants added or updated"),
        "deleted": _("registrants deleted"),
    },
)
