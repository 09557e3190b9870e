"""`somu procedures import FILE.yaml [FILE2.yaml …] --org SLUG [--update]`: templates from YAML.

All or nothing across the files: every file is read and validated, and if any has a problem
nothing is saved. Each problem is printed as ``FILE: path: message`` (the path names the place
in the template, e.g. ``steps[2].due.from``, or the line of a syntax error) and the command exits
with status 1. A template whose name exists already is refused unless ``--update`` is given;
then the file becomes its new version (no new version when the definition is the same).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from somu.core import tenancy
from somu.org.commands import organization_and_actor
from somu.org.models import User
from somu.procedures.engine import yamlio
from somu.procedures.engine.spec import SpecError
from somu.procedures.services import templates as template_services


class _Failed(Exception):
    """Some file had a problem: undo what the other files saved."""


class Command(BaseCommand):
    help = "Import procedure templates from YAML files (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="template .yaml files")
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--update", action="store_true",
                            help="save a file as a new version of the template of the same name "
                                 "instead of refusing it")
        parser.add_argument("--actor", help="username recorded in the audit log as the importer")

    def handle(self, *args: Any, **options: Any) -> None:
        organization, actor = organization_and_actor(options["org"], options["actor"])
        paths = [Path(name) for name in options["files"]]

        problems: list[str] = []
        done: list[str] = []
        with tenancy.activate(organization):
            try:
                with transaction.atomic():
                    for path in paths:
                        outcome = self._import_one(path, actor=actor, update=options["update"],
                                                   problems=problems)
                        if outcome:
                            done.append(outcome)
                    if problems:
                        raise _Failed
            except _Failed:
                for problem in problems:
                    self.stderr.write(problem)
                raise CommandError(ngettext(
                    "%(count)d problem; nothing was imported.",
                    "%(count)d problems; nothing was imported.", len(problems),
                ) % {"count": len(problems)}) from None
        for line in done:
            self.stdout.write(line)

    def _import_one(self, path: Path, *, actor: User | None, update: bool,
                    problems: list[str]) -> str:
        """Save one file's template; its problems are appended as ``FILE: path: message``."""
        if not path.is_file():
            problems.append(f"{path}: " + _("No such file."))
            return ""
        try:
            data = yamlio.load_yaml(path.read_bytes())
        except SpecError as exc:
            problems.extend(f"{path}: {p}" for p in exc.problems)
            return ""
        try:
            imported = template_services.template_import(
                actor=actor, spec=data, update=update,
                note=_("Imported from %(file)s") % {"file": path.name})
        except template_services.TemplateNameTaken as exc:
            problems.append(f"{path}: name: " + _(
                "A template named “%(name)s” already exists (give --update to save the file as "
                "its new version).") % {"name": exc.name})
            return ""
        except SpecError as exc:
            problems.extend(f"{path}: {p}" for p in exc.problems)
            return ""
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            problems.extend(f"{path}: {key}: {message}" if key else f"{path}: {message}"
                            for key, items in messages.items() for message in items)
            return ""
        template = imported.template
        number = template.current_version.number if template.current_version else 0
        if imported.created:
            return _("%(file)s: created “%(name)s” (version %(number)d).") % {
                "file": path, "name": template.name, "number": number}
        if not imported.changed:
            return _("%(file)s: “%(name)s” is unchanged (version %(number)d).") % {
                "file": path, "name": template.name, "number": number}
        return _("%(file)s: saved “%(name)s” as version %(number)d.") % {
            "file": path, "name": template.name, "number": number}
