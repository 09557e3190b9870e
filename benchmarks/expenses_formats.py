"""Benchmark: the pure expense export formats — a 全銀 file and journal CSV per vendor.

    /work/venv/bin/python benchmarks/expenses_formats.py [--payments 10000] [--lines 100000]
        [--repeat 3] [--seed 7] [--check]

Builds, deterministically for a seed, 10,000 transfers (employees' bank accounts with kana
names given in full-width katakana and hiragana with small kana, so every name is folded) and
vouchers holding 100,000 journal lines (claims of 1–8 expense lines with mixed tax categories
and one 未払金 line, about 20,000 vouchers). Then times, best of --repeat runs:

- ``write_transfers`` for the 10,000 payments (kana folding, checks, records, Shift_JIS) and
  ``parse`` of the result;
- each vendor's writer (弥生 Shift_JIS, MF and freee UTF-8) for the 100,000 lines, including
  the balance check, and its parser reading the file back.

Targets: 全銀 file of 10,000 payments ≤ 2 s; journal export of 100,000 lines ≤ 10 s per
vendor. Prints the seconds with the ratio to the target; ``--check`` exits 1 when one is missed.
Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable

from somu.expenses.formats import journals
from somu.expenses.formats.journal_defaults import DEFAULT_TAX_CATEGORIES
from somu.expenses.formats.journals import Line, Voucher
from somu.expenses.formats.zengin import Payer, Transfer, parse, write_transfers

ZENGIN_TARGET_S = 2.0
JOURNAL_TARGET_S = 10.0
SURNAMES = ("ヤマダ", "すずき", "タカハシ", "きょうごく", "ショウジ", "チュウジョウ", "いとう")
GIVEN = ("タロウ", "はなこ", "キョウコ", "シュン", "りょう", "ジュンイチ", "ユウ")
ACCOUNTS = ("旅費交通費", "通信費", "消耗品費", "会議費", "交際費", "新聞図書費", "支払手数料")
TAX_KEYS = ("taxable_10", "taxable_10", "taxable_10", "taxable_8_reduced",
            "taxable_10_no_invoice_70", "exempt", "out_of_scope")
PAYER = Payer(requester_code="1234567890", name="カ）ソウム", bank_code="0001",
              branch_code="100", account_type="1", account_number="1234567")


def build_transfers(rng: random.Random, n: int) -> list[Transfer]:
    return [Transfer(
        ref=f"EX-{i:06d}", bank_code=f"{rng.randrange(1, 9999):04d}", bank_name="ｷﾞﾝｺｳ",
        branch_code=f"{rng.randrange(1, 999):03d}", branch_name="ｼﾃﾝ",
        account_type=rng.choice("12"), account_number=f"{rng.randrange(10**7):07d}",
        name=f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
        amount=rng.randrange(100, 500_000), customer_code1=str(i)) for i in range(1, n + 1)]


def build_vouchers(rng: random.Random, lines: int, vendor: str) -> list[Voucher]:
    tax = DEFAULT_TAX_CATEGORIES[vendor]
    vouchers: list[Voucher] = []
    made = 0
    while made < lines:
        count = min(rng.randint(1, 8), max(lines - made - 1, 1))
        debits = []
        for i in range(count):
            t = tax[rng.choice(TAX_KEYS)]
            debits.append(Line(
                side="debit", account=rng.choice(ACCOUNTS), amount=rng.randrange(100, 80_000),
                tax_category=t.category, invoice=t.invoice, department="営業部",
                memo=f"明細{i + 1} 取引先{rng.randrange(1000)}"))
        total = sum(line.amount for line in debits)
        credit = Line(side="credit", account="未払金", amount=total,
                      partner=f"社員{rng.randrange(5000)}")
        vouchers.append(Voucher(number=len(vouchers) + 1, date=dt.date(2026, 11, 30),
                                lines=(*debits, credit), memo="経費精算"))
        made += count + 1
    return vouchers


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--payments", type=int, default=10_000)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    ok = True

    transfers = build_transfers(random.Random(args.seed), args.payments)
    seconds, data = best_of(
        args.repeat, lambda: write_transfers(PAYER, dt.date(2026, 12, 25), transfers))
    assert isinstance(data, bytes)
    read_s, _ = best_of(args.repeat, lambda: parse(data))
    ok &= seconds <= ZENGIN_TARGET_S
    print(f"全銀 総合振込, seed {args.seed}: {args.payments:,} payments, {len(data):,} bytes")
    print(f"  write        : {seconds:6.3f} s  (target {ZENGIN_TARGET_S:.1f} s, ratio "
          f"{seconds / ZENGIN_TARGET_S:.2f}); parse back {read_s:.3f} s")

    print(f"journal CSV, seed {args.seed}: {args.lines:,} lines per vendor")
    for vendor in journals.VENDORS:
        vouchers = build_vouchers(random.Random(args.seed), args.lines, vendor)
        seconds, out = best_of(args.repeat, lambda v=vendor, vs=vouchers: journals.write(v, vs))
        assert isinstance(out, bytes)
        read_s, read = best_of(1, lambda v=vendor, o=out: journals.parse(v, o))
        assert isinstance(read, tuple) and len(read) == len(vouchers)
        ok &= seconds <= JOURNAL_TARGET_S
        print(f"  {vendor:<13}: {seconds:6.3f} s  (target {JOURNAL_TARGET_S:.0f} s, ratio "
              f"{seconds / JOURNAL_TARGET_S:.2f}); {len(vouchers):,} vouchers, "
              f"{len(out):,} bytes; parse back {read_s:.3f} s")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
