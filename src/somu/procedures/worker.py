"""The worker (`somu worker`): scheduled launches and notifications from a database-backed queue.

A :class:`~somu.procedures.models.Job` is one unit of background work with a unique ``key``.
Every tick the worker

1. enqueues what is due — a ``schedules:<org>:<date>:<hour>`` job for each organization with a
   schedule due, a ``digest:<org>:<date>`` job per organization once the digest hour has passed,
   and a ``send:<delivery>:<attempt>`` job for each delivery whose (next) attempt is due.
   Keys are unique, so several workers enqueuing the same job create one row;
2. claims and runs jobs until none is left. On PostgreSQL a claim is ``SELECT … FOR UPDATE SKIP
   LOCKED``; on SQLite (one writer at a time) a compare-and-set ``UPDATE … WHERE status='queued'``.
   A claim is a lease: the job of a worker that died is claimed again once ``locked_until`` passes.

Exactly once: a handler whose whole effect is in the database (launching runs, building digests)
runs in one transaction together with marking its job done, holding the job's row lock, so a
crash rolls both back and the job is simply run again. Sending mail and chat messages cannot be
rolled back; :func:`somu.procedures.notify.send_delivery` claims each delivery by itself.

Each job runs with its organization active (:func:`somu.core.tenancy.activate`); only discovering
organizations, jobs and due deliveries crosses organizations.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Final

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from somu.core import tenancy
from somu.org.models import Organization
from somu.procedures.models import Delivery, Job, JobStatus, Schedule
from somu.procedures.notify import due_q

logger = logging.getLogger("somu.worker")

# How long a claimed job belongs to its worker; a worker that died frees it after this.
LEASE: Final = dt.timedelta(minutes=10)
# A failing job is retried after these waits, then marked failed.
JOB_BACKOFF: Final = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
)
MAX_JOB_ATTEMPTS: Final = len(JOB_BACKOFF) + 1
# Finished jobs are deleted after this long (their keys are dated, so they never come back).
KEEP_DONE_JOBS: Final = dt.timedelta(days=14)
DEFAULT_INTERVAL_SECONDS: Final = 30

# Job kinds.
SCHEDULES: Final = "schedules"
DIGEST: Final = "digest"
SEND: Final = "send"
LAUNCH_FAILED: Final = "launch"  # never queued: a record of a scheduled launch that failed


@dataclass(frozen=True)
class Handler:
    """What a job kind does. ``atomic``: its effect is all in the database, so it runs in the
    transaction that marks the job done."""

    run: Callable[[Job, dt.datetime], None]
    atomic: bool = True


@dataclass
class TickReport:
    enqueued: int = 0
    done: int = 0
    failed: int = 0
    jobs: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def digest_hour() -> int:
    """The deployment's digest hour (``SOMU_DIGEST_HOUR``, default 8); an organization may set
    its own on its settings page."""
    return int(getattr(settings, "SOMU_DIGEST_HOUR", os.environ.get("SOMU_DIGEST_HOUR", 8)))


# ---- the queue -----------------------------------------------------------------------------------


def enqueue(
    kind: str,
    key: str,
    payload: Mapping[str, Any] | None = None,
    run_after: dt.datetime | None = None,
    organization: Organization | int | None = None,
) -> bool:
    """Add a job unless one with ``key`` exists (queued, running, done or failed): True if new."""
    org_id = organization.pk if isinstance(organization, Organization) else organization
    _, created = Job.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind, "payload": dict(payload or {}), "organization_id": org_id,
            "run_after": run_after or timezone.now(),
        },
    )
    return created


def _available(now: dt.datetime) -> Q:
    # Queued and due, or claimed by a worker whose lease ran out (it died or hung).
    return Q(status=JobStatus.QUEUED, run_after__lte=now) | Q(
        status=JobStatus.RUNNING, locked_until__lt=now
    )


def claim(worker_id: str, now: dt.datetime, lease: dt.timedelta = LEASE) -> Job | None:
    """Take the next available job for ``worker_id``, or None when there is none."""
    claimed = {
        "status": JobStatus.RUNNING, "locked_by": worker_id[:100], "locked_until": now + lease,
        "attempts": F("attempts") + 1,
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


def _organization(job: Job) -> AbstractContextManager[None]:
    if job.organization_id is None:
        return nullcontext()
    return tenancy.activate(job.organization_id)


def run_job(job: Job, worker_id: str, now: dt.datetime) -> str:
    """Run one claimed job; returns its new status (done, queued again, failed, or "lost")."""
    handler = HANDLERS.get(job.kind)
    if handler is None:
        return _fail(job, now, f"Unknown job kind {job.kind!r}.")
    if job.attempts > MAX_JOB_ATTEMPTS:
        # Claimed again and again without finishing: its worker keeps dying on it.
        return _fail(job, now, job.last_error or "The worker stopped during every attempt.")
    try:
        with _organization(job):
            if handler.atomic:
                with transaction.atomic():
                    # Hold the job's row while the handler runs: nobody reclaims it meanwhile
                    # (SKIP LOCKED passes it by), and if our lease was taken over, stop here.
                    mine = Job.objects.select_for_update().filter(
                        pk=job.pk, status=JobStatus.RUNNING, locked_by=worker_id[:100]
                    ).exists()
                    if not mine:
                        return "lost"
                    handler.run(job, now)
                    _finish(job, now)
            else:
                handler.run(job, now)
                _finish(job, now)
    except Exception as exc:
        logger.exception("job %s failed", job.key)
        return _fail(job, now, f"{type(exc).__name__}: {exc}")
    return JobStatus.DONE


# ---- handlers ------------------------------------------------------------------------------------


def _payload_date(job: Job) -> dt.date:
    return dt.date.fromisoformat(str(job.payload["date"]))


def _organization_of(job: Job) -> Organization:
    if job.organization_id is None:
        raise ValueError(f"Job {job.key} names no organization.")
    return Organization.objects.get(pk=job.organization_id)


def handle_schedules(job: Job, now: dt.datetime) -> None:
    """Launch the organization's runs whose schedule occurrence is due by the job's date."""
    from somu.procedures.services.schedules import schedule_launch_due

    schedule_launch_due(organization=_organization_of(job), today=_payload_date(job))


def handle_digest(job: Job, now: dt.datetime) -> None:
    """Build the day's digests and queue one send job per new delivery."""
    from somu.procedures.notify import build_digests

    organization = _organization_of(job)
    for delivery in build_digests(organization=organization, day=_payload_date(job)):
        enqueue(SEND, f"send:{delivery.pk}:0", {"delivery": delivery.pk}, now, organization)


def handle_send(job: Job, now: dt.datetime) -> None:
    from somu.procedures.notify import send_delivery

    send_delivery(int(job.payload["delivery"]), now=now)


HANDLERS: dict[str, Handler] = {
    SCHEDULES: Handler(handle_schedules),
    DIGEST: Handler(handle_digest),
    # The message leaves the building; the delivery's own claim keeps it from going twice.
    SEND: Handler(handle_send, atomic=False),
}


# ---- ticks and the loop --------------------------------------------------------------------------


def enqueue_due(now: dt.datetime) -> int:
    """Queue the jobs that are due at ``now``; returns how many were new.

    Every worker does this every tick, so it costs a few queries whatever the number of
    organizations: the candidate keys are listed, the existing ones looked up at once.
    """
    local = timezone.localtime(now)
    today, hour = local.date().isoformat(), local.hour
    wanted: dict[str, tuple[str, dict[str, Any], int]] = {}
    # Cross-organization discovery: the one place the worker reads all_objects.
    due_orgs = set(
        Schedule.all_objects.filter(active=True, next_occurrence__lte=local.date())
        .values_list("organization_id", flat=True)
    )
    for org_id in sorted(due_orgs):
        wanted[f"schedules:{org_id}:{today}:{hour:02d}"] = (SCHEDULES, {"date": today}, org_id)
    default_hour = digest_hour()
    for org_id, own_hour in Organization.objects.order_by("pk").values_list("pk", "digest_hour"):
        # From this local hour on, the organization's digests of the day are built.
        if hour >= (default_hour if own_hour is None else own_hour):
            wanted[f"digest:{org_id}:{today}"] = (DIGEST, {"date": today}, org_id)
    retries = Delivery.all_objects.filter(due_q(now)).values_list(
        "pk", "attempts", "organization_id"
    )
    for pk, attempts, org_id in retries:
        wanted[f"send:{pk}:{attempts}"] = (SEND, {"delivery": pk}, org_id)
    existing: set[str] = set()
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        existing.update(Job.objects.filter(key__in=keys[start:start + 500])
                        .values_list("key", flat=True))
    return sum(
        enqueue(kind, key, payload, now, org_id)
        for key, (kind, payload, org_id) in wanted.items() if key not in existing
    )


def prune(now: dt.datetime) -> int:
    """Delete jobs finished long ago (failed jobs stay for the admins to see)."""
    deleted, _ = Job.objects.filter(
        status=JobStatus.DONE, finished_at__lt=now - KEEP_DONE_JOBS
    ).delete()
    return deleted


def tick(
    worker_id: str, now: dt.datetime | None = None, *, stop: threading.Event | None = None
) -> TickReport:
    """Queue what is due, then run available jobs until none is left (or ``stop`` is set).

    ``now`` is the moment the tick happens (tests pass one); it advances with the real time
    spent in the tick, so leases and backoffs stay meaningful during a long tick.
    """
    started, real_start = now or timezone.now(), time.monotonic()

    def clock() -> dt.datetime:
        return started + dt.timedelta(seconds=time.monotonic() - real_start)

    report = TickReport(enqueued=enqueue_due(started))
    prune(started)
    while stop is None or not stop.is_set():
        job = claim(worker_id, clock())
        if job is None:
            break
        began = time.monotonic()
        status = run_job(job, worker_id, clock())
        elapsed_ms = (time.monotonic() - began) * 1000
        if status == JobStatus.DONE:
            report.done += 1
        else:
            report.failed += 1
        report.jobs.append(f"{job.key} {status}")
        logger.info("job %s %s (attempt %d, %.0f ms)", job.key, status, job.attempts, elapsed_ms)
    return report


def run_worker(
    worker_id: str | None = None,
    *,
    once: bool = False,
    interval: float = DEFAULT_INTERVAL_SECONDS,
    stop: threading.Event | None = None,
) -> None:
    """Tick every ``interval`` seconds until stopped (SIGTERM, SIGINT, or ``stop`` set).

    A signal lets the job in progress finish; the worker then exits without taking another.
    """
    worker_id = worker_id or default_worker_id()
    stop = stop or threading.Event()
    previous: dict[signal.Signals, Any] = {}
    if threading.current_thread() is threading.main_thread():

        def request_stop(signum: int, frame: FrameType | None) -> None:
            logger.info("worker %s stopping after the current job", worker_id)
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            previous[signum] = signal.signal(signum, request_stop)
    logger.info("worker %s started", worker_id)
    try:
        while not stop.is_set():
            if not connection.in_atomic_block:  # (a test's transaction must stay open)
                # Like a request: drop a connection the database closed or that is too old.
                close_old_connections()
            try:
                tick(worker_id, stop=stop)
            except Exception:
                # A lost database connection or the like: log, wait, try again.
                logger.exception("worker %s: tick failed", worker_id)
            if once:
                break
            stop.wait(interval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        logger.info("worker %s stopped", worker_id)
