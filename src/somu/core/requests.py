"""The request as views and API endpoints see it: bound to a member of the active organization."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from somu.org.models import ApiToken, Membership, Organization


class AuthedRequest(HttpRequest):
    """For annotations only: a request never is an instance of it.

    :class:`~somu.core.middleware.TenancyMiddleware` sets ``membership``, ``organization`` and
    ``api_token`` (a bearer call's token, else None) on every request; they are None without a
    member. A page behind :func:`somu.core.web.org_view` and an API endpoint only run with one,
    so ``request: AuthedRequest`` declares them set. On the API, django-ninja puts what the
    authentication returned in ``auth``: the same membership.
    """

    membership: Membership
    organization: Organization
    api_token: ApiToken | None
    auth: Membership
