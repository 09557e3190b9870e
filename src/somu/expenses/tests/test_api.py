"""/api/v1/expenses/: each endpoint's answer, and the refusals a client relies on (403 for what
is not one's to do, 404 for another organization's ids, 409 with the state for a claim that can
no longer change, 422 naming the field)."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from somu.approvals.tests.builders import World
from somu.approvals.tests.isolation import records_of_b as approvals_of_b
from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tests.apiclient import assert_error, field_names
from somu.expenses.api import common
from somu.expenses.models import Account, Rule
from somu.expenses.tests.builders import NOW, TODAY, account, approve, new_claim
from somu.expenses.tests.isolation import records_of_b

TRAIN = {"date": "2026-06-10", "payee": "JR東日本", "purpose": "客先訪問（新宿→横浜）",
         "amount": 1280, "exception": "public_transport"}
BOOKS = {"date": "2026-06-11", "payee": "株式会社 丸善", "purpose": "技術書",
         "amount": 3300, "tax_rate": "taxable_10", "registration_number": "T7010001008844"}


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):  # type: ignore[no-untyped-def]
    return functools.partial(api_as, prefix="/api/v1/expenses")


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "today", lambda: TODAY)
    monkeypatch.setattr(common, "now", lambda: NOW)


@pytest.fixture
def as_user(world: World, api_as):  # type: ignore[no-untyped-def]
    return lambda key: api_as(world.users[key])


def line(world: World, data: dict[str, Any], name: str) -> dict[str, Any]:
    return {**data, "account_id": account(world, name).pk}


def draft_with_lines(api: Any, world: World) -> dict[str, Any]:
    created = api.post("/claims", {"title": "6月分 経費精算"})
    assert created.status_code == 201, created.content
    claim = created.json()
    for data, name in ((TRAIN, "旅費交通費"), (BOOKS, "新聞図書費")):
        response = api.post(f"/claims/{claim['id']}/lines", line(world, data, name))
        assert response.status_code == 201, response.content
    return dict(api.get(f"/claims/{claim['id']}").json())


def pdf(name: str = "領収書.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "%PDF-1.4 領収書".encode(), "application/pdf")


# ---- claims -----------------------------------------------------------------------------------


def test_an_employee_drafts_a_claim_with_lines_and_sees_totals_per_tax_rate(world, as_user):
    api = as_user("suzuki")
    claim = draft_with_lines(api, world)
    assert (claim["kind"], claim["state"], claim["amount"], claim["editable"]) == (
        "claim", "draft", 4580, True)
    assert [(x["number"], x["account_code"], x["registry_status"]) for x in claim["lines"]] == [
        (1, "7410", ""), (2, "7470", "unchecked")]
    assert claim["lines"][0]["tax_rate"] == "taxable_10"  # the account's default
    assert claim["tax_totals"] == [{"tax_rate": "taxable_10", "total": 4580, "tax": 416}]
    assert claim["requester_id"] == world.people["suzuki"].pk


def test_an_advance_has_its_amount_and_purpose(world, as_user):
    response = as_user("suzuki").post("/claims", {"kind": "advance", "title": "大阪出張 仮払",
                                                  "amount": 50_000, "purpose": "出張旅費"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["amount"], body["purpose"], body["lines"]) == (
        "advance", 50_000, "出張旅費", [])


def test_the_header_changes_and_a_line_is_changed_and_deleted(world, as_user):
    api = as_user("suzuki")
    claim = draft_with_lines(api, world)
    changed = api.patch(f"/claims/{claim['id']}", {"title": "6月分（訂正）"}).json()
    assert (changed["title"], changed["amount"]) == ("6月分（訂正）", 4580)
    first, second = claim["lines"]
    updated = api.patch(f"/lines/{first['id']}", {"amount": 1480})
    assert updated.status_code == 200, updated.content
    assert (updated.json()["amount"], updated.json()["payee"]) == (1480, "JR東日本")
    assert api.delete(f"/lines/{second['id']}").status_code == 204
    assert api.get(f"/claims/{claim['id']}").json()["amount"] == 1480


def test_a_bad_line_is_refused_naming_the_field_and_nothing_is_stored(world, as_user):
    api = as_user("suzuki")
    claim = api.post("/claims", {"title": "6月分"}).json()
    for change, field in (({"date": "2026-07-01"}, "date"),
                          ({"tax_rate": "exempt"}, "tax_rate"),
                          ({"registration_number": "T7010001008845"}, "registration_number"),
                          ({"amount": -5}, "amount"), ({"amount": 1.5}, "amount"),
                          ({"account_id": 999_999}, "account")):
        response = api.post(f"/claims/{claim['id']}/lines",
                            {**line(world, BOOKS, "新聞図書費"), **change})
        assert field_names(assert_error(response, 422, "invalid")) == [field], change
    assert api.get(f"/claims/{claim['id']}").json()["lines"] == []


def test_the_live_check_shows_what_submitting_would_find(world, as_user):
    api = as_user("suzuki")
    claim = api.post("/claims", {"title": "6月分"}).json()
    api.post(f"/claims/{claim['id']}/lines", {**line(world, BOOKS, "新聞図書費"),
                                              "amount": 12_000, "registration_number": ""})
    findings = api.get(f"/claims/{claim['id']}/check").json()
    assert [(f["severity"], f["line"]) for f in findings] == [("error", 1)]
    assert "領収書" in findings[0]["text"]


def test_submitting_a_claim_that_breaks_an_error_rule_names_the_rule(world, as_user):
    api = as_user("suzuki")
    claim = api.post("/claims", {"title": "6月分"}).json()
    api.post(f"/claims/{claim['id']}/lines", {**line(world, BOOKS, "新聞図書費"),
                                              "amount": 12_000})
    error = assert_error(api.post(f"/claims/{claim['id']}/submit"), 422, "invalid")
    assert "経費精算規程 第5条" in error["message"]


def test_a_submitted_claim_cannot_be_changed_and_the_409_carries_its_state(world, as_user):
    api = as_user("suzuki")
    claim = draft_with_lines(api, world)
    submitted = api.post(f"/claims/{claim['id']}/submit")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == "in_progress"
    assert submitted.json()["number"].startswith("経費-")
    response = api.post(f"/claims/{claim['id']}/lines", line(world, TRAIN, "旅費交通費"))
    assert assert_error(response, 409, "conflict", extra=("state",))["state"] == "in_progress"
    response = api.patch(f"/lines/{claim['lines'][0]['id']}", {"amount": 1})
    assert_error(response, 409, "conflict", extra=("state",))


def test_an_approved_claim_is_locked_and_corrected_by_a_new_claim(world, as_user):
    found = approve(world, new_claim(world, lines=[{**TRAIN, "account": "旅費交通費"}],
                                     submit=True))
    api = as_user("suzuki")
    body = api.get(f"/claims/{found.pk}").json()
    assert (body["state"], body["locked"], body["editable"]) == ("approved", True, False)
    response = api.delete(f"/lines/{body['lines'][0]['id']}")
    assert assert_error(response, 409, "conflict", extra=("state",))["state"] == "approved"
    assert_error(api.patch(f"/claims/{found.pk}", {"title": "x"}), 409, "conflict",
                 extra=("state",))
    correction = api.post(f"/claims/{found.pk}/correct")
    assert correction.status_code == 201, correction.content
    assert (correction.json()["corrects_id"], correction.json()["amount"]) == (found.pk, 1280)


def test_receipts_are_uploaded_downloaded_with_an_audit_entry_and_removed(world, as_user):
    api = as_user("suzuki")
    claim = api.post("/claims", {"title": "6月分"}).json()
    uploaded = api.post(f"/claims/{claim['id']}/receipts", {"file": pdf()})
    assert uploaded.status_code == 201, uploaded.content
    receipt = uploaded.json()
    assert len(receipt["sha256"]) == 64 and receipt["filename"] == "領収書.pdf"
    downloaded = api.get(f"/receipts/{receipt['id']}")
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content).startswith(b"%PDF")
    with tenancy.activate(world.org):
        assert AuditEvent.objects.filter(action="expense_receipt.download").count() == 1
    assert api.delete(f"/receipts/{receipt['id']}").status_code == 204
    assert api.get(f"/claims/{claim['id']}").json()["receipts"] == []


def test_a_receipt_that_is_not_what_it_claims_is_refused(world, as_user):
    api = as_user("suzuki")
    claim = api.post("/claims", {"title": "6月分"}).json()
    fake = SimpleUploadedFile("領収書.pdf", b"MZ not a pdf", "application/pdf")
    response = api.post(f"/claims/{claim['id']}/receipts", {"file": fake})
    assert field_names(assert_error(response, 422, "invalid")) == ["file"]


def test_who_may_read_a_claim(world, as_user):
    claim = new_claim(world, lines=[{**TRAIN, "account": "旅費交通費"}])
    assert as_user("suzuki").get(f"/claims/{claim.pk}").status_code == 200
    assert as_user("secretary").get(f"/claims/{claim.pk}").status_code == 200  # 経理
    assert_error(as_user("matsumoto").get(f"/claims/{claim.pk}"), 404, "not_found")
    submitted = new_claim(world, lines=[{**TRAIN, "account": "旅費交通費"}], submit=True)
    assert as_user("ito").get(f"/claims/{submitted.pk}").status_code == 200  # the approver
    assert_error(as_user("ito").post(f"/claims/{claim.pk}/lines",
                                     line(world, TRAIN, "旅費交通費")), 404, "not_found")
    response = as_user("secretary").post(f"/claims/{claim.pk}/lines",
                                         line(world, TRAIN, "旅費交通費"))
    assert_error(response, 403, "forbidden")


def test_the_list_shows_one_s_own_and_all_only_to_accounting(world, as_user):
    new_claim(world, lines=[{**TRAIN, "account": "旅費交通費"}])
    new_claim(world, "matsumoto", lines=[{**TRAIN, "account": "旅費交通費"}])
    assert as_user("suzuki").get("/claims").json()["count"] == 1
    assert_error(as_user("suzuki").get("/claims", scope="all"), 403, "forbidden")
    assert as_user("secretary").get("/claims", scope="all").json()["count"] == 2
    assert as_user("secretary").get("/claims", scope="all", state="approved").json()[
        "count"] == 0


def test_the_claim_list_s_queries_do_not_grow_with_its_rows(world, as_user):
    api = as_user("secretary")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/claims", scope="all").status_code == 200
        return len(ctx.captured_queries)

    new_claim(world, lines=[{**TRAIN, "account": "旅費交通費"}])
    count()  # the token's first use is recorded once
    few = count()
    for who in ("matsumoto", "kato", "yoshida"):
        new_claim(world, who, lines=[{**TRAIN, "account": "旅費交通費"}])
    assert count() == few


def test_another_organization_s_claim_line_and_receipt_are_not_found(
        world, as_user, org_b, people_b, admin_b):
    with tenancy.activate(org_b):
        approvals_of_b(organization=org_b, admin=admin_b, people=people_b)  # 木村's login
        ids = records_of_b(organization=org_b, admin=admin_b, people=people_b).ids
    api = as_user("admin")
    assert_error(api.get(f"/claims/{ids['claim_id']}"), 404, "not_found")
    assert_error(api.patch(f"/lines/{ids['line_id']}", {"amount": 1}), 404, "not_found")
    assert_error(api.get(f"/receipts/{ids['receipt_id']}"), 404, "not_found")
    assert_error(api.get(f"/accounts/{ids['expense_account_id']}"), 404, "not_found")
    assert_error(api.patch(f"/rules/{ids['expense_rule_id']}", {"text": "x"}), 404, "not_found")


# ---- set-up -----------------------------------------------------------------------------------


def test_everyone_who_files_claims_reads_the_accounts_and_rules(world, as_user):
    api = as_user("suzuki")
    codes = [a["code"] for a in api.get("/accounts").json()]
    assert codes[:3] == ["7410", "7411", "7412"]
    rules = api.get("/rules").json()
    assert [r["number"] for r in rules] == list(range(1, 10))
    assert_error(api.get("/settings"), 403, "forbidden")


def test_an_employee_cannot_change_the_set_up(world, as_user):
    api = as_user("suzuki")
    assert_error(api.post("/accounts", {"code": "7600", "name": "広告宣伝費"}), 403, "forbidden")
    assert_error(api.post("/rules", {"kind": "duplicate", "text": "x"}), 403, "forbidden")
    assert_error(api.patch("/settings", {"retention_years": 10}), 403, "forbidden")
    with tenancy.activate(world.org):
        pk = Account.objects.get(code="7410").pk
    assert_error(api.delete(f"/accounts/{pk}"), 403, "forbidden")


def test_the_admin_adds_and_changes_an_account_and_a_duplicate_is_refused(world, as_user):
    api = as_user("admin")
    created = api.post("/accounts", {"code": "7600", "name": "広告宣伝費",
                                     "allowed_tax_rates": ["taxable_10"]})
    assert created.status_code == 201, created.content
    assert created.json()["sort_order"] > 0
    for body, field in (({"code": "7600", "name": "別名"}, "code"),
                        ({"code": "7601", "name": "広告宣伝費"}, "name")):
        assert field_names(assert_error(api.post("/accounts", body), 409, "conflict")) == [field]
    response = api.post("/accounts", {"code": "7602", "name": "x", "default_tax_rate": "exempt",
                                      "allowed_tax_rates": ["taxable_10"]})
    assert field_names(assert_error(response, 422, "invalid")) == ["default_tax_rate"]
    changed = api.patch(f"/accounts/{created.json()['id']}", {"name": "広告費"})
    assert (changed.json()["name"], changed.json()["code"]) == ("広告費", "7600")


def test_an_account_with_lines_cannot_be_deleted_but_taken_out_of_use(world, as_user):
    new_claim(world, lines=[{**TRAIN, "account": "旅費交通費"}])
    api = as_user("admin")
    pk = account(world, "旅費交通費").pk
    assert "旅費交通費" in assert_error(api.delete(f"/accounts/{pk}"), 409, "conflict")["message"]
    assert api.patch(f"/accounts/{pk}", {"is_active": False}).json()["is_active"] is False
    assert "7410" not in [a["code"] for a in api.get("/accounts").json()]
    created = api.post("/accounts", {"code": "7600", "name": "広告宣伝費"}).json()
    assert api.delete(f"/accounts/{created['id']}").status_code == 204


def test_a_changed_code_carries_the_rules_naming_it(world, as_user):
    api = as_user("admin")
    pk = account(world, "消耗品費").pk
    api.patch(f"/accounts/{pk}", {"code": "7431"})
    with tenancy.activate(world.org):
        assert Rule.objects.get(kind="account_limit").params["accounts"] == ["7431"]


def test_the_admin_adds_a_rule_whose_parameters_are_checked_by_kind(world, as_user):
    api = as_user("admin")
    created = api.post("/rules", {"kind": "per_diem", "severity": "warning",
                                  "text": "海外出張の日当", "region": "overseas",
                                  "limits": {"部長": 6000}, "default": 4000,
                                  "accounts": ["7410"]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["number"], body["params"]) == (10, {"limits": {"部長": 6000}, "default": 4000,
                                                      "region": "overseas"})
    for payload, field in (({"kind": "per_diem", "text": "x"}, "limits"),
                           ({"kind": "per_diem", "text": "x", "limits": {"係長補佐": 1}},
                            "limits"),
                           ({"kind": "account_limit", "text": "x", "accounts": ["0000"],
                             "amount": 1}, "accounts"),
                           ({"kind": "receipt_over", "text": "x"}, "amount"),
                           ({"kind": "duplicate", "text": ""}, "text")):
        response = api.post("/rules", payload)
        assert field_names(assert_error(response, 422, "invalid")) == [field], payload


def test_rules_are_reordered_and_taken_out_of_use(world, as_user):
    api = as_user("admin")
    rules = api.get("/rules").json()
    moved = api.post(f"/rules/{rules[1]['id']}/move", {"direction": "up"}).json()
    assert [r["id"] for r in moved[:2]] == [rules[1]["id"], rules[0]["id"]]
    off = api.patch(f"/rules/{rules[0]['id']}", {"is_active": False}).json()
    assert off["is_active"] is False and off["params"] == rules[0]["params"]
    assert len(api.get("/rules").json()) == 8
    assert len(api.get("/rules", include_inactive=True).json()) == 9


def test_the_settings_check_the_payer_s_bank_fields(world, as_user):
    api = as_user("admin")
    body = api.get("/settings").json()
    assert (body["retention_years"], body["entertainment_per_person"]) == (7, 10_000)
    changed = api.patch("/settings", {"requester_code": "0123456789", "requester_name": "ｶ)ｿｳﾑ",
                                      "bank_code": "0001", "branch_code": "001",
                                      "account_number": "12345"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["account_number"] == "0012345"
    for change, field in (({"requester_code": "12345"}, "requester_code"),
                          ({"requester_name": "カ)ソウム"}, "requester_name"),
                          ({"requester_name": "ｷﾔｯｼﾕ"}, "requester_name"),
                          ({"bank_code": "12a4"}, "bank_code"),
                          ({"retention_years": 5}, "retention_years")):
        response = api.patch("/settings", change)
        assert field_names(assert_error(response, 422, "invalid")) == [field], change
    assert as_user("secretary").get("/settings").status_code == 200
    assert_error(as_user("secretary").patch("/settings", {"retention_years": 10}), 403,
                 "forbidden")
    with tenancy.activate(world.org):
        assert AuditEvent.objects.filter(action="expense_settings.update").count() == 1
