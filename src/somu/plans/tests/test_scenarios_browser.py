"""A real Chromium builds a what-if 新体制: starts a scenario from a round, adds a training and
sees 属人化率 fall next to the baseline, then asks the optimizer for a cross-training proposal
and sees the function's bus factor rise (the round is the analysis pages' hand-checkable one).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from somu.core import tenancy
from somu.org.models import User
from somu.plans.models import Scenario
from somu.survey.tests.test_analysis_pages import Survey

# The browser fixtures (Debian's Chromium on pytest-django's live server) live with the other
# browser tests, under tests/browser/.
_TESTS = Path(__file__).resolve().parents[4] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

from browser import conftest as _browser  # noqa: E402
from browser.helpers import log_in  # noqa: E402
from browser.test_accessibility import _axe_violations  # noqa: E402


# The browser for this module only: tests/browser/ keeps its own for the session, and two
# Playwright instances must not be alive at once.
@pytest.fixture(scope="module")
def module_browser() -> Iterator[Browser]:
    path = _browser._chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {_browser.CHROMIUM}", pytrace=False)
        pytest.skip(f"Chromium not found at {_browser.CHROMIUM}")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=_browser.CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_errors() -> _browser.PageErrors:
    return _browser.PageErrors()


@pytest.fixture
def page(module_browser: Browser, live_server: Any,
         page_errors: _browser.PageErrors) -> Iterator[Page]:
    page = _browser._new_page(module_browser, live_server.url, page_errors,
                              viewport={"width": 1280, "height": 900})
    yield page
    page.context.close()

pytestmark = pytest.mark.browser


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


def figure(on: Page, key: str) -> object:
    """The scenario's cell of one figure in the side-by-side table."""
    return on.locator(f"#scenario-figures tr[data-key='{key}'] td").nth(1)


def test_a_scenario_is_built_by_hand_and_the_optimizer_raises_the_bus_factor(
        page: Page, page_errors: list[str], survey: Survey, admin_a: User, org_a,
        tr: Callable[..., str]) -> None:
    log_in(page, "admin_a")

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

    # The optimizer: cross-training to two capable people per task in 経理財務.
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

    # Every scenario page passes axe-core's WCAG 2.1 A/AA scan.
    failures = []
    for url in (f"/plans/scenarios/{second.pk}/", f"/plans/scenarios/{first.pk}/",
                "/plans/scenarios/", f"/plans/scenarios/compare/?a={first.pk}&b={second.pk}",
                "/plans/optimize/", "/plans/scenarios/new/",
                f"/plans/scenarios/{first.pk}/edit/", f"/plans/scenarios/{first.pk}/delete/"):
        page.goto(url)
        if found := _axe_violations(page):
            failures.append(url + "\n" + "\n".join(found))
    assert not failures, "\n".join(failures)
    # The refused move answered 400 (the form with its error), as every refused form does.
    assert [e for e in page_errors if "400 (Bad Request)" not in e] == []
