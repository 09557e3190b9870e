from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from somu.core.registry import Command, Contribution, NavItem, NavSection
from somu.survey import permissions as p


class SurveyConfig(AppConfig):
    name = "somu.survey"
    label = "survey"
    verbose_name = _("Work survey")
    default_auto_field = "django.db.models.BigAutoField"
    somu = Contribution(
        urls="somu.survey.urls",
        url_prefix="survey/",
        api=(("/survey", "somu.survey.api:router"),),
        permissions=p.PERMISSIONS,
        nav=(NavSection("modules", _("Modules"), order=20, items=(
            NavItem(_("My survey answers"), "survey:my_surveys", (p.ANSWER_SURVEY,),
                    active=("/survey/answer",)),
            NavItem(_("Work survey"), "survey:round_list",
                    (p.MANAGE_SURVEY, p.VIEW_TEAM_ANALYSIS),
                    active=("/survey/rounds", "/survey/compare")),
            NavItem(_("Task inventory"), "survey:task_list", (p.MANAGE_SURVEY,),
                    active=("/survey/tasks",)),
        )),),
        home_waiting=("somu.survey.home:waiting_surveys",),
        home_attention=("somu.survey.home:attention",),
        demo="somu.survey.demo:load_demo",
        audit="somu.survey.audit_vocabulary:VOCABULARY",
        isolation="somu.survey.tests.isolation:records_of_b",
        commands=(
            Command("survey import",
                    "import survey hours and capabilities (.xlsx/.csv, long or wide layout)",
                    "survey_import"),
            Command("survey report", "write the analysis of a round as an Excel workbook",
                    "survey_report"),
        ),
    )
