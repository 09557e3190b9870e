"""What the procedures module lets people do (see :mod:`somu.core.permissions`)."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from somu.core.permissions import Role
from somu.core.registry import Permission

WORK_STEPS: Final = "work_steps"  # my tasks: work on the procedure steps assigned to oneself
VIEW_PROCEDURES: Final = "view_procedures"  # templates, runs, the board, the calendar
MANAGE_PROCEDURES: Final = "manage_procedures"  # edit templates, launch, schedules, reassign
HANDOVER: Final = "handover"  # bulk handover (引継ぎ) of everything one person holds
# Read the handovers already executed (list, 引継書, its Excel): they are in the audit log too,
# so whoever reads everything read-only (the auditor) reads them as well.
VIEW_HANDOVER: Final = "view_handover"

PERMISSIONS: Final = (
    Permission(WORK_STEPS, _("Work on one's own procedure steps"),
               grants=(Role.STAFF, Role.MANAGER, Role.EMPLOYEE)),
    Permission(VIEW_PROCEDURES, _("See templates, runs, the board and the calendar"),
               grants=(Role.STAFF, Role.MANAGER, Role.AUDITOR)),
    Permission(MANAGE_PROCEDURES, _("Edit templates, launch runs, schedules and reassign"),
               grants=(Role.STAFF,)),
    Permission(HANDOVER, _("Hand over everything a person holds")),
    Permission(VIEW_HANDOVER, _("Read executed handovers"), grants=(Role.AUDITOR,)),
)
