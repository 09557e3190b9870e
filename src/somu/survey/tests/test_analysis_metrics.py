"""The analysis engine's figures on small rounds computed by hand (no database).

Every definition of PRODUCT.md ("Definitions used by the analysis") has a case here, with its
edge cases: a task nobody can do, a person without tasks, a task without capability data, a
department without hours, grades whose bands do not hold a difficulty.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import polars as pl
import pytest

from somu.survey.analysis import (
    CAPABILITY_SCHEMA,
    GRADES_SCHEMA,
    HOURS_SCHEMA,
    MONTHLY_SCHEMA,
    PEOPLE_SCHEMA,
    TASKS_SCHEMA,
    AnalysisOptions,
    AnalysisResult,
    Comparison,
    SurveyData,
    analyze,
    compare,
    from_dict,
    from_snapshot,
    to_dict,
    to_snapshot,
)
from somu.survey.analysis.frames import prepare
from somu.survey.analysis.scopes import bus_factors


def person(pid: int, dept: int | None = None, grade: str | None = None,
           capacity: float = 160.0) -> dict[str, Any]:
    return {"person_id": pid, "employee_number": f"{pid:04d}", "name": f"社員{pid}",
            "department_id": dept, "department": f"本社 / 部{dept}" if dept else "",
            "grade": grade, "capacity": capacity}


def task(tid: int, function: str = "総務", difficulty: int | None = None, *,
         remote_ok: bool = False, outsourceable: bool = False,
         automatable: bool = False) -> dict[str, Any]:
    return {"task_id": tid, "function": function, "category": "大分類", "subcategory": "中分類",
            "name": f"業務{tid}", "difficulty": difficulty, "remote_ok": remote_ok,
            "outsourceable": outsourceable, "automatable": automatable}


GRADES = (("G1", 2500, 1, 2, 1), ("G2", 3500, 2, 3, 2), ("G3", 5000, 3, 5, 3))


def survey(people: Sequence[dict[str, Any]], tasks: Sequence[dict[str, Any]],
           hours: Sequence[tuple[int, int, float]],
           capability: Sequence[tuple[int, int, int]] = (),
           grades: Sequence[tuple[str, int, int, int, int]] = GRADES,
           monthly: Sequence[tuple[int, int, int, float]] = ()) -> SurveyData:
    """A round from plain rows: people and tasks as dicts, the rest as tuples in schema order."""
    return SurveyData(
        people=pl.DataFrame(list(people), schema=PEOPLE_SCHEMA),
        tasks=pl.DataFrame(list(tasks), schema=TASKS_SCHEMA),
        hours=pl.DataFrame(list(hours), schema=HOURS_SCHEMA, orient="row"),
        capability=pl.DataFrame(list(capability), schema=CAPABILITY_SCHEMA, orient="row"),
        grades=pl.DataFrame(list(grades), schema=GRADES_SCHEMA, orient="row"),
        monthly=pl.DataFrame(list(monthly), schema=MONTHLY_SCHEMA, orient="row"),
    )


def small_round() -> SurveyData:
    """Four people in two departments (4 has none and no tasks), four tasks (13 has neither
    hours nor capability, so it is not analysed):

        task 10 総務 d1 remote   1: 20 h, 2: 10 h     capability 1: 4, 2: 3
        task 11 経理 d4          1: 30 h              capability 1: 4, 3: 2
        task 12 総務 d3 (none)   3: 40 h              no capability rows: capable = {3}
    """
    return survey(
        people=[person(1, 100, "G3"), person(2, 100, "G1"), person(3, 200, "G2", 40.0),
                person(4)],
        tasks=[task(10, "総務", 1, remote_ok=True), task(11, "経理", 4),
               task(12, "総務", 3, automatable=True), task(13, "法務", 2)],
        hours=[(1, 10, 20.0), (2, 10, 10.0), (1, 11, 30.0), (3, 12, 40.0)],
        capability=[(1, 10, 4), (2, 10, 3), (1, 11, 4), (3, 11, 2)],
    )


# ---- totals and breakdowns -------------------------------------------------------------------


def test_totals_count_everyone_and_cost_hours_at_the_doers_grade_rate() -> None:
    totals = analyze(small_round()).totals
    assert totals.hours == 100.0
    # 50 h × 5,000 (G3) + 10 h × 2,500 (G1) + 40 h × 3,500 (G2)
    assert totals.cost == 250_000 + 25_000 + 140_000
    assert (totals.people, totals.people_with_hours, totals.tasks) == (4, 3, 3)
    assert totals.capacity == 160 + 160 + 40 + 160
    assert totals.utilization == pytest.approx(100 / 520)


def test_breakdowns_group_hours_by_function_department_and_grade_largest_first() -> None:
    result = analyze(small_round())
    assert [(b.key, b.hours, b.cost, b.people, b.tasks) for b in result.by_function] == [
        ("総務", 70.0, 100_000 + 25_000 + 140_000, 3, 2), ("経理", 30.0, 150_000, 1, 1)]
    assert [(b.key, b.label, b.hours) for b in result.by_department] == [
        ("100", "本社 / 部100", 60.0), ("200", "本社 / 部200", 40.0)]
    assert [(b.key, b.hours, b.share) for b in result.by_grade] == [
        ("G3", 50.0, 0.5), ("G2", 40.0, 0.4), ("G1", 10.0, 0.1)]


def test_people_without_department_or_grade_get_the_placeholder_labels() -> None:
    data = survey(people=[person(1), person(2, 5, "G1")], tasks=[task(1)],
                  hours=[(1, 1, 8.0), (2, 1, 2.0)])
    result = analyze(data)
    assert [(b.key, b.label, b.cost) for b in result.by_department] == [
        ("", "(所属なし)", 0), ("5", "本社 / 部5", 5_000)]
    assert [(b.key, b.label) for b in result.by_grade] == [("", "(等級なし)"), ("G1", "G1")]


def test_people_are_listed_by_load_including_those_without_tasks() -> None:
    people = analyze(small_round()).people
    assert [(p.person_id, p.load, p.tasks) for p in people] == [
        (1, 50.0, 2), (3, 40.0, 1), (2, 10.0, 1), (4, 0.0, 0)]
    assert people[0].by_function == {"総務": 20.0, "経理": 30.0}
    assert people[3].by_function == {}
    overloaded = next(p for p in people if p.person_id == 3)  # 40 h of 40
    assert (overloaded.utilization, overloaded.overloaded) == (1.0, False)


def test_utilization_above_capacity_is_overload_and_zero_capacity_never_is() -> None:
    data = survey(people=[person(1, capacity=10.0), person(2, capacity=0.0)], tasks=[task(1)],
                  hours=[(1, 1, 10.5), (2, 1, 3.0)])
    people = {p.person_id: p for p in analyze(data).people}
    assert (people[1].utilization, people[1].overloaded) == (1.05, True)
    assert (people[2].utilization, people[2].overloaded) == (0.0, False)


def test_tasks_form_a_pareto_curve_and_capability_only_tasks_come_last() -> None:
    data = survey(people=[person(1), person(2)], tasks=[task(1), task(2), task(3), task(4)],
                  hours=[(1, 1, 30.0), (2, 2, 10.0), (1, 3, 10.0)],
                  capability=[(2, 4, 3)])
    tasks = analyze(data).tasks
    assert [(t.task_id, t.share, t.cumulative_share) for t in tasks] == [
        (1, 0.6, 0.6), (2, 0.2, 0.8), (3, 0.2, 1.0), (4, 0.0, 1.0)]


def test_tasks_with_neither_hours_nor_capability_are_not_analysed() -> None:
    result = analyze(small_round())
    assert 13 not in [t.task_id for t in result.tasks]
    assert result.dependency.tasks == 3


def test_rows_naming_unknown_people_or_tasks_and_zero_hours_are_ignored() -> None:
    data = survey(people=[person(1)], tasks=[task(1)],
                  hours=[(1, 1, 5.0), (9, 1, 50.0), (1, 9, 50.0), (1, 1, 0.0)],
                  capability=[(9, 1, 4)])
    result = analyze(data)
    assert result.totals.hours == 5.0
    assert result.tasks[0].capable == (1,)


def test_duplicate_rows_add_their_hours_and_keep_the_highest_level() -> None:
    data = survey(people=[person(1), person(2)], tasks=[task(1)],
                  hours=[(1, 1, 5.0), (1, 1, 2.5)], capability=[(2, 1, 1), (2, 1, 3)])
    result = analyze(data)
    assert result.totals.hours == 7.5
    assert result.tasks[0].capable == (2,)


def test_a_frame_without_a_required_column_is_rejected_with_its_name() -> None:
    data = small_round()
    broken = SurveyData(people=data.people.drop("capacity"), tasks=data.tasks,
                        hours=data.hours, capability=data.capability, grades=data.grades)
    with pytest.raises(ValueError, match=r"people frame lacks the column.*capacity"):
        analyze(broken)


def test_an_empty_round_gives_zeros_not_errors() -> None:
    result = analyze(survey(people=[], tasks=[], hours=[]))
    assert result.totals.hours == 0.0
    assert result.dependency.rate_by_count == 0.0
    assert result.bus_factors[0].value is None
    assert result.balance[0].people == 0
    assert result.seasonality.months == ()


# ---- capable sets and 属人化 ----------------------------------------------------------------


def test_capable_comes_from_levels_of_three_and_up_or_else_from_the_doers() -> None:
    tasks = {t.task_id: t for t in analyze(small_round()).tasks}
    assert (tasks[10].capable, tasks[10].capability_from_survey) == ((1, 2), True)
    assert (tasks[11].capable, tasks[11].capability_from_survey) == ((1,), True)
    assert (tasks[12].capable, tasks[12].capability_from_survey) == ((3,), False)
    assert [t.person_dependent for t in (tasks[10], tasks[11], tasks[12])] == [
        False, True, True]


def test_the_capable_level_is_an_option() -> None:
    tasks = analyze(small_round(), AnalysisOptions(capable_level=2)).tasks
    assert next(t for t in tasks if t.task_id == 11).capable == (1, 3)


def test_dependency_rates_count_tasks_and_hours_of_at_most_one_capable_person() -> None:
    dependency = analyze(small_round()).dependency
    assert (dependency.tasks, dependency.dependent_tasks) == (3, 2)
    assert dependency.rate_by_count == pytest.approx(2 / 3)
    assert (dependency.hours, dependency.dependent_hours) == (100.0, 70.0)
    assert dependency.rate_by_hours == 0.7
    assert dependency.dependent_task_ids == (12, 11)
    assert dependency.nobody_capable_task_ids == ()


def test_a_task_rated_but_nobody_capable_is_dependent_and_listed() -> None:
    data = survey(people=[person(1), person(2)], tasks=[task(1), task(2)],
                  hours=[(1, 1, 10.0), (2, 1, 5.0), (2, 2, 5.0)],
                  capability=[(1, 1, 2), (2, 1, 1), (2, 2, 3)])
    result = analyze(data)
    assert result.tasks[0].capable == ()
    assert result.dependency.nobody_capable_task_ids == (1,)
    assert result.dependency.dependent_tasks == 2


# ---- retirement risk ----------------------------------------------------------------------


def test_orphaned_hours_are_the_task_hours_of_tasks_only_the_leaver_can_do() -> None:
    retirement = analyze(small_round()).retirement
    assert [(r.person_id, r.orphaned_hours, r.orphaned_task_ids) for r in retirement] == [
        (3, 40.0, (12,)), (1, 30.0, (11,))]


def test_a_task_nobody_can_do_is_orphaned_for_everyone_who_works_on_it() -> None:
    data = survey(people=[person(1), person(2), person(3)], tasks=[task(1)],
                  hours=[(1, 1, 10.0), (2, 1, 6.0)], capability=[(1, 1, 2), (3, 1, 1)])
    retirement = analyze(data).retirement
    assert [(r.person_id, r.orphaned_hours) for r in retirement] == [(1, 16.0), (2, 16.0)]


def test_absorption_goes_by_level_then_spare_capacity_then_id_within_spare() -> None:
    # 1 alone can do tasks 1 (30 h) and 2 (20 h). At level 2: on task 1, 2 (spare 20 − 10)
    # and 3 (spare 30 − 5); on task 2, 3 and 4 (spare 100). 5 (level 1) cannot absorb.
    data = survey(
        people=[person(1), person(2, capacity=20.0), person(3, capacity=30.0),
                person(4, capacity=100.0), person(5)],
        tasks=[task(1), task(2), task(3)],
        hours=[(1, 1, 30.0), (1, 2, 20.0), (2, 3, 10.0), (3, 3, 5.0)],
        capability=[(1, 1, 4), (1, 2, 3), (2, 1, 2), (3, 1, 2), (3, 2, 2), (4, 2, 2),
                    (5, 1, 1), (2, 3, 3), (3, 3, 3)],
    )
    risk = next(r for r in analyze(data).retirement if r.person_id == 1)
    assert risk.orphaned_hours == 50.0
    assert risk.orphaned_task_ids == (1, 2)
    # Task 1 (30 h): 3 (spare 25) before 2 (spare 10) → 25 + 5. Task 2 (20 h): 4 (spare 100)
    # before 3 (spare left 0) → 20.
    assert [(a.person_id, a.task_id, a.hours) for a in risk.absorbed] == [
        (3, 1, 25.0), (2, 1, 5.0), (4, 2, 20.0)]
    assert risk.unabsorbed_hours == 0.0


def test_higher_level_absorbs_first_and_what_nobody_can_take_stays_unabsorbed() -> None:
    data = survey(
        people=[person(1), person(2, capacity=100.0), person(3, capacity=200.0)],
        tasks=[task(1)], hours=[(1, 1, 60.0)],
        capability=[(1, 1, 4), (2, 1, 2), (3, 1, 2)],
    )
    risk = analyze(data).retirement[0]
    assert [(a.person_id, a.hours) for a in risk.absorbed] == [(3, 60.0)]  # more spare
    limited = survey(
        people=[person(1), person(2, capacity=10.0), person(3, capacity=5.0)],
        tasks=[task(1)], hours=[(1, 1, 60.0)],
        capability=[(1, 1, 4), (2, 1, 2), (3, 1, 2)],
    )
    risk = analyze(limited, AnalysisOptions(capable_level=4)).retirement[0]
    assert [(a.person_id, a.hours) for a in risk.absorbed] == [(2, 10.0), (3, 5.0)]
    assert risk.unabsorbed_hours == 45.0


# ---- qualification ------------------------------------------------------------------------


def test_over_and_under_qualified_hours_cost_the_rate_gap_to_the_cheapest_fitting_grade() -> None:
    data = survey(
        people=[person(1, grade="G3"), person(2, grade="G1"), person(3, grade="G2"),
                person(4), person(5, grade="G9")],
        tasks=[task(1, difficulty=1), task(2, difficulty=4), task(3, difficulty=2),
               task(4)],
        hours=[(1, 1, 10.0),  # G3 (3–5) on d1: over, 10 × (5,000 − 2,500)
               (2, 2, 4.0),  # G1 (1–2) on d4: under, 4 × (5,000 − 2,500)
               (3, 3, 7.0),  # G2 (2–3) on d2: within the band
               (1, 4, 3.0),  # no difficulty: unknown
               (4, 1, 2.0),  # no grade: unknown
               (5, 1, 1.0)],  # a grade missing from the grades frame: unknown
    )
    q = analyze(data).qualification
    assert (q.over_hours, q.over_cost, q.under_hours, q.under_cost) == (10.0, 25_000, 4.0, 10_000)
    assert q.unknown_hours == 6.0
    assert [(g.grade, g.over_hours, g.under_hours) for g in q.by_grade] == [
        ("G1", 0.0, 4.0), ("G2", 0.0, 0.0), ("G3", 10.0, 0.0)]


def test_the_cheapest_grade_holding_a_difficulty_sets_the_rate_and_ties_go_by_order() -> None:
    grades = [("A", 4000, 1, 5, 2), ("B", 3000, 1, 3, 3), ("C", 3000, 1, 3, 1),
              ("D", 6000, 5, 5, 4)]
    data = survey(people=[person(1, grade="D"), person(2, grade="C")],
                  tasks=[task(1, difficulty=2), task(2, difficulty=5)],
                  hours=[(1, 1, 1.5), (2, 2, 2.0)], grades=grades)
    q = analyze(data).qualification
    # D on d2: over, cheapest holding 2 are B and C at 3,000 → 1.5 × 3,000.
    assert (q.over_hours, q.over_cost) == (1.5, 4_500)
    # C on d5: under, the cheapest holding 5 is A at 4,000 → 2 × (4,000 − 3,000).
    assert (q.under_hours, q.under_cost) == (2.0, 2_000)
    assert [g.grade for g in q.by_grade] == ["C", "A", "B", "D"]


def test_a_difficulty_no_grade_holds_counts_hours_at_no_cost() -> None:
    grades = [("G1", 2000, 1, 2, 1), ("G2", 3000, 3, 3, 2)]
    data = survey(people=[person(1, grade="G1")], tasks=[task(1, difficulty=5)],
                  hours=[(1, 1, 8.0)], grades=grades)
    q = analyze(data).qualification
    assert (q.under_hours, q.under_cost) == (8.0, 0)


def test_costs_round_half_up_at_the_end_of_each_sum() -> None:
    grades = [("G1", 1001, 1, 5, 1)]
    data = survey(people=[person(1, grade="G1")], tasks=[task(1), task(2)],
                  hours=[(1, 1, 0.25), (1, 2, 0.25)], grades=grades)
    result = analyze(data)
    assert [t.cost for t in result.tasks] == [250, 250]  # 250.25 each
    assert result.totals.cost == 501  # 500.5 rounds up


# ---- balance ------------------------------------------------------------------------------


def test_balance_indices_over_the_organization_and_each_department() -> None:
    # Loads 0, 10, 20, 30: mean 15, population sd √125, Gini 200 / (2 × 16 × 15).
    data = survey(people=[person(1, 7), person(2, 7), person(3, 8), person(4, 8)],
                  tasks=[task(1)], hours=[(2, 1, 10.0), (3, 1, 20.0), (4, 1, 30.0)])
    organization, first, second = analyze(data).balance
    assert (organization.scope, organization.people, organization.mean_load) == (
        "organization", 4, 15.0)
    assert organization.cv == pytest.approx(125 ** 0.5 / 15)
    assert organization.gini == pytest.approx(200 / 480)
    assert organization.max_over_mean == 2.0
    assert (first.key, first.label, first.people, first.mean_load) == ("7", "本社 / 部7", 2, 5.0)
    assert first.gini == pytest.approx(20 / (2 * 4 * 5))
    assert (second.cv, second.max_over_mean) == (pytest.approx(0.2), 1.2)


def test_equal_or_zero_loads_have_no_inequality() -> None:
    data = survey(people=[person(1), person(2)], tasks=[task(1)],
                  hours=[(1, 1, 5.0), (2, 1, 5.0)])
    (organization,) = analyze(data).balance
    assert (organization.cv, organization.gini, organization.max_over_mean) == (0.0, 0.0, 1.0)
    idle = analyze(survey(people=[person(1), person(2)], tasks=[], hours=[])).balance[0]
    assert (idle.cv, idle.gini, idle.max_over_mean) == (0.0, 0.0, 0.0)


def test_overloaded_people_are_listed_in_their_scopes() -> None:
    data = survey(people=[person(1, 5, capacity=10.0), person(2, 6, capacity=10.0)],
                  tasks=[task(1)], hours=[(1, 1, 12.0), (2, 1, 8.0)])
    organization, five, six = analyze(data).balance
    assert organization.overloaded_person_ids == (1,)
    assert (five.overloaded_person_ids, six.overloaded_person_ids) == ((1,), ())


# ---- flags, seasonality, heat map ------------------------------------------------------------


def test_flags_sum_the_hours_and_cost_of_flagged_tasks_ranked_by_hours() -> None:
    data = survey(people=[person(1, grade="G1")],
                  tasks=[task(1, outsourceable=True), task(2, outsourceable=True),
                         task(3, automatable=True), task(4, outsourceable=True)],
                  hours=[(1, 1, 4.0), (1, 2, 6.0), (1, 3, 10.0)])
    flags = {f.flag: f for f in analyze(data).flags}
    assert list(flags) == ["remote_ok", "outsourceable", "automatable"]
    assert (flags["outsourceable"].hours, flags["outsourceable"].cost) == (10.0, 25_000)
    assert flags["outsourceable"].share == 0.5
    assert flags["outsourceable"].task_ids == (2, 1)
    assert (flags["remote_ok"].hours, flags["remote_ok"].task_ids) == (0.0, ())


def test_seasonality_runs_april_to_march_and_finds_the_peak() -> None:
    months = [(1, 1, m, 10.0) for m in range(1, 13)] + [(1, 1, 3, 20.0), (2, 2, 3, 5.0),
                                                        (2, 2, 4, 5.0)]
    data = survey(people=[person(1), person(2)], tasks=[task(1, "経理"), task(2, "総務")],
                  hours=[(1, 1, 10.0), (2, 2, 1.0)], monthly=months)
    seasonality = analyze(data).seasonality
    assert seasonality.entries == 2
    assert [m.month for m in seasonality.months] == [4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3]
    assert seasonality.months[-1].hours == 35.0
    assert seasonality.months[-1].by_function == {"経理": 30.0, "総務": 5.0}
    assert seasonality.months[1].by_function == {"経理": 10.0, "総務": 0.0}
    assert seasonality.peak_month == 3


def test_a_tie_for_the_peak_goes_to_the_earlier_fiscal_month() -> None:
    data = survey(people=[person(1)], tasks=[task(1)], hours=[(1, 1, 1.0)],
                  monthly=[(1, 1, 2, 9.0), (1, 1, 5, 9.0)])
    assert analyze(data).seasonality.peak_month == 5


def test_no_monthly_rows_means_no_seasonality() -> None:
    seasonality = analyze(small_round()).seasonality
    assert (seasonality.entries, seasonality.months, seasonality.peak_month) == (0, (), None)


def test_the_heat_map_keeps_the_largest_people_and_tasks() -> None:
    result = analyze(small_round(), AnalysisOptions(heatmap_people=2, heatmap_tasks=2))
    heatmap = result.heatmap
    assert heatmap.person_ids == (1, 3)
    assert heatmap.task_ids == (12, 10)  # 10 and 11 both have 30 h: the smaller id
    assert heatmap.values == ((0.0, 20.0), (40.0, 0.0))


# ---- results as JSON, and comparison ---------------------------------------------------------


def test_a_result_survives_a_json_round_trip_exactly() -> None:
    data = small_round()
    result = analyze(SurveyData(people=data.people, tasks=data.tasks, hours=data.hours,
                                capability=data.capability, grades=data.grades,
                                monthly=pl.DataFrame([(1, 10, 3, 7.5)], schema=MONTHLY_SCHEMA,
                                                     orient="row")))
    cached = json.loads(json.dumps(to_dict(result)))
    back = from_dict(cached)
    assert back == result
    assert isinstance(back.tasks, tuple) and isinstance(back.tasks[0].capable, tuple)
    assert isinstance(back.totals.cost, int)


def test_the_cached_snapshot_stores_people_and_tasks_as_rows_and_reads_back_exactly() -> None:
    result = analyze(small_round())
    snapshot = json.loads(json.dumps(to_snapshot(result)))
    assert snapshot["people"]["columns"][0] == "person_id"
    assert [row[0] for row in snapshot["people"]["rows"]] == [p.person_id for p in result.people]
    assert snapshot["dependency"] == to_dict(result)["dependency"]  # read by path on home
    assert from_snapshot(snapshot) == result
    # A snapshot stored before the rows layout still reads.
    assert from_snapshot(json.loads(json.dumps(to_dict(result)))) == result


def test_a_snapshot_with_rows_that_do_not_match_the_columns_is_rejected() -> None:
    snapshot = to_snapshot(analyze(small_round()))
    snapshot["tasks"]["rows"][0].pop()
    with pytest.raises(ValueError):
        from_snapshot(snapshot)


def test_the_exact_solver_in_its_own_thread_gives_the_same_bus_factors() -> None:
    """60 people in 6 departments: the organization and both functions have more candidates
    than the solver takes, so it starts on the departments while greedy removal goes on."""
    import random
    from concurrent.futures import ThreadPoolExecutor

    rng = random.Random(5)
    people = [person(pid, 100 + pid % 6) for pid in range(1, 61)]
    tasks = [task(tid, "総務" if tid % 2 else "経理") for tid in range(1, 41)]
    hours = [(pid, tid, float(rng.randint(1, 20))) for pid in range(1, 61)
             for tid in rng.sample(range(1, 41), 4)]
    capability = [(pid, tid, rng.choice((2, 3, 4))) for pid, tid, _ in hours]
    data = survey(people, tasks, hours, capability)
    options = AnalysisOptions(exact_max_people=15)
    fr = prepare(data, options)
    alone = bus_factors(fr, options)()
    with ThreadPoolExecutor(max_workers=1) as solver:
        together = bus_factors(fr, options, solver)()
    assert together == alone
    assert {b.method for b in alone if b.scope == "department"} == {"exact"}
    assert analyze(data, options).bus_factors == alone


def test_a_comparison_survives_a_json_round_trip_too() -> None:
    changes = compare(analyze(small_round()), analyze(small_round()))
    assert from_dict(json.loads(json.dumps(to_dict(changes))), Comparison) == changes


def test_a_cached_dict_that_does_not_match_the_result_is_rejected() -> None:
    cached = to_dict(analyze(small_round()))
    del cached["totals"]["cost"]
    with pytest.raises(ValueError, match=r"Totals: missing \['cost'\]"):
        from_dict(cached, AnalysisResult)
    cached = to_dict(analyze(small_round()))
    cached["bus_factors"][0]["method"] = "guess"
    with pytest.raises(ValueError, match="expected one of"):
        from_dict(cached)


def test_compare_reports_what_changed_between_two_rounds() -> None:
    before = analyze(small_round())
    after = analyze(survey(
        people=[person(1, 100, "G3"), person(2, 100, "G1"), person(3, 200, "G2", 40.0)],
        tasks=[task(10, "総務", 1), task(11, "経理", 4), task(14, "法務", 2)],
        hours=[(1, 10, 10.0), (2, 10, 10.0), (1, 11, 30.0), (2, 11, 5.0), (3, 14, 45.0)],
        capability=[(1, 10, 4), (2, 10, 3), (1, 11, 4), (2, 11, 3), (3, 14, 3)],
    ))
    changes = compare(before, after)
    metrics = {m.metric: m for m in changes.metrics}
    assert (metrics["hours"].before, metrics["hours"].after, metrics["hours"].change) == (
        100.0, 100.0, 0.0)
    assert metrics["dependent_tasks"].change == -1.0  # 12 and 11 → 14 only
    assert metrics["overloaded"].after == 1.0
    assert {"bus_factor", "cost", "people_with_hours", "tasks", "dependency_rate_by_count",
            "dependency_rate_by_hours", "over_qualified_hours", "over_qualified_cost", "cv",
            "gini"} <= set(metrics)
    assert [(c.key, c.before, c.after) for c in changes.by_function] == [
        ("総務", 70.0, 20.0), ("法務", 0.0, 45.0), ("経理", 30.0, 35.0)]
    assert [(c.key, c.label, c.change) for c in changes.tasks] == [
        ("14", "業務14", 45.0), ("12", "業務12", -40.0), ("10", "業務10", -10.0),
        ("11", "業務11", 5.0)]
    assert changes.bus_factors[0] == ("organization", "", 2, 2)
    assert ("function", "経理", 1, 2) in changes.bus_factors
    assert (changes.overloaded_before, changes.overloaded_after) == ((), (3,))
