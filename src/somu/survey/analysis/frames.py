"""Bring the input frames to their schemas and derive the tables every metric starts from.

Rows that name a person or a task missing from the people or tasks frame are ignored, as are
hours rows with no hours (null, zero or negative). Duplicate rows are merged: hours are added,
the highest capability level wins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from .types import (
    CAPABILITY_SCHEMA,
    GRADES_SCHEMA,
    HOURS_SCHEMA,
    MONTHLY_SCHEMA,
    PEOPLE_SCHEMA,
    TASKS_SCHEMA,
    AnalysisOptions,
    SurveyData,
)


@dataclass(frozen=True)
class Frames:
    """The normalized tables.

    - ``people``: the people schema plus ``hourly_cost`` (0 without a known grade),
      ``difficulty_min``/``difficulty_max`` (the grade's band, null when unknown), ``load``
      (Σ hours) and ``task_count`` (tasks with hours).
    - ``tasks``: the tasks analysed (hours > 0 or capability rows), the tasks schema plus
      ``hours``, ``cost_raw`` (unrounded yen), ``people``, ``capable`` (sorted list of person
      ids), ``capable_count`` and ``from_survey``.
    - ``hours``: one row per person and task with hours > 0: ``hours``, ``cost_raw``,
      ``function``, ``department_id``, ``grade``.
    - ``capability``: one row per person and task with the highest level given.
    - ``capable``: the pairs (task_id, person_id) of capable(t) for the tasks analysed.
    """

    people: pl.DataFrame
    tasks: pl.DataFrame
    hours: pl.DataFrame
    capability: pl.DataFrame
    capable: pl.DataFrame
    grades: pl.DataFrame
    monthly: pl.DataFrame
    total_hours: float


def yen(amount: float) -> int:
    """Round a yen amount half up. The 6-decimal rounding first absorbs floating-point noise
    (1.15 × 10 is 11.499999999999998 in binary, but 11.5 to a person)."""
    return math.floor(round(amount, 6) + 0.5)


def conform(frame: pl.DataFrame, schema: dict[str, type[pl.DataType] | pl.DataType],
            name: str) -> pl.DataFrame:
    """Select the schema's columns, cast to its types; a missing column is an error."""
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise ValueError(f"the {name} frame lacks the column(s) {', '.join(missing)}")
    return frame.select(pl.col(column).cast(dtype) for column, dtype in schema.items())


def prepare(data: SurveyData, options: AnalysisOptions) -> Frames:
    grades = (
        conform(data.grades, GRADES_SCHEMA, "grades")
        .filter(pl.col("grade").is_not_null())
        .unique("grade", keep="first", maintain_order=True)
        .with_columns(pl.col("hourly_cost").fill_null(0))
    )
    people = (
        conform(data.people, PEOPLE_SCHEMA, "people")
        .filter(pl.col("person_id").is_not_null())
        .unique("person_id", keep="first", maintain_order=True)
        .with_columns(
            pl.col("employee_number").fill_null(""),
            pl.col("name").fill_null(""),
            pl.col("department").fill_null(""),
            pl.col("capacity").fill_null(0.0),
        )
        .join(
            grades.select("grade", "hourly_cost", "difficulty_min", "difficulty_max"),
            on="grade", how="left",
        )
        .with_columns(pl.col("hourly_cost").fill_null(0))
    )
    tasks = (
        conform(data.tasks, TASKS_SCHEMA, "tasks")
        .filter(pl.col("task_id").is_not_null())
        .unique("task_id", keep="first", maintain_order=True)
        .with_columns(
            pl.col("function", "category", "subcategory", "name").fill_null(""),
            pl.col("remote_ok", "outsourceable", "automatable").fill_null(False),
        )
    )
    person_ids = people.select("person_id")
    task_ids = tasks.select("task_id")

    hours = (
        conform(data.hours, HOURS_SCHEMA, "hours")
        .filter(pl.col("hours") > 0)
        .join(person_ids, on="person_id", how="semi")
        .join(task_ids, on="task_id", how="semi")
        .group_by("person_id", "task_id")
        .agg(pl.col("hours").sum())
        .join(people.select("person_id", "department_id", "grade", "hourly_cost"),
              on="person_id", how="left")
        .join(tasks.select("task_id", "function"), on="task_id", how="left")
        .with_columns(cost_raw=pl.col("hours") * pl.col("hourly_cost"))
        .drop("hourly_cost")
        .sort("person_id", "task_id")
    )
    capability = (
        conform(data.capability, CAPABILITY_SCHEMA, "capability")
        .filter(pl.col("level").is_not_null())
        .join(person_ids, on="person_id", how="semi")
        .join(task_ids, on="task_id", how="semi")
        .group_by("person_id", "task_id")
        .agg(pl.col("level").max())
        .sort("task_id", "person_id")
    )
    monthly = (
        conform(data.monthly, MONTHLY_SCHEMA, "monthly")
        .filter(pl.col("hours").is_not_null() & pl.col("month").is_between(1, 12))
        .join(person_ids, on="person_id", how="semi")
        .join(task_ids, on="task_id", how="semi")
    )

    surveyed = capability.select("task_id").unique()
    capable = pl.concat([
        capability.filter(pl.col("level") >= options.capable_level).select("task_id",
                                                                           "person_id"),
        # No capability rows at all for the task: the people who do it are taken as capable.
        hours.join(surveyed, on="task_id", how="anti").select("task_id", "person_id"),
    ]).sort("task_id", "person_id")

    task_hours = hours.group_by("task_id").agg(
        pl.col("hours").sum(), pl.col("cost_raw").sum(), people=pl.len().cast(pl.Int64))
    capable_sets = capable.group_by("task_id").agg(capable=pl.col("person_id").sort())
    analysed = pl.concat([task_hours.select("task_id"), surveyed]).unique()
    task_table = (
        tasks.join(analysed, on="task_id", how="semi")
        .join(task_hours, on="task_id", how="left")
        .join(capable_sets, on="task_id", how="left")
        .with_columns(
            pl.col("hours").fill_null(0.0),
            pl.col("cost_raw").fill_null(0.0),
            pl.col("people").fill_null(0),
            pl.col("capable").fill_null([]),
            from_survey=pl.col("task_id").is_in(surveyed["task_id"].implode()),
        )
        .with_columns(capable_count=pl.col("capable").list.len().cast(pl.Int64))
        .sort(["hours", "task_id"], descending=[True, False])
    )

    loads = hours.group_by("person_id").agg(
        load=pl.col("hours").sum(), task_count=pl.len().cast(pl.Int64))
    people = people.join(loads, on="person_id", how="left").with_columns(
        pl.col("load").fill_null(0.0), pl.col("task_count").fill_null(0))

    total = float(hours["hours"].sum()) if hours.height else 0.0
    return Frames(people=people, tasks=task_table, hours=hours, capability=capability,
                  capable=capable, grades=grades, monthly=monthly, total_hours=total)
