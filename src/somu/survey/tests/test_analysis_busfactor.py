"""The bus factor: the strict threshold, greedy removal and its ties, the exact solver and when
the result says "greedy" instead — on scopes small enough to check by hand (no database)."""

from __future__ import annotations

import numpy as np

from somu.survey.analysis import AnalysisOptions, analyze
from somu.survey.analysis.busfactor import bus_factor, solve, uncovered_hours
from somu.survey.tests.test_analysis_metrics import person, survey, task

# Greedy goes wrong here. Task 3 (6 h) needs both 1 and 3 gone; tasks 1 (2 h) and 2 (3 h)
# have a single capable person each. Greedy takes the sure gains first — 6 (3 h), then 5
# (2 h): 5 h, not more than half of 11 — and then still needs 1 and 3: four people.
# Removing 1 and 3 alone uncovers 6 h > 5.5 h: the bus factor is 2.
TRAP_HOURS = {1: 2.0, 2: 3.0, 3: 6.0}
TRAP_CAPABLE = {1: [5], 2: [6], 3: [1, 3]}


def test_greedy_takes_sure_gains_first_and_is_labelled_greedy_without_the_solver() -> None:
    found = bus_factor(TRAP_HOURS, TRAP_CAPABLE, exact_max_people=0)
    assert (found.value, found.method, found.removed) == (4, "greedy", (6, 5, 1, 3))
    assert (found.hours, found.uncovered_hours, found.candidates) == (11.0, 11.0, 4)


def test_the_exact_solver_finds_the_smaller_set_and_says_so() -> None:
    found = bus_factor(TRAP_HOURS, TRAP_CAPABLE)
    assert (found.value, found.method, found.removed) == (2, "exact", (1, 3))
    assert found.uncovered_hours == 6.0


def test_a_solver_without_time_falls_back_to_greedy_and_says_so() -> None:
    found = bus_factor(TRAP_HOURS, TRAP_CAPABLE, time_limit_s=0.0)
    assert (found.value, found.method) == (4, "greedy")


def test_exactly_half_the_hours_is_not_more_than_half() -> None:
    hours = {1: 4.0, 2: 4.0}
    capable = {1: [1, 2], 2: [3, 4]}
    # Removing 1 and 2 leaves 4 h of 8 uncovered: not more than half. All four must go.
    found = bus_factor(hours, capable, exact_max_people=0)
    assert (found.value, found.method, found.removed) == (4, "greedy", (1, 2, 3, 4))
    # The solver proves that no three people can do it: greedy's answer is exact.
    proven = bus_factor(hours, capable)
    assert (proven.value, proven.method) == (4, "exact")
    assert bus_factor(hours, capable, share=0.4).value == 2


def test_ties_go_to_the_smallest_person_id_after_the_hours_uncovered() -> None:
    hours = {1: 6.0, 2: 6.0, 3: 1.0}
    capable = {1: [3, 4], 2: [2, 1], 3: [5]}
    found = bus_factor(hours, capable)
    # 5 first (uncovers 1 h); then 1–4 tie on everything and 1 wins; then 2, now alone on
    # task 2. Nobody can do it with two (at most 6 h of 13), so greedy's 3 is exact.
    assert (found.value, found.method, found.removed) == (3, "exact", (5, 1, 2))


def test_greedy_prefers_the_person_whose_tasks_are_least_shared() -> None:
    hours = {1: 6.0, 2: 6.0}
    capable = {1: [1, 2, 3], 2: [4, 5]}
    # 4 and 5 carry 6 / 2 each, 1–3 only 6 / 3: greedy starts with 4, then 5.
    found = bus_factor(hours, capable, share=0.4, exact_max_people=0)
    assert found.removed == (4, 5)


def test_hours_nobody_can_do_count_as_uncovered_from_the_start() -> None:
    found = bus_factor({1: 10.0, 2: 5.0}, {2: [1]})
    assert (found.value, found.method, found.removed, found.uncovered_hours) == (
        0, "exact", (), 10.0)
    found = bus_factor({1: 5.0, 2: 5.0, 3: 1.0}, {2: [1], 3: [2]})
    assert (found.value, found.removed, found.uncovered_hours) == (1, (1,), 10.0)


def test_a_scope_without_hours_has_no_bus_factor() -> None:
    found = bus_factor({1: 0.0}, {1: [1]})
    assert (found.value, found.removed, found.hours) == (None, (), 0.0)


def test_large_scopes_remove_people_in_batches_and_still_reach_the_threshold() -> None:
    rng = np.random.default_rng(3)
    hours = {t: float(rng.integers(1, 20)) for t in range(1, 201)}
    capable = {t: sorted(set(rng.integers(1, 301, int(rng.integers(1, 6))).tolist()))
               for t in hours}
    one_by_one = bus_factor(hours, capable, exact_max_people=0)
    batched = bus_factor(hours, capable, exact_max_people=0, batch_from=10)
    assert batched.method == "greedy"
    for found in (one_by_one, batched):
        assert found.value == len(found.removed)
        assert uncovered_hours(hours, capable, found.removed) > sum(hours.values()) / 2
    # The last batch is trimmed: every one of its people is needed.
    total = sum(hours.values())
    assert uncovered_hours(hours, capable, batched.removed[:-1]) <= total / 2
    assert abs(batched.value - one_by_one.value) <= one_by_one.value * 0.2


def test_solve_takes_arrays_and_ignores_pairs_of_unknown_tasks() -> None:
    found = solve(np.array([7, 8]), np.array([3.0, 1.0]), np.array([7, 8, 9]),
                  np.array([1, 2, 3]))
    assert (found.value, found.removed, found.candidates) == (1, (1,), 2)


def test_a_team_sized_scope_is_solved_exactly_and_beats_greedy() -> None:
    # 60 people in teams of five, 80 tasks each with up to three capable people of one team.
    rng = np.random.default_rng(3)
    hours = {t: float(rng.integers(1, 40)) for t in range(1, 81)}
    capable = {t: sorted({int(t % 12) * 5 + int(rng.integers(0, 5)) for _ in range(3)})
               for t in hours}
    exact = bus_factor(hours, capable)
    greedy = bus_factor(hours, capable, exact_max_people=0)
    assert (exact.value, exact.method, greedy.value, greedy.method) == (23, "exact", 27, "greedy")
    assert uncovered_hours(hours, capable, exact.removed) > sum(hours.values()) / 2


# ---- the scopes of an analysis ---------------------------------------------------------------


def test_each_scope_has_its_own_hours_and_capable_sets() -> None:
    # Department 1: person 1 (does task 1, 10 h) and 3 (task 3, 4 h). Department 2: person 2
    # (does task 2, 6 h), who can also do task 1. Task 3 has no capability rows: its doer.
    data = survey(
        people=[person(1, 1), person(2, 2), person(3, 1), person(4)],
        tasks=[task(1, "経理"), task(2, "総務"), task(3, "経理")],
        hours=[(1, 1, 10.0), (2, 2, 6.0), (3, 3, 4.0)],
        capability=[(1, 1, 4), (2, 1, 3), (2, 2, 3), (4, 2, 2)],
    )
    result = analyze(data)
    scopes = {(b.scope, b.key): b for b in result.bus_factors}
    assert [(b.scope, b.key) for b in result.bus_factors] == [
        ("organization", ""), ("function", "経理"), ("function", "総務"),
        ("department", "1"), ("department", "2")]
    # Organization: 20 h; 2 leaving uncovers task 2 (6 h), then 1 leaving task 1 (10 h).
    organization = scopes[("organization", "")]
    assert (organization.value, organization.removed, organization.hours) == (2, (2, 1), 20.0)
    assert (organization.method, organization.candidates) == ("exact", 3)
    # 経理: tasks 1 and 3 (14 h); greedy would take 3 (4 h) first, but 1 and 2 uncover 10 h.
    assert (scopes[("function", "経理")].value, scopes[("function", "経理")].removed) == (
        2, (1, 2))
    assert scopes[("function", "総務")].value == 1
    # Department 1 on its own: only 1 can do task 1 there (2 is in department 2).
    department = scopes[("department", "1")]
    assert (department.value, department.removed, department.hours, department.label) == (
        1, (1,), 14.0, "本社 / 部1")
    assert (scopes[("department", "2")].value, scopes[("department", "2")].hours) == (1, 6.0)


def test_a_department_without_hours_has_no_bus_factor() -> None:
    data = survey(people=[person(1, 1), person(2, 2)], tasks=[task(1)], hours=[(1, 1, 3.0)])
    department = next(b for b in analyze(data).bus_factors if b.key == "2")
    assert (department.scope, department.value, department.hours) == ("department", None, 0.0)


def test_no_exact_budget_leaves_every_scope_to_greedy() -> None:
    data = survey(people=[person(p) for p in (1, 3, 5, 6)],
                  tasks=[task(1), task(2), task(3)],
                  hours=[(5, 1, 2.0), (6, 2, 3.0), (1, 3, 3.0), (3, 3, 3.0)],
                  capability=[(5, 1, 3), (6, 2, 3), (1, 3, 3), (3, 3, 3)])
    greedy = analyze(data, AnalysisOptions(exact_total_budget_s=0.0)).bus_factors[0]
    exact = analyze(data).bus_factors[0]
    assert (greedy.value, greedy.method) == (4, "greedy")
    assert (exact.value, exact.method, exact.removed) == (2, "exact", (1, 3))
