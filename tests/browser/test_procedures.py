"""A real Chromium runs a procedure (手順) the way the 総務 staff do: adopt 入社手続き from the
library, read the template (steps, dependency graph, due-date preview), launch a run for a new
hire, then work through 自分のタスク — a form with a required field, the checklist, the minutes —
until the next step becomes ready. The same pages must fit a phone."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from conftest import People
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from browser.helpers import log_in
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Organization, User
from somu.procedures.models import Run, Step, StepState, Template
from somu.procedures.services import library
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.services.launching import calendar_for_active_organization
from somu.rules.due import compute_due

if TYPE_CHECKING:
    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser

LIBRARY_KEY = "onboarding"
HIRE_DATE = dt.date(2026, 4, 1)
# The steps this test walks through, by their key in library/onboarding.yaml.
APPROVAL = "approve_terms"  # 採用条件の決裁: the starter's manager decides first
CONTRACT = "contract"  # 労働条件通知書・雇用契約書の締結: checklist + a required date field
COLLECT = "collect_docs"  # 入社書類の回収: waits for the contract
SHAHO = "shaho"  # 健康保険・厚生年金保険 被保険者資格取得届: 5 days after hire, statutory
DEPENDENTS = "dependents"  # 被扶養者（異動）届: skipped when the hire has no dependents


@dataclass
class Onboarding:
    """The library's 入社手続き and what its rules give for a hire on ``HIRE_DATE``."""

    org: Organization
    entry: library.LibraryEntry

    def name(self, key: str) -> str:
        step = self.entry.spec.step(key)
        assert step is not None, key
        return step.name

    def checklist(self, key: str) -> tuple[str, ...]:
        step = self.entry.spec.step(key)
        assert step is not None, key
        return tuple(step.checklist)

    def due(self, key: str, hire_date: dt.date = HIRE_DATE) -> dt.date:
        """The due date the library's rule gives on the organization's business calendar."""
        step = self.entry.spec.step(key)
        assert step is not None and step.due is not None, key
        with tenancy.activate(self.org):
            calendar = calendar_for_active_organization()
        due = compute_due(step.due, start=hire_date, dates={"入社日": hire_date},
                          calendar=calendar)
        assert due is not None, key
        return due

    def param_index(self, key: str) -> int:
        """The launch form numbers the parameters' inputs (their keys are Japanese)."""
        return [p.key for p in self.entry.spec.parameters].index(key)

    def step(self, key: str) -> Step:
        with tenancy.activate(self.org):
            return Step.objects.select_related("assignee").get(key=key)

    def run(self) -> Run:
        with tenancy.activate(self.org):
            return Run.objects.get()


@pytest.fixture
def onboarding(org_a: Organization) -> Onboarding:
    return Onboarding(org_a, library.library_entry(LIBRARY_KEY))


@pytest.fixture
def staff_suzuki(make_user: Callable[..., User], org_a: Organization, people_a: People) -> User:
    """鈴木 (総務部) as procedure staff: she holds the {role: staff} steps; 山田 is her manager."""
    return make_user("staff_suzuki", org_a, Role.STAFF, person=people_a.suzuki)


@pytest.fixture
def manager_page(browser: Browser, live_server: object,
                 page_errors: PageErrors) -> Iterator[Page]:
    """A second desktop browser (own cookies) for 山田, errors recorded with the first."""
    context = browser.new_context(base_url=live_server.url, locale="ja-JP",  # type: ignore[attr-defined]
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: page_errors.append(f"JavaScript error: {exc}"))
    page.on("console", lambda msg: page_errors.record_console(msg.type, msg.text,
                                                              msg.location["url"]))
    page.on("response", lambda r: page_errors.record_response(r.status, r.url))
    yield page
    context.close()


def ymd(day: dt.date) -> str:
    return day.isoformat()


def full_screenshot(page: Page, path: Path) -> None:
    # From the top: the sticky header would otherwise be painted where the page was scrolled.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True)


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the phone's screen (it must not scroll sideways).

    Measured against the configured viewport, not ``window.innerWidth``: a mobile browser
    widens its layout viewport to fit content that is too wide, hiding the overflow.
    """
    viewport = page.viewport_size
    assert viewport is not None
    return int(page.evaluate("document.documentElement.scrollWidth")) - viewport["width"]


def test_staff_adopt_onboarding_launch_it_and_complete_a_step_with_a_form(
    page: Page, manager_page: Page, page_errors: list[str], screenshot_dir: Path,
    onboarding: Onboarding, people_a: People, staff_suzuki: User, manager_a: User,
    tr: Callable[..., str],
) -> None:
    # The statutory reading the library encodes: 入社 4/1 → 5 days (初日不算入) = 4/6 (Mon).
    shaho_due = onboarding.due(SHAHO)
    assert shaho_due == dt.date(2026, 4, 6)

    # 鈴木 finds the library from the templates page and adopts 入社手続き.
    log_in(page, "staff_suzuki")
    page.click(f"#mainnav a[href='{reverse('procedures:template_list')}']")
    page.click(f"a[href='{reverse('procedures:library')}']")
    card = page.locator(f"#lib-{LIBRARY_KEY}")
    expect(card.locator("h2")).to_have_text("入社手続き")
    card.get_by_role("button", name=tr("Adopt this procedure")).click()

    with tenancy.activate(onboarding.org):
        template = Template.objects.get(library_key=LIBRARY_KEY)
    expect(page).to_have_url(re.compile(
        re.escape(reverse("procedures:template_detail", args=[template.pk])) + "$"))
    expect(page.locator(".messages .msg-success")).to_be_visible()
    expect(page.locator("main h1")).to_contain_text("入社手続き")

    # The steps as a list, as a dependency graph, and their due dates for sample values.
    steps = page.locator("ol.tpl-steps > li.tpl-step")
    expect(steps).to_have_count(len(onboarding.entry.spec.steps))
    expect(page.locator(f"#step-{SHAHO} .tpl-step-name")).to_have_text(onboarding.name(SHAHO))
    graph = page.locator("svg.tpl-graph")
    expect(graph).to_be_visible()
    expect(graph.locator("g.tpl-node")).to_have_count(len(onboarding.entry.spec.steps))
    expect(graph.locator("path.tpl-edge").first).to_be_attached()
    preview = page.locator("#tpl-preview-result")
    shaho_preview = preview.locator("tr", has_text=onboarding.name(SHAHO))
    page.locator("input[name='p-入社日']").fill(ymd(HIRE_DATE))
    expect(shaho_preview.locator("time")).to_have_attribute("datetime", ymd(shaho_due))
    # Another sample hire date moves the due date with it (htmx swaps the table in place).
    later_hire = dt.date(2026, 4, 28)  # 4/28 + 5 = 5/3 憲法記念日, rolled back
    page.locator("input[name='p-入社日']").fill(ymd(later_hire))
    expect(shaho_preview.locator("time")).to_have_attribute(
        "datetime", ymd(onboarding.due(SHAHO, later_hire)))
    assert onboarding.due(SHAHO, later_hire) < later_hire + dt.timedelta(days=5)
    page.locator("section.card", has=graph).screenshot(
        path=screenshot_dir / "procedures-template-graph.png")
    page.locator("#preview").screenshot(path=screenshot_dir / "procedures-template-preview.png")
    full_screenshot(page, screenshot_dir / "procedures-template.png")

    # Launching: 入社者 田中, 入社日 4/1; the other parameters keep their defaults.
    page.get_by_role("link", name=tr("Launch"), exact=True).click()
    expect(page).to_have_url(re.compile(
        re.escape(reverse("procedures:run_launch", args=[template.pk])) + "$"))
    page.fill("#id_start_date", "2026-03-02")
    # 入社者 is a person picker: type the reading in katakana, choose with the keyboard.
    picker = f"#id_param_{onboarding.param_index('入社者')}"
    page.locator(f"{picker}-ts-control").fill("タナカ")
    expect(page.locator(".ts-dropdown .option", has_text="田中 美咲")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator(picker)).to_have_value(str(people_a.tanaka.pk))
    page.fill(f"#id_param_{onboarding.param_index('入社日')}", ymd(HIRE_DATE))
    expect(page.locator(f"#id_param_{onboarding.param_index('雇用形態')}")).to_have_value("正社員")
    # The launch page previews the due dates for what is typed so far.
    expect(page.locator("#run-preview tr", has_text=onboarding.name(SHAHO))).to_contain_text(
        ymd(shaho_due))
    # The name field's hint follows: the name the run gets if the field stays empty.
    expect(page.locator("#run-default-name")).to_have_text("田中 美咲さん 入社手続き")
    expect(page.locator("#run-default-name")).to_have_count(1)
    page.locator(".run-launch-form").get_by_role("button", name=tr("Launch"),
                                                 exact=True).click()

    run = onboarding.run()
    assert run.name == "田中 美咲さん 入社手続き"
    expect(page).to_have_url(re.compile(
        re.escape(reverse("procedures:run_detail", args=[run.pk])) + "$"))
    expect(page.locator("main h1")).to_contain_text(run.name)
    table = page.locator("table.run-steps")
    expect(table.locator("tbody tr")).to_have_count(len(onboarding.entry.spec.steps))

    shaho_row = table.locator("tbody tr", has_text=onboarding.name(SHAHO))
    expect(shaho_row).to_contain_text(ymd(shaho_due))
    expect(shaho_row).to_contain_text("鈴木 花子")
    expect(shaho_row.locator(".step-state-waiting")).to_be_visible()
    approval_row = table.locator("tbody tr", has_text=onboarding.name(APPROVAL))
    expect(approval_row).to_contain_text("山田 太郎")  # 鈴木's manager
    expect(approval_row).to_contain_text(ymd(onboarding.due(APPROVAL)))
    expect(approval_row.locator(".step-state-ready")).to_be_visible()
    expect(table.locator("tbody tr", has_text=onboarding.name(DEPENDENTS))
           .locator(".step-state-skipped")).to_be_visible()
    # 田中 has no manager: the orientation goes to the template's owner (鈴木), flagged.
    expect(table.locator("tbody tr", has_text="初日オリエンテーション")
           .locator(".step-flag")).to_be_visible()
    assert onboarding.step(SHAHO).due_date == shaho_due
    full_screenshot(page, screenshot_dir / "procedures-run.png")

    # 山田 approves the terms from his own task list, in his own browser.
    log_in(manager_page, "manager_a")
    manager_page.click(f"#mainnav a[href='{reverse('procedures:my_tasks')}']")
    manager_page.locator("a.step-row-name", has_text=onboarding.name(APPROVAL)).click()
    manager_page.get_by_role("button", name=tr("Approve"), exact=True).click()
    expect(manager_page.locator("main h1 .step-state-approved")).to_be_visible()

    # 鈴木's tasks now offer the contract; completing it without the required date fails.
    page.click(f"#mainnav a[href='{reverse('procedures:my_tasks')}']")
    expect(page.locator("main h1")).to_have_text(tr("My tasks"))
    page.locator("a.step-row-name", has_text=onboarding.name(CONTRACT)).click()
    contract = onboarding.step(CONTRACT)
    expect(page).to_have_url(re.compile(
        re.escape(reverse("procedures:step_detail", args=[contract.pk])) + "$"))
    expect(page.locator("main h1 .step-state-ready")).to_be_visible()
    expect(page.locator(".step-instructions")).to_contain_text("労働条件通知書")
    signed_on = page.locator("#step-f_0")  # 締結日, required
    expect(page.locator("label[for=step-f_0]")).to_contain_text("締結日")
    page.fill("#step-minutes", "45")
    page.locator("#step-work").get_by_role("button", name=tr("Complete"), exact=True).click()

    expect(signed_on).to_have_attribute("aria-invalid", "true")
    signed_field = page.locator(".field.has-error", has=signed_on)
    expect(signed_field.locator(".error")).to_be_visible()
    expect(page.locator("main h1 .step-state-ready")).to_be_visible()
    # What was typed survives the failed attempt.
    expect(page.locator("#step-minutes")).to_have_value("45")
    assert onboarding.step(CONTRACT).state == StepState.READY
    full_screenshot(page, screenshot_dir / "procedures-step-error.png")

    # Filled in and ticked: complete. Each tick saves on its own (htmx) before completing.
    signed_on.fill("2026-03-18")
    boxes = page.locator(".step-checklist input[type=checkbox]")
    expect(boxes).to_have_count(len(onboarding.checklist(CONTRACT)))
    for i in range(boxes.count()):
        boxes.nth(i).check()
        expect(page.locator("#step-save-status .step-saved")).to_be_visible()
    page.locator("#step-work").get_by_role("button", name=tr("Complete"), exact=True).click()

    expect(page.locator(".messages .msg-success")).to_be_visible()
    expect(page.locator("main h1 .step-state-done")).to_have_text(tr("Done"))
    next_steps = page.locator(".step-deps li", has_text=onboarding.name(COLLECT))
    expect(next_steps.locator(".step-state-ready")).to_have_text(tr("Ready"))
    done = onboarding.step(CONTRACT)
    assert done.state == StepState.DONE
    assert done.actual_minutes == 45
    assert done.form_values == {"signed_on": "2026-03-18"}
    assert onboarding.step(COLLECT).state == StepState.READY

    # The run page and its timeline show the same.
    page.get_by_role("link", name=run.name).first.click()
    expect(table.locator("tbody tr", has_text=onboarding.name(CONTRACT))
           .locator(".step-state-done")).to_be_visible()
    expect(table.locator("tbody tr", has_text=onboarding.name(COLLECT))
           .locator(".step-state-ready")).to_have_text(tr("Ready"))
    timeline = page.locator("ol.run-timeline")
    expect(timeline.locator("li.run-event", has_text=onboarding.name(CONTRACT)).first
           ).to_be_visible()
    expect(timeline).to_contain_text("鈴木 花子")
    full_screenshot(page, screenshot_dir / "procedures-run-after.png")

    assert list(page_errors) == []


def test_on_a_phone_my_tasks_and_the_step_page_do_not_scroll_sideways(
    phone_page: Page, page_errors: list[str], screenshot_dir: Path, onboarding: Onboarding,
    people_a: People, staff_suzuki: User, manager_a: User, tr: Callable[..., str],
) -> None:
    with tenancy.activate(onboarding.org):
        template = library.library_adopt(actor=staff_suzuki, key=LIBRARY_KEY,
                                         owner=people_a.suzuki)
        run = run_services.run_launch(
            actor=staff_suzuki, template=template, starter=people_a.suzuki,
            params={"入社者": people_a.tanaka.pk, "入社日": HIRE_DATE},
            start_date=dt.date(2026, 3, 2))
        step_services.step_decide(actor=manager_a, step=Step.objects.get(run=run, key=APPROVAL),
                                  approve=True)

    page = phone_page
    log_in(page, "staff_suzuki")
    page.goto(reverse("procedures:my_tasks"))
    expect(page.locator("a.step-row-name", has_text=onboarding.name(CONTRACT))).to_be_visible()
    assert overflow(page) <= 1, f"my tasks is {overflow(page)}px wider than a 390px phone"
    full_screenshot(page, screenshot_dir / "procedures-my-tasks-phone.png")

    page.locator("a.step-row-name", has_text=onboarding.name(CONTRACT)).click()
    expect(page.locator("#step-work")).to_be_visible()
    assert overflow(page) <= 1, f"the step page is {overflow(page)}px too wide"
    # With the errors of a failed completion, the widest state of the form.
    page.locator("#step-work").get_by_role("button", name=tr("Complete"), exact=True).click()
    expect(page.locator("#step-f_0")).to_have_attribute("aria-invalid", "true")
    assert overflow(page) <= 1, f"the step page with errors is {overflow(page)}px too wide"
    # The buttons can be reached and tapped on a phone.
    complete = page.locator("#step-work").get_by_role("button", name=tr("Complete"), exact=True)
    complete.scroll_into_view_if_needed()
    box = complete.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    full_screenshot(page, screenshot_dir / "procedures-step-phone.png")

    # A step whose notes cite a long source URL (日本年金機構) must wrap it.
    with tenancy.activate(onboarding.org):
        shaho = Step.objects.get(run=run, key=SHAHO)
    page.goto(reverse("procedures:step_detail", args=[shaho.pk]))
    expect(page.locator(".step-notes")).to_contain_text("nenkin.go.jp")
    assert overflow(page) <= 1, f"a step with a cited URL is {overflow(page)}px too wide"

    page.goto(reverse("procedures:run_detail", args=[run.pk]))
    assert overflow(page) <= 1, f"the run page is {overflow(page)}px too wide"
    page.goto(reverse("procedures:template_detail", args=[template.pk]))
    assert overflow(page) <= 1, f"the template page is {overflow(page)}px too wide"
    page.goto(reverse("procedures:library"))
    page.locator(f"#lib-{LIBRARY_KEY} details.tpl-statutory summary").click()
    assert overflow(page) <= 1, f"the library is {overflow(page)}px too wide"
    full_screenshot(page, screenshot_dir / "procedures-library-phone.png")

    assert list(page_errors) == []
