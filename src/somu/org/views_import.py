"""People import pages: the upload form with its column reference, and the template files."""

from __future__ import annotations

from typing import IO, Any, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from somu.core.permissions import IMPORT_PEOPLE
from somu.core.tabular import ImportFailed
from somu.core.uploads import (
    SPREADSHEET_TYPES,
    checked_upload,
    import_outcome,
    spreadsheet_download,
)
from somu.core.web import org_view, render_page
from somu.org import importing


@org_view(IMPORT_PEOPLE)
def people_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "columns": importing.COLUMN_HELP,
        "rules": importing.RULES,
        "max_bytes": settings.SOMU_IMPORT_MAX_BYTES,
    }
    if request.method == "POST":
        context.update(_import_upload(request))
    return render_page(request, "org/people_import.html", context,
                       partial="org/_people_import_result.html")


def _import_upload(request: HttpRequest) -> dict[str, Any]:
    upload, errors = checked_upload(request)
    result = None
    if upload is not None:
        try:
            result = importing.people_import(
                actor=request.user, source=cast(IO[bytes], upload), filename=upload.name or ""
            )
        except ImportFailed as exc:
            errors = exc.errors
    return import_outcome(upload, result, errors)


@org_view(IMPORT_PEOPLE)
def people_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in SPREADSHEET_TYPES:
        raise Http404
    content = importing.template_xlsx() if fmt == "xlsx" else importing.template_csv()
    return spreadsheet_download(content, fmt, f"somu-people-import.{fmt}")
