"""Properties of the analysis that hold for any round (hypothesis, no database).

Hours are multiples of 0.25 so that sums are exact and "more than half" is never a matter of
floating-point luck.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from somu.survey.analysis import analyze, from_dict, to_dict
from somu.survey.analysis import greedy as greedy_module
from somu.survey.analysis.busfactor import bus_factor, uncovered_hours
from somu.survey.analysis.problem import build
from somu.survey.tests.test_analysis_metrics import person, survey, task

Scope = tuple[dict[int, float], dict[int, list[int]]]

hours_values = st.integers(min_value=1, max_value=40).map(lambda q: q / 4)


@st.composite
def scopes(draw: st.DrawFn, people: int = 7, tasks: int = 7) -> Scope:
    """A scope: task → hours, task → capable people (possibly nobody)."""
    count = draw(st.integers(min_value=1, max_value=tasks))
    hours = {t: draw(hours_values) for t in range(1, count + 1)}
    capable = {t: sorted(draw(st.sets(st.integers(min_value=1, max_value=people),
                                      max_size=4))) for t in hours}
    return hours, capable


def reference_greedy(hours: dict[int, float], capable: dict[int, list[int]],
                     share: float = 0.5) -> list[int] | None:
    """Greedy removal as PRODUCT.md words it, one person at a time, in plain Python."""
    threshold = share * sum(hours.values())
    tol = 1e-9 * max(1.0, sum(hours.values()))  # equal up to rounding is a tie
    candidates = sorted({p for people in capable.values() for p in people})
    gone: list[int] = []
    while uncovered_hours(hours, capable, gone) <= threshold:
        left = {t: set(capable.get(t, ())) - set(gone) for t in hours}
        best: tuple[float, float, int] | None = None
        for p in candidates:
            if p in gone:
                continue
            newly = sum(hours[t] for t in hours if left[t] == {p})
            spread = sum(hours[t] / len(left[t]) for t in hours if p in left[t])
            if best is None or newly > best[0] + tol or (
                    newly >= best[0] - tol and spread > best[1] + tol):
                best = (newly, spread, p)
        if best is None:
            return None
        gone.append(best[2])
    return gone


def optimum(hours: dict[int, float], capable: dict[int, list[int]]) -> int:
    candidates = sorted({p for people in capable.values() for p in people})
    for k in range(len(candidates) + 1):
        for chosen in itertools.combinations(candidates, k):
            if uncovered_hours(hours, capable, chosen) > sum(hours.values()) / 2:
                return k
    raise AssertionError("removing everyone always uncovers everything")


@contextlib.contextmanager
def greedy_tuning(heavy: int, lockstep: int, refresh: int) -> Iterator[None]:
    """Run the greedy's other code paths (lazy refreshes, one block alone) on small scopes."""
    saved = (greedy_module.HEAVY_TASK, greedy_module.LOCKSTEP_MAX_NODES,
             greedy_module.REFRESH_CANDIDATES)
    greedy_module.HEAVY_TASK, greedy_module.LOCKSTEP_MAX_NODES = heavy, lockstep
    greedy_module.REFRESH_CANDIDATES = refresh
    try:
        yield
    finally:
        (greedy_module.HEAVY_TASK, greedy_module.LOCKSTEP_MAX_NODES,
         greedy_module.REFRESH_CANDIDATES) = saved


# ---- the bus factor ---------------------------------------------------------------------------


@settings(max_examples=150, deadline=None, database=None)
@given(scopes=st.lists(scopes(), min_size=1, max_size=4),
       heavy=st.sampled_from([1, 2, 200]), lockstep=st.sampled_from([0, 1000]),
       refresh=st.sampled_from([0, 1, 64]))
def test_greedy_removal_is_the_one_the_definition_describes(
        scopes: list[Scope], heavy: int, lockstep: int, refresh: int) -> None:
    rows = [(b, t, h) for b, (hours, _) in enumerate(scopes) for t, h in hours.items()]
    pairs = [(b, t, p) for b, (_, capable) in enumerate(scopes)
             for t, people in capable.items() for p in people]
    problem = build(np.array([r[0] for r in rows]), np.array([r[1] for r in rows]),
                    np.array([r[2] for r in rows]), np.array([p[0] for p in pairs], np.int64),
                    np.array([p[1] for p in pairs], np.int64),
                    np.array([p[2] for p in pairs], np.int64), share=0.5, blocks=len(scopes))
    with greedy_tuning(heavy, lockstep, refresh):
        orders = greedy_module.greedy_all(problem, batch_from=10**9)
    for (hours, capable), order in zip(scopes, orders, strict=True):
        got = None if order is None else [int(problem.node_person[i]) for i in order]
        assert got == reference_greedy(hours, capable)


@settings(max_examples=120, deadline=None, database=None)
@given(scope=scopes())
def test_the_exact_bus_factor_is_optimal_and_never_above_greedy(scope: Scope) -> None:
    hours, capable = scope
    exact = bus_factor(hours, capable)
    greedy = bus_factor(hours, capable, exact_max_people=0)
    assert exact.method == "exact"
    assert exact.value == optimum(hours, capable)
    assert greedy.value is not None and exact.value <= greedy.value
    if greedy.method == "exact":
        assert greedy.value == exact.value


@settings(max_examples=120, deadline=None, database=None)
@given(scope=scopes(), exact=st.booleans(), batch=st.booleans())
def test_the_people_removed_really_leave_more_than_half_uncovered(
        scope: Scope, exact: bool, batch: bool) -> None:
    hours, capable = scope
    found = bus_factor(hours, capable, exact_max_people=400 if exact else 0,
                       batch_from=0 if batch else 2000)
    assert found.value == len(found.removed) == len(set(found.removed))
    assert found.uncovered_hours == uncovered_hours(hours, capable, found.removed)
    assert found.uncovered_hours > sum(hours.values()) / 2


@settings(max_examples=120, deadline=None, database=None)
@given(scope=scopes(), data=st.data())
def test_removing_a_person_never_covers_more_hours(scope: Scope, data: st.DataObject) -> None:
    hours, capable = scope
    people = sorted({p for ps in capable.values() for p in ps})
    removed = data.draw(st.lists(st.sampled_from(people), unique=True)) if people else []
    problem = build(np.zeros(len(hours), np.int64), np.array(list(hours)),
                    np.array(list(hours.values())),
                    np.zeros(sum(map(len, capable.values())), np.int64),
                    np.array([t for t, ps in capable.items() for _ in ps], np.int64),
                    np.array([p for ps in capable.values() for p in ps], np.int64),
                    share=0.5, blocks=1)
    before = 0.0
    for k in range(len(removed) + 1):
        mask = np.isin(problem.node_person, removed[:k])
        now = float(problem.uncovered(mask)[0])
        assert now == uncovered_hours(hours, capable, removed[:k])
        assert now >= before
        before = now


# ---- whole rounds ---------------------------------------------------------------------------


@st.composite
def rounds(draw: st.DrawFn) -> tuple[object, ...]:
    people = draw(st.integers(min_value=1, max_value=6))
    tasks = draw(st.integers(min_value=1, max_value=6))
    cells = st.tuples(st.integers(1, people), st.integers(1, tasks))
    hours = draw(st.dictionaries(cells, hours_values, max_size=15))
    levels = draw(st.dictionaries(cells, st.integers(0, 4), max_size=15))
    departments = draw(st.lists(st.sampled_from([None, 1, 2]), min_size=people,
                                max_size=people))
    capacity = draw(st.lists(st.sampled_from([0.0, 5.0, 20.0, 160.0]), min_size=people,
                             max_size=people))
    grades = draw(st.lists(st.sampled_from([None, "G1", "G2", "G3"]), min_size=people,
                           max_size=people))
    difficulty = draw(st.lists(st.sampled_from([None, 1, 3, 5]), min_size=tasks,
                               max_size=tasks))
    return (
        [person(p, departments[p - 1], grades[p - 1], capacity[p - 1])
         for p in range(1, people + 1)],
        [task(t, "総務" if t % 2 else "経理", difficulty[t - 1]) for t in range(1, tasks + 1)],
        [(p, t, h) for (p, t), h in hours.items()],
        [(p, t, level) for (p, t), level in levels.items()],
    )


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(round_=rounds())
def test_any_round_gives_consistent_figures(round_: tuple[object, ...]) -> None:
    people, tasks, hours, capability = round_
    result = analyze(survey(people, tasks, hours, capability))  # type: ignore[arg-type]
    total = result.totals.hours
    assert total == sum(h for _, _, h in hours)  # type: ignore[attr-defined]
    for rate in (result.dependency.rate_by_count, result.dependency.rate_by_hours,
                 *(t.share for t in result.tasks), *(t.cumulative_share for t in result.tasks),
                 *(f.share for f in result.flags), *(b.share for b in result.by_function)):
        assert 0.0 <= rate <= 1.0 + 1e-12
    spare = {p.person_id: max(0.0, p.capacity - p.load) for p in result.people}
    for risk in result.retirement:
        assert 0 < risk.orphaned_hours <= total
        assert 0.0 <= risk.unabsorbed_hours <= risk.orphaned_hours
        taken: dict[int, float] = {}
        for a in risk.absorbed:
            assert a.person_id != risk.person_id and a.task_id in risk.orphaned_task_ids
            taken[a.person_id] = taken.get(a.person_id, 0.0) + a.hours
        assert all(taken[p] <= spare[p] + 1e-9 for p in taken)
    for b in result.balance:
        assert b.gini >= 0.0 and b.cv >= 0.0
    for scope in result.bus_factors:
        if scope.value is not None:
            assert scope.uncovered_hours > scope.hours / 2
    q = result.qualification
    assert q.over_hours + q.under_hours + q.unknown_hours <= total + 1e-9
    assert from_dict(json.loads(json.dumps(to_dict(result)))) == result
