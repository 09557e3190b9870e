"""An auditor reads the audit log in a real Chromium: operations and fields in words, names
instead of ids, the filter by operation name, an event's page, and the person it links to."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from browser.helpers import log_in
from somu.core import tenancy
from somu.org import services
from somu.org.models import EmploymentType

if TYPE_CHECKING:
    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser


def test_an_auditor_reads_a_change_in_words_and_follows_it_to_the_person(  # type: ignore[no-untyped-def]
    page: Page, page_errors: PageErrors, screenshot_dir: Path, tr, org_a, people_a, admin_a,
    auditor_a,
) -> None:
    with tenancy.activate(org_a):
        services.person_update(actor=admin_a, person=people_a.suzuki, data={
            "grade": people_a.g2, "employment_type": EmploymentType.PART_TIME,
            "manager": people_a.sato})

    log_in(page, "auditor_a")
    page.click(f"#mainnav a[href='{reverse('audit:event_list')}']")
    page.select_option("#a-action", label=tr("Person updated"))
    page.get_by_role("button", name=tr("Filter"), exact=True).click()
    expect(page).to_have_url(re.compile(r"action=person\.update"))
    rows = page.locator("table.audit tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_contain_text(tr("Person updated"))
    expect(row.locator("del", has_text=str(people_a.g1))).to_be_visible()
    expect(row.locator("ins", has_text=str(people_a.g2))).to_be_visible()
    expect(row.locator("ins", has_text=tr("Part-time"))).to_be_visible()
    expect(row).not_to_contain_text("person.update")
    expect(row).not_to_contain_text("part_time")
    page.screenshot(path=screenshot_dir / "audit-log.png", full_page=True)

    # The event's page links the person changed and the new manager, while they exist.
    row.locator("td").first.get_by_role("link").click()
    expect(page.locator("main h1")).to_contain_text(tr("Audit event"))
    page.get_by_role("link", name=str(people_a.sato)).click()
    expect(page).to_have_url(re.compile(
        re.escape(reverse("org:person_detail", args=[people_a.sato.pk])) + "$"))
    page.go_back()
    page.get_by_role("link", name=str(people_a.suzuki)).first.click()
    expect(page).to_have_url(re.compile(
        re.escape(reverse("org:person_detail", args=[people_a.suzuki.pk])) + "$"))
    history = page.locator("section.card", has=page.get_by_role("heading", name=tr("History")))
    expect(history).to_contain_text(tr("Person updated"))
    expect(history.locator("ins", has_text=tr("Part-time"))).to_be_visible()
    assert page_errors == []
