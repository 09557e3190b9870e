"""Claims and advances: drafting, lines, receipts, submission through the approvals engine, the
lock on approval, and corrections.

A claim is an approvals :class:`~somu.approvals.models.Request` of the 経費精算 type whose content
is this app's: the request's amount is always the lines' total, kept by :func:`line_save` and
:func:`line_delete`. The approvals engine calls :func:`before_submit` inside its submitting
transaction (the 規程チェック: an error refuses, a warning is kept for the approvers) and
:func:`on_approved` inside the approving one (everything locked, the retention date set).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from somu.approvals.models import Request, RequestState, RequestType
from somu.approvals.services import requests as approvals
from somu.approvals.services.base import acting_person, audit_actor
from somu.approvals.services.base import locked as approvals_locked
from somu.audit.services import audit_record
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.expenses import checks
from somu.expenses import permissions as p
from somu.expenses.formats import tnumber
from somu.expenses.models import (
    Account,
    AccountRole,
    Claim,
    ClaimKind,
    InvoiceException,
    Line,
    Receipt,
    Region,
    Rule,
    TaxRate,
)
from somu.expenses.services import setup
from somu.expenses.services.registry_check import registry_status, registry_statuses
from somu.org.models import Membership, Person

MAX_LINES = 200
MAX_AMOUNT = 99_999_999  # per line or advance; a larger 立替 is not an expense claim (and a
# 全銀 transfer holds at most 10 digits)


def _advance_amount(amount: Any) -> int:
    errors: dict[str, list[str]] = {}
    value = _int(amount, "amount", errors, low=1, high=MAX_AMOUNT)
    if value is None and not errors:
        errors["amount"] = [_("Enter the amount of the advance.")]
    if errors:
        raise ValidationError(errors)
    return value  # type: ignore[return-value]


def _type(kind: str) -> RequestType:
    found = RequestType.objects.filter(kind=kind, is_active=True).first()
    if found is None:
        setup.ensure_defaults()
        found = RequestType.objects.get(kind=kind)
    return found


def locked_claim(claim: Claim | int) -> Claim:
    """The claim, locked after its request (the order approvals' submission and decisions lock
    them in), and only those two rows."""
    pk = claim.pk if isinstance(claim, Claim) else claim
    request_id = Claim.objects.values_list("request_id", flat=True).get(pk=pk)
    approvals_locked(request_id)
    return (Claim.objects.select_for_update(of=("self",))
            .select_related("request", "request__request_type", "request__requester").get(pk=pk))


def check_owner(membership: Membership, claim: Claim) -> Person:
    by = acting_person(membership)
    if by.pk not in (claim.request.requester_id, claim.request.submitted_by_id):
        raise PermissionDenied(_("Only the claimant can change this claim."))
    return by


def check_editable(claim: Claim) -> None:
    if claim.locked or not claim.request.is_editable:
        raise Conflict(_("This claim is %(state)s and can no longer be changed.")
                       % {"state": claim.request.get_state_display()})


def _approved_of(kind: str, pk: Any, requester: Person, field: str) -> Claim | Request | None:
    if pk in (None, ""):
        return None
    if not (str(pk).isascii() and str(pk).isdecimal()):
        raise ValidationError({field: _("Choose from the list.")})
    if kind == "trip":
        trip = Request.objects.filter(pk=int(str(pk)), requester=requester,
                                      state=RequestState.APPROVED,
                                      request_type__code="travel").first()
        if trip is None:
            raise ValidationError({field: _("Choose an approved trip request of the claimant.")})
        return trip
    advance = Claim.objects.select_for_update(of=("self",)).filter(
        pk=int(str(pk)), kind=ClaimKind.ADVANCE, request__requester=requester,
        request__state=RequestState.APPROVED).first()
    if advance is None:
        raise ValidationError({field: _("Choose an approved advance of the claimant.")})
    return advance


def _links(claim: Claim, requester: Person, trip: Any, advance: Any) -> None:
    claim.trip = _approved_of("trip", trip, requester, "trip")  # type: ignore[assignment]
    if claim.kind == ClaimKind.CLAIM:
        found = _approved_of("advance", advance, requester, "advance")
        if isinstance(found, Claim):
            other = found.settlements.exclude(pk=claim.pk).exclude(
                request__state=RequestState.REJECTED).first()
            if other is not None:
                raise ValidationError({"advance": _("This advance is already settled by %(claim)s.")
                                       % {"claim": other.request}})
        claim.advance = found  # type: ignore[assignment]


@transaction.atomic
def claim_create(*, membership: Membership, kind: str, title: str, requester: Person | None = None,
                 amount: Any = None, purpose: str = "", trip: Any = None, advance: Any = None,
                 now: dt.datetime) -> Claim:
    """A new draft claim (no lines yet) or advance (its amount and purpose)."""
    require(membership, p.SUBMIT_EXPENSES)
    if kind not in ClaimKind.values:
        raise ValidationError({"kind": _("Choose a claim or an advance.")})
    requester = requester or acting_person(membership)
    if kind == ClaimKind.ADVANCE and amount not in (None, ""):
        amount = _advance_amount(amount)
    request_type = _type(setup.CLAIM_KIND if kind == ClaimKind.CLAIM else setup.ADVANCE_KIND)
    request = approvals.request_save(
        membership=membership, request_type=request_type, requester=requester, title=title,
        amount=amount if kind == ClaimKind.ADVANCE else None,
        values={"purpose": purpose} if kind == ClaimKind.ADVANCE else {}, now=now, by_kind=True)
    claim = Claim(request=request, kind=kind)
    _links(claim, requester, trip, advance)
    claim.save()
    return claim


@transaction.atomic
def claim_update(*, membership: Membership, claim: Claim | int, title: str, amount: Any = None,
                 purpose: str = "", trip: Any = None, advance: Any = None,
                 now: dt.datetime) -> Claim:
    claim = locked_claim(claim)
    check_owner(membership, claim)
    check_editable(claim)
    request = claim.request
    if claim.kind == ClaimKind.ADVANCE and amount not in (None, ""):
        amount = _advance_amount(amount)
    _links(claim, request.requester, trip, advance)
    approvals.request_save(
        membership=membership, request_type=request.request_type, requester=request.requester,
        title=title, amount=amount if claim.kind == ClaimKind.ADVANCE else _total(claim),
        values={"purpose": purpose} if claim.kind == ClaimKind.ADVANCE else {},
        request=request, now=now, by_kind=True)
    claim.save()
    return claim


def _total(claim: Claim) -> int | None:
    total = Line.objects.filter(claim=claim).aggregate(total=Sum("amount"))["total"]
    return int(total) if total is not None else None


def _set_total(claim: Claim, now: dt.datetime) -> None:
    Request.objects.filter(pk=claim.request_id).update(amount=_total(claim), updated_at=now)


# 帳簿のみの保存で足りる取引の金額の上限（税込、未満）: 消費税法施行令 第49条第1項第1号, 同規則
# 第15条の4; 少額特例 (平成28年改正法附則 第53条の2) is for one payment under ¥10,000.
EXCEPTION_LIMITS: dict[str, int] = {InvoiceException.PUBLIC_TRANSPORT: 30_000,
                                    InvoiceException.VENDING_MACHINE: 30_000,
                                    InvoiceException.SMALL_AMOUNT: 10_000}

LINE_FIELDS = ("date", "payee", "purpose", "account", "amount", "tax_rate",
               "registration_number", "exception", "participants", "reason", "region", "receipt")


def _int(value: Any, field: str, errors: dict[str, list[str]], *, low: int, high: int
         ) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "")
    if isinstance(value, bool) or not (text.isascii() and text.isdecimal()):
        errors[field] = [_("Enter a whole number (no decimals, no minus sign).")]
        return None
    number = int(text)
    if not low <= number <= high:
        errors[field] = [_("Enter a number from %(low)s to %(high)s.")
                         % {"low": f"{low:,}", "high": f"{high:,}"}]
        return None
    return number


def _date(value: Any, errors: dict[str, list[str]], today: dt.date) -> dt.date | None:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str) and value.strip():
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            errors["date"] = [_("Enter a date like 2026-04-01.")]
            return None
    if not isinstance(value, dt.date):
        errors["date"] = [_("Enter the date of the payment.")]
        return None
    if value > today:
        errors["date"] = [_("The date is in the future.")]
        return None
    return value


def clean_line(claim: Claim, data: Mapping[str, Any], *, today: dt.date
               ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The line's values, and every error by field (nothing is saved here)."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    out["date"] = _date(data.get("date"), errors, today)
    for field in ("payee", "purpose"):
        text = str(data.get(field) or "").strip()
        if not text:
            errors[field] = [_("This field is required.")]
        out[field] = text
    out["reason"] = str(data.get("reason") or "").strip()
    account = data.get("account")
    found = (account if isinstance(account, Account)
             else Account.objects.filter(pk=int(str(account)), is_active=True).first()
             if str(account or "").isascii() and str(account or "").isdecimal() else None)
    if found is None or not found.on_claims:
        errors["account"] = [_("Choose an account.")]
    out["account"] = found
    out["amount"] = _int(data.get("amount"), "amount", errors, low=1, high=MAX_AMOUNT)
    if out["amount"] is None and "amount" not in errors:
        errors["amount"] = [_("Enter the amount paid, tax included.")]
    rate = str(data.get("tax_rate") or (found.default_tax_rate if found else "") or "")
    if rate not in TaxRate.values:
        errors["tax_rate"] = [_("Choose a tax rate.")]
    elif found is not None and found.allowed_tax_rates and rate not in found.allowed_tax_rates:
        errors["tax_rate"] = [_("%(rate)s is not allowed for %(account)s (allowed: %(allowed)s).")
                              % {"rate": TaxRate(rate).label, "account": found.name,
                                 "allowed": "、".join(str(TaxRate(r).label)
                                                     for r in found.allowed_tax_rates)}]
    out["tax_rate"] = rate
    number = str(data.get("registration_number") or "").strip()
    if number:
        normalized = tnumber.normalize(number)
        if normalized is None:
            errors["registration_number"] = [_("A registration number is T and 13 digits.")]
        elif not tnumber.is_valid(normalized):
            errors["registration_number"] = [_(
                "%(number)s is not a registration number: its check digit is wrong.")
                % {"number": normalized}]
        number = normalized or number
    out["registration_number"] = number
    exception = str(data.get("exception") or "")
    if exception and exception not in InvoiceException.values:
        errors["exception"] = [_("Choose one of the listed cases.")]
    if exception and number:
        errors["exception"] = [_("A line with a registration number needs no exception.")]
    limit = EXCEPTION_LIMITS.get(exception)
    if limit and out["amount"] is not None and out["amount"] >= limit:
        errors["exception"] = [_("%(case)s applies only under %(limit)s (tax included).")
                               % {"case": InvoiceException(exception).label,
                                  "limit": f"¥{limit:,}"}]
    out["exception"] = exception
    out["participants"] = _int(data.get("participants"), "participants", errors, low=1,
                               high=999)
    if found is not None and found.role == AccountRole.ENTERTAINMENT and not out["participants"] \
            and "participants" not in errors:
        errors["participants"] = [_("Give the number of participants of the entertainment.")]
    region = str(data.get("region") or Region.DOMESTIC)
    if region not in Region.values:
        errors["region"] = [_("Choose domestic or overseas.")]
    out["region"] = region
    receipt = data.get("receipt")
    out["receipt"] = None
    if receipt not in (None, ""):
        pk = receipt.pk if isinstance(receipt, Receipt) else receipt
        out["receipt"] = Receipt.objects.filter(pk=pk, claim=claim).first() \
            if str(pk).isascii() and str(pk).isdecimal() else None
        if out["receipt"] is None:
            errors["receipt"] = [_("Choose a receipt attached to this claim.")]
    return out, errors


@transaction.atomic
def line_save(*, membership: Membership, claim: Claim | int, data: Mapping[str, Any],
              line: Line | int | None = None, today: dt.date, now: dt.datetime) -> Line:
    """Add a line to a draft claim, or change one."""
    claim = locked_claim(claim)
    check_owner(membership, claim)
    check_editable(claim)
    if claim.kind != ClaimKind.CLAIM:
        raise ValidationError(_("An advance has no lines."))
    values, errors = clean_line(claim, data, today=today)
    if errors:
        raise ValidationError(errors)
    if line is None:
        if Line.objects.filter(claim=claim).count() >= MAX_LINES:
            raise ValidationError(_("A claim has at most %(n)s lines.") % {"n": MAX_LINES})
        last = Line.objects.filter(claim=claim).order_by("-number").first()
        line = Line(claim=claim, number=(last.number + 1) if last else 1)
    else:
        line = Line.objects.get(pk=line.pk if isinstance(line, Line) else int(line), claim=claim)
    for field, value in values.items():
        setattr(line, field, value)
    line.registry_status = registry_status(line.registration_number, line.date)
    line.save()
    _set_total(claim, now)
    return line


@transaction.atomic
def line_delete(*, membership: Membership, line: Line | int, now: dt.datetime) -> None:
    pk = line.pk if isinstance(line, Line) else line
    claim = locked_claim(Line.objects.values_list("claim_id", flat=True).get(pk=pk))
    check_owner(membership, claim)
    check_editable(claim)
    Line.objects.filter(pk=pk).delete()
    _set_total(claim, now)


def facts_of(claim: Claim, *, today: dt.date) -> checks.ClaimFacts:
    """What the 規程チェック reads: the lines, the claimant's position, the trip, other lines."""
    lines = list(Line.objects.filter(claim=claim).select_related("account"))
    trip = None
    if claim.trip_id:
        values = claim.trip.values  # type: ignore[union-attr]
        try:
            trip = (dt.date.fromisoformat(str(values.get("start"))),
                    dt.date.fromisoformat(str(values.get("end"))))
        except ValueError:
            trip = None
    requester = claim.request.requester
    keys = {(line.date, line.amount) for line in lines}
    earlier = []
    if keys:
        others = (Line.objects.exclude(claim=claim)
                  .exclude(claim__request__state__in=(RequestState.REJECTED,
                                                      RequestState.DRAFT))
                  .filter(date__in={d for d, _a in keys})
                  .select_related("account", "claim__request"))
        earlier = [checks.EarlierLine(
            # Another person's claim is not named: the check must not tell what colleagues spent.
            claim_label=(o.claim.request.number or str(o.claim.request))
            if o.claim.request.requester_id == requester.pk else _("another person's claim"),
            same_person=o.claim.request.requester_id == requester.pk, date=o.date,
            payee=o.payee, amount=o.amount, account_role=o.account.role) for o in others
            if (o.date, o.amount) in keys
            or (o.account.role == AccountRole.PER_DIEM
                and o.claim.request.requester_id == requester.pk)]
    return checks.ClaimFacts(
        lines=tuple(checks.LineFact(
            number=line.number, date=line.date, payee=line.payee, purpose=line.purpose,
            account_code=line.account.code, account_name=line.account.name,
            account_role=line.account.role, amount=line.amount,
            participants=line.participants, reason=line.reason, region=line.region,
            has_receipt=line.receipt_id is not None, exception=line.exception)
            for line in lines),
        position=requester.position.name if requester.position_id else "",  # type: ignore[union-attr]
        trip=trip, earlier=tuple(earlier))


def rule_specs() -> list[checks.RuleSpec]:
    return [checks.RuleSpec(r.number, r.kind, r.severity, r.text, r.params)
            for r in Rule.objects.filter(is_active=True)]


def findings_of(claim: Claim, *, today: dt.date) -> list[checks.Finding]:
    return checks.check(facts_of(claim, today=today), rule_specs(), translate=_)


def before_submit(request: Request, today: dt.date) -> None:
    """Called by approvals inside the submitting transaction (see somu.approvals.kinds)."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related(
        "request__requester__position", "trip").get(request=request)
    if claim.kind == ClaimKind.CLAIM:
        lines = list(Line.objects.filter(claim=claim))
        if not lines:
            raise ValidationError(_("Add at least one line before submitting."))
        statuses = registry_statuses([(line.registration_number, line.date) for line in lines])
        for line, status in zip(lines, statuses, strict=True):
            if status != line.registry_status:
                Line.objects.filter(pk=line.pk).update(registry_status=status)
        found = findings_of(claim, today=today)
        errors = [f for f in found if f.severity == checks.ERROR]
        if errors:
            raise ValidationError([_("Line %(line)s: %(detail)s (%(rule)s)")
                                   % {"line": f.line, "detail": f.detail, "rule": f.text}
                                   if f.line else f"{f.detail} ({f.text})" for f in errors])
        claim.findings = [f.as_dict() for f in found]
        request.amount = sum(line.amount for line in lines)
        Request.objects.filter(pk=request.pk).update(amount=request.amount)
    else:
        claim.findings = []
    claim.save(update_fields=["findings"])


def retention_end(approved: dt.date, *, years: int, fiscal_start_month: int) -> dt.date:
    """The last day to keep the records: ``years`` after the 申告期限 (two months after the end
    of the fiscal year the approval falls in)."""
    start_year = approved.year if approved.month >= fiscal_start_month else approved.year - 1
    end_month = fiscal_start_month - 1 or 12
    end_year = start_year + (1 if fiscal_start_month != 1 else 0)
    month = end_month + 2
    year = end_year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    deadline = dt.date(year, month, 1) + dt.timedelta(days=31)
    deadline = deadline.replace(day=1) - dt.timedelta(days=1)  # the month's last day
    return deadline.replace(year=deadline.year + years) if not (
        deadline.month == 2 and deadline.day == 29) else dt.date(deadline.year + years, 2, 28)


def on_approved(request: Request, now: dt.datetime) -> None:
    """Called by approvals in the approving transaction: lock it all, set the retention date."""
    claim = Claim.objects.select_for_update().get(request=request)
    settings = setup.settings_of()
    day = now.date()
    claim.approved_on = day
    claim.retain_until = retention_end(
        day, years=settings.retention_years,
        fiscal_start_month=request.organization.fiscal_year_start_month)
    claim.locked = True
    claim.save(update_fields=["approved_on", "retain_until", "locked"])
    Line.objects.filter(claim=claim).update(locked=True)
    Receipt.objects.filter(claim=claim).update(locked=True)
    audit_record(actor=None, action="expense_claim.lock", obj=claim,
                 changes={"retain_until": [None, claim.retain_until.isoformat()],
                          "receipts": [None, list(Receipt.objects.filter(claim=claim)
                                                  .values_list("sha256", flat=True))]})


@transaction.atomic
def claim_delete(*, membership: Membership, claim: Claim | int) -> None:
    """Delete a draft never submitted, with its lines and receipts (a submitted claim keeps its
    number and is taken back instead)."""
    claim = locked_claim(claim)
    check_owner(membership, claim)
    if claim.request.revision != 0 or claim.locked:
        raise Conflict(_("A submitted claim cannot be deleted; take it back instead."))
    request = claim.request
    stored = [(r.file.name, r.file.storage) for r in Receipt.objects.filter(claim=claim)
              if not Receipt.objects.filter(key=r.key).exclude(claim=claim).exists()]
    Line.objects.filter(claim=claim).delete()
    Receipt.objects.filter(claim=claim).delete()
    claim.delete()
    approvals.request_delete(membership=membership, request=request.pk, by_kind=True)
    def remove_files() -> None:
        for name, storage in stored:
            if name:
                storage.delete(name)

    transaction.on_commit(remove_files)


@transaction.atomic
def claim_submit(*, membership: Membership, claim: Claim | int, today: dt.date,
                 now: dt.datetime) -> Claim:
    claim = locked_claim(claim)
    approvals.request_submit(membership=membership, request=claim.request, today=today, now=now)
    claim.refresh_from_db()
    return claim


@transaction.atomic
def claim_correct(*, membership: Membership, original: Claim | int, now: dt.datetime) -> Claim:
    """A new draft correcting an approved claim: its lines and receipts copied, both kept."""
    original = locked_claim(original)
    by = check_owner(membership, original)
    if original.request.state != RequestState.APPROVED or original.kind != ClaimKind.CLAIM:
        raise Conflict(_("Only an approved claim can be corrected; change a draft directly."))
    live = original.corrections.exclude(request__state=RequestState.REJECTED).first()
    if live is not None:
        raise Conflict(_("%(claim)s already corrects this claim; change or withdraw it instead.")
                       % {"claim": live.request.number or live.request.title})
    title = _("Correction of %(number)s") % {"number": original.request.number}
    claim = claim_create(membership=membership, kind=ClaimKind.CLAIM, title=title,
                         requester=original.request.requester, trip=original.trip_id,
                         now=now)
    claim.corrects = original
    claim.save(update_fields=["corrects"])
    copies: dict[int, Receipt] = {}
    for receipt in Receipt.objects.filter(claim=original):
        copies[receipt.pk] = Receipt.objects.create(
            claim=claim, key=receipt.key, file=receipt.file.name, filename=receipt.filename,
            content_type=receipt.content_type, size=receipt.size, sha256=receipt.sha256,
            proposal=receipt.proposal, uploaded_by=by, uploaded_at=now)
    Line.objects.bulk_create(Line(
        organization_id=claim.organization_id, claim=claim, number=line.number,
        date=line.date, payee=line.payee, purpose=line.purpose,
        account_id=line.account_id, amount=line.amount, tax_rate=line.tax_rate,
        registration_number=line.registration_number, exception=line.exception,
        participants=line.participants, reason=line.reason, region=line.region,
        receipt=copies.get(line.receipt_id) if line.receipt_id else None,
        registry_status=line.registry_status) for line in Line.objects.filter(claim=original))
    _set_total(claim, now)
    audit_record(actor=audit_actor(membership), action="expense_claim.correct", obj=claim,
                 changes={"corrects": [None, original.request.number]})
    return claim
