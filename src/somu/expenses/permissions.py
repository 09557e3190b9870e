"""What the expenses module lets people do (see :mod:`somu.core.permissions`).

Deciding a claim needs no permission of its own: the approvals engine routes it.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from somu.core.permissions import Role
from somu.core.registry import Permission

# file one's own claims and advances
SUBMIT_EXPENSES: Final = "submit_expenses"
# 経理: every claim, 締め, payments, exports, bank accounts
PROCESS_EXPENSES: Final = "process_expenses"
# 電帳法 search and its export (auditors, tax office requests)
SEARCH_EXPENSES: Final = "search_expenses"
# chart of accounts, 規程チェック, settings, journal names
MANAGE_EXPENSES: Final = "manage_expenses"

PERMISSIONS: Final = (
    Permission(SUBMIT_EXPENSES, _("File one's own expense claims and advances"),
               grants=(Role.STAFF, Role.MANAGER, Role.EMPLOYEE)),
    Permission(PROCESS_EXPENSES, _("Close periods, pay claims, export transfers and journals"),
               grants=(Role.STAFF,)),
    Permission(SEARCH_EXPENSES, _("Search and export the stored claims and receipts (電帳法)"),
               grants=(Role.STAFF, Role.AUDITOR)),
    Permission(MANAGE_EXPENSES, _("Edit the chart of accounts, the expense rules and settings")),
)
