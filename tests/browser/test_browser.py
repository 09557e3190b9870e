"""A real Chromium walks through the pages people use first: log in, find someone, change the
language, import a file, and do the same on a phone-width screen."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from browser.helpers import log_in
from somu.org.models import Person

pytestmark = pytest.mark.browser

# Two new people: one in an existing department, one in a department the import creates.
IMPORT_CSV = (
    "社員番号,氏名,ふりがな,部署,等級,雇用形態,入社日,上長社員番号,メール\r\n"
    "A005,高橋 一郎,たかはし いちろう,管理本部/経理部,G2,正社員,2024/4/1,A001,"
    "takahashi@a.example\r\n"
    "A006,伊藤 さくら,いとう さくら,管理本部/総務部,G1,契約社員,R6.10.1,,\r\n"
)


def test_a_back_office_user_logs_in_finds_people_switches_language_and_imports_a_file(
    page: Page, page_errors: list[str], screenshot_dir: Path, tmp_path: Path, org_a, admin_a,
    people_a,
) -> None:
    log_in(page, "admin_a")
    expect(page.locator("main h1")).to_have_text("株式会社エー")

    page.click("#mainnav a[href='/org/people/']")
    expect(page).to_have_url(re.compile(r"/org/people/$"))
    results = page.locator("#results")
    for name in ("山田 太郎", "鈴木 花子", "佐藤 健", "田中 美咲"):
        expect(results).to_contain_text(name)
    page.screenshot(path=screenshot_dir / "people-list.png", full_page=True)

    # Typing is enough: htmx fetches the filtered table and puts the search in the address bar.
    page.fill("#q", "すずき")
    expect(results).not_to_contain_text("山田 太郎")
    expect(results).to_contain_text("鈴木 花子")
    expect(page).to_have_url(re.compile(r"[?&]q=%E3%81%99%E3%81%9A%E3%81%8D"))

    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ja")
    page.click(".lang-switch button[name=language]")
    expect(html).to_have_attribute("lang", "en")
    # The switch comes back to the page it was used on.
    expect(page).to_have_url(re.compile(r"/org/people/"))
    expect(page.locator("main h1")).to_have_text("People")
    expect(page.locator(".lang-switch button[name=language]")).to_have_text("日本語")
    page.fill("#q", "A003")
    expect(results).to_contain_text("佐藤 健")
    expect(results).not_to_contain_text("鈴木 花子")
    expect(results).to_contain_text("1 person")
    page.screenshot(path=screenshot_dir / "people-search-en.png", full_page=True)

    page.click(".lang-switch button[name=language]")
    expect(html).to_have_attribute("lang", "ja")
    expect(page).to_have_url(re.compile(r"/org/people/"))
    expect(page.locator(".lang-switch button[name=language]")).to_have_text("English")
    with translation.override("ja"):
        expect(page.locator("main h1")).to_have_text(gettext("People"))

    # Import, as offices save CSV from Excel: Shift_JIS. A file with a bad row changes nothing.
    page.click(".page-head a[href='/org/people/import/']")
    expect(page).to_have_url(re.compile(r"/org/people/import/$"))
    bad = tmp_path / "社員_誤り.csv"
    bad.write_bytes(IMPORT_CSV.replace("高橋 一郎", "").encode("cp932"))
    page.set_input_files("input[type=file][name=file]", bad)
    page.check("input[name=create_departments]")  # 経理部 is new
    page.click("form button[type=submit].primary")
    errors = page.locator("#import-result .import-errors")
    expect(errors).to_be_visible()
    expect(errors.locator("tbody tr")).to_have_count(1)
    # Row 2 of the file: the header is row 1, as Excel numbers them.
    expect(errors.locator("tbody tr td").nth(0)).to_have_text("2")
    expect(errors.locator("tbody tr td").nth(1)).to_have_text("氏名")
    page.screenshot(path=screenshot_dir / "import-errors.png", full_page=True)
    assert not Person.all_objects.filter(organization=org_a, employee_number="A006").exists()

    good = tmp_path / "社員.csv"
    good.write_bytes(IMPORT_CSV.encode("cp932"))
    page.set_input_files("input[type=file][name=file]", good)
    page.click("form button[type=submit].primary")
    # The preview lists what would change; nothing is saved until the import is confirmed.
    preview = page.locator("#import-result .import-preview")
    expect(preview).to_contain_text("管理本部/経理部")
    expect(preview).to_contain_text("高橋 一郎")
    assert not Person.all_objects.filter(organization=org_a, employee_number="A005").exists()
    page.screenshot(path=screenshot_dir / "import-preview.png", full_page=True)
    preview.locator("button[type=submit]").click()
    success = page.locator("#import-result .msg-success")
    expect(success).to_contain_text("社員.csv")
    expect(page.locator("#import-result .import-errors")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "import-done.png", full_page=True)

    success.locator("a[href='/org/people/']").click()
    expect(page).to_have_url(re.compile(r"/org/people/$"))
    for name in ("山田 太郎", "高橋 一郎", "伊藤 さくら"):
        expect(results).to_contain_text(name)
    expect(results.locator("tbody tr")).to_have_count(6)
    page.fill("#q", "たかはし")
    expect(results).to_contain_text("高橋 一郎")
    expect(results).to_contain_text("経理部")
    expect(results).not_to_contain_text("山田 太郎")

    assert list(page_errors) == []


def test_on_a_phone_the_menu_button_opens_the_navigation(
    phone_page: Page, page_errors: list[str], screenshot_dir: Path, admin_a, people_a
) -> None:
    page = phone_page
    log_in(page, "admin_a")
    nav = page.locator("#mainnav")
    toggle = page.locator(".nav-toggle")
    expect(nav).to_be_hidden()
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.screenshot(path=screenshot_dir / "phone-home.png", full_page=True)

    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=screenshot_dir / "phone-nav-open.png", full_page=True)

    nav.locator("a[href='/org/people/']").click()
    expect(page).to_have_url(re.compile(r"/org/people/$"))
    expect(nav).to_be_hidden()
    expect(page.locator("#results")).to_contain_text("山田 太郎")
    # Nothing may stick out sideways: a page wider than the phone scrolls horizontally.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the people list is {overflow}px wider than a 390px phone"
    page.screenshot(path=screenshot_dir / "phone-people.png", full_page=True)

    assert list(page_errors) == []
