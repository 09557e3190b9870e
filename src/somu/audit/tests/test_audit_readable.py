"""The audit log is read by people: operations, fields, names and choices in words, never a code,
and no recorded change set can break the page (a key named ``items`` once did)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from somu.audit import catalogue
from somu.audit.models import AuditEvent
from somu.audit.presenters import present_event, present_events
from somu.audit.services import audit_record
from somu.audit.tests.recorded_actions import recorded_actions
from somu.core import tenancy
from somu.core.demo import ensure_demo
from somu.core.permissions import Role
from somu.org import services as org_services
from somu.org.demo import DEMO_SLUG
from somu.org.models import EmploymentType, Grade, Membership, Organization, Person, User
from somu.procedures import handover, schedules, services, transitions
from somu.procedures.models import Schedule, Step, StepState, Template
from somu.procedures.notify import webhook_delete, webhook_save

TODAY = dt.date(2026, 3, 2)


def shown(view) -> list[tuple[str, str | None, str]]:  # type: ignore[no-untyped-def]
    return [(r.label, r.before.text if r.before else None, r.after.text) for r in view.changes]


def latest(org: Organization, action: str) -> AuditEvent:
    with tenancy.activate(org):
        return AuditEvent.objects.filter(action=action).latest("seq")


def visible_text(html: str) -> str:
    """The page without its tags and attributes (a filter's option values are codes, fine)."""
    return re.sub(r"<[^>]+>", " ", html)


# ---- every action the code records has a label -----------------------------------------------


def test_every_action_the_code_records_has_a_label():
    recorded = recorded_actions()
    assert recorded.unresolved == [], "record actions as literals (or if/else of literals)"
    # The reader follows literals, f-strings, if/else, local variables and save_with_audit.
    assert {"procedure_handover.execute", "schedule.create", "schedule.update", "webhook.update",
            "procedure_run.stop", "procedure_run.cancel", "person.import"} <= set(recorded.actions)
    missing = {action: sorted(files) for action, files in recorded.actions.items()
               if action not in catalogue.ACTIONS}
    assert missing == {}, "name these actions in somu/audit/catalogue.py ACTIONS"


def test_the_catalogue_names_only_actions_the_code_records():
    assert set(catalogue.ACTIONS) - set(recorded_actions().actions) == set()


def test_every_catalogued_label_reads_in_japanese():
    labels: list[Promise] = [*catalogue.ACTIONS.values(), *catalogue.VERBS.values(),
                             *catalogue.OBJECT_TYPES.values(), *catalogue.FIELDS.values(),
                             *catalogue.FIELDS_BY_TYPE.values(),
                             *(label for label, _m, _f in catalogue.PREFIXED.values()),
                             *(v for values in catalogue.VALUE_LABELS.values()
                               for v in values.values())]
    with translation.override("ja"):
        untranslated = [str(label) for label in labels if str(label).isascii()]
    assert untranslated == []


# ---- every event of the demo and of a handover renders, in words -----------------------------


@pytest.fixture
def demo(db) -> Organization:  # type: ignore[no-untyped-def]
    """The demo, a bulk handover (吉田 → 中村) and the operations the demo does not do."""
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
    return org


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
    org_services.organization_update(actor=admin, organization=org,
                                     data={"standard_monthly_hours": 150})
    holiday = org_services.company_holiday_add(actor=admin, name="創立記念日", month=6, day=1)
    org_services.company_holiday_delete(actor=admin, holiday=holiday)
    membership = Membership.objects.get(user=admin)
    token, _raw = org_services.api_token_create(actor=admin, membership=membership, name="連携")
    org_services.api_token_revoke(actor=admin, token=token)
    department = org_services.department_create(actor=admin, name="臨時部署")
    org_services.department_update(actor=admin, department=department, data={"code": "999"})
    org_services.department_delete(actor=admin, department=department)

    schedule = Schedule.objects.order_by("pk").first()
    assert schedule is not None
    schedules.schedule_save(actor=admin, schedule=schedule, today=TODAY, data={
        "rule": {"kind": "yearly", "month": 11, "day": 1, "roll": "previous"}, "active": False})
    template = Template.objects.order_by("pk").last()
    assert template is not None
    services.template_archive(actor=admin, template=template)
    services.template_archive(actor=admin, template=template, archived=False)
    step = Step.objects.filter(state=StepState.READY).order_by("pk").first()
    assert step is not None
    transitions.step_comment(actor=admin, step=step, text="確認しました")
    transitions.step_attach(actor=admin, step=step, upload=SimpleUploadedFile(
        "領収書.pdf", b"%PDF-1.4 demo", content_type="application/pdf"))
    transitions.step_reassign(actor=admin, step=step, assignee=people["S0034"])
    hook = webhook_save(actor=admin, webhook=None, data={
        "name": "総務チャンネル", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/X"})
    webhook_save(actor=admin, webhook=hook, data={"active": False})
    webhook_delete(actor=admin, webhook=hook)
    schedules.schedule_delete(actor=admin, schedule=schedule)


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

    for username in ("admin", "auditor"):
        client = client_as(User.objects.get(username=username), demo)
        pages = -(-len(events) // 50)
        for page in range(1, pages + 1):
            response = client.get(reverse("audit:event_list"), {"page": page})
            assert response.status_code == 200
            text = visible_text(response.content.decode())
            assert [a for a in actions if a in text] == []
        # Every event as the admin; one of each kind as the auditor.
        sample = events if username == "admin" else list(
            {(e.action, e.object_type): e for e in events}.values())
        for event in sample:
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


def test_a_saved_step_counts_the_checklist_items_ticked(demo, tr):
    with tenancy.activate(demo):
        event = AuditEvent.objects.filter(action="procedure_step.save",
                                          changes__has_key="checklist_done").latest("seq")
        view = present_event(event)
    before, after = event.changes["checklist_done"]
    row = next(r for r in view.changes if r.label == tr("checklist items done"))
    assert (row.before.text, row.after.text) == (
        tr("%(n)d item", "%(n)d items", n=len(before)),
        tr("%(n)d item", "%(n)d items", n=len(after)))


# ---- no change set breaks the page; nothing shows as a code ----------------------------------


def test_a_change_key_named_items_or_keys_renders_on_the_list_and_the_detail_page(
        client_as, admin_a, org_a, people_a, tr):
    with tenancy.activate(org_a):
        event = audit_record(actor=admin_a, action="procedure_handover.execute",
                             obj=people_a.suzuki, changes={
                                 "items": [None, 3], "keys": [1, 2], "values": [None, "x"]})
    client = client_as(admin_a, org_a)
    assert client.get(reverse("audit:event_list")).status_code == 200
    response = client.get(reverse("audit:event_detail", args=[event.pk]))
    assert response.status_code == 200
    assert tr("handover items") in response.content.decode()


def test_an_unknown_action_and_key_get_a_readable_label_not_the_code(client_as, admin_a, org_a,
                                                                    people_a, tr):
    with tenancy.activate(org_a):
        audit_record(actor=admin_a, action="person.frobnicate", obj=people_a.suzuki,
                     changes={"flux_level": [1, 2]})
        audit_record(actor=admin_a, action="person.delete", obj=people_a.sato,
                     changes={"name": ["佐藤 健", None]})
        views = present_events(AuditEvent.objects.filter(
            action__in=["person.frobnicate", "person.delete"]).order_by("seq"))
    assert [v.action for v in views] == [
        tr("Operation on %(object)s", object=tr("person")),
        tr("%(verb)s of %(object)s", object=tr("person"), verb=tr("deletion"))]
    assert [v.known for v in views] == [False, False]
    assert shown(views[0]) == [("Flux level", "1", "2")]
    body = client_as(admin_a, org_a).get(reverse("audit:event_list")).content.decode()
    assert "person.frobnicate" not in visible_text(body)


def test_malformed_change_sets_still_render(client_as, admin_a, org_a, tr):
    with tenancy.activate(org_a):
        event = audit_record(actor=admin_a, action="person.update", object_type="org.person",
                             object_id="abc", changes={"name": "only one value",
                                                       "grade": ["x", {"a": [1, True]}]})
        view = present_event(event)
    rows = {r.label: (r.before.text if r.before else None, r.after.text) for r in view.changes}
    assert rows == {tr("full name"): ("—", "only one value"),
                    tr("grade"): ("x", "a: 1" + tr(", ") + tr("Yes"))}
    response = client_as(admin_a, org_a).get(reverse("audit:event_detail", args=[event.pk]))
    assert response.status_code == 200


def test_a_deleted_record_is_named_as_deleted_and_not_linked(admin_a, org_a, people_a, tr):
    with tenancy.activate(org_a):
        department = org_services.department_create(actor=admin_a, name="消える部署")
        org_services.person_update(actor=admin_a, person=people_a.suzuki,
                                   data={"department": department})
        event = latest(org_a, "person.update")
        org_services.person_update(actor=admin_a, person=people_a.suzuki,
                                   data={"department": people_a.somu})
        org_services.department_delete(actor=admin_a, department=department)
        view = present_event(event)
    row = next(r for r in view.changes if r.label == tr("department"))
    assert row.after.text == tr("(deleted)")
    assert row.after.url == ""


def test_another_organizations_record_is_never_named(admin_a, org_a, people_b, tr):
    """An id recorded in A that is B's person shows as deleted, not as B's person's name."""
    with tenancy.activate(org_a):
        event = audit_record(actor=admin_a, action="procedure_step.reassign",
                             object_type="procedures.step", object_id="1",
                             changes={"assignee": [None, people_b.kimura.pk]})
        view = present_event(event)
    assert view.changes[0].after.text == tr("(deleted)")
    assert "木村" not in view.changes[0].after.text


def test_a_write_without_a_user_shows_as_the_system(org_a, people_a, tr):
    with tenancy.activate(org_a):
        view = present_event(AuditEvent.objects.filter(action="person.create").first())
    assert view.actor == tr("System (automatic)")


def test_an_account_shows_its_role_by_name(make_user, admin_a, org_a, tr):
    make_user("sato_login", org_a, Role.STAFF)
    with tenancy.activate(org_a):
        view = present_event(latest(org_a, "membership.create"))
    assert view.object.text == f"sato_login ({tr('Back-office staff')})"
    assert dict((label, after) for label, _b, after in shown(view))[tr("role")] == \
        tr("Back-office staff")


def test_the_filters_offer_operations_and_record_types_by_name(client_as, admin_a, org_a,
                                                               people_a, tr):
    response = client_as(admin_a, org_a).get(reverse("audit:event_list"))
    assert ("person.create", tr("Person registered")) in response.context["actions"]
    assert ("org.person", tr("person")) in response.context["object_types"]
    body = response.content.decode()
    assert f'<option value="person.create">{tr("Person registered")}</option>' in body


def test_a_person_page_history_reads_in_words(client_as, admin_a, org_a, people_a, tr):
    with tenancy.activate(org_a):
        org_services.person_update(actor=admin_a, person=people_a.suzuki,
                                   data={"grade": people_a.g2,
                                         "employment_type": EmploymentType.PART_TIME})
    response = client_as(admin_a, org_a).get(reverse("org:person_detail",
                                                     args=[people_a.suzuki.pk]))
    body = response.content.decode()
    assert tr("Person updated") in body
    assert f"<del>{people_a.g1}</del> → <ins>{people_a.g2}</ins>" in body
    assert f"<ins>{tr('Part-time')}</ins>" in body
    assert "person.update" not in visible_text(body)


def test_the_api_keeps_the_raw_values(client_as, auditor_a, admin_a, org_a, people_a):
    with tenancy.activate(org_a):
        org_services.person_update(actor=admin_a, person=people_a.suzuki,
                                   data={"grade": people_a.g2,
                                         "employment_type": EmploymentType.PART_TIME})
    body = client_as(auditor_a, org_a).get("/api/v1/audit/events",
                                           {"action": "person.update"}).json()
    assert body["items"][0]["action"] == "person.update"
    assert body["items"][0]["changes"] == {
        "employment_type": ["regular", "part_time"], "grade": [people_a.g1.pk, people_a.g2.pk]}
