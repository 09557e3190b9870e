"""On a 390px phone the account menu — change password, API tokens, log out — is reachable from
the menu button, because the top bar has no room for it; and the login page offers the reset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from browser.helpers import log_in

pytestmark = pytest.mark.browser


def _open_menu(page: Page) -> None:
    toggle = page.locator(".nav-toggle")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(page.locator("#mainnav")).to_be_visible()


def test_on_a_phone_the_menu_reaches_password_change_tokens_and_logout(
    phone_page: Page, page_errors: list[str], screenshot_dir: Path, admin_a, people_a
) -> None:
    page = phone_page
    log_in(page, "admin_a")
    expect(page.locator(".account-link")).to_be_hidden()  # the desktop link has no room here
    # ログアウト lives in the menu too, so the bar keeps to one line instead of wrapping
    expect(page.locator(".topbar .topbar-logout")).to_be_hidden()
    assert page.locator(".topbar").bounding_box()["height"] < 60  # type: ignore[index]
    account = page.locator("#mainnav .nav-account")
    expect(account).to_be_hidden()  # inside the closed menu

    _open_menu(page)
    expect(account).to_be_visible()
    expect(account).to_contain_text("admin_a")
    # a user name is shown as typed: CSS once turned it into 「アカウント ADMIN_A」
    assert "admin_a" in account.locator(".nav-group").inner_text()
    page.screenshot(path=screenshot_dir / "phone-account-menu.png", full_page=True)

    account.get_by_role("link", name="パスワードを変更").click()
    expect(page).to_have_url(re.compile(r"/account/password/$"))
    expect(page.locator("#id_old_password")).to_be_visible()

    _open_menu(page)
    account.get_by_role("link", name="個人用APIトークン").click()
    expect(page).to_have_url(re.compile(r"/account/#tokens$"))
    expect(page.locator("#token-name")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the account page is {overflow}px wider than a 390px phone"

    _open_menu(page)
    account.get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("link", name="パスワードをお忘れですか")).to_be_visible()

    assert list(page_errors) == []


def test_on_a_desktop_the_account_menu_stays_in_the_top_bar(
    page: Page, page_errors: list[str], admin_a, people_a
) -> None:
    log_in(page, "admin_a")
    expect(page.locator(".account-link")).to_be_visible()
    expect(page.locator("#mainnav .nav-account")).to_be_hidden()
    assert list(page_errors) == []


def test_on_a_phone_a_table_scrolls_in_its_frame_and_keeps_japanese_words_whole(
    phone_page: Page, page_errors: list[str], screenshot_dir: Path, admin_a, staff_a, people_a
) -> None:
    """The walkthrough found 在籍 and names broken one character per line on /org/members/ and
    the action column cut off: the table must scroll inside its .table-wrap instead."""
    page = phone_page
    log_in(page, "admin_a")
    page.goto("/org/members/")
    page.screenshot(path=screenshot_dir / "phone-members.png", full_page=True)

    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the members page is {overflow}px wider than a 390px phone"
    lines = page.evaluate("""() => Array.from(
        document.querySelectorAll('.table-wrap tbody tr td:nth-child(4)'), td => {
            const range = document.createRange(); range.selectNodeContents(td);
            return [td.textContent.trim(), new Set(
                Array.from(range.getClientRects(), r => Math.round(r.top))).size];
        })""")
    assert lines and all(count == 1 for _text, count in lines), lines
    frame = page.locator(".table-wrap").first
    assert frame.evaluate("e => e.scrollWidth > e.clientWidth")  # the rest is a swipe away
    assert list(page_errors) == []
