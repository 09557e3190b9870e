"""A small organization whose KPI values can be computed by hand (not a test module).

Three tasks, two closed rounds and an open one (ignored by the KPIs):

======  ==========  ==========  ==============================  ===============================
round   task        difficulty  hours (person: h/month)         capable (level ≥ 3)
======  ==========  ==========  ==============================  ===============================
2025    T1 総務      1           山田 130                         山田
2025    T2 総務      3           山田 50, 鈴木 20                  山田, 鈴木
2025    T3 人事      2           佐藤 30                          佐藤 (田中 1)
2026    T1 総務      1           山田 60, 鈴木 40                  山田, 鈴木
2026    T2 総務      3           山田 50, 鈴木 20                  山田, 鈴木
2026    T3 人事      2           佐藤 30                          佐藤, 田中
======  ==========  ==========  ==============================  ===============================

山田 is G3 (¥5,000/h, band 3–5), 鈴木 and 田中 G1 (¥2,500, band 1–2), 佐藤 G2 (¥3,500, 2–3);
standard hours 160.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from somu.core import tenancy
from somu.org.models import Organization
from somu.plans.models import Item, ItemKind, Kpi
from somu.procedures.models import Step, StepState, Template, TemplateVersion
from somu.procedures.services import runs as run_services
from somu.procedures.services import templates as template_services
from somu.survey import services as survey_services
from somu.survey.models import Capability, RoundStatus, SurveyRound, Task, WorkHours

TODAY = dt.date(2026, 7, 15)


@dataclass
class World:
    r2025: SurveyRound
    r2026: SurveyRound
    open_round: SurveyRound
    t1: Task
    t2: Task
    t3: Task


def _task(org: Organization, function: str, name: str, difficulty: int, order: int) -> Task:
    return Task.objects.create(organization=org, function=function, category="一般",
                               name=name, difficulty=difficulty, sort_order=order)


def _round(org: Organization, name: str, due: dt.date, status: str,
           hours: list[tuple[Any, Task, int]], capable: list[tuple[Any, Task, int]]) -> SurveyRound:
    survey_round = SurveyRound.objects.create(organization=org, name=name, due_on=due,
                                              status=status)
    for person, task, value in hours:
        WorkHours.objects.create(organization=org, round=survey_round, person=person, task=task,
                                 hours=Decimal(value))
    for person, task, level in capable:
        Capability.objects.create(organization=org, round=survey_round, person=person,
                                  task=task, level=level)
    survey_services.round_touch(survey_round)
    return survey_round


def build(org: Organization, people: Any) -> World:
    with tenancy.activate(org):
        t1 = _task(org, "総務", "備品発注", 1, 1)
        t2 = _task(org, "総務", "契約書管理", 3, 2)
        t3 = _task(org, "人事", "勤怠集計", 2, 3)
        y, s, sa, ta = people.yamada, people.suzuki, people.sato, people.tanaka
        r2025 = _round(org, "2025年度 業務調査", dt.date(2025, 6, 30), RoundStatus.CLOSED,
                       [(y, t1, 130), (y, t2, 50), (s, t2, 20), (sa, t3, 30)],
                       [(y, t1, 4), (y, t2, 4), (s, t2, 3), (sa, t3, 3), (ta, t3, 1)])
        r2026 = _round(org, "2026年度 業務調査", dt.date(2026, 6, 30), RoundStatus.CLOSED,
                       [(y, t1, 60), (s, t1, 40), (y, t2, 50), (s, t2, 20), (sa, t3, 30)],
                       [(y, t1, 4), (s, t1, 3), (y, t2, 4), (s, t2, 3), (sa, t3, 3),
                        (ta, t3, 3)])
        open_round = _round(org, "2027年度 業務調査", dt.date(2027, 6, 30), RoundStatus.OPEN,
                            [(y, t1, 999)], [(y, t1, 4)])
    return World(r2025, r2026, open_round, t1, t2, t3)


SPEC = {
    "somu": "procedure/1", "name": "月次締め", "category": "経理",
    "steps": [{"key": "a", "name": "集計", "assignee": {"person": "A001"}}],
}


def aware(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def steps(org: Organization, completed: list[tuple[dt.date | None, dt.date | None]]) -> Template:
    """One run per (due, completed) pair, its only step done on ``completed`` (local noon)."""
    with tenancy.activate(org):
        template = template_services.template_save(actor=None, template=None, spec=SPEC)
        for due, done in completed:
            run = run_services.run_launch(actor=None, template=template, params={},
                                          start_date=dt.date(2026, 1, 5))
            Step.objects.filter(run=run).update(
                due_date=due, completed_at=aware(done) if done else None,
                state=StepState.DONE if done else StepState.READY)
    return template


def standardize(org: Organization, task: Task, on: dt.date, name: str = "備品発注手順") -> Template:
    """A runnable template for ``task`` whose first version dates from ``on``."""
    with tenancy.activate(org):
        spec = dict(SPEC, name=name)
        template = template_services.template_save(actor=None, template=None, spec=spec)
        template_services.template_link_tasks(actor=None, template=template, task_ids=[task.pk])
        TemplateVersion.objects.filter(template=template).update(created_at=aware(on))
    return template


def item(org: Organization, **fields: Any) -> Item:
    """An improvement item made directly (the items area's services make them for real)."""
    with tenancy.activate(org):
        number = (Item.objects.order_by("-number").values_list("number", flat=True).first()
                  or 0) + 1
        fields.setdefault("kind", ItemKind.STANDARDIZE)
        fields.setdefault("title", f"施策 {number}")
        return Item.objects.create(organization=org, number=number, **fields)


def kpi(org: Organization, definition: str, *, target: str = "10", direction: str = "down",
        target_on: dt.date = dt.date(2027, 3, 31), **fields: Any) -> Kpi:
    with tenancy.activate(org):
        return Kpi.objects.create(organization=org, name=fields.pop("name", definition),
                                  definition=definition, direction=direction,
                                  target=Decimal(target), target_on=target_on, **fields)
