from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from somu.core import permissions


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: the organization, the user's other organizations, the nav."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    from somu.org import selectors as org_selectors

    return {
        "membership": membership,
        "organization": membership.organization,
        "memberships": org_selectors.memberships_of_user(user=request.user),  # type: ignore[arg-type]
        "can": permissions.PermissionChecker(membership),
    }
