"""Request id, and the binding of each request to one user and one organization."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, JsonResponse

from somu.core import tenancy
from somu.core.requestid import request_id_var

if TYPE_CHECKING:
    from somu.org.models import ApiToken, Membership


class RequestIdMiddleware:
    """Give every request an id: in the logs, in the audit log and in the X-Request-ID header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        # Time spent in the app, shown by browsers' dev tools and read by benchmarks/people_list.py.
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        return response


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
        from somu.org import selectors as org_selectors

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


class LanguageMiddleware:
    """Japanese unless the user chose otherwise with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an office PC with an
    English browser would get an English UI; somu is Japanese first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class ApiErrorBodyMiddleware:
    """Under /api/ every error answers with the JSON error body, even those Django or ninja
    produce before our handlers run (405 method not allowed, 413 request too large)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden",
                     404: "not_found", 405: "method_not_allowed", 413: "too_large"}
            code = codes.get(response.status_code, "error")
            body = JsonResponse(
                {"error": {"code": code, "message": code.replace("_", " ").capitalize() + ".",
                           "fields": []}},
                status=response.status_code,
            )
            if response.has_header("Allow"):
                body["Allow"] = response["Allow"]
            return body
        return response
