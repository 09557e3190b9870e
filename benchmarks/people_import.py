"""Benchmark: import 5,000 people from an .xlsx file into a fresh SQLite database.

    /work/venv/bin/python benchmarks/people_import.py [--rows N]

Builds a deterministic workbook (every column filled: 40 departments given as paths, 6 grades,
managers that point at earlier and later rows, dates as Excel dates and as text), migrates a
new SQLite database in a temporary SOMU_DATA_DIR, and times the import as the web page and the
CLI run it: reading, validation, department creation, bulk writes and the audit log. A second
run re-imports the file with a tenth of the rows changed (the update path). Prints the seconds
and the ratio to the 5 s target, and exits 1 when the first import misses it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 5.0
HEADER = ["社員番号", "氏名", "ふりがな", "部署", "等級", "雇用形態", "入社日", "上長社員番号",
          "メール"]
FAMILY = ["佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤"]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健", "陽菜", "翔", "結衣", "大輔", "さくら"]
KANA_FAMILY = ["さとう", "すずき", "たかはし", "たなか", "いとう", "わたなべ", "やまもと",
               "なかむら", "こばやし", "かとう"]
KANA_GIVEN = ["たろう", "はなこ", "いちろう", "みさき", "けん", "ひな", "しょう", "ゆい",
              "だいすけ", "さくら"]
DIVISIONS = ["管理本部", "営業本部", "開発本部", "製造本部", "海外事業本部"]
UNITS = ["第一部", "第二部", "企画部", "業務部"]
SECTIONS = ["一課", "二課"]
TYPES = ["正社員", "正社員", "正社員", "契約社員", "パート・アルバイト", "派遣"]


def build_rows(count: int, *, seed: int = 42, changed: float = 0.0) -> list[list[object]]:
    rng = random.Random(seed)
    changes = random.Random(seed + 1)
    rows: list[list[object]] = []
    for i in range(count):
        number = f"{i + 1:05d}"
        f, g = rng.randrange(10), rng.randrange(10)
        path = f"{rng.choice(DIVISIONS)}/{rng.choice(UNITS)}/{rng.choice(SECTIONS)}"
        grade = f"G{rng.randint(1, 6)}"
        hired = dt.date(1990, 4, 1) + dt.timedelta(days=rng.randrange(12000))
        hire_cell: object = (dt.datetime.combine(hired, dt.time()) if i % 2
                             else f"{hired.year}/{hired.month}/{hired.day}")
        # The first 100 people are managers; some of them are listed after their reports.
        manager = "" if i < 10 else f"{rng.randrange(100) + 1:05d}" if i >= 100 else \
            f"{rng.randrange(10) + 1:05d}"
        # Changes draw from their own generator, so unchanged rows stay exactly the same.
        if changed and changes.random() < changed:
            grade = f"G{changes.randint(1, 6)}"
            path = f"{changes.choice(DIVISIONS)}/{changes.choice(UNITS)}"
        rows.append([number, f"{FAMILY[f]} {GIVEN[g]}", f"{KANA_FAMILY[f]} {KANA_GIVEN[g]}",
                     path, grade, rng.choice(TYPES), hire_cell, manager,
                     f"user{number}@example.co.jp"])
    return rows


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("社員")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="somu-bench-"))
    os.environ["SOMU_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # the target is for SQLite, the default database
    os.environ["DJANGO_SETTINGS_MODULE"] = "somu.settings"
    os.environ.setdefault("SOMU_LOG_LEVEL", "WARNING")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        from somu.core import tenancy
        from somu.org import services
        from somu.org.importing import people_import
        from somu.org.models import Person

        call_command("migrate", interactive=False, verbosity=0)
        organization = services.organization_create(actor=None, name="ベンチ株式会社",
                                                     slug="bench")
        first = data_dir / "people.xlsx"
        second = data_dir / "people-changed.xlsx"
        write_xlsx(first, build_rows(args.rows))
        write_xlsx(second, build_rows(args.rows, changed=0.1))
        with tenancy.activate(organization):
            for n in range(1, 7):
                services.grade_save(actor=None, grade=None, data={
                    "code": f"G{n}", "name": f"{n}等級", "hourly_cost": 2000 + 500 * n,
                    "difficulty_min": min(n, 5), "difficulty_max": 5, "sort_order": n})

            started = time.perf_counter()
            created = people_import(actor=None, source=first, filename=first.name,
                                    create_departments=True)
            create_seconds = time.perf_counter() - started

            started = time.perf_counter()
            updated = people_import(actor=None, source=second, filename=second.name)
            update_seconds = time.perf_counter() - started
            assert Person.objects.count() == args.rows

        size_kib = first.stat().st_size / 1024
        print(f"people import, {args.rows} rows, .xlsx {size_kib:.0f} KiB, SQLite")
        print(f"  create : {create_seconds:6.2f} s  (target {TARGET_SECONDS:.1f} s, ratio "
              f"{create_seconds / TARGET_SECONDS:.2f})  created {created.created}, "
              f"departments {created.departments_created}")
        print(f"  update : {update_seconds:6.2f} s  (target {TARGET_SECONDS:.1f} s, ratio "
              f"{update_seconds / TARGET_SECONDS:.2f})  updated {updated.updated}, "
              f"unchanged {updated.unchanged}")
        return 0 if create_seconds <= TARGET_SECONDS else 1
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
