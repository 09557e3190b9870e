"""/api/v1/approvals/: each endpoint's answer, and the refusals a client relies on (403 for a
decision that is not one's to take, 404 for another organization's ids, 409 with the current
state for a request that moved on, 422 naming the field or parameter that is wrong)."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from somu.approvals.api import common
from somu.approvals.models import (
    Attachment,
    PostReview,
    RuleVersion,
    Seat,
    SeatState,
)
from somu.approvals.services import delegations
from somu.approvals.services.rules import RowInput
from somu.approvals.tests.builders import (
    NOW,
    TODAY,
    World,
    install_rules,
    purchase,
    stage,
)
from somu.approvals.tests.isolation import records_of_b
from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tests.apiclient import assert_error, field_names

PURCHASE = {"title": "ノートPC購入", "amount": 50_000, "category": "備品",
            "values": {"item": "ノートPC", "quantity": 1, "reason": "故障のため"}}


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):  # type: ignore[no-untyped-def]
    return functools.partial(api_as, prefix="/api/v1/approvals")


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API works on the builders' day, whatever the real date."""
    monkeypatch.setattr(common, "today", lambda: TODAY)
    monkeypatch.setattr(common, "now", lambda: NOW)


@pytest.fixture
def as_user(world: World, api_as):  # type: ignore[no-untyped-def]
    return lambda key: api_as(world.users[key])


def new_draft(api: Any, world: World, **changes: Any) -> dict[str, Any]:
    response = api.post("/requests", {"request_type_id": world.types["purchase"].pk,
                                      **PURCHASE, **changes})
    assert response.status_code == 201, response.content
    return response.json()


def pdf(name: str = "見積.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "%PDF-1.4 見積書".encode(), "application/pdf")


# ---- request types ----------------------------------------------------------------------------


def test_request_types_come_with_their_forms_and_codes(world, as_user):
    types = as_user("suzuki").get("/types").json()
    assert [t["code"] for t in types] == ["ringi", "purchase", "travel", "seal", "contract"]
    purchase_type = as_user("suzuki").get(f"/types/{world.types['purchase'].pk}").json()
    assert purchase_type["categories"] == ["備品", "消耗品", "ソフトウェア"]
    assert purchase_type["fields"][0] == {"key": "item", "label": "品名", "type": "text",
                                          "required": True, "choices": [], "help": ""}


def test_an_unknown_request_type_is_not_found(as_user):
    assert_error(as_user("suzuki").get("/types/999999"), 404, "not_found")


# ---- drafts and submission --------------------------------------------------------------------


def test_a_requester_creates_a_draft_changes_it_and_submits_it_to_a_route_that_says_why(
        world, as_user):
    api = as_user("suzuki")
    draft = new_draft(api, world)
    assert (draft["state"], draft["number"], draft["stages"]) == ("draft", "", [])
    assert draft["requester_id"] == world.people["suzuki"].pk and draft["editable"]
    changed = api.patch(f"/requests/{draft['id']}", {"amount": 80_000}).json()
    assert (changed["amount"], changed["title"]) == (80_000, "ノートPC購入")
    submitted = api.post(f"/requests/{draft['id']}/submit")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["state"] == "in_progress" and body["number"].startswith("購入-")
    (decide,) = body["stages"]
    assert (decide["kind"], decide["state"]) == ("decide", "active")
    assert [(s["person_id"], s["state"]) for s in decide["seats"]] == [
        (world.people["ito"].pk, "pending")]
    assert {w["code"] for w in decide["why"]} == {"rule_row", "position_found"}
    assert all(w["text"] and w["text"] != w["code"] for w in decide["why"])
    assert not body["editable"]


def test_a_bad_amount_is_refused_naming_the_field_and_nothing_is_stored(world, as_user):
    api = as_user("suzuki")
    for amount in ("12万円", -1, 1.5, 10**14):
        response = api.post("/requests", {"request_type_id": world.types["purchase"].pk,
                                          **PURCHASE, "amount": amount})
        assert field_names(assert_error(response, 422, "invalid")) == ["amount"], amount
    assert api.get("/requests").json()["count"] == 0


def test_a_draft_of_an_unknown_type_or_with_a_wrong_category_is_refused(world, as_user):
    api = as_user("suzuki")
    response = api.post("/requests", {"request_type_id": 999999, **PURCHASE})
    assert field_names(assert_error(response, 422, "invalid")) == ["request_type_id"]
    response = api.post("/requests", {"request_type_id": world.types["purchase"].pk,
                                      **PURCHASE, "category": "食費"})
    assert field_names(assert_error(response, 422, "invalid")) == ["category"]


def test_submitting_without_the_required_form_values_names_them(world, as_user):
    api = as_user("suzuki")
    draft = new_draft(api, world, values={"item": "ノートPC"})
    error = assert_error(api.post(f"/requests/{draft['id']}/submit"), 422, "invalid")
    assert set(field_names(error)) == {"quantity", "reason"}


def test_staff_file_a_request_on_behalf_but_an_employee_may_not(world, as_user):
    on_behalf = new_draft(as_user("secretary"), world,
                          requester_id=world.people["suzuki"].pk)
    assert on_behalf["requester_id"] == world.people["suzuki"].pk
    assert on_behalf["submitted_by_id"] == world.people["secretary"].pk
    response = as_user("kato").post("/requests", {
        "request_type_id": world.types["purchase"].pk, **PURCHASE,
        "requester_id": world.people["suzuki"].pk})
    assert_error(response, 403, "forbidden")


def test_only_the_requester_changes_a_draft_and_others_do_not_even_see_it(world, as_user):
    draft = new_draft(as_user("suzuki"), world)
    assert_error(as_user("kato").patch(f"/requests/{draft['id']}", {"title": "乗っ取り"}), 404,
                 "not_found")
    assert_error(as_user("kato").get(f"/requests/{draft['id']}"), 404, "not_found")


def test_a_draft_is_deleted_but_a_submitted_request_is_a_conflict(world, as_user):
    api = as_user("suzuki")
    draft = new_draft(api, world)
    assert api.delete(f"/requests/{draft['id']}").status_code == 204
    assert_error(api.get(f"/requests/{draft['id']}"), 404, "not_found")
    submitted = purchase(world)
    error = assert_error(api.delete(f"/requests/{submitted.pk}"), 409, "conflict",
                         extra=("state", "request"))
    assert error["state"] == "in_progress"


def test_editing_a_request_in_progress_is_a_conflict_with_its_state(world, as_user):
    request = purchase(world)
    error = assert_error(as_user("suzuki").patch(f"/requests/{request.pk}", {"title": "x"}),
                         409, "conflict", extra=("state", "request"))
    assert (error["state"], error["request"]["id"]) == ("in_progress", request.pk)


# ---- the list ---------------------------------------------------------------------------------


def test_the_list_filters_with_the_pages_parameters(world, as_user):
    small = purchase(world, amount=50_000, title="マウス")
    large = purchase(world, amount=600_000, title="サーバー")
    api = as_user("suzuki")
    assert [r["id"] for r in api.get("/requests").json()["items"]] == [large.pk, small.pk]
    assert [r["id"] for r in api.get("/requests", amount_min="100,000").json()["items"]] == [
        large.pk]
    assert [r["id"] for r in api.get("/requests", q="マウス").json()["items"]] == [small.pk]
    assert api.get("/requests", state="approved").json()["count"] == 0
    assert api.get("/requests", **{"from": "2026-06-16"}).json()["count"] == 0
    # An approver sees the requests he has a seat in; an outsider sees none.
    assert as_user("ito").get("/requests").json()["count"] == 2
    assert as_user("matsumoto").get("/requests").json()["count"] == 0


@pytest.mark.parametrize(("params", "field"), [
    ({"amount_min": "多い"}, "amount_min"), ({"state": "done"}, "state"),
    ({"from": "2026-13-01"}, "from"), ({"type": "-1"}, "type"),
])
def test_a_wrong_filter_value_is_refused_naming_the_parameter(world, as_user, params, field):
    error = assert_error(as_user("suzuki").get("/requests", **params), 422, "invalid")
    assert field_names(error) == [field]


def test_the_list_and_the_inbox_take_the_same_number_of_queries_for_5_or_30_requests(
        world, as_user):
    api = as_user("ito")

    def count(path: str) -> int:
        api.get(path)  # warm: the token's first use
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path).status_code == 200
        return len(queries)

    for _n in range(5):
        purchase(world)
    few = count("/requests"), count("/inbox")
    for _n in range(25):
        purchase(world)
    assert len(api.get("/inbox").json()["decisions"]) == 30
    assert (count("/requests"), count("/inbox")) == few


# ---- deciding ---------------------------------------------------------------------------------


def test_the_approver_approves_and_a_second_decision_is_a_conflict_with_the_current_state(
        world, as_user):
    request = purchase(world)
    api = as_user("ito")
    approved = api.post(f"/requests/{request.pk}/decide", {"decision": "approve",
                                                            "comment": "了解"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["state"] == "approved"
    again = api.post(f"/requests/{request.pk}/decide", {"decision": "approve"})
    error = assert_error(again, 409, "conflict", extra=("state", "request"))
    assert (error["state"], error["request"]["state"]) == ("approved", "approved")
    with tenancy.activate(world.org):
        assert Seat.objects.filter(request=request, state=SeatState.APPROVED).count() == 1


def test_a_consultation_member_too_late_for_a_quorum_any_stage_gets_a_conflict(world, as_user):
    t = world.types
    install_rules(world, [RowInput(1, t["purchase"], (
        stage("consult", "group", str(world.depts["keiri"].pk), quorum="any"),
        stage("decide", "position", "課長")))])
    request = purchase(world)
    assert as_user("kato").post(f"/requests/{request.pk}/decide",
                                {"decision": "approve"}).status_code == 200
    late = as_user("yoshida").post(f"/requests/{request.pk}/decide", {"decision": "approve"})
    assert assert_error(late, 409, "conflict", extra=("state", "request"))["state"] == (
        "in_progress")


def test_nobody_approves_their_own_request(world, as_user):
    request = purchase(world, "ito")  # goes up to 山本 部長
    response = as_user("ito").post(f"/requests/{request.pk}/decide", {"decision": "approve"})
    assert_error(response, 403, "forbidden")


def test_someone_without_a_seat_cannot_decide(world, as_user):
    request = purchase(world)
    response = as_user("kato").post(f"/requests/{request.pk}/decide", {"decision": "approve"})
    assert_error(response, 403, "forbidden")


def test_a_rejection_needs_a_comment_and_a_decision_must_be_one_of_three(world, as_user):
    request = purchase(world)
    api = as_user("ito")
    error = assert_error(api.post(f"/requests/{request.pk}/decide", {"decision": "reject"}),
                         422, "invalid")
    assert field_names(error) == ["comment"]
    error = assert_error(api.post(f"/requests/{request.pk}/decide", {"decision": "ok"}),
                         422, "invalid")
    assert field_names(error) == ["decision"]


def test_sent_back_to_the_requester_who_edits_and_resubmits(world, as_user):
    request = purchase(world)
    back = as_user("ito").post(f"/requests/{request.pk}/decide", {
        "decision": "return", "comment": "見積を添付してください", "return_to": "requester"})
    assert back.json()["state"] == "sent_back" and back.json()["editable"]
    api = as_user("suzuki")
    assert api.post(f"/requests/{request.pk}/attachments", {"file": pdf()}).status_code == 201
    resubmitted = api.post(f"/requests/{request.pk}/submit").json()
    assert (resubmitted["state"], resubmitted["revision"]) == ("in_progress", 2)
    revisions = api.get(f"/requests/{request.pk}/revisions").json()
    assert [(r["number"], r["attachments"]) for r in revisions] == [(1, []), (2, ["見積.pdf"])]
    kinds = [e["kind"] for e in api.get(f"/requests/{request.pk}/events").json()["items"]]
    assert kinds == ["created", "submitted", "returned", "resubmitted"]


def test_sent_back_to_an_earlier_stage_which_decides_again(world, as_user):
    request = purchase(world, amount=150_000)  # 課長 承認, then 部長 決裁
    as_user("ito").post(f"/requests/{request.pk}/decide", {"decision": "approve"})
    api = as_user("yamamoto")
    error = assert_error(api.post(f"/requests/{request.pk}/decide", {
        "decision": "return", "comment": "再確認", "return_to": 1}), 422, "invalid")
    assert field_names(error) == ["return_to"]
    back = api.post(f"/requests/{request.pk}/decide", {
        "decision": "return", "comment": "課長が再確認してください", "return_to": 0}).json()
    assert back["state"] == "in_progress"
    assert [(s["state"], s["seats"][0]["state"]) for s in back["stages"]] == [
        ("active", "pending"), ("waiting", "waiting")]
    error = assert_error(as_user("ito").post(f"/requests/{request.pk}/decide", {
        "decision": "approve", "seat_id": 999999}), 422, "invalid")
    assert field_names(error) == ["seat_id"]


def test_a_superior_decides_for_the_absent_approver_who_then_flags_it_after_the_fact(
        world, as_user):
    request = purchase(world)
    with tenancy.activate(world.org):
        seat = request.seats.get()
    decided = as_user("yamamoto").post(f"/requests/{request.pk}/decide", {
        "decision": "approve", "acting": "superior", "seat_id": seat.pk,
        "comment": "伊藤不在のため"})
    assert decided.status_code == 200, decided.content
    (stage,) = decided.json()["stages"]
    assert stage["seats"][0]["acting"] == "superior"
    assert stage["seats"][0]["decided_by_id"] == world.people["yamamoto"].pk
    inbox = as_user("ito").get("/inbox").json()
    (review,) = inbox["post_reviews"]
    assert (review["request"]["id"], review["decided_by_name"]) == (request.pk, "山本 部長")
    api = as_user("ito")
    error = assert_error(api.post(f"/post-reviews/{review['id']}", {"flag": True}), 422,
                         "invalid")
    assert field_names(error) == ["comment"]
    assert_error(as_user("suzuki").post(f"/post-reviews/{review['id']}", {"flag": False}), 403,
                 "forbidden")
    done = api.post(f"/post-reviews/{review['id']}", {"flag": True, "comment": "金額が過大"})
    assert done.json()["state"] == "flagged"
    assert_error(api.post(f"/post-reviews/{review['id']}", {"flag": False}), 409, "conflict")


def test_the_inbox_shows_own_seats_and_those_decided_as_deputy(world, as_user):
    with tenancy.activate(world.org):
        delegations.delegation_create(
            membership=world.m("ito"), principal=world.people["ito"],
            deputy=world.people["kato"], start=TODAY, end=TODAY, now=NOW)
    request = purchase(world)
    (own,) = as_user("ito").get("/inbox").json()["decisions"]
    assert (own["request"]["id"], own["principal_id"]) == (request.pk, None)
    (deputy,) = as_user("kato").get("/inbox").json()["decisions"]
    assert (deputy["principal_id"], deputy["principal_name"]) == (world.people["ito"].pk,
                                                                  "伊藤 課長")
    # The deputy reads the request before deciding it, and decides it.
    assert as_user("kato").get(f"/requests/{request.pk}").status_code == 200
    decided = as_user("kato").post(f"/requests/{request.pk}/decide", {"decision": "approve"})
    assert decided.json()["stages"][0]["seats"][0]["acting"] == "delegate"


def test_a_circulated_request_is_marked_seen_once(world, as_user):
    with tenancy.activate(world.org):
        contract = world.types["contract"]
    draft = as_user("suzuki").post("/requests", {
        "request_type_id": contract.pk, "title": "保守契約", "amount": 300_000,
        "values": {"contract_kind": "業務委託", "counterparty": "保守株式会社",
                   "start": "2026-07-01", "summary": "サーバー保守"}}).json()
    assert as_user("suzuki").post(f"/requests/{draft['id']}/submit").status_code == 200
    as_user("matsumoto").post(f"/requests/{draft['id']}/decide", {"decision": "approve"})
    as_user("yamamoto").post(f"/requests/{draft['id']}/decide", {"decision": "approve"})
    (circulated,) = as_user("yamamoto").get("/inbox").json()["circulated"]
    assert circulated["request"]["state"] == "approved"
    assert as_user("yamamoto").post(f"/requests/{draft['id']}/seen").status_code == 200
    assert_error(as_user("yamamoto").post(f"/requests/{draft['id']}/seen"), 409, "conflict",
                 extra=("state", "request"))


def test_a_consultation_member_adds_a_participant_but_an_outsider_may_not(world, as_user):
    request = purchase(world, amount=600_000)
    with tenancy.activate(world.org):
        consult = request.stages.get(kind="consult")
    body = {"stage_id": consult.pk, "person_id": world.people["matsumoto"].pk}
    assert_error(as_user("ito").post(f"/requests/{request.pk}/participants", body), 403,
                 "forbidden")
    added = as_user("kato").post(f"/requests/{request.pk}/participants", body)
    assert added.status_code == 201, added.content
    assert (added.json()["person_name"], added.json()["state"]) == ("松本 法務", "pending")
    error = assert_error(as_user("kato").post(f"/requests/{request.pk}/participants",
                                              {**body, "stage_id": 999999}), 422, "invalid")
    assert field_names(error) == ["stage_id"]


# ---- 取り戻し -----------------------------------------------------------------------------------


def test_the_requester_recalls_before_a_decision_but_not_after(world, as_user):
    api = as_user("suzuki")
    first = purchase(world)
    recalled = api.post(f"/requests/{first.pk}/recall", {"comment": "金額誤り"})
    assert recalled.json()["state"] == "recalled"
    second = purchase(world, amount=600_000)
    as_user("kato").post(f"/requests/{second.pk}/decide", {"decision": "approve"})
    error = assert_error(api.post(f"/requests/{second.pk}/recall", {}), 409, "conflict",
                         extra=("state", "request"))
    assert error["state"] == "in_progress"
    assert_error(as_user("ito").post(f"/requests/{first.pk}/recall", {}), 403, "forbidden")


# ---- files ------------------------------------------------------------------------------------


def test_a_file_is_attached_downloaded_with_an_audit_line_and_removed(world, as_user):
    api = as_user("suzuki")
    draft = new_draft(api, world)
    attached = api.post(f"/requests/{draft['id']}/attachments", {"file": pdf()})
    assert attached.status_code == 201, attached.content
    attachment = attached.json()
    assert (attachment["filename"], attachment["content_type"]) == ("見積.pdf",
                                                                     "application/pdf")
    download = api.get(f"/attachments/{attachment['id']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF-1.4")
    with tenancy.activate(world.org):
        assert AuditEvent.objects.filter(action="approval_request.download").count() == 1
    assert_error(as_user("kato").get(f"/attachments/{attachment['id']}"), 404, "not_found")
    assert api.delete(f"/attachments/{attachment['id']}").status_code == 204
    with tenancy.activate(world.org):
        assert not Attachment.objects.exists()


def test_a_file_whose_content_is_not_what_its_name_says_is_refused(world, as_user):
    api = as_user("suzuki")
    draft = new_draft(api, world)
    fake = SimpleUploadedFile("見積.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    error = assert_error(api.post(f"/requests/{draft['id']}/attachments", {"file": fake}), 422,
                         "invalid")
    assert field_names(error) == ["file"]
    exe = SimpleUploadedFile("setup.exe", b"MZ\x90\x00", "application/octet-stream")
    assert_error(api.post(f"/requests/{draft['id']}/attachments", {"file": exe}), 422, "invalid")
    error = assert_error(api.post(f"/requests/{draft['id']}/attachments"), 422, "invalid")
    assert field_names(error) == ["file"]


def test_files_cannot_be_attached_once_submitted(world, as_user):
    request = purchase(world)
    response = as_user("suzuki").post(f"/requests/{request.pk}/attachments", {"file": pdf()})
    assert_error(response, 409, "conflict", extra=("state", "request"))


# ---- delegations ------------------------------------------------------------------------------


def test_an_approver_sets_a_delegation_sees_it_and_ends_it_once(world, as_user):
    api = as_user("ito")
    created = api.post("/delegations", {
        "deputy_id": world.people["kato"].pk, "start": "2026-06-15", "end": "2026-06-19",
        "request_type_ids": [world.types["purchase"].pk], "note": "出張中"})
    assert created.status_code == 201, created.content
    delegation = created.json()
    assert (delegation["principal_id"], delegation["request_type_ids"]) == (
        world.people["ito"].pk, [world.types["purchase"].pk])
    assert [d["id"] for d in as_user("kato").get("/delegations").json()["items"]] == [
        delegation["id"]]
    assert as_user("suzuki").get("/delegations").json()["count"] == 0
    assert_error(as_user("suzuki").post(f"/delegations/{delegation['id']}/revoke"), 404,
                 "not_found")
    assert_error(as_user("kato").post(f"/delegations/{delegation['id']}/revoke"), 403,
                 "forbidden")
    revoked = api.post(f"/delegations/{delegation['id']}/revoke")
    assert revoked.json()["revoked_at"] is not None
    assert_error(api.post(f"/delegations/{delegation['id']}/revoke"), 409, "conflict")


def test_a_delegation_for_someone_else_or_ending_before_it_starts_is_refused(world, as_user):
    api = as_user("ito")
    response = api.post("/delegations", {
        "principal_id": world.people["yamamoto"].pk, "deputy_id": world.people["kato"].pk,
        "start": "2026-06-15", "end": "2026-06-19"})
    assert_error(response, 403, "forbidden")
    response = api.post("/delegations", {"deputy_id": world.people["kato"].pk,
                                         "start": "2026-06-19", "end": "2026-06-15"})
    assert field_names(assert_error(response, 422, "invalid")) == ["end"]


# ---- the 決裁権限規程 ---------------------------------------------------------------------------


def test_the_rule_revisions_and_their_rows_are_read_by_administrators(world, as_user):
    api = as_user("admin")
    (version,) = api.get("/rules").json()["items"]
    assert (version["number"], version["effective_from"]) == (1, "2026-04-01")
    detail = api.get(f"/rules/{version['id']}").json()
    assert [r["number"] for r in detail["rows"]] == [1, 2, 3, 4, 5, 6, 7]
    assert detail["rows"][0]["stages"][0]["approver"] == "position"
    assert detail["rows"][0]["stages"][0]["value"] == "課長"
    assert_error(as_user("suzuki").get("/rules"), 403, "forbidden")


def rows_body(world: World, **row: Any) -> dict[str, Any]:
    return {"effective_from": "2026-07-01", "note": "第2版", "rows": [
        {"number": 1, "request_type": "purchase", "amount_max": 100_000,
         "stages": [{"kind": "decide", "approver": "position", "value": "課長"}]},
        {"number": 2, "request_type": "purchase", "amount_min": 100_001,
         "stages": [{"kind": "decide", "approver": "position", "value": "部長"}], **row},
    ]}


def test_a_new_revision_is_saved_and_a_wrong_row_is_named_with_nothing_stored(world, as_user):
    api = as_user("admin")
    response = api.post("/rules", rows_body(world, amount_min=50_000))  # overlaps row 1
    error = assert_error(response, 422, "invalid")
    assert field_names(error) == ["row_2"]
    response = api.post("/rules", rows_body(world, request_type="lunch"))
    assert field_names(assert_error(response, 422, "invalid")) == ["row_2"]
    with tenancy.activate(world.org):
        assert RuleVersion.objects.count() == 1
    saved = api.post("/rules", rows_body(world))
    assert saved.status_code == 201, saved.content
    assert (saved.json()["number"], len(saved.json()["rows"])) == (2, 2)
    assert_error(as_user("suzuki").post("/rules", rows_body(world)), 403, "forbidden")


def test_the_rule_tester_shows_the_approvers_and_why_or_why_not(world, as_user):
    api = as_user("admin")
    tested = api.post("/rules/test", {"request_type": "purchase",
                                      "requester_id": world.people["suzuki"].pk,
                                      "amount": 600_000, "date": "2026-06-15"}).json()
    assert tested["error"] == "" and tested["version"] == 1
    assert [s["kind"] for s in tested["stages"]] == ["consult", "approve", "decide"]
    assert [a["name"] for a in tested["stages"][2]["approvers"]] == ["山本 部長"]
    assert all(w["text"] for s in tested["stages"] for w in s["why"])
    before = api.post("/rules/test", {"request_type": "purchase",
                                      "requester_id": world.people["suzuki"].pk,
                                      "amount": 1, "date": "2026-03-31"}).json()
    assert (before["version"], before["stages"]) == (None, [])
    assert before["error"]
    response = api.post("/rules/test", {"request_type": "lunch",
                                        "requester_id": world.people["suzuki"].pk})
    assert field_names(assert_error(response, 422, "invalid")) == ["request_type"]


# ---- other organizations ----------------------------------------------------------------------


@pytest.fixture
def b_ids(org_b, people_b, admin_b) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_b):
        return records_of_b(organization=org_b, admin=admin_b, people=people_b).ids


def test_another_organizations_request_and_file_are_not_found(world, as_user, b_ids):
    api = as_user("admin")
    request_id = b_ids["request_id"]
    assert_error(api.get(f"/requests/{request_id}"), 404, "not_found")
    assert_error(api.post(f"/requests/{request_id}/decide", {"decision": "approve"}), 404,
                 "not_found")
    assert_error(api.get(f"/attachments/{b_ids['attachment_id']}"), 404, "not_found")
    assert_error(api.post(f"/post-reviews/{b_ids['review_id']}", {"flag": False}), 404,
                 "not_found")
    assert api.get("/requests").json()["count"] == 0
    with tenancy.activate(world.org):
        assert not PostReview.objects.exists()


def test_an_account_without_a_person_gets_an_empty_inbox(world, as_user):
    assert as_user("admin").get("/inbox").json() == {"decisions": [], "circulated": [],
                                                     "post_reviews": []}


def test_dates_in_bodies_must_be_written_yyyy_mm_dd(world, as_user):
    response = as_user("ito").post("/delegations", {"deputy_id": world.people["kato"].pk,
                                                    "start": "15/06/2026", "end": "2026-06-19"})
    assert field_names(assert_error(response, 422, "invalid")) == ["start"]
