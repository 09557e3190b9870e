"""The bus factor of one scope: how few departures leave most of its hours with nobody capable.

Given a scope's tasks with their hours w_t (W = Σ w_t) and capable sets C_t, the bus factor is
the smallest number of people S whose simultaneous departure leaves *strictly more* than
share × W hours uncovered, a task being uncovered when C_t ⊆ S. Tasks whose capable set is
already empty count as uncovered with nobody removed, so the value may be 0.

Greedy removal: repeatedly remove the person maximizing (the hours their departure newly
uncovers, then Σ_{t ∋ p, t still covered} w_t / |C_t \\ S|), ties to the smallest person id,
until the uncovered hours exceed the threshold (see :mod:`.greedy`; scopes with more than
``greedy_batch_from`` candidates remove people in batches). A greedy result is labelled exact
when a bound proves that one person fewer cannot reach the threshold (:func:`_proven`; always
the case for results 0 and 1, and for 2 when people were removed one at a time).

Exact: an integer program solved by HiGHS — minimize Σ x_p subject to y_t ≤ x_p for p ∈ C_t,
Σ w_t y_t ≥ need + ε (weights scaled to sum to 1, ε = 1e-7, feasibility tolerance 1e-9, so a set
that only *equals* the threshold never qualifies), Σ x_p ≤ greedy − 1, x binary, y ∈ [0, 1]
(integral at the optimum). Infeasible proves greedy optimal. It runs only for scopes with at
most ``exact_max_people`` candidates, each within the time limit and its fair share of the
analysis' budget (:func:`exact_phase`); when it cannot prove optimality the better of greedy
and the solver's incumbent is reported, labelled "greedy". Sets whose uncovered hours exceed
the threshold by less than ε × W are not seen by the solver (far below the precision of the
hours entered).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Literal

import highspy
import numpy as np

from .greedy import greedy_all
from .problem import Problem, build, ranges

EPSILON = 1e-7  # the share of a scope's hours by which the solver must exceed the threshold
MIN_SOLVE_S = 0.005  # a fair share of the budget below this is not worth starting the solver


@dataclass(frozen=True)
class Solution:
    value: int | None  # None: the scope has no hours (or the threshold cannot be reached)
    method: Literal["exact", "greedy"]
    removed: tuple[int, ...]  # greedy: in removal order; exact: by person id
    hours: float
    uncovered_hours: float
    candidates: int
    solver_seconds: float = 0.0


def _proven(pr: Problem, g: int) -> bool:
    """Whether no g − 1 people can reach the threshold, by a fractional bound: every task a set
    S of k people uncovers has C_t ⊆ S, so |C_t| ≤ k, and splitting its weight evenly over C_t
    charges it to people of S only — S uncovers at most the k largest
    a_k(p) = Σ_{t ∋ p, |C_t| ≤ k} w_t / |C_t| (plus the tasks nobody could do). For k = 1 the
    bound is exact (the best single departure)."""
    k = g - 1
    if k <= 0:
        return True  # nobody can be fewer than 0, and greedy only removes when 0 is not enough
    base = float(pr.weights[pr.sizes == 0].sum())
    threshold, tol = float(pr.thresholds[0]), 1e-9 * max(1.0, float(pr.totals[0]))
    edge_task = pr.edge_task()
    small = (pr.sizes[edge_task] <= k) & (pr.sizes[edge_task] >= 1)
    bound = np.bincount(pr.t_nodes[small], minlength=len(pr.node_person),
                        weights=(pr.weights / np.maximum(pr.sizes, 1))[edge_task[small]])
    top = bound if k >= len(bound) else np.partition(bound, len(bound) - k)[-k:]
    return base + float(top.sum()) + tol <= threshold


def _exact(pr: Problem, cap: int, time_limit: float) -> tuple[str, list[int] | None]:
    """("optimal", nodes) | ("infeasible", None) | ("stopped", incumbent or None) for a
    one-block problem, looking for at most ``cap`` people."""
    total = float(pr.totals[0])
    tasks = np.flatnonzero((pr.sizes >= 1) & (pr.sizes <= cap))  # others need > cap people
    base = float(pr.weights[pr.sizes == 0].sum())
    need = (float(pr.thresholds[0]) - base) / total + EPSILON
    if float(pr.weights[tasks].sum()) / total < need:
        return "infeasible", None
    positions, row = ranges(pr.t_ptr, tasks)
    used, column = np.unique(pr.t_nodes[positions], return_inverse=True)
    nx, ny, ne = len(used), len(tasks), len(positions)

    h = highspy.Highs()
    for option, value in (("output_flag", False), ("time_limit", max(time_limit, 0.01)),
                          ("mip_rel_gap", 0.0), ("mip_abs_gap", 0.99),
                          ("mip_feasibility_tolerance", 1e-9),
                          ("primal_feasibility_tolerance", 1e-9), ("threads", 1)):
        h.setOptionValue(option, value)
    inf = highspy.kHighsInf
    no_entries = (0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))
    h.addCols(nx, np.ones(nx), np.zeros(nx), np.ones(nx), no_entries[0],
              np.zeros(nx, np.int32), no_entries[2], no_entries[3])
    h.addCols(ny, np.zeros(ny), np.zeros(ny), np.ones(ny), no_entries[0],
              np.zeros(ny, np.int32), no_entries[2], no_entries[3])
    h.changeColsIntegrality(nx, np.arange(nx, dtype=np.int32),
                            np.full(nx, highspy.HighsVarType.kInteger.value, np.uint8))
    # y_t − x_p ≤ 0 for each capable p of t.
    index = np.column_stack((nx + row, column)).ravel().astype(np.int32)
    h.addRows(ne, np.full(ne, -inf), np.zeros(ne), 2 * ne,
              np.arange(0, 2 * ne, 2, dtype=np.int32), index, np.tile([1.0, -1.0], ne))
    # Σ w_t y_t ≥ need (weights scaled to sum to 1); Σ x_p ≤ cap.
    h.addRow(need, inf, ny, np.arange(nx, nx + ny, dtype=np.int32), pr.weights[tasks] / total)
    h.addRow(-inf, float(cap), nx, np.arange(nx, dtype=np.int32), np.ones(nx))
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return "infeasible", None
    found = None
    if h.getInfo().primal_solution_status == 2:  # a feasible solution exists
        x = np.asarray(h.getSolution().col_value[:nx])
        found = used[x > 0.5].tolist()
    return ("optimal" if status == highspy.HighsModelStatus.kOptimal else "stopped"), found


@dataclass
class Pending:
    """One scope after greedy removal, before the exact phase."""

    problem: Problem  # the scope alone
    order: list[int] | None  # greedy's removals (node indices); None: threshold unreachable
    proven: bool  # greedy's result is optimal (or there is nothing to solve)

    @property
    def eligible(self) -> bool:
        return self.order is not None and not self.proven

    def solution(self, nodes: list[int] | None, method: Literal["exact", "greedy"],
                 seconds: float = 0.0) -> Solution:
        pr = self.problem
        n, total = len(pr.node_person), float(pr.totals[0])
        if total <= 0:
            return Solution(value=None, method="exact", removed=(), hours=0.0,
                            uncovered_hours=0.0, candidates=n)
        chosen = list(range(n)) if nodes is None else nodes
        mask = np.zeros(n, dtype=bool)
        mask[chosen] = True
        return Solution(value=None if nodes is None else len(nodes), method=method,
                        removed=tuple(int(pr.node_person[i]) for i in chosen), hours=total,
                        uncovered_hours=float(pr.uncovered(mask)[0]), candidates=n,
                        solver_seconds=seconds)


def greedy_phase(task_block: np.ndarray, task_ids: np.ndarray, weights: np.ndarray,
                 edge_block: np.ndarray, edge_tasks: np.ndarray, edge_people: np.ndarray, *,
                 blocks: int, share: float = 0.5, batch_from: int = 2000) -> list[Pending]:
    """Greedy removal for ``blocks`` scopes numbered 0…blocks−1 at once — each scope's tasks
    with their hours (task_block, task_ids, weights) and capable pairs (edge_block,
    edge_tasks, edge_people) — and which results a bound proves optimal."""
    return greedy_run(greedy_problem(task_block, task_ids, weights, edge_block, edge_tasks,
                                     edge_people, blocks=blocks, share=share), batch_from)


def greedy_problem(task_block: np.ndarray, task_ids: np.ndarray, weights: np.ndarray,
                   edge_block: np.ndarray, edge_tasks: np.ndarray, edge_people: np.ndarray, *,
                   blocks: int, share: float = 0.5) -> Problem:
    """The problem :func:`greedy_phase` works on (its candidates are known before it runs)."""
    return build(np.asarray(task_block, np.int64), np.asarray(task_ids, np.int64),
                 np.asarray(weights, np.float64), np.asarray(edge_block, np.int64),
                 np.asarray(edge_tasks, np.int64), np.asarray(edge_people, np.int64),
                 share=share, blocks=blocks)


def greedy_run(pr: Problem, batch_from: int = 2000) -> list[Pending]:
    """Greedy removal on every block of ``pr``, and which results a bound proves optimal."""
    pending = []
    for b, order in enumerate(greedy_all(pr, batch_from)):
        one = pr.block(b)
        n0 = int(pr.node_ptr[b])
        local = None if order is None else [i - n0 for i in order]
        proven = one.totals[0] <= 0 or (local is not None and _proven(one, len(local)))
        pending.append(Pending(problem=one, order=local, proven=bool(proven)))
    return pending


def exact_phase(pending: list[Pending], *, exact_max_people: int = 400,
                time_limit_s: float = 5.0, budget_s: float | None = None) -> list[Solution]:
    """Try the exact solver on the scopes greedy could not settle, in order, each within
    the time limit and its fair share of the budget left (the budget left over by quick
    solves passes on to the next scopes)."""
    left = time_limit_s * len(pending) if budget_s is None else budget_s
    # Smallest first: they settle in milliseconds and pass their share on, so the large scopes
    # (the organization's headline figure among them) get most of the budget.
    queue = sorted((i for i, p in enumerate(pending)
                    if p.eligible and len(p.problem.node_person) <= exact_max_people),
                   key=lambda i: (len(pending[i].problem.node_person), i))
    solutions: list[Solution | None] = [None] * len(pending)
    for i, p in enumerate(pending):
        if p.order is None:
            solutions[i] = p.solution(None, "greedy")
        elif p.proven:
            solutions[i] = p.solution(p.order, "exact")
    for done, i in enumerate(queue):
        p = pending[i]
        assert p.order is not None
        limit = min(time_limit_s, left / (len(queue) - done))
        if limit < MIN_SOLVE_S:
            solutions[i] = p.solution(p.order, "greedy")
            continue
        started = time.perf_counter()
        status, found = _exact(p.problem, len(p.order) - 1, limit)
        seconds = time.perf_counter() - started
        left -= seconds
        solutions[i] = _settle(p, status, found, seconds)
    for i, p in enumerate(pending):
        if solutions[i] is None:
            assert p.order is not None
            solutions[i] = p.solution(p.order, "greedy")
    return [s for s in solutions if s is not None]


def _settle(p: Pending, status: str, found: list[int] | None, seconds: float) -> Solution:
    """The solution once the exact solver has answered."""
    assert p.order is not None
    if status == "infeasible":  # nobody found a smaller set: greedy's is optimal
        return p.solution(p.order, "exact", seconds)
    chosen = sorted(found or [])
    mask = np.zeros(len(p.problem.node_person), dtype=bool)
    mask[chosen] = True
    if chosen and float(p.problem.uncovered(mask)[0]) > float(p.problem.thresholds[0]):
        if status == "optimal":
            return p.solution(chosen, "exact", seconds)
        if len(chosen) < len(p.order):
            return p.solution(chosen, "greedy", seconds)
    return p.solution(p.order, "greedy", seconds)


def solve(task_ids: np.ndarray, weights: np.ndarray, edge_tasks: np.ndarray,
          edge_people: np.ndarray, *, share: float = 0.5, exact_max_people: int = 400,
          time_limit_s: float = 5.0, batch_from: int = 2000) -> Solution:
    """The bus factor of one scope: its tasks with their hours, and the capable pairs
    (edge_tasks[i], edge_people[i]). Pairs naming a task not in ``task_ids`` are ignored."""
    pending = greedy_phase(np.zeros(len(task_ids), np.int64), task_ids, weights,
                           np.zeros(len(edge_tasks), np.int64), edge_tasks, edge_people,
                           blocks=1, share=share, batch_from=batch_from)
    return exact_phase(pending, exact_max_people=exact_max_people, time_limit_s=time_limit_s)[0]


def bus_factor(hours: Mapping[int, float], capable: Mapping[int, Collection[int]], *,
               share: float = 0.5, exact_max_people: int = 400, time_limit_s: float = 5.0,
               batch_from: int = 2000) -> Solution:
    """:func:`solve` for a scope given as {task_id: hours} and {task_id: capable person ids}."""
    edges = [(t, p) for t, people in capable.items() for p in people]
    return solve(np.fromiter(hours.keys(), np.int64, len(hours)),
                 np.fromiter(hours.values(), np.float64, len(hours)),
                 np.array([t for t, _ in edges], np.int64),
                 np.array([p for _, p in edges], np.int64),
                 share=share, exact_max_people=exact_max_people, time_limit_s=time_limit_s,
                 batch_from=batch_from)


def uncovered_hours(hours: Mapping[int, float], capable: Mapping[int, Collection[int]],
                    removed: Collection[int]) -> float:
    """Σ hours of the tasks with nobody capable left once ``removed`` have gone."""
    gone = set(removed)
    return float(sum(h for t, h in hours.items() if set(capable.get(t, ())) <= gone))
