"""The set-up an administrator edits: the chart of accounts (勘定科目), the 規程チェック rules, the
expense settings (retention, 交際費 threshold, the payer of the 全銀 file) and the names the
accounting products use for somu's accounts and tax categories. Every rule of these forms lives
here, so the pages and the API refuse the same things; every change is in the audit log."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from somu.approvals.services.base import audit_actor
from somu.audit.services import audit_record
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.expenses import checks
from somu.expenses import permissions as p
from somu.expenses.models import (
    Account,
    AccountKind,
    AccountRole,
    JournalName,
    Line,
    Rule,
    RuleKind,
    Settings,
    Severity,
    TaxRate,
    Vendor,
)
from somu.expenses.services import setup
from somu.org.models import Membership, Position

Errors = dict[str, list[str]]

MAX_YEN: Final = 99_999_999
MAX_ORDER: Final = 32_767

# The parameters each kind of rule reads (see somu.expenses.checks); others are dropped.
PARAMS_BY_KIND: Final[dict[str, tuple[str, ...]]] = {
    RuleKind.ACCOUNT_LIMIT: ("accounts", "amount"),
    RuleKind.PER_DIEM: ("limits", "default", "region"),
    RuleKind.LODGING: ("limits", "default", "region"),
    RuleKind.RECEIPT_OVER: ("accounts", "amount"),
    RuleKind.REASON_REQUIRED: ("accounts", "keywords"),
    RuleKind.DUPLICATE: (),
    RuleKind.PER_DIEM_ONCE: (),
    RuleKind.WITHIN_TRIP: (),
    RuleKind.ENTERTAINMENT: ("amount",),
}
PARAM_NAMES: Final = ("accounts", "amount", "limits", "default", "region", "keywords")

# What a 全銀 依頼人名 may hold: half-width katakana (no small kana), A–Z, digits, space and
# the few marks the format allows.
ZENGIN_NAME: Final = re.compile(r"^[ｦｱ-ﾝﾞﾟA-Z0-9 ().,\-/｢｣\\]+$")

# Tax keys the journal names map (the rate keys of a line).
TAX_KEYS: Final = tuple(TaxRate.values)


def _text(data: Mapping[str, Any], field: str, errors: Errors, *, max_length: int,
          required: bool = True) -> str:
    value = data.get(field)
    text = "" if value is None else str(value).strip()
    if required and not text:
        errors[field] = [_("This field is required.")]
    elif len(text) > max_length:
        errors[field] = [_("At most %(n)s characters.") % {"n": max_length}]
    return text


def _whole(value: Any, field: str, errors: Errors, *, low: int, high: int,
           required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            errors[field] = [_("This field is required.")]
        return None
    text = str(value).strip().replace(",", "")
    if isinstance(value, bool) or not text.isdigit() or not low <= int(text) <= high:
        errors[field] = [_("Enter a whole number from %(low)s to %(high)s.")
                         % {"low": f"{low:,}", "high": f"{high:,}"}]
        return None
    return int(text)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("1", "true", "on", "yes")


def _taken(field: str, message: str) -> ValidationError:
    # code "unique": the API answers a duplicate 409, as a database constraint would be.
    return ValidationError({field: [ValidationError(message, code="unique")]})


# ---- the chart of accounts --------------------------------------------------------------------


@transaction.atomic
def account_save(*, membership: Membership, data: Mapping[str, Any],
                 account: Account | int | None = None, now: dt.datetime) -> Account:
    """Add an account or change one. A code or name used twice is refused; changing a code
    carries the rules and journal names that name it along."""
    require(membership, p.MANAGE_EXPENSES)
    found = None if account is None else Account.objects.select_for_update().get(
        pk=account.pk if isinstance(account, Account) else account)
    errors: Errors = {}
    code = _text(data, "code", errors, max_length=20)
    name = _text(data, "name", errors, max_length=60)
    role = str(data.get("role") or "")
    if role not in AccountRole.values:
        errors["role"] = [_("Choose one of the listed uses.")]
    rate = str(data.get("default_tax_rate") or "")
    if rate not in TaxRate.values:
        errors["default_tax_rate"] = [_("Choose a tax rate.")]
    allowed = data.get("allowed_tax_rates") or []
    if isinstance(allowed, str) or not all(str(r) in TaxRate.values for r in allowed):
        errors["allowed_tax_rates"] = [_("Choose among the listed tax rates.")]
        allowed = []
    allowed = [r for r in TaxRate.values if r in {str(a) for a in allowed}]
    if allowed and rate in TaxRate.values and rate not in allowed \
            and "allowed_tax_rates" not in errors:
        errors["default_tax_rate"] = [_("The default tax rate must be one of the allowed ones.")]
    order = _whole(data.get("sort_order"), "sort_order", errors, low=0, high=MAX_ORDER,
                   required=False)
    if errors:
        raise ValidationError(errors)
    others = Account.objects.exclude(pk=found.pk) if found else Account.objects.all()
    if others.filter(code=code).exists():
        raise _taken("code", _("The code %(code)s is already used.") % {"code": code})
    if others.filter(name=name).exists():
        raise _taken("name", _("The name “%(name)s” is already used.") % {"name": name})
    if order is None:
        order = found.sort_order if found else (
            (Account.objects.aggregate(m=Max("sort_order"))["m"] or 0) + 1)
    if found and (found.code, found.name, found.role) != (code, name, role) \
            and Line.objects.filter(account=found, locked=True).exists():
        # An approved claim shows, and its closed period journals, the account as it was.
        raise ValidationError({"name": [_(
            "Approved claims use this account, so its code, name and use stay as they are; "
            "stop using it and add a new account instead.")]})
    target = found or Account()
    before = account_values(target) if found else {}
    old_code = target.code
    target.code, target.name, target.role = code, name, role
    target.default_tax_rate, target.allowed_tax_rates = rate, allowed
    target.is_active = _flag(data.get("is_active", True))
    target.sort_order = order
    target.save()
    if found and old_code != code:
        _rename_code(old_code, code)
    after = account_values(target)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes:
        audit_record(actor=audit_actor(membership),
                     action="expense_account.update" if found else "expense_account.create",
                     obj=target, changes=changes)
    return target


def account_values(account: Account) -> dict[str, Any]:
    return {"code": account.code, "name": account.name, "role": account.role,
            "default_tax_rate": account.default_tax_rate,
            "allowed_tax_rates": list(account.allowed_tax_rates), "is_active": account.is_active,
            "sort_order": account.sort_order}


def _rename_code(old: str, new: str) -> None:
    for rule in Rule.objects.select_for_update():
        codes = rule.params.get("accounts") or []
        if old in codes:
            rule.params = {**rule.params, "accounts": [new if c == old else c for c in codes]}
            rule.save(update_fields=["params"])
    JournalName.objects.filter(key=f"account:{old}").update(key=f"account:{new}")


@transaction.atomic
def account_delete(*, membership: Membership, account: Account | int) -> None:
    """Remove an account no line uses; one in use is deactivated instead (its lines keep it)."""
    require(membership, p.MANAGE_EXPENSES)
    found = Account.objects.select_for_update().get(
        pk=account.pk if isinstance(account, Account) else account)
    used = Line.objects.filter(account=found).count()
    if used:
        raise Conflict(_("%(name)s is used by %(n)s lines and cannot be deleted; take it out of "
                         "use instead.") % {"name": found.name, "n": used})
    naming = [r.number for r in Rule.objects.all() if found.code in (r.params.get("accounts")
                                                                      or [])]
    if naming:
        raise Conflict(_("Rules %(rules)s name %(name)s; change them first.")
                       % {"rules": ", ".join(map(str, naming)), "name": found.name})
    JournalName.objects.filter(key=f"account:{found.code}").delete()
    audit_record(actor=audit_actor(membership), action="expense_account.delete", obj=found,
                 changes={"code": [found.code, None], "name": [found.name, None]})
    found.delete()


# ---- the 規程チェック ---------------------------------------------------------------------------


def _rule_params(kind: str, data: Mapping[str, Any], errors: Errors) -> dict[str, Any]:
    """The kind's parameters from ``data`` (flat: accounts, amount, limits, default, region,
    keywords), each checked; the messages go under the parameter's name."""
    wanted = PARAMS_BY_KIND.get(kind, ())
    params: dict[str, Any] = {}
    if "accounts" in wanted:
        codes = data.get("accounts") or []
        if isinstance(codes, str):
            codes = [c for c in re.split(r"[\s,、]+", codes) if c]
        codes = [str(c).strip() for c in codes if str(c).strip()]
        known = set(Account.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            errors["accounts"] = [_("No account has the code %(codes)s.")
                                  % {"codes": "、".join(unknown)}]
        if codes:
            params["accounts"] = list(dict.fromkeys(codes))
    for key in ("amount", "default"):
        if key in wanted and data.get(key) not in (None, ""):
            params[key] = _whole(data.get(key), key, errors, low=0, high=MAX_YEN)
    if "limits" in wanted:
        limits = _limits(data.get("limits"), errors)
        if limits:
            params["limits"] = limits
    if "region" in wanted:
        params["region"] = str(data.get("region") or "any")
    if "keywords" in wanted:
        words = data.get("keywords") or []
        if isinstance(words, str):
            words = words.splitlines()
        params["keywords"] = [str(w).strip() for w in words if str(w).strip()]
        if any(len(w) > 100 for w in params["keywords"]):
            errors["keywords"] = [_("A keyword has at most 100 characters.")]
    if not any(k in errors for k in PARAM_NAMES):
        for key, message in checks.params_problems(kind, params).items():
            errors.setdefault(key, [_(message)])
    return params


def _limits(value: Any, errors: Errors) -> dict[str, int]:
    """``{"部長": 3000}``, or the page's text: one line a position, 「部長: 3000」."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        pairs: list[tuple[str, Any]] = []
        for number, line in enumerate(value.splitlines(), start=1):
            if not line.strip():
                continue
            position, sep, amount = line.replace("：", ":").partition(":")
            if not sep:
                errors["limits"] = [_("Line %(n)s: write the position, a colon and the amount "
                                      "(部長: 3000).") % {"n": number}]
                return {}
            pairs.append((position.strip(), amount.strip()))
    elif isinstance(value, Mapping):
        pairs = [(str(k).strip(), v) for k, v in value.items()]
    else:
        errors["limits"] = [_("Give an amount for each position.")]
        return {}
    positions = set(Position.objects.values_list("name", flat=True))
    limits: dict[str, int] = {}
    for position, amount in pairs:
        if position not in positions:
            errors["limits"] = [_("There is no position “%(name)s”.") % {"name": position}]
            return {}
        scratch: Errors = {}
        yen = _whole(amount, "limits", scratch, low=0, high=MAX_YEN)
        if yen is None:
            errors["limits"] = [_("%(position)s: enter a whole number of yen.")
                                % {"position": position}]
            return {}
        limits[position] = yen
    return limits


@transaction.atomic
def rule_save(*, membership: Membership, data: Mapping[str, Any], rule: Rule | int | None = None,
              now: dt.datetime) -> Rule:
    """Add a rule (numbered after the last) or change one; its parameters are checked by kind."""
    require(membership, p.MANAGE_EXPENSES)
    found = None if rule is None else Rule.objects.select_for_update().get(
        pk=rule.pk if isinstance(rule, Rule) else rule)
    errors: Errors = {}
    kind = str(data.get("kind") or "")
    if kind not in RuleKind.values:
        errors["kind"] = [_("Choose one of the listed kinds.")]
    severity = str(data.get("severity") or "")
    if severity not in Severity.values:
        errors["severity"] = [_("Choose error or warning.")]
    text = _text(data, "text", errors, max_length=300)
    params = _rule_params(kind, data, errors) if kind in RuleKind.values else {}
    if errors:
        raise ValidationError(errors)
    target = found or Rule(number=(Rule.objects.aggregate(m=Max("number"))["m"] or 0) + 1)
    before = _rule_values(target) if found else {}
    target.kind, target.severity, target.text, target.params = kind, severity, text, params
    target.is_active = _flag(data.get("is_active", True))
    target.save()
    after = _rule_values(target)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if changes:
        audit_record(actor=audit_actor(membership),
                     action="expense_rule.update" if found else "expense_rule.create",
                     obj=target, changes=changes)
    return target


def _rule_values(rule: Rule) -> dict[str, Any]:
    return {"number": rule.number, "kind": rule.kind, "severity": rule.severity,
            "text": rule.text, "params": dict(rule.params), "is_active": rule.is_active}


@transaction.atomic
def rule_move(*, membership: Membership, rule: Rule | int, up: bool) -> Rule:
    """Swap a rule with the one before (``up``) or after it; the first stays first."""
    require(membership, p.MANAGE_EXPENSES)
    rules = list(Rule.objects.select_for_update().order_by("number"))
    pk = rule.pk if isinstance(rule, Rule) else rule
    index = next((i for i, r in enumerate(rules) if r.pk == pk), None)
    if index is None:
        raise Rule.DoesNotExist
    other = index - 1 if up else index + 1
    target = rules[index]
    if not 0 <= other < len(rules):
        return target
    neighbour = rules[other]
    mine, theirs = target.number, neighbour.number
    # Through 0 (never a rule's number): the unique number holds at every step.
    Rule.objects.filter(pk=target.pk).update(number=0)
    Rule.objects.filter(pk=neighbour.pk).update(number=mine)
    Rule.objects.filter(pk=target.pk).update(number=theirs)
    target.number = theirs
    audit_record(actor=audit_actor(membership), action="expense_rule.move", obj=target,
                 changes={"number": [mine, theirs]})
    return target


# ---- settings ---------------------------------------------------------------------------------


def _digits(data: Mapping[str, Any], field: str, errors: Errors, *, length: int,
            pad: bool = False) -> str:
    text = str(data.get(field) or "").strip()
    if not text:
        return ""
    if not (text.isascii() and text.isdigit()) or len(text) > length \
            or (not pad and len(text) != length):
        errors[field] = [_("Enter %(n)s digits.") % {"n": length} if not pad
                         else _("Enter up to %(n)s digits.") % {"n": length}]
        return text
    return text.zfill(length)


def check_bank_codes(bank_code: str, branch_code: str) -> dict[str, str]:
    """Whether the bank and branch exist: only the lengths are checked here.

    TODO(zengin): check them against the zengin-code bank master once
    ``somu.expenses.services.banks.check_codes`` exists (another change adds it).
    """
    return {}


SETTINGS_FIELDS: Final = ("retention_years", "retention_basis", "entertainment_per_person",
                          "requester_code", "requester_name", "bank_code", "branch_code",
                          "account_kind", "account_number")


@transaction.atomic
def settings_save(*, membership: Membership, data: Mapping[str, Any],
                  now: dt.datetime) -> Settings:
    """Change the settings; a field left out of ``data`` keeps its value."""
    require(membership, p.MANAGE_EXPENSES)
    setup.settings_of()
    current = Settings.objects.select_for_update().get()
    merged = {**{f: getattr(current, f) for f in SETTINGS_FIELDS}, **data}
    errors: Errors = {}
    years = _whole(merged["retention_years"], "retention_years", errors, low=7, high=99)
    if "retention_years" in errors:
        errors["retention_years"] = [_("Keep the records 7 years or more (法人税法), at most "
                                       "99.")]
    basis = _text(merged, "retention_basis", errors, max_length=300)
    threshold = _whole(merged["entertainment_per_person"], "entertainment_per_person", errors,
                       low=0, high=MAX_YEN)
    code = _digits(merged, "requester_code", errors, length=10)
    name = _text(merged, "requester_name", errors, max_length=40, required=False)
    if name and not ZENGIN_NAME.match(name):
        errors["requester_name"] = [_("Write the name in half-width katakana (ｶ)ｿｳﾑ), capital "
                                      "letters and digits; small kana are written large.")]
    bank = _digits(merged, "bank_code", errors, length=4)
    branch = _digits(merged, "branch_code", errors, length=3)
    kind = str(merged.get("account_kind") or AccountKind.ORDINARY)
    if kind not in AccountKind.values:
        errors["account_kind"] = [_("Choose 普通, 当座 or 貯蓄.")]
    number = _digits(merged, "account_number", errors, length=7, pad=True)
    if bank and branch and not errors:
        for field, message in check_bank_codes(bank, branch).items():
            errors[field] = [message]
    if errors:
        raise ValidationError(errors)
    after = {"retention_years": years, "retention_basis": basis,
             "entertainment_per_person": threshold, "requester_code": code,
             "requester_name": name, "bank_code": bank, "branch_code": branch,
             "account_kind": kind, "account_number": number}
    changes = {k: [getattr(current, k), v] for k, v in after.items() if getattr(current, k) != v}
    for field, value in after.items():
        setattr(current, field, value)
    current.save()
    if changes:
        audit_record(actor=audit_actor(membership), action="expense_settings.update",
                     obj=current, changes=changes)
    return current


# ---- journal names ----------------------------------------------------------------------------


def journal_keys() -> list[tuple[str, str]]:
    """Every key a vendor may name, with somu's own name for it (the default)."""
    accounts = [(f"account:{a.code}", a.name) for a in Account.objects.all()]
    return [*accounts, *((f"tax:{r.value}", str(r.label)) for r in TaxRate)]


@transaction.atomic
def journal_names_save(*, membership: Membership, vendor: str, names: Mapping[str, Any],
                       now: dt.datetime) -> dict[str, str]:
    """Set what ``vendor`` calls somu's accounts and tax categories; an empty name goes back to
    the default. Keys left out of ``names`` keep their name. Answers the vendor's names."""
    require(membership, p.MANAGE_EXPENSES)
    if vendor not in Vendor.values:
        raise ValidationError({"vendor": [_("Choose one of the listed products.")]})
    known = dict(journal_keys())
    errors: Errors = {}
    clean: dict[str, str] = {}
    for key, value in names.items():
        text = "" if value is None else str(value).strip()
        if key not in known:
            errors[key] = [_("There is no account or tax category “%(key)s”.") % {"key": key}]
        elif len(text) > 60:
            errors[key] = [_("At most %(n)s characters.") % {"n": 60}]
        else:
            clean[key] = text
    if errors:
        raise ValidationError(errors)
    existing = {j.key: j for j in JournalName.objects.select_for_update().filter(vendor=vendor)}
    changes: dict[str, list[str | None]] = {}
    for key, text in clean.items():
        row = existing.get(key)
        if not text or text == known[key]:
            if row is not None:
                changes[key] = [row.name, None]
                row.delete()
        elif row is None:
            JournalName.objects.create(vendor=vendor, key=key, name=text)
            changes[key] = [None, text]
        elif row.name != text:
            changes[key] = [row.name, text]
            row.name = text
            row.save(update_fields=["name"])
    if changes:
        # One readable line per name: "旅費交通費: 旅費交通費（出張）" (empty: the default name).
        def lines(side: int) -> str:
            return "、".join(f"{known[key]}: {change[side] or '—'}"
                            for key, change in sorted(changes.items()))

        audit_record(actor=audit_actor(membership), action="expense_journal_names.update",
                     object_type="expenses.journal_names", object_id=vendor,
                     object_repr=str(Vendor(vendor).label),
                     changes={"names": [lines(0), lines(1)]})
    return dict(JournalName.objects.filter(vendor=vendor).values_list("key", "name"))
