"""Who may do what: the single place where roles turn into permissions.

Views, API endpoints and templates all ask :func:`has_perm` (or :func:`require`); nothing else
compares roles. A manager's rights are limited to the subtree of their own department.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from somu.org.models import Membership


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    EMPLOYEE = "employee"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS: Final = {
    Role.ADMIN: _("Administrator"),
    Role.MANAGER: _("Manager"),
    Role.STAFF: _("Back-office staff"),
    Role.EMPLOYEE: _("Employee"),
    Role.AUDITOR: _("Auditor"),
}


def role_label(value: str) -> str:
    """The label of a stored role value (管理部門スタッフ for ``staff``); an unknown value as is."""
    try:
        return Role(value).label
    except ValueError:
        return value

# Permission names: one per thing a user can be allowed to do.
VIEW_ORG: Final = "view_org"  # see departments, people, grades, skills, the calendar
EDIT_PEOPLE: Final = "edit_people"  # add, edit and retire people (managers: own subtree)
IMPORT_PEOPLE: Final = "import_people"
MANAGE_STRUCTURE: Final = "manage_structure"  # departments, grades, skills, company holidays
MANAGE_MEMBERS: Final = "manage_members"  # user accounts and their roles
VIEW_AUDIT: Final = "view_audit"
ANSWER_SURVEY: Final = "answer_survey"  # answer the questionnaire for one's own person record
MANAGE_SURVEY: Final = "manage_survey"  # the work inventory, survey rounds, imports, reminders
VIEW_ANALYSIS: Final = "view_analysis"  # the survey analysis, its drill-downs and reports
# The analysis dashboard and its drill-down over the people one may see: everyone with
# VIEW_ANALYSIS, and managers over their own department subtree (see analysis_scope).
VIEW_TEAM_ANALYSIS: Final = "view_team_analysis"
WORK_STEPS: Final = "work_steps"  # my tasks: work on the procedure steps assigned to oneself
VIEW_PROCEDURES: Final = "view_procedures"  # templates, runs, the board, the calendar
MANAGE_PROCEDURES: Final = "manage_procedures"  # edit templates, launch, schedules, reassign
HANDOVER: Final = "handover"  # bulk handover (引継ぎ) of everything one person holds
# Read the handovers already executed (list, 引継書, its Excel): they are in the audit log too,
# so whoever reads everything read-only (the auditor) reads them as well.
VIEW_HANDOVER: Final = "view_handover"
MANAGE_NOTIFICATIONS: Final = "manage_notifications"  # chat webhooks and failed deliveries
# The organization's settings: name, weekends, standard hours, digest hour, base URL of links.
MANAGE_ORGANIZATION: Final = "manage_organization"

ALL_PERMISSIONS: Final = frozenset(
    {VIEW_ORG, EDIT_PEOPLE, IMPORT_PEOPLE, MANAGE_STRUCTURE, MANAGE_MEMBERS, VIEW_AUDIT,
     ANSWER_SURVEY, MANAGE_SURVEY, VIEW_ANALYSIS, VIEW_TEAM_ANALYSIS, WORK_STEPS,
     VIEW_PROCEDURES, MANAGE_PROCEDURES, HANDOVER, VIEW_HANDOVER, MANAGE_NOTIFICATIONS,
     MANAGE_ORGANIZATION}
)

ROLE_PERMISSIONS: Final[dict[Role, frozenset[str]]] = {
    Role.ADMIN: ALL_PERMISSIONS,
    Role.STAFF: frozenset(
        {VIEW_ORG, EDIT_PEOPLE, IMPORT_PEOPLE, MANAGE_STRUCTURE, ANSWER_SURVEY, MANAGE_SURVEY,
         VIEW_ANALYSIS, VIEW_TEAM_ANALYSIS, WORK_STEPS, VIEW_PROCEDURES, MANAGE_PROCEDURES}
    ),
    Role.MANAGER: frozenset({VIEW_ORG, EDIT_PEOPLE, ANSWER_SURVEY, WORK_STEPS, VIEW_PROCEDURES,
                             VIEW_TEAM_ANALYSIS}),
    Role.EMPLOYEE: frozenset({VIEW_ORG, ANSWER_SURVEY, WORK_STEPS}),
    Role.AUDITOR: frozenset({VIEW_ORG, VIEW_AUDIT, VIEW_ANALYSIS, VIEW_TEAM_ANALYSIS,
                             VIEW_PROCEDURES, VIEW_HANDOVER}),
}

# Permissions a manager holds only over people in their own department subtree.
MANAGER_SCOPED: Final = frozenset({EDIT_PEOPLE, VIEW_TEAM_ANALYSIS})

_ANY: Final = object()


def has_perm(
    membership: Membership | None, perm: str, *, department_id: int | object | None = _ANY
) -> bool:
    """Whether ``membership`` may do ``perm``.

    Without ``department_id`` the question is "at all" (to show a button). With it, the question is
    about a record in that department (``None``: a record in no department), and a manager's answer
    depends on whether it lies in the subtree of the manager's own department.
    """
    if perm not in ALL_PERMISSIONS:
        raise ValueError(f"Unknown permission {perm!r}")
    if membership is None or not membership.is_active:
        return False
    role = Role(membership.role)
    if perm not in ROLE_PERMISSIONS[role]:
        return False
    if role is Role.MANAGER and perm in MANAGER_SCOPED and department_id is not _ANY:
        return department_id is not None and department_id in membership.managed_department_ids()
    return True


def require(
    membership: Membership | None, perm: str, *, department_id: int | object | None = _ANY
) -> None:
    if not has_perm(membership, perm, department_id=department_id):
        raise PermissionDenied(_("You do not have permission to do this."))


def analysis_scope(membership: Membership | None) -> frozenset[int] | None:
    """Whose survey data ``membership`` may analyse: None for the whole organization, else the
    departments (a manager's own and everything below) whose people the figures cover.

    A manager linked to no person, or to one without a department, covers nobody."""
    if has_perm(membership, VIEW_ANALYSIS):
        return None
    require(membership, VIEW_TEAM_ANALYSIS)
    assert membership is not None
    return membership.managed_department_ids()


class PermissionChecker:
    """``{% if can.edit_people %}`` in templates."""

    def __init__(self, membership: Membership | None) -> None:
        self._membership = membership

    def __getitem__(self, perm: str) -> bool:
        return has_perm(self._membership, perm)

    def __contains__(self, perm: str) -> bool:
        return self[perm]
