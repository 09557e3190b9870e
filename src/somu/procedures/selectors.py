"""Reads for procedures: templates, runs and steps, my tasks, the board, the due-date calendar and
the comparison with the work survey.

Lists are built with a constant number of queries whatever the number of rows (aggregates,
``select_related``); the query-count tests keep it so.
"""

from __future__ import annotations

import calendar as _months
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, NamedTuple

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core.permissions import (
    MANAGE_PROCEDURES,
    ROLE_LABELS,
    VIEW_PROCEDURES,
    WORK_STEPS,
    Role,
    has_perm,
)
from somu.org.models import Department, Membership, Person
from somu.procedures.engine import plan as planning
from somu.procedures.engine.render import render_instructions
from somu.procedures.engine.spec import (
    START,
    AssigneeRule,
    DueRule,
    StepSpec,
    TemplateSpec,
    parse_spec,
)
from somu.procedures.models import (
    FINISHED_STATES,
    OPEN_STATES,
    Run,
    RunStatus,
    Step,
    StepAttachment,
    StepEvent,
    StepState,
    Template,
    TemplateVersion,
)
from somu.procedures.services.launching import (
    Directory,
    calendar_for_active_organization,
    coerce_params,
    default_run_name,
    due_order_warnings,
)
from somu.survey.models import RoundStatus, SurveyRound, Task, WorkHours

BUCKET_LIMIT: Final = 200
LATE_LIMIT: Final = 100
INSIGHT_DAYS: Final = 365


def today() -> dt.date:
    """Today in the site's time zone (Asia/Tokyo): what "due today" means."""
    return timezone.localdate()


# ---- templates ---------------------------------------------------------------------------------


def template_list(*, include_archived: bool = False) -> QuerySet[Template]:
    """Templates with ``run_count`` (all runs) and ``open_runs`` (running)."""
    templates = Template.objects.select_related("current_version", "owner").annotate(
        run_count=Count("runs", distinct=True),
        open_runs=Count("runs", filter=Q(runs__status=RunStatus.RUNNING), distinct=True),
    )
    if not include_archived:
        templates = templates.filter(archived=False)
    return templates.order_by("category", "name", "pk")


def template_get(*, template_id: int) -> Template:
    return get_object_or_404(
        Template.objects.select_related("current_version", "owner"), pk=template_id
    )


def template_versions(*, template: Template) -> QuerySet[TemplateVersion]:
    """The template's versions, newest first, with who saved them."""
    return template.versions.select_related("created_by").order_by("-number")


def template_version_get(*, template: Template, number: int) -> TemplateVersion:
    return get_object_or_404(TemplateVersion.objects.select_related("template"),
                             template=template, number=number)


_SPEC_CACHE: dict[tuple[int, str], TemplateSpec] = {}
_SPEC_CACHE_SIZE: Final = 512


def version_spec(version: TemplateVersion) -> TemplateSpec:
    """The parsed spec of a version; versions never change, so it is parsed once per process.

    The key includes the creation time so a reused id (a rolled-back test) cannot collide.
    """
    cached: TemplateSpec | None = getattr(version, "_parsed_spec", None)
    if cached is not None:
        return cached
    key = (version.pk or 0, version.created_at.isoformat() if version.created_at else "")
    spec = _SPEC_CACHE.get(key) if version.pk else None
    if spec is None:
        spec = parse_spec(version.spec)
        if version.pk:
            if len(_SPEC_CACHE) >= _SPEC_CACHE_SIZE:
                _SPEC_CACHE.clear()
            _SPEC_CACHE[key] = spec
    version._parsed_spec = spec  # type: ignore[attr-defined]
    return spec


# ---- describing rules --------------------------------------------------------------------------


def _param_label(key: str, spec: TemplateSpec | None) -> str:
    param = spec.parameter(key) if spec is not None else None
    return param.label if param is not None and param.label else key


def describe_due(rule: DueRule | None, spec: TemplateSpec | None = None) -> str:
    """The rule in words, e.g. "入社日 + 5 calendar days, rolled to the previous business day"."""
    if rule is None:
        return _("No due date")
    if rule.after_step:
        step = spec.step(rule.after_step) if spec is not None else None
        base = _("completion of “%(step)s”") % {"step": step.name if step else rule.after_step}
    elif rule.base == START:
        base = _("the start date")
    else:
        base = _param_label(rule.base, spec)
    if rule.kind == "end_of_month":
        if rule.months == 0:
            text = _("end of the month of %(base)s") % {"base": base}
        else:
            text = ngettext("end of the month %(n)d month after %(base)s",
                            "end of the month %(n)d months after %(base)s",
                            rule.months) % {"n": rule.months, "base": base}
    elif rule.kind == "day_of_month":
        if rule.months == 0:
            text = _("day %(day)d of the month of %(base)s") % {"day": rule.day, "base": base}
        else:
            text = ngettext("day %(day)d of the month %(n)d month after %(base)s",
                            "day %(day)d of the month %(n)d months after %(base)s",
                            rule.months) % {"day": rule.day, "n": rule.months, "base": base}
    elif rule.offset == 0:
        text = base
    else:
        n = abs(rule.offset)
        params = {"base": base, "n": n}
        if rule.unit == "business":
            text = (ngettext("%(base)s + %(n)d business day", "%(base)s + %(n)d business days", n)
                    if rule.offset > 0 else
                    ngettext("%(base)s − %(n)d business day", "%(base)s − %(n)d business days",
                             n)) % params
        else:
            text = (ngettext("%(base)s + %(n)d calendar day", "%(base)s + %(n)d calendar days", n)
                    if rule.offset > 0 else
                    ngettext("%(base)s − %(n)d calendar day", "%(base)s − %(n)d calendar days",
                             n)) % params
    if rule.roll == "previous":
        return _("%(rule)s, rolled to the previous business day") % {"rule": text}
    if rule.roll == "next":
        return _("%(rule)s, rolled to the next business day") % {"rule": text}
    return text


def describe_assignee(rule: AssigneeRule, spec: TemplateSpec | None = None) -> str:
    """Who the rule gives, in words, e.g. "Back-office staff of 人事部"."""
    if rule.kind == "person":
        return _("Employee %(number)s") % {"number": rule.value}
    if rule.kind == "role":
        label = str(ROLE_LABELS[Role(rule.role)]) if rule.role in Role._value2member_map_ \
            else rule.role
        if rule.value:
            return _("%(role)s of %(department)s") % {"role": label, "department": rule.value}
        return _("%(role)s (any department)") % {"role": label}
    if rule.kind == "param":
        return _("The person in “%(param)s”") % {"param": _param_label(rule.value, spec)}
    if rule.kind == "manager_of":
        if rule.value in ("", "starter"):
            return _("The manager of whoever launches the run")
        return _("The manager of the person in “%(param)s”") % {
            "param": _param_label(rule.value, spec)}
    return _("Whoever launches the run")


@dataclass(frozen=True)
class PreviewRow:
    """One step of a due-date preview for a sample start date."""

    key: str
    name: str
    kind: str
    due_date: dt.date | None
    explanation: str  # the due rule in words
    skipped: bool  # its condition is false for the sample values
    assignee: str  # the assignee rule in words
    depends_on: tuple[str, ...] = ()
    # The due date comes before the start or before a step it waits for (allowed, but check).
    warnings: tuple[str, ...] = ()


def due_preview(
    *, spec: TemplateSpec, start_date: dt.date, params: Mapping[str, Any] | None = None
) -> list[PreviewRow]:
    """The steps with the due dates a run started on ``start_date`` would get.

    Date parameters not given take the start date; values that do not fit are ignored.
    """
    directory = Directory()
    raw = dict(params or {})
    for param in spec.parameters:
        if param.type == "date" and not raw.get(param.key):
            raw[param.key] = start_date
    values, _errors = coerce_params(spec, raw, directory)
    planned = planning.plan_launch(spec, values=values.typed, start=start_date,
                                   calendar=calendar_for_active_organization())
    warnings = due_order_warnings(planned, start=start_date)
    rows = []
    for item in planned:
        step = spec.step(item.key)
        assert step is not None
        rows.append(PreviewRow(
            key=item.key, name=item.name, kind=item.kind, due_date=item.due_date,
            explanation=describe_due(step.due, spec), skipped=item.state == "skipped",
            assignee=describe_assignee(step.assignee, spec), depends_on=item.depends_on,
            warnings=tuple(warnings.get(item.key, ())),
        ))
    return rows


def run_default_name(*, template: Template, spec: TemplateSpec, start_date: dt.date,
                     params: Mapping[str, Any] | None = None) -> str:
    """The name a run launched with these values gets when its name is left empty (the launch
    page shows it as the values are typed); values that do not fit are ignored."""
    directory = Directory()
    values, _errors = coerce_params(spec, dict(params or {}), directory)
    return default_run_name(template, spec, values.typed, start_date, directory)


# ---- runs --------------------------------------------------------------------------------------


def _step_count(condition: Q) -> Coalesce:
    """The number of the run's steps matching ``condition``, as a correlated subquery.

    Subqueries rather than joined aggregates: a paginated list then counts only the runs it
    shows, not every run of the organization.
    """
    counted = (Step.objects.filter(condition, run=OuterRef("pk")).order_by().values("run")
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted), 0)


def _with_progress(runs: QuerySet[Run], on: dt.date) -> QuerySet[Run]:
    return runs.annotate(
        steps_total=_step_count(Q()),
        steps_finished=_step_count(Q(state__in=FINISHED_STATES)),
        # Shown apart from the steps done: a skipped step was not done by anyone.
        steps_skipped=_step_count(Q(state=StepState.SKIPPED)),
        steps_done=_step_count(Q(state__in=(StepState.DONE, StepState.APPROVED))),
        steps_late=_step_count(Q(state__in=OPEN_STATES, due_date__lt=on)),
    )


def run_list(
    *, template_id: int | None = None, status: str | None = None, person_id: int | None = None
) -> QuerySet[Run]:
    """Runs, newest first, with ``steps_total``, ``steps_finished`` (of which
    ``steps_done`` and ``steps_skipped``) and ``steps_late``.

    ``person_id``: runs in which the person holds a step.
    """
    runs = Run.objects.select_related("template", "version", "starter")
    if template_id is not None:
        runs = runs.filter(template_id=template_id)
    if status:
        runs = runs.filter(status=status)
    if person_id is not None:
        runs = runs.filter(Exists(Step.objects.filter(run=OuterRef("pk"), assignee_id=person_id)))
    return _with_progress(runs, today()).order_by("-created_at", "-pk")


def run_get(*, run_id: int) -> Run:
    return get_object_or_404(
        Run.objects.select_related("template", "version", "starter", "started_by", "schedule"),
        pk=run_id,
    )


def run_steps(*, run: Run) -> list[Step]:
    """The run's steps in template order, with their assignees."""
    steps = list(Step.objects.filter(run=run).select_related("assignee").order_by("position"))
    for step in steps:
        step.run = run
    return steps


def run_timeline(*, run: Run) -> QuerySet[StepEvent]:
    """Who did what when in the run, oldest first."""
    return StepEvent.objects.filter(run=run).select_related("step", "actor").order_by(
        "created_at", "pk")


def run_param_display(*, run: Run, spec: TemplateSpec | None = None) -> list[tuple[str, str, str]]:
    """The run's parameters as (key, label, display value): names for people and departments,
    dates as every page writes them (2026-04-01 (水))."""
    spec = spec or version_spec(run.version)
    texts = param_value_texts(spec=spec, values=run.params)
    return [(p.key, p.label or p.key, texts[p.key]) for p in spec.parameters]


def param_default_texts(*, spec: TemplateSpec) -> dict[str, str]:
    """Each parameter's default as a reader sees it ("" = none): はい/いいえ, not True/False."""
    return param_value_texts(spec=spec, values={p.key: p.default for p in spec.parameters})


def param_value_texts(*, spec: TemplateSpec, values: dict[str, Any]) -> dict[str, str]:
    """The one formatter of parameter values for people, by key ("" = no value): names for
    people and departments, dates written out, はい/いいえ for booleans."""
    person_ids = [values.get(p.key) for p in spec.parameters if p.type == "person"]
    dept_ids = [values.get(p.key) for p in spec.parameters if p.type == "department"]
    people = dict(Person.objects.filter(pk__in=[i for i in person_ids if isinstance(i, int)])
                  .values_list("pk", "name")) if any(person_ids) else {}
    departments = dict(Department.objects.filter(pk__in=[i for i in dept_ids if isinstance(i, int)])
                       .values_list("pk", "name")) if any(dept_ids) else {}
    out: dict[str, str] = {}
    for param in spec.parameters:
        value = values.get(param.key)
        if value is None or value == "":
            text = ""
        elif param.type == "person":
            text = people.get(value, str(value))
        elif param.type == "department":
            text = departments.get(value, str(value))
        elif param.type == "date":
            try:
                text = formats.date_format(dt.date.fromisoformat(str(value)))
            except ValueError:
                text = str(value)
        elif param.type == "boolean" or isinstance(value, bool):
            text = str(_("Yes") if value else _("No"))
        else:
            text = str(value)
        out[param.key] = text
    return out


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


def my_tasks_count(membership: Membership | None) -> TaskCounts | None:
    """The member's ready and overdue steps (one query), or None when the member works on no
    steps (no permission, or no linked person record)."""
    if membership is None or membership.person_id is None or not has_perm(membership, WORK_STEPS):
        return None
    counts = Step.objects.filter(assignee_id=membership.person_id,
                                 state=StepState.READY).aggregate(
        ready=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today())))
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
