"""The improvement plan's words for the audit log (see :mod:`somu.audit.catalogue`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from somu.audit.catalogue import Vocabulary

VOCABULARY = Vocabulary(
    actions={
        # strategy: vision, KPIs, readings, reviews

        # items

        # scenarios

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
)
