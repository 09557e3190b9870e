"""Benchmark: launching procedure runs — one 30-step run, and 10,000 20-step runs in bulk.

Targets (issue 4): launching one run of a 30-step template p50 ≤ 30 ms on SQLite; bulk-launching
10,000 runs of a 20-step template (200,000 steps) ≤ 60 s on SQLite and on PostgreSQL.

    python benchmarks/procedures_launch.py [--pg] [--launches 200] [--runs 10000]
                                           [--people 10000] [--only single|bulk] [--check]

1. Builds a fresh database (SQLite in a temporary data directory; with ``--pg`` or DATABASE_URL
   a PostgreSQL database, default ``somu_bench_proc_launch``, created and dropped again) with
   the synthetic company of ``_procedures_data.py``: 16 departments, ``--people`` people
   (default 10,000, about 2 % retired) with a manager tree, logins and roles (人事部・総務部・
   経理部・情報システム部 staff, department heads managers).
2. **Single launch**: saves 入社手続き (``onboarding_30_spec``: 30 steps, dependencies, four
   conditions, role / parameter / manager / starter assignee rules, due dates in business and
   calendar days from the hire date, 翌月10日, 月末 and after a predecessor) and times
   ``run_launch`` ``--launches`` times (after ``--warmup`` uncounted launches), each
   for a different new hire and hire date, alternating 雇用形態 and リモート勤務 so that the
   conditions go both ways. Each launch is what the launch page does: coerce the parameters,
   plan the steps on the business calendar, resolve every assignee (role holders by their open
   steps), insert the run, its steps, the launch event and the audit entry, commit. Prints p50,
   p95, max, the queries per launch and the ratio of the p50 to 30 ms.
3. **Bulk launch**: saves 年末調整 (``year_end_20_spec``: 20 steps per employee) and launches it
   for the first ``--runs`` active people (parameter 対象者 = the person) in one call of
   ``runs_bulk_launch`` — all or nothing, in one transaction. Prints seconds, runs/s,
   steps/s, the rows written and the ratio to 60 s.

Each part builds its own template; ``--only`` runs one of them. Exit status 0 unless something
fails (``--check``: 1 when a target is missed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import statistics
import sys
import time
from typing import Any, Final

from _procedures_data import (
    add_database_arguments,
    bench_database,
    build_company,
    machine_load,
    migrate,
    onboarding_30_spec,
    percentile,
    ratio,
    year_end_20_spec,
)

SINGLE_TARGET_MS: Final = 30.0
BULK_TARGET_S: Final = 60.0
EMPLOYMENT: Final = ("正社員", "契約社員", "パート")


def single_launches(company: Any, *, launches: int, warmup: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from somu.procedures.models import Step
    from somu.procedures.services import runs as run_services
    from somu.procedures.services import templates as template_services

    template = template_services.template_save(actor=company.admin, template=None,
                                      spec=onboarding_30_spec())
    hires = company.active[-(launches + warmup):]  # people of the line departments
    first_day = dt.date(2026, 4, 1)
    timings: list[float] = []
    cpu: list[float] = []
    queries: list[int] = []
    for index, person_id in enumerate(hires):
        params = {"入社者": str(person_id),
                  "入社日": (first_day + dt.timedelta(days=index % 60)).isoformat(),
                  "雇用形態": EMPLOYMENT[index % 3],
                  "リモート勤務": "true" if index % 4 == 0 else "false"}
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            run_services.run_launch(actor=company.admin, template=template, params=params)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_ms = (time.process_time() - cpu_started) * 1000
        if index >= warmup:
            timings.append(elapsed)
            cpu.append(cpu_ms)
            queries.append(len(captured))
    steps = Step.objects.filter(run__template=template)
    return {"ms": timings, "cpu_ms": cpu, "queries": queries, "steps": steps.count(),
            "skipped": steps.filter(state="skipped").count()}


def bulk_launch(company: Any, *, runs: int) -> dict[str, Any]:
    from somu.audit.models import AuditEvent
    from somu.procedures.models import Run, Step, StepEvent
    from somu.procedures.services import runs as run_services
    from somu.procedures.services import templates as template_services

    template = template_services.template_save(actor=company.admin, template=None,
                                      spec=year_end_20_spec(), owner=company.admin_person)
    people = company.active[:runs]
    if len(people) < runs:
        raise SystemExit(f"only {len(people)} active people for {runs} runs: raise --people")
    param_sets = [{"対象者": person_id} for person_id in people]
    audit_before = AuditEvent.objects.count()
    started, cpu_started = time.perf_counter(), time.process_time()
    launched = run_services.runs_bulk_launch(actor=company.admin, template=template,
                                         param_sets=param_sets, start_date=dt.date(2026, 11, 2))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"seconds": elapsed, "cpu": cpu, "runs": len(launched),
            "run_rows": Run.objects.filter(template=template).count(),
            "steps": Step.objects.filter(run__template=template).count(),
            "events": StepEvent.objects.filter(run__template=template).count(),
            "audit": AuditEvent.objects.count() - audit_before}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=200, help="timed single launches")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted single launches")
    parser.add_argument("--runs", type=int, default=10_000, help="runs in the bulk launch")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--only", choices=("single", "bulk"))
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    add_database_arguments(parser, db_name="somu_bench_proc_launch")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    missed = False
    with bench_database(pg=args.pg, db_name="somu_bench_proc_launch", keep=args.keep) as backend:
        started = time.perf_counter()
        migrate()
        from somu.core import tenancy

        bulk_people = args.runs + args.runs // 20 if args.only in (None, "bulk") else 0
        company = build_company(people=max(args.people, bulk_people))
        print(f"procedure launches, {backend}: {len(company.people):,} people "
              f"({len(company.active):,} active) built in {time.perf_counter() - started:.1f} s")
        with tenancy.activate(company.organization):
            if args.only in (None, "single"):
                single = single_launches(company, launches=args.launches, warmup=args.warmup)
                ms = single["ms"]
                p50 = statistics.median(ms)
                print(f"  single launch, 30-step template, {len(ms)} launches (+{args.warmup} "
                      f"warm-up): p50 {p50:.1f} ms, p95 {percentile(ms, 95):.1f} ms, max "
                      f"{max(ms):.1f} ms; {statistics.median(single['queries']):.0f} queries "
                      f"per launch; {single['steps']:,} steps written, {single['skipped']:,} "
                      f"skipped by conditions")
                print(f"    CPU time of the process per launch: p50 "
                      f"{statistics.median(single['cpu_ms']):.1f} ms, p95 "
                      f"{percentile(single['cpu_ms'], 95):.1f} ms; {machine_load()}")
                print(f"    p50 {p50:.1f} ms vs {SINGLE_TARGET_MS:.0f} ms: "
                      f"{ratio(p50, SINGLE_TARGET_MS)}")
                missed = missed or p50 > SINGLE_TARGET_MS
            if args.only in (None, "bulk"):
                bulk = bulk_launch(company, runs=args.runs)
                seconds = bulk["seconds"]
                print(f"  bulk launch, 20-step template, {bulk['runs']:,} runs in one call: "
                      f"{seconds:.1f} s (CPU {bulk['cpu']:.1f} s), "
                      f"{bulk['runs'] / seconds:,.0f} runs/s, {bulk['steps'] / seconds:,.0f} "
                      f"steps/s; written: {bulk['run_rows']:,} runs, {bulk['steps']:,} steps, "
                      f"{bulk['events']:,} events, {bulk['audit']:,} audit entries")
                print(f"    {machine_load()}")
                print(f"    {seconds:.1f} s vs {BULK_TARGET_S:.0f} s: "
                      f"{ratio(seconds, BULK_TARGET_S)}")
                missed = missed or seconds > BULK_TARGET_S
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
