"""定期振り返り: record a review meeting — the KPIs and items as they stood (snapshots kept as
JSON, so the page shows that day's figures however the data move on), each item's measured
effect, the decisions and the next review's date — and, if asked, a recurring procedure
(a schedule of the 「定期振り返り」 template) that prepares the next reviews as runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.audit.services import audit_record
from somu.core import tenancy
from somu.org.models import Person
from somu.org.services import Actor
from somu.plans import kpi_values, kpis, measure
from somu.plans.models import Item, ItemStatus, Review
from somu.procedures.models import Schedule, Template
from somu.procedures.services import schedules as schedule_services
from somu.procedures.services import templates as template_services
from somu.survey.models import RoundStatus, SurveyRound

REVIEW_TEMPLATE_NAME = "定期振り返り"
REVIEW_SPEC: dict[str, Any] = {
    "somu": "procedure/1",
    "name": REVIEW_TEMPLATE_NAME,
    "category": "改善計画",
    "description": ("改善計画の定期振り返り。KPI と施策の状況を確かめ、"
                    "会議で決めたことを記録します。"),
    "steps": [
        {"key": "prepare", "name": "KPI と施策の状況を確認する",
         "instructions": ("改善計画のページ（/plans/）で、目標から遠い KPI と"
                          "期限の近い施策を確かめます。"),
         "estimated_minutes": 30},
        {"key": "meet", "name": "振り返りを開き、決定事項を記録する", "depends_on": ["prepare"],
         "instructions": ("振り返りのページ（/plans/reviews/new/）で、"
                          "決定事項と次回の日付を記録します。"),
         "estimated_minutes": 60},
    ],
}
REPEATS = ("", "monthly")


def _num(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def kpi_snapshot(statuses: list[kpis.KpiStatus]) -> list[dict[str, Any]]:
    return [{
        "kpi_id": s.kpi.pk, "name": s.kpi.name, "definition": str(s.definition.label),
        "parameters": s.parameters_label, "unit": kpis.unit_of(s.kpi),
        "current": _num(s.current.value if s.current else None),
        "current_text": kpis.format_value(s.kpi, s.current.value if s.current else None),
        "current_label": s.current.label if s.current else "",
        "target": s.target, "target_text": kpis.format_value(s.kpi, s.target),
        "target_on": s.target_on.isoformat(), "gap": _num(s.gap), "state": s.state,
    } for s in statuses]


def item_snapshot(effects: list[measure.Effect]) -> list[dict[str, Any]]:
    return [{
        "item_id": e.item.pk, "number": e.item.number, "title": e.item.title,
        "kind": str(e.item.get_kind_display()), "status": e.item.status,
        "status_label": str(e.item.get_status_display()),
        "owner": e.item.owner.name if e.item.owner else "",
        "due_on": e.item.due_on.isoformat() if e.item.due_on else None,
        "kpi": e.item.kpi.name if e.item.kpi else "",
        "baseline_round": e.baseline_round.name if e.baseline_round else "",
        "measured_round": e.measured_round.name if e.measured_round else "",
        "expected_hours": e.expected_hours, "measured_hours": _num(e.measured_hours),
        "expected_capable": e.expected_capable, "measured_capable": e.measured_capable,
        "kpi_before": _num(e.kpi_before), "kpi_after": _num(e.kpi_after), "state": e.state,
        "personal": measure.about_a_person(e.item),
    } for e in effects]


def item_snapshot_for_viewer(snapshot: list[dict[str, Any]], *,
                             personal: bool) -> list[dict[str, Any]]:
    """The item snapshot a viewer may see: without ``personal`` (executives, managers), an item
    about one person keeps its title and the people named, not that person's hours."""
    if personal:
        return snapshot
    return [{k: v for k, v in entry.items() if k not in measure.PERSONAL_FIGURES}
            if entry.get("personal") else entry for entry in snapshot]


def review_template(*, actor: Actor) -> Template:
    """The 「定期振り返り」 template, made the first time a review asks for a schedule."""
    existing = Template.objects.filter(name=REVIEW_TEMPLATE_NAME, archived=False).first()
    if existing is not None:
        return existing
    return template_services.template_save(actor=actor, template=None, spec=REVIEW_SPEC)


def _schedule(*, actor: Actor, next_on: dt.date, owner: Person) -> Schedule:
    data = {"name": _("Review (monthly)"), "owner": owner, "active": True,
            "rule": {"kind": "monthly_day", "day": next_on.day, "roll": "next"}}
    current = Schedule.objects.filter(
        pk__in=Review.objects.filter(schedule__isnull=False).values("schedule_id"),
        active=True).order_by("-pk").first()
    if current is not None:
        return schedule_services.schedule_save(actor=actor, schedule=current, data=data,
                                               today=next_on)
    template = review_template(actor=actor)
    return schedule_services.schedule_save(actor=actor, schedule=None,
                                           data={"template": template, **data}, today=next_on)


def latest_round(held_on: dt.date) -> SurveyRound | None:
    """The round a review held on ``held_on`` measures by default: the latest closed by then."""
    closed = [r for r in kpi_values.closed_rounds() if kpi_values.round_date(r) <= held_on]
    return closed[-1] if closed else None


@transaction.atomic
def review_create(*, actor: Actor, data: Mapping[str, Any], today: dt.date) -> Review:
    """Hold a review: snapshot the KPIs and the items (not cancelled) with their effects, as
    they stood on the day it is held.

    ``data``: title, held_on (not in the future), round (the round every item is measured in;
    a closed one dated by held_on, default the latest such), decisions, next_on (after
    held_on), repeat ("" or "monthly": a recurring procedure prepares the next reviews; needs
    next_on and owner), owner (Person).
    """
    held_on = data.get("held_on") or today
    if not isinstance(held_on, dt.date):
        raise ValidationError({"held_on": ValidationError(_("Enter the date."), code="required")})
    if held_on > today:
        raise ValidationError({"held_on": ValidationError(_(
            "A review is recorded on or after the day it is held."), code="future")})
    title = str(data.get("title") or "").strip() or _("Review of %(date)s") % {
        "date": held_on.strftime("%Y/%m/%d")}
    next_on = data.get("next_on")
    if next_on is not None and (not isinstance(next_on, dt.date) or next_on <= held_on):
        raise ValidationError({"next_on": ValidationError(
            _("The next review comes after this one."), code="invalid")})
    survey_round = data.get("round")
    if survey_round is not None and (not isinstance(survey_round, SurveyRound)
                                     or survey_round.status != RoundStatus.CLOSED):
        raise ValidationError({"round": ValidationError(
            _("Choose a closed survey round."), code="invalid")})
    if survey_round is not None and kpi_values.round_date(survey_round) > held_on:
        raise ValidationError({"round": ValidationError(_(
            "%(round)s comes after the day the review is held (%(date)s): choose a round "
            "closed by then.") % {"round": survey_round.name,
                                  "date": held_on.strftime("%Y/%m/%d")}, code="invalid")})
    if survey_round is None:
        survey_round = latest_round(held_on)
    repeat = str(data.get("repeat") or "")
    if repeat not in REPEATS:
        raise ValidationError({"repeat": ValidationError(
            _("Choose how often the review repeats."), code="invalid")})
    owner = data.get("owner")
    if repeat and next_on is None:
        raise ValidationError({"next_on": ValidationError(
            _("Enter the next review's date to repeat the review."), code="required")})
    if repeat and not isinstance(owner, Person):
        raise ValidationError({"owner": ValidationError(
            _("Choose who prepares the next reviews."), code="required")})
    items = list(Item.objects.exclude(status=ItemStatus.CANCELLED)
                 .select_related("owner", "kpi", "round").order_by("number"))
    review = Review(
        organization_id=tenancy.active_organization_id(), held_on=held_on,
        title=title[:200], round=survey_round,
        kpi_snapshot=kpi_snapshot(kpis.kpi_statuses(today=held_on)),
        item_snapshot=item_snapshot(measure.item_effects(items, today=held_on,
                                                         measured_round=survey_round)),
        decisions=str(data.get("decisions") or "").strip(), next_on=next_on,
        created_by_id=actor.pk if actor is not None and actor.is_authenticated else None)
    if repeat and isinstance(owner, Person) and next_on is not None:
        review.schedule = _schedule(actor=actor, next_on=next_on, owner=owner)
    review.save()
    audit_record(actor=actor, action="plan_review.create", obj=review, changes={
        "title": [None, review.title], "held_on": [None, held_on.isoformat()],
        "next_on": [None, next_on.isoformat() if next_on else None],
        "decisions": [None, review.decisions]})
    return review


def item_rows(snapshot: list[dict[str, Any]], *, personal: bool) -> list[dict[str, Any]]:
    """A review's item snapshot as shown to a viewer (:func:`item_snapshot_for_viewer`): the
    link to each item, and expected vs measured."""
    rows = []
    for entry in item_snapshot_for_viewer(snapshot, personal=personal):
        measured = entry.get("state") == "measured"
        hours = entry.get("measured_hours")
        capable = entry.get("measured_capable")
        expected = entry.get("expected_hours")
        rows.append({**entry, "url": kpi_values.item_url(int(entry["item_id"])),
                     "expected_hours_text": "—" if expected is None else f"{expected:,.1f}",
                     "measured_hours_text": "—" if not measured or hours is None
                     else f"{hours:,.1f}",
                     "measured_capable_text": "—" if not measured or capable is None
                     else f"{capable:+d}"})
    return rows
