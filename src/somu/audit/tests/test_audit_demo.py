"""Every event the demo and a day of work record reads in words on the audit pages, for the admin
and the auditor: the demo, a bulk handover, and the operations the demo does not do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from somu.audit import catalogue
from somu.audit.models import AuditEvent
from somu.audit.presenters import present_event, present_events
from somu.audit.tests.reading import latest, shown, visible_text
from somu.core import tenancy
from somu.core.permissions import Role
from somu.expenses import models as ex
from somu.expenses.services import receipts as expense_receipts
from somu.expenses.services import registry as expense_registry
from somu.expenses.tests import registry_files
from somu.notify import services as notify_services
from somu.notify.webhooks import webhook_delete, webhook_save
from somu.org import invitations
from somu.org import services as org_services
from somu.org import services_positions as positions
from somu.org.demo import DEMO_SLUG
from somu.org.importing import people_import
from somu.org.models import (
    Department,
    EmploymentType,
    Grade,
    Membership,
    Organization,
    Person,
    Skill,
    User,
)
from somu.procedures.models import Schedule, Step, StepState, Template
from somu.procedures.selectors.templates import version_spec
from somu.procedures.services import handover, schedules
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services
from somu.shell.demo import ensure_demo
from somu.survey import services as survey_services
from somu.survey.importing_inventory import task_import
from somu.survey.models import Respondent, ResponseStatus, RoundStatus, SurveyRound, Task

TODAY = dt.date(2026, 3, 2)


# ---- every event of the demo and of a handover renders, in words -----------------------------


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker) -> Iterator[int]:  # type: ignore[no-untyped-def]
    """The demo, a bulk handover (吉田 → 中村) and the operations the demo does not do.

    Built once for this module (the demo takes seconds) in a transaction rolled back at its end;
    each test runs in a savepoint inside it, as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_demo(today=TODAY)
        org = Organization.objects.get(slug=DEMO_SLUG)
        admin = User.objects.get(username="admin")
        with tenancy.activate(org):
            people = {p.employee_number: p for p in Person.objects.all()}
            yoshida, nakamura = people["S0034"], people["S0006"]
            plan = handover.handover_preview(from_person=yoshida, to_person=nakamura,
                                             effective_date=TODAY, today=TODAY)
            assert plan.can_execute and plan.items
            handover.handover_execute(actor=admin, from_person=yoshida, to_person=nakamura,
                                      effective_date=TODAY, today=TODAY, note="4/1付 異動")
            _operations_the_demo_does_not_do(admin, org, people)
        yield org.pk
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_module: int, db: None) -> Organization:
    return Organization.objects.get(pk=demo_module)


# Recorded by the code but not produced by the scenario above: each needs more setup than it is
# worth here (mail, a failing launch, an hours file); their keys are in the catalogue.
NOT_IN_THE_SCENARIO = {
    "company_holiday.update",  # no page or API changes a holiday yet
    "delivery.retry",  # needs a failed delivery
    "schedule.launch_failed",  # needs a launch that fails
    "survey_round.import",  # needs an hours workbook
}


def _operations_the_demo_does_not_do(admin: User, org: Organization,
                                     people: dict[str, Person]) -> None:
    person = people["S0053"]
    grades = list(Grade.objects.order_by("sort_order"))
    org_services.person_update(actor=admin, person=person, data={
        "grade": grades[-1], "employment_type": EmploymentType.CONTRACT,
        "manager": people["S0006"], "hire_date": dt.date(2020, 4, 1)})
    org_services.person_retire(actor=admin, person=person, retired_on=TODAY)
    org_services.person_reinstate(actor=admin, person=person)
    org_services.grade_save(actor=admin, grade=grades[0], data={"hourly_cost": 2500})
    org_services.grade_delete(actor=admin, grade=org_services.grade_save(
        actor=admin, grade=None, data={"code": "X1", "name": "臨時", "hourly_cost": 1000,
                                       "difficulty_min": 1, "difficulty_max": 2}))
    org_services.organization_update(actor=admin, organization=org,
                                     data={"standard_monthly_hours": 150})
    advisor = positions.position_save(actor=admin, position=None, data={"name": "顧問",
                                                                        "rank": 2})
    positions.position_save(actor=admin, position=advisor, data={"rank": 3})
    positions.position_delete(actor=admin, position=advisor)
    holiday = org_services.company_holiday_add(actor=admin, name="創立記念日", month=6, day=1)
    org_services.company_holiday_delete(actor=admin, holiday=holiday)
    membership = Membership.objects.get(user=admin)
    token, _raw = org_services.api_token_create(actor=admin, membership=membership, name="連携")
    org_services.api_token_revoke(actor=admin, token=token)
    department = org_services.department_create(actor=admin, name="臨時部署")
    org_services.department_update(actor=admin, department=department, data={"code": "999"})
    org_services.department_delete(actor=admin, department=department)

    _approvals_the_demo_does_not_do(admin, people)
    _expenses_the_demo_does_not_do(admin, people)

    schedule = Schedule.objects.order_by("pk").first()
    assert schedule is not None
    schedules.schedule_save(actor=admin, schedule=schedule, today=TODAY, data={
        "rule": {"kind": "yearly", "month": 11, "day": 1, "roll": "previous"}, "active": False})
    template = Template.objects.order_by("pk").last()
    assert template is not None
    template_services.template_archive(actor=admin, template=template)
    template_services.template_archive(actor=admin, template=template, archived=False)
    step = Step.objects.filter(state=StepState.READY).order_by("pk").first()
    assert step is not None
    step_services.step_comment(actor=admin, step=step, text="確認しました")
    step_services.step_attach(actor=admin, step=step, upload=SimpleUploadedFile(
        "領収書.pdf", b"%PDF-1.4 demo", content_type="application/pdf"))
    step_services.step_reassign(actor=admin, step=step, assignee=people["S0034"])
    hook = webhook_save(actor=admin, webhook=None, data={
        "name": "総務チャンネル", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X"})
    webhook_save(actor=admin, webhook=hook, data={"active": False})
    webhook_delete(actor=admin, webhook=hook)
    schedules.schedule_delete(actor=admin, schedule=schedule)

    org_services.department_move(actor=admin, department=Department.objects.filter(
        parent__isnull=False).order_by("sort_order", "name").last(), direction=-1)
    skill = Skill.objects.order_by("pk").first()
    assert skill is not None
    org_services.skill_save(actor=admin, skill=skill, data={"description": "社内研修あり"})
    org_services.person_skill_set(actor=admin, person=person, skill=skill, level=3)
    staff = User.objects.get(username="staff")
    org_services.membership_set(actor=admin, user=staff, role=Role.MANAGER,
                                person=people["S0034"])
    org_services.user_password_set(actor=admin, membership=Membership.objects.get(user=staff),
                                   password="a new password 4 staff")
    org_services.membership_deactivate(actor=admin, membership=Membership.objects.get(
        user=User.objects.get(username="employee")))
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(10)))
    invitation, _url, _sent = invitations.invitation_create(
        actor=admin, email="newcomer@sample.example", role=Role.EMPLOYEE,
        person=people["S0053"], now=now)
    invitations.invitation_accept_new_account(invitation=invitation, username="newcomer",
                                              password="a long new password 1",
                                              password_confirmation="a long new password 1",
                                              now=now)
    cancelled, _url, _sent = invitations.invitation_create(
        actor=admin, email="later@sample.example", role=Role.STAFF, now=now)
    invitations.invitation_revoke(actor=admin, invitation=cancelled, now=now)
    people_import(actor=admin, filename="中途入社.csv",
                  source="社員番号,氏名,雇用形態\r\nZ001,新人 太郎,パート\r\n".encode())
    task_import(actor=admin, filename="業務一覧.csv",
                source="部門,大分類,中分類,業務名\r\n総務,庶務,文書,監査ログの確認\r\n".encode())
    task = Task.objects.get(name="監査ログの確認")
    survey_services.task_save(actor=admin, task=task, data={"difficulty": 4, "remote_ok": True})
    survey_services.task_delete(actor=admin, task=task)
    survey_round = survey_services.round_save(actor=admin, survey_round=None, data={
        "name": "臨時調査", "status": RoundStatus.DRAFT})
    survey_services.round_save(actor=admin, survey_round=survey_round, today=TODAY,
                               data={"status": RoundStatus.OPEN, "due_on": TODAY})
    survey_services.round_delete(actor=admin, survey_round=survey_round)
    open_round = SurveyRound.objects.get(status=RoundStatus.OPEN)
    survey_services.respondents_remind(actor=admin, survey_round=open_round)
    survey_services.reopen(actor=admin, respondent=Respondent.objects.filter(
        round=open_round, status=ResponseStatus.SUBMITTED).first())
    done = Step.objects.filter(state=StepState.DONE, run__status="running").order_by("pk").first()
    assert done is not None
    step_services.step_reopen(actor=admin, step=done, reason="確認漏れ")
    notify_services.preferences_save(actor=admin, person=Person.objects.order_by("pk").first(),
                                     data={"procedures.step_decided":
                                           {"in_app": False, "email": "digest"}})


def _approvals_the_demo_does_not_do(admin: User, people: dict[str, Person]) -> None:
    from somu.approvals import exporting, rules_excel
    from somu.approvals import models as ap
    from somu.approvals.selectors import RequestFilter
    from somu.approvals.services import decisions, delegations, requests, types

    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(11)))
    admin_m = Membership.objects.select_related("person").get(user=admin)

    def as_person(number: str) -> Membership:  # a demo person without a login
        return Membership(person=people[number], role=Role.EMPLOYEE)

    laptops = ap.Request.objects.get(title="営業用ノートPC 3台")
    decisions.stage_add_participant(membership=as_person("S0005"), request=laptops,
                                    stage=laptops.stages.get(kind="consult"),
                                    person=people["S0027"], now=now)
    requests.attachment_downloaded(membership=admin_m, attachment=laptops.attachments.first())
    draft = ap.Request.objects.get(title="外付けモニター 2台")
    saito = as_person("S0053")
    attachment = requests.attachment_add(membership=saito, request=draft, now=now,
                                         upload=SimpleUploadedFile("見積.pdf", b"%PDF-1.4 x"))
    requests.attachment_remove(membership=saito, attachment=attachment)
    requests.request_delete(membership=saito, request=draft)
    purchase = ap.RequestType.objects.get(code="purchase")
    types.request_type_save(membership=admin_m, request_type=purchase,
                            data={"description": "備品・消耗品の購入"})
    delegations.delegation_revoke(membership=admin_m, delegation=ap.Delegation.objects.get(),
                                  now=now)
    workbook = rules_excel.rules_export(version=ap.RuleVersion.objects.latest("number"),
                                        actor=admin, today=TODAY)
    rules_excel.rules_import(membership=admin_m, source=workbook, filename="規程.xlsx",
                             effective_from=TODAY + dt.timedelta(days=30), now=now)
    exporting.requests_export_record(membership=admin_m, fmt="xlsx", count=3,
                                     flt=RequestFilter.parse({"state": "approved", "q": "PC"}))
    decisions.post_review_complete(membership=as_person("S0014"),
                                   post_review=ap.PostReview.objects.get(), flag=True,
                                   comment="見積の比較が必要でした", now=now)


def _expenses_the_demo_does_not_do(admin: User, people: dict[str, Person]) -> None:
    now = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(11)))
    admin_m = Membership.objects.select_related("person").get(user=admin)
    saito = Membership(person=people["S0053"], role=Role.EMPLOYEE)
    draft = ex.Claim.objects.get(request__title="12月分 交通費（作成中）")
    receipt = expense_receipts.receipt_add(
        membership=saito, claim=draft.pk, now=now,
        upload=SimpleUploadedFile("領収書.pdf", b"%PDF-1.4 x"))
    expense_receipts.receipt_downloaded(membership=admin_m, receipt=receipt)
    expense_receipts.receipt_remove(membership=saito, receipt=receipt)
    # 締め: the demo closed a period; its journal, and the search's ZIP.
    from somu.expenses.selectors.search import search_params
    from somu.expenses.services import exports, search_export

    period = ex.Period.objects.get()
    exports.period_export(membership=admin_m, period=period, what="yayoi")
    search_export.search_export(membership=admin_m, params=search_params({}))
    # The set-up: an account and a rule added, changed, moved and removed; settings; names.
    from somu.expenses.services import admin as expense_admin

    account = expense_admin.account_save(membership=admin_m, now=now, data={
        "code": "7999", "name": "監査用科目", "role": "", "default_tax_rate": "taxable_10",
        "allowed_tax_rates": ["taxable_10"]})
    expense_admin.account_save(membership=admin_m, account=account, now=now, data={
        "code": "7999", "name": "監査用科目（改）", "role": "", "default_tax_rate": "taxable_10",
        "allowed_tax_rates": ["taxable_10"]})
    expense_admin.account_delete(membership=admin_m, account=account)
    rule = expense_admin.rule_save(membership=admin_m, now=now, data={
        "kind": "duplicate", "severity": "warning", "text": "監査用の規程"})
    expense_admin.rule_save(membership=admin_m, rule=rule, now=now, data={
        "kind": "duplicate", "severity": "error", "text": "監査用の規程（改）"})
    expense_admin.rule_move(membership=admin_m, rule=rule, up=True)
    expense_admin.settings_save(membership=admin_m, now=now, data={"retention_years": 10})
    expense_admin.journal_names_save(membership=admin_m, vendor="yayoi", now=now,
                                     names={"account:7410": "旅費交通費（監査）"})
    # The invoice registry is imported by the deployment's operator, into every organization's log.
    expense_registry.registry_import(
        files=[expense_registry.RegistryFile("zenken.csv", registry_files.stream(
            registry_files.FULL))], kind="full", actor=None)


def test_every_event_of_the_demo_and_a_handover_renders_in_words_for_admin_and_auditor(
        demo, client_as):
    with tenancy.activate(demo):
        events = list(AuditEvent.objects.order_by("seq"))
        views = present_events(events)
    kinds = {(e.action, e.object_type) for e in events}
    assert ("procedure_handover.execute", "procedures.handover") in kinds
    unknown = sorted({(v.event.action, r.label) for v in views for r in v.changes if not r.known}
                     | {(v.event.action, "") for v in views if not v.action_known})
    assert unknown == [], "name these in somu/audit/catalogue.py"
    actions = {e.action for e in events}
    # What this scenario does not do is listed, so that a new action is rendered here or named.
    assert set(catalogue.ACTIONS) - actions == NOT_IN_THE_SCENARIO

    for username in ("admin", "auditor"):
        client = client_as(User.objects.get(username=username), demo)
        pages = -(-len(events) // 50)
        for page in range(1, pages + 1):
            response = client.get(reverse("audit:event_list"), {"page": page})
            assert response.status_code == 200
            text = visible_text(response.content.decode())
            assert [a for a in actions if a in text] == []
        for event in events:
            response = client.get(reverse("audit:event_detail", args=[event.pk]))
            assert response.status_code == 200, (event.action, event.changes)
            assert event.action not in visible_text(response.content.decode())


def test_the_handover_event_shows_who_handed_over_to_whom_and_its_counts(demo, client_as, tr):
    event = latest(demo, "procedure_handover.execute")
    client = client_as(User.objects.get(username="auditor"), demo)
    response = client.get(reverse("audit:event_detail", args=[event.pk]))
    assert response.status_code == 200
    view = response.context["view"]
    assert view.action == tr("Handover executed")
    rows = {label: after for label, _before, after in shown(view)}
    assert rows[tr("handed over by")] == "吉田 翔太 (S0034)"
    assert rows[tr("handed over to")] == "中村 恵子 (S0006)"
    assert rows[tr("handover items")] == str(event.changes["items"][1])
    assert rows[tr("effective date")] == TODAY.isoformat()
    # the handover's own page, linked from the event
    assert view.object.url == reverse("procedures:handover_detail", args=[event.object_id])


def test_a_step_handed_over_names_the_people_and_links_the_handover(demo, tr):
    event = latest(demo, "procedure_step.hand_over")
    with tenancy.activate(demo):
        view = present_event(event)
    assignee = next(r for r in view.changes if r.label == tr("assignee"))
    assert (assignee.before.text, assignee.after.text) == ("吉田 翔太 (S0034)", "中村 恵子 (S0006)")
    assert assignee.after.url == reverse("org:person_detail", args=[event.changes["assignee"][1]])
    link = next(r for r in view.changes if r.label == tr("Handover"))
    assert link.after.url == reverse("procedures:handover_detail",
                                     args=[event.changes["handover"][1]])


def test_a_handover_is_named_by_its_people_without_an_arrow_of_its_own(demo, client_as, tr):
    """The change row already draws "before → after": a name with its own arrow read as two."""
    step_event = latest(demo, "procedure_step.hand_over")
    with tenancy.activate(demo):
        view = present_event(step_event)
    link = next(r for r in view.changes if r.label == tr("Handover"))
    assert link.after.text == tr("Handover from %(from)s to %(to)s") % {
        "from": "吉田 翔太", "to": "中村 恵子"}
    assert "→" not in link.after.text
    event = latest(demo, "procedure_handover.execute")
    page = client_as(User.objects.get(username="auditor"), demo).get(
        reverse("audit:event_detail", args=[event.pk])).content.decode()
    assert tr("Handover from %(from)s to %(to)s") % {"from": "吉田 翔太", "to": "中村 恵子"} in page


def test_an_event_page_is_titled_by_its_labelled_sequence_number(demo, client_as, tr):
    event = latest(demo, "procedure_handover.execute")
    page = client_as(User.objects.get(username="auditor"), demo).get(
        reverse("audit:event_detail", args=[event.pk])).content.decode()
    heading = page[page.index("<h1>") + 4:page.index("</h1>")]
    assert heading == tr("Audit event, sequence no. %(seq)s") % {"seq": event.seq}
    assert f"#{event.seq}" not in page


def test_the_organizations_slug_is_not_called_a_slug(demo, tr):
    with tenancy.activate(demo):
        event = AuditEvent.objects.filter(action="organization.create").earliest("seq")
        view = present_event(event)
    labels = [r.label for r in view.changes]
    assert "スラッグ" not in labels and "slug" not in labels
    assert tr("slug") in labels and tr("slug") != "slug"


def test_a_schedule_shows_its_rule_in_words_and_its_switch_as_yes_or_no(demo, tr):
    event = latest(demo, "schedule.update")
    with tenancy.activate(demo):
        view = present_event(event)
    rows = {label: (before, after) for label, before, after in shown(view)}
    assert view.action == tr("Schedule updated")
    assert rows[tr("recurrence")] == (
        tr("Every month on business day %(n)d", n=3),
        tr("Every year on %(month)d/%(day)d", month=11, day=1)
        + tr(" (the business day before, if not a business day)"))
    assert rows[tr("active")] == (tr("Yes"), tr("No"))


def test_a_runs_parameters_name_the_person_and_say_yes_or_no(demo, tr):
    with tenancy.activate(demo):
        event = next(e for e in AuditEvent.objects.filter(action="procedure_run.launch")
                     if "入社者" in e.changes["params"][1])
        hire = Person.objects.get(pk=event.changes["params"][1]["入社者"])
        view = present_event(event)
    params = next(r for r in view.changes if r.label == tr("parameters"))
    assert params.before is None  # a launch: nothing before
    assert f"入社者: {hire.name}" in params.after.text
    # the template's labels for its parameters, and yes/no for a boolean
    assert f"健康保険・厚生年金保険に加入する: {tr('Yes')}" in params.after.text
    assert f": {hire.pk}{tr(', ')}" not in params.after.text


def test_a_chat_webhooks_url_is_never_shown(demo, client_as, tr):
    event = latest(demo, "webhook.create")
    body = client_as(User.objects.get(username="auditor"), demo).get(
        reverse("audit:event_detail", args=[event.pk])).content.decode()
    assert "hooks.slack.com" not in body
    with tenancy.activate(demo):
        rows = {label: after for label, _before, after in shown(present_event(event))}
    assert rows["URL"] == tr("(set, not shown)")
    assert rows[tr("API token")] == "—"  # none was set


def test_a_person_update_shows_labels_names_and_choice_labels(demo, tr):
    event = latest(demo, "person.update")
    with tenancy.activate(demo):
        view = present_event(event)
        person = Person.objects.get(pk=event.object_id)
    rows = {label: (before, after) for label, before, after in shown(view)}
    assert rows[tr("employment type")] == (tr("Regular employee"), tr("Contract employee"))
    assert rows[tr("manager")][1] == "中村 恵子 (S0006)"
    assert rows[tr("hire date")][1] == "2020-04-01"
    assert rows[tr("grade")][1] == str(person.grade)
    assert view.object.url == reverse("org:person_detail", args=[person.pk])


def test_a_grade_cost_is_shown_in_yen(demo, tr):
    event = latest(demo, "grade.update")
    with tenancy.activate(demo):
        view = present_event(event)
    before = event.changes["hourly_cost"][0]
    assert before >= 1000
    assert shown(view) == [(tr("hourly cost (yen)"), f"¥{before:,}", "¥2,500")]


def test_a_saved_step_names_the_ticked_items_and_its_form_fields(demo, tr):
    with tenancy.activate(demo):
        event = AuditEvent.objects.filter(action="procedure_step.save",
                                          changes__has_key="checklist_done").latest("seq")
        view = present_event(event)
        step = Step.objects.select_related("run__version").get(pk=event.object_id)
        spec = version_spec(step.run.version).step(step.key)
    assert spec is not None
    ticked = event.changes["checklist_done"][1]
    assert ticked
    rows = {label: (before, after) for label, before, after in shown(view)}
    assert rows[tr("checklist items done")] == (
        tr("(none)"), tr(", ").join(spec.checklist[i] for i in ticked))
    entries = rows[tr("form entries")][1]
    recorded = event.changes["form_values"][1]
    labelled = [f for f in spec.form if f.key in recorded]
    assert labelled
    for field in labelled:
        assert f"{field.label}: " in entries
        assert f"{field.key}: " not in entries
