"""What improvement planning lets people do (see :mod:`somu.core.permissions`).

Executives (役員) see the vision, the KPIs, the board of items and the reports, with people by
name only; the scenarios and the optimizer show each person's load, so they are for the back
office (and auditors) alone.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from somu.core.permissions import Role
from somu.core.registry import Permission

# the vision, the KPIs and their trends, the items board, the reviews
VIEW_PLAN: Final = "view_plan"
# edit the vision, KPIs, items and reviews; make reports
MANAGE_PLAN: Final = "manage_plan"
# scenarios (per-person load) and the optimizer; read
VIEW_SCENARIOS: Final = "view_scenarios"
# the 活動報告 (page, Excel, PDF)
VIEW_REPORTS: Final = "view_reports"

PERMISSIONS: Final = (
    Permission(VIEW_PLAN, _("See the improvement plan: vision, KPIs, items and reviews"),
               grants=(Role.STAFF, Role.MANAGER, Role.AUDITOR, Role.EXECUTIVE)),
    Permission(MANAGE_PLAN, _("Edit the improvement plan, run scenarios and make reports"),
               grants=(Role.STAFF,)),
    Permission(VIEW_SCENARIOS, _("See what-if scenarios and the optimizer's proposals"),
               grants=(Role.STAFF, Role.AUDITOR)),
    Permission(VIEW_REPORTS, _("Read the activity reports (活動報告)"),
               grants=(Role.STAFF, Role.MANAGER, Role.AUDITOR, Role.EXECUTIVE)),
)
