"""People import and export pages: the upload form with its column reference, the template
files, and the export of the people list in the columns the import reads."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from somu.core.requests import AuthedRequest
from somu.core.tabular import Source
from somu.core.uploads import (
    SPREADSHEET_TYPES,
    import_steps,
    spreadsheet_download,
)
from somu.core.web import org_view, render_page
from somu.org import exporting, importing, importing_template
from somu.org.permissions import IMPORT_PEOPLE
from somu.org.views import person_filters


@org_view(IMPORT_PEOPLE)
@require_http_methods(["GET", "POST"])
def people_import(request: AuthedRequest) -> HttpResponse:
    """Upload → preview (nothing written) → confirm. The file is kept server-side between the
    two steps (see :mod:`somu.core.uploads`), so the import is the file that was previewed."""
    context: dict[str, Any] = {
        "columns": importing_template.COLUMN_HELP,
        "rules": importing_template.RULES,
        "max_bytes": settings.SOMU_IMPORT_MAX_BYTES,
        "create_departments": request.POST.get("create_departments") == "on",
        "shown": PREVIEW_SHOWN,
    }
    if request.method == "POST":
        context.update(import_steps(
            request, purpose="org.people",
            options={"create_departments": context["create_departments"]},
            run=partial(_run, actor=request.user),
        ))
    return render_page(request, "org/people_import.html", context,
                       partial="org/_people_import_result.html")


PREVIEW_SHOWN = 200  # people listed per group in the preview; the counts cover them all


def _run(source: Source, filename: str, options: dict[str, Any], dry_run: bool,
         *, actor: Any) -> importing.ImportResult:
    return importing.people_import(
        actor=actor, source=source, filename=filename, dry_run=dry_run,
        create_departments=bool(options.get("create_departments")),
    )


@org_view(IMPORT_PEOPLE)
def people_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in SPREADSHEET_TYPES:
        raise Http404
    content = (importing_template.template_xlsx() if fmt == "xlsx"
               else importing_template.template_csv())
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
    # Named as the page is (人員) and dated the day the file is made; the two CSV encodings
    # must not arrive as the same name in the Downloads folder.
    stem = f"{_('People')}-{timezone.localdate():%Y%m%d}"
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
    suffix = "-sjis" if encoding == "cp932" else ""
    response = spreadsheet_download(content, "csv", f"{stem}{suffix}.csv")
    if encoding == "cp932":
        response["Content-Type"] = "text/csv; charset=shift_jis"
    return response
