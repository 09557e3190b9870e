"""The improvement plan's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        # strategy: vision, KPIs, readings, reviews

        # items

        # scenarios
        "plan_scenario.create": _("Created a scenario"),
        "plan_scenario.update": _("Renamed or described a scenario"),
        "plan_scenario.op_add": _("Added an operation to a scenario"),
        "plan_scenario.op_remove": _("Removed an operation from a scenario"),
        "plan_scenario.delete": _("Deleted a scenario"),
        "plan_scenario.propose": _("Saved an optimizer proposal as a scenario"),
        "plan_item.create_from_scenario": _("Made an improvement item from a scenario"),

        # reports

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
