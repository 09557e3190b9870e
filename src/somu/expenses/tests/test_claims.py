"""Claims through the approvals engine: lines, the total, the 規程チェック, the lock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from somu.approvals.models import RequestState
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.expenses.models import Line
from somu.expenses.services import claims
from somu.expenses.tests.builders import NOW, TODAY, account, approve, new_claim

pytestmark = pytest.mark.django_db

TRAIN = {"date": "2026-06-10", "payee": "JR東日本", "purpose": "客先訪問（新宿→横浜）",
         "account": "旅費交通費", "amount": "1,280", "exception": "public_transport"}
BOOKS = {"date": "2026-06-11", "payee": "株式会社 丸善", "purpose": "技術書",
         "account": "新聞図書費", "amount": 3300, "tax_rate": "taxable_10",
         "registration_number": "T7010001008844"}


def test_a_claim_s_amount_is_its_lines_total_and_it_is_routed_by_it(world):
    claim = new_claim(world, lines=[TRAIN, BOOKS], submit=True)
    assert claim.request.amount == 4580
    assert claim.request.state == RequestState.IN_PROGRESS
    assert claim.request.number.startswith("経費-2026-")


def test_approval_locks_the_lines_and_sets_the_retention_date(world):
    claim = approve(world, new_claim(world, lines=[TRAIN], submit=True))
    assert claim.request.state == RequestState.APPROVED
    assert claim.locked and claim.retain_until == dt.date(2034, 5, 31)  # FY2026 → 申告 2027-05
    with tenancy.activate(world.org):
        line = Line.objects.get(claim=claim)
        assert line.locked
        with pytest.raises(Conflict):
            claims.line_save(membership=world.m("suzuki"), claim=claim,
                             data={**TRAIN, "account": account(world, "旅費交通費").pk},
                             line=line, today=TODAY, now=NOW)
        with pytest.raises(DatabaseError), transaction.atomic():
            Line.objects.filter(pk=line.pk).update(amount=1)


def test_a_claim_without_lines_cannot_be_submitted(world):
    claim = new_claim(world)
    with tenancy.activate(world.org), pytest.raises(ValidationError):
        claims.claim_submit(membership=world.m("suzuki"), claim=claim, today=TODAY, now=NOW)


def test_a_taxi_without_a_reason_is_refused_at_submission_naming_the_rule(world):
    taxi = {**TRAIN, "payee": "日本交通タクシー", "exception": "", "amount": 2400}
    claim = new_claim(world, lines=[taxi])
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        claims.claim_submit(membership=world.m("suzuki"), claim=claim, today=TODAY, now=NOW)
    assert "タクシー" in " ".join(caught.value.messages)


def test_the_same_payment_twice_is_a_warning_the_approvers_see(world):
    claim = new_claim(world, lines=[BOOKS, BOOKS], submit=True)
    assert [f["line"] for f in claim.findings] == [2]
    assert claim.findings[0]["severity"] == "warning"


def test_bad_lines_are_refused_with_every_field_named(world):
    claim = new_claim(world)
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        claims.line_save(membership=world.m("suzuki"), claim=claim, data={
            "date": "2026-07-01", "payee": "", "purpose": "x",
            "account": account(world, "出張日当").pk, "amount": "-5", "tax_rate": "taxable_10",
            "registration_number": "T1234567890123"}, today=TODAY, now=NOW)
    assert set(caught.value.message_dict) == {"date", "payee", "amount", "tax_rate",
                                              "registration_number"}


def test_a_receipt_is_read_for_a_proposal_that_changes_nothing_until_confirmed(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from somu.expenses.demo import receipt_pdf
    from somu.expenses.services import receipts

    claim = new_claim(world)
    pdf = receipt_pdf("株式会社 丸善ジュンク堂書店\n領収書\n2026年6月11日\n合計 ¥3,960\n"
                      "登録番号 T7010001008844")
    with tenancy.activate(world.org):
        receipt = receipts.receipt_add(membership=world.m("suzuki"), claim=claim.pk, now=NOW,
                                       upload=SimpleUploadedFile("r.pdf", pdf))
        assert receipt.proposal["source"] == "pdf_text"
        assert receipt.proposal["amount"]["value"] == 3960
        assert receipt.proposal["date"]["value"] == "2026-06-11"
        assert receipt.proposal["registration_number"]["value"] == "T7010001008844"
        assert not Line.objects.filter(claim=claim).exists()


def test_a_paid_claim_s_period_cannot_be_cleared_even_in_the_database(world):
    from somu.expenses.models import Claim, Period

    claim = approve(world, new_claim(world, lines=[TRAIN], submit=True))
    with tenancy.activate(world.org):
        period = Period.objects.create(label="6月", cutoff=TODAY, payment_date=TODAY,
                                       closed_at=NOW)
        Claim.objects.filter(pk=claim.pk).update(period=period)  # the close sets it, once
        with pytest.raises(DatabaseError), transaction.atomic():
            Claim.objects.filter(pk=claim.pk).update(period=None)


def test_a_no_invoice_exception_holds_only_under_its_legal_amount(world):
    claim = new_claim(world)
    with tenancy.activate(world.org), pytest.raises(ValidationError) as caught:
        claims.line_save(membership=world.m("suzuki"), claim=claim,
                         data={**TRAIN, "amount": 30_000,
                               "account": account(world, "旅費交通費").pk},
                         today=TODAY, now=NOW)
    assert set(caught.value.message_dict) == {"exception"}


def test_an_approved_claim_is_corrected_once_and_the_correction_pays_the_difference(world):
    from somu.expenses.services import periods

    original = approve(world, new_claim(world, lines=[TRAIN], submit=True))
    with tenancy.activate(world.org):
        m = world.m("suzuki")
        correction = claims.claim_correct(membership=m, original=original, now=NOW)
        with pytest.raises(Conflict):
            claims.claim_correct(membership=m, original=original, now=NOW)
        line = Line.objects.get(claim=correction)
        claims.line_save(membership=m, claim=correction, line=line, today=TODAY, now=NOW,
                         data={**TRAIN, "amount": 1_480,
                               "account": account(world, "旅費交通費").pk})
        claims.claim_submit(membership=m, claim=correction, today=TODAY, now=NOW)
    approve(world, correction)
    with tenancy.activate(world.org):
        [entry] = periods.plan(TODAY)
        # ¥1,280 for the original, and the correction's ¥200 more: not ¥1,480 twice.
        assert entry.amount == 1_480


def test_a_draft_is_deleted_with_its_lines_on_its_own_page_not_through_approvals(world):
    from somu.approvals.models import Request
    from somu.approvals.services import requests as approval_requests

    claim = new_claim(world, lines=[TRAIN])
    with tenancy.activate(world.org):
        with pytest.raises(Conflict):
            approval_requests.request_delete(membership=world.m("suzuki"),
                                             request=claim.request_id)
        claims.claim_delete(membership=world.m("suzuki"), claim=claim)
        assert not Request.objects.filter(pk=claim.request_id).exists()
        assert not Line.objects.filter(claim_id=claim.pk).exists()
    submitted = new_claim(world, lines=[TRAIN], submit=True)
    with tenancy.activate(world.org), pytest.raises(Conflict):
        claims.claim_delete(membership=world.m("suzuki"), claim=submitted)
