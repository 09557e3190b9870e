"""The vision, KPIs and readings: the services' rules, and the same refusals from page and API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.permissions import Role
from somu.org.models import Organization
from somu.plans.models import Kpi, KpiReading, Vision
from somu.plans.services import strategy as services
from somu.plans.tests import kpi_world as w

TODAY = dt.date(2026, 7, 15)




def save(org: Organization, data: dict[str, Any], kpi: Kpi | None = None) -> Kpi:
    base = {"name": "属人化率", "definition": "dependency_rate_count", "target": "20",
            "target_on": dt.date(2027, 3, 31)}
    with tenancy.activate(org):
        return services.kpi_save(actor=None, kpi=kpi, data=data if kpi else {**base, **data},
                                 today=TODAY)


def refusal(org: Organization, data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught, tenancy.activate(org):
        services.kpi_save(actor=None, kpi=None, data={
            "name": "x", "definition": "hours", "target": "10",
            "target_on": dt.date(2027, 3, 31), **data}, today=TODAY)
    with tenancy.activate(org):
        assert not Kpi.objects.exists()
    return caught.value.message_dict


def test_a_computed_kpi_takes_its_direction_from_its_definition(org_a, world) -> None:
    kpi = save(org_a, {"direction": "up"})
    assert kpi.direction == "down" and kpi.target == Decimal("20.00") and kpi.order == 1


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"target_on": None}, "target_on", "目標を達成する日付を入力してください。"),
    ({"target_on": dt.date(2026, 7, 14)}, "target_on",
     "目標日 2026/07/14 は過ぎています。これより後の日付を選んでください。"),
    ({"target": ""}, "target", "目標を数値で入力してください。"),
    ({"definition": "happiness"}, "definition", "KPI の定義から選んでください。"),
    ({"definition": "hours", "parameters": {"function": "経理"}}, "function",
     "業務一覧に機能「経理」はありません。"),
    ({"definition": "bus_factor", "parameters": {"scope": "department:999999"}}, "scope",
     "該当する部署はありません。"),
    ({"definition": "bus_factor", "parameters": {"scope": "team"}}, "scope",
     "組織全体、機能、部署のいずれかを選んでください。"),
    ({"definition": "requests_in_somu", "parameters": {}}, "monthly_volume",
     "月に扱う申請の件数（1 以上）を入力してください。"),
    ({"unit": "件"}, "unit", "計算される KPI の単位は定義で決まります。単位は空にしてください。"),
    ({"definition": "on_time_rate", "target": "120"}, "target",
     "率の目標は 0〜100 の範囲で入力してください。"),
    ({"definition": "manual", "direction": ""}, "direction",
     "高いほうが良いか、低いほうが良いかを選んでください。"),
])
def test_bad_kpi_input_is_refused_with_a_clear_message_and_nothing_stored(
        org_a, world, data, field, message) -> None:
    assert refusal(org_a, data) == {field: [message]}


def test_parameters_are_checked_against_the_inventory_and_departments(
        org_a, world, people_a) -> None:
    by_function = save(org_a, {"name": "人事の工数", "definition": "hours",
                               "parameters": {"function": "人事", "scope": "ignored"}})
    assert by_function.parameters == {"function": "人事"}
    by_department = save(org_a, {"name": "総務部", "definition": "bus_factor", "parameters": {
        "scope": f"department:{people_a.somu.pk}"}})
    assert by_department.parameters == {"scope": f"department:{people_a.somu.pk}"}


def test_an_unchanged_past_target_date_does_not_block_other_changes(org_a, world) -> None:
    kpi = save(org_a, {})
    with tenancy.activate(org_a):
        Kpi.objects.filter(pk=kpi.pk).update(target_on=dt.date(2026, 1, 1))
        kpi.refresh_from_db()
    changed = save(org_a, {"target": "15", "target_on": dt.date(2026, 1, 1)}, kpi=kpi)
    assert changed.target == Decimal("15.00")


def test_every_write_is_audited(org_a, world) -> None:
    with tenancy.activate(org_a):
        services.vision_save(actor=None, data={"statement": "誰が休んでも止まらない総務"},
                             today=TODAY)
        services.vision_save(actor=None, data={"statement": "止まらない総務"}, today=TODAY)
    kpi = save(org_a, {"definition": "manual", "unit": "件", "direction": "down"})
    save(org_a, {"target": "10"}, kpi=kpi)
    with tenancy.activate(org_a):
        services.kpi_archive(actor=None, kpi=kpi)
        reading = services.reading_save(actor=None, kpi=kpi, data={
            "on": TODAY, "value": "12"}, today=TODAY)
        services.reading_delete(actor=None, reading=reading)
        actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
        assert Vision.objects.get().statement == "止まらない総務"
    assert [a for a in actions if a.startswith("plan_")] == [
        "plan_vision.create", "plan_vision.update", "plan_kpi.create", "plan_kpi.update",
        "plan_kpi.archive", "plan_reading.create", "plan_reading.delete"]


def test_readings_are_refused_for_computed_kpis_future_dates_and_twice_a_day(
        org_a, world) -> None:
    computed = save(org_a, {})
    manual = save(org_a, {"name": "問い合わせ件数", "definition": "manual", "unit": "件",
                          "direction": "down"})
    with tenancy.activate(org_a):
        with pytest.raises(ValidationError) as caught:
            services.reading_save(actor=None, kpi=computed, data={"on": TODAY, "value": 1},
                                  today=TODAY)
        assert caught.value.message_dict == {"value": [
            "値を入力できるのは手入力の KPI だけです。この KPI は somu のデータから計算されます。"]}
        with pytest.raises(ValidationError) as caught:
            services.reading_save(actor=None, kpi=manual, data={
                "on": TODAY + dt.timedelta(days=1), "value": 1}, today=TODAY)
        assert caught.value.message_dict == {"on": ["未来の日付の値は入力できません。"]}
        services.reading_save(actor=None, kpi=manual, data={"on": TODAY, "value": 3},
                              today=TODAY)
        with pytest.raises(ValidationError) as caught:
            services.reading_save(actor=None, kpi=manual, data={"on": TODAY, "value": 4},
                                  today=TODAY)
        assert caught.value.message_dict == {"on": [
            "2026/07/15 の値はすでにあります。別の値にするには先に削除してください。"]}
        assert KpiReading.objects.count() == 1


# ---- pages ---------------------------------------------------------------------------------------


def future() -> str:
    return (timezone.localdate() + dt.timedelta(days=200)).isoformat()


def test_staff_write_the_vision_and_add_a_kpi_from_the_page(
        org_a, world, staff_a, client_as) -> None:
    client = client_as(staff_a, org_a)
    response = client.post("/plans/vision/", {"statement": "誰が休んでも止まらない総務"})
    assert response.status_code == 302
    response = client.post("/plans/kpis/new/", {
        "name": "総務のバス係数", "definition": "bus_factor", "scope": "function:総務",
        "target": "3", "target_on": future()})
    with tenancy.activate(org_a):
        kpi = Kpi.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/kpis/{kpi.pk}/"
    assert kpi.parameters == {"scope": "function:総務"}
    page = client.get("/plans/").content.decode()
    assert "誰が休んでも止まらない総務" in page and "総務のバス係数" in page
    assert 'data-chart="kpi-' in page and "analysis-charts" in page


def test_the_page_refuses_a_past_target_date_as_the_service_does(
        org_a, world, staff_a, client_as, tr) -> None:
    client = client_as(staff_a, org_a)
    response = client.post("/plans/kpis/new/", {
        "name": "工数", "definition": "hours", "target": "100", "target_on": "2020-01-01"})
    assert response.status_code == 200
    assert "目標日 2020/01/01 は過ぎています。" in response.content.decode()
    response = client.post("/plans/kpis/new/", {
        "name": "工数", "definition": "hours", "target": "100", "function": "経理",
        "target_on": future()})
    # The page offers only the functions of the inventory (the service checks them too).
    assert tr("Select a valid choice. %(value)s is not one of the available choices.",
              value="経理") in response.content.decode()
    with tenancy.activate(org_a):
        assert not Kpi.objects.exists()


def test_the_kpi_page_shows_the_rows_behind_the_chosen_value(
        org_a, world, staff_a, client_as) -> None:
    kpi = save(org_a, {"target_on": timezone.localdate() + dt.timedelta(days=30)})
    client = client_as(staff_a, org_a)
    page = client.get(f"/plans/kpis/{kpi.pk}/?point=0").content.decode()
    # 2025: the two person-dependent tasks, linked to the survey's drill-down.
    assert "総務 / 備品発注" in page and "人事 / 勤怠集計" in page
    assert f"/survey/rounds/{world.r2025.pk}/analysis/rows/?task={world.t1.pk}" in page
    latest = client.get(f"/plans/kpis/{kpi.pk}/").content.decode()
    assert "総務 / 備品発注" not in latest  # 2026: no dependent task


def test_an_executive_sees_the_plan_and_kpis_with_names_only(
        org_a, world, make_user, client_as) -> None:
    kpi = save(org_a, {"name": "過負荷", "definition": "overloaded_people", "target": "0",
                       "target_on": timezone.localdate() + dt.timedelta(days=30)})
    executive = make_user("ceo", org_a, Role.EXECUTIVE)
    client = client_as(executive, org_a)
    assert client.get("/plans/").status_code == 200
    page = client.get(f"/plans/kpis/{kpi.pk}/?point=0").content.decode()
    assert "山田 太郎" in page
    assert "180.0 時間/月" not in page and "/survey/rounds/" not in page
    assert client.post("/plans/vision/", {"statement": "x"}).status_code == 403
    assert "/plans/" in client.get("/").content.decode()


def test_a_manual_kpi_takes_readings_from_its_page(org_a, world, staff_a, client_as) -> None:
    kpi = save(org_a, {"name": "問い合わせ", "definition": "manual", "unit": "件",
                       "direction": "down", "target_on": timezone.localdate()
                       + dt.timedelta(days=30)})
    client = client_as(staff_a, org_a)
    today = timezone.localdate().isoformat()
    assert client.post(f"/plans/kpis/{kpi.pk}/readings/new/",
                       {"on": today, "value": "12"}).status_code == 302
    again = client.post(f"/plans/kpis/{kpi.pk}/readings/new/", {"on": today, "value": "9"})
    assert again.status_code == 422 and "の値はすでにあります" in again.content.decode()
    with tenancy.activate(org_a):
        reading = KpiReading.objects.get()
    assert client.post(f"/plans/readings/{reading.pk}/delete/").status_code == 302
    with tenancy.activate(org_a):
        assert not KpiReading.objects.exists()


def test_the_plan_page_reads_a_fixed_number_of_queries(
        org_a, world, staff_a, client_as, django_assert_max_num_queries) -> None:
    for n in range(4):
        save(org_a, {"name": f"工数{n}", "definition": "hours", "target": "100"})
        w.item(org_a, title=f"施策{n}")
    client = client_as(staff_a, org_a)
    client.get("/plans/")  # the analyses are cached once
    with django_assert_max_num_queries(40):
        assert client.get("/plans/").status_code == 200


# ---- API -----------------------------------------------------------------------------------------


def test_the_api_creates_kpis_and_refuses_what_the_page_refuses(
        org_a, world, staff_a, api_as) -> None:
    api = api_as(staff_a)
    bad = api.post("/kpis", {"name": "工数", "definition": "hours", "target": 100,
                             "target_on": "2020-01-01"})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == [{"field": "target_on", "message": (
        "目標日 2020/01/01 は過ぎています。これより後の日付を選んでください。")}]
    made = api.post("/kpis", {"name": "工数", "definition": "hours", "target": 180,
                              "target_on": future()})
    assert made.status_code == 201
    body = made.json()
    assert [p["value"] for p in body["trend"]] == [230.0, 200.0]
    assert body["state"] in ("on_track", "off_track") and body["gap"] == 20.0
    rows = api.get(f"/kpis/{body['id']}/rows", point=0).json()
    assert rows["point"]["label"] == "2025年度 業務調査"
    assert {r["label"] for r in rows["rows"]} == {"総務", "人事"}
    assert api.get(f"/kpis/{body['id']}/rows", point=7).status_code == 422
    assert api.put("/vision", {"statement": ""}).status_code == 422


def test_an_executive_reads_kpis_through_the_api_but_cannot_change_them(
        org_a, world, make_user, api_as) -> None:
    kpi = save(org_a, {"name": "過負荷", "definition": "overloaded_people", "target": "0",
                       "target_on": timezone.localdate() + dt.timedelta(days=30)})
    api = api_as(make_user("ceo", org_a, Role.EXECUTIVE))
    assert api.get("/kpis").status_code == 200
    rows = api.get(f"/kpis/{kpi.pk}/rows", point=0).json()["rows"]
    assert rows == [{"label": "山田 太郎", "value": "", "url": None}]
    assert api.patch(f"/kpis/{kpi.pk}", {"target": 1}).status_code == 403


def test_a_vision_needs_words_and_a_date_not_yet_passed(org_a, world, staff_a, api_as) -> None:
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services.vision_save(actor=None, data={"statement": "  "}, today=TODAY)
    assert caught.value.message_dict == {"statement": [
        "ビジョン（総務がめざす姿）を書いてください。"]}
    answer = api_as(staff_a).put("/vision", {"statement": "止まらない総務",
                                             "horizon": "2020-03-31"})
    assert answer.status_code == 422 and answer.json()["error"]["fields"] == [
        {"field": "horizon", "message":
         "日付 2020/03/31 は過ぎています。これより後の日付を選んでください。"}]
    with tenancy.activate(org_a):
        assert not Vision.objects.exists()


def test_the_kpi_page_reads_a_fixed_number_of_queries(
        org_a, world, staff_a, client_as, django_assert_max_num_queries) -> None:
    kpi = save(org_a, {"target_on": timezone.localdate() + dt.timedelta(days=30)})
    client = client_as(staff_a, org_a)
    client.get(f"/plans/kpis/{kpi.pk}/?point=0")
    with django_assert_max_num_queries(30):
        assert client.get(f"/plans/kpis/{kpi.pk}/?point=0").status_code == 200
