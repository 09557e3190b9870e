"""The optimizer's proposals saved as scenarios: labelled, recomputed, parameters checked, and
an infeasible run names the tasks and stores nothing (see ``scenario_fixtures`` for the round)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from somu.core import tenancy
from somu.plans.models import Scenario, ScenarioSource
from somu.plans.services import scenario_proposals as proposals
from somu.plans.services import scenarios as services
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
