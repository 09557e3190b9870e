"""The demo's scenarios: one built by hand (a move, a training, an outsourcing) and turned into
items, one from the cross-training optimizer, on the latest closed round; loading twice adds
nothing."""

from __future__ import annotations

import pytest

from somu.core import tenancy
from somu.plans import demo_scenarios
from somu.plans.models import Item, Scenario, ScenarioSource
from somu.plans.services import scenarios as services
from somu.procedures.tests.test_demo_procedures import TODAY, sample_company
from somu.survey import demo as survey_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample():
    organization = sample_company()
    demo_scenarios.load(organization, today=TODAY)
    return organization


def test_the_demo_has_a_hand_built_scenario_and_a_cross_training_proposal(sample):
    with tenancy.activate(sample):
        scenarios = {s.source: s for s in Scenario.objects.select_related("round")}
        assert len(scenarios) == 2
        hand = scenarios[ScenarioSource.MANUAL]
        proposal = scenarios[ScenarioSource.CROSS_TRAINING]
        assert hand.name == demo_scenarios.HAND_BUILT
        assert hand.round.name == survey_demo.ROUND_2026 == proposal.round.name
        assert [op["op"] for op in hand.operations] == ["move", "train", "outsource"]
        assert Item.objects.filter(scenario=hand).count() == 3
        assert proposal.proposal["status"] in ("optimal", "best_found")
        result = services.scenario_result(proposal)
    function = proposal.proposal["params"]["scope_key"]
    bus = next(x for x in result.lines if x.key == f"bus_factor:function:{function}")
    assert bus.after > bus.before
    assert result.error == ""


def test_loading_the_demo_again_adds_nothing(sample):
    demo_scenarios.load(sample, today=TODAY)
    with tenancy.activate(sample):
        assert Scenario.objects.count() == 2
