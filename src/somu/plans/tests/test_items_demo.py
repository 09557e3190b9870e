"""The items demo: items in every column of the board, made from the real findings of the
latest closed round; one 標準化 item closed by its procedure in use, one 多能工化 item with its
training run in progress; loading it again adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org.models import Organization
from somu.plans import demo_items
from somu.plans.audit_vocabulary import VOCABULARY
from somu.plans.models import Item, ItemKind, ItemStatus
from somu.procedures.demo import ensure_procedures_demo
from somu.procedures.models import Run, RunStatus
from somu.procedures.tests.test_demo_procedures import TODAY, sample_company
from somu.survey import demo as survey_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db: None) -> Organization:
    sample = sample_company()
    ensure_procedures_demo(sample, today=TODAY)
    with tenancy.activate(sample):
        demo_items.load(sample, today=TODAY)
    return sample


def test_the_demo_has_items_in_every_column_made_from_the_latest_closed_round(sample):
    with tenancy.activate(sample):
        items = list(Item.objects.select_related("round"))
        assert {i.status for i in items} == set(ItemStatus.values)
        assert {i.round.name for i in items} == {survey_demo.ROUND_2026}
        assert all(i.finding for i in items)
        numbers = [i.number for i in items]
        # Numbered from 1, each once (the deleted duplicate leaves its number unused).
        assert min(numbers) == 1 and len(set(numbers)) == len(numbers)


def test_one_standardization_item_is_closed_by_its_procedure_in_use(sample):
    with tenancy.activate(sample):
        (done,) = Item.objects.filter(kind=ItemKind.STANDARDIZE, status=ItemStatus.DONE)
        assert done.template is not None and done.done_on == TODAY
        assert done.template.tasks.filter(pk=done.task_id).exists()
        assert Run.objects.filter(template=done.template, created_at__gte=done.created_at
                                  ).exists()


def test_one_cross_training_item_has_its_training_run_in_progress(sample):
    with tenancy.activate(sample):
        (training,) = Item.objects.filter(kind=ItemKind.CROSS_TRAIN)
        assert training.status == ItemStatus.IN_PROGRESS
        assert training.training_run is not None
        assert training.training_run.status == RunStatus.RUNNING
        assert training.learner != training.teacher


def test_every_item_action_of_the_audit_vocabulary_is_in_the_demo(sample):
    wanted = {a for a in VOCABULARY.actions if a.startswith("plan_item.")}
    with tenancy.activate(sample):
        done = set(AuditEvent.objects.filter(action__startswith="plan_item.")
                   .values_list("action", flat=True))
    assert wanted <= done, wanted - done


def test_loading_the_demo_again_adds_nothing(sample):
    with tenancy.activate(sample):
        before = Item.objects.count()
        demo_items.load(sample, today=TODAY + dt.timedelta(days=1))
        assert Item.objects.count() == before


def test_every_item_event_of_the_demo_reads_in_words_on_the_audit_pages(sample):
    from somu.audit.presenters import present_events

    with tenancy.activate(sample):
        views = present_events(list(AuditEvent.objects.filter(
            action__startswith="plan_item.").order_by("seq")))
    unknown = sorted({(v.event.action, r.label) for v in views for r in v.changes if not r.known}
                     | {(v.event.action, "") for v in views if not v.action_known})
    assert unknown == []
