"""Chat messages (Slack, Microsoft Teams, Chatwork): the payload each service takes for a
summary of overdue and due-soon items, and the HTTP POST that sends it (with the deployment's
timeout, ``SOMU_HTTP_TIMEOUT``).

The payloads are pure functions of the title, the items and the link; the POST tells a refusal
(:class:`DeliveryError`) from an answer that never came after the request went out
(:class:`DeliveryUncertain`: the message may have arrived).
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.notify.models import Webhook, WebhookKind

# A chat message lists at most this many items; the rest are counted ("…and 12 more").
WEBHOOK_MAX_ITEMS: Final = 30


class DeliveryError(Exception):
    """Sending failed (the SMTP server or the chat service refused, or could not be reached)."""


class DeliveryUncertain(DeliveryError):
    """The server neither accepted nor refused in time: the message may have arrived."""


@dataclass(frozen=True)
class DigestItem:
    """One overdue or due-soon item as a digest shows it (today: a procedure step).

    An app's digest section (``digest_sections`` in its registry entry) builds them.
    """

    item_id: int
    name: str
    context: str  # what it belongs to (the run's name)
    assignee_id: int | None
    assignee: str
    due_date: dt.date
    days_late: int  # calendar days past the due date (0: due today or later)
    waiting: bool  # it cannot be done yet (earlier steps are still open)
    url: str  # absolute

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


def date_text(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _late(item: DigestItem) -> str:
    return ngettext("%(n)d day overdue", "%(n)d days overdue", item.days_late) % {
        "n": item.days_late
    }


def item_detail(item: DigestItem, *, with_assignee: bool) -> str:
    """"2026/04/01 · 3 days overdue · 山田 太郎 · waiting for earlier steps"."""
    parts = [_("due %(date)s") % {"date": date_text(item.due_date)}]
    if item.overdue:
        parts.append(_late(item))
    if with_assignee:
        parts.append(item.assignee or _("unassigned"))
    if item.waiting:
        parts.append(_("waiting for earlier steps"))
    return " · ".join(parts)


def counts(items: Sequence[DigestItem]) -> tuple[int, int]:
    """(overdue, due soon)."""
    overdue = sum(1 for i in items if i.overdue)
    return overdue, len(items) - overdue


def more(count: int) -> str:
    return ngettext("…and %(n)d more", "…and %(n)d more", count) % {"n": count}


def summary_title(items: Sequence[DigestItem], day: dt.date) -> str:
    overdue, soon = counts(items)
    return _("Procedure steps on %(date)s: %(overdue)d overdue, %(soon)d due soon") % {
        "date": date_text(day), "overdue": overdue, "soon": soon}


def summary_text(items: Sequence[DigestItem], day: dt.date) -> str:
    """The plain-text summary kept on the delivery (what admins see on the deliveries page)."""
    lines = [summary_title(items, day)]
    for item in items[:WEBHOOK_MAX_ITEMS]:
        lines.append(f"- {item.name} ({item.context}) {item_detail(item, with_assignee=True)}")
    if len(items) > WEBHOOK_MAX_ITEMS:
        lines.append(more(len(items) - WEBHOOK_MAX_ITEMS))
    return "\n".join(lines)


def _slack_escape(text: str) -> str:
    # Slack's control characters; everything else is sent as is.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(title: str, items: Sequence[DigestItem], link: str) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``{"text": …}`` in mrkdwn, links as ``<url|name>``."""
    lines = [f"*{_slack_escape(title)}*"]
    for item in items[:WEBHOOK_MAX_ITEMS]:
        lines.append(
            f"• <{item.url}|{_slack_escape(item.name)}> ({_slack_escape(item.context)}) "
            f"{_slack_escape(item_detail(item, with_assignee=True))}"
        )
    if len(items) > WEBHOOK_MAX_ITEMS:
        lines.append(_slack_escape(more(len(items) - WEBHOOK_MAX_ITEMS)))
    lines.append(f"<{link}|{_slack_escape(_('Open somu'))}>")
    return {"text": "\n".join(lines)}


def _md_escape(text: str) -> str:
    # Adaptive Card TextBlocks render a Markdown subset: keep names from becoming markup.
    for char in "\\[]*_`":
        text = text.replace(char, "\\" + char)
    return text


def teams_payload(title: str, items: Sequence[DigestItem], link: str) -> dict[str, Any]:
    """A message with one Adaptive Card (1.4), as Teams incoming webhooks and Workflows take it."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
    ]
    for item in items[:WEBHOOK_MAX_ITEMS]:
        body.append({
            "type": "TextBlock",
            "text": f"[{_md_escape(item.name)}]({item.url}) ({_md_escape(item.context)}) "
                    f"{_md_escape(item_detail(item, with_assignee=True))}",
            "wrap": True,
            "spacing": "Small",
        })
    if len(items) > WEBHOOK_MAX_ITEMS:
        body.append({"type": "TextBlock", "text": more(len(items) - WEBHOOK_MAX_ITEMS),
                     "wrap": True, "isSubtle": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": _("Open somu"), "url": link}],
    }
    return {
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": card,
        }],
    }


def chatwork_message(title: str, items: Sequence[DigestItem], link: str) -> str:
    """A Chatwork message in its notation: ``[info][title]…[/title]…[/info]``."""
    lines = []
    for item in items[:WEBHOOK_MAX_ITEMS]:
        lines.append(f"・{item.name} ({item.context}) "
                     f"{item_detail(item, with_assignee=True)}\n{item.url}")
    if len(items) > WEBHOOK_MAX_ITEMS:
        lines.append(more(len(items) - WEBHOOK_MAX_ITEMS))
    lines.append(link)
    return f"[info][title]{title}[/title]" + "\n".join(lines) + "[/info]"


def webhook_request(
    webhook: Webhook, title: str, items: Sequence[DigestItem], link: str
) -> tuple[bytes, dict[str, str]]:
    """The HTTP POST body and headers for ``webhook``'s service; ``link``: "Open somu"."""
    if webhook.kind == WebhookKind.CHATWORK:
        # Chatwork's POST /rooms/{room_id}/messages: form-encoded ``body``, token in a header.
        data = urllib.parse.urlencode({"body": chatwork_message(title, items, link)}).encode()
        return data, {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-ChatWorkToken": webhook.token,
        }
    payload = teams_payload(title, items, link) if webhook.kind == WebhookKind.TEAMS \
        else slack_payload(title, items, link)
    return (
        json.dumps(payload, ensure_ascii=False).encode(),
        {"Content-Type": "application/json; charset=utf-8"},
    )


def http_post(url: str, data: bytes, headers: Mapping[str, str]) -> None:
    """POST ``data`` to ``url``; raises :class:`DeliveryError` unless the answer is 2xx."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        # urllib also opens file:// and ftp:// URLs: never let a webhook URL read local files.
        raise DeliveryError(_("Only http and https URLs can be used."))
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url, data=data, headers={"User-Agent": "somu", **headers}, method="POST"
    )
    try:
        timeout = float(settings.SOMU_HTTP_TIMEOUT)
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read(4096)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip()
        raise DeliveryError(f"HTTP {exc.code} {exc.reason}: {detail}"[:1000]) from exc
    except urllib.error.URLError as exc:
        # Raised while connecting or sending the request: the service did not get it.
        raise DeliveryError(f"{type(exc).__name__}: {exc.reason}"[:1000]) from exc
    except (OSError, http.client.HTTPException) as exc:
        # After the request went out (urllib wraps what fails before it in URLError): no answer,
        # a dropped connection or a garbled reply means it may have been received.
        raise DeliveryUncertain(f"{type(exc).__name__}: {exc}"[:1000]) from exc
