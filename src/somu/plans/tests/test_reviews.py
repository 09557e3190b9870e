"""Reviews (定期振り返り): the snapshot, the measured effects, the recurring procedure, the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Organization
from somu.plans.models import ItemStatus, Review
from somu.plans.services import reviews
from somu.plans.tests import kpi_world as w
from somu.procedures.models import Schedule, Template

TODAY = dt.date(2026, 7, 15)




def hold(org: Organization, **data: Any) -> Review:
    with tenancy.activate(org):
        return reviews.review_create(actor=None, data=data, today=TODAY)


def test_a_review_keeps_the_kpis_and_the_items_measured_effect_as_they_stood(
        org_a, world) -> None:
    kpi = w.kpi(org_a, "dependency_rate_count", name="属人化率", target="20")
    w.item(org_a, title="備品発注の手順化", task=world.t1, round=world.r2025,
           expected_hours=Decimal(20), expected_capable=1, kpi=kpi, status=ItemStatus.DONE)
    w.item(org_a, title="やめた施策", status=ItemStatus.CANCELLED)
    review = hold(org_a, title="2026年7月 振り返り", decisions="手順化を全業務に広げる",
                  next_on=dt.date(2026, 8, 15))
    assert review.round == world.r2026  # the latest closed round by default
    (k,) = review.kpi_snapshot
    assert (k["name"], k["current_text"], k["target_text"], k["state"]) == (
        "属人化率", "0.0%", "20.0%", "achieved")
    (i,) = review.item_snapshot
    assert (i["title"], i["expected_hours"], i["measured_hours"], i["measured_capable"],
            i["measured_round"], i["state"]) == (
        "備品発注の手順化", 20.0, 30.0, 1, "2026年度 業務調査", "measured")
    # The page shows the snapshot, not live values: a KPI deleted later is still there.
    with tenancy.activate(org_a):
        kpi.delete()
        assert Review.objects.get().kpi_snapshot[0]["name"] == "属人化率"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"held_on": dt.date(2026, 7, 16)}, "held_on",
     "振り返りは開催日以降に記録します。未来の開催日は入力できません。"),
    ({"next_on": dt.date(2026, 7, 15)}, "next_on",
     "次回の振り返りは今回より後の日付にしてください。"),
    ({"repeat": "monthly"}, "next_on", "繰り返すには次回の振り返りの日付を入力してください。"),
    ({"repeat": "monthly", "next_on": dt.date(2026, 8, 15)}, "owner",
     "次回以降の振り返りを準備する人を選んでください。"),
    ({"repeat": "yearly"}, "repeat", "繰り返しの間隔を選んでください。"),
])
def test_bad_review_input_is_refused_and_nothing_is_stored(
        org_a, world, data, field, message) -> None:
    with pytest.raises(ValidationError) as caught:
        hold(org_a, **data)
    assert caught.value.message_dict == {field: [message]}
    with tenancy.activate(org_a):
        assert not Review.objects.exists() and not Schedule.objects.exists()


def test_an_open_round_cannot_be_the_round_measured(org_a, world) -> None:
    with pytest.raises(ValidationError) as caught:
        hold(org_a, round=world.open_round)
    assert caught.value.message_dict == {"round": ["締め切った調査回を選んでください。"]}


def test_items_are_measured_against_the_round_the_review_names(org_a, world, people_a) -> None:
    from somu.survey.models import RoundStatus

    with tenancy.activate(org_a):
        r2024 = w._round(org_a, "2024年度 業務調査", dt.date(2024, 6, 30), RoundStatus.CLOSED,
                         [(people_a.yamada, world.t1, 150)], [(people_a.yamada, world.t1, 4)])
    w.item(org_a, title="備品発注の手順化", task=world.t1, round=r2024,
           expected_hours=Decimal(20), status=ItemStatus.DONE)
    # Baseline 2024 (150 h on 備品発注); the review names the 2026 round (100 h), not the
    # first round after the baseline (2025: 130 h).
    (i,) = hold(org_a, round=world.r2026).item_snapshot
    assert (i["measured_round"], i["measured_hours"]) == ("2026年度 業務調査", 50.0)
    (i,) = hold(org_a, round=world.r2025).item_snapshot
    assert (i["measured_round"], i["measured_hours"]) == ("2025年度 業務調査", 20.0)
    # Named the baseline round itself, there is nothing to compare yet.
    (i,) = hold(org_a, round=r2024).item_snapshot
    assert (i["measured_round"], i["state"]) == ("", "not_measured")


def test_a_review_held_on_a_past_day_reads_the_kpis_and_rounds_of_that_day(
        org_a, world) -> None:
    w.kpi(org_a, "dependency_rate_count", name="属人化率", target="20")
    w.item(org_a, title="備品発注の手順化", task=world.t1, round=world.r2025,
           expected_hours=Decimal(20), status=ItemStatus.DONE)
    # Held on 6/1/2026: the 2026 round (6/30) was not there yet.
    review = hold(org_a, held_on=dt.date(2026, 6, 1))
    assert review.round == world.r2025
    (k,) = review.kpi_snapshot
    assert k["current_label"] == "2025年度 業務調査"
    (i,) = review.item_snapshot
    assert i["state"] == "not_measured"
    with pytest.raises(ValidationError) as caught:
        hold(org_a, held_on=dt.date(2026, 6, 1), round=world.r2026)
    assert caught.value.message_dict == {"round": [
        "2026年度 業務調査 は振り返りの開催日（2026/06/01）より後の調査回です。"
        "開催日までに締め切った調査回を選んでください。"]}


def test_a_recurring_review_schedules_the_review_template_from_the_next_date(
        org_a, world, people_a) -> None:
    first = hold(org_a, next_on=dt.date(2026, 8, 17), repeat="monthly", owner=people_a.yamada)
    with tenancy.activate(org_a):
        schedule = Schedule.objects.get()
        assert first.schedule == schedule
        assert schedule.template.name == "定期振り返り" and schedule.owner == people_a.yamada
        assert schedule.rule["kind"] == "monthly_day" and schedule.rule["day"] == 17
        assert schedule.next_occurrence == dt.date(2026, 8, 17)
    # The next review moves the same schedule rather than adding one.
    hold(org_a, next_on=dt.date(2026, 9, 10), repeat="monthly", owner=people_a.suzuki)
    with tenancy.activate(org_a):
        assert Schedule.objects.count() == 1 and Template.objects.count() == 1
        schedule = Schedule.objects.get()
        assert schedule.rule["day"] == 10 and schedule.owner == people_a.suzuki


def test_the_review_page_shows_the_snapshot_and_the_api_refuses_the_same(
        org_a, world, staff_a, client_as, api_as) -> None:
    w.item(org_a, title="勤怠集計の多能工化", task=world.t3, round=world.r2026)
    client = client_as(staff_a, org_a)
    response = client.post("/plans/reviews/new/", {"title": "定例", "decisions": "続ける"})
    with tenancy.activate(org_a):
        review = Review.objects.get()
    assert response.status_code == 302
    page = client.get(f"/plans/reviews/{review.pk}/").content.decode()
    assert "勤怠集計の多能工化" in page and "まだ測定していません" in page and "続ける" in page
    assert "定例" in client.get("/plans/reviews/").content.decode()
    bad = api_as(staff_a).post("/reviews", {"next_on": "2000-01-01"})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"][0]["field"] == "next_on"
    made = api_as(staff_a).post("/reviews", {"title": "API から"})
    assert made.status_code == 201 and made.json()["item_snapshot"][0]["state"] == "not_measured"


def test_the_review_form_proposes_the_latest_round_closed_by_today(
        org_a, world, staff_a, client_as) -> None:
    import time_machine

    client = client_as(staff_a, org_a)
    with time_machine.travel(dt.datetime(2026, 7, 15, 3, 0, tzinfo=dt.UTC), tick=False):
        page = client.get("/plans/reviews/new/").content.decode()
    assert f'<option value="{world.r2026.pk}" selected>' in page
    with time_machine.travel(dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC), tick=False):
        page = client.get("/plans/reviews/new/").content.decode()
    assert f'<option value="{world.r2025.pk}" selected>' in page


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.MANAGER])
def test_a_review_names_the_person_an_item_is_about_but_shows_her_hours_to_the_back_office_only(
        org_a, world, people_a, staff_a, make_user, client_as, api_as, role) -> None:
    from somu.plans.models import FindingKind, ItemKind

    # About 山田 alone: his load went from 180 h (2025) to 110 h (2026).
    w.item(org_a, title="山田さんの負荷を分ける", kind=ItemKind.REASSIGN,
           finding=FindingKind.OVERLOAD, person=people_a.yamada, round=world.r2025,
           expected_hours=Decimal("12.5"), expected_cost=42000, status=ItemStatus.DONE)
    review = hold(org_a)
    viewer = make_user(f"viewer_{role}", org_a, role)
    (mine,) = api_as(staff_a).get(f"/reviews/{review.pk}").json()["item_snapshot"]
    assert (mine["expected_hours"], mine["measured_hours"]) == (12.5, 70.0)
    for body in (api_as(viewer).get(f"/reviews/{review.pk}").json(),
                 api_as(viewer).get("/reviews").json()[0]):
        (hidden,) = body["item_snapshot"]
        assert hidden["title"] == "山田さんの負荷を分ける" and hidden["state"] == "measured"
        assert not {"expected_hours", "measured_hours", "expected_cost"} & set(hidden)
    url = f"/plans/reviews/{review.pk}/"
    assert "70.0" in client_as(staff_a, org_a).get(url).content.decode()
    page = client_as(viewer, org_a).get(url).content.decode()
    assert "山田さんの負荷を分ける" in page and "70.0" not in page and "12.5" not in page
