"""The forms of the claim pages.

They only carry what was typed: every check is in :mod:`somu.expenses.services.claims` (the API
refuses the same things), whose ValidationError the views put next to these fields with
:func:`somu.core.web.apply_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.approvals.forms_requests import DateInput, YenInput
from somu.approvals.models import Request, RequestState
from somu.expenses.models import Account, Claim, ClaimKind, InvoiceException, Receipt, TaxRate

RECEIPT_ACCEPT = "application/pdf,image/jpeg,image/png"


def _trip_choices(trips: list[Request]) -> list[tuple[str, Any]]:
    return [("", _("(none)")), *((str(t.pk), f"{t.number} {t.title}") for t in trips)]


def proposed(proposal: Any, key: str) -> Any:
    """A proposed value: stored as ``{"value": …, "confidence": …}`` by the reader (a bare value
    is accepted too)."""
    found = (proposal or {}).get(key) if isinstance(proposal, dict) else None
    return found.get("value") if isinstance(found, dict) else found


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class ClaimForm(forms.Form):
    """A claim's or an advance's header: the title, and what it links to."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    amount = forms.CharField(label=pgettext_lazy("advance", "Amount requested"), required=False,
                             widget=YenInput())
    purpose = forms.CharField(label=pgettext_lazy("advance", "Purpose"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    trip = forms.ChoiceField(label=_("Approved trip request (出張申請)"), required=False,
                             help_text=_("Trip lines are checked against its dates."))
    advance = forms.ChoiceField(label=_("Advance to settle (仮払)"), required=False,
                                help_text=_("The difference is paid out or returned."))

    def __init__(self, *args: Any, kind: str, trips: list[Request],
                 advances: list[Claim], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "trip").choices = _trip_choices(trips)
        if kind == ClaimKind.ADVANCE:
            del self.fields["advance"]
        else:
            del self.fields["amount"]
            del self.fields["purpose"]
            _choice(self, "advance").choices = [("", _("(none)")), *(
                (str(a.pk), f"{a.request.number} {a.request.title} ¥{a.request.amount or 0:,}")
                for a in advances)]

    @staticmethod
    def initial_of(claim: Claim) -> dict[str, Any]:
        request = claim.request
        return {"title": request.title, "trip": claim.trip_id or "",
                "advance": claim.advance_id or "",
                "amount": f"{request.amount:,}" if claim.kind == ClaimKind.ADVANCE
                and request.amount is not None else "",
                "purpose": (request.values or {}).get("purpose", "")}

    def data_for_service(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        return {"title": data.get("title", ""), "amount": data.get("amount") or None,
                "purpose": data.get("purpose", ""), "trip": data.get("trip") or None,
                "advance": data.get("advance") or None}


class LineForm(forms.Form):
    date = forms.CharField(label=_("Date"), required=False, widget=DateInput())
    payee = forms.CharField(label=_("Payee (取引先)"), max_length=100, required=False)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    account = forms.ChoiceField(label=_("Account (勘定科目)"), required=False)
    amount = forms.CharField(label=_("Amount (tax included)"), required=False,
                             widget=YenInput())
    tax_rate = forms.ChoiceField(label=_("Tax rate"), required=False,
                                 help_text=_("Left empty, the account's usual rate is used."))
    registration_number = forms.CharField(
        label=_("Registration number (登録番号)"), max_length=20, required=False,
        help_text=_("T and 13 digits, as printed on a qualified invoice (適格請求書)."),
        widget=forms.TextInput(attrs={"placeholder": "T1234567890123", "autocomplete": "off",
                                      "data-registration": "1"}))
    exception = forms.ChoiceField(
        label=_("Without a qualified invoice"), required=False,
        help_text=_("Only when there is no registration number: the case that applies."),
        choices=[("", "—"), *InvoiceException.choices])
    participants = forms.CharField(
        label=_("Participants"), required=False,
        help_text=_("For entertainment (交際費): the number of people, guests included."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False,
                             help_text=_("Why, where a rule asks for one (e.g. a taxi)."))
    receipt = forms.ChoiceField(label=_("Receipt"), required=False)

    def __init__(self, *args: Any, accounts: list[Account], receipts: list[Receipt],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = _choice(self, "account")
        field.choices = [("", "—"), *((str(a.pk), f"{a.code} {a.name}") for a in accounts)]
        # The account's usual rate and role, read by expenses-claim.js to fill the form.
        field.widget.attrs.update({"data-account-select": "1"})
        self.account_hints = {str(a.pk): {"rate": a.default_tax_rate, "role": a.role}
                              for a in accounts}
        _choice(self, "tax_rate").choices = [("", _("(the account's usual rate)")),
                                           *TaxRate.choices]
        _choice(self, "receipt").choices = [("", _("(none)")),
                                          *((str(r.pk), r.filename) for r in receipts)]

    @staticmethod
    def initial_of(line: Any) -> dict[str, Any]:
        return {"date": line.date.isoformat(), "payee": line.payee, "purpose": line.purpose,
                "account": str(line.account_id), "amount": f"{line.amount:,}",
                "tax_rate": line.tax_rate, "registration_number": line.registration_number,
                "exception": line.exception, "participants": line.participants or "",
                "reason": line.reason, "receipt": line.receipt_id or ""}

    @staticmethod
    def initial_from_proposal(receipt: Receipt) -> dict[str, Any]:
        """What reading the receipt proposed; the user confirms or corrects it before saving."""
        initial: dict[str, Any] = {"receipt": str(receipt.pk)}
        for key in ("date", "amount", "payee", "registration_number"):
            value = proposed(receipt.proposal, key)
            if value not in (None, ""):
                initial[key] = str(value)
        return initial

    def data_for_service(self) -> dict[str, Any]:
        self.is_valid()  # every field is optional here: the service says what is missing
        return dict(self.cleaned_data)


STATE_FILTER = [("", _("All states")), *RequestState.choices]
KIND_FILTER = [("", _("Claims and advances")), *ClaimKind.choices]


class ClaimFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_FILTER)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=KIND_FILTER)
