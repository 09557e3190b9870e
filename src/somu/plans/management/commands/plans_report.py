"""`somu plans report --org SLUG --period quarter --start 2026-07-01 [--xlsx F] [--pdf F]`.

Writes the activity report (活動報告) of a month or fiscal quarter as an Excel workbook and/or
a PDF. The report is made (its figures computed and kept, as the page does) unless one exists
for the period; ``--today`` sets the day the figures are computed on (default: today).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.core import tenancy
from somu.org.models import Organization
from somu.plans.models import Report
from somu.plans.services import reports as services


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(text)s") % {"text": text}) from None


class Command(BaseCommand):
    help = "Make (or write again) the activity report of a month or fiscal quarter."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--period", choices=("month", "quarter"), default="quarter")
        parser.add_argument("--start", help="first day of the period (YYYY-MM-DD); default: "
                            "the last complete month or quarter")
        parser.add_argument("--title", default="")
        parser.add_argument("--today", help="the day the figures are computed on (YYYY-MM-DD)")
        parser.add_argument("--xlsx", help="the .xlsx file to write")
        parser.add_argument("--pdf", help="the .pdf file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        outs = [Path(p) for p in (options["xlsx"], options["pdf"]) if p]
        for out in outs:
            if not out.parent.is_dir():
                raise CommandError(_("No such directory: %(path)s") % {"path": out.parent})
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(_("No organization with slug %(slug)r.") % {"slug": options["org"]})
        today = _date(options["today"]) if options["today"] else timezone.localdate()
        with tenancy.activate(organization):
            start = (_date(options["start"]) if options["start"] else
                     services.latest_complete(options["period"], today=today).starts_on)
            report = Report.objects.filter(period=options["period"], starts_on=start).first()
            made = report is None
            if report is None:
                try:
                    report = services.report_create(actor=None, period=options["period"],
                                                    starts_on=start, title=options["title"],
                                                    today=today)
                except ValidationError as exc:
                    raise CommandError(" ".join(exc.messages)) from None
            figures = report.figures
            written = []
            if options["xlsx"]:
                from somu.plans.report_book import build_report_xlsx

                written.append((Path(options["xlsx"]), build_report_xlsx(report, figures)))
            if options["pdf"]:
                from somu.plans.report_pdf import build_report_pdf

                written.append((Path(options["pdf"]), build_report_pdf(report, figures)))
        for path, data in written:
            try:
                path.write_bytes(data)
            except OSError as exc:
                raise CommandError(_("Cannot write %(path)s: %(error)s")
                                   % {"path": path, "error": exc.strerror or exc}) from exc
        lines = [(_("Made %(title)s.") if made else _("Existing report: %(title)s.")) % {
            "title": report.title}]
        lines += [_("Wrote %(path)s (%(size)d KB).") % {"path": p, "size": max(1, len(d) // 1024)}
                  for p, d in written]
        self.stdout.write("\n".join(lines))
