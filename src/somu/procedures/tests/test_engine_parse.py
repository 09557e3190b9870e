"""Template validation: the friendly YAML forms, the canonical dict, and every error class."""

import datetime as dt
import json

import pytest

from somu.procedures.engine.parse import parse_spec_dict, spec_dict
from somu.procedures.engine.spec import (
    NUMBER_LIMIT,
    AssigneeRule,
    DueRule,
    SpecError,
    SpecProblem,
)
from somu.procedures.engine.vocabulary import MAX_PARAMETERS, MAX_STEPS
from somu.procedures.tests.engine_samples import ONBOARDING, onboarding


def problems(data):
    with pytest.raises(SpecError) as info:
        parse_spec_dict(data)
    return [str(p) for p in info.value.problems]


def minimal(**step):
    return {"name": "t", "steps": [{"key": "a", "name": "A", **step}]}


# --- valid templates -------------------------------------------------------------------------

def test_the_rich_sample_parses_into_typed_rules():
    spec = parse_spec_dict(ONBOARDING)
    assert spec.name == "入社手続き"
    assert spec.on_unresolved_assignee == "owner"
    assert spec.parameter("週所定時間").label == "週の所定労働時間"
    assert spec.parameter("入社者").label == "入社者"
    assert spec.parameter("備考").required is False
    shaho = spec.step("shaho")
    assert shaho.assignee == AssigneeRule("role", "人事部", "staff")
    assert shaho.due == DueRule(base="入社日", offset=5, unit="calendar", roll="previous")
    assert shaho.form[0].required and shaho.form[1].type == "date"
    assert spec.step("koyo").due == DueRule(
        base="入社日", kind="day_of_month", day=10, months=1, roll="next"
    )
    assert spec.step("account").due == DueRule(kind="end_of_month")
    assert spec.step("approve").due == DueRule(after_step="shaho", offset=2)
    assert spec.step("approve").on_reject == "reopen:shaho"
    assert spec.step("report").assignee == AssigneeRule("manager_of", "starter")
    assert spec.step("docs").assignee == AssigneeRule("param", "入社者")


def test_the_canonical_dict_of_the_sample_is_the_sample_in_the_same_key_order():
    out = spec_dict(parse_spec_dict(ONBOARDING))
    assert json.dumps(out, ensure_ascii=False) == json.dumps(ONBOARDING, ensure_ascii=False)


def test_export_import_export_is_identical():
    spec = parse_spec_dict(ONBOARDING)
    once = spec_dict(spec)
    assert parse_spec_dict(once) == spec
    assert spec_dict(parse_spec_dict(once)) == once
    assert list(once) == ["somu", "name", "category", "description", "notes",
                          "on_unresolved_assignee", "tasks", "parameters", "steps"]


def test_defaults_are_omitted_from_the_canonical_dict():
    data = {
        "name": "t",
        "parameters": [{"key": "p", "label": "p", "type": "text", "required": True}],
        "steps": [{"key": "a", "name": "A", "kind": "task", "assignee": "starter",
                   "due": {"offset": 2, "unit": "business", "roll": "none"}, "condition": "",
                   "form": [{"key": "f", "type": "text", "required": False}]}],
    }
    assert spec_dict(parse_spec_dict(data)) == {
        "somu": "procedure/1", "name": "t",
        "parameters": [{"key": "p", "type": "text"}],
        "steps": [{"key": "a", "name": "A", "due": {"from": "start", "offset": 2},
                   "form": [{"key": "f"}]}],
    }


def test_friendly_forms_are_accepted():
    data = minimal(assignee={"starter": True}, depends_on="b", checklist="ひとつだけ")
    data["steps"].append({"key": "b", "name": 2026})  # YAML reads 2026 as a number
    data["parameters"] = [
        {"key": "区分", "type": "choice", "choices": [1, 2], "default": 1},
        {"key": "基準日", "type": "date", "default": dt.date(2026, 4, 1)},
    ]
    spec = parse_spec_dict(data)
    assert spec.step("a").assignee == AssigneeRule("starter")
    assert spec.step("a").depends_on == ("b",)
    assert spec.step("a").checklist == ("ひとつだけ",)
    assert spec.step("b").name == "2026"
    assert spec.parameter("区分").choices == ("1", "2")
    assert spec.parameter("区分").default == "1"
    assert spec.parameter("基準日").default == "2026-04-01"


def test_a_role_without_a_department_means_the_whole_organization():
    spec = parse_spec_dict(minimal(assignee={"role": "manager"}))
    assert spec.steps[0].assignee == AssigneeRule("role", "", "manager")


def test_instructions_may_use_start_and_starter_placeholders():
    parse_spec_dict(minimal(instructions="{{ start }} に {{starter}} が開始"))


# --- errors ----------------------------------------------------------------------------------

def test_it_rejects_a_document_that_is_not_a_mapping():
    assert problems(["name", "steps"]) == ["the template must be a mapping (key: value)"]


def test_it_requires_a_name_and_steps():
    assert problems({}) == ["name: is required", "steps: at least one step is required"]
    assert problems({"name": "t", "steps": []}) == ["steps: at least one step is required"]


def test_it_names_unknown_fields_and_suggests_the_right_one():
    found = problems({"name": "t", "stepz": [], "steps": [{"key": "a", "name": "A",
                                                         "assignees": {"role": "staff"}}]})
    assert "stepz: unknown field (did you mean 'steps'?)" in found
    assert "steps[0].assignees: unknown field (did you mean 'assignee'?)" in found


def test_it_rejects_an_unsupported_format_version():
    assert problems({"somu": "procedure/9", **minimal()}) == [
        "somu: unsupported format 'procedure/9' (expected 'procedure/1')"
    ]


def test_it_reports_wrong_types():
    found = problems({
        "name": ["x"], "tasks": {"a": 1},
        "steps": [{"key": "a", "name": "A", "estimated_minutes": "30", "checklist": [""],
                   "depends_on": [{"x": 1}]}],
    })
    assert "name: must be text, not a list" in found
    assert "tasks: must be a list, not a mapping" in found
    assert "steps[0].estimated_minutes: must be a whole number, not '30'" in found
    assert "steps[0].checklist[0]: must be non-empty text" in found
    assert "steps[0].depends_on[0]: must be non-empty text" in found


def test_it_lists_the_allowed_values_of_an_enum():
    found = problems({"name": "t", "parameters": [{"key": "p", "type": "persn"}],
                      "steps": [{"key": "a", "name": "A", "kind": "review",
                                 "due": {"roll": "later"}}]})
    assert (
        "parameters[0].type: 'persn' is not one of person, date, choice, text, number, "
        "department, boolean"
    ) in found
    assert "steps[0].kind: 'review' is not one of task, approval" in found
    assert "steps[0].due.roll: 'later' is not one of none, previous, next" in found


def test_it_rejects_duplicate_keys():
    data = {
        "name": "t",
        "parameters": [{"key": "p", "type": "text"}, {"key": "p", "type": "date"}],
        "steps": [
            {"key": "a", "name": "A", "form": [{"key": "f"}, {"key": "f"}]},
            {"key": "a", "name": "B", "depends_on": ["a"]},
        ],
    }
    found = problems(data)
    assert "parameters[1].key: duplicate parameter 'p'" in found
    assert "steps[0].form[1].key: duplicate form field 'f'" in found
    assert "steps[1].key: duplicate step 'a'" in found


def test_it_rejects_keys_that_are_not_identifiers_or_are_reserved():
    found = problems({
        "name": "t",
        "parameters": [{"key": "1st", "type": "text"}, {"key": "start", "type": "date"},
                       {"key": "and", "type": "text"}, {"key": "入社 日", "type": "date"}],
        "steps": [{"key": "a-b", "name": "A"}],
    })
    assert any(p.startswith("parameters[0].key: '1st' is not a valid key") for p in found)
    assert "parameters[1].key: 'start' is reserved; choose another key" in found
    assert "parameters[2].key: 'and' is reserved; choose another key" in found
    assert any(p.startswith("parameters[3].key: '入社 日' is not a valid key") for p in found)
    assert any(p.startswith("steps[0].key: 'a-b' is not a valid key") for p in found)


def test_it_names_an_unknown_dependency():
    data = {"name": "t", "steps": [{"key": "a", "name": "A"}, {"key": "b", "name": "B"},
                                   {"key": "c", "name": "C", "depends_on": ["a", "x"]}]}
    assert problems(data) == ["steps[2].depends_on: unknown step 'x'"]


def test_it_names_the_dependency_cycle():
    data = {"name": "t", "steps": [
        {"key": "a", "name": "A", "depends_on": ["c"]},
        {"key": "b", "name": "B", "depends_on": ["a"]},
        {"key": "c", "name": "C", "depends_on": ["b"]},
        {"key": "d", "name": "D"},
    ]}
    assert problems(data) == ["steps[0]: dependency cycle: a → c → b → a"]


def test_it_rejects_a_step_that_depends_on_itself():
    assert problems(minimal(depends_on=["a"])) == [
        "steps[0].depends_on[0]: a step cannot depend on itself"
    ]


def test_it_names_unknown_parameters_wherever_they_are_used():
    found = problems(minimal(
        instructions="{{氏名}}さんへ", due={"from": "退職日", "offset": 5},
        condition="区分 == 'A'", assignee={"param": "担当者"},
    ))
    assert found == [
        "steps[0].instructions: unknown parameter '氏名' in {{…}}",
        "steps[0].assignee.param: unknown parameter '担当者'",
        "steps[0].due.from: unknown parameter '退職日' (or 'start')",
        "steps[0].condition: unknown parameter '区分'",
    ]


def test_it_rejects_a_due_rule_on_a_parameter_that_is_not_a_date():
    data = minimal(due={"from": "入社者", "offset": 5})
    data["parameters"] = [{"key": "入社者", "type": "person"}]
    assert problems(data) == ["steps[0].due.from: parameter '入社者' is a person, not a date"]


def test_it_rejects_an_after_step_that_is_not_a_transitive_dependency():
    data = {"name": "t", "steps": [
        {"key": "a", "name": "A"},
        {"key": "b", "name": "B", "depends_on": ["a"]},
        {"key": "c", "name": "C", "depends_on": ["b"], "due": {"after": "a", "offset": 1}},
        {"key": "d", "name": "D", "due": {"after": "a"}},
        {"key": "e", "name": "E", "due": {"after": "zz"}},
    ]}
    assert problems(data) == [
        "steps[3].due.after: step 'a' is not a dependency of this step; add it to depends_on",
        "steps[4].due.after: unknown step 'zz'",
    ]


def test_it_rejects_an_assignee_parameter_that_is_not_a_person():
    data = minimal(assignee={"manager_of": "入社日"})
    data["parameters"] = [{"key": "入社日", "type": "date"}]
    assert problems(data) == [
        "steps[0].assignee.manager_of: parameter '入社日' is a date, not a person"
    ]


def test_it_rejects_malformed_assignee_rules():
    assert problems(minimal(assignee="S0001"))[0].startswith(
        "steps[0].assignee: 'S0001' is not 'starter' or a rule"
    )
    assert problems(minimal(assignee={"person": "S1", "param": "p"})) == [
        "steps[0].assignee: give exactly one of person, role, param, manager_of, starter"
    ]
    assert problems(minimal(assignee={"role": "boss"})) == [
        "steps[0].assignee.role: 'boss' is not one of admin, manager, staff, employee"
    ]
    assert problems(minimal(assignee={"person": "S1", "department": "人事部"})) == [
        "steps[0].assignee.department: only a role rule has a department"
    ]


def test_it_reports_condition_syntax_errors_with_the_position():
    data = minimal(condition="区分 == 'A' and")
    data["parameters"] = [{"key": "区分", "type": "text"}]
    assert problems(data) == [
        "steps[0].condition: unexpected end of condition (expected a parameter or a value) "
        "at column 14"
    ]
    assert problems(minimal(condition=True)) == [
        "steps[0].condition: must be an expression in text, not True"
    ]


def test_it_checks_choices_and_defaults():
    found = problems({"name": "t", "parameters": [
        {"key": "a", "type": "choice"},
        {"key": "b", "type": "choice", "choices": ["x", "y"], "default": "z"},
        {"key": "c", "type": "text", "choices": ["x"]},
        {"key": "d", "type": "date", "default": "4月1日"},
        {"key": "e", "type": "number", "default": "many"},
        {"key": "f", "type": "boolean", "default": "yes"},
    ], "steps": [{"key": "s", "name": "S", "form": [{"key": "k", "type": "choice"}]}]})
    assert found == [
        "parameters[0].choices: a choice parameter needs choices",
        "parameters[1].default: 'z' is not among the choices",
        "parameters[2].choices: only a choice parameter has choices",
        "parameters[3].default: must be a date like 2026-04-01, not '4月1日'",
        "parameters[4].default: must be a number, not 'many'",
        "parameters[5].default: must be true or false, not 'yes'",
        "steps[0].form[0].choices: a choice field needs choices",
    ]


def test_it_checks_on_reject():
    data = {"name": "t", "steps": [
        {"key": "a", "name": "A", "on_reject": "stop"},
        {"key": "b", "name": "B", "kind": "approval", "on_reject": "reopen:zz"},
        {"key": "c", "name": "C", "kind": "approval", "on_reject": "reopen:a"},
        {"key": "d", "name": "D", "kind": "approval", "on_reject": "retry"},
    ]}
    assert problems(data) == [
        "steps[0].on_reject: only approval steps have on_reject",
        "steps[3].on_reject: 'retry' is not 'stop' or 'reopen:<step key>'",
        "steps[1].on_reject: unknown step 'zz'",
        "steps[2].on_reject: step 'a' does not come before this step, so it cannot be reopened",
    ]


def test_it_checks_numbers_in_due_rules_and_minutes():
    found = problems(minimal(estimated_minutes=-5, due={"day_of_month": 32, "months": 1}))
    assert "steps[0].estimated_minutes: must be between 0 and 100000" in found
    assert "steps[0].due.day_of_month: must be between 1 and 31" in found


def test_it_rejects_due_rules_that_mix_kinds():
    assert problems(minimal(due={"offset": 1, "end_of_month": True})) == [
        "steps[0].due: give only one of offset, end_of_month, day_of_month"
    ]
    assert problems(minimal(due={"end_of_month": True, "unit": "calendar"})) == [
        "steps[0].due.unit: only an offset has a unit"
    ]
    assert problems(minimal(due={"offset": 1, "months": 1})) == [
        "steps[0].due.months: only end_of_month and day_of_month have months"
    ]
    found = problems({"name": "t", "steps": [
        {"key": "b", "name": "B"},
        {"key": "a", "name": "A", "depends_on": ["b"], "due": {"from": "start", "after": "b"}},
    ]})
    assert found == ["steps[1].due: give either from or after, not both"]


def test_it_limits_the_number_of_steps_and_parameters():
    data = {
        "name": "t",
        "parameters": [{"key": f"p{i}", "type": "text"} for i in range(MAX_PARAMETERS + 1)],
        "steps": [{"key": f"s{i}", "name": "S"} for i in range(MAX_STEPS + 1)],
    }
    found = problems(data)
    assert f"parameters: at most {MAX_PARAMETERS} allowed, found {MAX_PARAMETERS + 1}" in found
    assert f"steps: at most {MAX_STEPS} allowed, found {MAX_STEPS + 1}" in found


def test_a_chain_of_the_maximum_length_is_valid():
    steps = [{"key": "s0", "name": "S"}] + [
        {"key": f"s{i}", "name": "S", "depends_on": [f"s{i - 1}"]} for i in range(1, MAX_STEPS)
    ]
    steps[-1]["due"] = {"after": "s0"}
    assert len(parse_spec_dict({"name": "t", "steps": steps}).steps) == MAX_STEPS


def test_it_collects_every_problem_at_once():
    data = onboarding()
    data["steps"][1]["depends_on"] = ["nope"]
    data["steps"][2]["condition"] = "海外赴任 =="
    data["parameters"][0]["type"] = "human"
    found = problems(data)
    assert len(found) >= 3
    assert "steps[1].depends_on: unknown step 'nope'" in found


def test_a_spec_problem_reads_as_path_and_message():
    assert str(SpecProblem("steps[2].due.from", "unknown parameter 'x'")) == (
        "steps[2].due.from: unknown parameter 'x'"
    )
    assert str(SpecProblem("", "the file is empty")) == "the file is empty"
    error = SpecError([SpecProblem("a", "b"), SpecProblem("c", "d")])
    assert str(error) == "a: b; c: d"


def test_it_catches_a_condition_value_that_is_not_among_the_choices():
    data = minimal(condition="雇用形態 == '正社' or 雇用形態 in ['パート', 'アルバイト']")
    data["parameters"] = [{"key": "雇用形態", "type": "choice", "choices": ["正社員", "パート"]}]
    assert problems(data) == [
        "steps[0].condition: '正社' is not a choice of '雇用形態'",
        "steps[0].condition: 'アルバイト' is not a choice of '雇用形態'",
    ]


def test_numeric_choices_match_numbers_in_conditions():
    data = minimal(condition="等級 >= 3 and 等級 != 5 and 区分 == 2")
    data["parameters"] = [{"key": "等級", "type": "number"},
                          {"key": "区分", "type": "choice", "choices": [1, 2]}]
    parse_spec_dict(data)


# --- parameter bounds (min/max) --------------------------------------------------------------

def bounded(**param):
    return {"name": "t", "parameters": [{"key": "数量", **param}],
            "steps": [{"key": "a", "name": "A"}]}


def test_number_and_date_parameters_take_min_and_max_and_round_trip():
    data = {"name": "t", "parameters": [
        {"key": "数量", "type": "number", "min": 1, "max": 100, "default": 1},
        {"key": "納期", "type": "date", "min": "2026-01-01", "max": dt.date(2027, 3, 31)}],
        "steps": [{"key": "a", "name": "A"}]}
    spec = parse_spec_dict(data)
    count, due = spec.parameters
    assert (count.min, count.max, due.min, due.max) == (1, 100, "2026-01-01", "2027-03-31")
    assert spec_dict(spec)["parameters"][0] == {"key": "数量", "type": "number", "default": 1,
                                                "min": 1, "max": 100}
    assert spec_dict(parse_spec_dict(spec_dict(spec))) == spec_dict(spec)


def test_a_parameter_without_bounds_gets_the_sane_default_range():
    count, due = parse_spec_dict({"name": "t", "parameters": [
        {"key": "数量", "type": "number"}, {"key": "納期", "type": "date"}],
        "steps": [{"key": "a", "name": "A"}]}).parameters
    assert count.number_bounds() == (-NUMBER_LIMIT, NUMBER_LIMIT)
    assert due.date_bounds() == (dt.date(2000, 1, 1), dt.date(2100, 12, 31))


@pytest.mark.parametrize(("param", "problem"), [
    ({"type": "text", "min": 1}, "parameters[0].min: only a number or date parameter has min "
                                 "and max"),
    ({"type": "number", "min": "少し"}, "parameters[0].min: must be a number, not '少し'"),
    ({"type": "number", "max": 1e308}, "parameters[0].max: must be between "
                                       "-1000000000000 and 1000000000000"),
    ({"type": "number", "max": float("nan")}, "parameters[0].max: must be between "
                                              "-1000000000000 and 1000000000000"),
    ({"type": "number", "min": 5, "max": 1}, "parameters[0].max: must not be less than min"),
    ({"type": "number", "min": 0, "default": -1}, "parameters[0].default: is outside min … max"),
    ({"type": "date", "min": "1800-01-01"}, "parameters[0].min: must be a year between 1900 "
                                            "and 2200"),
    ({"type": "date", "max": "来年"}, "parameters[0].max: must be a date like 2026-04-01, "
                                     "not '来年'"),
])
def test_bad_parameter_bounds_are_named(param, problem):
    assert problems(bounded(**param)) == [problem]
