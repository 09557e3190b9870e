"""The leveling proposal (業務の平準化): who should do which hours so that nobody is overloaded.

What it does, in plain words: it takes the hours of the people in scope (everyone by default)
and shares each task's hours out again among the people in scope who can do the task alone
(capability 3 or more in the round; for a task nobody rated, the people doing it), so that the
highest utilization (load ÷ capacity) is as low as possible. The hours of a task stay the same;
only who does them changes. People without capacity take no hours.

The model (solved by HiGHS within the time limit):

- variables: x[p, t] ≥ 0, the hours a month person p does task t, for every capable pair in
  scope; U, the highest utilization; with a limit on changes, z[p, t] ∈ {0, 1}, whether p's
  hours on t change;
- each task keeps its hours: Σ_p x[p, t] = hours of t in scope;
- nobody goes above U: Σ_t x[p, t] ≤ U × capacity(p);
- with ``max_changes``: |x[p, t] − hours now| ≤ hours of t × z[p, t], and Σ z + (the pairs
  that must change because their doer is not capable) ≤ max_changes;
- objective: minimize U. With an ``overqualified_penalty``, a second stage then keeps
  U ≤ max(1, U*) (U*: the first stage's lowest highest utilization, so nobody is pushed above
  capacity when a plan within it exists) and minimizes U + ``overqualified_penalty`` × Σ
  over-qualified hours (hours done by someone whose grade expects harder work than the task's
  difficulty, as in the analysis). With the penalty at 0.001, one over-qualified hour weighs as
  much as 0.1 point of utilization. ``details["best_utilization"]`` is U*,
  ``details["utilization_cap"]`` the cap the plan keeps (U* without a penalty).

A last pass keeps the previous pass' objective (within 1e-6) and moves as few hours as
possible, so that the proposal does not reshuffle work for nothing. The result is written as
move operations (from the people whose hours go down to those whose hours go up, task by
task), rounded to 1/10,000 hour.

Without ``max_changes`` the model is a linear program and is solved to optimality in well
under a second; with it, an integer program that may stop at the time limit ("best_found",
with the bound and the gap).

Reasons (codes) when there is no plan: ``no_capable_person`` (``infeasible_tasks``: tasks in
scope with hours that nobody in scope can do alone), ``max_changes_too_small`` (more pairs must
change than allowed: ``details["forced_changes"]``), ``no_solution_in_time`` (the solver found
no plan before the time limit: status ``best_found`` with no operations), ``nothing_to_level``
(no hours in scope).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Collection
from typing import Any

import highspy
import numpy as np
import polars as pl

from somu.survey.analysis.frames import prepare
from somu.survey.analysis.types import AnalysisOptions, SurveyData

from .ops import apply, parse
from .solver import Model, Outcome, Proposal, run

ROUND = 4  # decimals of the hours in the operations
TOL = 1e-6


def _moves(task: int, before: dict[int, float], after: dict[int, float]) -> list[dict[str, Any]]:
    """Move operations turning ``before`` into ``after`` for one task: losers (by person id)
    give to gainers (by person id), each taking what is left to give."""
    people = sorted(set(before) | set(after))
    losers = [p for p in people if before.get(p, 0.0) - after.get(p, 0.0) > TOL]
    gainers = [p for p in people if after.get(p, 0.0) - before.get(p, 0.0) > TOL]
    give = {p: before.get(p, 0.0) - after.get(p, 0.0) for p in losers}
    take = {p: after.get(p, 0.0) - before.get(p, 0.0) for p in gainers}
    have = dict(before)  # what each loser still has, after the rounded moves so far
    ops: list[dict[str, Any]] = []
    i = j = 0
    while i < len(losers) and j < len(gainers):
        source, to = losers[i], gainers[j]
        amount = min(give[source], take[to])
        hours = min(round(amount, ROUND), have.get(source, 0.0))
        if give[source] - amount <= TOL and after.get(source, 0.0) <= TOL:
            hours = have.get(source, 0.0)  # giving up the task: all of it, not a rounded rest
        if hours > 0:
            have[source] -= hours
            ops.append({"op": "move", "task": task, "from": source, "to": to, "hours": hours})
        give[source] -= amount
        take[to] -= amount
        if give[source] <= TOL:
            i += 1
        if take[to] <= TOL:
            j += 1
    return ops


def level(data: SurveyData, *, scope_person_ids: Collection[int] | None = None,
          max_changes: int | None = None, overqualified_penalty: float = 0.0,
          capable_level: int = 3, time_limit_s: float = 10.0) -> Proposal:
    """The leveling proposal for one round's data (see the module's description)."""
    started = time.perf_counter()
    fr = prepare(data, AnalysisOptions(capable_level=capable_level))
    people = fr.people
    if scope_person_ids is not None:
        people = people.filter(pl.col("person_id").is_in(list(scope_person_ids)))
    capacity = dict(people.select("person_id", "capacity").iter_rows())
    hours = fr.hours.filter(pl.col("person_id").is_in(list(capacity)))
    now: dict[int, dict[int, float]] = defaultdict(dict)  # task → person → hours
    for p, t, h in hours.select("person_id", "task_id", "hours").iter_rows():
        now[t][p] = h
    task_hours = {t: sum(row.values()) for t, row in now.items()}

    def done(status: str, reason: str, **extra: Any) -> Proposal:
        return Proposal(kind="leveling", status=status,  # type: ignore[arg-type]
                        objective=extra.pop("objective", None), bound=extra.pop("bound", None),
                        gap=extra.pop("gap", None), seconds=time.perf_counter() - started,
                        ops=tuple(extra.pop("ops", ())),
                        infeasible_tasks=tuple(extra.pop("infeasible_tasks", ())),
                        reason=reason, details=extra)

    if not now:
        return done("infeasible", "nothing_to_level")
    util_before = max((sum(now[t].get(p, 0.0) for t in now) / c if c > 0 else 0.0)
                      for p, c in capacity.items())
    takers = [p for p, c in capacity.items() if c > 0]
    pairs = (fr.capable.filter(pl.col("person_id").is_in(takers)
                               & pl.col("task_id").is_in(list(now)))
             .sort("task_id", "person_id"))
    pair_list: list[tuple[int, int]] = [(int(t), int(p)) for t, p in pairs.iter_rows()]
    covered = {t for t, _p in pair_list}
    missing = sorted(t for t in now if t not in covered)
    if missing:
        return done("infeasible", "no_capable_person", infeasible_tasks=missing)
    capable_pairs = set(pair_list)
    forced = sum(1 for t, row in now.items() for p in row if (t, p) not in capable_pairs)
    if max_changes is not None and forced > max_changes:
        return done("infeasible", "max_changes_too_small", forced_changes=forced)

    band_min = dict(people.select("person_id", "difficulty_min").iter_rows())
    difficulty = dict(fr.tasks.select("task_id", "difficulty").iter_rows())
    over = np.array([1.0 if band_min.get(p) is not None and difficulty.get(t) is not None
                     and difficulty[t] < band_min[p] else 0.0 for t, p in pair_list])
    h_now = np.array([now[t].get(p, 0.0) for t, p in pair_list])
    h_task = np.array([task_hours[t] for t, _p in pair_list])
    n = len(pair_list)

    m = Model()
    x0 = m.columns(n, upper=h_task)  # the penalty, if any, comes in the second stage
    u = m.columns(1, cost=1.0)
    d0 = m.columns(n)  # |x − now|, for the second pass
    z0 = m.columns(n, upper=1.0, integer=True) if max_changes is not None else -1
    by_task: dict[int, list[int]] = defaultdict(list)
    by_person: dict[int, list[int]] = defaultdict(list)
    for i, (t, p) in enumerate(pair_list):
        by_task[t].append(i)
        by_person[p].append(i)
    for t, cols in by_task.items():
        m.row([x0 + i for i in cols], [1.0] * len(cols), task_hours[t], task_hours[t])
    for p, cols in by_person.items():
        m.row([x0 + i for i in cols] + [u], [1.0] * len(cols) + [-capacity[p]], upper=0.0)
    for i in range(n):
        m.row([d0 + i, x0 + i], [1.0, -1.0], lower=-h_now[i])
        m.row([d0 + i, x0 + i], [1.0, 1.0], lower=h_now[i])
        if max_changes is not None:
            m.row([x0 + i, z0 + i], [1.0, -(h_task[i] - h_now[i])], upper=h_now[i])
            m.row([x0 + i, z0 + i], [-1.0, -h_now[i]], upper=-h_now[i])
    if max_changes is not None:
        m.row([z0 + i for i in range(n)], [1.0] * n, upper=float(max_changes - forced))

    penalized = overqualified_penalty > 0
    share = 0.35 if penalized else 0.7  # of the time limit, for the first solve
    h = m.highs(time_limit_s * share - (time.perf_counter() - started))
    if max_changes is not None:  # start from the smallest change: hand over what must move
        start_x = _handover(pair_list, by_task, h_now, task_hours, capacity)
        changed = np.abs(start_x - h_now) > 1e-9
        if forced + int(changed.sum()) <= max_changes:
            values = np.zeros(len(m.cost))
            values[x0:x0 + n] = start_x
            held: dict[int, float] = defaultdict(float)
            for i, (_t, p) in enumerate(pair_list):
                held[p] += start_x[i]
            values[u] = max(held[p] / capacity[p] for p in held)
            values[d0:d0 + n] = np.abs(start_x - h_now)
            values[z0:z0 + n] = changed
            given = highspy.HighsSolution()
            given.col_value = values.tolist()
            h.setSolution(given)
    first = run(h, is_mip=max_changes is not None)
    if first.status == "infeasible":  # only the limit on changes can make it so
        return done("infeasible", "max_changes_too_small", forced_changes=forced)
    if first.x is None or first.objective is None:
        return done("best_found", "no_solution_in_time", bound=first.bound)
    x = first.x
    best_utilization = first.objective  # U*: the lowest highest utilization (found)
    cap = best_utilization
    kept_cost = np.zeros(n)  # the x part of the objective the last pass keeps
    kept_objective: float = first.objective
    if penalized:
        # Stage two: fewer over-qualified hours, but nobody above max(1, U*): the penalty may
        # use the room up to capacity, never overload people when a plan within it exists.
        cap = max(1.0, best_utilization)
        h.changeColBounds(u, 0.0, cap + 1e-9)
        cost = np.zeros(len(m.cost))
        cost[x0:x0 + n] = overqualified_penalty * over
        cost[u] = 1.0
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.setOptionValue("time_limit", max(
            time_limit_s * 0.7 - (time.perf_counter() - started), 0.01))
        start = highspy.HighsSolution()  # the first stage's plan is feasible here
        start.col_value = list(x)
        h.setSolution(start)
        stage = run(h, is_mip=max_changes is not None)
        if stage.x is not None and stage.objective is not None:
            x = stage.x
            kept_cost = overqualified_penalty * over
            kept_objective = stage.objective
            first = stage if first.status == "optimal" else Outcome(
                "stopped", stage.x, stage.objective, stage.bound, stage.gap, stage.seconds)

    # Second pass: the same objective (within 1e-6), as few hours moved as possible, in the
    # time left (kept short of the limit for writing the operations).
    remaining = time_limit_s - (time.perf_counter() - started) - 0.2
    if remaining > 0.05:
        h.addRow(-np.inf, kept_objective * (1 + 1e-6) + 1e-9, n + 1,
                 np.array([x0 + i for i in range(n)] + [u], np.int32),
                 np.concatenate([kept_cost, [1.0]]))
        cost = np.zeros(len(m.cost))
        cost[d0:d0 + n] = 1.0
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.setOptionValue("time_limit", remaining)
        if max_changes is not None:
            start = highspy.HighsSolution()  # start from the first pass' plan
            start.col_value = list(x)
            h.setSolution(start)
        second = run(h, is_mip=max_changes is not None)
        if second.x is not None:
            x = second.x

    after: dict[int, dict[int, float]] = defaultdict(dict)
    for i, (t, p) in enumerate(pair_list):
        if x[x0 + i] > TOL:
            after[t][p] = float(x[x0 + i])
    ops = [op for t in sorted(now) for op in _moves(t, now[t], after[t])]
    loads: dict[int, float] = defaultdict(float)
    for row in after.values():
        for p, v in row.items():
            loads[p] += v
    changes = sum(1 for t in now for p in set(now[t]) | set(after[t])
                  if abs(now[t].get(p, 0.0) - after[t].get(p, 0.0)) > 1e-4)
    check = _verify(data, ops, capable_pairs, capacity, task_hours, capable_level, cap)
    return done(
        "optimal" if first.status == "optimal" else "best_found", "",
        objective=first.objective, bound=first.bound, gap=first.gap, ops=ops,
        max_utilization_before=util_before,
        max_utilization_after=max((loads[p] / c if c > 0 else 0.0)
                                  for p, c in capacity.items()),
        changes=changes, forced_changes=forced,
        moved_hours=float(sum(abs(now[t].get(p, 0.0) - after[t].get(p, 0.0))
                              for t in now for p in set(now[t]) | set(after[t])) / 2),
        over_qualified_hours=float(sum(x[x0 + i] for i in range(n) if over[i])),
        people=len(capacity), tasks=len(now), pairs=n, best_utilization=best_utilization,
        utilization_cap=cap, **check,
    )


def _handover(pair_list: list[tuple[int, int]], by_task: dict[int, list[int]],
              h_now: np.ndarray, task_hours: dict[int, float],
              capacity: dict[int, float]) -> np.ndarray:
    """A plan changing little: everyone capable keeps their hours, and the hours of people not
    capable of a task go to the capable person of that task whose utilization would be the
    lowest (tasks with the most such hours first)."""
    x = h_now.copy()
    loads: dict[int, float] = defaultdict(float)
    for i, (_t, p) in enumerate(pair_list):
        loads[p] += x[i]
    orphaned = {t: task_hours[t] - float(h_now[cols].sum()) for t, cols in by_task.items()}
    for t in sorted(orphaned, key=lambda t: (-orphaned[t], t)):
        if orphaned[t] <= TOL:
            continue
        best = min(by_task[t], key=lambda i: ((loads[pair_list[i][1]] + orphaned[t])
                                              / capacity[pair_list[i][1]], pair_list[i][1]))
        x[best] += orphaned[t]
        loads[pair_list[best][1]] += orphaned[t]
    return x


def _verify(data: SurveyData, ops: list[dict[str, Any]], capable_pairs: set[tuple[int, int]],
            capacity: dict[int, float], task_hours: dict[int, float],
            capable_level: int, cap: float) -> dict[str, Any]:
    """Apply the proposal's operations and read the result back through the analysis'
    ``prepare``: in scope, only capable people hold hours, every task keeps its hours, and
    nobody is above ``cap`` (U*, or max(1, U*) with a penalty).
    ``verified_max_utilization`` is the highest utilization in scope, recomputed."""
    applied = apply(data, parse(ops))
    fr = prepare(applied.data, AnalysisOptions(capable_level=capable_level))
    rows = fr.hours.filter(pl.col("person_id").is_in(list(capacity)))
    held: dict[int, float] = defaultdict(float)
    only_capable = True
    for p, t, h in rows.select("person_id", "task_id", "hours").iter_rows():
        held[t] += h
        only_capable = only_capable and (t, p) in capable_pairs
    kept = all(abs(held.get(t, 0.0) - h) <= 1e-3 for t, h in task_hours.items())
    loads = dict(fr.people.select("person_id", "load").iter_rows())
    worst = max((loads.get(p, 0.0) / c if c > 0 else 0.0) for p, c in capacity.items())
    within = worst <= cap + 1e-4
    return {"verified": only_capable and kept and within and not applied.needs_training,
            "verified_max_utilization": worst}

