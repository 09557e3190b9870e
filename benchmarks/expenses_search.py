"""Benchmark: the 電帳法 search over 1,000,000 expense lines on PostgreSQL.

Target (expenses issue): by date range + amount range + payee, p95 ≤ 100 ms; print the plans to
show the indexes used.

    python benchmarks/expenses_search.py [--lines 1000000] [--queries 300] [--keep] [--check]

1. Creates a fresh PostgreSQL database (DATABASE_URL, default
   ``postgres://postgres@127.0.0.1:5432/somu_bench_exp_search``; its name must contain "bench";
   dropped, created, dropped again at the end), migrates, and creates an organization with the
   expense defaults, one employee and ``--lines`` / 10,000 claims.
2. Inserts ``--lines`` approved (locked) lines with one INSERT … SELECT over generate_series:
   dates over three years (2023-04-01 …), amounts ¥100–¥200,000, payees from 60 company names ×
   200 branches (12,000 distinct payees), deterministic for ``--seed``; then VACUUM ANALYZE.
3. Runs ``--queries`` searches as the page and the API run them (the selector
   ``search_lines``, first 500 rows, with their claim, account and receipt): a random month, an
   amount range of ¥1,000–¥20,000 around a random point and part of a company name; prints p50 /
   p95 / max, the same for two other combinations (date range + payee; amount range alone), and
   EXPLAIN ANALYZE of three searches.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import signal
import statistics
import sys
import tempfile
import time
from typing import Any, Final

P95_TARGET_MS: Final = 100.0
DB_NAME: Final = "somu_bench_exp_search"
PG_SERVER: Final = "postgres://postgres@127.0.0.1:5432"
START: Final = dt.date(2023, 4, 1)
DAYS: Final = 1096
_COMPANY_NAMES: Final = (
    "丸善 紀伊國屋書店 ヨドバシカメラ ビックカメラ アスクル モノタロウ "
    "東京メトロ JR東日本 日本交通 ANA JAL 東横イン アパホテル "
    "スターバックス ドトール タリーズ セブンイレブン ローソン ファミリーマート "
    "日本郵便 ヤマト運輸 佐川急便 NTTドコモ ソフトバンク KDDI "
    "Amazon 楽天 無印良品 ニトリ コクヨ 伊東屋 東急ハンズ ロフト "
    "帝国ホテル ホテルオークラ 星野リゾート 吉野家 松屋 すき家 大戸屋 やよい軒 "
    "鳥貴族 和民 白木屋 つぼ八 都営地下鉄 京王電鉄 小田急電鉄 東急電鉄 "
    "西武鉄道 東武鉄道 京急電鉄 阪急電鉄 近鉄 名鉄 西鉄 エディオン "
    "ケーズデンキ カインズ コメリ "
)
COMPANIES: Final = tuple(_COMPANY_NAMES.split())


def build(lines: int, seed: int) -> tuple[Any, float]:
    from django.db import connection, transaction

    from somu.core import tenancy
    from somu.core.permissions import Role
    from somu.expenses.models import Account
    from somu.expenses.services import claims, setup
    from somu.org import services
    from somu.org.models import Membership

    now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
    with transaction.atomic():
        org = services.organization_create(actor=None, name="ベンチ経費株式会社",
                                           slug="bench-expenses")
        with tenancy.activate(org):
            setup.ensure_defaults()
            person = services.person_create(actor=None, data={
                "employee_number": "E0001", "name": "経費 太郎"})
            user = services.user_create(actor=None, username="bench-expenses",
                                         password="bench-only")  # noqa: S106
            services.membership_set(actor=None, user=user, role=Role.EMPLOYEE, person=person)
            membership = Membership.objects.get(user=user)
            claim_ids = [claims.claim_create(membership=membership, kind="claim",
                                             title=f"経費精算 {i}", now=now).pk
                         for i in range((lines + 9999) // 10000)]
            account = Account.objects.get(code="7410").pk
    t0 = time.perf_counter()
    names = "ARRAY[" + ",".join(f"'{c}'" for c in COMPANIES) + "]"
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        # Only this module's constants are formatted into the statement; values are parameters.
        cursor.execute(f"""
            INSERT INTO expenses_line (organization_id, claim_id, number, date, payee, purpose,
                account_id, amount, tax_rate, registration_number, exception, participants,
                reason, region, receipt_id, registry_status, locked)
            SELECT %s, (%s::bigint[])[(g - 1) / 10000 + 1], (g - 1) %% 10000 + 1,
                DATE '{START}' + floor(random() * {DAYS})::int,
                '株式会社' || ({names})[floor(random() * {len(COMPANIES)})::int + 1]
                    || ' ' || (floor(random() * 200)::int + 1) || '号店',
                '業務', %s, 100 + floor(random() * 199901)::bigint, 'taxable_10', '', 'none',
                NULL, '', 'domestic', NULL, '', true
            FROM generate_series(1, %s) AS g""",  # noqa: S608
                       [org.pk, claim_ids, account, lines])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE expenses_line")
    return org, time.perf_counter() - t0


def criteria(rng: random.Random, shape: str) -> dict[str, Any]:
    start = START + dt.timedelta(days=rng.randrange(DAYS - 31))
    low = rng.randrange(100, 150_000)
    company = rng.choice(COMPANIES)
    part = company[: max(2, len(company) - 1)]
    dates = {"date_from": start, "date_to": start + dt.timedelta(days=30)}
    amounts = {"amount_min": low, "amount_max": low + rng.randrange(1000, 20_000)}
    if shape == "date + amount + payee":
        return {**dates, **amounts, "payee": part}
    if shape == "date + payee":
        return {**dates, "payee": part}
    return amounts


def run(org: Any, queries: int, seed: int) -> tuple[dict[str, list[float]], list[str]]:
    from django.db import connection

    from somu.core import tenancy
    from somu.expenses.selectors.search import MAX_RESULTS, search_lines, search_params

    rng = random.Random(seed)
    timings: dict[str, list[float]] = {}
    plans: list[str] = []
    with tenancy.activate(org):
        for shape in ("date + amount + payee", "date + payee", "amount"):
            list(search_lines(search_params(criteria(rng, shape)))[:MAX_RESULTS])  # warm
            ms = timings.setdefault(shape, [])
            for i in range(queries if shape == "date + amount + payee" else queries // 3):
                qs = search_lines(search_params(criteria(rng, shape)))[:MAX_RESULTS]
                t0 = time.perf_counter()
                found = list(qs)
                ms.append((time.perf_counter() - t0) * 1000)
                if i == 0:
                    sql, params = qs.query.sql_with_params()
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                        plan = "\n".join(row[0] for row in cursor.fetchall())
                    plans.append(f"-- {shape}: {len(found)} rows\n{plan}")
    return timings, plans


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

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
            from django.core.management import call_command
            from django.db import connections

            call_command("migrate", interactive=False, verbosity=0)
            org, load_s = build(args.lines, args.seed)
            print(f"{args.lines:,} lines inserted and analysed in {load_s:.0f} s", flush=True)
            timings, plans = run(org, args.queries, args.seed)
            connections.close_all()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"電帳法 search, PostgreSQL, {args.lines:,} approved lines; {machine_load()}")
    main_p95 = 0.0
    for shape, ms in timings.items():
        p95 = percentile(ms, 95)
        if shape == "date + amount + payee":
            main_p95 = p95
        print(f"  {shape:<22} {len(ms):4d} searches: p50 {statistics.median(ms):6.1f} ms, "
              f"p95 {p95:6.1f} ms, max {max(ms):6.1f} ms"
              + (f"  ({ratio(p95, P95_TARGET_MS)})" if shape == "date + amount + payee" else ""))
    print("  plans (EXPLAIN ANALYZE of one search of each shape):")
    for plan in plans:
        for line in plan.splitlines():
            print(f"    {line}")
    return 1 if args.check and main_p95 > P95_TARGET_MS else 0


if __name__ == "__main__":
    raise SystemExit(main())
