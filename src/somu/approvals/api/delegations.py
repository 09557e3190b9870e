"""/api/v1/approvals/delegations: 代理承認 periods. One sees and sets one's own (as the absent
approver or the deputy); an administrator of approvals sees and sets everyone's."""


from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path, Router
from ninja.pagination import paginate
from ninja.responses import Status

import somu.approvals.api.common as common
from somu.approvals import permissions as p
from somu.approvals.api.common import person_of
from somu.approvals.models import Delegation, RequestType
from somu.approvals.schemas import DelegationIn, DelegationOut
from somu.approvals.services import base
from somu.approvals.services import delegations as services
from somu.core.api import MAX_ID, PagePagination, errors
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.org.models import Membership

router = Router(tags=["approvals"])

DelegationId = Path(..., ge=1, le=MAX_ID)


def _visible(membership: Membership) -> QuerySet[Delegation]:
    qs = Delegation.objects.select_related("principal", "deputy").prefetch_related(
        "request_types")
    if has_perm(membership, p.MANAGE_APPROVALS):
        return qs
    if membership.person_id is None:
        return qs.none()
    return qs.filter(Q(principal_id=membership.person_id) | Q(deputy_id=membership.person_id))


@router.get("/delegations", response={200: list[DelegationOut], **errors(403, 422)},
            summary="Delegations: one's own (as absent approver or deputy), or all for "
                    "administrators",
            operation_id="somu_approvals_api_delegation_list")
@paginate(PagePagination)
def delegation_list(request: AuthedRequest) -> Any:
    return _visible(request.auth).order_by("-start", "-pk")


@router.post("/delegations", response={201: DelegationOut, **errors(403, 422)},
             summary="Let a deputy decide for an absent approver from one day to another",
             operation_id="somu_approvals_api_delegation_create")
def delegation_create(request: AuthedRequest, payload: DelegationIn) -> Status[Any]:
    membership = request.auth
    if not has_perm(membership, p.MANAGE_APPROVALS):
        require(membership, p.SUBMIT_REQUESTS)
    principal = person_of(payload.principal_id, "principal_id") or base.acting_person(membership)
    deputy = person_of(payload.deputy_id, "deputy_id")
    assert deputy is not None
    wanted = set(payload.request_type_ids)
    types = list(RequestType.objects.filter(pk__in=[i for i in wanted if 0 < i <= MAX_ID]))
    if len(types) != len(wanted):
        raise ValidationError({"request_type_ids": [_("Choose request types of this "
                                                      "organization.")]})
    created = services.delegation_create(
        membership=membership, principal=principal, deputy=deputy, start=payload.start,
        end=payload.end, request_types=types, note=payload.note, now=common.now())
    return Status(201, _visible(membership).get(pk=created.pk))


@router.post("/delegations/{delegation_id}/revoke",
             response={200: DelegationOut, **errors(403, 404, 409, 422)},
             summary="End a delegation now",
             operation_id="somu_approvals_api_delegation_revoke")
def delegation_revoke(request: AuthedRequest, delegation_id: int = DelegationId) -> Delegation:
    found = _visible(request.auth).filter(pk=delegation_id).first()
    if found is None:
        raise Http404
    services.delegation_revoke(membership=request.auth, delegation=found, now=common.now())
    return _visible(request.auth).get(pk=delegation_id)
