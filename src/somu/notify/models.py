"""Notifications (通知): what somu tells a person, and how each person wants to be told.

A :class:`Notification` is one message to one person (「ステップが担当になりました」), written
by :func:`somu.notify.services.notify` inside the change it is about. It shows in the person's
notification centre (the bell, /notifications/) when ``in_app`` is set, and carries the email
mode that applied when it was written, so the delivery side sends the pending ones (``emailed_at``
unset) immediately or in the daily digest. A :class:`Preference` is one person's choice for one
kind; a kind nobody chose for falls back to the defaults its app declares in the registry.
"""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from somu.core.crypto import EncryptedTextField
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


class WebhookKind(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"
    CHATWORK = "chatwork", "Chatwork"


class Webhook(TenantModel):
    """A chat destination (チャット通知先) for the organization's daily summary of overdue and
    due-soon items."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("service"), max_length=16, choices=WebhookKind.choices)
    # Slack / Teams: the incoming-webhook URL. Chatwork: the room's messages API URL.
    # Both are credentials (whoever has the URL can post to the channel): encrypted at rest.
    url = EncryptedTextField(_("URL"), validators=[URLValidator(), MaxLengthValidator(500)])
    # Chatwork only: the API token sent as X-ChatWorkToken.
    token = EncryptedTextField(_("API token"), blank=True, validators=[MaxLengthValidator(200)])
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBHOOK = "webhook", _("Chat webhook")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    SENDING = "sending", _("Sending")
    FAILED = "failed", _("Failed, will retry")
    GAVE_UP = "gave_up", _("Failed")
    # Twice the server neither confirmed nor refused (timed out, or the worker died while
    # sending): it may have arrived. An admin checks and sends it again by hand.
    UNCERTAIN = "uncertain", _("Outcome unknown")


class Delivery(TenantModel):
    """One message for one recipient (a person's email or a webhook): the day's digest, or one
    notification emailed at once (``notification_id``).

    The unique constraints make a digest exist once per recipient and day, and an immediate email
    once per notification, whichever worker builds it; sending is claimed by row, retried with
    backoff, and visible to admins.
    """

    channel = models.CharField(max_length=16, choices=DeliveryChannel.choices)
    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    day = models.DateField()
    # The ids of the items the message lists (the digest sections', today procedure steps), in
    # their order: a chat summary sent again shows them as they are then. The API names the
    # field like this too.
    step_ids = models.JSONField(default=list)
    # The notification an immediate email sends (None: a digest or a chat summary). A plain id,
    # not a foreign key: the notification is pruned after 90 days, the delivery stays.
    notification_id = models.BigIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # Attempts whose outcome is unknown (timed out, or the sender died after claiming): the
    # first is retried once, the second makes the delivery uncertain.
    uncertain_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "day"], name="delivery_email_once_per_day",
                condition=Q(channel="email", notification_id__isnull=True),
            ),
            models.UniqueConstraint(
                fields=["notification_id"], name="delivery_notification_once",
                condition=Q(notification_id__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["webhook", "day"], name="delivery_webhook_once_per_day",
                condition=Q(channel="webhook"),
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.channel} {self.day}"
