"""Lists cost the same number of queries for 5 people as for 50: no N+1 creeps in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from somu.core import tenancy
from somu.org import services, services_positions
from somu.org.models import Position


def add_people(org, people, start: int, count: int) -> None:
    """People spread over departments, grades, positions and managers, so every join is
    exercised; the first heads 総務部."""
    departments = [people.somu, people.jinji, None]
    grades = [people.g1, people.g2, people.g3]
    with tenancy.activate(org):
        positions = [*Position.objects.all(), None]
        for n in range(start, start + count):
            person = services.person_create(actor=None, data={
                "employee_number": f"Q{n:03d}", "name": f"社員 {n}",
                "department": departments[n % 3], "grade": grades[n % 3],
                "position": positions[n % len(positions)],
                "manager": people.yamada if n % 2 else None})
            if n == 0:
                services_positions.department_head_set(actor=None, department=people.somu,
                                                       head=person)
            services.person_skill_set(actor=None, person=person, skill=people.excel, level=2)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/org/people/", "/org/people/?status=all&q=社員",
                                 "/api/v1/people", "/api/v1/people?page_size=100",
                                 "/org/departments/", "/org/grades/", "/org/skills/",
                                 "/org/positions/", "/api/v1/positions", "/api/v1/departments",
                                 "/org/people/?position=1",
                                 "/audit/", "/api/v1/audit/events"])
def test_a_list_uses_as_many_queries_for_fifty_people_as_for_five(client_as, admin_a, org_a,
                                                                  people_a, url):
    client = client_as(admin_a, org_a)
    add_people(org_a, people_a, 0, 1)
    client.get(url)  # warm up: session, content types
    add_people(org_a, people_a, 1, 4)
    few = queries(client, url)
    add_people(org_a, people_a, 5, 45)
    many = queries(client, url)
    assert many == few, f"{url}: {few} queries for 5 people, {many} for 50"


def test_the_people_page_stays_under_a_query_budget(client_as, admin_a, org_a, people_a,
                                                    django_assert_max_num_queries):
    client = client_as(admin_a, org_a)
    add_people(org_a, people_a, 0, 50)
    client.get("/org/people/")
    with django_assert_max_num_queries(12):
        client.get("/org/people/")
