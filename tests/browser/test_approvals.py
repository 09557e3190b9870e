"""A real Chromium takes a 購入申請 from the form to the procedure it authorizes: the requester
fills it in, attaches the quote (a PDF), checks the route and submits; the two people of the
経理部's 合議 each find it in 承認待ち and approve; the 部長 decides; the requester sees it
決裁済み with a link to the 備品発注 it launched, whose page links back 「起点」. On a phone the
request and the inbox fit the screen's width.

The company is the approvals builders' (本社 → 管理本部 → 総務部 → 総務課 / 経理部 / 法務部),
with a 規程 of its own: a purchase up to ¥1,000,000 is decided by the 部長, and above ¥500,000
the 経理部's 部長 and 一般 are consulted first (合議, everyone must agree).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Browser, Page, expect

from browser.conftest import _new_page
from browser.helpers import log_in
from somu.approvals.demo import QUOTE_PDF
from somu.approvals.models import Request, RequestState
from somu.approvals.services import rules
from somu.approvals.tests.builders import World, build_world, install_rules, stage
from somu.approvals.tests.builders import purchase as file_purchase
from somu.core import tenancy
from somu.org.models import Person
from somu.procedures.services import library

if TYPE_CHECKING:
    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser

# The live server runs on the real clock: the 規程 is in force long before any day it is run.
IN_FORCE_FROM = dt.date(2000, 4, 1)
CONSULTED = ("kobayashi", "kato")  # 小林 経理部長, 加藤 経理 (一般)
DECIDER = "yamamoto"  # 山本 部長: the 総務部's head, above the requester's 総務課
REQUESTER = "suzuki"  # 鈴木 一般, 総務課


@pytest.fixture
def world(org_a, make_user) -> World:  # type: ignore[no-untyped-def]
    w = build_world(org_a, make_user)
    with tenancy.activate(w.org):
        # 経理部 keeps its 部長 and one 一般: 吉田 moved to 法務部, so the 合議 has two seats.
        Person.objects.filter(pk=w.people["yoshida"].pk).update(department=w.depts["homu"])
        template = library.library_adopt(actor=None, key="supplies_order",
                                         owner=w.people["secretary"])
        purchase = w.types["purchase"]
        purchase.follow_up_template = template
        purchase.follow_up_params = {"品目": "item", "数量": "quantity", "概算金額": "@amount",
                                     "希望納期": "needed_by", "用途": "reason"}
        purchase.save()
    keiri = str(w.depts["keiri"].pk)
    install_rules(w, [
        rules.RowInput(1, purchase, (stage("decide", "position", "部長"),),
                       amount_max=1_000_000),
        rules.RowInput(2, purchase, (stage("consult", "group", keiri, position="部長、一般",
                                           quorum="all"),),
                       amount_min=500_001),
    ], effective=IN_FORCE_FROM)
    return w


def _fresh_page(browser: Browser, live_server: object, errors: PageErrors) -> Page:
    return _new_page(browser, live_server.url, errors,  # type: ignore[attr-defined]
                     viewport={"width": 1280, "height": 900})


def _approve_from_the_inbox(page: Page, title: str, comment: str) -> None:
    page.get_by_role("link", name="承認待ち").first.click()
    expect(page.locator("main h1")).to_have_text("承認待ち")
    page.locator("main table").get_by_role("link", name=re.compile(title)).click()
    page.get_by_label("コメント").fill(comment)
    page.locator("form.ap-decide button[value=approve]").click()
    expect(page.locator(".messages [role=status]").first).to_be_visible()


def test_a_purchase_with_a_quote_goes_through_a_two_person_consultation_and_a_decision(
        page: Page, browser: Browser, live_server: object, world: World,
        page_errors: PageErrors, tmp_path: Path, screenshot_dir: Path) -> None:
    names = {key: world.people[key].name for key in (*CONSULTED, DECIDER, REQUESTER)}
    # The requester fills the form in.
    log_in(page, f"u_{REQUESTER}")
    page.get_by_role("link", name="新規申請").first.click()
    page.locator("main").get_by_role("link", name="購入申請").first.click()
    expect(page.locator("main h1")).to_have_text("購入申請")
    page.locator("#id_title").fill("経理システム用サーバー")
    page.locator("#id_amount").fill("680,000")
    page.locator("#id_category").select_option("備品")
    page.get_by_label("品名").fill("ラックマウントサーバー")
    page.get_by_label("数量").fill("1")
    page.get_by_label("希望納期").fill("2027-01-29")
    page.get_by_label("購入理由").fill("保守期限切れに伴う更新")
    # 経路を表示: the 合議 of two, then the 部長, named, with the 規程's rows.
    page.get_by_role("button", name="経路を表示").click()
    preview = page.locator("#route-preview")
    expect(preview.locator("ol.ap-preview > li")).to_have_count(2)
    consult, decide = preview.locator("ol.ap-preview > li").all()
    expect(consult).to_contain_text("合議")
    for key in CONSULTED:
        expect(consult).to_contain_text(names[key])
    expect(consult).to_contain_text("決裁権限規程の 2 行目が当てはまります。")
    expect(decide).to_contain_text("決裁")
    expect(decide).to_contain_text(names[DECIDER])
    expect(decide).to_contain_text("決裁権限規程の 1 行目が当てはまります。")
    page.screenshot(path=screenshot_dir / "approvals-form.png", full_page=True)
    # Saved as a draft, the quote attached, then submitted from the request's page.
    page.get_by_role("button", name="下書き保存").click()
    expect(page.locator("main h1")).to_contain_text("経理システム用サーバー")
    quote = tmp_path / "見積書_サーバー.pdf"
    quote.write_bytes(QUOTE_PDF)
    page.locator("#attach-file").set_input_files(str(quote))
    page.get_by_role("button", name="添付する").click()
    expect(page.locator("#attachments")).to_contain_text("見積書_サーバー.pdf")
    page.locator(".ap-owner-actions button.primary").click()
    expect(page.locator("main h1")).to_contain_text("購入-")
    with tenancy.activate(world.org):
        request = Request.objects.get(title="経理システム用サーバー")
        assert request.state == RequestState.IN_PROGRESS
        assert request.attachments.get().filename == "見積書_サーバー.pdf"
    route = page.locator(".ap-route")
    expect(route.locator(".ap-stage")).to_have_count(2)
    expect(route.locator(".ap-stage").nth(0)).to_contain_text(names["kobayashi"])
    expect(route.locator(".ap-stage").nth(0)).to_contain_text(names["kato"])
    expect(route.locator(".ap-stage").nth(1)).to_contain_text(names[DECIDER])

    # Each 合議 member, then the 部長, in a browser of their own.
    for key, comment in (("kobayashi", "予算内です。"), ("kato", "経理処理に問題ありません。"),
                         (DECIDER, "承認します。")):
        other = _fresh_page(browser, live_server, page_errors)
        log_in(other, f"u_{key}")
        _approve_from_the_inbox(other, "経理システム用サーバー", comment)
        expect(other.locator(".ap-route")).to_contain_text(comment)
        other.context.close()

    # The requester sees it decided and follows the link to the 備品発注 it started.
    page.reload()
    expect(page.locator("main h1")).to_contain_text("決裁済み")
    page.screenshot(path=screenshot_dir / "approvals-decided.png", full_page=True)
    with tenancy.activate(world.org):
        request.refresh_from_db()
        run = request.launched_run
        assert run is not None and run.params["概算金額"] == 680_000
    follow = page.locator(".ap-facts").get_by_role("link", name=run.name)
    follow.click()
    expect(page).to_have_url(re.compile(rf"/procedures/runs/{run.pk}/$"))
    origin = page.get_by_role("link", name=re.compile("経理システム用サーバー"))
    expect(page.locator("main")).to_contain_text("起点")
    origin.click()
    expect(page).to_have_url(re.compile(rf"/approvals/requests/{request.pk}/$"))
    assert list(page_errors) == []


def test_the_request_and_the_inbox_fit_a_phone(
        phone_page: Page, world: World, page_errors: PageErrors, screenshot_dir: Path) -> None:
    request = file_purchase(world, REQUESTER, amount=680_000, title="経理システム用サーバー",
                            today=dt.date(2026, 6, 15))
    log_in(phone_page, "u_kobayashi")
    phone_page.goto("/approvals/inbox/")
    expect(phone_page.locator("main table")).to_contain_text("経理システム用サーバー")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the inbox is {overflow}px wider than a 390px phone"
    phone_page.goto(f"/approvals/requests/{request.pk}/")
    expect(phone_page.locator("form.ap-decide")).to_be_visible()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the request is {overflow}px wider than a 390px phone"
    phone_page.screenshot(path=screenshot_dir / "approvals-phone-request.png", full_page=True)
    assert list(page_errors) == []
