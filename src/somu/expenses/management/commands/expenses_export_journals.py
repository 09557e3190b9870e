"""`somu expenses export-journals PERIOD --vendor yayoi|moneyforward|freee --org SLUG
[--out FILE] [--actor USERNAME]`: a closed period's journal CSV for the accounting product."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from somu.expenses.formats.journal_defaults import VENDORS

from ._period_files import PeriodFileCommand


class Command(PeriodFileCommand):
    help = "Write a closed period's journal CSV for 弥生会計, マネーフォワード or freee."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--vendor", required=True, choices=VENDORS)

    def what(self, options: dict[str, Any]) -> str:
        return str(options["vendor"])
