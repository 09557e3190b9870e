"""The binding of each request to one user and one organization (after authentication)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from somu.core import tenancy
from somu.org import selectors as org_selectors


class TenancyMiddleware:
    """Resolve who is calling and for which organization, and activate that organization.

    Browser sessions pick the organization from the session (the organization switcher) among the
    user's memberships. API calls with ``Authorization: Bearer <token>`` authenticate with a
    personal API token, which is bound to one membership. Everything after this middleware runs
    inside :func:`somu.core.tenancy.activate`, so every tenant query is scoped.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.organization = None  # type: ignore[attr-defined]
        request.api_token = None  # type: ignore[attr-defined]

        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            token = org_selectors.api_token_authenticate(raw=header[7:].strip())
            if token is None:
                return JsonResponse(
                    {"error": {"code": "unauthorized",
                               "message": "Invalid or revoked API token.", "fields": []}},
                    status=401,
                )
            request.user = token.user
            request.api_token = token  # type: ignore[attr-defined]
            request.membership = token.membership  # type: ignore[attr-defined]
            # A bearer token is not a cookie: cross-site request forgery cannot use it.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        elif request.user.is_authenticated:
            request.membership = org_selectors.membership_for_session(  # type: ignore[attr-defined]
                user=request.user, organization_id=request.session.get("organization_id")
            )

        membership = request.membership  # type: ignore[attr-defined]
        if membership is None:
            with tenancy.deactivate():
                return self.get_response(request)
        request.organization = membership.organization  # type: ignore[attr-defined]
        with tenancy.activate(membership.organization_id):
            return self.get_response(request)
