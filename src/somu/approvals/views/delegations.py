"""代理承認 pages: one's delegations (an administrator's: everyone's), setting one, ending one,
and the people one is deputy for."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from somu.approvals import permissions as p
from somu.approvals.forms_requests import DelegationForm
from somu.approvals.models import Delegation
from somu.approvals.services import delegations as services
from somu.core.errors import Conflict
from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, org_view


def _listed(request: AuthedRequest) -> tuple[list[Delegation], list[Delegation], bool]:
    """(delegations shown as "mine" — everyone's for an administrator —, those where one is the
    deputy, whether one administers them)."""
    membership = request.membership
    admin = has_perm(membership, p.MANAGE_APPROVALS)
    qs = Delegation.objects.select_related("principal", "deputy").prefetch_related(
        "request_types").order_by("-start", "-pk")
    person_id = membership.person_id or 0
    mine = list(qs if admin else qs.filter(principal_id=person_id))
    deputy_for = list(qs.filter(deputy_id=person_id, revoked_at__isnull=True,
                                end__gte=timezone.localdate()))
    return mine, deputy_for, admin


@require_http_methods(["GET", "POST"])
@org_view(p.SUBMIT_REQUESTS)
def delegation_list(request: AuthedRequest) -> HttpResponse:
    membership = request.membership
    admin = has_perm(membership, p.MANAGE_APPROVALS)
    form = DelegationForm(request.POST or None, admin=admin)
    status = 200
    if request.method == "POST" and form.is_valid():
        principal = form.cleaned_data.get("principal") or membership.person
        deputy = form.cleaned_data.get("deputy")
        if principal is None:
            form.add_error(None, _("Your account is not linked to a person of the organization; "
                                   "ask an administrator to link it."))
        elif deputy is None:
            form.add_error("deputy", _("Choose the deputy."))
        else:
            try:
                services.delegation_create(
                    membership=membership, principal=principal, deputy=deputy,
                    start=form.cleaned_data["start"], end=form.cleaned_data["end"],
                    request_types=form.cleaned_data["request_types"],
                    note=form.cleaned_data["note"], now=timezone.now())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("%(deputy)s decides for %(principal)s from %(start)s "
                                            "to %(end)s.") % {
                    "deputy": deputy.name, "principal": principal.name,
                    "start": form.cleaned_data["start"].isoformat(),
                    "end": form.cleaned_data["end"].isoformat()})
                return redirect("approvals:delegation_list")
    if request.method == "POST":
        status = 400
    mine, deputy_for, admin = _listed(request)
    today = timezone.localdate()
    return render(request, "approvals/delegations/list.html", {
        "form": form, "mine": mine, "deputy_for": deputy_for, "admin": admin, "today": today,
    }, status=status)


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def delegation_revoke(request: AuthedRequest, delegation_id: int) -> HttpResponse:
    membership = request.membership
    scope = Q() if has_perm(membership, p.MANAGE_APPROVALS) else Q(
        principal_id=membership.person_id or 0)
    delegation = get_object_or_404(Delegation.objects.filter(scope), pk=delegation_id)
    try:
        services.delegation_revoke(membership=membership, delegation=delegation,
                                   now=timezone.now())
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The delegation to %(name)s has ended.")
                         % {"name": delegation.deputy.name})
    return redirect("approvals:delegation_list")
