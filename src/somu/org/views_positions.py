"""The 役職 (positions) pages: the ranked list, add, rename or re-rank, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somu.core.web import apply_errors, org_view
from somu.org import selectors, services_positions
from somu.org.forms import PositionForm
from somu.org.models import Position
from somu.org.permissions import MANAGE_STRUCTURE, VIEW_ORG


@org_view(VIEW_ORG)
def position_list(request: HttpRequest) -> HttpResponse:
    return render(request, "org/position_list.html", {"positions": selectors.position_list()})


@org_view(MANAGE_STRUCTURE)
def position_edit(request: HttpRequest, position_id: int | None = None) -> HttpResponse:
    position = get_object_or_404(Position, pk=position_id) if position_id else None
    form = PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and form.is_valid():
        try:
            services_positions.position_save(actor=request.user, position=position,
                                             data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The position has been saved."))
            return redirect("org:position_list")
    return render(request, "org/simple_form.html", {
        "form": form, "title": _("Edit position") if position else _("Add position"),
        "back": "org:position_list",
    })


@require_POST
@org_view(MANAGE_STRUCTURE)
def position_delete(request: HttpRequest, position_id: int) -> HttpResponse:
    position = get_object_or_404(Position, pk=position_id)
    try:
        services_positions.position_delete(actor=request.user, position=position)
    except services_positions.PositionInUse as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The position has been deleted."))
    return redirect("org:position_list")
