"""Import and export pages of the work survey: the inventory as Excel, and a round's hours."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from somu.core.requests import AuthedRequest
from somu.core.tabular import RowError, Source
from somu.core.uploads import (
    SPREADSHEET_TYPES,
    import_outcome,
    import_steps,
    spreadsheet_download,
)
from somu.core.web import org_view, render_page
from somu.survey import importing, importing_inventory, selectors
from somu.survey.permissions import MANAGE_SURVEY

TEMPLATE_LAYOUTS = ("long", "wide")


# ---- the inventory -------------------------------------------------------------------------------


@org_view(MANAGE_SURVEY)
@require_GET
def task_export(request: HttpRequest) -> HttpResponse:
    filename = f"業務一覧-{timezone.localdate():%Y%m%d}.xlsx"
    return spreadsheet_download(importing_inventory.task_export_xlsx(), "xlsx", filename)


@org_view(MANAGE_SURVEY)
@require_http_methods(["GET", "POST"])
def task_import(request: AuthedRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "columns": importing_inventory.COLUMN_HELP,
        "rules": importing_inventory.RULES,
        "max_bytes": settings.SOMU_IMPORT_MAX_BYTES,
    }
    if request.method == "POST":
        # Checked first (a preview, nothing saved), imported when the user confirms.
        context.update(import_steps(
            request, purpose="survey.tasks", options={},
            run=lambda source, filename, _options, dry_run: importing_inventory.task_import(
                actor=request.user, source=source, filename=filename, dry_run=dry_run),
        ))
    return render_page(request, "survey/import_tasks.html", context,
                       partial="survey/_import_tasks_result.html")


# ---- a round's hours -----------------------------------------------------------------------------


@org_view(MANAGE_SURVEY)
@require_http_methods(["GET", "POST"])
def hours_import(request: AuthedRequest, round_id: int) -> HttpResponse:
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
    if request.method == "POST" and layout not in importing.LAYOUTS:
        context.update(import_outcome(None, None, [RowError(None, "", layout,
                                                            _("Choose a layout."))]))
    elif request.method == "POST":
        # Checked first (a preview, nothing saved), imported when the user confirms; the
        # confirmation uses the layout and options the file was checked with.
        def run(source: Source, filename: str, options: dict[str, Any],
                dry_run: bool) -> importing.ImportResult:
            return importing.hours_import(
                actor=request.user, survey_round=survey_round, source=source,
                filename=filename, layout=options["layout"],
                create_tasks=bool(options["create_tasks"]), dry_run=dry_run,
            )

        context.update(import_steps(
            request, purpose=f"survey.hours.{survey_round.pk}",
            options={"layout": layout, "create_tasks": create_tasks}, run=run,
        ))
    return render_page(request, "survey/import_hours.html", context,
                       partial="survey/_import_hours_result.html")


@org_view(MANAGE_SURVEY)
@require_GET
def hours_import_template(request: HttpRequest, layout: str, fmt: str) -> HttpResponse:
    if layout not in TEMPLATE_LAYOUTS or fmt not in SPREADSHEET_TYPES:
        raise Http404
    content = (importing.hours_template_xlsx(layout) if fmt == "xlsx"
               else importing.hours_template_csv(layout))
    return spreadsheet_download(content, fmt, f"somu-survey-{layout}.{fmt}")
