"""Benchmark: the people list of an organization with 5,000 people, served by `somu serve`.

Targets: p95 server time ≤ 100 ms; peak RSS of each gunicorn worker ≤ 250 MB.

    python benchmarks/people_list.py                       # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/somu_bench python benchmarks/people_list.py

With DATABASE_URL the named database is dropped, created, loaded and dropped again at the end,
so it must be a throw-away one: its name has to contain "bench". The server time is the
``Server-Timing: app;dur=…`` header set by ``RequestIdMiddleware``, so network and client overhead
are not counted; the client's own time is printed next to it for comparison.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.cookiejar
import math
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from _serving import stop

P95_TARGET_MS = 100.0
RSS_TARGET_MB = 250.0
ORG_SLUG = "bench"
USERNAME = "bench-admin"
PASSWORD = "bench-password-not-secret-42"  # noqa: S105 -- a throw-away database
SERVER_START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0

SURNAMES = [
    ("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
    ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"),
    ("小林", "こばやし"), ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"),
    ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"), ("井上", "いのうえ"),
    ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
]
GIVEN_NAMES = [
    ("太郎", "たろう"), ("花子", "はなこ"), ("健", "けん"), ("美咲", "みさき"),
    ("翔太", "しょうた"), ("陽菜", "ひな"), ("大輔", "だいすけ"), ("結衣", "ゆい"),
    ("直樹", "なおき"), ("さくら", "さくら"), ("拓也", "たくや"), ("愛", "あい"),
    ("誠", "まこと"), ("恵", "めぐみ"), ("亮", "りょう"), ("由美", "ゆみ"),
]
# 5 divisions × 6 departments under them: a 36-node chart.
DIVISIONS = ["管理本部", "営業本部", "開発本部", "製造本部", "海外事業本部"]
UNITS = ["第一部", "第二部", "第三部", "企画部", "業務部", "サポート部"]
GRADES = [
    ("G1", "一般", 2500, 1, 2), ("G2", "主任", 3000, 2, 3), ("G3", "係長", 3500, 2, 4),
    ("G4", "課長", 4500, 3, 5), ("G5", "部長", 6000, 4, 5), ("G6", "本部長", 8000, 4, 5),
]


# ---- database ------------------------------------------------------------------------------------


@contextmanager
def postgres_database(url: str, *, keep: bool) -> Iterator[None]:
    """Drop and create the database named in ``url``; drop it again afterwards."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop and recreate database {name!r}: "
                         "use a name containing 'bench'")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))

    def run(statement: sql.Composed) -> None:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(statement)

    drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    run(drop)
    run(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield
    finally:
        if not keep:
            run(drop)


def load_data(*, people: int, seed: int) -> dict[str, str]:
    """Migrate, then load one organization with ``people`` people; returns sample filter values."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction

    from somu.core import tenancy
    from somu.core.permissions import Role
    from somu.org import services
    from somu.org.models import Department, EmploymentType, Grade, Person, PersonStatus

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(seed)
    with transaction.atomic():
        org = services.organization_create(actor=None, name="ベンチマーク株式会社", slug=ORG_SLUG)
        with tenancy.activate(org):
            user = services.user_create(actor=None, username=USERNAME, password=PASSWORD)
            services.membership_set(actor=None, user=user, role=Role.ADMIN)
            grades = [
                services.grade_save(actor=None, grade=None, data={
                    "code": code, "name": name, "hourly_cost": cost, "difficulty_min": lo,
                    "difficulty_max": hi, "sort_order": i})
                for i, (code, name, cost, lo, hi) in enumerate(GRADES)
            ]
            divisions: list[Department] = []
            units: list[Department] = []
            for d, division_name in enumerate(DIVISIONS):
                division = services.department_create(
                    actor=None, name=division_name, code=f"D{d + 1}")
                divisions.append(division)
                for u, unit_name in enumerate(UNITS):
                    units.append(services.department_create(
                        actor=None, name=f"{division_name[:-2]}{unit_name}",
                        code=f"D{d + 1}{u + 1}", parent=division))
            employment_types = [e.value for e in EmploymentType]
            rows = []
            for n in range(1, people + 1):
                surname, surname_kana = rng.choice(SURNAMES)
                given, given_kana = rng.choice(GIVEN_NAMES)
                retired = rng.random() < 0.05
                rows.append(Person(
                    organization=org,
                    employee_number=f"E{n:05d}",
                    name=f"{surname} {given}",
                    name_kana=f"{surname_kana} {given_kana}",
                    email=f"e{n:05d}@bench.example",
                    department=rng.choice(units) if rng.random() < 0.97 else None,
                    grade=rng.choices(grades, weights=[40, 25, 15, 10, 7, 3])[0],
                    employment_type=rng.choices(employment_types, weights=[75, 12, 10, 3])[0],
                    hire_date=dt.date(1990, 4, 1) + dt.timedelta(days=rng.randrange(12_000)),
                    status=PersonStatus.RETIRED if retired else PersonStatus.ACTIVE,
                    retired_on=dt.date(2024, 3, 31) if retired else None,
                ))
            Person.objects.bulk_create(rows, batch_size=500)
            assert Grade.objects.count() == len(GRADES)
    connections.close_all()
    return {"search": "田中", "department": str(divisions[0].pk)}


# ---- server --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def somu_serve(*, env: dict[str, str], workers: int, log_path: Path) -> Iterator[Server]:
    """`somu serve` in its own process group, always terminated on the way out."""
    port = free_port()
    somu = shutil.which("somu", path=str(Path(sys.executable).parent)) or "somu"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [somu, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        wait_until_ready(server, workers)
        yield server
    finally:
        stop(process)


def wait_until_ready(server: Server, workers: int) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"somu serve exited with {server.process.returncode}:\n"
                             f"{server.log_tail()}")
        try:
            # The URL is the local server's http:// address, never user input.
            health = server.base_url + "/healthz"
            with urllib.request.urlopen(health, timeout=2) as response:  # noqa: S310
                if response.status == 200 and len(server.worker_pids()) >= workers:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"somu serve was not ready within {SERVER_START_TIMEOUT:.0f} s:\n"
                     f"{server.log_tail()}")




def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


# ---- client --------------------------------------------------------------------------------------


class Client:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str, float, str]:
        """Status, body, client milliseconds and the Server-Timing header of one GET."""
        url = self.base_url + path
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
        started = time.perf_counter()
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            body = response.read().decode()
            elapsed = (time.perf_counter() - started) * 1000
            return response.status, body, elapsed, response.headers.get("Server-Timing", "")

    def log_in(self, username: str, password: str) -> None:
        _, body, _, _ = self.get("/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if match is None:
            raise SystemExit("no CSRF token on the login page")
        data = urllib.parse.urlencode({
            "csrfmiddlewaretoken": html.unescape(match.group(1)),
            "username": username, "password": password, "next": "/",
        }).encode()
        url = self.base_url + "/login/"
        request = urllib.request.Request(url, data=data, headers={"Referer": url})  # noqa: S310
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            final = response.geturl()
        if final.rstrip("/") != self.base_url:
            raise SystemExit(f"login failed (ended at {final})")


def server_ms(header: str) -> float:
    match = re.search(r"\bapp;dur=([0-9.]+)", header)
    if match is None:
        raise SystemExit("no 'Server-Timing: app;dur=…' header: is RequestIdMiddleware installed?")
    return float(match.group(1))


@dataclass
class Case:
    label: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the value below which ``pct`` % of the samples lie."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def run_cases(client: Client, cases: list[Case], *, requests: int, warmup: int) -> None:
    for case in cases:
        status, body, _, _ = client.get(case.path, case.headers)
        if status != 200 or "<table" not in body:
            raise SystemExit(f"{case.label}: unexpected answer (HTTP {status})")
    for _ in range(warmup):
        for case in cases:
            client.get(case.path, case.headers)
    # Interleaved, so a slow moment of the machine hits every case alike.
    for _ in range(requests):
        for case in cases:
            _, _, elapsed, timing = client.get(case.path, case.headers)
            case.client.append(elapsed)
            case.server.append(server_ms(timing))


# ---- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=200, help="requests per case")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted requests per case")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument("--keep", action="store_true",
                        help="keep the data directory (and PostgreSQL database)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    # A plain `kill` of the benchmark must still stop the server and drop the database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    data_dir = Path(tempfile.mkdtemp(prefix="somu-bench-"))
    database_url = os.environ.get("DATABASE_URL", "")
    os.environ["SOMU_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "somu.settings"
    env = {**os.environ, "SOMU_ACCESS_LOG": "0", "SOMU_LOG_LEVEL": "WARNING"}
    backend = "PostgreSQL" if database_url else "SQLite (WAL)"
    try:
        with postgres_database(database_url, keep=args.keep) if database_url else _nothing():
            started = time.monotonic()
            samples = load_data(people=args.people, seed=args.seed)
            load_seconds = time.monotonic() - started
            cases = [
                Case("first page", "/org/people/"),
                Case("search, one surname",
                     "/org/people/?q=" + urllib.parse.quote(samples["search"])),
                Case("department subtree", f"/org/people/?department={samples['department']}"),
                Case("search, htmx partial",
                     "/org/people/?q=" + urllib.parse.quote(samples["search"]),
                     {"HX-Request": "true"}),
            ]
            with somu_serve(env=env, workers=args.workers, log_path=data_dir / "server.log") as srv:
                client = Client(srv.base_url)
                client.log_in(USERNAME, PASSWORD)
                run_cases(client, cases, requests=args.requests, warmup=args.warmup)
                workers = {pid: peak_rss_mb(pid) for pid in srv.worker_pids()}
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(f"people list: {args.people:,} people, {backend}, {args.workers} workers, "
          f"{args.requests} requests per case (+{args.warmup} warm-up); data loaded in "
          f"{load_seconds:.1f} s")
    print(f"{'case':<24}{'server p50':>12}{'server p95':>12}{'client p50':>12}{'client p95':>12}")
    for case in cases:
        print(f"{case.label:<24}{statistics.median(case.server):>10.1f}ms"
              f"{percentile(case.server, 95):>10.1f}ms{statistics.median(case.client):>10.1f}ms"
              f"{percentile(case.client, 95):>10.1f}ms")
    every = [ms for case in cases for ms in case.server]
    p95 = percentile(every, 95)
    print(f"{'all cases':<24}{statistics.median(every):>10.1f}ms{p95:>10.1f}ms")
    print(f"p95 server time {p95:.1f} ms = {p95 / P95_TARGET_MS:.2f} × the {P95_TARGET_MS:.0f} ms "
          f"target")
    peak = max(workers.values())
    listed = ", ".join(f"{mb:.0f} MB" for mb in workers.values())
    print(f"peak RSS of the workers: {listed}; max {peak:.0f} MB = "
          f"{peak / RSS_TARGET_MB:.2f} × the {RSS_TARGET_MB:.0f} MB target")
    if args.keep:
        print(f"data directory kept: {data_dir}")
    missed = p95 > P95_TARGET_MS or peak > RSS_TARGET_MB
    return 1 if args.check and missed else 0


@contextmanager
def _nothing() -> Iterator[None]:
    yield


if __name__ == "__main__":
    sys.exit(main())
