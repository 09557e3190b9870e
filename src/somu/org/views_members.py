"""Accounts and roles of the active organization (admins only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from somu.core.permissions import MANAGE_MEMBERS, Role
from somu.core.web import org_view
from somu.org import selectors, services
from somu.org.models import Membership, User
from somu.org.pickers import PersonField

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class MemberForm(forms.Form):
    """Add an account to this organization: a new login, or an existing one by username."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("email"), required=False)
    password = forms.CharField(
        label=gettext_lazy("Initial password"), required=False, widget=forms.PasswordInput,
        help_text=gettext_lazy(
            "Only for a new account. Ask the user to change it after logging in."
        ),
    )
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=ROLE_CHOICES)
    person = PersonField(label=gettext_lazy("person"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        username = data.get("username")
        if username and not User.objects.filter(username=username).exists():
            password = data.get("password") or ""
            if not password:
                self.add_error("password", _("A new account needs an initial password."))
            else:
                try:
                    candidate = User(username=username, email=data.get("email", ""))
                    validate_password(password, candidate)
                except ValidationError as exc:
                    self.add_error("password", exc)
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=ROLE_CHOICES)


@org_view(MANAGE_MEMBERS)
def member_list(request: HttpRequest) -> HttpResponse:
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = User.objects.filter(username=data["username"]).first() or services.user_create(
                actor=request.user, username=data["username"], password=data["password"],
                email=data["email"],
            )
            services.membership_set(actor=request.user, user=user, role=Role(data["role"]),
                                    person=data["person"])
        messages.success(
            request, _("%(user)s can now use this organization.") % {"user": user.username}
        )
        return redirect("org:member_list")
    return render(request, "org/member_list.html", {
        "members": selectors.membership_list(),
        "form": form,
        "roles": ROLE_CHOICES,
    })


@require_POST
@org_view(MANAGE_MEMBERS)
def member_update(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(Membership, pk=membership_id)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot change your own role."))
        return redirect("org:member_list")
    if request.POST.get("deactivate"):
        services.membership_deactivate(actor=request.user, membership=membership)
        messages.success(request, _("The account can no longer use this organization."))
        return redirect("org:member_list")
    form = RoleForm(request.POST)
    if form.is_valid():
        services.membership_set(actor=request.user, user=membership.user,
                                role=Role(form.cleaned_data["role"]), person=membership.person)
        messages.success(request, _("The role has been changed."))
    return redirect("org:member_list")
