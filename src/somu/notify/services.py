"""Writes of the notification centre: telling people (:func:`notify`, :func:`notify_many`),
marking read, saving preferences and pruning old notifications.

Any app tells a person something with one call inside its own transaction::

    notify(recipient=person, kind="procedures.step_assigned", title=…, url=…, about=step)

so the notification exists exactly when the change it reports committed. A change that tells
many people at once (a launch readies thirty steps) builds :class:`Message` values and calls
:func:`notify_many`: one preference read and one insert, whatever the number of messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.core import registry, tenancy
from somu.notify import selectors
from somu.notify.models import EmailMode, Notification, Preference
from somu.org.models import Person
from somu.org.services import Actor

# Notifications older than this are deleted by :func:`notification_prune`.
KEEP_FOR: Final = dt.timedelta(days=90)
BATCH: Final = 1000


@dataclass(frozen=True)
class Message:
    """One notification to write: ``recipient`` is a person or a person's id."""

    recipient: Person | int
    kind: str
    title: str
    body: str = ""
    url: str = ""
    about: models.Model | None = None

    @property
    def recipient_id(self) -> int:
        return self.recipient if isinstance(self.recipient, int) else self.recipient.pk


def notify(*, recipient: Person, kind: str, title: str, body: str = "", url: str = "",
           about: models.Model | None = None) -> Notification | None:
    """Tell ``recipient`` something, through the channels their preferences for ``kind`` ask.

    Returns the notification written, or None when the person turned both channels off.
    Raises ValueError for a kind no installed app declares.
    """
    written = notify_many([Message(recipient, kind, title, body, url, about)])
    return written[0] if written else None


def notify_many(messages: Sequence[Message]) -> list[Notification]:
    """Write many notifications with one preference read and one insert (batched by 1,000)."""
    if not messages:
        return []
    kinds = registry.notification_kinds()
    for message in messages:
        if message.kind not in kinds:
            raise ValueError(f"Unknown notification kind {message.kind!r}; an app declares "
                             "its kinds in its registry entry (notification_kinds).")
    org_id = tenancy.active_organization_id()
    choices = selectors.preferences_of_people(
        person_ids={m.recipient_id for m in messages}, kinds={m.kind for m in messages})
    now = timezone.now()
    rows = []
    for message in messages:
        in_app, email = choices.get((message.recipient_id, message.kind),
                                    (kinds[message.kind].in_app, kinds[message.kind].email))
        if not in_app and email == EmailMode.OFF:
            continue
        about = message.about
        rows.append(Notification(
            organization_id=org_id, recipient_id=message.recipient_id, kind=message.kind,
            title=message.title[:300], body=message.body, url=message.url[:500],
            about_type=about._meta.label_lower if about is not None else "",
            about_id=about.pk if about is not None else None,
            in_app=in_app, email_mode=email, created_at=now,
        ))
    return Notification.objects.bulk_create(rows, batch_size=BATCH)


def notification_mark_read(*, person: Person, notification: Notification) -> Notification:
    """Mark one of ``person``'s notifications read (reading it again changes nothing)."""
    if notification.recipient_id != person.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, person: Person) -> int:
    """Mark every unread notification of ``person`` read; returns how many."""
    return selectors.notification_list(person=person).filter(read_at__isnull=True).update(
        read_at=timezone.now())


def notification_prune(*, now: dt.datetime) -> int:
    """Delete the notifications written more than 90 days before ``now``; returns how many.

    Scoped like every tenant query: to the active organization, or to all of them inside
    :func:`somu.core.tenancy.unscoped` (the periodic job).
    """
    deleted, _by_model = Notification.objects.filter(created_at__lt=now - KEEP_FOR).delete()
    return deleted


@transaction.atomic
def preferences_save(*, actor: Actor, person: Person,
                     data: Mapping[str, Mapping[str, Any]]) -> list[selectors.KindPreference]:
    """Save ``person``'s choices: ``{kind: {"in_app": bool, "email": "off"|"immediate"|
    "digest"}}``. Kinds left out keep their current setting; an unknown kind or mode is a
    ValidationError naming it. A choice equal to the kind's default is stored all the same
    (the person chose it; a later change of the default does not override it)."""
    kinds = registry.notification_kinds()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, tuple[bool, str]] = {}
    for key, choice in data.items():
        if key not in kinds:
            errors[key] = [_("Unknown kind of notification.")]
            continue
        in_app = choice.get("in_app") if isinstance(choice, Mapping) else None
        email = choice.get("email") if isinstance(choice, Mapping) else None
        if not isinstance(in_app, bool):
            errors[f"{key}.in_app"] = [_("Choose on or off.")]
        if email not in EmailMode.values:
            errors[f"{key}.email"] = [_("Choose one of: %(choices)s.") % {
                "choices": ", ".join(EmailMode.values)}]
        if isinstance(in_app, bool) and email in EmailMode.values:
            cleaned[key] = (in_app, str(email))
    if errors:
        raise ValidationError(errors)
    before = {p.kind: p for p in Preference.objects.filter(person=person, kind__in=cleaned)}
    changes: dict[str, list[Any]] = {}
    written = False
    for key, (in_app, email) in cleaned.items():
        current = before.get(key)
        if current is not None and (current.in_app, current.email) == (in_app, email):
            continue
        Preference.objects.update_or_create(person=person, kind=key,
                                            defaults={"in_app": in_app, "email": email})
        written = True
        old_in_app, old_email = ((current.in_app, current.email) if current is not None
                                 else (kinds[key].in_app, kinds[key].email))
        # Keyed by the kind's name as people read it (like "skill:Excel"), so the audit log
        # says 「メール: ステップがあなたの担当になった」, not a code.
        with translation.override(settings.LANGUAGE_CODE):
            name = str(kinds[key].label)
        if old_in_app != in_app:
            changes[f"notify_in_app:{name}"] = [old_in_app, in_app]
        if old_email != email:
            changes[f"notify_email:{name}"] = [old_email, email]
    if written:
        audit_record(actor=actor, action="notification_preference.save", obj=person,
                     changes=changes)
    return selectors.preferences_of(person=person)
