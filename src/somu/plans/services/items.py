"""Improvement items (改善施策): creating, editing, moving on the board, deleting.

Every rule is here, so the pages and the API refuse the same things. The work an item starts
(a template for 標準化, a training run for 多能工化) is in :mod:`somu.plans.training`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from somu.audit.services import audit_record, diff, snapshot
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.notify.services import notify
from somu.org.models import Organization, Person
from somu.org.services import Actor
from somu.plans.models import FindingKind, Item, ItemKind, ItemStatus, Kpi, Scenario

# What a caller may set; ``number``, ``status`` and the links to the work are the services'.
# The learner, the teacher and the target level are not here: they are set only by
# :func:`somu.plans.training.item_training`, which checks them (the teacher can teach the task,
# the learner is still below the target), so no edit records a teacher who cannot teach.
FIELDS: Final = (
    "title", "kind", "description", "owner", "due_on", "kpi", "finding", "round", "task",
    "person", "expected_hours", "expected_capable", "expected_cost", "effort_hours",
    "effort_cost", "vendor", "moves_on", "scenario",
)
AUDITED: Final = (*FIELDS, "learner", "teacher", "target_level", "status", "done_on",
                  "template", "training_run")
# Moves the board refuses: a finished item is not proposed or planned again (reopen it as 実施中).
REFUSED_MOVES: Final = {
    (ItemStatus.DONE, ItemStatus.PROPOSED), (ItemStatus.DONE, ItemStatus.PLANNED),
}
DELETABLE: Final = (ItemStatus.PROPOSED, ItemStatus.CANCELLED)
NOTIFICATION_KIND: Final = "plans.item_assigned"
MAX_AMOUNT: Final = Decimal("9999999")
MAX_YEN: Final = 2_000_000_000


def _decimal(value: Any, field: str, errors: dict[str, str]) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        errors[field] = _("Enter a number.")
        return Decimal(0)
    if not number.is_finite() or number < 0:
        errors[field] = _("Enter zero or a positive number.")
    elif number > MAX_AMOUNT:
        errors[field] = _("Enter a number of at most 9,999,999.")
    return number.quantize(Decimal("0.01")) if number.is_finite() else Decimal(0)


def _integer(value: Any, field: str, errors: dict[str, str]) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Enter a whole number.")
        return 0
    if number < 0:
        errors[field] = _("Enter zero or a positive number.")
    elif number > MAX_YEN:
        errors[field] = _("Enter a number of at most 2,000,000,000.")
    return number


def _of_this_org(value: Any, field: str, model: type[models.Model], org_id: int,
                 errors: dict[str, str]) -> Any:
    """A linked record must belong to the item's organization (an id from another one is
    refused, never linked)."""
    if value is None:
        return None
    if not isinstance(value, model) or getattr(value, "organization_id", None) != org_id:
        errors[field] = _("Choose one of this organization's records.")
        return None
    return value


def clean(data: Mapping[str, Any], *, item: Item | None, org_id: int,
          today: dt.date) -> dict[str, Any]:
    """The values to store, or ``ValidationError`` naming every wrong field (nothing stored)."""
    unknown = set(data) - set(FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)!r} cannot be set here")
    current = {name: getattr(item, name) for name in FIELDS} if item is not None else {}
    merged = {**current, **data}
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    title = str(merged.get("title") or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    out["title"] = title[:200]
    kind = merged.get("kind") or ""
    if kind not in ItemKind.values:
        errors["kind"] = _("Choose the type of the item.")
    out["kind"] = kind
    out["description"] = str(merged.get("description") or "").strip()
    finding = merged.get("finding") or ""
    if finding not in FindingKind.values:
        errors["finding"] = _("Unknown finding.")
    out["finding"] = finding
    due_on = merged.get("due_on")
    if due_on is not None and not isinstance(due_on, dt.date):
        errors["due_on"] = _("Enter a date.")
        due_on = None
    # A past due date is refused when it is set, not when an old item is edited otherwise.
    changed_due = item is None or (item.due_on != due_on)
    if due_on is not None and changed_due and due_on < today:
        errors["due_on"] = _("The due date %(date)s is in the past: choose today or a later "
                             "date.") % {"date": due_on.isoformat()}
    out["due_on"] = due_on
    moves_on = merged.get("moves_on")
    if moves_on is not None and not isinstance(moves_on, dt.date):
        errors["moves_on"] = _("Enter a date.")
        moves_on = None
    out["moves_on"] = moves_on
    from somu.survey.models import SurveyRound, Task

    for field, model in (("owner", Person), ("person", Person), ("kpi", Kpi),
                         ("round", SurveyRound), ("task", Task), ("scenario", Scenario)):
        out[field] = _of_this_org(merged.get(field), field, model, org_id, errors)
    owner = out["owner"]
    if owner is not None and not owner.is_active and (item is None or item.owner_id != owner.pk):
        errors["owner"] = _("%(name)s has retired: choose someone who is still here.") % {
            "name": owner.name}
    out["vendor"] = str(merged.get("vendor") or "").strip()[:200]
    for field in ("expected_hours", "effort_hours"):
        out[field] = _decimal(merged.get(field), field, errors)
    for field in ("expected_capable", "expected_cost", "effort_cost"):
        out[field] = _integer(merged.get(field), field, errors)
    if errors:
        raise ValidationError(errors)
    return out


def item_url(item: Item) -> str:
    return reverse("plans:item_detail", args=[item.pk])


def _notify_owner(item: Item) -> None:
    if item.owner_id is None:
        return
    owner = Person.objects.get(pk=item.owner_id)
    notify(recipient=owner, kind=NOTIFICATION_KIND,
           title=_("Improvement item #%(number)s is yours: %(title)s")
           % {"number": item.number, "title": item.title},
           body=_("Due %(date)s.") % {"date": item.due_on.isoformat()} if item.due_on else "",
           url=item_url(item), about=item)


def next_number(org_id: int) -> int:
    """The next item number of the organization. The organization's row is locked first, so two
    items created at the same moment queue here instead of both taking the same number."""
    list(Organization.objects.select_for_update().filter(pk=org_id).values_list("pk"))
    return (Item.objects.filter(organization_id=org_id).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def item_create(*, actor: Actor, data: Mapping[str, Any], today: dt.date) -> Item:
    """A new item on the board (提案), numbered per organization; its owner is told."""
    org_id = tenancy.active_organization_id()
    values = clean(data, item=None, org_id=org_id, today=today)
    item = Item(organization_id=org_id, number=next_number(org_id), **values)
    item.save()
    audit_record(actor=actor, action="plan_item.create", obj=item,
                 changes=diff({}, snapshot(item, AUDITED)))
    _notify_owner(item)
    return item


def _locked(item: Item) -> Item:
    return Item.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def item_update(*, actor: Actor, item: Item, data: Mapping[str, Any], today: dt.date) -> Item:
    """Change an item's fields; a new owner is told."""
    item = _locked(item)
    values = clean(data, item=item, org_id=item.organization_id, today=today)
    before = snapshot(item, AUDITED)
    previous_owner = item.owner_id
    for name, value in values.items():
        setattr(item, name, value)
    changes = diff(before, snapshot(item, AUDITED))
    if not changes:
        return item
    item.save()
    audit_record(actor=actor, action="plan_item.update", obj=item, changes=changes)
    if item.owner_id != previous_owner:
        _notify_owner(item)
    return item


# The board's columns as the back office names them (the model's labels are shared words such
# as "In progress", which other pages translate differently).
STATUS_LABELS: Final = {
    ItemStatus.PROPOSED: pgettext_lazy("improvement item", "Proposed"),
    ItemStatus.PLANNED: pgettext_lazy("improvement item", "Planned"),
    ItemStatus.IN_PROGRESS: pgettext_lazy("improvement item", "In progress"),
    ItemStatus.DONE: pgettext_lazy("improvement item", "Done"),
    ItemStatus.CANCELLED: pgettext_lazy("improvement item", "Cancelled"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS[ItemStatus(status)]) if status in ItemStatus.values else status


def status_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in STATUS_LABELS.items()]


@transaction.atomic
def item_move(*, actor: Actor, item: Item, status: str, today: dt.date,
              from_status: str | None = None) -> Item:
    """Move an item to another column of the board. ``from_status`` is the column the mover
    saw it in: if someone moved it meanwhile, the move is refused (:class:`Conflict`) rather
    than silently applied twice. 完了 records today as the day it was done."""
    if status not in ItemStatus.values:
        raise ValidationError({"status": _("Choose one of the board's columns.")})
    item = _locked(item)
    if item.status == status or (from_status is not None and item.status != from_status):
        raise Conflict(_("Item #%(number)s is already in “%(status)s” (someone moved it "
                         "meanwhile). Reload the board.")
                       % {"number": item.number, "status": status_label(item.status)})
    if (item.status, status) in REFUSED_MOVES:
        raise ValidationError({"status": _(
            "A done item cannot go back to “%(status)s”: move it to “In progress” to reopen it.")
            % {"status": status_label(status)}})
    before = snapshot(item, AUDITED)
    item.status = status
    if status == ItemStatus.DONE:
        item.done_on = today
    elif status != ItemStatus.CANCELLED:
        item.done_on = None
    item.save()
    audit_record(actor=actor, action="plan_item.move", obj=item,
                 changes=diff(before, snapshot(item, AUDITED)))
    return item


@transaction.atomic
def item_delete(*, actor: Actor, item: Item) -> None:
    """Delete a proposed or cancelled item (one that started is kept: cancel it instead)."""
    item = _locked(item)
    if item.status not in DELETABLE:
        raise ValidationError(_("Only proposed or cancelled items can be deleted; cancel this "
                                "one instead (its history stays)."))
    audit_record(actor=actor, action="plan_item.delete", obj=item,
                 object_repr=str(item), changes=diff(snapshot(item, AUDITED), {}))
    item.delete()


def set_work(item: Item, **values: Any) -> dict[str, Any]:
    """Record the work an item started (its template or training run, status): the changes,
    for the caller to audit under its own action. Called inside the caller's transaction with
    ``item`` locked."""
    before = snapshot(item, AUDITED)
    for name, value in values.items():
        setattr(item, name, value)
    changes = diff(before, snapshot(item, AUDITED))
    if changes:
        item.save()
    return changes


def hide_personal_figures(items: list[Item], *, personal: bool) -> list[Item]:
    """Items as a viewer may see them: without ``personal`` (executives, managers), an item
    about one person shows no hours or cost (they are that person's load, over-hours or
    over-qualified cost); its people stay named. The instances are for display: never saved."""
    from somu.plans.measure import about_a_person

    if not personal:
        for item in items:
            if about_a_person(item):
                item.expected_hours = None  # type: ignore[assignment]
                item.expected_cost = None  # type: ignore[assignment]
    return items

