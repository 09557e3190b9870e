"""Small helpers shared by the page views of every app."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from somu.core.permissions import require

View = TypeVar("View", bound=Callable[..., HttpResponse])

PAGE_SIZE = 50


def org_view(perm: str | None) -> Callable[[View], View]:
    """A page of the active organization: login, a membership and ``perm`` are required
    (``None``: any member's page, such as the home page)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = getattr(request, "membership", None)
            if membership is None:
                return render(request, "no_organization.html", status=403)
            if perm is not None:
                require(membership, perm)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def apply_errors(form: BaseForm, exc: ValidationError,
                 field_map: Mapping[str, str] | None = None) -> None:
    """Show a service's validation error next to the fields it names, else at the form's top.

    ``field_map`` names the form field for a service field called differently (``{"rule":
    "kind"}``); a message for a field the form does not have goes to the top.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, messages in exc.message_dict.items():
        target = (field_map or {}).get(name, name)
        form.add_error(target if target in form.fields else None, messages)


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
