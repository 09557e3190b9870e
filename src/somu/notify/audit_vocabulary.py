"""The notification centre's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        "notification_preference.save": _("Notification settings changed"),
        "webhook.create": _("Chat webhook added"),
        "webhook.update": _("Chat webhook updated"),
        "webhook.delete": _("Chat webhook deleted"),
        "delivery.retry": _("Notification resent"),
    },
    # Webhooks and deliveries were procedures' models until the notify app took them over: the
    # events recorded before keep their old type, and read the same.
    object_types={
        "notify.webhook": _("Chat webhooks"),
        "notify.delivery": _("Notifications"),
        "procedures.webhook": _("Chat webhooks"),
        "procedures.delivery": _("Notifications"),
    },
    # A chat webhook's URL carries its key: the pages say it was set or changed, never the value.
    secrets=frozenset({("notify.webhook", "url"), ("notify.webhook", "token"),
                       ("procedures.webhook", "url"), ("procedures.webhook", "token")}),
    # One key per kind and channel, named by the kind (「メール: ステップがあなたの担当になった」).
    prefixed={
        "notify_in_app:": (_("Shown in somu: %(name)s"), "notify.preference", "in_app"),
        "notify_email:": (_("Email: %(name)s"), "notify.preference", "email"),
    },
)
