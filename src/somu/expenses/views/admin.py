"""The expense set-up pages: the chart of accounts (勘定科目), the 規程チェック rules, the settings
and the names the accounting products use. 経理 (PROCESS_EXPENSES) reads them; changing them
needs MANAGE_EXPENSES. Saving goes through :mod:`somu.expenses.services.admin`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from somu.core.errors import Conflict
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, org_view
from somu.expenses import forms_admin as fa
from somu.expenses import permissions as p
from somu.expenses import selectors
from somu.expenses.models import Account, Rule, RuleKind, Vendor
from somu.expenses.services import admin as services
from somu.expenses.services import setup


def _manages(request: AuthedRequest) -> bool:
    return has_perm(request.membership, p.MANAGE_EXPENSES)


def _require_manage(request: AuthedRequest) -> None:
    # 経理 reads these pages; the form is not even read for them (the service refuses too).
    require(request.membership, p.MANAGE_EXPENSES)


# ---- the chart of accounts --------------------------------------------------------------------


@org_view(p.PROCESS_EXPENSES)
@require_GET
def account_list(request: AuthedRequest) -> HttpResponse:
    setup.ensure_defaults()
    return render(request, "expenses/admin/account_list.html",
                  {"accounts": selectors.accounts(), "manages": _manages(request)})


@org_view(p.MANAGE_EXPENSES)
@require_http_methods(["GET", "POST"])
def account_create(request: AuthedRequest) -> HttpResponse:
    return _account_form(request, None)


@org_view(p.MANAGE_EXPENSES)
@require_http_methods(["GET", "POST"])
def account_edit(request: AuthedRequest, expense_account_id: int) -> HttpResponse:
    return _account_form(request, get_object_or_404(Account, pk=expense_account_id))


def _account_form(request: AuthedRequest, account: Account | None) -> HttpResponse:
    if request.method == "POST":
        form = fa.AccountForm(request.POST)
        if form.is_valid():
            try:
                saved = services.account_save(membership=request.membership,
                                              data=form.cleaned_data, account=account,
                                              now=timezone.now())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved the account “%(name)s”.")
                                 % {"name": saved.name})
                return redirect("expenses:account_list")
    else:
        form = fa.AccountForm(initial=fa.account_initial(account) if account else {
            "is_active": True, "default_tax_rate": "taxable_10"})
    return render(request, "expenses/admin/account_form.html",
                  {"form": form, "account": account})


@org_view(p.MANAGE_EXPENSES)
@require_POST
def account_delete(request: AuthedRequest, expense_account_id: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=expense_account_id)
    try:
        services.account_delete(membership=request.membership, account=account)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("expenses:account_edit", expense_account_id=account.pk)
    messages.success(request, _("Deleted the account “%(name)s”.") % {"name": account.name})
    return redirect("expenses:account_list")


# ---- the 規程チェック ---------------------------------------------------------------------------


@org_view(p.PROCESS_EXPENSES)
@require_GET
def rule_list(request: AuthedRequest) -> HttpResponse:
    setup.ensure_defaults()
    return render(request, "expenses/admin/rule_list.html",
                  {"rules": selectors.rules(), "manages": _manages(request)})


@org_view(p.MANAGE_EXPENSES)
@require_http_methods(["GET", "POST"])
def rule_create(request: AuthedRequest) -> HttpResponse:
    return _rule_form(request, None)


@org_view(p.MANAGE_EXPENSES)
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthedRequest, expense_rule_id: int) -> HttpResponse:
    return _rule_form(request, get_object_or_404(Rule, pk=expense_rule_id))


def _rule_form(request: AuthedRequest, rule: Rule | None) -> HttpResponse:
    initial: dict[str, Any] = fa.rule_initial(rule) if rule else {
        "kind": RuleKind.ACCOUNT_LIMIT, "severity": "warning", "is_active": True,
        "region": "any"}
    if request.GET.get("params"):  # the kind changed: its parameter fields
        kind = request.GET.get("kind", "")
        form = fa.RuleForm(initial=initial, kind=kind)
        return render(request, "expenses/admin/_rule_params.html", {"form": form})
    if request.method == "POST":
        form = fa.RuleForm(request.POST, kind=request.POST.get("kind", ""))
        if form.is_valid():
            try:
                saved = services.rule_save(membership=request.membership,
                                           data=form.cleaned_data, rule=rule,
                                           now=timezone.now())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved rule %(number)s.") % {"number": saved.number})
                return redirect("expenses:rule_list")
    else:
        form = fa.RuleForm(initial=initial, kind=initial["kind"])
    return render(request, "expenses/admin/rule_form.html", {"form": form, "rule": rule})


@org_view(p.MANAGE_EXPENSES)
@require_POST
def rule_move(request: AuthedRequest, expense_rule_id: int) -> HttpResponse:
    rule = get_object_or_404(Rule, pk=expense_rule_id)
    services.rule_move(membership=request.membership, rule=rule,
                       up=request.POST.get("direction") != "down")
    return redirect("expenses:rule_list")


# ---- settings and journal names ---------------------------------------------------------------


@org_view(p.PROCESS_EXPENSES)
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthedRequest) -> HttpResponse:
    current = setup.settings_of()
    manages = _manages(request)
    if request.method == "POST":
        _require_manage(request)
        form = fa.SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.settings_save(membership=request.membership, data=form.cleaned_data,
                                       now=timezone.now())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Saved the expense settings."))
                return redirect("expenses:settings")
    else:
        form = fa.SettingsForm(initial=fa.settings_initial(current))
    if not manages:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "expenses/admin/settings.html", {"form": form, "manages": manages})


@org_view(p.PROCESS_EXPENSES)
@require_http_methods(["GET", "POST"])
def journal_names(request: AuthedRequest) -> HttpResponse:
    vendor = request.GET.get("vendor", "")
    if vendor not in Vendor.values:
        vendor = Vendor.YAYOI
    error = ""
    posted: dict[str, str] = {}
    if request.method == "POST":
        _require_manage(request)
        posted = {key.removeprefix("name:"): str(request.POST.get(key, ""))
                  for key in request.POST if key.startswith("name:")}
        try:
            services.journal_names_save(membership=request.membership, vendor=vendor,
                                        names=posted, now=timezone.now())
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            messages.success(request, _("Saved the names for %(vendor)s.")
                             % {"vendor": Vendor(vendor).label})
            return redirect(f"{request.path}?vendor={vendor}")
    rows = selectors.journal_table(vendor)
    for row in rows:
        row["value"] = posted.get(row["key"], row["name"])
    return render(request, "expenses/admin/journal_names.html", {
        "vendor": vendor, "vendors": Vendor.choices, "rows": rows, "error": error,
        "manages": _manages(request)})
