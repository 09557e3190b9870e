"""What the analysis reads and what it returns: plain tables in, typed results out.

No Django here. The input is a :class:`SurveyData` of Polars frames (schemas below); the output
is an :class:`AnalysisResult` of frozen dataclasses holding only numbers, strings, lists and
dicts, so it can be cached as JSON (:func:`somu.survey.analysis.serialize`) and read back.

Ids are the database ids of people and tasks; labels are carried so a result can be shown or
exported without going back to the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import polars as pl

PEOPLE_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "person_id": pl.Int64,
    "employee_number": pl.Utf8,
    "name": pl.Utf8,
    "department_id": pl.Int64,  # null: no department
    "department": pl.Utf8,  # the department's path, e.g. "管理本部 / 総務部"; "" if none
    "grade": pl.Utf8,  # grade code; null: no grade
    "capacity": pl.Float64,  # standard monthly hours (organization default or the person's)
}
TASKS_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "task_id": pl.Int64,
    "function": pl.Utf8,
    "category": pl.Utf8,
    "subcategory": pl.Utf8,
    "name": pl.Utf8,
    "difficulty": pl.Int64,  # 1–5; null: not rated
    "remote_ok": pl.Boolean,
    "outsourceable": pl.Boolean,
    "automatable": pl.Boolean,
}
HOURS_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "person_id": pl.Int64,
    "task_id": pl.Int64,
    "hours": pl.Float64,  # hours(p, t): the monthly average
}
MONTHLY_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "person_id": pl.Int64,
    "task_id": pl.Int64,
    "month": pl.Int64,  # calendar month 1–12
    "hours": pl.Float64,
}
CAPABILITY_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "person_id": pl.Int64,
    "task_id": pl.Int64,
    "level": pl.Int64,  # 0 cannot, 1 learning, 2 with a manual, 3 alone, 4 can teach
}
GRADES_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "grade": pl.Utf8,
    "hourly_cost": pl.Int64,  # yen
    "difficulty_min": pl.Int64,
    "difficulty_max": pl.Int64,
    "sort_order": pl.Int64,
}


@dataclass(frozen=True)
class AnalysisOptions:
    # Capability at or above this makes a person "capable" of a task (PRODUCT.md: ≥ 3).
    capable_level: int = 3
    # Capability at or above this (and below capable_level) lets a person absorb orphaned work.
    absorb_level: int = 2
    # Share of a scope's hours that must be left with nobody capable (strictly more than this).
    bus_factor_share: float = 0.5
    # The exact (integer programming) bus factor is tried for scopes with at most this many
    # candidate people, within this time; otherwise, or on timeout, greedy removal is used.
    exact_max_people: int = 400
    exact_time_limit_s: float = 5.0
    # Overall budget for all exact computations of one analysis, shared fairly among the
    # scopes greedy could not settle (what quick solves leave passes on to the next ones).
    # Small, so that a 10,000-person organization's analysis stays well within 2 s.
    exact_total_budget_s: float = 0.5
    # Scopes with more candidate people than this use greedy removal in about 50 batches
    # instead of one person at a time (thousands of steps in a 10,000-person organization).
    greedy_batch_from: int = 2000
    # How many people and tasks the heat map keeps (the largest by hours).
    heatmap_people: int = 40
    heatmap_tasks: int = 30


@dataclass(frozen=True)
class SurveyData:
    """One round's data. Frames follow the ``*_SCHEMA`` dicts above (extra columns ignored)."""

    people: pl.DataFrame
    tasks: pl.DataFrame
    hours: pl.DataFrame
    capability: pl.DataFrame
    grades: pl.DataFrame
    monthly: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=MONTHLY_SCHEMA))


# ---- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    hours: float  # Σ hours(p, t)
    cost: int  # Σ hours × hourly cost of the person's grade (people without a grade: 0)
    people: int  # people in the round (with or without hours)
    people_with_hours: int
    tasks: int  # tasks with hours > 0
    capacity: float  # Σ capacity(p) over people in the round
    utilization: float  # hours / capacity (0 when capacity is 0)


@dataclass(frozen=True)
class Breakdown:
    """Hours grouped by one key (a function, department, grade or category)."""

    key: str
    label: str
    hours: float
    cost: int
    people: int  # people with hours > 0 in the group
    tasks: int  # tasks with hours > 0 in the group
    share: float  # of total hours


@dataclass(frozen=True)
class PersonLoad:
    person_id: int
    employee_number: str
    name: str
    department: str
    grade: str | None
    capacity: float
    load: float  # Σ_t hours(p, t)
    utilization: float  # load / capacity (0 when capacity is 0)
    overloaded: bool  # utilization > 1
    by_function: dict[str, float]  # hours per function, for the stacked chart
    tasks: int


@dataclass(frozen=True)
class TaskSummary:
    task_id: int
    function: str
    category: str
    subcategory: str
    name: str
    difficulty: int | None
    remote_ok: bool
    outsourceable: bool
    automatable: bool
    hours: float  # Σ_p hours(p, t)
    cost: int
    people: int  # people with hours > 0 (the assignee distribution's size)
    capable: tuple[int, ...]  # person ids in capable(t), sorted
    capability_from_survey: bool  # False: capable(t) fell back to the people with hours
    person_dependent: bool  # |capable(t)| ≤ 1
    share: float  # of total hours
    cumulative_share: float  # Pareto: share of the tasks up to this one, largest first


@dataclass(frozen=True)
class Dependency:
    """属人化: tasks that at most one person can do."""

    tasks: int  # tasks analysed (hours > 0 or capability data)
    dependent_tasks: int
    rate_by_count: float
    hours: float
    dependent_hours: float
    rate_by_hours: float
    dependent_task_ids: tuple[int, ...]  # largest hours first
    nobody_capable_task_ids: tuple[int, ...]  # |capable(t)| = 0


@dataclass(frozen=True)
class BusFactor:
    scope: Literal["organization", "function", "department"]
    key: str  # "" for the organization, the function name, or the department id
    label: str
    value: int | None  # None: the scope has no hours
    method: Literal["exact", "greedy"]
    removed: tuple[int, ...]  # the people whose departure reaches the threshold
    hours: float  # the scope's hours
    uncovered_hours: float  # hours left with nobody capable once ``removed`` have left
    candidates: int  # people capable of some task in the scope


@dataclass(frozen=True)
class Absorption:
    person_id: int
    task_id: int
    hours: float


@dataclass(frozen=True)
class RetirementRisk:
    person_id: int
    name: str
    orphaned_hours: float  # Σ hours of the tasks whose capable set ⊆ {p} (and p works on them)
    orphaned_task_ids: tuple[int, ...]
    absorbed: tuple[Absorption, ...]  # who could take over what, within their spare capacity
    unabsorbed_hours: float


@dataclass(frozen=True)
class QualificationByGrade:
    grade: str
    over_hours: float
    over_cost: int
    under_hours: float
    under_cost: int


@dataclass(frozen=True)
class Qualification:
    """Work below (over-qualified) or above (under-qualified) the grade's difficulty band."""

    over_hours: float
    over_cost: int
    under_hours: float
    under_cost: int
    unknown_hours: float  # no grade, no band, or the task's difficulty not rated
    by_grade: tuple[QualificationByGrade, ...]


@dataclass(frozen=True)
class Balance:
    scope: Literal["organization", "department"]
    key: str
    label: str
    people: int
    mean_load: float
    cv: float  # coefficient of variation (population standard deviation / mean)
    gini: float
    max_over_mean: float
    overloaded_person_ids: tuple[int, ...]


@dataclass(frozen=True)
class FlagSummary:
    flag: Literal["remote_ok", "outsourceable", "automatable"]
    hours: float
    cost: int
    share: float  # of total hours
    task_ids: tuple[int, ...]  # ranked by hours, largest first


@dataclass(frozen=True)
class MonthHours:
    month: int  # calendar month 1–12
    hours: float
    by_function: dict[str, float]


@dataclass(frozen=True)
class Seasonality:
    entries: int  # person × task rows with per-month values
    months: tuple[MonthHours, ...]  # fiscal order, April first; empty when no entries
    peak_month: int | None


@dataclass(frozen=True)
class Heatmap:
    person_ids: tuple[int, ...]
    task_ids: tuple[int, ...]
    values: tuple[tuple[float, ...], ...]  # values[i][j]: hours of person i on task j


@dataclass(frozen=True)
class AnalysisResult:
    totals: Totals
    by_function: tuple[Breakdown, ...]
    by_department: tuple[Breakdown, ...]
    by_grade: tuple[Breakdown, ...]
    people: tuple[PersonLoad, ...]  # load, largest first
    tasks: tuple[TaskSummary, ...]  # hours, largest first (the Pareto order)
    dependency: Dependency
    bus_factors: tuple[BusFactor, ...]  # organization first, then functions, then departments
    retirement: tuple[RetirementRisk, ...]  # orphaned hours, largest first; only those > 0
    qualification: Qualification
    balance: tuple[Balance, ...]  # organization first, then departments
    flags: tuple[FlagSummary, ...]
    seasonality: Seasonality
    heatmap: Heatmap


@dataclass(frozen=True)
class MetricChange:
    metric: str  # a stable key, e.g. "hours", "dependency_rate_by_hours"
    before: float | None
    after: float | None
    change: float | None  # after − before


@dataclass(frozen=True)
class KeyChange:
    """One function's / task's / person's figure in both rounds."""

    key: str
    label: str
    before: float
    after: float
    change: float


@dataclass(frozen=True)
class Comparison:
    metrics: tuple[MetricChange, ...]
    by_function: tuple[KeyChange, ...]
    tasks: tuple[KeyChange, ...]  # largest absolute change first
    # (scope, label, before, after)
    bus_factors: tuple[tuple[str, str, int | None, int | None], ...]
    overloaded_before: tuple[int, ...]
    overloaded_after: tuple[int, ...]
