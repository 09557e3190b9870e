"""Writes for 役職 (positions) and 部署長 (a department's head): the ranked list approval routes
resolve "the requester's 部長" against, and who heads each department.

Kept apart from :mod:`somu.org.services` (at its size limit); the rules are the same kind:
keyword-only arguments, validated here, recorded in the audit log.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, diff, save_with_audit, snapshot
from somu.core.errors import Conflict
from somu.org import services
from somu.org.models import Department, Person, PersonStatus, Position
from somu.org.services import Actor

POSITION_FIELDS = ("name", "rank")


def _key(name: str) -> str:
    """How position names are compared: NFKC and without spaces (「部　長」 is 「部長」)."""
    return "".join(unicodedata.normalize("NFKC", name).split()).casefold()


@transaction.atomic
def position_save(*, actor: Actor, position: Position | None, data: Mapping[str, Any]) -> Position:
    """Add a 役職 (``position=None``) or rename it / change its rank.

    The name is required and unique in the organization (compared without spaces and
    full-/half-width differences); the rank is 1 (most senior) or more. Several positions may
    share a rank (部長 and 室長).
    """
    position = position or Position()
    data = dict(data)
    errors: dict[str, ValidationError] = {}
    if "name" in data:
        data["name"] = (data["name"] or "").strip()
    name = data.get("name", position.name)
    if not name:
        errors["name"] = ValidationError(_("Give the position a name."))
    elif any(_key(other.name) == _key(name)
             for other in Position.objects.exclude(pk=position.pk).only("name")):
        errors["name"] = ValidationError(_("A position with this name already exists."),
                                         code="unique")
    rank = data.get("rank", position.rank)
    if rank is None or isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        errors["rank"] = ValidationError(
            _("The rank is a whole number from 1 (the most senior) upwards."))
    if errors:
        raise ValidationError(errors)
    save_with_audit(position, actor=actor, fields=POSITION_FIELDS, data=data,
                    action_prefix="position")
    return position


class PositionInUse(Conflict):
    """People still hold the position: it clashes with the current state (409)."""

    def __init__(self, count: int) -> None:
        super().__init__(_(
            "%(count)s people hold this position (retired people included); give them another "
            "position first."
        ) % {"count": count})


@transaction.atomic
def position_delete(*, actor: Actor, position: Position) -> None:
    """Delete a position nobody holds; :class:`PositionInUse` when someone still does
    (a retired person too: their record keeps the position they left with)."""
    if count := Person.objects.filter(position=position).count():
        raise PositionInUse(count)
    audit_record(actor=actor, action="position.delete", obj=position,
                 changes=diff(snapshot(position, POSITION_FIELDS), {}))
    position.delete()


# ---- 部署長 -----------------------------------------------------------------------------------


def department_head_problem(department: Department, head: Person | None) -> str | None:
    """Why ``head`` cannot head ``department`` (None if they can, or if nobody is chosen)."""
    if head is None:
        return None
    if head.organization_id != department.organization_id:
        return _("Choose a person of this organization.")
    if head.status != PersonStatus.ACTIVE and head.pk != department.head_id:
        return _("A retired person cannot head a department.")
    return None


@transaction.atomic
def department_head_set(*, actor: Actor, department: Department,
                        head: Person | None) -> Department:
    """Make ``head`` the department's head (部署長), or leave the post vacant with None.

    The head is an active person of the same organization; they need not belong to the
    department itself (a 本部長 often sits in one of its 部). Recorded as a change of the
    department."""
    if problem := department_head_problem(department, head):
        raise ValidationError({"head": problem})
    save_with_audit(department, actor=actor, fields=("head",), data={"head": head},
                    action_prefix="department")
    return department


@transaction.atomic
def department_save(*, actor: Actor, department: Department | None,
                    data: Mapping[str, Any]) -> Department:
    """Create (``department=None``) or change a department, its head included: what the
    department form and the API send. Without ``head`` in ``data`` the head is left alone."""
    fields = {name: value for name, value in data.items() if name != "head"}
    if department is None:
        department = services.department_create(
            actor=actor, name=fields["name"], code=fields.get("code", ""),
            parent=fields.get("parent"))
    else:
        services.department_update(actor=actor, department=department, data=fields)
    if "head" in data:
        department_head_set(actor=actor, department=department, head=data["head"])
    return department
