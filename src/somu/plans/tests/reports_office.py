"""A small back office for the activity report tests (not a test module): procedure runs with
steps done on time and late around fiscal 2026 Q2 (July–September 2026), requests, three closed
survey rounds and improvement items. The expected figures are worked out by hand in the tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from somu.approvals.models import Request, RequestState, RequestType
from somu.core import tenancy
from somu.org.models import Organization, Person
from somu.plans.models import Item, ItemKind, ItemStatus
from somu.procedures.models import Run, RunStatus, Step, StepState, TemplateVersion
from somu.procedures.tests.background import make_template
from somu.survey.models import Capability, RoundStatus, SurveyRound, Task, WorkHours

TODAY = dt.date(2026, 12, 5)
Q2 = dt.date(2026, 7, 1)  # fiscal 2026 Q2: July 1 – September 30, 2026


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment of ``day`` in Tokyo time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@dataclass
class Office:
    organization: Organization
    round_2025: SurveyRound
    round_2026: SurveyRound
    round_late: SurveyRound  # closed after Q2 ended


def _run(org: Organization, template_name: str, launched: dt.datetime,
         completed: dt.datetime | None,
         steps: list[tuple[dt.date | None, dt.datetime | None]]) -> Run:
    template = make_template(org, template_name)
    version = TemplateVersion.objects.get(pk=template.current_version_id)
    run = Run.objects.create(organization=org, template=template, version=version,
                             name=template_name, start_date=launched.date(),
                             status=RunStatus.COMPLETED if completed else RunStatus.RUNNING,
                             completed_at=completed)
    Run.objects.filter(pk=run.pk).update(created_at=launched)
    for i, (due, done_at) in enumerate(steps):
        Step.objects.create(organization=org, run=run, key=f"s{i}", name=f"手順{i}", position=i,
                            due_date=due, completed_at=done_at,
                            state=StepState.DONE if done_at else StepState.READY)
    return run


def _request(org: Organization, kind: RequestType, person: Person, title: str, *,
             submitted_on: dt.date | None, state: str,
             decided_at: dt.datetime | None = None) -> None:
    created = at(submitted_on or dt.date(2026, 7, 1), 9)
    Request.objects.create(organization=org, request_type=kind, title=title, requester=person,
                           state=state, submitted_on=submitted_on,
                           submitted_at=created if submitted_on else None,
                           decided_at=decided_at, created_at=created, updated_at=created)


def _round(org: Organization, name: str, due: dt.date,
           hours: list[tuple[Person, Task, float]],
           capable: list[tuple[Person, Task, int]]) -> SurveyRound:
    survey_round = SurveyRound.objects.create(organization=org, name=name, due_on=due,
                                              status=RoundStatus.CLOSED)
    for person, task, h in hours:
        WorkHours.objects.create(organization=org, round=survey_round, person=person, task=task,
                                 hours=Decimal(str(h)))
    for person, task, level in capable:
        Capability.objects.create(organization=org, round=survey_round, person=person,
                                  task=task, level=level)
    return survey_round


def _item(org: Organization, number: int, title: str, status: str, *,
          done_on: dt.date | None = None, due_on: dt.date | None = None,
          owner: Person | None = None, made: dt.date = dt.date(2026, 6, 1),
          expected_hours: str = "0", task: Task | None = None,
          survey_round: SurveyRound | None = None) -> Item:
    item = Item.objects.create(organization=org, number=number, title=title,
                               kind=ItemKind.STANDARDIZE, status=status, done_on=done_on,
                               due_on=due_on, owner=owner, task=task, round=survey_round,
                               expected_hours=Decimal(expected_hours))
    Item.objects.filter(pk=item.pk).update(created_at=at(made))
    return item


def build(org: Organization, people: object) -> Office:
    yamada: Person = people.yamada  # type: ignore[attr-defined]
    suzuki: Person = people.suzuki  # type: ignore[attr-defined]
    tanaka: Person = people.tanaka  # type: ignore[attr-defined]
    with tenancy.activate(org):
        # Procedures. In Q2: runs launched 7/3 and 9/30; completed 8/10 and 7/1 00:10.
        _run(org, "月次決算", at(dt.date(2026, 7, 3)), at(dt.date(2026, 8, 10)), [
            (dt.date(2026, 7, 10), at(dt.date(2026, 7, 9))),  # on time
            (dt.date(2026, 7, 31), at(dt.date(2026, 8, 2))),  # late
            (None, at(dt.date(2026, 8, 5))),  # no due date
        ])
        _run(org, "入社手続き", at(dt.date(2026, 9, 30)), None, [
            (dt.date(2026, 9, 30), at(dt.date(2026, 9, 30), 23, 30)),  # on time, late evening
            (dt.date(2026, 10, 5), at(dt.date(2026, 10, 1))),  # after the quarter
            (dt.date(2026, 9, 15), None),  # still open
        ])
        _run(org, "年末調整", at(dt.date(2026, 6, 30)), at(dt.date(2026, 7, 1), 0, 10), [
            (dt.date(2026, 6, 30), at(dt.date(2026, 6, 30))),  # June: the trend only
        ])
        # Requests: expense claims are requests too.
        expenses = RequestType.objects.create(organization=org, code="expense", name="経費精算",
                                              number_prefix="経費")
        ringi = RequestType.objects.create(organization=org, code="ringi", name="稟議",
                                           number_prefix="稟議")
        _request(org, expenses, suzuki, "交通費 7月", submitted_on=dt.date(2026, 7, 15),
                 state=RequestState.APPROVED, decided_at=at(dt.date(2026, 7, 20)))
        _request(org, ringi, yamada, "複合機の入替", submitted_on=dt.date(2026, 9, 29),
                 state=RequestState.REJECTED, decided_at=at(dt.date(2026, 10, 2)))
        _request(org, expenses, suzuki, "交通費 6月", submitted_on=dt.date(2026, 6, 28),
                 state=RequestState.APPROVED, decided_at=at(dt.date(2026, 7, 2)))
        _request(org, ringi, yamada, "下書き", submitted_on=None, state=RequestState.DRAFT)
        # The survey: 給与計算 only 山田 can do (person-dependent); 田中 is overloaded.
        payroll = Task.objects.create(organization=org, function="人事", category="給与",
                                      name="給与計算")
        supplies = Task.objects.create(organization=org, function="総務", category="備品",
                                       name="備品管理")
        invoices = Task.objects.create(organization=org, function="経理", category="請求",
                                       name="請求書発行")
        round_2025 = _round(org, "2025年度 業務調査", dt.date(2025, 6, 30),
                            [(yamada, payroll, 30), (suzuki, supplies, 10)],
                            [(yamada, payroll, 4), (suzuki, supplies, 3), (yamada, supplies, 3)])
        round_2026 = _round(org, "2026年度 業務調査", dt.date(2026, 6, 30),
                            [(yamada, payroll, 20), (suzuki, supplies, 10),
                             (suzuki, invoices, 15), (tanaka, invoices, 170)],
                            [(yamada, payroll, 4), (suzuki, supplies, 3), (yamada, supplies, 3),
                             (suzuki, invoices, 3), (tanaka, invoices, 3)])
        round_late = _round(org, "2026年度 下期調査", dt.date(2026, 11, 30),
                            [(yamada, payroll, 5)], [(yamada, payroll, 4)])
        # Items: one done in Q2, one done after it, one open and late, one open, one cancelled,
        # and one made after the quarter ended.
        _item(org, 1, "給与計算の手順書を作る", ItemStatus.DONE, done_on=dt.date(2026, 8, 20),
              owner=suzuki, expected_hours="5", task=payroll, survey_round=round_2026)
        _item(org, 2, "備品発注の自動化", ItemStatus.DONE, done_on=dt.date(2026, 10, 3))
        _item(org, 3, "請求書発行の外注", ItemStatus.IN_PROGRESS, due_on=dt.date(2026, 9, 1),
              owner=yamada)
        _item(org, 4, "経費精算の簡素化", ItemStatus.PROPOSED)
        _item(org, 5, "紙の稟議をやめる", ItemStatus.CANCELLED)
        _item(org, 6, "あとで作った施策", ItemStatus.PLANNED, made=dt.date(2026, 11, 1))
    return Office(org, round_2025, round_2026, round_late)
