"""The queue: enqueue a job once per key, claim it with a lease, run it, finish or retry it.

On PostgreSQL a claim is ``SELECT … FOR UPDATE SKIP LOCKED``; on SQLite (one writer at a time) a
compare-and-set ``UPDATE … WHERE status='queued'``. A claim is a lease
(``SOMU_JOB_LEASE_SECONDS``): the job of a worker that died is claimed again once
``locked_until`` passes.

Exactly once: an atomic handler runs in one transaction together with marking its job done,
holding the job's row lock, so a crash rolls both back and the job is simply run again.

Ordering: a job whose ``after`` names key prefixes is put back (queued a few seconds later, the
attempt not counted) while a job matching one of them is running or due — e.g. the day's digest
waits for the organization's schedules job, so it sees the steps that job launches. A dependency
waiting for a retry after a failure does not hold its dependants back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from somu.core import tenancy
from somu.jobs.models import Job, JobStatus
from somu.jobs.registry import HANDLERS
from somu.org.models import Organization

logger = logging.getLogger("somu.worker")

# A failing job is retried after these waits, then marked failed.
JOB_BACKOFF: Final = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_JOB_ATTEMPTS: Final = len(JOB_BACKOFF) + 1
# A job waiting for the jobs it runs after is looked at again this much later.
DEFER: Final = dt.timedelta(seconds=2)
DEFERRED: Final = "deferred"
LOST: Final = "lost"


def lease() -> dt.timedelta:
    """How long a claimed job (or a claimed delivery) belongs to its worker
    (``SOMU_JOB_LEASE_SECONDS``, default 600); a worker that died frees it after this."""
    return dt.timedelta(seconds=float(getattr(settings, "SOMU_JOB_LEASE_SECONDS", 600)))


def check_lease() -> None:
    """Refuse a lease not longer than the outbound timeouts: a send still waiting for a slow
    server would be claimed by a second worker and go out twice."""
    timeouts = {
        "EMAIL_TIMEOUT (SOMU_EMAIL_TIMEOUT)": getattr(settings, "EMAIL_TIMEOUT", None),
        "SOMU_HTTP_TIMEOUT": getattr(settings, "SOMU_HTTP_TIMEOUT", None),
    }
    seconds = lease().total_seconds()
    for name, timeout in timeouts.items():
        if timeout is None:
            raise ImproperlyConfigured(f"{name} must be set: a hung server would hold a worker.")
        if seconds <= float(timeout):
            raise ImproperlyConfigured(
                f"SOMU_JOB_LEASE_SECONDS ({seconds:g}) must be longer than {name} ({timeout})."
            )


def enqueue(
    kind: str,
    key: str,
    payload: Mapping[str, Any] | None = None,
    run_after: dt.datetime | None = None,
    organization: Organization | int | None = None,
    after: Sequence[str] = (),
) -> bool:
    """Add a job unless one with ``key`` exists (queued, running, done or failed): True if new.

    ``after``: key prefixes of jobs this one must run after (see the module docstring).
    """
    org_id = organization.pk if isinstance(organization, Organization) else organization
    _, created = Job.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind, "payload": dict(payload or {}), "organization_id": org_id,
            "run_after": run_after or timezone.now(), "after": list(after),
        },
    )
    return created


def _available(now: dt.datetime) -> Q:
    # Queued and due, or claimed by a worker whose lease ran out (it died or hung).
    return Q(status=JobStatus.QUEUED, run_after__lte=now) | Q(
        status=JobStatus.RUNNING, locked_until__lt=now
    )


def claim(worker_id: str, now: dt.datetime, held_for: dt.timedelta | None = None) -> Job | None:
    """Take the next available job for ``worker_id``, or None when there is none."""
    claimed = {
        "status": JobStatus.RUNNING, "locked_by": worker_id[:100],
        "locked_until": now + (held_for or lease()), "attempts": F("attempts") + 1,
    }
    if connection.vendor == "postgresql":
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True)
                .filter(_available(now)).order_by("run_after", "pk").first()
            )
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(**claimed)
    else:
        # No SKIP LOCKED: read candidates, then win one with a compare-and-set update that
        # re-checks availability (the statement is atomic; at most one worker updates the row).
        candidates = list(
            Job.objects.filter(_available(now)).order_by("run_after", "pk")
            .values_list("pk", flat=True)[:20]
        )
        for pk in candidates:
            if Job.objects.filter(pk=pk).filter(_available(now)).update(**claimed) == 1:
                break
        else:
            return None
        job = Job(pk=pk)
    job.refresh_from_db()
    return job


def _finish(job: Job, now: dt.datetime) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, finished_at=now, locked_until=None, last_error=""
    )


def _fail(job: Job, now: dt.datetime, error: str) -> str:
    """Record a failed attempt: queue it again after the backoff, or mark it failed."""
    if job.attempts >= MAX_JOB_ATTEMPTS:
        status, run_after = JobStatus.FAILED, job.run_after
    else:
        status, run_after = JobStatus.QUEUED, now + JOB_BACKOFF[job.attempts - 1]
    Job.objects.filter(pk=job.pk, locked_by=job.locked_by).update(
        status=status, run_after=run_after, locked_until=None, last_error=error[:4000],
        finished_at=now if status == JobStatus.FAILED else None,
    )
    return status


def _waits(job: Job, now: dt.datetime) -> bool:
    """True while a job that ``job`` runs after is running, due, or itself deferred (waiting a
    moment for its own predecessors: a chain waits link by link). One waiting for the retry of
    a failed attempt (a minute or more) holds nothing back."""
    if not job.after:
        return False
    prefixes = Q()
    for prefix in job.after:
        prefixes |= Q(key__startswith=prefix)
    return Job.objects.filter(prefixes).exclude(pk=job.pk).filter(
        Q(status=JobStatus.RUNNING) | Q(status=JobStatus.QUEUED, run_after__lte=now + DEFER)
    ).exists()


def _defer(job: Job, now: dt.datetime) -> str:
    # Back to the queue a little later; waiting is not an attempt.
    Job.objects.filter(pk=job.pk, locked_by=job.locked_by).update(
        status=JobStatus.QUEUED, run_after=now + DEFER, locked_until=None,
        attempts=F("attempts") - 1,
    )
    return DEFERRED


def _organization(job: Job) -> AbstractContextManager[None]:
    if job.organization_id is None:
        return nullcontext()
    return tenancy.activate(job.organization_id)


def run_job(job: Job, worker_id: str, now: dt.datetime) -> str:
    """Run one claimed job; returns its new status (done, queued again, failed, "deferred" when
    it waits for another job, or "lost" when its lease was taken over)."""
    handler = HANDLERS.get(job.kind)
    if handler is None:
        return _fail(job, now, f"Unknown job kind {job.kind!r}.")
    if job.attempts > MAX_JOB_ATTEMPTS:
        # Claimed again and again without finishing: its worker keeps dying on it.
        return _fail(job, now, job.last_error or "The worker stopped during every attempt.")
    try:
        with _organization(job):
            mine = Job.objects.filter(
                pk=job.pk, status=JobStatus.RUNNING, locked_by=worker_id[:100]
            )
            if handler.atomic:
                with transaction.atomic():
                    # Hold the job's row while the handler runs: nobody reclaims it meanwhile
                    # (SKIP LOCKED passes it by), and if our lease was taken over, stop here.
                    if not mine.select_for_update().exists():
                        return LOST
                    # Checked in the transaction that runs the handler: once the job it waits
                    # for is marked done, that job's writes are committed and visible here.
                    if _waits(job, now):
                        return _defer(job, now)
                    handler.run(job, now)
                    _finish(job, now)
            else:
                if not mine.exists():
                    return LOST
                if _waits(job, now):
                    return _defer(job, now)
                handler.run(job, now)
                _finish(job, now)
    except Exception as exc:
        logger.exception("job %s failed", job.key)
        return _fail(job, now, f"{type(exc).__name__}: {exc}")
    return JobStatus.DONE
