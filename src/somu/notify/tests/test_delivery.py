"""Overdue and due-soon notifications: daily digests per person, chat webhook summaries per
organization, sending with retries — against Django's locmem mail backend and a real local HTTP
server."""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from collections.abc import Iterator

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from somu.core import tenancy
from somu.jobs import queue
from somu.notify import chat, digests, selectors, sending, webhooks
from somu.notify.models import Delivery, DeliveryChannel, DeliveryStatus, Webhook
from somu.org.models import Organization, Person
from somu.procedures.models import RunStatus
from somu.procedures.tests.background import (
    DONE,
    READY,
    WAITING,
    ChatServer,
    chat_server,
    make_run,
    refused_url,
    smtp_server_silent_after_data,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 4, 8)  # a Wednesday; the 9th is the next business day


@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SOMU_BASE_URL = "https://somu.example.jp/"


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as state:
        yield state


def _set_email(organization: Organization, person: Person, email: str) -> None:
    with tenancy.activate(organization):
        Person.objects.filter(pk=person.pk).update(email=email)


@pytest.fixture
def steps_a(org_a, people_a):
    """Org A's steps around DAY: which should be announced and which not."""
    _set_email(org_a, people_a.tanaka, "tanaka@a.example")
    p = people_a
    hire = make_run(org_a, "山田さん 入社手続き", [
        ("社会保険の資格取得届", p.yamada, dt.date(2026, 4, 6), READY),  # overdue
        ("雇用保険の資格取得届", p.yamada, dt.date(2026, 4, 9), WAITING),  # due soon
        ("PCの手配", p.yamada, dt.date(2026, 4, 10), READY),  # later: not yet
        ("入社書類の回収", p.yamada, dt.date(2026, 4, 1), DONE),  # done
        ("名刺の発注", p.suzuki, dt.date(2026, 4, 7), READY),  # overdue, but no email
        ("座席の用意", p.tanaka, dt.date(2026, 4, 8), READY),  # due today
        ("期限なし", p.tanaka, None, READY),
    ])
    cancelled = make_run(org_a, "中止した手続き", [
        ("中止した手続きの手順", p.yamada, dt.date(2026, 4, 1), READY),
    ], status=RunStatus.CANCELLED)
    return {"hire": hire, "cancelled": cancelled}


@pytest.fixture
def steps_b(org_b, people_b):
    _set_email(org_b, people_b.kimura, "kimura@b.example")
    return make_run(org_b, "ビー社の月次決算", [
        ("ビー社の秘密の手順", people_b.kimura, dt.date(2026, 4, 1), READY),
    ])


def _webhook(organization: Organization, kind: str, url: str, token: str = "") -> Webhook:
    with tenancy.activate(organization):
        return webhooks.webhook_save(actor=None, webhook=None, data={
            "name": f"{kind} channel", "kind": kind, "url": url, "token": token, "active": True})


def _deliveries(organization: Organization) -> list[Delivery]:
    with tenancy.activate(organization):
        return list(Delivery.objects.select_related("person", "webhook").order_by("pk"))


# ---- building ---------------------------------------------------------------------------------


def test_a_digest_lists_a_persons_overdue_and_due_soon_steps_of_running_runs(
    org_a, people_a, steps_a,
) -> None:
    created = digests.build_digests(organization=org_a, day=DAY)

    by_person = {d.person_id: d for d in created if d.channel == DeliveryChannel.EMAIL}
    assert set(by_person) == {people_a.yamada.pk, people_a.tanaka.pk}
    yamada = by_person[people_a.yamada.pk]
    hire = steps_a["hire"]
    assert yamada.step_ids == [hire[0].pk, hire[1].pk]
    assert "社会保険の資格取得届" in yamada.body and "雇用保険の資格取得届" in yamada.body
    assert "PCの手配" not in yamada.body and "入社書類の回収" not in yamada.body
    assert "中止した手続き" not in yamada.body
    assert f"https://somu.example.jp/procedures/steps/{hire[0].pk}/" in yamada.body
    assert yamada.day == DAY and yamada.status == DeliveryStatus.PENDING
    assert by_person[people_a.tanaka.pk].step_ids == [hire[5].pk]


def test_people_without_an_email_address_get_no_digest(
    org_a, people_a, steps_a,
) -> None:
    digests.build_digests(organization=org_a, day=DAY)

    assert people_a.suzuki.pk not in {d.person_id for d in _deliveries(org_a)}


def test_building_the_digests_twice_creates_nothing_new(
    org_a, people_a, steps_a, server,
) -> None:
    _webhook(org_a, "slack", server.url + "/slack")
    first = digests.build_digests(organization=org_a, day=DAY)
    second = digests.build_digests(organization=org_a, day=DAY)

    assert len(first) == 3  # yamada, tanaka, the webhook
    assert second == []
    assert len(_deliveries(org_a)) == 3


def test_a_digest_is_per_day(org_a, people_a, steps_a) -> None:
    digests.build_digests(organization=org_a, day=DAY)
    next_day = digests.build_digests(organization=org_a, day=DAY + dt.timedelta(days=1))

    assert {d.day for d in next_day} == {DAY + dt.timedelta(days=1)}
    assert len(_deliveries(org_a)) == 4


def test_a_quiet_day_creates_no_delivery(org_a, people_a, server) -> None:
    _webhook(org_a, "slack", server.url + "/slack")
    make_run(org_a, "余裕のある手続き",
             [("来月の手順", people_a.yamada, dt.date(2026, 5, 20), READY)])

    assert digests.build_digests(organization=org_a, day=DAY) == []


def test_a_webhook_hears_only_of_its_own_organization(
    org_a, org_b, people_a, steps_a, steps_b, server,
) -> None:
    hook_a = _webhook(org_a, "slack", server.url + "/a")
    hook_b = _webhook(org_b, "slack", server.url + "/b")
    digests.build_digests(organization=org_a, day=DAY)
    digests.build_digests(organization=org_b, day=DAY)

    [to_a] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    [to_b] = [d for d in _deliveries(org_b) if d.channel == DeliveryChannel.WEBHOOK]
    assert to_a.webhook_id == hook_a.pk and to_b.webhook_id == hook_b.pk
    assert "ビー社の秘密の手順" not in to_a.body and "名刺の発注" in to_a.body
    assert "名刺の発注" not in to_b.body and "ビー社の秘密の手順" in to_b.body
    with tenancy.activate(org_a):
        sending.send_delivery(to_a)
    with tenancy.activate(org_b):
        sending.send_delivery(to_b)
    posted = {r.path: r.body.decode() for r in server.received}
    assert "ビー社の秘密の手順" not in posted["/a"] and "名刺の発注" in posted["/a"]
    assert "名刺の発注" not in posted["/b"]


def test_an_inactive_webhook_gets_nothing(org_a, people_a, steps_a, server) -> None:
    hook = _webhook(org_a, "slack", server.url + "/slack")
    with tenancy.activate(org_a):
        webhooks.webhook_save(actor=None, webhook=hook, data={"active": False})
    created = digests.build_digests(organization=org_a, day=DAY)

    assert all(d.channel == DeliveryChannel.EMAIL for d in created)


# ---- sending ----------------------------------------------------------------------------------


def test_the_digest_email_goes_out_once_with_links_to_the_steps(
    org_a, people_a, steps_a,
) -> None:
    digests.build_digests(organization=org_a, day=DAY)
    [yamada] = [d for d in _deliveries(org_a) if d.person_id == people_a.yamada.pk]
    with tenancy.activate(org_a):
        assert sending.send_delivery(yamada) is True
        assert sending.send_delivery(yamada) is False  # already sent: never twice

    [message] = mail.outbox
    assert message.to == ["yamada@a.example"]
    assert message.from_email == "somu@localhost"
    assert f"https://somu.example.jp/procedures/steps/{steps_a['hire'][0].pk}/" in message.body
    assert "https://somu.example.jp/procedures/my/" in message.body
    [sent] = [d for d in _deliveries(org_a) if d.pk == yamada.pk]
    assert sent.status == DeliveryStatus.SENT and sent.sent_at is not None
    assert sent.attempts == 1


def test_slack_gets_a_text_message_with_mrkdwn_links(org_a, people_a, steps_a, server) -> None:
    _webhook(org_a, "slack", server.url + "/services/T000/B000/XXXX")
    digests.build_digests(organization=org_a, day=DAY)
    [delivery] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    with tenancy.activate(org_a):
        assert sending.send_delivery(delivery)

    [request] = server.received
    assert request.method == "POST" and request.path == "/services/T000/B000/XXXX"
    assert request.headers["content-type"].startswith("application/json")
    payload = json.loads(request.body)
    assert set(payload) == {"text"}
    step = steps_a["hire"][0]
    assert f"<https://somu.example.jp/procedures/steps/{step.pk}/|社会保険の資格取得届>" in \
        payload["text"]
    assert "山田 太郎" in payload["text"]  # the assignee


def test_teams_gets_an_adaptive_card_message(org_a, people_a, steps_a, server) -> None:
    _webhook(org_a, "teams", server.url + "/workflows/triggers/manual/paths/invoke")
    digests.build_digests(organization=org_a, day=DAY)
    [delivery] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    with tenancy.activate(org_a):
        assert sending.send_delivery(delivery)

    [request] = server.received
    assert request.headers["content-type"].startswith("application/json")
    payload = json.loads(request.body)
    assert payload["type"] == "message"
    [attachment] = payload["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block["text"] for block in card["body"]]
    step = steps_a["hire"][0]
    assert any(f"[社会保険の資格取得届](https://somu.example.jp/procedures/steps/{step.pk}/)" in t
               for t in texts)
    assert card["actions"][0]["type"] == "Action.OpenUrl"


def test_chatwork_gets_a_form_encoded_message_with_the_token(
    org_a, people_a, steps_a, server,
) -> None:
    _webhook(org_a, "chatwork", server.url + "/v2/rooms/123456/messages", token="cw-token-1")
    digests.build_digests(organization=org_a, day=DAY)
    [delivery] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    with tenancy.activate(org_a):
        assert sending.send_delivery(delivery)

    [request] = server.received
    assert request.path == "/v2/rooms/123456/messages"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.headers["x-chatworktoken"] == "cw-token-1"
    form = urllib.parse.parse_qs(request.body.decode())
    [body] = form["body"]
    assert body.startswith("[info][title]") and body.endswith("[/info]")
    assert "[/title]" in body and "社会保険の資格取得届" in body


def test_chatwork_needs_its_token(org_a, server) -> None:
    with tenancy.activate(org_a), pytest.raises(ValidationError) as error:
        webhooks.webhook_save(actor=None, webhook=None, data={
            "name": "cw", "kind": "chatwork", "url": server.url, "token": "", "active": True})
    assert "token" in error.value.message_dict


def test_a_webhook_url_must_be_http(org_a) -> None:
    with tenancy.activate(org_a), pytest.raises(ValidationError) as error:
        webhooks.webhook_save(actor=None, webhook=None, data={
            "name": "x", "kind": "slack", "url": "file:///etc/passwd", "active": True})
    assert "url" in error.value.message_dict


def test_a_failing_webhook_is_retried_with_backoff_then_given_up(
    org_a, people_a, steps_a, server,
) -> None:
    server.status = 500
    _webhook(org_a, "slack", server.url + "/slack")
    digests.build_digests(organization=org_a, day=DAY)
    [delivery] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    now = timezone.now()
    with tenancy.activate(org_a):
        assert sending.send_delivery(delivery, now=now) is False
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 1
        assert "HTTP 500" in delivery.last_error
        assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)
        # Not due yet: nothing is sent.
        assert sending.send_delivery(delivery, now=now + dt.timedelta(seconds=30)) is False
        assert server.count() == 1

        waits = []
        for _ in range(5):
            now = delivery.next_attempt_at
            sending.send_delivery(delivery, now=now)
            delivery.refresh_from_db()
            if delivery.next_attempt_at is not None:
                waits.append(delivery.next_attempt_at - now)
        assert waits == [dt.timedelta(minutes=5), dt.timedelta(minutes=30),
                         dt.timedelta(hours=2), dt.timedelta(hours=12)]
        assert delivery.status == DeliveryStatus.GAVE_UP and delivery.attempts == 6
        assert server.count() == 6
        assert sending.send_delivery(delivery, now=now + dt.timedelta(days=2)) is False
        assert list(selectors.delivery_list(problems_only=True)) == [delivery]

        # An admin retries once the service is back.
        server.status = 200
        sending.delivery_retry(actor=None, delivery=delivery)
        assert sending.send_delivery(delivery) is True
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SENT and delivery.last_error == ""
    assert server.count() == 7


def test_a_refused_connection_is_a_failure_too(org_a, people_a, steps_a) -> None:
    _webhook(org_a, "teams", refused_url())
    digests.build_digests(organization=org_a, day=DAY)
    [delivery] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    with tenancy.activate(org_a):
        assert sending.send_delivery(delivery) is False
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert "refused" in delivery.last_error.lower()


def test_a_chat_message_whose_answer_timed_out_is_retried_once_then_left_uncertain(
    org_a, people_a, steps_a, server, settings,
) -> None:
    settings.SOMU_HTTP_TIMEOUT = 0.3
    server.delay = 1  # it receives the message, but answers too late
    _webhook(org_a, "slack", server.url + "/slack")
    digests.build_digests(organization=org_a, day=DAY)
    [delivery] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    now = timezone.now()
    with tenancy.activate(org_a):
        assert sending.send_delivery(delivery, now=now) is False
        delivery.refresh_from_db()
        assert (delivery.status, delivery.uncertain_attempts) == (DeliveryStatus.FAILED, 1)
        assert delivery.next_attempt_at == now + dt.timedelta(minutes=1)

        assert sending.send_delivery(delivery, now=now + dt.timedelta(minutes=1)) is False
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.UNCERTAIN and "timed out" in delivery.last_error
        with translation.override("ja"):
            assert delivery.get_status_display() == "送信結果不明"
        assert sending.send_delivery(delivery, now=now + dt.timedelta(days=1)) is False
        assert server.count() == 2
        assert list(selectors.delivery_list(problems_only=True)) == [delivery]

        # An admin who checked the channel sends it again by hand.
        server.delay = 0
        sending.delivery_retry(actor=None, delivery=delivery)
        assert sending.send_delivery(delivery) is True
    assert server.count() == 3


def test_a_chat_service_that_hangs_up_without_answering_is_tried_once_more_then_uncertain(
    org_a, people_a, steps_a, server,
) -> None:
    server.hang_up = True  # it got the message; did it post it? Nobody can tell.
    _webhook(org_a, "slack", server.url + "/slack")
    digests.build_digests(organization=org_a, day=DAY)
    [delivery] = [d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK]
    now = timezone.now()
    with tenancy.activate(org_a):
        assert sending.send_delivery(delivery, now=now) is False
        assert sending.send_delivery(delivery, now=now + dt.timedelta(minutes=1)) is False
        assert sending.send_delivery(delivery, now=now + dt.timedelta(days=1)) is False
        delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.UNCERTAIN
    assert server.count() == 2


def test_an_email_the_mail_server_never_confirms_is_sent_twice_then_left_uncertain(
    org_a, people_a, steps_a, settings,
) -> None:
    digests.build_digests(organization=org_a, day=DAY)
    email = next(d for d in _deliveries(org_a) if d.channel == DeliveryChannel.EMAIL)
    now = timezone.now()
    with smtp_server_silent_after_data() as smtp:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = \
            "127.0.0.1", smtp.port, 0.5
        with tenancy.activate(org_a):
            assert sending.send_delivery(email, now=now) is False
            email.refresh_from_db()
            assert (email.status, email.uncertain_attempts) == (DeliveryStatus.FAILED, 1)
            assert sending.send_delivery(email, now=now + dt.timedelta(minutes=1)) is False
            email.refresh_from_db()
        assert smtp.messages == 2
    assert email.status == DeliveryStatus.UNCERTAIN


def test_a_delivery_whose_sender_died_while_sending_goes_out_once_more_then_never_again(
    org_a, people_a, steps_a, server,
) -> None:
    _webhook(org_a, "slack", server.url + "/slack")
    digests.build_digests(organization=org_a, day=DAY)
    hook = next(d for d in _deliveries(org_a) if d.channel == DeliveryChannel.WEBHOOK)
    email = next(d for d in _deliveries(org_a) if d.channel == DeliveryChannel.EMAIL)
    now = timezone.now()
    after_lease = queue.lease() + dt.timedelta(seconds=1)
    with tenancy.activate(org_a):
        # Both claimed, then the sender died before recording anything.
        assert sending._claim(hook.pk, now) and sending._claim(email.pk, now)
        assert sending.send_delivery(hook, now=now + dt.timedelta(minutes=1)) is False  # leased
        assert sending.send_delivery(hook, now=now + after_lease) is True
        hook.refresh_from_db()
        assert (hook.status, hook.uncertain_attempts) == (DeliveryStatus.SENT, 1)

        # The email's sender dies a second time: it is not sent a third time.
        assert sending._claim(email.pk, now + after_lease)
        assert sending.send_delivery(email, now=now + 2 * after_lease) is False
        email.refresh_from_db()
    assert email.status == DeliveryStatus.UNCERTAIN and email.uncertain_attempts == 2
    assert server.count() == 1 and mail.outbox == []


def test_only_failed_deliveries_can_be_retried(org_a, people_a, steps_a) -> None:
    digests.build_digests(organization=org_a, day=DAY)
    delivery = _deliveries(org_a)[0]
    with tenancy.activate(org_a), pytest.raises(ValidationError):
        sending.delivery_retry(actor=None, delivery=delivery)


def test_a_retry_asked_on_a_stale_page_does_not_undo_a_workers_claim(
        org_a, people_a, steps_a, admin_a) -> None:
    # The admin's page loaded the delivery as failed; meanwhile its backoff came due and a worker
    # claimed it. The retry must not put it back to pending (it would then go out twice).
    digests.build_digests(organization=org_a, day=DAY)
    now = timezone.now()
    with tenancy.activate(org_a):
        delivery = _deliveries(org_a)[0]
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED, attempts=1, next_attempt_at=now)
        stale = Delivery.objects.get(pk=delivery.pk)
        assert sending._claim(delivery.pk, now)
        with pytest.raises(ValidationError):
            sending.delivery_retry(actor=admin_a, delivery=stale)
        assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENDING


def test_the_test_button_posts_a_sample_message(org_a, server) -> None:
    hook = _webhook(org_a, "slack", server.url + "/slack")
    webhooks.webhook_send_test(webhook=hook)
    assert "text" in json.loads(server.received[0].body)

    server.status = 404
    with pytest.raises(chat.DeliveryError, match="HTTP 404"):
        webhooks.webhook_send_test(webhook=hook)
