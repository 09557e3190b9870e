from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import Command, Contribution, NavItem, NavSection
from somu.org import permissions as p


class OrgConfig(AppConfig):
    name = "somu.org"
    label = "org"
    verbose_name = "Organization"
    somu = Contribution(
        urls="somu.org.urls",
        url_prefix="org/",
        api=(("/", "somu.org.api:router"),),
        permissions=p.PERMISSIONS,
        nav=(NavSection("organization", _("Organization"), order=10, items=(
            NavItem(_("Home"), "home", exact=True),
            NavItem(_("People"), "org:person_list", active=("/org/people",)),
            NavItem(_("Departments"), "org:department_tree", active=("/org/departments",)),
            NavItem(_("Grades"), "org:grade_list", active=("/org/grades",)),
            NavItem(_("Positions"), "org:position_list", active=("/org/positions",)),
            NavItem(_("Skills"), "org:skill_list", active=("/org/skills",)),
            NavItem(_("Business calendar"), "org:calendar", active=("/org/calendar",)),
            NavItem(_("Accounts and roles"), "org:member_list", (p.MANAGE_MEMBERS,),
                    active=("/org/members",)),
            NavItem(_("Organization settings"), "org:settings", (p.MANAGE_ORGANIZATION,),
                    active=("/org/settings",)),
        )),),
        isolation="somu.org.tests.isolation:records_of_b",
        commands=(
            Command("createadmin", "create an administrator (password asked)", "createadmin"),
            Command("org import-people", "import people from .xlsx or .csv", "import_people"),
            # It walks every organization's chain, so it lives with the organizations.
            Command("audit verify", "verify the audit log's hash chain", "audit_verify"),
        ),
    )
