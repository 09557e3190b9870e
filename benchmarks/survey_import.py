"""Benchmark: import a 200,000-row long-format .xlsx of survey hours into a fresh SQLite database.

Target (issue 3): the 200,000-row xlsx import ≤ 30 s.

    python benchmarks/survey_import.py [--rows 200000] [--keep] [--check]

Builds the synthetic enterprise of ``_synthetic_survey.py`` (10,000 people, 2,000 tasks) in a new
SQLite database — people and the task inventory, as the people import and the inventory would
have created them — and writes its 200,000 person × task hours rows as the consultant's long
file: 社員番号, 部門, 大分類, 中分類, 業務名, 月間工数(時間), 対応可能レベル (the level where the
person rated the task, blank otherwise). Then times ``somu.survey.importing.hours_import`` as
the page and the CLI run it: reading the workbook, validation, bulk writes, respondents and the
audit log. A second run imports the same file into the now full round (the replace path).
Prints the seconds and the ratio to the target; always SQLite (DATABASE_URL is ignored).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from _synthetic_survey import SyntheticEnterprise, synthetic_enterprise
from survey_analysis_db import load_enterprise

TARGET_SECONDS = 30.0
HEADER = ["社員番号", "部門", "大分類", "中分類", "業務名", "月間工数(時間)", "対応可能レベル"]


def long_rows(enterprise: SyntheticEnterprise) -> pl.DataFrame:
    """One row per hours row of the enterprise, in the long file's columns."""
    return (
        enterprise.hours
        .join(enterprise.capability, on=["person_id", "task_id"], how="left")
        .join(enterprise.people.select("person_id", "employee_number"), on="person_id")
        .join(enterprise.tasks.select("task_id", "function", "category", "subcategory",
                                      "name"), on="task_id")
        .sort("employee_number", "task_id")
        .select("employee_number", "function", "category", "subcategory", "name", "hours",
                "level")
    )


def write_xlsx(path: Path, rows: pl.DataFrame) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet("工数")
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(rows.iter_rows(), start=1):
        number, function, category, subcategory, name, hours, level = row
        sheet.write_string(index, 0, number)
        sheet.write_row(index, 1, (function, category, subcategory, name, hours))
        if level is not None:
            sheet.write_number(index, 6, level)
    workbook.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="hours rows in the file")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--tasks", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    data_dir = Path(tempfile.mkdtemp(prefix="somu-bench-"))
    os.environ["SOMU_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # the target is for SQLite, the default database
    os.environ["DJANGO_SETTINGS_MODULE"] = "somu.settings"
    os.environ.setdefault("SOMU_LOG_LEVEL", "WARNING")
    try:
        started = time.perf_counter()
        enterprise = synthetic_enterprise(
            seed=args.seed, people=args.people, tasks=args.tasks, hours_rows=args.rows,
            capability_rows=args.rows * 3 // 2)
        path = data_dir / "工数調査.xlsx"
        rows = long_rows(enterprise)
        write_xlsx(path, rows)
        write_s = time.perf_counter() - started
        ids = load_enterprise(enterprise, with_answers=False)

        from somu.core import tenancy
        from somu.org.models import Organization
        from somu.survey.importing import hours_import
        from somu.survey.models import SurveyRound, WorkHours

        progress: list[int] = []
        with tenancy.activate(Organization.objects.get(pk=ids["organization_id"])):
            survey_round = SurveyRound.objects.get(pk=ids["round_id"])
            timings, cpu = [], []
            results = []
            for _run in range(2):
                progress.clear()
                started, cpu_started = time.perf_counter(), time.process_time()
                results.append(hours_import(actor=None, survey_round=survey_round, source=path,
                                            filename=path.name, layout="long",
                                            progress=progress.append))
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            stored = WorkHours.objects.filter(round=survey_round).count()
        assert stored == rows.height, (stored, rows.height)

        size_mib = path.stat().st_size / 1024 / 1024
        first, second = results
        print(f"survey hours import, long layout, {rows.height:,} rows, .xlsx {size_mib:.1f} MiB, "
              f"SQLite (file and data built in {write_s:.1f} s)")
        print(f"  into an empty round : {timings[0]:6.2f} s  (target {TARGET_SECONDS:.0f} s, "
              f"ratio {timings[0] / TARGET_SECONDS:.2f}; CPU {cpu[0]:.2f} s)  "
              f"{first.people:,} people, "
              f"{first.tasks:,} tasks, {first.hours_saved:,} hours and "
              f"{first.capabilities_saved:,} capabilities saved, "
              f"{first.respondents_created:,} respondents")
        print(f"  replacing the round : {timings[1]:6.2f} s  (target {TARGET_SECONDS:.0f} s, "
              f"ratio {timings[1] / TARGET_SECONDS:.2f}; CPU {cpu[1]:.2f} s)  "
              f"{second.hours_saved:,} hours saved, "
              f"{second.hours_removed:,} removed")
        print(f"  progress reported {len(progress)} times"
              + (f", last at row {progress[-1]:,}" if progress else ""))
        if args.keep:
            print(f"data directory kept: {data_dir}")
        return 1 if args.check and timings[0] > TARGET_SECONDS else 0
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
