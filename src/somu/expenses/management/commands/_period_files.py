"""What the period-file commands share: the organization, the period (id or label), writing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from somu.core import tenancy
from somu.expenses.models import Period
from somu.expenses.services import exports
from somu.org.commands import organization_and_actor


class PeriodFileCommand(BaseCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("period", help="the period's id or label")
        parser.add_argument("--org", required=True, help="slug of the organization")
        parser.add_argument("--out", help="the file to write (default: the export's name)")
        parser.add_argument("--actor", help="username recorded in the audit log")

    def what(self, options: dict[str, Any]) -> str:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        organization, actor = organization_and_actor(options["org"], options["actor"])
        key = str(options["period"])
        with tenancy.activate(organization):
            period = (Period.objects.filter(pk=int(key)).first() if key.isdigit() else None) \
                or Period.objects.filter(label=key).first()
            if period is None:
                raise CommandError(_("No closed period %(key)r.") % {"key": key})
            try:
                name, data = exports.export_file(actor=actor, period=period,
                                                 what=self.what(options))
            except ValidationError as error:
                raise CommandError("\n".join(error.messages)) from None
        out = Path(options["out"] or name)
        out.write_bytes(data)
        self.stdout.write(_("Wrote %(path)s.") % {"path": out})
