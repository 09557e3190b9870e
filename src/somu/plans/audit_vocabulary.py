"""The improvement plan's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        # strategy: vision, KPIs, readings, reviews
        "plan_vision.create": _("Vision written"),
        "plan_vision.update": _("Vision rewritten"),
        "plan_kpi.create": _("KPI added"),
        "plan_kpi.update": _("KPI changed"),
        "plan_kpi.archive": _("KPI archived or restored"),
        "plan_reading.create": _("KPI value entered"),
        "plan_reading.delete": _("KPI value deleted"),
        "plan_review.create": _("Review held"),

        # items
        "plan_item.create": _("Improvement item created"),
        "plan_item.update": _("Improvement item changed"),
        "plan_item.move": _("Improvement item moved on the board"),
        "plan_item.delete": _("Improvement item deleted"),
        "plan_item.standardize": _("Procedure template linked to an improvement item"),
        "plan_item.training": _("Training started for an improvement item"),
        "plan_item.close": _("Improvement item closed: its work is done"),

        # scenarios
        "plan_scenario.create": _("Created a scenario"),
        "plan_scenario.update": _("Renamed or described a scenario"),
        "plan_scenario.op_add": _("Added an operation to a scenario"),
        "plan_scenario.op_remove": _("Removed an operation from a scenario"),
        "plan_scenario.delete": _("Deleted a scenario"),
        "plan_scenario.propose": _("Saved an optimizer proposal as a scenario"),

        # reports
        "plan_report.create": _("Activity report made"),
        "plan_report.delete": _("Activity report deleted"),

    },
    object_types={
        "plans.vision": _("vision"),
        "plans.kpi": _("key performance indicator (KPI)"),
        "plans.kpireading": _("KPI value"),
        "plans.item": _("improvement item"),
        "plans.scenario": _("scenario"),
        "plans.review": _("review (振り返り)"),
        "plans.report": _("activity report"),
    },
    # scenarios: change keys that are not model fields
    fields_by_type={
        ("plans.scenario", "operation"): _("operation"),
        ("plans.scenario", "kind"): _("proposal"),
    },
)
