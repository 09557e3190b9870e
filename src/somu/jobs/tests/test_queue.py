"""The queue's own rules, whatever app uses it: ordering between jobs, the lease checked against
the outbound timeouts, one handler per kind, and the move of an existing queue to this app."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from somu.jobs import queue, worker
from somu.jobs.models import Job, JobStatus
from somu.jobs.registry import HANDLERS, SOURCES, DueJob, Handler, register_handler

NINE = timezone.make_aware(dt.datetime(2026, 4, 8, 9, 0))


@pytest.fixture
def ran(monkeypatch) -> list[str]:
    """A job kind "test.record" whose handler notes the keys it ran."""
    keys: list[str] = []
    monkeypatch.setitem(HANDLERS, "test.record", Handler(lambda job, now: keys.append(job.key)))
    return keys


@pytest.mark.django_db
def test_a_job_waits_while_a_job_it_runs_after_is_running_and_waiting_costs_no_attempt(ran):
    queue.enqueue("test.record", "launch:1:09", {}, NINE)
    queue.enqueue("test.record", "digest:1", {}, NINE, after=["launch:1:"])
    launch = queue.claim("w1", NINE)
    digest = queue.claim("w2", NINE)
    assert launch is not None and digest is not None and digest.key == "digest:1"

    assert queue.run_job(digest, "w2", NINE) == queue.DEFERRED
    job = Job.objects.get(key="digest:1")
    assert (job.status, job.attempts, job.run_after) == (JobStatus.QUEUED, 0, NINE + queue.DEFER)
    assert queue.claim("w2", NINE + dt.timedelta(seconds=1)) is None

    assert queue.run_job(launch, "w1", NINE) == JobStatus.DONE
    again = queue.claim("w2", NINE + queue.DEFER)
    assert again is not None and queue.run_job(again, "w2", NINE + queue.DEFER) == JobStatus.DONE
    assert ran == ["launch:1:09", "digest:1"]
    assert Job.objects.get(key="digest:1").attempts == 1


@pytest.mark.django_db
def test_a_chain_of_jobs_waits_link_by_link(ran):
    queue.enqueue("test.record", "a:1", {}, NINE)
    queue.enqueue("test.record", "b:1", {}, NINE, after=["a:"])
    queue.enqueue("test.record", "c:1", {}, NINE, after=["b:"])
    a = queue.claim("w1", NINE)
    b = queue.claim("w2", NINE)
    assert a is not None and b is not None and b.key == "b:1"
    assert queue.run_job(b, "w2", NINE) == queue.DEFERRED  # b waits for a, a moment
    c = queue.claim("w2", NINE)
    assert c is not None and c.key == "c:1"
    # b is only deferred, not done: c must not run ahead of it.
    assert queue.run_job(c, "w2", NINE) == queue.DEFERRED
    assert queue.run_job(a, "w1", NINE) == JobStatus.DONE
    worker.tick("w2", NINE + queue.DEFER)
    worker.tick("w2", NINE + 2 * queue.DEFER)
    assert ran == ["a:1", "b:1", "c:1"]


@pytest.mark.django_db
def test_a_job_waiting_for_its_retry_does_not_hold_back_the_jobs_after_it(ran):
    queue.enqueue("test.record", "launch:1:09", {}, NINE + dt.timedelta(minutes=5))  # backoff
    queue.enqueue("test.record", "digest:1", {}, NINE, after=["launch:1:"])

    worker.tick("w1", NINE)

    assert ran == ["digest:1"]


@pytest.mark.django_db
def test_the_worker_queues_the_jobs_others_run_after_first(monkeypatch):
    def source(now: dt.datetime) -> list[DueJob]:
        return [DueJob("test.record", "digest:1", {}, None, ["launch:1:"]),
                ("test.record", "launch:1:09", {}, None)]  # type: ignore[list-item]

    monkeypatch.setattr("somu.jobs.registry.SOURCES", [source])

    assert worker.enqueue_due(NINE) == 2
    assert list(Job.objects.order_by("pk").values_list("key", "after")) == [
        ("launch:1:09", []), ("digest:1", ["launch:1:"])]
    assert SOURCES  # the apps' own sources are untouched


def test_a_lease_not_longer_than_the_outbound_timeouts_is_refused(settings):
    settings.SOMU_JOB_LEASE_SECONDS = 20
    settings.EMAIL_TIMEOUT = 20
    settings.SOMU_HTTP_TIMEOUT = 10
    with pytest.raises(ImproperlyConfigured, match="SOMU_EMAIL_TIMEOUT"):
        queue.check_lease()
    settings.EMAIL_TIMEOUT = None
    with pytest.raises(ImproperlyConfigured, match="must be set"):
        queue.check_lease()
    settings.EMAIL_TIMEOUT = 19.5
    queue.check_lease()
    assert queue.lease() == dt.timedelta(seconds=20)


def test_somu_refuses_to_start_with_a_lease_shorter_than_the_mail_timeout():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "somu.settings_test",
           "SOMU_JOB_LEASE_SECONDS": "15", "SOMU_EMAIL_TIMEOUT": "20"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "django", "check"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode != 0
    assert "ImproperlyConfigured: SOMU_JOB_LEASE_SECONDS (15) must be longer than" in done.stderr


def test_a_job_kind_gets_one_handler_only():
    with pytest.raises(ValueError, match="already has a handler"):
        register_handler("send", lambda job, now: None)


@pytest.mark.django_db(transaction=True)
def test_moving_the_queue_to_the_jobs_app_keeps_the_queued_and_failed_jobs(org_a):
    before = [("procedures", "0003_delivery_uncertain"), ("jobs", None)]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_state = executor.loader.project_state(("procedures", "0003_delivery_uncertain"))
    OldJob = old_state.apps.get_model("procedures", "Job")
    OldJob.objects.create(key="digest:1:2026-04-08", kind="digest", organization_id=org_a.pk,
                          payload={"date": "2026-04-08"}, run_after=NINE)
    OldJob.objects.create(key="launch:3:2026-04-03", kind="launch", status="failed",
                          run_after=NINE, attempts=1, last_error="担当者 not found")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    jobs = list(Job.objects.order_by("pk").values_list("key", "status", "organization_id"))
    assert jobs == [("digest:1:2026-04-08", "queued", org_a.pk),
                    ("launch:3:2026-04-03", "failed", None)]
    assert queue.enqueue("test.record", "new", {}, NINE)  # the id sequence moved past the copies
