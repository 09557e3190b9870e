"""The claim pages: one's own claims, a new claim or advance, a claim with its lines, receipts
and 規程チェック, submitting and correcting it, and the section approvers see."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from somu.approvals.models import RequestState
from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.expenses.models import Claim, Line, Receipt
from somu.expenses.services import claims, receipts
from somu.expenses.tests.builders import NOW, World, account, approve, new_claim

pytestmark = pytest.mark.django_db

TRAIN = {"date": "2026-06-10", "payee": "JR東日本", "purpose": "客先訪問（新宿→横浜）",
         "account": "旅費交通費", "amount": "1,280", "exception": "public_transport"}
BOOKS = {"date": "2026-06-11", "payee": "株式会社 丸善", "purpose": "技術書",
         "account": "新聞図書費", "amount": 3300, "tax_rate": "taxable_10",
         "registration_number": "T7010001008844"}
LUNCH = {"date": "2026-06-12", "payee": "レストラン山田", "purpose": "取引先との会食",
         "account": "交際費", "amount": 8640, "tax_rate": "taxable_8_reduced",
         "participants": 3, "exception": "none"}
PDF = b"%PDF-1.4 receipt"


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> None:
    """The pages read today's date: it is the builders' Monday."""
    time_machine.move_to(NOW, tick=False)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def as_(client_as: Any, world: World, key: str = "suzuki") -> Any:
    return client_as(world.users[key], world.org)


def detail(claim: Claim) -> str:
    return reverse("expenses:claim_detail", args=[claim.pk])


def attach(world: World, claim: Claim, name: str = "領収書.pdf") -> Receipt:
    with tenancy.activate(world.org):
        return receipts.receipt_add(membership=world.m("suzuki"), claim=claim.pk,
                                    upload=SimpleUploadedFile(name, PDF, "application/pdf"),
                                    now=NOW)


def line_data(world: World, line: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {**line, "account": account(world, line["account"]).pk, **changes}
    return {k: v for k, v in data.items() if v is not None}


# ---- rendering -----------------------------------------------------------------------------------


def test_each_page_renders_for_the_claimant(client_as, world):
    claim = new_claim(world, lines=[TRAIN, BOOKS, LUNCH])
    receipt = attach(world, claim)
    with tenancy.activate(world.org):
        # As the reader stores it (somu.expenses.reading): each field with its confidence.
        Receipt.objects.filter(pk=receipt.pk).update(proposal={
            "source": "pdf_text", "problem": "",
            "date": {"value": "2026-06-11", "confidence": 0.9},
            "amount": {"value": 3300, "confidence": 0.9},
            "payee": {"value": "株式会社 丸善", "confidence": 0.6},
            "registration_number": {"value": "T7010001008844", "confidence": 1.0}})
        line = Line.objects.filter(claim=claim).first()
    client = as_(client_as, world)
    listing = text(client.get(reverse("expenses:claim_list")))
    assert "6月分 経費精算" in listing and "¥13,220" in listing
    assert client.get(reverse("expenses:claim_new")).status_code == 200
    assert "仮払" in text(client.get(reverse("expenses:advance_new")))
    page = text(client.get(detail(claim)))
    assert "¥13,220" in page and "JR東日本" in page and "領収書.pdf" in page
    # The totals per tax rate, as on an invoice.
    assert "10%対象" in page and "¥4,580" in page and "（うち消費税 ¥416）" in page
    assert "8%対象" in page and "¥8,640" in page and "（うち消費税 ¥640）" in page
    assert "¥2,880" in page  # 交際費 per person
    assert 'accept="application/pdf,image/jpeg,image/png"' in page
    assert "この内容で明細を作成" in page
    prefilled = text(client.get(detail(claim) + f"?prefill={receipt.pk}"))
    assert 'value="T7010001008844"' in prefilled and 'value="3300"' in prefilled
    assert "JR東日本" in text(client.get(reverse("expenses:line_edit", args=[line.pk])))


def test_a_new_claim_and_a_new_advance_are_drafted_from_their_pages(client_as, world):
    client = as_(client_as, world)
    response = client.post(reverse("expenses:claim_new"), {"title": "7月分"})
    assert response.status_code == 302
    with tenancy.activate(world.org):
        claim = Claim.objects.get(request__title="7月分")
    response = client.post(reverse("expenses:advance_new"),
                           {"title": "大阪出張の仮払", "amount": "30,000", "purpose": "宿泊費"})
    assert response.status_code == 302
    with tenancy.activate(world.org):
        advance = Claim.objects.get(request__title="大阪出張の仮払")
    assert advance.kind == "advance" and advance.request.amount == 30000
    assert "¥30,000" in text(client.get(detail(advance)))
    assert claim.kind == "claim"


def test_the_request_page_shows_the_lines_totals_receipts_and_findings(client_as, world):
    claim = new_claim(world, lines=[BOOKS, BOOKS], submit=True)
    assert claim.request.state == RequestState.IN_PROGRESS
    page = text(as_(client_as, world, "ito").get(
        reverse("approvals:request_detail", args=[claim.request_id])))
    assert "株式会社 丸善" in page and "10%対象" in page
    assert "経費精算規程 第6条" in page and "警告" in page


# ---- lines ---------------------------------------------------------------------------------------


def test_a_line_with_errors_comes_back_with_each_error_under_its_field(client_as, world):
    claim = new_claim(world)
    response = as_(client_as, world).post(
        reverse("expenses:line_add", args=[claim.pk]),
        line_data(world, BOOKS, amount="-5", registration_number="T1234567890123", payee=""))
    assert response.status_code == 400
    page = text(response)
    assert "チェックディジット" in page or "check digit" in page
    assert page.count('class="error"') >= 3
    assert 'value="技術書"' in page  # what was typed is kept
    with tenancy.activate(world.org):
        assert not Line.objects.filter(claim=claim).exists()


def test_a_line_is_added_changed_and_deleted(client_as, world):
    claim = new_claim(world)
    client = as_(client_as, world)
    assert client.post(reverse("expenses:line_add", args=[claim.pk]),
                       line_data(world, TRAIN)).status_code == 302
    with tenancy.activate(world.org):
        line = Line.objects.get(claim=claim)
    assert client.post(reverse("expenses:line_edit", args=[line.pk]),
                       line_data(world, TRAIN, amount="1,500")).status_code == 302
    with tenancy.activate(world.org):
        assert Claim.objects.get(pk=claim.pk).request.amount == 1500
    assert client.post(reverse("expenses:line_delete", args=[line.pk])).status_code == 302
    with tenancy.activate(world.org):
        assert not Line.objects.filter(claim=claim).exists()


# ---- submitting ----------------------------------------------------------------------------------


def test_a_submission_against_an_error_rule_is_refused_with_the_rule_text(client_as, world):
    taxi = {**TRAIN, "payee": "日本交通タクシー", "exception": "", "amount": 2400}
    claim = new_claim(world, lines=[taxi])
    client = as_(client_as, world)
    assert "経費精算規程 第7条" in text(client.get(detail(claim)))  # live, before submitting
    response = client.post(reverse("expenses:claim_submit", args=[claim.pk]))
    assert response.status_code == 400
    assert "経費精算規程 第7条" in text(response)
    with tenancy.activate(world.org):
        assert Claim.objects.get(pk=claim.pk).request.state == RequestState.DRAFT


def test_a_claim_is_submitted_from_its_page(client_as, world):
    claim = new_claim(world, lines=[TRAIN])
    response = as_(client_as, world).post(reverse("expenses:claim_submit", args=[claim.pk]))
    assert response.status_code == 302
    with tenancy.activate(world.org):
        assert Claim.objects.get(pk=claim.pk).request.state == RequestState.IN_PROGRESS


def test_an_approved_claim_has_no_edit_forms_and_refuses_changes(client_as, world):
    claim = approve(world, new_claim(world, lines=[TRAIN], submit=True))
    with tenancy.activate(world.org):
        line = Line.objects.get(claim=claim)
    client = as_(client_as, world)
    page = text(client.get(detail(claim)))
    assert 'id="line-form"' not in page and "receipt-file" not in page
    assert "修正" in page  # the correction button
    response = client.post(reverse("expenses:line_add", args=[claim.pk]),
                           line_data(world, BOOKS))
    assert response.status_code == 409
    response = client.post(reverse("expenses:line_edit", args=[line.pk]),
                           line_data(world, TRAIN, amount="9,999"))
    assert response.status_code == 409
    assert client.post(reverse("expenses:line_delete", args=[line.pk])).status_code == 409
    with tenancy.activate(world.org):
        assert Line.objects.get(pk=line.pk).amount == 1280
        assert Line.objects.filter(claim=claim).count() == 1


def test_a_correction_links_to_the_original_and_back(client_as, world):
    claim = approve(world, new_claim(world, lines=[TRAIN], submit=True))
    client = as_(client_as, world)
    response = client.post(reverse("expenses:claim_correct", args=[claim.pk]))
    assert response.status_code == 302
    with tenancy.activate(world.org):
        correction = Claim.objects.get(corrects=claim)
    assert claim.request.number in text(client.get(detail(correction)))
    assert detail(correction) in text(client.get(detail(claim)))


# ---- receipts ------------------------------------------------------------------------------------


def test_a_receipt_of_the_wrong_type_is_refused(client_as, world):
    claim = new_claim(world)
    client = as_(client_as, world)
    response = client.post(reverse("expenses:receipt_add", args=[claim.pk]),
                           {"file": SimpleUploadedFile("memo.txt", b"hello", "text/plain")})
    assert response.status_code == 400
    assert "PDF" in text(response)
    fake = SimpleUploadedFile("fake.pdf", b"not a pdf", "application/pdf")
    response = client.post(reverse("expenses:receipt_add", args=[claim.pk]), {"file": fake})
    assert response.status_code == 400
    with tenancy.activate(world.org):
        assert not Receipt.objects.filter(claim=claim).exists()


def test_a_receipt_is_uploaded_downloaded_with_an_audit_and_removed(client_as, world):
    claim = new_claim(world)
    client = as_(client_as, world)
    assert client.post(reverse("expenses:receipt_add", args=[claim.pk]), {
        "file": SimpleUploadedFile("領収書.pdf", PDF, "application/pdf")}).status_code == 302
    with tenancy.activate(world.org):
        receipt = Receipt.objects.get(claim=claim)
    response = client.get(reverse("expenses:receipt_download", args=[receipt.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    with tenancy.activate(world.org):
        assert AuditEvent.objects.filter(action="expense_receipt.download").count() == 1
    assert client.post(reverse("expenses:receipt_delete", args=[receipt.pk])).status_code == 302
    with tenancy.activate(world.org):
        assert not Receipt.objects.filter(claim=claim).exists()


def test_another_employee_cannot_see_the_claim_or_its_receipt(client_as, world):
    claim = new_claim(world, lines=[TRAIN])
    receipt = attach(world, claim)
    other = as_(client_as, world, "kato")
    assert other.get(detail(claim)).status_code == 404
    assert other.get(reverse("expenses:receipt_download", args=[receipt.pk])).status_code == 404
    with tenancy.activate(world.org):
        line = Line.objects.get(claim=claim)
    assert other.get(reverse("expenses:line_edit", args=[line.pk])).status_code == 404
    assert other.post(reverse("expenses:line_delete", args=[line.pk])).status_code == 404
    # Accounting staff read every claim.
    assert as_(client_as, world, "secretary").get(detail(claim)).status_code == 200


def test_the_approver_reads_the_submitted_claim_and_its_receipt(client_as, world):
    claim = new_claim(world, lines=[TRAIN])
    receipt = attach(world, claim)
    with tenancy.activate(world.org):
        claims.claim_submit(membership=world.m("suzuki"), claim=claim, today=NOW.date(), now=NOW)
    approver = as_(client_as, world, "ito")
    assert approver.get(detail(claim)).status_code == 200
    assert approver.get(reverse("expenses:receipt_download",
                                args=[receipt.pk])).status_code == 200


# ---- queries -------------------------------------------------------------------------------------


def test_the_list_and_the_claim_page_do_not_grow_queries_with_lines(
        client_as, world, django_assert_max_num_queries):
    small = new_claim(world, lines=[TRAIN], title="小")
    attach(world, small)
    client = as_(client_as, world)
    client.get(detail(small))  # warm the caches (session, organization)
    with django_assert_max_num_queries(60) as few:
        client.get(detail(small))
    with django_assert_max_num_queries(60) as few_list:
        client.get(reverse("expenses:claim_list"))
    big = new_claim(world, lines=[TRAIN, BOOKS, LUNCH] * 4, title="大")
    for n in range(3):
        attach(world, big, f"領収書{n}.pdf")
    for n in range(5):
        new_claim(world, lines=[TRAIN], title=f"その他{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(detail(big))
    with django_assert_max_num_queries(len(few_list.captured_queries)):
        client.get(reverse("expenses:claim_list"))


def test_the_printed_ringi_sheet_carries_the_lines_and_findings(client_as, world):
    claim = new_claim(world, lines=[BOOKS, BOOKS], submit=True)
    page = text(as_(client_as, world, "ito").get(
        reverse("approvals:request_print", args=[claim.request_id])))
    assert "株式会社 丸善" in page and "経費精算規程 第6条" in page
    assert "経費精算の画面を開く" not in page  # no links on paper
