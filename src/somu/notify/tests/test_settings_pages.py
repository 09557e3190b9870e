"""Notification settings pages: chat webhooks, the test button, failed deliveries and retries."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.notify import webhooks
from somu.notify.models import Delivery, DeliveryChannel, DeliveryStatus, Webhook, WebhookKind

SETTINGS = reverse("notify:settings")
NEW = reverse("notify:webhook_create")
TOKEN = "cw-secret-token-0123456789"


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def shows(response, text: str) -> bool:  # type: ignore[no-untyped-def]
    return escape(text) in body(response)


@dataclass
class Receiver:
    """A real chat service stand-in: records every POST; paths under /fail answer 500."""

    url: str
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    received: list[tuple[str, dict[str, str], bytes]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            received.append((self.path, dict(self.headers), self.rfile.read(length)))
            status = 500 if self.path.startswith("/fail") else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"boom" if status == 500 else b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Receiver(url=f"http://127.0.0.1:{server.server_address[1]}", requests=received)
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def admin(client_as, admin_a, org_a):  # type: ignore[no-untyped-def]
    return client_as(admin_a, org_a)


def make_webhook(org, **fields: object) -> Webhook:  # type: ignore[no-untyped-def]
    data = {"name": "総務チャンネル", "kind": WebhookKind.SLACK,
            "url": "https://hooks.slack.com/services/T000/B000/XXXX", "active": True, **fields}
    with tenancy.activate(org):
        return webhooks.webhook_save(actor=None, webhook=None, data=data)


def test_the_page_explains_when_digests_are_built(admin, tr) -> None:  # type: ignore[no-untyped-def]
    response = admin.get(SETTINGS)
    assert response.status_code == 200
    assert "somu worker" in body(response)
    assert "SOMU_DIGEST_HOUR" in body(response)


def test_an_admin_adds_a_slack_webhook_and_sees_its_url_masked(admin, org_a) -> None:  # type: ignore[no-untyped-def]
    response = admin.post(NEW, {"kind": "slack", "name": "総務チャンネル", "active": "on",
                                "url": "https://hooks.slack.com/services/T000/B000/SECRETPATH"})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        webhook = Webhook.objects.get()
        assert webhook.kind == "slack" and webhook.active
        assert AuditEvent.objects.filter(action="webhook.create").exists()
    page = admin.get(SETTINGS)
    assert shows(page, "総務チャンネル")
    assert "https://hooks.slack.com/…" in body(page)
    assert "SECRETPATH" not in body(page)


def test_a_webhook_needs_https_except_to_this_machine(admin, org_a, tr) -> None:  # type: ignore[no-untyped-def]
    response = admin.post(NEW, {"kind": "slack", "name": "平文",
                                "url": "http://hooks.example.com/x"})
    assert response.status_code == 200
    assert shows(response, tr("Use an https:// URL."))
    response = admin.post(NEW, {"kind": "slack", "name": "ローカル",
                                "url": "http://127.0.0.1:9/hook"})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        assert list(Webhook.objects.values_list("name", flat=True)) == ["ローカル"]


def test_chatwork_needs_a_token_which_is_never_shown_back(admin, org_a, tr) -> None:  # type: ignore[no-untyped-def]
    url = "https://api.chatwork.com/v2/rooms/123/messages"
    response = admin.post(NEW, {"kind": "chatwork", "name": "Chatwork", "url": url})
    assert response.status_code == 200
    assert shows(response, tr("Chatwork needs the API token."))

    response = admin.post(NEW, {"kind": "chatwork", "name": "Chatwork", "url": url,
                                "token": TOKEN, "active": "on"})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        webhook = Webhook.objects.get()
    assert webhook.token == TOKEN
    edit = reverse("notify:webhook_edit", args=[webhook.pk])
    page = admin.get(edit)
    assert TOKEN not in body(page)
    assert TOKEN not in body(admin.get(SETTINGS))

    # Saving without typing the token again keeps it.
    response = admin.post(edit, {"kind": "chatwork", "name": "Chatwork 総務", "url": url,
                                 "active": "on"})
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert webhook.name == "Chatwork 総務" and webhook.token == TOKEN


def test_editing_and_deleting_a_webhook(admin, org_a) -> None:  # type: ignore[no-untyped-def]
    webhook = make_webhook(org_a)
    edit = reverse("notify:webhook_edit", args=[webhook.pk])
    response = admin.post(edit, {"kind": "teams", "name": "Teams 総務",
                                 "url": "https://example.webhook.office.com/abc"})
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.kind, webhook.name, webhook.active) == ("teams", "Teams 総務", False)

    delete = reverse("notify:webhook_delete", args=[webhook.pk])
    assert shows(admin.get(delete), "Teams 総務")
    assert admin.post(delete).status_code == 302
    with tenancy.activate(org_a):
        assert not Webhook.objects.exists()
        assert AuditEvent.objects.filter(action="webhook.delete").exists()


def test_the_test_button_posts_to_the_chat_service_and_reports_success(  # type: ignore[no-untyped-def]
        admin, org_a, receiver, tr) -> None:
    webhook = make_webhook(org_a, url=f"{receiver.url}/hook")
    response = admin.post(reverse("notify:webhook_test", args=[webhook.pk]), follow=True)
    assert response.status_code == 200
    assert len(receiver.requests) == 1
    path, _headers, data = receiver.requests[0]
    assert path == "/hook"
    assert "text" in json.loads(data)  # Slack's message format
    assert shows(response, tr("The test message to “%(name)s” was accepted. Check that it "
                              "arrived in the channel.", name="総務チャンネル"))
    assert response.redirect_chain[-1][0] == SETTINGS


def test_the_test_button_reports_the_services_error(admin, org_a, receiver) -> None:  # type: ignore[no-untyped-def]
    webhook = make_webhook(org_a, url=f"{receiver.url}/fail")
    response = admin.post(reverse("notify:webhook_test", args=[webhook.pk]), follow=True)
    assert len(receiver.requests) == 1
    assert "HTTP 500" in body(response)


def failed_delivery(org, webhook: Webhook, error: str = "HTTP 500 Internal Server Error: boom",
                    status: str = DeliveryStatus.FAILED) -> Delivery:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return Delivery.objects.create(
            channel=DeliveryChannel.WEBHOOK, webhook=webhook, day=timezone.localdate(),
            subject="手順のステップ: 期限超過 1 件", body="…", status=status, attempts=3,
            last_error=error, next_attempt_at=timezone.now() + dt.timedelta(hours=2),
        )


def test_a_failed_delivery_is_shown_with_its_error_and_sent_again_by_the_button(  # type: ignore[no-untyped-def]
        admin, org_a, receiver, tr) -> None:
    webhook = make_webhook(org_a, url=f"{receiver.url}/hook")
    delivery = failed_delivery(org_a, webhook)
    page = admin.get(SETTINGS + "?problems=1")
    assert shows(page, "HTTP 500 Internal Server Error: boom")
    assert shows(page, str(DeliveryStatus.FAILED.label))
    retry = reverse("notify:delivery_retry", args=[delivery.pk])
    assert retry in body(page)

    response = admin.post(retry, follow=True)
    assert response.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.attempts == 4 and delivery.last_error == ""
    assert len(receiver.requests) == 1
    assert shows(response, tr("The notification has been sent again."))
    with tenancy.activate(org_a):
        assert AuditEvent.objects.filter(action="delivery.retry").exists()


def test_a_retry_that_fails_again_says_why(admin, org_a, receiver) -> None:  # type: ignore[no-untyped-def]
    webhook = make_webhook(org_a, url=f"{receiver.url}/fail")
    delivery = failed_delivery(org_a, webhook, status=DeliveryStatus.GAVE_UP)
    response = admin.post(reverse("notify:delivery_retry", args=[delivery.pk]), follow=True)
    delivery.refresh_from_db()
    assert delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP)
    assert "HTTP 500" in delivery.last_error
    assert "HTTP 500" in body(response)


def test_a_sent_delivery_cannot_be_retried(admin, org_a, tr) -> None:  # type: ignore[no-untyped-def]
    webhook = make_webhook(org_a)
    delivery = failed_delivery(org_a, webhook, status=DeliveryStatus.SENT, error="")
    response = admin.post(reverse("notify:delivery_retry", args=[delivery.pk]), follow=True)
    assert shows(response, tr("Only failed deliveries can be retried."))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


@pytest.mark.parametrize("user", ["staff_a", "manager_a", "employee_a", "auditor_a"])
def test_only_admins_manage_notifications(request, client_as, org_a, user) -> None:  # type: ignore[no-untyped-def]
    client = client_as(request.getfixturevalue(user), org_a)
    webhook = make_webhook(org_a)
    assert client.get(SETTINGS).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(reverse("notify:webhook_test", args=[webhook.pk])).status_code == 403
    assert client.post(reverse("notify:webhook_delete", args=[webhook.pk])).status_code == 403


def test_another_organizations_webhooks_and_deliveries_are_not_found(  # type: ignore[no-untyped-def]
        client_as, admin_b, org_b, org_a) -> None:
    webhook = make_webhook(org_a)
    delivery = failed_delivery(org_a, webhook)
    client = client_as(admin_b, org_b)
    assert "総務チャンネル" not in body(client.get(SETTINGS))
    for name in ("webhook_edit", "webhook_delete"):
        assert client.get(reverse(f"notify:{name}", args=[webhook.pk])).status_code == 404
    assert client.post(reverse("notify:webhook_test", args=[webhook.pk])).status_code == 404
    assert client.post(reverse("notify:delivery_retry",
                               args=[delivery.pk])).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_the_settings_page_takes_the_same_queries_for_many_deliveries(  # type: ignore[no-untyped-def]
        admin, org_a, people_a) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin.get(SETTINGS).status_code == 200
        return len(captured)

    webhook = make_webhook(org_a)
    failed_delivery(org_a, webhook)
    few = queries()
    with tenancy.activate(org_a):
        for days, person in enumerate((people_a.yamada, people_a.suzuki, people_a.sato), 1):
            Delivery.objects.create(channel=DeliveryChannel.EMAIL, person=person,
                                    day=timezone.localdate() - dt.timedelta(days=days),
                                    status=DeliveryStatus.SENT, attempts=1)
        other = make_webhook(org_a, name="Teams", kind=WebhookKind.TEAMS)
        failed_delivery(org_a, other)
    assert queries() == few
