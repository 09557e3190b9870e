"""`somu approvals export-rules --org SLUG [--revision N] [--out FILE.xlsx] [--actor USERNAME]
[--date YYYY-MM-DD]`: the 決裁権限規程 as Excel.

The revision in force today (or on ``--date``), or revision ``--revision N``, in the workbook
``somu approvals import-rules`` reads back unchanged. Written to ``--out`` (default: the
revision's own file name in the current directory). The export is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.approvals import rules_excel
from somu.approvals.models import RuleVersion
from somu.approvals.services import chart
from somu.core import tenancy
from somu.org.commands import organization_and_actor


class Command(BaseCommand):
    help = "Export the approval rules (決裁権限規程) in force, or one revision, as .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--revision", type=int, metavar="N", help="the revision's number")
        parser.add_argument("--date", metavar="YYYY-MM-DD",
                            help="the revision in force on this day (default: today)")
        parser.add_argument("--out", help="the file to write (default: named after the revision)")
        parser.add_argument("--actor", help="username recorded in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        organization, actor = organization_and_actor(options["org"], options["actor"])
        today = timezone.localdate()
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else today
        except ValueError:
            raise CommandError(_("Write the date as YYYY-MM-DD: %(value)s") % {
                "value": options["date"]}) from None
        with tenancy.activate(organization):
            if options["revision"] is not None:
                version = RuleVersion.objects.filter(number=options["revision"]).first()
                if version is None:
                    raise CommandError(_("No revision %(number)d of the approval rules.") % {
                        "number": options["revision"]})
            else:
                version = chart.version_in_force(day)
                if version is None:
                    raise CommandError(_("No approval rules are in force on %(day)s.") % {
                        "day": day.isoformat()})
            content = rules_excel.rules_export(version=version, actor=actor, today=today)
            out = Path(options["out"] or rules_excel.export_filename(version))
        out.write_bytes(content)
        self.stdout.write(_("Wrote revision %(number)d to %(path)s.") % {
            "number": version.number, "path": out})
