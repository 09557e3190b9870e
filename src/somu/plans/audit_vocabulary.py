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

        # scenarios

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
)
