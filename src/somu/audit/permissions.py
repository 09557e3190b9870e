"""What the audit log lets people do (see :mod:`somu.core.permissions`)."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from somu.core.permissions import Role
from somu.core.registry import Permission

VIEW_AUDIT: Final = "view_audit"

PERMISSIONS: Final = (
    Permission(VIEW_AUDIT, _("Read the audit log"), grants=(Role.AUDITOR,)),
)
