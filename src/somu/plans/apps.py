from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import Command, Contribution
from somu.plans import permissions as p


class PlansConfig(AppConfig):
    name = "somu.plans"
    label = "plans"
    verbose_name = _("Improvement plans")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.plans.urls",
        url_prefix="plans/",
        api=(("/plans", "somu.plans.api:router"),),
        permissions=p.PERMISSIONS,
        audit="somu.plans.audit_vocabulary:VOCABULARY",
        isolation="somu.plans.tests.isolation:records_of_b",
        commands=(
            Command("plans report",
                    "make an activity report (活動報告) for a month or fiscal quarter, or write "
                    "an existing one, as .xlsx and/or .pdf", "plans_report"),
        ),
    )
