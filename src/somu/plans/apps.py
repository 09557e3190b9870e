from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import Contribution, NotificationKind
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
        # items: acting on the survey analysis' findings; telling an item's owner
        finding_actions=("somu.plans.findings:actions",),
        notification_kinds=(
            NotificationKind("plans.item_assigned", _("An improvement item is yours"),
                             in_app=True, email="digest"),
        ),
    )

    def ready(self) -> None:
        # items: the daily job that closes 標準化 / 多能工化 items whose work is done
        from somu.plans import schedule_jobs  # noqa: F401
