"""The 稟議書: the printable page and its PDF show the request with its 決裁欄 (a stamp per
decision, 代 / 代決 / 否 marks), for whoever may read the request and nobody else."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from somu.approvals import printing
from somu.approvals.models import Request
from somu.approvals.services import decisions, delegations, requests
from somu.approvals.tests.builders import NOW, TODAY, World, purchase
from somu.core import tenancy


def decide(world: World, who: str, request: Request, decision: str = "approve",
           **kwargs) -> None:
    with tenancy.activate(world.org):
        decisions.request_decide(membership=world.m(who), request=request, decision=decision,
                                 today=TODAY, now=NOW, **kwargs)


def decided_by_everyone(world: World) -> Request:
    """¥600,000 filed by the secretary for 鈴木: 経理 合議 (加藤, 吉田, 小林), 承認 by 松本 as
    伊藤's deputy, 決裁 by 高橋 in 山本's place (代決)."""
    with tenancy.activate(world.org):
        delegations.delegation_create(
            membership=world.m("ito"), principal=world.people["ito"],
            deputy=world.people["matsumoto"], start=TODAY, end=TODAY, now=NOW)
    request = purchase(world, "secretary", requester="suzuki", amount=600_000,
                       title="会議室プロジェクター購入")
    for who in ("kato", "yoshida"):
        decide(world, who, request)
    decide(world, "kobayashi", request, comment="予算内であることを確認しました。")
    decide(world, "matsumoto", request)
    with tenancy.activate(world.org):
        seat = request.seats.get(person=world.people["yamamoto"])
    decide(world, "takahashi", request, seat=seat.pk, acting="superior",
           comment="山本部長出張中のため代決")
    return request


def page(client, request: Request):
    return client.get(reverse("approvals:request_print", kwargs={"request_id": request.pk}))


def pdf(client, request: Request):
    return client.get(reverse("approvals:request_pdf", kwargs={"request_id": request.pk}))


def sheet_of(world: World, request: Request) -> printing.RingiSheet:
    with tenancy.activate(world.org):
        return printing.ringi_sheet(printing.reading_request(request.pk))


def test_the_decision_boxes_run_from_the_final_decision_on_the_left_to_the_applicant(world):
    sheet = sheet_of(world, decided_by_everyone(world))
    assert [(b.label, b.name) for b in sheet.boxes] == [
        ("決裁", "山本 部長"), ("承認", "伊藤 課長"), ("合議", "吉田 経理"),
        ("合議", "加藤 経理"), ("合議", "小林 経理部長"), ("申請者", "鈴木 一般")]
    assert [b.position for b in sheet.boxes] == ["部長", "課長", "一般", "一般", "部長", "一般"]


def test_each_decision_is_stamped_with_the_deciders_surname_and_date_and_whose_hand(world):
    sheet = sheet_of(world, decided_by_everyone(world))
    stamps = [(b.stamp_top, b.stamp.date_text if b.stamp else "", b.acting_mark)
              for b in sheet.boxes]
    assert stamps == [("高橋", "26.6.15", "代決"), ("松本", "26.6.15", "代"),
                      ("吉田", "26.6.15", ""), ("加藤", "26.6.15", ""),
                      ("小林", "26.6.15", ""), ("鈴木", "26.6.15", "")]


def test_a_pending_seat_has_an_empty_box_and_a_rejection_is_marked_no(world):
    request = purchase(world, amount=210_000)
    sheet = sheet_of(world, request)
    assert [(b.name, b.stamp) for b in sheet.boxes[:2]] == [("山本 部長", None),
                                                           ("伊藤 課長", None)]
    decide(world, "ito", request, "reject", comment="今期の予算がありません")
    sheet = sheet_of(world, request)
    rejected = sheet.boxes[1]
    assert (rejected.stamp_top, rejected.rejected, rejected.name) == ("否", True, "伊藤 課長")
    assert sheet.boxes[0].stamp is None  # the 部長 never decided
    assert [(c.who, c.what, c.when, c.text) for c in sheet.comments] == [
        ("伊藤 課長", "承認：否認", "2026年6月15日", "今期の予算がありません")]


def test_the_content_shows_amount_as_yen_dates_in_japanese_and_the_attachments(world):
    with tenancy.activate(world.org):
        m = world.m("suzuki")
        request = requests.request_save(
            membership=m, request_type=world.types["purchase"],
            requester=world.people["suzuki"], title="ノートPC購入", amount=1_234_567,
            category="備品", now=NOW,
            values={"item": "ノートPC", "quantity": 1200, "reason": "故障のため\n至急",
                    "needed_by": "2026-07-01"})
        requests.attachment_add(membership=m, request=request, now=NOW, upload=SimpleUploadedFile(
            "見積書.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            content_type="application/pdf"))
        requests.request_submit(membership=m, request=request, today=TODAY, now=NOW)
    sheet = sheet_of(world, request)
    assert (sheet.heading, sheet.amount, sheet.category) == ("購入申請書", "¥1,234,567", "備品")
    assert sheet.submitted_on == "2026年6月15日"
    assert dict(sheet.fields) == {"品名": "ノートPC", "数量": "1,200", "購入先": "",
                                  "希望納期": "2026年7月1日", "購入理由": "故障のため\n至急"}
    assert [name for name, _size in sheet.attachments] == ["見積書.pdf"]
    assert sheet.attachments[0][1].endswith("バイト")


def test_a_person_field_shows_the_persons_name(world):
    from somu.approvals.models import RequestType

    with tenancy.activate(world.org):
        kind = RequestType.objects.create(
            code="loan", name="貸出申請", number_prefix="貸出", has_amount=False,
            fields=[{"key": "keeper", "label": "管理者", "type": "person"}])
        request = requests.request_save(
            membership=world.m("suzuki"), request_type=kind, requester=world.people["suzuki"],
            title="プロジェクター貸出", values={"keeper": world.people["kato"].pk}, now=NOW)
    sheet = sheet_of(world, request)
    assert sheet.fields == [("管理者", "加藤 経理")]
    assert (sheet.heading, sheet.amount, sheet.number) == ("貸出申請書", "", "")


def test_the_ringi_type_is_titled_ringisho_and_circulation_has_its_own_boxes(world):
    with tenancy.activate(world.org):
        m = world.m("suzuki")
        request = requests.request_save(
            membership=m, request_type=world.types["contract"], requester=world.people["suzuki"],
            title="清掃業務委託契約", amount=480_000, now=NOW,
            values={"contract_kind": "業務委託", "counterparty": "株式会社クリーン",
                    "start": "2026-07-01", "summary": "本社ビルの日常清掃"})
        requests.request_submit(membership=m, request=request, today=TODAY, now=NOW)
    decide(world, "matsumoto", request)
    decide(world, "yamamoto", request)
    sheet = sheet_of(world, request)
    assert [b.label for b in sheet.boxes] == ["決裁", "審査", "申請者"]
    assert sheet.circulation and all(b.label == "回覧" for b in sheet.circulation)
    assert all(b.stamp is None for b in sheet.circulation)  # not seen yet
    assert printing.heading_of(Request(request_type=world.types["ringi"])) == "稟議書"


def test_the_print_page_shows_the_sheet_with_a_print_button(client_as, world):
    request = decided_by_everyone(world)
    response = page(client_as(world.users["suzuki"], world.org), request)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1 class=\"rg-title\">購入申請書</h1>" in body
    assert "購入-2026-00001" in body and "秘書 花子（代理申請）" in body
    assert "window.print()" in body and "@page { size: A4" in body
    assert body.count('class="rg-stamp"') == 6
    assert "山本部長出張中のため代決" in body and "高橋 本部長（山本 部長 の代決）" in body
    assert "¥600,000" in body


def test_an_employee_cannot_print_someone_elses_request(client_as, world):
    request = purchase(world, amount=50_000)  # 鈴木's, decided by 伊藤
    outsider = client_as(world.users["yoshida"], world.org)
    assert page(outsider, request).status_code == 404
    assert pdf(outsider, request).status_code == 404
    assert page(client_as(world.users["ito"], world.org), request).status_code == 200
    missing = reverse("approvals:request_print", kwargs={"request_id": 999_999})
    assert client_as(world.users["suzuki"], world.org).get(missing).status_code == 404


def test_another_organizations_admin_cannot_print_the_request(client_as, world, admin_b, org_b):
    request = purchase(world, amount=50_000)
    assert page(client_as(admin_b, org_b), request).status_code == 404


def test_the_pdf_is_an_a4_pdf_named_by_the_request_number(client_as, world):
    request = decided_by_everyone(world)
    response = pdf(client_as(world.users["suzuki"], world.org), request)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f"filename*=utf-8''{quote('購入-2026-00001.pdf')}" in response["Content-Disposition"]
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in response.content  # A4 in points
    assert b"HeiseiKakuGo-W5" in response.content and b"HeiseiMin-W3" in response.content


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is missing")
def test_the_pdfs_text_holds_the_number_title_and_stamps(client_as, world, tmp_path):
    request = decided_by_everyone(world)
    path = tmp_path / "ringi.pdf"
    path.write_bytes(pdf(client_as(world.users["suzuki"], world.org), request).content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          check=True, text=True).stdout
    assert "2026-00001" in text
    assert "購入申請書" in text.replace(" ", "")
    assert "26.6.15" in text


def test_a_draft_is_printable_by_its_requester_without_a_number(client_as, world):
    request = purchase(world, amount=50_000, submit=False)
    response = pdf(client_as(world.users["suzuki"], world.org), request)
    assert response.status_code == 200
    assert f"request-{request.pk}.pdf" in response["Content-Disposition"]
    assert page(client_as(world.users["ito"], world.org), request).status_code == 404


def test_the_stamp_bears_the_surname_and_a_short_date():
    assert printing.surname("鈴木 一般") == "鈴木"
    assert printing.surname("佐々木\u3000花子") == "佐々木"
    assert printing.surname("長谷川") == "長谷川"
    assert printing.surname("山田太郎") == "山田"
    assert printing.stamp(None, dt.date(2027, 1, 5)).date_text == "27.1.5"


def test_a_purpose_longer_than_a_page_continues_on_the_next_page(client_as, world):
    with tenancy.activate(world.org):
        m = world.m("suzuki")
        request = requests.request_save(
            membership=m, request_type=world.types["ringi"], requester=world.people["suzuki"],
            title="基幹システム更改", amount=80_000, category="設備投資", now=NOW,
            values={"purpose": "現行システムの保守期限が到来するため更改する。\n" * 300})
        requests.request_submit(membership=m, request=request, today=TODAY, now=NOW)
    response = pdf(client_as(world.users["suzuki"], world.org), request)
    assert response.status_code == 200
    assert response.content.count(b"/Type /Page\n") >= 2


def test_the_sheet_takes_the_same_number_of_queries_for_a_short_or_a_long_route(world):
    def queries(request: Request) -> int:
        with tenancy.activate(world.org), CaptureQueriesContext(connection) as captured:
            printing.ringi_sheet(printing.reading_request(request.pk))
        return len(captured)

    short = purchase(world, amount=50_000)  # one seat
    assert queries(decided_by_everyone(world)) == queries(short)
