"""Chat webhook URLs and tokens are credentials: encrypted in the database, masked in the audit
log, still delivered to, and readable across a SECRET_KEY rotation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from somu.audit.models import AuditEvent
from somu.core import crypto, tenancy
from somu.notify import digests, sending, webhooks
from somu.notify.models import Delivery, DeliveryChannel, Webhook
from somu.procedures.tests.background import READY, ChatServer, chat_server, make_run

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 4, 8)
SECRET_PATH = "/services/T000/B000/XXXXsecretXXXX"
TOKEN = "cw-secret-token-42"


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as state:
        yield state


def _stored(webhook_id: int, table: str = "notify_webhook") -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT url, token FROM {table} WHERE id = %s", [webhook_id])  # noqa: S608
        url, token = cursor.fetchone()
    return url, token


def _save(organization, **data) -> Webhook:
    defaults = {"name": "総務チャンネル", "kind": "chatwork", "active": True}
    with tenancy.activate(organization):
        return webhooks.webhook_save(actor=None, webhook=None, data={**defaults, **data})


def test_the_webhook_row_holds_neither_the_url_nor_the_token_in_clear(org_a, server) -> None:
    hook = _save(org_a, url=server.url + SECRET_PATH, token=TOKEN)

    url, token = _stored(hook.pk)
    assert SECRET_PATH not in url and "127.0.0.1" not in url
    assert TOKEN not in token
    with tenancy.activate(org_a):
        again = Webhook.objects.get(pk=hook.pk)
    assert (again.url, again.token) == (server.url + SECRET_PATH, TOKEN)


def test_a_delivery_still_reaches_the_decrypted_url_with_the_token(
    org_a, people_a, server, settings
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_run(org_a, "月次決算", [("請求書の発行", people_a.yamada, dt.date(2026, 4, 6), READY)])
    _save(org_a, url=server.url + SECRET_PATH, token=TOKEN)
    digests.build_digests(organization=org_a, day=DAY)
    with tenancy.activate(org_a):
        delivery = Delivery.objects.get(channel=DeliveryChannel.WEBHOOK)
        assert sending.send_delivery(delivery)

    [request] = server.received
    assert request.path == SECRET_PATH
    assert request.headers["x-chatworktoken"] == TOKEN


def test_the_audit_log_keeps_the_host_and_a_fingerprint_never_the_secret(org_a, server) -> None:
    hook = _save(org_a, url=server.url + SECRET_PATH, token=TOKEN)
    with tenancy.activate(org_a):
        webhooks.webhook_save(actor=None, webhook=hook,
                              data={"url": server.url + "/services/other"})
        events = list(AuditEvent.objects.filter(object_type="notify.webhook").order_by("seq"))

    created, changed = events
    host = server.url.split("//")[1]
    assert created.changes["url"][1] == (
        f"http://{host}/… [{crypto.fingerprint(server.url + SECRET_PATH)}]")
    assert created.changes["token"][1].startswith("•••• [")
    old, new = changed.changes["url"]
    assert old != new and old.startswith(f"http://{host}/… [")
    for event in events:
        assert SECRET_PATH not in str(event.changes) and TOKEN not in str(event.changes)


def test_after_a_key_rotation_old_values_are_read_and_can_be_reencrypted(
    org_a, settings
) -> None:
    settings.SECRET_KEY = "the-old-secret-key-" + "x" * 40
    hook = _save(org_a, url="https://api.chatwork.com/v2/rooms/1/messages", token=TOKEN)

    settings.SECRET_KEY = "the-new-secret-key-" + "y" * 40
    settings.SOMU_OLD_SECRET_KEYS = ()
    with tenancy.activate(org_a), pytest.raises(ImproperlyConfigured,
                                                match="list the previous one in SOMU_OLD"):
        Webhook.objects.get(pk=hook.pk)

    settings.SOMU_OLD_SECRET_KEYS = ("the-old-secret-key-" + "x" * 40,)
    with tenancy.activate(org_a):
        assert Webhook.objects.get(pk=hook.pk).token == TOKEN
    out = StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "notify.Webhook: 1 rows" in out.getvalue()

    settings.SOMU_OLD_SECRET_KEYS = ()
    with tenancy.activate(org_a):
        assert Webhook.objects.get(pk=hook.pk).token == TOKEN


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_reverses(org_a) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("procedures", "0001_initial")])
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procedures_webhook (organization_id, name, kind, url, token, active, "
            "created_at) VALUES (%s, 'old', 'chatwork', %s, %s, %s, %s)",
            [org_a.pk, "https://api.chatwork.com/v2/rooms/9/messages", TOKEN, True,
             dt.datetime(2026, 4, 1, tzinfo=dt.UTC)])
        cursor.execute("SELECT id FROM procedures_webhook")
        [(pk,)] = cursor.fetchall()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([("procedures", "0002_webhook_secrets_encrypted")])
        url, token = _stored(pk, "procedures_webhook")
        assert "chatwork" not in url and crypto.decrypt(url).endswith("/rooms/9/messages")
        assert crypto.decrypt(token) == TOKEN

        executor = MigrationExecutor(connection)
        executor.migrate([("procedures", "0001_initial")])
        assert _stored(pk, "procedures_webhook") == (
            "https://api.chatwork.com/v2/rooms/9/messages", TOKEN)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
