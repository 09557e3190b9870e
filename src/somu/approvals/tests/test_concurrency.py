"""Two people acting on the same request at the same moment, through the API, each on their own
database connection: exactly one action is recorded, the other gets 409 with the current state.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/somu_wt_api``; on SQLite every write
transaction is IMMEDIATE (serialized by the database), so there is nothing to race.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from django.db import connection

from somu.approvals.api import common
from somu.approvals.models import EventKind, RequestEvent, Seat, SeatState, Stage
from somu.approvals.services.rules import RowInput
from somu.approvals.tests.builders import NOW, TODAY, World, install_rules, purchase, stage
from somu.core import tenancy
from somu.core.tests.apiclient import assert_error
from somu.core.tests.concurrency import at_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 3


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):  # type: ignore[no-untyped-def]
    return functools.partial(api_as, prefix="/api/v1/approvals")


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "today", lambda: TODAY)
    monkeypatch.setattr(common, "now", lambda: NOW)


def test_two_consultation_members_deciding_a_quorum_any_stage_at_once_one_decision_counts(
        world: World, api_as: Any) -> None:
    t = world.types
    install_rules(world, [
        RowInput(1, t["purchase"], (stage("consult", "group", str(world.depts["keiri"].pk),
                                          quorum="any"),
                                    stage("decide", "position", "課長"))),
        RowInput(2, t["ringi"], (stage("decide", "position", "部長"),)),
    ])
    kato, yoshida = api_as(world.users["kato"]), api_as(world.users["yoshida"])
    for _round in range(ROUNDS):
        request = purchase(world)
        responses = at_once(
            lambda r=request: kato.post(f"/requests/{r.pk}/decide", {"decision": "approve"}),
            lambda r=request: yoshida.post(f"/requests/{r.pk}/decide", {"decision": "approve"}))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 409], [r.content for r in responses]
        (late,) = [r for r in responses if r.status_code == 409]
        error = assert_error(late, 409, "conflict", extra=("state", "request"))
        # The request moved on to the 課長's decision: that is what the late one is told.
        assert error["state"] == "in_progress"
        with tenancy.activate(world.org):
            consult = Stage.objects.get(request=request, kind="consult")
            seats = sorted(Seat.objects.filter(stage=consult).values_list("state", flat=True))
            approvals = RequestEvent.objects.filter(request=request,
                                                    kind=EventKind.APPROVED).count()
            decide = Stage.objects.get(request=request, kind="decide")
        assert seats == sorted([SeatState.APPROVED, SeatState.NOT_NEEDED, SeatState.NOT_NEEDED])
        assert approvals == 1
        assert (consult.state, decide.state) == ("done", "active")


def test_an_approval_racing_a_recall_one_wins_and_the_other_hears_the_state(
        world: World, api_as: Any) -> None:
    ito, suzuki = api_as(world.users["ito"]), api_as(world.users["suzuki"])
    for _round in range(ROUNDS):
        request = purchase(world)
        approve, recall = at_once(
            lambda r=request: ito.post(f"/requests/{r.pk}/decide", {"decision": "approve"}),
            lambda r=request: suzuki.post(f"/requests/{r.pk}/recall", {}))
        assert sorted((approve.status_code, recall.status_code)) == [200, 409], (
            approve.content, recall.content)
        with tenancy.activate(world.org):
            request.refresh_from_db()
            kinds = list(RequestEvent.objects.filter(request=request)
                         .values_list("kind", flat=True))
        if approve.status_code == 200:
            error = assert_error(recall, 409, "conflict", extra=("state", "request"))
            assert error["state"] == request.state == "approved"
            assert EventKind.RECALLED not in kinds
        else:
            error = assert_error(approve, 409, "conflict", extra=("state", "request"))
            assert error["state"] == request.state == "recalled"
            assert EventKind.APPROVED not in kinds
