from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.core.registry import Command, Contribution, NavItem, NavSection, NotificationKind
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
        nav=(NavSection("plans", pgettext_lazy("nav", "Improvement"), order=25, items=(
            NavItem(_("Improvement plan"), "plans:plan", (p.VIEW_PLAN,), exact=True),
            NavItem(_("Improvement items"), "plans:item_board", (p.VIEW_PLAN,),
                    active=("/plans/items",)),
            NavItem(_("Scenarios (新体制)"), "plans:scenario_list", (p.VIEW_SCENARIOS,),
                    active=("/plans/scenarios", "/plans/optimize")),
            NavItem(_("Reviews (振り返り)"), "plans:review_list", (p.VIEW_PLAN,),
                    active=("/plans/reviews",)),
            NavItem(_("Activity reports (活動報告)"), "plans:report_list", (p.VIEW_REPORTS,),
                    active=("/plans/reports",)),
        )),),
        home_leads=("somu.plans.home:lead",),
        home_attention=("somu.plans.home:attention",),
        # items: acting on the survey analysis' findings; telling an item's owner
        finding_actions=("somu.plans.findings:actions",),
        notification_kinds=(
            NotificationKind("plans.item_assigned", _("An improvement item is yours"),
                             in_app=True, email="digest"),
        ),
        demo="somu.plans.demo:load_demo",
        demo_after=("survey", "procedures", "approvals"),
        audit="somu.plans.audit_vocabulary:VOCABULARY",
        isolation="somu.plans.tests.isolation:records_of_b",
        commands=(
            Command("plans report",
                    "make an activity report (活動報告) for a month or fiscal quarter, or write "
                    "an existing one, as .xlsx and/or .pdf", "plans_report"),
        ),
    )

    def ready(self) -> None:
        # items: the daily job that closes 標準化 / 多能工化 items whose work is done
        from somu.plans import schedule_jobs  # noqa: F401
