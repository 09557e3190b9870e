"""Reads for the work survey: inventory and round lists, the analysis (cached) and drill-downs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import polars as pl
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from somu.org.models import Department, Grade, Organization, Person
from somu.org.selectors import department_paths
from somu.survey import analysis
from somu.survey.analysis.types import (
    CAPABILITY_SCHEMA,
    GRADES_SCHEMA,
    HOURS_SCHEMA,
    MONTHLY_SCHEMA,
    PEOPLE_SCHEMA,
    TASKS_SCHEMA,
    AnalysisOptions,
    AnalysisResult,
    SurveyData,
)
from somu.survey.models import (
    FISCAL_MONTHS,
    STANDARD_FUNCTIONS,
    AnalysisSnapshot,
    Capability,
    Respondent,
    ResponseStatus,
    RoundStatus,
    SurveyRound,
    Task,
    TaskStatus,
    WorkHours,
)

# ---- inventory and rounds ------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskFilter:
    q: str = ""
    function: str = ""
    status: str = TaskStatus.ACTIVE  # "" for every status
    flag: str = ""  # remote_ok / outsourceable / automatable


FLAGS = ("remote_ok", "outsourceable", "automatable")


def task_list(*, filters: TaskFilter | None = None) -> QuerySet[Task]:
    filters = filters or TaskFilter()
    tasks = Task.objects.select_related("required_skill")
    if filters.status:
        tasks = tasks.filter(status=filters.status)
    if filters.function:
        tasks = tasks.filter(function=filters.function)
    if filters.flag in FLAGS:
        tasks = tasks.filter(**{filters.flag: True})
    if filters.q:
        tasks = tasks.filter(
            Q(name__icontains=filters.q) | Q(category__icontains=filters.q)
            | Q(subcategory__icontains=filters.q) | Q(description__icontains=filters.q)
        )
    return tasks


def task_functions() -> list[str]:
    """The functions used in the inventory, in a stable order (standard ones first)."""
    used = set(Task.objects.values_list("function", flat=True).distinct())
    ordered = [f for f in STANDARD_FUNCTIONS if f in used]
    return ordered + sorted(used - set(ordered))


def round_list() -> QuerySet[SurveyRound]:
    """Rounds, newest first, with their respondent counts.

    The explicit ``order_by``: Django drops ``Meta.ordering`` from aggregating queries.
    """
    return SurveyRound.objects.annotate(
        respondent_count=Count("respondents", distinct=True),
        submitted_count=Count(
            "respondents", filter=Q(respondents__status=ResponseStatus.SUBMITTED), distinct=True
        ),
    ).order_by("-created_at", "-pk")


def round_get(*, round_id: int) -> SurveyRound:
    return get_object_or_404(SurveyRound, pk=round_id)


def round_get_by_name(*, name: str) -> SurveyRound:
    return SurveyRound.objects.get(name=name)


@dataclass(frozen=True)
class Progress:
    invited: int
    not_started: int
    in_progress: int
    submitted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.invited if self.invited else 0.0


def round_progress(*, survey_round: SurveyRound) -> Progress:
    counts = dict(
        Respondent.objects.filter(round=survey_round)
        .values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return Progress(
        invited=sum(counts.values()),
        not_started=counts.get(ResponseStatus.NOT_STARTED, 0),
        in_progress=counts.get(ResponseStatus.IN_PROGRESS, 0),
        submitted=counts.get(ResponseStatus.SUBMITTED, 0),
    )


PENDING = "pending"  # a respondent_list status: everyone who has not submitted


def respondent_list(*, survey_round: SurveyRound, status: str = "") -> QuerySet[Respondent]:
    """The people asked to answer a round; ``status`` one of ResponseStatus or ``"pending"``."""
    respondents = Respondent.objects.filter(round=survey_round).select_related(
        "person", "person__department"
    )
    if status == PENDING:
        respondents = respondents.exclude(status=ResponseStatus.SUBMITTED)
    elif status:
        respondents = respondents.filter(status=status)
    return respondents.order_by("person__employee_number")


def respondent_for_person(*, survey_round: SurveyRound, person: Person) -> Respondent | None:
    return Respondent.objects.filter(round=survey_round, person=person).first()


def open_rounds_for_person(*, person: Person) -> QuerySet[Respondent]:
    """The rounds a person is asked to answer (for their home page and the questionnaire list).

    Draft rounds are left out: a round that was set back to draft is not collecting answers.
    """
    return Respondent.objects.filter(person=person).exclude(
        round__status=RoundStatus.DRAFT
    ).select_related("round").order_by("-round__created_at")


def pending_surveys_for(*, person: Person) -> list[Respondent]:
    """The open rounds a person has been asked to answer and has not submitted yet."""
    return list(
        Respondent.objects.filter(person=person, round__status=RoundStatus.OPEN)
        .exclude(status=ResponseStatus.SUBMITTED)
        .select_related("round")
        .order_by("round__due_on", "-round__created_at")
    )


def questionnaire_tasks(*, person: Person, answered: Iterable[int] = ()) -> list[Task]:
    """The tasks a person's questionnaire lists, functions in the standard order.

    The inventory in use, the tasks this person proposed and any other task they already
    answered; never archived ones (answers to those can no longer be saved).
    """
    tasks = list(
        Task.objects.filter(
            Q(status=TaskStatus.ACTIVE)
            | Q(status=TaskStatus.PROPOSED, proposed_by=person)
            | Q(pk__in=list(answered))
        ).exclude(status=TaskStatus.ARCHIVED)
    )
    return inventory_order(tasks)


def inventory_order(tasks: Iterable[Task]) -> list[Task]:
    """Tasks as people expect to read them: standard functions first, then each category where
    its first task stands in the inventory (the starter's order: 給与 before 人事制度), so a
    category's tasks stay together and can be grouped."""
    tasks = list(tasks)
    rank = {f: i for i, f in enumerate(STANDARD_FUNCTIONS)}
    first: dict[tuple[str, str], tuple[int, str]] = {}
    for t in tasks:
        key = (t.function, t.category)
        first[key] = min(first.get(key, (t.sort_order, t.name)), (t.sort_order, t.name))
    tasks.sort(key=lambda t: (rank.get(t.function, len(rank)), t.function,
                              first[(t.function, t.category)], t.category,
                              t.sort_order, t.subcategory, t.name))
    return tasks


def answers_of(*, survey_round: SurveyRound, person: Person) -> dict[int, dict[str, object]]:
    """A person's answers in a round by task id: ``{"hours", "monthly", "level"}``."""
    answers: dict[int, dict[str, object]] = {}
    for task_id, hours, monthly in WorkHours.objects.filter(
        round=survey_round, person=person
    ).values_list("task_id", "hours", "monthly"):
        answers[task_id] = {"hours": hours, "monthly": monthly, "level": None}
    for task_id, level in Capability.objects.filter(round=survey_round, person=person).values_list(
        "task_id", "level"
    ):
        answers.setdefault(task_id, {"hours": None, "monthly": None})["level"] = level
    return answers


# ---- the analysis --------------------------------------------------------------------------------


def _rows(sql: str, params: list[int]) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def survey_data(
    *, survey_round: SurveyRound, department_ids: frozenset[int] | None = None
) -> SurveyData:
    """Load a round as plain tables for :func:`somu.survey.analysis.analyze`.

    Raw SQL with explicit organization and round ids: the ORM would build 500,000 model rows
    for a large round, and the cast to float keeps PostgreSQL's numerics out of Python.
    With ``department_ids`` (a manager's scope) only the people of those departments are in it.
    """
    org_id = survey_round.organization_id
    round_id = survey_round.pk
    organization = Organization.objects.get(pk=org_id)
    hours_table = WorkHours._meta.db_table
    capability_table = Capability._meta.db_table

    hours = pl.DataFrame(
        _rows(
            f"SELECT person_id, task_id, CAST(hours AS DOUBLE PRECISION) FROM {hours_table} "  # noqa: S608
            "WHERE organization_id = %s AND round_id = %s",
            [org_id, round_id],
        ),
        schema=HOURS_SCHEMA, orient="row",
    )
    capability = pl.DataFrame(
        _rows(
            f"SELECT person_id, task_id, level FROM {capability_table} "  # noqa: S608
            "WHERE organization_id = %s AND round_id = %s",
            [org_id, round_id],
        ),
        schema=CAPABILITY_SCHEMA, orient="row",
    )
    scoped: set[int] | None = None
    monthly_qs = WorkHours.objects.filter(round=survey_round, monthly__isnull=False)
    if department_ids is not None:
        scoped = set(Person.objects.filter(department_id__in=department_ids)
                     .values_list("pk", flat=True))
        hours = hours.filter(pl.col("person_id").is_in(list(scoped)))
        capability = capability.filter(pl.col("person_id").is_in(list(scoped)))
        monthly_qs = monthly_qs.filter(person_id__in=scoped)
    monthly_rows = []
    for person_id, task_id, monthly in monthly_qs.values_list("person_id", "task_id", "monthly"):
        for month, value in zip(FISCAL_MONTHS, monthly or (), strict=False):
            monthly_rows.append((person_id, task_id, month, float(value)))
    monthly_frame = pl.DataFrame(monthly_rows, schema=MONTHLY_SCHEMA, orient="row")

    person_ids = set(
        Respondent.objects.filter(round=survey_round).values_list("person_id", flat=True)
    )
    person_ids |= set(hours["person_id"].unique().to_list())
    person_ids |= set(capability["person_id"].unique().to_list())
    if scoped is not None:
        person_ids &= scoped
    paths = department_paths()
    default_capacity = float(organization.standard_monthly_hours)
    people_rows = [
        (pk, number, name, department_id, paths.get(department_id, "") if department_id else "",
         grade, float(capacity) if capacity is not None else default_capacity)
        for pk, number, name, department_id, grade, capacity in Person.objects.filter(
            pk__in=person_ids
        ).values_list(
            "pk", "employee_number", "name", "department_id", "grade__code",
            "standard_monthly_hours",
        ).iterator(chunk_size=5000)
    ]
    task_ids = set(hours["task_id"].unique().to_list()) | set(
        capability["task_id"].unique().to_list()
    )
    tasks = pl.DataFrame(
        list(Task.objects.filter(pk__in=task_ids).values_list(
            "pk", "function", "category", "subcategory", "name", "difficulty", "remote_ok",
            "outsourceable", "automatable",
        )),
        schema=TASKS_SCHEMA, orient="row",
    )
    grades = pl.DataFrame(
        list(Grade.objects.values_list(
            "code", "hourly_cost", "difficulty_min", "difficulty_max", "sort_order"
        )),
        schema=GRADES_SCHEMA, orient="row",
    )
    return SurveyData(
        people=pl.DataFrame(people_rows, schema=PEOPLE_SCHEMA, orient="row"),
        tasks=tasks, hours=hours, capability=capability, grades=grades, monthly=monthly_frame,
    )


def round_fingerprint(*, survey_round: SurveyRound) -> str:
    """What the analysis of a round depends on, in a few cheap queries.

    The round's answers (``data_version``), the tasks, people, grades, departments and the
    organization's standard hours: a change to any of them gives a new fingerprint.
    """
    tasks = Task.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    people = Person.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    parts = [
        str(survey_round.data_version), str(survey_round.created_at),
        str(Organization.objects.filter(pk=survey_round.organization_id)
            .values_list("standard_monthly_hours", flat=True).first()),
        f"{tasks['n']}:{tasks['last']}", f"{people['n']}:{people['last']}",
        json.dumps(list(Grade.objects.values_list(
            "code", "hourly_cost", "difficulty_min", "difficulty_max", "sort_order")),
            default=str),
        json.dumps(list(Department.objects.order_by("pk").values_list("pk", "name", "parent_id"))),
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


# The last results read or computed by this process, keyed by round and fingerprint: a 10,000-person
# result is megabytes of JSON, and a dashboard asks for it on every click.
_RESULTS: OrderedDict[tuple[int, str], AnalysisResult] = OrderedDict()
_RESULTS_KEPT = 4


def _remember(key: tuple[int, str], result: AnalysisResult) -> AnalysisResult:
    _RESULTS[key] = result
    _RESULTS.move_to_end(key)
    while len(_RESULTS) > _RESULTS_KEPT:
        _RESULTS.popitem(last=False)
    return result


def round_analysis(
    *, survey_round: SurveyRound, options: AnalysisOptions | None = None, refresh: bool = False,
    department_ids: frozenset[int] | None = None,
) -> AnalysisResult:
    """The analysis of a round: from the cache while its inputs are unchanged, else computed.

    The cache is the round's :class:`AnalysisSnapshot` (shared by every process), fronted by a
    few results kept in this process's memory. Both are keyed by :func:`round_fingerprint`, so a
    change of answers, tasks, people, grades or departments is never served stale.

    ``department_ids`` (a manager's scope, see ``permissions.analysis_scope``) computes every
    figure over the people of those departments only; such a result is kept in memory only.
    """
    if department_ids is not None:
        fingerprint = round_fingerprint(survey_round=survey_round)
        scope = ",".join(str(pk) for pk in sorted(department_ids))
        scoped_key = (survey_round.pk, f"{fingerprint}:{scope}")
        if not refresh and options is None and scoped_key in _RESULTS:
            _RESULTS.move_to_end(scoped_key)
            return _RESULTS[scoped_key]
        result = analysis.analyze(
            survey_data(survey_round=survey_round, department_ids=department_ids),
            options or AnalysisOptions())
        return _remember(scoped_key, result) if options is None else result
    fingerprint = round_fingerprint(survey_round=survey_round)
    key = (survey_round.pk, fingerprint)
    if not refresh and options is None:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key]
        cached = AnalysisSnapshot.objects.filter(
            round=survey_round, fingerprint=fingerprint
        ).values_list("result", flat=True).first()
        if cached is not None:
            try:
                return _remember(key, analysis.from_snapshot(cached))
            except ValueError:
                pass  # stored by an older version of somu: compute it again
    started = time.perf_counter()
    result = analysis.analyze(survey_data(survey_round=survey_round), options or AnalysisOptions())
    took_ms = int((time.perf_counter() - started) * 1000)
    if options is None:
        _store(survey_round, fingerprint, analysis.to_snapshot(result), took_ms)
        _remember(key, result)
    return result


def _store(
    survey_round: SurveyRound, fingerprint: str, result: dict[str, object], took_ms: int
) -> None:
    # An UPDATE first, not update_or_create: that reads the old result (megabytes) back.
    values = {"fingerprint": fingerprint, "result": result, "took_ms": took_ms}
    if AnalysisSnapshot.objects.filter(round=survey_round).update(
            **values, computed_at=timezone.now()):
        return
    try:
        with transaction.atomic():
            AnalysisSnapshot.objects.create(
                round=survey_round, organization_id=survey_round.organization_id, **values)
    except IntegrityError:
        # Another request stored the same analysis at the same moment; theirs is as good.
        pass


# ---- drill-down ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HoursDrill:
    """Which hours rows a figure is made of: every filter is optional and they combine."""

    function: str | None = None
    category: str | None = None
    department_id: int | None = None  # 0: people without a department
    grade: str | None = None  # "": people without a grade
    person_id: int | None = None
    task_id: int | None = None
    flag: str | None = None
    task_ids: tuple[int, ...] | None = None  # e.g. the person-dependent tasks
    qualification: Literal["over", "under"] | None = None


def hours_rows(
    *, survey_round: SurveyRound, drill: HoursDrill, department_ids: frozenset[int] | None = None
) -> QuerySet[WorkHours]:
    """The hours rows ``drill`` selects; with ``department_ids`` (a manager's scope) only those
    of people in these departments."""
    rows = WorkHours.objects.filter(round=survey_round).select_related(
        "person", "person__department", "person__grade", "task"
    )
    if department_ids is not None:
        rows = rows.filter(person__department_id__in=department_ids)
    if drill.function is not None:
        rows = rows.filter(task__function=drill.function)
    if drill.category is not None:
        rows = rows.filter(task__category=drill.category)
    if drill.department_id is not None:
        rows = rows.filter(person__department_id=drill.department_id) if drill.department_id \
            else rows.filter(person__department__isnull=True)
    if drill.grade is not None:
        rows = rows.filter(person__grade__code=drill.grade) if drill.grade else rows.filter(
            person__grade__isnull=True)
    if drill.person_id is not None:
        rows = rows.filter(person_id=drill.person_id)
    if drill.task_id is not None:
        rows = rows.filter(task_id=drill.task_id)
    if drill.flag in FLAGS:
        rows = rows.filter(**{f"task__{drill.flag}": True})
    if drill.task_ids is not None:
        rows = rows.filter(task_id__in=drill.task_ids)
    if drill.qualification == "over":
        rows = rows.filter(task__difficulty__lt=F("person__grade__difficulty_min"))
    elif drill.qualification == "under":
        rows = rows.filter(task__difficulty__gt=F("person__grade__difficulty_max"))
    return rows.order_by("-hours", "person__employee_number", "task_id")


def analysis_labels(*, result: AnalysisResult) -> tuple[dict[int, str], dict[int, str]]:
    """Names of the people and tasks a result refers to (for tables that show ids)."""
    people = {p.person_id: p.name for p in result.people}
    tasks = {t.task_id: t.name for t in result.tasks}
    missing = {pid for r in result.retirement for pid in (a.person_id for a in r.absorbed)}
    missing |= {pid for b in result.bus_factors for pid in b.removed}
    missing -= set(people)
    if missing:
        people.update(dict(Person.objects.filter(pk__in=missing).values_list("pk", "name")))
    return people, tasks


# ---- one person's surveyed work (for the handover document) -------------------------------------


@dataclass(frozen=True)
class SurveyedTask:
    """A task a person reported hours on, and who else can do it (capability ≥ capable level;
    for a task nobody rated, the others who reported hours on it, as the analysis counts)."""

    task_id: int
    function: str
    category: str
    subcategory: str
    name: str
    hours: float  # monthly average
    others: tuple[str, ...]  # names, by 社員番号; active people only


@dataclass(frozen=True)
class SurveyedWork:
    survey_round: SurveyRound
    tasks: tuple[SurveyedTask, ...]  # largest hours first

    @property
    def hours(self) -> float:
        return sum(t.hours for t in self.tasks)


def person_surveyed_work(*, person: Person, before: dt.date | None = None) -> SurveyedWork | None:
    """The tasks ``person`` reported in the newest round where they have hours (created on or
    before ``before`` when given), with who else can do each; ``None`` without any. Four
    queries, whatever the size of the round."""
    from somu.org.models import PersonStatus

    rounds = WorkHours.objects.filter(person=person, hours__gt=0)
    if before is not None:
        rounds = rounds.filter(round__created_at__date__lte=before)
    round_id = rounds.order_by("-round__created_at", "-round_id").values_list(
        "round_id", flat=True).first()
    if round_id is None:
        return None
    survey_round = SurveyRound.objects.get(pk=round_id)
    mine = list(WorkHours.objects.filter(round_id=round_id, person=person, hours__gt=0)
                .select_related("task").order_by("-hours", "task__sort_order", "task_id"))
    task_ids = [h.task_id for h in mine]
    level = AnalysisOptions().capable_level
    rated: set[int] = set()
    capable: dict[int, list[tuple[str, str]]] = {}
    for task_id, lvl, number, name, status, person_id in Capability.objects.filter(
            round_id=round_id, task_id__in=task_ids).values_list(
            "task_id", "level", "person__employee_number", "person__name", "person__status",
            "person_id"):
        rated.add(task_id)
        if lvl >= level and person_id != person.pk and status == PersonStatus.ACTIVE:
            capable.setdefault(task_id, []).append((number, name))
    unrated = [t for t in task_ids if t not in rated]
    if unrated:
        for task_id, number, name in WorkHours.objects.filter(
                round_id=round_id, task_id__in=unrated, hours__gt=0,
                person__status=PersonStatus.ACTIVE).exclude(person=person).values_list(
                "task_id", "person__employee_number", "person__name"):
            capable.setdefault(task_id, []).append((number, name))
    return SurveyedWork(survey_round, tuple(
        SurveyedTask(h.task_id, h.task.function, h.task.category, h.task.subcategory,
                     h.task.name, float(h.hours),
                     tuple(name for _n, name in sorted(capable.get(h.task_id, []))))
        for h in mine))
