"""/api/v1/notifications/webhooks and /deliveries: the chat webhooks notifications are sent to,
and the deliveries made (retrying a failed one). Admins only."""

from __future__ import annotations

import datetime as dt
from functools import partial

import pytest

from somu.core import tenancy
from somu.notify.models import Delivery, DeliveryStatus, Webhook
from somu.procedures.tests.test_api import assert_error, field_names

pytestmark = pytest.mark.django_db


@pytest.fixture(name="api_as")
def api_as_fixture(api_as):
    """The root ``api_as``, with paths under /api/v1/notifications."""
    return partial(api_as, prefix="/api/v1/notifications")


def test_a_webhook_is_created_changed_and_deleted_and_its_secrets_never_shown(
        api_as, admin_a, org_a):
    api = api_as(admin_a)
    created = api.post("/webhooks", {"name": "総務チャンネル", "kind": "chatwork",
                                     "url": "https://api.chatwork.com/v2/rooms/1/messages",
                                     "token": "secret-token"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"] == "https://api.chatwork.com/…"
    assert body["has_token"] is True
    assert "secret-token" not in created.content.decode()
    webhook_id = body["id"]
    renamed = api.put(f"/webhooks/{webhook_id}", {"name": "総務部"})
    assert renamed.status_code == 200, renamed.content
    with tenancy.activate(org_a):
        webhook = Webhook.objects.get(pk=webhook_id)
    assert (webhook.name, webhook.token) == ("総務部", "secret-token")  # the token is kept
    assert "secret" not in api.get("/webhooks").content.decode()
    assert api.delete(f"/webhooks/{webhook_id}").status_code == 204
    assert api.get("/webhooks").json() == []


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "chatwork"}, "token"),
    ({"url": "ftp://example.com/hook"}, "url"),
    ({"url": "http://hooks.example.com/x"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"kind": "line"}, "kind"),
    ({"name": ""}, "name"),
])
def test_a_bad_webhook_is_a_422_naming_the_field(api_as, admin_a, body, field):
    data = {"name": "通知", "kind": "slack", "url": "https://hooks.slack.com/services/x", **body}
    error = assert_error(api_as(admin_a).post("/webhooks", data), 422, "invalid")
    assert field in field_names(error)


def test_a_failed_delivery_is_retried_once_asked(api_as, admin_a, org_a, people_a):
    with tenancy.activate(org_a):
        failed = Delivery.objects.create(channel="email", person=people_a.suzuki,
                                         day=dt.date(2026, 4, 1), status=DeliveryStatus.FAILED,
                                         attempts=3, last_error="SMTP 550", organization=org_a)
        sent = Delivery.objects.create(channel="email", person=people_a.yamada,
                                       day=dt.date(2026, 4, 1), status=DeliveryStatus.SENT,
                                       organization=org_a)
    api = api_as(admin_a)
    assert api.get("/deliveries").json()["count"] == 2
    problems = api.get("/deliveries", problems_only=True).json()["items"]
    assert [(d["id"], d["person_name"], d["last_error"]) for d in problems] == [
        (failed.pk, "鈴木 花子", "SMTP 550")]
    retried = api.post(f"/deliveries/{failed.pk}/retry")
    assert retried.status_code == 200, retried.content
    assert retried.json()["status"] == "pending"
    assert_error(api.post(f"/deliveries/{sent.pk}/retry"), 409, "conflict")


def test_only_admins_manage_notifications(api_as, staff_a):
    api = api_as(staff_a)
    assert_error(api.get("/webhooks"), 403, "forbidden")
    assert_error(api.get("/deliveries"), 403, "forbidden")
    assert_error(api.post("/webhooks", {"name": "x", "kind": "slack",
                                        "url": "https://hooks.slack.com/x"}), 403, "forbidden")




def test_another_organizations_webhooks_and_deliveries_are_not_found(api_as, admin_a, org_b):
    with tenancy.activate(org_b):
        webhook = Webhook.objects.create(name="ビー社", kind="slack",
                                         url="https://hooks.example/b", organization=org_b)
        delivery = Delivery.objects.create(channel="webhook", webhook=webhook,
                                           day=dt.date(2026, 4, 1), status=DeliveryStatus.FAILED,
                                           organization=org_b)
    api = api_as(admin_a)
    for response in (
        api.put(f"/webhooks/{webhook.pk}", {"name": "x"}), api.delete(f"/webhooks/{webhook.pk}"),
        api.post(f"/deliveries/{delivery.pk}/retry"),
    ):
        assert_error(response, 404, "not_found")
    assert api.get("/deliveries").json()["count"] == 0
    assert api.get("/webhooks").json() == []
