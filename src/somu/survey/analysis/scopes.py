"""The scopes whose bus factor is reported: the organization, each function, each department."""

from __future__ import annotations

from typing import Literal

import polars as pl

from .busfactor import Pending, exact_phase, greedy_phase
from .frames import Frames
from .types import AnalysisOptions, BusFactor

ScopeKind = Literal["organization", "function", "department"]


def _greedy(weights: pl.DataFrame, edges: pl.DataFrame, keys: pl.DataFrame, key: str,
            options: AnalysisOptions) -> list[Pending]:
    """Greedy removal for the scopes listed in ``keys`` (in that order) at once: ``weights``
    has columns (key, task_id, hours), ``edges`` (key, task_id, person_id)."""
    numbered = keys.select(key).with_row_index("block")
    w = weights.join(numbered, on=key)
    e = edges.join(numbered, on=key)
    return greedy_phase(
        w["block"].to_numpy(), w["task_id"].to_numpy(), w["hours"].to_numpy(),
        e["block"].to_numpy(), e["task_id"].to_numpy(), e["person_id"].to_numpy(),
        blocks=keys.height, share=options.bus_factor_share,
        batch_from=options.greedy_batch_from,
    )


def bus_factors(fr: Frames, options: AnalysisOptions) -> tuple[BusFactor, ...]:
    """The organization (all tasks, everyone's hours, capable sets organization-wide), each
    function (its tasks, everyone's hours on them, capable sets organization-wide; largest
    first) and each department (its people's hours on their tasks, and capable sets restricted
    to its people — "could the department carry on by itself"; in path order). Tasks without
    hours in a scope do not count in it. See :mod:`.busfactor` for the definition and methods;
    the exact solver tries the scopes in this order, sharing ``exact_total_budget_s``.
    """
    weights = fr.tasks.select("task_id", "function", "hours").with_columns(scope=pl.lit(""))
    capable = fr.capable.with_columns(scope=pl.lit(""))
    pending = _greedy(weights, capable, pl.DataFrame({"scope": [""]}), "scope", options)

    functions = (weights.group_by("function").agg(pl.col("hours").sum())
                 .sort(["hours", "function"], descending=[True, False]))
    pending += _greedy(weights, capable.join(weights.select("task_id", "function"),
                                             on="task_id"),
                       functions, "function", options)

    departments = (fr.people.filter(pl.col("department_id").is_not_null())
                   .group_by("department_id").agg(label=pl.col("department").first())
                   .sort("label", "department_id"))
    dept_weights = (fr.hours.filter(pl.col("department_id").is_not_null())
                    .group_by("department_id", "task_id").agg(pl.col("hours").sum()))
    dept_edges = (fr.capable.join(fr.people.select("person_id", "department_id"),
                                  on="person_id")
                  .filter(pl.col("department_id").is_not_null()))
    pending += _greedy(dept_weights, dept_edges, departments, "department_id", options)

    found = exact_phase(pending, exact_max_people=options.exact_max_people,
                        time_limit_s=options.exact_time_limit_s,
                        budget_s=options.exact_total_budget_s)
    scopes: list[tuple[ScopeKind, str, str]] = [("organization", "", "")]
    scopes += [("function", f, f) for f in functions["function"]]
    scopes += [("department", str(d), label or "") for d, label in departments.iter_rows()]
    return tuple(
        BusFactor(scope=scope, key=key, label=label, value=s.value, method=s.method,
                  removed=s.removed, hours=s.hours, uncovered_hours=s.uncovered_hours,
                  candidates=s.candidates)
        for (scope, key, label), s in zip(scopes, found, strict=True)
    )
