"""Chat webhooks and deliveries moved from procedures to notify with their rows: the tables are
renamed, not copied, so ids, encrypted secrets and delivery states survive, both ways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from somu.core import tenancy
from somu.notify.models import Delivery, Webhook

BEFORE = [("procedures", "0004_job_moves_to_jobs"), ("notify", "0001_initial")]
URL = "https://hooks.slack.com/services/T000/B000/secret"


def _migrate(targets) -> MigrationExecutor:  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def _leaves():  # type: ignore[no-untyped-def]
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_moving_webhooks_and_deliveries_to_notify_keeps_their_rows(org_a, people_a):
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE[0]).apps
    OldWebhook = old.get_model("procedures", "Webhook")
    OldDelivery = old.get_model("procedures", "Delivery")
    try:
        hook = OldWebhook.objects.create(organization_id=org_a.pk, name="総務チャンネル",
                                         kind="slack", url=URL)
        webhook_sent = OldDelivery.objects.create(
            organization_id=org_a.pk, channel="webhook", webhook_id=hook.pk,
            day=dt.date(2026, 4, 8), step_ids=[3, 1], subject="期限超過 2 件", status="sent")
        email_failed = OldDelivery.objects.create(
            organization_id=org_a.pk, channel="email", person_id=people_a.yamada.pk,
            day=dt.date(2026, 4, 8), step_ids=[3], status="uncertain", attempts=2,
            uncertain_attempts=2, last_error="timed out")

        _migrate(_leaves())

        with tenancy.activate(org_a):
            assert Webhook.objects.get(pk=hook.pk).url == URL  # still decrypts
            moved = {d.pk: d for d in Delivery.objects.all()}
        assert set(moved) == {webhook_sent.pk, email_failed.pk}
        assert (moved[webhook_sent.pk].webhook_id, moved[webhook_sent.pk].step_ids,
                moved[webhook_sent.pk].status) == (hook.pk, [3, 1], "sent")
        assert (moved[email_failed.pk].person_id, moved[email_failed.pk].status,
                moved[email_failed.pk].uncertain_attempts) == (people_a.yamada.pk, "uncertain", 2)
        with tenancy.activate(org_a):
            # The id sequences moved with the tables: new rows do not collide with the old.
            again = Delivery.objects.create(channel="webhook", webhook_id=hook.pk,
                                            day=dt.date(2026, 4, 9))
        assert again.pk > email_failed.pk

        executor = _migrate(BEFORE)
        old = executor.loader.project_state(BEFORE[0]).apps
        assert old.get_model("procedures", "Delivery").objects.count() == 3
        back = old.get_model("procedures", "Webhook").objects.get(pk=hook.pk)
        assert back.name == "総務チャンネル"
    finally:
        _migrate(_leaves())


@pytest.mark.django_db(transaction=True)
def test_going_back_before_immediate_emails_drops_them_and_keeps_the_digests(org_a, people_a):
    day = dt.date(2026, 4, 8)
    with tenancy.activate(org_a):
        digest = Delivery.objects.create(channel="email", person=people_a.yamada, day=day)
        Delivery.objects.create(channel="email", person=people_a.yamada, day=day,
                                notification_id=99)
    try:
        executor = _migrate([("notify", "0002_webhook_delivery_from_procedures")])
        old = executor.loader.project_state(
            ("notify", "0002_webhook_delivery_from_procedures")).apps
        kept = list(old.get_model("notify", "Delivery")._base_manager.values_list("pk", flat=True))
        assert kept == [digest.pk]
    finally:
        _migrate(_leaves())
