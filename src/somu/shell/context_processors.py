from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from somu.core import permissions, registry
from somu.org import selectors as org_selectors


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class NavGroup:
    label: str
    links: list[NavLink]


def navigation(request: HttpRequest, checker: permissions.PermissionChecker) -> list[NavGroup]:
    """The side navigation the registered apps declare, as this member may see it: a link
    whose permissions the member lacks is left out, and a section with no link left is too."""
    path = request.path
    groups = []
    for section in registry.nav_sections():
        links = []
        for item in section.items:
            if item.permissions and not any(checker[p] for p in item.permissions):
                continue
            url = reverse(item.url_name)
            current = path == url if item.exact else any(f in path for f in item.active)
            links.append(NavLink(str(item.label), url, current))
        if links:
            groups.append(NavGroup(str(section.label), links))
    return groups


def header_items(request: HttpRequest) -> SafeString:
    """What the apps add to the top bar (the notification bell), as one piece of HTML."""
    parts = [item(request) for item in registry.functions("header")]
    return format_html_join("", "{}", ((part,) for part in parts if part))


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: the organization, the user's other organizations, the nav."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    can = permissions.PermissionChecker(membership)
    return {
        "membership": membership,
        "organization": membership.organization,
        "memberships": org_selectors.memberships_of_user(user=request.user),  # type: ignore[arg-type]
        "can": can,
        "nav": navigation(request, can),
        # Lazy: a partial htmx answer never renders the top bar, so it never runs its queries.
        "header_items": SimpleLazyObject(lambda: header_items(request)),
    }
