"""What the claim pages and the request page's section show: words for people, not raw values
(the registry status in a sentence, the tax totals as on an invoice, the findings with the
rule's text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from somu.core.money import format_yen
from somu.expenses import checks
from somu.expenses.forms import proposed
from somu.expenses.models import AccountRole, Claim, InvoiceException, Line, Receipt, TaxRate
from somu.expenses.services import claims as services
from somu.expenses.services import registry_check as rc


def registry_words(status: str) -> tuple[str, str]:
    """(sentence, tone) for a line's registry status; tone is '', 'ok' or 'warn'."""
    words = {
        rc.NONE: ("", ""),
        rc.INVALID: (_("Not a valid registration number"), "warn"),
        rc.UNCHECKED: (_("Format and check digit valid; no registry imported to check it"), ""),
        rc.VALID: (_("Registered and valid on the date"), "ok"),
        rc.NOT_REGISTERED: (_("Not in the registry"), "warn"),
        rc.NOT_YET: (_("Not yet registered on the date"), "warn"),
        rc.CANCELLED: (_("Registration cancelled or expired by the date"), "warn"),
    }
    return words.get(status, (status, ""))


@dataclass(frozen=True)
class LineRow:
    line: Line
    amount: str
    tax: str
    registry: str
    registry_tone: str
    exception: str
    per_person: str


def line_rows(lines: list[Line]) -> list[LineRow]:
    rows = []
    for line in lines:
        words, tone = registry_words(line.registry_status)
        per_person = ""
        if line.account.role == AccountRole.ENTERTAINMENT and line.participants:
            per_person = format_yen(line.amount // line.participants)
        rows.append(LineRow(
            line=line, amount=format_yen(line.amount), tax=str(TaxRate(line.tax_rate).label)
            if line.tax_rate in TaxRate.values else line.tax_rate,
            registry=words, registry_tone=tone,
            exception=str(InvoiceException(line.exception).label)
            if line.exception in InvoiceException.values else "",
            per_person=per_person))
    return rows


def _rate_heading(rate: str) -> str:
    headings: dict[str, str] = {TaxRate.STANDARD: _("Subject to 10%"),
            TaxRate.REDUCED: _("Subject to 8% (reduced rate)"),
            TaxRate.EXEMPT: _("Tax-exempt"),
            TaxRate.OUT_OF_SCOPE: _("Not subject to tax")}
    return headings.get(rate, rate)


def tax_rows(lines: list[Line]) -> list[dict[str, str]]:
    """As on an invoice: 10%対象 ¥x（うち消費税 ¥y）, 8%対象 …, in the order of the rates."""
    totals = checks.tax_totals((line.tax_rate, line.amount) for line in lines)
    return [{"heading": _rate_heading(rate), "total": format_yen(totals[rate][0]),
             "tax": format_yen(totals[rate][1]) if rate in (TaxRate.STANDARD, TaxRate.REDUCED)
             else ""} for rate in TaxRate.values if rate in totals]


def _severity(severity: str) -> str:
    return _("Error") if severity == checks.ERROR else _("Warning")


def findings(claim: Claim, *, today: dt.date, live: bool) -> dict[str, Any]:
    """The 規程チェック: live for a draft being edited, as stored at the last submission
    otherwise (what the approvers saw)."""
    if claim.kind != "claim":
        return {"live": live, "items": []}
    if live:
        found = [f.as_dict() for f in services.findings_of(claim, today=today)]
    else:
        found = list(claim.findings or [])
    items = [{"severity": f.get("severity", ""), "label": _severity(f.get("severity", "")),
              "line": f.get("line"), "detail": f.get("detail", ""), "text": f.get("text", "")}
             for f in found]
    return {"live": live, "items": items,
            "errors": sum(1 for f in items if f["severity"] == checks.ERROR)}


def receipt_rows(receipts: list[Receipt]) -> list[dict[str, Any]]:
    """Each receipt with what reading it proposed, in words (nothing is applied from it)."""
    rows = []
    for receipt in receipts:
        fields = []
        for key, label in (("date", _("Date")), ("amount", _("Amount")), ("payee", _("Payee")),
                           ("registration_number", _("Registration number"))):
            value = proposed(receipt.proposal, key)
            if value not in (None, ""):
                fields.append((label, format_yen(value) if key == "amount" else str(value)))
        problem = (receipt.proposal or {}).get("problem", "") \
            if isinstance(receipt.proposal, dict) else ""
        rows.append({"receipt": receipt, "proposal": fields, "problem": problem})
    return rows
