"""弥生会計: the 弥生インポート形式 of 仕訳データ (25 columns), imported into 仕訳日記帳.

Specification: 弥生会計 サポート「インポートできるデータの種類と記述形式 仕訳データ」
https://support.yayoi-kk.co.jp/subcontents.html?page_id=18545 and the FAQ on its limits
https://support.yayoi-kk.co.jp/faq_Subcontents.html?grade_id=Kaikei&page_id=27184 .

Columns: 1 識別フラグ, 2 伝票No., 3 決算, 4 取引日付, 5 借方勘定科目, 6 借方補助科目, 7 借方部門,
8 借方税区分, 9 借方金額, 10 借方税金額, 11 貸方勘定科目, 12 貸方補助科目, 13 貸方部門,
14 貸方税区分, 15 貸方金額, 16 貸方税金額, 17 摘要, 18 番号, 19 期日, 20 タイプ, 21 生成元,
22 仕訳メモ, 23 付箋1, 24 付箋2, 25 調整. No header row; Shift_JIS; CRLF; dates ``YYYY/MM/DD``.

識別フラグ: ``2000`` for a one-row 仕訳 (one debit, one credit), and for a compound 伝票 (振替伝票)
``2110`` on its first row, ``2100`` on the rows between and ``2101`` on its last. A side a row
does not use is left empty with the amount ``0``, as the specification asks. 弥生 reads the
インボイス distinction from the 税区分 name (``課対仕入内10%適格``, ``…区分80%``), so
:attr:`Line.invoice` is not written; it has no 取引先 column either (:attr:`Line.partner` is not
written — use a 補助科目). 金額 has at most 9 digits. 借方税金額 left empty lets 弥生 compute it.
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

COLUMNS: Final = (
    "識別フラグ", "伝票No.", "決算", "取引日付",
    "借方勘定科目", "借方補助科目", "借方部門", "借方税区分", "借方金額", "借方税金額",
    "貸方勘定科目", "貸方補助科目", "貸方部門", "貸方税区分", "貸方金額", "貸方税金額",
    "摘要", "番号", "期日", "タイプ", "生成元", "仕訳メモ", "付箋1", "付箋2", "調整",
)
ENCODING: Final = "cp932"
MAX_AMOUNT: Final = 999_999_999
SINGLE, FIRST, MIDDLE, LAST, SINGLE_SLIP = "2000", "2110", "2100", "2101", "2111"


def _side(line: Line | None) -> Row:
    if line is None:
        return ["", "", "", "", "0", ""]
    tax = "" if line.tax_amount is None else str(line.tax_amount)
    return [line.account, line.sub_account, line.department, line.tax_category,
            str(line.amount), tax]


def _rows(voucher: Voucher) -> list[Row]:
    pairs = pair_rows(voucher)
    rows = []
    for i, (debit, credit) in enumerate(pairs):
        if len(pairs) == 1:
            flag = SINGLE
        else:
            flag = FIRST if i == 0 else LAST if i == len(pairs) - 1 else MIDDLE
        memo = debit.memo if debit is not None else credit.memo if credit is not None else ""
        rows.append([
            flag, str(voucher.number), "", slash_date(voucher.date),
            *_side(debit), *_side(credit),
            memo, "", "", "0", "", voucher.memo if i == 0 else "", "0", "0", "no",
        ])
    return rows


def write_yayoi(vouchers: Iterable[Voucher]) -> bytes:
    """The import file for ``vouchers`` (Shift_JIS bytes), or :class:`JournalError`."""
    vouchers = list(vouchers)
    check_vouchers(vouchers, max_amount=MAX_AMOUNT)
    rows = [(v.number, row) for v in vouchers for row in _rows(v)]
    return encode_rows(rows, ENCODING, columns=COLUMNS)


def _line(side: Side, cells: Sequence[str], memo: str, row: int) -> Line | None:
    account, sub, dept, tax, amount, tax_amount = cells
    if not account:
        return None
    name = "借方" if side == DEBIT else "貸方"
    return Line(side=side, account=account, sub_account=sub, department=dept,
                tax_category=tax, amount=yen(amount, row, f"{name}金額"),
                tax_amount=optional_yen(tax_amount, row, f"{name}税金額"), memo=memo)


def parse_yayoi(data: bytes) -> tuple[Voucher, ...]:
    """Vouchers read back from a 弥生 import file (lines debits first, then credits)."""
    vouchers: list[Voucher] = []
    current: list[tuple[int, list[str]]] = []

    def close(row: int) -> None:
        first = current[0][1]
        lines: list[Line] = []
        for n, cells in current:
            for side, part in ((DEBIT, cells[4:10]), (CREDIT, cells[10:16])):
                line = _line(side, part, cells[16], n)
                if line is not None:
                    lines.append(line)
        lines.sort(key=lambda line: line.side != DEBIT)
        number = int(first[1]) if first[1].strip().isdigit() else len(vouchers) + 1
        vouchers.append(Voucher(number=number, date=parse_slash_date(first[3], row),
                                lines=tuple(lines), memo=first[21]))
        current.clear()

    for n, cells in enumerate(decode_rows(data), 1):
        if not cells or cells[0].startswith("#"):
            continue
        if len(cells) != len(COLUMNS):
            raise JournalParseError(n, f"{len(cells)} columns, not {len(COLUMNS)}")
        flag = cells[0].strip()
        if flag in (SINGLE, SINGLE_SLIP, FIRST) and current:
            raise JournalParseError(n, "a 伝票 started before the previous one ended (2101)")
        if flag in (MIDDLE, LAST) and not current:
            raise JournalParseError(n, f"識別フラグ {flag} without a first row (2110)")
        if flag not in (SINGLE, SINGLE_SLIP, FIRST, MIDDLE, LAST):
            raise JournalParseError(n, f"識別フラグ {flag!r} is not 2000/2111/2110/2100/2101")
        current.append((n, cells))
        if flag in (SINGLE, SINGLE_SLIP, LAST):
            close(n)
    if current:
        raise JournalParseError(current[-1][0], "the last 伝票 has no last row (2101)")
    return tuple(vouchers)
