"""How an activity report's stored figures read: labels and number formats shared by the page,
the workbook and the PDF, so the three say the same thing in the same words."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from somu.core.money import EMPTY, MINUS, format_yen
from somu.core.percent import format_percent


def hours(value: Any) -> str:
    return EMPTY if value is None else f"{float(value):,.1f}"


def change(value: Any) -> str:
    if value is None:
        return EMPTY
    v = float(value)
    if abs(v) < 0.05:
        return "±0.0"
    return f"{'+' if v > 0 else MINUS}{abs(v):,.1f}"


def rate(value: Any) -> str:
    return format_percent(value)


def count(value: Any) -> str:
    return EMPTY if value is None else f"{int(value):,}"


def kpi_state(row: dict[str, Any]) -> str:
    if row.get("achieved"):
        return _("Achieved")
    if row.get("overdue"):
        return _("Target date passed")
    return _("On the way")


def kpi_progress(row: dict[str, Any]) -> float | None:
    """How far the current value is towards the target, as a share (1 = reached): the value over
    the target when higher is better, the target over the value when lower is better."""
    current, target = row.get("current"), row.get("target")
    if current is None or target is None:
        return None
    current, target = float(current), float(target)
    if row.get("direction") == "down":
        return 1.0 if current <= target else (target / current if current else None)
    return current / target if target else (1.0 if current >= target else None)


def effect(row: dict[str, Any]) -> str:
    """An item's measured effect in a few words (or that it is not measured yet)."""
    if row.get("state") != "measured":
        return _("Not measured yet")
    parts = []
    if row.get("measured_hours") is not None:
        parts.append(_("%(hours)s h/month less") % {"hours": hours(row["measured_hours"])})
    if row.get("measured_capable") is not None:
        parts.append(_("%(count)s more people capable") % {"count": row["measured_capable"]})
    text = "; ".join(parts) or _("Measured")
    if row.get("measured_round"):
        text += _(" (round %(round)s)") % {"round": row["measured_round"]}
    return text


def expected(row: dict[str, Any]) -> str:
    parts = []
    if row.get("expected_hours"):
        parts.append(_("%(hours)s h/month") % {"hours": hours(row["expected_hours"])})
    if row.get("expected_capable"):
        parts.append(_("%(count)s people capable") % {"count": row["expected_capable"]})
    if row.get("expected_cost"):
        parts.append(_("%(yen)s/month") % {"yen": format_yen(row["expected_cost"])})
    return "; ".join(parts) or EMPTY


def summary(figures: dict[str, Any]) -> list[tuple[str, str]]:
    """The headline figures, as (label, value) pairs."""
    proc = figures["procedures"]
    rows = [
        (_("Procedure runs launched"), count(proc["runs_launched"])),
        (_("Procedure runs completed"), count(proc["runs_completed"])),
        (_("Steps completed"), count(proc["steps_completed"])),
        (_("Steps completed by their due date"),
         _("%(on_time)s of %(due)s (%(rate)s)") % {
             "on_time": count(proc["steps_on_time"]), "due": count(proc["steps_with_due"]),
             "rate": rate(proc["on_time_rate"])}),
    ]
    req = figures.get("requests")
    if req is not None:
        rows += [(_("Requests submitted"), count(req["submitted"])),
                 (_("Requests approved"), count(req["approved"])),
                 (_("Requests rejected"), count(req["rejected"]))]
    h = figures.get("hours")
    if h is not None:
        rows.append((_("Total hours (h/month, %(round)s)") % {"round": h["round"]["name"]},
                     hours(h["total"]) + (f"（{change(h['change'])}）" if h["change"] is not None
                                          else "")))
    items = figures["items"]
    rows += [(_("Improvement items done"), count(items["done_count"])),
             (_("Improvement items open"), count(items["open_count"])),
             (_("Open items past their due date"), count(items["overdue_count"]))]
    kpis = figures.get("kpis") or []
    if kpis:
        rows.append((_("KPIs achieved"), _("%(done)s of %(all)s") % {
            "done": sum(1 for k in kpis if k["achieved"]), "all": len(kpis)}))
    risks = figures.get("risks")
    if risks is not None:
        rows += [(_("Person-dependent tasks (属人化率, by hours)"),
                  f"{risks['dependent_tasks_count']}（{rate(risks['dependency_rate_by_hours'])}）"),
                 (_("Overloaded people"), count(risks["overloaded_count"]))]
    return rows
