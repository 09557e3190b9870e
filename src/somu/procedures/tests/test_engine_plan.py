"""The dependency graph and the launch plan: order, layers, skipped/ready/waiting, due dates."""

import datetime as dt
import time

import pytest

from somu.procedures.engine.parse import parse_spec_dict
from somu.procedures.engine.plan import (
    DueOrderProblem,
    compile_spec,
    due_order_problems,
    find_cycle,
    layers,
    newly_ready,
    plan_launch,
    topological_order,
    transitive_dependencies,
    transitive_dependents,
)
from somu.procedures.engine.spec import AssigneeRule
from somu.procedures.tests.engine_samples import ONBOARDING
from somu.rules.calendar import BusinessCalendar

CAL = BusinessCalendar()
SPEC = parse_spec_dict(ONBOARDING)
HIRE = dt.date(2026, 4, 1)


def spec_of(*steps):
    return parse_spec_dict({"name": "t", "steps": [
        {"key": key, "name": key.upper(), "depends_on": list(deps)} for key, deps in steps
    ]})


def plan(values, start=dt.date(2026, 3, 20), spec=SPEC):
    return {p.key: p for p in plan_launch(spec, values=values, start=start, calendar=CAL)}


# --- the graph -------------------------------------------------------------------------------

def test_find_cycle_returns_the_closed_path():
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["a"]}) == ["a", "a"]
    assert find_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) is None
    assert find_cycle({"a": ["unknown"]}) is None


def test_find_cycle_handles_a_long_chain_without_recursion():
    deps = {f"s{i}": [f"s{i + 1}"] for i in range(5000)}
    deps["s5000"] = ["s0"]
    cycle = find_cycle(deps)
    assert cycle[0] == cycle[-1] and len(cycle) == 5002


def test_topological_order_puts_dependencies_first_and_keeps_the_listed_order():
    spec = spec_of(("c", ["b"]), ("a", []), ("b", ["a"]), ("d", []))
    assert topological_order(spec) == ["a", "b", "c", "d"]
    assert topological_order(SPEC) == ["docs", "shaho", "koyo", "account", "approve", "report"]


def test_layers_group_steps_by_their_depth():
    assert layers(SPEC) == [["docs", "account"], ["shaho", "koyo"], ["approve"], ["report"]]


def test_transitive_dependents_and_dependencies():
    assert transitive_dependents(SPEC, "docs") == {"shaho", "koyo", "approve", "report"}
    assert transitive_dependents(SPEC, "report") == set()
    deps = {s.key: s.depends_on for s in SPEC.steps}
    assert transitive_dependencies(deps, "approve") == {"shaho", "koyo", "account", "docs"}


# --- launch planning -------------------------------------------------------------------------

def test_the_plan_lists_steps_in_template_order_with_states_and_due_dates():
    steps = plan({"入社日": HIRE, "雇用形態": "正社員", "海外赴任": False, "入社者": 7})
    assert list(steps) == ["docs", "shaho", "koyo", "account", "approve", "report"]
    assert [s.position for s in steps.values()] == [0, 1, 2, 3, 4, 5]
    assert {k: s.state for k, s in steps.items()} == {
        "docs": "ready", "shaho": "waiting", "koyo": "waiting", "account": "ready",
        "approve": "waiting", "report": "waiting",
    }
    assert steps["docs"].due_date == dt.date(2026, 3, 27)  # 3 business days before 4/1
    assert steps["shaho"].due_date == dt.date(2026, 4, 6)
    assert steps["koyo"].due_date == dt.date(2026, 5, 11)  # 5/10 is a Sunday
    assert steps["account"].due_date == dt.date(2026, 3, 31)  # end of the start's month
    assert steps["approve"].due_date is None  # after shaho completes
    assert steps["report"].due_date is None  # no due rule
    assert steps["approve"].kind == "approval"
    assert steps["shaho"].depends_on == ("docs",)
    assert steps["shaho"].estimated_minutes == 30
    assert steps["shaho"].assignee == AssigneeRule("role", "人事部", "staff")


def test_a_false_condition_skips_the_step_and_does_not_block_its_dependents():
    steps = plan({"入社日": HIRE, "雇用形態": "パート", "週所定時間": 20, "海外赴任": True})
    assert steps["shaho"].state == "skipped"
    assert steps["koyo"].state == "skipped"
    assert steps["approve"].state == "waiting"  # account is still open


def test_a_step_whose_only_dependencies_are_skipped_is_ready():
    spec = parse_spec_dict({"name": "t", "parameters": [{"key": "x", "type": "boolean"}],
                            "steps": [{"key": "a", "name": "A", "condition": "x"},
                                      {"key": "b", "name": "B", "depends_on": ["a"]}]})
    steps = plan({"x": False}, spec=spec)
    assert steps["a"].state == "skipped"
    assert steps["b"].state == "ready"


def test_conditions_read_numbers_and_dates():
    steps = plan({"入社日": HIRE, "雇用形態": "パート", "週所定時間": 30})
    assert steps["shaho"].state == "waiting"


def test_a_missing_date_parameter_leaves_the_due_date_empty():
    steps = plan({"雇用形態": "正社員"})
    assert steps["docs"].due_date is None
    assert steps["account"].due_date == dt.date(2026, 3, 31)


def test_dates_given_as_iso_text_are_understood():
    steps = plan({"入社日": "2026-04-01", "雇用形態": "正社員"})
    assert steps["shaho"].due_date == dt.date(2026, 4, 6)


def test_newly_ready_lists_waiting_steps_whose_dependencies_are_finished():
    deps = {s.key: s.depends_on for s in SPEC.steps}
    states = {"docs": "done", "shaho": "waiting", "koyo": "waiting", "account": "ready",
              "approve": "waiting", "report": "waiting"}
    assert newly_ready(states, deps) == ["shaho", "koyo"]
    states.update(shaho="done", koyo="skipped", account="done")
    assert newly_ready(states, deps) == ["approve"]
    states.update(approve="approved")
    assert newly_ready(states, deps) == ["report"]
    states.update(approve="rejected")
    assert newly_ready(states, deps) == []


def test_the_compiled_spec_is_cached_per_spec():
    assert compile_spec(SPEC) is compile_spec(parse_spec_dict(ONBOARDING))


@pytest.mark.parametrize("count", [10_000])
def test_planning_ten_thousand_runs_of_twenty_steps_is_cheap(count):
    steps = [{"key": "s0", "name": "S0", "due": {"from": "基準日", "offset": 1}}]
    for i in range(1, 20):
        steps.append({
            "key": f"s{i}", "name": f"S{i}", "depends_on": [f"s{i - 1}"],
            "condition": "区分 != 'B'" if i % 4 == 0 else "",
            "due": {"from": "基準日", "offset": i, "roll": "next"},
        })
    spec = parse_spec_dict({"name": "年末調整", "parameters": [
        {"key": "基準日", "type": "date"}, {"key": "区分", "type": "text"},
    ], "steps": steps})
    started = time.perf_counter()
    for i in range(count):
        plan_launch(spec, values={"基準日": dt.date(2026, 11, 1), "区分": "AB"[i % 2]},
                    start=dt.date(2026, 11, 1), calendar=CAL)
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{count} plans took {elapsed:.1f}s"


ORDER = parse_spec_dict({"name": "備品発注", "parameters": [{"key": "希望納期", "type": "date"}],
                         "steps": [
    {"key": "order", "name": "発注", "due": {"offset": 0}},
    {"key": "receive", "name": "納品・検収", "depends_on": ["order"],
     "due": {"from": "希望納期", "offset": 0}},
]})


def test_a_due_date_before_the_step_it_waits_for_or_before_the_start_is_a_problem():
    start = dt.date(2026, 12, 11)
    planned = plan_launch(ORDER, values={"希望納期": dt.date(2026, 12, 1)}, start=start,
                          calendar=CAL)
    assert due_order_problems(planned, start=start) == [
        DueOrderProblem("receive", dt.date(2026, 12, 1), "start", start),
        DueOrderProblem("receive", dt.date(2026, 12, 1), "order", start),
    ]


def test_due_dates_in_order_are_no_problem():
    start = dt.date(2026, 12, 11)
    planned = plan_launch(ORDER, values={"希望納期": dt.date(2026, 12, 18)}, start=start,
                          calendar=CAL)
    assert due_order_problems(planned, start=start) == []
