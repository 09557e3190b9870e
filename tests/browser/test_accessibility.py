"""Every page passes an axe-core scan for WCAG 2.1 A and AA, and a keyboard user can reach the
content: the skip link is the first Tab stop, a focused questionnaire field is never under the
sticky total bar, and each of the questionnaire's 116 rows names its fields by its task.

The scan walks EVERY page route of somu.urls (the isolation walker's list), filled with the ids of
real demo records, so a new page is scanned the day it is mounted. A route whose path parameter
``DEMO_IDS`` does not know fails the test: add one when you add a route.

axe-core is vendored under ``vendor/`` for the tests only (MPL-2.0, see its LICENSE there);
the app never serves it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect
from test_isolation import NON_ID_KWARGS, fill, page_routes, params_of

from somu.approvals.models import Attachment as RequestAttachment
from somu.approvals.models import Delegation, PostReview, Request, RequestType, RuleVersion
from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role
from somu.expenses.models import Account
from somu.expenses.models import Account as ExpenseAccount
from somu.expenses.models import Period as ExpensePeriod
from somu.expenses.models import Rule as ExpenseRule
from somu.expenses.services import claims as expense_claims
from somu.expenses.services import receipts as expense_receipts
from somu.notify import services as notify_services
from somu.notify import webhooks
from somu.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from somu.org import invitations
from somu.org import services as org_services
from somu.org.demo import DEMO_SLUG
from somu.org.models import (
    CompanyHoliday,
    Department,
    Grade,
    Membership,
    Organization,
    Person,
    Position,
    Skill,
    User,
)
from somu.plans.models import Item, Kpi, KpiReading, Report, Scenario
from somu.plans.models import Review as PlanReview
from somu.procedures.models import (
    Run,
    Schedule,
    Step,
    StepKind,
    StepState,
    Template,
)
from somu.procedures.services import handover as procedure_handover
from somu.procedures.services import steps as step_services
from somu.shell.demo import DemoLogin, ensure_demo
from somu.survey.models import RoundStatus, SurveyRound, Task

if TYPE_CHECKING:
    from browser.conftest import PageErrors

pytestmark = pytest.mark.browser

DEMO_DAY = dt.date(2026, 12, 5)
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The demo account that answers the open survey round and works steps (吉田 翔太, 総務部).
RESPONDENT = "staff"
# Pages only a person answering the survey can open (the demo admin is no person): scanned as
# ``RESPONDENT`` after the admin's walk.
RESPONDENT_ROUTES = frozenset({"/survey/answer/<int:round_id>/"})
# The demo account that files requests (斎藤 優花, 第一営業課): only a request's own requester
# edits it, and only a draft; scanned as ``REQUESTER`` with the draft of ``REQUESTER_DRAFT``.
REQUESTER = "employee"
REQUESTER_DRAFT = "外付けモニター 2台"
REQUESTER_ROUTES = frozenset({"/approvals/requests/<int:request_id>/edit/"})
# Pages of the deployment rather than of an organization: only its operators (superusers) open
# them; scanned as ``OPERATOR``, a superuser the scan makes.
OPERATOR = "operator"
OPERATOR_ROUTES = frozenset({"/expenses/registry/"})
# The demo account with a request waiting for its decision (中村 恵子, 総務部長).
APPROVER = "manager"
APPROVER_WAITING = "会議室プロジェクター"
# Routes that answer a GET with a redirect, not a page.
REDIRECTS = frozenset({"/i18n/setlang/", "/favicon.ico",
                       "/notifications/<int:notification_id>/open/",
                       # without ?file= it goes back to the period to choose a file
                       "/expenses/periods/<int:period_id>/download/"})
# Pages that answer 500 on the scan's data today: the query that avoids the broken record (the
# page is scanned with it), and why. The scan FAILS once the page renders again unfiltered, so the
# entry is removed.
KNOWN_BROKEN: dict[str, tuple[str, str]] = {}


@dataclass
class DemoRecords:
    """One record of each kind in the demo's 株式会社サンプル, the richest one where it matters."""

    login: DemoLogin
    organization: Organization
    ids: dict[str, Any]


# Path parameters → the demo record a page is scanned with.
DEMO_IDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "person_id": lambda r: Person.objects.order_by("pk").first(),
    "department_id": lambda r: Department.objects.order_by("pk").first(),
    "grade_id": lambda r: Grade.objects.order_by("pk").first(),
    "position_id": lambda r: Position.objects.order_by("rank", "pk").first(),
    "skill_id": lambda r: Skill.objects.order_by("pk").first(),
    "holiday_id": lambda r: CompanyHoliday.objects.order_by("pk").first(),
    "token_id": lambda r: r["token"],
    "event_id": lambda r: AuditEvent.objects.filter(object_type="org.person").order_by(
        "seq").last(),
    "membership_id": lambda r: r["membership"],
    # The open round: its questionnaire lists every task of the inventory.
    "round_id": lambda r: SurveyRound.objects.get(status=RoundStatus.OPEN),
    "task_id": lambda r: Task.objects.order_by("pk").first(),
    # 入社手続き: the largest dependency graph.
    "template_id": lambda r: Template.objects.get(name="入社手続き"),
    "run_id": lambda r: Run.objects.filter(template__name="入社手続き").first(),
    # A step still to be done, so its page shows the form, the checklist and the buttons.
    "step_id": lambda r: r["step"],
    "attachment_id": lambda r: r["attachment"],
    "schedule_id": lambda r: Schedule.objects.order_by("pk").first(),
    "handover_id": lambda r: r["handover"],
    "webhook_id": lambda r: r["webhook"],
    "delivery_id": lambda r: r["delivery"],
    "notification_id": lambda r: r["notification"],
    "invitation_id": lambda r: r["invitation"],
    # 購入申請: amount, 区分, fields and a follow-up procedure.
    "type_id": lambda r: RequestType.objects.get(code="purchase"),
    # In progress with an attachment, a 合議 half agreed and stages still to come.
    "request_id": lambda r: Request.objects.get(title="営業用ノートPC 3台"),
    "request_attachment_id": lambda r: RequestAttachment.objects.filter(
        request__title="営業用ノートPC 3台").first(),
    # The 後閲 of the chairs the 部長 decided in the 課長's place.
    "review_id": lambda r: PostReview.objects.filter(
        request__title="営業フロア用チェア 2脚").first(),
    "delegation_id": lambda r: Delegation.objects.order_by("pk").first(),
    "version_id": lambda r: RuleVersion.objects.order_by("-number").first(),
    # The expense set-up the demo starts with (the default chart of accounts and rules).
    "expense_account_id": lambda r: ExpenseAccount.objects.order_by("sort_order", "pk").first(),
    "expense_rule_id": lambda r: ExpenseRule.objects.order_by("number").first(),
    "period_id": lambda r: ExpensePeriod.objects.order_by("pk").first(),
    # A draft 経費精算 of ``REQUESTER`` with a 交際費 line, a receipt and its reading's proposal.
    "claim_id": lambda r: r["claim"],
    "line_id": lambda r: r["line"],
    "receipt_id": lambda r: r["receipt"],
    # The improvement plan: a computed KPI (its trend over the two closed rounds), a manual
    # KPI's reading, the review held on them, the 標準化 item closed by a template in use, the
    # hand-built scenario and the quarterly 活動報告.
    "kpi_id": lambda r: Kpi.objects.filter(archived=False).order_by("order", "pk").first(),
    "reading_id": lambda r: KpiReading.objects.order_by("pk").first(),
    "plan_review_id": lambda r: PlanReview.objects.order_by("pk").first(),
    "item_id": lambda r: Item.objects.filter(kind="standardize", status="done").first(),
    "scenario_id": lambda r: Scenario.objects.filter(source="manual").order_by("pk").first(),
    "report_id": lambda r: Report.objects.filter(period="quarter").first(),
}


def _demo_records() -> DemoRecords:
    """The demo on ``DEMO_DAY``, plus what it has none of: an attachment, a token, a webhook, a
    failed delivery and a handover."""
    login = ensure_demo(today=DEMO_DAY)
    organization = Organization.objects.get(slug=DEMO_SLUG)
    admin = User.objects.get(username=login.username)
    extra: dict[str, Any] = {}
    with tenancy.activate(organization):
        step = (Step.objects.filter(state=StepState.READY, kind=StepKind.TASK,
                                    run__template__name="入社手続き")
                .order_by("pk").first())
        assert step is not None
        extra["step"] = step
        extra["attachment"] = step_services.step_attach(
            actor=admin, step=step, upload=ContentFile(b"scan", name="雇用契約書.pdf"))
        extra["membership"] = Membership.objects.get(user=admin)
        extra["token"], _raw = org_services.api_token_create(
            actor=admin, membership=extra["membership"], name="表計算の取り込み")
        extra["webhook"] = webhooks.webhook_save(actor=admin, webhook=None, data={
            "name": "総務チャンネル", "kind": "slack", "active": True, "token": "",
            "url": "https://hooks.slack.com/services/T0/B0/demo"})
        extra["delivery"] = Delivery.objects.create(
            channel=DeliveryChannel.WEBHOOK, webhook=extra["webhook"], day=DEMO_DAY,
            subject="期限の近いタスク", body="3件", status=DeliveryStatus.FAILED,
            attempts=3, last_error="HTTP 500")
        extra["notification"] = notify_services.notify(
            recipient=extra["membership"].person, kind="procedures.step_assigned",
            title="「雇用契約書の回収」があなたの担当になりました", body=step.run.name,
            url=f"/procedures/steps/{step.pk}/", about=step)
        holder = Step.objects.filter(state=StepState.READY).exclude(assignee=None).first()
        assert holder is not None and holder.assignee is not None
        successor = Person.objects.filter(department=holder.assignee.department).exclude(
            pk=holder.assignee.pk).first()
        assert successor is not None
        extra["handover"] = procedure_handover.handover_execute(
            actor=admin, from_person=holder.assignee, to_person=successor,
            effective_date=DEMO_DAY, today=DEMO_DAY, note="異動のため")
        # Its link's token opens the invitation page (and is an invalid password-reset link).
        extra["invitation"], url, _sent = invitations.invitation_create(
            actor=admin, email="newcomer@sample.example", role=Role.EMPLOYEE,
            # The page checks the link against the clock it runs on: so must its making.
            now=timezone.now())
        extra.update(_expense_claim())
        ids = {name: _pk(get(extra)) for name, get in DEMO_IDS.items()}
    token = url.rstrip("/").rsplit("/", 1)[-1]
    return DemoRecords(login, organization, {**ids, **NON_ID_KWARGS, "token": token})


def _expense_claim() -> dict[str, Any]:
    """A draft claim of ``REQUESTER`` (the demo has no claims yet): a line, a receipt whose
    reading proposed a line, and a 交際費 line so the per-person amount shows."""
    requester = Membership.objects.get(user__username=REQUESTER)
    now = timezone.make_aware(dt.datetime(2026, 12, 4, 18, 0))
    claim = expense_claims.claim_create(membership=requester, kind="claim",
                                        title="12月分 経費精算", now=now)
    receipt = expense_receipts.receipt_add(
        membership=requester, claim=claim.pk,
        upload=SimpleUploadedFile("領収書.pdf", b"%PDF-1.4 receipt", "application/pdf"), now=now)
    receipt.proposal = {"date": "2026-12-03", "amount": 8800, "payee": "レストラン山田",
                        "registration_number": "T7010001008844"}
    receipt.save(update_fields=["proposal"])
    line = expense_claims.line_save(membership=requester, claim=claim, data={
        "date": "2026-12-03", "payee": "レストラン山田", "purpose": "取引先との会食",
        "account": Account.objects.get(code="7450").pk, "amount": 8800, "participants": 4,
        "registration_number": "T7010001008844", "receipt": receipt.pk},
        today=DEMO_DAY, now=now)
    return {"claim": claim, "line": line, "receipt": receipt}


def _pk(record: Any) -> int:
    assert record is not None, "the demo has no such record: give the scan one"
    return int(record.pk)


@dataclass(frozen=True)
class Scan:
    route: str
    url: str


def _pages_to_scan(records: DemoRecords, admin: User) -> tuple[list[Scan], list[str]]:
    """The routes that render a whole HTML page for the admin (a fast first pass with Django's
    test client), and the problems: routes that cannot be scanned and should be."""
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    session = client.session
    session["organization_id"] = records.organization.pk
    session.save()
    scans, problems = [], []
    for route in page_routes():
        unknown = [n for n in params_of(route) if n not in records.ids]
        if unknown:
            problems.append(f"{route}: add {unknown} to DEMO_IDS")
            continue
        url = fill(route, records.ids)
        response = client.get(url)
        if route in KNOWN_BROKEN:
            if response.status_code != 500:
                problems.append(f"{route} renders again: remove it from KNOWN_BROKEN")
            url += KNOWN_BROKEN[route][0]
            response = client.get(url)
        if route in RESPONDENT_ROUTES or route in REQUESTER_ROUTES or route in OPERATOR_ROUTES:
            continue
        if response.status_code == 405:  # an action (POST only)
            continue
        if response.status_code in (301, 302) and route in REDIRECTS:
            continue
        if response.status_code != 200:
            problems.append(f"{route}: {url} answers {response.status_code} to the admin")
            continue
        whole_page = (not response.streaming and response["Content-Type"].startswith("text/html")
                      and b"<html" in response.content[:500])
        if whole_page:
            scans.append(Scan(route, url))
    return scans, problems


def _axe_violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one readable line each."""
    # axe checks only what is rendered: open every folded section (the questionnaire's rows,
    # a step's side panels), and show one questionnaire row's twelve monthly inputs.
    page.evaluate("""() => {
        document.querySelectorAll('details:not([open])').forEach(d => { d.open = true; });
        const varies = document.querySelector('.q-varies:not(:checked)');
        if (varies) varies.click();
    }""")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')),
                summary: v.nodes.length ? v.nodes[0].failureSummary : ''}));
        }""",
        WCAG_21_AA,
    )
    lines = []
    for v in result:
        targets = ", ".join(v["targets"][:5]) + (
            f" (+{len(v['targets']) - 5} more)" if len(v["targets"]) > 5 else "")
        lines.append(f"  {v['id']} [{v['impact']}] {v['help']}: {targets}\n"
                     f"    {v['summary'].splitlines()[-1] if v['summary'] else ''}")
    return lines


def _log_in(page: Page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    expect(page).to_have_url(re.compile(r"/$"))


@pytest.fixture
def demo(transactional_db: None) -> DemoRecords:
    return _demo_records()


def test_every_page_passes_an_axe_scan_for_wcag_2_1_aa(page: Page, page_errors: PageErrors,
                                                       demo: DemoRecords) -> None:
    admin = User.objects.get(username=demo.login.username)
    scans, problems = _pages_to_scan(demo, admin)
    assert problems == []
    assert len(scans) >= 55, [s.route for s in scans]

    failures: dict[str, list[str]] = {}

    def scan(label: str, url: str) -> None:
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        check(f"{label} ({url})")

    def check(label: str) -> None:
        found = _axe_violations(page)
        if found:
            failures[label] = found

    scan("/login/", "/login/")
    _log_in(page, demo.login.username, demo.login.password)
    expect(page.locator("main h1")).to_have_text(demo.organization.name)
    for item in scans:
        scan(item.route, item.url)
    # The 404 page, as someone following a stale link sees it.
    page.goto("/procedures/runs/999999/")
    if found := _axe_violations(page):
        failures["404 page"] = found

    page.context.clear_cookies()
    _log_in(page, RESPONDENT, demo.login.password)
    for route in sorted(RESPONDENT_ROUTES):
        scan(f"{route} as {RESPONDENT}", fill(route, demo.ids))
    scan(f"/procedures/my/ as {RESPONDENT}", "/procedures/my/")
    # An approver's inbox and the 決裁 form on a request waiting for them (中村 部長).
    page.context.clear_cookies()
    _log_in(page, APPROVER, demo.login.password)
    with tenancy.activate(demo.organization):
        waiting = Request.objects.get(title=APPROVER_WAITING)
    scan(f"/approvals/inbox/ as {APPROVER}", "/approvals/inbox/")
    scan(f"a request waiting for {APPROVER}",
         fill("/approvals/requests/<int:request_id>/", {"request_id": waiting.pk}))
    page.context.clear_cookies()
    _log_in(page, REQUESTER, demo.login.password)
    with tenancy.activate(demo.organization):
        draft = Request.objects.get(title=REQUESTER_DRAFT)
    for route in sorted(REQUESTER_ROUTES):
        scan(f"{route} as {REQUESTER}", fill(route, {**demo.ids, "request_id": draft.pk}))
    # The requester's own draft claim, with its line and receipt forms.
    scan(f"the expense claim as {REQUESTER}", fill("/expenses/claims/<int:claim_id>/", demo.ids))
    # The requester's own request in progress, as its requester follows it.
    scan(f"the request as {REQUESTER}", fill("/approvals/requests/<int:request_id>/", demo.ids))
    page.context.clear_cookies()
    if not User.objects.filter(username=OPERATOR).exists():
        operator = org_services.user_create(actor=None, username=OPERATOR,
                                            password=demo.login.password, is_superuser=True)
        # A member of the demo company too: logging in lands on its home page.
        with tenancy.activate(demo.organization):
            org_services.membership_set(actor=None, user=operator, role=Role.EMPLOYEE)
    _log_in(page, OPERATOR, demo.login.password)
    for route in sorted(OPERATOR_ROUTES):
        scan(f"{route} as {OPERATOR}", route)
    page.context.clear_cookies()
    _log_in(page, RESPONDENT, demo.login.password)
    # Forms as they come back with errors: messages tied to their fields, nothing unnamed.
    page.goto(fill("/survey/answer/<int:round_id>/", demo.ids))
    page.locator("details.q-section > summary").first.click()
    page.locator("#questionnaire .q-h").first.fill("たくさん")
    page.locator("#questionnaire button[name=action][value=save]").click()
    expect(page.locator(".q-row.has-error")).to_have_count(1)
    check("the questionnaire with an error")
    page.context.clear_cookies()
    _log_in(page, demo.login.username, demo.login.password)
    page.goto("/org/people/new/")
    page.locator("main form button[type=submit].primary").click()
    expect(page.locator(".has-error").first).to_be_visible()
    check("a new person's form with errors")

    report = "\n".join(f"{where}:\n" + "\n".join(lines) for where, lines in failures.items())
    assert not failures, f"axe-core found WCAG 2.1 A/AA violations:\n{report}"
    assert [e for e in page_errors if "/procedures/runs/999999/" not in e] == []


def _in_viewport(page: Page, selector: str) -> bool:
    return bool(page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
                      return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight
                             && r.right <= innerWidth && r.width > 1 && r.height > 1; }""",
        selector))


def test_the_skip_link_is_the_first_tab_stop_and_takes_the_keyboard_to_the_content(
    page: Page, demo: DemoRecords, tr: Callable[..., str],
) -> None:
    _log_in(page, demo.login.username, demo.login.password)
    # A step page: before the skip link, its first field came after the whole navigation.
    page.goto(f"/procedures/steps/{demo.ids['step_id']}/")
    skip = page.locator("a.skip-link")
    expect(skip).to_have_text(tr("Skip to content"))
    assert not _in_viewport(page, "a.skip-link"), "the skip link shows only when focused"

    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    assert _in_viewport(page, "a.skip-link")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first_in_main = page.evaluate("""() => {
        const focusable = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
        const first = [...document.querySelectorAll(`main :is(${focusable})`)]
            .find(el => el.getClientRects().length > 0 && !el.disabled);
        return first === document.activeElement;
    }""")
    assert first_in_main, page.evaluate("() => document.activeElement.outerHTML")
    assert not _in_viewport(page, "a.skip-link")


# On a phone the bar wraps to a taller one: the padding follows it.
@pytest.mark.parametrize("screen", ["page", "phone_page"])
def test_a_focused_questionnaire_field_is_never_hidden_by_the_sticky_total_bar(
    request: pytest.FixtureRequest, screen: str, demo: DemoRecords,
) -> None:
    page: Page = request.getfixturevalue(screen)
    _log_in(page, RESPONDENT, demo.login.password)
    page.goto(f"/survey/answer/{demo.ids['round_id']}/")
    # The respondent opens the first function's section (none is open before the first answer).
    page.locator("details.q-section > summary").first.click()
    page.locator("#questionnaire .q-h").first.focus()
    hidden = []
    for _ in range(60):  # about twenty rows: well past the first screen
        page.keyboard.press("Tab")
        where = page.evaluate("""() => {
            const el = document.activeElement, bar = document.querySelector('.q-footer');
            if (bar.contains(el)) return null;
            const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
            const top = document.querySelector('.topbar').getBoundingClientRect().bottom;
            return {field: el.name || el.textContent.trim().slice(0, 30),
                    top: r.top, bottom: r.bottom, barTop: b.top, topbarBottom: top};
        }""")
        if where and (where["bottom"] > where["barTop"] or where["top"] < where["topbarBottom"]):
            hidden.append(where)
    assert hidden == []
    assert page.evaluate("() => scrollY") > 0, "the walk never left the first screen"
    assert page.evaluate("""() => parseFloat(getComputedStyle(document.documentElement)
        .scrollPaddingBottom) > document.querySelector('.q-footer').offsetHeight""")


def test_each_questionnaire_row_names_its_fields_by_its_task(
    page: Page, demo: DemoRecords, tr: Callable[..., str],
) -> None:
    _log_in(page, RESPONDENT, demo.login.password)
    page.goto(f"/survey/answer/{demo.ids['round_id']}/")
    rows = page.evaluate("""() => [...document.querySelectorAll('[data-q-row]')].map(row => ({
        task: row.querySelector('.q-name').textContent.trim(),
        level: row.querySelector('select').labels[0].textContent.trim(),
        varies: row.querySelector('.q-varies').getAttribute('aria-label'),
        months: row.querySelector('.q-months').getAttribute('aria-label'),
    }))""")
    with tenancy.activate(demo.organization):
        assert len(rows) == Task.objects.count() == 116
    assert len({r["task"] for r in rows}) == len(rows)
    wrong = [r for r in rows if (r["level"], r["varies"], r["months"]) != (
        tr("Capability for %(task)s", task=r["task"]),
        tr("%(task)s: varies by month", task=r["task"]),
        tr("%(task)s: hours per month", task=r["task"]))]
    assert wrong == []
    # As Chromium's accessibility tree names them, e.g. 「{業務名}の対応可能レベル」.
    page.locator("details.q-section > summary").first.click()
    first = page.locator("[data-q-row]").first
    task = rows[0]["task"]
    expect(first.locator("select")).to_have_accessible_name(f"{task}の対応可能レベル")
    expect(first.locator(".q-varies")).to_have_accessible_name(f"{task}：月ごとに入力")


def test_the_dependency_graph_is_a_group_of_links_named_by_step_and_what_it_waits_for(
    page: Page, demo: DemoRecords, tr: Callable[..., str],
) -> None:
    with tenancy.activate(demo.organization):
        template = Template.objects.get(pk=demo.ids["template_id"])
        spec = template.versions.order_by("-number").first().spec  # type: ignore[union-attr]
    steps = spec["steps"]
    names = {s["key"]: s["name"] for s in steps}
    _log_in(page, demo.login.username, demo.login.password)
    page.goto(f"/procedures/templates/{template.pk}/")

    graph = page.get_by_role("group", name=tr("Dependency graph"))
    expect(graph).to_have_count(1)
    assert page.locator("svg.tpl-graph").get_attribute("role") == "group"
    links = graph.get_by_role("link")
    expect(links).to_have_count(len(steps))
    waiting = next(s for s in steps if len(s.get("depends_on", [])) >= 1
                   and s.get("kind", "task") == "task")
    position = steps.index(waiting) + 1
    after = "、".join(names[d] for d in sorted(
        waiting["depends_on"], key=lambda d: [s["key"] for s in steps].index(d)))
    link = graph.get_by_role("link", name=f"{position}. {waiting['name']}: {after}の完了後",
                             exact=True)
    expect(link).to_have_attribute("href", f"#step-{waiting['key']}")
    # The keyboard reaches every box, and following one shows its step.
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{page.url.split('#')[0]}#step-{waiting['key']}")


def test_the_pages_people_use_most_pass_the_scan_on_a_phone_too(
    phone_page: Page, demo: DemoRecords,
) -> None:
    # The phone layout folds the menu and turns some tables into grids: scanned on its own.
    page = phone_page
    failures: dict[str, list[str]] = {}
    for username, routes in [
        (demo.login.username, ["/", "/org/people/", "/procedures/steps/<int:step_id>/",
                               "/procedures/runs/<int:run_id>/",
                               "/procedures/templates/<int:template_id>/",
                               "/survey/rounds/<int:round_id>/analysis/",
                               "/approvals/requests/", "/approvals/requests/<int:request_id>/"]),
        (RESPONDENT, ["/procedures/my/", "/survey/answer/<int:round_id>/"]),
        # 経費精算 is filed from a phone: the lines table scrolls inside its frame, the page
        # itself never scrolls sideways.
        (REQUESTER, ["/expenses/claims/", "/expenses/claims/<int:claim_id>/"]),
    ]:
        page.context.clear_cookies()
        _log_in(page, username, demo.login.password)
        for route in routes:
            url = fill(route, demo.ids)
            response = page.goto(url)
            assert response is not None and response.ok, url
            if found := _axe_violations(page):
                failures[url] = found
            if route.startswith("/expenses/") and page.evaluate(
                    "document.documentElement.scrollWidth > window.innerWidth + 1"):
                failures[url] = ["the page scrolls sideways on a phone"]
    report = "\n".join(f"{where}:\n" + "\n".join(lines) for where, lines in failures.items())
    assert not failures, f"axe-core found WCAG 2.1 A/AA violations on a phone:\n{report}"
