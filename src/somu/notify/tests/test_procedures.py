"""Procedures tells people: a step ready for them, their request's approval decided.

The onboarding of builders.onboarding: 佐藤 (人事部 staff) launches it for the newcomer 鈴木, who
hands in the documents; 佐藤 files the insurance notices, 山田 issues the accounts and approves.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from somu.core import tenancy
from somu.core.permissions import Role
from somu.notify.models import Notification
from somu.notify.tests.factories import titles
from somu.procedures.models import Step
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save

pytestmark = pytest.mark.django_db

NEWCOMER = {"入社者": "A002", "入社日": "2026-04-30"}


@pytest.fixture
def hr(make_user, org_a, people_a):  # type: ignore[no-untyped-def]
    return make_hr_staff(make_user, org_a, people_a)


@pytest.fixture
def run(org_a, people_a, hr):  # type: ignore[no-untyped-def]
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        return run_services.run_launch(actor=hr, template=template, params=NEWCOMER)


def step(org: Any, run: Any, key: str) -> Step:
    with tenancy.activate(org):
        return Step.objects.get(run=run, key=key)


def test_a_launch_notifies_the_assignees_of_ready_steps_only(org_a, people_a, run):
    docs = step(org_a, run, "docs")
    with tenancy.activate(org_a):
        (notification,) = Notification.objects.all()
    assert notification.recipient_id == people_a.suzuki.pk
    assert notification.kind == "procedures.step_assigned"
    assert notification.title == "「入社書類の提出」があなたの担当になりました"
    assert notification.body == run.name
    assert notification.url == reverse("procedures:step_detail", args=[docs.pk])
    assert (notification.about_type, notification.about_id) == ("procedures.step", docs.pk)
    assert titles(org_a, people_a.yamada) == []  # his steps wait for the documents


def test_completing_a_dependency_notifies_the_next_assignee_but_not_the_actor(
        org_a, people_a, run, hr):
    with tenancy.activate(org_a):
        step_services.step_complete(actor=hr, step=step(org_a, run, "docs").pk,
                                    checklist_done=[0, 1])
    # 山田 issues the accounts; the notices are 佐藤's, who completed the documents himself.
    assert titles(org_a, people_a.yamada) == ["「アカウント発行」があなたの担当になりました"]
    assert titles(org_a, people_a.sato) == []


def test_reassigning_a_ready_step_notifies_the_new_assignee_unless_it_is_the_actor(
        org_a, people_a, run, hr):
    docs = step(org_a, run, "docs")
    with tenancy.activate(org_a):
        step_services.step_reassign(actor=hr, step=docs.pk, assignee=people_a.tanaka)
        step_services.step_reassign(actor=hr, step=docs.pk, assignee=people_a.sato)
    assert titles(org_a, people_a.tanaka) == ["「入社書類の提出」があなたの担当になりました"]
    assert titles(org_a, people_a.sato) == []


def _to_approval(org: Any, run: Any, hr: Any) -> Step:
    with tenancy.activate(org):
        step_services.step_complete(actor=hr, step=step(org, run, "docs").pk, checklist_done=[0, 1])
        step_services.step_complete(actor=hr, step=step(org, run, "shaho").pk,
                                    form_values={"receipt_no": "R-1"})
        step_services.step_complete(actor=hr, step=step(org, run, "koyo").pk)
        step_services.step_complete(actor=hr, step=step(org, run, "account").pk)
    return step(org, run, "approve")


def test_an_approval_notifies_the_person_who_started_the_run(org_a, people_a, run, hr,
                                                               manager_a):
    approval = _to_approval(org_a, run, hr)
    with tenancy.activate(org_a):
        step_services.step_decide(actor=manager_a, step=approval.pk, approve=True,
                                  comment="確認済み")
        notification = Notification.objects.get(recipient=people_a.sato)
    assert notification.kind == "procedures.step_decided"
    assert notification.title == f"「{run.name}」の「人事部長の確認」が承認されました"
    assert notification.body == "判断した人: 山田 太郎\n確認済み"
    assert notification.email_mode == "immediate"
    assert notification.url == reverse("procedures:step_detail", args=[approval.pk])


def test_a_rejection_notifies_the_requester_and_the_reopened_steps_assignee(
        org_a, people_a, run, hr, manager_a):
    approval = _to_approval(org_a, run, hr)
    with tenancy.activate(org_a):
        step_services.step_decide(actor=manager_a, step=approval.pk, approve=False,
                                  comment="受付番号が違います")
        decided = Notification.objects.get(kind="procedures.step_decided")
    assert decided.recipient_id == people_a.sato.pk
    assert decided.title == f"「{run.name}」の「人事部長の確認」が差し戻されました"
    assert decided.body.endswith("受付番号が違います")
    # The notices step goes back to 佐藤: he is told, since 山田 (not he) sent it back.
    reopened = "「健康保険・厚生年金 資格取得届」があなたの担当になりました"
    assert reopened in titles(org_a, people_a.sato)


def test_deciding_your_own_request_does_not_notify_you(org_a, people_a, make_user, hr):
    yamada = make_user("yamada_staff", org_a, Role.STAFF, person=people_a.yamada)
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        own = run_services.run_launch(actor=yamada, template=template, params=NEWCOMER)
    approval = _to_approval(org_a, own, yamada)
    with tenancy.activate(org_a):
        step_services.step_decide(actor=yamada, step=approval.pk, approve=True)
        assert not Notification.objects.filter(kind="procedures.step_decided").exists()


def _wide(n: int) -> dict[str, Any]:
    """A procedure of ``n`` parallel steps for three people, and one that waits for them."""
    people = ["A002", "A003", "A004"]
    steps: list[dict[str, Any]] = [
        {"key": f"s{i}", "name": f"作業{i}", "assignee": {"person": people[i % 3]}}
        for i in range(n)]
    steps.append({"key": "last", "name": "最後", "assignee": {"person": "A001"},
                  "depends_on": [s["key"] for s in steps]})
    return {"name": f"並行作業{n}", "steps": steps}


def test_a_thirty_step_launch_takes_as_many_queries_as_a_three_step_one(org_a, people_a, hr):
    small, wide = save(org_a, _wide(3)), save(org_a, _wide(30))

    def queries(template: Any) -> int:
        with tenancy.activate(org_a), CaptureQueriesContext(connection) as captured:
            run_services.run_launch(actor=hr, template=template, params={})
        return len(captured)

    queries(small)  # warm the caches (content types, the calendar)
    few = queries(small)
    many = queries(wide)
    assert many == few
    with tenancy.activate(org_a):
        # 佐藤 (A003) launched them: a third of the steps are his own and not notified.
        assert Notification.objects.filter(title__startswith="「作業").count() == 2 + 2 + 20
        assert not Notification.objects.filter(recipient=people_a.yamada).exists()


def test_a_handover_notifies_the_successor_of_the_steps_ready_for_them(org_a, people_a, run,
                                                                      admin_a):
    from somu.procedures.services.handover import handover_execute

    with tenancy.activate(org_a):
        handover_execute(actor=admin_a, from_person=people_a.suzuki, to_person=people_a.tanaka,
                         effective_date=run.start_date, today=run.start_date)
    # 鈴木 held only the documents step, ready: 田中 is told of it; nobody else is.
    assert titles(org_a, people_a.tanaka) == ["「入社書類の提出」があなたの担当になりました"]
    assert titles(org_a, people_a.yamada) == []
