"""`somu org import-people FILE --org SLUG [--actor USERNAME] [--create-departments] [--dry-run]`:
people from .xlsx or .csv.

The same import as the web page: all or nothing. A department the file names that does not
exist is an error unless ``--create-departments``; ``--dry-run`` checks the file and prints what
the import would do (and the departments it would create) without saving anything. On failure
every error is printed as ``Row 3, column “等級”, value “G9”: …`` and the command exits
non-zero with nothing changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core import tenancy
from somu.core.tabular import ImportFailed, error_line
from somu.org.commands import organization_and_actor
from somu.org.importing import people_import


class Command(BaseCommand):
    help = "Create or update people of an organization from an .xlsx or .csv file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the .xlsx or .csv file")
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--actor", help="username recorded in the audit log as the importer")
        parser.add_argument("--create-departments", action="store_true",
                            help="create the departments the file names that do not exist")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and print what would change; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        organization, actor = organization_and_actor(options["org"], options["actor"])

        with tenancy.activate(organization):
            try:
                result = people_import(actor=actor, source=path, filename=path.name,
                                       create_departments=options["create_departments"],
                                       dry_run=options["dry_run"])
            except ImportFailed as exc:
                for error in exc.errors:
                    self.stderr.write(error_line(error, _))
                count = len(exc.errors)
                raise CommandError(ngettext(
                    "%(count)d error in %(file)s; nothing was imported.",
                    "%(count)d errors in %(file)s; nothing was imported.", count,
                ) % {"count": count, "file": path.name}) from exc
        for department in result.departments:
            self.stdout.write(_("Department to create: %(path)s") % {"path": department}
                              if result.dry_run else
                              _("Created department: %(path)s") % {"path": department})
        if result.dry_run:
            self.stdout.write(_(
                "Checked %(file)s for %(org)s, nothing saved: would create %(created)d, update "
                "%(updated)d, leave %(unchanged)d unchanged; departments to create: "
                "%(departments)d."
            ) % {"file": path.name, "org": organization.slug, "created": result.created,
                 "updated": result.updated, "unchanged": result.unchanged,
                 "departments": result.departments_created})
            return
        self.stdout.write(_(
            "Imported %(file)s into %(org)s: created %(created)d, updated %(updated)d, "
            "unchanged %(unchanged)d; departments created: %(departments)d."
        ) % {"file": path.name, "org": organization.slug, "created": result.created,
             "updated": result.updated, "unchanged": result.unchanged,
             "departments": result.departments_created})
