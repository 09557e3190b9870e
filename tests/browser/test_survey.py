"""A real Chromium walks through the work survey (業務調査): a person answers the questionnaire,
an administrator follows the round and reads the analysis, and the form fits a phone."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from conftest import People
from django.urls import reverse
from django.utils import translation
from django.utils.dates import MONTHS
from playwright.sync_api import Browser, Dialog, Page, expect

from browser.helpers import log_in
from somu.core import tenancy
from somu.org.models import Organization, Person, User
from somu.survey import services
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    SurveyRound,
    Task,
    WorkHours,
)

if TYPE_CHECKING:
    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser

ROUND_NAME = "2026年度 業務調査"
# 年次決算 varies by month, April … March: 2 hours a month and 38 in March, 60 / 12 = 5 a month.
SEASONAL = ["2"] * 11 + ["38"]
# What 鈴木 finally submits: 給与計算 20 + 給与振込データ作成 5 + 年次決算 5 + 勤怠締め 4.
TOTAL_HOURS = "34.0"


@dataclass
class Survey:
    org: Organization
    round: SurveyRound
    tasks: dict[str, Task]

    def task(self, name: str) -> Task:
        return self.tasks[name]

    def saved_hours(self) -> dict[str, Decimal]:
        with tenancy.activate(self.org):
            return dict(WorkHours.objects.filter(round=self.round)
                        .values_list("task__name", "hours"))

    def saved_levels(self) -> dict[str, int]:
        with tenancy.activate(self.org):
            return dict(Capability.objects.filter(round=self.round)
                        .values_list("task__name", "level"))

    def status_of(self, person: Person) -> str:
        with tenancy.activate(self.org):
            return Respondent.objects.get(round=self.round, person=person).status


@pytest.fixture
def survey(org_a: Organization, people_a: People) -> Survey:
    """An open round of organization A on the starter inventory; 鈴木 and 山田 are asked."""
    with tenancy.activate(org_a):
        services.starter_inventory_adopt(actor=None)
        survey_round = services.round_save(actor=None, survey_round=None,
                                           data={"name": ROUND_NAME})
        services.respondents_invite(actor=None, survey_round=survey_round, send_mail=False,
                                    person_ids=[people_a.suzuki.pk, people_a.yamada.pk])
        survey_round.refresh_from_db()
        tasks = {t.name: t for t in Task.objects.filter(
            name__in=["給与計算", "給与振込データ作成", "年次決算", "勤怠締め", "会計監査対応"])}
    return Survey(org_a, survey_round, tasks)


@pytest.fixture
def admin_page(browser: Browser, live_server: object, page_errors: PageErrors) -> Iterator[Page]:
    """A second desktop browser (own cookies) for another user, errors recorded with the first."""
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


def accept(dialog: Dialog) -> None:
    dialog.accept()


def test_a_person_answers_the_survey_and_an_administrator_reads_the_analysis(
    page: Page, page_errors: list[str], screenshot_dir: Path, survey: Survey, people_a: People,
    admin_page: Page, employee_a: User, admin_a: User, tr: Callable[..., str],
) -> None:
    payroll, transfer = survey.task("給与計算"), survey.task("給与振込データ作成")
    closing, attendance = survey.task("年次決算"), survey.task("勤怠締め")
    audit = survey.task("会計監査対応")

    # 鈴木 (employee_a) finds the questionnaire from the menu.
    log_in(page, "employee_a")
    page.click(f"#mainnav a[href='{reverse('survey:my_surveys')}']")
    page.get_by_role("link", name=ROUND_NAME).click()
    questionnaire_url = reverse("survey:questionnaire", args=[survey.round.pk])
    expect(page).to_have_url(re.compile(re.escape(questionnaire_url) + "$"))
    expect(page.locator("main h1")).to_contain_text(ROUND_NAME)

    # The search box narrows the long inventory down to the rows that mention the words.
    search = page.locator("#q-search")
    search.fill("給与計算")
    expect(page.locator(f"#task-{payroll.pk}")).to_be_visible()
    expect(page.locator(f"#task-{transfer.pk}")).to_be_hidden()
    expect(page.locator(f"#task-{closing.pk}")).to_be_hidden()
    page.fill(f"#hours-{payroll.pk}", "20")
    search.fill("給与")
    expect(page.locator(f"#task-{transfer.pk}")).to_be_visible()
    page.fill(f"#hours-{transfer.pk}", "5")

    # Seasonal work: "varies by month" offers the twelve months, April first.
    search.fill("年次決算")
    closing_row = page.locator(f"#task-{closing.pk}")
    closing_row.locator(".q-varies").check()
    months = closing_row.locator(".q-months input")
    expect(months).to_have_count(12)
    for i, value in enumerate(SEASONAL):
        months.nth(i).fill(value)
    page.select_option(f"#level-{closing.pk}", "3")

    # A capability on a task the person does not do now, and a mistyped figure.
    search.fill("")
    page.select_option(f"#level-{audit.pk}", "2")
    page.fill(f"#hours-{attendance.pk}", "-5")
    # The running total counts what can be read (the negative figure as 0) before saving.
    expect(page.locator("[data-q-average]")).to_have_text("30")
    page.get_by_role("button", name=tr("Save for later"), exact=True).click()

    # The error is on the row that has it, and nothing at all was saved.
    expect(page.locator(".q-summary-errors")).to_contain_text(
        tr("Some answers need correcting (marked below). Nothing has been saved yet."))
    attendance_row = page.locator(f"#task-{attendance.pk}")
    expect(attendance_row.locator(".q-errors")).to_have_text(tr("Hours cannot be negative."))
    expect(page.locator(f"#hours-{attendance.pk}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".q-errors")).to_have_count(1)
    assert survey.saved_hours() == {}
    assert survey.saved_levels() == {}
    assert survey.status_of(people_a.suzuki) == ResponseStatus.NOT_STARTED
    # What was typed is still there to correct, the twelve months included.
    expect(page.locator(f"#hours-{payroll.pk}")).to_have_value("20")
    expect(page.locator(f"input[name=m-{closing.pk}-11]")).to_have_value("38")
    page.screenshot(path=screenshot_dir / "survey-questionnaire-error.png", full_page=True)

    page.fill(f"#hours-{attendance.pk}", "4")
    page.get_by_role("button", name=tr("Save for later"), exact=True).click()
    expect(page.locator(".messages .msg-success")).to_contain_text(tr(
        "Your answers have been saved. You can come back and continue later."))
    assert survey.saved_hours() == {"給与計算": Decimal(20), "給与振込データ作成": Decimal(5),
                                     "年次決算": Decimal(5), "勤怠締め": Decimal(4)}
    assert survey.saved_levels() == {"年次決算": 3, "会計監査対応": 2}
    assert survey.status_of(people_a.suzuki) == ResponseStatus.IN_PROGRESS

    # Coming back later: every answer is as it was left.
    page.reload()
    expect(page.locator(f"#hours-{payroll.pk}")).to_have_value("20")
    expect(page.locator(f"#hours-{transfer.pk}")).to_have_value("5")
    expect(page.locator(f"#hours-{attendance.pk}")).to_have_value("4")
    expect(closing_row.locator(".q-varies")).to_be_checked()
    for i, value in enumerate(SEASONAL):
        expect(page.locator(f"input[name=m-{closing.pk}-{i}]")).to_have_value(value)
    expect(page.locator(f"#level-{closing.pk}")).to_have_value("3")
    expect(page.locator(f"#level-{audit.pk}")).to_have_value("2")
    expect(page.locator("[data-q-average]")).to_have_text("34")
    expect(page.locator("[data-q-answered]")).to_have_text("5")
    page.screenshot(path=screenshot_dir / "survey-questionnaire.png", full_page=True)

    # Submitting asks first, then shows the answers as sent.
    page.once("dialog", accept)
    page.get_by_role("button", name=tr("Submit"), exact=True).click()
    expect(page.locator(".messages .msg-success")).to_contain_text(
        tr("Thank you: your answers have been submitted."))
    expect(page.locator("main h1 .badge.resp-submitted")).to_have_text(tr("Submitted"))
    expect(page.locator("#questionnaire")).to_have_count(0)
    expect(page.get_by_role("button", name=tr("Change answers"))).to_be_visible()
    expect(page.locator(".q-readonly", has_text="経理財務")).to_contain_text("年次決算")
    assert survey.status_of(people_a.suzuki) == ResponseStatus.SUBMITTED
    page.screenshot(path=screenshot_dir / "survey-submitted.png", full_page=True)

    # The administrator sees the answers arrive, in a browser of their own.
    apage = admin_page
    log_in(apage, "admin_a")
    apage.goto(reverse("survey:round_detail", args=[survey.round.pk]))
    respondents = apage.locator("#results")
    suzuki = respondents.locator("tr", has_text="鈴木 花子")
    expect(suzuki.locator(".badge.resp-submitted")).to_have_text(tr("Submitted"))
    yamada = respondents.locator("tr", has_text="山田 太郎")
    expect(yamada.locator(".badge.resp-not_started")).to_be_visible()

    apage.get_by_role("link", name=tr("Analysis"), exact=True).click()
    expect(apage).to_have_url(re.compile(
        re.escape(reverse("survey:analysis", args=[survey.round.pk]))))
    kpis = apage.locator("#overview .kpis")
    total_tile = kpis.locator(".tile").first
    expect(total_tile).to_contain_text(tr("Total hours per month"))
    expect(total_tile.locator(".tile-num")).to_contain_text(TOTAL_HOURS)
    expect(kpis).to_contain_text("1 / 2")  # people with hours / in the round
    # ECharts draws into a canvas once its script has run.
    expect(apage.locator(".chart[data-chart=overview-function] canvas").first).to_be_visible()
    apage.screenshot(path=screenshot_dir / "survey-dashboard.png", full_page=True)

    # Every figure opens the rows it was computed from.
    total_tile.click()
    expect(apage).to_have_url(re.compile(
        re.escape(reverse("survey:analysis_rows", args=[survey.round.pk]))))
    rows = apage.locator("#results")
    for name in ("給与計算", "給与振込データ作成", "年次決算", "勤怠締め"):
        expect(rows).to_contain_text(name)
    expect(rows).to_contain_text("鈴木 花子")
    expect(rows).not_to_contain_text("山田 太郎")
    expect(apage.locator(".drill-summary .tile-num").first).to_contain_text(TOTAL_HOURS)
    apage.screenshot(path=screenshot_dir / "survey-rows.png", full_page=True)

    # A function of the chart's legend: only that function's rows.
    apage.go_back()
    apage.locator(".legend-list").get_by_role("link", name="経理財務").click()
    expect(rows).to_contain_text("年次決算")
    expect(rows).not_to_contain_text("給与計算")
    expect(apage.locator(".drill-summary .tile-num").first).to_contain_text("5.0")

    # Seasonality: March stands out.
    apage.go_back()
    apage.get_by_role("link", name=tr("Seasonality"), exact=True).click()
    expect(apage).to_have_url(re.compile(r"section=seasonality"))
    with translation.override("ja"):
        march = str(MONTHS[3])
    expect(apage.locator(".analysis .kpis .tile").first).to_contain_text(march)
    peak = apage.locator(".analysis tbody tr.row-warn")
    expect(peak).to_have_count(1)
    expect(peak).to_contain_text(march)
    expect(peak).to_contain_text("38.0")
    expect(apage.locator(".chart[data-chart=seasonality] canvas").first).to_be_visible()
    apage.screenshot(path=screenshot_dir / "survey-seasonality.png", full_page=True)

    # The printable report draws the same charts (as SVG, which prints sharp) next to its tables.
    apage.goto(reverse("survey:analysis_print", args=[survey.round.pk]))
    expect(apage.locator(".chart[data-chart=overview-function] svg").first).to_be_visible()
    expect(apage.locator(".chart[data-chart=seasonality] svg").first).to_be_visible()
    apage.emulate_media(media="print")
    apage.screenshot(path=screenshot_dir / "survey-print.png", full_page=True)

    assert list(page_errors) == []


def test_on_a_phone_the_questionnaire_does_not_scroll_sideways(
    phone_page: Page, page_errors: list[str], screenshot_dir: Path, survey: Survey,
    employee_a: User, tr: Callable[..., str],
) -> None:
    page = phone_page
    log_in(page, "employee_a")
    page.goto(reverse("survey:questionnaire", args=[survey.round.pk]))
    closing = survey.task("年次決算")
    attendance = survey.task("勤怠締め")

    def overflow() -> int:
        return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))

    assert overflow() <= 1, f"the questionnaire is {overflow()}px wider than a 390px phone"

    # The widest things on the form: twelve monthly inputs and an error message.
    page.fill("#q-search", "年次決算")
    page.locator(f"#task-{closing.pk} .q-varies").check()
    expect(page.locator(f"#task-{closing.pk} .q-months input")).to_have_count(12)
    assert overflow() <= 1, f"twelve months make the form {overflow()}px too wide"
    page.fill("#q-search", "勤怠締め")
    page.fill(f"#hours-{attendance.pk}", "-5")
    page.get_by_role("button", name=tr("Save for later"), exact=True).click()
    expect(page.locator(f"#task-{attendance.pk} .q-errors")).to_be_visible()
    assert overflow() <= 1, f"the form with an error is {overflow()}px too wide"
    page.screenshot(path=screenshot_dir / "survey-questionnaire-phone.png", full_page=True)

    assert list(page_errors) == []


def test_words_typed_before_the_page_script_runs_still_narrow_the_questionnaire(
    page: Page, page_errors: list[str], survey: Survey, employee_a: User,
) -> None:
    # A long questionnaire on a slow connection: the search box is there before its script.
    # (Seen in CI under load: the words were typed, the rows never narrowed.)
    def slow_script(route: Any) -> None:
        time.sleep(1.5)
        route.continue_()

    log_in(page, "employee_a")
    page.route("**/somu/survey.js", slow_script)
    page.goto(reverse("survey:questionnaire", args=[survey.round.pk]), wait_until="commit")
    page.locator("#q-search").fill("給与計算")
    expect(page.locator(f"#task-{survey.task('給与計算').pk}")).to_be_visible()
    expect(page.locator(f"#task-{survey.task('年次決算').pk}")).to_be_hidden()
    assert page_errors == []
