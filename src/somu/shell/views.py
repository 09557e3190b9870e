"""Shell pages: home, login/logout, account (password, API tokens), organization switch."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.views import PasswordResetView
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from somu.core import registry
from somu.core.passwords import PasswordChangeForm
from somu.core.permissions import has_perm
from somu.core.requestid import current_request_id
from somu.core.requests import AuthedRequest
from somu.core.web import org_view
from somu.org import selectors as org_selectors
from somu.org import services as org_services
from somu.org.models import Membership
from somu.org.permissions import VIEW_ORG


def _client_ip(request: HttpRequest) -> str:
    """The client's address; behind a trusted proxy, the address that proxy saw."""
    from django.conf import settings

    remote = str(request.META.get("REMOTE_ADDR", ""))
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    if forwarded and remote in settings.SOMU_PROXY_IPS:
        # The rightmost entry is the one our own proxy appended; earlier ones the client can forge.
        return forwarded.split(",")[-1].strip()
    return remote


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing further tries after too many recent failures."""

    def clean(self) -> dict[str, Any]:
        username = self.data.get("username", "")
        if org_selectors.login_is_throttled(username=username, ip=_client_ip(self.request)):  # type: ignore[arg-type]
            raise ValidationError(
                _("Too many failed logins. Wait a few minutes and try again."), code="throttled"
            )
        try:
            return super().clean()
        except ValidationError:
            org_services.login_failure_record(username=username, ip=_client_ip(self.request))  # type: ignore[arg-type]
            raise


@never_cache
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST":
        form = ThrottledAuthenticationForm(request, data=request.POST)
        if form.is_valid():
            login(request, form.get_user())
            return HttpResponseRedirect(next_url or "/")
    else:
        form = ThrottledAuthenticationForm(request)
    return render(request, "login.html", {"form": form, "next": next_url})


class PasswordReset(PasswordResetView):
    """「パスワードをお忘れですか」: Django's reset by email, its link on SOMU_BASE_URL.

    Nobody is logged in here, so no organization's base URL applies: the deployment's does.
    The page answers the same whether or not an account has the address (no account probing).
    """

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        self.extra_email_context = {"base_url": org_selectors.link_base_url()}
        return super().form_valid(form)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@org_view(None)
def home(request: AuthedRequest) -> HttpResponse:
    """Each person's starting point: what waits for them (steps, surveys), and for those who
    oversee the organization the few figures that need attention, each linked to its list.
    What each app adds comes from its registry entry. Every member has one; the people
    register's counts show to those who may see it (not to an executive)."""
    membership: Membership = request.membership
    day = timezone.localdate()  # the clock the tests freeze

    def gather(attribute: str) -> list[Any]:
        return [item for panel in registry.functions(attribute)
                for item in panel(membership=membership, today=day)]

    return render(request, "home.html", {
        "summary": org_selectors.organization_summary()
        if has_perm(membership, VIEW_ORG) else None,
        "leads": gather("home_leads"),
        "waiting": gather("home_waiting"),
        "attention": gather("home_attention"),
    })


@login_required
def account(request: HttpRequest) -> HttpResponse:
    membership: Membership | None = getattr(request, "membership", None)
    tokens = org_selectors.api_token_list(membership=membership) if membership else []
    # What the apps add (notification settings), each rendered by its own app.
    sections = [section(request) for section in registry.functions("account_sections")
                ] if membership else []
    return render(request, "account.html", {
        "tokens": tokens,
        "new_token": request.session.pop("new_token", None),
        "sections": [s for s in sections if s],
    })


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)  # type: ignore[arg-type]
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password has been changed."))
        return redirect("account")
    return render(request, "password_change.html", {"form": form})


@require_POST
@org_view(VIEW_ORG)
def token_create(request: AuthedRequest) -> HttpResponse:
    try:
        _token, raw = org_services.api_token_create(
            actor=request.user, membership=request.membership,
            name=request.POST.get("name", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        # Shown once on the next page, then gone from the session.
        request.session["new_token"] = raw
    return redirect("account")


@require_POST
@org_view(VIEW_ORG)
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(
        org_selectors.api_token_list(membership=request.membership),
        pk=token_id,
    )
    org_services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("account")


@require_POST
@login_required
def switch_organization(request: HttpRequest) -> HttpResponse:
    try:
        organization_id = int(request.POST.get("organization_id", ""))
    except ValueError:
        organization_id = 0
    chosen = [m for m in org_selectors.memberships_of_user(user=request.user)  # type: ignore[arg-type]
              if m.organization_id == organization_id]
    if not chosen:
        return render(request, "404.html", status=404)
    request.session["organization_id"] = organization_id
    return redirect("home")


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the process answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": []}}, status=status)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(403, "forbidden", "Permission denied.")
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(404, "not_found", "Not found.")
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return _api_error(500, "server_error", "Internal error; it has been logged.")
    # No request context: its processors read the session and the database, which may be what
    # just failed. The request id lets an operator find the log line of this error.
    return HttpResponse(
        loader.render_to_string("500.html", {"request_id": current_request_id()}), status=500)
