"""The improvement plan's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary
from somu.core.money import EMPTY

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
    yen=frozenset({("plans.item", "expected_cost"), ("plans.item", "effort_cost")}),
    formatters={
        ("plans.kpi", "definition"): "somu.plans.audit_vocabulary.definition_text",
        ("plans.kpi", "parameters"): "somu.plans.audit_vocabulary.parameters_text",
    },
)


def definition_text(value: Any) -> str:
    """A KPI's definition by its label (「バス係数」), not its key."""
    from somu.plans.kpis import DEFINITIONS

    found = DEFINITIONS.get(str(value))
    return str(found.label) if found is not None else str(value)


# The definition whose label names each parameter (the KPI page's words).
_PARAMETER_OWNERS = {"scope": "bus_factor", "function": "hours",
                     "monthly_volume": "requests_in_somu"}


def parameters_text(value: Any) -> str:
    """A KPI's parameters as the KPI page writes them (「部署: 管理部」), not a dict."""
    from somu.plans.kpi_values import parameters_label
    from somu.plans.models import Kpi

    if not isinstance(value, dict):
        return str(value)
    texts = [parameters_label(Kpi(definition=_PARAMETER_OWNERS[key], parameters={key: v}))
             if key in _PARAMETER_OWNERS else f"{key}: {v}" for key, v in value.items()]
    return "、".join(t for t in texts if t) or EMPTY
