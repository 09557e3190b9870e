"""Reads of the notification centre: a person's notifications and their preferences; the
organization's chat webhooks and deliveries (the notification settings page)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from somu.core import registry
from somu.notify.models import (
    Delivery,
    DeliveryStatus,
    EmailMode,
    Notification,
    Preference,
    Webhook,
)
from somu.org.models import Person


def notification_list(*, person: Person) -> QuerySet[Notification]:
    """``person``'s notifications in the centre: unread first, then the newest."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (Notification.objects.filter(recipient=person, in_app=True)
            .order_by(unread.desc(), "-created_at", "-pk"))


def notification_get(*, person: Person, notification_id: int) -> Notification:
    """One of ``person``'s notifications; another person's is ``DoesNotExist`` (404)."""
    return notification_list(person=person).get(pk=notification_id)


def unread_count(*, person_id: int) -> int:
    """How many of the person's notifications are unread (one COUNT)."""
    return Notification.objects.filter(recipient_id=person_id, in_app=True,
                                       read_at__isnull=True).count()


def preferences_of_people(*, person_ids: Iterable[int], kinds: Iterable[str]
                          ) -> dict[tuple[int, str], tuple[bool, str]]:
    """The stored choices of these people for these kinds, by (person id, kind): one query."""
    return {(person_id, kind): (in_app, email) for person_id, kind, in_app, email in
            Preference.objects.filter(person_id__in=set(person_ids), kind__in=set(kinds))
            .values_list("person_id", "kind", "in_app", "email")}


@dataclass(frozen=True)
class KindPreference:
    """What applies to one person for one kind, and whether they chose it or it is the
    kind's default."""

    kind: str
    label: str
    in_app: bool
    email: str
    chosen: bool
    default_in_app: bool
    default_email: str

    @property
    def email_label(self) -> str:
        return str(EmailMode(self.email).label)

    @property
    def default_email_label(self) -> str:
        return str(EmailMode(self.default_email).label)


def preferences_of(*, person: Person) -> list[KindPreference]:
    """Every declared kind with ``person``'s choice, or its default where they never chose."""
    kinds = registry.notification_kinds()
    stored = preferences_of_people(person_ids=[person.pk], kinds=kinds)
    rows = []
    for key, kind in kinds.items():
        choice = stored.get((person.pk, key))
        in_app, email = choice if choice is not None else (kind.in_app, kind.email)
        rows.append(KindPreference(key, str(kind.label), in_app, email, choice is not None,
                                   kind.in_app, kind.email))
    return rows


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
