"""What goes out by email and chat: one digest per person per day, one summary per chat webhook
per organization per day, and the notifications a person wants by email at once.

- :func:`build_digests` writes one :class:`~somu.notify.models.Delivery` per recipient and day.
  A person's digest lists their overdue and due-soon items (the apps' digest sections, see
  :class:`somu.core.registry.DigestSection`; today procedures' steps) and their notifications
  waiting for the digest (``email_mode="digest"``, ``emailed_at`` unset), which are marked
  emailed in the same transaction as the delivery is written. The unique constraints
  ``(person, day)`` and ``(webhook, day)`` make a second build, by the same or another worker, a
  no-op that marks nothing: the same thing is never announced twice to the same recipient.
- :func:`notification_email_create` writes the delivery of one notification wanted at once
  (``email_mode="immediate"``), unique per notification, and marks it emailed.

Sending is :mod:`somu.notify.sending`; the worker's jobs are :mod:`somu.notify.jobs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core import registry, tenancy
from somu.core.registry import DigestSection
from somu.notify.chat import (
    DigestItem,
    counts,
    date_text,
    item_detail,
    summary_text,
    summary_title,
)
from somu.notify.models import (
    Delivery,
    DeliveryChannel,
    EmailMode,
    Notification,
    Webhook,
)
from somu.org.models import Organization, Person
from somu.org.selectors import absolute_url, link_base_url


def section_items(section: DigestSection, *, organization: Organization, day: dt.date,
                  person_ids: set[int] | None = None,
                  item_ids: Sequence[int] | None = None) -> list[DigestItem]:
    items = registry.resolve(section.items)(organization=organization, day=day,
                                            person_ids=person_ids, item_ids=item_ids)
    return list(items)


def digest_link(base_url: str) -> str:
    """The page where a person sees all their items ("my tasks"), else the home page."""
    sections = registry.digest_sections()
    return absolute_url(reverse(sections[0].link) if sections else "/", base_url=base_url)


def summary_items(delivery: Delivery, organization: Organization) -> list[DigestItem]:
    """A chat summary's items as they are now, in the order they were listed.

    (``step_ids`` holds the items of the one section installed; a second section would need
    its ids kept apart.)"""
    return [item for section in registry.digest_sections()
            for item in section_items(section, organization=organization, day=delivery.day,
                                      item_ids=delivery.step_ids)]


def _notification_lines(notification: Notification, base_url: str) -> list[str]:
    lines = [f"- {notification.title}"]
    lines += [f"  {line}" for line in notification.body.splitlines() if line.strip()][:5]
    if notification.url:
        lines.append(f"  {absolute_url(notification.url, base_url=base_url)}")
    return lines


def _email_content(person: Person, items: Sequence[DigestItem],
                   notifications: Sequence[Notification], day: dt.date,
                   base_url: str) -> tuple[str, str]:
    if items:
        overdue, soon = counts(items)
        subject = _("[somu] Procedure steps: %(overdue)d overdue, %(soon)d due soon") % {
            "overdue": overdue, "soon": soon}
    else:
        subject = ngettext("[somu] %(n)d new notification", "[somu] %(n)d new notifications",
                           len(notifications)) % {"n": len(notifications)}
    lines = [_("%(name)s,") % {"name": person.name}]
    if items:
        lines += ["", _("These procedure steps assigned to you are overdue or due soon "
                        "(as of %(date)s).") % {"date": date_text(day)}]
    for heading, group in (
        (_("Overdue"), [i for i in items if i.overdue]),
        (_("Due soon"), [i for i in items if not i.overdue]),
    ):
        if not group:
            continue
        lines += ["", f"■ {heading}"]
        for item in group:
            lines.append(f"- {item.name} ({item.context})")
            lines.append(f"  {item_detail(item, with_assignee=False)}")
            lines.append(f"  {item.url}")
    if notifications:
        lines += ["", f"■ {_('Notifications')}"]
        for notification in notifications:
            lines += _notification_lines(notification, base_url)
    if items:
        lines += ["", _("All your tasks: %(url)s") % {"url": digest_link(base_url)}, "",
                  _("somu sends this digest once a day while you have overdue or due-soon "
                    "steps.")]
    if notifications:
        lines += ["", _("Choose which notifications you get by email on your account page: "
                        "%(url)s") % {"url": absolute_url(reverse("account"),
                                                          base_url=base_url)}]
    return subject, "\n".join(lines)


def _create_once(delivery: Delivery, notification_ids: Sequence[int] = (),
                 now: dt.datetime | None = None) -> bool:
    """Insert ``delivery`` unless its (recipient, day) row exists, and mark the notifications it
    carries emailed: False (and nothing marked) when the delivery already existed."""
    try:
        # A savepoint: the losing side of a race rolls back only its own insert and marks.
        with transaction.atomic():
            delivery.save(force_insert=True)
            if notification_ids:
                Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True) \
                    .update(emailed_at=now or timezone.now())
    except IntegrityError:
        return False
    return True


def _pending_digest_notifications() -> dict[int, list[Notification]]:
    """The active organization's notifications waiting for the digest, by recipient."""
    pending: dict[int, list[Notification]] = {}
    for notification in (Notification.objects
                         .filter(email_mode=EmailMode.DIGEST, emailed_at__isnull=True)
                         .exclude(recipient__email="").order_by("created_at", "pk")):
        pending.setdefault(notification.recipient_id, []).append(notification)
    return pending


def build_digests(*, organization: Organization, day: dt.date,
                  now: dt.datetime | None = None) -> list[Delivery]:
    """Write today's email digests and webhook summaries of ``organization``; return the new ones.

    One email per person with an address who holds overdue or due-soon items or has
    notifications waiting for the digest; one summary per active webhook when the organization
    has any such item. Deliveries that already exist for the day are left alone, so building
    twice creates nothing new.
    """
    now = now or timezone.now()
    with tenancy.activate(organization), translation.override(settings.LANGUAGE_CODE):
        base_url = link_base_url(organization_id=organization.pk)
        items = [item for section in registry.digest_sections()
                 for item in section_items(section, organization=organization, day=day)]
        pending = _pending_digest_notifications()
        by_person: dict[int, list[DigestItem]] = {}
        for item in items:
            if item.assignee_id is not None:
                by_person.setdefault(item.assignee_id, []).append(item)
        already = set(
            Delivery.objects.filter(channel=DeliveryChannel.EMAIL, day=day,
                                    notification_id__isnull=True)
            .values_list("person_id", flat=True)
        )
        people = Person.objects.filter(pk__in=(set(by_person) | set(pending)) - already) \
            .exclude(email="").order_by("pk")
        created: list[Delivery] = []
        for person in people:
            mine = by_person.get(person.pk, [])
            notifications = pending.get(person.pk, [])
            subject, body = _email_content(person, mine, notifications, day, base_url)
            delivery = Delivery(
                organization_id=organization.pk, channel=DeliveryChannel.EMAIL, person=person,
                day=day, step_ids=[i.item_id for i in mine], subject=subject[:300], body=body,
            )
            if _create_once(delivery, [n.pk for n in notifications], now):
                created.append(delivery)

        if not items:
            return created
        already = set(
            Delivery.objects.filter(channel=DeliveryChannel.WEBHOOK, day=day)
            .values_list("webhook_id", flat=True)
        )
        for webhook in Webhook.objects.filter(active=True).order_by("pk"):
            if webhook.pk in already:
                continue
            delivery = Delivery(
                organization_id=organization.pk, channel=DeliveryChannel.WEBHOOK, webhook=webhook,
                day=day, step_ids=[i.item_id for i in items],
                subject=summary_title(items, day)[:300], body=summary_text(items, day),
            )
            if _create_once(delivery):
                created.append(delivery)
        return created


def _immediate_content(notification: Notification, base_url: str) -> tuple[str, str]:
    lines = [_("%(name)s,") % {"name": notification.recipient.name}, "", notification.title]
    if notification.body:
        lines += ["", notification.body]
    if notification.url:
        lines += ["", absolute_url(notification.url, base_url=base_url)]
    lines += ["", _("Choose which notifications you get by email on your account page: "
                    "%(url)s") % {"url": absolute_url(reverse("account"), base_url=base_url)}]
    return f"[somu] {notification.title}", "\n".join(lines)


def notification_email_create(*, notification_id: int, now: dt.datetime) -> Delivery | None:
    """Write the email of one notification wanted at once and mark it emailed, in one
    transaction; None when it is not waiting for that (already emailed, or its person has no
    address). Unique per notification: a second call, by any worker, writes nothing."""
    notification = (Notification.objects.select_related("recipient")
                    .filter(pk=notification_id, email_mode=EmailMode.IMMEDIATE,
                            emailed_at__isnull=True).first())
    if notification is None or not notification.recipient.email:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = _immediate_content(
            notification, link_base_url(organization_id=notification.organization_id))
    delivery = Delivery(
        organization_id=notification.organization_id, channel=DeliveryChannel.EMAIL,
        person=notification.recipient, day=timezone.localdate(now),
        notification_id=notification.pk, subject=subject[:300], body=body,
    )
    return delivery if _create_once(delivery, [notification.pk], now) else None
