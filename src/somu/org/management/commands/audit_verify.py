"""`somu audit verify`: recompute every organization's hash chain (an org command: it walks
the organizations; the audit app itself knows nothing of them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from somu.audit.selectors import audit_chain_verify
from somu.org.models import Organization


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; names the first broken entry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Slug of one organization (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.order_by("slug")
        if options["org"]:
            organizations = organizations.filter(slug=options["org"])
            if not organizations.exists():
                raise CommandError(f"No organization with slug {options['org']!r}.")
        failed = []
        for org in organizations:
            report = audit_chain_verify(organization_id=org.pk)
            if report.ok:
                self.stdout.write(f"OK      {org.slug}: {report.checked} events")
            else:
                assert report.broken is not None
                failed.append(org.slug)
                self.stdout.write(
                    f"BROKEN  {org.slug}: entry seq={report.broken.seq} "
                    f"(id {report.broken.entry_id}): {report.broken.reason}"
                )
        if failed:
            raise CommandError(f"Audit chain broken for: {', '.join(failed)}")
