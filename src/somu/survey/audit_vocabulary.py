"""The survey module's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        "survey_task.create": _("Task created"),
        "survey_task.update": _("Task updated"),
        "survey_task.delete": _("Task deleted"),
        "survey_task.adopt_starter": _("Starter task list adopted"),
        "survey_task.import": _("Tasks imported"),
        "survey_round.create": _("Survey round created"),
        "survey_round.update": _("Survey round updated"),
        "survey_round.delete": _("Survey round deleted"),
        "survey_round.invite": _("Survey respondents invited"),
        "survey_round.remind": _("Survey reminder sent"),
        "survey_round.import": _("Survey answers imported"),
        "survey_round.demo_load": _("Demo survey answers loaded"),
        "survey_answers.save": _("Survey answers saved as draft"),
        "survey_answers.submit": _("Survey answers submitted"),
        "survey_answers.reopen": _("Survey answers reopened"),
    },
    object_types={
        "survey.task": _("task"),
        "survey.surveyround": _("Survey round"),
        "survey.respondent": _("Respondents"),
    },
    fields={
        "capabilities": _("capability answers"),
        "capabilities_saved": _("capability answers saved"),
        "hours": _("hour entries"),
        "hours_removed": _("hour entries removed"),
        "hours_saved": _("hour entries saved"),
        "layout": _("file layout"),
        "reminded": _("people reminded"),
        "respondents": _("respondents"),
        "respondents_created": _("respondents added"),
        "tasks": _("number of tasks"),
        "tasks_created": _("tasks added"),
        "tasks_updated": _("tasks updated"),
    },
    fields_by_type={
        ("survey.respondent", "tasks"): _("tasks answered"),
    },
    value_labels={
        "layout": {"long": _("one row per person and task"), "wide": _("matrix")},
    },
    detail_urls={"survey.surveyround": "survey:round_detail"},
)
