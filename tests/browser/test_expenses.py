"""A real Chromium on a phone-width screen (390×844) takes an expense claim from the first draft
to the bank's transfer file: the employee (鈴木, 総務課) drafts a 経費精算, attaches a receipt PDF
whose text layer proposes the line, fills the line from it (a bookshop with a 登録番号), adds a
train fare under the 公共交通機関 exception, and submits; the 課長 (伊藤) approves it on the
request page, where the lines and the receipt are shown; the employee enters the bank account on
the account page; the accounting staff (秘書, staff) close the period and download the 全銀 file,
whose bytes are checked: 120-byte records with CRLF, the payee's half-width kana and the amount.

The live server runs on the real clock: the 決裁権限規程 is in force from a day long past, every
date typed is today or earlier, and nothing is compared with a fixed date.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from browser.conftest import _new_page
from browser.helpers import log_in
from somu.approvals.tests.builders import World, build_world
from somu.core import tenancy
from somu.core.money import format_yen
from somu.expenses.demo import receipt_pdf
from somu.expenses.formats import zengin
from somu.expenses.services import admin as expense_admin
from somu.expenses.tests.builders import NOW, expense_rules

if TYPE_CHECKING:
    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser

IN_FORCE_FROM = dt.date(2000, 4, 1)
EMPLOYEE, APPROVER, ACCOUNTING = "suzuki", "ito", "secretary"
BOOKSHOP = "株式会社 丸善"
T_NUMBER = "T7010001008844"  # a valid check digit
BOOKS, FARE = 3300, 1280
HOLDER = "ｽｽﾞｷ ｲﾁﾛｳ"
PUBLIC_TRANSPORT = "3万円未満の公共交通機関（公共交通機関特例）"


@pytest.fixture
def world(org_a, make_user) -> World:  # type: ignore[no-untyped-def]
    w = build_world(org_a, make_user)
    expense_rules(w, effective=IN_FORCE_FROM)
    with tenancy.activate(w.org):  # the company's own account, the payer of the 全銀 file
        expense_admin.settings_save(membership=w.m("admin"), now=NOW, data={
            "requester_code": "1234567890", "requester_name": "ｶ)ｿｳﾑ", "bank_code": "0005",
            "branch_code": "001", "account_kind": "1", "account_number": "7654321"})
    return w


def _phone(browser: Browser, live_server: object, errors: PageErrors) -> Page:
    return _new_page(browser, live_server.url, errors,  # type: ignore[attr-defined]
                     viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                     device_scale_factor=2)


def _fits(page: Page, what: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} is {overflow}px wider than a 390px phone"


def _message(page: Page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def _japanese_day(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_a_claim_filed_on_a_phone_is_approved_closed_and_paid_by_a_zengin_file(
        phone_page: Page, browser: Browser, live_server: object, world: World,
        page_errors: PageErrors, tmp_path: Path) -> None:
    page = phone_page
    today = timezone.localdate()  # the server's day: only to compute what is typed
    bought, travelled = today - dt.timedelta(days=3), today - dt.timedelta(days=1)

    # ---- the employee drafts the claim -------------------------------------------------------
    log_in(page, f"u_{EMPLOYEE}")
    page.goto("/expenses/claims/new/")
    expect(page.locator("main h1")).to_have_text("新規 経費精算")
    page.get_by_label("件名").fill("書籍と客先訪問")
    page.get_by_role("button", name="下書きを保存").click()
    _message(page, "下書きを保存しました。")
    expect(page.locator("main h1")).to_contain_text("書籍と客先訪問")
    expect(page.locator("#lines")).to_contain_text("明細はまだありません。")

    # A receipt PDF: what was read from its text layer is proposed, and fills the line form.
    receipt = tmp_path / "領収書_丸善.pdf"
    receipt.write_bytes(receipt_pdf("\n".join([
        BOOKSHOP, "領収書", _japanese_day(bought), f"合計 ¥{BOOKS:,}", "（うち消費税 10%対象）",
        f"登録番号 {T_NUMBER}"])))
    page.locator("#receipt-file").set_input_files(str(receipt))
    page.get_by_role("button", name="添付する").click()
    _message(page, "領収書_丸善.pdf")
    proposal = page.locator("#receipts .ex-proposal")
    expect(proposal).to_contain_text("領収書の読み取り結果")
    for text in (BOOKSHOP, format_yen(BOOKS), T_NUMBER, bought.isoformat()):
        expect(proposal).to_contain_text(text)
    proposal.get_by_role("link", name="この内容で明細を作成").click()
    form = page.locator("#line-form")
    expect(form).to_contain_text("領収書の読み取り結果を入力しました。")
    expect(form.get_by_label("日付")).to_have_value(bought.isoformat())
    expect(form.get_by_label("支払先（取引先）")).to_have_value(BOOKSHOP)
    expect(form.get_by_label("金額（税込）")).to_have_value(re.compile(r"^3,?300$"))
    expect(form.get_by_label("登録番号")).to_have_value(T_NUMBER)
    # With a 登録番号 the exception is not asked; the participants only for 交際費.
    expect(form.get_by_label("適格請求書がない場合")).to_be_hidden()
    expect(form.get_by_label("参加人数")).to_be_hidden()
    expect(form.get_by_label("領収書", exact=True)).to_have_value(re.compile(r"^\d+$"))
    form.get_by_label("内容・目的").fill("業務用の技術書")
    form.get_by_label("勘定科目").select_option(label="7470 新聞図書費")
    form.get_by_role("button", name="明細を追加").click()
    _message(page, "明細を追加しました。")

    # The second line: a train fare, no 登録番号, under the 公共交通機関 exception.
    form.get_by_label("日付").fill(travelled.isoformat())
    form.get_by_label("支払先（取引先）").fill("JR東日本")
    form.get_by_label("内容・目的").fill("客先訪問（新宿⇔品川）")
    form.get_by_label("勘定科目").select_option(label="7410 旅費交通費")
    form.get_by_label("金額（税込）").fill(f"{FARE:,}")
    form.get_by_label("適格請求書がない場合").select_option(label=PUBLIC_TRANSPORT)
    form.get_by_role("button", name="明細を追加").click()
    _message(page, "明細を追加しました。")

    lines = page.locator("#lines table.ex-lines")
    first, second = lines.locator("#line-1"), lines.locator("#line-2")
    for text in (bought.isoformat(), BOOKSHOP, "新聞図書費", format_yen(BOOKS), T_NUMBER,
                 "領収書_丸善.pdf"):
        expect(first).to_contain_text(text)
    for text in (travelled.isoformat(), "JR東日本", "旅費交通費", format_yen(FARE),
                 PUBLIC_TRANSPORT):
        expect(second).to_contain_text(text)
    totals = page.locator("#lines .ex-totals")
    expect(totals).to_contain_text("10%対象")
    expect(totals).to_contain_text(format_yen(BOOKS + FARE))
    expect(page.locator("#findings")).to_contain_text("規程違反はありません。")
    _fits(page, "the claim page")
    page.screenshot(path="/tmp/e2e-claim-draft.png", full_page=True)

    page.locator("#submit").get_by_role("button", name="申請する").click()
    _message(page, "として申請しました。")
    number = page.locator("main h1 .ap-number").inner_text().strip()
    assert number.startswith("経費")
    expect(page.locator("main h1")).to_contain_text("承認中")
    expect(page.locator("#line-form")).to_have_count(0)
    _fits(page, "the submitted claim")
    page.screenshot(path="/tmp/e2e-claim.png", full_page=True)

    # The bank account to be paid into, on the account page.
    page.goto("/account/")
    bank = page.locator("#bank-account")
    expect(bank).to_contain_text("経費の振込先口座")
    bank.get_by_label("銀行コード（4桁）").fill("0001")
    bank.get_by_label("支店コード（3桁）").fill("001")
    bank.get_by_label("預金種目").select_option(label="普通")
    bank.get_by_label("口座番号（7桁）").fill("1234567")
    bank.get_by_label("口座名義（半角カタカナ）").fill(HOLDER)
    bank.get_by_role("button", name="振込先口座を保存").click()
    _message(page, "振込先口座を保存しました。")
    expect(page.locator("[data-testid=bank-current]")).to_contain_text(HOLDER)
    expect(page.locator("[data-testid=bank-current]")).to_contain_text("みずほ")
    _fits(page, "the account page")

    # ---- the 課長 approves it on the request page -------------------------------------------
    approver = _phone(browser, live_server, page_errors)
    log_in(approver, f"u_{APPROVER}")
    approver.goto("/approvals/inbox/")
    approver.locator("main table").get_by_role("link", name=re.compile(number)).click()
    section = approver.locator("#expense-lines")
    for text in ("明細", BOOKSHOP, "JR東日本", format_yen(BOOKS + FARE), T_NUMBER,
                 PUBLIC_TRANSPORT, "領収書_丸善.pdf"):
        expect(section).to_contain_text(text)
    _fits(approver, "the request page")
    approver.get_by_label("コメント").fill("確認しました。")
    approver.locator("form.ap-decide button[value=approve]").click()
    expect(approver.locator("main h1")).to_contain_text("決裁済み")
    expect(approver.locator(".ap-route")).to_contain_text("確認しました。")
    approver.context.close()

    page.goto("/expenses/claims/")
    page.locator("main table").get_by_role("link", name="書籍と客先訪問").click()
    expect(page.locator("main h1")).to_contain_text("決裁済み")
    expect(page.locator("main")).to_contain_text("修正申請")

    # ---- accounting closes the period and downloads the 全銀 file ----------------------------
    staff = _phone(browser, live_server, page_errors)
    log_in(staff, f"u_{ACCOUNTING}")
    staff.goto("/expenses/periods/")
    expect(staff.locator("main")).to_contain_text("締めはまだありません。")
    staff.get_by_role("link", name="締める").click()
    preview = staff.locator("[data-testid=preview]")
    expect(preview).to_contain_text(world.people[EMPLOYEE].name)
    expect(preview).to_contain_text(format_yen(BOOKS + FARE))
    expect(preview).to_contain_text(HOLDER)
    _fits(staff, "the closing page")
    label = f"{today.year}年{today.month}月締め"
    staff.get_by_label("名前").fill(label)
    staff.get_by_role("button", name="締めを確定").click()
    _message(staff, "締めました。")
    expect(staff.locator("main h1")).to_have_text(label)
    expect(staff.locator("main")).to_contain_text(number)
    transfers = staff.locator("main section").filter(
        has=staff.get_by_role("heading", name=re.compile(r"^振込")))
    for text in (world.people[EMPLOYEE].name, format_yen(BOOKS + FARE), "みずほ", HOLDER):
        expect(transfers.first).to_contain_text(text)
    _fits(staff, "the period page")
    staff.screenshot(path="/tmp/e2e-period.png", full_page=True)

    with staff.expect_download() as caught:
        staff.get_by_role("link", name="全銀振込ファイル").click()
    download = caught.value
    data = Path(download.path()).read_bytes()
    assert data.endswith(b"\r\n")
    records = data.split(b"\r\n")[:-1]
    assert [r[:1] for r in records] == [b"1", b"2", b"8", b"9"]
    assert all(len(r) == 120 for r in records)
    assert HOLDER.encode("shift_jis") in records[1]
    read = zengin.parse(data)
    assert [(t.bank_code, t.branch_code, t.account_number, t.name, t.amount)
            for t in read.transfers] == [("0001", "001", "1234567", HOLDER, BOOKS + FARE)]
    staff.context.close()
    assert list(page_errors) == []
