"""Benchmark: the My tasks page with 1,000,000 step rows.

Target (issue 4): with 1,000,000 step rows in PostgreSQL, the server time of the My tasks page
(GET /procedures/my/) p95 ≤ 100 ms, with indexes and no N+1 queries.

    python benchmarks/procedures_my_tasks.py --pg [--steps 1000000] [--people 5000]
                                                  [--sample 300] [--rounds 2] [--check]

1. Builds a fresh database (with ``--pg`` or DATABASE_URL a PostgreSQL database, default
   ``somu_bench_proc_tasks``, created and dropped again; without, SQLite in a temporary
   directory — the target is PostgreSQL's) with the synthetic company of
   ``_procedures_data.py``: ``--people`` people (default 5,000) with logins and roles.
2. Saves four templates (30, 20, 20 and 12 steps) and generates runs of them until there are
   ``--steps`` step rows, as two and a half years of use would leave them (deterministic
   for ``--seed``): runs started from 30 months ago to a month ahead; runs older than 90
   days mostly completed (3 % cancelled, 4 % left running), recent ones mostly running;
   a running run has its first steps done or skipped, the next one to three ready and the
   rest waiting; due dates two business days apart from the start, so old running runs have
   overdue steps (waiting steps due relative to a predecessor have none yet). Assignees as
   the assignee rules give them: about half of the steps to the
   ~90 back-office staff (the role rules — these people hold hundreds of open steps each), a
   third to the run's subject person, the rest to that person's manager. Runs go in with
   ``bulk_create``; steps with COPY on PostgreSQL (executemany on SQLite) in batches of
   100,000; then VACUUM ANALYZE (ANALYZE on SQLite). Timeline events are not generated: the
   page does not read them.
3. Requests /procedures/my/ in process through Django's test client, logged in as
   ``--sample`` different people (a fifth of them back-office staff, the heaviest holders,
   the rest employees drawn at random), ``--rounds`` times each, interleaved, after one
   uncounted request that warms the process up, and reads the server time from the
   ``Server-Timing`` header (``RequestIdMiddleware``: the whole Django stack — sessions,
   auth, tenancy, the view, the template). Prints p50 / p95 / max overall
   and per group, the queries of one request (with ``CaptureQueriesContext``) and the plan
   (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) of every query of the page
   that reads ``procedures_step``, marking those that use the partial index
   ``step_my_tasks``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import re
import signal
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Final

from _procedures_data import (
    add_database_arguments,
    bench_database,
    build_company,
    graph_spec,
    machine_load,
    migrate,
    onboarding_30_spec,
    percentile,
    ratio,
    year_end_20_spec,
)

P95_TARGET_MS: Final = 100.0
BATCH: Final = 100_000
URL: Final = "/procedures/my/"
STEP_COLUMNS: Final = (
    "organization_id", "run_id", "key", "name", "position", "kind", "state", "assignee_id",
    "assignee_flagged", "due_date", "depends_on", "checklist_done", "form_values",
    "estimated_minutes", "actual_minutes", "ready_at", "completed_at", "completed_by_id",
    "revision",
)


def monthly_close_spec() -> dict[str, Any]:
    """月次決算 in 12 steps, a chain with one fork: a template of a different size."""
    keys = ["close_ar", "close_ap", "expenses", "payroll_journal", "depreciation", "accruals",
            "inventory", "trial_balance", "variance", "report", "approve", "archive"]
    steps = []
    for index, key in enumerate(keys):
        deps = [] if index == 0 else [keys[index - 1]] if index != 2 else [keys[0]]
        steps.append({"key": key, "name": f"月次決算 {index + 1:02d} {key}",
                      "depends_on": deps, "assignee": {"role": "staff", "department": "経理部"},
                      "due": {"from": "start", "offset": index}})
    return {"somu": "procedure/1", "name": "月次決算（ベンチマーク12ステップ）", "steps": steps}


@dataclass
class Shape:
    """What the generator needs of a template: its steps in order."""

    template_id: int
    version_id: int
    name: str
    steps: list[tuple[str, str, list[str]]]  # key, name, depends_on
    after: set[str]  # steps due relative to a predecessor: no due date while it is open


def generate(company: Any, *, steps_wanted: int, seed: int, today: dt.date) -> dict[str, int]:
    """Runs and ``steps_wanted`` step rows in bulk (see the module docstring)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from somu.procedures.models import Run, RunStatus, StepState
    from somu.procedures.services import templates as template_services

    rng = random.Random(seed)
    shapes: list[Shape] = []
    for spec in (onboarding_30_spec(), year_end_20_spec(), graph_spec(), monthly_close_spec()):
        template = template_services.template_save(actor=company.admin, template=None, spec=spec,
                                          owner=company.admin_person)
        version = template.current_version
        shapes.append(Shape(template.pk, version.pk, template.name,
                            [(s["key"], s["name"], list(s.get("depends_on", [])))
                             for s in spec["steps"]],
                            {s["key"] for s in spec["steps"] if "after" in s.get("due", {})}))
    weights = [3, 3, 2, 2]
    org_id = company.organization.pk
    heavy, active = company.heavy, company.active
    managers = company.managers
    tz = timezone.get_current_timezone()
    stats = {"runs": 0, "steps": 0, "open": 0}

    @functools.cache
    def due_dates(start: dt.date) -> list[dt.date]:
        """start, then every second weekday after it: the due date of each position."""
        days, day = [start], start
        while len(days) < 80:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                days.append(day)
        return days[0:1] + days[2::2]

    while stats["steps"] < steps_wanted:
        runs: list[Run] = []
        plans: list[tuple[Shape, int, dt.date, str, int, int]] = []
        batch_steps = 0
        while batch_steps < BATCH and stats["steps"] + batch_steps < steps_wanted:
            shape = rng.choices(shapes, weights)[0]
            start = today + dt.timedelta(days=rng.randint(-900, 30))
            age = (today - start).days
            roll = rng.random()
            if age > 90:
                status = (RunStatus.COMPLETED if roll < 0.93 else RunStatus.CANCELLED
                          if roll < 0.96 else RunStatus.RUNNING)
            else:
                status = RunStatus.COMPLETED if roll < max(0.0, age / 90 * 0.5) \
                    else RunStatus.RUNNING
            subject = active[rng.randrange(len(active))]
            n = min(len(shape.steps), steps_wanted - stats["steps"] - batch_steps)
            # how far a running run got: none yet for future starts, further for older ones
            done_upto = 0 if status != RunStatus.RUNNING or age <= 0 else min(
                n - 1, int(n * min(1.0, age / 60) * rng.random()))
            runs.append(Run(
                organization_id=org_id, template_id=shape.template_id,
                version_id=shape.version_id, name=f"{shape.name} {start.isoformat()}",
                params={}, start_date=start, status=status, started_by=company.admin,
                starter=company.admin_person,
                completed_at=(dt.datetime.combine(start, dt.time(17), tz)
                              + dt.timedelta(days=30)) if status == RunStatus.COMPLETED
                else None))
            plans.append((shape, subject, start, status, done_upto, n))
            batch_steps += n
        with transaction.atomic():
            Run.objects.bulk_create(runs, batch_size=5000)
            rows = []
            for run, (shape, subject, start, status, done_upto, n) in zip(runs, plans,
                                                                           strict=True):
                started_at = dt.datetime.combine(start, dt.time(9), tz)
                dues = due_dates(start)
                ready_next = rng.randint(1, 3)
                for position, (key, name, deps) in enumerate(shape.steps[:n]):
                    roll = rng.random()
                    assignee = (heavy[rng.randrange(len(heavy))] if roll < 0.5 else subject
                                if roll < 0.83 else managers.get(subject, subject))
                    if status == RunStatus.COMPLETED:
                        state = StepState.SKIPPED if rng.random() < 0.08 else StepState.DONE
                    elif status == RunStatus.CANCELLED:
                        state = StepState.DONE if position < n // 3 else StepState.CANCELLED
                    elif position < done_upto:
                        state = StepState.SKIPPED if rng.random() < 0.08 else StepState.DONE
                    elif position < done_upto + ready_next:
                        state = StepState.READY
                    else:
                        state = StepState.WAITING
                    due = None if state == StepState.WAITING and key in shape.after \
                        else dues[position]
                    finished = state in (StepState.DONE, StepState.SKIPPED)
                    completed_at = started_at + dt.timedelta(days=2 * position + 1) \
                        if state == StepState.DONE else None
                    rows.append((
                        org_id, run.pk, key, name, position, "task", state, assignee, False,
                        due, _json(deps), "[]", "{}", 30, rng.randint(5, 90) if finished
                        else None, started_at if state != StepState.WAITING else None,
                        completed_at, company.admin.pk if completed_at else None,
                        2 if finished else 1 if state == StepState.READY else 0))
                    stats["open"] += state in (StepState.READY, StepState.WAITING)
            _insert_steps(connection, rows)
        stats["runs"] += len(runs)
        stats["steps"] += len(rows)
        if sys.stdout.isatty():
            print(f"  … {stats['steps']:,} steps", end="\r", flush=True)
    if sys.stdout.isatty():
        print(" " * 40, end="\r")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE procedures_step")
            cursor.execute("VACUUM ANALYZE procedures_run")
        else:
            cursor.execute("ANALYZE")
    return stats


def _json(value: list[str]) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _insert_steps(connection: Any, rows: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(STEP_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY procedures_step ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(STEP_COLUMNS))
            # The column names are this module's constants, the values parameters.
            cursor.executemany(f"INSERT INTO procedures_step ({columns}) VALUES ({marks})",  # noqa: S608
                               rows)


@dataclass
class Sample:
    label: str
    person_id: int
    user_id: int
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)


def measure(company: Any, *, sample: int, rounds: int, seed: int) -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Count, Q
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from people_list import server_ms

    from somu.procedures.models import OPEN_STATES, Step
    from somu.procedures.selectors import today

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rng = random.Random(seed + 1)
    open_counts = dict(Step.objects.filter(state__in=OPEN_STATES).values_list("assignee")
                       .annotate(n=Count("pk")).order_by().values_list("assignee", "n"))
    heavy = [p for p in company.heavy if p in company.users]
    heavy_set = set(heavy)
    regular = [p for p in company.active if p in company.users and p not in heavy_set]
    chosen = ([("back-office staff", p) for p in rng.sample(heavy, min(len(heavy), sample // 5))]
              + [("employees", p) for p in rng.sample(regular, sample - min(len(heavy),
                                                                           sample // 5))])
    samples = [Sample(label, p, company.users[p]) for label, p in chosen]
    from somu.org.models import User

    clients: dict[int, Client] = {}
    users = User.objects.in_bulk([s.user_id for s in samples])
    for s in samples:
        client = Client()
        client.force_login(users[s.user_id])
        session = client.session
        session["organization_id"] = company.organization.pk
        session.save()
        clients[s.person_id] = client
    # One uncounted request: the process's first compiles the templates and URL patterns.
    clients[samples[0].person_id].get(URL)
    for _round in range(rounds):
        for s in samples:
            cpu_started = time.process_time()
            response = clients[s.person_id].get(URL)
            s.cpu_ms.append((time.process_time() - cpu_started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{URL} answered HTTP {response.status_code} for person "
                                 f"{s.person_id}")
            s.ms.append(server_ms(response.headers["Server-Timing"]))
    # The heaviest sampled holder: their page is the one that could go wrong.
    heaviest = max(samples, key=lambda s: open_counts.get(s.person_id, 0))
    executed: list[tuple[str, Any]] = []

    def remember(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append((sql, params))  # as sent: SQLite binds the values, and that matters
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(remember):
        clients[heaviest.person_id].get(URL)
    queries = [q["sql"] for q in captured.captured_queries]
    lightest = min(samples, key=lambda s: open_counts.get(s.person_id, 0))
    with CaptureQueriesContext(connection) as captured_light:
        clients[lightest.person_id].get(URL)
    plans = []
    explain = ("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if connection.vendor == "postgresql"
               else "EXPLAIN QUERY PLAN ")
    with connection.cursor() as cursor:
        for (sql, params), shown in zip(executed, queries, strict=True):
            if "procedures_step" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(explain + sql, params)
            plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
            plans.append((shown, plan))
    ready_total = Step.objects.filter(state="ready").count()
    overdue = Step.objects.filter(Q(state="ready") & Q(due_date__lt=today())).count()
    return {"samples": samples, "queries": queries, "queries_light": len(captured_light),
            "plans": plans, "heaviest": (heaviest.person_id,
                                         open_counts.get(heaviest.person_id, 0)),
            "lightest_open": open_counts.get(lightest.person_id, 0),
            "open_counts": open_counts, "ready_total": ready_total, "overdue": overdue}


def _short(sql: str, width: int = 150) -> str:
    sql = re.sub(r"SELECT .*? FROM", "SELECT … FROM", sql, count=1, flags=re.S)
    return sql if len(sql) <= width else sql[:width] + " …"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--sample", type=int, default=300, help="different people requesting")
    parser.add_argument("--rounds", type=int, default=2, help="requests per person")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    add_database_arguments(parser, db_name="somu_bench_proc_tasks")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with bench_database(pg=args.pg, db_name="somu_bench_proc_tasks", keep=args.keep) as backend:
        started = time.perf_counter()
        migrate()
        from somu.core import tenancy
        from somu.procedures import selectors

        company = build_company(people=args.people)
        with tenancy.activate(company.organization):
            company_s = time.perf_counter() - started
            started = time.perf_counter()
            stats = generate(company, steps_wanted=args.steps, seed=args.seed,
                             today=selectors.today())
            generate_s = time.perf_counter() - started
            figures = measure(company, sample=args.sample, rounds=args.rounds, seed=args.seed)

    samples: list[Sample] = figures["samples"]
    every = [ms for s in samples for ms in s.ms]
    p95 = percentile(every, 95)
    open_counts = figures["open_counts"]
    print(f"My tasks, {backend}: {stats['steps']:,} steps in {stats['runs']:,} runs "
          f"({stats['open']:,} open, {figures['ready_total']:,} ready, {figures['overdue']:,} "
          f"ready and overdue), {len(company.people):,} people; company built in "
          f"{company_s:.1f} s, runs and steps generated in {generate_s:.1f} s")
    print(f"  GET {URL} as {len(samples)} different people × {args.rounds} "
          f"(server time from Server-Timing):")
    for label in ("back-office staff", "employees"):
        group = [s for s in samples if s.label == label]
        ms = [m for s in group for m in s.ms]
        if not ms:
            continue
        held = sorted(open_counts.get(s.person_id, 0) for s in group)
        print(f"    {label:<18} {len(group):4d} people (open steps each: median "
              f"{statistics.median(held):.0f}, max {held[-1]}): p50 {statistics.median(ms):6.1f} "
              f"ms, p95 {percentile(ms, 95):6.1f} ms, max {max(ms):6.1f} ms")
    first = [s.ms[0] for s in samples]
    print(f"    first request per person: p95 {percentile(first, 95):.1f} ms; all requests: p50 "
          f"{statistics.median(every):.1f} ms, p95 {p95:.1f} ms")
    cpu = [ms for s in samples for ms in s.cpu_ms]
    print(f"    CPU time of this process per request (the page without the database's own "
          f"time; unaffected by other load): p50 {statistics.median(cpu):.1f} ms, p95 "
          f"{percentile(cpu, 95):.1f} ms; {machine_load()}")
    print(f"  p95 {p95:.1f} ms vs {P95_TARGET_MS:.0f} ms: {ratio(p95, P95_TARGET_MS)}")
    _person_id, held = figures["heaviest"]
    print(f"  queries per request: {len(figures['queries'])} for the heaviest sampled holder "
          f"({held} open steps), {figures['queries_light']} for the lightest "
          f"({figures['lightest_open']} open steps):")
    for sql in figures["queries"]:
        print(f"    {_short(sql)}")
    print("  plans of the page's step queries (heaviest holder):")
    for sql, plan in figures["plans"]:
        uses = "step_my_tasks" in plan
        print(f"  -- {'uses step_my_tasks' if uses else 'DOES NOT use step_my_tasks'}: "
              f"{_short(sql, 200)}")
        for line in plan.splitlines():
            print(f"     {line}")
    missed = p95 > P95_TARGET_MS
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
