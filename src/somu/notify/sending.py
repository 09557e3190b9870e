"""Sending deliveries, exactly once where the receiver lets us.

:func:`send_delivery` claims one delivery with a compare-and-set update, sends it, and marks it
sent, or failed with a backoff (1 min, 5 min, 30 min, 2 h, 12 h; gives up after six attempts).
An attempt whose outcome is unknown (a timeout, or a sender that died after claiming) is
retried once; a second one makes the delivery uncertain (送信結果不明) instead of sending it on
every backoff step. Admins see failed and uncertain deliveries and can send them again
(:func:`delivery_retry`).
"""

from __future__ import annotations

import datetime as dt
import smtplib
from typing import Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Case, F, PositiveSmallIntegerField, Q, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.jobs.queue import lease
from somu.notify.chat import DeliveryError, DeliveryUncertain, http_post, webhook_request
from somu.notify.digests import digest_link, summary_items
from somu.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from somu.notify.selectors import PROBLEMS
from somu.org.models import Organization
from somu.org.selectors import link_base_url
from somu.org.services import Actor

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


def _send_email(delivery: Delivery) -> None:
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
    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused, ValueError) as exc:
        # The server said no (a reply code), or the address cannot be used: nothing was sent.
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:1000]) from exc
    except Exception as exc:
        # No answer or a dropped connection after the message was handed over: it may have
        # been accepted.
        raise DeliveryUncertain(f"{type(exc).__name__}: {exc}"[:1000]) from exc
    finally:
        mailer.close()


def _send(delivery: Delivery) -> None:
    if delivery.channel == DeliveryChannel.EMAIL:
        _send_email(delivery)
        return
    webhook = delivery.webhook
    if webhook is None or not webhook.active:
        raise DeliveryError(_("The webhook is disabled."))
    organization = Organization.objects.get(pk=delivery.organization_id)
    items = summary_items(delivery, organization)
    link = digest_link(link_base_url(organization_id=delivery.organization_id))
    data, headers = webhook_request(webhook, delivery.subject, items, link)
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


@transaction.atomic
def delivery_retry(*, actor: Actor, delivery: Delivery) -> Delivery:
    """An admin asks to send a failed or uncertain delivery again now (the worker sends it)."""
    # A compare-and-set, not a save of the row the page loaded: a worker may have claimed the
    # delivery since (its backoff came due), and overwriting its claim would send it twice.
    current = (Delivery.objects.filter(pk=delivery.pk, status__in=PROBLEMS)
               .values_list("status", flat=True).first())
    changed = current is not None and Delivery.objects.filter(
        pk=delivery.pk, status=current).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=None,  # due at once
        uncertain_attempts=0,  # the admin decided: it may go out twice more if unsure
    )
    if not changed:
        raise ValidationError(_("Only failed deliveries can be retried."))
    delivery.refresh_from_db()
    audit_record(actor=actor, action="delivery.retry", obj=delivery,
                 changes={"status": [current, delivery.status]})
    return delivery
