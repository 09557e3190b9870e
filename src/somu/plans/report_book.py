"""The activity report (活動報告) as an Excel workbook: one sheet per section, with native charts
(hours by function, KPIs against their targets, items by status, on-time steps by month), in the
survey report's style (:class:`somu.survey.report_book.Book`). Reads only the stored figures."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from somu.plans import report_text as fmt
from somu.plans.models import Report
from somu.survey.report_book import Book, Col


def _insert(ws: Any, row: int, col: int, chart: Any) -> None:
    if chart is not None:
        ws.insert_chart(row, col, chart)


def _rows_chart(book: Book, kind: str, sheet: str, title: str, first: int, last: int,
                cat_col: int, series: list[tuple[str, int]], subtype: str | None = None,
                **options: Any) -> Any:
    if last < first:  # no rows: no chart (an empty range would make Excel repair the file)
        return None
    chart = book.chart(kind, subtype, title=title, legend=len(series) > 1, **options)
    for name, col in series:
        chart.add_series({"name": name, "categories": [sheet, first, cat_col, last, cat_col],
                          "values": [sheet, first, col, last, col]})
    return chart


def build_report_xlsx(report: Report, figures: dict[str, Any]) -> bytes:
    """The workbook of ``report`` from ``figures`` (already filtered for the viewer)."""
    buffer = io.BytesIO()
    book = Book(buffer)
    _summary(book, report, figures)
    _procedures(book, figures["procedures"])
    if figures.get("requests") is not None:
        _requests(book, figures["requests"])
    _hours(book, figures.get("hours"))
    _kpis(book, figures.get("kpis"))
    _items(book, figures["items"])
    _risks(book, figures.get("risks"))
    book.wb.close()
    return buffer.getvalue()


def _summary(book: Book, report: Report, figures: dict[str, Any]) -> None:
    ws = book.sheet(pgettext("activity report", "Summary"))
    ws.write_string(0, 0, report.title, book.title)
    head = [(_("Period"), f"{report.starts_on.isoformat()} – {report.ends_on.isoformat()}"),
            (_("Made on"), figures["made_on"])]
    for i, (key, value) in enumerate(head, start=2):
        ws.write_string(i, 0, key, book.bold)
        ws.write_string(i, 1, value)
    top = 5
    if report.comment:
        ws.write_string(top, 0, _("Comment"), book.bold)
        ws.write_string(top, 1, report.comment, book.fmt["wrap"])
        ws.set_row(top, 15 * min(12, report.comment.count("\n") + 2))
        top += 2
    book.table(ws, [Col(_("Figure"), width=44), Col(_("Value"), width=28)],
               fmt.summary(figures), top=top, autofilter=False, freeze=False)


def _procedures(book: Book, proc: dict[str, Any]) -> None:
    name = _("Procedures")
    ws = book.sheet(name)
    months = proc["by_month"]
    book.table(ws, [Col(_("Month"), width=12), Col(_("Steps completed"), "int"),
                    Col(_("With a due date"), "int"), Col(_("By the due date"), "int"),
                    Col(_("On-time rate"), "rate")],
               [(m["label"], m["completed"], m["with_due"], m["on_time"], m["rate"])
                for m in months], autofilter=False)
    chart = _rows_chart(book, "column", name, _("Steps completed by their due date, by month"),
                        1, len(months), 0, [(_("On-time rate"), 4)],
                        y={"min": 0, "max": 1, "num_format": "0%"}, width=620, height=320)
    _insert(ws, 0, 6, chart)
    top = len(months) + 18
    book.table(ws, [Col(_("Procedure"), width=36), Col(_("Runs launched"), "int"),
                    Col(_("Runs completed"), "int")],
               [(t["name"], t["launched"], t["completed"]) for t in proc["by_template"]],
               top=top, freeze=False, autofilter=False)


def _requests(book: Book, req: dict[str, Any]) -> None:
    ws = book.sheet(_("Requests"))
    rows = [(r["name"], r["submitted"], r["approved"], r["rejected"]) for r in req["by_type"]]
    rows.append((_("Total"), req["submitted"], req["approved"], req["rejected"]))
    book.table(ws, [Col(_("Request type"), width=28), Col(_("Submitted"), "int"),
                    Col(_("Approved"), "int"), Col(_("Rejected"), "int")], rows,
               autofilter=False)


def _hours(book: Book, hours: dict[str, Any] | None) -> None:
    name = _("Hours by function")
    ws = book.sheet(name)
    if hours is None:
        ws.write_string(0, 0, _("No closed survey round by the end of the period."), book.note)
        return
    previous = hours["previous_round"]["name"] if hours["previous_round"] else None
    cols = [Col(_("Function"), width=18), Col(hours["round"]["name"], "hours")]
    if previous:
        cols += [Col(previous, "hours"), Col(_("Change"), "hours")]
    rows = [[r["function"], r["hours"]] + ([r["previous"], r["change"]] if previous else [])
            for r in hours["by_function"]]
    n = book.table(ws, cols, rows, autofilter=False)
    series = [(hours["round"]["name"], 1)] + ([(previous, 2)] if previous else [])
    chart = _rows_chart(book, "bar", name, _("Hours by function (h/month)"), 1, n, 0, series,
                        y={"reverse": True}, height=max(320, 40 * n + 120))
    _insert(ws, 0, len(cols) + 1, chart)


def _kpis(book: Book, kpis: list[dict[str, Any]] | None) -> None:
    name = "KPI"
    ws = book.sheet(name)
    if not kpis:
        ws.write_string(0, 0, _("No KPIs are set."), book.note)
        return
    rows = [(k["name"] + (f"（{k['parameters']}）" if k.get("parameters") else ""),
             k["current"], k["target"], k["unit"], k["target_on"],
             fmt.kpi_progress(k), fmt.kpi_state(k)) for k in kpis]
    n = book.table(ws, [Col(_("KPI"), width=30), Col(_("Current"), "hours"),
                        Col(_("Target"), "hours"), Col(_("Unit"), width=9),
                        Col(_("Target date"), width=12), Col(_("Towards the target"), "rate"),
                        Col(_("State"), width=14)], rows, autofilter=False)
    chart = _rows_chart(book, "bar", name, _("KPIs against their targets (100% = reached)"),
                        1, n, 0, [(_("Towards the target"), 5)],
                        x={"min": 0, "num_format": "0%"}, y={"reverse": True},
                        height=max(320, 36 * n + 120))
    _insert(ws, n + 3, 0, chart)


def _items(book: Book, items: dict[str, Any]) -> None:
    name = _("Improvement items")
    ws = book.sheet(name)
    statuses = items["by_status"]
    book.table(ws, [Col(_("Status"), width=14), Col(_("Items"), "int")],
               [(s["label"], s["count"]) for s in statuses], autofilter=False, freeze=False)
    chart = _rows_chart(book, "column", name, _("Improvement items by status"), 1,
                        len(statuses), 0, [(_("Items"), 1)], width=520, height=300)
    _insert(ws, 0, 3, chart)
    top = 18
    ws.write_string(top, 0, _("Done in the period"), book.bold)
    book.table(ws, [Col("No.", "int", width=6), Col(_("Title"), width=36),
                    Col(_("Type"), width=22), Col(pgettext("improvement item", "Owner"), width=14),
                    Col(_("Done on"), width=12), Col(_("Expected effect"), width=26),
                    Col(_("Measured effect"), "wrap", width=36)],
               [(i["number"], i["title"], i["kind_label"], i["owner"], i["done_on"],
                 fmt.expected(i), fmt.effect(i)) for i in items["done"]],
               top=top + 1, freeze=False, autofilter=False)
    top += len(items["done"]) + 4
    ws.write_string(top, 0, _("Open items"), book.bold)
    book.table(ws, [Col("No.", "int", width=6), Col(_("Title"), width=36),
                    Col(_("Type"), width=22), Col(pgettext("improvement item", "Owner"), width=14),
                    Col(_("Status"), width=12), Col(_("Due date"), width=12),
                    Col(_("Past due"), "flag", width=8)],
               [(i["number"], i["title"], i["kind_label"], i["owner"], i["status_label"],
                 i["due_on"], i["overdue"]) for i in items["open"]],
               top=top + 1, freeze=False, autofilter=False)


def _risks(book: Book, risks: dict[str, Any] | None) -> None:
    ws = book.sheet(_("Risks"))
    if risks is None:
        ws.write_string(0, 0, _("No closed survey round by the end of the period."), book.note)
        return
    ws.write_string(0, 0, _("From the survey round %(round)s") % {"round": risks["round"]["name"]},
                    book.bold)
    top = 2
    ws.write_string(top, 0, _("Person-dependent tasks, largest first"), book.bold)
    n = book.table(ws, [Col(_("Task"), width=30), Col(_("Function"), width=14),
                        Col(_("Hours (h/month)"), "hours"), Col(_("Who can do it"), width=24)],
                   [(t["task"], t["function"], t["hours"], "、".join(t["people"]))
                    for t in risks["dependent_tasks"]], top=top + 1, freeze=False,
                   autofilter=False)
    top += n + 4
    ws.write_string(top, 0, _("If they left: the people whose work nobody else can do"),
                    book.bold)
    personal = any("orphaned_hours" in r for r in risks["retirement"])
    cols = [Col(_("Person"), width=16)] + ([Col(_("Orphaned hours"), "hours"),
                                            Col(_("Nobody could absorb"), "hours")]
                                           if personal else [])
    n = book.table(ws, cols, [[r["person"]] + ([r["orphaned_hours"], r["unabsorbed_hours"]]
                                               if personal else [])
                              for r in risks["retirement"]], top=top + 1, freeze=False,
                   autofilter=False)
    top += n + 4
    ws.write_string(top, 0, _("Overloaded people"), book.bold)
    personal = any("utilization" in r for r in risks["overloaded"])
    cols = [Col(_("Person"), width=16)] + ([Col(_("Hours (h/month)"), "hours"),
                                            Col(_("Capacity"), "hours"),
                                            Col(_("Utilization"), "rate")] if personal else [])
    book.table(ws, cols, [[r["person"]] + ([r["load"], r["capacity"], r["utilization"]]
                                           if personal else [])
                          for r in risks["overloaded"]], top=top + 1, freeze=False,
               autofilter=False)
