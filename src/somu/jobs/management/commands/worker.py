"""`somu worker`: run the background jobs every app registers, until stopped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from somu.jobs.worker import DEFAULT_INTERVAL_SECONDS, clock_from, default_worker_id, run_worker


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
        parser.add_argument("--now", default="",
                            help="Start the worker's clock at this ISO date-time instead of the "
                                 "real time (rehearsals and tests); it then advances normally.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError("--interval must be more than 0 seconds.")
        start = None
        if options["now"]:
            try:
                start = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if timezone.is_naive(start):
                start = timezone.make_aware(start)
        run_worker(options["worker_id"] or default_worker_id(), once=options["once"],
                   interval=options["interval"], clock=clock_from(start))
