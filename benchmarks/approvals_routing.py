"""Benchmark: approval routes resolved by the pure ``somu.rules.routing`` on a realistic chart.

    /work/venv/bin/python benchmarks/approvals_routing.py [--people 2000] [--drafts 10000]
        [--repeat 3] [--seed 7] [--check]

Builds, deterministically for a seed, an organization of 2,000 people in 150 departments on
four levels (本社 → 6 本部 → 30 部 → 113 課; the 社長, 本部長, 部長 and 課長 head them, about
5 % of the 課 without a head and 2 % of the heads retired, so vacancies are escalated), and a
500-row authority table: 20 request types × (5 categories × 4 amount bands deciding at 課長,
部長, 本部長 and 社長, plus 5 additive rows: 経理部's 合議 above ¥500,000, 法務部's 合議 when
契約種別 == "NDA", an approval one level up that is skipped when vacant, a review by a named
person and a circulation to a department). Then resolves 10,000 hypothetical drafts (random
type, category, amount, requester and form values) against a ``RuleTable`` built once — what
the "who would approve this?" preview and a bulk re-check of open requests do.

Target: 10,000 drafts ≤ 1 s (best of --repeat runs, wall clock, CPU time next to it). Prints
the seconds with the ratio to the target, the table's build time and the ``validate_rows``
time; ``--check`` exits 1 when the target is missed. Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter

from somu.rules.routing import (
    ChartDepartment,
    ChartPerson,
    Draft,
    OrgChart,
    RouteError,
    RuleRow,
    RuleTable,
    StageRule,
    resolve,
    validate_rows,
)

TARGET_S = 1.0
RANKS = {"社長": 1, "本部長": 2, "部長": 3, "課長": 4, "係長": 5, "一般": 6}
CATEGORIES = ("備品", "外注", "接待交際費", "広告宣伝費", "その他")
BANDS = ((None, 100_000, "課長"), (100_001, 1_000_000, "部長"),
         (1_000_001, 10_000_000, "本部長"), (10_000_001, None, "社長"))


def build_chart(rng: random.Random, people: int) -> tuple[OrgChart, dict[str, int]]:
    """The chart, and the ids the rule table names (経理部, 法務部, a reviewer)."""
    departments: dict[int, tuple[str, int | None, str]] = {1: ("本社", None, "社長")}
    for d in range(6):
        departments[2 + d] = (f"第{d + 1}本部", 1, "本部長")
    for b in range(30):
        departments[8 + b] = (f"部{b + 1}", 2 + b % 6, "部長")
    for k in range(113):
        departments[38 + k] = (f"課{k + 1}", 8 + k % 30, "課長")
    staff: dict[int, ChartPerson] = {}
    heads: dict[int, int | None] = {}
    for dept_id, (_name, _parent, position) in departments.items():
        pid = len(staff) + 1
        staff[pid] = ChartPerson(pid, f"社員{pid}", dept_id, position,
                                 active=rng.random() > 0.02)
        heads[dept_id] = None if position == "課長" and rng.random() < 0.05 else pid
    sections = [d for d, (_n, _p, pos) in departments.items() if pos == "課長"]
    while len(staff) < people:
        pid = len(staff) + 1
        dept_id = rng.choice(sections)
        staff[pid] = ChartPerson(pid, f"社員{pid}", dept_id,
                                 "係長" if rng.random() < 0.15 else "一般",
                                 manager_id=heads[dept_id], active=rng.random() > 0.03)
    chart = OrgChart(
        people=staff,
        departments={d: ChartDepartment(d, name, parent, heads[d])
                     for d, (name, parent, _pos) in departments.items()},
        ranks=RANKS,
    )
    return chart, {"accounting": 8, "legal": 9, "reviewer": 200}


def build_rows(ids: dict[str, int]) -> list[RuleRow]:
    rows: list[RuleRow] = []
    for t in range(20):
        request_type = f"type{t:02d}"
        for category in CATEGORIES:
            for low, high, position in BANDS:
                rows.append(RuleRow(len(rows) + 1, request_type,
                                    (StageRule("decide", "position", position),),
                                    category=category, amount_min=low, amount_max=high))
        extra = (
            (RuleRow(0, request_type, (StageRule(
                "consult", "group", str(ids["accounting"]), position="部長"),),
                amount_min=500_001)),
            RuleRow(0, request_type, (StageRule("consult", "group", str(ids["legal"])),),
                    condition='契約種別 == "NDA"'),
            RuleRow(0, request_type, (StageRule("approve", "levels_up", "1", vacancy="skip"),)),
            RuleRow(0, request_type, (StageRule("review", "person", str(ids["reviewer"]),
                                                vacancy="skip"),)),
            RuleRow(0, request_type, (StageRule("circulate", "group", str(ids["accounting"]),
                                                position="係長", vacancy="skip"),)),
        )
        rows.extend(RuleRow(len(rows) + 1, r.request_type, r.stages, amount_min=r.amount_min,
                            condition=r.condition) for r in extra)
    return rows


def build_drafts(rng: random.Random, chart: OrgChart, count: int) -> list[Draft]:
    requesters = [p.id for p in chart.people.values() if p.active]
    return [Draft(
        request_type=f"type{rng.randrange(20):02d}",
        requester_id=rng.choice(requesters),
        amount=int(rng.lognormvariate(11.5, 2.0)),
        category=rng.choice(CATEGORIES),
        values={"契約種別": rng.choice(("NDA", "売買", "業務委託", "")), "件名": "購入"},
    ) for _ in range(count)]


def run_once(table: RuleTable, chart: OrgChart, drafts: list[Draft]) -> Counter[str]:
    outcomes: Counter[str] = Counter()
    for d in drafts:
        try:
            route = resolve(table, chart, d)
        except RouteError as exc:
            outcomes[exc.code] += 1
        else:
            outcomes["route"] += 1
            outcomes["stages"] += len(route.stages)
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--drafts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    chart, ids = build_chart(rng, args.people)
    rows = build_rows(ids)
    drafts = build_drafts(rng, chart, args.drafts)

    started = time.perf_counter()
    problems = validate_rows(rows, chart)
    validated = time.perf_counter() - started
    started = time.perf_counter()
    table = RuleTable(rows, chart)
    built = time.perf_counter() - started

    runs: list[tuple[float, float]] = []
    outcomes: Counter[str] = Counter()
    for _ in range(args.repeat):
        # A fresh chart each run, so its cached ancestor chains are part of what is timed.
        chart = OrgChart(chart.people, chart.departments, chart.ranks)
        table = RuleTable(rows, chart)
        wall, cpu = time.perf_counter(), time.process_time()
        outcomes = run_once(table, chart, drafts)
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    best, best_cpu = min(runs)

    print(f"approval routes (pure), seed {args.seed}: {len(chart.people):,} people, "
          f"{len(chart.departments)} departments, {len(rows)} rule rows, "
          f"{len(drafts):,} drafts")
    print(f"  resolve      : {best:6.3f} s  (target {TARGET_S:.1f} s, ratio "
          f"{best / TARGET_S:.2f})  CPU {best_cpu:.3f} s; runs "
          + ", ".join(f"{w:.3f}" for w, _ in runs))
    print(f"  per draft    : {best / len(drafts) * 1e6:6.1f} µs; table built in "
          f"{built * 1e3:.1f} ms; validate_rows {validated * 1e3:.1f} ms "
          f"({len(problems)} problems)")
    errors = ", ".join(f"{code} {n:,}" for code, n in sorted(outcomes.items())
                       if code not in ("route", "stages"))
    print(f"  outcomes     : {outcomes['route']:,} routes with {outcomes['stages']:,} stages; "
          f"refused: {errors or 'none'}")
    return 0 if best <= TARGET_S or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
