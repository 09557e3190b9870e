"""The items part of the plans demo (株式会社サンプル): items made from the real findings of the
latest closed survey round, in every column of the board.

- 標準化 of the largest person-dependent task that a demo procedure can cover: the procedure is
  linked to the task, a run of it is launched, and the item is closed by that (完了);
- 多能工化 of a retirement risk's orphaned task: a training run in progress (実施中);
- 自動化 of the largest automation candidate, with the tool and the date the work moves (実施中);
- 再配置 of the most overloaded person (計画済み); 外注 of the largest outsourcing candidate and
  標準化 of the next person-dependent task (提案); 再配置 of an over-qualified assignment (中止).

Everything goes through the services, so the audit log shows each item action once at least
(a duplicate item is made and deleted). Loaded after the survey and procedures demos.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from somu.core import tenancy
from somu.core.home import Finding
from somu.org.models import Membership, Organization, Person, PersonStatus, User
from somu.plans.findings import item_from_finding
from somu.plans.models import FindingKind, Item, ItemKind, ItemStatus, Kpi
from somu.plans.services import items as services
from somu.plans.training import item_standardize, item_training, items_close_fulfilled
from somu.procedures.models import Template
from somu.procedures.services import runs as run_services
from somu.procedures.services import templates as template_services
from somu.procedures.services.launching import LaunchError
from somu.survey import selectors
from somu.survey.analysis import AnalysisResult
from somu.survey.models import Capability, RoundStatus, SurveyRound

STAFF: Final = "S0034"  # 吉田 翔太 (the demo "staff" account)
MANAGER: Final = "S0006"  # 中村 恵子, 総務部長
FALLBACK_TEMPLATE: Final = "weekly_expense_check"  # runs with no parameters


def _latest_closed_round() -> SurveyRound | None:
    return (SurveyRound.objects.filter(status=RoundStatus.CLOSED)
            .order_by(F("due_on").desc(nulls_last=True), "-created_at").first())


def _create(actor: User | None, finding: Finding, today: dt.date, **extra: Any) -> Item:
    data = item_from_finding(finding)
    data.update(extra)
    return services.item_create(actor=actor, data=data, today=today)


def _standardized_and_closed(actor: User | None, survey_round: SurveyRound,
                             result: AnalysisResult, owner: Person | None,
                             today: dt.date) -> int | None:
    """The first person-dependent task whose procedure launches with no parameters (else the
    largest one, with the weekly procedure linked to it): standardized, run, closed."""
    dependent = list(result.dependency.dependent_task_ids)
    candidates: list[tuple[int, Template | None]] = [
        (task_id, linked) for task_id in dependent
        for linked in Template.objects.filter(tasks=task_id, archived=False).order_by("pk")]
    if dependent:
        candidates.append((dependent[0], Template.objects.filter(
            library_key=FALLBACK_TEMPLATE, archived=False).first()))
    for task_id, template in candidates:
        if template is None:
            continue
        try:
            with transaction.atomic():
                item = _create(actor, Finding(FindingKind.DEPENDENT_TASK, survey_round.pk,
                                              task_id=task_id), today, owner=owner,
                               due_on=today + dt.timedelta(days=30))
                if not template.tasks.filter(pk=task_id).exists():
                    template_services.template_link_tasks(
                        actor=actor, template=template,
                        task_ids=[*template.tasks.values_list("pk", flat=True), task_id])
                item_standardize(actor=actor, item=item, today=today)
                run_services.run_launch(actor=actor, template=template, params={},
                                        start_date=today, starter=owner)
                items_close_fulfilled(today=today, items=[item], actor=actor)
                return task_id
        except LaunchError:
            continue
    return None


def _level(person_id: int, task_id: int, round_id: int) -> int | None:
    return Capability.objects.filter(person_id=person_id, task_id=task_id, round_id=round_id
                                     ).values_list("level", flat=True).first()


def _training(actor: User | None, survey_round: SurveyRound, result: AnalysisResult,
              owner: Person | None, today: dt.date) -> None:
    """A retirement risk's orphaned task taught by an active person who can teach it (4) to an
    active one below 3."""
    active = set(Person.objects.filter(status=PersonStatus.ACTIVE).values_list("pk", flat=True))
    levels: dict[int, dict[int, int]] = {}
    for person_id, task_id, level in Capability.objects.filter(round=survey_round).values_list(
            "person_id", "task_id", "level"):
        levels.setdefault(task_id, {})[person_id] = level
    for risk in result.retirement:
        for task_id in risk.orphaned_task_ids:
            on_task = levels.get(task_id, {})
            teachers = [p for p, lv in on_task.items() if lv >= 4 and p in active]
            learners = sorted((p for p, lv in on_task.items() if lv < 3 and p in active),
                              key=lambda p: -on_task[p])
            if not teachers or not learners:
                continue
            item = _create(actor, Finding(FindingKind.RETIREMENT, survey_round.pk,
                                          task_id=task_id, person_id=risk.person_id),
                           today, owner=owner, due_on=today + dt.timedelta(days=60))
            services.item_move(actor=actor, item=item, status=ItemStatus.PLANNED, today=today)
            item_training(actor=actor, item=item, learner=Person.objects.get(pk=learners[0]),
                          teacher=Person.objects.get(pk=teachers[0]), target_level=3,
                          start_on=today, today=today)
            return


def _flagged(result: AnalysisResult, flag: str) -> list[int]:
    found = next((f for f in result.flags if f.flag == flag), None)
    return list(found.task_ids) if found else []


def load(organization: Organization, *, today: dt.date) -> None:
    """Build the items demo in ``organization``; does nothing if it has items already."""
    with tenancy.activate(organization), transaction.atomic():
        _load(today)


def _load(today: dt.date) -> None:
    if Item.objects.exists():
        return
    survey_round = _latest_closed_round()
    if survey_round is None:
        return
    result = selectors.round_analysis(survey_round=survey_round)
    people = {p.employee_number: p for p in Person.objects.filter(
        employee_number__in=(STAFF, MANAGER))}
    staff, manager = people.get(STAFF), people.get(MANAGER)
    membership = Membership.objects.filter(person=staff, user__isnull=False).select_related(
        "user").first()
    actor = membership.user if membership is not None else None
    rid = survey_round.pk

    done_task = _standardized_and_closed(actor, survey_round, result, staff, today)
    _training(actor, survey_round, result, manager, today)

    automatable = _flagged(result, "automatable")
    if automatable:
        item = _create(actor, Finding(FindingKind.AUTOMATABLE, rid, task_id=automatable[0]),
                       today, owner=staff, due_on=today + dt.timedelta(days=90),
                       effort_cost=300_000)
        services.item_update(actor=actor, item=item, data={
            "vendor": "RPAツール（経理向けクラウド）", "moves_on": today + dt.timedelta(days=75)},
            today=today)
        services.item_move(actor=actor, item=item, status=ItemStatus.IN_PROGRESS, today=today)

    overloaded = sorted((p for p in result.people if p.overloaded), key=lambda p: -p.utilization)
    if overloaded:
        item = _create(actor, Finding(FindingKind.OVERLOAD, rid,
                                      person_id=overloaded[0].person_id),
                       today, owner=manager, due_on=today + dt.timedelta(days=45))
        services.item_move(actor=actor, item=item, status=ItemStatus.PLANNED, today=today)

    outsourceable = _flagged(result, "outsourceable")
    if outsourceable:
        finding = Finding(FindingKind.OUTSOURCEABLE, rid, task_id=outsourceable[0])
        _create(actor, finding, today, owner=staff, due_on=today + dt.timedelta(days=120))
        # Made twice by mistake: the duplicate is deleted (still proposed, so it may be).
        duplicate = _create(actor, finding, today)
        services.item_delete(actor=actor, item=duplicate)

    dependent = [t for t in result.dependency.dependent_task_ids if t != done_task]
    if dependent:
        _create(actor, Finding(FindingKind.DEPENDENT_TASK, rid, task_id=dependent[0]), today,
                owner=staff, due_on=today + dt.timedelta(days=60))

    over = list(selectors.hours_rows(survey_round=survey_round, drill=selectors.HoursDrill(
        qualification="over"))[:1])
    if over:
        item = _create(actor, Finding(FindingKind.OVERQUALIFIED, rid, task_id=over[0].task_id,
                                      person_id=over[0].person_id), today, owner=manager)
        services.item_move(actor=actor, item=item, status=ItemStatus.CANCELLED, today=today)

    _serve_kpis(actor, today)
    _made_after_the_round(survey_round, today)


# The demo strategy's KPIs the items serve, by type (the plan page groups the items by KPI).
KPI_OF_KIND: Final = {ItemKind.STANDARDIZE: "標準化率", ItemKind.CROSS_TRAIN: "属人化率（工数）"}


def _serve_kpis(actor: User | None, today: dt.date) -> None:
    kpis = {k.name: k for k in Kpi.objects.filter(name__in=KPI_OF_KIND.values())}
    for item in Item.objects.filter(kind__in=KPI_OF_KIND).order_by("number"):
        kpi = kpis.get(KPI_OF_KIND[ItemKind(item.kind)])
        if kpi is not None:
            services.item_update(actor=actor, item=item, data={"kpi": kpi}, today=today)


def _made_after_the_round(survey_round: SurveyRound, today: dt.date) -> None:
    """The items were written up when the round's analysis came out — the first day of the
    month before ``today`` at the latest — so last month's 活動報告 counts them as open."""
    month_before = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    made = min(month_before, today)
    if survey_round.due_on is not None:
        made = max(made, min(survey_round.due_on + dt.timedelta(days=1), today))
    Item.objects.update(created_at=timezone.make_aware(dt.datetime.combine(made, dt.time(10))))
