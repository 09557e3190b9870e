from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import (
    Command,
    Contribution,
    DigestSection,
    NavItem,
    NavSection,
    NotificationKind,
)
from somu.procedures import permissions as p
from somu.survey.permissions import VIEW_ANALYSIS


class ProceduresConfig(AppConfig):
    name = "somu.procedures"
    label = "procedures"
    verbose_name = _("Procedures")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.procedures.urls",
        url_prefix="procedures/",
        api=(("/procedures", "somu.procedures.api:router"),),
        permissions=p.PERMISSIONS,
        nav=(NavSection("procedures", _("Procedures"), order=30, items=(
            NavItem(_("My tasks"), "procedures:my_tasks", (p.WORK_STEPS,),
                    active=("/procedures/my", "/procedures/steps")),
            NavItem(_("Procedure board"), "procedures:board", (p.VIEW_PROCEDURES,),
                    active=("/procedures/board",)),
            NavItem(_("Runs"), "procedures:run_list", (p.VIEW_PROCEDURES,),
                    active=("/procedures/runs",)),
            NavItem(_("Due-date calendar"), "procedures:calendar", (p.VIEW_PROCEDURES,),
                    active=("/procedures/calendar",)),
            NavItem(_("Procedure templates"), "procedures:template_list", (p.VIEW_PROCEDURES,),
                    active=("/procedures/templates",)),
            NavItem(_("Recurring schedules"), "procedures:schedule_list", (p.VIEW_PROCEDURES,),
                    active=("/procedures/schedules",)),
            NavItem(_("Survey vs. actual"), "procedures:insights",
                    (p.VIEW_PROCEDURES, VIEW_ANALYSIS), active=("/procedures/insights",)),
            NavItem(_("Handover"), "procedures:handover_list", (p.VIEW_HANDOVER,),
                    active=("/procedures/handover",)),
        )),),
        home_leads=("somu.procedures.home:lead",),
        home_waiting=("somu.procedures.home:waiting_steps",),
        home_attention=("somu.procedures.home:attention",),
        demo="somu.procedures.demo:load_demo",
        demo_after=("survey",),
        audit="somu.procedures.audit_vocabulary:VOCABULARY",
        isolation="somu.procedures.tests.isolation:records_of_b",
        notification_kinds=(
            NotificationKind("procedures.step_assigned", _("A step is ready for you"),
                             in_app=True, email="digest"),
            NotificationKind("procedures.step_decided", _("Your request was approved or rejected"),
                             in_app=True, email="immediate"),
        ),
        digest_sections=(
            DigestSection(items="somu.procedures.digest:digest_items", link="procedures:my_tasks",
                          after="somu.procedures.digest:digest_after"),
        ),
        commands=(
            Command("procedures import", "import templates from YAML (all files or nothing)",
                    "procedures_import"),
            Command("procedures export", "export templates as YAML", "procedures_export"),
        ),
    )

    def ready(self) -> None:
        # The worker's jobs: the scheduled launches (notify's digests run after them).
        from somu.procedures import schedule_jobs  # noqa: F401
