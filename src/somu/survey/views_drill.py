"""The rows behind a figure of the survey analysis (drill-down), as a page or a CSV file."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from somu.core.requests import AuthedRequest
from somu.core.web import org_view, paginate, querystring_without_page, render_page
from somu.org.selectors import department_paths
from somu.survey import selectors
from somu.survey.drill import DrillError, drill_parse
from somu.survey.models import Capability, CapabilityLevel, SurveyRound
from somu.survey.permissions import VIEW_TEAM_ANALYSIS
from somu.survey.views_analysis import _filename_header, _safe_name, _scope, _scope_label


def _with_capability(rows: QuerySet[Any], survey_round: SurveyRound) -> QuerySet[Any]:
    level = Capability.objects.filter(
        round=survey_round, person_id=OuterRef("person_id"), task_id=OuterRef("task_id")
    ).values("level")[:1]
    return rows.annotate(capability_level=Subquery(level))


CSV_HEADER = ("社員番号", "氏名", "部署", "等級", "部門", "大分類", "中分類", "業務名", "難易度",
              "月間工数(時間)", "対応可能レベル")


def _csv(survey_round: SurveyRound, rows: Iterable[Any]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename_header(
        f"工数明細_{_safe_name(survey_round.name)}.csv", f"survey-{survey_round.pk}-rows.csv")
    response.write("\ufeff")  # the BOM: Excel opens UTF-8 CSV as Shift_JIS without it
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    paths = department_paths()
    for row in rows:
        person, task = row.person, row.task
        writer.writerow([
            person.employee_number, person.name, paths.get(person.department_id, ""),
            person.grade.code if person.grade_id else "", task.function, task.category,
            task.subcategory, task.name, task.difficulty or "", row.hours,
            "" if row.capability_level is None else row.capability_level,
        ])
    return response


@require_GET
@org_view(VIEW_TEAM_ANALYSIS)
def drill_rows(request: AuthedRequest, round_id: int) -> HttpResponse:
    survey_round = selectors.round_get(round_id=round_id)
    scope = _scope(request)
    try:
        parsed = drill_parse(survey_round=survey_round, params=request.GET,
                             department_ids=scope)
    except DrillError as exc:
        return render(request, "survey/analysis_rows.html",
                      {"survey_round": survey_round, "error": str(exc)}, status=400)
    rows = selectors.hours_rows(survey_round=survey_round, drill=parsed.drill,
                                department_ids=scope)
    if request.GET.get("format") == "csv":
        return _csv(survey_round, _with_capability(rows, survey_round).iterator(chunk_size=2000))
    total = rows.aggregate(total=Sum("hours"))["total"] or 0
    context = {
        "survey_round": survey_round, "caption": parsed.caption, "total": total,
        "levels": dict(CapabilityLevel.choices), "paths": department_paths(),
        "scope_label": _scope_label(request) if scope is not None else "",
    }
    if request.GET.get("embed"):
        context["rows"] = _with_capability(rows, survey_round)[:50]
        context["count"] = rows.count()
        # The list is shown inside the dashboard: its link must not be relative to that page.
        context["all_url"] = f"{request.path}?" + urlencode(
            [(k, v) for k, v in request.GET.items() if k != "embed"])
        return render(request, "survey/_analysis_rows_embed.html", context)
    query = querystring_without_page(request)
    context.update({
        "page": paginate(request, _with_capability(rows, survey_round)), "query": query,
        "csv_query": urlencode([*request.GET.items(), ("format", "csv")]),
    })
    return render_page(request, "survey/analysis_rows.html", context,
                       partial="survey/_analysis_rows_table.html")
