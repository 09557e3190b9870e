"""Shared fixtures: two organizations (A and B) with named people and one account per role.

Organization A (株式会社エー) has 管理本部 → 総務部 and 人事部, grades G1–G3 and four people;
organization B (ビー商事株式会社) has its own 総務部 and one person. Tests ask for what they need:
``org_a``, ``admin_a``, ``client_as(user, org)``, ``people_a`` and so on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from somu.core import tenancy
from somu.core.permissions import Role
from somu.core.tests.apiclient import API, Api
from somu.org import services
from somu.org.models import Department, Grade, Organization, Person, Skill, User

PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account's password)


@pytest.fixture
def org_a(db: None) -> Organization:
    return services.organization_create(actor=None, name="株式会社エー", slug="org-a")


@pytest.fixture
def org_b(db: None) -> Organization:
    return services.organization_create(actor=None, name="ビー商事株式会社", slug="org-b")


@pytest.fixture
def in_org() -> Callable[[Organization], tenancy.contextlib._GeneratorContextManager]:  # type: ignore[name-defined]
    """``with in_org(org_a): ...`` scopes queries as a request of that organization would."""
    return tenancy.activate


@dataclass
class People:
    honbu: Department
    somu: Department
    jinji: Department
    g1: Grade
    g2: Grade
    g3: Grade
    yamada: Person  # 総務部 manager, G3
    suzuki: Person  # 総務部, G1, reports to yamada
    sato: Person  # 人事部, G2
    tanaka: Person  # no department, G1
    excel: Skill


@pytest.fixture
def people_a(org_a: Organization) -> People:
    with tenancy.activate(org_a):
        honbu = services.department_create(actor=None, name="管理本部")
        somu = services.department_create(actor=None, name="総務部", parent=honbu)
        jinji = services.department_create(actor=None, name="人事部", parent=honbu)
        g1 = services.grade_save(actor=None, grade=None, data={
            "code": "G1", "name": "一般", "hourly_cost": 2500, "difficulty_min": 1,
            "difficulty_max": 2, "sort_order": 1})
        g2 = services.grade_save(actor=None, grade=None, data={
            "code": "G2", "name": "主任", "hourly_cost": 3500, "difficulty_min": 2,
            "difficulty_max": 3, "sort_order": 2})
        g3 = services.grade_save(actor=None, grade=None, data={
            "code": "G3", "name": "課長", "hourly_cost": 5000, "difficulty_min": 3,
            "difficulty_max": 5, "sort_order": 3})
        yamada = services.person_create(actor=None, data={
            "employee_number": "A001", "name": "山田 太郎", "name_kana": "やまだ たろう",
            "email": "yamada@a.example", "department": somu, "grade": g3,
            "hire_date": dt.date(2010, 4, 1)})
        suzuki = services.person_create(actor=None, data={
            "employee_number": "A002", "name": "鈴木 花子", "name_kana": "すずき はなこ",
            "department": somu, "grade": g1, "manager": yamada, "hire_date": dt.date(2022, 4, 1)})
        sato = services.person_create(actor=None, data={
            "employee_number": "A003", "name": "佐藤 健", "name_kana": "さとう けん",
            "department": jinji, "grade": g2})
        tanaka = services.person_create(actor=None, data={
            "employee_number": "A004", "name": "田中 美咲", "name_kana": "たなか みさき",
            "grade": g1})
        excel = services.skill_save(actor=None, skill=None,
                                    data={"name": "Excel", "category": "IT"})
    return People(honbu, somu, jinji, g1, g2, g3, yamada, suzuki, sato, tanaka, excel)


@dataclass
class PeopleB:
    somu: Department
    grade: Grade
    kimura: Person
    skill: Skill


@pytest.fixture
def people_b(org_b: Organization) -> PeopleB:
    with tenancy.activate(org_b):
        somu = services.department_create(actor=None, name="総務部")
        grade = services.grade_save(actor=None, grade=None, data={
            "code": "B1", "name": "一般", "hourly_cost": 2000, "difficulty_min": 1,
            "difficulty_max": 5, "sort_order": 1})
        kimura = services.person_create(actor=None, data={
            "employee_number": "B001", "name": "木村 拓也", "name_kana": "きむら たくや",
            "department": somu, "grade": grade})
        skill = services.skill_save(actor=None, skill=None, data={"name": "簿記", "category": ""})
    return PeopleB(somu, grade, kimura, skill)


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """``make_user("name", org, Role.STAFF, person=None)``: an account with one membership."""

    def make(username: str, organization: Organization, role: Role,
             person: Person | None = None) -> User:
        user = User.objects.filter(username=username).first() or services.user_create(
            actor=None, username=username, password=PASSWORD, email=f"{username}@example.com")
        with tenancy.activate(organization):
            services.membership_set(actor=None, user=user, role=role, person=person)
        return user

    return make


@pytest.fixture
def admin_a(make_user: Callable[..., User], org_a: Organization) -> User:
    return make_user("admin_a", org_a, Role.ADMIN)


@pytest.fixture
def staff_a(make_user: Callable[..., User], org_a: Organization) -> User:
    return make_user("staff_a", org_a, Role.STAFF)


@pytest.fixture
def manager_a(make_user: Callable[..., User], org_a: Organization, people_a: People) -> User:
    """山田 (総務部) as manager: may edit people of 総務部 only."""
    return make_user("manager_a", org_a, Role.MANAGER, person=people_a.yamada)


@pytest.fixture
def employee_a(make_user: Callable[..., User], org_a: Organization, people_a: People) -> User:
    return make_user("employee_a", org_a, Role.EMPLOYEE, person=people_a.suzuki)


@pytest.fixture
def auditor_a(make_user: Callable[..., User], org_a: Organization) -> User:
    return make_user("auditor_a", org_a, Role.AUDITOR)


@pytest.fixture
def admin_b(make_user: Callable[..., User], org_b: Organization) -> User:
    return make_user("admin_b", org_b, Role.ADMIN)


@pytest.fixture
def token_for(org_a: Organization) -> Callable[..., str]:
    """``token_for(user)``: a fresh raw personal API token of ``user`` in org A (or ``org``)."""
    from somu.org.models import Membership

    def make(user: User, org: Organization = org_a) -> str:
        with tenancy.activate(org):
            membership = Membership.objects.get(user=user)
            _token, raw = services.api_token_create(actor=user, membership=membership, name="test")
        return raw

    return make


@pytest.fixture
def api_as(token_for: Callable[..., str], org_a: Organization) -> Callable[..., Api]:
    """``api_as(user)``: an API client with a fresh token of ``user`` in org A (or ``org``).

    An app's tests override it to put their paths under the app's prefix::

        @pytest.fixture(name="api_as")
        def api_as_fixture(api_as):
            return functools.partial(api_as, prefix="/api/v1/survey")
    """

    def make(user: User, org: Organization = org_a, *, prefix: str = API) -> Api:
        return Api(token_for(user, org), prefix)

    return make


@pytest.fixture
def client_as() -> Iterator[Callable[[User, Organization | None], Client]]:
    """A logged-in test client working in ``organization`` (the switcher's choice)."""

    def make(user: User, organization: Organization | None = None) -> Client:
        client = Client()
        client.force_login(user)
        if organization is not None:
            session = client.session
            session["organization_id"] = organization.pk
            session.save()
        return client

    yield make


@pytest.fixture
def tr() -> Callable[..., str]:
    """``tr("Not found.")``: a message as users see it in the default language (Japanese).

    Tests assert what the page shows without depending on the current wording of a translation.
    """
    from django.conf import settings
    from django.utils import translation

    def translate(message: str, plural: str | None = None, **params: object) -> str:
        """With ``plural``, the form for ``params["n"]`` (or ``count``)."""
        with translation.override(settings.LANGUAGE_CODE):
            if plural is not None:
                number = params.get("n", params.get("count"))
                assert isinstance(number, int), "a plural message needs n= or count="
                text = translation.ngettext(message, plural, number)
            else:
                text = translation.gettext(message)
        return text % params if params else text

    return translate
