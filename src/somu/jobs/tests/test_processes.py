"""Faults with real `somu worker` processes on PostgreSQL: a worker killed mid-job, a database
connection terminated mid-job. The job's effect must happen exactly once either way."""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from somu.jobs.models import Job, JobStatus
from somu.jobs.queue import enqueue
from somu.jobs.tests.apps import EFFECT, effect_key_prefix
from somu.jobs.tests.processes import LEASE_SECONDS, start_worker, wait_for, workers

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

NINE = timezone.make_aware(dt.datetime(2026, 4, 8, 9, 0))


def _effects(key: str) -> int:
    return Job.objects.filter(key__startswith=effect_key_prefix(key)).count()


def _job(key: str) -> Job:
    return Job.objects.get(key=key)


def test_a_job_whose_worker_was_killed_is_run_again_after_the_lease_exactly_once(tmp_path):
    hold = tmp_path / "holding"
    enqueue(EFFECT, "killed", {"hold": str(hold), "seconds": 60}, NINE)

    with workers(start_worker("doomed", NINE)) as (doomed,):
        wait_for(hold.exists, what="the first worker to be in the middle of the job")
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=5)
    job = _job("killed")
    assert job.status == JobStatus.RUNNING and job.locked_by == "doomed"
    assert _effects("killed") == 0  # its transaction died with it

    # A worker whose clock is inside the lease leaves it alone; once the lease ran out it runs it.
    with workers(start_worker("heir", NINE, once=True)) as (early,):
        early.wait(timeout=15)
    assert _job("killed").locked_by == "doomed"
    later = NINE + dt.timedelta(seconds=LEASE_SECONDS + 1)
    with workers(start_worker("heir", later, once=True)) as (heir,):
        heir.wait(timeout=15)

    job = _job("killed")
    assert (job.status, job.locked_by, job.attempts) == (JobStatus.DONE, "heir", 2)
    assert _effects("killed") == 1


def test_a_worker_whose_database_connection_was_terminated_recovers_and_runs_the_job_once(
    tmp_path: Path,
):
    hold = tmp_path / "holding"
    enqueue(EFFECT, "cut-off", {"hold": str(hold), "seconds": 1.5}, NINE)

    with workers(start_worker("cut", NINE)) as (cut,):
        wait_for(hold.exists, what="the worker to be in the middle of the job")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [int(hold.read_text())])
        # The worker reconnects and records the failed attempt: the job waits for its backoff.
        wait_for(lambda: _job("cut-off").status == JobStatus.QUEUED, what="the job to be retried")
        job = _job("cut-off")
        assert "terminating connection" in job.last_error and job.run_after > NINE
        assert _effects("cut-off") == 0
        # The backoff passes (moved instead of waited for); the same worker, still running,
        # runs the job.
        Job.objects.filter(pk=job.pk).update(run_after=NINE)
        wait_for(lambda: _job("cut-off").status == JobStatus.DONE, what="the job to be done")
        assert cut.poll() is None

    job = _job("cut-off")
    assert job.locked_by == "cut" and job.attempts == 2
    assert _effects("cut-off") == 1
