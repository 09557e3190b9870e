"""The optimizer's proposals saved as scenarios: labelled, recomputed, parameters checked, and
an infeasible run names the tasks and stores nothing (see ``scenario_fixtures`` for the round)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from somu.core import tenancy
from somu.org.models import Person, PersonStatus
from somu.plans.engine.solver import Proposal
from somu.plans.models import Scenario, ScenarioSource
from somu.plans.services import scenario_proposals as proposals
from somu.plans.services import scenarios as services
from somu.survey.tests.test_analysis_metrics import survey as round_data
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    """The analysis pages' hand-checkable round (see ``test_scenarios_services``)."""
    return Survey(org_a, people_a)

TODAY = dt.date(2026, 6, 1)


def line(result, key):
    return next(x for x in result.lines if x.key == key)


def test_leveling_relieves_the_overloaded_person_using_capable_people_only(
        survey, org_a, admin_a, people_a):
    with tenancy.activate(org_a):
        scenario = proposals.proposal_run(actor=admin_a, round=survey.round, kind="leveling",
                                          params={"time_limit_s": 5}, today=TODAY)
        result = services.scenario_result(scenario)
    assert scenario.source == ScenarioSource.LEVELING
    assert scenario.proposal["status"] == "optimal"
    assert "2026-06-01" in scenario.name
    overloaded = line(result, "overloaded")
    assert (overloaded.before, overloaded.after, overloaded.better) == (1, 0, True)
    assert result.warnings == []  # every move goes to someone capable
    # 田中 keeps 来客・電話対応 (nobody else can do it): 155 of 160 h.
    assert line(result, "max_utilization").after == pytest.approx(155 / 160, abs=1e-4)


def test_a_second_proposal_gets_a_name_of_its_own(survey, org_a, admin_a):
    with tenancy.activate(org_a):
        first = proposals.proposal_run(actor=admin_a, round=survey.round, kind="leveling",
                                       params={}, today=TODAY)
        second = proposals.proposal_run(actor=admin_a, round=survey.round, kind="leveling",
                                        params={}, today=TODAY)
    assert second.name == f"{first.name} (2)"


def test_bad_parameters_are_refused_by_field(survey, org_a, admin_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        proposals.proposal_run(actor=admin_a, round=survey.round, kind="cross_training",
                               params={"k": 2, "bus_factor_target": 2, "time_limit_s": 11,
                                       "scope": "department", "scope_key": "0"},
                               today=TODAY)
    assert set(caught.value.message_dict) == {"bus_factor_target", "time_limit_s", "scope_key"}
    with tenancy.activate(org_a):
        assert not Scenario.objects.exists()


def test_cross_training_a_function_to_two_capable_people_trains_the_learner_with_a_teacher(
        survey, org_a, admin_a, people_a):
    with tenancy.activate(org_a):
        scenario = proposals.proposal_run(
            actor=admin_a, round=survey.round, kind="cross_training",
            params={"k": 2, "scope": "function", "scope_key": "経理財務", "time_limit_s": 5},
            today=TODAY)
        result = services.scenario_result(scenario)
    assert scenario.source == ScenarioSource.CROSS_TRAINING
    assert scenario.proposal["status"] == "optimal"
    assert "経理財務" in scenario.name
    # 鈴木 (level 2 on 月次決算, in the function's ratings) learns it from 山田 (level 4).
    assert [(op["op"], op["person"], op["task"]) for op in scenario.operations] == [
        ("train", people_a.suzuki.pk, survey.closing.pk)]
    rate = line(result, "dependency_rate_by_count")
    assert (rate.before, rate.after) == (0.5, 0.25)
    bus = line(result, "bus_factor:function:経理財務")
    assert (bus.before, bus.after, bus.better) == (1, 2, True)


def test_cross_training_a_task_nobody_can_teach_is_refused_naming_it_and_stores_nothing(
        survey, org_a, admin_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        proposals.proposal_run(actor=admin_a, round=survey.round, kind="cross_training",
                               params={"k": 2, "scope": "function", "scope_key": "総務"},
                               today=TODAY)
    assert caught.value.messages == [tr(
        "No feasible proposal: nobody can teach these tasks (capability 4): %(tasks)s.",
        tasks="来客・電話対応")]
    with tenancy.activate(org_a):
        assert not Scenario.objects.exists()


DEPARTMENT_TARGET = {"bus_factor_target": 2, "scope": "department", "time_limit_s": 5}


def test_cross_training_a_department_reaches_the_bus_factor_the_analysis_shows(
        survey, org_a, admin_a, people_a):
    """総務部 is 山田 and 鈴木: of its 65 h, 山田 alone can do 給与計算 and 月次決算 (50 h; 佐藤,
    who can do 給与計算 too, is in 人事部), so its bus factor is 1. 鈴木 learns 月次決算."""
    params = {**DEPARTMENT_TARGET, "scope_key": str(people_a.somu.pk)}
    with tenancy.activate(org_a):
        scenario = proposals.proposal_run(actor=admin_a, round=survey.round,
                                          kind="cross_training", params=params, today=TODAY)
        result = services.scenario_result(scenario)
    assert [(op["person"], op["task"]) for op in scenario.operations] == [
        (people_a.suzuki.pk, survey.closing.pk)]
    bus = line(result, f"bus_factor:department:{people_a.somu.pk}")
    assert (bus.before, bus.after) == (1, 2)
    assert (scenario.proposal["verified"], scenario.proposal["bus_factor"]) == (True, 2)


def test_the_scenario_page_shows_what_the_check_before_saving_found(
        survey, org_a, admin_a, people_a, client_as):
    params = {**DEPARTMENT_TARGET, "scope_key": str(people_a.somu.pk)}
    with tenancy.activate(org_a):
        scenario = proposals.proposal_run(actor=admin_a, round=survey.round,
                                          kind="cross_training", params=params, today=TODAY)
    page = client_as(admin_a, org_a).get(f"/plans/scenarios/{scenario.pk}/").content.decode()
    assert "再計算で確認済み：バス係数 2" in page


def test_people_who_have_left_neither_learn_nor_take_hours(survey, org_a, admin_a, people_a,
                                                           tr):
    with tenancy.activate(org_a):
        Person.objects.filter(pk=people_a.suzuki.pk).update(status=PersonStatus.RETIRED)
        with pytest.raises(ValidationError) as caught:
            proposals.proposal_run(
                actor=admin_a, round=survey.round, kind="cross_training",
                params={**DEPARTMENT_TARGET, "scope_key": str(people_a.somu.pk)}, today=TODAY)
        assert caught.value.messages == [tr(
            "No feasible proposal: even training everyone possible does not reach the bus "
            "factor target; these tasks cannot be trained: %(tasks)s.", tasks="給与計算、月次決算")]
        assert not Scenario.objects.exists()
        # 田中 (165 of 160 h) could hand 備品管理 to 鈴木 only, who has left.
        leveled = proposals.proposal_run(actor=admin_a, round=survey.round, kind="leveling",
                                         params={"time_limit_s": 5}, today=TODAY)
    assert leveled.operations  # 山田's 5 h of 備品管理 (not capable) go to 田中
    assert people_a.suzuki.pk not in {op["to"] for op in leveled.operations}


def test_a_plan_whose_recomputed_scenario_misses_the_target_is_not_verified(
        survey, org_a, people_a):
    """Training 佐藤 (人事部) does not change 総務部's bus factor: recomputing says 1."""
    with tenancy.activate(org_a):
        data, _summary = services.round_base(survey.round)
        cleaned = proposals.clean_params(
            "cross_training", {**DEPARTMENT_TARGET, "scope_key": str(people_a.somu.pk)}, data)
        claimed = Proposal(
            kind="cross_training", status="optimal", objective=1.0, bound=1.0, gap=0.0,
            seconds=0.1, ops=({"op": "train", "person": people_a.sato.pk,
                               "task": survey.closing.pk, "level": 3},),
            details={"verified": True, "bus_factor": 2, "bus_factor_method": "exact"})
        checked = proposals.verification(data, "cross_training", cleaned, claimed,
                                         proposals.active_person_ids(data))
    assert checked == {"verified": False, "bus_factor": 1}


def test_a_plan_the_optimizer_itself_did_not_verify_is_not_verified(survey, org_a):
    with tenancy.activate(org_a):
        data, _summary = services.round_base(survey.round)
        cleaned = proposals.clean_params("leveling", {}, data)
        claimed = Proposal(kind="leveling", status="optimal", objective=1.0, bound=1.0,
                           gap=0.0, seconds=0.1, ops=(),
                           details={"verified": False, "utilization_cap": 2.0})
        checked = proposals.verification(data, "leveling", cleaned, claimed,
                                         proposals.active_person_ids(data))
    assert checked["verified"] is False


def test_an_unproven_bus_factor_is_refused_saying_so(survey, tr):
    unproven = Proposal(kind="cross_training", status="best_found", objective=1.0, bound=0.0,
                        gap=1.0, seconds=9.0, ops=({"op": "train"},),
                        reason="target_not_proven")
    assert proposals.refusal(unproven, round_data(people=[], tasks=[], hours=[])) == tr(
        "The optimizer found a plan but could not prove within the time limit that it reaches "
        "the bus factor target; nothing was saved. Allow more time or a smaller scope.")
