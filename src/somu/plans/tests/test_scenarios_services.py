"""Scenarios: operations are checked against the round's data, the analysis is recomputed next
to the baseline, bad operations get a Japanese message naming the person and the task and store
nothing, and a scenario never changes real data.

The round is the analysis pages' (``somu.survey.tests.test_analysis_pages``), checkable by hand:

    task (function, difficulty)    hours                          capability
    給与計算 (人事労務, 3)          山田 20, 佐藤 10               山田 4, 佐藤 3
    月次決算 (経理財務, 4)          山田 30                        山田 4, 鈴木 2
    備品管理 (総務, 1, outsource)   鈴木 10, 田中 10, 山田 5       鈴木 3, 田中 3
    来客・電話対応 (総務, 1)        田中 155                       nobody rated: 田中 (has hours)

Person-dependent: 月次決算 and 来客・電話対応 (2 of 4 tasks, 185 of 240 h); 田中 works 165 h of
160 (overloaded); the organization's bus factor is 1 (田中).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.plans.models import FindingKind, Item, ItemKind, Scenario
from somu.plans.services import scenarios as services
from somu.survey.models import Capability, WorkHours
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    """The analysis pages' hand-checkable round (see ``test_scenarios_services``)."""
    return Survey(org_a, people_a)

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def scenario(survey, org_a, admin_a):
    with tenancy.activate(org_a):
        return services.scenario_create(actor=admin_a, data={
            "name": "新体制案", "round": survey.round, "description": ""})


def line(result, key):
    return next(x for x in result.lines if x.key == key)


def real_data(round_):
    return (sorted(WorkHours.objects.filter(round=round_).values_list(
        "person_id", "task_id", "hours")),
        sorted(Capability.objects.filter(round=round_).values_list(
            "person_id", "task_id", "level")))


def test_a_new_scenario_shows_the_baseline_figures_unchanged(scenario, org_a):
    with tenancy.activate(org_a):
        result = services.scenario_result(scenario)
    assert result.error == ""
    rate = line(result, "dependency_rate_by_count")
    assert (rate.before, rate.after, rate.better) == (0.5, 0.5, None)
    assert line(result, "bus_factor:organization:").before == 1
    assert line(result, "total_cost").before == 747_500


def test_training_the_second_person_on_a_task_lowers_person_dependency(
        scenario, survey, org_a, admin_a, people_a):
    with tenancy.activate(org_a):
        scenario, warnings = services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "train", "person": people_a.suzuki.pk, "task": survey.closing.pk, "level": 3})
        result = services.scenario_result(scenario)
    assert warnings == []
    rate = line(result, "dependency_rate_by_count")
    assert (rate.before, rate.after, rate.better) == (0.5, 0.25, True)
    assert [o.text for o in result.ops] == [
        services.describe_op(scenario.operations[0], result.names)]
    assert "鈴木 花子" in result.ops[0].text and "月次決算" in result.ops[0].text


def test_moving_hours_to_someone_not_capable_is_kept_but_flagged_needs_training(
        scenario, survey, org_a, admin_a, people_a, tr):
    with tenancy.activate(org_a):
        scenario, warnings = services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "move", "task": survey.closing.pk, "from": people_a.yamada.pk,
            "to": people_a.suzuki.pk, "hours": 10})
        result = services.scenario_result(scenario)
    assert warnings == [tr(
        "%(person)s is not yet capable of %(task)s (level %(level)s): 要トレーニング (needs "
        "training).", person="鈴木 花子", task="月次決算", level=2)]
    assert result.warnings == warnings
    people = {p.name: p for p in result.summary.people}
    assert people["山田 太郎"].load == 45 and people["鈴木 花子"].load == 20
    assert len(scenario.operations) == 1


def test_moving_more_hours_than_the_person_has_is_refused_naming_both_and_stores_nothing(
        scenario, survey, org_a, admin_a, people_a, tr):
    with tenancy.activate(org_a):
        before_events = AuditEvent.objects.count()
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "move", "task": survey.closing.pk, "from": people_a.yamada.pk,
            "to": people_a.suzuki.pk, "hours": 40})
    assert caught.value.messages == [tr(
        "%(person)s has only %(available)s h/month on %(task)s (the operation moves "
        "%(hours)s h/month).", person="山田 太郎", available="30.0", task="月次決算",
        hours="40.0")]
    with tenancy.activate(org_a):
        scenario.refresh_from_db()
        assert scenario.operations == []
        assert AuditEvent.objects.count() == before_events


def test_an_unknown_person_is_refused_with_a_clear_message(scenario, survey, org_a, admin_a,
                                                           people_b, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "retire", "person": people_b.kimura.pk})
    assert caught.value.messages == [tr(
        "%(person)s is not in this round.",
        person=tr("an unknown person (%(key)s)", key=str(people_b.kimura.pk)))]
    with tenancy.activate(org_a):
        assert Scenario.objects.get(pk=scenario.pk).operations == []


def test_a_hire_gets_a_key_and_can_take_hours(scenario, survey, org_a, admin_a, people_a, tr):
    with tenancy.activate(org_a):
        scenario, _ = services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "hire", "name": "採用予定 A", "grade": "G1", "capacity": 160})
        scenario, warnings = services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "move", "task": survey.reception.pk, "from": people_a.tanaka.pk,
            "to": "new-1", "hours": 50})
        result = services.scenario_result(scenario)
    assert scenario.operations[0]["key"] == "new-1"
    assert line(result, "overloaded").after == 0
    assert any("採用予定 A" in w for w in warnings)
    # The move needs the hire: removing the hire first is refused.
    with tenancy.activate(org_a), pytest.raises(ValidationError):
        services.scenario_op_remove(actor=admin_a, scenario=scenario, index=0)
    with tenancy.activate(org_a):
        scenario = services.scenario_op_remove(actor=admin_a, scenario=scenario, index=1)
    assert [op["op"] for op in scenario.operations] == ["hire"]


def test_scenario_names_are_unique_and_required(scenario, survey, org_a, admin_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.scenario_create(actor=admin_a, data={"name": "新体制案", "round": survey.round})
    assert caught.value.message_dict == {"name": [tr(
        "A scenario named 「%(name)s」 already exists.", name="新体制案")]}
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.scenario_update(actor=admin_a, scenario=scenario, data={"name": " "})
    assert "name" in caught.value.message_dict


def test_items_are_made_from_the_operations_numbered_after_the_existing_ones(
        scenario, survey, org_a, admin_a, people_a):
    with tenancy.activate(org_a):
        Item.objects.create(number=7, title="既存の施策", kind=ItemKind.SIMPLIFY)
        for op in (
            {"op": "move", "task": survey.payroll.pk, "from": people_a.yamada.pk,
             "to": people_a.sato.pk, "hours": 5},
            {"op": "train", "person": people_a.suzuki.pk, "task": survey.closing.pk,
             "level": 3},
            {"op": "outsource", "task": survey.supplies.pk, "hours": None, "how": "outsource"},
            {"op": "drop", "task": survey.reception.pk},
        ):
            scenario, _ = services.scenario_op_add(actor=admin_a, scenario=scenario, op=op)
        before = real_data(survey.round)
        items = services.scenario_items(actor=admin_a, scenario=scenario, today=TODAY)
        after = real_data(survey.round)
    assert [(i.number, i.kind) for i in items] == [
        (8, ItemKind.REASSIGN), (9, ItemKind.CROSS_TRAIN), (10, ItemKind.OUTSOURCE),
        (11, ItemKind.ELIMINATE)]
    assert all(i.scenario_id == scenario.pk and i.round_id == survey.round.pk
               and i.finding == FindingKind.SCENARIO for i in items)
    training = items[1]
    assert (training.learner_id, training.task_id, training.target_level,
            training.expected_capable) == (people_a.suzuki.pk, survey.closing.pk, 3, 1)
    assert items[0].expected_hours == Decimal("5")
    assert items[2].expected_hours == Decimal("25")  # all of 備品管理
    assert items[3].expected_hours == Decimal("155")
    assert before == after  # a scenario never changes real data
    with tenancy.activate(org_a), pytest.raises(Conflict):
        services.scenario_items(actor=admin_a, scenario=scenario, today=TODAY)


def test_an_empty_scenario_makes_no_items(scenario, org_a, admin_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.scenario_items(actor=admin_a, scenario=scenario, today=TODAY)
    assert caught.value.messages == [tr("The scenario has no operations to turn into items.")]
    with tenancy.activate(org_a):
        assert not Item.objects.exists()


def test_deleting_a_scenario_keeps_its_items(scenario, survey, org_a, admin_a, people_a):
    with tenancy.activate(org_a):
        scenario, _ = services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "drop", "task": survey.reception.pk})
        items = services.scenario_items(actor=admin_a, scenario=scenario, today=TODAY)
        services.scenario_delete(actor=admin_a, scenario=scenario)
        assert not Scenario.objects.exists()
        assert Item.objects.get(pk=items[0].pk).scenario_id is None


def test_operations_that_no_longer_apply_are_reported_not_raised(
        scenario, survey, org_a, admin_a, people_a):
    with tenancy.activate(org_a):
        scenario, _ = services.scenario_op_add(actor=admin_a, scenario=scenario, op={
            "op": "move", "task": survey.closing.pk, "from": people_a.yamada.pk,
            "to": people_a.suzuki.pk, "hours": 30})
        WorkHours.objects.filter(round=survey.round, task=survey.closing).update(
            hours=Decimal("10"))
        from somu.survey import services as survey_services

        survey_services.round_touch(survey.round)
        result = services.scenario_result(Scenario.objects.get(pk=scenario.pk))
    assert result.summary is None and "山田 太郎" in result.error
