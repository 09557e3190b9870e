"""freee会計: the 取引 (deal) import — 収入/支出 with their 明細 and how they were settled.

Specification: freee ヘルプセンター「取引・口座振替のインポート（一括登録）」
https://support.freee.co.jp/hc/ja/articles/202847320 (the sample file attached there is the
template: header row kept, UTF-8 with BOM). Columns (21): 収支区分, 管理番号, 発生日, 決済期日,
取引先コード, 取引先, 勘定科目, 税区分, 金額, 税計算区分, 税額, 備考, 品目, 部門,
メモタグ（複数指定可、カンマ区切り）, セグメント1, セグメント2, セグメント3, 決済日, 決済口座,
決済金額.
Tax names follow freee's 税区分 (``課対仕入 10%``, ``課対仕入(控80) 10%`` …; freee's developer
notice https://developer.freee.co.jp/news/6471 lists the 経過措置 ones).

A freee 取引 is not a free-form 仕訳: one side is *how it was settled*. A voucher is written as
a 支出 when its credit side is one line on a settlement account (a freee 口座 such as 現金 or a
bank account, or the unsettled account, by default 未払金), its debit lines being the 明細; as a
収入 in the mirror case. The unsettled account leaves 決済日/決済口座/決済金額 empty — freee then
books 未払金 (or 未収入金) itself. Other shapes (several lines on both sides) are refused with a
``shape`` problem: export them to 弥生 or MF, or split them. The 明細 rows after the first leave the
取引's own columns empty. 取引先 is the settlement line's partner (freee has one per 取引);
補助科目 goes to 品目; the voucher memo and the settlement line's 税区分 and 摘要 are not carried.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Final

from .journal_model import (
    CREDIT,
    DEBIT,
    JournalError,
    JournalParseError,
    JournalProblem,
    Line,
    Row,
    Voucher,
    check_vouchers,
    decode_rows,
    encode_rows,
    optional_yen,
    parse_slash_date,
    slash_date,
    yen,
)

COLUMNS: Final = (
    "収支区分", "管理番号", "発生日", "決済期日", "取引先コード", "取引先", "勘定科目", "税区分",
    "金額", "税計算区分", "税額", "備考", "品目", "部門", "メモタグ（複数指定可、カンマ区切り）",
    "セグメント1", "セグメント2", "セグメント3", "決済日", "決済口座", "決済金額",
)
ENCODING: Final = "utf-8-sig"
INCOME, EXPENSE = "収入", "支出"
UNSETTLED_ACCOUNT: Final = "未払金"
SETTLEMENT_ACCOUNTS: Final = frozenset(
    ("現金", "普通預金", "当座預金", "小口現金", UNSETTLED_ACCOUNT))
TAX_METHOD: Final = "内税"  # amounts are tax included


def _split(voucher: Voucher, accounts: Collection[str]) -> tuple[str, Line] | None:
    credits, debits = voucher.credits, voucher.debits
    if len(credits) == 1 and credits[0].account in accounts:
        return EXPENSE, credits[0]
    if len(debits) == 1 and debits[0].account in accounts:
        return INCOME, debits[0]
    return None


def _rows(voucher: Voucher, kind: str, settlement: Line, unsettled: str) -> list[Row]:
    details = voucher.debits if kind == EXPENSE else voucher.credits
    settled = settlement.account != unsettled
    rows = []
    for i, line in enumerate(details):
        tax = "" if line.tax_amount is None else str(line.tax_amount)
        head = [kind, str(voucher.number), slash_date(voucher.date), "", "",
                settlement.partner] if i == 0 else [""] * 6
        tail = ([slash_date(voucher.date), settlement.account, str(settlement.amount)]
                if i == 0 and settled else ["", "", ""])
        rows.append([
            *head, line.account, line.tax_category, str(line.amount), TAX_METHOD, tax,
            line.memo, line.sub_account, line.department, "", "", "", "", *tail,
        ])
    return rows


def write_freee(vouchers: Iterable[Voucher], *,
                settlement_accounts: Collection[str] = SETTLEMENT_ACCOUNTS,
                unsettled_account: str = UNSETTLED_ACCOUNT,
                encoding: str = ENCODING) -> bytes:
    """The 取引 import file for ``vouchers``, or :class:`JournalError`.

    ``settlement_accounts`` are the freee 口座 names (and ``unsettled_account``) a voucher may
    be settled through — see the module docstring.
    """
    vouchers = list(vouchers)
    check_vouchers(vouchers)
    accounts = {*settlement_accounts, unsettled_account}
    rows: list[tuple[int, Row]] = []
    problems = []
    for v in vouchers:
        split = _split(v, accounts)
        if split is None:
            problems.append(JournalProblem(
                v.number, 0, "lines", "shape",
                "a freee 取引 needs one side to be a single line on a settlement account"))
            continue
        rows.extend((v.number, row) for row in _rows(v, *split, unsettled_account))
    if problems:
        raise JournalError(problems)
    return encode_rows(rows, encoding, header=list(COLUMNS), columns=COLUMNS)


def parse_freee(data: bytes, *, unsettled_account: str = UNSETTLED_ACCOUNT,
                ) -> tuple[Voucher, ...]:
    """Vouchers read back from a 取引 import file: the 明細 lines and the settlement line (on
    決済口座, or ``unsettled_account`` when 決済口座 is empty) for their total; debits first."""
    rows = decode_rows(data)
    if not rows or tuple(rows[0]) != COLUMNS:
        raise JournalParseError(1, "the header row is not freee's 取引 import columns")
    deals: list[tuple[int, list[str], list[tuple[int, list[str]]]]] = []
    for n, cells in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            raise JournalParseError(n, f"{len(cells)} columns, not {len(COLUMNS)}")
        if cells[0]:
            if cells[0] not in (INCOME, EXPENSE):
                raise JournalParseError(n, f"収支区分 {cells[0]!r} is not 収入 or 支出")
            deals.append((n, cells, []))
        elif not deals:
            raise JournalParseError(n, "a 明細 row before any 取引 (収支区分 empty)")
        deals[-1][2].append((n, cells))
    vouchers: list[Voucher] = []
    for n, head, members in deals:
        kind = head[0]
        detail_side, settle_side = (DEBIT, CREDIT) if kind == EXPENSE else (CREDIT, DEBIT)
        lines = [Line(side=detail_side, account=cells[6], tax_category=cells[7],
                      amount=yen(cells[8], m, "金額"),
                      tax_amount=optional_yen(cells[10], m, "税額"), memo=cells[11],
                      sub_account=cells[12], department=cells[13])
                 for m, cells in members]
        total = sum(line.amount for line in lines)
        if head[19] and yen(head[20], n, "決済金額") != total:
            raise JournalParseError(n, f"決済金額 {head[20]} ≠ 明細 total {total}")
        lines.append(Line(side=settle_side, account=head[19] or unsettled_account,
                          amount=total, partner=head[5]))
        lines.sort(key=lambda line: line.side != DEBIT)
        number = int(head[1]) if head[1].strip().isdigit() else len(vouchers) + 1
        vouchers.append(Voucher(number=number, date=parse_slash_date(head[2], n),
                                lines=tuple(lines)))
    return tuple(vouchers)
