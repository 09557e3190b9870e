"""The delegations page (代理承認): setting one's own, an administrator setting anyone's, ending
one, and the deputy's view of whom they stand in for."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.urls import reverse

from somu.approvals.models import Delegation
from somu.approvals.services import delegations
from somu.approvals.tests.builders import NOW, TODAY, World
from somu.core import tenancy

URL = reverse("approvals:delegation_list")


@pytest.fixture(autouse=True)
def clock(time_machine: Any) -> None:
    time_machine.move_to(NOW, tick=False)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def as_(client_as: Any, world: World, key: str) -> Any:
    return client_as(world.users[key], world.org)


def delegations_of(world: World) -> list[tuple[str, str]]:
    with tenancy.activate(world.org):
        return list(Delegation.objects.order_by("pk").values_list("principal__name",
                                                                  "deputy__name"))


def test_an_approver_sets_their_own_delegation_for_some_request_types(client_as, world):
    client = as_(client_as, world, "ito")
    page = client.get(URL).content.decode()
    assert 'name="principal"' not in page  # only administrators choose whose it is
    response = client.post(URL, {"deputy": world.people["yamamoto"].pk, "start": "2026-06-15",
                                 "end": "2026-06-19", "note": "夏季休暇",
                                 "request_types": [world.types["purchase"].pk]}, follow=True)
    assert response.status_code == 200
    assert delegations_of(world) == [("伊藤 課長", "山本 部長")]
    page = text(response)
    assert "夏季休暇" in page and "購入申請" in page


def test_an_employee_cannot_set_a_delegation_for_someone_else_even_by_forging_the_form(
        client_as, world):
    client = as_(client_as, world, "suzuki")
    client.post(URL, {"principal": world.people["ito"].pk, "deputy": world.people["kato"].pk,
                      "start": "2026-06-15", "end": "2026-06-16"})
    assert delegations_of(world) == [("鈴木 一般", "加藤 経理")]


def test_an_administrator_sets_a_delegation_for_an_absent_approver(client_as, world):
    client = as_(client_as, world, "admin")
    assert 'name="principal"' in client.get(URL).content.decode()
    client.post(URL, {"principal": world.people["ito"].pk, "deputy": world.people["yamamoto"].pk,
                      "start": "2026-06-15", "end": "2026-06-30"})
    assert delegations_of(world) == [("伊藤 課長", "山本 部長")]


def test_wrong_dates_and_oneself_as_deputy_are_shown_next_to_the_fields(client_as, world, tr):
    client = as_(client_as, world, "ito")
    response = client.post(URL, {"deputy": world.people["ito"].pk, "start": "2026-06-20",
                                 "end": "2026-06-10"})
    assert response.status_code == 400
    page = text(response)
    assert tr("Choose someone else: a delegation to oneself decides nothing.") in page
    response = client.post(URL, {"deputy": world.people["kato"].pk, "start": "2026-06-20",
                                 "end": "2026-06-10"})
    assert tr("The last day is before the first day.") in text(response)
    assert delegations_of(world) == []


def test_the_deputy_sees_whom_they_stand_in_for_and_the_principal_ends_it(client_as, world, tr):
    with tenancy.activate(world.org):
        delegation = delegations.delegation_create(
            membership=world.m("ito"), principal=world.people["ito"],
            deputy=world.people["kato"], start=TODAY, end=TODAY, note="出張", now=NOW)
    deputy_page = text(as_(client_as, world, "kato").get(URL))
    assert tr("People you are deputy for") in deputy_page and "伊藤 課長" in deputy_page
    revoke = reverse("approvals:delegation_revoke", args=[delegation.pk])
    assert as_(client_as, world, "kato").post(revoke).status_code == 404  # not theirs to end
    as_(client_as, world, "ito").post(revoke)
    with tenancy.activate(world.org):
        delegation.refresh_from_db()
    assert delegation.revoked_at is not None
    again = as_(client_as, world, "ito").post(revoke, follow=True)
    assert tr("This delegation has already been ended.") in text(again)
