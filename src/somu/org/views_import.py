"""People import pages (placeholder until the import lands)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from somu.core.permissions import IMPORT_PEOPLE
from somu.core.web import org_view


@org_view(IMPORT_PEOPLE)
def people_import(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound()


@org_view(IMPORT_PEOPLE)
def people_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return HttpResponseNotFound()
