"""The audit log's vocabulary: what each recorded action, object type and change key is called.

The presenter (:mod:`somu.audit.presenters`) reads model field labels (``verbose_name``) and
choices itself; this catalogue holds only what the models cannot say: the operations, the
object types, and the keys a service records that are not model fields (counts, files) or whose
field has no translated label. ``test_every_action_the_code_records_has_a_label`` keeps
:data:`ACTIONS` complete: a service that records a new action fails it until it is named here.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Every action a service records, named as an operation a person did (「定期実行の作成」).
ACTIONS: dict[str, Promise] = {
    # org
    "organization.create": _("Organization created"),
    "organization.update": _("Organization updated"),
    "membership.create": _("Account added to the organization"),
    "membership.update": _("Account role changed"),
    "membership.deactivate": _("Account deactivated"),
    "invitation.create": _("Invitation sent"),
    "invitation.revoke": _("Invitation cancelled"),
    "invitation.accept": _("Invitation accepted"),
    "user.password_set": _("Password set by an administrator"),
    "api_token.create": _("API token issued"),
    "api_token.revoke": _("API token revoked"),
    "department.create": _("Department created"),
    "department.update": _("Department updated"),
    "department.reorder": _("Department moved"),
    "department.delete": _("Department deleted"),
    "person.create": _("Person registered"),
    "person.update": _("Person updated"),
    "person.retire": _("Person retired"),
    "person.reinstate": _("Person reinstated"),
    "person.skill": _("Person's skill level set"),
    "person.import": _("People imported"),
    "grade.create": _("Grade created"),
    "grade.update": _("Grade updated"),
    "grade.delete": _("Grade deleted"),
    "skill.create": _("Skill created"),
    "skill.update": _("Skill updated"),
    "company_holiday.create": _("Company holiday added"),
    "company_holiday.update": _("Company holiday updated"),
    "company_holiday.delete": _("Company holiday deleted"),
    # survey
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
    # procedures
    "procedure_template.create": _("Procedure template created"),
    "procedure_template.update": _("Procedure template updated"),
    "procedure_template.archive": _("Procedure template archived or restored"),
    "procedure_template.hand_over": _("Procedure template handed over"),
    "procedure_run.launch": _("Procedure started"),
    "procedure_run.complete": _("Procedure completed"),
    "procedure_run.stop": _("Procedure stopped"),
    "procedure_run.cancel": _("Procedure cancelled"),
    "procedure_step.save": _("Step saved"),
    "procedure_step.complete": _("Step completed"),
    "procedure_step.approve": _("Step approved"),
    "procedure_step.reject": _("Step rejected"),
    "procedure_step.reassign": _("Step reassigned"),
    "procedure_step.reopen": _("Step reopened"),
    "procedure_step.comment": _("Comment on a step"),
    "procedure_step.attach": _("File attached to a step"),
    "procedure_step.hand_over": _("Step handed over"),
    "procedure_schedule.hand_over": _("Schedule handed over"),
    "procedure_handover.execute": _("Handover executed"),
    "schedule.create": _("Schedule created"),
    "schedule.update": _("Schedule updated"),
    "schedule.delete": _("Schedule deleted"),
    "schedule.launch_failed": _("Scheduled start failed"),
    "webhook.create": _("Chat webhook added"),
    "webhook.update": _("Chat webhook updated"),
    "webhook.delete": _("Chat webhook deleted"),
    "delivery.retry": _("Notification resent"),
}

# The last part of an action, for an action not in ACTIONS (a readable label, never the code).
VERBS: dict[str, Promise] = {
    "create": _("creation"),
    "update": _("change"),
    "delete": _("deletion"),
    "import": _("import"),
}

# What the record an event is about is called (the object type is the model's app.model label).
OBJECT_TYPES: dict[str, Promise] = {
    "org.organization": _("Organization"),
    "org.membership": _("Account"),
    "org.invitation": _("Invitation"),
    "org.apitoken": _("API token"),
    "org.department": _("department"),
    "org.grade": _("grade"),
    "org.skill": _("skill"),
    "org.person": _("person"),
    "org.companyholiday": _("Company holidays"),
    "survey.task": _("task"),
    "survey.surveyround": _("Survey round"),
    "survey.respondent": _("Respondents"),
    "procedures.template": _("Procedure templates"),
    "procedures.run": _("run"),
    "procedures.step": _("step"),
    "procedures.schedule": _("schedule"),
    "procedures.handover": _("Handover"),
    "procedures.webhook": _("Chat webhooks"),
    "procedures.delivery": _("Notifications"),
}

# Change keys that are not model fields, or whose field has no translated label. A key means the
# same wherever it appears; FIELDS_BY_TYPE names the few that mean something else on one type.
FIELDS: dict[str, Promise] = {
    "accepted_by": _("accepted by"),
    "actual_minutes": _("actual minutes"),
    "assignee": _("assignee"),
    "attachment": _("attached file"),
    "capabilities": _("capability answers"),
    "capabilities_saved": _("capability answers saved"),
    "checklist_done": _("checklist items done"),
    "comment": _("comment"),
    "created": _("records added"),
    "departments_created": _("departments added"),
    "errors": _("errors"),
    "file": _("file"),
    "form_values": _("form entries"),
    "from_person": _("handed over by"),
    "handover": _("Handover"),
    "hours": _("hour entries"),
    "hours_removed": _("hour entries removed"),
    "hours_saved": _("hour entries saved"),
    "items": _("handover items"),
    "layout": _("file layout"),
    "moved": _("items handed over"),
    "occurrence": _("scheduled date"),
    "people": _("people"),
    "position": _("order"),
    "reminded": _("people reminded"),
    "respondents": _("respondents"),
    "respondents_created": _("respondents added"),
    "revoked_at": _("revoked at"),
    "rows": _("rows read"),
    "skills_created": _("skills added"),
    "start_date": _("start date"),
    "status": _("status"),
    "stayed": _("items kept"),
    "tasks": _("number of tasks"),
    "tasks_created": _("tasks added"),
    "tasks_updated": _("tasks updated"),
    "template": _("template"),
    "to_person": _("handed over to"),
    "unchanged": _("unchanged"),
    "updated": _("records updated"),
    "version": _("version"),
}
FIELDS_BY_TYPE: dict[tuple[str, str], Promise] = {
    ("survey.respondent", "tasks"): _("tasks answered"),
}

# Keys that name another record although they are not a foreign key of the event's model.
REFERENCES: dict[str, str] = {
    "handover": "procedures.handover",
}
# Keys whose model field is a foreign key but whose recorded value is not an id: a run records
# the version *number* it was launched with.
PLAIN: frozenset[tuple[str, str]] = frozenset({("procedures.run", "version")})
# Secrets a service records (a chat webhook's URL carries its key): the pages say that it was set
# or changed, never the value. (The hash chain needs the recorded value; the API, for admins and
# auditors, returns it as recorded.)
SECRETS: frozenset[tuple[str, str]] = frozenset({
    ("procedures.webhook", "url"), ("procedures.webhook", "token"),
})
# Amounts of money: shown as ¥1,234.
YEN: frozenset[tuple[str, str]] = frozenset({("org.grade", "hourly_cost")})
# Values with their own reading, by dotted path to a function of the raw value returning text.
FORMATTERS: dict[tuple[str, str], str] = {
    ("procedures.schedule", "rule"): "somu.procedures.views.schedules.describe_recurrence",
}
# Values read together for a whole page (their reading needs other records), by dotted path to
# a function of ``[(event, value), …]`` returning one text per item.
BATCH_FORMATTERS: dict[tuple[str, str], str] = {
    ("procedures.run", "params"): "somu.audit.procedure_values.params_texts",
    ("procedures.schedule", "params"): "somu.audit.procedure_values.params_texts",
    ("procedures.step", "form_values"): "somu.audit.procedure_values.form_values_texts",
    ("procedures.step", "checklist_done"): "somu.audit.procedure_values.checklist_texts",
}
# Keys made of a prefix and a name (``skill:Excel``): their label, and the model field whose
# choices name the values.
PREFIXED: dict[str, tuple[Promise, str, str]] = {
    "skill:": (_("Skill: %(name)s"), "org.personskill", "level"),
}
# Values of plain keys that are codes (the layout of an imported file).
VALUE_LABELS: dict[str, dict[str, Promise]] = {
    "layout": {"long": _("one row per person and task"), "wide": _("matrix")},
}

# Object names recorded as "name (code)", by the field whose choices name the code: a membership
# is recorded as "sato (admin)" and shown as "sato (管理者)".
REPR_CODES: dict[str, tuple[str, str]] = {
    "org.membership": ("org.membership", "role"),
}

# The page that shows a record of this type; the audit log links to it while the record exists.
DETAIL_URLS: dict[str, str] = {
    "org.person": "org:person_detail",
    "procedures.template": "procedures:template_detail",
    "procedures.run": "procedures:run_detail",
    "procedures.step": "procedures:step_detail",
    "procedures.handover": "procedures:handover_detail",
    "survey.surveyround": "survey:round_detail",
}
