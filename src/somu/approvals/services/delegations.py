"""代理承認: who decides for whom, from when to when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from somu.approvals import permissions as p
from somu.approvals.models import Delegation, RequestType
from somu.approvals.services.base import acting_person, audit_actor
from somu.audit.services import audit_record
from somu.core.errors import Conflict
from somu.core.permissions import has_perm
from somu.org.models import Membership, Person


@transaction.atomic
def delegation_create(*, membership: Membership, principal: Person, deputy: Person,
                      start: dt.date | None, end: dt.date | None,
                      request_types: Iterable[RequestType] = (), note: str = "",
                      now: dt.datetime) -> Delegation:
    """``deputy`` decides for ``principal`` from ``start`` to ``end`` (both included).

    One sets one's own delegation; an administrator sets anyone's (e.g. for a sudden absence).
    """
    # An administrator needs no person of their own (their account may be linked to none).
    if not has_perm(membership, p.MANAGE_APPROVALS) and principal.pk != acting_person(
            membership).pk:
        raise PermissionDenied(_("You can set a delegation only for yourself."))
    errors: dict[str, str] = {}
    if deputy.pk == principal.pk:
        errors["deputy"] = _("Choose someone else: a delegation to oneself decides nothing.")
    elif not deputy.is_active:
        errors["deputy"] = _("%(name)s has retired.") % {"name": deputy.name}
    if start is None:
        errors["start"] = _("Enter the first day.")
    if end is None:
        errors["end"] = _("Enter the last day.")
    if start is not None and end is not None and end < start:
        errors["end"] = _("The last day is before the first day.")
    if errors or start is None or end is None:
        raise ValidationError(errors)
    types = list(request_types)
    delegation = Delegation.objects.create(principal=principal, deputy=deputy, start=start,
                                           end=end, note=note.strip()[:300], created_at=now,
                                           created_by=audit_actor(membership))
    delegation.request_types.set(types)
    audit_record(actor=audit_actor(membership), action="approval_delegation.create", obj=delegation,
                 object_repr=f"{principal.name} → {deputy.name}",
                 changes={"principal": [None, principal.name], "deputy": [None, deputy.name],
                          "start": [None, start], "end": [None, end],
                          "request_types": [None, [t.name for t in types] or None]})
    return delegation


@transaction.atomic
def delegation_revoke(*, membership: Membership, delegation: Delegation,
                      now: dt.datetime) -> Delegation:
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if not has_perm(membership, p.MANAGE_APPROVALS) and delegation.principal_id != \
            acting_person(membership).pk:
        raise PermissionDenied(_("You can end only your own delegations."))
    if delegation.revoked_at is not None:
        raise Conflict(_("This delegation has already been ended."))
    delegation.revoked_at = now
    delegation.save(update_fields=["revoked_at"])
    audit_record(actor=audit_actor(membership), action="approval_delegation.revoke", obj=delegation,
                 object_repr=f"{delegation.principal.name} → {delegation.deputy.name}",
                 changes={"revoked_at": [None, now]})
    return delegation
