"""The scopes whose bus factor is reported: the organization, each function, each department."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from typing import Literal

import polars as pl

from .busfactor import Pending, Solution, exact_phase, greedy_problem, greedy_run
from .frames import Frames
from .problem import Problem
from .types import AnalysisOptions, BusFactor

ScopeKind = Literal["organization", "function", "department"]


def _problem(weights: pl.DataFrame, edges: pl.DataFrame, keys: pl.DataFrame, key: str,
             options: AnalysisOptions) -> Problem:
    """The greedy problem of the scopes listed in ``keys`` (in that order): ``weights`` has
    columns (key, task_id, hours), ``edges`` (key, task_id, person_id)."""
    numbered = keys.select(key).with_row_index("block")
    w = weights.join(numbered, on=key)
    e = edges.join(numbered, on=key)
    return greedy_problem(
        w["block"].to_numpy(), w["task_id"].to_numpy(), w["hours"].to_numpy(),
        e["block"].to_numpy(), e["task_id"].to_numpy(), e["person_id"].to_numpy(),
        blocks=keys.height, share=options.bus_factor_share,
    )


def _too_large(weights: pl.DataFrame, edges: pl.DataFrame, keys: pl.DataFrame, key: str,
               options: AnalysisOptions) -> bool:
    """Whether every scope listed in ``keys`` has more candidates (people capable of one of its
    tasks with hours: the problem's nodes) than the exact solver takes — known before the
    problem is built."""
    counts = (edges.join(weights.filter(pl.col("hours") > 0), on=[key, "task_id"], how="semi")
              .group_by(key).agg(nodes=pl.col("person_id").n_unique()))
    counted = keys.select(key).join(counts, on=key, how="left")
    return bool(counted["nodes"].fill_null(0).gt(options.exact_max_people).all())


def bus_factors(fr: Frames, options: AnalysisOptions,
                executor: Executor | None = None) -> Callable[[], tuple[BusFactor, ...]]:
    """The organization (all tasks, everyone's hours, capable sets organization-wide), each
    function (its tasks, everyone's hours on them, capable sets organization-wide; largest
    first) and each department (its people's hours on their tasks, and capable sets restricted
    to its people — "could the department carry on by itself"; in path order). Tasks without
    hours in a scope do not count in it. See :mod:`.busfactor` for the definition and methods;
    the exact solver tries the scopes in this order, sharing ``exact_total_budget_s``.

    Returns a function giving the result. With an ``executor`` the exact solver runs on it
    (HiGHS releases the interpreter lock) while the caller goes on — as soon as the
    departments' greedy results are in when the organization and every function have more
    candidates than the solver takes (a large organization: the solver would never see them),
    so their greedy removal overlaps it; the solver's queue and budget are the same either way.
    """
    weights = fr.tasks.select("task_id", "function", "hours").with_columns(scope=pl.lit(""))
    capable = fr.capable.with_columns(scope=pl.lit(""))
    everyone = pl.DataFrame({"scope": [""]})
    functions = (weights.group_by("function").agg(pl.col("hours").sum())
                 .sort(["hours", "function"], descending=[True, False]))
    function_edges = capable.join(weights.select("task_id", "function"), on="task_id")
    departments = (fr.people.filter(pl.col("department_id").is_not_null())
                   .group_by("department_id").agg(label=pl.col("department").first())
                   .sort("label", "department_id"))
    dept_weights = (fr.hours.filter(pl.col("department_id").is_not_null())
                    .group_by("department_id", "task_id").agg(pl.col("hours").sum()))
    dept_edges = (fr.capable.join(fr.people.select("person_id", "department_id"),
                                  on="person_id")
                  .filter(pl.col("department_id").is_not_null()))

    def exact(pending: list[Pending]) -> list[Solution]:
        return exact_phase(pending, exact_max_people=options.exact_max_people,
                           time_limit_s=options.exact_time_limit_s,
                           budget_s=options.exact_total_budget_s)

    def greedy(weights: pl.DataFrame, edges: pl.DataFrame, keys: pl.DataFrame,
               key: str) -> list[Pending]:
        return greedy_run(_problem(weights, edges, keys, key, options),
                          options.greedy_batch_from)

    found: Callable[[], list[Solution]]
    if executor is not None and _too_large(weights, capable, everyone, "scope", options) \
            and _too_large(weights, function_edges, functions, "function", options):
        # Only the departments can reach the solver: it starts on them now.
        solving = executor.submit(
            exact, greedy(dept_weights, dept_edges, departments, "department_id"))
        settled = exact(greedy(weights, capable, everyone, "scope")
                        + greedy(weights, function_edges, functions, "function"))
        found = lambda: settled + solving.result()  # noqa: E731  (nothing to solve in settled)
    else:
        pending = (greedy(weights, capable, everyone, "scope")
                   + greedy(weights, function_edges, functions, "function")
                   + greedy(dept_weights, dept_edges, departments, "department_id"))
        found = (executor.submit(exact, pending).result if executor is not None
                 else lambda: exact(pending))

    scopes: list[tuple[ScopeKind, str, str]] = [("organization", "", "")]
    scopes += [("function", f, f) for f in functions["function"]]
    scopes += [("department", str(d), label or "") for d, label in departments.iter_rows()]

    def result() -> tuple[BusFactor, ...]:
        return tuple(
            BusFactor(scope=scope, key=key, label=label, value=s.value, method=s.method,
                      removed=s.removed, hours=s.hours, uncovered_hours=s.uncovered_hours,
                      candidates=s.candidates)
            for (scope, key, label), s in zip(scopes, found(), strict=True)
        )

    return result
