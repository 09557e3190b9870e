"""Benchmark: the inbox and the requests list with 1,000,000 requests and 5,000,000 stage rows.

Target (approvals issue): the inbox and the requests list with 1,000,000 requests and 5,000,000
stage rows on PostgreSQL: p95 ≤ 100 ms, constant query count.

    python benchmarks/approvals_lists.py [--requests 1000000] [--people 5000] [--sample 300]
                                         [--rounds 2] [--keep] [--check]

1. Creates a fresh PostgreSQL database (DATABASE_URL, default
   ``postgres://postgres@127.0.0.1:5432/somu_bench_ap_lists``; dropped, created, dropped again
   at the end; its name must contain "bench") and the company of ``_approvals_data.py`` with
   ``--people`` people (4 本部 × 4 部 × 20 課; ~45 back-office staff who see every request).
2. Generates ``--requests`` requests over three years (ids in creation order; deterministic for
   ``--seed``) with their stages and seats, as the services would have left them: requesters
   are 一般 members of a 課, the route follows their chain (課長 → 部長 → 本部長 → 社長) with
   3 to 7 stages (審査 by a staff member, 承認s, a 合議 of two 経理部 people, the 決裁, a 回覧
   of two staff members): about 5 stages and 5.6 seats per request. Requests older than 30
   days are approved (92 %), rejected (5 %), sent back (1 %), recalled (1 %), drafts (0.5 %) or,
   forgotten, still in progress (0.5 %); of the last 30 days' 60 % are in progress: done up to
   an active stage with one pending seat, waiting after it. Rows go in with COPY in batches of
   50,000 requests, explicit ids, the foreign-key triggers off for the load
   (``session_replication_role = replica``; the generator keeps the references right), indexes
   maintained; then VACUUM ANALYZE. Revisions, history and audit lines are not generated: the
   lists do not read them.
3. Requests ``/approvals/inbox/``, ``/approvals/requests/``, ``/api/v1/approvals/inbox`` and
   ``/api/v1/approvals/requests`` in process through Django's test client, logged in as
   ``--sample`` different people — approvers with pending seats (the ten busiest and others at
   random), plain employees, managers (their department subtree is visible to them) and the
   back-office staff (申請の閲覧: the org-wide list by date) — ``--rounds`` times each,
   interleaved, after one uncounted request per page; reads the server time from the
   ``Server-Timing`` header. Prints p50 / p95 / max per page and group, the queries of one
   request of each page for the heaviest and the lightest person of each group (the count must
   not grow with the data), and EXPLAIN ANALYZE of each page's slowest queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Final

P95_TARGET_MS: Final = 100.0
DB_NAME: Final = "somu_bench_ap_lists"
PG_SERVER: Final = "postgres://postgres@127.0.0.1:5432"
BATCH: Final = 50_000
PAGES: Final = {
    "inbox page": "/approvals/inbox/",
    "requests page": "/approvals/requests/",
    "API inbox": "/api/v1/approvals/inbox",
    "API requests": "/api/v1/approvals/requests",
}
TITLES: Final = ["ノートPC購入", "モニター購入", "複合機リース更新", "展示会出展", "外注費支払",
                 "出張（大阪）", "出張（福岡）", "ソフトウェアライセンス更新", "備品購入",
                 "会議室改装", "業務委託契約", "NDA締結", "社用車購入", "研修受講"]
REQUEST_COLUMNS: Final = (
    "id", "organization_id", "request_type_id", "number", "title", "requester_id",
    "department_id", "submitted_by_id", "amount", "category", "values", "state", "revision",
    "route_round", "rule_version_id", "submitted_on", "submitted_at", "decided_at",
    "launched_run_id", "created_at", "updated_at")
STAGE_COLUMNS: Final = (
    "id", "organization_id", "request_id", "round", "index", "kind", "label", "quorum",
    "at_least", "allow_add", "rule_row", "why", "state", "decided_at")
SEAT_COLUMNS: Final = (
    "id", "organization_id", "stage_id", "request_id", "person_id", "state", "decided_by_id",
    "acting", "delegation_id", "comment", "decided_at", "added_by_id", "pending_since",
    "current")


# ---- data ----------------------------------------------------------------------------------------


def _route(company: Any, section: int, n: int, rng: random.Random) -> list[tuple[str, list[int]]]:
    """Stages (kind, seat persons) of an ``n``-stage route for a requester of ``section``."""
    kacho, bucho, honbucho, shacho = company.chain(section)
    review = ("review", [company.staff[rng.randrange(len(company.staff))]])
    consult = ("consult", rng.sample(company.keiri, 2))
    circulate = ("circulate", rng.sample(company.staff, 2))
    if n == 3:
        return [("approve", [kacho]), ("approve", [bucho]), ("decide", [honbucho])]
    if n == 4:
        return [review, ("approve", [kacho]), ("approve", [bucho]), ("decide", [honbucho])]
    if n == 5:
        return [review, ("approve", [kacho]), ("approve", [bucho]), consult,
                ("decide", [honbucho])]
    if n == 6:
        return [review, ("approve", [kacho]), ("approve", [bucho]), consult,
                ("decide", [honbucho]), circulate]
    return [review, ("approve", [kacho]), ("approve", [bucho]), consult,
            ("approve", [honbucho]), ("decide", [shacho]), circulate]


AMOUNTS: Final = {3: (100_001, 1_000_000), 4: (100_001, 1_000_000), 5: (500_001, 1_000_000),
                  6: (1_000_001, 10_000_000), 7: (10_000_001, 80_000_000)}


def generate(company: Any, *, wanted: int, seed: int, now: dt.datetime) -> dict[str, int]:
    from django.db import connection

    from somu.approvals.models import RuleVersion

    rng = random.Random(seed)
    org_id = company.organization.pk
    types = list(company.types.values())
    version_id = RuleVersion.objects.get().pk
    requesters = [p for section in company.sections for p in company.members[section]]
    section_of = company.department_of
    stats = {"requests": 0, "stages": 0, "seats": 0, "pending": 0, "in_progress": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM approvals_request")
        request_id = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM approvals_stage")
        stage_id = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM approvals_seat")
        seat_id = cursor.fetchone()[0]
    span = 3 * 365 * 86400.0
    # creation times, oldest first: ids grow with time, as they do in use
    ages = sorted((rng.random() * span for _ in range(wanted)), reverse=True)
    number = 0
    started = time.perf_counter()
    for first in range(0, wanted, BATCH):
        requests_rows, stage_rows, seat_rows = [], [], []
        for age in ages[first:first + BATCH]:
            request_id += 1
            created = now - dt.timedelta(seconds=age)
            days = age / 86400
            roll = rng.random()
            if days <= 30:
                state = ("in_progress" if roll < 0.60 else "approved" if roll < 0.90 else
                         "rejected" if roll < 0.94 else "sent_back" if roll < 0.97 else
                         "draft" if roll < 0.99 else "recalled")
            else:
                state = ("approved" if roll < 0.92 else "rejected" if roll < 0.97 else
                         "sent_back" if roll < 0.98 else "recalled" if roll < 0.99 else
                         "draft" if roll < 0.995 else "in_progress")
            requester = requesters[rng.randrange(len(requesters))]
            section = section_of[requester]
            request_type = types[rng.randrange(len(types))]
            n = rng.randint(3, 7)
            lo, hi = AMOUNTS[n]
            amount = rng.randint(lo // 1000, hi // 1000) * 1000
            draft = state == "draft"
            if not draft:
                number += 1
            submitted = created + dt.timedelta(minutes=rng.randint(1, 120))
            decided = submitted + dt.timedelta(hours=rng.randint(2, 120)) \
                if state in ("approved", "rejected") else None
            requests_rows.append((
                request_id, org_id, request_type.pk,
                "" if draft else f"{request_type.number_prefix}-{number:07d}",
                f"{TITLES[rng.randrange(len(TITLES))]} {number}", requester, section, None,
                amount, "", "{}", state, 0 if draft else 1, 0 if draft else 1,
                None if draft else version_id, None if draft else submitted.date(),
                None if draft else submitted, decided, None, created,
                decided or submitted))
            if draft:
                continue
            route = _route(company, section, n, rng)
            blocking = [i for i, (kind, seats) in enumerate(route)
                        if kind != "circulate" and len(seats) == 1]
            # where the request stands: index of the stage that ended it or is active
            at = len(route) if state == "approved" else (
                blocking[rng.randrange(len(blocking))] if state == "in_progress"
                else 0 if state == "recalled" else rng.randrange(len(route) - 1))
            step = (decided or now) - submitted
            for index, (kind, persons) in enumerate(route):
                stage_id += 1
                stage_time = submitted + step * ((index + 1) / (len(route) + 1))
                if index < at or (state == "approved"):
                    stage_state, seat_state, when = "done", "approved", stage_time
                elif index == at:
                    stage_state, seat_state, when = {
                        "in_progress": ("active", "pending", None),
                        "rejected": ("rejected", "rejected", stage_time),
                        "sent_back": ("returned", "returned", stage_time),
                        "recalled": ("cancelled", "cancelled", None)}[state]
                else:
                    stage_state, seat_state, when = (
                        ("waiting", "waiting", None) if state == "in_progress"
                        else ("cancelled", "cancelled", None))
                if kind == "circulate" and seat_state == "approved":
                    seat_state = "seen"
                stage_rows.append((
                    stage_id, org_id, request_id, 1, index, kind, "",
                    "all" if kind == "consult" else "any", 1, False, None, "[]", stage_state,
                    when if stage_state in ("done", "rejected", "returned") else None))
                for person in persons:
                    seat_id += 1
                    decided_seat = seat_state in ("approved", "rejected", "returned", "seen")
                    pending_since = (stage_time - step / (len(route) + 1)
                                     if seat_state not in ("waiting", "cancelled") else None)
                    seat_rows.append((
                        seat_id, org_id, stage_id, request_id, person, seat_state,
                        person if decided_seat else None, "", None,
                        "金額の根拠が不足" if seat_state in ("rejected", "returned") else "",
                        when if decided_seat else None, None, pending_since, True))
                    stats["pending"] += seat_state == "pending"
            stats["in_progress"] += state == "in_progress"
        _copy(connection, "approvals_request", REQUEST_COLUMNS, requests_rows)
        _copy(connection, "approvals_stage", STAGE_COLUMNS, stage_rows)
        _copy(connection, "approvals_seat", SEAT_COLUMNS, seat_rows)
        stats["requests"] += len(requests_rows)
        stats["stages"] += len(stage_rows)
        stats["seats"] += len(seat_rows)
        elapsed = time.perf_counter() - started
        print(f"  … {stats['requests']:,} requests, {stats['stages']:,} stages, "
              f"{stats['seats']:,} seats ({elapsed:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        for table in ("approvals_request", "approvals_stage", "approvals_seat"):
            # the table names are this module's constants
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                           f"(SELECT max(id) FROM {table}))")
        started = time.perf_counter()
        for table in ("approvals_request", "approvals_stage", "approvals_seat"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        stats["vacuum_s"] = int(time.perf_counter() - started)
    return stats


def _copy(connection: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
          ) -> None:
    from django.db import transaction

    names = ", ".join(f'"{c}"' for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        # The generator keeps every reference right: no per-row foreign-key trigger for the load.
        cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


# ---- measuring -----------------------------------------------------------------------------------


@dataclass
class Sample:
    group: str
    person_id: int
    user_id: int
    weight: int  # pending seats (approvers), or requests visible (approximately) for the others
    ms: dict[str, list[float]] = field(default_factory=dict)
    cpu_ms: dict[str, list[float]] = field(default_factory=dict)


def choose(company: Any, *, sample: int, seed: int) -> list[Sample]:
    from django.db.models import Count

    from somu.approvals.models import Request, Seat

    rng = random.Random(seed + 1)
    pending = dict(Seat.objects.filter(state="pending", current=True).values_list("person")
                   .annotate(n=Count("pk")).order_by().values_list("person", "n"))
    busiest = sorted(pending, key=lambda p: -pending[p])
    staff = [p for p in company.staff if p in company.users]
    heads = [p for p in company.head.values() if p != company.president]
    employees = [p for section in company.sections for p in company.members[section]
                 if p not in set(company.staff)]
    n_staff = min(len(staff), sample // 6)
    n_heads = min(len(heads), sample // 6)
    n_approvers = min(len(busiest), sample // 3)
    approvers = busiest[:10] + rng.sample(busiest[10:], max(0, n_approvers - 10))
    chosen = set(approvers)
    rest = sample - n_staff - n_heads - len(approvers)
    others = rng.sample([p for p in employees if p not in chosen], rest)
    heads_chosen = rng.sample([p for p in heads if p not in chosen], n_heads)
    requested = dict(Request.objects.values_list("requester").annotate(n=Count("pk"))
                     .order_by().values_list("requester", "n"))
    out = [Sample("approvers with pending seats", p, company.users[p], pending[p])
           for p in approvers]
    out += [Sample("employees", p, company.users[p], requested.get(p, 0)) for p in others]
    out += [Sample("managers (subtree)", p, company.users[p], pending.get(p, 0))
            for p in heads_chosen]
    out += [Sample("back-office staff (all)", p, company.users[p], pending.get(p, 0))
            for p in rng.sample(staff, n_staff)]
    return out


def measure(company: Any, samples: list[Sample], *, rounds: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from people_list import server_ms

    from somu.org.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    users = User.objects.in_bulk([s.user_id for s in samples])
    clients: dict[int, Client] = {}
    for s in samples:
        client = Client()
        client.force_login(users[s.user_id])
        session = client.session
        session["organization_id"] = company.organization.pk
        session.save()
        clients[s.person_id] = client
    for url in PAGES.values():  # one uncounted request per page: templates, URL patterns
        clients[samples[0].person_id].get(url)
    for _round in range(rounds):
        for s in samples:
            for page, url in PAGES.items():
                cpu_started = time.process_time()
                response = clients[s.person_id].get(url)
                s.cpu_ms.setdefault(page, []).append((time.process_time() - cpu_started) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered HTTP {response.status_code} for person "
                                     f"{s.person_id}: {response.content[:300]!r}")
                s.ms.setdefault(page, []).append(server_ms(response.headers["Server-Timing"]))
    # queries: the heaviest and the lightest person of each group, every page
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    slow: list[tuple[float, str, str, str, Any]] = []
    for group in dict.fromkeys(s.group for s in samples):
        members = [s for s in samples if s.group == group]
        heavy = max(members, key=lambda s: s.weight)
        light = min(members, key=lambda s: s.weight)
        for page, url in PAGES.items():
            executed: list[tuple[str, Any]] = []

            def remember(execute: Any, sql: str, params: Any, many: bool, context: Any,
                         executed: list[tuple[str, Any]] = executed) -> Any:
                executed.append((sql, params))
                return execute(sql, params, many, context)

            with CaptureQueriesContext(connection) as heavy_q, \
                    connection.execute_wrapper(remember):
                clients[heavy.person_id].get(url)
            with CaptureQueriesContext(connection) as light_q:
                clients[light.person_id].get(url)
            counts[(group, page)] = (len(heavy_q), len(light_q))
            for (sql, params), q in zip(executed, heavy_q.captured_queries, strict=True):
                if sql.lstrip().upper().startswith("SELECT") and "approvals_" in sql:
                    slow.append((float(q["time"]) * 1000, group, page, sql, params))
    # EXPLAIN ANALYZE of the slowest query of each page (over the groups) and of anything ≥ 20 ms
    plans = []
    seen: set[str] = set()
    explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    with connection.cursor() as cursor:
        for ms, group, page, sql, params in sorted(slow, key=lambda x: -x[0]):
            key = f"{page}:{_short(sql, 120)}"
            first_of_page = not any(p == page for _g, p, _s, _pl, _ms in plans)
            if key in seen or not (first_of_page or ms >= 20):
                continue
            seen.add(key)
            cursor.execute(explain + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            plans.append((group, page, sql, plan, ms))
            if len(plans) >= 10:
                break
    return {"counts": counts, "plans": plans}


def _short(sql: str, width: int = 150) -> str:
    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    return sql if len(sql) <= width else sql[:width] + " …"


# ---- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--sections", type=int, default=20, help="課 per 部")
    parser.add_argument("--sample", type=int, default=300, help="different people requesting")
    parser.add_argument("--rounds", type=int, default=2, help="requests per person and page")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    import shutil
    import tempfile

    from _procedures_data import machine_load, percentile, ratio
    from people_list import postgres_database

    url = os.environ.get("DATABASE_URL") or f"{PG_SERVER}/{DB_NAME}"
    if not url.startswith("postgres"):
        raise SystemExit("this benchmark needs PostgreSQL (DATABASE_URL=postgres://…)")
    tmp = tempfile.mkdtemp(prefix="somu-bench-")
    os.environ.update({"DATABASE_URL": url, "SOMU_DATA_DIR": tmp,
                       "DJANGO_SETTINGS_MODULE": "somu.settings"})
    os.environ.setdefault("SOMU_LOG_LEVEL", "WARNING")
    try:
        with postgres_database(url, keep=args.keep):
            import django

            django.setup()
            from _approvals_data import build_company
            from django.core.management import call_command
            from django.db import connections
            from django.utils import timezone

            from somu.core import tenancy

            t0 = time.perf_counter()
            call_command("migrate", interactive=False, verbosity=0)
            company = build_company(people=args.people, sections=args.sections)
            company_s = time.perf_counter() - t0
            print(f"company: {args.people:,} people, {len(company.sections)} 課, "
                  f"{len(company.staff)} back-office staff ({company_s:.1f} s); generating …",
                  flush=True)
            t0 = time.perf_counter()
            with tenancy.activate(company.organization):
                stats = generate(company, wanted=args.requests, seed=args.seed,
                                 now=timezone.now())
                generate_s = time.perf_counter() - t0
                samples = choose(company, sample=args.sample, seed=args.seed)
                figures = measure(company, samples, rounds=args.rounds)
            connections.close_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"approvals lists, PostgreSQL: {stats['requests']:,} requests, {stats['stages']:,} "
          f"stages, {stats['seats']:,} seats ({stats['in_progress']:,} in progress, "
          f"{stats['pending']:,} pending seats), {args.people:,} people; generated in "
          f"{generate_s:.0f} s (VACUUM ANALYZE {stats['vacuum_s']} s); {machine_load()}")
    print(f"  {len(samples)} different people × {args.rounds} rounds × {len(PAGES)} pages "
          f"(server time from Server-Timing, in process):")
    every: list[float] = []
    groups = list(dict.fromkeys(s.group for s in samples))
    for page in PAGES:
        print(f"  {page} ({PAGES[page]}):")
        for group in groups:
            members = [s for s in samples if s.group == group]
            ms = [m for s in members for m in s.ms[page]]
            every += ms
            weights = sorted(s.weight for s in members)
            what = ("pending seats" if group.startswith("approvers")
                    else "own requests" if group == "employees" else "pending seats")
            print(f"    {group:<30} {len(members):3d} people ({what}: median "
                  f"{statistics.median(weights):.0f}, max {weights[-1]}): p50 "
                  f"{statistics.median(ms):6.1f} ms, p95 {percentile(ms, 95):6.1f} ms, max "
                  f"{max(ms):6.1f} ms")
        page_ms = [m for s in samples for m in s.ms[page]]
        cpu = [m for s in samples for m in s.cpu_ms[page]]
        print(f"    {'all':<30} p95 {percentile(page_ms, 95):.1f} ms: "
              f"{ratio(percentile(page_ms, 95), P95_TARGET_MS)}; CPU of this process (the "
              f"page without the database's time) p50 {statistics.median(cpu):.1f} ms, p95 "
              f"{percentile(cpu, 95):.1f} ms")
    p95 = percentile(every, 95)
    print(f"  all pages and groups: p50 {statistics.median(every):.1f} ms, p95 {p95:.1f} ms vs "
          f"{P95_TARGET_MS:.0f} ms: {ratio(p95, P95_TARGET_MS)}")
    print("  queries per request (heaviest / lightest person of the group):")
    constant = True
    for (group, page), (heavy, light) in figures["counts"].items():
        constant &= heavy == light
        print(f"    {page:<14} {group:<30} {heavy:3d} / {light:3d}"
              + ("" if heavy == light else "  ← differs"))
    print(f"  query count {'constant' if constant else 'NOT constant'} across people")
    print("  plans of the slowest queries (EXPLAIN ANALYZE, as the heaviest person of the group):")
    for group, page, sql, plan, ms in figures["plans"]:
        print(f"  -- {page}, {group}: {ms:.1f} ms in the request: {_short(sql, 300)}")
        for line in plan.splitlines():
            print(f"     {line}")
    missed = p95 > P95_TARGET_MS or not constant
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
