"""Reads for working on steps: a step as its assignee sees it, who may see or act on it, my
tasks, the manager's board, the due-date calendar and the comparison with the work survey.

Lists are built with a constant number of queries whatever the number of rows; the query-count
tests keep it so.
"""

from __future__ import annotations

import calendar as _months
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, NamedTuple

from django.db.models import Count, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone

from somu.core.permissions import has_perm
from somu.org.models import Membership, Person
from somu.procedures.engine.render import render_instructions
from somu.procedures.engine.spec import StepSpec
from somu.procedures.models import (
    FINISHED_STATES,
    OPEN_STATES,
    Run,
    RunStatus,
    Step,
    StepAttachment,
    StepState,
    Template,
)
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES, WORK_STEPS
from somu.procedures.selectors.runs import run_param_display, run_steps
from somu.procedures.selectors.templates import describe_assignee, describe_due, version_spec
from somu.survey.models import RoundStatus, SurveyRound, Task, WorkHours

BUCKET_LIMIT: Final = 200
LATE_LIMIT: Final = 100
INSIGHT_DAYS: Final = 365


# ---- steps -------------------------------------------------------------------------------------


def step_get(*, step_id: int) -> Step:
    return get_object_or_404(
        Step.objects.select_related("run", "run__template", "run__version", "assignee",
                                    "completed_by"),
        pk=step_id,
    )


@dataclass(frozen=True)
class FormFieldView:
    key: str
    label: str
    type: str
    required: bool
    choices: tuple[str, ...]
    help: str
    value: Any


@dataclass
class StepView:
    """Everything the step page shows about one step."""

    step: Step
    spec: StepSpec | None  # None if the version lacks the key (never for launched runs)
    instructions_html: str
    checklist: list[tuple[int, str, bool]]
    form: list[FormFieldView]
    notes: str
    due_text: str
    assignee_text: str
    dependencies: list[Step]
    dependents: list[Step]
    params: list[tuple[str, str, str]]  # (key, label, display value)
    attachments: list[StepAttachment] = field(default_factory=list)

    @property
    def checklist_complete(self) -> bool:
        return all(done for _i, _text, done in self.checklist)


def step_view(*, step: Step) -> StepView:
    """The step with its definition, instructions rendered with the run's parameter values."""
    run = step.run
    spec = version_spec(run.version)
    spec_step = spec.step(step.key)
    params = run_param_display(run=run, spec=spec)
    values = {key: text for key, _label, text in params}
    values["start"] = formats.date_format(run.start_date)
    if run.starter_id:
        values["starter"] = run.starter.name if run.starter else ""
    siblings = [s for s in run_steps(run=run) if s.pk != step.pk]
    done = set(step.checklist_done)
    return StepView(
        step=step,
        spec=spec_step,
        instructions_html=render_instructions(spec_step.instructions, values) if spec_step else "",
        checklist=[(i, text, i in done) for i, text in
                   enumerate(spec_step.checklist if spec_step else ())],
        form=[FormFieldView(f.key, f.label or f.key, f.type, f.required, f.choices, f.help,
                            step.form_values.get(f.key, ""))
              for f in (spec_step.form if spec_step else ())],
        notes=spec_step.notes if spec_step else "",
        due_text=describe_due(spec_step.due if spec_step else None, spec),
        assignee_text=describe_assignee(spec_step.assignee, spec) if spec_step else "",
        dependencies=[s for s in siblings if s.key in step.depends_on],
        dependents=[s for s in siblings if step.key in s.depends_on],
        params=params,
        attachments=list(StepAttachment.objects.filter(step=step).select_related("uploaded_by")),
    )


def can_see_step(membership: Membership | None, step: Step) -> bool:
    """Whether the member may see the step: procedure viewers any, others their own."""
    if has_perm(membership, VIEW_PROCEDURES):
        return True
    return (
        membership is not None and has_perm(membership, WORK_STEPS)
        and membership.person_id is not None and membership.person_id == step.assignee_id
    )


def can_act_on_step(membership: Membership | None, step: Step) -> bool:
    """Whether the member may work on the step: its assignee, or procedure staff."""
    if has_perm(membership, MANAGE_PROCEDURES):
        return True
    return (
        membership is not None and has_perm(membership, WORK_STEPS)
        and membership.person_id is not None and membership.person_id == step.assignee_id
    )


# ---- my tasks ----------------------------------------------------------------------------------


class TaskCounts(NamedTuple):
    """What the home page says about a person's steps: open ones ready to work on, and how
    many of those are overdue."""

    ready: int
    overdue: int


def my_tasks_count(
    membership: Membership | None, *, today: dt.date | None = None
) -> TaskCounts | None:
    """The member's ready and overdue steps (one query), or None when the member works on no
    steps (no permission, or no linked person record)."""
    if membership is None or membership.person_id is None or not has_perm(membership, WORK_STEPS):
        return None
    day = today or timezone.localdate()
    counts = Step.objects.filter(assignee_id=membership.person_id,
                                 state=StepState.READY).aggregate(
        ready=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=day)))
    return TaskCounts(ready=counts["ready"] or 0, overdue=counts["overdue"] or 0)


@dataclass
class MyTasks:
    """A person's open steps: ready ones by due date, and those still waiting."""

    overdue: list[Step]
    today: list[Step]
    this_week: list[Step]
    later: list[Step]  # due after this week, or no due date
    waiting: list[Step]  # dependencies still open
    counts: dict[str, int]  # per bucket, the full number (lists stop at BUCKET_LIMIT)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _open_steps() -> QuerySet[Step]:
    return Step.objects.select_related("run", "run__template")


def my_tasks(*, person: Person, today: dt.date) -> MyTasks:
    """The person's open steps in buckets relative to ``today`` (this week ends on Sunday).

    Six queries whatever the number of steps, each on the (assignee, due date) index.
    """
    week_end = today + dt.timedelta(days=6 - today.weekday())
    mine = Step.objects.filter(assignee=person, state__in=OPEN_STATES)
    ready = _open_steps().filter(assignee=person, state=StepState.READY)
    order = (F("due_date").asc(nulls_last=True), "run_id", "position")
    buckets = {
        "overdue": Q(due_date__lt=today),
        "today": Q(due_date=today),
        "this_week": Q(due_date__gt=today, due_date__lte=week_end),
        "later": Q(due_date__gt=week_end) | Q(due_date__isnull=True),
    }
    lists = {name: list(ready.filter(q).order_by(*order)[:BUCKET_LIMIT])
             for name, q in buckets.items()}
    waiting = list(_open_steps().filter(assignee=person, state=StepState.WAITING)
                   .order_by(*order)[:BUCKET_LIMIT])
    counts = mine.aggregate(
        **{name: Count("pk", filter=Q(state=StepState.READY) & q) for name, q in buckets.items()},
        waiting=Count("pk", filter=Q(state=StepState.WAITING)),
    )
    return MyTasks(overdue=lists["overdue"], today=lists["today"],
                   this_week=lists["this_week"], later=lists["later"], waiting=waiting,
                   counts={k: v or 0 for k, v in counts.items()})


# ---- the board and the calendar ----------------------------------------------------------------


@dataclass(frozen=True)
class BoardTemplateRow:
    template_id: int
    name: str
    running: int  # running runs
    steps_total: int
    steps_finished: int  # done, approved or skipped
    steps_late: int
    steps_skipped: int = 0

    @property
    def steps_done(self) -> int:
        return self.steps_finished - self.steps_skipped

    @property
    def progress(self) -> int:
        """Percent of the running runs' steps finished."""
        return round(100 * self.steps_finished / self.steps_total) if self.steps_total else 0


@dataclass(frozen=True)
class HolderRow:
    person_id: int | None  # None: steps without an assignee
    name: str
    employee_number: str
    open: int
    late: int


@dataclass
class Board:
    templates: list[BoardTemplateRow]
    holders: list[HolderRow]
    late_steps: list[Step]  # the most overdue first, at most LATE_LIMIT
    due_this_week: int = 0  # open steps due from today to ``week_end``


def board(*, today: dt.date, week_end: dt.date | None = None) -> Board:
    """Running runs by template, who holds what, and the late steps: three queries."""
    week_end = week_end or today + dt.timedelta(days=6 - today.weekday())
    late = Q(state__in=OPEN_STATES, due_date__lt=today)
    per_template = (
        Step.objects.filter(run__status=RunStatus.RUNNING)
        .values("run__template_id", "run__template__name")
        .annotate(running=Count("run_id", distinct=True), total=Count("pk"),
                  finished=Count("pk", filter=Q(state__in=FINISHED_STATES)),
                  skipped=Count("pk", filter=Q(state=StepState.SKIPPED)),
                  late=Count("pk", filter=late))
        .order_by("run__template__name")
    )
    templates = [BoardTemplateRow(r["run__template_id"], r["run__template__name"], r["running"],
                                  r["total"], r["finished"], r["late"], r["skipped"])
                 for r in per_template]
    per_person = (
        Step.objects.filter(state__in=OPEN_STATES)
        .values("assignee_id", "assignee__name", "assignee__employee_number")
        .annotate(open=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)),
                  this_week=Count("pk", filter=Q(due_date__gte=today, due_date__lte=week_end)))
        .order_by("-late", "-open", "assignee__employee_number")
    )
    rows = list(per_person)
    holders = [HolderRow(r["assignee_id"], r["assignee__name"] or "",
                         r["assignee__employee_number"] or "", r["open"], r["late"])
               for r in rows]
    late_steps = list(
        Step.objects.filter(late).select_related("run", "run__template", "assignee")
        .order_by("due_date", "run_id", "position")[:LATE_LIMIT]
    )
    return Board(templates=templates, holders=holders, late_steps=late_steps,
                 due_this_week=sum(r["this_week"] for r in rows))


def due_calendar(
    *, year: int, month: int, person_id: int | None = None, template_id: int | None = None
) -> dict[dt.date, list[Step]]:
    """Open steps due in the month, by date (one query)."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, _months.monthrange(year, month)[1])
    steps = Step.objects.filter(state__in=OPEN_STATES, due_date__gte=first, due_date__lte=last)
    if person_id is not None:
        steps = steps.filter(assignee_id=person_id)
    if template_id is not None:
        steps = steps.filter(run__template_id=template_id)
    out: dict[dt.date, list[Step]] = {}
    for step in steps.select_related("run", "run__template", "assignee").order_by(
            "due_date", "run_id", "position"):
        assert step.due_date is not None
        out.setdefault(step.due_date, []).append(step)
    return out


# ---- the link back to the work survey ----------------------------------------------------------


@dataclass(frozen=True)
class InsightRow:
    """One inventory task: surveyed hours against what its procedures estimate and record.

    All figures are hours per month; estimates and actuals average the last 365 days.
    """

    task: Task
    templates: tuple[Template, ...]
    surveyed_hours: Decimal | None  # None: no survey round
    estimated_hours: Decimal  # Σ estimated minutes of a run × runs launched, per month
    actual_hours: Decimal  # Σ minutes recorded on done steps of completed runs, per month
    runs_launched: int
    runs_completed: int


def insights_round(*, round_id: int | None = None) -> SurveyRound | None:
    """The round insights compare with: the given one, else the latest closed, else the latest."""
    if round_id is not None:
        return get_object_or_404(SurveyRound, pk=round_id)
    rounds = SurveyRound.objects.order_by("-created_at", "-pk")
    return rounds.filter(status=RoundStatus.CLOSED).first() or rounds.first()


def _hours(minutes: Decimal | int) -> Decimal:
    return (Decimal(minutes) / 12 / 60).quantize(Decimal("0.01"))


def insights(*, today: dt.date, round_id: int | None = None) -> list[InsightRow]:
    """Per inventory task linked to a template: surveyed vs. estimated vs. actual hours/month,
    from the runs of the :data:`INSIGHT_DAYS` days up to ``today``."""
    from django.db.models import Prefetch

    tasks = list(
        Task.objects.filter(procedure_templates__isnull=False).distinct()
        .prefetch_related(Prefetch("procedure_templates",
                                   queryset=Template.objects.select_related("current_version")))
        .order_by("function", "category", "subcategory", "sort_order", "name")
    )
    if not tasks:
        return []
    survey_round = insights_round(round_id=round_id)
    surveyed: dict[int, Decimal] = {}
    if survey_round is not None:
        surveyed = dict(WorkHours.objects.filter(round=survey_round, task__in=tasks)
                        .values_list("task").annotate(h=Sum("hours")).values_list("task", "h"))
    template_ids = {t.pk for task in tasks for t in task.procedure_templates.all()}
    since = timezone.make_aware(dt.datetime.combine(
        today - dt.timedelta(days=INSIGHT_DAYS), dt.time.min))
    launched = dict(Run.objects.filter(template_id__in=template_ids, created_at__gte=since)
                    .values_list("template").annotate(n=Count("pk")).values_list("template", "n"))
    completed_runs = Run.objects.filter(template_id__in=template_ids,
                                        status=RunStatus.COMPLETED, completed_at__gte=since)
    completed = dict(completed_runs.values_list("template").annotate(n=Count("pk"))
                     .values_list("template", "n"))
    actual = dict(
        Step.objects.filter(run__in=completed_runs,
                            state__in=(StepState.DONE, StepState.APPROVED))
        .values_list("run__template").annotate(m=Sum("actual_minutes"))
        .values_list("run__template", "m")
    )
    rows = []
    for task in tasks:
        templates = tuple(task.procedure_templates.all())
        estimated = 0
        for template in templates:
            if template.current_version is None:
                continue
            per_run = sum(s.estimated_minutes or 0
                          for s in version_spec(template.current_version).steps)
            estimated += per_run * launched.get(template.pk, 0)
        rows.append(InsightRow(
            task=task, templates=templates,
            surveyed_hours=(surveyed.get(task.pk) or Decimal(0)) if survey_round else None,
            estimated_hours=_hours(estimated),
            actual_hours=_hours(sum(actual.get(t.pk) or 0 for t in templates)),
            runs_launched=sum(launched.get(t.pk, 0) for t in templates),
            runs_completed=sum(completed.get(t.pk, 0) for t in templates),
        ))
    return rows
