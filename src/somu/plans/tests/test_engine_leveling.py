"""The leveling proposal, checked by applying its operations and recomputing the analysis, and
against the brute-force optimum on small rounds (pure, no database)."""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from somu.plans.engine.leveling import level
from somu.plans.engine.ops import apply, parse
from somu.plans.engine.solver import Proposal
from somu.survey.analysis import SurveyData, analyze
from somu.survey.tests.test_analysis_metrics import person, survey, task


def team() -> SurveyData:
    """Person 1 (G3) is overloaded with work 2 and 3 could take; 4 has no capacity.

        task 10 d1   1: 100 h   capability 1: 4, 2: 3, 3: 3
        task 11 d4   1: 60 h    capability 1: 4, 3: 3
        task 12 d2   2: 20 h, 4: 10 h   capability 2: 4, 4: 2
    """
    return survey(
        people=[person(1, 1, "G3"), person(2, 1, "G1"), person(3, 1, "G2", 80.0),
                person(4, 1, "G1", 0.0)],
        tasks=[task(10, "総務", 1), task(11, "総務", 4), task(12, "総務", 2)],
        hours=[(1, 10, 100.0), (1, 11, 60.0), (2, 12, 20.0), (4, 12, 10.0)],
        capability=[(1, 10, 4), (2, 10, 3), (3, 10, 3), (1, 11, 4), (3, 11, 3),
                    (2, 12, 4), (4, 12, 2)],
    )


def verify(data: SurveyData, proposal: Proposal, capable_level: int = 3) -> None:
    """What the issue requires of a leveling result, recomputed on the applied operations:
    only capable people hold hours, every task keeps its hours, the highest utilization is the
    objective (without a penalty), and nobody is above capacity when that was possible."""
    before = analyze(data)
    applied = apply(data, parse(list(proposal.ops)))
    assert applied.needs_training == ()
    after = analyze(applied.data)
    capable = {t.task_id: set(t.capable) for t in before.tasks}
    for p, t, h in applied.data.hours.iter_rows():
        assert p in capable[t], (p, t, h)
    assert {t.task_id: t.hours for t in after.tasks} == pytest.approx(
        {t.task_id: t.hours for t in before.tasks}, abs=1e-3)
    assert proposal.details["verified"] is True
    worst = max(p.utilization for p in after.people)
    assert worst == pytest.approx(proposal.details["max_utilization_after"], abs=1e-3)
    assert proposal.objective is not None
    if proposal.objective <= 1:
        assert all(p.load <= p.capacity + 1e-3 for p in after.people)


def test_leveling_spreads_the_overload_over_the_capable_people_and_says_it_is_optimal() -> None:
    proposal = level(team())
    assert (proposal.kind, proposal.status, proposal.reason) == ("leveling", "optimal", "")
    # 190 h over the capacities 160 + 160 + 80 of the people able to do tasks 10–12.
    assert proposal.objective == pytest.approx(190 / 400)
    assert proposal.gap == 0.0 and proposal.bound == pytest.approx(proposal.objective)
    assert proposal.details["max_utilization_before"] == pytest.approx(160 / 160)
    verify(team(), proposal)


def test_hours_of_someone_not_capable_move_to_someone_who_is() -> None:
    proposal = level(team())
    assert not any(op["from"] != 4 and op["task"] == 12 and op["to"] == 4
                   for op in proposal.ops)
    assert any(op["from"] == 4 for op in proposal.ops)
    assert proposal.details["forced_changes"] == 1


def test_a_task_nobody_in_scope_can_do_makes_leveling_infeasible_naming_it() -> None:
    # Task 12's only capable person (2) is out of scope; 4 does it with the manual.
    proposal = level(team(), scope_person_ids=[1, 3, 4])
    assert (proposal.status, proposal.reason, proposal.infeasible_tasks) == (
        "infeasible", "no_capable_person", (12,))
    assert proposal.ops == ()


def test_only_the_hours_of_people_in_scope_are_shared_among_them() -> None:
    proposal = level(team(), scope_person_ids=[1, 3])
    assert proposal.status == "optimal"
    assert proposal.objective == pytest.approx(160 / 240)
    assert {op["to"] for op in proposal.ops} == {3}


def test_tasks_without_a_capable_person_are_named() -> None:
    data = survey(people=[person(1), person(2)], tasks=[task(10), task(11)],
                  hours=[(1, 10, 5.0), (2, 11, 5.0)], capability=[(1, 10, 2), (2, 11, 3)])
    proposal = level(data)
    assert (proposal.status, proposal.reason, proposal.infeasible_tasks) == (
        "infeasible", "no_capable_person", (10,))


def test_a_limit_on_changes_below_the_forced_ones_is_infeasible() -> None:
    proposal = level(team(), max_changes=0)
    assert (proposal.status, proposal.reason, proposal.details["forced_changes"]) == (
        "infeasible", "max_changes_too_small", 1)


def test_a_limit_on_changes_is_kept_and_costs_some_utilization() -> None:
    free = level(team())
    limited = level(team(), max_changes=3)
    assert limited.status == "optimal"
    assert limited.details["changes"] <= 3
    assert limited.objective is not None and free.objective is not None
    assert limited.objective >= free.objective - 1e-9
    verify(team(), limited)


def test_a_penalty_on_over_qualified_hours_keeps_the_senior_person_off_easy_work() -> None:
    plain = level(team())
    penalized = level(team(), overqualified_penalty=0.01)
    assert penalized.details["over_qualified_hours"] < plain.details["over_qualified_hours"]


def test_a_penalty_never_overloads_people_when_a_plan_within_capacity_exists() -> None:
    """G3 (160 h) and G1 (100 h) share a 200 h difficulty-1 task, over-qualified for G3. The
    best utilization is 200 / 260; with a penalty the plan may give G1 more, up to G1's
    capacity, never beyond it."""
    data = survey(people=[person(1, 1, "G3", 160.0), person(2, 1, "G1", 100.0)],
                  tasks=[task(10, "総務", 1)], hours=[(1, 10, 150.0), (2, 10, 50.0)],
                  capability=[(1, 10, 4), (2, 10, 3)])
    plain = level(data)
    assert plain.objective == pytest.approx(200 / 260)
    for penalty in (0.001, 0.1, 1000.0):
        penalized = level(data, overqualified_penalty=penalty)
        after = analyze(apply(data, parse(list(penalized.ops))).data)
        assert max(p.utilization for p in after.people) <= 1.0 + 1e-6
        if penalty >= 0.1:  # below that, an hour moved costs more utilization than it saves
            assert penalized.details["over_qualified_hours"] == pytest.approx(100.0, abs=1e-3)
        assert penalized.details["verified"] is True


def test_nothing_to_level_without_hours() -> None:
    data = survey(people=[person(1)], tasks=[task(10)], hours=[])
    assert level(data).reason == "nothing_to_level"


# ---- brute force -------------------------------------------------------------------------------

@st.composite
def small_rounds(draw: st.DrawFn) -> SurveyData:
    n_people = draw(st.integers(1, 4))
    n_tasks = draw(st.integers(1, 4))
    capacities = [draw(st.sampled_from([0.0, 40.0, 80.0, 160.0])) for _ in range(n_people)]
    hours, capability = [], []
    for t in range(n_tasks):
        for p in range(n_people):
            if draw(st.booleans()):
                hours.append((p + 1, t + 10, float(draw(st.integers(1, 60)))))
            capability.append((p + 1, t + 10, draw(st.integers(0, 4))))
    return survey(
        people=[person(p + 1, 1, "G2", capacities[p]) for p in range(n_people)],
        tasks=[task(t + 10, "総務", 2) for t in range(n_tasks)],
        hours=hours, capability=capability)


def brute_force_optimum(data: SurveyData) -> float | None:
    """The lowest possible highest utilization, by Hall's condition for a flow: a level U is
    reachable exactly when every set A of tasks fits in the capacity of the people able to do
    one of them — hours(A) ≤ U × capacity(able(A)). So the optimum is the largest ratio over
    all sets of tasks (None when some set has nobody able, with capacity, to take it)."""
    result = analyze(data)
    capacity = {p.person_id: p.capacity for p in result.people}
    tasks = [(t.task_id, t.hours, {p for p in t.capable if capacity[p] > 0})
             for t in result.tasks if t.hours > 0]
    best = 0.0
    for size in range(1, len(tasks) + 1):
        for chosen in combinations(tasks, size):
            able = set().union(*(c for _t, _h, c in chosen))
            need = sum(h for _t, h, _c in chosen)
            room = sum(capacity[p] for p in able)
            if room <= 0:
                return None
            best = max(best, need / room)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_rounds())
def test_leveling_reaches_the_brute_force_optimum_on_small_rounds(data: SurveyData) -> None:
    proposal = level(data)
    optimum = brute_force_optimum(data)
    if not data.hours.height:
        assert proposal.reason == "nothing_to_level"
    elif optimum is None:
        assert proposal.status == "infeasible" and proposal.infeasible_tasks
    else:
        assert proposal.status == "optimal"
        assert proposal.objective == pytest.approx(optimum, rel=1e-6, abs=1e-6)
        verify(data, proposal)


@st.composite
def graded_rounds(draw: st.DrawFn) -> SurveyData:
    """Small rounds with grades and difficulties that make some hours over-qualified."""
    data = draw(small_rounds())
    grades = [draw(st.sampled_from(["G1", "G2", "G3"])) for _ in range(data.people.height)]
    return survey(
        people=[person(p, 1, g, c) for p, g, c in zip(
            data.people["person_id"].to_list(), grades, data.people["capacity"].to_list(),
            strict=True)],
        tasks=[task(t, "総務", draw(st.integers(1, 5))) for t in data.tasks["task_id"]],
        hours=list(data.hours.iter_rows()), capability=list(data.capability.iter_rows()))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graded_rounds(), st.sampled_from([0.1, 1000.0]))
def test_with_a_penalty_nobody_goes_beyond_the_brute_force_optimum_or_capacity(
        data: SurveyData, penalty: float) -> None:
    optimum = brute_force_optimum(data)
    if optimum is None or not data.hours.height:
        return
    proposal = level(data, overqualified_penalty=penalty)
    assert proposal.status == "optimal"
    after = analyze(apply(data, parse(list(proposal.ops))).data)
    assert max(p.utilization for p in after.people) <= max(1.0, optimum) + 1e-4
    assert proposal.details["verified"] is True
