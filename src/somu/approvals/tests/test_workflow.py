"""A request's life: submission with its number and frozen route, decisions through the
stages, 差し戻し, 取り戻し, 代理申請, 代理承認, 代決 and 後閲."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from somu.approvals.models import (
    EventKind,
    PostReviewState,
    RequestState,
    SeatState,
    StageState,
)
from somu.approvals.selectors import inbox, request_route
from somu.approvals.services import decisions, delegations, requests
from somu.approvals.services.rules import RowInput
from somu.approvals.tests.builders import NOW, TODAY, World, install_rules, purchase, stage
from somu.core import tenancy
from somu.core.errors import Conflict


def decide(world: World, who: str, request, decision: str = "approve", **kwargs):
    with tenancy.activate(world.org):
        return decisions.request_decide(membership=world.m(who), request=request,
                                        decision=decision, today=TODAY, now=NOW, **kwargs)


def route_of(world: World, request) -> list[tuple[str, list[str], str]]:
    with tenancy.activate(world.org):
        return [(s.kind, [seat.person.name for seat in s.current_seats], s.state)
                for s in request_route(request)]


def test_a_small_purchase_goes_to_the_requesters_kacho_and_gets_the_first_number(world):
    request = purchase(world, amount=100_000)
    assert request.number == "購入-2026-00001"
    assert request.state == RequestState.IN_PROGRESS
    assert route_of(world, request) == [("decide", ["伊藤 課長"], StageState.ACTIVE)]


def test_numbers_follow_the_fiscal_year_and_have_no_gaps(world):
    first = purchase(world, amount=1_000)
    draft = purchase(world, amount=1_000, submit=False)
    second = purchase(world, amount=1_000)
    march = purchase(world, amount=1_000, today=dt.date(2027, 3, 31))
    april = purchase(world, amount=1_000, today=dt.date(2027, 4, 1))
    assert [first.number, second.number, march.number, april.number] == [
        "購入-2026-00001", "購入-2026-00002", "購入-2026-00003", "購入-2027-00001"]
    assert draft.number == ""


def test_amount_bands_hold_to_the_end_the_kacho_approval_does_not_complete_a_bucho_request(world):
    request = purchase(world, amount=210_000)
    decide(world, "ito", request)
    with tenancy.activate(world.org):
        request.refresh_from_db()
    assert request.state == RequestState.IN_PROGRESS
    assert route_of(world, request) == [
        ("approve", ["伊藤 課長"], StageState.DONE),
        ("decide", ["山本 部長"], StageState.ACTIVE)]
    decide(world, "yamamoto", request)
    with tenancy.activate(world.org):
        request.refresh_from_db()
    assert request.state == RequestState.APPROVED


def test_above_500000_the_accounting_department_is_consulted_and_all_must_agree(world):
    request = purchase(world, amount=600_000)
    assert [kind for kind, _people, _state in route_of(world, request)] == [
        "consult", "approve", "decide"]
    decide(world, "kato", request)
    assert route_of(world, request)[0][2] == StageState.ACTIVE  # 吉田 still to agree
    decide(world, "yoshida", request)
    decide(world, "kobayashi", request)
    assert route_of(world, request)[0][2] == StageState.DONE
    assert route_of(world, request)[1][2] == StageState.ACTIVE


def test_nobody_approves_their_own_request_even_when_it_reaches_their_seat(world):
    # 伊藤 (課長) buys for ¥50,000: the 課長 stage goes up to the 部長, not to himself.
    request = purchase(world, "ito", amount=50_000)
    assert route_of(world, request) == [("decide", ["山本 部長"], StageState.ACTIVE)]
    with pytest.raises(PermissionDenied):
        decide(world, "ito", request)


def test_a_second_decision_on_a_decided_stage_gets_a_conflict_naming_the_state(world, tr):
    request = purchase(world, amount=50_000)
    decide(world, "ito", request)
    with pytest.raises(Conflict) as caught:
        decide(world, "ito", request)
    assert str(RequestState.APPROVED.label) in str(caught.value)


def test_reject_ends_the_request_and_needs_a_reason(world):
    request = purchase(world, amount=50_000)
    with pytest.raises(ValidationError):
        decide(world, "ito", request, "reject")
    decide(world, "ito", request, "reject", comment="予算超過")
    with tenancy.activate(world.org):
        request.refresh_from_db()
    assert request.state == RequestState.REJECTED


def test_sent_back_to_the_requester_who_edits_the_amount_and_gets_a_new_route(world):
    request = purchase(world, amount=50_000)
    decide(world, "ito", request, "return", comment="金額を見直してください")
    with tenancy.activate(world.org):
        request.refresh_from_db()
        assert request.state == RequestState.SENT_BACK
        m = world.m("suzuki")
        requests.request_save(membership=m, request=request, request_type=request.request_type,
                              requester=request.requester, title=request.title,
                              amount=300_000, category="備品", values=request.values, now=NOW)
        request = requests.request_submit(membership=m, request=request, today=TODAY, now=NOW)
        kinds = list(request.events.values_list("kind", flat=True))
        revisions = list(request.revisions.values_list("number", "amount"))
    assert request.number == "購入-2026-00001"  # the number stays
    assert EventKind.ROUTE_CHANGED in kinds
    assert revisions == [(1, 50_000), (2, 300_000)]
    assert route_of(world, request) == [
        ("approve", ["伊藤 課長"], StageState.ACTIVE),
        ("decide", ["山本 部長"], StageState.WAITING)]


def test_sent_back_to_an_earlier_stage_which_decides_again(world):
    request = purchase(world, amount=210_000)
    decide(world, "ito", request)
    decide(world, "yamamoto", request, "return", comment="課長、再確認を", return_to=0)
    assert route_of(world, request) == [
        ("approve", ["伊藤 課長"], StageState.ACTIVE),
        ("decide", ["山本 部長"], StageState.WAITING)]
    decide(world, "ito", request)
    decide(world, "yamamoto", request)
    with tenancy.activate(world.org):
        request.refresh_from_db()
    assert request.state == RequestState.APPROVED


def test_recall_is_possible_only_before_the_first_decision(world):
    request = purchase(world, amount=210_000)
    with tenancy.activate(world.org):
        requests.request_recall(membership=world.m("suzuki"), request=request, now=NOW)
        request.refresh_from_db()
        assert request.state == RequestState.RECALLED
        request = requests.request_submit(membership=world.m("suzuki"), request=request,
                                          today=TODAY, now=NOW)
    decide(world, "ito", request)
    with tenancy.activate(world.org), pytest.raises(Conflict):
        requests.request_recall(membership=world.m("suzuki"), request=request, now=NOW)


def test_a_secretary_submits_on_behalf_and_the_requester_stays_the_requester(world):
    request = purchase(world, "secretary", requester="suzuki", amount=50_000)
    assert request.requester == world.people["suzuki"]
    assert request.submitted_by == world.people["secretary"]
    assert route_of(world, request) == [("decide", ["伊藤 課長"], StageState.ACTIVE)]


def test_an_employee_cannot_submit_on_someone_elses_behalf(world):
    with pytest.raises(PermissionDenied):
        purchase(world, "kato", requester="suzuki")


def test_a_deputy_decides_for_the_absent_approver_under_the_delegation(world):
    with tenancy.activate(world.org):
        delegation = delegations.delegation_create(
            membership=world.m("ito"), principal=world.people["ito"],
            deputy=world.people["kato"], start=TODAY, end=TODAY + dt.timedelta(days=7), now=NOW)
    request = purchase(world, amount=50_000)
    with tenancy.activate(world.org):
        assert [i.request.pk for i in inbox(world.people["kato"], today=TODAY)] == [request.pk]
    decide(world, "kato", request)
    with tenancy.activate(world.org):
        seat = request.seats.get()
        event = request.events.get(kind=EventKind.APPROVED)
    assert seat.state == SeatState.APPROVED
    assert (seat.person, seat.decided_by, seat.acting) == (
        world.people["ito"], world.people["kato"], "delegate")
    assert (event.on_behalf_of, event.delegation) == (world.people["ito"], delegation)


def test_a_delegation_outside_its_dates_gives_no_right(world):
    with tenancy.activate(world.org):
        delegations.delegation_create(
            membership=world.m("ito"), principal=world.people["ito"],
            deputy=world.people["kato"], start=TODAY + dt.timedelta(days=1),
            end=TODAY + dt.timedelta(days=2), now=NOW)
    request = purchase(world, amount=50_000)
    with pytest.raises(PermissionDenied):
        decide(world, "kato", request)


def test_a_delegation_to_oneself_or_ending_before_it_starts_is_refused(world):
    with tenancy.activate(world.org):
        with pytest.raises(ValidationError, match="deputy"):
            delegations.delegation_create(
                membership=world.m("ito"), principal=world.people["ito"],
                deputy=world.people["ito"], start=TODAY, end=TODAY, now=NOW)
        with pytest.raises(ValidationError, match="end"):
            delegations.delegation_create(
                membership=world.m("ito"), principal=world.people["ito"],
                deputy=world.people["kato"], start=TODAY, end=TODAY - dt.timedelta(days=1),
                now=NOW)


def test_the_requester_cannot_approve_through_a_delegation(world):
    with tenancy.activate(world.org):
        delegations.delegation_create(
            membership=world.m("ito"), principal=world.people["ito"],
            deputy=world.people["suzuki"], start=TODAY, end=TODAY, now=NOW)
    request = purchase(world, amount=50_000)
    with pytest.raises(PermissionDenied):
        decide(world, "suzuki", request)


def test_a_superior_decides_in_the_absent_approvers_place_who_then_reviews_it(world):
    request = purchase(world, amount=50_000)
    with tenancy.activate(world.org):
        seat = request.seats.get()
    with pytest.raises(ValidationError):  # a reason is required
        decide(world, "yamamoto", request, seat=seat.pk, acting="superior")
    decide(world, "yamamoto", request, seat=seat.pk, acting="superior", comment="伊藤不在のため")
    with tenancy.activate(world.org):
        request.refresh_from_db()
        review = request.post_reviews.get()
        assert request.state == RequestState.APPROVED
        assert review.person == world.people["ito"]
        decisions.post_review_complete(membership=world.m("ito"), post_review=review,
                                       flag=False, now=NOW)
        review.refresh_from_db()
    assert review.state == PostReviewState.ACKNOWLEDGED


def test_someone_not_above_the_approver_cannot_decide_in_their_place(world):
    request = purchase(world, amount=50_000)
    with tenancy.activate(world.org):
        seat = request.seats.get()
    with pytest.raises(PermissionDenied):
        decide(world, "kato", request, seat=seat.pk, acting="superior", comment="代わりに")


def test_a_rule_revision_never_changes_a_submitted_requests_route(world):
    request = purchase(world, amount=50_000)
    t = world.types
    install_rules(world, [RowInput(1, t["purchase"], (stage("decide", "position", "社長"),)),
                          RowInput(2, t["contract"], (stage("decide", "position", "部長"),)),
                          RowInput(3, t["ringi"], (stage("decide", "position", "部長"),))],
                  effective=dt.date(2026, 6, 1))
    assert route_of(world, request) == [("decide", ["伊藤 課長"], StageState.ACTIVE)]
    # Sent back and resubmitted: still the revision it was first submitted under.
    decide(world, "ito", request, "return", comment="やり直し")
    with tenancy.activate(world.org):
        request = requests.request_submit(membership=world.m("suzuki"), request=request,
                                          today=TODAY, now=NOW)
    assert route_of(world, request) == [("decide", ["伊藤 課長"], StageState.ACTIVE)]
    assert purchase(world, amount=50_000).rule_version == world.version


def test_a_consultation_member_adds_a_participant_when_the_rule_allows(world):
    request = purchase(world, amount=600_000)
    with tenancy.activate(world.org):
        consult = request.stages.get(kind="consult")
        decisions.stage_add_participant(membership=world.m("kato"), request=request,
                                        stage=consult, person=world.people["matsumoto"],
                                        now=NOW)
    decide(world, "kato", request)
    decide(world, "yoshida", request)
    assert route_of(world, request)[0][2] == StageState.ACTIVE  # 松本 must agree too
    decide(world, "matsumoto", request)
    decide(world, "kobayashi", request)  # the 経理部's members include its 部長
    assert route_of(world, request)[0][2] == StageState.DONE


def test_an_unresolvable_route_fails_the_submission_naming_the_stage(world, tr):
    t = world.types
    install_rules(world, [RowInput(1, t["purchase"], (stage("decide", "levels_up", "9"),)),
                          RowInput(2, t["contract"], (stage("decide", "position", "部長"),)),
                          RowInput(3, t["ringi"], (stage("decide", "position", "部長"),))],
                  effective=dt.date(2026, 5, 1))
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        purchase(world, amount=50_000)
    assert caught.value.messages == [
        "Row 1, stage 1 (Final decision Levels up) cannot be resolved: there are not that "
        "many levels above the requester"]


def test_missing_required_fields_and_a_negative_amount_are_refused_with_nothing_stored(world):
    with tenancy.activate(world.org):
        m = world.m("suzuki")
        with pytest.raises(ValidationError) as caught:
            requests.request_save(membership=m, request_type=world.types["purchase"],
                                  requester=world.people["suzuki"], title="", amount=-5,
                                  now=NOW)
        assert set(caught.value.message_dict) == {"title", "amount"}
        with pytest.raises(ValidationError, match="amount"):
            requests.request_save(membership=m, request_type=world.types["purchase"],
                                  requester=world.people["suzuki"], title="机", amount="12.5",
                                  now=NOW)
        draft = requests.request_save(membership=m, request_type=world.types["purchase"],
                                      requester=world.people["suzuki"], title="机", now=NOW)
        with pytest.raises(ValidationError) as caught:
            requests.request_submit(membership=m, request=draft, today=TODAY, now=NOW)
        assert {"amount", "item", "quantity", "reason"} <= set(caught.value.message_dict)
        draft.refresh_from_db()
        assert (draft.state, draft.number) == (RequestState.DRAFT, "")
