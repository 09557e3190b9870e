"""A test-only app the real-process tests add to the workers they start
(:mod:`somu.jobs.tests.process_settings`): job kinds whose effect can be counted and whose worker
can be caught in the middle of one."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from pathlib import Path

from django.apps import AppConfig
from django.db import connection
from django.utils import timezone

EFFECT = "test.effect"


def effect_key_prefix(key: str) -> str:
    return f"effect:{key}:"


def handle_effect(job: object, now: dt.datetime) -> None:
    """Write one effect row (in the job's transaction); on the first run with ``hold`` in the
    payload, write the worker's database backend pid to that file and sleep ``seconds``."""
    from somu.jobs.models import Job, JobStatus

    assert isinstance(job, Job)
    Job.objects.create(key=f"{effect_key_prefix(job.key)}{uuid.uuid4()}", kind="effect",
                       status=JobStatus.DONE, run_after=now, finished_at=timezone.now())
    hold = job.payload.get("hold")
    if hold and not Path(hold).exists():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        # Written beside and renamed, so the test never reads the file half-written.
        partial = Path(f"{hold}.partial")
        partial.write_text(str(pid))
        partial.rename(hold)
        time.sleep(float(job.payload.get("seconds", 30)))


class TestJobsConfig(AppConfig):
    name = "somu.jobs.tests"
    label = "jobs_tests"

    def ready(self) -> None:
        from somu.jobs.registry import register_handler

        register_handler(EFFECT, handle_effect)
