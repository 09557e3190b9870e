"""Bank accounts: one's own as a section of the account page, and the accounting staff's list of
everyone's with edit. Nobody else sees an account (404)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, org_view
from somu.expenses import permissions as p
from somu.expenses.models import AccountKind, BankAccount
from somu.expenses.services import banks
from somu.org.models import Person
from somu.org.permissions import VIEW_ORG


class BankAccountForm(forms.Form):
    bank_code = forms.CharField(label=gettext_lazy("Bank code (4 digits)"), max_length=4)
    branch_code = forms.CharField(label=gettext_lazy("Branch code (3 digits)"), max_length=3)
    kind = forms.ChoiceField(label=gettext_lazy("Account type"), choices=AccountKind.choices)
    number = forms.CharField(label=gettext_lazy("Account number (7 digits)"), max_length=7)
    holder = forms.CharField(label=gettext_lazy("Account holder (half-width katakana)"),
                             max_length=30, help_text=gettext_lazy("e.g. ｽｽﾞｷ ｲﾁﾛｳ"))


def _initial(account: BankAccount | None) -> dict[str, str]:
    if account is None:
        return {}
    return {"bank_code": account.bank_code, "branch_code": account.branch_code,
            "kind": account.kind, "number": account.number, "holder": account.holder}


def _save(request: AuthedRequest, person: Person, form: BankAccountForm) -> bool:
    if not form.is_valid():
        return False
    try:
        banks.bank_account_save(membership=request.membership, person=person,
                                data=form.cleaned_data, now=timezone.now())
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(request, _("The bank account has been saved."))
    return True


def _names(account: BankAccount | None) -> dict[str, str]:
    if account is None:
        return {}
    return {"bank": banks.bank_name(account.bank_code),
            "branch": banks.branch_name(account.bank_code, account.branch_code)}


def bank_section(request: HttpRequest) -> SafeString:
    """The account page's 振込先口座 section (a member linked to a person)."""
    membership = getattr(request, "membership", None)
    person = membership.person if membership is not None else None
    if person is None:
        return SafeString("")
    account = BankAccount.objects.filter(person=person).first()
    form = BankAccountForm(initial=_initial(account))
    return render_to_string("expenses/accounting/_bank_section.html", {
        "form": form, "account": account, "names": _names(account)}, request=request)


@require_POST
@org_view(VIEW_ORG)
def my_bank_account(request: AuthedRequest) -> HttpResponse:
    person = request.membership.person
    if person is None:
        raise Http404
    form = BankAccountForm(request.POST)
    if not _save(request, person, form):
        messages.error(request, " ".join(
            f"{form.fields[f].label if f in form.fields else ''}: {' '.join(str(x) for x in e)}"
            for f, e in form.errors.items()))
    return redirect("/account/#bank-account")


@org_view(p.PROCESS_EXPENSES)
def bank_list(request: AuthedRequest) -> HttpResponse:
    accounts = {b.person_id: b for b in BankAccount.objects.all()}
    people = list(Person.objects.order_by("employee_number"))
    rows = [(person, accounts.get(person.pk)) for person in people]
    return render(request, "expenses/accounting/bank_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@org_view(p.PROCESS_EXPENSES)
def bank_edit(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=person_id)
    account = BankAccount.objects.filter(person=person).first()
    form = BankAccountForm(request.POST or None, initial=_initial(account))
    if request.method == "POST" and _save(request, person, form):
        return redirect("expenses:bank_list")
    return render(request, "expenses/accounting/bank_edit.html", {
        "person": person, "form": form, "account": account, "names": _names(account)},
        status=422 if form.errors else 200)
