"""Employees' bank accounts (振込先口座), where reimbursements are paid.

Only the person, the accounting staff (PROCESS_EXPENSES) and administrators see or change one.
Bank and branch codes are checked against the bank master of the ``zengin-code`` package
(全銀協's 金融機関コード・支店コード, updated with each package release); the account number never
goes into the audit log in clear.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping
from functools import cache
from typing import Any, Final

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.approvals.services.base import audit_actor
from somu.audit.services import audit_record
from somu.core.permissions import has_perm
from somu.expenses import permissions as p
from somu.expenses.models import AccountKind, BankAccount
from somu.org.models import Membership, Person

# 全銀協規定文字 of a 口座名義: half-width kana (no small kana), ﾞﾟ, A–Z, 0–9, space and ().-/,
# The formats' kana module folds full-width names; until a name is folded the person types it
# half-width (a full-width name is refused with the characters named).
HOLDER_CHARACTERS: Final = frozenset(
    "".join(chr(c) for c in range(0xFF71, 0xFF9E)) + "ﾞﾟ"
    + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ().-/,")


def holder_problem(text: str) -> str | None:
    """Why ``text`` is not a 口座名義 in half-width kana (None when it is)."""
    if not text:
        return _("Enter the account holder's name in half-width katakana.")
    bad = list(dict.fromkeys(ch for ch in text if ch not in HOLDER_CHARACTERS))
    if bad:
        return _("Write the name in half-width katakana as the bank registered it (ｽｽﾞｷ "
                 "ｲﾁﾛｳ); not allowed: %(chars)s") % {"chars": " ".join(bad)}
    return None


@cache
def _banks() -> Any:
    import zengin_code  # loads the whole master on import: only when a code is checked

    return zengin_code.Bank.all


def bank_name(code: str) -> str:
    bank = _banks().get(code)
    return str(bank.name) if bank is not None else ""


def branch_name(bank_code: str, branch_code: str) -> str:
    bank = _banks().get(bank_code)
    branch = bank.branches.get(branch_code) if bank is not None else None
    return str(branch.name) if branch is not None else ""


def mask(number: str) -> str:
    """The account number as the audit log keeps it: the last three digits only."""
    return "*" * max(len(number) - 3, 0) + number[-3:]


def can_see(membership: Membership, person: Person) -> bool:
    return membership.person_id == person.pk or has_perm(membership, p.PROCESS_EXPENSES)


def clean(data: Mapping[str, Any]) -> dict[str, str]:
    """The account's values, or a ValidationError naming every bad field."""
    def text(field: str) -> str:
        return unicodedata.normalize("NFKC", str(data.get(field) or "")).strip() \
            if field != "holder" else str(data.get(field) or "").strip()

    errors: dict[str, list[str]] = {}
    bank, branch, kind, number = text("bank_code"), text("branch_code"), text("kind"), \
        text("number")
    if not (len(bank) == 4 and bank.isdigit()):
        errors["bank_code"] = [_("A bank code is 4 digits.")]
    elif bank not in _banks():
        errors["bank_code"] = [_("There is no bank with the code %(code)s.") % {"code": bank}]
    if not (len(branch) == 3 and branch.isdigit()):
        errors["branch_code"] = [_("A branch code is 3 digits.")]
    elif "bank_code" not in errors and not branch_name(bank, branch):
        errors["branch_code"] = [_("%(bank)s has no branch with the code %(code)s.")
                                 % {"bank": bank_name(bank), "code": branch}]
    kind = kind or AccountKind.ORDINARY
    if kind not in AccountKind.values:
        errors["kind"] = [_("Choose 普通, 当座 or 貯蓄.")]
    if not (len(number) == 7 and number.isdigit()):
        errors["number"] = [_("An account number is 7 digits (add leading zeros).")]
    holder = str(data.get("holder") or "").strip()
    problem = holder_problem(holder)
    if problem:
        errors["holder"] = [problem]
    elif len(holder) > 30:
        errors["holder"] = [_("At most 30 characters.")]
    if errors:
        raise ValidationError(errors)
    return {"bank_code": bank, "branch_code": branch, "kind": kind, "number": number,
            "holder": holder}


@transaction.atomic
def bank_account_save(*, membership: Membership, person: Person, data: Mapping[str, Any],
                      now: dt.datetime) -> BankAccount:
    """Set ``person``'s bank account (the person, accounting staff or an administrator)."""
    if not can_see(membership, person):
        raise PermissionDenied(_("Only the person and the accounting staff can change a bank "
                                 "account."))
    values = clean(data)
    account = BankAccount.objects.select_for_update().filter(person=person).first()
    before = ({f: getattr(account, f) for f in values} if account is not None else {})
    if account is None:
        account = BankAccount(person=person, **values, updated_at=now)
    else:
        for field, value in values.items():
            setattr(account, field, value)
        account.updated_at = now
    account.save()
    shown = {f: (mask(v) if f == "number" else v) for f, v in values.items()}
    old = {f: (mask(v) if f == "number" else v) for f, v in before.items()}
    changes = {f: [old.get(f), shown[f]] for f in values if old.get(f) != shown[f]
               or (f == "number" and before.get(f) != values[f])}
    audit_record(actor=audit_actor(membership), action="expense_bank_account.save", obj=account,
                 object_repr=person.name, changes={"person": [None, person.name], **changes})
    return account
