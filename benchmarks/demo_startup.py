"""Benchmark: how long `somu demo` takes, the first time and on existing data.

Targets: the first run (migrate + load both demo organizations, `--no-serve`) ≤ 20 s; a run on
existing data answers ``/healthz`` with 200 within 3 s of starting.

    python benchmarks/demo_startup.py              # one fresh data directory
    python benchmarks/demo_startup.py --runs 3     # three, each fresh; the worst counts

Always SQLite in a temporary directory: that is what `somu demo` is for, so DATABASE_URL is
ignored. The times are wall-clock times of the real command, interpreter start-up included.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _serving import stop

FIRST_RUN_TARGET_S = 20.0
SERVING_TARGET_S = 3.0
FIRST_RUN_TIMEOUT_S = 300.0
SERVING_TIMEOUT_S = 60.0


def somu_command() -> list[str]:
    somu = shutil.which("somu", path=str(Path(sys.executable).parent))
    return [somu] if somu else [sys.executable, "-m", "somu.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def first_run(data_dir: Path, env: dict[str, str]) -> tuple[float, str]:
    """Seconds for `somu demo --no-serve` on an empty data directory, and what it printed."""
    started = time.monotonic()
    result = subprocess.run(
        [*somu_command(), "demo", "--data-dir", str(data_dir), "--no-serve"],
        env=env, capture_output=True, text=True, timeout=FIRST_RUN_TIMEOUT_S, check=False,
    )
    seconds = time.monotonic() - started
    if result.returncode != 0 or "(created)" not in result.stdout:
        raise SystemExit(f"somu demo failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return seconds, result.stdout


def time_to_serve(data_dir: Path, env: dict[str, str], workers: int) -> float:
    """Seconds from starting `somu demo` on existing data until /healthz answers 200."""
    port = free_port()
    health = f"http://127.0.0.1:{port}/healthz"
    log_path = data_dir / "serve.log"
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            [*somu_command(), "demo", "--data-dir", str(data_dir), "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        while time.monotonic() - started < SERVING_TIMEOUT_S:
            if process.poll() is not None:
                raise SystemExit(f"somu demo exited with {process.returncode}:\n"
                                 f"{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(health, timeout=1) as response:
                    if response.status == 200:
                        return time.monotonic() - started
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        raise SystemExit(f"somu demo did not answer {health} within {SERVING_TIMEOUT_S:.0f} s:\n"
                         f"{log_path.read_text(errors='replace')}")
    finally:
        stop(process)




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="fresh data directories to measure")
    parser.add_argument("--workers", type=int, default=2, help="as `somu demo` (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "SOMU_DATA_DIR", "DJANGO_SETTINGS_MODULE"}}
    env.update(SOMU_ACCESS_LOG="0", SOMU_LOG_LEVEL="WARNING")
    firsts: list[float] = []
    serves: list[float] = []
    banner = ""
    for run in range(1, args.runs + 1):
        data_dir = Path(tempfile.mkdtemp(prefix="somu-bench-demo-"))
        try:
            seconds, banner = first_run(data_dir, env)
            firsts.append(seconds)
            serves.append(time_to_serve(data_dir, env, args.workers))
            print(f"run {run}: first run {firsts[-1]:.2f} s, serving on existing data "
                  f"{serves[-1]:.2f} s", flush=True)
        finally:
            if args.keep:
                print(f"data directory kept: {data_dir}")
            else:
                shutil.rmtree(data_dir, ignore_errors=True)

    print(banner.strip("\n"))
    first, serve = max(firsts), max(serves)
    print(f"first run (migrate + load demo, --no-serve): {first:.2f} s = "
          f"{first / FIRST_RUN_TARGET_S:.2f} × the {FIRST_RUN_TARGET_S:.0f} s target")
    print(f"existing data, start until /healthz is 200: {serve:.2f} s = "
          f"{serve / SERVING_TARGET_S:.2f} × the {SERVING_TARGET_S:.0f} s target")
    missed = first > FIRST_RUN_TARGET_S or serve > SERVING_TARGET_S
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
