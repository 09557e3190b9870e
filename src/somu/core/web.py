"""Small helpers shared by the page views of every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from somu.core.permissions import require

View = TypeVar("View", bound=Callable[..., HttpResponse])

PAGE_SIZE = 50


def org_view(perm: str) -> Callable[[View], View]:
    """A page of the active organization: login, a membership and ``perm`` are required."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "membership", None) is None:
                return render(request, "no_organization.html", status=403)
            require(request.membership, perm)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the whole page, or only ``partial`` when htmx asks for a fragment."""
    if partial is not None and is_htmx(request) and not request.headers.get("HX-Boosted"):
        return render(request, partial, context, status=status)
    return render(request, template, context, status=status)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request: HttpRequest) -> str:
    params = [(k, v) for k, vs in request.GET.lists() for v in vs if k != "page"]
    return urlencode(params)


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None
