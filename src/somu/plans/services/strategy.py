"""Writes for the plan's strategy: the vision (ありたい総務), KPIs and manual readings.

Every rule is here, so the pages and the API refuse the same things: a KPI needs a known
definition, parameters chosen from what exists (a function of the task inventory, a department
of the organization), a target and a target date that has not passed; a computed KPI takes its
unit and direction from its definition; readings are for manual KPIs only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, save_with_audit, snapshot
from somu.org.models import Department
from somu.org.services import Actor
from somu.plans.kpis import DEFINITIONS
from somu.plans.models import Direction, Kpi, KpiReading, Vision
from somu.survey.selectors import task_functions

VISION_FIELDS = ("statement", "horizon")
KPI_FIELDS = ("name", "definition", "parameters", "direction", "unit", "target", "target_on",
              "description", "order")
READING_FIELDS = ("kpi", "on", "value", "note")
MAX_VALUE = Decimal("999999999999")


def _date_not_past(value: Any, *, before: dt.date | None, today: dt.date, field: str,
                   message: str) -> None:
    if isinstance(value, dt.date) and value != before and value < today:
        raise ValidationError({field: ValidationError(
            message % {"date": value.strftime("%Y/%m/%d")}, code="past")})


@transaction.atomic
def vision_save(*, actor: Actor, data: Mapping[str, Any], today: dt.date) -> Vision:
    """Write or rewrite the organization's vision (one; earlier wordings stay in the audit log)."""
    vision = Vision.objects.first() or Vision()
    statement = str(data.get("statement") or "").strip()
    if not statement:
        raise ValidationError({"statement": ValidationError(
            _("Write the vision: where the back office wants to be."), code="required")})
    horizon = data.get("horizon")
    _date_not_past(horizon, before=vision.horizon, today=today, field="horizon",
                   message=_("The date %(date)s has already passed. Choose a later date."))
    save_with_audit(vision, actor=actor, fields=VISION_FIELDS,
                    data={"statement": statement, "horizon": horizon},
                    action_prefix="plan_vision")
    return vision


def _parameters(definition: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters ``definition`` takes, checked against what exists; others dropped."""
    wanted = DEFINITIONS[definition].parameters
    params: dict[str, Any] = {}
    if "scope" in wanted:
        scope = str(raw.get("scope") or "organization").strip()
        kind, _sep, key = scope.partition(":")
        if kind == "function":
            if key not in task_functions():
                raise ValidationError({"scope": ValidationError(_(
                    "There is no function “%(name)s” in the task inventory.") % {"name": key},
                    code="unknown")})
        elif kind == "department":
            if not key.isdigit() or not Department.objects.filter(pk=int(key)).exists():
                raise ValidationError({"scope": ValidationError(
                    _("There is no such department."), code="unknown")})
        elif scope != "organization":
            raise ValidationError({"scope": ValidationError(_(
                "Choose the whole organization, a function or a department."), code="invalid")})
        params["scope"] = scope
    if "function" in wanted:
        function = str(raw.get("function") or "").strip()
        if function and function not in task_functions():
            raise ValidationError({"function": ValidationError(_(
                "There is no function “%(name)s” in the task inventory.") % {"name": function},
                code="unknown")})
        if function:
            params["function"] = function
    if "monthly_volume" in wanted:
        volume = raw.get("monthly_volume")
        try:
            number = int(str(volume).strip())
        except (TypeError, ValueError):
            number = 0
        if number < 1:
            raise ValidationError({"monthly_volume": ValidationError(_(
                "Enter how many requests the office handles in a month (1 or more)."),
                code="required")})
        params["monthly_volume"] = number
    return params


def _decimal(value: Any, field: str, message: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if value in (None, "") or not number.is_finite() or abs(number) > MAX_VALUE:
        raise ValidationError({field: ValidationError(message, code="invalid")})
    return number.quantize(Decimal("0.01"))


@transaction.atomic
def kpi_save(*, actor: Actor, kpi: Kpi | None, data: Mapping[str, Any], today: dt.date) -> Kpi:
    """Create a KPI, or change one (fields left out of ``data`` keep their value)."""
    kpi = kpi or Kpi()
    creating = kpi.pk is None
    merged = {f: data.get(f, getattr(kpi, f) if not creating else None) for f in KPI_FIELDS}
    name = str(merged["name"] or "").strip()
    if not name:
        raise ValidationError({"name": ValidationError(_("Enter a name."), code="required")})
    if Kpi.objects.filter(name=name).exclude(pk=kpi.pk).exists():
        raise ValidationError({"name": ValidationError(
            _("A KPI with this name already exists."), code="unique")})
    definition = str(merged["definition"] or "")
    if definition not in DEFINITIONS:
        raise ValidationError({"definition": ValidationError(
            _("Choose one of the KPI definitions."), code="invalid")})
    computed = definition != "manual"
    unit = str(merged["unit"] or "").strip()
    if computed and unit:
        raise ValidationError({"unit": ValidationError(_(
            "A computed KPI takes its unit from its definition; leave the unit empty."),
            code="invalid")})
    direction = DEFINITIONS[definition].direction if computed else str(merged["direction"] or "")
    if direction not in Direction.values:
        raise ValidationError({"direction": ValidationError(
            _("Choose whether higher or lower is better."), code="required")})
    parameters = _parameters(definition, merged["parameters"] or {})
    target = _decimal(merged["target"], "target", _("Enter the target as a number."))
    if DEFINITIONS[definition].unit == "%" and not (0 <= target <= 100):
        raise ValidationError({"target": ValidationError(
            _("A rate's target is between 0 and 100."), code="invalid")})
    if computed and target < 0:
        raise ValidationError({"target": ValidationError(
            _("The target cannot be negative."), code="invalid")})
    target_on = merged["target_on"]
    if not isinstance(target_on, dt.date):
        raise ValidationError({"target_on": ValidationError(
            _("Enter the date by which the target should be reached."), code="required")})
    _date_not_past(target_on, before=None if creating else kpi.target_on, today=today,
                   field="target_on",
                   message=_("The target date %(date)s has already passed. Choose a later date."))
    order = merged["order"]
    if order in (None, ""):
        order = (Kpi.objects.order_by("-order").values_list("order", flat=True).first() or 0) + 1 \
            if creating else kpi.order
    save_with_audit(kpi, actor=actor, fields=KPI_FIELDS, action_prefix="plan_kpi", data={
        "name": name, "definition": definition, "parameters": parameters,
        "direction": direction, "unit": unit, "target": target, "target_on": target_on,
        "description": str(merged["description"] or "").strip(), "order": int(order)})
    return kpi


@transaction.atomic
def kpi_archive(*, actor: Actor, kpi: Kpi, archived: bool = True) -> Kpi:
    """Take a KPI off the plan (its items keep the link) or put it back."""
    if kpi.archived != archived:
        audit_record(actor=actor, action="plan_kpi.archive", obj=kpi,
                     changes={"archived": [kpi.archived, archived]})
        kpi.archived = archived
        kpi.save(update_fields=["archived", "updated_at"])
    return kpi


@transaction.atomic
def reading_save(*, actor: Actor, kpi: Kpi, data: Mapping[str, Any], today: dt.date
                 ) -> KpiReading:
    """Record a manual KPI's value on a date (one a day, not in the future)."""
    if kpi.definition != "manual":
        raise ValidationError({"value": ValidationError(_(
            "Values are entered for manual KPIs only; this KPI is computed from somu's data."),
            code="computed")})
    on = data.get("on")
    if not isinstance(on, dt.date):
        raise ValidationError({"on": ValidationError(_("Enter the date."), code="required")})
    if on > today:
        raise ValidationError({"on": ValidationError(
            _("A value cannot be dated in the future."), code="future")})
    if KpiReading.objects.filter(kpi=kpi, on=on).exists():
        raise ValidationError({"on": ValidationError(_(
            "There is already a value on %(date)s; delete it first to enter another.")
            % {"date": on.strftime("%Y/%m/%d")}, code="unique")})
    value = _decimal(data.get("value"), "value", _("Enter the value as a number."))
    # Readings are entered and deleted, never edited: one action, not save_with_audit's two.
    reading = KpiReading(organization_id=kpi.organization_id, kpi=kpi, on=on, value=value,
                         note=str(data.get("note") or "").strip())
    reading.full_clean()
    reading.save()
    audit_record(actor=actor, action="plan_reading.create", obj=reading,
                 object_repr=f"{kpi.name} {on.isoformat()}"[:200],
                 changes={f: [None, v] for f, v in snapshot(reading, READING_FIELDS).items()
                          if f != "kpi"})
    return reading


@transaction.atomic
def reading_delete(*, actor: Actor, reading: KpiReading) -> None:
    audit_record(actor=actor, action="plan_reading.delete", obj=reading,
                 object_repr=f"{reading.kpi.name} {reading.on.isoformat()}"[:200],
                 changes={"on": [reading.on.isoformat(), None],
                          "value": [str(reading.value), None]})
    reading.delete()
