"""The cross-training proposal (多能工化): whom to train on which task so that no task depends
on one person.

What it does, in plain words: it chooses pairs (learner, task) to train so that every task in
scope has at least k people who can do it alone (capability 3 or more), or so that the scope's
bus factor reaches a target — with as few pairs as possible, or as few hours of training.

The scope is the analysis' own (:mod:`somu.survey.analysis.scopes`): the organization or a
function counts everyone's hours on its tasks and everyone capable of them; a department
(``department_id``) counts only its people's hours, and only its people as capable — "could the
department carry on by itself" — so its learners are its own people.

Who can be trained on what (the candidate pairs):

- the task is in scope and has hours in it (scope: the given tasks, or every task with hours;
  for a department, the tasks its people have hours on);
- someone can teach it (capability 4), among ``available_person_ids`` (the active people);
- the learner is not capable of it yet (capability 0–2, or no rating), has capacity, is among
  ``available_person_ids`` and, for a department, belongs to it;
- the learner already works in the task's function (hours on some task of the same function)
  or has a rating on the task (is learning it);
- the training fits in the learner's spare time: Σ training hours of the learner's pairs ≤
  (capacity − load, at least 0) × ``horizon_months``.

Training hours (an estimate, stated so that it can be argued with): difficulty × 4 hours ×
(3 − current level) ÷ 3, at least 2 hours — a difficulty-3 task takes 12 hours from scratch, 4
hours from "with the manual" (level 2). A task without a difficulty counts as 3. Training takes
the learner to level 3 (can do it alone).

The model (solved by HiGHS within the time limit):

- variables: y[p, t] ∈ {0, 1} for each candidate pair: p is trained on t;
- coverage (with k): for each task t in scope, Σ_p y[p, t] ≥ k − (people capable of t now);
- spare time: for each learner p, Σ_t training hours[p, t] × y[p, t] ≤ spare(p) × horizon;
- bus factor (with a target T), added lazily: the model is solved, the scope's bus factor of
  the result is computed exactly (the analysis' own solver); while some set S of fewer than T
  people would still leave more than half the scope's hours with nobody capable, the cut
  "the tasks S would leave uncovered must get enough trained people outside S that the hours
  still uncovered are at most half" is added — Σ_{t: capable(t) ⊆ S} hours(t) × c[S, t] ≥
  hours uncovered by S − half of the scope's hours, with c[S, t] ≤ Σ_{p ∉ S} y[p, t] and
  c[S, t] ≤ 1 — and the model is solved again. A departure to cut off is looked for by the analysis'
  greedy removal first (a greedy set of fewer than T people is one), and by its exact solver
  only when greedy finds none. The result is accepted only once the exact bus factor of the
  trained scope reaches the target. This is practical for the bus factors of real scopes (a
  department's 1–5); a target of several dozen needs many rounds and may run out of time;
- the result is checked: the train operations are applied to the round and read back through
  the analysis, and every task in scope must have k capable people (``details["verified"]``,
  ``details["min_capable"]``) and, with a target, the bus factor computed again on it must
  reach it (``details["bus_factor"]``);
- objective: the number of pairs (``objective="pairs"``; among plans with as few pairs, the
  one with the fewest training hours) or the training hours (``objective="hours"``).

Status: "optimal" when every solve was proven optimal (and, with a target, the final bus
factor was proven); "best_found" when the time limit stopped a solve (``bound``: the best
value any plan could have, as far as proven; ``gap``). Reasons (codes) when there is no plan:
``no_teacher`` (tasks short of capable people that nobody can teach), ``no_learner`` (tasks
with too few candidate learners with spare time), ``not_enough_spare_time`` (the learners'
spare time cannot cover all the tasks at once), ``bus_factor_unreachable`` (even training
everyone possible cannot reach the target; ``infeasible_tasks``: the tasks that cannot be
trained among those a departure would leave uncovered), ``no_solution_in_time``,
``coverage_not_reached`` (stopped by the time limit before every task was covered: status
"best_found", ``infeasible_tasks``: the tasks still short), ``target_not_proven`` (a plan
whose bus factor the exact solver could not confirm within the time: status "best_found",
``details["bus_factor"]`` is then greedy's estimate), ``nothing_to_do`` (every task is
already covered), ``no_goal`` (neither k nor a target given).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Collection
from typing import Any, Literal

import numpy as np
import polars as pl

from somu.survey.analysis.busfactor import greedy_phase
from somu.survey.analysis.busfactor import solve as bus_factor_solve
from somu.survey.analysis.frames import Frames, prepare
from somu.survey.analysis.types import AnalysisOptions, SurveyData

from .ops import apply, parse
from .solver import Model, Outcome, Proposal, run

TEACH_LEVEL = 4
HOURS_PER_DIFFICULTY = 4.0
MIN_TRAINING_HOURS = 2.0
DEFAULT_DIFFICULTY = 3


def training_hours(difficulty: int | None, level: int, capable_level: int = 3) -> float:
    """The estimate above: difficulty × 4 h × (3 − level) ÷ 3, at least 2 h."""
    d = DEFAULT_DIFFICULTY if difficulty is None else difficulty
    return max(MIN_TRAINING_HOURS,
               d * HOURS_PER_DIFFICULTY * max(capable_level - level, 0) / capable_level)


def cross_train(data: SurveyData, *, k: int | None = 2, bus_factor_target: int | None = None,
                scope_task_ids: Collection[int] | None = None,
                department_id: int | None = None,
                available_person_ids: Collection[int] | None = None,
                objective: Literal["pairs", "hours"] = "pairs", horizon_months: float = 3.0,
                capable_level: int = 3, share: float = 0.5,
                time_limit_s: float = 10.0) -> Proposal:
    """The cross-training proposal for one round's data (see the module's description).

    ``department_id``: a department's scope, as the analysis defines it
    (:func:`somu.survey.analysis.scopes.bus_factors`): its people's hours on their tasks, and
    only its people count as capable — so only its people are proposed as learners (teachers
    may come from anywhere). ``available_person_ids``: the people who may learn or teach (the
    active ones); None: everyone in the round."""
    started = time.perf_counter()

    def left() -> float:
        return time_limit_s - (time.perf_counter() - started)

    def done(status: str, reason: str, **extra: Any) -> Proposal:
        return Proposal(kind="cross_training", status=status,  # type: ignore[arg-type]
                        objective=extra.pop("objective", None), bound=extra.pop("bound", None),
                        gap=extra.pop("gap", None), seconds=time.perf_counter() - started,
                        ops=tuple(extra.pop("ops", ())),
                        infeasible_tasks=tuple(sorted(extra.pop("infeasible_tasks", ()))),
                        reason=reason, details=extra)

    if k is None and bus_factor_target is None:
        return done("infeasible", "no_goal")
    fr = prepare(data, AnalysisOptions(capable_level=capable_level))
    members = _members(fr, department_id)
    weight, capable = _scope(fr, department_id, scope_task_ids)
    function_of = dict(fr.tasks.select("task_id", "function").iter_rows())
    difficulty = dict(fr.tasks.select("task_id", "difficulty").iter_rows())
    levels: dict[int, dict[int, int]] = defaultdict(dict)
    for p, t, lv in fr.capability.select("person_id", "task_id", "level").iter_rows():
        levels[t][p] = lv
    available = None if available_person_ids is None else set(available_person_ids)
    teachers = {t: sorted(p for p, lv in levels[t].items() if lv >= TEACH_LEVEL
                          and (available is None or p in available))
                for t in weight}
    spare = {p: max(0.0, c - ld) * horizon_months for p, c, ld in
             fr.people.select("person_id", "capacity", "load").iter_rows()
             if c > 0 and (available is None or p in available)
             and (members is None or p in members)}
    works_in: dict[str, set[int]] = defaultdict(set)
    for p, f in fr.hours.select("person_id", "function").iter_rows():
        works_in[f].add(p)

    deficit = {t: max(0, (k or 0) - len(capable[t])) for t in weight}
    short = {t for t, d in deficit.items() if d > 0}
    pairs: list[tuple[int, int, float]] = []  # (person, task, training hours)
    for t in sorted(weight):
        if not teachers[t] or (not bus_factor_target and t not in short):
            continue  # without a target, only the tasks short of k matter
        pool = (works_in[function_of[t]] | set(levels[t])) - capable[t]
        for p in sorted(pool):
            if p not in spare:
                continue
            hours = training_hours(difficulty.get(t), levels[t].get(p, 0), capable_level)
            if hours <= spare[p] + 1e-9:
                pairs.append((p, t, hours))
    by_task: dict[int, list[int]] = defaultdict(list)
    by_person: dict[int, list[int]] = defaultdict(list)
    for i, (p, t, _h) in enumerate(pairs):
        by_task[t].append(i)
        by_person[p].append(i)

    no_teacher = sorted(t for t in short if not teachers[t])
    if no_teacher:
        return done("infeasible", "no_teacher", infeasible_tasks=no_teacher)
    no_learner = sorted(t for t in short if len(by_task[t]) < deficit[t])
    if no_learner:
        return done("infeasible", "no_learner", infeasible_tasks=no_learner)

    n = len(pairs)
    hours_of = np.array([h for _p, _t, h in pairs])
    # Fewest pairs, and among those the fewest hours: each pair costs 1 plus its share of all
    # the candidates' hours (all together less than one pair).
    cost = 1.0 + hours_of / (hours_of.sum() + 1.0) if objective == "pairs" else hours_of
    big = float(cost.sum()) + 1.0  # a unit of slack costs more than every pair together
    m = Model()
    y0 = m.columns(n, cost=cost, upper=1.0, integer=True)
    short_list = sorted(short)
    s0 = m.columns(len(short_list), cost=big)
    for j, t in enumerate(short_list):
        m.row([y0 + i for i in by_task[t]] + [s0 + j], [1.0] * (len(by_task[t]) + 1),
              lower=float(deficit[t]))
    for p, cols in by_person.items():
        m.row([y0 + i for i in cols], [pairs[i][2] for i in cols], upper=spare[p])

    threshold = share * float(sum(weight.values()))
    trained: dict[int, set[int]] = {}
    cuts: list[frozenset[int]] = []
    proven = True
    bound_of: float | None = None
    verified: dict[str, Any] = {}
    while True:
        if left() <= 0.05:
            return done("best_found", "no_solution_in_time", cuts=len(cuts))
        h = m.highs(left() * 0.9 if bus_factor_target else left())
        outcome: Outcome = run(h, is_mip=True)
        if outcome.status == "infeasible":
            return _unreachable(done, cuts, capable, by_task, weight)
        if outcome.x is None or outcome.objective is None:
            return done("best_found", "no_solution_in_time", bound=outcome.bound,
                        cuts=len(cuts))
        proven = proven and outcome.status == "optimal"
        bound_of = outcome.bound
        x = outcome.x
        chosen = [i for i in range(n) if x[y0 + i] > 0.5]
        still_short = [t for j, t in enumerate(short_list) if x[s0 + j] > 1e-6]
        if still_short:
            if outcome.status == "optimal":
                return done("infeasible", "not_enough_spare_time",
                            infeasible_tasks=still_short)
            return done("best_found", "coverage_not_reached", infeasible_tasks=still_short,
                        objective=None, bound=outcome.bound)
        if not bus_factor_target:
            break
        trained = {t: set(c) for t, c in capable.items()}
        for i in chosen:
            trained[pairs[i][1]].add(pairs[i][0])
        found = _bus_factor(weight, trained, share, max(left(), 0.05), bus_factor_target)
        verified = {"bus_factor": found.value, "bus_factor_method": found.method}
        if found.value is not None and found.value >= bus_factor_target:
            proven = proven and found.method == "exact"
            break
        if found.value is None:  # even everyone leaving is not enough: nothing to do
            break
        removed = frozenset(found.removed)
        if removed in cuts:  # cannot happen with exact cuts; stop rather than loop
            return done("best_found", "no_solution_in_time", cuts=len(cuts), **verified)
        cuts.append(removed)
        _add_cut(m, removed, capable, weight, pairs, by_task, y0, threshold)

    if not chosen and not cuts and not short:
        return done("optimal", "nothing_to_do", objective=0.0, bound=0.0, gap=0.0,
                    verified=True, min_capable=min(map(len, capable.values()), default=0),
                    **verified)
    if objective == "pairs":  # the count; its bound: the tie-break adds less than 1
        objective_value = float(len(chosen))
        bound = math.floor(bound_of + 1e-9) if bound_of is not None else objective_value
    else:
        objective_value = float(sum(cost[i] for i in chosen))
        bound = bound_of if bound_of is not None else objective_value
    bound = min(bound, objective_value)
    ops = [{"op": "train", "person": pairs[i][0], "task": pairs[i][1], "level": capable_level}
           for i in sorted(chosen, key=lambda i: (pairs[i][1], pairs[i][0]))]
    after = _capable_after(data, ops, weight, capable_level, department_id)
    coverage = {t: len(after.get(t, ())) for t in weight}
    verified_ok = all(n_capable >= (k or 0) for n_capable in coverage.values())
    reason = ""
    if bus_factor_target:
        # The bus factor was computed on the capable sets the plan gives; the analysis must
        # read the same sets back from the scenario, and the value must be proven.
        verified_ok = (verified_ok and after == trained
                       and verified.get("bus_factor_method") == "exact")
        if verified.get("bus_factor_method") != "exact":
            reason = "target_not_proven"
    return done(
        "optimal" if proven else "best_found", reason, objective=objective_value, bound=bound,
        gap=0.0 if proven else abs(objective_value - bound) / max(objective_value, 1e-9),
        ops=ops,
        pairs=[{"person": pairs[i][0], "task": pairs[i][1], "hours": pairs[i][2],
                "level": levels[pairs[i][1]].get(pairs[i][0], 0),
                "teachers": teachers[pairs[i][1]]}
               for i in sorted(chosen, key=lambda i: (pairs[i][1], pairs[i][0]))],
        training_hours=float(sum(pairs[i][2] for i in chosen)),
        candidates=n, tasks=len(weight), short_tasks=len(short), cuts=len(cuts),
        verified=verified_ok, min_capable=min(coverage.values(), default=0), **verified,
    )


def _members(fr: Frames, department_id: int | None) -> set[int] | None:
    """The department's people (None: no department scope)."""
    if department_id is None:
        return None
    return set(fr.people.filter(pl.col("department_id") == department_id)["person_id"])


def _scope(fr: Frames, department_id: int | None, scope_task_ids: Collection[int] | None
           ) -> tuple[dict[int, float], dict[int, set[int]]]:
    """The scope's hours per task and capable sets, as :mod:`somu.survey.analysis.scopes`
    builds them: for the organization or a function, everyone's hours and capable sets
    organization-wide; for a department, its people's hours (``fr.hours`` of its
    ``department_id``) and capable sets restricted to its people. Tasks without hours in the
    scope do not count."""
    if department_id is None:
        tasks = fr.tasks.filter(pl.col("hours") > 0)
        if scope_task_ids is not None:
            tasks = tasks.filter(pl.col("task_id").is_in(list(scope_task_ids)))
        return (dict(tasks.select("task_id", "hours").iter_rows()),
                {t: set(c) for t, c in tasks.select("task_id", "capable").iter_rows()})
    dept_weights = (fr.hours.filter(pl.col("department_id") == department_id)
                    .group_by("task_id").agg(pl.col("hours").sum())
                    .filter(pl.col("hours") > 0))
    if scope_task_ids is not None:
        dept_weights = dept_weights.filter(pl.col("task_id").is_in(list(scope_task_ids)))
    weight = dict(dept_weights.select("task_id", "hours").iter_rows())
    dept_edges = (fr.capable.join(fr.people.select("person_id", "department_id"),
                                  on="person_id")
                  .filter(pl.col("department_id") == department_id))
    capable: dict[int, set[int]] = {t: set() for t in weight}
    for t, p in dept_edges.select("task_id", "person_id").iter_rows():
        if t in capable:
            capable[t].add(p)
    return weight, capable


def _capable_after(data: SurveyData, ops: list[dict[str, Any]], weight: dict[int, float],
                   capable_level: int, department_id: int | None) -> dict[int, set[int]]:
    """capable(t) of the scope's tasks once the operations are applied, as the analysis'
    ``prepare`` reads them (for a department, restricted to its people)."""
    fr = prepare(apply(data, parse(ops)).data, AnalysisOptions(capable_level=capable_level))
    _weight, capable = _scope(fr, department_id, list(weight))
    return {t: capable.get(t, set()) for t in weight}


def _bus_factor(weight: dict[int, float], capable: dict[int, set[int]], share: float,
               time_limit_s: float, target: int | None = None) -> Any:
    """The scope's bus factor by the analysis' solver. With a ``target``, greedy removal
    first: a greedy set of fewer than ``target`` people is already a departure to cut off
    (``value`` is then greedy's, an upper bound), and the exact solver is not needed."""
    edges = [(t, p) for t, people in capable.items() for p in people]
    arrays = (np.fromiter(weight.keys(), np.int64, len(weight)),
              np.fromiter(weight.values(), np.float64, len(weight)),
              np.array([t for t, _p in edges], np.int64),
              np.array([p for _t, p in edges], np.int64))
    if target is not None:
        [pending] = greedy_phase(np.zeros(len(arrays[0]), np.int64), arrays[0], arrays[1],
                                 np.zeros(len(arrays[2]), np.int64), arrays[2], arrays[3],
                                 blocks=1, share=share)
        if pending.order is not None and len(pending.order) < target:
            return pending.solution(pending.order, "exact" if pending.proven else "greedy")
    return bus_factor_solve(*arrays, share=share, exact_max_people=100_000,
                            time_limit_s=time_limit_s)


def _add_cut(m: Model, removed: frozenset[int], capable: dict[int, set[int]],
             weight: dict[int, float], pairs: list[tuple[int, int, float]],
             by_task: dict[int, list[int]], y0: int, threshold: float) -> None:
    """Σ_{t: capable(t) ⊆ S} w_t c_t ≥ uncovered(S) − threshold (+ a hair, since the
    departure must leave *at most* the threshold), c_t ≤ Σ_{p ∉ S} y[p, t], c_t ≤ 1."""
    exposed = sorted(t for t, c in capable.items() if c <= removed)
    uncovered = float(sum(weight[t] for t in exposed))
    c0 = m.columns(len(exposed), upper=1.0)
    for j, t in enumerate(exposed):
        outside = [y0 + i for i in by_task[t] if pairs[i][0] not in removed]
        m.row([c0 + j, *outside], [1.0] + [-1.0] * len(outside), upper=0.0)
    need = uncovered - threshold
    m.row([c0 + j for j in range(len(exposed))], [weight[t] for t in exposed],
          lower=need - 1e-9 * max(1.0, uncovered))


def _unreachable(done: Any, cuts: list[frozenset[int]], capable: dict[int, set[int]],
                 by_task: dict[int, list[int]], weight: dict[int, float]) -> Proposal:
    """The model became infeasible: with cuts, the target cannot be reached; name the tasks
    the last departure leaves uncovered that nobody can be trained on."""
    if not cuts:
        return done("infeasible", "not_enough_spare_time")
    last = cuts[-1]
    tasks = [t for t, c in capable.items() if c <= last and not by_task.get(t)]
    return done("infeasible", "bus_factor_unreachable", infeasible_tasks=tasks,
                departure=sorted(last), cuts=len(cuts))
