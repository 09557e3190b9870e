"""Improvement items: made from the analysis' findings with the effect the analysis gives,
numbered per organization, moved on the board, refused when the input is wrong (nothing stored).

The findings come from the small round of :mod:`somu.survey.tests.test_analysis_pages` (values
checked by hand there): 月次決算 depends on 山田 alone; 田中 works 165 h of 160 (5 h over) and
leaving orphans 来客・電話対応's 155 h; 山田 (G3 ¥5,000) spends 5 h on 備品管理 (difficulty 1,
G1 ¥2,500): ¥12,500 over-qualified; 備品管理 (25 h) is outsourceable.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.core.home import Finding
from somu.notify.models import Notification
from somu.plans.findings import actions, item_from_finding
from somu.plans.models import Item, ItemKind, ItemStatus
from somu.plans.services.items import item_create, item_delete, item_move, item_update
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


def finding(survey: Survey, kind: str, *, task=None, person=None) -> Finding:
    return Finding(kind=kind, round_id=survey.round.pk, task_id=task.pk if task else None,
                   person_id=person.pk if person else None)


def test_a_person_dependent_task_becomes_a_standardization_item_making_one_more_capable(
        org_a, survey):
    with tenancy.activate(org_a):
        data = item_from_finding(finding(survey, "dependent_task", task=survey.closing))
    assert data["kind"] == ItemKind.STANDARDIZE
    assert data["task"] == survey.closing
    assert data["expected_capable"] == 1
    assert "月次決算" in data["title"]


def test_a_retirees_orphaned_hours_become_a_cross_training_item_of_those_hours(org_a, survey):
    with tenancy.activate(org_a):
        data = item_from_finding(finding(survey, "retirement", person=survey.people.tanaka))
    assert data["kind"] == ItemKind.CROSS_TRAIN
    assert data["expected_hours"] == Decimal("155.00")
    assert data["task"] == survey.reception  # the orphaned task, to train someone on


def test_an_overloaded_person_becomes_a_reassignment_of_the_hours_above_capacity(org_a, survey):
    with tenancy.activate(org_a):
        data = item_from_finding(finding(survey, "overload", person=survey.people.tanaka))
    assert (data["kind"], data["expected_hours"]) == (ItemKind.REASSIGN, Decimal("5.00"))


def test_an_over_qualified_assignment_saves_the_grade_difference_per_month(org_a, survey):
    with tenancy.activate(org_a):
        data = item_from_finding(finding(survey, "overqualified", task=survey.supplies,
                                         person=survey.people.yamada))
    assert (data["kind"], data["expected_cost"]) == (ItemKind.REASSIGN, 12_500)


def test_an_outsourcing_candidate_moves_the_tasks_hours(org_a, survey):
    with tenancy.activate(org_a):
        data = item_from_finding(finding(survey, "outsourceable", task=survey.supplies))
    assert (data["kind"], data["expected_hours"]) == (ItemKind.OUTSOURCE, Decimal("25.00"))


def test_the_finding_action_is_offered_only_to_who_may_edit_the_plan(
        org_a, survey, make_user, people_a):
    from somu.core.permissions import Role
    from somu.org.models import Membership

    staff = make_user("s", org_a, Role.STAFF)
    auditor = make_user("au", org_a, Role.AUDITOR)
    f = finding(survey, "dependent_task", task=survey.closing)
    with tenancy.activate(org_a):
        offered = actions(f, membership=Membership.objects.get(user=staff))
        refused = actions(f, membership=Membership.objects.get(user=auditor))
    assert len(offered) == 1
    _label, url = offered[0]
    assert url == (f"/plans/items/new/?finding=dependent_task&round={survey.round.pk}"
                   f"&task={survey.closing.pk}")
    assert refused == []


def make(org, **data) -> Item:
    with tenancy.activate(org):
        return item_create(actor=None, data={"title": "手順書を作る", "kind": "standardize",
                                             **data}, today=TODAY)


def test_items_are_numbered_per_organization(org_a, org_b, people_a):
    assert [make(org_a).number, make(org_a).number, make(org_b).number] == [1, 2, 1]


def test_the_owner_is_told_about_the_item(org_a, people_a):
    item = make(org_a, owner=people_a.suzuki, due_on=dt.date(2026, 7, 31))
    with tenancy.activate(org_a):
        note = Notification.objects.get(recipient=people_a.suzuki, kind="plans.item_assigned")
    assert "#1" in note.title and note.url == f"/plans/items/{item.pk}/"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"due_on": dt.date(2026, 5, 31)}, "due_on",
     "The due date %(date)s is in the past: choose today or a later date."),
    ({"title": "  "}, "title", "Enter a title."),
    ({"kind": "fly"}, "kind", "Choose the type of the item."),
    ({"expected_hours": "-3"}, "expected_hours", "Enter zero or a positive number."),
])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
        org_a, people_a, tr, data, field, message):
    with pytest.raises(ValidationError) as caught:
        make(org_a, **data)
    assert caught.value.message_dict[field] == [
        tr(message) % {"date": "2026-05-31"} if "%(date)s" in message else tr(message)]
    with tenancy.activate(org_a):
        assert not Item.objects.exists()


def test_an_owner_of_another_organization_is_refused(org_a, people_a, people_b, tr):
    with pytest.raises(ValidationError) as caught:
        make(org_a, owner=people_b.kimura)
    assert caught.value.message_dict["owner"] == [
        tr("Choose one of this organization's records.")]


def test_moving_to_done_records_the_day_and_a_done_item_cannot_be_proposed_again(
        org_a, people_a, tr):
    item = make(org_a)
    with tenancy.activate(org_a):
        item = item_move(actor=None, item=item, status=ItemStatus.DONE, today=TODAY)
        assert item.done_on == TODAY
        with pytest.raises(ValidationError) as caught:
            item_move(actor=None, item=item, status=ItemStatus.PROPOSED, today=TODAY)
        assert tr("A done item cannot go back to “%(status)s”: move it to “In progress” to "
                  "reopen it.") % {"status": "提案"} in caught.value.messages[0]
        reopened = item_move(actor=None, item=item, status=ItemStatus.IN_PROGRESS, today=TODAY)
        assert reopened.done_on is None
        assert AuditEvent.objects.filter(action="plan_item.move").count() == 2


def test_a_move_from_a_column_the_item_has_left_is_refused_as_a_conflict(org_a, people_a):
    item = make(org_a)
    with tenancy.activate(org_a):
        item_move(actor=None, item=item, status="planned", from_status="proposed", today=TODAY)
        with pytest.raises(Conflict):
            item_move(actor=None, item=item, status="planned", from_status="proposed",
                      today=TODAY)


def test_only_proposed_or_cancelled_items_can_be_deleted(org_a, people_a):
    item = make(org_a)
    with tenancy.activate(org_a):
        item_move(actor=None, item=item, status="in_progress", today=TODAY)
        with pytest.raises(ValidationError):
            item_delete(actor=None, item=item)
        item_move(actor=None, item=item, status="cancelled", today=TODAY)
        item_delete(actor=None, item=item)
        assert not Item.objects.exists()


def test_an_old_past_due_date_does_not_block_other_edits_but_a_new_past_one_does(
        org_a, people_a):
    item = make(org_a, due_on=dt.date(2026, 6, 10))
    later = dt.date(2026, 7, 1)
    with tenancy.activate(org_a):
        item = item_update(actor=None, item=item, data={"title": "改名"}, today=later)
        assert item.title == "改名"
        with pytest.raises(ValidationError):
            item_update(actor=None, item=item, data={"due_on": dt.date(2026, 6, 20)},
                        today=later)


def test_an_item_made_from_a_scenario_keeps_the_link(org_a, people_a):
    from somu.plans.models import Scenario
    from somu.survey import services as survey_services

    with tenancy.activate(org_a):
        survey_round = survey_services.round_save(actor=None, survey_round=None,
                                                  data={"name": "2026"})
        scenario = Scenario.objects.create(organization_id=org_a.pk, name="新体制案",
                                           round=survey_round)
    item = make(org_a, scenario=scenario, finding="scenario")
    assert (item.scenario, item.finding) == (scenario, "scenario")
