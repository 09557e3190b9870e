"""The audit log page and API: filters, and who may see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org import services


@pytest.fixture
def edits(admin_a, staff_a, org_a, people_a):
    """admin_a retires 佐藤, staff_a renames 田中."""
    with tenancy.activate(org_a):
        services.person_retire(actor=admin_a, person=people_a.sato, retired_on=dt.date(2026, 3, 31))
        services.person_update(actor=staff_a, person=people_a.tanaka, data={"name": "田中 美咲子"})


def listed(response) -> list[str]:
    return [e.action for e in response.context["page"]]


def test_the_audit_page_lists_the_organizations_events_newest_first(client_as, admin_a, org_a,
                                                                   edits, people_b):
    response = client_as(admin_a, org_a).get(reverse("audit:event_list"))
    assert response.status_code == 200
    seqs = [e.seq for e in response.context["page"]]
    assert seqs == sorted(seqs, reverse=True)
    body = response.content.decode()
    assert "田中 美咲子" in body
    assert "木村 拓也" not in body


def test_the_audit_page_filters_by_action(client_as, admin_a, org_a, edits):
    client = client_as(admin_a, org_a)
    response = client.get(reverse("audit:event_list"), {"action": "person.retire"})
    assert listed(response) == ["person.retire"]
    assert "佐藤 健" in response.content.decode()


def test_the_audit_page_filters_by_actor(client_as, admin_a, org_a, edits):
    response = client_as(admin_a, org_a).get(reverse("audit:event_list"), {"actor": "staff_a"})
    assert listed(response) == ["person.update"]


def test_the_audit_page_filters_by_date(client_as, auditor_a, org_a, edits):
    client = client_as(auditor_a, org_a)
    today = timezone.localdate()
    url = reverse("audit:event_list")
    everything = client.get(url).context["page"].paginator.count
    assert client.get(url, {"date_from": today.isoformat(), "date_to": today.isoformat()}) \
        .context["page"].paginator.count == everything
    assert client.get(url, {"date_from": (today + dt.timedelta(days=1)).isoformat()}) \
        .context["page"].paginator.count == 0
    assert client.get(url, {"date_to": (today - dt.timedelta(days=1)).isoformat()}) \
        .context["page"].paginator.count == 0
    # A malformed date is ignored rather than an error.
    assert client.get(url, {"date_from": "2026-02-30"}).status_code == 200


def test_the_audit_page_searches_by_request_id(client_as, admin_a, org_a, people_a):
    client = client_as(admin_a, org_a)
    response = client.post(reverse("org:person_reinstate", args=[people_a.sato.pk]))
    request_id = response["X-Request-ID"]
    page = client.get(reverse("audit:event_list"), {"q": request_id}).context["page"]
    assert [e.action for e in page] == ["person.reinstate"]


def test_an_htmx_filter_request_gets_only_the_table(client_as, admin_a, org_a, edits):
    client = client_as(admin_a, org_a)
    response = client.get(reverse("audit:event_list"), {"action": "person.retire"},
                          HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body
    assert "<html" not in body


def test_an_audit_event_page_shows_its_hashes_and_changes(client_as, admin_a, org_a, edits):
    with tenancy.activate(org_a):
        event = AuditEvent.objects.get(action="person.retire")
    body = client_as(admin_a, org_a).get(reverse("audit:event_detail", args=[event.pk])) \
        .content.decode()
    assert event.hash in body
    assert event.prev_hash in body
    assert "2026-03-31" in body


@pytest.mark.parametrize("user", ["staff_a", "employee_a", "manager_a"])
def test_the_audit_pages_are_forbidden_to_staff_employees_and_managers(request, client_as, org_a,
                                                                       edits, user):
    client = client_as(request.getfixturevalue(user), org_a)
    with tenancy.activate(org_a):
        event = AuditEvent.objects.first()
    assert client.get(reverse("audit:event_list")).status_code == 403
    assert client.get(reverse("audit:event_detail", args=[event.pk])).status_code == 403
    assert client.get("/api/v1/audit/events").status_code == 403
    assert client.get("/api/v1/audit/verify").status_code == 403


def test_a_person_page_shows_that_persons_history_only(client_as, admin_a, org_a, people_a):
    with tenancy.activate(org_a):
        # Ten more people so that some of their ids contain the digits of 鈴木's id.
        for n in range(10):
            services.person_create(actor=admin_a, data={
                "employee_number": f"X{n:02d}", "name": f"別人 {n}"})
        services.person_update(actor=admin_a, person=people_a.suzuki, data={"name_kana": "すずき"})
    client = client_as(admin_a, org_a)
    response = client.get(reverse("org:person_detail", args=[people_a.suzuki.pk]))
    history = [v.event for v in response.context["history"]]
    assert [e.action for e in history] == ["person.update", "person.create"]
    assert {e.object_id for e in history} == {str(people_a.suzuki.pk)}


def test_a_person_page_hides_the_history_from_staff(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    response = client.get(reverse("org:person_detail", args=[people_a.suzuki.pk]))
    assert list(response.context["history"]) == []


def test_the_audit_api_lists_and_verifies_for_an_auditor(client_as, auditor_a, org_a, edits):
    client = client_as(auditor_a, org_a)
    body = client.get("/api/v1/audit/events", {"action": "person.retire"}).json()
    assert body["count"] == 1
    assert body["items"][0]["changes"]["status"] == ["active", "retired"]
    verify = client.get("/api/v1/audit/verify").json()
    assert verify["ok"] is True
    assert verify["broken_seq"] is None
    with tenancy.activate(org_a):
        assert verify["checked"] == AuditEvent.objects.count()
