"""The cross-training proposal, checked by applying its operations and recomputing the
analysis, and against every subset of the candidate pairs on small rounds (pure, no
database)."""

from __future__ import annotations

from collections import defaultdict
from itertools import chain, combinations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from somu.plans.engine.crosstraining import cross_train, training_hours
from somu.plans.engine.ops import apply, parse
from somu.plans.engine.solver import Proposal
from somu.survey.analysis import SurveyData, analyze
from somu.survey.tests.test_analysis_metrics import person, survey, task


def office() -> SurveyData:
    """Five people; tasks 10–12 in 総務, 13 in 経理.

        task 10 d3  1: 40 h           capability 1: 4, 2: 2           (1 alone, teaches)
        task 11 d1  2: 30 h           capability 2: 4, 3: 3           (two capable)
        task 12 d2  3: 20 h           capability 3: 3                  (nobody teaches)
        task 13 d3  4: 50 h           capability 4: 4, 5: 1           (経理)
    Person 5 (経理) works 150 h of 160; the others 40–90 h of 160.
    """
    return survey(
        people=[person(1, 1, "G2"), person(2, 1, "G2"), person(3, 1, "G2"),
                person(4, 2, "G2"), person(5, 2, "G2")],
        tasks=[task(10, "総務", 3), task(11, "総務", 1), task(12, "総務", 2),
               task(13, "経理", 3)],
        hours=[(1, 10, 40.0), (2, 11, 30.0), (3, 12, 20.0), (4, 13, 50.0), (5, 13, 100.0),
               (2, 10, 50.0)],
        capability=[(1, 10, 4), (2, 10, 2), (2, 11, 4), (3, 11, 3), (3, 12, 3), (4, 13, 4),
                    (5, 13, 1)],
    )


def verify(data: SurveyData, proposal: Proposal, *, scope: set[int] | None = None,
           k: int | None = None, target: int | None = None) -> None:
    """What the issue requires: the coverage claimed is reached, recomputed by the analysis
    on the scenario; every pair has a teacher and fits the learner's spare time."""
    assert proposal.details["verified"] is True
    before = analyze(data)
    applied = apply(data, parse(list(proposal.ops)))
    after = analyze(applied.data)
    tasks = {t.task_id: t for t in after.tasks if t.hours > 0
             and (scope is None or t.task_id in scope)}
    if k is not None:
        assert all(len(t.capable) >= k for t in tasks.values())
    if target is not None:
        from somu.survey.analysis.busfactor import bus_factor
        found = bus_factor({t: x.hours for t, x in tasks.items()},
                           {t: x.capable for t, x in tasks.items()})
        assert found.value is None or found.value >= target
        assert proposal.details["bus_factor"] == found.value
    spare = {p.person_id: max(0.0, p.capacity - p.load) * 3 for p in before.people}
    used: dict[int, float] = defaultdict(float)
    for pair in proposal.details.get("pairs", []):
        assert pair["teachers"]
        used[pair["person"]] += pair["hours"]
    assert all(used[p] <= spare[p] + 1e-9 for p in used)


def test_the_fewest_pairs_give_every_task_two_capable_people() -> None:
    proposal = cross_train(office(), k=2, scope_task_ids=[10, 11, 13])
    assert (proposal.kind, proposal.status, proposal.reason) == ("cross_training", "optimal",
                                                                 "")
    assert proposal.objective == 2.0 and proposal.gap == 0.0
    # Task 10: 2 (level 2, 総務) needs 4 h; task 13: 5 (level 1) has 30 h spare… ×3 months.
    assert proposal.ops == ({"op": "train", "person": 2, "task": 10, "level": 3},
                            {"op": "train", "person": 5, "task": 13, "level": 3})
    verify(office(), proposal, scope={10, 11, 13}, k=2)


def test_training_hours_follow_the_documented_estimate() -> None:
    assert training_hours(3, 0) == 12.0
    assert training_hours(3, 2) == 4.0
    assert training_hours(1, 2) == 2.0  # at least two hours
    assert training_hours(None, 1) == pytest.approx(8.0)  # unrated counts as difficulty 3
    proposal = cross_train(office(), k=2, scope_task_ids=[10])
    assert proposal.details["pairs"] == [
        {"person": 2, "task": 10, "hours": 4.0, "level": 2, "teachers": [1]}]


def test_fewest_hours_may_choose_a_different_learner_than_fewest_pairs() -> None:
    data = survey(
        people=[person(1, 1), person(2, 1), person(3, 1)],
        tasks=[task(10, "総務", 3), task(11, "総務", 3)],
        hours=[(1, 10, 10.0), (2, 11, 10.0), (3, 11, 10.0)],
        capability=[(1, 10, 4), (2, 10, 0), (3, 10, 2), (2, 11, 3), (3, 11, 3)],
    )
    proposal = cross_train(data, k=2, objective="hours")
    assert proposal.ops == ({"op": "train", "person": 3, "task": 10, "level": 3},)
    assert proposal.objective == 4.0


def test_a_task_short_of_capable_people_that_nobody_can_teach_is_infeasible() -> None:
    proposal = cross_train(office(), k=2)
    assert (proposal.status, proposal.reason, proposal.infeasible_tasks) == (
        "infeasible", "no_teacher", (12,))
    assert proposal.ops == ()


def test_a_task_without_learners_with_spare_time_is_infeasible() -> None:
    data = survey(
        people=[person(1, 1), person(2, 1, capacity=20.0)],
        tasks=[task(10, "総務", 5), task(11, "総務", 1)],
        hours=[(1, 10, 10.0), (2, 11, 19.0)],
        capability=[(1, 10, 4), (2, 11, 3)],
    )
    # 2 has 1 h spare a month (3 h in 3 months), training on task 10 takes 20 h.
    proposal = cross_train(data, k=2, scope_task_ids=[10])
    assert (proposal.status, proposal.reason, proposal.infeasible_tasks) == (
        "infeasible", "no_learner", (10,))
    assert cross_train(data, k=2, scope_task_ids=[10], horizon_months=20).status == "optimal"


def test_learners_whose_spare_time_cannot_cover_every_task_at_once_are_named() -> None:
    data = survey(
        people=[person(1, 1), person(2, 1, capacity=30.0)],
        tasks=[task(10, "総務", 3), task(11, "総務", 3), task(12, "総務", 3)],
        hours=[(1, 10, 10.0), (1, 11, 10.0), (2, 12, 24.0)],
        capability=[(1, 10, 4), (1, 11, 4), (2, 12, 4)],
    )
    # 2 has 6 h × 3 = 18 h: one training of 12 h, not two. 1 can learn task 12.
    proposal = cross_train(data, k=2, scope_task_ids=[10, 11])
    assert (proposal.status, proposal.reason) == ("infeasible", "not_enough_spare_time")
    assert len(proposal.infeasible_tasks) == 1


def test_nothing_to_do_when_every_task_is_covered() -> None:
    proposal = cross_train(office(), k=2, scope_task_ids=[11])
    assert (proposal.status, proposal.reason, proposal.ops) == ("optimal", "nothing_to_do", ())


def test_a_bus_factor_target_is_reached_and_verified_by_the_analysis_solver() -> None:
    data = survey(
        people=[person(p, 1) for p in range(1, 6)],
        tasks=[task(t, "総務", 2) for t in range(10, 14)],
        hours=[(1, 10, 30.0), (2, 11, 30.0), (3, 12, 20.0), (4, 13, 20.0), (5, 13, 5.0)],
        capability=[(1, 10, 4), (2, 11, 4), (3, 12, 4), (4, 13, 4), (5, 13, 3),
                    (5, 10, 2), (5, 11, 2), (4, 12, 1)],
    )
    base = analyze(data).bus_factors[0].value
    assert base == 2  # 1 and 2 leaving leave 60 of 105 h
    proposal = cross_train(data, k=None, bus_factor_target=3)
    assert proposal.status == "optimal" and proposal.details["bus_factor"] >= 3
    assert proposal.objective == 1.0
    verify(data, proposal, target=3)


def department_factor(data: SurveyData, department: int) -> int | None:
    """The department's bus factor as the analysis reports it (survey/analysis/scopes.py)."""
    return next((b.value for b in analyze(data).bus_factors
                 if b.scope == "department" and b.key == str(department)), None)


def two_departments(capacity_2: float = 160.0) -> SurveyData:
    """Department 1: persons 1 and 2; department 2: person 3, who also works in 総務.

        task 10 d3  1: 40 h            capability 1: 4, 2: 1
        task 11 d1  2: 30 h            capability 2: 3
        task 12 d1  2: 130 h, 3: 20 h  capability 2: 3, 3: 3
    """
    return survey(
        people=[person(1, 1, "G2"), person(2, 1, "G2", capacity_2), person(3, 2, "G2")],
        tasks=[task(10, "総務", 3), task(11, "総務", 1), task(12, "総務", 1)],
        hours=[(1, 10, 40.0), (2, 11, 30.0), (2, 12, 130.0), (3, 12, 20.0)],
        capability=[(1, 10, 4), (2, 10, 1), (2, 11, 3), (2, 12, 3), (3, 12, 3)],
    )


def test_a_department_counts_only_its_own_people_as_the_analysis_does() -> None:
    """In department 1 only 2 can do 12 (130 of its 200 h): its bus factor is 1, though 3, in
    department 2, can do 12 too. Nobody can teach 11 or 12, and 2 has no spare time to learn
    10: the target cannot be reached — not "nothing to do"."""
    data = two_departments()
    assert department_factor(data, 1) == 1
    proposal = cross_train(data, k=None, bus_factor_target=2, department_id=1)
    assert (proposal.status, proposal.reason) == ("infeasible", "bus_factor_unreachable")


def test_a_department_learns_from_its_own_people_only() -> None:
    """With spare time, 2 (department 1) learns 10 from 1; 3 (department 2), who could also
    learn it, is not proposed: training 3 would not change department 1's bus factor."""
    data = survey(
        people=[person(1, 1, "G2"), person(2, 1, "G2"), person(3, 2, "G2")],
        tasks=[task(10, "総務", 3), task(11, "総務", 1)],
        hours=[(1, 10, 60.0), (2, 11, 30.0), (3, 11, 20.0)],
        capability=[(1, 10, 4), (2, 11, 4), (3, 11, 3), (2, 10, 1), (3, 10, 1)],
    )
    assert department_factor(data, 1) == 1
    proposal = cross_train(data, k=None, bus_factor_target=2, department_id=1)
    assert proposal.status == "optimal" and proposal.details["verified"] is True
    assert [(op["person"], op["task"]) for op in proposal.ops] == [(2, 10)]
    assert department_factor(apply(data, parse(list(proposal.ops))).data, 1) == 2


def test_a_department_with_k_counts_its_own_capable_people() -> None:
    data = two_departments()
    proposal = cross_train(data, k=2, department_id=1)
    # 10 needs a second capable person in department 1: only 2, who has no spare time.
    assert (proposal.status, proposal.reason, proposal.infeasible_tasks) == (
        "infeasible", "no_teacher", (11, 12))


def test_people_who_cannot_take_part_are_neither_learners_nor_teachers() -> None:
    data = office()
    everyone = cross_train(data, k=2, scope_task_ids=[10, 11, 13])
    assert (2, 10) in {(op["person"], op["task"]) for op in everyone.ops}
    without_2 = cross_train(data, k=2, scope_task_ids=[10, 11, 13],
                            available_person_ids=[1, 3, 4, 5])
    assert [(op["person"], op["task"]) for op in without_2.ops] == [(3, 10), (5, 13)]
    without_teacher = cross_train(data, k=2, scope_task_ids=[13],
                                  available_person_ids=[1, 2, 3, 5])
    assert (without_teacher.reason, without_teacher.infeasible_tasks) == ("no_teacher", (13,))


def test_without_a_goal_there_is_nothing_to_propose() -> None:
    assert cross_train(office(), k=None).reason == "no_goal"


# ---- brute force ------------------------------------------------------------------------------

@st.composite
def small_rounds(draw: st.DrawFn) -> SurveyData:
    n_people = draw(st.integers(2, 4))
    n_tasks = draw(st.integers(1, 3))
    hours, capability = [], []
    for t in range(n_tasks):
        doer = draw(st.integers(1, n_people))
        hours.append((doer, t + 10, float(draw(st.integers(5, 40)))))
        for p in range(1, n_people + 1):
            level = draw(st.integers(0, 4))
            if p == doer:
                level = max(level, 3)
            capability.append((p, t + 10, level))
    capacities = [draw(st.sampled_from([50.0, 60.0, 80.0])) for _ in range(n_people)]
    return survey(
        people=[person(p + 1, 1, "G2", capacities[p]) for p in range(n_people)],
        tasks=[task(t + 10, "総務", draw(st.integers(1, 5))) for t in range(n_tasks)],
        hours=hours, capability=capability)


def candidates(data: SurveyData) -> list[tuple[int, int, float]]:
    """The candidate pairs as the module documents them, written again independently."""
    result = analyze(data)
    level = {(p, t): lv for p, t, lv in data.capability.iter_rows()}
    people = {p.person_id: p for p in result.people}
    fn = {t.task_id: t.function for t in result.tasks}
    works = {(p, fn[t]) for p, t, _h in data.hours.iter_rows()}
    found = []
    for t in result.tasks:
        if t.hours <= 0 or not any(level.get((p, t.task_id), 0) >= 4 for p in people):
            continue
        for p, x in people.items():
            lv = level.get((p, t.task_id))
            if p in t.capable or x.capacity <= 0:
                continue
            if (p, t.function) not in works and lv is None:
                continue
            hours = training_hours(t.difficulty, lv or 0)
            if hours <= max(0.0, x.capacity - x.load) * 3:
                found.append((p, t.task_id, hours))
    return found


def brute_force(data: SurveyData, k: int) -> float | None:
    """The fewest pairs over every subset of the candidate pairs that gives each task k
    capable people within everyone's spare time (None: no subset does)."""
    result = analyze(data)
    people = {p.person_id: p for p in result.people}
    capable = {t.task_id: len(t.capable) for t in result.tasks if t.hours > 0}
    pairs = candidates(data)
    subsets = chain.from_iterable(combinations(pairs, r) for r in range(len(pairs) + 1))
    for chosen in subsets:  # by size, smallest first
        count = dict(capable)
        used: dict[int, float] = defaultdict(float)
        for p, t, h in chosen:
            count[t] += 1
            used[p] += h
        if all(c >= k for c in count.values()) and all(
                used[p] <= max(0.0, people[p].capacity - people[p].load) * 3 + 1e-9
                for p in used):
            return float(len(chosen))
    return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_rounds(), st.integers(2, 3))
def test_cross_training_matches_every_subset_of_candidate_pairs(data: SurveyData,
                                                                k: int) -> None:
    proposal = cross_train(data, k=k)
    best = brute_force(data, k)
    if best is None:
        assert proposal.status == "infeasible" and proposal.infeasible_tasks
    else:
        assert proposal.status == "optimal"
        assert proposal.objective == best
        verify(data, proposal, k=k)


def exhaustive_bus_factor(hours: dict[int, float], capable: dict[int, set[int]]) -> int | None:
    """The smallest set of people whose departure leaves more than half the hours with
    nobody capable, by trying every set."""
    people = sorted(set().union(*capable.values()))
    total = sum(hours.values())
    for size in range(len(people) + 1):
        for gone in combinations(people, size):
            left = sum(h for t, h in hours.items() if capable[t] <= set(gone))
            if left > total / 2:
                return size
    return None


def brute_force_target(data: SurveyData, target: int) -> float | None:
    result = analyze(data)
    people = {p.person_id: p for p in result.people}
    hours = {t.task_id: t.hours for t in result.tasks if t.hours > 0}
    pairs = candidates(data)
    subsets = chain.from_iterable(combinations(pairs, r) for r in range(len(pairs) + 1))
    for chosen in subsets:
        capable = {t.task_id: set(t.capable) for t in result.tasks if t.hours > 0}
        used: dict[int, float] = defaultdict(float)
        for p, t, h in chosen:
            capable[t].add(p)
            used[p] += h
        if any(used[p] > max(0.0, people[p].capacity - people[p].load) * 3 + 1e-9
               for p in used):
            continue
        value = exhaustive_bus_factor(hours, capable)
        if value is None or value >= target:
            return float(len(chosen))
    return None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_rounds(), st.integers(2, 3))
def test_a_bus_factor_target_matches_every_subset_of_candidate_pairs(data: SurveyData,
                                                                     target: int) -> None:
    proposal = cross_train(data, k=None, bus_factor_target=target)
    best = brute_force_target(data, target)
    if best is None:
        assert proposal.status == "infeasible"
    else:
        assert proposal.status == "optimal", proposal
        assert proposal.objective == best
        verify(data, proposal, target=target)


# ---- a department, as the analysis defines it -------------------------------------------------

@st.composite
def department_rounds(draw: st.DrawFn) -> SurveyData:
    """Two departments, two functions, tasks nobody rated and pairs without a rating."""
    n_people = draw(st.integers(2, 5))
    n_tasks = draw(st.integers(1, 4))
    hours, capability = [], []
    for t in range(n_tasks):
        rated = draw(st.booleans())
        for p in range(1, n_people + 1):
            if draw(st.integers(0, 2)) == 0:
                hours.append((p, t + 10, float(draw(st.integers(5, 40)))))
            if rated and draw(st.booleans()):
                capability.append((p, t + 10, draw(st.integers(0, 4))))
    return survey(
        people=[person(p, draw(st.sampled_from([1, 2])), "G2",
                       draw(st.sampled_from([50.0, 80.0, 160.0])))
                for p in range(1, n_people + 1)],
        tasks=[task(t + 10, draw(st.sampled_from(["総務", "経理"])), draw(st.integers(1, 5)))
               for t in range(n_tasks)],
        hours=hours, capability=capability)


def department_brute_force(data: SurveyData, department: int, target: int) -> float | None:
    """The fewest pairs reaching the department's target, over every subset of the pairs a
    department may train, written again from the analysis' definition of a department's bus
    factor: its people's hours on their tasks, only its people capable; learners are its
    people (not capable yet, working in the task's function or rated on it, with a teacher
    at level 4 and the spare time)."""
    result = analyze(data)
    people = {p.person_id: p for p in result.people}
    members = set(data.people.filter(data.people["department_id"] == department)["person_id"])
    level = {(p, t): lv for p, t, lv in data.capability.iter_rows()}
    fn = {t.task_id: t.function for t in result.tasks}
    works = {(p, fn[t]) for p, t, _h in data.hours.iter_rows()}
    weight: dict[int, float] = defaultdict(float)
    for p, t, h in data.hours.iter_rows():
        if p in members:
            weight[t] += h
    capable = {t.task_id: set(t.capable) & members for t in result.tasks
               if weight.get(t.task_id, 0) > 0}
    pairs = [
        (p, t, training_hours(task_.difficulty, level.get((p, t), 0)))
        for task_ in result.tasks if (t := task_.task_id) in capable
        and any(level.get((q, t), 0) >= 4 for q in people)
        for p in sorted(members) if p not in task_.capable and people[p].capacity > 0
        and ((p, task_.function) in works or (p, t) in level)]
    spare = {p: max(0.0, x.capacity - x.load) * 3 for p, x in people.items()}
    pairs = [pair for pair in pairs if pair[2] <= spare[pair[0]] + 1e-9]
    for chosen in chain.from_iterable(combinations(pairs, r) for r in range(len(pairs) + 1)):
        trained = {t: set(c) for t, c in capable.items()}
        used: dict[int, float] = defaultdict(float)
        for p, t, h in chosen:
            trained[t].add(p)
            used[p] += h
        if any(used[p] > spare[p] + 1e-9 for p in used):
            continue
        value = exhaustive_bus_factor(dict(weight), trained)
        if value is None or value >= target:
            return float(len(chosen))
    return None


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(department_rounds(), st.sampled_from([1, 2]), st.integers(2, 3))
def test_a_department_target_is_the_analysis_department_bus_factor(
        data: SurveyData, department: int, target: int) -> None:
    if department_factor(data, department) is None:
        return  # the department has no hours in this round
    proposal = cross_train(data, k=None, bus_factor_target=target, department_id=department)
    best = department_brute_force(data, department, target)
    if best is None:
        assert proposal.status == "infeasible", proposal
        return
    assert proposal.status == "optimal", proposal
    assert proposal.objective == best
    assert proposal.details["verified"] is True
    members = set(data.people.filter(data.people["department_id"] == department)["person_id"])
    assert {op["person"] for op in proposal.ops} <= members
    after = department_factor(apply(data, parse(list(proposal.ops))).data, department)
    assert after is None or after >= target
    assert proposal.details["bus_factor"] == after
