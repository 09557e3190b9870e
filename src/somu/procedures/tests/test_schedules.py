"""Recurring schedules: rule validation, next launch dates on the business calendar, and launching
each due occurrence exactly once, catching up missed ones, without a failing schedule blocking
the others."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.jobs.models import Job, JobStatus
from somu.org.models import Organization, Person
from somu.procedures.models import Run, Schedule, Template
from somu.procedures.services import schedules
from somu.procedures.tests.builders import save

pytestmark = pytest.mark.django_db

D = dt.date
APRIL_1 = dt.date(2026, 4, 1)
THIRD_BUSINESS_DAY = {"kind": "monthly_business_day", "n": 3}

CLOSING: dict[str, Any] = {
    "somu": "procedure/1",
    "name": "月次決算",
    "parameters": [
        {"key": "対象月", "type": "date"},
        {"key": "担当者", "type": "person"},
    ],
    "steps": [
        {"key": "close", "name": "仕訳の締め", "assignee": {"param": "担当者"},
         "due": {"from": "対象月", "offset": 2}},
        {"key": "check", "name": "上長の確認", "assignee": {"manager_of": "担当者"},
         "depends_on": ["close"]},
    ],
}


@pytest.fixture
def closing(org_a: Organization, people_a: Any) -> Template:
    return save(org_a, CLOSING)


def _save(org: Organization, data: dict[str, Any], *, schedule: Schedule | None = None,
          today: dt.date = APRIL_1) -> Schedule:
    with tenancy.activate(org):
        return schedules.schedule_save(actor=None, schedule=schedule, data=data, today=today)


def _monthly(org: Organization, template: Template, person: str = "A002",
             name: str = "月次決算（毎月第3営業日）") -> Schedule:
    return _save(org, {"template": template, "name": name, "rule": THIRD_BUSINESS_DAY,
                       "params": {"担当者": person}})


def _runs(org: Organization, schedule: Schedule) -> list[Run]:
    with tenancy.activate(org):
        return list(Run.objects.filter(schedule=schedule).order_by("occurrence"))


def _reload(org: Organization, schedule: Schedule) -> Schedule:
    with tenancy.activate(org):
        return Schedule.objects.get(pk=schedule.pk)


# ---- saving ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "message"), [
    ({"kind": "hourly"}, "Unknown recurrence kind"),
    ({"kind": "monthly_business_day", "n": 0}, "n must not be 0"),
    ({"kind": "yearly", "month": 2, "day": 30}, "2/30 is not a date"),
    ({"kind": "weekly", "weekday": "someday"}, "weekday must be"),
    ({"kind": "monthly_day", "day": 25, "n": 3}, "'n' does not apply"),
    ("every month", "must be a mapping"),
])
def test_a_rule_that_is_not_valid_is_refused_with_the_reason(
    org_a, closing, rule, message,
):
    with pytest.raises(ValidationError) as error:
        _save(org_a, {"template": closing, "name": "x", "rule": rule, "params": {"担当者": "A002"}})
    assert message in " ".join(error.value.message_dict["rule"])


def test_parameters_must_be_the_templates(org_a, closing):
    with pytest.raises(ValidationError) as error:
        _save(org_a, {"template": closing, "name": "x", "rule": THIRD_BUSINESS_DAY,
                      "params": {"担当者": "A002", "部署": "総務部"}})
    assert "部署" in " ".join(error.value.message_dict["params"])


def test_a_required_parameter_must_be_given_but_dates_default_to_the_occurrence(org_a, closing):
    with pytest.raises(ValidationError) as error:
        _save(org_a, {"template": closing, "name": "x", "rule": THIRD_BUSINESS_DAY, "params": {}})
    assert "担当者" in " ".join(error.value.message_dict["params"])

    with pytest.raises(ValidationError) as error:
        _save(org_a, {"template": closing, "name": "x", "rule": THIRD_BUSINESS_DAY,
                      "params": {"担当者": "Z999"}})
    assert "担当者" in " ".join(error.value.message_dict["params"])


def test_people_are_stored_by_id(org_a, people_a, closing):
    schedule = _monthly(org_a, closing)
    assert schedule.params == {"担当者": people_a.suzuki.pk}


def test_a_template_of_another_organization_cannot_be_scheduled(org_a, org_b, people_b):
    other = save(org_b, {**CLOSING, "parameters": [{"key": "対象月", "type": "date"}],
                         "steps": [{"key": "a", "name": "a"}]})
    with pytest.raises(ValidationError) as error:
        _save(org_a, {"template": other, "name": "x", "rule": THIRD_BUSINESS_DAY})
    assert "template" in error.value.message_dict


def test_saving_computes_the_next_launch_on_the_business_calendar(org_a, closing):
    schedule = _monthly(org_a, closing)
    assert schedule.next_occurrence == D(2026, 4, 3)
    assert schedule.rule == THIRD_BUSINESS_DAY

    later = _save(org_a, {"name": "別の名前"}, schedule=schedule, today=D(2026, 4, 6))
    assert later.next_occurrence == D(2026, 4, 3)  # the rule did not change: the date stays

    changed = _save(org_a, {"rule": {"kind": "monthly_day", "day": 3, "roll": "next"}},
                    schedule=schedule, today=D(2026, 4, 6))
    assert changed.next_occurrence == D(2026, 5, 7)  # 5/3–5/6 are holidays: rolled to 5/7


def test_saving_is_in_the_audit_log(org_a, closing):
    schedule = _monthly(org_a, closing)
    with tenancy.activate(org_a):
        actions = list(AuditEvent.objects.filter(object_id=str(schedule.pk),
                                                 object_type="procedures.schedule")
                       .values_list("action", flat=True))
    assert actions == ["schedule.create"]


def test_the_preview_lists_the_next_launch_dates(org_a, closing):
    with tenancy.activate(org_a):
        dates = schedules.schedule_preview(THIRD_BUSINESS_DAY, 5, start=D(2026, 4, 1))
        assert dates == [D(2026, 4, 3), D(2026, 5, 8), D(2026, 6, 3), D(2026, 7, 3),
                         D(2026, 8, 5)]
        with pytest.raises(ValidationError):
            schedules.schedule_preview({"kind": "monthly_business_day", "n": 0})


# ---- launching ---------------------------------------------------------------------------------


def test_a_due_occurrence_is_launched_once_and_the_schedule_advances(org_a, people_a, closing):
    schedule = _monthly(org_a, closing)

    assert schedules.schedule_launch_due(organization=org_a, today=D(2026, 4, 2)).launched == []
    report = schedules.schedule_launch_due(organization=org_a, today=D(2026, 4, 3))
    again = schedules.schedule_launch_due(organization=org_a, today=D(2026, 4, 3))

    [run] = _runs(org_a, schedule)
    assert report.launched == [run] and again.launched == []
    assert run.occurrence == D(2026, 4, 3) and run.start_date == D(2026, 4, 3)
    assert run.params["対象月"] == "2026-04-03"  # a date parameter without a value
    assert run.params["担当者"] == people_a.suzuki.pk
    assert run.name == "月次決算（毎月第3営業日） 2026-04-03"
    reloaded = _reload(org_a, schedule)
    assert reloaded.next_occurrence == D(2026, 5, 8)
    assert reloaded.last_launched_at is not None


def test_missed_occurrences_are_caught_up_each_with_its_own_date(org_a, closing):
    schedule = _monthly(org_a, closing)

    report = schedules.schedule_launch_due(organization=org_a, today=D(2026, 6, 30))

    assert [r.occurrence for r in report.launched] == [D(2026, 4, 3), D(2026, 5, 8),
                                                       D(2026, 6, 3)]
    assert [r.start_date for r in _runs(org_a, schedule)] == [D(2026, 4, 3), D(2026, 5, 8),
                                                               D(2026, 6, 3)]
    assert _reload(org_a, schedule).next_occurrence == D(2026, 7, 3)


def test_an_occurrence_launched_before_a_crash_is_not_launched_again(org_a, closing):
    schedule = _monthly(org_a, closing)
    # The run exists but the schedule was not advanced (the worker died in between).
    from somu.procedures.services.runs import run_launch

    with tenancy.activate(org_a):
        run_launch(actor=None, template=closing, params={"担当者": "A002", "対象月": "2026-04-03"},
                   start_date=D(2026, 4, 3), schedule=schedule, occurrence=D(2026, 4, 3))

    report = schedules.schedule_launch_due(organization=org_a, today=D(2026, 4, 3))

    assert report.launched == []
    assert len(_runs(org_a, schedule)) == 1
    assert _reload(org_a, schedule).next_occurrence == D(2026, 5, 8)


def test_a_failing_launch_is_recorded_and_does_not_block_the_others(org_a, people_a, closing):
    # 佐藤 (A003) has no manager: the approval step cannot be assigned.
    failing = _monthly(org_a, closing, person="A003", name="佐藤さんの月次決算")
    working = _monthly(org_a, closing, person="A002", name="鈴木さんの月次決算")

    report = schedules.schedule_launch_due(organization=org_a, today=D(2026, 5, 8))

    assert [r.occurrence for r in _runs(org_a, working)] == [D(2026, 4, 3), D(2026, 5, 8)]
    assert _runs(org_a, failing) == []
    assert [(s.pk, day) for s, day, _ in report.failed] == [
        (failing.pk, D(2026, 4, 3)), (failing.pk, D(2026, 5, 8))]
    # It moved on rather than retrying forever.
    assert _reload(org_a, failing).next_occurrence == D(2026, 6, 3)
    assert schedules.schedule_launch_due(organization=org_a, today=D(2026, 5, 8)).failed == []

    with tenancy.activate(org_a):
        failures = list(schedules.schedule_failures(schedule=failing))
        audited = AuditEvent.objects.filter(action="schedule.launch_failed").count()
    assert [f.payload["occurrence"] for f in failures] == ["2026-05-08", "2026-04-03"]
    assert failures[0].status == JobStatus.FAILED and "assignee" in failures[0].last_error
    assert audited == 2


def test_a_failed_occurrence_can_be_launched_again_once_fixed(org_a, people_a, closing):
    failing = _monthly(org_a, closing, person="A003")
    schedules.schedule_launch_due(organization=org_a, today=D(2026, 4, 3))
    with tenancy.activate(org_a):
        Person.objects.filter(pk=people_a.sato.pk).update(manager=people_a.yamada)
        [failure] = schedules.schedule_failures()
        run = schedules.schedule_launch_retry(actor=None, failure=failure)
        assert run.occurrence == D(2026, 4, 3) and run.schedule_id == failing.pk
        assert list(schedules.schedule_failures()) == []
        with pytest.raises(ValidationError):
            schedules.schedule_launch_retry(actor=None, failure=Job.objects.get(pk=failure.pk))


def test_switching_a_schedule_back_on_skips_what_was_missed_while_off(org_a, closing):
    schedule = _monthly(org_a, closing)
    off = _save(org_a, {"active": False}, schedule=schedule)
    assert schedules.schedule_launch_due(organization=org_a, today=D(2026, 6, 1)).launched == []

    on = _save(org_a, {"active": True}, schedule=off, today=D(2026, 6, 1))

    assert on.next_occurrence == D(2026, 6, 3)
    schedules.schedule_launch_due(organization=org_a, today=D(2026, 6, 3))
    assert [r.occurrence for r in _runs(org_a, schedule)] == [D(2026, 6, 3)]


def test_deleting_a_schedule_keeps_the_runs_it_launched(org_a, closing):
    schedule = _monthly(org_a, closing)
    schedules.schedule_launch_due(organization=org_a, today=D(2026, 4, 3))
    with tenancy.activate(org_a):
        schedules.schedule_delete(actor=None, schedule=schedule)
        assert Run.objects.filter(template=closing).count() == 1
        assert not Schedule.objects.exists()


def test_launching_one_organizations_schedules_leaves_the_others_alone(
    org_a, org_b, people_b, closing,
):
    other = save(org_b, {**CLOSING, "parameters": [{"key": "対象月", "type": "date"}],
                         "steps": [{"key": "a", "name": "締め"}]})
    with tenancy.activate(org_b):
        b_schedule = schedules.schedule_save(actor=None, schedule=None, today=D(2026, 4, 1),
                                             data={"template": other, "name": "B社の決算",
                                                   "rule": THIRD_BUSINESS_DAY})
    a_schedule = _monthly(org_a, closing)

    schedules.schedule_launch_due(organization=org_a, today=D(2026, 4, 3))

    assert len(_runs(org_a, a_schedule)) == 1
    assert _runs(org_b, b_schedule) == []
    assert _reload(org_b, b_schedule).next_occurrence == D(2026, 4, 3)
    with tenancy.activate(org_a):
        assert [s.pk for s in schedules.schedule_list()] == [a_schedule.pk]
