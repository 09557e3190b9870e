"""Organization B's expense records, for the isolation walker (runs after approvals' hook, which
gives 木村 (B001) his login)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from somu.core.registry import Isolation
from somu.expenses.models import Account
from somu.expenses.services import admin as admin_services
from somu.expenses.services import claims, receipts, setup
from somu.org.models import Membership, Organization, User

NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
TODAY = dt.date(2026, 6, 15)


def records_of_b(*, organization: Organization, admin: User, people: Any) -> Isolation:
    """木村 drafts a claim with a line and a receipt; B's administrator adds an account and a
    rule of its own."""
    setup.ensure_defaults()
    kimura = Membership.objects.get(person=people.kimura)
    manager = Membership.objects.get(user=admin)
    account = admin_services.account_save(membership=manager, data={
        "code": "9901", "name": "ビー社の科目", "role": "", "default_tax_rate": "taxable_10"},
        now=NOW)
    rule = admin_services.rule_save(membership=manager, data={
        "kind": "account_limit", "severity": "warning", "text": "ビー社の規程チェック",
        "accounts": ["9901"], "amount": 1234}, now=NOW)
    claim = claims.claim_create(membership=kimura, kind="claim", title="ビー社の経費精算",
                                now=NOW)
    receipt = receipts.receipt_add(
        membership=kimura, claim=claim.pk,
        upload=SimpleUploadedFile("ビー領収書.pdf", "%PDF-1.4 ビー社の領収書".encode(),
                                  "application/pdf"), now=NOW)
    line = claims.line_save(membership=kimura, claim=claim, data={
        "date": "2026-06-10", "payee": "ビー社の取引先", "purpose": "ビー社の用途",
        "account": Account.objects.get(name="消耗品費").pk, "amount": 4321,
        "receipt": receipt.pk}, today=TODAY, now=NOW)
    return Isolation(
        ids={"claim_id": claim.pk, "line_id": line.pk, "receipt_id": receipt.pk,
             "expense_account_id": account.pk, "expense_rule_id": rule.pk},
        texts=("ビー社の経費精算", "ビー社の取引先", "ビー社の用途", "ビー社の科目",
               "ビー社の規程チェック"))
