"""The scenario operations: their JSON shape, what each does to a round, and the codes of the
problems they can have (pure, no database)."""

from __future__ import annotations

from typing import Any

import pytest

from somu.plans.engine.ops import Applied, OpsError, apply, dump, parse
from somu.survey.analysis import SurveyData, analyze
from somu.survey.tests.test_analysis_metrics import person, survey, task


def office() -> SurveyData:
    """Three people, three tasks.

        task 10 総務 d2   1: 20 h, 2: 10 h   capability 1: 4, 2: 3, 3: 1
        task 11 経理 d4   1: 30 h            capability 1: 4, 3: 2
        task 12 総務 d3   3: 40 h            nobody rated: the doers (3) are capable
    """
    return survey(
        people=[person(1, 100, "G3"), person(2, 100, "G1"), person(3, 200, "G2", 80.0)],
        tasks=[task(10, "総務", 2), task(11, "経理", 4), task(12, "総務", 3)],
        hours=[(1, 10, 20.0), (2, 10, 10.0), (1, 11, 30.0), (3, 12, 40.0)],
        capability=[(1, 10, 4), (2, 10, 3), (3, 10, 1), (1, 11, 4), (3, 11, 2)],
    )


def run(*raw: dict[str, Any]) -> Applied:
    return apply(office(), parse(list(raw)))


def hours_of(applied: Applied) -> dict[tuple[int, int], float]:
    return {(p, t): h for p, t, h in applied.data.hours.iter_rows()}


def levels_of(applied: Applied) -> dict[tuple[int, int], int]:
    return {(p, t): lv for p, t, lv in applied.data.capability.iter_rows()}


def problem(raw: Any, data: SurveyData | None = None) -> tuple[Any, ...]:
    with pytest.raises(OpsError) as caught:
        apply(data or office(), parse(raw))
    first = caught.value.problems[0]
    return first.index, first.field, first.code, dict(first.params)


def test_dump_writes_back_the_shape_parse_reads() -> None:
    raw = [
        {"op": "hire", "key": "new-1", "name": "採用予定 1", "grade": "G2", "capacity": 160.0},
        {"op": "move", "task": 10, "from": 1, "to": "new-1", "hours": 5.0},
        {"op": "train", "person": 3, "task": 11, "level": 3},
        {"op": "drop", "task": 12},
        {"op": "outsource", "task": 11, "hours": None, "how": "automate"},
        {"op": "retire", "person": 2},
    ]
    assert dump(parse(raw)) == raw


def test_parse_reads_digit_strings_as_ids_and_fills_the_hire_defaults() -> None:
    ops = parse([{"op": "move", "task": "10", "from": "1", "to": "2", "hours": "2.5"},
                 {"op": "hire", "key": "new-3"},
                 {"op": "outsource", "task": 11}])
    assert dump(ops) == [
        {"op": "move", "task": 10, "from": 1, "to": 2, "hours": 2.5},
        {"op": "hire", "key": "new-3", "name": "new-3", "grade": None, "capacity": 160.0},
        {"op": "outsource", "task": 11, "hours": None, "how": "outsource"},
    ]


@pytest.mark.parametrize(("raw", "expected"), [
    ({"not": "a list"}, (None, "", "not_a_list", {})),
    ([3], (0, "", "not_an_object", {})),
    ([{"op": "swap"}], (0, "op", "unknown_op", {"op": "swap"})),
    ([{"op": "move", "task": 10, "from": 1, "to": 2}], (0, "hours", "missing", {})),
    ([{"op": "drop", "task": 10, "why": "x"}], (0, "why", "unexpected", {})),
    ([{"op": "drop", "task": -4}], (0, "task", "not_an_id", {"value": -4})),
    ([{"op": "retire", "person": "someone"}], (0, "person", "not_a_person",
                                               {"value": "someone"})),
    ([{"op": "move", "task": 10, "from": 1, "to": 2, "hours": 0}],
     (0, "hours", "not_positive", {"value": 0})),
    ([{"op": "move", "task": 10, "from": 1, "to": 2, "hours": "lots"}],
     (0, "hours", "not_a_number", {"value": "lots"})),
    ([{"op": "train", "person": 3, "task": 10, "level": 5}],
     (0, "level", "level_range", {"value": 5})),
    ([{"op": "outsource", "task": 10, "how": "offshore"}],
     (0, "how", "invalid_choice", {"value": "offshore"})),
    ([{"op": "hire", "key": "bob"}], (0, "key", "invalid_key", {"value": "bob"})),
    ([{"op": "hire", "key": "new-1"}, {"op": "hire", "key": "new-1"}],
     (1, "key", "duplicate_key", {"key": "new-1"})),
    # "op" that is not a string (a list or an object) is an unknown operation, not a crash
    ([{"op": ["move"]}], (0, "op", "unknown_op", {"op": ["move"]})),
    ([{"op": {"a": 1}}], (0, "op", "unknown_op", {"op": {"a": 1}})),
    # an integer too large for a float (JSON 1e400 written out) is not a number
    ([{"op": "move", "task": 10, "from": 1, "to": 2, "hours": 10**400}],
     (0, "hours", "not_a_number", {"value": 10**400})),
    ([{"op": "hire", "key": "new-1", "capacity": 10**400}],
     (0, "capacity", "not_a_number", {"value": 10**400})),
    # a hire's bounds are the parser's, so the API refuses what the page's form refuses
    ([{"op": "hire", "key": "new-1", "capacity": 400.5}],
     (0, "capacity", "too_large", {"value": 400.5, "max": 400})),
    ([{"op": "hire", "key": "new-1", "capacity": 1e300}],
     (0, "capacity", "too_large", {"value": 1e300, "max": 400})),
    ([{"op": "hire", "key": "new-1", "name": "あ" * 61}],
     (0, "name", "too_long", {"max": 60})),
    ([{"op": "hire", "key": "new-1", "name": {"a": 1}}], (0, "name", "not_text", {})),
])
def test_malformed_operations_get_a_code_naming_the_field(raw: Any,
                                                           expected: tuple[Any, ...]) -> None:
    with pytest.raises(OpsError) as caught:
        parse(raw)
    first = caught.value.problems[0]
    assert (first.index, first.field, first.code, dict(first.params)) == expected


def test_a_hire_at_the_bounds_is_accepted() -> None:
    [hire] = parse([{"op": "hire", "key": "new-1", "name": "あ" * 60, "capacity": 400}])
    assert dump([hire]) == [{"op": "hire", "key": "new-1", "name": "あ" * 60, "grade": None,
                             "capacity": 400.0}]


def test_parse_lists_every_malformed_operation_not_only_the_first() -> None:
    with pytest.raises(OpsError) as caught:
        parse([{"op": "drop"}, {"op": "drop", "task": 10}, {"op": "retire"}])
    assert [(p.index, p.code) for p in caught.value.problems] == [(0, "missing"), (2, "missing")]


def test_a_move_takes_hours_from_one_person_and_gives_them_to_another() -> None:
    applied = run({"op": "move", "task": 10, "from": 1, "to": 2, "hours": 15})
    assert hours_of(applied) == {(1, 10): 5.0, (2, 10): 25.0, (1, 11): 30.0, (3, 12): 40.0}
    assert applied.needs_training == ()


def test_moving_all_of_a_persons_hours_leaves_no_row_behind() -> None:
    applied = run({"op": "move", "task": 10, "from": 2, "to": 1, "hours": 10})
    assert hours_of(applied)[(1, 10)] == 30.0
    assert (2, 10) not in hours_of(applied)


def test_a_move_to_someone_not_capable_is_allowed_and_flagged_as_needing_training() -> None:
    applied = run({"op": "move", "task": 11, "from": 1, "to": 3, "hours": 10})
    assert hours_of(applied)[(3, 11)] == 10.0
    [flag] = applied.needs_training
    assert (flag.index, flag.code, dict(flag.params)) == (
        0, "needs_training", {"person": 3, "task": 11, "level": 2})
    # …and the analysis of the scenario still sees only person 1 as capable of it.
    result = analyze(applied.data)
    assert next(t for t in result.tasks if t.task_id == 11).capable == (1,)


def test_a_move_onto_a_task_nobody_rated_keeps_the_doers_capable_and_not_the_newcomer() -> None:
    applied = run({"op": "move", "task": 12, "from": 3, "to": 1, "hours": 10})
    assert [f.code for f in applied.needs_training] == ["needs_training"]
    result = analyze(applied.data)
    assert next(t for t in result.tasks if t.task_id == 12).capable == (3,)


def test_a_move_of_more_hours_than_the_person_has_is_refused_with_what_they_have() -> None:
    assert problem([{"op": "move", "task": 10, "from": 2, "to": 1, "hours": 12}]) == (
        0, "hours", "hours_exceed", {"hours": 12.0, "available": 10.0, "person": 2, "task": 10})


def test_hours_are_checked_at_that_point_of_the_scenario() -> None:
    raw = [{"op": "move", "task": 10, "from": 2, "to": 1, "hours": 8},
           {"op": "move", "task": 10, "from": 2, "to": 3, "hours": 3}]
    assert problem(raw)[:3] == (1, "hours", "hours_exceed")
    assert problem(raw)[3]["available"] == pytest.approx(2.0)


@pytest.mark.parametrize(("raw", "expected"), [
    ([{"op": "move", "task": 10, "from": 1, "to": 99, "hours": 1}],
     (0, "to", "unknown_person", {"person": 99})),
    ([{"op": "move", "task": 10, "from": 1, "to": "new-1", "hours": 1}],
     (0, "to", "unknown_person", {"person": "new-1"})),
    ([{"op": "drop", "task": 77}], (0, "task", "unknown_task", {"task": 77})),
    ([{"op": "hire", "key": "new-1"}, {"op": "retire", "person": 4}],
     (1, "person", "unknown_person", {"person": 4})),  # a hire is named by its key only
    ([{"op": "move", "task": 10, "from": 1, "to": 1, "hours": 1}],
     (0, "to", "same_person", {"person": 1})),
    ([{"op": "hire", "key": "new-1", "grade": "G9"}],
     (0, "grade", "unknown_grade", {"grade": "G9"})),
    ([{"op": "train", "person": 2, "task": 10, "level": 3}],
     (0, "level", "level_not_higher", {"level": 3, "current": 3})),
    ([{"op": "retire", "person": 2}, {"op": "move", "task": 10, "from": 1, "to": 2, "hours": 1}],
     (1, "to", "retired_person", {"person": 2})),
    ([{"op": "drop", "task": 12}, {"op": "train", "person": 1, "task": 12, "level": 3}],
     (1, "task", "task_gone", {"task": 12})),
    ([{"op": "outsource", "task": 11, "hours": 31}],
     (0, "hours", "hours_exceed", {"hours": 31.0, "available": 30.0, "person": None,
                                    "task": 11})),
])
def test_operations_that_do_not_fit_the_round_are_refused_with_a_code(
        raw: Any, expected: tuple[Any, ...]) -> None:
    assert problem(raw) == expected


def test_training_raises_the_level_and_can_make_someone_capable() -> None:
    applied = run({"op": "train", "person": 3, "task": 11, "level": 3})
    assert levels_of(applied)[(3, 11)] == 3
    assert next(t for t in analyze(applied.data).tasks if t.task_id == 11).capable == (1, 3)


def test_training_on_a_task_nobody_rated_rates_its_doers_capable_first() -> None:
    applied = run({"op": "train", "person": 1, "task": 12, "level": 3})
    assert levels_of(applied)[(3, 12)] == 3
    assert next(t for t in analyze(applied.data).tasks if t.task_id == 12).capable == (1, 3)


def test_dropping_a_task_removes_it_from_the_analysis_and_counts_its_hours() -> None:
    applied = run({"op": "drop", "task": 11})
    assert applied.dropped_hours == 30.0
    assert 11 not in {t.task_id for t in analyze(applied.data).tasks}
    assert applied.data.capability.filter(applied.data.capability["task_id"] == 11).height == 0


def test_outsourcing_part_of_a_task_takes_it_from_the_doers_in_proportion() -> None:
    applied = run({"op": "outsource", "task": 10, "hours": 6, "how": "outsource"})
    assert hours_of(applied)[(1, 10)] == pytest.approx(16.0)
    assert hours_of(applied)[(2, 10)] == pytest.approx(8.0)
    assert (applied.outsourced_hours, applied.automated_hours) == (6.0, 0.0)
    assert applied.moved_out_hours == 6.0


def test_automating_all_of_a_task_removes_it_like_dropping_it() -> None:
    applied = run({"op": "outsource", "task": 12, "how": "automate"})
    assert applied.automated_hours == 40.0
    assert 12 not in {t.task_id for t in analyze(applied.data).tasks}


def test_a_hire_is_a_new_person_that_later_operations_name_by_key() -> None:
    applied = run({"op": "hire", "key": "new-1", "name": "採用予定 1", "grade": "G1",
                   "capacity": 120},
                  {"op": "train", "person": "new-1", "task": 10, "level": 3},
                  {"op": "move", "task": 10, "from": 1, "to": "new-1", "hours": 20})
    assert applied.hires == {"new-1": 4}  # after the round's largest id, 3
    hired = applied.data.people.filter(applied.data.people["person_id"] == 4).row(0, named=True)
    assert (hired["name"], hired["grade"], hired["capacity"]) == ("採用予定 1", "G1", 120.0)
    assert hours_of(applied)[(4, 10)] == 20.0
    assert applied.needs_training == ()


def test_a_retirement_removes_the_person_and_reports_their_hours_as_unassigned() -> None:
    applied = run({"op": "retire", "person": 1})
    assert sorted(applied.unassigned) == [(10, 20.0), (11, 30.0)]
    assert applied.unassigned_hours == 50.0
    assert 1 not in applied.data.people["person_id"].to_list()
    result = analyze(applied.data)
    assert next(t for t in result.tasks if t.task_id == 11).capable == ()


def rated_by_one() -> SurveyData:
    """Task 10 is rated: 1 at level 4 (40 h); 2 does 10 h on it without a rating, so only 1
    is capable of it. Task 11: 2 at level 3."""
    return survey(
        people=[person(1, 100, "G2"), person(2, 100, "G2"), person(3, 100, "G2")],
        tasks=[task(10, "総務", 3), task(11, "総務", 1)],
        hours=[(1, 10, 40.0), (2, 10, 10.0), (2, 11, 30.0)],
        capability=[(1, 10, 4), (2, 11, 3)],
    )


def capable_of(applied: Applied, task_id: int) -> tuple[int, ...]:
    return next(t.capable for t in analyze(applied.data).tasks if t.task_id == task_id)


def test_retiring_the_only_rated_person_does_not_make_the_unrated_doers_capable() -> None:
    applied = apply(rated_by_one(), parse([{"op": "retire", "person": 1}]))
    assert capable_of(applied, 10) == ()  # 2 still does it, still without the capability


@pytest.mark.parametrize("then", [
    {"op": "move", "task": 10, "from": 2, "to": 3, "hours": 5},
    {"op": "train", "person": 3, "task": 10, "level": 2},
])
def test_after_the_raters_retire_a_move_or_a_training_rates_nobody_capable_by_itself(
        then: dict[str, Any]) -> None:
    applied = apply(rated_by_one(), parse([{"op": "retire", "person": 1}, then]))
    assert capable_of(applied, 10) == ()


def test_no_operations_leave_the_analysis_as_it_was_apart_from_seasonality() -> None:
    data = survey(
        people=[person(1, 100, "G3"), person(2, 100, "G1")],
        tasks=[task(10, "総務", 2)],
        hours=[(1, 10, 20.0), (2, 10, 10.0)],
        capability=[(1, 10, 4)],
        monthly=[(1, 10, 3, 30.0)],
    )
    before, after = analyze(data), analyze(apply(data, []).data)
    assert (before.dependency, before.people, before.qualification, before.bus_factors) == (
        after.dependency, after.people, after.qualification, after.bus_factors)
    assert after.seasonality.entries == 0
