"""全銀協 総合振込 (bulk transfer) files: 120-byte fixed records, written and read back.

The layout is the one every Japanese bank publishes for 総合振込 (種別コード 21), e.g.
全銀協制定ファイルフォーマット【総合振込】 https://expydoc.com/doc/11700435/ and
https://www.chushin.co.jp/biz_web/Contents_bizsol/manual/bsl3002.html (record order):

- header ``1``: 種別コード 21, コード区分 0 (JIS), 依頼人コード N10, 依頼人名 C40, 振込指定日
  MMDD, 仕向銀行番号 N4 / 名 C15, 仕向支店番号 N3 / 名 C15, 預金種目 N1 (1 普通, 2 当座,
  9 その他), 口座番号 N7, ダミー C17;
- data ``2`` (one per transfer): 被仕向銀行番号 N4 / 名 C15, 支店番号 N3 / 名 C15, 手形交換所番号
  N4 (0000), 預金種目 N1 (1, 2, 4 貯蓄, 9), 口座番号 N7, 受取人名 C30, 振込金額 N10, 新規コード
  N1 (0), 顧客コード1 N10, 顧客コード2 N10, 振込指定区分 N1 (7 電信 / 8 文書 / space: the
  bank's default), 識別表示 C1 (space: no EDI), ダミー C7;
- trailer ``8``: 合計件数 N6, 合計金額 N12, ダミー C101; end ``9``: ダミー C119.

N fields are right-aligned and zero-padded, C fields left-aligned and space-padded; records end
with CRLF (122 bytes a line) and are Shift_JIS — every byte single-byte, as the names are folded to
全銀 characters by :func:`somu.expenses.formats.kana.fold_zengin`. Names longer than their field
are cut at the field's width, as the banks do.

:func:`write_transfers` checks everything first and raises one :class:`ZenginError` listing
every problem (the transfer's ``ref`` and the field) — no bytes are produced for a bad batch.
The same input gives byte-identical output. :func:`parse` reads a file back and checks record
lengths, order and the trailer's totals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from .kana import ZenginTextError, fold_zengin

RECORD_LENGTH: Final = 120
CRLF: Final = b"\r\n"
ENCODING: Final = "cp932"
HEADER_ACCOUNT_TYPES: Final = frozenset("129")
ACCOUNT_TYPES: Final = frozenset("1249")
TRANSFER_KINDS: Final = frozenset(("", "7", "8"))
MAX_AMOUNT: Final = 9_999_999_999  # N10
MAX_COUNT: Final = 999_999  # N6
MAX_TOTAL: Final = 999_999_999_999  # N12


@dataclass(frozen=True)
class Payer:
    """The company that pays (振込依頼人), as its bank registered it."""

    requester_code: str  # 依頼人コード (委託者コード), 10 digits, given by the bank
    name: str  # 依頼人名, folded to 全銀 characters
    bank_code: str  # 仕向銀行番号, 4 digits
    branch_code: str  # 仕向支店番号, 3 digits
    account_type: str  # 預金種目: "1" 普通, "2" 当座, "9" その他
    account_number: str  # 7 digits
    bank_name: str = ""  # カナ, optional
    branch_name: str = ""  # カナ, optional


@dataclass(frozen=True)
class Transfer:
    """One payment. ``ref`` is the caller's name for it (the claim), used in errors only."""

    ref: str
    bank_code: str  # 被仕向銀行番号, 4 digits
    branch_code: str  # 被仕向支店番号, 3 digits
    account_type: str  # "1" 普通, "2" 当座, "4" 貯蓄, "9" その他
    account_number: str  # 7 digits
    name: str  # 受取人名 (口座名義), folded to 全銀 characters
    amount: int  # yen, 1 … 9,999,999,999
    bank_name: str = ""
    branch_name: str = ""
    customer_code1: str = ""  # 顧客コード1, up to 10 digits (e.g. the employee number)
    customer_code2: str = ""  # 顧客コード2, up to 10 digits
    transfer_kind: str = ""  # 振込指定区分: "7" 電信, "8" 文書, "" the bank's default


@dataclass(frozen=True)
class ZenginProblem:
    """One reason a batch cannot be written: which transfer (``ref``; ``"payer"`` for the
    header), which field (the dataclass attribute), the value and a reason code:
    ``digits`` (not exactly/at most N digits), ``choice``, ``characters`` (with the offending
    ``characters``), ``empty``, ``amount`` or ``total``."""

    ref: str
    field: str
    value: str
    reason: str
    characters: tuple[str, ...] = ()

    def __str__(self) -> str:
        extra = f" {''.join(self.characters)!r}" if self.characters else ""
        return f"{self.ref}: {self.field}={self.value!r}: {self.reason}{extra}"


class ZenginError(ValueError):
    """Every problem of a batch, found before any byte was written."""

    def __init__(self, problems: Sequence[ZenginProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class ZenginParseError(ValueError):
    """A file that is not a well-formed 総合振込 file; ``record`` counts from 1."""

    def __init__(self, record: int, reason: str) -> None:
        self.record = record
        self.reason = reason
        super().__init__(f"record {record}: {reason}")


@dataclass(frozen=True)
class ZenginFile:
    """A file read back: the payer, the 振込指定日 as MMDD (the format has no year), the
    transfers (``ref`` is the data record's position, "1", "2", …) and the trailer totals."""

    payer: Payer
    transfer_date: str
    transfers: tuple[Transfer, ...]
    total_count: int
    total_amount: int


class _Checker:
    def __init__(self) -> None:
        self.problems: list[ZenginProblem] = []

    def digits(self, ref: str, field: str, value: str, width: int, *, exact: bool = True) -> str:
        ok = value.isascii() and value.isdigit() and (
            len(value) == width if exact else len(value) <= width)
        if not ok and not (not exact and value == ""):
            self.problems.append(ZenginProblem(ref, field, value, "digits"))
        return value.rjust(width, "0")

    def choice(self, ref: str, field: str, value: str, allowed: frozenset[str]) -> str:
        if value not in allowed:
            self.problems.append(ZenginProblem(ref, field, value, "choice"))
        return value

    def text(self, ref: str, field: str, value: str, width: int, *, required: bool = False) -> str:
        try:
            folded = fold_zengin(value)
        except ZenginTextError as error:
            self.problems.append(ZenginProblem(ref, field, value, "characters", error.characters))
            return " " * width
        if required and not folded.strip():
            self.problems.append(ZenginProblem(ref, field, value, "empty"))
        return folded[:width].ljust(width)


def _header(c: _Checker, payer: Payer, transfer_date: dt.date) -> str:
    ref = "payer"
    return "".join((
        "1", "21", "0",
        c.digits(ref, "requester_code", payer.requester_code, 10),
        c.text(ref, "name", payer.name, 40, required=True),
        f"{transfer_date.month:02d}{transfer_date.day:02d}",
        c.digits(ref, "bank_code", payer.bank_code, 4),
        c.text(ref, "bank_name", payer.bank_name, 15),
        c.digits(ref, "branch_code", payer.branch_code, 3),
        c.text(ref, "branch_name", payer.branch_name, 15),
        c.choice(ref, "account_type", payer.account_type, HEADER_ACCOUNT_TYPES),
        c.digits(ref, "account_number", payer.account_number, 7),
        " " * 17,
    ))


def _data(c: _Checker, t: Transfer) -> str:
    ref = t.ref
    if isinstance(t.amount, bool) or not isinstance(t.amount, int) or not (
            0 < t.amount <= MAX_AMOUNT):
        c.problems.append(ZenginProblem(ref, "amount", str(t.amount), "amount"))
        amount = "0" * 10
    else:
        amount = f"{t.amount:010d}"
    return "".join((
        "2",
        c.digits(ref, "bank_code", t.bank_code, 4),
        c.text(ref, "bank_name", t.bank_name, 15),
        c.digits(ref, "branch_code", t.branch_code, 3),
        c.text(ref, "branch_name", t.branch_name, 15),
        "0000",
        c.choice(ref, "account_type", t.account_type, ACCOUNT_TYPES),
        c.digits(ref, "account_number", t.account_number, 7),
        c.text(ref, "name", t.name, 30, required=True),
        amount,
        "0",
        c.digits(ref, "customer_code1", t.customer_code1, 10, exact=False),
        c.digits(ref, "customer_code2", t.customer_code2, 10, exact=False),
        c.choice(ref, "transfer_kind", t.transfer_kind, TRANSFER_KINDS) or " ",
        " ",
        " " * 7,
    ))


def write_transfers(payer: Payer, transfer_date: dt.date,
                    transfers: Iterable[Transfer]) -> bytes:
    """The 総合振込 file for ``transfers``, paid by ``payer`` on ``transfer_date``.

    Raises :class:`ZenginError` with every problem (and writes nothing) when any code, name or
    amount cannot be written, or when there is no transfer at all.
    """
    c = _Checker()
    records = [_header(c, payer, transfer_date)]
    count = total = 0
    for transfer in transfers:
        records.append(_data(c, transfer))
        count += 1
        if isinstance(transfer.amount, int):
            total += transfer.amount
    if count == 0:
        c.problems.append(ZenginProblem("payer", "transfers", "0", "empty"))
    if count > MAX_COUNT or total > MAX_TOTAL:
        c.problems.append(ZenginProblem("payer", "transfers", f"{count}/{total}", "total"))
    if c.problems:
        raise ZenginError(c.problems)
    records.append(f"8{count:06d}{total:012d}" + " " * 101)
    records.append("9" + " " * 119)
    text = "\r\n".join(records) + "\r\n"
    data = text.encode(ENCODING)
    # Every character is single-byte in Shift_JIS, so the lengths are exact.
    assert len(data) == len(records) * (RECORD_LENGTH + 2)
    return data


def _split_records(data: bytes) -> list[bytes]:
    data = data.rstrip(b"\x1a")  # an EOF mark some DOS-era tools append
    if CRLF in data:
        lines = data.split(CRLF)
        if lines and lines[-1] == b"":
            lines.pop()
    else:
        if len(data) % RECORD_LENGTH:
            raise ZenginParseError(1, f"length {len(data)} is not a multiple of {RECORD_LENGTH}")
        lines = [data[i:i + RECORD_LENGTH] for i in range(0, len(data), RECORD_LENGTH)]
    for n, line in enumerate(lines, 1):
        if len(line) != RECORD_LENGTH:
            raise ZenginParseError(n, f"is {len(line)} bytes, not {RECORD_LENGTH}")
    return lines


def _n(record: str, start: int, width: int, n: int, name: str) -> str:
    value = record[start:start + width]
    if not (value.isascii() and value.isdigit()):
        raise ZenginParseError(n, f"{name} {value!r} is not numeric")
    return value


def _c(record: str, start: int, width: int) -> str:
    return record[start:start + width].rstrip(" ")


def parse(data: bytes) -> ZenginFile:
    """Read a 総合振込 file back, checking lengths, record order and the trailer totals."""
    lines = _split_records(data)
    try:
        records = [line.decode(ENCODING) for line in lines]
    except UnicodeDecodeError as error:
        raise ZenginParseError(1, f"not Shift_JIS: {error}") from error
    if len(records) < 3 or records[0][0] != "1":
        raise ZenginParseError(1, "the file does not start with a header record (1)")
    head = records[0]
    if head[1:3] != "21":
        raise ZenginParseError(1, f"種別コード {head[1:3]!r} is not 21 (総合振込)")
    payer = Payer(
        requester_code=_n(head, 4, 10, 1, "依頼人コード"), name=_c(head, 14, 40),
        bank_code=_n(head, 58, 4, 1, "仕向銀行番号"), bank_name=_c(head, 62, 15),
        branch_code=_n(head, 77, 3, 1, "仕向支店番号"), branch_name=_c(head, 80, 15),
        account_type=head[95], account_number=_n(head, 96, 7, 1, "口座番号"),
    )
    transfer_date = _n(head, 54, 4, 1, "振込指定日")
    transfers: list[Transfer] = []
    n = 2
    while n <= len(records) and records[n - 1][0] == "2":
        r = records[n - 1]
        transfers.append(Transfer(
            ref=str(len(transfers) + 1),
            bank_code=_n(r, 1, 4, n, "被仕向銀行番号"), bank_name=_c(r, 5, 15),
            branch_code=_n(r, 20, 3, n, "被仕向支店番号"), branch_name=_c(r, 23, 15),
            account_type=r[42], account_number=_n(r, 43, 7, n, "口座番号"),
            name=_c(r, 50, 30), amount=int(_n(r, 80, 10, n, "振込金額")),
            customer_code1=_n(r, 91, 10, n, "顧客コード1").lstrip("0"),
            customer_code2=_n(r, 101, 10, n, "顧客コード2").lstrip("0"),
            transfer_kind=r[111].strip(),
        ))
        n += 1
    if n > len(records) or records[n - 1][0] != "8":
        raise ZenginParseError(n, "a trailer record (8) must follow the data records")
    trailer = records[n - 1]
    count = int(_n(trailer, 1, 6, n, "合計件数"))
    total = int(_n(trailer, 7, 12, n, "合計金額"))
    if count != len(transfers):
        raise ZenginParseError(n, f"合計件数 {count} but {len(transfers)} data records")
    added = sum(t.amount for t in transfers)
    if total != added:
        raise ZenginParseError(n, f"合計金額 {total} but the data records add up to {added}")
    if n + 1 != len(records) or records[n][0] != "9":
        raise ZenginParseError(n + 1, "the file must end with one end record (9)")
    return ZenginFile(payer, transfer_date, tuple(transfers), count, total)
