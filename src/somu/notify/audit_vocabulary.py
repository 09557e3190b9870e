"""The notification centre's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        "notification_preference.save": _("Notification settings changed"),
    },
    object_types={
        "notify.preference": _("Notification settings"),
    },
)
