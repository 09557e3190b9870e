"""What the plan adds to the home page.

- ``attention`` (admins, managers, back-office staff: whoever sees the plan, executives
  excepted): KPIs off track or overdue, improvement items overdue and due within 14 days.
- ``lead`` (executives): where the KPIs stand, and the latest activity report (活動報告).

KPI values come from the rounds' stored analyses (computed once per round and cached by the
survey app), so the panel reads no more than the plan page does.
"""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from somu.core.home import Attention, Lead
from somu.core.permissions import Role, has_perm
from somu.org.models import Membership
from somu.plans import kpis, selectors
from somu.plans.models import Report
from somu.plans.permissions import VIEW_PLAN, VIEW_REPORTS


def _off_track(today: dt.date) -> tuple[int, int]:
    statuses = kpis.kpi_statuses(today=today)
    return sum(1 for s in statuses if s.state in ("off_track", "overdue")), len(statuses)


def attention(*, membership: Membership, today: dt.date) -> list[Attention]:
    if membership.role == Role.EXECUTIVE or not has_perm(membership, VIEW_PLAN):
        return []
    url = reverse("plans:plan")
    shown: list[Attention] = []
    off, total = _off_track(today) if selectors.kpi_list().exists() else (0, 0)
    if total:
        shown.append(Attention(_("KPIs off track"), f"{off} / {total}", url,
                               note=_("not getting closer to the target, or past its date"),
                               warn=off > 0))
    overdue, soon = selectors.items_attention(today=today)
    if overdue or soon:
        shown.append(Attention(_("Improvement items overdue"), str(overdue), url,
                               note=_("%(n)s due within 14 days") % {"n": soon},
                               warn=overdue > 0))
    return shown


def _report_link() -> tuple[str, str] | None:
    report = Report.objects.order_by("-ends_on", "-pk").only("pk", "title").first()
    try:
        if report is not None:
            return report.title, reverse("plans:report_detail", args=[report.pk])
        return "", reverse("plans:report_list")
    except NoReverseMatch:
        return None


def lead(*, membership: Membership, today: dt.date) -> list[Lead]:
    if membership.role != Role.EXECUTIVE or not has_perm(membership, VIEW_PLAN):
        return []
    leads: list[Lead] = []
    off, total = _off_track(today) if selectors.kpi_list().exists() else (0, 0)
    if total:
        leads.append(Lead(
            _("%(good)s of %(total)s KPIs are on track or reached.")
            % {"good": total - off, "total": total},
            reverse("plans:plan"), _("Improvement plan"),
            _("%(n)s off track.") % {"n": off} if off else ""))
    report = _report_link() if has_perm(membership, VIEW_REPORTS) else None
    if report is not None:
        title, url = report
        leads.append(Lead(_("Latest activity report: %(title)s") % {"title": title} if title
                          else _("No activity report yet."), url, _("Activity reports")))
    return leads
