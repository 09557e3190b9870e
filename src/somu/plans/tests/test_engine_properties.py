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
from somu.survey.analysis import SurveyData, analyze
from somu.survey.tests.test_analysis_metrics import person, survey, task

PEOPLE = (1, 2, 3, 4)
TASKS = (10, 11, 12, 13)


@st.composite
def rounds(draw: st.DrawFn) -> SurveyData:
    hours, capability = [], []
    for t in TASKS:
        for p in PEOPLE:
            if draw(st.integers(0, 2)) == 0:
                hours.append((p, t, float(draw(st.integers(1, 40)))))
            level = draw(st.integers(-1, 4))
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
