"""Accounts and roles of the active organization (admins only), and accepting an invitation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from somu.core.passwords import SetPasswordForm
from somu.core.permissions import Role
from somu.core.web import apply_errors, org_view
from somu.org import invitations, selectors, services
from somu.org.models import Invitation, Membership
from somu.org.permissions import MANAGE_MEMBERS
from somu.org.pickers import PersonField

ROLE_CHOICES = [(r.value, r.label) for r in Role]


class InviteForm(forms.Form):
    """Invite someone by email; they join with their own account, existing or new."""

    email = forms.EmailField(label=gettext_lazy("email"))
    # The least-privileged role unless the admin chooses otherwise: forgetting to change it
    # must not hand out an administrator account.
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=ROLE_CHOICES,
                             initial=Role.EMPLOYEE.value)
    person = PersonField(label=gettext_lazy("person"), required=False)


class AddExistingForm(forms.Form):
    """Attach an existing account by username: the deployment's operators (superusers) only."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    # The least-privileged role unless the admin chooses otherwise: forgetting to change it
    # must not hand out an administrator account.
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=ROLE_CHOICES,
                             initial=Role.EMPLOYEE.value)
    person = PersonField(label=gettext_lazy("person"), required=False)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("role"), choices=ROLE_CHOICES)


def _invite(request: HttpRequest, form: InviteForm) -> bool:
    data = form.cleaned_data
    try:
        _invitation, url, sent = invitations.invitation_create(
            actor=request.user, email=data["email"], role=Role(data["role"]),
            person=data["person"], now=timezone.now())
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    if sent:
        messages.success(request, _(
            "An invitation was sent to %(email)s. It is valid for 7 days; you can also give "
            "them this link: %(url)s") % {"email": data["email"], "url": url})
    else:
        messages.warning(request, _(
            "The invitation email could not be sent. Give %(email)s this link instead (valid "
            "for 7 days): %(url)s") % {"email": data["email"], "url": url})
    return True


def _add_existing(request: HttpRequest, form: AddExistingForm) -> bool:
    data = form.cleaned_data
    try:
        membership = invitations.membership_add_existing(
            actor=request.user, username=data["username"], role=Role(data["role"]),
            person=data["person"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return False
    messages.success(request, _("%(user)s can now use this organization.")
                     % {"user": membership.user.username})
    return True


@org_view(MANAGE_MEMBERS)
def member_list(request: HttpRequest) -> HttpResponse:
    # A posted username is the "add an existing account" form, whoever sends it: the service
    # refuses it for everyone but the deployment's operators.
    adding = request.method == "POST" and "username" in request.POST
    invite_form = InviteForm(request.POST if request.method == "POST" and not adding else None)
    add_form = AddExistingForm(request.POST if adding else None)
    if request.method == "POST":
        form: InviteForm | AddExistingForm = add_form if adding else invite_form
        done = form.is_valid() and (
            _add_existing(request, add_form) if adding else _invite(request, invite_form))
        if done:
            return redirect("org:member_list")
    return render(request, "org/member_list.html", {
        "members": selectors.membership_list(),
        "invitations": invitations.invitation_list_open(now=timezone.now()),
        "form": invite_form,
        "add_form": add_form if (request.user.is_superuser or adding) else None,
        "roles": ROLE_CHOICES,
    })


@require_POST
@org_view(MANAGE_MEMBERS)
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        invitations.invitation_revoke(actor=request.user, invitation=invitation,
                                      now=timezone.now())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation has been cancelled."))
    return redirect("org:member_list")


class NewAccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_confirmation = forms.CharField(
        label=gettext_lazy("Password (again)"), strip=False,
        help_text=gettext_lazy("Type the same password again, to be sure it is what you meant."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


def _accept(request: HttpRequest, invitation: Invitation, form: NewAccountForm | None,
            now: datetime) -> bool:
    """Accept as the logged-in user, or with the new account of ``form``; False: form invalid."""
    if form is None:
        invitations.invitation_accept(invitation=invitation, user=request.user,  # type: ignore[arg-type]
                                      now=now)
        return True
    if not form.is_valid():
        return False
    user = invitations.invitation_accept_new_account(
        invitation=invitation, username=form.cleaned_data["username"],
        password=form.cleaned_data["password"],
        password_confirmation=form.cleaned_data["password_confirmation"], now=now)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return True


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: join with the account one is logged in with, or with a new one."""
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return render(request, "404.html", status=404)
    now = timezone.now()
    context: dict[str, Any] = {
        "invitation": invitation, "error": "", "form": None, "closed": False,
        "login_url": f"{reverse('login')}?next={request.path}",
    }
    if not invitation.is_open(now):
        context.update(error=invitations.closed_message(), closed=True)
        return render(request, "org/invitation_accept.html", context, status=410)
    form = None if request.user.is_authenticated else NewAccountForm(request.POST or None)
    context["form"] = form
    if request.method == "POST":
        try:
            accepted = _accept(request, invitation, form, now)
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                form.add_error(None, exc)
            else:
                context["error"] = " ".join(exc.messages)
        else:
            if accepted:
                request.session["organization_id"] = invitation.organization_id
                messages.success(request, _("Welcome to %(organization)s.")
                                 % {"organization": invitation.organization.name})
                return redirect("home")
    return render(request, "org/invitation_accept.html", context)


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


@org_view(MANAGE_MEMBERS)
def member_password(request: HttpRequest, membership_id: int) -> HttpResponse:
    """An administrator sets another account's password (the service says whose it may be)."""
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_id)
    form = SetPasswordForm(membership.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_password_set(actor=request.user, membership=membership,
                                       password=form.cleaned_data["new_password1"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The password of %(user)s has been set. Tell them in "
                                        "person, and ask them to change it after logging in.")
                             % {"user": membership.user.get_username()})
            return redirect("org:member_list")
    return render(request, "org/simple_form.html", {
        "form": form, "back": "org:member_list",
        "title": _("Set the password of %(user)s") % {"user": membership.user.get_username()},
    })
