"""A scenario's figures and their comparison with the baseline (pure, no database)."""

from __future__ import annotations

import pytest

from somu.plans.engine.ops import OpsError, apply, parse
from somu.plans.engine.scenario import (
    RECOMPUTE_OPTIONS,
    compare,
    recompute,
    summary,
)
from somu.plans.tests.test_engine_ops import office
from somu.survey.analysis import analyze


def test_recompute_gives_the_figures_of_the_full_analysis_of_the_applied_data() -> None:
    ops = parse([{"op": "hire", "key": "new-1", "grade": "G1"},
                 {"op": "move", "task": 10, "from": 1, "to": "new-1", "hours": 15},
                 {"op": "outsource", "task": 12, "hours": 10},
                 {"op": "retire", "person": 2}])
    applied, figures = recompute(office(), ops)
    assert figures == summary(analyze(applied.data, RECOMPUTE_OPTIONS), applied)


def test_the_baseline_figures_are_the_analysis_own() -> None:
    _applied, base = recompute(office(), [])
    result = analyze(office())
    assert base.dependency_rate_by_count == result.dependency.rate_by_count
    assert base.dependency_rate_by_hours == result.dependency.rate_by_hours
    assert base.total_hours == 100.0 and base.total_cost == result.totals.cost
    assert [(line.person_id, line.load) for line in base.people] == [
        (1, 50.0), (3, 40.0), (2, 10.0)]
    assert base.max_utilization == 0.5  # person 3: 40 h of 80
    assert base.over_qualified_hours == result.qualification.over_hours
    assert (base.moved_out_hours, base.unassigned_hours) == (0.0, 0.0)


def test_training_a_second_person_lowers_dependency_and_compare_calls_it_better() -> None:
    _a, base = recompute(office(), [])
    _b, trained = recompute(office(), parse([
        {"op": "train", "person": 3, "task": 11, "level": 3},
        {"op": "train", "person": 1, "task": 12, "level": 4}]))
    assert (base.dependent_tasks, trained.dependent_tasks) == (2, 0)
    lines = {line.key: line for line in compare(base, trained)}
    rate = lines["dependency_rate_by_count"]
    assert (rate.before, rate.after, rate.better) == (pytest.approx(2 / 3), 0.0, True)
    general = lines["bus_factor:function:総務"]  # 40 of its 70 h were person 3's alone
    assert (general.label, general.before, general.after) == ("総務", 1.0, 2.0)
    assert general.better is True
    assert lines["total_hours"].better is None  # unchanged, and neither way is better


def test_overloading_someone_is_a_deterioration_with_the_person_flagged() -> None:
    _a, base = recompute(office(), [])
    _b, moved = recompute(office(), parse(
        [{"op": "move", "task": 11, "from": 1, "to": 3, "hours": 30},
         {"op": "move", "task": 10, "from": 1, "to": 3, "hours": 20}]))
    lines = {line.key: line for line in compare(base, moved)}
    assert (lines["overloaded"].before, lines["overloaded"].after) == (0.0, 1.0)
    assert lines["overloaded"].better is False
    assert lines["max_utilization"].after == pytest.approx(90 / 80)
    assert lines["max_utilization"].better is False
    three = next(line for line in moved.people if line.person_id == 3)
    assert (three.load, three.capacity, three.overloaded) == (90.0, 80.0, True)


def test_a_hire_appears_among_the_people_with_its_key() -> None:
    _a, figures = recompute(office(), parse([{"op": "hire", "key": "new-2", "name": "採用"}]))
    hired = next(line for line in figures.people if line.hire_key is not None)
    assert (hired.person_id, hired.hire_key, hired.name, hired.load, hired.capacity) == (
        4, "new-2", "採用", 0.0, 160.0)


def test_moved_out_and_unassigned_hours_are_reported() -> None:
    _a, figures = recompute(office(), parse([
        {"op": "outsource", "task": 12, "hours": 10, "how": "automate"},
        {"op": "retire", "person": 2}]))
    assert (figures.moved_out_hours, figures.unassigned_hours) == (10.0, 10.0)
    assert figures.total_hours == 80.0


def test_recompute_refuses_what_apply_refuses() -> None:
    with pytest.raises(OpsError):
        recompute(office(), parse([{"op": "drop", "task": 5}]))
    assert apply(office(), []).needs_training == ()


def test_recompute_takes_the_operations_as_stored_json_too() -> None:
    raw = [{"op": "move", "task": 10, "from": 1, "to": 2, "hours": 5}]
    assert recompute(office(), raw)[1] == recompute(office(), parse(raw))[1]
    with pytest.raises(OpsError) as caught:
        recompute(office(), [{"op": "move", "task": 10}])
    assert caught.value.problems[0].code == "missing"


def test_a_hire_trained_on_a_task_counts_in_the_bus_factor() -> None:
    _a, base = recompute(office(), [])
    _b, hired = recompute(office(), parse([
        {"op": "hire", "key": "new-1"},
        {"op": "train", "person": "new-1", "task": 12, "level": 3},
        {"op": "train", "person": "new-1", "task": 11, "level": 3}]))
    lines = {line.key: line for line in compare(base, hired)}
    assert lines["dependent_tasks"].after == 0.0
    assert lines["bus_factor:function:総務"].after == 2.0
