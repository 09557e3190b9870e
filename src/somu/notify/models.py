"""Notifications (通知): what somu tells a person, and how each person wants to be told.

A :class:`Notification` is one message to one person (「ステップが担当になりました」), written
by :func:`somu.notify.services.notify` inside the change it is about. It shows in the person's
notification centre (the bell, /notifications/) when ``in_app`` is set, and carries the email
mode that applied when it was written, so the delivery side sends the pending ones (``emailed_at``
unset) immediately or in the daily digest. A :class:`Preference` is one person's choice for one
kind; a kind nobody chose for falls back to the defaults its app declares in the registry.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from somu.core.tenancy import TenantModel


class EmailMode(models.TextChoices):
    OFF = "off", _("No email")
    IMMEDIATE = "immediate", _("Email immediately")
    DIGEST = "digest", _("In the daily digest")


class Notification(TenantModel):
    """One message to one person about one thing that happened."""

    recipient = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="notifications",
        verbose_name=_("recipient"),
    )
    # A kind declared in an app's registry entry, e.g. "procedures.step_assigned".
    kind = models.CharField(_("kind"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    # Where the notification leads: a path inside somu ("" for none).
    url = models.CharField(_("link"), max_length=500, blank=True)
    # The record it is about, as "app_label.model" and primary key ("" / None for none).
    about_type = models.CharField(max_length=100, blank=True)
    about_id = models.BigIntegerField(null=True, blank=True)
    # Shown in the notification centre; off when the person only wants it by email.
    in_app = models.BooleanField(default=True)
    email_mode = models.CharField(
        _("email"), max_length=16, choices=EmailMode.choices, default=EmailMode.OFF)
    emailed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "recipient", "read_at"],
                         name="notification_inbox"),
            models.Index(fields=["created_at"], name="notification_age"),
            # What the email side still has to send.
            models.Index(fields=["organization", "email_mode"], name="notification_email_pending",
                         condition=Q(emailed_at__isnull=True) & ~Q(email_mode="off")),
        ]

    def __str__(self) -> str:
        return self.title


class Preference(TenantModel):
    """How one person wants to be told about one kind of notification."""

    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(_("kind"), max_length=100)
    in_app = models.BooleanField(_("in somu"))
    email = models.CharField(_("email"), max_length=16, choices=EmailMode.choices)

    class Meta:
        ordering = ["person", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.in_app}/{self.email}"
