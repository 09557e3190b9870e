"""Shared data for the approvals benchmarks: a company with a department chain, positions, heads
and a 決裁権限規程.

本社 (社長) → 4 本部 (本部長) → 4 部 each (部長) → ``sections`` 課 each (課長), with the other
people spread over the 課 as 一般. 管理本部's 部 are 総務部, 経理部, 人事部 and 法務部; the
members of their first 課 are back-office staff (申請の閲覧: they see every request), the
department heads have the manager role, everybody else is an employee. Every person has a
login (one password hash shared by all). The 決裁権限規程 in force from 2024-04-01: 購入申請 up
to ¥100,000 decided by the 課長; up to ¥1,000,000 課長 承認 and 部長 決裁; up to ¥10,000,000
部長 承認 and 本部長 決裁; above that 本部長 承認 and 社長 決裁.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any, Final

from _procedures_data import GIVEN, PASSWORD, SURNAMES

ORG_SLUG: Final = "bench-approvals"
ADMIN_USERNAME: Final = "bench-admin"
EFFECTIVE: Final = dt.date(2024, 4, 1)
DIVISIONS: Final = {
    "管理本部": ["総務部", "経理部", "人事部", "法務部"],
    "営業本部": ["第一営業部", "第二営業部", "第三営業部", "営業企画部"],
    "開発本部": ["開発一部", "開発二部", "開発三部", "品質保証部"],
    "製造本部": ["製造一部", "製造二部", "生産管理部", "物流部"],
}
BACK_OFFICE: Final = ("総務部", "経理部", "人事部")


@dataclass
class Company:
    organization: Any
    admin: Any  # User, role admin, person: the 社長
    admin_membership: Any
    president: int
    divisions: list[int]  # department ids
    units: list[int]  # 部
    sections: list[int]  # 課
    parent: dict[int, int]  # department id -> parent id
    head: dict[int, int]  # department id -> head person id
    members: dict[int, list[int]] = field(default_factory=dict)  # 課 id -> 一般 person ids
    staff: list[int] = field(default_factory=list)  # back-office staff person ids
    keiri: list[int] = field(default_factory=list)  # 経理部 people (合議 members)
    users: dict[int, int] = field(default_factory=dict)  # person id -> user id
    memberships: dict[int, int] = field(default_factory=dict)  # person id -> membership id
    department_of: dict[int, int] = field(default_factory=dict)  # person id -> department id
    types: dict[str, Any] = field(default_factory=dict)

    def chain(self, section: int) -> tuple[int, int, int, int]:
        """The 課長, 部長, 本部長 and 社長 above a 課."""
        unit = self.parent[section]
        division = self.parent[unit]
        return self.head[section], self.head[unit], self.head[division], self.president


def build_company(*, people: int, sections: int, seed: int = 20240401) -> Company:
    """Create the organization (see the module docstring); ``sections`` 課 per 部."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from somu.approvals.services import rules, types
    from somu.core import tenancy
    from somu.core.permissions import Role
    from somu.org import services
    from somu.org.models import Department, Membership, Person, Position, User
    from somu.rules import routing

    rng = random.Random(seed)
    with transaction.atomic():
        org = services.organization_create(actor=None, name="ベンチマーク商事株式会社",
                                           slug=ORG_SLUG)
        with tenancy.activate(org):
            positions = {p.name: p.pk for p in Position.objects.all()}
            honsha = services.department_create(actor=None, name="本社", code="H")
            parent: dict[int, int] = {}
            divisions, units, secs = [], [], []
            back_office_first: list[int] = []
            keiri_sections: list[int] = []
            for d, (division_name, unit_names) in enumerate(DIVISIONS.items(), start=1):
                division = services.department_create(actor=None, name=division_name,
                                                      code=f"D{d}", parent=honsha)
                divisions.append(division.pk)
                parent[division.pk] = honsha.pk
                for u, unit_name in enumerate(unit_names, start=1):
                    unit = services.department_create(actor=None, name=unit_name,
                                                      code=f"D{d}{u}", parent=division)
                    units.append(unit.pk)
                    parent[unit.pk] = division.pk
                    for s in range(1, sections + 1):
                        section = services.department_create(
                            actor=None, name=f"{unit_name.removesuffix('部')}第{s}課",
                            code=f"D{d}{u}{s:02d}", parent=unit)
                        secs.append(section.pk)
                        parent[section.pk] = unit.pk
                        if unit_name in BACK_OFFICE and s == 1:
                            back_office_first.append(section.pk)
                        if unit_name == "経理部":
                            keiri_sections.append(section.pk)

            # heads first (社長, 本部長, 部長, 課長), then 一般 spread over the 課
            plan: list[tuple[int, str]] = [(honsha.pk, "社長")]
            plan += [(d, "本部長") for d in divisions] + [(u, "部長") for u in units]
            plan += [(s, "課長") for s in secs]
            heads_count = len(plan)
            while len(plan) < people:  # two in every 課 first, then at random
                n = len(plan) - heads_count
                plan.append((secs[n % len(secs)] if n < 2 * len(secs)
                             else secs[rng.randrange(len(secs))], "一般"))
            rows = [Person(organization=org, employee_number=f"E{n:05d}",
                           name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                           email=f"e{n:05d}@bench.example", department_id=dept,
                           position_id=positions[position])
                    for n, (dept, position) in enumerate(plan, start=1)]
            Person.objects.bulk_create(rows, batch_size=2000)
            everyone = list(Person.objects.order_by("employee_number"))
            head: dict[int, int] = {}
            for person, (dept, position) in zip(everyone, plan, strict=True):
                if position != "一般":
                    head[dept] = person.pk
            for dept, person_id in head.items():
                Department.objects.filter(pk=dept).update(head_id=person_id)
            for person, (dept, position) in zip(everyone, plan, strict=True):
                boss = head[dept] if position == "一般" else head.get(parent.get(dept, 0))
                person.manager_id = boss
            Person.objects.bulk_update(everyone, ["manager"], batch_size=2000)

            members: dict[int, list[int]] = {s: [] for s in secs}
            staff: list[int] = []
            keiri: list[int] = []
            for person, (dept, position) in zip(everyone, plan, strict=True):
                if position == "一般":
                    members[dept].append(person.pk)
                    if dept in back_office_first:
                        staff.append(person.pk)
                if dept in keiri_sections:
                    keiri.append(person.pk)
            president = everyone[0]
            admin = services.user_create(actor=None, username=ADMIN_USERNAME, password=PASSWORD)
            admin_membership = services.membership_set(actor=None, user=admin, role=Role.ADMIN,
                                                       person=president)
            password = make_password(PASSWORD)
            others = everyone[1:]
            User.objects.bulk_create([User(username=f"u{p.employee_number.lower()}",
                                           password=password) for p in others],
                                     batch_size=2000)
            user_ids = dict(User.objects.filter(username__startswith="ue")
                            .values_list("username", "pk"))
            heads = set(head.values())
            staff_set = set(staff)
            Membership.objects.bulk_create([
                Membership(organization=org, user_id=user_ids[f"u{p.employee_number.lower()}"],
                           role=(Role.MANAGER if p.pk in heads else Role.STAFF
                                 if p.pk in staff_set else Role.EMPLOYEE).value, person=p)
                for p in others], batch_size=2000)
            users = {p.pk: user_ids[f"u{p.employee_number.lower()}"] for p in others}
            users[president.pk] = admin.pk
            memberships = dict(Membership.objects.values_list("person_id", "pk"))

            request_types = {t.code: t for t in types.ensure_built_in_types()}
            purchase = request_types["purchase"]

            def stage(kind: str, position: str) -> routing.StageRule:
                return routing.StageRule(kind=kind, approver="position",  # type: ignore[arg-type]
                                         value=position)

            rules.rule_version_save(
                membership=admin_membership, effective_from=EFFECTIVE, now=_aware(EFFECTIVE),
                rows=[
                    rules.RowInput(1, purchase, (stage("decide", "課長"),), amount_max=100_000),
                    rules.RowInput(2, purchase, (stage("approve", "課長"), stage("decide", "部長")),
                                   amount_min=100_001, amount_max=1_000_000),
                    rules.RowInput(3, purchase, (stage("approve", "部長"),
                                                 stage("decide", "本部長")),
                                   amount_min=1_000_001, amount_max=10_000_000),
                    rules.RowInput(4, purchase, (stage("approve", "本部長"),
                                                 stage("decide", "社長")),
                                   amount_min=10_000_001),
                ])
    analyze()
    return Company(organization=org, admin=admin, admin_membership=admin_membership,
                   president=president.pk, divisions=divisions, units=units, sections=secs,
                   parent=parent, head=head, members=members, staff=staff, keiri=keiri,
                   users=users, memberships=memberships,
                   department_of={p.pk: dept for p, (dept, _pos) in zip(everyone, plan,
                                                                          strict=True)},
                   types=request_types)


def _aware(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def analyze() -> None:
    """PostgreSQL: statistics for the people tables, as autovacuum would take after an import."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE org_person, org_membership, org_department, org_user")
