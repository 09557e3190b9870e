"""The work items start, and how they close: 標準化 links (or drafts) the task's template and
closes once a template for the task is in use; 多能工化 launches a run of the training template
and closes when it completes; the daily job closes what is fulfilled.

Capabilities of :mod:`somu.survey.tests.test_analysis_pages`' round: on 月次決算 山田 4 (can teach)
and 鈴木 2 (with a manual); 佐藤 has none.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.jobs.models import Job
from somu.jobs.registry import HANDLERS
from somu.plans.models import Item, ItemStatus
from somu.plans.schedule_jobs import CLOSE_ITEMS, due_item_checks
from somu.plans.services.items import item_create
from somu.plans.training import (
    TRAINING_TEMPLATE,
    item_standardize,
    item_training,
    items_close_fulfilled,
)
from somu.procedures.models import Run, RunStatus, Step, Template
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


def new_item(survey: Survey, kind: str) -> Item:
    return item_create(actor=None, data={"title": "施策", "kind": kind, "task": survey.closing,
                                         "round": survey.round}, today=TODAY)


def test_standardizing_drafts_a_template_linked_to_the_task_and_starts_the_item(
        org_a, survey):
    with tenancy.activate(org_a):
        item = new_item(survey, "standardize")
        template = item_standardize(actor=None, item=item, today=TODAY)
        item.refresh_from_db()
        assert list(template.tasks.all()) == [survey.closing]
        assert (item.template, item.status) == (template, ItemStatus.IN_PROGRESS)
        # Asked again, the same template is opened, not a second draft.
        assert item_standardize(actor=None, item=item, today=TODAY) == template
        assert Template.objects.count() == 1


def test_a_template_already_linked_to_the_task_is_used_instead_of_a_draft(org_a, survey):
    from somu.procedures.services.templates import template_save

    with tenancy.activate(org_a):
        existing = template_save(actor=None, template=None, spec={
            "name": "月次決算手順", "tasks": [survey.closing.path],
            "steps": [{"key": "a", "name": "締め"}]})
        item = new_item(survey, "standardize")
        assert item_standardize(actor=None, item=item, today=TODAY) == existing


def test_a_standardization_item_closes_once_a_template_for_its_task_is_in_use(
        org_a, survey, admin_a):
    with tenancy.activate(org_a):
        item = new_item(survey, "standardize")
        template = item_standardize(actor=None, item=item, today=TODAY)
        assert items_close_fulfilled(today=TODAY) == []
        run_services.run_launch(actor=admin_a, template=template, params={},
                                start_date=TODAY, starter=survey.people.yamada)
        closed = items_close_fulfilled(today=dt.date(2026, 6, 2))
        assert [i.pk for i in closed] == [item.pk]
        item.refresh_from_db()
        assert (item.status, item.done_on) == (ItemStatus.DONE, dt.date(2026, 6, 2))
        assert AuditEvent.objects.filter(action="plan_item.close").count() == 1


def train(item: Item, survey: Survey, **over):  # type: ignore[no-untyped-def]
    args = {"learner": survey.people.suzuki, "teacher": survey.people.yamada,
            "target_level": 3, "start_on": TODAY, **over}
    return item_training(actor=None, item=item, today=TODAY, **args)


def test_training_launches_a_run_of_the_training_template_for_learner_and_teacher(
        org_a, survey):
    with tenancy.activate(org_a):
        item = new_item(survey, "cross_train")
        run = train(item, survey)
        item.refresh_from_db()
        assert run.template.name == TRAINING_TEMPLATE
        assert (item.training_run, item.learner, item.teacher, item.target_level,
                item.status) == (run, survey.people.suzuki, survey.people.yamada, 3,
                                 ItemStatus.IN_PROGRESS)
        assignees = dict(run.steps.values_list("key", "assignee_id"))
        assert assignees == {"plan": survey.people.yamada.pk,
                             "demonstrate": survey.people.yamada.pk,
                             "practice": survey.people.suzuki.pk,
                             "confirm": survey.people.yamada.pk}
        assert run.origin_url == f"/plans/items/{item.pk}/"
        # A second training while the first runs is refused.
        with pytest.raises(Conflict):
            train(item, survey)
        # The training template is made once.
        assert Template.objects.filter(name=TRAINING_TEMPLATE).count() == 1


def test_an_archived_training_template_is_left_alone_and_a_new_one_is_made_beside_it(
        org_a, survey):
    with tenancy.activate(org_a):
        first = train(new_item(survey, "cross_train"), survey)
        archived = first.template
        Template.objects.filter(pk=archived.pk).update(archived=True)
        second = train(new_item(survey, "cross_train"), survey)
        assert second.template != archived
        assert not second.template.archived
        assert second.template.name == f"{TRAINING_TEMPLATE}（2）"
        # The new one is used from then on.
        assert train(new_item(survey, "cross_train"), survey).template == second.template


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"target_level": 2}, "learner",
     "%(name)s can already do “%(task)s” at level %(level)s (target %(target)s): choose "
     "someone still below it."),
    ({"teacher": "sato"}, "teacher",
     "%(name)s cannot teach “%(task)s” (capability %(level)s; teaching needs 4 “can teach”)."),
    ({"target_level": 7}, "target_level", "The target capability is a level from 1 to 4."),
    ({"start_on": dt.date(2026, 5, 1)}, "start_on",
     "The start date %(date)s is in the past: choose today or a later date."),
    ({"teacher": "suzuki"}, "teacher",
     "Choose someone else to teach: the learner cannot teach themselves."),
])
def test_a_training_that_cannot_work_is_refused_and_launches_nothing(
        org_a, survey, tr, over, field, message):
    people = survey.people
    if over.get("teacher") in ("sato", "suzuki"):
        over = {**over, "teacher": getattr(people, over["teacher"])}
    with tenancy.activate(org_a):
        item = new_item(survey, "cross_train")
        with pytest.raises(ValidationError) as caught:
            train(item, survey, **over)
        assert Run.objects.count() == 0
    wanted = tr(message) % {"name": (over.get("teacher") or people.suzuki).name,
                            "task": "月次決算", "level": 2 if field == "learner" else "—",
                            "target": 2, "date": "2026-05-01"}
    assert caught.value.message_dict[field] == [wanted]


def test_a_cross_training_item_closes_when_its_run_completes_through_the_daily_job(
        org_a, survey, admin_a):
    with tenancy.activate(org_a):
        item = new_item(survey, "cross_train")
        run = train(item, survey)
        for key in ("plan", "demonstrate", "practice", "confirm"):
            step = Step.objects.get(run=run, key=key)
            step_services.step_complete(actor=admin_a, step=step,
                                        checklist_done=[0, 1] if key == "confirm" else None)
        assert Run.objects.get(pk=run.pk).status == RunStatus.COMPLETED
    now = dt.datetime(2026, 6, 3, 9, 0, tzinfo=dt.UTC)
    (job,) = [j for j in due_item_checks(now) if j.organization_id == org_a.pk]
    assert job.kind == CLOSE_ITEMS
    HANDLERS[CLOSE_ITEMS].run(Job(kind=job.kind, key=job.key, payload=dict(job.payload),
                                  organization_id=job.organization_id), now)
    with tenancy.activate(org_a):
        item.refresh_from_db()
    assert (item.status, item.done_on) == (ItemStatus.DONE, dt.date(2026, 6, 3))
