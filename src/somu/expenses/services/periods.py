"""締め: closing a period turns the approved claims and advances into payments.

Everything approved up to the cutoff and not yet in a period is taken. Per person: the claims'
total, less the advances those claims settle (an advance is always approved before the claim
that settles it, so it was paid out in an earlier period or is paid out in this one), plus the
advances paid out now. A positive amount is transferred (the 全銀 file), a negative one is
returned by the person (返金), zero needs nothing. Each payment keeps a copy of the bank account,
so the period's files stay the same whatever changes later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.approvals.models import RequestState
from somu.approvals.services.base import acting_person, audit_actor
from somu.audit.services import audit_record
from somu.core.permissions import require
from somu.expenses import permissions as p
from somu.expenses.models import BankAccount, Claim, ClaimKind, Payment, Period, Settings
from somu.expenses.services import setup
from somu.org.models import Membership, Person


@dataclass
class PersonPlan:
    """What one person gets (or returns) in a close, and from which claims and advances."""

    person: Person
    claims: list[Claim] = field(default_factory=list)
    advances_paid: list[Claim] = field(default_factory=list)  # paid out in this close
    advances_settled: list[Claim] = field(default_factory=list)
    bank: BankAccount | None = None

    @property
    def claims_total(self) -> int:
        # A correction pays the difference: its original is paid in its own close (this one or
        # an earlier one: it was approved first).
        return sum((c.request.amount or 0) - (c.corrects.request.amount or 0 if c.corrects else 0)
                   for c in self.claims)

    @property
    def settled_total(self) -> int:
        return sum(a.request.amount or 0 for a in self.advances_settled)

    @property
    def paid_out_total(self) -> int:
        return sum(a.request.amount or 0 for a in self.advances_paid)

    @property
    def amount(self) -> int:
        return self.claims_total - self.settled_total + self.paid_out_total


def pending(cutoff: dt.date) -> list[Claim]:
    """Approved claims and advances up to ``cutoff`` in no period, with what the plan reads."""
    return list(Claim.objects.filter(
        request__state=RequestState.APPROVED, approved_on__lte=cutoff, period__isnull=True)
        .select_related("request", "request__requester", "advance", "advance__request",
                        "corrects__request")
        .order_by("request__requester__employee_number", "approved_on", "pk"))


def plan(cutoff: dt.date) -> list[PersonPlan]:
    """The payments a close up to ``cutoff`` would make, by person (社員番号 order)."""
    taken = pending(cutoff)
    by_person: dict[int, PersonPlan] = {}
    in_close = {c.pk for c in taken}
    for claim in taken:
        person = claim.request.requester
        entry = by_person.setdefault(person.pk, PersonPlan(person))
        if claim.kind == ClaimKind.ADVANCE:
            entry.advances_paid.append(claim)
        else:
            entry.claims.append(claim)
            advance = claim.advance
            if advance is not None and (advance.period_id is not None or advance.pk in in_close):
                entry.advances_settled.append(advance)
    banks = {b.person_id: b for b in BankAccount.objects.filter(person_id__in=by_person)}
    for entry in by_person.values():
        entry.bank = banks.get(entry.person.pk)
    return list(by_person.values())


def _clean(label: str, cutoff: dt.date | None, payment_date: dt.date | None) -> None:
    errors: dict[str, list[str]] = {}
    if not label.strip():
        errors["label"] = [_("Give the period a label, e.g. 2026年6月締め.")]
    elif Period.objects.filter(label=label.strip()).exists():
        errors["label"] = [_("A period with this label is already closed.")]
    if cutoff is None:
        errors["cutoff"] = [_("Enter the last approval date the period takes.")]
    if payment_date is None:
        errors["payment_date"] = [_("Enter the payment date.")]
    elif cutoff is not None and payment_date < cutoff:
        errors["payment_date"] = [_("The payment date cannot be before the cutoff.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def period_close(*, membership: Membership, label: str, cutoff: dt.date | None,
                 payment_date: dt.date | None, now: dt.datetime) -> Period:
    """Close a period: its payments, its claims marked as paid in it — all or nothing."""
    require(membership, p.PROCESS_EXPENSES)
    setup.settings_of()
    # One close at a time per organization: the second waits, then finds nothing left.
    Settings.objects.select_for_update().get()
    _clean(label, cutoff, payment_date)
    assert cutoff is not None and payment_date is not None
    plans = plan(cutoff)
    if not plans:
        raise ValidationError({"cutoff": [_("No approved claim or advance up to %(day)s is "
                                             "waiting for payment.") % {"day": cutoff}]})
    lacking = [e.person.name for e in plans if e.amount > 0 and e.bank is None]
    if lacking:
        raise ValidationError(_("These people have no bank account to pay into: %(names)s. "
                                "Add their accounts, then close the period.")
                              % {"names": "、".join(lacking)})
    period = Period.objects.create(label=label.strip(), cutoff=cutoff, payment_date=payment_date,
                                   closed_at=now, closed_by=acting_person(membership)
                                   if membership.person_id else None)
    payments = []
    for entry in plans:
        if entry.amount == 0:
            continue
        bank = entry.bank if entry.amount > 0 else None
        payments.append(Payment(
            organization_id=period.organization_id, period=period, person=entry.person,
            amount=entry.amount,
            bank_code=bank.bank_code if bank else "", branch_code=bank.branch_code if bank else "",
            account_kind=bank.kind if bank else "", account_number=bank.number if bank else "",
            holder=bank.holder if bank else ""))
    Payment.objects.bulk_create(payments)
    ids = [c.pk for e in plans for c in (*e.claims, *e.advances_paid)]
    # The database lets a locked claim change nothing but its period (migration 0002).
    Claim.objects.filter(pk__in=ids).update(period=period)
    audit_record(actor=audit_actor(membership), action="expense_period.close", obj=period,
                 changes={"label": [None, period.label], "cutoff": [None, cutoff.isoformat()],
                          "payment_date": [None, payment_date.isoformat()],
                          "claims": [None, len(ids)],
                          "transfers": [None, sum(x.amount for x in payments if x.amount > 0)],
                          "returns": [None, -sum(x.amount for x in payments if x.amount < 0)]})
    return period
