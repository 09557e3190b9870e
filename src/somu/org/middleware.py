"""The binding of each request to one user and one organization (after authentication)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from somu.core import tenancy
from somu.org import selectors as org_selectors
from somu.org.models import ApiToken, Membership


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
        token: ApiToken | None = None
        membership: Membership | None = None
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
            membership = token.membership
            # A bearer token is not a cookie: cross-site request forgery cannot use it.
            request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        elif request.user.is_authenticated:
            membership = org_selectors.membership_for_session(
                user=request.user, organization_id=request.session.get("organization_id")
            )

        # What somu.core.requests.AuthedRequest declares; HttpRequest has no such attributes.
        vars(request).update(
            membership=membership, api_token=token,
            organization=membership.organization if membership is not None else None,
        )
        if membership is None:
            with tenancy.deactivate():
                return self.get_response(request)
        with tenancy.activate(membership.organization_id):
            return self.get_response(request)
