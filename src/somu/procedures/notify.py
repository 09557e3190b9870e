"""Overdue and due-soon notifications (通知): one email digest per person per day and one summary
per chat webhook (Slack, Microsoft Teams, Chatwork) per organization per day.

Building and sending are separate steps, both run by the worker (:mod:`somu.jobs.worker`; the
job kinds are in :mod:`somu.procedures.notify_jobs`):

- :func:`build_digests` writes one :class:`Delivery` per recipient and day. The unique constraints
  ``(person, day)`` and ``(webhook, day)`` make a second build, by the same or another worker, a
  no-op: the same step is never announced twice to the same recipient on the same day.
- :func:`send_delivery` claims one delivery with a compare-and-set update, sends it, and marks it
  sent, or failed with a backoff (1 min, 5 min, 30 min, 2 h, 12 h; gives up after six attempts).
  An attempt whose outcome is unknown (a timeout, or a sender that died after claiming) is
  retried once; a second one makes the delivery uncertain (送信結果不明) instead of sending it
  on every backoff step. Admins see failed and uncertain deliveries and can send them again
  (:func:`delivery_retry`).

Only the organization active in the context is ever read: a webhook never hears of another
organization's steps.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, QuerySet, When
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.audit.services import audit_record, save_with_audit
from somu.core import tenancy
from somu.jobs.queue import lease
from somu.org.models import Organization, Person
from somu.org.selectors import absolute_url, business_calendar, link_base_url
from somu.org.services import Actor
from somu.procedures.models import (
    OPEN_STATES,
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    RunStatus,
    Step,
    StepState,
    Webhook,
    WebhookKind,
)
from somu.rules.calendar import BusinessCalendar

# A step is "due soon" when it is due within this many business days after the digest's day.
DUE_SOON_BUSINESS_DAYS: Final = 1
# Waits after the 1st, 2nd, … failed attempt; after MAX_ATTEMPTS attempts the delivery gives up.
BACKOFF: Final = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS: Final = 6
# An attempt whose outcome is unknown is retried once; the next one makes the delivery uncertain.
MAX_UNCERTAIN_ATTEMPTS: Final = 2
# A chat message lists at most this many steps; the rest are counted ("…and 12 more").
WEBHOOK_MAX_ITEMS: Final = 30

WEBHOOK_FIELDS: Final = ("name", "kind", "url", "token", "active")


class DeliveryError(Exception):
    """Sending failed (the SMTP server or the chat service refused, or could not be reached)."""


class DeliveryUncertain(DeliveryError):
    """The server neither accepted nor refused in time: the message may have arrived."""


def _timed_out(exc: BaseException | None) -> bool:
    # smtplib wraps the socket's timeout in its own errors.
    while exc is not None:
        if isinstance(exc, TimeoutError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@dataclass(frozen=True)
class DigestItem:
    """One step as a notification shows it."""

    step_id: int
    step_name: str
    run_name: str
    assignee: str
    due_date: dt.date
    days_late: int  # calendar days past the due date (0: due today or later)
    waiting: bool  # its predecessors are still open
    url: str

    @property
    def overdue(self) -> bool:
        return self.days_late > 0


# ---- reads ---------------------------------------------------------------------------------------


def due_soon_limit(*, day: dt.date, calendar: BusinessCalendar) -> dt.date:
    """The last due date that still counts as "due soon" on ``day``."""
    return calendar.add_business_days(day, DUE_SOON_BUSINESS_DAYS)


def notifiable_steps(*, day: dt.date, calendar: BusinessCalendar) -> QuerySet[Step]:
    """Open steps of running runs that are overdue or due soon on ``day``, earliest first."""
    return (
        Step.objects.filter(
            state__in=OPEN_STATES,
            run__status=RunStatus.RUNNING,
            due_date__lte=due_soon_limit(day=day, calendar=calendar),
        )
        .select_related("run", "assignee")
        .order_by("due_date", "run_id", "position", "pk")
    )


PROBLEMS: Final = (DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP, DeliveryStatus.UNCERTAIN)


def delivery_list(*, problems_only: bool = False) -> QuerySet[Delivery]:
    """The organization's deliveries, newest first; ``problems_only``: failed, given up or
    uncertain."""
    deliveries = Delivery.objects.select_related("person", "webhook")
    if problems_only:
        deliveries = deliveries.filter(status__in=PROBLEMS)
    return deliveries.order_by("-day", "-pk")


def webhook_list() -> QuerySet[Webhook]:
    return Webhook.objects.order_by("name", "pk")


def _my_tasks_url() -> str:
    # The organization's base URL when it set one (settings page), else SOMU_BASE_URL.
    return absolute_url(reverse("procedures:my_tasks"))


def _item(step: Step, day: dt.date, base_url: str) -> DigestItem:
    assert step.due_date is not None
    return DigestItem(
        step_id=step.pk,
        step_name=step.name,
        run_name=step.run.name,
        assignee=step.assignee.name if step.assignee is not None else "",
        due_date=step.due_date,
        days_late=max(0, (day - step.due_date).days),
        waiting=step.state == StepState.WAITING,
        url=absolute_url(reverse("procedures:step_detail", args=[step.pk]), base_url=base_url),
    )


def _date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _late(item: DigestItem) -> str:
    return ngettext("%(n)d day overdue", "%(n)d days overdue", item.days_late) % {
        "n": item.days_late
    }


def _item_detail(item: DigestItem, *, with_assignee: bool) -> str:
    """"2026/04/01 · 3 days overdue · 山田 太郎 · waiting for earlier steps"."""
    parts = [_("due %(date)s") % {"date": _date(item.due_date)}]
    if item.overdue:
        parts.append(_late(item))
    if with_assignee:
        parts.append(item.assignee or _("unassigned"))
    if item.waiting:
        parts.append(_("waiting for earlier steps"))
    return " · ".join(parts)


def _counts(items: Sequence[DigestItem]) -> tuple[int, int]:
    overdue = sum(1 for i in items if i.overdue)
    return overdue, len(items) - overdue


# ---- building digests ----------------------------------------------------------------------------


def _email_content(person: Person, items: Sequence[DigestItem], day: dt.date) -> tuple[str, str]:
    overdue, soon = _counts(items)
    subject = _("[somu] Procedure steps: %(overdue)d overdue, %(soon)d due soon") % {
        "overdue": overdue, "soon": soon}
    lines = [
        _("%(name)s,") % {"name": person.name},
        "",
        _("These procedure steps assigned to you are overdue or due soon (as of %(date)s).")
        % {"date": _date(day)},
    ]
    for heading, group in (
        (_("Overdue"), [i for i in items if i.overdue]),
        (_("Due soon"), [i for i in items if not i.overdue]),
    ):
        if not group:
            continue
        lines += ["", f"■ {heading}"]
        for item in group:
            lines.append(f"- {item.step_name} ({item.run_name})")
            lines.append(f"  {_item_detail(item, with_assignee=False)}")
            lines.append(f"  {item.url}")
    lines += [
        "",
        _("All your tasks: %(url)s") % {"url": _my_tasks_url()},
        "",
        _("somu sends this digest once a day while you have overdue or due-soon steps."),
    ]
    return subject, "\n".join(lines)


def _webhook_title(items: Sequence[DigestItem], day: dt.date) -> str:
    overdue, soon = _counts(items)
    return _("Procedure steps on %(date)s: %(overdue)d overdue, %(soon)d due soon") % {
        "date": _date(day), "overdue": overdue, "soon": soon}


def _more(count: int) -> str:
    return ngettext("…and %(n)d more", "…and %(n)d more", count) % {"n": count}


def _webhook_text(items: Sequence[DigestItem], day: dt.date) -> str:
    """The plain-text summary kept on the delivery (what admins see on the deliveries page)."""
    lines = [_webhook_title(items, day)]
    for item in items[:WEBHOOK_MAX_ITEMS]:
        detail = _item_detail(item, with_assignee=True)
        lines.append(f"- {item.step_name} ({item.run_name}) {detail}")
    if len(items) > WEBHOOK_MAX_ITEMS:
        lines.append(_more(len(items) - WEBHOOK_MAX_ITEMS))
    return "\n".join(lines)


def _create_once(delivery: Delivery) -> bool:
    """Insert ``delivery`` unless its (recipient, day) row exists: False when it already did."""
    try:
        # A savepoint: the losing side of a race rolls back only its own insert.
        with transaction.atomic():
            delivery.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def build_digests(*, organization: Organization, day: dt.date) -> list[Delivery]:
    """Write today's email digests and webhook summaries of ``organization``; return the new ones.

    One email per person with an address who holds overdue or due-soon open steps of running
    runs; one summary per active webhook when the organization has any such step. Deliveries that
    already exist for the day are left alone, so building twice creates nothing new.
    """
    with tenancy.activate(organization), translation.override(settings.LANGUAGE_CODE):
        calendar = business_calendar(organization=organization)
        steps = list(notifiable_steps(day=day, calendar=calendar))
        if not steps:
            return []
        created: list[Delivery] = []
        base_url = link_base_url(organization_id=organization.pk)

        by_person: dict[int, list[Step]] = {}
        for step in steps:
            if step.assignee_id is not None:
                by_person.setdefault(step.assignee_id, []).append(step)
        already = set(
            Delivery.objects.filter(channel=DeliveryChannel.EMAIL, day=day)
            .values_list("person_id", flat=True)
        )
        for person_steps in by_person.values():
            person = person_steps[0].assignee
            assert person is not None
            if person.pk in already or not person.email:
                continue
            items = [_item(s, day, base_url) for s in person_steps]
            subject, body = _email_content(person, items, day)
            delivery = Delivery(
                organization_id=organization.pk, channel=DeliveryChannel.EMAIL, person=person,
                day=day, step_ids=[i.step_id for i in items], subject=subject[:300], body=body,
            )
            if _create_once(delivery):
                created.append(delivery)

        items = [_item(s, day, base_url) for s in steps]
        already = set(
            Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, day=day)
            .values_list("webhook_id", flat=True)
        )
        for webhook in Webhook.objects.filter(active=True).order_by("pk"):
            if webhook.pk in already:
                continue
            delivery = Delivery(
                organization_id=organization.pk, channel=DeliveryChannel.WEBHOOK, webhook=webhook,
                day=day, step_ids=[i.step_id for i in items],
                subject=_webhook_title(items, day)[:300], body=_webhook_text(items, day),
            )
            if _create_once(delivery):
                created.append(delivery)
        return created


# ---- chat message formats ------------------------------------------------------------------------


def _slack_escape(text: str) -> str:
    # Slack's control characters; everything else is sent as is.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(title: str, items: Sequence[DigestItem]) -> dict[str, Any]:
    """A Slack incoming-webhook message: ``{"text": …}`` in mrkdwn, links as ``<url|name>``."""
    lines = [f"*{_slack_escape(title)}*"]
    for item in items[:WEBHOOK_MAX_ITEMS]:
        lines.append(
            f"• <{item.url}|{_slack_escape(item.step_name)}> ({_slack_escape(item.run_name)}) "
            f"{_slack_escape(_item_detail(item, with_assignee=True))}"
        )
    if len(items) > WEBHOOK_MAX_ITEMS:
        lines.append(_slack_escape(_more(len(items) - WEBHOOK_MAX_ITEMS)))
    lines.append(f"<{_my_tasks_url()}|{_slack_escape(_('Open somu'))}>")
    return {"text": "\n".join(lines)}


def _md_escape(text: str) -> str:
    # Adaptive Card TextBlocks render a Markdown subset: keep names from becoming markup.
    for char in "\\[]*_`":
        text = text.replace(char, "\\" + char)
    return text


def teams_payload(title: str, items: Sequence[DigestItem]) -> dict[str, Any]:
    """A message with one Adaptive Card (1.4), as Teams incoming webhooks and Workflows take it."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
    ]
    for item in items[:WEBHOOK_MAX_ITEMS]:
        body.append({
            "type": "TextBlock",
            "text": f"[{_md_escape(item.step_name)}]({item.url}) ({_md_escape(item.run_name)}) "
                    f"{_md_escape(_item_detail(item, with_assignee=True))}",
            "wrap": True,
            "spacing": "Small",
        })
    if len(items) > WEBHOOK_MAX_ITEMS:
        body.append({"type": "TextBlock", "text": _more(len(items) - WEBHOOK_MAX_ITEMS),
                     "wrap": True, "isSubtle": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": [{"type": "Action.OpenUrl", "title": _("Open somu"), "url": _my_tasks_url()}],
    }
    return {
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": None,
            "content": card,
        }],
    }


def chatwork_message(title: str, items: Sequence[DigestItem]) -> str:
    """A Chatwork message in its notation: ``[info][title]…[/title]…[/info]``."""
    lines = []
    for item in items[:WEBHOOK_MAX_ITEMS]:
        lines.append(f"・{item.step_name} ({item.run_name}) "
                     f"{_item_detail(item, with_assignee=True)}\n{item.url}")
    if len(items) > WEBHOOK_MAX_ITEMS:
        lines.append(_more(len(items) - WEBHOOK_MAX_ITEMS))
    lines.append(_my_tasks_url())
    return f"[info][title]{title}[/title]" + "\n".join(lines) + "[/info]"


def webhook_request(
    webhook: Webhook, title: str, items: Sequence[DigestItem]
) -> tuple[bytes, dict[str, str]]:
    """The HTTP POST body and headers for ``webhook``'s service."""
    if webhook.kind == WebhookKind.CHATWORK:
        # Chatwork's POST /rooms/{room_id}/messages: form-encoded ``body``, token in a header.
        data = urllib.parse.urlencode({"body": chatwork_message(title, items)}).encode()
        return data, {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-ChatWorkToken": webhook.token,
        }
    payload = teams_payload(title, items) if webhook.kind == WebhookKind.TEAMS \
        else slack_payload(title, items)
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
    except OSError as exc:
        # After the request went out: a timeout means it may have been received.
        error = DeliveryUncertain if isinstance(exc, TimeoutError) else DeliveryError
        raise error(f"{type(exc).__name__}: {exc}"[:1000]) from exc


# ---- sending -------------------------------------------------------------------------------------


def _current_items(delivery: Delivery) -> list[DigestItem]:
    """The delivery's steps as they are now, in the order they were listed."""
    steps = {s.pk: s for s in Step.objects.filter(pk__in=delivery.step_ids)
             .select_related("run", "assignee") if s.due_date is not None}
    base_url = link_base_url(organization_id=delivery.organization_id)
    return [_item(steps[pk], delivery.day, base_url) for pk in delivery.step_ids if pk in steps]


def _send(delivery: Delivery) -> None:
    if delivery.channel == DeliveryChannel.EMAIL:
        person = delivery.person
        if person is None or not person.email:
            raise DeliveryError(_("The person has no email address."))
        mailer = get_connection()
        try:
            # Connecting and logging in apart from sending: a failure there sent nothing.
            mailer.open()
        except Exception as exc:  # refused, unreachable, hung before its greeting, bad login…
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:1000]) from exc
        try:
            EmailMessage(
                subject=delivery.subject, body=delivery.body,
                from_email=settings.DEFAULT_FROM_EMAIL, to=[person.email], connection=mailer,
            ).send()
        except Exception as exc:  # SMTP errors, bad addresses…
            # No answer after the message was handed over: it may have been accepted.
            error = DeliveryUncertain if _timed_out(exc) else DeliveryError
            raise error(f"{type(exc).__name__}: {exc}"[:1000]) from exc
        finally:
            mailer.close()
        return
    webhook = delivery.webhook
    if webhook is None or not webhook.active:
        raise DeliveryError(_("The webhook is disabled."))
    items = _current_items(delivery)
    data, headers = webhook_request(webhook, delivery.subject, items)
    http_post(webhook.url, data, headers)


def due_q(now: dt.datetime) -> Q:
    """Deliveries to attempt at ``now``: pending or failed, and due (no date: at once); or
    claimed by a sender whose lease ran out (it died before recording the outcome)."""
    return Q(status__in=[DeliveryStatus.PENDING, DeliveryStatus.FAILED]) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    ) | Q(status=DeliveryStatus.SENDING, next_attempt_at__lte=now)


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take the delivery for one attempt (compare-and-set): True for exactly one caller.

    Taking over a delivery still marked sending counts the previous attempt as uncertain.
    """
    claimed = Delivery.objects.filter(due_q(now), pk=delivery_id).update(
        status=DeliveryStatus.SENDING, next_attempt_at=now + lease(),
        attempts=F("attempts") + 1,
        uncertain_attempts=Case(
            When(status=DeliveryStatus.SENDING, then=F("uncertain_attempts") + 1),
            default=F("uncertain_attempts"), output_field=PositiveSmallIntegerField(),
        ),
    )
    return claimed == 1


def _uncertain(delivery_id: int, error: str) -> None:
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.UNCERTAIN, next_attempt_at=None, last_error=error[:2000],
    )


def send_delivery(delivery: Delivery | int, *, now: dt.datetime | None = None) -> bool:
    """Send one delivery if it is due and nobody else is sending it; True when it went out.

    The delivery is claimed first (an UPDATE that only one sender can win, which marks it
    sending and pushes ``next_attempt_at`` out by the lease, ``SOMU_JOB_LEASE_SECONDS``), then
    sent with no database transaction open, then marked sent — or, when the server refused,
    failed with a backoff, or given up after :data:`MAX_ATTEMPTS`.

    The window left: if the server accepted the message but we do not know it (the answer timed
    out, or the process died before marking the delivery sent), it is sent once more; after a
    second such attempt it is marked uncertain and never sent again by itself. Nothing on our
    side can close that window (the receivers have no idempotency key).
    """
    now = now or timezone.now()
    delivery_id = delivery if isinstance(delivery, int) else delivery.pk
    if not _claim(delivery_id, now):
        return False
    current = Delivery.objects.select_related("person", "webhook").get(pk=delivery_id)
    if current.uncertain_attempts >= MAX_UNCERTAIN_ATTEMPTS:
        _uncertain(delivery_id, current.last_error or _("The sender stopped while sending."))
        return False
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _send(current)
    except DeliveryUncertain as exc:
        # Retried once (after the first backoff step), then left to an admin.
        last = current.uncertain_attempts + 1 >= MAX_UNCERTAIN_ATTEMPTS
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.UNCERTAIN if last else DeliveryStatus.FAILED,
            last_error=str(exc)[:2000], uncertain_attempts=F("uncertain_attempts") + 1,
            next_attempt_at=None if last else now + BACKOFF[0],
        )
        return False
    except DeliveryError as exc:
        gave_up = current.attempts >= MAX_ATTEMPTS
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.FAILED,
            last_error=str(exc)[:2000],
            next_attempt_at=None if gave_up
            else now + BACKOFF[min(current.attempts, len(BACKOFF)) - 1],
        )
        return False
    Delivery.objects.filter(pk=delivery_id).update(
        status=DeliveryStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error="",
    )
    return True


def deliveries_due(*, now: dt.datetime) -> QuerySet[Delivery]:
    """Pending and failed deliveries whose (next) attempt is due."""
    return Delivery.objects.filter(due_q(now)).order_by("next_attempt_at", "pk")


@transaction.atomic
def delivery_retry(*, actor: Actor, delivery: Delivery) -> Delivery:
    """An admin asks to send a failed or uncertain delivery again now (the worker sends it)."""
    if delivery.status not in PROBLEMS:
        raise ValidationError(_("Only failed deliveries can be retried."))
    before = delivery.status
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = None  # due at once
    delivery.uncertain_attempts = 0  # the admin decided: it may go out twice more if unsure
    delivery.save(update_fields=["status", "next_attempt_at", "uncertain_attempts"])
    audit_record(actor=actor, action="delivery.retry", obj=delivery,
                 changes={"status": [before, delivery.status]})
    return delivery


# ---- webhooks (settings pages) -------------------------------------------------------------------


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
    """Post a sample message now (the "test" button); raises :class:`DeliveryError` on failure."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Test message from somu: notifications to this channel work.")
        sample = DigestItem(
            step_id=0, step_name=_("Sample step"), run_name=_("Sample run"), assignee="",
            due_date=today, days_late=0, waiting=False, url=_my_tasks_url(),
        )
        data, headers = webhook_request(webhook, title, [sample])
    http_post(webhook.url, data, headers)
