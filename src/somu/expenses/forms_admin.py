"""Forms of the expense set-up pages. They only collect text: every check is in
:mod:`somu.expenses.services.admin`, whose errors :func:`somu.core.web.apply_errors` shows."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from somu.expenses.models import (
    Account,
    AccountKind,
    AccountRole,
    Region,
    Rule,
    RuleKind,
    Settings,
    Severity,
    TaxRate,
)
from somu.expenses.services.admin import PARAMS_BY_KIND


class AccountForm(forms.Form):
    code = forms.CharField(label=_("code"), max_length=20)
    name = forms.CharField(label=_("name"), max_length=60)
    role = forms.ChoiceField(label=_("use"), choices=AccountRole.choices, required=False)
    default_tax_rate = forms.ChoiceField(label=_("default tax rate"), choices=TaxRate.choices)
    allowed_tax_rates = forms.MultipleChoiceField(
        label=_("allowed tax rates"), choices=TaxRate.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: a line of this account may use any rate."))
    is_active = forms.BooleanField(label=_("in use"), required=False)
    sort_order = forms.CharField(label=_("order"), required=False, max_length=6,
                                 help_text=_("Left empty: after the last."))


def account_initial(account: Account) -> dict[str, Any]:
    return {"code": account.code, "name": account.name, "role": account.role,
            "default_tax_rate": account.default_tax_rate,
            "allowed_tax_rates": list(account.allowed_tax_rates),
            "is_active": account.is_active, "sort_order": account.sort_order}


REGIONS = (("any", _("Domestic and overseas")), *Region.choices)

# The parameter fields, with what each means; a kind shows only those it reads.
PARAM_FIELDS: dict[str, forms.Field] = {
    "accounts": forms.CharField(
        label=_("accounts (codes)"), required=False, max_length=500,
        help_text=_("Account codes separated by spaces or commas (7410 7430); empty: every "
                    "account.")),
    "amount": forms.CharField(label=_("amount (yen)"), required=False, max_length=12),
    "limits": forms.CharField(
        label=_("limits by position"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One line a position: 「部長: 3000」.")),
    "default": forms.CharField(label=_("limit for other positions (yen)"), required=False,
                               max_length=12),
    "region": forms.ChoiceField(label=_("region"), choices=REGIONS, required=False),
    "keywords": forms.CharField(
        label=_("keywords"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line; a line whose purpose contains one needs a reason.")),
}


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=RuleKind.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices)
    text = forms.CharField(label=_("rule text"), max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("The rule's own words, shown with every finding "
                                       "(経費精算規程 第5条：…)."))
    is_active = forms.BooleanField(label=_("in use"), required=False)

    def __init__(self, *args: Any, kind: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PARAMS_BY_KIND.get(kind, ()):
            self.fields[name] = copy.deepcopy(PARAM_FIELDS[name])

    def params(self) -> list[forms.BoundField]:
        return [self[name] for name in PARAM_FIELDS if name in self.fields]

    def main(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "severity", "text", "is_active")]


def rule_initial(rule: Rule) -> dict[str, Any]:
    params = rule.params or {}
    limits = params.get("limits") or {}
    return {"kind": rule.kind, "severity": rule.severity, "text": rule.text,
            "is_active": rule.is_active,
            "accounts": " ".join(params.get("accounts") or []),
            "amount": params.get("amount", ""), "default": params.get("default", ""),
            "limits": "\n".join(f"{k}: {v}" for k, v in limits.items()),
            "region": params.get("region", "any"),
            "keywords": "\n".join(params.get("keywords") or [])}


class SettingsForm(forms.Form):
    retention_years = forms.CharField(label=_("retention period (years)"), max_length=3,
                                      help_text=_("7 years or more."))
    retention_basis = forms.CharField(label=_("legal basis of the retention period"),
                                      max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    entertainment_per_person = forms.CharField(
        label=_("entertainment threshold per person (yen)"), max_length=12)
    requester_code = forms.CharField(label=_("全銀 依頼人コード"), required=False,
                                     max_length=10, help_text=_("10 digits, given by the bank."))
    requester_name = forms.CharField(label=_("依頼人名 (half-width kana)"), required=False,
                                     max_length=40, help_text=_("e.g. ｶ)ｿｳﾑ"))
    bank_code = forms.CharField(label=_("bank code"), required=False, max_length=4,
                                help_text=_("4 digits"))
    branch_code = forms.CharField(label=_("branch code"), required=False, max_length=3,
                                  help_text=_("3 digits"))
    account_kind = forms.ChoiceField(label=_("account type"), choices=AccountKind.choices)
    account_number = forms.CharField(label=_("account number"), required=False, max_length=7,
                                     help_text=_("Up to 7 digits."))


def settings_initial(settings: Settings) -> dict[str, Any]:
    return {name: getattr(settings, name) for name in SettingsForm.base_fields}
