"""Totals, breakdowns, loads, the Pareto of tasks, flags, seasonality and the heat map.

Costs are Σ hours × the hourly cost of the doer's grade (0 for people without a known grade),
summed unrounded and rounded half up to whole yen at the end of each sum.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl

from .frames import Frames, yen
from .types import (
    AnalysisOptions,
    Breakdown,
    FlagSummary,
    Heatmap,
    MonthHours,
    PersonLoad,
    Seasonality,
    TaskSummary,
    Totals,
)

NO_DEPARTMENT = "(所属なし)"
NO_GRADE = "(等級なし)"
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
FLAGS: tuple[Literal["remote_ok", "outsourceable", "automatable"], ...] = (
    "remote_ok", "outsourceable", "automatable")


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def totals(fr: Frames) -> Totals:
    """hours = Σ hours(p, t); people = everyone in the people frame; tasks = tasks with hours;
    utilization = hours / Σ capacity (0 when there is no capacity)."""
    capacity = float(fr.people["capacity"].sum())
    return Totals(
        hours=fr.total_hours,
        cost=yen(float(fr.hours["cost_raw"].sum())),
        people=fr.people.height,
        people_with_hours=fr.hours["person_id"].n_unique(),
        tasks=fr.hours["task_id"].n_unique(),
        capacity=capacity,
        utilization=_share(fr.total_hours, capacity),
    )


def _breakdown(fr: Frames, key: pl.Expr, label: pl.Expr) -> tuple[Breakdown, ...]:
    grouped = (
        fr.hours.with_columns(key=key, label=label)
        .group_by("key")
        .agg(
            pl.col("label").first(),
            pl.col("hours").sum(),
            pl.col("cost_raw").sum(),
            people=pl.col("person_id").n_unique(),
            tasks=pl.col("task_id").n_unique(),
        )
        .sort(["hours", "key"], descending=[True, False])
    )
    return tuple(
        Breakdown(key=k, label=lb, hours=h, cost=yen(c), people=p, tasks=t,
                  share=_share(h, fr.total_hours))
        for k, lb, h, c, p, t in grouped.select(
            "key", "label", "hours", "cost_raw", "people", "tasks").iter_rows()
    )


def by_function(fr: Frames) -> tuple[Breakdown, ...]:
    """Hours per function of the task; only functions with hours; largest first."""
    return _breakdown(fr, pl.col("function"), pl.col("function"))


def by_department(fr: Frames) -> tuple[Breakdown, ...]:
    """Hours per department of the doer: key ``str(department_id)`` ("" for people without
    one), label the department's path (``(所属なし)`` without one); largest first."""
    with_path = fr.hours.join(fr.people.select("person_id", "department"), on="person_id",
                              how="left")
    return _breakdown(
        Frames(**{**fr.__dict__, "hours": with_path}),
        pl.col("department_id").cast(pl.Utf8).fill_null(""),
        pl.when(pl.col("department_id").is_null()).then(pl.lit(NO_DEPARTMENT))
        .otherwise(pl.col("department")),
    )


def by_grade(fr: Frames) -> tuple[Breakdown, ...]:
    """Hours per grade of the doer: key the grade code ("" without one, label
    ``(等級なし)``); largest first."""
    return _breakdown(fr, pl.col("grade").fill_null(""), pl.col("grade").fill_null(NO_GRADE))


def people(fr: Frames) -> tuple[PersonLoad, ...]:
    """Every person in the people frame, with load(p) = Σ_t hours(p, t) (0 without tasks),
    utilization = load / capacity (0 when capacity is 0), overloaded = utilization > 1;
    largest load first, then person id."""
    per_function = (
        fr.hours.group_by("person_id", "function").agg(pl.col("hours").sum())
        .sort("function")
        .group_by("person_id").agg("function", "hours")
    )
    table = (
        fr.people.join(per_function, on="person_id", how="left")
        .sort(["load", "person_id"], descending=[True, False])
        .select("person_id", "employee_number", "name", "department", "grade", "capacity",
                "load", "function", "hours", "task_count")
    )
    result = []
    for pid, number, name, dept, grade, capacity, load, functions, hours, count in (
            table.iter_rows()):
        utilization = _share(load, capacity)
        result.append(PersonLoad(
            person_id=pid, employee_number=number, name=name, department=dept, grade=grade,
            capacity=capacity, load=load, utilization=utilization, overloaded=utilization > 1,
            by_function=dict(zip(functions, hours, strict=True)) if functions else {},
            tasks=count,
        ))
    return tuple(result)


def tasks(fr: Frames) -> tuple[TaskSummary, ...]:
    """The tasks analysed, largest hours first (then task id), with their share of all hours
    and the cumulative share up to each (the Pareto curve). Tasks analysed only through
    capability data come last, with 0 hours."""
    table = fr.tasks.with_columns(cumulative=pl.col("hours").cum_sum())
    return tuple(
        TaskSummary(
            task_id=row["task_id"], function=row["function"], category=row["category"],
            subcategory=row["subcategory"], name=row["name"], difficulty=row["difficulty"],
            remote_ok=row["remote_ok"], outsourceable=row["outsourceable"],
            automatable=row["automatable"], hours=row["hours"], cost=yen(row["cost_raw"]),
            people=row["people"], capable=tuple(row["capable"]),
            capability_from_survey=row["from_survey"],
            person_dependent=row["capable_count"] <= 1,
            share=_share(row["hours"], fr.total_hours),
            cumulative_share=_share(row["cumulative"], fr.total_hours),
        )
        for row in table.iter_rows(named=True)
    )


def flags(fr: Frames) -> tuple[FlagSummary, ...]:
    """For each flag, the hours and cost of the flagged tasks (with hours), their share of all
    hours, and the tasks ranked by hours, largest first (then task id)."""
    result = []
    for flag in FLAGS:
        flagged = fr.tasks.filter(pl.col(flag) & (pl.col("hours") > 0))
        hours = float(flagged["hours"].sum())
        result.append(FlagSummary(
            flag=flag, hours=hours, cost=yen(float(flagged["cost_raw"].sum())),
            share=_share(hours, fr.total_hours), task_ids=tuple(flagged["task_id"]),
        ))
    return tuple(result)


def seasonality(fr: Frames) -> Seasonality:
    """From the per-month rows only. entries = distinct (person, task) pairs with per-month
    values; months in fiscal order (April first), each with hours per function (the functions
    present in the monthly data, largest first); peak_month = the month with the most hours,
    the first in fiscal order on ties (None when there are no hours)."""
    monthly = fr.monthly.join(fr.tasks.select("task_id", "function"), on="task_id",
                              how="left").with_columns(pl.col("function").fill_null(""))
    entries = monthly.select("person_id", "task_id").unique().height
    if not entries:
        return Seasonality(entries=0, months=(), peak_month=None)
    functions = (monthly.group_by("function").agg(pl.col("hours").sum())
                 .sort(["hours", "function"], descending=[True, False])["function"].to_list())
    cells = {(m, f): h for m, f, h in monthly.group_by("month", "function")
             .agg(pl.col("hours").sum()).iter_rows()}
    months = []
    for month in FISCAL_MONTHS:
        split = {f: float(cells.get((month, f), 0.0)) for f in functions}
        months.append(MonthHours(month=month, hours=float(sum(split.values())),
                                 by_function=split))
    peak = max(months, key=lambda m: m.hours)  # max keeps the first of equals
    return Seasonality(entries=entries, months=tuple(months),
                       peak_month=peak.month if peak.hours > 0 else None)


def heatmap(fr: Frames, options: AnalysisOptions) -> Heatmap:
    """The options.heatmap_people people with the largest load and the options.heatmap_tasks
    tasks with the most hours (ties: smaller id first); values[i][j] = hours(person i, task j)."""
    top_people = (fr.people.filter(pl.col("load") > 0)
                  .sort(["load", "person_id"], descending=[True, False])
                  .head(options.heatmap_people)["person_id"])
    top_tasks = fr.tasks.filter(pl.col("hours") > 0).head(options.heatmap_tasks)["task_id"]
    cells = (
        fr.hours.join(pl.DataFrame({"person_id": top_people})
                      .with_row_index("i"), on="person_id")
        .join(pl.DataFrame({"task_id": top_tasks}).with_row_index("j"), on="task_id")
    )
    matrix = np.zeros((len(top_people), len(top_tasks)))
    matrix[cells["i"].to_numpy(), cells["j"].to_numpy()] = cells["hours"].to_numpy()
    return Heatmap(
        person_ids=tuple(top_people), task_ids=tuple(top_tasks),
        values=tuple(tuple(float(v) for v in row) for row in matrix),
    )
