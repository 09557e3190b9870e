"""`somu expenses export-zengin PERIOD --org SLUG [--out FILE] [--actor USERNAME]`: a closed
period's 全銀 総合振込 file (the same bytes every time; the export is in the audit log)."""

from __future__ import annotations

from typing import Any

from ._period_files import PeriodFileCommand


class Command(PeriodFileCommand):
    help = "Write a closed period's 全銀 総合振込 transfer file."

    def what(self, options: dict[str, Any]) -> str:
        return "zengin"
