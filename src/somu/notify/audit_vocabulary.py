"""The notification centre's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        "notification_preference.save": _("Notification settings changed"),
    },
    # One key per kind and channel, named by the kind (「メール: ステップがあなたの担当になった」).
    prefixed={
        "notify_in_app:": (_("Shown in somu: %(name)s"), "notify.preference", "in_app"),
        "notify_email:": (_("Email: %(name)s"), "notify.preference", "email"),
    },
)
