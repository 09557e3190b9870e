"""What the approvals module lets people do (see :mod:`somu.core.permissions`).

Deciding needs no permission of its own: whoever holds a seat in a request's route (or is
their deputy, or above them for 代決) decides it; the services check that.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from somu.core.permissions import Role
from somu.core.registry import Permission

SUBMIT_REQUESTS: Final = "submit_requests"  # file one's own requests, set one's delegations
SUBMIT_ON_BEHALF: Final = "submit_on_behalf"  # 代理申請: file a request for someone else
VIEW_REQUESTS: Final = "view_requests"  # read every request of the organization, export them
MANAGE_APPROVALS: Final = "manage_approvals"  # request types, the 決裁権限規程, others' delegations

PERMISSIONS: Final = (
    Permission(SUBMIT_REQUESTS, _("File one's own requests and set one's delegations"),
               grants=(Role.STAFF, Role.MANAGER, Role.EMPLOYEE)),
    Permission(SUBMIT_ON_BEHALF, _("File requests on someone else's behalf"),
               grants=(Role.STAFF,)),
    Permission(VIEW_REQUESTS, _("Read and export every request"),
               grants=(Role.STAFF, Role.AUDITOR)),
    Permission(MANAGE_APPROVALS, _("Edit request types, the approval rules and delegations")),
)
