"""Writes of the chat webhooks (チャット通知先): save, delete, and the "test" button."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, save_with_audit
from somu.notify.chat import DigestItem, http_post, webhook_request
from somu.notify.digests import digest_link
from somu.notify.models import Webhook, WebhookKind
from somu.org.selectors import link_base_url
from somu.org.services import Actor

WEBHOOK_FIELDS: Final = ("name", "kind", "url", "token", "active")


@transaction.atomic
def webhook_save(*, actor: Actor, webhook: Webhook | None, data: Mapping[str, Any]) -> Webhook:
    """Create or change a chat webhook; Chatwork needs its API token."""
    webhook = webhook or Webhook()
    merged = {name: data.get(name, getattr(webhook, name)) for name in WEBHOOK_FIELDS}
    if merged["kind"] == WebhookKind.CHATWORK and not merged["token"]:
        raise ValidationError({"token": [_("Chatwork needs the API token.")]})
    if urllib.parse.urlsplit(str(merged["url"] or "")).scheme not in ("http", "https"):
        raise ValidationError({"url": [_("Only http and https URLs can be used.")]})
    result = save_with_audit(webhook, actor=actor, fields=WEBHOOK_FIELDS,
                             data={k: v for k, v in data.items() if k in WEBHOOK_FIELDS},
                             action_prefix="webhook")
    assert isinstance(result, Webhook)
    return result


@transaction.atomic
def webhook_delete(*, actor: Actor, webhook: Webhook) -> None:
    audit_record(actor=actor, action="webhook.delete", obj=webhook,
                 changes={"name": [webhook.name, None]})
    webhook.delete()


def webhook_send_test(*, webhook: Webhook, today: dt.date | None = None) -> None:
    """Post a sample message now (the "test" button); raises
    :class:`~somu.notify.chat.DeliveryError` on failure."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Test message from somu: notifications to this channel work.")
        link = digest_link(link_base_url())
        sample = DigestItem(
            item_id=0, name=_("Sample step"), context=_("Sample run"), assignee_id=None,
            assignee="", due_date=today, days_late=0, waiting=False, url=link,
        )
        data, headers = webhook_request(webhook, title, [sample], link)
    http_post(webhook.url, data, headers)
