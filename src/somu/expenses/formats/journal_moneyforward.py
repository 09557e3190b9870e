"""マネーフォワード クラウド会計: the 仕訳帳 import (27 columns, A to AA, with インボイス).

Specification: マネーフォワード クラウド会計 サポート「『仕訳帳』をインポートする」
https://biz.moneyforward.com/support/account/guide/import-books/ib01.html (the same template
for クラウド会計Plus: https://biz.moneyforward.com/support/ac-plus/guide/journal2/import2.html,
"A列からAA列の1行目については、編集を行わないでください"). The インボイス columns take ``適格`` or
``80%控除`` (by 取引日; empty means 適格 from the 税区分) —
https://the-board.jp/blogs/news_partner_and_invoice_field_for_mf/ quotes the rule.

Columns: 取引No, 取引日, 借方勘定科目, 借方補助科目, 借方部門, 借方取引先, 借方税区分,
借方インボイス, 借方金額(円), 借方税額, the same eight for 貸方, 摘要, 仕訳メモ, タグ,
MF仕訳タイプ, 決算整理仕訳, 作成日時, 作成者, 最終更新日時, 最終更新者. The header row is kept.
A compound 仕訳 is the rows sharing 取引No and 取引日 whose debits and credits agree;
a side a row does not use is empty.
The 作成/更新 columns are left empty (MF fills them), which also keeps the file reproducible.
Encoding: UTF-8 with BOM by default (MF offers its template in UTF-8 and in Shift_JIS;
pass ``encoding="cp932"`` for the latter).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from .journal_model import (
    CREDIT,
    DEBIT,
    JournalParseError,
    Line,
    Row,
    Side,
    Voucher,
    check_vouchers,
    decode_rows,
    encode_rows,
    optional_yen,
    pair_rows,
    parse_slash_date,
    slash_date,
    yen,
)

_SIDE: Final = (
    "勘定科目", "補助科目", "部門", "取引先", "税区分", "インボイス", "金額(円)", "税額")
COLUMNS: Final = (
    "取引No", "取引日",
    *(f"借方{name}" for name in _SIDE), *(f"貸方{name}" for name in _SIDE),
    "摘要", "仕訳メモ", "タグ", "MF仕訳タイプ", "決算整理仕訳",
    "作成日時", "作成者", "最終更新日時", "最終更新者",
)
ENCODING: Final = "utf-8-sig"


def _side(line: Line | None) -> Row:
    if line is None:
        return [""] * 8
    tax = "" if line.tax_amount is None else str(line.tax_amount)
    return [line.account, line.sub_account, line.department, line.partner,
            line.tax_category, line.invoice, str(line.amount), tax]


def _rows(voucher: Voucher) -> list[Row]:
    rows = []
    for i, (debit, credit) in enumerate(pair_rows(voucher)):
        memo = debit.memo if debit is not None else credit.memo if credit is not None else ""
        rows.append([
            str(voucher.number), slash_date(voucher.date), *_side(debit), *_side(credit),
            memo, voucher.memo if i == 0 else "", "", "", "", "", "", "", "",
        ])
    return rows


def write_moneyforward(vouchers: Iterable[Voucher], *, encoding: str = ENCODING) -> bytes:
    """The 仕訳帳 import file for ``vouchers``, or :class:`JournalError`."""
    vouchers = list(vouchers)
    check_vouchers(vouchers)
    rows = [(v.number, row) for v in vouchers for row in _rows(v)]
    return encode_rows(rows, encoding, header=list(COLUMNS), columns=COLUMNS)


def _line(side: Side, cells: Sequence[str], memo: str, row: int) -> Line | None:
    account, sub, dept, partner, tax, invoice, amount, tax_amount = cells
    if not account:
        return None
    name = "借方" if side == DEBIT else "貸方"
    return Line(side=side, account=account, sub_account=sub, department=dept, partner=partner,
                tax_category=tax, invoice=invoice, amount=yen(amount, row, f"{name}金額(円)"),
                tax_amount=optional_yen(tax_amount, row, f"{name}税額"), memo=memo)


def parse_moneyforward(data: bytes) -> tuple[Voucher, ...]:
    """Vouchers read back from a 仕訳帳 import file (lines debits first, then credits)."""
    rows = decode_rows(data)
    if not rows or tuple(rows[0]) != COLUMNS:
        raise JournalParseError(1, "the header row is not MF's 27 仕訳帳 columns")
    groups: dict[tuple[str, str], list[tuple[int, list[str]]]] = {}
    for n, cells in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(COLUMNS):
            raise JournalParseError(n, f"{len(cells)} columns, not {len(COLUMNS)}")
        groups.setdefault((cells[0], cells[1]), []).append((n, cells))
    vouchers = []
    for (number, date), members in groups.items():
        first_row = members[0][0]
        if not number.strip().isdigit():
            raise JournalParseError(first_row, f"取引No {number!r} is not a number")
        lines: list[Line] = []
        for n, cells in members:
            for side, part in ((DEBIT, cells[2:10]), (CREDIT, cells[10:18])):
                line = _line(side, part, cells[18], n)
                if line is not None:
                    lines.append(line)
        lines.sort(key=lambda line: line.side != DEBIT)
        vouchers.append(Voucher(number=int(number), date=parse_slash_date(date, first_row),
                                lines=tuple(lines), memo=members[0][1][19]))
    return tuple(vouchers)
