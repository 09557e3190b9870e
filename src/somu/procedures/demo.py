"""The procedures part of the demo (株式会社サンプル): the library adopted, runs in every state.

Unlike the organization and survey demos, this part is built around a given day (``today``,
which ``somu demo`` sets to the real date and tests fix): a procedure demo is about what is due
now. Every offset is counted in business days on the organization's calendar, so any day —
a Saturday, Golden Week, 12/29 — gives the same picture. It adopts every library procedure
(owned by 吉田, the demo "staff" account, S0034), links each to the inventory tasks it
standardizes (so the insights page compares surveyed hours with estimated and actual
minutes), and launches:

- 入社手続き for a new hire (高木 颯) joining in eight business days: the approval and the
  steps due ten business days before joining done, the rest ready or waiting;
- 退職手続き of 金子 (S0024, retired 2025-06-30): completed, dated as it happened;
- 月次決算 for last month: everything done except 会計期間の締め, now overdue for 吉田 — the
  demo's one overdue step, shown in My tasks and the notifications;
- 備品発注 of office chairs waiting for 中村's (S0006, the "manager" account) approval, and one
  for monitors she rejected (stopped);
- 健康診断 cancelled after planning; 請求書発行 and two weekly 経費精算チェック completed;
- schedules: 月次決算 on the 3rd business day, 経費精算チェック every Monday, 年末調整 on 11/1.

Every step is finished through the services (events, audit, readiness), then its times are set
back to the day it was due, as the survey demo dates its answers. Idempotent: a second call
adds nothing. No webhook is created: the demo sends nothing outside.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.db import transaction
from django.utils import timezone

from somu.core import tenancy
from somu.org import services as org_services
from somu.org.models import Department, Grade, Membership, Organization, Person, User
from somu.procedures.engine.spec import StepSpec
from somu.procedures.models import (
    OPEN_STATES,
    EventKind,
    Run,
    RunStatus,
    Schedule,
    Step,
    StepEvent,
    StepKind,
    StepState,
    Template,
)
from somu.procedures.selectors.templates import version_spec
from somu.procedures.services import library, schedules
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.services import templates as template_services
from somu.procedures.services.launching import calendar_for_active_organization
from somu.rules.calendar import BusinessCalendar
from somu.rules.due import due_from_base
from somu.survey.models import Task

STAFF: Final = "S0034"  # 吉田 翔太, 総務部: the demo "staff" account, owner of the templates
MANAGER: Final = "S0006"  # 中村 恵子, 総務部長: the demo "manager" account
LEAVER: Final = "S0024"  # 金子 亮介, 情報システム部, retired 2025-06-30 in the organization demo
LEAVING_DAY: Final = dt.date(2025, 6, 30)
# The new hire the 入社手続き is for (joins in eight business days; created on the first load).
NEW_HIRE: Final = {
    "employee_number": "S0064", "name": "高木 颯", "name_kana": "たかぎ はやて",
    "email": "takagi.hayate@sample.example",
}
NEW_HIRE_DEPARTMENT: Final = "第一営業課"

# The inventory tasks (starter inventory names) each library procedure standardizes.
TASK_LINKS: Final[Mapping[str, tuple[str, ...]]] = {
    "onboarding": ("入退社手続き", "社会保険手続き（資格取得・喪失）"),
    "offboarding": ("入退社手続き", "社会保険手続き（資格取得・喪失）", "在籍・退職証明書の発行"),
    "health_check": ("健康診断の手配",),
    "year_end_adjustment": ("年末調整", "給与支払報告書の提出"),
    "monthly_close": ("月次決算", "源泉所得税の納付"),
    "invoicing": ("請求書発行", "売掛金消込"),
    "weekly_expense_check": ("経費精算チェック",),
    "agm": ("株主総会運営",),
    "supplies_order": ("備品管理", "消耗品の発注"),
    "pc_kitting": ("PCキッティング", "アカウント管理"),
}

# (name, library key, recurrence rule, parameters)
SCHEDULES: Final[tuple[tuple[str, str, dict[str, Any], dict[str, Any]], ...]] = (
    ("月次決算（毎月第3営業日）", "monthly_close", {"kind": "monthly_business_day", "n": 3},
     {"源泉納期の特例": False}),
    ("経費精算チェック（毎週月曜）", "weekly_expense_check",
     {"kind": "weekly", "weekday": 0, "roll": "next"}, {}),
    ("年末調整（毎年11月1日）", "year_end_adjustment",
     {"kind": "yearly", "month": 11, "day": 1, "roll": "next"}, {"納期の特例": False}),
)

# Minutes actually spent, as a share of the estimate: some steps take longer than planned.
_EFFORT: Final = (1.0, 1.3, 0.8, 1.5, 0.9, 1.2, 1.1)
_SAMPLE_TEXT: Final = {
    "receipt_no": "202511-0000{n}", "insured_no": "5012-64{n}-3", "order_no": "PO-{n}",
    "asset_no": "IT-{n}", "serial": "SN{n}7Q", "email": "takagi.hayate@sample.example",
    "vendor": "オフィス家具のアスクル", "phone_no": "090-0000-{n}",
}


@dataclass
class DemoProcedures:
    """What :func:`ensure_procedures_demo` created (empty collections on a second call)."""

    templates: dict[str, Template] = field(default_factory=dict)
    runs: dict[str, Run] = field(default_factory=dict)
    schedules: list[Schedule] = field(default_factory=list)


@dataclass
class _Context:
    today: dt.date
    calendar: BusinessCalendar
    people: dict[str, Person]
    users: dict[int, User]  # by person id: the login acting for that person

    @property
    def staff(self) -> Person | None:
        return self.people.get(STAFF)

    def actor_for(self, person_id: int | None) -> User | None:
        return self.users.get(person_id) if person_id is not None else None

    @property
    def staff_user(self) -> User | None:
        return self.actor_for(self.staff.pk) if self.staff else None


def ensure_procedures_demo(
    organization: Organization, *, today: dt.date
) -> DemoProcedures:
    """Load the procedures demo into ``organization`` (the demo 株式会社サンプル) unless it is
    there: templates missing from the library are adopted, runs are launched only when the
    organization has none, schedules only when missing."""
    with tenancy.activate(organization), transaction.atomic():
        users = {m.person_id: m.user for m in Membership.objects.filter(
            is_active=True, person__isnull=False).select_related("user")}
        ctx = _Context(today=today, calendar=calendar_for_active_organization(),
                       people={p.employee_number: p for p in Person.objects.all()},
                       users={k: v for k, v in users.items() if k is not None})
        result = DemoProcedures()
        result.templates = _adopt_library(ctx)
        templates = {t.library_key: t for t in Template.objects.exclude(library_key="")}
        _link_tasks(ctx, templates)
        if not Run.objects.exists():
            result.runs = _launch_runs(ctx, templates)
        result.schedules = _ensure_schedules(ctx, templates)
    return result


# ---- templates and schedules ----------------------------------------------------------------


def _adopt_library(ctx: _Context) -> dict[str, Template]:
    adopted = set(Template.objects.values_list("library_key", flat=True))
    names = set(Template.objects.values_list("name", flat=True))
    created = {}
    for entry in library.library_entries():
        if entry.key in adopted or entry.name in names:
            continue
        created[entry.key] = library.library_adopt(
            actor=ctx.staff_user, key=entry.key, owner=ctx.staff)
    return created


def _link_tasks(ctx: _Context, templates: Mapping[str, Template]) -> None:
    tasks = dict(Task.objects.values_list("name", "pk"))
    for key, names in TASK_LINKS.items():
        template = templates.get(key)
        ids = [tasks[name] for name in names if name in tasks]
        if template is not None and ids:
            template_services.template_link_tasks(
                actor=ctx.staff_user, template=template, task_ids=ids)


def _ensure_schedules(ctx: _Context, templates: Mapping[str, Template]) -> list[Schedule]:
    existing = set(Schedule.objects.values_list("name", flat=True))
    created = []
    for name, key, rule, params in SCHEDULES:
        if name in existing or key not in templates:
            continue
        created.append(schedules.schedule_save(actor=ctx.staff_user, schedule=None, data={
            "template": templates[key], "name": name, "rule": rule, "params": params,
            "owner": ctx.staff, "active": True,
        }, today=ctx.today))
    return created


# ---- runs -----------------------------------------------------------------------------------


def _launch_runs(ctx: _Context, templates: Mapping[str, Template]) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    cal, today = ctx.calendar, ctx.today

    def launch(key: str, params: Mapping[str, Any], start: dt.date, name: str = "") -> Run:
        return run_services.run_launch(actor=ctx.staff_user, template=templates[key], params=params,
                                       start_date=start, name=name, starter=ctx.staff)

    # 入社手続き: joins in eight business days, so the steps due ten business days before
    # joining (契約, PCの依頼) were due two business days ago and are done; the rest is open.
    joining = cal.add_business_days(today, 8)
    hire = _new_hire(ctx, joining)
    run = launch("onboarding", {"入社者": hire.pk, "入社日": joining, "雇用形態": "正社員"},
                 cal.add_business_days(today, -10))
    _finish(ctx, run, before=today)
    _tick(ctx, run, "collect_docs", items=3)
    runs["onboarding"] = run

    # 退職手続き of 金子: completed in the summer of 2025.
    if LEAVER in ctx.people:
        run = launch("offboarding", {"退職者": ctx.people[LEAVER].pk, "退職日": LEAVING_DAY,
                                     "退職理由": "自己都合"}, dt.date(2025, 6, 2))
        _finish(ctx, run)
        runs["offboarding"] = run

    # 月次決算 for last month: all done but 会計期間の締め, which is overdue now.
    occurrence = cal.nth_business_day_of_month(today.year, today.month, 3)
    if cal.add_business_days(occurrence, 6) >= today:
        year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        occurrence = cal.nth_business_day_of_month(year, month, 3)
    closing = occurrence.replace(day=1) - dt.timedelta(days=1)
    run = launch("monthly_close", {"源泉納期の特例": False}, occurrence,
                 f"{closing.year}年{closing.month}月分 月次決算")
    _finish(ctx, run, skip={"close_period"})
    runs["monthly_close"] = run

    # 備品発注: chairs waiting for the manager's approval; monitors she rejected.
    run = launch("supplies_order", {
        "品目": "事務用チェア（総務部 増員分）", "数量": 4, "概算金額": 180000,
        "希望納期": cal.next_business_day(today + dt.timedelta(days=21)), "用途": "総務部 島"},
        cal.add_business_days(today, -2))
    _finish(ctx, run, keys={"request", "quotes"})
    runs["supplies_order_pending"] = run
    run = launch("supplies_order", {
        "品目": "27インチモニター", "数量": 10, "概算金額": 450000,
        "希望納期": cal.add_business_days(today, 5), "用途": "営業部のデュアルディスプレイ化"},
        cal.add_business_days(today, -12))
    _finish(ctx, run, keys={"request", "quotes"})
    approval = Step.objects.get(run=run, key="approve")
    step_services.step_decide(
        actor=ctx.actor_for(approval.assignee_id), step=approval, approve=False,
        comment="今期の予算を超えるため見送り。来期の予算申請に回してください。")
    runs["supplies_order_stopped"] = run

    # 健康診断: planned, then cancelled to be relaunched with another clinic.
    exams = cal.next_business_day(today + dt.timedelta(days=30))
    run = launch("health_check", {"健診開始日": exams, "受診締切日": exams + dt.timedelta(days=30),
                                  "実施方法": "巡回健診"}, today - dt.timedelta(days=10))
    _finish(ctx, run, before=today)
    step_services.run_cancel(actor=ctx.staff_user, run=run,
                             reason="巡回健診の業者を変更するため中止し、新しい日程で起動し直す。")
    runs["health_check_cancelled"] = run

    # Completed recently: 請求書発行 two months ago and the last two weekly expense checks.
    month_start = today.replace(day=1)
    for _ in range(2):
        month_start = (month_start - dt.timedelta(days=1)).replace(day=1)
    run = launch("invoicing", {"送付方法": "電子"}, cal.next_business_day(month_start))
    _finish(ctx, run)
    runs["invoicing"] = run
    monday = today - dt.timedelta(days=today.weekday())
    for weeks in (2, 1):
        run = launch("weekly_expense_check", {},
                     cal.next_business_day(monday - dt.timedelta(weeks=weeks)))
        _finish(ctx, run)
        runs[f"weekly_expense_check_{weeks}"] = run

    for run in runs.values():
        _backdate(ctx, run)
    _settle_the_rest(ctx, runs.values())
    return runs


def _new_hire(ctx: _Context, joining: dt.date) -> Person:
    person = ctx.people.get(NEW_HIRE["employee_number"])
    if person is not None:
        return person
    department = Department.objects.filter(name=NEW_HIRE_DEPARTMENT).first()
    head = (Person.objects.filter(department=department, manager__isnull=False)
            .exclude(manager__department=department).first()) if department else None
    person = org_services.person_create(actor=None, data={
        **NEW_HIRE, "department": department, "hire_date": joining,
        "grade": Grade.objects.order_by("sort_order").first(),
        "manager": head if head is not None else None,
    }, today=ctx.today)
    ctx.people[person.employee_number] = person
    return person


# ---- finishing steps through the services ---------------------------------------------------


def _finish(
    ctx: _Context, run: Run, *, before: dt.date | None = None,
    keys: Iterable[str] | None = None, skip: Iterable[str] = (),
) -> None:
    """Finish the run's ready steps in template order, as their assignees would: all of them,
    only ``keys``, or only those due before ``before``; never those in ``skip``."""
    wanted = set(keys) if keys is not None else None
    skipped = set(skip)
    spec = version_spec(run.version)
    while True:
        candidates = [
            s for s in Step.objects.filter(run=run, state=StepState.READY).order_by("position")
            if s.key not in skipped and (wanted is None or s.key in wanted)
            and (before is None or (s.due_date is not None and s.due_date < before))
        ]
        if not candidates:
            return
        step = candidates[0]
        definition = spec.step(step.key)
        assert definition is not None
        actor = ctx.actor_for(step.assignee_id)
        if step.kind == StepKind.APPROVAL:
            step_services.step_decide(
                actor=actor, step=step, approve=True, comment="確認しました。")
        else:
            step_services.step_complete(
                actor=actor, step=step, checklist_done=range(len(definition.checklist)),
                form_values=_form_values(definition, step, ctx.today),
                actual_minutes=_minutes(definition, step))
        run.refresh_from_db()


def _tick(ctx: _Context, run: Run, key: str, *, items: int) -> None:
    """Save progress on a step: its first ``items`` checklist items ticked."""
    step = Step.objects.get(run=run, key=key)
    if step.state in OPEN_STATES:
        step_services.step_save_progress(actor=ctx.actor_for(step.assignee_id), step=step,
                                         checklist_done=range(items))


def _minutes(definition: StepSpec, step: Step) -> int:
    estimate = definition.estimated_minutes or 15
    return max(5, round(estimate * _EFFORT[(step.run_id + step.position) % len(_EFFORT)] / 5) * 5)


def _form_values(definition: StepSpec, step: Step, today: dt.date) -> dict[str, Any]:
    """Plausible values for the step's form: dates on the day it is due, small counts."""
    day = min(step.due_date or today, today).isoformat()
    number = f"{step.run_id:03d}{step.position:02d}"
    values: dict[str, Any] = {}
    for f in definition.form:
        if f.type == "date":
            values[f.key] = day
        elif f.type == "number":
            values[f.key] = 0 if f.key in ("difference", "open_items", "missing", "remaining",
                                           "returned", "unpaid", "restricted") else 3
        elif f.type == "choice":
            values[f.key] = f.choices[0]
        elif f.type == "boolean":
            values[f.key] = True
        elif f.type == "textarea":
            values[f.key] = "特記事項なし。"
        else:
            values[f.key] = _SAMPLE_TEXT.get(f.key, "記録済み").format(n=number)
    return values


# ---- dating what happened ------------------------------------------------------------------


def _settle_the_rest(ctx: _Context, runs: Iterable[Run]) -> None:
    """Date what :func:`_backdate` leaves on the real clock — launches, decisions, a
    cancellation, run completions — within the demo's day, so no event lies after it."""
    clock = _clock(ctx.today)
    tz = timezone.get_current_timezone()
    for run in runs:
        launched = min(clock, timezone.make_aware(
            dt.datetime.combine(run.start_date, dt.time(8, 30)), tz))
        last = (Step.objects.filter(run=run, completed_at__isnull=False)
                .order_by("-completed_at").values_list("completed_at", flat=True).first())
        Run.objects.filter(pk=run.pk).update(created_at=launched)
        Run.objects.filter(pk=run.pk, completed_at__isnull=False).update(
            completed_at=max(last or launched, launched))
        StepEvent.objects.filter(run=run, created_at__gt=clock).update(created_at=clock)


def _clock(today: dt.date) -> dt.datetime:
    """The demo's "now": the end of the working day it is built around, or the real time when
    that is earlier on the same day (so no event lies in the future of a live demo)."""
    end_of_day = timezone.make_aware(dt.datetime.combine(today, dt.time(18, 0)))
    now = timezone.now()
    return min(end_of_day, now) if timezone.localdate(now) == today else end_of_day


def _backdate(ctx: _Context, run: Run) -> None:
    """Date the run's finished steps on the day each was due (no later than now), in
    dependency order, and its launch on its start date, so timelines read as they happened."""
    spec = version_spec(run.version)
    tz = timezone.get_current_timezone()
    now = _clock(ctx.today)
    steps = list(Step.objects.filter(run=run).order_by("position"))
    days: dict[str, dt.date] = {}
    finished: list[Step] = []
    for step in steps:
        if step.completed_at is None or step.state not in (StepState.DONE, StepState.APPROVED,
                                                           StepState.REJECTED):
            continue
        rule = (spec.step(step.key) or StepSpec(key="", name="")).due
        if rule is not None and rule.after_step and rule.after_step in days:
            step.due_date = due_from_base(rule, days[rule.after_step], ctx.calendar)
        day = step.due_date or run.start_date
        earliest = max([run.start_date, *(days[d] for d in step.depends_on if d in days)])
        days[step.key] = min(max(day, earliest), ctx.today)
        finished.append(step)
    moments: dict[int, dt.datetime] = {}
    for step in finished:
        at = timezone.make_aware(dt.datetime.combine(
            days[step.key], dt.time(9 + step.position % 8, (step.position * 7) % 60)), tz)
        moments[step.pk] = min(at, now)
        step.completed_at = moments[step.pk]
    launched = min(now, timezone.make_aware(
        dt.datetime.combine(run.start_date, dt.time(8, 30)), tz))
    # A step became ready when the last of its dependencies finished (or at the launch).
    by_key = {s.key: s for s in finished}
    for step in steps:
        if step.ready_at is None:
            continue
        ready = max([launched, *(moments[by_key[d].pk] for d in step.depends_on if d in by_key)])
        step.ready_at = min(ready, moments.get(step.pk, now))
        StepEvent.objects.filter(run=run, step=step, kind=EventKind.READY).update(
            created_at=step.ready_at)
    Step.objects.bulk_update(steps, ["completed_at", "ready_at", "due_date"])
    for step in finished:
        StepEvent.objects.filter(run=run, step=step).exclude(
            kind__in=(EventKind.COMMENTED, EventKind.REOPENED, EventKind.READY)
        ).update(created_at=moments[step.pk])
    Run.objects.filter(pk=run.pk).update(created_at=launched)
    StepEvent.objects.filter(run=run, kind=EventKind.LAUNCHED).update(created_at=launched)
    if run.status == RunStatus.COMPLETED and moments:
        last = max(moments.values())
        Run.objects.filter(pk=run.pk).update(completed_at=last)
        StepEvent.objects.filter(run=run, kind=EventKind.RUN_COMPLETED).update(created_at=last)


def load_demo(organization: Organization, *, today: dt.date, fresh: bool) -> None:
    """The registry's demo loader: idempotent, so an existing demo gets what later versions add."""
    ensure_procedures_demo(organization, today=today)
