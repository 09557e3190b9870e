"""The audit log: every write is recorded, hash-chained per organization, and tamper-evident."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from somu.audit.models import AuditEvent
from somu.audit.selectors import audit_chain_verify
from somu.core import tenancy
from somu.org import services
from somu.org.models import Person


def events(org, **filters):
    with tenancy.activate(org):
        return list(AuditEvent.objects.filter(**filters).order_by("seq"))


def verify_output():
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _tamper(sql: str, params: list) -> None:
    """Edit the log behind the application's back, as someone with the table owner's rights.

    On PostgreSQL the append-only trigger refuses this, so the attacker (a superuser) first turns
    triggers off for their transaction: the chain must still catch what they did.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def _raw_update(event_id: int, column: str, value: str) -> None:
    placeholder = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" and column == "changes" \
        else "%s"
    _tamper(f"UPDATE audit_auditevent SET {column} = {placeholder} WHERE id = %s",  # noqa: S608
            [value, event_id])


def test_a_service_write_records_actor_organization_action_object_and_changes(
    admin_a, org_a, people_a
):
    with tenancy.activate(org_a):
        services.person_update(actor=admin_a, person=people_a.suzuki,
                               data={"grade": people_a.g2, "email": "suzuki@a.example"})
    event = events(org_a, action="person.update")[-1]
    assert event.organization_id == org_a.pk
    assert (event.actor_id, event.actor_label) == (admin_a.pk, "admin_a")
    assert (event.object_type, event.object_id) == ("org.person", str(people_a.suzuki.pk))
    assert event.object_repr == "鈴木 花子 (A002)"
    assert event.changes == {
        "email": ["", "suzuki@a.example"],
        "grade": [people_a.g1.pk, people_a.g2.pk],
    }


def test_a_write_without_a_user_is_recorded_as_system(org_a, people_a):
    event = events(org_a, action="person.create")[0]
    assert (event.actor_id, event.actor_label) == (None, "system")
    assert event.changes["employee_number"] == [None, "A001"]
    assert event.changes["hire_date"] == [None, "2010-04-01"]


def test_saving_unchanged_data_records_nothing(admin_a, org_a, people_a):
    before = len(events(org_a))
    with tenancy.activate(org_a):
        services.person_update(actor=admin_a, person=people_a.suzuki, data={"name": "鈴木 花子"})
    assert len(events(org_a)) == before


def test_decimal_values_are_recorded_as_plain_numbers(admin_a, org_a, people_a):
    with tenancy.activate(org_a):
        services.person_update(actor=admin_a, person=people_a.suzuki,
                               data={"standard_monthly_hours": Decimal("160")})
        # Read back as 160.00: the same value written as 160.0 is not a change.
        person = Person.objects.get(pk=people_a.suzuki.pk)
        services.person_update(actor=admin_a, person=person,
                               data={"standard_monthly_hours": Decimal("160.0")})
        services.person_update(actor=admin_a, person=person,
                               data={"standard_monthly_hours": Decimal("7.50")})
    changes = [e.changes["standard_monthly_hours"] for e in events(org_a, action="person.update")]
    assert changes == [[None, "160"], ["160", "7.5"]]


def test_a_page_request_records_its_request_id(client_as, admin_a, org_a, people_a):
    response = client_as(admin_a, org_a).post(
        reverse("org:person_retire", args=[people_a.sato.pk]), {"retired_on": "2026-03-31"}
    )
    assert response.status_code == 302
    event = events(org_a, action="person.retire")[-1]
    assert event.request_id == response["X-Request-ID"]
    assert len(event.request_id) == 32
    assert event.changes == {"retired_on": [None, "2026-03-31"], "status": ["active", "retired"]}
    assert event.actor_label == "admin_a"


def test_each_request_gets_its_own_id(client, db):
    first = client.get(reverse("healthz"))["X-Request-ID"]
    second = client.get(reverse("healthz"))["X-Request-ID"]
    assert first != second


def test_each_organization_has_its_own_chain_starting_at_one(org_a, org_b, people_a, people_b):
    chain_a, chain_b = events(org_a), events(org_b)
    assert [e.seq for e in chain_a] == list(range(1, len(chain_a) + 1))
    assert [e.seq for e in chain_b] == list(range(1, len(chain_b) + 1))
    assert chain_a[0].prev_hash == chain_b[0].prev_hash == "0" * 64
    for earlier, later in itertools.pairwise(chain_a):
        assert later.prev_hash == earlier.hash
    assert {e.organization_id for e in chain_b} == {org_b.pk}


def test_audit_verify_passes_on_an_untouched_log(org_a, org_b, people_a, people_b):
    output = verify_output()
    assert "OK      org-a:" in output
    assert "OK      org-b:" in output


def test_audit_verify_names_the_first_row_whose_changes_were_edited(org_a, org_b, people_a,
                                                                    people_b):
    target = events(org_a, action="person.create")[1]
    _raw_update(target.pk, "changes", json.dumps({"name": [None, "改ざん"]}))
    out = StringIO()
    with pytest.raises(CommandError, match="org-a"):
        call_command("audit_verify", stdout=out)
    assert f"BROKEN  org-a: entry seq={target.seq} " in out.getvalue()
    assert "content does not match its hash" in out.getvalue()
    assert "OK      org-b:" in out.getvalue()


def test_audit_verify_detects_an_edited_object_name(org_a, people_a):
    target = events(org_a, action="person.create")[0]
    _raw_update(target.pk, "object_repr", "別人 (A001)")
    report = audit_chain_verify(organization_id=org_a.pk)
    assert not report.ok
    assert report.broken.seq == target.seq
    assert report.checked == target.seq - 1


def test_audit_verify_detects_a_deleted_last_row(org_a, people_a):
    last = events(org_a)[-1]
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [last.pk])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit_verify", "--org", "org-a", stdout=out)
    assert f"seq={last.seq} " in out.getvalue()
    assert f"chain ends at {last.seq - 1}" in out.getvalue()


def test_audit_verify_detects_a_deleted_row_in_the_middle(org_a, people_a):
    middle = events(org_a)[3]
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [middle.pk])
    report = audit_chain_verify(organization_id=org_a.pk)
    assert report.broken.seq == middle.seq + 1
    assert "sequence gap" in report.broken.reason


def test_audit_verify_rejects_an_unknown_organization(db):
    with pytest.raises(CommandError, match="No organization"):
        call_command("audit_verify", "--org", "nope", stdout=StringIO())


def test_an_existing_audit_event_cannot_be_saved_or_deleted(org_a, people_a):
    event = events(org_a)[0]
    event.object_repr = "changed"
    with tenancy.activate(org_a):
        with pytest.raises(RuntimeError, match="append-only"):
            event.save()
        with pytest.raises(RuntimeError, match="append-only"):
            event.delete()
    assert audit_chain_verify(organization_id=org_a.pk).ok


def test_deleting_a_user_keeps_the_chain_intact(make_user, org_a, people_a):
    from somu.core.permissions import Role

    user = make_user("leaver", org_a, Role.STAFF)
    with tenancy.activate(org_a):
        services.person_update(actor=user, person=people_a.tanaka, data={"name": "田中 美咲2"})
    user.delete()
    assert audit_chain_verify(organization_id=org_a.pk).ok
    assert events(org_a, action="person.update")[-1].actor_label == "leaver"


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET object_repr = 'changed' WHERE id = %s",
    "DELETE FROM audit_auditevent WHERE id = %s",
])
def test_postgresql_refuses_to_update_or_delete_an_audit_event(org_a, people_a, sql):
    from django.db import DatabaseError, transaction

    event = events(org_a)[0]
    with (pytest.raises(DatabaseError, match="append-only"), transaction.atomic(),
          connection.cursor() as cursor):
        cursor.execute(sql, [event.pk])
    assert audit_chain_verify(organization_id=org_a.pk).ok


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_in_one_organization_chain_one_after_the_other(org_a):
    """Four connections appending at once queue on the chain head: one chain, no gaps."""
    import threading

    from django.db import close_old_connections

    from somu.audit.services import audit_record, audit_record_many

    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def append(worker: int) -> None:
        try:
            with tenancy.activate(org_a):
                start.wait(10)
                for i in range(10):
                    if i % 3:
                        audit_record(actor=None, action="test.append", object_type="test",
                                     object_id=f"{worker}-{i}")
                    else:
                        audit_record_many(actor=None, entries=[
                            {"action": "test.append", "object_type": "test",
                             "object_id": f"{worker}-{i}-{n}"} for n in range(3)])
        except BaseException as exc:
            failures.append(exc)
        finally:
            close_old_connections()
            connection.close()

    before = len(events(org_a))
    threads = [threading.Thread(target=append, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    appended = events(org_a)[before:]
    assert len(appended) == 4 * (6 + 4 * 3)
    assert [e.seq for e in events(org_a)] == list(range(1, len(events(org_a)) + 1))
    assert audit_chain_verify(organization_id=org_a.pk).ok
