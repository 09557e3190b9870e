"""Real `somu worker` processes against the test database (PostgreSQL), for the fault tests."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

# Short enough for tests of a few seconds, long enough for Python to start.
LEASE_SECONDS = 2
TIMEOUT_SECONDS = 1

Worker = subprocess.Popen[bytes]


def worker_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "somu.jobs.tests.process_settings",
        # The same key as this process: webhook URLs are encrypted with it.
        "SECRET_KEY": settings.SECRET_KEY,
        "SOMU_DATA_DIR": str(settings.DATA_DIR),
        "SOMU_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "SOMU_EMAIL_TIMEOUT": str(TIMEOUT_SECONDS),
        "SOMU_HTTP_TIMEOUT": str(TIMEOUT_SECONDS),
        "SOMU_DIGEST_HOUR": "8",
    }
    env.pop("EMAIL_BACKEND", None)
    env.update(extra or {})
    return env


def start_worker(worker_id: str, now: dt.datetime, *, once: bool = False,
                 env: Mapping[str, str] | None = None, log: Path | None = None) -> Worker:
    """`somu worker` (the management command) whose clock starts at ``now``."""
    argv = [sys.executable, "-m", "django", "worker", "--worker-id", worker_id,
            "--interval", "0.3", "--now", now.isoformat()]
    if once:
        argv.append("--once")
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed by the child)
    return subprocess.Popen(argv, env=worker_env(env), stdout=out, stderr=subprocess.STDOUT)


@contextmanager
def workers(*procs: Worker) -> Iterator[tuple[Worker, ...]]:
    """Stop (SIGTERM, then SIGKILL) whatever is still running when the test ends."""
    try:
        yield procs
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_for(condition: Callable[[], object], timeout: float = 15, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or condition}")
