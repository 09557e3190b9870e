"""A company to route requests through (not a test module).

本社 (社長 中村) → 管理本部 (本部長 高橋) → 総務部 (部長 山本) → 総務課 (課長 伊藤; 鈴木 一般)
                                      → 経理部 (部長 小林; 加藤, 吉田)
                                      → 法務部 (no head; 松本 一般)
Each person has an employee login (``world.member["suzuki"]``). The 決裁権限規程 in force from
2026-04-01 is :data:`RULES`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from somu.approvals.models import Request, RequestType, RuleVersion
from somu.approvals.services import requests, rules, types
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import services as org
from somu.org.models import Department, Membership, Organization, Person, Position, User
from somu.rules import routing

TODAY = dt.date(2026, 6, 15)  # a Monday, no holiday
NOW = timezone.make_aware(dt.datetime(2026, 6, 15, 10, 0))
EFFECTIVE = dt.date(2026, 4, 1)


def stage(kind: str, approver: str, value: str = "", **kwargs: Any) -> routing.StageRule:
    return routing.StageRule(kind=kind, approver=approver, value=value, **kwargs)  # type: ignore[arg-type]


@dataclass
class World:
    org: Organization
    depts: dict[str, Department]
    people: dict[str, Person]
    users: dict[str, User]
    types: dict[str, RequestType]
    version: RuleVersion | None = None

    def m(self, key: str) -> Membership:
        with tenancy.activate(self.org):
            return Membership.objects.select_related("person", "user").get(
                user=self.users[key])


PEOPLE = (
    # key, 社員番号, name, department, position
    ("nakamura", "C001", "中村 社長", "honsha", "社長"),
    ("takahashi", "C002", "高橋 本部長", "kanri", "本部長"),
    ("yamamoto", "C003", "山本 部長", "somu", "部長"),
    ("ito", "C004", "伊藤 課長", "somuka", "課長"),
    ("suzuki", "C005", "鈴木 一般", "somuka", "一般"),
    ("kobayashi", "C006", "小林 経理部長", "keiri", "部長"),
    ("kato", "C007", "加藤 経理", "keiri", "一般"),
    ("yoshida", "C008", "吉田 経理", "keiri", "一般"),
    ("matsumoto", "C009", "松本 法務", "homu", "一般"),
    ("secretary", "C010", "秘書 花子", "honsha", "一般"),
)
HEADS = {"honsha": "nakamura", "kanri": "takahashi", "somu": "yamamoto", "somuka": "ito",
         "keiri": "kobayashi"}


def build_world(org: Organization, make_user: Callable[..., User]) -> World:
    with tenancy.activate(org):
        positions = {p.name: p for p in Position.objects.all()}
        depts: dict[str, Department] = {}
        for key, name, parent in (("honsha", "本社", None), ("kanri", "管理本部", "honsha"),
                                  ("somu", "総務部", "kanri"), ("somuka", "総務課", "somu"),
                                  ("keiri", "経理部", "kanri"), ("homu", "法務部", "kanri")):
            depts[key] = org_department(name, depts.get(parent) if parent else None)
        people: dict[str, Person] = {}
        for key, number, name, dept, position in PEOPLE:
            people[key] = org_person(number, name, depts[dept], positions[position])
        for dept, key in HEADS.items():
            Department.objects.filter(pk=depts[dept].pk).update(head=people[key])
        request_types = {t.code: t for t in types.ensure_built_in_types()}
    users = {"admin": make_user("u_admin", org, Role.ADMIN)}
    for key in people:
        role = Role.STAFF if key == "secretary" else Role.EMPLOYEE
        users[key] = make_user(f"u_{key}", org, role, person=people[key])
    return World(org, depts, people, users, request_types)


def org_department(name: str, parent: Department | None) -> Department:
    return org.department_create(actor=None, name=name, parent=parent)


def org_person(number: str, name: str, department: Department, position: Position) -> Person:
    person = org.person_create(actor=None, data={
        "employee_number": number, "name": name, "department": department})
    Person.objects.filter(pk=person.pk).update(position=position)
    person.position = position
    return person


def standard_rules(world: World) -> list[rules.RowInput]:
    """up to ¥100,000 課長; up to ¥1,000,000 部長 with 経理 合議 above ¥500,000; up to
    ¥10,000,000 本部長; above that 社長; contracts through 法務 審査."""
    t = world.types
    keiri = str(world.depts["keiri"].pk)
    homu = str(world.depts["homu"].pk)
    somu = str(world.depts["somu"].pk)
    return [
        rules.RowInput(1, t["purchase"], (stage("decide", "position", "課長"),),
                       amount_max=100_000),
        rules.RowInput(2, t["purchase"], (stage("approve", "position", "課長"),
                                          stage("decide", "position", "部長")),
                       amount_min=100_001, amount_max=1_000_000),
        rules.RowInput(3, t["purchase"], (stage("consult", "group", keiri, quorum="all",
                                                allow_add=True),),
                       amount_min=500_001),
        rules.RowInput(4, t["purchase"], (stage("approve", "position", "部長"),
                                          stage("decide", "position", "本部長")),
                       amount_min=1_000_001, amount_max=10_000_000),
        rules.RowInput(5, t["purchase"], (stage("approve", "position", "本部長"),
                                          stage("decide", "position", "社長")),
                       amount_min=10_000_001),
        rules.RowInput(6, t["contract"], (stage("review", "group", homu),
                                          stage("decide", "position", "部長"),
                                          stage("circulate", "group", somu))),
        rules.RowInput(7, t["ringi"], (stage("decide", "position", "部長"),)),
    ]


def install_rules(world: World, rows: list[rules.RowInput] | None = None,
                  effective: dt.date = EFFECTIVE, admin: Membership | None = None) -> RuleVersion:
    with tenancy.activate(world.org):
        version = rules.rule_version_save(
            membership=admin or world.m("admin"), effective_from=effective,
            rows=rows if rows is not None else standard_rules(world), now=NOW)
    world.version = version
    return version


def purchase(world: World, who: str = "suzuki", *, amount: int = 50_000,
             title: str = "ノートPC購入", submit: bool = True, today: dt.date = TODAY,
             requester: str | None = None) -> Request:
    with tenancy.activate(world.org):
        m = world.m(who)
        request = requests.request_save(
            membership=m, request_type=world.types["purchase"],
            requester=world.people[requester or who], title=title, amount=amount,
            category="備品", values={"item": "ノートPC", "quantity": 1, "reason": "故障のため",
                    "needed_by": "2026-07-01"},
            now=NOW)
        if submit:
            request = requests.request_submit(membership=m, request=request, today=today,
                                              now=NOW)
    return request

