"""People import pages: the upload form with its column reference, and the template files."""

from __future__ import annotations

from typing import IO, Any, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from somu.core.permissions import IMPORT_PEOPLE
from somu.core.tabular import ImportFailed, RowError
from somu.core.web import org_view, render_page
from somu.org import importing

# A file where every row is wrong would list tens of thousands of errors; the first few hundred
# show the pattern, the CLI prints them all.
ERRORS_SHOWN = 500

TEMPLATE_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


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
    upload = request.FILES.get("file")
    errors: list[RowError] = []
    result = None
    if upload is None or not upload.name:
        errors = [RowError(None, "", "", _("Choose an .xlsx or .csv file to import."))]
    elif upload.size is not None and upload.size > settings.SOMU_IMPORT_MAX_BYTES:
        errors = [RowError(None, "", upload.name, _(
            "The file is too large: at most %(size)s."
        ) % {"size": filesizeformat(settings.SOMU_IMPORT_MAX_BYTES)})]
    else:
        try:
            result = importing.people_import(
                actor=request.user, source=cast(IO[bytes], upload), filename=upload.name
            )
        except ImportFailed as exc:
            errors = exc.errors
    return {
        "posted": True,
        "filename": upload.name if upload is not None else "",
        "result": result,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
    }


@org_view(IMPORT_PEOPLE)
def people_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in TEMPLATE_TYPES:
        raise Http404
    content = importing.template_xlsx() if fmt == "xlsx" else importing.template_csv()
    return HttpResponse(content, content_type=TEMPLATE_TYPES[fmt], headers={
        "Content-Disposition": content_disposition_header(
            as_attachment=True, filename=f"somu-people-import.{fmt}"
        ),
    })
