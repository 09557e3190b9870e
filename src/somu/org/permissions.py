"""What the organization module lets people do (see :mod:`somu.core.permissions`)."""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext_lazy as _

from somu.core.permissions import Role
from somu.core.registry import Permission

VIEW_ORG: Final = "view_org"  # see departments, people, grades, skills, the calendar
EDIT_PEOPLE: Final = "edit_people"  # add, edit and retire people (managers: own subtree)
IMPORT_PEOPLE: Final = "import_people"
MANAGE_STRUCTURE: Final = "manage_structure"  # departments, grades, skills, company holidays
MANAGE_MEMBERS: Final = "manage_members"  # user accounts and their roles
# The organization's settings: name, weekends, standard hours, digest hour, base URL of links.
MANAGE_ORGANIZATION: Final = "manage_organization"

PERMISSIONS: Final = (
    Permission(VIEW_ORG, _("See departments, people, grades, skills and the calendar"),
               grants=(Role.STAFF, Role.MANAGER, Role.EMPLOYEE, Role.AUDITOR)),
    Permission(EDIT_PEOPLE, _("Add, edit and retire people"),
               grants=(Role.STAFF, Role.MANAGER), manager_scoped=True),
    Permission(IMPORT_PEOPLE, _("Import people"), grants=(Role.STAFF,)),
    Permission(MANAGE_STRUCTURE, _("Departments, grades, skills and company holidays"),
               grants=(Role.STAFF,)),
    Permission(MANAGE_MEMBERS, _("Accounts and roles")),
    Permission(MANAGE_ORGANIZATION, _("Organization settings")),
)
