"""The neutral journal model every vendor writer reads: 伝票 (:class:`Voucher`) of 仕訳 lines.

Names in it — 勘定科目, 補助科目, 税区分, 部門, 取引先 and the インボイス value — are already the
vendor's (the caller maps somu's chart through the admin-editable mapping, with the defaults in
:mod:`.journal_defaults`). Amounts are yen integers, tax included.

:func:`check_vouchers` is what every writer runs first: each 伝票 has a debit and a credit side
and balances (Σ借方 = Σ貸方), amounts are positive integers, accounts are named, numbers are
unique. Problems are collected — the voucher's number, the line (from 1) and the field — and
raised together as :class:`JournalError`; nothing is written for a bad export.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Side = Literal["debit", "credit"]
DEBIT: Final[Side] = "debit"
CREDIT: Final[Side] = "credit"


@dataclass(frozen=True)
class Line:
    """One side of a 仕訳: 借方 (debit) or 貸方 (credit)."""

    side: Side
    account: str  # 勘定科目
    amount: int  # yen, tax included, > 0
    sub_account: str = ""  # 補助科目 (freee: 品目)
    tax_category: str = ""  # 税区分, the vendor's name
    tax_amount: int | None = None  # 税額; None lets the software compute it
    department: str = ""  # 部門
    partner: str = ""  # 取引先 (MF per line; freee per 取引; 弥生 has no column)
    invoice: str = ""  # MF's インボイス column ("適格", "80%控除", …); others encode it in 税区分
    memo: str = ""  # 摘要 (freee: 備考)


@dataclass(frozen=True)
class Voucher:
    """A 伝票: one balanced 仕訳, single-line (one debit, one credit) or compound."""

    number: int  # 伝票No. / 取引No / 管理番号, unique in the export
    date: dt.date
    lines: tuple[Line, ...]
    memo: str = ""  # 仕訳メモ (弥生, MF); freee has no such column

    @property
    def debits(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.side == DEBIT)

    @property
    def credits(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.side == CREDIT)


@dataclass(frozen=True)
class JournalProblem:
    """Why an export cannot be written: the voucher's number, the line (1-based; 0 for the
    voucher itself), the field and a reason code — ``unbalanced``, ``one_sided``,
    ``amount``, ``empty``, ``duplicate``, ``characters`` (with the offending ``characters``),
    ``shape`` (a vendor cannot express this 伝票) — and a detail for people."""

    voucher: int
    line: int
    field: str
    reason: str
    detail: str = ""
    characters: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f"伝票 {self.voucher}" + (f" line {self.line}" if self.line else "")
        detail = f" ({self.detail})" if self.detail else ""
        return f"{where}: {self.field}: {self.reason}{detail}"


class JournalError(ValueError):
    """Every problem of an export, found before any byte was written."""

    def __init__(self, problems: Sequence[JournalProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


class JournalParseError(ValueError):
    """A file that is not in the vendor's layout; ``row`` counts file lines from 1."""

    def __init__(self, row: int, reason: str) -> None:
        self.row = row
        self.reason = reason
        super().__init__(f"row {row}: {reason}")


def _is_yen(value: object, *, positive: bool = True) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and (
        value > 0 if positive else value >= 0)


def voucher_problems(vouchers: Iterable[Voucher], *, max_amount: int | None = None,
                     ) -> list[JournalProblem]:
    """The problems of ``vouchers`` (empty when they can be exported)."""
    problems: list[JournalProblem] = []
    seen: set[int] = set()
    for v in vouchers:
        if v.number in seen or not _is_yen(v.number):
            problems.append(JournalProblem(v.number, 0, "number", "duplicate",
                                           "numbers must be unique positive integers"))
        seen.add(v.number)
        for i, line in enumerate(v.lines, 1):
            if not _is_yen(line.amount) or (max_amount is not None and line.amount > max_amount):
                problems.append(JournalProblem(v.number, i, "amount", "amount", str(line.amount)))
            if line.tax_amount is not None and not _is_yen(line.tax_amount, positive=False):
                problems.append(JournalProblem(
                    v.number, i, "tax_amount", "amount", str(line.tax_amount)))
            if not line.account.strip():
                problems.append(JournalProblem(v.number, i, "account", "empty"))
        debit = sum(line.amount for line in v.debits if _is_yen(line.amount))
        credit = sum(line.amount for line in v.credits if _is_yen(line.amount))
        if not v.debits or not v.credits:
            problems.append(JournalProblem(v.number, 0, "lines", "one_sided"))
        elif debit != credit:
            problems.append(JournalProblem(
                v.number, 0, "lines", "unbalanced", f"借方 {debit:,} ≠ 貸方 {credit:,}"))
    return problems


def check_balanced(vouchers: Iterable[Voucher]) -> None:
    """Raise :class:`JournalError` unless every 伝票 has both sides and Σ借方 = Σ貸方."""
    problems = [p for p in voucher_problems(vouchers) if p.reason in ("unbalanced", "one_sided")]
    if problems:
        raise JournalError(problems)


def check_vouchers(vouchers: Iterable[Voucher], *, max_amount: int | None = None) -> None:
    """Raise :class:`JournalError` with every problem of ``vouchers`` (see the module)."""
    problems = voucher_problems(vouchers, max_amount=max_amount)
    if problems:
        raise JournalError(problems)


# --- CSV plumbing shared by the vendor modules ----------------------------------------------

Row = list[str]


def encode_rows(rows: Sequence[tuple[int, Row]], encoding: str,
                header: Row | None = None, columns: Sequence[str] = ()) -> bytes:
    """CSV bytes (CRLF, minimal quoting) of ``rows``, each tagged with its voucher number.

    A cell the encoding cannot hold is reported as a :class:`JournalError` naming the voucher
    and the column, with the offending characters.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header is not None:
        writer.writerow(header)
    writer.writerows(row for _number, row in rows)
    text = buffer.getvalue()
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        pass
    problems = []
    for number, row in rows:
        for i, cell in enumerate(row):
            bad = tuple(dict.fromkeys(ch for ch in cell if not _encodable(ch, encoding)))
            if bad:
                name = columns[i] if i < len(columns) else str(i + 1)
                problems.append(JournalProblem(number, 0, name, "characters", cell, bad))
    raise JournalError(problems)


def _encodable(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def decode_rows(data: bytes) -> list[Row]:
    """The CSV rows of ``data``: UTF-8 (with or without BOM), else Shift_JIS (cp932)."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp932")
            except UnicodeDecodeError as error:
                raise JournalParseError(1, f"neither UTF-8 nor Shift_JIS: {error}") from error
    return list(csv.reader(io.StringIO(text, newline="")))


def yen(text: str, row: int, column: str) -> int:
    """A yen amount cell (digits, commas tolerated)."""
    cleaned = text.replace(",", "").strip()
    if not (cleaned.isascii() and cleaned.isdigit()):
        raise JournalParseError(row, f"{column} {text!r} is not an amount")
    return int(cleaned)


def optional_yen(text: str, row: int, column: str) -> int | None:
    return None if not text.strip() else yen(text, row, column)


def slash_date(value: dt.date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def parse_slash_date(text: str, row: int) -> dt.date:
    """``YYYY/MM/DD`` (also ``YYYY/M/D``, ``YYYYMMDD`` and ``YYYY-MM-DD``)."""
    cleaned = text.strip()
    try:
        if len(cleaned) == 8 and cleaned.isdigit():
            return dt.date(int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:]))
        year, month, day = cleaned.replace("-", "/").split("/")
        return dt.date(int(year), int(month), int(day))
    except ValueError as error:
        raise JournalParseError(row, f"date {text!r} is not YYYY/MM/DD") from error


def pair_rows(voucher: Voucher) -> list[tuple[Line | None, Line | None]]:
    """The rows of a two-sided layout (弥生, MF): the i-th debit next to the i-th credit when
    their 摘要 agree (the row has one 摘要), otherwise each alone — so reading the rows back
    gives every line its own 摘要. Lines keep their order within each side."""
    debits, credits = list(voucher.debits), list(voucher.credits)
    rows: list[tuple[Line | None, Line | None]] = []
    i = j = 0
    while i < len(debits) or j < len(credits):
        d = debits[i] if i < len(debits) else None
        c = credits[j] if j < len(credits) else None
        if d is not None and c is not None and d.memo == c.memo:
            rows.append((d, c))
            i, j = i + 1, j + 1
        elif d is not None:
            rows.append((d, None))
            i += 1
        else:
            rows.append((None, c))
            j += 1
    return rows
