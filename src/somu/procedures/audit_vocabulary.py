"""The procedures module's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
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
    },
    object_types={
        "procedures.template": _("Procedure templates"),
        "procedures.run": _("run"),
        "procedures.step": _("step"),
        "procedures.schedule": _("schedule"),
        "procedures.handover": _("Handover"),
    },
    fields={
        "actual_minutes": _("actual minutes"),
        "assignee": _("assignee"),
        "attachment": _("attached file"),
        "checklist_done": _("checklist items done"),
        "form_values": _("form entries"),
        "from_person": _("handed over by"),
        "handover": _("Handover"),
        "items": _("handover items"),
        "moved": _("items handed over"),
        "occurrence": _("scheduled date"),
        "start_date": _("start date"),
        "stayed": _("items kept"),
        "template": _("template"),
        "to_person": _("handed over to"),
        "version": _("version"),
    },
    references={"handover": "procedures.handover"},
    # A run records the version *number* it was launched with, not the version's id.
    plain=frozenset({("procedures.run", "version")}),
    formatters={
        ("procedures.schedule", "rule"): "somu.procedures.views.schedules.describe_recurrence",
    },
    batch_formatters={
        ("procedures.run", "params"): "somu.procedures.audit_values.params_texts",
        ("procedures.schedule", "params"): "somu.procedures.audit_values.params_texts",
        ("procedures.step", "form_values"): "somu.procedures.audit_values.form_values_texts",
        ("procedures.step", "checklist_done"): "somu.procedures.audit_values.checklist_texts",
    },
    detail_urls={
        "procedures.template": "procedures:template_detail",
        "procedures.run": "procedures:run_detail",
        "procedures.step": "procedures:step_detail",
        "procedures.handover": "procedures:handover_detail",
    },
)
