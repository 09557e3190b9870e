from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.audit import permissions as p
from somu.core.registry import Contribution, NavItem, NavSection


class AuditConfig(AppConfig):
    name = "somu.audit"
    label = "audit"
    verbose_name = "Audit log"
    somu = Contribution(
        urls="somu.audit.urls",
        url_prefix="audit/",
        api=(("/audit", "somu.audit.api:router"),),
        permissions=p.PERMISSIONS,
        nav=(NavSection("other", _("Other"), order=90, items=(
            NavItem(_("Audit log"), "audit:event_list", (p.VIEW_AUDIT,), active=("/audit",)),
        )),),
        isolation="somu.audit.tests.isolation:records_of_b",
    )
