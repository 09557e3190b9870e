"""A real Chromium edits the 決裁権限規程 the way an administrator does: lines added, copied
and removed with the editor's buttons, an overlap refused naming both rows next to the line,
nothing saved; the editor's wide table scrolls inside its box on a phone."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from browser.helpers import log_in
from somu.approvals.models import RuleVersion
from somu.approvals.tests.builders import World, build_world, install_rules
from somu.core import tenancy

if TYPE_CHECKING:
    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser


@pytest.fixture
def world(org_a, make_user) -> World:
    w = build_world(org_a, make_user)
    install_rules(w)
    return w


def test_the_editor_adds_copies_and_removes_lines_and_shows_an_overlap_next_to_its_line(
        page: Page, world: World, page_errors: PageErrors) -> None:
    log_in(page, "u_admin")
    page.goto(reverse("approvals:rule_edit"))
    lines = page.locator("[data-rule-line]")
    count = lines.count()
    page.click("[data-line-add]")
    expect(lines).to_have_count(count + 1)
    lines.nth(0).locator("[data-line-copy]").click()
    expect(lines).to_have_count(count + 2)
    expect(lines.nth(1).locator("select[name=kind]")).to_have_value("決裁")
    lines.nth(1).locator("[data-line-remove]").click()
    expect(lines).to_have_count(count + 1)
    lines.nth(0).locator("input[name=amount_max]").fill("200,000")
    page.click("button[type=submit].primary")
    expect(page.locator(".line-errors").first).to_contain_text("1 行目と 2 行目")
    expect(page.locator("input[name=amount_max]").first).to_have_value("200,000")
    with tenancy.activate(world.org):
        assert RuleVersion.objects.count() == 1
    assert list(page_errors) == []


def test_the_editor_fits_a_phone_by_scrolling_the_table(phone_page: Page, world: World,
                                                         page_errors: PageErrors) -> None:
    log_in(phone_page, "u_admin")
    phone_page.goto(reverse("approvals:rule_edit"))
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = phone_page.locator(".rule-edit-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    assert list(page_errors) == []
