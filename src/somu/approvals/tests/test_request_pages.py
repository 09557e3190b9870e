"""The request pages: filing a request and seeing its route first, the request with its 決裁欄,
history and versions, deciding on it (in person, as deputy, 代決 and its 後閲), attachments,
the list with its filters and the inbox."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from somu.approvals.models import (
    PostReview,
    PostReviewState,
    Request,
    RequestState,
    SeatState,
)
from somu.approvals.services import decisions, delegations, requests
from somu.approvals.tests.builders import NOW, TODAY, World, purchase
from somu.audit.models import AuditEvent
from somu.core import tenancy

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> None:
    """The pages read today's date: it is the builders' Monday."""
    time_machine.move_to(NOW, tick=False)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def detail_url(request: Request) -> str:
    return reverse("approvals:request_detail", args=[request.pk])


def as_(client_as: Any, world: World, key: str) -> Any:
    return client_as(world.users[key], world.org)


def fresh(world: World, request: Request) -> Request:
    with tenancy.activate(world.org):
        return Request.objects.get(pk=request.pk)


def purchase_form(**changes: Any) -> dict[str, Any]:
    data = {"title": "モニター購入", "amount": "50,000", "category": "備品",
            "f_item": "27インチモニター", "f_quantity": "2", "f_reason": "増員のため"}
    data.update(changes)
    return data


# ---- filing --------------------------------------------------------------------------------------


def test_the_new_request_page_lists_the_types_in_use_with_their_description(client_as, world):
    with tenancy.activate(world.org):
        world.types["seal"].is_active = False
        world.types["seal"].save()
        world.types["purchase"].description = "備品・消耗品・ソフトウェアの購入"
        world.types["purchase"].save()
    page = text(as_(client_as, world, "suzuki").get(reverse("approvals:request_new")))
    assert "購入申請" in page and "備品・消耗品・ソフトウェアの購入" in page
    assert "押印申請" not in page


def test_an_employee_gets_no_requester_chooser_and_a_forged_one_is_refused(client_as, world):
    client = as_(client_as, world, "suzuki")
    url = reverse("approvals:request_create", args=[world.types["purchase"].pk])
    assert 'name="requester"' not in client.get(url).content.decode()
    staff = as_(client_as, world, "secretary").get(url).content.decode()
    assert 'name="requester"' in staff
    # The field is not on an employee's form: a forged value is ignored, never used.
    response = client.post(url, purchase_form(requester=world.people["kato"].pk))
    assert response.status_code == 302
    with tenancy.activate(world.org):
        made = Request.objects.get()
    assert made.requester_id == world.people["suzuki"].pk and made.submitted_by_id is None


def test_a_forged_on_behalf_draft_through_the_service_is_refused(client_as, world, tr):
    from django.core.exceptions import PermissionDenied

    with tenancy.activate(world.org), pytest.raises(PermissionDenied):
        requests.request_save(membership=world.m("suzuki"),
                              request_type=world.types["purchase"],
                              requester=world.people["kato"], title="x", now=NOW)


def test_back_office_staff_file_on_behalf_and_the_page_says_so(client_as, world, tr):
    client = as_(client_as, world, "secretary")
    url = reverse("approvals:request_create", args=[world.types["purchase"].pk])
    response = client.post(url, purchase_form(requester=world.people["suzuki"].pk,
                                              action="submit"), follow=True)
    page = text(response)
    with tenancy.activate(world.org):
        made = Request.objects.get()
    assert made.state == RequestState.IN_PROGRESS
    assert made.requester_id == world.people["suzuki"].pk
    assert tr("代理申請: %(a)s for %(b)s", a="秘書 花子", b="鈴木 一般") in page


def test_submitting_from_the_form_gives_the_number_and_shows_the_frozen_route(client_as, world,
                                                                              tr):
    client = as_(client_as, world, "suzuki")
    url = reverse("approvals:request_create", args=[world.types["purchase"].pk])
    response = client.post(url, purchase_form(action="submit"), follow=True)
    page = text(response)
    assert tr("Submitted as %(number)s. The route below is fixed for this request.",
              number="購入-2026-00001") in page
    assert "伊藤 課長" in page and "¥50,000" in page
    assert tr("Row %(row)s of the approval rules applies.", row=1) in page


def test_a_draft_is_saved_incomplete_and_submitting_it_shows_what_is_missing(client_as, world,
                                                                             tr):
    client = as_(client_as, world, "suzuki")
    url = reverse("approvals:request_create", args=[world.types["purchase"].pk])
    saved = client.post(url, {"title": "書きかけ", "action": "save"})
    assert saved.status_code == 302
    with tenancy.activate(world.org):
        draft = Request.objects.get()
    assert draft.state == RequestState.DRAFT
    response = client.post(reverse("approvals:request_submit", args=[draft.pk]))
    assert response.status_code == 400
    page = text(response)
    assert tr("Enter the amount.") in page and tr("This field is required.") in page
    assert fresh(world, draft).state == RequestState.DRAFT


def test_a_bad_amount_is_shown_next_to_the_amount(client_as, world, tr):
    client = as_(client_as, world, "suzuki")
    url = reverse("approvals:request_create", args=[world.types["purchase"].pk])
    response = client.post(url, purchase_form(amount="五万円", action="save"))
    assert response.status_code == 400
    assert tr("Enter the amount in whole yen (e.g. 120000).") in text(response)
    with tenancy.activate(world.org):
        assert not Request.objects.exists()


def test_the_route_preview_shows_stages_approvers_and_why_before_anything_is_saved(
        client_as, world, tr):
    client = as_(client_as, world, "suzuki")
    url = reverse("approvals:route_preview_new", args=[world.types["purchase"].pk])
    page = text(client.post(url, purchase_form(amount="600,000"), HTTP_HX_REQUEST="true"))
    for name in ("加藤 経理", "吉田 経理", "伊藤 課長", "山本 部長"):
        assert name in page
    assert tr("Consultation") in page and tr("Final decision") in page
    assert tr("Row %(row)s of the approval rules applies.", row=3) in page
    with tenancy.activate(world.org):
        assert not Request.objects.exists()


def test_the_route_preview_says_why_no_route_can_be_found(client_as, world, tr):
    client = as_(client_as, world, "suzuki")
    url = reverse("approvals:route_preview_new", args=[world.types["travel"].pk])
    page = text(client.post(url, {"title": "大阪出張", "amount": "30000"}))
    assert tr("No row of the approval rules applies to this request.") in page


# ---- reading -------------------------------------------------------------------------------------


def test_an_employee_cannot_see_someone_elses_request(client_as, world):
    request = purchase(world)
    assert as_(client_as, world, "matsumoto").get(detail_url(request)).status_code == 404
    assert as_(client_as, world, "ito").get(detail_url(request)).status_code == 200
    assert as_(client_as, world, "matsumoto").post(
        reverse("approvals:request_decide", args=[request.pk]),
        {"decision": "approve"}).status_code == 404


def test_the_request_page_shows_the_values_in_words(client_as, world):
    with tenancy.activate(world.org):
        t = world.types["ringi"]
        t.fields = [*t.fields, {"key": "owner", "label": "担当者", "type": "person"},
                    {"key": "urgent", "label": "至急", "type": "boolean"}]
        t.save()
        request = requests.request_save(
            membership=world.m("suzuki"), request_type=t, requester=world.people["suzuki"],
            title="新規事業の検討", amount=1_234_567, category="その他",
            values={"purpose": "市場調査", "due": "2026-07-01",
                    "owner": world.people["kato"].pk, "urgent": True}, now=NOW)
    page = text(as_(client_as, world, "suzuki").get(detail_url(request)))
    assert "¥1,234,567" in page and "加藤 経理" in page and "市場調査" in page
    assert "2026-07-01 (水)" in page  # a date in the house format, with its weekday


# ---- deciding ------------------------------------------------------------------------------------


def test_the_approver_approves_from_the_page(client_as, world, tr):
    request = purchase(world)
    response = as_(client_as, world, "ito").post(
        reverse("approvals:request_decide", args=[request.pk]),
        {"decision": "approve", "comment": "了解"}, follow=True)
    assert tr("You approved the request.") in text(response)
    assert fresh(world, request).state == RequestState.APPROVED


def test_reject_and_send_back_without_a_comment_are_refused_next_to_the_comment(client_as,
                                                                                world, tr):
    request = purchase(world)
    client = as_(client_as, world, "ito")
    for decision in ("reject", "return"):
        response = client.post(reverse("approvals:request_decide", args=[request.pk]),
                               {"decision": decision, "comment": "  "})
        assert response.status_code == 400
        assert tr("Say why in the comment.") in text(response)
    assert fresh(world, request).state == RequestState.IN_PROGRESS


def test_sent_back_to_the_requester_who_can_edit_and_resubmit_and_sees_the_changes(
        client_as, world, tr):
    request = purchase(world)
    as_(client_as, world, "ito").post(reverse("approvals:request_decide", args=[request.pk]),
                                      {"decision": "return", "return_to": "requester",
                                       "comment": "見積書を添付してください"})
    assert fresh(world, request).state == RequestState.SENT_BACK
    client = as_(client_as, world, "suzuki")
    page = text(client.get(detail_url(request)))
    assert reverse("approvals:request_edit", args=[request.pk]) in page
    assert "見積書を添付してください" in page
    response = client.post(reverse("approvals:request_edit", args=[request.pk]),
                           purchase_form(title="ノートPC購入", amount="300,000",
                                         action="submit"), follow=True)
    page = text(response)
    assert fresh(world, request).revision == 2
    assert "¥50,000" in page and "¥300,000" in page  # 変更前 / 変更後
    assert tr("Version %(a)s → version %(b)s", a=1, b=2) in page
    # Above ¥100,000 the 部長 decides too: the history says why the route changed.
    assert tr("The route was resolved again because the content changed.") in page
    assert "山本 部長" in page


def test_a_send_back_to_an_earlier_stage_is_offered_to_the_later_approver(client_as, world):
    request = purchase(world, amount=210_000)
    as_(client_as, world, "ito").post(reverse("approvals:request_decide", args=[request.pk]),
                                      {"decision": "approve"})
    client = as_(client_as, world, "yamamoto")
    assert 'name="return_to"' in client.get(detail_url(request)).content.decode()
    client.post(reverse("approvals:request_decide", args=[request.pk]),
                {"decision": "return", "return_to": "0", "comment": "再確認を"})
    with tenancy.activate(world.org):
        pending = list(request.seats.filter(current=True, state=SeatState.PENDING)
                       .values_list("person__name", flat=True))
    assert pending == ["伊藤 課長"]


def test_a_decision_taken_meanwhile_is_a_message_not_an_error(client_as, world, tr):
    request = purchase(world)
    with tenancy.activate(world.org):
        seat = request.seats.get()
    client = as_(client_as, world, "ito")
    page_seen = client.get(detail_url(request))  # the form is on screen …
    assert page_seen.status_code == 200
    with tenancy.activate(world.org):  # … when the decision is taken elsewhere
        decisions.request_decide(membership=world.m("ito"), request=request,
                                 decision="approve", today=TODAY, now=NOW)
    response = client.post(reverse("approvals:request_decide", args=[request.pk]),
                           {"decision": "reject", "comment": "高い", "seat": seat.pk},
                           follow=True)
    assert response.status_code == 200
    with tenancy.activate(world.org):
        state = fresh(world, request).get_state_display()
    assert tr("This request has already moved on: it is now “%(state)s”. Reload to see the "
              "current state.", state=state) in text(response)


def test_a_deputy_sees_the_request_in_the_inbox_and_decides_for_the_absent_approver(
        client_as, world, tr):
    request = purchase(world)
    with tenancy.activate(world.org):
        delegations.delegation_create(membership=world.m("ito"), principal=world.people["ito"],
                                      deputy=world.people["kato"], start=TODAY, end=TODAY,
                                      now=NOW)
    client = as_(client_as, world, "kato")
    inbox = text(client.get(reverse("approvals:inbox")))
    assert "ノートPC購入" in inbox and tr("for %(name)s (代理)", name="伊藤 課長") in inbox
    assert client.get(detail_url(request)).status_code == 200
    response = client.post(reverse("approvals:request_decide", args=[request.pk]),
                           {"decision": "approve"}, follow=True)
    page = text(response)
    assert fresh(world, request).state == RequestState.APPROVED
    assert "代理承認" in page and "加藤 経理" in page


def test_someone_above_decides_for_the_absent_approver_with_a_reason_and_leaves_a_post_review(
        client_as, world, tr):
    request = purchase(world)
    with tenancy.activate(world.org):
        seat = request.seats.get()
    client = as_(client_as, world, "yamamoto")
    page = text(client.get(detail_url(request)))
    assert tr("Decide in the place of %(name)s (代決)", name="伊藤 課長") in page
    url = reverse("approvals:request_decide", args=[request.pk])
    refused = client.post(url, {"decision": "approve", "acting": "superior", "seat": seat.pk})
    assert refused.status_code == 400
    assert tr("Say why you decide in the absent approver's place.") in text(refused)
    client.post(url, {"decision": "approve", "acting": "superior", "seat": seat.pk,
                      "comment": "伊藤課長は出張中"})
    assert fresh(world, request).state == RequestState.APPROVED
    # 伊藤 reviews it afterwards (後閲): flagging needs a comment.
    ito = as_(client_as, world, "ito")
    with tenancy.activate(world.org):
        review = PostReview.objects.get()
    assert "ノートPC購入" in text(ito.get(reverse("approvals:inbox")))
    review_url = reverse("approvals:post_review", args=[review.pk])
    assert ito.post(review_url, {"flag": "1", "comment": ""}).status_code == 400
    ito.post(review_url, {"flag": "0"})
    with tenancy.activate(world.org):
        review.refresh_from_db()
    assert review.state == PostReviewState.ACKNOWLEDGED
    # Someone not above the approver cannot: the service refuses (403).
    assert as_(client_as, world, "kobayashi").post(
        url, {"decision": "approve", "acting": "superior", "seat": seat.pk,
              "comment": "x"}).status_code in (403, 404)


def test_a_consultation_member_asks_someone_else_in(client_as, world, tr):
    request = purchase(world, amount=600_000)
    with tenancy.activate(world.org):
        stage = request.stages.get(kind="consult")
    client = as_(client_as, world, "kato")
    assert "participants" in client.get(detail_url(request)).content.decode()
    client.post(reverse("approvals:participant_add", args=[request.pk]),
                {"stage": stage.pk, "person": world.people["matsumoto"].pk})
    with tenancy.activate(world.org):
        assert stage.seats.filter(person=world.people["matsumoto"]).exists()
    again = client.post(reverse("approvals:participant_add", args=[request.pk]),
                        {"stage": stage.pk, "person": world.people["matsumoto"].pk})
    assert again.status_code == 400
    assert tr("%(name)s is already in this consultation.", name="松本 法務") in text(again)


def test_a_circulated_reader_confirms_having_read_it(client_as, world):
    with tenancy.activate(world.org):
        m = world.m("kato")
        request = requests.request_save(
            membership=m, request_type=world.types["contract"], requester=world.people["kato"],
            title="秘密保持契約", amount=0,
            values={"contract_kind": "NDA", "counterparty": "株式会社シー",
                    "start": "2026-07-01", "summary": "協業検討"}, now=NOW)
        requests.request_submit(membership=m, request=request, today=TODAY, now=NOW)
        for who in ("matsumoto", "kobayashi"):
            decisions.request_decide(membership=world.m(who), request=request,
                                     decision="approve", today=TODAY, now=NOW)
    client = as_(client_as, world, "yamamoto")
    assert "秘密保持契約" in text(client.get(reverse("approvals:inbox")))
    client.post(reverse("approvals:request_seen", args=[request.pk]))
    with tenancy.activate(world.org):
        assert request.seats.filter(person=world.people["yamamoto"],
                                    state=SeatState.SEEN).exists()


def test_the_requester_takes_back_and_deletes_only_a_draft(client_as, world, tr):
    request = purchase(world)
    client = as_(client_as, world, "suzuki")
    client.post(reverse("approvals:request_recall", args=[request.pk]))
    assert fresh(world, request).state == RequestState.RECALLED
    response = client.post(reverse("approvals:request_delete", args=[request.pk]), follow=True)
    assert tr("A submitted request cannot be deleted; recall it instead.") in text(response)
    draft = purchase(world, submit=False)
    client.post(reverse("approvals:request_delete", args=[draft.pk]))
    with tenancy.activate(world.org):
        assert not Request.objects.filter(pk=draft.pk).exists()
    # Someone else's draft is not there at all.
    other = purchase(world, submit=False)
    assert as_(client_as, world, "kato").post(
        reverse("approvals:request_delete", args=[other.pk])).status_code == 404


# ---- attachments ---------------------------------------------------------------------------------


def test_a_png_named_pdf_is_refused_with_the_reason(client_as, world, tr):
    draft = purchase(world, submit=False)
    client = as_(client_as, world, "suzuki")
    response = client.post(reverse("approvals:attachment_add", args=[draft.pk]),
                           {"file": SimpleUploadedFile("見積書.pdf", PNG, "application/pdf")})
    assert response.status_code == 400
    page = text(response)
    assert "見積書.pdf" in page or "pdf" in page
    with tenancy.activate(world.org):
        assert not draft.attachments.exists()


def test_an_attachment_is_downloaded_by_a_reader_and_the_download_is_audited(client_as, world):
    draft = purchase(world, submit=False)
    client = as_(client_as, world, "suzuki")
    client.post(reverse("approvals:attachment_add", args=[draft.pk]),
                {"file": SimpleUploadedFile("見積書.pdf", b"%PDF-1.4 test", "application/pdf")})
    with tenancy.activate(world.org):
        attachment = draft.attachments.get()
        requests.request_submit(membership=world.m("suzuki"), request=draft, today=TODAY,
                                now=NOW)
    response = as_(client_as, world, "ito").get(
        reverse("approvals:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    with tenancy.activate(world.org):
        assert AuditEvent.objects.filter(action="approval_request.download",
                                         actor=world.users["ito"]).count() == 1
    assert as_(client_as, world, "matsumoto").get(
        reverse("approvals:attachment_download", args=[attachment.pk])).status_code == 404
    # Submitted: no more removing it.
    response = client.post(reverse("approvals:attachment_delete", args=[attachment.pk]))
    with tenancy.activate(world.org):
        assert draft.attachments.exists()


# ---- the list and the inbox ----------------------------------------------------------------------


def test_an_employee_lists_only_what_they_may_read(client_as, world):
    purchase(world, title="鈴木の購入")
    purchase(world, "kato", title="加藤の購入")
    page = text(as_(client_as, world, "suzuki").get(reverse("approvals:request_list")))
    assert "鈴木の購入" in page and "加藤の購入" not in page
    staff = text(as_(client_as, world, "secretary").get(reverse("approvals:request_list")))
    assert "鈴木の購入" in staff and "加藤の購入" in staff


def test_filters_narrow_the_list_and_keep_the_query_for_the_export(client_as, world):
    purchase(world, title="安い買い物", amount=1_000)
    purchase(world, title="高い買い物", amount=900_000)
    client = as_(client_as, world, "secretary")
    page = text(client.get(reverse("approvals:request_list"), {"amount_min": "100,000"}))
    assert "高い買い物" in page and "安い買い物" not in page
    assert reverse("approvals:request_export") + "?amount_min=100%2C000&format=xlsx" in page


def test_bad_filter_values_are_named_on_the_page_not_a_server_error(client_as, world, tr):
    purchase(world, title="安い買い物", amount=1_000)
    response = as_(client_as, world, "secretary").get(
        reverse("approvals:request_list"),
        {"amount_min": "たくさん", "from": "2026-13-45", "state": "bogus", "type": "x"})
    assert response.status_code == 200
    page = text(response)
    assert "たくさん" in page and "2026-13-45" in page and "bogus" in page
    assert "安い買い物" in page  # the bad filters are ignored


def test_the_list_takes_the_same_number_of_queries_for_5_and_30_requests(
        client_as, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_(client_as, world, "secretary")
    counts = []
    for n in (5, 25):
        for _ in range(n):
            purchase(world, amount=600_000)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("approvals:request_list")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_the_inbox_takes_the_same_number_of_queries_for_5_and_30_requests(client_as, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with tenancy.activate(world.org):
        delegations.delegation_create(membership=world.m("yoshida"),
                                      principal=world.people["yoshida"],
                                      deputy=world.people["kato"], start=TODAY, end=TODAY,
                                      now=NOW)
    client = as_(client_as, world, "kato")
    counts = []
    for n in (5, 25):
        for _ in range(n):
            purchase(world, amount=600_000)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("approvals:inbox"))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert text(response).count("ノートPC購入") == 60  # own seats and 吉田's, as deputy


def test_a_member_without_a_person_gets_an_empty_inbox(client_as, world):
    response = as_(client_as, world, "admin").get(reverse("approvals:inbox"))
    assert response.status_code == 200


def test_the_form_renders_each_field_by_type_a_person_picker_and_date_inputs(client_as, world):
    with tenancy.activate(world.org):
        t = world.types["ringi"]
        t.fields = [*t.fields, {"key": "owner", "label": "担当者", "type": "person"}]
        t.save()
    page = as_(client_as, world, "suzuki").get(
        reverse("approvals:request_create", args=[t.pk])).content.decode()
    assert 'name="f_owner"' in page and "data-person-picker" in page
    assert 'type="date" name="f_due"' in page
    assert 'inputmode="numeric"' in page  # the amount in yen
    assert reverse("approvals:route_preview_new", args=[t.pk]) in page


def test_my_requests_filter_keeps_to_what_i_filed(client_as, world):
    purchase(world, title="鈴木の購入")
    purchase(world, "secretary", title="秘書が鈴木のために", requester="suzuki")
    purchase(world, "kato", title="加藤の購入")
    page = text(as_(client_as, world, "secretary").get(reverse("approvals:request_list"),
                                                       {"mine": "1"}))
    assert "秘書が鈴木のために" in page
    assert "鈴木の購入" not in page and "加藤の購入" not in page
