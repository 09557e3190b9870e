"""Notifications by email: the ones a person wants in the daily digest go in it (once), the ones
wanted at once go out at the next tick (once), and old ones are pruned every day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from somu.core import tenancy
from somu.jobs import worker
from somu.notify import digests
from somu.notify.models import Delivery, DeliveryStatus, Notification
from somu.notify.tests.factories import ASSIGNED, DECIDED, tell
from somu.org.models import Person

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 4, 8)


def at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SOMU_BASE_URL = "https://somu.example.jp"
    settings.SOMU_DIGEST_HOUR = 8


@pytest.fixture
def suzuki(org_a, people_a) -> Person:
    with tenancy.activate(org_a):
        Person.objects.filter(pk=people_a.suzuki.pk).update(email="suzuki@a.example")
        return Person.objects.get(pk=people_a.suzuki.pk)


def _emailed_at(org, notification: Notification) -> dt.datetime | None:
    with tenancy.activate(org):
        return Notification.objects.get(pk=notification.pk).emailed_at


def test_the_digest_lists_the_notifications_waiting_for_it_and_marks_them_emailed(
        org_a, suzuki):
    waiting = tell(org_a, suzuki, "「入社手続き」の書類確認があなたの担当になりました",
                   kind=ASSIGNED, url="/procedures/steps/7/")

    [delivery] = digests.build_digests(organization=org_a, day=DAY, now=at(9))

    assert delivery.person_id == suzuki.pk and delivery.step_ids == []
    assert delivery.subject == "[somu] 新しい通知 1 件"
    assert "「入社手続き」の書類確認があなたの担当になりました" in delivery.body
    assert "https://somu.example.jp/procedures/steps/7/" in delivery.body
    assert _emailed_at(org_a, waiting) == at(9)


def test_building_the_digest_again_lists_nothing_twice_and_later_notifications_wait(
        org_a, suzuki):
    tell(org_a, suzuki, "一つ目")
    digests.build_digests(organization=org_a, day=DAY, now=at(9))
    later = tell(org_a, suzuki, "二つ目")

    assert digests.build_digests(organization=org_a, day=DAY, now=at(10)) == []
    assert _emailed_at(org_a, later) is None  # tomorrow's digest

    [tomorrow] = digests.build_digests(organization=org_a, day=DAY + dt.timedelta(days=1),
                                       now=at(9, DAY + dt.timedelta(days=1)))
    assert "二つ目" in tomorrow.body and "一つ目" not in tomorrow.body


def test_a_person_without_an_address_gets_no_email_and_the_notification_stays_in_somu(
        org_a, people_a):
    with tenancy.activate(org_a):
        Person.objects.filter(pk=people_a.sato.pk).update(email="")
    waiting = tell(org_a, people_a.sato, "佐藤さんへ")

    assert digests.build_digests(organization=org_a, day=DAY, now=at(9)) == []
    assert _emailed_at(org_a, waiting) is None


def test_a_notification_wanted_at_once_goes_out_at_the_next_tick_and_only_once(
        org_a, suzuki):
    decided = tell(org_a, suzuki, "「経費申請」が承認されました", kind=DECIDED,
                   url="/procedures/runs/3/")

    worker.tick("w1", at(7))  # before the digest hour: immediate emails do not wait for it
    worker.tick("w2", at(7))

    [message] = mail.outbox
    assert message.to == ["suzuki@a.example"]
    assert message.subject == "[somu] 「経費申請」が承認されました"
    assert "https://somu.example.jp/procedures/runs/3/" in message.body
    emailed_at = _emailed_at(org_a, decided)
    assert emailed_at is not None and abs(emailed_at - at(7)) < dt.timedelta(minutes=1)
    with tenancy.activate(org_a):
        [delivery] = Delivery.objects.all()
    assert (delivery.notification_id, delivery.status) == (decided.pk, DeliveryStatus.SENT)

    digests.build_digests(organization=org_a, day=DAY, now=at(9))
    assert len(mail.outbox) == 1  # not in the digest either


def test_the_api_names_the_notification_an_immediate_email_sent(org_a, suzuki, api_as,
                                                                 admin_a):
    decided = tell(org_a, suzuki, "承認されました", kind=DECIDED)
    worker.tick("w1", at(7))

    [listed] = api_as(admin_a, prefix="/api/v1/notifications").get("/deliveries").json()["items"]
    assert (listed["notification_id"], listed["person_name"], listed["status"]) == (
        decided.pk, "鈴木 花子", "sent")


def test_the_daily_prune_deletes_notifications_older_than_90_days_in_every_organization(
        org_a, org_b, people_a, people_b):
    now = at(7)
    old_a = tell(org_a, people_a.sato, "古い", at=now - dt.timedelta(days=91))
    old_b = tell(org_b, people_b.kimura, "ビー社の古い", at=now - dt.timedelta(days=95))
    recent = tell(org_a, people_a.sato, "新しい", at=now - dt.timedelta(days=89))

    worker.tick("w1", now)

    with tenancy.unscoped():
        left = set(Notification.objects.values_list("pk", flat=True))
    assert recent.pk in left and not {old_a.pk, old_b.pk} & left
