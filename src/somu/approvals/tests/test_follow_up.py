"""What an approved request authorizes: its follow-up procedure starts, linked both ways; 回覧
goes out after the decision and never holds the request up."""

from __future__ import annotations

from somu.approvals.models import EventKind, RequestState, SeatState, StageState
from somu.approvals.services import decisions
from somu.approvals.tests.builders import NOW, TODAY, World, install_rules, purchase
from somu.core import tenancy
from somu.procedures.models import RunStatus
from somu.procedures.services import library


def follow_with_supplies_order(world: World) -> None:
    with tenancy.activate(world.org):
        template = library.library_adopt(actor=None, key="supplies_order",
                                         owner=world.people["secretary"])
        purchase_type = world.types["purchase"]
        purchase_type.follow_up_template = template
        purchase_type.follow_up_params = {"品目": "item", "数量": "quantity",
                                          "概算金額": "@amount", "希望納期": "needed_by",
                                          "用途": "reason"}
        purchase_type.save()


def decide(world, who, request, decision="approve", **kwargs):
    with tenancy.activate(world.org):
        return decisions.request_decide(membership=world.m(who), request=request,
                                        decision=decision, today=TODAY, now=NOW, **kwargs)


def test_final_approval_starts_the_follow_up_procedure_with_the_forms_values(world):
    follow_with_supplies_order(world)
    request = purchase(world, amount=80_000, title="会議室の椅子")
    decide(world, "ito", request)
    with tenancy.activate(world.org):
        request.refresh_from_db()
        run = request.launched_run
        assert run is not None
        assert (run.status, run.starter) == (RunStatus.RUNNING, world.people["suzuki"])
        assert run.params["品目"] == "ノートPC"
        assert run.params["概算金額"] == 80_000
        assert run.origin_label == f"{request.number} 会議室の椅子"
        assert run.origin_url == f"/approvals/requests/{request.pk}/"
        assert request.events.filter(kind=EventKind.LAUNCHED, data__run=run.pk).exists()


def test_a_follow_up_that_cannot_start_leaves_the_approval_standing_and_says_why(world):
    follow_with_supplies_order(world)
    with tenancy.activate(world.org):
        world.types["purchase"].follow_up_params = {"品目": "item", "希望納期": "needed_by"}
        world.types["purchase"].save()
    request = purchase(world, amount=80_000)
    decide(world, "ito", request)
    with tenancy.activate(world.org):
        request.refresh_from_db()
        event = request.events.get(kind=EventKind.LAUNCHED)
    assert request.state == RequestState.APPROVED
    assert request.launched_run is None
    assert "数量" in event.data["error"]  # the parameter left unmapped is named


def test_circulation_reaches_its_readers_after_the_decision_and_never_blocks(world):
    request = None
    with tenancy.activate(world.org):
        from somu.approvals.services import requests

        m = world.m("suzuki")
        request = requests.request_save(
            membership=m, request_type=world.types["contract"], requester=world.people["suzuki"],
            title="NDA 締結", amount=0,
            values={"contract_kind": "NDA", "counterparty": "株式会社テスト", "start": "2026-07-01",
                    "summary": "秘密保持"}, now=NOW)
        request = requests.request_submit(membership=m, request=request, today=TODAY, now=NOW)
        kinds = [s.kind for s in request.stages.order_by("index")]
    assert kinds == ["review", "decide", "circulate"]
    decide(world, "matsumoto", request)  # 法務 審査
    decide(world, "yamamoto", request)  # 部長 決裁
    with tenancy.activate(world.org):
        request.refresh_from_db()
        assert request.state == RequestState.APPROVED
        circulate = request.stages.get(kind="circulate")
        assert circulate.state == StageState.ACTIVE
        readers = set(circulate.seats.values_list("person__name", flat=True))
        # 総務部 members, the requester left out.
        assert readers == {"山本 部長"}
        decisions.seat_mark_seen(membership=world.m("yamamoto"), request=request, now=NOW)
        circulate.refresh_from_db()
        assert circulate.state == StageState.DONE
        assert circulate.seats.get().state == SeatState.SEEN


def test_a_revision_in_the_future_applies_only_from_its_effective_date(world):
    import datetime as dt

    from somu.approvals.services.rules import RowInput
    from somu.approvals.tests.builders import stage

    t = world.types
    future = install_rules(world, [
        RowInput(1, t["purchase"], (stage("decide", "position", "部長"),)),
        RowInput(2, t["contract"], (stage("decide", "position", "部長"),)),
        RowInput(3, t["ringi"], (stage("decide", "position", "部長"),))],
        effective=dt.date(2026, 7, 1))
    before = purchase(world, amount=50_000, today=dt.date(2026, 6, 30))
    on_the_day = purchase(world, amount=50_000, today=dt.date(2026, 7, 1))
    assert before.rule_version != future
    assert on_the_day.rule_version == future
