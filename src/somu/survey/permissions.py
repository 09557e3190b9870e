"""What the work survey lets people do (see :mod:`somu.core.permissions`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from django.utils.translation import gettext_lazy as _

from somu.core.permissions import Role, has_perm, require
from somu.core.registry import Permission

if TYPE_CHECKING:
    from somu.org.models import Membership

ANSWER_SURVEY: Final = "answer_survey"  # answer the questionnaire for one's own person record
MANAGE_SURVEY: Final = "manage_survey"  # the work inventory, survey rounds, imports, reminders
VIEW_ANALYSIS: Final = "view_analysis"  # the survey analysis, its drill-downs and reports
# The analysis dashboard and its drill-down over the people one may see: everyone with
# VIEW_ANALYSIS, and managers over their own department subtree (see analysis_scope).
VIEW_TEAM_ANALYSIS: Final = "view_team_analysis"

PERMISSIONS: Final = (
    Permission(ANSWER_SURVEY, _("Answer the work survey"),
               grants=(Role.STAFF, Role.MANAGER, Role.EMPLOYEE)),
    Permission(MANAGE_SURVEY, _("Task inventory, survey rounds and imports"),
               grants=(Role.STAFF,)),
    Permission(VIEW_ANALYSIS, _("The survey analysis and its reports"),
               grants=(Role.STAFF, Role.AUDITOR)),
    Permission(VIEW_TEAM_ANALYSIS, _("The analysis of one's own department"),
               grants=(Role.STAFF, Role.MANAGER, Role.AUDITOR), manager_scoped=True),
)


def analysis_scope(membership: Membership | None) -> frozenset[int] | None:
    """Whose survey data ``membership`` may analyse: None for the whole organization, else the
    departments (a manager's own and everything below) whose people the figures cover.

    A manager linked to no person, or to one without a department, covers nobody."""
    if has_perm(membership, VIEW_ANALYSIS):
        return None
    require(membership, VIEW_TEAM_ANALYSIS)
    assert membership is not None
    return membership.managed_department_ids()
