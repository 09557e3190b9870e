"""How evenly the load is spread: over the organization and within each department."""

from __future__ import annotations

import polars as pl

from .frames import Frames
from .types import Balance


def _stats(people: pl.DataFrame, by: str) -> pl.DataFrame:
    n = pl.len()
    mean = pl.col("load").mean()
    total = pl.col("load").sum()
    rank = pl.int_range(1, n + 1).cast(pl.Float64)
    return (
        people.group_by(by)
        .agg(
            people=n.cast(pl.Int64),
            mean=mean,
            std=pl.col("load").std(ddof=0),
            max=pl.col("load").max(),
            # Gini over loads sorted ascending, ranks i = 1…n: 2 Σ i·x_i / (n Σ x) − (n+1)/n.
            weighted=(rank * pl.col("load").sort()).sum(),
            total=total,
            overloaded=pl.col("person_id").filter(pl.col("overloaded")).sort(),
        )
        .with_columns(
            cv=pl.when(pl.col("mean") > 0).then(pl.col("std") / pl.col("mean")).otherwise(0.0),
            gini=pl.when(pl.col("total") > 0)
            .then(2 * pl.col("weighted") / (pl.col("people") * pl.col("total"))
                  - (pl.col("people") + 1) / pl.col("people"))
            .otherwise(0.0)
            .clip(lower_bound=0.0),
            max_over_mean=pl.when(pl.col("mean") > 0).then(pl.col("max") / pl.col("mean"))
            .otherwise(0.0),
        )
    )


def balance(fr: Frames) -> tuple[Balance, ...]:
    """Over all people of the people frame (those without tasks count, with load 0), then
    each department (its people; people without a department only count for the
    organization), departments in path order:

    - load(p) = Σ_t hours(p, t); utilization = load / capacity; overloaded = utilization > 1
      (people with capacity 0 are never overloaded);
    - cv = population standard deviation / mean (0 when the mean is 0);
    - gini = Σ_i Σ_j |x_i − x_j| / (2 n² mean) (0 when all loads are equal or the mean is 0);
    - max_over_mean = max / mean (0 when the mean is 0).
    """
    people = fr.people.with_columns(
        overloaded=(pl.col("capacity") > 0) & (pl.col("load") > pl.col("capacity")),
        scope=pl.lit(""),
    )
    result = []
    for scope, frame, key in (
        ("organization", _stats(people, "scope").with_columns(label=pl.lit("")), "scope"),
        ("department",
         _stats(people.filter(pl.col("department_id").is_not_null()), "department_id")
         .join(fr.people.group_by("department_id").agg(label=pl.col("department").first()),
               on="department_id", how="left")
         .sort("label", "department_id"),
         "department_id"),
    ):
        for row in frame.iter_rows(named=True):
            result.append(Balance(
                scope=scope,  # type: ignore[arg-type]
                key="" if scope == "organization" else str(row[key]),
                label=row["label"] or "",
                people=row["people"],
                mean_load=float(row["mean"] or 0.0),
                cv=float(row["cv"] or 0.0),
                gini=float(row["gini"] or 0.0),
                max_over_mean=float(row["max_over_mean"] or 0.0),
                overloaded_person_ids=tuple(row["overloaded"]),
            ))
    if not result or result[0].scope != "organization":  # nobody in the round
        result.insert(0, Balance(scope="organization", key="", label="", people=0,
                                 mean_load=0.0, cv=0.0, gini=0.0, max_over_mean=0.0,
                                 overloaded_person_ids=()))
    return tuple(result)
