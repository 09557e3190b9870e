"""`somu survey import FILE --org SLUG --round NAME`: a round's hours from .xlsx or .csv.

The same import as the web page: all or nothing. The round is created when the organization has
none of that name (the output says so). ``--dry-run`` checks the file and prints what the import
would do, saving nothing (not even the round). On failure every error is printed as
``Row 3, column “月間工数(時間)”, value “-3”: …`` and the command exits with status 1, nothing
changed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core import tenancy
from somu.core.tabular import ImportFailed, error_line
from somu.org.commands import organization_and_actor
from somu.survey import services
from somu.survey.importing import LAYOUTS, hours_import
from somu.survey.models import SurveyRound


class Command(BaseCommand):
    help = "Import the hours (and capabilities) of a survey round from an .xlsx or .csv file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the .xlsx or .csv file")
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--round", required=True, dest="round_name",
                            help="name of the survey round (created if missing)")
        parser.add_argument("--layout", choices=LAYOUTS, default="auto",
                            help="long: one row per person and task; wide: tasks × people")
        parser.add_argument("--create-tasks", action="store_true",
                            help="add tasks missing from the inventory instead of failing")
        parser.add_argument("--actor", help="username recorded in the audit log as the importer")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the file and print what would change; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": path})
        organization, actor = organization_and_actor(options["org"], options["actor"])

        name = options["round_name"]
        started = time.monotonic()
        with tenancy.activate(organization):
            try:
                # A round created here is rolled back with a failed import.
                with transaction.atomic():
                    survey_round = SurveyRound.objects.filter(name=name).first()
                    created = survey_round is None
                    if survey_round is None:
                        survey_round = services.round_save(
                            actor=actor, survey_round=None, data={"name": name})
                    result = hours_import(
                        actor=actor, survey_round=survey_round, source=path,
                        filename=path.name, layout=options["layout"],
                        create_tasks=options["create_tasks"], dry_run=options["dry_run"],
                    )
                    if options["dry_run"]:
                        transaction.set_rollback(True)  # the round too
            except ImportFailed as exc:
                for error in exc.errors:
                    self.stderr.write(error_line(error, _))
                count = len(exc.errors)
                raise CommandError(ngettext(
                    "%(count)d error in %(file)s; nothing was imported.",
                    "%(count)d errors in %(file)s; nothing was imported.", count,
                ) % {"count": count, "file": path.name}) from exc
        if options["dry_run"]:
            self.stdout.write(_(
                "Checked %(file)s for “%(round)s” of %(org)s, nothing saved (%(layout)s layout, "
                "%(rows)d rows): %(people)d people, %(tasks)d tasks; hours to add %(new)d, to "
                "change or remove %(changed)d, left alone %(unchanged)d; tasks to create "
                "%(created)d, to update %(updated)d; respondents to add %(respondents)d."
            ) % {"file": path.name, "round": name, "org": organization.slug,
                 "layout": result.layout, "rows": result.rows, "people": result.people,
                 "tasks": result.tasks, "new": result.hours_new or 0,
                 "changed": result.hours_changed or 0, "unchanged": result.hours_unchanged or 0,
                 "created": result.tasks_created, "updated": result.tasks_updated,
                 "respondents": result.respondents_created})
            return
        if created:
            self.stdout.write(_("Created the survey round “%(round)s”.") % {"round": name})
        self.stdout.write(_(
            "Imported %(file)s into “%(round)s” of %(org)s (%(layout)s layout, %(rows)d rows, "
            "%(seconds).1f s): %(people)d people, %(tasks)d tasks; hours saved %(saved)d, "
            "removed %(removed)d; capability levels saved %(levels)d; tasks created "
            "%(created)d, updated %(updated)d; respondents added %(respondents)d."
        ) % {"file": path.name, "round": name, "org": organization.slug,
             "layout": result.layout, "rows": result.rows,
             "seconds": time.monotonic() - started, "people": result.people,
             "tasks": result.tasks, "saved": result.hours_saved,
             "removed": result.hours_removed, "levels": result.capabilities_saved,
             "created": result.tasks_created, "updated": result.tasks_updated,
             "respondents": result.respondents_created})
