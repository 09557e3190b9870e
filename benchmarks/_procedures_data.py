"""Shared data for the procedures benchmarks: the database, a synthetic company, the templates.

- :func:`bench_database`: a temporary SQLite data directory, or — with ``--pg`` or
  ``DATABASE_URL`` — a PostgreSQL database created for the run and dropped after it.
- :func:`build_company`: one organization with the departments a Japanese company has
  (管理本部 with 人事部・総務部・経理部・情報システム部, sales, development and manufacturing), a
  tree of managers, and N people with logins and roles (the back-office departments hold the
  staff role, department heads the manager role), and two company holidays (創立記念日, 夏季休暇)
  on top of the default calendar.
- The templates: :func:`onboarding_30_spec` (30 steps: dependencies, conditions, role / parameter
  / manager assignee rules, business-day due rules) for single launches,
  :func:`year_end_20_spec` (20 steps per employee) for bulk launches, and :data:`GRAPH_20`, the
  20-step dependency graph (parallel branches and joins) both engines run in the SpiffWorkflow
  comparison, with :func:`graph_spec` (somu) and :func:`graph_bpmn` (BPMN) built from it.

Module level is standard library only: the SpiffWorkflow side imports this file in its own
virtual environment, which has no Django.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from xml.etree import ElementTree as ET

PG_SERVER: Final = "postgres://postgres@127.0.0.1:5432"
ORG_SLUG: Final = "bench-procedures"
ADMIN_USERNAME: Final = "bench-admin"
PASSWORD: Final = "bench-password-1234"  # noqa: S105 - a throwaway local benchmark login
BACK_OFFICE: Final = {"人事部": 30, "総務部": 20, "経理部": 20, "情報システム部": 20}
LINE_DEPARTMENTS: Final = {
    "営業本部": ["第一営業部", "第二営業部", "第三営業部", "営業企画部"],
    "開発本部": ["開発一部", "開発二部", "開発三部", "品質保証部"],
    "製造本部": ["製造一部", "製造二部", "生産管理部", "物流部"],
}
SURNAMES: Final = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
                   "吉田", "山田", "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水"]
GIVEN: Final = ["太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔", "由美", "大輔", "愛",
                "拓也", "恵", "直樹", "さくら", "誠", "彩", "亮", "真由美", "修", "優子"]


# ---- the database --------------------------------------------------------------------------------


def add_database_arguments(parser: Any, *, db_name: str) -> None:
    parser.add_argument("--pg", action="store_true",
                        help=f"PostgreSQL: {PG_SERVER}/{db_name} (or DATABASE_URL), created "
                             "and dropped")
    parser.add_argument("--keep", action="store_true",
                        help="keep the data directory (and the PostgreSQL database)")


def database_url(*, pg: bool, db_name: str) -> str:
    """The PostgreSQL URL to use ("" for SQLite): DATABASE_URL if set, else the default server."""
    url = os.environ.get("DATABASE_URL", "")
    if pg and not url:
        url = f"{PG_SERVER}/{db_name}"
    return url


@contextlib.contextmanager
def bench_database(*, pg: bool, db_name: str, keep: bool) -> Iterator[str]:
    """Point Django at a fresh database for this run; yields the backend's label.

    SQLite lives in a temporary ``SOMU_DATA_DIR`` (WAL, as ``somu serve`` uses it). PostgreSQL
    gets a database dropped, created and dropped again at the end; its name must contain
    "bench" so that a mistyped DATABASE_URL never drops real data.
    """
    from people_list import postgres_database

    url = database_url(pg=pg, db_name=db_name)
    data_dir = Path(tempfile.mkdtemp(prefix="somu-bench-"))
    os.environ["SOMU_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "somu.settings"
    os.environ.setdefault("SOMU_LOG_LEVEL", "WARNING")
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    name = urllib.parse.urlsplit(url).path.lstrip("/") if url else ""
    try:
        with postgres_database(url, keep=keep) if url else contextlib.nullcontext():
            try:
                yield f"PostgreSQL ({name})" if url else "SQLite (WAL)"
            finally:
                if url:
                    from django.db import connections

                    connections.close_all()  # the final DROP DATABASE needs no sessions
    finally:
        if keep:
            print(f"data directory kept: {data_dir}" + (f"; database {name} kept" if url else ""))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def migrate() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


# ---- the company ---------------------------------------------------------------------------------


@dataclass
class Company:
    """What the benchmarks need to know about the synthetic company."""

    organization: Any
    admin: Any  # the User launching runs: an admin whose person is the 人事部 head
    admin_person: Any
    people: list[int]  # person ids of everyone, in employee-number order
    active: list[int]  # person ids of active people
    heavy: list[int] = field(default_factory=list)  # back-office staff (role-rule assignees)
    users: dict[int, int] = field(default_factory=dict)  # person id -> user id
    managers: dict[int, int] = field(default_factory=dict)  # person id -> manager's id


def build_company(*, people: int, seed: int = 20260401, logins: bool = True) -> Company:
    """Create the organization, departments, people (bulk), users, memberships and holidays.

    Every person gets a login (one password hash shared by all, computed once) when
    ``logins``; the back-office departments' members are ``staff``, department heads
    ``manager``, everybody else ``employee``. About 2 % of people are retired.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from somu.core import tenancy
    from somu.core.permissions import Role
    from somu.org import services
    from somu.org.models import Department, Membership, Person, PersonStatus, User

    rng = random.Random(seed)
    with transaction.atomic():
        org = services.organization_create(actor=None, name="ベンチマーク工業株式会社",
                                           slug=ORG_SLUG)
        with tenancy.activate(org):
            kanri = services.department_create(actor=None, name="管理本部", code="D1")
            departments: dict[str, Department] = {"管理本部": kanri}
            for index, name in enumerate(BACK_OFFICE, start=1):
                departments[name] = services.department_create(
                    actor=None, name=name, code=f"D1{index}", parent=kanri)
            line: list[Department] = []
            for d, (division_name, units) in enumerate(LINE_DEPARTMENTS.items(), start=2):
                division = services.department_create(actor=None, name=division_name,
                                                      code=f"D{d}")
                departments[division_name] = division
                for u, unit in enumerate(units, start=1):
                    departments[unit] = services.department_create(
                        actor=None, name=unit, code=f"D{d}{u}", parent=division)
                    line.append(departments[unit])
            # Besides 土日, 祝日 and 年末年始 (every organization's default calendar): the
            # company's own days off, so the business-day arithmetic skips those too.
            services.company_holiday_add(actor=None, name="創立記念日", month=6, day=1)
            services.company_holiday_add(actor=None, name="夏季休暇", month=8, day=14)

            rows: list[Person] = []
            plan: list[Department] = [kanri]  # E00001: 社長 (no manager)
            for name, size in BACK_OFFICE.items():
                plan.extend([departments[name]] * min(size, max(2, people // 100)))
            while len(plan) < people:
                plan.append(line[rng.randrange(len(line))])
            for n, department in enumerate(plan[:people], start=1):
                retired = n > 200 and rng.random() < 0.02
                rows.append(Person(
                    organization=org, employee_number=f"E{n:05d}",
                    name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                    email=f"e{n:05d}@bench.example", department=department,
                    status=PersonStatus.RETIRED if retired else PersonStatus.ACTIVE,
                ))
            Person.objects.bulk_create(rows, batch_size=2000)
            everyone = list(Person.objects.order_by("employee_number"))
            president = everyone[0]
            heads: dict[int, Person] = {}
            for person in everyone[1:]:
                head = heads.setdefault(person.department_id, person)  # type: ignore[arg-type]
                person.manager = president if head is person else head
            Person.objects.bulk_update(everyone[1:], ["manager"], batch_size=2000)
            back_office_ids = {departments[name].pk for name in BACK_OFFICE}
            head_ids = {p.pk for p in heads.values()}
            hr_head = heads[departments["人事部"].pk]

            users: dict[int, int] = {}
            admin = services.user_create(actor=None, username=ADMIN_USERNAME, password=PASSWORD)
            services.membership_set(actor=None, user=admin, role=Role.ADMIN, person=hr_head)
            if logins:
                password = make_password(PASSWORD)
                others = [p for p in everyone if p.pk != hr_head.pk]
                User.objects.bulk_create([
                    User(username=f"u{p.employee_number.lower()}", password=password)
                    for p in others], batch_size=2000)
                by_name = dict(User.objects.filter(username__startswith="ue")
                               .values_list("username", "pk"))
                members = []
                for p in others:
                    role = (Role.MANAGER if p.pk in head_ids else Role.STAFF
                            if p.department_id in back_office_ids else Role.EMPLOYEE)
                    user_id = by_name[f"u{p.employee_number.lower()}"]
                    users[p.pk] = user_id
                    members.append(Membership(organization=org, user_id=user_id,
                                              role=role.value, person=p))
                Membership.objects.bulk_create(members, batch_size=2000)
            users[hr_head.pk] = admin.pk
    analyze()
    active = [p.pk for p in everyone if p.status == PersonStatus.ACTIVE]
    heavy = [p.pk for p in everyone if p.department_id in back_office_ids
             and p.pk not in head_ids and p.status == PersonStatus.ACTIVE]
    return Company(organization=org, admin=admin, admin_person=hr_head,
                   people=[p.pk for p in everyone], active=active, heavy=heavy, users=users,
                   managers={p.pk: p.manager_id for p in everyone if p.manager_id})


def analyze() -> None:
    """PostgreSQL: ANALYZE the tables :func:`build_company` filled, as autovacuum would have
    after importing the people (right after a bulk load the planner thinks they are empty).
    Not the procedures tables: statistics taken while they are empty make PostgreSQL check the
    foreign keys of a later bulk insert with sequential scans (a 10,000-run bulk launch then
    spends 70 s in COMMIT instead of 4 s). SQLite: no statistics, as somu never runs ANALYZE.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE org_person, org_membership, org_department, org_user")


# ---- templates -----------------------------------------------------------------------------------

HR: Final = {"role": "staff", "department": "人事部"}
GA: Final = {"role": "staff", "department": "総務部"}
ACC: Final = {"role": "staff", "department": "経理部"}
IT: Final = {"role": "staff", "department": "情報システム部"}


def _step(key: str, name: str, deps: Sequence[str] = (), **more: Any) -> dict[str, Any]:
    step: dict[str, Any] = {"key": key, "name": name}
    if deps:
        step["depends_on"] = list(deps)
    step.update(more)
    return step


def onboarding_30_spec() -> dict[str, Any]:
    """入社手続き, 30 steps: what a launch has to plan, assign and date.

    Four conditions (two steps skipped for a 正社員 without remote work), seven assignee rules
    (人事部・総務部・経理部・情報システム部 staff by load, the new hire, their manager, the
    starter), due dates from the hire date in business and calendar days with rolls, 翌月10日,
    月末, and relative to a predecessor's completion.
    """
    hire = "入社日"
    return {
        "somu": "procedure/1",
        "name": "入社手続き（ベンチマーク30ステップ）",
        "category": "人事労務",
        "parameters": [
            {"key": "入社者", "label": "入社者", "type": "person"},
            {"key": "入社日", "label": "入社日", "type": "date"},
            {"key": "雇用形態", "label": "雇用形態", "type": "choice",
             "choices": ["正社員", "契約社員", "パート"], "default": "正社員"},
            {"key": "リモート勤務", "label": "リモート勤務", "type": "boolean", "default": False},
        ],
        "steps": [
            _step("offer", "内定通知書の送付", assignee=HR,
                  due={"from": hire, "offset": -20}),
            _step("contract", "雇用契約書の締結", ["offer"], assignee=HR,
                  due={"from": hire, "offset": -15}, checklist=["労働条件通知書", "署名・押印"]),
            _step("documents", "入社書類の回収", ["contract"], assignee={"param": "入社者"},
                  due={"from": hire, "offset": -5},
                  instructions="{{入社者}}さんから入社書類を回収する。"),
            _step("my_number", "マイナンバーの収集", ["contract"], assignee=HR,
                  due={"from": hire, "offset": -5}),
            _step("pc_order", "PCの手配", ["contract"], assignee=IT,
                  due={"from": hire, "offset": -10}),
            _step("remote_kit", "リモート勤務機材の送付", ["pc_order"], assignee=IT,
                  due={"from": hire, "offset": -3}, condition="リモート勤務"),
            _step("seat", "座席・備品の準備", ["contract"], assignee=GA,
                  due={"from": hire, "offset": -3}, condition="not リモート勤務"),
            _step("card", "入館証の発行", ["contract"], assignee=GA,
                  due={"from": hire, "offset": -2}),
            _step("account", "アカウント発行", ["pc_order"], assignee=IT,
                  due={"from": hire, "offset": -2}),
            _step("mail", "メールアドレス・チャットの登録", ["account"], assignee=IT,
                  due={"after": "account", "offset": 1}),
            _step("shaho", "健康保険・厚生年金保険 資格取得届", ["documents", "my_number"],
                  assignee=HR, condition="雇用形態 in ['正社員', '契約社員']",
                  due={"from": hire, "offset": 5, "unit": "calendar", "roll": "previous"}),
            _step("koyo", "雇用保険 資格取得届", ["documents", "my_number"], assignee=HR,
                  due={"from": hire, "day_of_month": 10, "months": 1, "roll": "previous"}),
            _step("part_rules", "パートタイム労働条件の説明", ["contract"], assignee=HR,
                  condition="雇用形態 == 'パート'", due={"from": hire, "offset": 0}),
            _step("payroll", "給与システムへの登録", ["documents"], assignee=ACC,
                  due={"from": hire, "end_of_month": True, "roll": "previous"}),
            _step("bank", "給与振込口座の登録", ["payroll"], assignee=ACC,
                  due={"after": "payroll", "offset": 2}),
            _step("commute", "通勤手当の申請確認", ["documents"], assignee=ACC,
                  due={"from": hire, "offset": 5}),
            _step("fuyo", "扶養控除等申告書の確認", ["documents"], assignee=HR,
                  due={"from": hire, "offset": 3}),
            _step("resident_tax", "住民税の特別徴収切替", ["documents"], assignee=ACC,
                  due={"from": hire, "day_of_month": 10, "months": 1, "roll": "previous"}),
            _step("welcome", "歓迎メールの送付", ["mail", "card"],
                  assignee={"manager_of": "入社者"}, due={"from": hire, "offset": -1}),
            _step("insurance_card", "保険証の交付", ["shaho"], assignee=HR,
                  due={"after": "shaho", "offset": 10}),
            _step("orientation", "入社オリエンテーション", ["welcome"], assignee=HR,
                  due={"from": hire, "offset": 0}),
            _step("rules", "就業規則の説明", ["orientation"], assignee=HR,
                  due={"from": hire, "offset": 1}),
            _step("security", "情報セキュリティ研修", ["orientation", "account"], assignee=IT,
                  due={"from": hire, "offset": 3}),
            _step("pledge", "誓約書の提出", ["rules"], assignee={"param": "入社者"},
                  due={"from": hire, "offset": 5}),
            _step("training", "導入研修", ["orientation"],
                  assignee={"manager_of": "入社者"}, due={"from": hire, "offset": 10}),
            _step("mentor", "メンターの割当", ["orientation"],
                  assignee={"manager_of": "入社者"}, due={"from": hire, "offset": 2}),
            _step("one_on_one", "初回面談", ["mentor"], assignee={"manager_of": "入社者"},
                  due={"from": hire, "offset": 10}),
            _step("probation", "試用期間の評価日程の設定", ["one_on_one"], assignee=HR,
                  due={"from": hire, "offset": 20}),
            _step("review", "手続きの最終確認", ["koyo", "bank", "fuyo", "insurance_card",
                                              "training", "security", "pledge", "commute"],
                  assignee="starter", due={"from": hire, "end_of_month": True, "months": 1,
                                           "roll": "previous"}),
            _step("close", "完了報告", ["review", "probation", "resident_tax"],
                  assignee="starter", due={"after": "review", "offset": 2}),
        ],
    }


def year_end_20_spec() -> dict[str, Any]:
    """年末調整 per employee, 20 steps: the employee's own declarations ({param: 対象者}), 人事部
    and 経理部 checks by load, the manager's confirmation; due dates counted from the start (11/1)
    in business days and as 翌月・翌々月 days, rolled to the previous business day."""
    me = {"param": "対象者"}
    start = "start"
    return {
        "somu": "procedure/1",
        "name": "年末調整（従業員別・ベンチマーク20ステップ）",
        "category": "人事労務",
        # 社長 has no manager: their 上長による確認 goes to the template owner, flagged.
        "on_unresolved_assignee": "owner",
        "parameters": [{"key": "対象者", "label": "対象者", "type": "person"}],
        "steps": [
            _step("notice", "年末調整の案内", assignee=HR, due={"from": start, "offset": 3}),
            _step("fuyo", "扶養控除等申告書の提出", ["notice"], assignee=me,
                  due={"from": start, "offset": 10}),
            _step("kiso", "基礎控除申告書の提出", ["notice"], assignee=me,
                  due={"from": start, "offset": 10}),
            _step("hoken", "保険料控除申告書の提出", ["notice"], assignee=me,
                  due={"from": start, "offset": 10}),
            _step("certificates", "控除証明書の提出", ["hoken"], assignee=me,
                  due={"from": start, "offset": 12}),
            _step("housing", "住宅借入金等特別控除申告書の提出", ["notice"], assignee=me,
                  due={"from": start, "offset": 12}),
            _step("previous_job", "前職の源泉徴収票の提出", ["notice"], assignee=me,
                  due={"from": start, "offset": 12}),
            _step("check_fuyo", "扶養親族の所得要件の確認", ["fuyo", "kiso"], assignee=HR,
                  due={"from": start, "end_of_month": True, "roll": "previous"}),
            _step("check_insurance", "控除額と証明書の突合", ["certificates"], assignee=HR,
                  due={"from": start, "end_of_month": True, "roll": "previous"}),
            _step("check_housing", "住宅ローン控除の確認", ["housing"], assignee=HR,
                  due={"from": start, "end_of_month": True, "roll": "previous"}),
            _step("merge_previous", "前職分の合算", ["previous_job"], assignee=ACC,
                  due={"from": start, "day_of_month": 5, "months": 1, "roll": "previous"}),
            _step("input", "給与計算ソフトへの入力", ["check_fuyo", "check_insurance",
                                                     "check_housing", "merge_previous"],
                  assignee=ACC, due={"from": start, "day_of_month": 10, "months": 1,
                                      "roll": "previous"}),
            _step("calculate", "年税額と過不足額の計算", ["input"], assignee=ACC,
                  due={"from": start, "day_of_month": 15, "months": 1, "roll": "previous"}),
            _step("confirm", "上長による確認", ["calculate"], assignee={"manager_of": "対象者"},
                  due={"from": start, "day_of_month": 18, "months": 1, "roll": "previous"}),
            _step("settle", "12月給与での過不足精算", ["confirm"], assignee=ACC,
                  due={"from": start, "day_of_month": 25, "months": 1, "roll": "previous"}),
            _step("slip", "源泉徴収票の交付", ["settle"], assignee=HR,
                  due={"from": start, "end_of_month": True, "months": 2, "roll": "previous"}),
            _step("report_city", "給与支払報告書の提出", ["settle"], assignee=HR,
                  due={"from": start, "end_of_month": True, "months": 2, "roll": "previous"}),
            _step("fuyo_next", "翌年分扶養控除等申告書の保管", ["fuyo"], assignee=HR,
                  due={"from": start, "end_of_month": True, "months": 2, "roll": "previous"}),
            _step("archive", "申告書類の保管", ["slip", "report_city", "fuyo_next"],
                  assignee=GA, due={"from": start, "end_of_month": True, "months": 2,
                                    "roll": "previous"}),
            _step("done", "本人への完了通知", ["archive"], assignee=me,
                  due={"from": start, "end_of_month": True, "months": 2, "roll": "previous"}),
        ],
    }


# The SpiffWorkflow comparison's dependency graph: (key, name, dependencies). 入社手続き in 20
# steps: forks after 雇用契約 (4 branches), 入社書類 (4) and 資格取得届 (2); joins of 2 to 6
# branches; not block-structured (資格取得届 feeds both 保険証 and the オリエンテーション).
GRAPH_20: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("offer", "内定通知書の送付", ()),
    ("contract", "雇用契約書の締結", ("offer",)),
    ("documents", "入社書類の回収", ("contract",)),
    ("my_number", "マイナンバーの収集", ("contract",)),
    ("pc_order", "PCの手配", ("contract",)),
    ("seat", "座席・備品の準備", ("contract",)),
    ("account", "アカウント発行", ("pc_order",)),
    ("card", "入館証の発行", ("seat",)),
    ("shaho", "健康保険・厚生年金 資格取得届", ("documents", "my_number")),
    ("koyo", "雇用保険 資格取得届", ("documents", "my_number")),
    ("payroll", "給与システムへの登録", ("documents",)),
    ("bank", "給与振込口座の登録", ("payroll",)),
    ("fuyo", "扶養控除等申告書の確認", ("documents",)),
    ("welcome", "歓迎メールの送付", ("account", "card")),
    ("insurance_card", "保険証の交付", ("shaho",)),
    ("orientation", "入社オリエンテーション", ("welcome", "shaho")),
    ("training", "導入研修", ("orientation",)),
    ("mentor", "メンターの割当", ("orientation",)),
    ("review", "手続きの最終確認", ("koyo", "bank", "fuyo", "insurance_card", "training",
                                    "mentor")),
    ("close", "完了報告", ("review",)),
)


def graph_spec() -> dict[str, Any]:
    """:data:`GRAPH_20` as a somu template: every step a plain task for the starter (like a
    BPMN user task with no form), due 0–19 business days after the start."""
    return {
        "somu": "procedure/1",
        "name": "入社手続き（SpiffWorkflow比較 20ステップ）",
        "steps": [_step(key, name, deps, due={"from": "start", "offset": index})
                  for index, (key, name, deps) in enumerate(GRAPH_20)],
    }


BPMN_NS: Final = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMN_PROCESS_ID: Final = "onboarding_20"


def graph_bpmn(graph: Sequence[tuple[str, str, tuple[str, ...]]] = GRAPH_20) -> str:
    """A BPMN 2.0 process for the graph: one user task per step, a parallel gateway that forks
    after every step with several successors and one that joins before every step with several
    dependencies, a start event before the roots and an end event after the leaves.

    Every dependency is one sequence flow carrying one token, so each join fires exactly when
    all of a step's dependencies are complete — the dependency rule of a somu run.
    """
    succ: dict[str, list[str]] = {key: [] for key, _name, _deps in graph}
    for key, _name, deps in graph:
        for dep in deps:
            succ[dep].append(key)
    roots = [key for key, _name, deps in graph if not deps]
    leaves = [key for key, _name, _deps in graph if not succ[key]]
    ET.register_namespace("bpmn", BPMN_NS)
    q = f"{{{BPMN_NS}}}"
    definitions = ET.Element(f"{q}definitions", {
        "id": "definitions_onboarding_20", "targetNamespace": "https://somu.example/bench"})
    process = ET.SubElement(definitions, f"{q}process",
                            {"id": BPMN_PROCESS_ID, "isExecutable": "true",
                             "name": "入社手続き（20ステップ）"})
    nodes: dict[str, ET.Element] = {}
    flows: list[tuple[str, str]] = []

    def node(tag: str, node_id: str, name: str = "") -> str:
        attrs = {"id": node_id, **({"name": name} if name else {})}
        nodes[node_id] = ET.SubElement(process, f"{q}{tag}", attrs)
        return node_id

    node("startEvent", "start", "開始")
    start_out = node("parallelGateway", "fork_start") if len(roots) > 1 else "start"
    if start_out != "start":
        flows.append(("start", start_out))
    for key, name, deps in graph:
        node("userTask", key, name)
        if len(deps) > 1:
            flows.append((node("parallelGateway", f"join_{key}"), key))
        if len(succ[key]) > 1:
            flows.append((key, node("parallelGateway", f"fork_{key}")))
    node("endEvent", "end", "終了")
    end_in = node("parallelGateway", "join_end") if len(leaves) > 1 else "end"
    if end_in != "end":
        flows.append((end_in, "end"))

    def exit_of(key: str) -> str:
        return f"fork_{key}" if len(succ[key]) > 1 else key

    def entry_of(key: str) -> str:
        return f"join_{key}" if len(dict((k, d) for k, _n, d in graph)[key]) > 1 else key

    for root in roots:
        flows.append((start_out, entry_of(root)))
    for key, _name, deps in graph:
        for dep in deps:
            flows.append((exit_of(dep), entry_of(key)))
    for leaf in leaves:
        flows.append((exit_of(leaf), end_in))
    ins: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    outs: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    for index, (source, target) in enumerate(flows, start=1):
        flow_id = f"flow_{index}"
        outs[source].append(flow_id)
        ins[target].append(flow_id)
        ET.SubElement(process, f"{q}sequenceFlow",
                      {"id": flow_id, "sourceRef": source, "targetRef": target})
    for node_id, element in nodes.items():  # the schema wants incoming before outgoing
        for flow_id in ins[node_id]:
            ET.SubElement(element, f"{q}incoming").text = flow_id
        for flow_id in outs[node_id]:
            ET.SubElement(element, f"{q}outgoing").text = flow_id
    ET.indent(definitions)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(definitions, encoding="unicode") + "\n")


def bpmn_dependencies(xml: str) -> dict[str, tuple[str, ...]]:
    """Read a BPMN process back as a dependency graph: for each user task, the user tasks
    that precede it through gateways. Used to check both engines run the same graph."""
    q = f"{{{BPMN_NS}}}"
    root = ET.fromstring(xml)  # noqa: S314 - the benchmark's own file
    process = root.find(f"{q}process")
    assert process is not None
    kinds = {el.get("id"): el.tag.removeprefix(q) for el in process}
    incoming: dict[str, list[str]] = {}
    for flow in process.findall(f"{q}sequenceFlow"):
        incoming.setdefault(flow.get("targetRef", ""), []).append(flow.get("sourceRef", ""))

    def tasks_before(node_id: str) -> set[str]:
        found: set[str] = set()
        for source in incoming.get(node_id, []):
            if kinds.get(source) == "userTask":
                found.add(source)
            else:
                found |= tasks_before(source)
        return found

    return {node_id: tuple(sorted(tasks_before(node_id)))
            for node_id, kind in kinds.items() if kind == "userTask"}


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (as the other benchmarks compute it)."""
    import math

    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def machine_load() -> str:
    """The load average next to the core count: figures taken on a busy machine say so."""
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def ratio(value: float, target: float, *, higher_is_better: bool = False) -> str:
    """``0.42 × the target`` and a marker when it is missed."""
    r = value / target
    missed = r < 1 if higher_is_better else r > 1
    return f"{r:.2f} × the target" + ("  ← MISSED" if missed else "")
