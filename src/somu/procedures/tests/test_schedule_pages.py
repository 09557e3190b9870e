"""Recurring schedule pages: creating each kind of rule, bad input, the launch-date preview, the
list's description of the rule, deleting, permissions and isolation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.procedures.models import Schedule, Template
from somu.procedures.services import schedules
from somu.procedures.services import templates as template_services
from somu.procedures.views.schedules import describe_recurrence

LIST = reverse("procedures:schedule_list")
NEW = reverse("procedures:schedule_create")

CLOSING: dict[str, Any] = {
    "somu": "procedure/1",
    "name": "月次決算",
    "parameters": [
        {"key": "対象月", "type": "text", "label": "対象月"},
        {"key": "締め日", "type": "date", "label": "締め日"},
        {"key": "担当", "type": "person", "label": "担当者"},
    ],
    "steps": [
        {"key": "close", "name": "月次締め", "assignee": {"param": "担当"},
         "due": {"from": "締め日", "offset": 3}},
    ],
}


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def shows(response, text: str) -> bool:  # type: ignore[no-untyped-def]
    return escape(text) in body(response)


@pytest.fixture
def template(org_a, people_a) -> Template:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        return template_services.template_save(actor=None, template=None, spec=CLOSING)


@pytest.fixture
def staff(client_as, staff_a, org_a):  # type: ignore[no-untyped-def]
    return client_as(staff_a, org_a)


def post_data(template: Template, people: Any, **rule: object) -> dict[str, object]:
    """The page's fields: 対象月 is parameter 0, 締め日 (a date) is not asked, 担当 is 2."""
    data: dict[str, object] = {
        "template": template.pk, "name": "月次決算（毎月）", "owner": people.yamada.pk,
        "active": "on", "param_0": "当月", "param_2": people.suzuki.pk,
        "kind": "monthly_business_day", "n": "", "month": "", "day": "", "weekday": "",
        "interval_weeks": "1", "anchor": "", "roll": "none",
    }
    data.update(rule)
    return data


@pytest.mark.parametrize(("rule", "stored"), [
    ({"kind": "monthly_business_day", "n": "3"}, {"kind": "monthly_business_day", "n": 3}),
    ({"kind": "monthly_business_day", "n": "-1"}, {"kind": "monthly_business_day", "n": -1}),
    ({"kind": "monthly_day", "day": "25", "roll": "previous"},
     {"kind": "monthly_day", "day": 25, "roll": "previous"}),
    ({"kind": "yearly", "month": "11", "day": "1", "roll": "previous"},
     {"kind": "yearly", "month": 11, "day": 1, "roll": "previous"}),
    ({"kind": "weekly", "weekday": "0"}, {"kind": "weekly", "weekday": 0}),
    ({"kind": "weekly", "weekday": "4", "interval_weeks": "2", "anchor": "2026-01-09",
      "roll": "next"},
     {"kind": "weekly", "weekday": 4, "interval_weeks": 2, "anchor": "2026-01-09",
      "roll": "next"}),
])
def test_a_schedule_is_created_with_each_kind_of_rule(  # type: ignore[no-untyped-def]
        staff, org_a, people_a, template, rule, stored) -> None:
    response = staff.post(NEW, post_data(template, people_a, **rule))
    assert response.status_code == 302, response.context["form"].errors
    with tenancy.activate(org_a):
        schedule = Schedule.objects.get()
        assert schedule.rule == stored
        assert schedule.template == template and schedule.owner == people_a.yamada
        assert schedule.params == {"対象月": "当月", "担当": people_a.suzuki.pk}
        assert schedule.active
        assert schedule.next_occurrence is not None
        assert schedule.next_occurrence >= timezone.localdate()
        assert AuditEvent.objects.filter(action="schedule.create").exists()


@pytest.mark.parametrize(("rule", "field", "message"), [
    ({"kind": "monthly_day", "day": "32"}, "day",
     "Ensure this value is less than or equal to %(limit_value)s."),
    ({"kind": "monthly_business_day", "n": ""}, "n",
     "Enter which business day: 1 for the first, −1 for the last."),
    ({"kind": "monthly_business_day", "n": "0"}, "n",
     "0 is not a business day of the month: use 1 for the first, −1 for the last."),
    ({"kind": "yearly", "month": "2", "day": "30"}, "day", "%(month)s/%(day)s is not a date."),
    ({"kind": "yearly", "month": "", "day": "1"}, "month", "Choose the month."),
    ({"kind": "weekly", "weekday": ""}, "weekday", "Choose the weekday."),
])
def test_bad_rules_get_an_error_next_to_the_field(  # type: ignore[no-untyped-def]
        staff, org_a, people_a, template, tr, rule, field, message) -> None:
    response = staff.post(NEW, post_data(template, people_a, **rule))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    params = {"limit_value": 31, "month": 2, "day": 30}
    expected = tr(message) % {k: v for k, v in params.items() if f"%({k})" in message}
    assert expected in errors[field]
    assert shows(response, expected)
    with tenancy.activate(org_a):
        assert not Schedule.objects.exists()


def test_a_missing_required_parameter_and_name_are_errors(  # type: ignore[no-untyped-def]
        staff, org_a, people_a, template) -> None:
    response = staff.post(NEW, post_data(template, people_a, kind="monthly_business_day", n="3",
                                         param_2="", name=""))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "param_2" in errors and "name" in errors
    with tenancy.activate(org_a):
        assert not Schedule.objects.exists()


def test_date_parameters_are_not_asked_and_the_page_says_why(  # type: ignore[no-untyped-def]
        staff, template, tr) -> None:
    response = staff.get(NEW + f"?template={template.pk}")
    assert response.status_code == 200
    page = body(response)
    assert 'name="param_0"' in page and 'name="param_2"' in page
    assert 'name="param_1"' not in page  # 締め日
    assert shows(response, tr("Date parameters are not asked for: each run gets its launch "
                              "date."))
    assert "締め日" in page


def test_choosing_a_template_swaps_in_its_parameters(staff, template) -> None:  # type: ignore[no-untyped-def]
    response = staff.get(NEW, {"template": template.pk, "params": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = body(response)
    assert page.lstrip().startswith("<fieldset") and 'id="sch-params"' in page
    assert 'name="param_0"' in page


def test_the_preview_lists_the_next_five_launch_dates(staff, org_a, template) -> None:  # type: ignore[no-untyped-def]
    response = staff.get(NEW, {"preview": "1", "kind": "yearly", "month": "11", "day": "1",
                               "roll": "previous"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with tenancy.activate(org_a):
        expected = schedules.schedule_preview({"kind": "yearly", "month": 11, "day": 1,
                                               "roll": "previous"}, 5)
    assert len(expected) == 5
    page = body(response)
    for day in expected:
        assert day.isoformat() in page
    # 11/1, or the business day before it (late October) when it is a weekend or holiday
    assert all((d.month, d.day) == (11, 1) or (d.month, d.day) >= (10, 29) for d in expected)


def test_the_preview_names_a_bad_rule(staff, template, tr) -> None:  # type: ignore[no-untyped-def]
    response = staff.get(NEW, {"preview": "1", "kind": "monthly_day", "day": "32"},
                         HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<li>" not in body(response)
    assert 'class="error' in body(response)


def make_schedule(org, template: Template, rule: dict[str, Any], name: str = "月次決算",
                  **data: Any) -> Schedule:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return schedules.schedule_save(actor=None, schedule=None, data={
            "template": template, "name": name, "rule": rule,
            "params": {"対象月": "当月", "担当": "A002"}, **data})


def test_the_list_describes_each_rule_in_words(  # type: ignore[no-untyped-def]
        staff, org_a, template, people_a, tr) -> None:
    make_schedule(org_a, template, {"kind": "monthly_business_day", "n": 3}, "月次決算",
                  owner=people_a.yamada)
    make_schedule(org_a, template, {"kind": "yearly", "month": 11, "day": 1, "roll": "previous"},
                  "年末調整")
    make_schedule(org_a, template, {"kind": "weekly", "weekday": 0}, "週次ミーティング")
    response = staff.get(LIST)
    assert response.status_code == 200
    assert shows(response, tr("Every month on business day %(n)d", n=3))
    assert shows(response, tr("Every year on %(month)d/%(day)d", month=11, day=1)
                 + tr(" (the business day before, if not a business day)"))
    assert shows(response, tr("Every %(weekday)s", weekday=tr("Monday")))
    assert shows(response, "山田 太郎")
    with tenancy.activate(org_a):
        for schedule in Schedule.objects.all():
            assert schedule.next_occurrence.isoformat() in body(response)  # type: ignore[union-attr]


def test_rules_read_as_japanese_in_the_default_language() -> None:
    # The wording comes from the catalog; the numbers must land in it whatever the language.
    assert "3" in describe_recurrence({"kind": "monthly_business_day", "n": 3})
    assert "11" in describe_recurrence({"kind": "yearly", "month": 11, "day": 1})
    last = describe_recurrence({"kind": "monthly_business_day", "n": -1})
    second_last = describe_recurrence({"kind": "monthly_business_day", "n": -2})
    assert last != second_last and "2" in second_last


def test_editing_keeps_the_values_and_saves_changes(staff, org_a, template, people_a) -> None:  # type: ignore[no-untyped-def]
    schedule = make_schedule(org_a, template, {"kind": "monthly_business_day", "n": 3})
    edit = reverse("procedures:schedule_edit", args=[schedule.pk])
    page = body(staff.get(edit))
    assert 'value="当月"' in page
    assert f'<option value="{people_a.suzuki.pk}" selected>' in page
    response = staff.post(edit, post_data(template, people_a, kind="monthly_day", day="25",
                                          roll="previous", active=""))
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.rule == {"kind": "monthly_day", "day": 25, "roll": "previous"}
    assert not schedule.active


def test_deleting_asks_first_and_keeps_the_runs(staff, org_a, template) -> None:  # type: ignore[no-untyped-def]
    schedule = make_schedule(org_a, template, {"kind": "monthly_business_day", "n": 3})
    delete = reverse("procedures:schedule_delete", args=[schedule.pk])
    assert shows(staff.get(delete), "月次決算")
    with tenancy.activate(org_a):
        assert Schedule.objects.exists()
    assert staff.post(delete).status_code == 302
    with tenancy.activate(org_a):
        assert not Schedule.objects.exists()
        assert AuditEvent.objects.filter(action="schedule.delete").exists()


def test_viewers_see_the_list_but_cannot_edit(  # type: ignore[no-untyped-def]
        client_as, manager_a, auditor_a, employee_a, org_a, template) -> None:
    schedule = make_schedule(org_a, template, {"kind": "monthly_business_day", "n": 3})
    edit = reverse("procedures:schedule_edit", args=[schedule.pk])
    for user in (manager_a, auditor_a):
        client = client_as(user, org_a)
        response = client.get(LIST)
        assert response.status_code == 200 and shows(response, "月次決算")
        assert edit not in body(response)
        assert client.get(NEW).status_code == 403
        assert client.get(edit).status_code == 403
        assert client.post(reverse("procedures:schedule_delete",
                                   args=[schedule.pk])).status_code == 403
    assert client_as(employee_a, org_a).get(LIST).status_code == 403


def test_another_organizations_schedules_and_templates_are_out_of_reach(  # type: ignore[no-untyped-def]
        client_as, admin_b, org_b, org_a, template, people_a) -> None:
    schedule = make_schedule(org_a, template, {"kind": "monthly_business_day", "n": 3},
                             "エー社の締め")
    client = client_as(admin_b, org_b)
    assert "エー社の締め" not in body(client.get(LIST))
    for name in ("schedule_edit", "schedule_delete"):
        assert client.get(reverse(f"procedures:{name}", args=[schedule.pk])).status_code == 404
    # org A's template id is not a choice in org B
    response = client.post(NEW, post_data(template, people_a, n="3"))
    assert response.status_code == 200
    assert "template" in response.context["form"].errors
    with tenancy.activate(org_b):
        assert not Schedule.objects.exists()


def test_the_next_launch_follows_the_business_calendar(org_a, template) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org_a):
        schedule = schedules.schedule_save(
            actor=None, schedule=None, today=dt.date(2026, 12, 20),
            data={"template": template, "name": "月初",
                  "params": {"対象月": "当月", "担当": "A002"},
                  "rule": {"kind": "monthly_business_day", "n": 1}})
    # 1/1–1/3 are company holidays by default and 1/4/2027 is a Monday
    assert schedule.next_occurrence == dt.date(2027, 1, 4)


def test_the_list_takes_the_same_queries_for_many_schedules(  # type: ignore[no-untyped-def]
        staff, org_a, template, people_a) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff.get(LIST).status_code == 200
        return len(captured)

    make_schedule(org_a, template, {"kind": "monthly_business_day", "n": 3}, "一",
                  owner=people_a.yamada)
    few = queries()
    for i in range(5):
        make_schedule(org_a, template, {"kind": "weekly", "weekday": i}, f"週次{i}",
                      owner=people_a.sato)
    assert queries() == few
