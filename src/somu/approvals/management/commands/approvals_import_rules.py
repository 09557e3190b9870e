"""`somu approvals import-rules FILE --org SLUG --actor USERNAME --effective-from YYYY-MM-DD
[--note TEXT] [--dry-run]`: the 決裁権限規程 from Excel as a new revision.

The same import as the web page: all or nothing. ``--actor`` names the member who makes the
revision (recorded as its author and in the audit log; they must be allowed to manage the
approvals). ``--dry-run`` checks the file and prints the rows without saving. On failure every
error is printed as ``Row 3, column “承認者”, value “係長”: …`` and the command exits non-zero
with nothing changed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.approvals import rules_excel
from somu.core import tenancy
from somu.core.tabular import ImportFailed, error_line
from somu.org.commands import organization_and_actor
from somu.org.models import Membership


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Write the date as YYYY-MM-DD: %(value)s") % {"value": text}) \
            from None


class Command(BaseCommand):
    help = "Import the approval rules (決裁権限規程) from an .xlsx file as a new revision."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the .xlsx file (the export's format)")
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--actor", required=True,
                            help="username of the member making the revision")
        parser.add_argument("--effective-from", required=True, metavar="YYYY-MM-DD",
                            help="the day the revision takes effect (改定日)")
        parser.add_argument("--note", default="", help="the reason for the revision (改定理由)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and print the rows; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        effective_from = _date(options["effective_from"])
        organization, actor = organization_and_actor(options["org"], options["actor"])
        with tenancy.activate(organization):
            membership = Membership.objects.select_related("user").filter(
                user=actor, is_active=True).first()
            if membership is None:
                raise CommandError(_("%(name)s is not a member of %(org)s.") % {
                    "name": options["actor"], "org": organization.slug})
            try:
                result = rules_excel.rules_import(
                    membership=membership, source=path, filename=path.name,
                    effective_from=effective_from, note=options["note"], now=timezone.now(),
                    dry_run=options["dry_run"])
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
            except ImportFailed as exc:
                for error in exc.errors:
                    self.stderr.write(error_line(error, _))
                count = len(exc.errors)
                raise CommandError(ngettext(
                    "%(count)d error in %(file)s; nothing was imported.",
                    "%(count)d errors in %(file)s; nothing was imported.", count,
                ) % {"count": count, "file": path.name}) from exc
        if result.version is None:
            self.stdout.write(_(
                "Checked %(file)s for %(org)s, nothing saved: %(rows)d rule rows, in force "
                "from %(day)s.") % {"file": path.name, "org": organization.slug,
                                     "rows": len(result.rows),
                                     "day": effective_from.isoformat()})
            return
        self.stdout.write(_(
            "Imported %(file)s into %(org)s as revision %(number)d: %(rows)d rule rows, in "
            "force from %(day)s.") % {"file": path.name, "org": organization.slug,
                                       "number": result.version.number,
                                       "rows": len(result.rows),
                                       "day": effective_from.isoformat()})
