"""Benchmark: a real server under load — people completing procedure steps and opening My tasks.

Target (issue 14): `somu serve` with 4 workers on PostgreSQL, 50 concurrent simulated users on
loopback completing steps and opening their tasks for 60 s: 0 errors, p95 and throughput
printed; and the same on SQLite with 2 workers, to show where SQLite's single writer becomes
the limit.

    python benchmarks/load_serve.py                       # PostgreSQL (4 workers), then SQLite (2)
    python benchmarks/load_serve.py --db sqlite --workers 4 --seconds 20
    python benchmarks/load_serve.py [--users 50] [--seconds 60] [--people 1000]
                                    [--runs-per-user 8] [--keep] [--check]

For each database (each in its own process, as Django reads its database settings once):

1. Creates a fresh database — SQLite (WAL) in a temporary data directory, or the PostgreSQL
   database ``somu_bench_load_serve`` on ``postgres://postgres@127.0.0.1:5432`` (or the one
   DATABASE_URL names, which must contain "bench"; dropped, created and dropped again) — with the
   synthetic company of ``_procedures_data.py`` (``--people``, every person with a login).
2. Saves the 20-step dependency graph of the SpiffWorkflow comparison (``graph_spec``: forks
   and joins, every step for the run's starter) and launches ``--runs-per-user`` runs of it
   for each of ``--users`` employees (``runs_bulk_launch`` as that employee, so they are the
   starter and hold every step), and gives each of them a personal API token.
3. Starts `somu serve --workers N` (4 on PostgreSQL, 2 on SQLite; ``--workers``) on a free
   loopback port in its own process group, and always stops it.
4. Drives it from a second process (this script with ``--drive``, its own process group, killed
   after ``--seconds`` + 60 s at the latest): one thread per simulated user, each with its own
   keep-alive HTTP/1.1 connection, looping: ``GET /api/v1/procedures/my-tasks`` (the lists of
   the My tasks page), then ``POST /api/v1/procedures/steps/{id}/complete`` for the first ready
   step in it (the next ones become ready as their predecessors complete) — no think time, so
   the server is saturated. Two seconds of uncounted warm-up first, then ``--seconds``.
5. Prints the requests/s and completed steps/s (overall and the slowest 5-second window),
   p50 / p95 / p99 / max latency per kind (client side) and the server time of each
   (``Server-Timing``), the 2xx / non-2xx / errors (0 errors is the target), the completed steps
   in the database against the 2xx answers, and the CPU the gunicorn workers (and PostgreSQL's
   backends) spent per request, measured from /proc — the machine may be shared, so the load
   average is printed too.

Exit status 0 unless something fails (``--check``: 1 when a run has any error).
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Final

DB_NAME: Final = "somu_bench_load_serve"
WARMUP_S: Final = 2.0
REQUEST_TIMEOUT: Final = 30.0
DEFAULT_WORKERS: Final = {"pg": 4, "sqlite": 2}
MY_TASKS: Final = "/api/v1/procedures/my-tasks"
BUCKETS: Final = ("overdue", "today", "this_week", "later")


# ---- data ----------------------------------------------------------------------------------------


def prepare(*, people: int, users: int, runs_per_user: int) -> dict[str, Any]:
    """The company, the runs and one token per simulated user; returns what the load needs."""
    import django

    django.setup()
    from _procedures_data import build_company, graph_spec
    from django.core.management import call_command

    from somu.core import tenancy
    from somu.org import services as org_services
    from somu.org.models import Membership, User
    from somu.procedures.models import Step
    from somu.procedures.services import runs as run_services
    from somu.procedures.services import templates as template_services

    call_command("migrate", interactive=False, verbosity=0)
    company = build_company(people=people)
    with tenancy.activate(company.organization):
        template = template_services.template_save(actor=company.admin, template=None,
                                                   spec=graph_spec())
        members = list(Membership.objects.filter(role="employee", person__status="active")
                       .select_related("user", "person").order_by("person__employee_number")
                       [:users])
        if len(members) < users:
            raise SystemExit(f"only {len(members)} employees for {users} users: raise --people")
        tokens = []
        for membership in members:
            user = User.objects.get(pk=membership.user_id)
            run_services.runs_bulk_launch(actor=user, template=template,
                                          param_sets=[{}] * runs_per_user)
            tokens.append(org_services.api_token_create(actor=None, membership=membership,
                                                        name="load test")[1])
        ready = Step.objects.filter(state="ready").count()
        steps = Step.objects.count()
    return {"organization_id": company.organization.pk, "tokens": tokens, "steps": steps,
            "ready": ready}


def completed_steps(organization_id: int) -> int:
    from somu.core import tenancy
    from somu.org.models import Organization
    from somu.procedures.models import Step

    with tenancy.activate(Organization.objects.get(pk=organization_id)):
        return Step.objects.filter(state="done").count()


# ---- the load (runs in its own process) ----------------------------------------------------------


def _server_ms(header: str | None) -> float:
    """``app;dur=12.3`` → 12.3 (-1 when missing)."""
    for part in (header or "").split(";"):
        if part.strip().startswith("dur="):
            return float(part.strip()[4:])
    return -1.0


def drive(plan_path: str) -> int:
    """One thread per user: my tasks, complete the first ready step, again; results as JSON."""
    plan = json.loads(Path(plan_path).read_text())
    parts = urllib.parse.urlsplit(plan["base"])
    lock = threading.Lock()
    # (started, seconds, status (0: error), kind, server ms)
    results: list[tuple[float, float, int, str, float]] = []
    errors: list[str] = []
    ran_out = []
    started = time.perf_counter()
    end = started + plan["warmup"] + plan["seconds"]

    def worker(token: str) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        mine: list[tuple[float, float, int, str, float]] = []

        def call(method: str, path: str, kind: str, body: bytes | None = None) -> Any:
            nonlocal conn
            t0 = time.perf_counter()
            payload: Any = None
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                status = response.status
                server = _server_ms(response.getheader("Server-Timing"))
                if response.will_close:
                    conn.close()
                if status >= 300:
                    if len(errors) < 20:
                        errors.append(f"{kind} HTTP {status}: {raw[:300]!r}")
                else:
                    payload = json.loads(raw)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                status, server = 0, -1.0
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port,
                                                  timeout=REQUEST_TIMEOUT)
                if len(errors) < 20:
                    errors.append(f"{kind} {type(exc).__name__}: {exc}")
            mine.append((t0 - started, time.perf_counter() - t0, status, kind, server))
            return payload

        while time.perf_counter() < end:
            tasks = call("GET", MY_TASKS, "my_tasks")
            if tasks is None:
                continue
            ready = [s for bucket in BUCKETS for s in tasks[bucket] if s["state"] == "ready"]
            if not ready:
                with lock:
                    ran_out.append(token[-6:])
                time.sleep(0.5)  # nothing left to do: keep opening the list, slowly
                continue
            if time.perf_counter() >= end:
                break
            step = ready[0]
            call("POST", f"/api/v1/procedures/steps/{step['id']}/complete", "complete",
                 json.dumps({"revision": step["revision"]}).encode())
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=worker, args=(token,), daemon=True)
               for token in plan["tokens"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=plan["seconds"] + plan["warmup"] + REQUEST_TIMEOUT + 10)
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"results": results, "errors": errors, "ran_out": len(set(ran_out)),
                      "cpu": usage.ru_utime + usage.ru_stime, "warmup": plan["warmup"]}))
    return 0


def run_load(*, base: str, tokens: list[str], seconds: float, tmp: Path) -> dict[str, Any]:
    plan = tmp / "plan.json"
    plan.write_text(json.dumps({"base": base, "tokens": tokens, "seconds": seconds,
                                "warmup": WARMUP_S}))
    out = tmp / "load.json"
    with out.open("wb") as sink:
        process = subprocess.Popen([sys.executable, __file__, "--drive", str(plan)],
                                   stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            process.wait(timeout=seconds + WARMUP_S + 60)
        except subprocess.TimeoutExpired:
            raise SystemExit("the load process did not finish in time") from None
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    text = out.read_text()
    if process.returncode != 0:
        raise SystemExit(f"the load process failed ({process.returncode}):\n{text[-3000:]}")
    return json.loads(text.strip().splitlines()[-1])


# ---- CPU of the server (and PostgreSQL) ----------------------------------------------------------


class CpuMeter:
    """CPU seconds of gunicorn (the master with its reaped workers, and the live workers) and,
    on PostgreSQL, of the backends serving the database, from /proc, sampled every 0.5 s; the
    first sample after the warm-up is the baseline."""

    def __init__(self, server: Any, db_url: str, *, warm_after: float) -> None:
        self.server, self.warm_after = server, warm_after
        self.conn = None
        if db_url:
            import psycopg

            self.db = urllib.parse.urlsplit(db_url).path.lstrip("/")
            admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(db_url)._replace(
                path="/postgres"))
            self.conn = psycopg.connect(admin, autocommit=True, connect_timeout=10)
        self.last: dict[tuple[str, int], int] = {}
        self.warm: dict[tuple[str, int], int] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        from approvals_decisions import _cpu_ticks

        pids = [("gunicorn-master", self.server.process.pid)]
        pids += [("gunicorn", pid) for pid in self.server.worker_pids()]
        if self.conn is not None:
            rows = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                     (self.db,)).fetchall()
            pids += [("postgres", pid) for (pid,) in rows]
        for kind, pid in pids:
            ticks = _cpu_ticks(pid, children=kind == "gunicorn-master")
            if ticks >= 0:
                self.last[(kind, pid)] = ticks

    def _run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(0.5):
            self._sample()
            if not self.warm and time.monotonic() - started >= self.warm_after:
                self.warm = dict(self.last)

    def __enter__(self) -> CpuMeter:
        self._sample()
        self.warm = {}
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self._sample()
        if self.conn is not None:
            self.conn.close()

    def seconds(self, kind: str) -> float:
        hz = os.sysconf("SC_CLK_TCK")
        return sum(last - self.warm.get(key, 0) for key, last in self.last.items()
                   if key[0].startswith(kind)) / hz


# ---- one database --------------------------------------------------------------------------------


def one_database(args: argparse.Namespace) -> int:
    from _procedures_data import bench_database, machine_load, percentile
    from people_list import somu_serve

    pg = args.db == "pg"
    if not pg:
        os.environ.pop("DATABASE_URL", None)  # it names the PostgreSQL database of --db pg
    workers = args.workers or DEFAULT_WORKERS[args.db]
    with bench_database(pg=pg, db_name=DB_NAME, keep=args.keep) as backend:
        started = time.perf_counter()
        data = prepare(people=args.people, users=args.users, runs_per_user=args.runs_per_user)
        print(f"{backend}: {args.people:,} people, {args.users} users with "
              f"{args.runs_per_user} runs each of the 20-step graph ({data['steps']:,} steps, "
              f"{data['ready']:,} ready), built in {time.perf_counter() - started:.1f} s",
              flush=True)
        from django.db import connections

        connections.close_all()
        url = os.environ.get("DATABASE_URL", "") if pg else ""
        tmp = Path(os.environ["SOMU_DATA_DIR"])
        env = {**os.environ, "SOMU_ACCESS_LOG": "0"}
        with somu_serve(env=env, workers=workers, log_path=tmp / "server.log") as server:
            print(f"somu serve: {workers} workers at {server.base_url}; load: {args.users} "
                  f"users for {args.seconds:.0f} s (+{WARMUP_S:.0f} s warm-up)", flush=True)
            with CpuMeter(server, url, warm_after=WARMUP_S + 0.3) as cpu:
                load = run_load(base=server.base_url, tokens=data["tokens"],
                                seconds=args.seconds, tmp=tmp)
            server_log = server.log_tail(15)
        done_in_db = completed_steps(data["organization_id"])
        connections.close_all()

    results = load["results"]
    measured = [r for r in results if r[0] >= load["warmup"]]
    span = args.seconds
    ok = [r for r in measured if 200 <= r[2] < 300]
    non2xx = [r for r in measured if r[2] >= 300]
    failed = [r for r in measured if r[2] == 0]
    warm_bad = [r for r in results if r[0] < load["warmup"] and not 200 <= r[2] < 300]
    completes = [r for r in ok if r[3] == "complete"]
    windows = collections.Counter(int((r[0] - load["warmup"]) // 5) for r in completes)
    slowest = min((windows.get(w, 0) / 5 for w in range(int(span // 5))), default=0.0)
    print(f"load test, {backend}, somu serve --workers {workers}, {args.users} users from a "
          f"second process on loopback; {machine_load()}")
    print(f"  measured {span:.0f} s after {load['warmup']:.0f} s warm-up: {len(measured):,} "
          f"requests — {len(ok):,} 2xx, {len(non2xx):,} non-2xx, {len(failed):,} errors "
          f"(warm-up: {len(results) - len(measured):,} requests, {len(warm_bad)} not 2xx)")
    print(f"  throughput: {len(ok) / span:.1f} requests/s; {len(completes) / span:.1f} steps "
          f"completed/s (slowest 5-second window {slowest:.1f}/s)")
    for kind, label in (("my_tasks", "GET my tasks"), ("complete", "POST complete")):
        lat = [r[1] * 1000 for r in measured if r[3] == kind]
        server_ms = [r[4] for r in measured if r[3] == kind and r[4] >= 0]
        if lat:
            print(f"  {label:14}: {len(lat):6,} — latency p50 {statistics.median(lat):7.1f} ms, "
                  f"p95 {percentile(lat, 95):7.1f} ms, p99 {percentile(lat, 99):7.1f} ms, max "
                  f"{max(lat):7.1f} ms; server time p50 "
                  f"{statistics.median(server_ms) if server_ms else -1:6.1f} ms, p95 "
                  f"{percentile(server_ms, 95) if server_ms else -1:6.1f} ms")
    all_lat = [r[1] * 1000 for r in measured]
    if all_lat:
        print(f"  all requests  : p95 {percentile(all_lat, 95):.1f} ms")
    completed_2xx = sum(1 for r in results if r[3] == "complete" and 200 <= r[2] < 300)
    print(f"  steps done in the database: {done_in_db:,}; 2xx completions, warm-up included: "
          f"{completed_2xx:,}" + ("" if done_in_db == completed_2xx else "  ← MISMATCH"))
    if load["ran_out"]:
        print(f"  NOTE: {load['ran_out']} users ran out of ready steps: rerun with more "
              f"--runs-per-user")
    after = len(ok)
    if after:
        somu_ms = cpu.seconds("gunicorn") / after * 1000
        pg_ms = cpu.seconds("postgres") / after * 1000 if pg else 0.0
        client_ms = load["cpu"] / max(len(results), 1) * 1000
        cores = os.cpu_count() or 1
        print(f"  CPU per request: somu (gunicorn) {somu_ms:.1f} ms"
              + (f" + PostgreSQL {pg_ms:.1f} ms" if pg else "")
              + f"; the load process {client_ms:.1f} ms. On {cores} idle cores that CPU alone "
              f"allows at most {cores * 1000 / (somu_ms + pg_ms + client_ms):.0f} requests/s")
    for line in load["errors"][:10]:
        print(f"  error: {line}")
    bad = len(non2xx) + len(failed) + len(warm_bad)
    print(f"  errors: {'0 ✓' if not bad else f'{bad}  ← MISSED (target: 0)'}")
    if bad:
        print("  server log (tail):")
        for line in server_log.splitlines():
            print(f"    {line}")
    return 1 if args.check and bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("both", "pg", "sqlite"), default="both")
    parser.add_argument("--workers", type=int, default=0,
                        help="gunicorn workers (default: 4 on PostgreSQL, 2 on SQLite)")
    parser.add_argument("--users", type=int, default=50, help="concurrent simulated users")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--runs-per-user", type=int, default=8,
                        help="runs of the 20-step graph each user holds")
    parser.add_argument("--keep", action="store_true", help="keep the data (and database)")
    parser.add_argument("--check", action="store_true", help="exit 1 when there are errors")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        return drive(args.drive)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    os.environ.setdefault("SOMU_LOG_LEVEL", "WARNING")
    if args.db != "both":
        return one_database(args)
    # One process per database: Django reads its database settings once.
    status = 0
    passed = list(argv if argv is not None else sys.argv[1:])
    for db in ("pg", "sqlite"):
        child = subprocess.Popen([sys.executable, __file__, *passed, "--db", db])
        try:
            status = status or child.wait(timeout=args.seconds + 900)
        finally:
            if child.poll() is None:  # SIGTERM: the child stops its server on the way out
                child.terminate()
                try:
                    child.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait(timeout=10)
    return status


if __name__ == "__main__":
    sys.exit(main())
