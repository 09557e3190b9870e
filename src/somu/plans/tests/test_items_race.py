"""Items made or moved at the same moment, each on its own database connection: the numbers
stay unique per organization, and one move decided twice at once is applied once (the other is
told it moved meanwhile, 409).

Run with ``DATABASE_URL=postgres://…``; on SQLite every write transaction is serialized by the
database, so there is nothing to race.
"""

from __future__ import annotations

import functools

import pytest
from django.db import connection
from django.utils import timezone

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tests.apiclient import assert_error
from somu.core.tests.concurrency import at_once
from somu.plans.models import Item
from somu.plans.services.items import item_create

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]



def test_items_created_at_the_same_moment_get_distinct_numbers(org_a, people_a):
    def create(i: int) -> int:
        with tenancy.activate(org_a):
            return item_create(actor=None, data={"title": f"同時{i}", "kind": "simplify"},
                               today=timezone.localdate()).number

    numbers = at_once(*(functools.partial(create, i) for i in range(6)))
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6], numbers


def test_one_move_decided_twice_at_once_is_applied_once(api_as, staff_a, org_a):
    one, two = api_as(staff_a), api_as(staff_a)
    for _round in range(3):
        item = one.post("/items", {"title": "x", "kind": "combine"}).json()
        path = f"/items/{item['id']}/move"
        body = {"status": "planned", "from_status": "proposed"}
        responses = at_once(lambda p=path, b=body: one.post(p, b),
                            lambda p=path, b=body: two.post(p, b))
        assert sorted(r.status_code for r in responses) == [200, 409], [
            r.content for r in responses]
        (late,) = [r for r in responses if r.status_code == 409]
        assert_error(late, 409, "conflict")
        with tenancy.activate(org_a):
            assert Item.objects.get(pk=item["id"]).status == "planned"
            assert AuditEvent.objects.filter(action="plan_item.move",
                                             object_id=str(item["id"])).count() == 1
