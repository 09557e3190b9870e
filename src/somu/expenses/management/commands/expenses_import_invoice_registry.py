"""`somu expenses import-invoice-registry FILE… [--diff] [--actor USERNAME]`: the NTA's
published files of 適格請求書発行事業者 into the deployment's offline registry.

Give the full files (全件データ, one or more per 人格区分, as unzipped from the NTA's download
page) or the daily difference files (差分データ, ``--diff``), in order. All files of one run are
applied together or not at all: a line not in the NTA layout prints the file, line, column and
reason, exits non-zero, and nothing changes. Progress is printed every 100,000 rows.
``--actor`` names the superuser recorded as importing (default: the system).
"""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from somu.expenses.registry_models import ImportKind
from somu.expenses.services import registry
from somu.org.models import User


class Command(BaseCommand):
    help = ("Import the NTA's 適格請求書発行事業者 files (full or daily difference CSV) into the "
            "offline invoice registry shared by every organization.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE",
                            help="CSV files as downloaded from the NTA (unzipped)")
        parser.add_argument("--diff", action="store_true",
                            help="the files are daily difference files (差分データ)")
        parser.add_argument("--actor", default="",
                            help="username of the superuser recorded as importing")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(name) for name in options["files"]]
        for path in paths:
            if not path.is_file():
                raise CommandError(_("No such file: %(path)s") % {"path": path})
        actor = None
        if options["actor"]:
            actor = User.objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("No user %(name)r.") % {"name": options["actor"]})
        kind = ImportKind.DIFF if options["diff"] else ImportKind.FULL
        started = time.monotonic()

        def progress(name: str, rows: int) -> None:
            self.stdout.write(_("%(file)s: %(rows)s rows (%(seconds).0f s)") % {
                "file": name, "rows": f"{rows:,}", "seconds": time.monotonic() - started})

        with ExitStack() as stack:
            files = [registry.RegistryFile(path.name, stack.enter_context(path.open("rb")))
                     for path in paths]
            try:
                run = registry.registry_import(files=files, kind=kind, actor=actor,
                                               progress=progress)
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from exc
            except registry.RegistryFileRefused as exc:
                raise CommandError(exc.text) from exc
        self.stdout.write(_(
            "Imported %(rows)s rows from %(files)s file(s) in %(seconds).1f s: %(written)s "
            "added or updated, %(deleted)s deleted, %(skipped)s history rows skipped; the "
            "registry holds %(total)s registrants.") % {
            "rows": f"{run.rows:,}", "files": len(run.files),
            "seconds": time.monotonic() - started, "written": f"{run.written:,}",
            "deleted": f"{run.deleted:,}", "skipped": f"{run.skipped:,}",
            "total": f"{run.total:,}"})
