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
from django.views.decorators.http import require_GET, require_http_methods

from somu.core.permissions import IMPORT_PEOPLE
from somu.core.tabular import ImportFailed, RowError
from somu.core.uploads import (
    SPREADSHEET_TYPES,
    UploadExpired,
    checked_upload,
    expired_error,
    import_outcome,
    spreadsheet_download,
    upload_keep,
    upload_take,
)
from somu.core.web import org_view, render_page
from somu.org import exporting, importing
from somu.org.views import person_filters


@org_view(IMPORT_PEOPLE)
@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """Upload → preview (nothing written) → confirm. The file is kept server-side between the
    two steps (see :mod:`somu.core.uploads`), so the import is the file that was previewed."""
    context: dict[str, Any] = {
        "columns": importing.COLUMN_HELP,
        "rules": importing.RULES,
        "max_bytes": settings.SOMU_IMPORT_MAX_BYTES,
        "create_departments": request.POST.get("create_departments") == "on",
        "shown": PREVIEW_SHOWN,
    }
    if request.method == "POST":
        if request.POST.get("token"):
            context.update(_import_confirm(request))
        else:
            context.update(_import_preview(request, context["create_departments"]))
    return render_page(request, "org/people_import.html", context,
                       partial="org/_people_import_result.html")


PREVIEW_SHOWN = 200  # people listed per group in the preview; the counts cover them all


def _import_preview(request: HttpRequest, create_departments: bool) -> dict[str, Any]:
    upload, errors = checked_upload(request)
    result = None
    token = ""
    if upload is not None:
        try:
            result = importing.people_import(
                actor=request.user, source=cast(IO[bytes], upload), filename=upload.name or "",
                create_departments=create_departments, dry_run=True,
            )
        except ImportFailed as exc:
            errors = exc.errors
        else:
            membership = request.membership  # type: ignore[attr-defined]
            token = upload_keep(upload=upload, purpose="org.people", user_id=request.user.pk,
                                organization_id=membership.organization_id,
                                options={"create_departments": create_departments})
    return {**import_outcome(upload, result, errors), "token": token}


def _import_confirm(request: HttpRequest) -> dict[str, Any]:
    membership = request.membership  # type: ignore[attr-defined]
    try:
        kept = upload_take(token=request.POST["token"], purpose="org.people",
                           user_id=request.user.pk, organization_id=membership.organization_id)
    except UploadExpired:
        return import_outcome(None, None, [expired_error()])
    result = None
    errors: list[RowError] = []
    try:
        result = importing.people_import(
            actor=request.user, source=kept.path, filename=kept.filename,
            create_departments=bool(kept.options.get("create_departments")),
        )
    except ImportFailed as exc:  # the people changed since the preview
        errors = exc.errors
    finally:
        kept.path.unlink(missing_ok=True)
    return {**import_outcome(None, result, errors), "filename": kept.filename}


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
