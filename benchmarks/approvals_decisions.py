"""Benchmark: decisions through the approvals API on PostgreSQL, served by `somu serve`.

Target (approvals issue): decisions through the API on PostgreSQL with `somu serve` running 4
worker processes, load from a second process on loopback: ≥ 200 decisions/s sustained for
60 s, 0 errors, p95 printed.

    python benchmarks/approvals_decisions.py [--seconds 60] [--clients 48] [--workers 4]
                                             [--sections 10] [--people 1000] [--check]
    python benchmarks/approvals_decisions.py --seconds 10          # quick mode

1. Creates a fresh PostgreSQL database (DATABASE_URL, default
   ``postgres://postgres@127.0.0.1:5432/somu_bench_ap_decisions``; dropped, created, dropped
   again at the end; its name must contain "bench") and the company of ``_approvals_data.py``:
   4 本部 × 4 部 × ``--sections`` 課 (160 課長 by default), ``--people`` people, the
   決裁権限規程 (購入申請 up to ¥100,000: 決裁 by the 課長).
2. Files and submits one ¥50,000 購入申請 per 課 through the services (``request_save``,
   ``request_submit``: number, revision, route, seat, history), then copies those rows in bulk
   until there are enough submitted requests for the run (``--seconds`` × 500 by default: the
   load stops early if it runs out, and says so): each one a single 決裁 stage with one pending
   seat, its 課長's. Copies get numbers of their own and the counter is moved past them; they
   have no audit-log line of their own (the decision writes one, as in production).
3. Gives every 課長 a personal API token (``api_token_create``).
4. Starts `somu serve --workers 4` (gunicorn, sync workers) on a free loopback port in its own
   process group, and always stops it.
5. Starts the load in a second process (this script with ``--drive``, its own process group,
   killed after ``--seconds`` + 60 s at the latest): ``--clients`` threads, each with its own
   HTTP/1.1 connection (``http.client``; reopened when the server closes it, as gunicorn's sync
   workers do after every response), POST
   ``/api/v1/approvals/requests/{id}/decide`` ``{"decision": "approve"}`` with the request's
   課長's token, the requests interleaved across 課長s so concurrent decisions lock different
   rows. Two seconds of uncounted warm-up first; then ``--seconds`` of measured load.
6. Prints decisions/s (overall and the slowest 5-second window), p50 / p95 / max latency (client
   side, connection included), 2xx / non-2xx / errors, a check against the database (approved
   requests = 2xx answers), the ratio to 200/s, and the queries of one decision
   (``CaptureQueriesContext``, in process), and the CPU each decision cost somu's workers and
   the PostgreSQL backends (from /proc, sampled while the load ran: a figure the other work of a
   shared machine does not change). With ``--profile`` or when the target is missed, a cProfile
   (CPU time) of 99 decisions through the API in process: where the time goes.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any, Final

TARGET_PER_S: Final = 200.0
DB_NAME: Final = "somu_bench_ap_decisions"
PG_SERVER: Final = "postgres://postgres@127.0.0.1:5432"
WARMUP_S: Final = 2.0
REQUEST_TIMEOUT: Final = 30.0
AMOUNT: Final = 50_000


# ---- data ---------------------------------------------------------------------------------------


def submitted_requests(company: Any, *, wanted: int) -> dict[int, list[int]]:
    """One real submission per 課, copied in bulk to ``wanted`` requests: 課長 id -> request ids."""
    from django.db import transaction
    from django.utils import timezone

    from somu.approvals.models import (
        Request,
        RequestCounter,
        RequestEvent,
        RequestRevision,
        Seat,
        Stage,
    )
    from somu.approvals.services import requests as request_services
    from somu.org.models import Membership

    now = timezone.now()
    today = timezone.localdate()
    purchase = company.types["purchase"]
    members = {m.person_id: m for m in Membership.objects.select_related("person", "user")
               .filter(person_id__in=[ids[0] for ids in company.members.values() if ids])}
    templates: list[Request] = []
    for section in company.sections:
        requester = members[company.members[section][0]]
        draft = request_services.request_save(
            membership=requester, request_type=purchase, requester=requester.person,
            title="ノートPC購入", amount=AMOUNT, category="備品",
            values={"item": "ノートPC", "quantity": 1, "reason": "故障のため",
                    "needed_by": (today + dt.timedelta(days=30)).isoformat()},
            now=now)
        templates.append(request_services.request_submit(membership=requester, request=draft,
                                                         today=today, now=now))
    revisions = {r.request_id: r for r in RequestRevision.objects.filter(request__in=templates)}
    stages = {s.request_id: s for s in Stage.objects.filter(request__in=templates)}
    seats = {s.request_id: s for s in Seat.objects.filter(request__in=templates)}
    events = {e.request_id: e for e in RequestEvent.objects.filter(request__in=templates)}
    for template in templates:
        assert seats[template.pk].state == "pending", "the 課長's seat should be pending"
    counter = RequestCounter.objects.get(request_type=purchase)
    prefix = templates[0].number.rsplit("-", 1)[0]
    by_approver: dict[int, list[int]] = collections.defaultdict(list)
    for template in templates:
        by_approver[seats[template.pk].person_id].append(template.pk)
    made = len(templates)
    while made < wanted:
        batch = min(5000, wanted - made)
        chosen = [templates[(made + i) % len(templates)] for i in range(batch)]
        with transaction.atomic():
            copies = []
            for template in chosen:
                counter.last += 1
                copy = _copy(template)
                copy.number = f"{prefix}-{counter.last:05d}"
                copies.append(copy)
            Request.objects.bulk_create(copies, batch_size=1000)
            new_stages = []
            for template, copy in zip(chosen, copies, strict=True):
                stage = _copy(stages[template.pk])
                stage.request_id = copy.pk
                new_stages.append(stage)
            Stage.objects.bulk_create(new_stages, batch_size=1000)
            new_seats, new_revisions, new_events = [], [], []
            for template, copy, stage in zip(chosen, copies, new_stages, strict=True):
                seat = _copy(seats[template.pk])
                seat.request_id, seat.stage_id = copy.pk, stage.pk
                new_seats.append(seat)
                revision = _copy(revisions[template.pk])
                revision.request_id = copy.pk
                new_revisions.append(revision)
                event = _copy(events[template.pk])
                event.request_id = copy.pk
                event.data = {**event.data, "number": copy.number}
                new_events.append(event)
                by_approver[seat.person_id].append(copy.pk)
            Seat.objects.bulk_create(new_seats, batch_size=1000)
            RequestRevision.objects.bulk_create(new_revisions, batch_size=1000)
            RequestEvent.objects.bulk_create(new_events, batch_size=1000)
            counter.save(update_fields=["last"])
        made += batch
        if sys.stdout.isatty():
            print(f"  … {made:,} requests", end="\r", flush=True)
    if sys.stdout.isatty():
        print(" " * 40, end="\r")
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("approvals_request", "approvals_stage", "approvals_seat",
                      "approvals_requestevent", "approvals_requestrevision"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return dict(by_approver)


def _copy(obj: Any) -> Any:
    clone = type(obj)()
    for f in obj._meta.concrete_fields:
        if not f.primary_key:
            setattr(clone, f.attname, getattr(obj, f.attname))
    return clone


def approver_tokens(company: Any, approvers: list[int]) -> dict[int, str]:
    from somu.org import services
    from somu.org.models import Membership

    memberships = Membership.objects.select_related("user").filter(person_id__in=approvers)
    return {m.person_id: services.api_token_create(actor=None, membership=m,
                                                   name="benchmark")[1]
            for m in memberships}


# ---- the load (runs in its own process) ----------------------------------------------------------


def drive(plan_path: str) -> int:
    """The load process: read the plan, hammer the server, print the results as JSON."""
    plan = json.loads(Path(plan_path).read_text())
    parts = urllib.parse.urlsplit(plan["base"])
    work: collections.deque[tuple[str, int]] = collections.deque(
        (token, request_id) for token, request_id in plan["work"])
    lock = threading.Lock()
    results: list[tuple[float, float, int]] = []  # (started, seconds, status; 0 = error)
    errors: list[str] = []
    started = time.perf_counter()
    warm_end = started + plan["warmup"]
    end = warm_end + plan["seconds"]

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=REQUEST_TIMEOUT)
        body = json.dumps({"decision": "approve"}).encode()
        mine: list[tuple[float, float, int]] = []
        while True:
            t0 = time.perf_counter()
            if t0 >= end:
                break
            with lock:
                if not work:
                    break
                token, request_id = work.popleft()
            try:
                conn.request("POST", f"/api/v1/approvals/requests/{request_id}/decide", body=body,
                             headers={"Authorization": f"Bearer {token}",
                                      "Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                if status >= 300 and len(errors) < 20:
                    errors.append(f"HTTP {status}: {payload[:300]!r}")
            except (OSError, http.client.HTTPException) as exc:
                status = 0
                conn.close()
                if len(errors) < 20:
                    errors.append(f"{type(exc).__name__}: {exc}")
            mine.append((t0 - started, time.perf_counter() - t0, status))
        conn.close()
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(plan["clients"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=plan["seconds"] + plan["warmup"] + REQUEST_TIMEOUT + 10)
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"results": results, "errors": errors, "left": len(work),
                      "cpu": usage.ru_utime + usage.ru_stime,
                      "warmup": plan["warmup"], "elapsed": time.perf_counter() - started}))
    return 0


def run_load(*, base: str, work: list[tuple[str, int]], seconds: float, clients: int,
             tmp: Path) -> dict[str, Any]:
    plan = tmp / "plan.json"
    plan.write_text(json.dumps({"base": base, "work": work, "seconds": seconds,
                                "clients": clients, "warmup": WARMUP_S}))
    out = tmp / "load.json"
    with out.open("wb") as sink:
        process = subprocess.Popen([sys.executable, __file__, "--drive", str(plan)],
                                   stdout=sink, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            process.wait(timeout=seconds + WARMUP_S + 60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            raise SystemExit("the load process did not finish in time") from None
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    text = out.read_text()
    if process.returncode != 0:
        raise SystemExit(f"the load process failed ({process.returncode}):\n{text[-3000:]}")
    return json.loads(text)


# ---- CPU used by the server and the database (the machine may be shared) -------------------------


def _cpu_ticks(pid: int, *, children: bool = False) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    # after the command: state is fields[0]; utime, stime, cutime, cstime are fields[11:15]
    ticks = int(fields[11]) + int(fields[12])
    return ticks + (int(fields[13]) + int(fields[14]) if children else 0)


class CpuMeter:
    """CPU seconds of gunicorn (master with its reaped workers, and the live workers) and of the
    PostgreSQL backends serving this database, sampled every 0.5 s while the load runs."""

    def __init__(self, server: Any, db_url: str, *, warm_after: float) -> None:
        import psycopg

        self.server = server
        self.db = urllib.parse.urlsplit(db_url).path.lstrip("/")
        admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(db_url)._replace(path="/postgres"))
        self.conn = psycopg.connect(admin, autocommit=True, connect_timeout=10)
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self.warm_after = warm_after
        self.warm: dict[tuple[str, int], int] | None = None  # the snapshot after the warm-up
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        master = self.server.process.pid
        pids = [("gunicorn-master", master)] + [("gunicorn", p) for p in self.server.worker_pids()]
        backends = self.conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s",
                                     (self.db,)).fetchall()
        pids += [("postgres", pid) for (pid,) in backends]
        for kind, pid in pids:
            ticks = _cpu_ticks(pid, children=kind == "gunicorn-master")
            if ticks >= 0:
                self.first.setdefault((kind, pid), ticks)
                self.last[(kind, pid)] = ticks

    def _run(self) -> None:
        started = time.monotonic()
        while not self.stop.wait(0.5):
            self._sample()
            if self.warm is None and time.monotonic() - started >= self.warm_after:
                self.warm = dict(self.last)

    def __enter__(self) -> CpuMeter:
        self._sample()
        self.baseline = dict(self.first)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self._sample()
        self.conn.close()

    def seconds(self, kind: str) -> float:
        """CPU seconds after the warm-up (processes started later: all of theirs)."""
        hz = os.sysconf("SC_CLK_TCK")
        since = self.warm if self.warm is not None else self.baseline
        total = 0
        for (k, pid), last in self.last.items():
            if k.startswith(kind):
                total += last - since.get((k, pid), 0)
        return total / hz


# ---- in-process look at one decision -------------------------------------------------------------


def one_decision_queries(token: str, request_id: int) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/v1/approvals/requests/{request_id}/decide",
                               {"decision": "approve"}, content_type="application/json")
    if response.status_code != 200:
        raise SystemExit(f"in-process decision answered HTTP {response.status_code}: "
                         f"{response.content[:300]!r}")
    return [f"{float(q['time']) * 1000:6.2f} ms  {q['sql']}" for q in captured.captured_queries]


def profile(work: list[tuple[str, int]]) -> str:
    import cProfile
    import io
    import pstats

    from django.test import Client

    client = Client()  # one client: its handler (the middleware chain) is built once
    # CPU time, not wall-clock time: the figures do not depend on what else the machine runs
    # (and the time spent waiting for PostgreSQL is not in them: see the queries above).
    profiler = cProfile.Profile(time.process_time)
    started = time.perf_counter()
    cpu_started = time.process_time()
    for token, request_id in work:
        profiler.enable()
        response = client.post(f"/api/v1/approvals/requests/{request_id}/decide",
                               {"decision": "approve"}, content_type="application/json",
                               headers={"Authorization": f"Bearer {token}"})
        profiler.disable()
        assert response.status_code == 200, response.content[:300]
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(
        r"somu|django/(db|core/handlers|test|template)|ninja|pydantic|psycopg", 45)
    stats.sort_stats("tottime").print_stats(15)
    return (f"{len(work)} decisions in process, one at a time, profiler on: "
            f"{elapsed / len(work) * 1000:.1f} ms wall-clock and {cpu / len(work) * 1000:.1f} ms "
            f"CPU of this process each; the profile counts CPU time\n" + out.getvalue())


# ---- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=48, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sections", type=int, default=10, help="課 per 部 (課長s: 16 × this)")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=0,
                        help="submitted requests to build (default: seconds × 500)")
    parser.add_argument("--profile", action="store_true",
                        help="profile even when the target is met")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.drive:
        return drive(args.drive)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from _procedures_data import machine_load, percentile, ratio
    from people_list import postgres_database, somu_serve

    url = os.environ.get("DATABASE_URL") or f"{PG_SERVER}/{DB_NAME}"
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL (DATABASE_URL=postgres://…)")
    tmp = Path(tempfile.mkdtemp(prefix="somu-bench-"))
    os.environ.update({"DATABASE_URL": url, "SOMU_DATA_DIR": str(tmp),
                       "DJANGO_SETTINGS_MODULE": "somu.settings"})
    os.environ.setdefault("SOMU_LOG_LEVEL", "WARNING")
    env = {**os.environ, "SOMU_ACCESS_LOG": "0"}
    wanted = args.requests or int(args.seconds * 500) + 1000
    try:
        with postgres_database(url, keep=args.keep):
            import django

            django.setup()
            from _approvals_data import build_company
            from django.conf import settings
            from django.core.management import call_command
            from django.db import connections

            from somu.approvals.models import Request, RequestState, Seat, SeatState
            from somu.core import tenancy

            settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
            t0 = time.perf_counter()
            call_command("migrate", interactive=False, verbosity=0)
            company = build_company(people=args.people, sections=args.sections)
            with tenancy.activate(company.organization):
                by_approver = submitted_requests(company, wanted=wanted)
                tokens = approver_tokens(company, list(by_approver))
            build_s = time.perf_counter() - t0
            print(f"data: {len(company.sections)} 課長s, {args.people:,} people, "
                  f"{sum(len(v) for v in by_approver.values()):,} submitted requests, built in "
                  f"{build_s:.1f} s", flush=True)
            # interleaved: request i of every 課長, then request i+1 of every 課長 …
            queues = [[(tokens[a], r) for r in ids] for a, ids in sorted(by_approver.items())]
            spare = [q.pop() for q in queues[:100]]  # kept back for the in-process look
            work = [item for group in zip(*queues, strict=False) for item in group]
            longest = max(len(q) for q in queues)
            work += [q[i] for i in range(min(len(q) for q in queues), longest) for q in queues
                     if i < len(q)]
            connections.close_all()
            with somu_serve(env=env, workers=args.workers, log_path=tmp / "server.log") as srv:
                print(f"somu serve: {args.workers} workers at {srv.base_url}; load: "
                      f"{args.clients} connections for {args.seconds:.0f} s "
                      f"(+{WARMUP_S:.0f} s warm-up)", flush=True)
                # the load process starts in ~0.2 s, then warms up for WARMUP_S
                with CpuMeter(srv, url, warm_after=WARMUP_S + 0.3) as cpu:
                    load = run_load(base=srv.base_url, work=work, seconds=args.seconds,
                                    clients=args.clients, tmp=tmp)
                server_log = srv.log_tail(15)
            with tenancy.activate(company.organization):
                approved = Request.objects.filter(state=RequestState.APPROVED).count()
                seats_approved = Seat.objects.filter(state=SeatState.APPROVED).count()
                queries = one_decision_queries(*spare[0])
                want_profile = args.profile
                profiled = ""
                measured = [r for r in load["results"] if r[0] >= load["warmup"]]
                ok = [r for r in measured if 200 <= r[2] < 300]
                rate = len(ok) / args.seconds
                if want_profile or rate < TARGET_PER_S:
                    profiled = profile(spare[1:])
    finally:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)

    results = load["results"]
    measured = [r for r in results if r[0] >= load["warmup"]]
    ok = [r for r in measured if 200 <= r[2] < 300]
    non2xx = [r for r in measured if r[2] >= 300]
    failed = [r for r in measured if r[2] == 0]
    warm_bad = [r for r in results if r[0] < load["warmup"] and not 200 <= r[2] < 300]
    span = args.seconds
    if load["left"] == 0 and measured:
        span = max(r[0] + r[1] for r in measured) - load["warmup"]
    rate = len(ok) / span
    windows = collections.Counter(int((r[0] - load["warmup"]) // 5) for r in ok)
    full_windows = [windows.get(w, 0) / 5 for w in range(int(span // 5))]
    lat = [r[1] * 1000 for r in measured]
    print(f"decisions through the API, PostgreSQL, somu serve --workers {args.workers}, "
          f"{args.clients} connections from a second process on loopback; {machine_load()}")
    print(f"  measured {span:.1f} s (after {load['warmup']:.0f} s warm-up): {len(measured):,} "
          f"requests — {len(ok):,} 2xx, {len(non2xx):,} non-2xx, {len(failed):,} errors "
          f"(warm-up: {sum(1 for r in results if r[0] < load['warmup']):,} requests, "
          f"{len(warm_bad)} not 2xx)")
    if load["left"] == 0:
        print(f"  NOTE: all prepared requests were decided before the time was up: rerun with "
              f"--requests above {len(results):,} for a full {args.seconds:.0f} s")
    print(f"  throughput: {rate:.1f} decisions/s; slowest 5-second window "
          f"{min(full_windows) if full_windows else 0:.1f}/s, fastest "
          f"{max(full_windows) if full_windows else 0:.1f}/s")
    if lat:
        print(f"  latency (client side): p50 {statistics.median(lat):.1f} ms, p95 "
              f"{percentile(lat, 95):.1f} ms, p99 {percentile(lat, 99):.1f} ms, max "
              f"{max(lat):.1f} ms")
    decided = sum(1 for r in results if 200 <= r[2] < 300)
    after_warmup = sum(1 for r in results if 200 <= r[2] < 300 and r[0] >= load["warmup"] + 0.3)
    print(f"  database right after the load: {approved:,} requests approved, {seats_approved:,} "
          f"seats approved; 2xx answers, warm-up included: {decided:,}"
          + ("" if approved == seats_approved == decided else "  ← MISMATCH"))
    if after_warmup:
        django_ms = cpu.seconds("gunicorn") / after_warmup * 1000
        pg_ms = cpu.seconds("postgres") / after_warmup * 1000
        client_ms = load["cpu"] / len(results) * 1000
        print(f"  CPU per decision (after the warm-up; independent of other work on the "
              f"machine): somu (gunicorn) {django_ms:.1f} ms + PostgreSQL {pg_ms:.1f} ms; "
              f"the load process {client_ms:.1f} ms per request. On "
              f"{os.cpu_count()} idle cores that CPU alone allows at most "
              f"{(os.cpu_count() or 1) * 1000 / (django_ms + pg_ms + client_ms):.0f} decisions/s")
    for line in load["errors"][:10]:
        print(f"  error: {line}")
    print(f"  {rate:.1f} decisions/s vs ≥ {TARGET_PER_S:.0f}/s: "
          f"{ratio(rate, TARGET_PER_S, higher_is_better=True)}; errors: "
          f"{'0 ✓' if not non2xx and not failed else f'{len(non2xx) + len(failed)}  ← MISSED'}")
    print(f"  queries of one decision (in process): {len(queries)}")
    for line in queries:
        print(f"    {_short(line)}")
    if profiled:
        print("  profile (cumulative time):")
        for line in profiled.splitlines():
            print(f"    {line}")
    if non2xx or failed:
        print("  server log (tail):")
        for line in server_log.splitlines():
            print(f"    {line}")
    missed = rate < TARGET_PER_S or bool(non2xx) or bool(failed)
    return 1 if args.check and missed else 0


def _short(sql: str, width: int = 160) -> str:
    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    return sql if len(sql) <= width else sql[:width] + " …"


if __name__ == "__main__":
    sys.exit(main())
