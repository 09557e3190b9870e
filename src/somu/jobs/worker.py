"""The worker (`somu worker`): every tick, queue what the apps say is due, then claim and run
jobs until none is left. Several workers, on one machine or several, may run against one database.

What is due comes from the periodic sources apps register (:mod:`somu.jobs.registry`); the queue
itself is :mod:`somu.jobs.queue`. Each job runs with its organization active
(:func:`somu.core.tenancy.activate`); only the sources' discovery crosses organizations.

Why not django-tasks (the backport of Django 6's Tasks framework, with its database backend
``django-tasks-db``): it claims with SKIP LOCKED, but commits the claim and the result in separate
transactions around the task (an effect cannot share a transaction with its done mark), has no
lease — a task left RUNNING by a worker that died is never run again —, no unique job key
(enqueuing the same work twice makes two rows), and no retry with backoff. Each of these is a
guarantee this queue gives, so somu keeps its own ~300 lines.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Final

from django.db import close_old_connections, connection
from django.utils import timezone

from somu.jobs.models import Job, JobStatus
from somu.jobs.queue import claim, enqueue, run_job
from somu.jobs.registry import due_jobs

logger = logging.getLogger("somu.worker")

# Finished jobs are deleted after this long (their keys are dated, so they never come back).
KEEP_DONE_JOBS: Final = dt.timedelta(days=14)
DEFAULT_INTERVAL_SECONDS: Final = 30

Clock = Callable[[], dt.datetime]


@dataclass
class TickReport:
    enqueued: int = 0
    done: int = 0
    failed: int = 0
    jobs: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def clock_from(start: dt.datetime | None) -> Clock:
    """The real clock, or one that starts at ``start`` and advances with real time (tests and
    rehearsals run a worker "on" a given day)."""
    if start is None:
        return timezone.now
    real_start = time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - real_start)


def enqueue_due(now: dt.datetime) -> int:
    """Queue the jobs that are due at ``now``; returns how many were new.

    Every worker does this every tick, so it costs a few queries whatever the number of
    organizations: the candidate keys are listed, the existing ones looked up at once. Jobs that
    others run after are created first, so a dependant never exists without them.
    """
    wanted = {due.key: due for due in sorted(due_jobs(now), key=lambda due: bool(due.after))}
    existing: set[str] = set()
    keys = list(wanted)
    for start in range(0, len(keys), 500):
        existing.update(Job.objects.filter(key__in=keys[start:start + 500])
                        .values_list("key", flat=True))
    return sum(
        enqueue(due.kind, key, due.payload, now, due.organization_id, due.after)
        for key, due in wanted.items() if key not in existing
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
    clock = clock_from(now)
    started = clock()
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
    clock: Clock | None = None,
) -> None:
    """Tick every ``interval`` seconds until stopped (SIGTERM, SIGINT, or ``stop`` set).

    A signal lets the job in progress finish; the worker then exits without taking another.
    """
    worker_id = worker_id or default_worker_id()
    stop = stop or threading.Event()
    clock = clock or timezone.now
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
                tick(worker_id, clock(), stop=stop)
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
