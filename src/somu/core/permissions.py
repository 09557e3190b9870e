"""Who may do what: the single place where roles turn into permissions.

Views, API endpoints and templates all ask :func:`has_perm` (or :func:`require`); nothing else
compares roles. A manager's rights are limited to the subtree of their own department.

The permissions themselves are declared by the apps (their ``permissions.py``, listed in their
registry entry), each with the roles it is granted to; an administrator holds them all.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Final

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from somu.core import registry

if TYPE_CHECKING:
    from somu.org.models import Membership


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    STAFF = "staff"
    EMPLOYEE = "employee"
    AUDITOR = "auditor"
    # 役員: the reports and KPIs (活動報告), read-only; no personal data beyond names.
    EXECUTIVE = "executive"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS: Final = {
    Role.ADMIN: _("Administrator"),
    Role.MANAGER: _("Manager"),
    Role.STAFF: _("Back-office staff"),
    Role.EMPLOYEE: _("Employee"),
    Role.AUDITOR: _("Auditor"),
    Role.EXECUTIVE: _("Executive"),
}


def role_label(value: str) -> str:
    """The label of a stored role value (管理部門スタッフ for ``staff``); an unknown value as is."""
    try:
        return Role(value).label
    except ValueError:
        return value


@cache
def _grants() -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
    """Every permission the installed apps declare, what each role holds, and the permissions a
    manager holds only over their own department subtree (read once from the registry)."""
    declared = registry.permissions()
    names = frozenset(p.name for p in declared)
    by_role = {role.value: frozenset(p.name for p in declared if role in p.grants)
               for role in Role}
    # An administrator may do everything any app declares.
    by_role[Role.ADMIN.value] = names
    scoped = frozenset(p.name for p in declared if p.manager_scoped)
    return names, by_role, scoped


_ANY: Final = object()


def has_perm(
    membership: Membership | None, perm: str, *, department_id: int | object | None = _ANY
) -> bool:
    """Whether ``membership`` may do ``perm``.

    Without ``department_id`` the question is "at all" (to show a button). With it, the question is
    about a record in that department (``None``: a record in no department), and a manager's answer
    depends on whether it lies in the subtree of the manager's own department.
    """
    names, by_role, scoped = _grants()
    if perm not in names:
        raise ValueError(f"Unknown permission {perm!r}")
    if membership is None or not membership.is_active:
        return False
    role = Role(membership.role)
    if perm not in by_role[role.value]:
        return False
    if role is Role.MANAGER and perm in scoped and department_id is not _ANY:
        return department_id is not None and department_id in membership.managed_department_ids()
    return True


def require(
    membership: Membership | None, perm: str, *, department_id: int | object | None = _ANY
) -> None:
    if not has_perm(membership, perm, department_id=department_id):
        raise PermissionDenied(_("You do not have permission to do this."))


class PermissionChecker:
    """``{% if can.edit_people %}`` in templates."""

    def __init__(self, membership: Membership | None) -> None:
        self._membership = membership

    def __getitem__(self, perm: str) -> bool:
        return has_perm(self._membership, perm)

    def __contains__(self, perm: str) -> bool:
        return self[perm]
