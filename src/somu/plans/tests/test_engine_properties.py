"""Properties of scenarios on random small rounds and random operations (pure, Hypothesis):
the fast recompute agrees with the full analysis of the applied data, and hours are accounted
for."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from somu.plans.engine.ops import OpsError, apply, parse
from somu.plans.engine.scenario import RECOMPUTE_OPTIONS, recompute, summary
from somu.survey.analysis import AnalysisOptions, SurveyData, analyze
from somu.survey.analysis.frames import prepare
from somu.survey.tests.test_analysis_metrics import person, survey, task

PEOPLE = (1, 2, 3, 4)
TASKS = (10, 11, 12, 13)


@st.composite
def rounds(draw: st.DrawFn) -> SurveyData:
    hours, capability = [], []
    for t in TASKS:
        rated = draw(st.booleans())  # a task nobody rated: its doers count as capable
        for p in PEOPLE:
            if draw(st.integers(0, 2)) == 0:
                hours.append((p, t, float(draw(st.integers(1, 40)))))
            level = draw(st.integers(-8, 4)) if rated else -1  # many unrated pairs
            if level >= 0:
                capability.append((p, t, level))
    return survey(
        people=[person(p, 100 + p % 2, draw(st.sampled_from(["G1", "G2", "G3", None])),
                       draw(st.sampled_from([0.0, 80.0, 160.0]))) for p in PEOPLE],
        tasks=[task(t, draw(st.sampled_from(["総務", "経理"])), draw(st.integers(1, 5)))
               for t in TASKS],
        hours=hours, capability=capability)


someone = st.one_of(st.sampled_from(PEOPLE), st.just("new-1"))
operations = st.lists(st.one_of(
    st.fixed_dictionaries({"op": st.just("move"), "task": st.sampled_from(TASKS),
                           "from": someone, "to": someone,
                           "hours": st.integers(1, 8).map(float)}),
    st.fixed_dictionaries({"op": st.just("train"), "person": someone,
                           "task": st.sampled_from(TASKS), "level": st.integers(1, 4)}),
    st.fixed_dictionaries({"op": st.just("drop"), "task": st.sampled_from(TASKS)}),
    st.fixed_dictionaries({"op": st.just("outsource"), "task": st.sampled_from(TASKS),
                           "hours": st.one_of(st.none(), st.integers(1, 20).map(float)),
                           "how": st.sampled_from(["outsource", "automate"])}),
    st.fixed_dictionaries({"op": st.just("retire"), "person": someone}),
), min_size=2, max_size=6).map(
    lambda ops: [{"op": "hire", "key": "new-1", "grade": "G1"}, *ops])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds(), operations)
def test_recompute_agrees_with_the_full_analysis_and_hours_are_accounted_for(
        data: SurveyData, raw: list[dict[str, Any]]) -> None:
    try:
        ops = parse(raw)
        applied, figures = recompute(data, ops)
    except OpsError as error:
        assert error.problems  # refused, with a reason
        event(f"refused: {error.problems[0].code}")
        return
    event(f"applied {len(raw)} operations")
    assert figures == summary(analyze(applied.data, RECOMPUTE_OPTIONS), applied)
    before = analyze(data).totals.hours
    assert figures.total_hours == pytest.approx(
        before - applied.dropped_hours - applied.moved_out_hours - applied.unassigned_hours,
        abs=1e-6)
    assert apply(data, ops).data.hours.equals(applied.data.hours)  # deterministic


def expected_after(data: SurveyData, raw: list[dict[str, Any]]) -> tuple[
        set[int], dict[tuple[int, int], float], dict[int, set[int]]]:
    """What the operations promise, worked out by hand from the round's rows and not from the
    engine: the people, the hours (person, task) and each task's capable set.

    Capable sets start as the analysis defines them (level >= 3 on a rated task, the doers of
    a task nobody rated); a move changes nobody's capability; a training to level 3 or more
    adds the person; a retirement removes the person; a drop, or moving out all the hours,
    removes the task."""
    people = set(data.people["person_id"].to_list())
    hours = {(p, t): h for p, t, h in data.hours.iter_rows()}
    rated = {t for _p, t, _lv in data.capability.iter_rows()}
    capable = {t: ({p for p, t2, lv in data.capability.iter_rows() if t2 == t and lv >= 3}
                   if t in rated else {p for (p, t2) in hours if t2 == t}) for t in TASKS}
    ids: dict[Any, int] = {}

    def pid(ref: Any) -> int:
        return ids[ref] if isinstance(ref, str) else int(ref)

    for op in raw:
        kind = op["op"]
        if kind == "hire":
            ids[op["key"]] = max(people | set(PEOPLE)) + 1 + len(ids)
            people.add(ids[op["key"]])
        elif kind == "move":
            t, source, to = op["task"], pid(op["from"]), pid(op["to"])
            hours[(source, t)] -= op["hours"]
            if hours[(source, t)] <= 1e-6:
                del hours[(source, t)]
            hours[(to, t)] = hours.get((to, t), 0.0) + op["hours"]
        elif kind == "train":
            if op["level"] >= 3:
                capable[op["task"]].add(pid(op["person"]))
        elif kind == "retire":
            gone = pid(op["person"])
            people.discard(gone)
            hours = {k: h for k, h in hours.items() if k[0] != gone}
            for members in capable.values():
                members.discard(gone)
        else:  # drop, outsource
            t = op["task"]
            total = sum(h for (_p, t2), h in hours.items() if t2 == t)
            if kind == "drop" or op["hours"] is None or op["hours"] >= total - 1e-6:
                hours = {k: h for k, h in hours.items() if k[1] != t}
                capable.pop(t, None)
            else:
                keep = 1.0 - op["hours"] / total
                hours = {k: (h * keep if k[1] == t else h) for k, h in hours.items()}
    return people, hours, capable


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rounds(), operations)
def test_each_operation_does_to_the_round_what_it_promises(
        data: SurveyData, raw: list[dict[str, Any]]) -> None:
    try:
        applied = apply(data, parse(raw))
    except OpsError:
        return
    people, hours, capable = expected_after(data, raw)
    fr = prepare(applied.data, AnalysisOptions())
    assert set(fr.people["person_id"].to_list()) == people
    got = {(p, t): h for p, t, h in fr.hours.select("person_id", "task_id", "hours").iter_rows()}
    assert got.keys() == hours.keys()
    assert all(got[k] == pytest.approx(hours[k], abs=1e-6) for k in hours)
    read = {t: set(c) for t, c in fr.tasks.select("task_id", "capable").iter_rows()}
    for t in {t for _p, t in hours}:  # every task still with hours
        assert read[t] == capable[t], (t, raw)
