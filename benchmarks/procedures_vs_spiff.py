"""Benchmark: somu's procedure runs side by side with SpiffWorkflow, the Python BPMN engine.

Goals (issues 4 and 14): on the same 20-step dependency graph, 1,000 instances launched and
completed step by step with the state persisted after every step, somu's throughput ≥ 2 ×
SpiffWorkflow's reload mode and ≥ 1 × its in-memory mode; a completed step in ≤ 6 statements.

    python benchmarks/procedures_vs_spiff.py [--instances 1000] [--pg] [--spiff-python PATH]
                                             [--profile N]

The graph is ``GRAPH_20`` of ``_procedures_data.py`` (入社手続き in 20 steps: forks of 4, 4 and
2 branches, joins of 2 to 6, not block-structured). somu runs it as a template (``graph_spec``);
SpiffWorkflow runs ``benchmarks/data/procedures_onboarding_20.bpmn``, a BPMN process with one
user task per step and parallel gateways for every fork and join. The script first reads the
BPMN file back and checks that its user tasks and their predecessors are exactly ``GRAPH_20``.

What each side does — per instance, timed from before the launch to after the last step:

somu (in /work/venv, the database is the persistence: SQLite in WAL mode as ``somu serve``
uses it, or PostgreSQL with ``--pg``):
  launch   ``run_launch``: plan the 20 steps on the business calendar, resolve the
           assignee, insert the run, its 20 steps, the launch event and an audit-log entry —
           committed.
  step ×20 a query for the run's ready steps (first by position), then ``step_complete``
           on it: one transaction that locks the run and the step, checks its state, marks it
           done, records a timeline event and a hash-chained audit entry, makes the dependants
           whose dependencies are all finished ready (and completes the run after the last).
           The statements of one completion are counted and printed (transaction control —
           BEGIN, COMMIT — left out).
  A final ready-steps query finds none.

SpiffWorkflow 3.x (in its own virtual environment, never a somu dependency; the process spec is
parsed once with ``BpmnParser`` + ``BpmnValidator`` before the clock starts, as somu's template
is saved once). The store is one table, one row per instance, in the same kind of database
as somu's: an SQLite file on the same disk with the same settings (WAL, synchronous=NORMAL), or
with ``--pg`` a table in the same PostgreSQL database (through psycopg, added to the
SpiffWorkflow environment); every write committed:
  launch   ``BpmnWorkflow(spec)``, ``do_engine_steps()`` (start event, first user task ready),
           ``BpmnWorkflowSerializer.serialize_json``, INSERT of the row — committed.
  step ×20 mode ``reload`` (the default; what a web application does, since each step is
           completed in a separate request): SELECT the row, ``deserialize_json``, take the
           first ``get_tasks(state=READY, manual=True)``, ``task.run()``,
           ``do_engine_steps()`` (gateways), ``serialize_json``, UPDATE the row — committed.
           mode ``memory`` (SpiffWorkflow's best case: one long-lived process holding every
           workflow): the same without the SELECT and ``deserialize_json``.
  A final look for ready user tasks finds none (after a reload, in ``reload`` mode).

Both sides persist 21 writes per instance (launch + 20 steps), start warm (``--warmup``
instances each, not counted) and run in one process on one core. The ratio is somu's
throughput over SpiffWorkflow's; both modes are printed, so the comparison against
SpiffWorkflow's best case is visible.

The SpiffWorkflow environment: ``--spiff-python`` (an interpreter with SpiffWorkflow), else
/tmp/spiffenv, created with ``python3.11 -m venv`` and ``pip install SpiffWorkflow==3.2.0``
when missing (the only download; nothing is installed into somu's environment).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from _procedures_data import (
    BPMN_PROCESS_ID,
    GRAPH_20,
    add_database_arguments,
    bench_database,
    bpmn_dependencies,
    database_url,
    graph_bpmn,
    machine_load,
    percentile,
)

GOAL_RATIO: Final = {"reload": 2.0, "memory": 1.0}
GOAL_STATEMENTS: Final = 6
TRANSACTION_CONTROL: Final = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
BPMN_FILE: Final = Path(__file__).parent / "data" / "procedures_onboarding_20.bpmn"
SPIFF_ENV: Final = Path(tempfile.gettempdir()) / "spiffenv"
SPIFF_VERSION: Final = "3.2.0"
SPIFF_TIMEOUT_S: Final = 3600
STEPS: Final = len(GRAPH_20)
DB_NAME: Final = "somu_bench_proc_spiff"


# ---- the SpiffWorkflow side (runs in the SpiffWorkflow virtual environment) ---------------------


class Store:
    """One row per workflow instance: SQLite (a file) or PostgreSQL (a URL), each write
    committed. The PostgreSQL driver is psycopg, installed in the SpiffWorkflow environment."""

    def __init__(self, where: str) -> None:
        self.pg = where.startswith(("postgres://", "postgresql://"))
        if self.pg:
            import psycopg

            self.db: Any = psycopg.connect(where, autocommit=True)
            self.mark = "%s"
            self.db.execute("CREATE TABLE IF NOT EXISTS spiff_workflow_instance (id bigserial "
                            "PRIMARY KEY, state text NOT NULL, completed boolean NOT NULL)")
        else:
            self.db = sqlite3.connect(where, isolation_level=None)  # explicit transactions
            self.mark = "?"
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS spiff_workflow_instance (id INTEGER "
                            "PRIMARY KEY, state TEXT NOT NULL, completed INTEGER NOT NULL)")

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self.mark)

    def insert(self, state: str, completed: bool) -> int:
        self.db.execute("BEGIN" if self.pg else "BEGIN IMMEDIATE")
        row = self.db.execute(self._sql("INSERT INTO spiff_workflow_instance (state, completed) "
                                        "VALUES (?, ?) RETURNING id"),
                              (state, completed)).fetchone()
        self.db.execute("COMMIT")
        return int(row[0])

    def update(self, instance_id: int, state: str, completed: bool) -> None:
        self.db.execute("BEGIN" if self.pg else "BEGIN IMMEDIATE")
        self.db.execute(self._sql("UPDATE spiff_workflow_instance SET state = ?, completed = ? "
                                  "WHERE id = ?"), (state, completed, instance_id))
        self.db.execute("COMMIT")

    def load(self, instance_id: int) -> str:
        (state,) = self.db.execute(self._sql("SELECT state FROM spiff_workflow_instance "
                                             "WHERE id = ?"), (instance_id,)).fetchone()
        return str(state)

    def summary(self) -> tuple[int, float]:
        completed, size = self.db.execute(
            "SELECT sum(CASE WHEN completed THEN 1 ELSE 0 END), avg(length(state)) "
            "FROM spiff_workflow_instance").fetchone()
        return int(completed), float(size)

    def close(self) -> None:
        if self.pg:
            self.db.execute("DROP TABLE spiff_workflow_instance")
        self.db.close()


def spiff_child(*, store_at: str, instances: int, warmup: int, mode: str) -> dict[str, Any]:
    """Run ``instances`` workflows to completion, persisting after every step; the figures."""
    import SpiffWorkflow
    from SpiffWorkflow import TaskState
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser, BpmnValidator
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_file(str(BPMN_FILE))
    spec = parser.get_spec(BPMN_PROCESS_ID)
    serializer = BpmnWorkflowSerializer()
    deps = {key: set(d) for key, _name, d in GRAPH_20}

    store = Store(store_at)

    def save(instance_id: int | None, workflow: Any) -> int:
        state = serializer.serialize_json(workflow)
        if instance_id is None:
            return store.insert(state, workflow.is_completed())
        store.update(instance_id, state, workflow.is_completed())
        return instance_id

    def load(instance_id: int) -> Any:
        return serializer.deserialize_json(store.load(instance_id))

    def one_instance(step_ms: list[float]) -> int:
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        instance_id = save(None, workflow)
        done: set[str] = set()
        while True:
            started = time.perf_counter()
            if mode == "reload":
                workflow = load(instance_id)
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            task = ready[0]
            name = task.task_spec.name
            assert deps[name] <= done, f"{name} ran before {deps[name] - done}"
            task.run()
            workflow.do_engine_steps()
            save(instance_id, workflow)
            step_ms.append((time.perf_counter() - started) * 1000)
            done.add(name)
        assert workflow.is_completed() and len(done) == STEPS, (len(done), STEPS)
        return len(done)

    for _ in range(warmup):
        one_instance([])
    step_ms: list[float] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    steps = sum(one_instance(step_ms) for _ in range(instances))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    completed, size = store.summary()
    store.close()
    return {"engine": f"SpiffWorkflow {SpiffWorkflow.__version__}", "mode": mode,
            "instances": instances, "steps": steps, "seconds": elapsed, "cpu": cpu,
            "store": "PostgreSQL" if store.pg else "SQLite (WAL)",
            "completed_rows": completed - warmup, "state_bytes": size,
            "step_p50_ms": statistics.median(step_ms),
            "step_p95_ms": percentile(step_ms, 95)}


def spiff_python(requested: str, *, pg: bool) -> str:
    """The interpreter that has SpiffWorkflow: ``requested``, or /tmp/spiffenv (made if missing,
    with psycopg added when the store is PostgreSQL)."""
    python = Path(requested) if requested else SPIFF_ENV / "bin" / "python"
    if not requested and not python.exists():
        base = shutil.which("python3.11") or sys.executable
        print(f"creating {SPIFF_ENV} with SpiffWorkflow {SPIFF_VERSION} (the benchmark's own "
              "environment)", flush=True)
        subprocess.run([base, "-m", "venv", str(SPIFF_ENV)], check=True, timeout=300)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        f"SpiffWorkflow=={SPIFF_VERSION}"], check=True, timeout=600)
    if pg and subprocess.run([str(python), "-c", "import psycopg"], capture_output=True,
                             check=False, timeout=60).returncode != 0:
        print(f"installing psycopg into {python.parent.parent} (the SpiffWorkflow side's "
              "PostgreSQL driver)", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "psycopg[binary]"],
                       check=True, timeout=600)
    return str(python)


def run_spiff(python: str, *, store_at: str, instances: int, warmup: int,
              mode: str) -> dict[str, Any]:
    child = subprocess.run(
        [python, __file__, "--spiff-child", mode, "--spiff-store", store_at,
         "--instances", str(instances), "--warmup", str(warmup)],
        capture_output=True, text=True, timeout=SPIFF_TIMEOUT_S, check=False,
        cwd=Path(__file__).parent)
    if child.returncode != 0:
        sys.stderr.write(child.stderr)
        raise SystemExit(f"the SpiffWorkflow process failed ({child.returncode})")
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    return result


# ---- the somu side -------------------------------------------------------------------------------


def run_somu(*, instances: int, warmup: int, profile: int = 0) -> dict[str, Any]:
    from _procedures_data import build_company, graph_spec, migrate

    migrate()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from somu.core import tenancy
    from somu.procedures.models import Run, RunStatus, Step, StepState
    from somu.procedures.services import runs as run_services
    from somu.procedures.services import steps as step_services
    from somu.procedures.services import templates as template_services

    company = build_company(people=50, logins=False)
    with tenancy.activate(company.organization):
        template = template_services.template_save(actor=company.admin, template=None,
                                          spec=graph_spec())
        actor = company.admin
        deps = {key: set(d) for key, _name, d in GRAPH_20}

        def one_instance(step_ms: list[float]) -> int:
            run = run_services.run_launch(actor=actor, template=template, params={})
            done: set[str] = set()
            while True:
                started = time.perf_counter()
                ready = (Step.objects.filter(run=run, state=StepState.READY)
                         .order_by("position").values_list("pk", "key").first())
                if ready is None:
                    break
                step_id, key = ready
                assert deps[key] <= done, f"{key} ran before {deps[key] - done}"
                step_services.step_complete(actor=actor, step=step_id)
                step_ms.append((time.perf_counter() - started) * 1000)
                done.add(key)
            assert len(done) == STEPS, (len(done), STEPS)
            return len(done)

        for _ in range(warmup):
            one_instance([])
        with CaptureQueriesContext(connection) as queries:
            one_instance([])
        per_instance_queries = len(queries)
        run = run_services.run_launch(actor=actor, template=template, params={})
        first = Step.objects.filter(run=run, state=StepState.READY).order_by("position").first()
        assert first is not None
        with CaptureQueriesContext(connection) as queries:
            step_services.step_complete(actor=actor, step=first.pk)
        per_step = [q["sql"] for q in queries.captured_queries
                    if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(lambda: [one_instance([]) for _ in range(profile)])
            print(f"somu's side, {profile} instances under cProfile (cumulative time):")
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
        completed_before = Run.objects.filter(status=RunStatus.COMPLETED).count()
        done_before = Step.objects.filter(state=StepState.DONE).count()
        step_ms: list[float] = []
        started, cpu_started = time.perf_counter(), time.process_time()
        steps = sum(one_instance(step_ms) for _ in range(instances))
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        completed = Run.objects.filter(status=RunStatus.COMPLETED).count() - completed_before
        done_steps = Step.objects.filter(state=StepState.DONE).count() - done_before
    assert completed == instances and done_steps == instances * STEPS, (completed, done_steps)
    return {"engine": "somu", "instances": instances, "steps": steps, "seconds": elapsed,
            "cpu": cpu, "queries_per_instance": per_instance_queries,
            "statements_per_step": len(per_step),
            "step_p50_ms": statistics.median(step_ms), "step_p95_ms": percentile(step_ms, 95)}


# ---- main ----------------------------------------------------------------------------------------


def check_same_graph() -> None:
    """The BPMN file must be GRAPH_20, task for task and dependency for dependency."""
    if not BPMN_FILE.exists():
        BPMN_FILE.parent.mkdir(parents=True, exist_ok=True)
        BPMN_FILE.write_text(graph_bpmn(), encoding="utf-8")
    found = bpmn_dependencies(BPMN_FILE.read_text(encoding="utf-8"))
    wanted = {key: tuple(sorted(deps)) for key, _name, deps in GRAPH_20}
    if found != wanted:
        raise SystemExit(f"{BPMN_FILE} is not GRAPH_20; regenerate it with --write-bpmn")


def line(figures: dict[str, Any], label: str) -> str:
    per_s = figures["instances"] / figures["seconds"]
    return (f"  {label:<46}{figures['seconds']:8.1f} s {per_s:9.1f} inst/s "
            f"{figures['steps'] / figures['seconds']:9.0f} steps/s   step p50 "
            f"{figures['step_p50_ms']:5.2f} ms, p95 {figures['step_p95_ms']:5.2f} ms   "
            f"(CPU {figures['cpu']:.1f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=10, help="uncounted instances per side")
    parser.add_argument("--spiff-python", default="",
                        help="a Python with SpiffWorkflow installed (default: /tmp/spiffenv)")
    parser.add_argument("--spiff-mode", choices=("reload", "memory", "both"), default="both")
    parser.add_argument("--write-bpmn", action="store_true",
                        help="regenerate the BPMN file from GRAPH_20 and exit")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="first run N uncounted somu instances under cProfile and print "
                             "where the time goes")
    parser.add_argument("--spiff-child", choices=("reload", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--spiff-store", help=argparse.SUPPRESS)
    add_database_arguments(parser, db_name=DB_NAME)
    args = parser.parse_args(argv)

    if args.spiff_child:
        print(json.dumps(spiff_child(store_at=args.spiff_store, instances=args.instances,
                                     warmup=args.warmup, mode=args.spiff_child)))
        return 0
    if args.write_bpmn:
        BPMN_FILE.parent.mkdir(parents=True, exist_ok=True)
        BPMN_FILE.write_text(graph_bpmn(), encoding="utf-8")
        print(f"wrote {BPMN_FILE}")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    check_same_graph()
    python = spiff_python(args.spiff_python, pg=bool(database_url(pg=args.pg, db_name=DB_NAME)))
    modes = ["reload", "memory"] if args.spiff_mode == "both" else [args.spiff_mode]

    with bench_database(pg=args.pg, db_name=DB_NAME, keep=args.keep) as backend:
        # Each engine persists to the same kind of database on the same disk.
        url = os.environ.get("DATABASE_URL", "")
        data_dir = Path(os.environ["SOMU_DATA_DIR"])
        spiff = {mode: run_spiff(python, store_at=url or str(data_dir / f"spiff-{mode}.sqlite3"),
                                 instances=args.instances, warmup=args.warmup, mode=mode)
                 for mode in modes}
        somu = run_somu(instances=args.instances, warmup=args.warmup, profile=args.profile)

    print(f"20-step dependency graph, {args.instances:,} instances per engine, each launched and "
          f"completed step by step, the state persisted after every step "
          f"(+{args.warmup} warm-up instances each)")
    print(line(somu, f"somu ({backend})") + f"  {somu['queries_per_instance']} queries/instance")
    for mode, figures in spiff.items():
        print(line(figures, f"{figures['engine']}, {mode} ({figures['store']})")
              + f"  state {figures['state_bytes'] / 1024:.0f} KiB/instance")
    statements = somu["statements_per_step"]
    missed = statements > GOAL_STATEMENTS
    print(f"  statements per completed step (step_complete, transaction control left out): "
          f"{statements} (goal ≤ {GOAL_STATEMENTS}: {'MISSED' if missed else 'met'})")
    for mode, figures in spiff.items():
        goal = GOAL_RATIO[mode]
        r = figures["seconds"] / somu["seconds"]  # same instances: the throughput ratio
        r_cpu = figures["cpu"] / somu["cpu"]
        verdict = "met" if r >= goal else "MISSED"
        print(f"  somu / SpiffWorkflow ({mode}): {r:5.2f} × by wall-clock time (goal ≥ "
              f"{goal:.0f} ×: {verdict}; {r / goal:.2f} × the goal); {r_cpu:5.2f} × "
              f"by the benchmark process's CPU time")
        missed = missed or r < goal
    print(f"  {machine_load()}; on a busy machine compare the CPU-time ratio (with SQLite it "
          f"covers all the work; with PostgreSQL it leaves out the database server's)")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
