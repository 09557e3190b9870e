"""What the notify app lets people do (see :mod:`somu.core.permissions`)."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from somu.core.registry import Permission

MANAGE_NOTIFICATIONS: Final = "manage_notifications"  # chat webhooks and failed deliveries

PERMISSIONS: Final = (
    Permission(MANAGE_NOTIFICATIONS, _("Chat webhooks and failed notifications")),
)
