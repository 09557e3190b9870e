"""The organization settings page (admins only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, org_view
from somu.org import services
from somu.org.forms import OrganizationSettingsForm
from somu.org.models import Organization
from somu.org.permissions import MANAGE_ORGANIZATION


def _initial(organization: Organization) -> dict[str, object]:
    return {
        "name": organization.name,
        "weekend_days": [str(day) for day in organization.weekend_days],
        "standard_monthly_hours": organization.standard_monthly_hours,
        "digest_hour": "" if organization.digest_hour is None else str(organization.digest_hour),
        "base_url": organization.base_url,
        "fiscal_year_start_month": str(organization.fiscal_year_start_month),
    }


@org_view(MANAGE_ORGANIZATION)
def organization_settings(request: AuthedRequest) -> HttpResponse:
    organization: Organization = request.membership.organization
    form = OrganizationSettingsForm(request.POST or None, initial=_initial(organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(
                actor=request.user, organization=organization, data=form.cleaned_data
            )
        except ValidationError as exc:
            organization.refresh_from_db()
            apply_errors(form, exc)
        else:
            messages.success(request, _("The organization settings have been saved."))
            return redirect("org:settings")
    return render(request, "org/simple_form.html", {
        "form": form, "title": _("Organization settings"), "back": "home",
    })
