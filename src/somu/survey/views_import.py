"""Import and export pages of the work survey: the inventory as Excel, and a round's hours."""

from __future__ import annotations

from typing import IO, Any, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from somu.core.permissions import MANAGE_SURVEY
from somu.core.tabular import ImportFailed, RowError
from somu.core.web import org_view, render_page
from somu.survey import importing, importing_inventory, selectors

# A file where every row is wrong would list tens of thousands of errors; the first few hundred
# show the pattern, the CLI prints them all.
ERRORS_SHOWN = 500

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
TEMPLATE_LAYOUTS = ("long", "wide")


def _download(content: bytes, fmt: str, filename: str) -> HttpResponse:
    return HttpResponse(content, content_type=CONTENT_TYPES[fmt], headers={
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename),
    })


def _upload(request: HttpRequest) -> tuple[UploadedFile | None, list[RowError]]:
    """The uploaded file, or why there is none to import."""
    upload = request.FILES.get("file")
    if upload is None or not upload.name:
        return None, [RowError(None, "", "", _("Choose an .xlsx or .csv file to import."))]
    if upload.size is not None and upload.size > settings.SOMU_IMPORT_MAX_BYTES:
        return None, [RowError(None, "", upload.name, _(
            "The file is too large: at most %(size)s."
        ) % {"size": filesizeformat(settings.SOMU_IMPORT_MAX_BYTES)})]
    return upload, []


def _outcome(upload: UploadedFile | None, result: object, errors: list[RowError]
             ) -> dict[str, Any]:
    return {
        "posted": True,
        "filename": upload.name if upload is not None else "",
        "result": result,
        "errors": errors[:ERRORS_SHOWN],
        "error_count": len(errors),
    }


# ---- the inventory -------------------------------------------------------------------------------


@org_view(MANAGE_SURVEY)
@require_GET
def task_export(request: HttpRequest) -> HttpResponse:
    filename = f"業務一覧-{timezone.localdate():%Y%m%d}.xlsx"
    return _download(importing_inventory.task_export_xlsx(), "xlsx", filename)


@org_view(MANAGE_SURVEY)
@require_http_methods(["GET", "POST"])
def task_import(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "columns": importing_inventory.COLUMN_HELP,
        "rules": importing_inventory.RULES,
        "max_bytes": settings.SOMU_IMPORT_MAX_BYTES,
    }
    if request.method == "POST":
        upload, errors = _upload(request)
        result = None
        if upload is not None:
            try:
                result = importing_inventory.task_import(
                    actor=request.user, source=cast(IO[bytes], upload), filename=upload.name or "")
            except ImportFailed as exc:
                errors = exc.errors
        context.update(_outcome(upload, result, errors))
    return render_page(request, "survey/import_tasks.html", context,
                       partial="survey/_import_tasks_result.html")


# ---- a round's hours -----------------------------------------------------------------------------


@org_view(MANAGE_SURVEY)
@require_http_methods(["GET", "POST"])
def hours_import(request: HttpRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    layout = request.POST.get("layout", "auto")
    create_tasks = request.POST.get("create_tasks") == "on"
    context: dict[str, Any] = {
        "survey_round": survey_round,
        "layout": layout,
        "create_tasks": create_tasks,
        "layouts": [("auto", _("Detect from the headers")),
                    ("long", _("One row per person and task (long)")),
                    ("wide", _("Tasks as rows, people as columns (matrix)"))],
        "long_columns": importing.LONG_HELP,
        "wide_columns": importing.WIDE_HELP,
        "rules": importing.RULES,
        "max_bytes": settings.SOMU_IMPORT_MAX_BYTES,
    }
    if request.method == "POST":
        upload, errors = _upload(request)
        result = None
        if layout not in importing.LAYOUTS:
            upload, errors = None, [RowError(None, "", layout, _("Choose a layout."))]
        if upload is not None:
            try:
                result = importing.hours_import(
                    actor=request.user, survey_round=survey_round,
                    source=cast(IO[bytes], upload), filename=upload.name or "",
                    layout=layout, create_tasks=create_tasks,  # type: ignore[arg-type]
                )
            except ImportFailed as exc:
                errors = exc.errors
        context.update(_outcome(upload, result, errors))
    return render_page(request, "survey/import_hours.html", context,
                       partial="survey/_import_hours_result.html")


@org_view(MANAGE_SURVEY)
@require_GET
def hours_import_template(request: HttpRequest, layout: str, fmt: str) -> HttpResponse:
    if layout not in TEMPLATE_LAYOUTS or fmt not in CONTENT_TYPES:
        raise Http404
    content = (importing.hours_template_xlsx(layout) if fmt == "xlsx"
               else importing.hours_template_csv(layout))
    return _download(content, fmt, f"somu-survey-{layout}.{fmt}")
