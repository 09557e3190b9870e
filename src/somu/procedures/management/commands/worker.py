"""`somu worker`: launch scheduled runs and send notifications, until stopped."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from somu.procedures.worker import DEFAULT_INTERVAL_SECONDS, default_worker_id, run_worker


class Command(BaseCommand):
    help = (
        "Run the background worker: scheduled launches, notification digests and their "
        "delivery. Several workers may run at once against the same database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true",
                            help="Do what is due now, then exit (for cron or tests).")
        parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_SECONDS,
                            help="Seconds between ticks (default %(default)s).")
        parser.add_argument("--worker-id", default="",
                            help="Name in job locks and logs (default: hostname:pid).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        run_worker(options["worker_id"] or default_worker_id(), once=options["once"],
                   interval=options["interval"])
