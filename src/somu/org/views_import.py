"""People import and export pages: the upload form with its column reference, the template
files, and the export of the people list in the columns the import reads."""

from __future__ import annotations

from typing import IO, Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from somu.core.permissions import IMPORT_PEOPLE
from somu.core.tabular import ImportFailed
from somu.core.uploads import (
    SPREADSHEET_TYPES,
    checked_upload,
    import_outcome,
    spreadsheet_download,
)
from somu.core.web import org_view, render_page
from somu.org import exporting, importing
from somu.org.views import person_filters


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


@org_view(IMPORT_PEOPLE)
@require_GET
def people_export(request: HttpRequest) -> HttpResponse:
    """The people the list shows with the same filters, as .xlsx or .csv (``encoding`` utf-8 or
    cp932). A page URL rather than an API route: the button on the list links here with the
    list's query string, and the file is for people to edit in Excel, not for machines (the API
    lists people as JSON). Exporting the whole register of emails is part of bulk maintenance,
    so it needs the import permission, not just the right to see the list."""
    fmt = request.GET.get("format", "xlsx")
    encoding = request.GET.get("encoding", "utf-8")
    if fmt not in exporting.FORMATS or encoding not in exporting.ENCODINGS:
        raise Http404
    filters, _status = person_filters(request)
    rows = exporting.people_export_rows(filters=filters)
    stem = f"社員-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        return spreadsheet_download(exporting.people_export_xlsx(rows), "xlsx", f"{stem}.xlsx")
    try:
        content = exporting.people_export_csv(rows, encoding=encoding)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        query = request.GET.copy()
        for key in ("format", "encoding"):
            query.pop(key, None)
        return redirect(f"{reverse('org:person_list')}?{query.urlencode()}")
    response = spreadsheet_download(content, "csv", f"{stem}.csv")
    if encoding == "cp932":
        response["Content-Type"] = "text/csv; charset=shift_jis"
    return response
