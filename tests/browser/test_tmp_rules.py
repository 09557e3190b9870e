from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from browser.helpers import log_in
from somu.approvals.models import RuleVersion
from somu.approvals.tests.builders import build_world, install_rules
from somu.core import tenancy

pytestmark = pytest.mark.browser


def test_tmp(page, phone_page, org_a, make_user, page_errors, transactional_db):
    world = build_world(org_a, make_user)
    install_rules(world)
    log_in(page, "u_admin")
    page.goto(reverse("approvals:rules"))
    page.screenshot(path="/tmp/tx/rules.png", full_page=True)
    page.goto(reverse("approvals:rule_edit"))
    n = page.locator("[data-rule-line]").count()
    page.click("[data-line-add]")
    assert page.locator("[data-rule-line]").count() == n + 1
    page.locator("[data-rule-line]").nth(0).locator("[data-line-copy]").click()
    assert page.locator("[data-rule-line]").count() == n + 2
    page.locator("[data-rule-line]").nth(1).locator("[data-line-remove]").click()
    page.locator("[data-rule-line]").nth(0).locator("input[name=amount_max]").fill("200,000")
    page.click("button[type=submit].primary")
    page.screenshot(path="/tmp/tx/edit_error.png", full_page=True)
    page.goto(reverse("approvals:rule_test") + f"?request_type={world.types['purchase'].pk}&requester={world.people['suzuki'].pk}&amount=600000&category=備品")
    page.screenshot(path="/tmp/tx/tester.png", full_page=True)
    page.goto(reverse("approvals:type_edit", args=[world.types["purchase"].pk]))
    page.screenshot(path="/tmp/tx/type.png", full_page=True)
    log_in(phone_page, "u_admin")
    phone_page.goto(reverse("approvals:rule_edit"))
    phone_page.screenshot(path="/tmp/tx/edit_phone.png")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    print("phone scrollWidth", width)
    print(page_errors)
