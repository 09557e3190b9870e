"""The audit log is read by people: operations, fields, names and choices in words, never a code,
and no recorded change set can break the page (a key named ``items`` once did)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from somu.audit import catalogue
from somu.audit.models import AuditEvent
from somu.audit.presenters import present_event, present_events
from somu.audit.services import audit_record
from somu.audit.tests.reading import latest, shown, visible_text
from somu.audit.tests.recorded_actions import recorded_actions
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services as org_services
from somu.org.models import EmploymentType, Organization, Person
from somu.org.tests.test_query_counts import queries
from somu.procedures.models import Step, Template
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services
from somu.procedures.tests.test_handover import MONTHLY

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


def _launch_and_tick(org: Organization, template: Template, first: int, count: int) -> None:
    with tenancy.activate(org):
        for n in range(first, first + count):
            run = run_services.run_launch(
                actor=None, template=template, params={"対象月": f"{n}月"},
                start_date=dt.date(2026, 3, 16), name=f"月次処理 {n}")
            check = Step.objects.get(run=run, key="check")
            step_services.step_save_progress(actor=None, step=check, checklist_done=[0, 1])
            step_services.step_reassign(actor=None, step=check, assignee=Person.objects.get(
                employee_number="A002"))


def test_the_audit_page_costs_as_many_queries_for_fifty_procedure_events_as_for_five(
        client_as, admin_a, org_a, people_a):
    with tenancy.activate(org_a):
        template = template_services.template_save(actor=None, template=None, spec=MONTHLY,
                                                   owner=people_a.yamada)
    client = client_as(admin_a, org_a)
    _launch_and_tick(org_a, template, 0, 2)
    client.get("/audit/")  # warm up: session, content types
    few = queries(client, "/audit/")
    _launch_and_tick(org_a, template, 2, 20)
    # A full page of run, step and reassignment events: one query per kind of record named, not
    # per event (the first page had people, departments and grades too, hence "at most").
    assert queries(client, "/audit/") <= few
