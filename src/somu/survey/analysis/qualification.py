"""Over- and under-qualified work: hours outside the doer's grade band, and what they cost."""

from __future__ import annotations

import polars as pl

from .frames import Frames, yen
from .types import Qualification, QualificationByGrade


def qualification(fr: Frames) -> Qualification:
    """For each person × task with hours, with d the task's difficulty and [min, max] the
    difficulty band of the person's grade:

    - over-qualified when d < min; cost = hours × (rate(person's grade) − rate(the lowest grade
      whose band holds d));
    - under-qualified when d > max; cost = hours × (rate(the lowest grade holding d) −
      rate(person's grade)).

    "The lowest grade holding d" is the grade with the smallest hourly cost among those with
    min ≤ d ≤ max (ties: sort order, then code). When no grade holds d the hours count but cost
    0. Rows whose person has no grade (or a grade missing from the grades frame, or one without
    a band) or whose task has no difficulty are ``unknown_hours``. Costs are summed unrounded
    and rounded half up to yen; they are not clamped, so an odd grade table (a cheaper grade
    above a dearer one) can give a negative cost. ``by_grade`` lists every grade of the grades
    frame in sort order.
    """
    grades = fr.grades
    lowest = (
        fr.tasks.select("difficulty").drop_nulls().unique()
        .join(grades, how="cross")
        .filter((pl.col("difficulty_min") <= pl.col("difficulty"))
                & (pl.col("difficulty") <= pl.col("difficulty_max")))
        .sort("difficulty", "hourly_cost", "sort_order", "grade", nulls_last=True)
        .group_by("difficulty", maintain_order=True)
        .agg(lowest_rate=pl.col("hourly_cost").first())
    )
    rows = (
        fr.hours.select("person_id", "task_id", "hours")
        .join(fr.people.select("person_id", "grade", "hourly_cost", "difficulty_min",
                               "difficulty_max"), on="person_id", how="left")
        .join(fr.tasks.select("task_id", "difficulty"), on="task_id", how="left")
        .join(lowest, on="difficulty", how="left")
    )
    known = (pl.col("difficulty_min").is_not_null() & pl.col("difficulty_max").is_not_null()
             & pl.col("difficulty").is_not_null())
    over = known & (pl.col("difficulty") < pl.col("difficulty_min"))
    under = known & (pl.col("difficulty") > pl.col("difficulty_max"))
    gap = (pl.col("hourly_cost") - pl.col("lowest_rate")).fill_null(0)
    rows = rows.with_columns(
        unknown=pl.when(known).then(0.0).otherwise(pl.col("hours")),
        over_hours=pl.when(over).then(pl.col("hours")).otherwise(0.0),
        over_cost=pl.when(over).then(pl.col("hours") * gap).otherwise(0.0),
        under_hours=pl.when(under).then(pl.col("hours")).otherwise(0.0),
        under_cost=pl.when(under).then(pl.col("hours") * -gap).otherwise(0.0),
    )
    sums = ["over_hours", "over_cost", "under_hours", "under_cost"]
    per_grade = {
        row["grade"]: row
        for row in rows.filter(known).group_by("grade").agg(pl.col(sums).sum())
        .iter_rows(named=True)
    }
    by_grade = []
    for code in grades.sort("sort_order", "grade", nulls_last=True)["grade"]:
        row = per_grade.get(code, dict.fromkeys(sums, 0.0))
        by_grade.append(QualificationByGrade(
            grade=code, over_hours=float(row["over_hours"]), over_cost=yen(row["over_cost"]),
            under_hours=float(row["under_hours"]), under_cost=yen(row["under_cost"])))
    total = rows.select(pl.col([*sums, "unknown"]).sum()).row(0, named=True)
    return Qualification(
        over_hours=float(total["over_hours"]), over_cost=yen(total["over_cost"]),
        under_hours=float(total["under_hours"]), under_cost=yen(total["under_cost"]),
        unknown_hours=float(total["unknown"]), by_grade=tuple(by_grade),
    )
