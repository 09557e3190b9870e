"""The demo organizations behind `somu demo`: realistic, consistent and the same on every load."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from somu.audit.models import AuditEvent
from somu.audit.selectors import audit_chain_verify
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org import demo
from somu.org.models import (
    CompanyHoliday,
    Department,
    Grade,
    Membership,
    Organization,
    Person,
    PersonSkill,
    PersonStatus,
    User,
)
from somu.org.selectors import department_paths
from somu.procedures import demo as procedures_demo
from somu.procedures.tests.test_demo_procedures import TODAY as DEMO_DAY
from somu.shell.demo import DEMO_ADMIN, DemoLogin, ensure_demo

FRONT_AND_BACK_OFFICE = ("総務部", "人事部", "経理部", "法務・コンプライアンス室", "情報システム部",
                         "営業部", "開発部")
KANA = re.compile(r"^[ぁ-ゖー]+ [ぁ-ゖー]+$")
NAME = re.compile(r"^\S+ \S+$")


@pytest.fixture
def demo_login(db: None, settings, tmp_path: Path) -> DemoLogin:
    # The demo keeps its password in the data dir; each test gets its own.
    settings.DATA_DIR = tmp_path
    return ensure_demo(today=DEMO_DAY)


def _org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


def fingerprint(organization: Organization) -> tuple[tuple[object, ...], ...]:
    """Everything the demo defines, without database ids, in a stable order."""
    with tenancy.activate(organization):
        paths = department_paths()
        people = tuple(
            (p.employee_number, p.name, p.name_kana, p.email, paths[p.department_id],
             p.grade.code, p.employment_type, p.hire_date, p.manager.employee_number
             if p.manager else None, p.standard_monthly_hours, p.status, p.retired_on,
             p.position.name if p.position else None)
            for p in Person.objects.select_related("grade", "manager", "position")
            .order_by("employee_number")
        )
        departments = tuple(sorted((paths[d.pk], d.code, d.sort_order,
                                    d.head.employee_number if d.head else "")
                                   for d in Department.objects.select_related("head")))
        grades = tuple(Grade.objects.order_by("sort_order").values_list(
            "code", "name", "hourly_cost", "difficulty_min", "difficulty_max"))
        skills = tuple(PersonSkill.objects.order_by("person__employee_number", "skill__name")
                       .values_list("person__employee_number", "skill__name", "skill__category",
                                    "level"))
        holidays = tuple(CompanyHoliday.objects.order_by("year", "month", "day", "name")
                         .values_list("name", "month", "day", "year"))
    return people + departments + grades + skills + holidays


def test_it_creates_about_sixty_people_in_the_back_and_front_office(demo_login):
    assert demo_login.created is True
    sample = _org(demo.DEMO_SLUG)
    assert sample.name == "株式会社サンプル"
    with tenancy.activate(sample):
        assert 55 <= Person.objects.count() <= 70
        names = set(Department.objects.values_list("name", flat=True))
        assert set(FRONT_AND_BACK_OFFICE) <= names
        paths = set(department_paths().values())
        assert {"管理本部/総務部", "管理本部/情報システム部", "営業本部/営業部/第一営業課",
                "開発本部/開発部"} <= paths
        assert list(Grade.objects.values_list("code", flat=True)) == [
            "G1", "G2", "G3", "G4", "G5", "G6"]
        costs = list(Grade.objects.values_list("hourly_cost", flat=True))
        assert costs == sorted(costs) and costs[0] == 2400 and costs[-1] == 9000
        for grade in Grade.objects.all():
            assert 1 <= grade.difficulty_min <= grade.difficulty_max <= 5
        # Every department of the tree has people, so every screen filtered by one shows someone.
        assert not Department.objects.filter(people__isnull=True).exists()


def test_every_person_has_a_name_kana_email_department_and_grade(demo_login):
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        people = list(Person.objects.all())
    for person in people:
        assert NAME.match(person.name), person.name
        assert KANA.match(person.name_kana), person.name_kana
        assert re.fullmatch(r"S\d{4}", person.employee_number)
        assert re.fullmatch(r"[a-z]+\.[a-z]+@sample\.example", person.email), person.email
        assert person.department_id is not None and person.grade_id is not None
        assert person.hire_date is not None
        # Everyone has joined already, but the new hire whose 入社手続き the procedures demo runs.
        if person.employee_number != procedures_demo.NEW_HIRE["employee_number"]:
            assert person.hire_date < dt.date(2026, 1, 1)
    assert len({p.email for p in people}) == len(people)
    # Numbers follow the hire date, as in most companies.
    by_number = sorted(people, key=lambda p: p.employee_number)
    assert [p.hire_date for p in by_number] == sorted(p.hire_date for p in people)


def test_the_people_are_mixed_like_a_real_company(demo_login):
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        people = list(Person.objects.all())
    kinds = [p.employment_type for p in people]
    assert kinds.count(demo.REGULAR) > len(people) / 2
    assert {demo.CONTRACT, demo.PART, demo.DISPATCHED} <= set(kinds)
    assert len({p.hire_date.year for p in people}) >= 15
    retired = [p for p in people if p.status == PersonStatus.RETIRED]
    assert len(retired) >= 3
    assert all(p.retired_on is not None and p.retired_on > p.hire_date for p in retired)
    part_timers = [p for p in people if p.employment_type == demo.PART]
    assert all(Decimal(80) <= p.standard_monthly_hours <= Decimal(120) for p in part_timers)


def test_heads_report_upwards_and_members_to_their_head_with_no_cycle(demo_login):
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        people = {p.pk: p for p in Person.objects.select_related("department", "manager")}
        by_name = {p.name: p for p in people.values()}
    for person in people.values():
        seen = {person.pk}
        current = person.manager_id
        while current is not None:
            assert current not in seen, f"reporting cycle through {person}"
            seen.add(current)
            current = people[current].manager_id
    roots = sorted(p.name for p in people.values() if p.manager_id is None)
    assert roots == sorted(["高橋 誠", "佐藤 浩二", "杉山 哲也"])  # the three 本部長
    assert by_name["中村 恵子"].manager == by_name["高橋 誠"]  # 総務部長 → 管理本部長
    assert by_name["吉田 翔太"].manager == by_name["中村 恵子"]  # 総務部 member → 総務部長
    assert by_name["伊藤 大輔"].manager == by_name["鈴木 一郎"]  # 第一営業課長 → 営業部長
    assert by_name["斎藤 優花"].manager == by_name["伊藤 大輔"]


def test_some_skills_are_held_by_one_person_only(demo_login):
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        holders = {name: PersonSkill.objects.filter(skill__name=name).count()
                   for name, _category in demo.SAMPLE_SKILLS}
        payroll_departments = set(PersonSkill.objects.filter(skill__name="給与計算")
                             .values_list("person__department__name", flat=True))
    assert len(holders) >= 15
    assert {"株主総会運営", "英文契約", "ネットワーク"} <= {n for n, c in holders.items() if c == 1}
    assert all(count >= 1 for count in holders.values())
    assert payroll_departments == {"人事部"}


def test_the_calendar_has_year_end_a_founding_day_and_one_holiday_in_2026(demo_login):
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        holidays = set(CompanyHoliday.objects.values_list("name", "month", "day", "year"))
    assert {(12, 29, None), (1, 3, None)} <= {(m, d, y) for _n, m, d, y in holidays}
    assert ("創立記念日", 10, 1, None) in holidays
    assert [h for h in holidays if h[3] is not None] == [("臨時休業日", 11, 2, 2026)]
    assert len(holidays) == 8


def test_the_admin_administers_both_organizations_which_stay_apart(demo_login):
    admin = User.objects.get(username=DEMO_ADMIN)
    assert admin.check_password(demo_login.password)
    with tenancy.unscoped():
        roles = {m.organization.slug: m.role
                 for m in Membership.objects.filter(user=admin).select_related("organization")}
    assert roles == {demo.DEMO_SLUG: Role.ADMIN, demo.TRADING_SLUG: Role.ADMIN}
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        person = Membership.objects.select_related("person__department").get(user=admin).person
    assert person is not None
    assert (person.name, person.department.name) == ("松本 大輝", "総務部")
    trading = _org(demo.TRADING_SLUG)
    assert trading.name == "サンプル商事株式会社"
    with tenancy.activate(trading):
        assert 6 <= Person.objects.count() <= 10
        assert 2 <= Department.objects.count() <= 3
        assert not Grade.objects.filter(code__startswith="G").exists()
        assert not Person.objects.filter(employee_number__startswith="S").exists()


def test_each_role_account_has_its_role_person_and_the_demo_password(demo_login):
    assert demo_login.role_usernames == ("manager", "staff", "employee", "auditor", "executive")
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        memberships = {m.user.username: m for m in
                       Membership.objects.select_related("user", "person__department")}
        paths = department_paths()
    for username in demo_login.role_usernames:
        assert memberships[username].user.check_password(demo_login.password)
        with tenancy.unscoped():
            assert Membership.objects.filter(user__username=username).count() == 1
    manager = memberships["manager"]
    assert (manager.role, manager.person.name) == (Role.MANAGER, "中村 恵子")
    assert manager.person.department.name == "総務部"
    assert memberships["staff"].role == Role.STAFF
    assert memberships["staff"].person.department.name == "総務部"
    assert memberships["employee"].role == Role.EMPLOYEE
    assert paths[memberships["employee"].person.department_id].startswith("営業本部/営業部")
    assert memberships["auditor"].role == Role.AUDITOR
    assert (memberships["executive"].role, memberships["executive"].person.name) == (
        Role.EXECUTIVE, "高橋 誠")


def test_the_audit_log_tells_how_the_demo_was_built(demo_login):
    sample = _org(demo.DEMO_SLUG)
    with tenancy.activate(sample):
        people = Person.objects.count()
        assert AuditEvent.objects.filter(action="person.create").count() == people
        assert AuditEvent.objects.filter(action="person.retire").count() == len(
            demo.SAMPLE_RETIREMENTS)
    assert audit_chain_verify(organization_id=sample.pk).ok


def test_the_manager_sees_the_demo_people_page(demo_login, client):
    assert client.login(username="manager", password=demo_login.password)
    body = client.get(reverse("org:person_list")).content.decode()
    assert "中村 恵子" in body and "吉田 翔太" in body
    assert "大野 浩之" not in body  # サンプル商事


def test_the_admins_first_login_has_my_tasks_and_a_survey_to_answer(demo_login, client):
    from somu.survey.models import ResponseStatus, RoundStatus, SurveyRound

    assert client.login(username=DEMO_ADMIN, password=demo_login.password)
    tasks = client.get(reverse("procedures:my_tasks"))
    assert tasks.status_code == 200
    assert not tasks.context.get("no_person")
    assert "S0054 松本 大輝" in tasks.content.decode()
    surveys = client.get(reverse("survey:my_surveys")).content.decode()
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        open_round = SurveyRound.objects.get(status=RoundStatus.OPEN)
    assert open_round.name in surveys
    page = client.get(reverse("survey:questionnaire", args=[open_round.pk]))
    assert page.status_code == 200
    respondent = page.context["respondent"]
    assert respondent.person.employee_number == demo.ADMIN_PERSON
    assert respondent.status != ResponseStatus.SUBMITTED  # something is left to answer


def test_the_demo_manager_sees_the_analysis_of_the_somu_department_only(demo_login, client):
    from somu.survey.demo import ROUND_2026
    from somu.survey.models import SurveyRound

    assert client.login(username="manager", password=demo_login.password)
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        survey_round = SurveyRound.objects.get(name=ROUND_2026)
        somu = Department.objects.get(name="総務部")
        inside = set(Person.objects.filter(department=somu).values_list("pk", flat=True))
    response = client.get(reverse("survey:analysis", args=[survey_round.pk]) + "?section=load")
    assert response.status_code == 200  # not 403, as before
    page = response.content.decode()
    assert "管理本部/総務部" in page  # the page says whose figures these are
    shown = {p.person_id for p in response.context["load_table"]}
    assert shown and shown <= inside
    assert "長谷川 美穂" not in page  # 経理部


def test_a_demo_made_before_the_admin_was_linked_gets_the_link_on_the_next_start(demo_login):
    sample = _org(demo.DEMO_SLUG)
    admin = User.objects.get(username=DEMO_ADMIN)
    with tenancy.activate(sample):
        Membership.objects.filter(user=admin).update(person=None)
    ensure_demo(today=DEMO_DAY)
    with tenancy.activate(sample):
        membership = Membership.objects.select_related("person").get(user=admin)
    assert membership.person.employee_number == demo.ADMIN_PERSON
    assert membership.role == Role.ADMIN


def test_the_demo_is_the_same_on_every_load(db):
    first = demo.load_company(demo.SAMPLE, slug="sample-first")
    second = demo.load_company(demo.SAMPLE, slug="sample-second")
    assert fingerprint(first.organization) == fingerprint(second.organization)
    people = fingerprint(first.organization)[:len(first.people)]
    # …and it is the data written in the module, not something computed at load time.
    expected = sorted(
        (p.number, p.name, p.kana, f"{p.romaji}@sample.example", department, p.grade,
         p.employment, dt.date.fromisoformat(p.hired))
        for department, rows in demo.SAMPLE_PEOPLE.items() for p in rows
    )
    assert [(*row[:4], row[4].rsplit("/", 1)[-1], *row[5:8]) for row in people] == expected


def test_ensure_demo_loads_once_and_then_reuses_the_data(demo_login):
    def counts() -> tuple[int, ...]:
        with tenancy.unscoped():
            return (Organization.objects.count(), User.objects.count(), Person.objects.count(),
                    AuditEvent.objects.count())

    before = counts()
    again = ensure_demo(today=DEMO_DAY)
    assert again == DemoLogin(DEMO_ADMIN, demo_login.password, created=False,
                              role_usernames=demo_login.role_usernames)
    assert counts() == before


# ---- 役職 and 部署長 -------------------------------------------------------------------------


def _chain(number: str) -> list[tuple[str, str]]:
    """From a person up through the heads of their department and the ones above, as approval
    routes walk it, then the 社長: (name, position) at each step."""
    person = Person.objects.select_related("department", "position").get(employee_number=number)
    steps = [(person.name, person.position.name)]
    department = person.department
    while department is not None:
        if department.head is not None and department.head != person:
            steps.append((department.head.name, department.head.position.name))
        department = department.parent
    president = Person.objects.get(position__name="社長")
    steps.append((president.name, president.position.name))
    return steps


def test_the_demo_has_a_chain_from_staff_through_kacho_bucho_honbucho_to_the_president(
        demo_login):
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        for number in ("S0053", "S0058", "S0056"):  # 第一営業課 and 第二営業課 staff
            assert [title for _name, title in _chain(number)] == [
                "一般", "課長", "部長", "本部長", "社長"], number
        assert _chain("S0053") == [("斎藤 優花", "一般"), ("伊藤 大輔", "課長"),
                                   ("鈴木 一郎", "部長"), ("佐藤 浩二", "本部長"),
                                   ("高橋 誠", "社長")]


def test_every_demo_department_is_headed_by_a_fitting_position_but_one_left_vacant(demo_login):
    fitting = {"本部": "本部長", "部": "部長", "室": "部長", "課": "課長"}
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        vacant = [d.name for d in Department.objects.filter(head__isnull=True)]
        assert vacant == ["管理本部"]
        for department in Department.objects.select_related("head__position").filter(
                head__isnull=False):
            suffix = next(s for s in fitting if department.name.endswith(s))
            assert department.head.position.name == fitting[suffix], department.name
            assert department.head.department_id == department.pk
        assert Person.objects.filter(position__name="社長").count() == 1
    with tenancy.activate(_org(demo.TRADING_SLUG)):
        heads = Department.objects.select_related("head__position")
        assert {d.name: d.head.position.name for d in heads} == {
            "管理部": "部長", "営業部": "部長", "物流部": "部長"}


def test_demo_positions_follow_the_grade_and_employment_type(demo_login):
    with tenancy.activate(_org(demo.DEMO_SLUG)):
        titles = dict(Person.objects.values_list("employee_number", "position__name"))
    assert titles["S0012"] == "課長"  # G4 in 総務部: 担当課長
    assert titles["S0020"] == "係長"
    assert titles["S0038"] == "一般"  # 契約社員
    assert titles["S0041"] is None and titles["S0060"] is None  # パート, 派遣
