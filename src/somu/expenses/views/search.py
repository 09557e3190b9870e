"""The 電帳法 search page and its ZIP export (SEARCH_EXPENSES: accounting staff, auditors)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from somu.core.requests import AuthedRequest
from somu.core.web import org_view
from somu.expenses import permissions as p
from somu.expenses.selectors.search import MAX_RESULTS, search_lines, search_params
from somu.expenses.services.search_export import search_export


@org_view(p.SEARCH_EXPENSES)
def search(request: AuthedRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    results = None
    params = None
    try:
        params = search_params(request.GET)
    except ValidationError as exc:
        errors = exc.message_dict
    if params is not None and not params.empty:
        results = list(search_lines(params)[:MAX_RESULTS + 1])
    return render(request, "expenses/accounting/search.html", {
        "values": request.GET, "errors": errors, "general": errors.get("__all__", []),
        "results": (results or [])[:MAX_RESULTS],
        "searched": results is not None, "more": results is not None
        and len(results) > MAX_RESULTS, "max": MAX_RESULTS,
        "query": request.GET.urlencode()}, status=422 if errors else 200)


@org_view(p.SEARCH_EXPENSES)
def search_download(request: AuthedRequest) -> HttpResponse:
    try:
        params = search_params(request.GET)
        name, data = search_export(membership=request.membership, params=params)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        return render(request, "expenses/accounting/search.html", {
            "values": request.GET, "errors": errors, "general": errors.get("__all__", []),
            "results": [], "searched": False},
            status=422)
    return HttpResponse(data, content_type="application/zip", headers={
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=name)})
