"""活動報告: making and deleting activity reports, and reading them for a viewer.

A report covers one whole calendar month or one Japanese fiscal quarter (the fiscal year starts
in April: Q1 = April–June, Q4 = January–March), a past or the current one, one report per
period. Its figures are computed once (:mod:`somu.plans.report_figures`) and kept.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.core.permissions import has_perm
from somu.org.models import User
from somu.plans import measure, report_figures
from somu.plans.models import Report, ReportPeriod
from somu.plans.permissions import VIEW_SCENARIOS
from somu.survey.permissions import VIEW_ANALYSIS

Actor = AbstractBaseUser | AnonymousUser | None
QUARTER_STARTS = (4, 7, 10, 1)  # the first months of fiscal Q1 … Q4


@dataclass(frozen=True)
class Period:
    kind: str  # ReportPeriod
    starts_on: dt.date
    ends_on: dt.date

    @property
    def fiscal_year(self) -> int:
        return self.starts_on.year if self.starts_on.month >= 4 else self.starts_on.year - 1

    @property
    def quarter(self) -> int:
        return QUARTER_STARTS.index(self.starts_on.month) + 1

    def label(self) -> str:
        if self.kind == ReportPeriod.MONTH:
            return _("%(year)d-%(month)02d") % {"year": self.starts_on.year,
                                                 "month": self.starts_on.month}
        return _("Fiscal %(year)d Q%(quarter)d (%(first)d–%(last)d)") % {
            "year": self.fiscal_year, "quarter": self.quarter,
            "first": self.starts_on.month, "last": self.ends_on.month}


def period_of(kind: str, starts_on: dt.date) -> Period:
    """The whole month or fiscal quarter starting on ``starts_on``, or a ValidationError saying
    what a start must be."""
    if kind not in ReportPeriod.values:
        raise ValidationError({"period": _("Choose a monthly or a quarterly report.")})
    if kind == ReportPeriod.MONTH:
        if starts_on.day != 1:
            raise ValidationError({"starts_on": _(
                "A monthly report starts on the first day of a month (for example %(example)s)."
            ) % {"example": starts_on.replace(day=1).isoformat()}})
        return Period(kind, starts_on, report_figures.add_months(starts_on, 1)
                      - dt.timedelta(days=1))
    if starts_on.day != 1 or starts_on.month not in QUARTER_STARTS:
        raise ValidationError({"starts_on": _(
            "A quarterly report starts on the first day of a fiscal quarter: April 1, July 1, "
            "October 1 or January 1.")})
    return Period(kind, starts_on, report_figures.add_months(starts_on, 3) - dt.timedelta(days=1))


def latest_complete(kind: str, *, today: dt.date) -> Period:
    """The last whole month or quarter that ended before ``today``."""
    month = today.replace(day=1)
    if kind == ReportPeriod.MONTH:
        return period_of(kind, report_figures.add_months(month, -1))
    while month.month not in QUARTER_STARTS:
        month = report_figures.add_months(month, -1)
    return period_of(kind, report_figures.add_months(month, -3))


def default_title(period: Period) -> str:
    if period.kind == ReportPeriod.MONTH:
        return _("Activity report for %(period)s") % {"period": period.label()}
    return _("Activity report, %(period)s") % {"period": period.label()}


@transaction.atomic
def report_create(*, actor: Actor, period: str, starts_on: dt.date | None, title: str = "",
                  comment: str = "", today: dt.date) -> Report:
    """Make the report of a past or the current month / fiscal quarter: compute its figures and
    keep them. Refuses a period that is not whole, has not begun, or already has a report."""
    if starts_on is None:
        raise ValidationError({"starts_on": _("Give the first day of the period.")})
    p = period_of(period, starts_on)
    if p.starts_on > today:
        raise ValidationError({"starts_on": _(
            "This period has not begun yet (it starts on %(date)s): a report can cover a past "
            "or the current period only.") % {"date": p.starts_on.isoformat()}})
    existing = Report.objects.filter(period=p.kind, starts_on=p.starts_on).first()
    if existing is not None:
        raise ValidationError({"starts_on": ValidationError(_(
            "There is already a report for %(period)s: “%(title)s”. Delete it first to make "
            "it again.") % {"period": p.label(), "title": existing.title}, code="unique")})
    title = (title or "").strip() or default_title(p)
    if len(title) > 200:
        raise ValidationError({"title": _("The title is too long (200 characters at most).")})
    report = Report(period=p.kind, starts_on=p.starts_on, ends_on=p.ends_on, title=title,
                    comment=(comment or "").strip(),
                    created_by=actor if isinstance(actor, User) else None,
                    figures=report_figures.compute(starts_on=p.starts_on, ends_on=p.ends_on,
                                                   today=today))
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # made at the same moment by someone else
        raise ValidationError({"starts_on": ValidationError(_(
            "There is already a report for %(period)s.") % {"period": p.label()},
            code="unique")}) from None
    audit_record(actor=actor, action="plan_report.create", obj=report,
                 changes={"title": [None, report.title], "period": [None, report.period],
                          "starts_on": [None, report.starts_on.isoformat()]})
    return report


@transaction.atomic
def report_delete(*, actor: Actor, report: Report) -> None:
    audit_record(actor=actor, action="plan_report.delete", obj=report,
                 changes={"title": [report.title, None]})
    report.delete()


# ---- reading -------------------------------------------------------------------------------------


def report_list() -> QuerySet[Report]:
    return Report.objects.select_related("created_by").defer("figures").order_by(
        "-ends_on", "-pk")


def report_get(*, report_id: int) -> Report:
    return get_object_or_404(Report.objects.select_related("created_by"), pk=report_id)


def report_period(report: Report) -> Period:
    return Period(report.period, report.starts_on, report.ends_on)


PERSONAL_KEYS = {"overloaded": ("load", "capacity", "utilization"),
                 "retirement": ("orphaned_hours", "unabsorbed_hours", "tasks")}


def for_viewer(figures: dict[str, Any], *, personal: bool) -> dict[str, Any]:
    """The figures a viewer may see: without ``personal`` (executives, managers), the people in
    the risks are named but their hours, load and utilization are left out, and so are the
    hours and cost of the items about one person (:data:`somu.plans.measure.PERSONAL_FIGURES`)
    — also from the total of the done items' expected hours."""
    if personal:
        return figures
    shown = copy.deepcopy(figures)
    risks = shown.get("risks") or {}
    for key, fields in PERSONAL_KEYS.items():
        for row in risks.get(key, []):
            for field in fields:
                row.pop(field, None)
    items = shown.get("items") or {}
    for key in ("done", "open"):
        for row in items.get(key, []):
            if row.get("personal"):
                for field in measure.PERSONAL_FIGURES:
                    row.pop(field, None)
    if "done" in items and "done_expected_hours" in items:
        items["done_expected_hours"] = round(sum(
            float(row.get("expected_hours") or 0) for row in items["done"]), 1)
    return shown


def sees_personal_hours(membership: Any) -> bool:
    """Per-person hours are for the back office: those who may see the scenarios' loads or the
    survey's analysis. Executives and managers see people by name only."""
    return has_perm(membership, VIEW_SCENARIOS) or has_perm(membership, VIEW_ANALYSIS)
