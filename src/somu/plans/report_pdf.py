"""The activity report (活動報告) as an A4 PDF an executive can forward (ReportLab, with the
built-in Japanese CID fonts that :mod:`somu.approvals.printing_pdf` uses: the viewer draws the
glyphs with its own Japanese fonts). Reads only the stored figures."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from somu.plans import report_text as fmt
from somu.plans.models import Report

GOTHIC = "HeiseiKakuGo-W5"
GREY = colors.HexColor("#555555")
LINE = colors.HexColor("#999999")
SHADE = colors.HexColor("#e8eef6")
BLUE = colors.HexColor("#2f6db5")
LIGHT = colors.HexColor("#a9c2e3")
MARGIN = 15 * mm
WIDTH = A4[0] - 2 * MARGIN


def _fonts() -> None:
    if GOTHIC not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(GOTHIC))


def _style(size: float, **kwargs: Any) -> ParagraphStyle:
    return ParagraphStyle(f"r{size}{sorted(kwargs.items())}", fontName=GOTHIC, fontSize=size,
                          leading=size * 1.45, wordWrap="CJK", **kwargs)


def _p(text: Any, size: float = 8.5, **kwargs: Any) -> Paragraph:
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), _style(size, **kwargs))


def _heading(text: str) -> list[Flowable]:
    return [Spacer(0, 5 * mm), _p(text, 12, textColor=BLUE), Spacer(0, 1.5 * mm)]


def _table(head: list[str], rows: list[list[Any]], widths: Sequence[float]) -> Table:
    scale = WIDTH / sum(widths)
    data = [[_p(h, 8) for h in head]] + [[_p(c) for c in row] for row in rows]
    table = Table(data, colWidths=[w * scale for w in widths], repeatRows=1, splitInRow=1,
                  hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, LINE),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _none(text: str) -> Paragraph:
    return _p(text, 8.5, textColor=GREY)


def _hours_chart(hours: dict[str, Any]) -> Drawing:
    rows = hours["by_function"]
    height = 24 * len(rows) + 50
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 90, 30, WIDTH - 130, height - 45
    current = [r["hours"] or 0 for r in rows]
    previous = [r["previous"] or 0 for r in rows]
    chart.data = [list(reversed(previous)), list(reversed(current))] \
        if hours["previous_round"] else [list(reversed(current))]
    chart.categoryAxis.categoryNames = [r["function"] for r in reversed(rows)]
    chart.categoryAxis.labels.fontName = GOTHIC
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = GOTHIC
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = LIGHT if hours["previous_round"] else BLUE
    if hours["previous_round"]:
        chart.bars[1].fillColor = BLUE
    chart.bars.strokeColor = None
    drawing.add(chart)
    legend = hours["round"]["name"]
    if hours["previous_round"]:
        legend = _("%(current)s (dark), %(previous)s (light)") % {
            "current": legend, "previous": hours["previous_round"]["name"]}
    drawing.add(String(90, 8, legend, fontName=GOTHIC, fontSize=7, fillColor=GREY))
    return drawing


def build_report_pdf(report: Report, figures: dict[str, Any]) -> bytes:
    """The PDF of ``report`` from ``figures`` (already filtered for the viewer)."""
    _fonts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=report.title,
                            subject=_("Activity report"))
    story: list[Flowable] = [
        _p(report.title, 17),
        Spacer(0, 2 * mm),
        _p(_("Period: %(start)s – %(end)s; made on %(made)s") % {
            "start": report.starts_on.isoformat(), "end": report.ends_on.isoformat(),
            "made": figures["made_on"]}, 9, textColor=GREY),
    ]
    if report.comment:
        story += [Spacer(0, 4 * mm), _p(report.comment, 9.5)]
    story += _heading(pgettext("activity report", "Summary"))
    story.append(_table([_("Figure"), _("Value")],
                        [[k, v] for k, v in fmt.summary(figures)], [60, 40]))

    proc = figures["procedures"]
    story += _heading(_("Procedures"))
    story.append(_table(
        [_("Month"), _("Steps completed"), _("With a due date"), _("By the due date"),
         _("On-time rate")],
        [[m["label"] + ("" if m["in_period"] else " *"), fmt.count(m["completed"]),
          fmt.count(m["with_due"]), fmt.count(m["on_time"]), fmt.rate(m["rate"])]
         for m in proc["by_month"]], [24, 19, 19, 19, 19]))
    story.append(_p(_("* before the period, for the trend"), 7, textColor=GREY))

    if figures.get("requests") is not None:
        req = figures["requests"]
        story += _heading(_("Requests"))
        rows = [[r["name"], fmt.count(r["submitted"]), fmt.count(r["approved"]),
                 fmt.count(r["rejected"])] for r in req["by_type"]]
        rows.append([_("Total"), fmt.count(req["submitted"]), fmt.count(req["approved"]),
                     fmt.count(req["rejected"])])
        story.append(_table([_("Request type"), _("Submitted"), _("Approved"), _("Rejected")],
                            rows, [40, 20, 20, 20]))

    hours = figures.get("hours")
    story += _heading(_("Hours by function (h/month)"))
    if hours is None:
        story.append(_none(_("No closed survey round by the end of the period.")))
    else:
        prev = hours["previous_round"]["name"] if hours["previous_round"] else _("Previous round")
        story.append(_table([_("Function"), hours["round"]["name"], prev, _("Change")],
                            [[r["function"], fmt.hours(r["hours"]), fmt.hours(r["previous"]),
                              fmt.change(r["change"])] for r in hours["by_function"]],
                            [34, 22, 22, 22]))
        story += [Spacer(0, 2 * mm), _hours_chart(hours)]

    story += _heading("KPI")
    kpis = figures.get("kpis")
    if not kpis:
        story.append(_none(_("No KPIs are set.")))
    else:
        story.append(_table(
            [_("KPI"), _("Current"), _("Target"), _("Target date"), _("State")],
            [[k["name"] + (f"（{k['parameters']}）" if k.get("parameters") else ""),
              k["current_text"], k["target_text"], k["target_on"], fmt.kpi_state(k)]
             for k in kpis], [34, 18, 18, 15, 15]))

    items = figures["items"]
    story += _heading(_("Improvement items done in the period"))
    if items["done"]:
        story.append(_table([_("No."), _("Title"), _("Type"), _("Expected effect"),
                             _("Measured effect")],
                            [[i["number"], i["title"], i["kind_label"], fmt.expected(i),
                              fmt.effect(i)] for i in items["done"]], [7, 33, 20, 20, 20]))
    else:
        story.append(_none(_("None.")))
    story.append(Spacer(0, 2 * mm))
    story.append(_p(" ／ ".join(f"{s['label']} {s['count']}" for s in items["by_status"]), 8.5))

    risks = figures.get("risks")
    story += _heading(_("Top risks"))
    if risks is None:
        story.append(_none(_("No closed survey round by the end of the period.")))
    else:
        story += _risks(risks)

    def footer(canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(GOTHIC, 7)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 9 * mm, report.title)
        canvas.drawRightString(A4[0] - MARGIN, 9 * mm, f"{document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _risks(risks: dict[str, Any]) -> list[Flowable]:
    story: list[Flowable] = [
        _p(_("From the survey round %(round)s") % {"round": risks["round"]["name"]}, 8,
           textColor=GREY),
        Spacer(0, 1.5 * mm),
        _p(_("Person-dependent tasks, largest first"), 9.5), Spacer(0, 1 * mm),
    ]
    if risks["dependent_tasks"]:
        story.append(_table([_("Task"), _("Function"), _("Hours (h/month)"),
                             _("Who can do it")],
                            [[t["task"], t["function"], fmt.hours(t["hours"]),
                              "、".join(t["people"]) or "—"] for t in risks["dependent_tasks"]],
                            [40, 18, 14, 28]))
    else:
        story.append(_none(_("None.")))
    for title, key, cols in (
        (_("If they left: the people whose work nobody else can do"), "retirement",
         [(_("Orphaned hours"), "orphaned_hours"), (_("Nobody could absorb"),
                                                     "unabsorbed_hours")]),
        (_("Overloaded people"), "overloaded",
         [(_("Hours (h/month)"), "load"), (_("Utilization"), "utilization")]),
    ):
        story += [Spacer(0, 3 * mm), _p(title, 9.5), Spacer(0, 1 * mm)]
        rows = risks[key]
        if not rows:
            story.append(_none(_("None.")))
            continue
        shown = [(label, field) for label, field in cols if field in rows[0]]
        story.append(_table(
            [_("Person")] + [label for label, _f in shown],
            [[r["person"]] + [fmt.rate(r[f]) if f == "utilization" else fmt.hours(r[f])
                              for _l, f in shown] for r in rows],
            [40] + [30] * len(shown)))
    return story
