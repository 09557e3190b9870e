"""A real Chromium walks the improvement-plan loop (改善計画) as the issue describes it: a finding
of the survey analysis becomes an improvement item in one click, the item is moved on the board,
a what-if 新体制 is built by hand, and the optimizer's cross-training proposal raises the bus
factor. The round is the analysis pages' hand-checkable one; the board and the scenario fit a
phone, and every plan page passes axe-core.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Locator, Page, expect

from browser.helpers import log_in
from browser.test_accessibility import _axe_violations
from somu.core import tenancy
from somu.org.models import Organization, User
from somu.plans.models import Item, ItemKind, ItemStatus, Scenario
from somu.survey.tests.test_analysis_pages import Survey

if TYPE_CHECKING:
    from conftest import People

    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser


@pytest.fixture
def survey(org_a: Organization, people_a: People) -> Survey:
    return Survey(org_a, people_a)


def figure(on: Page, key: str) -> Locator:
    """The scenario's cell of one figure in the side-by-side table."""
    return on.locator(f"#scenario-figures tr[data-key='{key}'] td").nth(1)


def sideways(on: Page) -> int:
    """How many pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    return int(on.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_a_finding_becomes_an_item_on_the_board_and_a_cross_training_proposal_raises_the_bus_factor(
        page: Page, phone_page: Page, page_errors: PageErrors, survey: Survey,
        admin_a: User, org_a: Organization, tr: Callable[..., str]) -> None:
    log_in(page, "admin_a")

    # The analysis lists 月次決算 (only 山田 can do it) as person-dependent; one click on
    # "改善施策にする" next to it opens the new-item form filled in from the finding.
    page.goto(f"/survey/rounds/{survey.round.pk}/analysis/")
    finding = page.locator("#ov-findings-title ~ ul li").filter(
        has=page.get_by_role("link", name="月次決算", exact=True))
    finding.get_by_role("link", name=tr("Make it an improvement item")).click()
    expect(page).to_have_url(re.compile(r"/plans/items/new/\?finding=dependent_task&"))
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value(
        tr("Standardize “%(task)s” (write its procedure)") % {"task": "月次決算"})
    expect(page.locator("#id_kind")).to_have_value(ItemKind.STANDARDIZE)
    expect(page.locator("#id_task")).to_have_value(str(survey.closing.pk))
    expect(page.locator("#id_expected_capable")).to_have_value("1")
    page.fill("#id_due_on", "2099-03-31")
    page.click("main button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/plans/items/\d+/$"))
    with tenancy.activate(org_a):
        item = Item.objects.get()
    assert (item.finding, item.task_id, item.round_id, item.status) == (
        "dependent_task", survey.closing.pk, survey.round.pk, ItemStatus.PROPOSED)

    # On the board it waits under 提案; moving it redraws the board with it under 計画済み.
    page.goto("/plans/items/")
    card = page.locator(f"#item-{item.pk}")
    expect(page.locator(f".item-column-{ItemStatus.PROPOSED} #item-{item.pk}")).to_be_visible()
    expect(card).to_contain_text("月次決算")
    card.locator("select[name=status]").select_option(ItemStatus.PLANNED)
    card.get_by_role("button", name=tr("Move")).click()
    expect(page.locator(f".item-column-{ItemStatus.PLANNED} #item-{item.pk}")).to_be_visible()
    expect(page.locator(f".item-column-{ItemStatus.PROPOSED} #item-{item.pk}")).to_have_count(0)
    with tenancy.activate(org_a):
        item.refresh_from_db()
    assert item.status == ItemStatus.PLANNED

    # A new scenario on the round opens on the baseline's figures.
    page.goto("/plans/scenarios/new/")
    page.fill("#id_name", "2027年 新体制")
    page.select_option("#id_round", str(survey.round.pk))
    page.click("main button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/plans/scenarios/\d+/$"))
    expect(figure(page, "dependency_rate_by_count")).to_contain_text("50.0%")

    # 鈴木 learns 月次決算 (level 3): person dependency falls from 50% to 25%, in green.
    page.click("text=" + tr("Raise a capability (training)"))
    page.select_option("#id_train-person", label="鈴木 花子 (10.0 / 160.0 h)")
    page.select_option("#id_train-task", str(survey.closing.pk))
    page.select_option("#id_train-level", "3")
    page.click("#op-train button[type=submit]")
    expect(page.locator(".scenario-ops li")).to_have_count(1)
    cell = figure(page, "dependency_rate_by_count")
    expect(cell).to_contain_text("25.0%")
    expect(cell).to_have_class(re.compile("change-better"))

    # A move of more hours than 山田 has on 月次決算 is refused on the form, naming both.
    page.click("text=" + tr("Move hours to someone else"))
    page.select_option("#id_move-assignment", label="山田 太郎 — 月次決算 (30.0 h)")
    page.select_option("#id_move-to", label="佐藤 健 (10.0 / 160.0 h)")
    page.fill("#id_move-hours", "45")
    page.click("#op-move button[type=submit]")
    expect(page.locator("#op-move")).to_contain_text("山田 太郎")
    expect(page.locator("#op-move")).to_contain_text("月次決算")
    expect(page.locator(".scenario-ops li")).to_have_count(1)

    # The optimizer: cross-training to two capable people per task in 経理財務; the proposal
    # opens as a scenario whose bus factor of 経理財務 went from 1 to 2.
    page.goto("/plans/optimize/")
    page.check("input[name=kind][value=cross_training]")
    page.fill("#id_k", "2")
    page.fill("#id_time_limit_s", "5")
    page.select_option("#id_scope", "function")
    page.select_option("#id_scope_key", "経理財務")
    page.click("#optimize-form button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/plans/scenarios/\d+/$"))
    expect(page.get_by_test_id("proposal-label")).to_have_text(tr("Optimal (最適解)"))
    bus = page.locator("#scenario-figures tr[data-key='bus_factor:function:経理財務'] td")
    expect(bus.nth(0)).to_have_text("1")
    expect(bus.nth(1)).to_have_text("2")
    expect(bus.nth(1)).to_have_class(re.compile("change-better"))

    with tenancy.activate(org_a):
        assert Scenario.objects.count() == 2
        first, second = Scenario.objects.order_by("pk")

    # On a phone the board and the proposal's scenario fit the screen's width.
    log_in(phone_page, "admin_a")
    for url in ("/plans/items/", f"/plans/scenarios/{second.pk}/"):
        phone_page.goto(url)
        expect(phone_page.locator("main h1")).to_be_visible()
        assert sideways(phone_page) <= 0, f"{url} is {sideways(phone_page)}px wider than a phone"

    # Every plan page seen here passes axe-core's WCAG 2.1 A/AA scan.
    failures = []
    for url in ("/plans/items/", f"/plans/items/{item.pk}/", f"/plans/items/{item.pk}/edit/",
                f"/plans/scenarios/{second.pk}/", f"/plans/scenarios/{first.pk}/",
                "/plans/scenarios/", f"/plans/scenarios/compare/?a={first.pk}&b={second.pk}",
                "/plans/optimize/", "/plans/scenarios/new/",
                f"/plans/scenarios/{first.pk}/edit/", f"/plans/scenarios/{first.pk}/delete/"):
        page.goto(url)
        if found := _axe_violations(page):
            failures.append(url + "\n" + "\n".join(found))
    assert not failures, "\n".join(failures)
    # The refused move answered 400 (the form with its error), as every refused form does.
    assert [e for e in page_errors if "400 (Bad Request)" not in e] == []
