"""The NTA's published files of 適格請求書発行事業者 (国税庁適格請求書発行事業者公表サイト,
公表情報ダウンロード): the full files per 人格区分 (全件データ) and the daily difference files
(差分データ), CSV.

The layout (the site's リソース定義書 for the download data): no header line, one record per
line, 24 columns in this order —

 1 一連番号            sequence number of the record in the file
 2 登録番号            "T" + 13 digits (the first of the 13 a check digit)
 3 事業者処理区分      01 新規 · 02 変更 · 03 失効 · 04 取消 · 99 削除
 4 訂正区分            0 訂正以外 · 1 訂正 (may be empty)
 5 人格区分            1 個人 · 2 法人 (may be empty)
 6 国内外区分          1 国内事業者 · 2 国外事業者 · 3 特定国外事業者 (may be empty)
 7 最新履歴            0 過去 · 1 最新
 8 登録年月日          YYYY-MM-DD
 9 更新年月日          YYYY-MM-DD or empty
10 取消年月日          YYYY-MM-DD or empty
11 失効年月日          YYYY-MM-DD or empty
12 本店又は主たる事務所の所在地 (法人)     13/14 its 都道府県コード (2 digits) / 市区町村コード (3)
15 本店又は主たる事務所の所在地 (公表申出) 16/17 its codes
18 氏名又は名称のフリガナ (日本語 カナ)
19 氏名又は名称
20 国内において行う資産の譲渡等に係る事務所等の所在地 21/22 its codes
23 主たる屋号
24 通称・旧姓

The NTA publishes the CSV in UTF-8; a file re-saved by Excel may come back as Shift_JIS (CP932)
or with a BOM, so all three are read (the encoding is decided on the first 64 KiB). A file not in
the layout is refused whole: :func:`read_records` raises :class:`RegistryFileError` naming the
line, the column and the reason at the first line that does not fit, and the caller (the import
service) rolls back what it wrote.

The module is pure (no Django) and streams: a 2,500,000-line full file is never held in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from enum import Enum, IntEnum
from typing import NamedTuple, Protocol

__all__ = [
    "COLUMNS", "REASONS", "PersonKind", "Process", "RegistryFileError", "RegistryRecord",
    "Residence", "Validity", "detect_encoding", "name_key", "read_records", "validity_on",
]

COLUMNS: tuple[str, ...] = (
    "一連番号", "登録番号", "事業者処理区分", "訂正区分", "人格区分", "国内外区分", "最新履歴",
    "登録年月日", "更新年月日", "取消年月日", "失効年月日",
    "本店又は主たる事務所の所在地", "本店又は主たる事務所の所在地都道府県コード",
    "本店又は主たる事務所の所在地市区町村コード",
    "本店又は主たる事務所の所在地（公表申出）",
    "本店又は主たる事務所の所在地都道府県コード（公表申出）",
    "本店又は主たる事務所の所在地市区町村コード（公表申出）",
    "フリガナ", "氏名又は名称",
    "国内において行う資産の譲渡等に係る事務所等の所在地", "同 都道府県コード", "同 市区町村コード",
    "主たる屋号", "通称・旧姓",
)
# The longest value each text column may hold, as the リソース定義書 gives it (characters).
_TEXT_LIMITS = {11: 600, 14: 600, 17: 500, 18: 300, 19: 300, 22: 200, 23: 200}
_HEAD_BYTES = 65536


class Process(IntEnum):
    """事業者処理区分: what happened to the registration in this record."""

    NEW = 1            # 新規
    CHANGE = 2         # 変更
    EXPIRY = 3         # 失効
    CANCELLATION = 4   # 取消
    DELETION = 99      # 削除 (the record was withdrawn from publication)


class PersonKind(IntEnum):
    """人格区分."""

    INDIVIDUAL = 1   # 個人
    CORPORATION = 2  # 法人


class Residence(IntEnum):
    """国内外区分."""

    DOMESTIC = 1            # 国内事業者
    FOREIGN = 2             # 国外事業者 (特定国外事業者以外)
    SPECIFIED_FOREIGN = 3   # 特定国外事業者


class RegistryRecord(NamedTuple):
    """One line of an NTA registry file, typed. ``line`` is where the record starts (1-based).
    (A named tuple: a full file makes millions of them, and a tuple is the cheapest to build.)"""

    line: int
    sequence: int
    number: str                 # "T" + 13 digits, check digit verified
    process: Process
    corrected: bool
    kind: PersonKind | None
    residence: Residence | None
    latest: bool
    registered_on: date | None  # empty only on a 削除 record
    updated_on: date | None
    cancelled_on: date | None
    expired_on: date | None
    address: str                # 本店又は主たる事務所の所在地 (法人)
    address_prefecture: str
    address_city: str
    requested_address: str      # the same, published on the registrant's request (公表申出)
    requested_prefecture: str
    requested_city: str
    name_kana: str
    name: str
    domestic_address: str       # 国内において行う資産の譲渡等に係る事務所等 (国外事業者)
    domestic_prefecture: str
    domestic_city: str
    trade_name: str             # 主たる屋号
    alias: str                  # 通称・旧姓

    @property
    def any_address(self) -> str:
        """The address to show: the 法人's head office, else the one published on request,
        else the domestic office of a foreign business."""
        return self.address or self.requested_address or self.domestic_address


# Why a file is refused, by code; the service shows each in the user's language with the same
# parameters (``expenses.services.registry``).
REASONS: dict[str, str] = {
    "empty": "the file is empty",
    "no_records": "the file holds no records",
    "encoding": "the bytes are neither UTF-8 nor Shift_JIS text",
    "csv": "not valid CSV ({detail})",
    "columns": "has {found} columns; the NTA layout has {expected}",
    "header": "is not a number: the NTA files have no header line",
    "not_number": "is not a number",
    "number_form": "is not a 登録番号 (T and 13 digits)",
    "check_digit": "has a wrong check digit",
    "code": "is not one of {allowed}",
    "date": "is not a date written YYYY-MM-DD",
    "required": "is empty (allowed only on a 削除 record)",
    "too_long": "is longer than {limit} characters",
    "code_width": "is not a {width}-digit code",
}


class RegistryFileError(ValueError):
    """The file is not in the NTA layout. Nothing of it may be stored.

    ``code`` is a key of :data:`REASONS`, ``params`` fill its blanks; ``column`` is "8 登録年月日"
    (position and name) or empty when the fault is the line or the file."""

    def __init__(self, line: int, code: str, *, column: str = "", value: str = "",
                 **params: object) -> None:
        self.line = line
        self.code = code
        self.column = column
        self.value = value
        self.params = params
        where = f"line {line}" + (f", column {column}" if column else "")
        shown = f" {value!r}" if value else ""
        super().__init__(f"{where}:{shown} {self.reason}")

    @property
    def reason(self) -> str:
        return REASONS[self.code].format(**self.params)


# --- the file ------------------------------------------------------------------------------

class Readable(Protocol):
    """What the reader needs of a file: ``read`` of bytes (an open file, an upload, a wrapper)."""

    def read(self, size: int = -1, /) -> bytes: ...


class _Replay(io.RawIOBase):
    """A binary stream that first gives back the bytes already read to sniff the encoding."""

    def __init__(self, head: bytes, rest: Readable) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._head.nbytes:
            n = min(len(buffer), self._head.nbytes)
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        chunk = self._rest.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def detect_encoding(head: bytes) -> str:
    """``utf-8-sig`` (with or without a BOM) if the first bytes decode as UTF-8, else ``cp932``
    (Shift_JIS as Windows writes it)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp932"
    return "utf-8-sig"


def read_records(stream: Readable, *, encoding: str | None = None) -> Iterator[RegistryRecord]:
    """The records of one NTA registry file, in file order.

    Raises :class:`RegistryFileError` at the first line not in the layout (wrong number of
    columns, a code outside its list, a bad date or 登録番号, text over its length, bytes that are
    neither UTF-8 nor Shift_JIS) and at an empty file."""
    head = stream.read(_HEAD_BYTES)
    if not head.strip():
        raise RegistryFileError(1, "empty")
    encoding = encoding or detect_encoding(head)
    if head.startswith(codecs.BOM_UTF8):
        head = head[len(codecs.BOM_UTF8):]
    reader = csv.reader(_decoded_lines(_Replay(head, stream), encoding), strict=True)
    parse = _Parser()
    line = 1
    count = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise RegistryFileError(line, "csv", detail=str(error)) from None
        if row:
            yield parse(row, line)
            count += 1
        line = reader.line_num + 1
    if not count:
        raise RegistryFileError(1, "no_records")


def _decoded_lines(raw: io.RawIOBase, encoding: str) -> Iterator[str]:
    """The file's lines as text, decoded one by one so that bytes in neither encoding are
    reported on their own line. Splitting the bytes at LF is safe for UTF-8 and Shift_JIS
    alike: neither uses the byte 0x0A inside a character."""
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    for number, data in enumerate(io.BufferedReader(raw, 1 << 20), start=1):
        try:
            yield data.decode(codec)
        except UnicodeDecodeError:
            raise RegistryFileError(number, "encoding") from None


# --- one line ------------------------------------------------------------------------------

_PROCESSES = {"01": Process.NEW, "02": Process.CHANGE, "03": Process.EXPIRY,
              "04": Process.CANCELLATION, "99": Process.DELETION}
_CORRECTED = {"0": False, "1": True, "": False}
_KINDS = {"1": PersonKind.INDIVIDUAL, "2": PersonKind.CORPORATION, "": None}
_RESIDENCES = {"1": Residence.DOMESTIC, "2": Residence.FOREIGN,
               "3": Residence.SPECIFIED_FOREIGN, "": None}
_LATEST = {"0": False, "1": True}
_CODE_COLUMNS = ((12, 2), (13, 3), (15, 2), (16, 3), (20, 2), (21, 3))
_BAD: object = object()
_CODE2 = re.compile(r"\d\d\Z")
_CODE3 = re.compile(r"\d\d\d\Z")
_NUMBER = re.compile(r"T\d{13}\Z")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# 登録番号 check digit (as for the 法人番号): the weights 1, 2, 1, 2 … from the rightmost of the
# 12 base digits, summed two digits at a time through this table.
_PAIR_SUM = {f"{a}{b}": 2 * a + b for a in range(10) for b in range(10)}


def _check_digit_ok(number: str) -> bool:
    """``number`` is "T" + 13 digits; True when its first digit is the check digit of the rest.
    (Kept minimal here so the parser stands alone; ``formats.tnumber`` is the full helper.)"""
    base = number[2:]
    total = (_PAIR_SUM[base[0:2]] + _PAIR_SUM[base[2:4]] + _PAIR_SUM[base[4:6]]
             + _PAIR_SUM[base[6:8]] + _PAIR_SUM[base[8:10]] + _PAIR_SUM[base[10:12]])
    return int(number[1]) == 9 - total % 9


class _Parser:
    """Turns a CSV row into a record. Written for speed (a full file has millions of lines):
    the common path is dictionary look-ups; every refusal goes through :meth:`_refuse`."""

    def __init__(self) -> None:
        # A full file repeats a few thousand dates: each is checked once.
        self._dates: dict[str, date | None] = {"": None}

    def _date(self, value: str, line: int, column: int) -> date | None:
        try:
            if not _DATE.match(value):
                raise ValueError
            parsed = date.fromisoformat(value)
        except ValueError:
            raise _error(line, column, value, "date") from None
        self._dates[value] = parsed
        return parsed

    def __call__(self, row: list[str], line: int) -> RegistryRecord:
        if len(row) != 24:
            raise RegistryFileError(line, "columns", found=len(row), expected=len(COLUMNS))
        sequence, number = row[0], row[1]
        process = _PROCESSES.get(row[2])
        corrected = _CORRECTED.get(row[3])
        kind = _KINDS.get(row[4], _BAD)
        residence = _RESIDENCES.get(row[5], _BAD)
        latest = _LATEST.get(row[6])
        dates = self._dates
        registered_on = dates.get(row[7], _BAD)
        updated_on = dates.get(row[8], _BAD)
        cancelled_on = dates.get(row[9], _BAD)
        expired_on = dates.get(row[10], _BAD)
        if (process is None or corrected is None or kind is _BAD or residence is _BAD
                or latest is None or registered_on is _BAD or updated_on is _BAD
                or cancelled_on is _BAD or expired_on is _BAD
                or not sequence.isdigit() or not sequence.isascii()
                or not _NUMBER.match(number) or not _check_digit_ok(number)
                or (process is not Process.DELETION and (registered_on is None or not row[18]))
                or len(row[11]) > 600 or len(row[14]) > 600 or len(row[17]) > 500
                or len(row[18]) > 300 or len(row[19]) > 300 or len(row[22]) > 200
                or len(row[23]) > 200
                or (row[12] and not _CODE2.match(row[12]))
                or (row[13] and not _CODE3.match(row[13]))
                or (row[15] and not _CODE2.match(row[15]))
                or (row[16] and not _CODE3.match(row[16]))
                or (row[20] and not _CODE2.match(row[20]))
                or (row[21] and not _CODE3.match(row[21]))):
            return self._refuse(row, line)
        return RegistryRecord(
            line, int(sequence), number, process, corrected, kind,  # type: ignore[arg-type]
            residence, latest, registered_on, updated_on, cancelled_on,  # type: ignore[arg-type]
            expired_on, *row[11:])  # type: ignore[arg-type]

    def _refuse(self, row: list[str], line: int) -> RegistryRecord:
        """The slow path: the row's first fault, raised, in column order — or, when the only
        news is a date seen for the first time, the row again with the date now known."""
        sequence, number = row[0], row[1]
        if not sequence.isascii() or not sequence.isdigit():
            if line == 1 and not number.startswith("T"):
                raise _error(line, 0, sequence, "header")
            raise _error(line, 0, sequence, "not_number")
        if not _NUMBER.match(number):
            raise _error(line, 1, number, "number_form")
        if not _check_digit_ok(number):
            raise _error(line, 1, number, "check_digit")
        for column, codes in ((2, _PROCESSES), (3, _CORRECTED), (4, _KINDS), (5, _RESIDENCES),
                              (6, _LATEST)):
            if row[column] not in codes:
                allowed = " / ".join(repr(code) for code in codes if code)
                raise _error(line, column, row[column], "code", allowed=allowed)
        new_dates = False
        for column in (7, 8, 9, 10):
            if row[column] not in self._dates:
                self._date(row[column], line, column)
                new_dates = True
        if new_dates:
            return self(row, line)
        for column in (7, 18):
            if not row[column]:
                raise _error(line, column, "", "required")
        for column, limit in _TEXT_LIMITS.items():
            if len(row[column]) > limit:
                raise _error(line, column, row[column][:20] + "…", "too_long", limit=limit)
        for column, width in _CODE_COLUMNS:
            if row[column] and not (_CODE2 if width == 2 else _CODE3).match(row[column]):
                raise _error(line, column, row[column], "code_width", width=width)
        raise AssertionError(f"line {line} was refused for no reason")  # pragma: no cover


def _error(line: int, column: int, value: str, code: str, **params: object) -> RegistryFileError:
    return RegistryFileError(line, code, column=f"{column + 1} {COLUMNS[column]}", value=value,
                             **params)


# --- what the registry says on a date -----------------------------------------------------

class Validity(Enum):
    """Whether a registrant's registration is in force on a date."""

    VALID = "valid"                              # registered and in force
    NOT_YET_REGISTERED = "not_yet"               # the date is before 登録年月日
    CANCELLED = "cancelled"                      # on or after 取消年月日
    EXPIRED = "expired"                          # on or after 失効年月日


def validity_on(on: date, *, registered_on: date | None, cancelled_on: date | None,
                expired_on: date | None) -> Validity:
    """The registration's state on ``on``. A registration is in force from 登録年月日 and no
    longer from the day its 取消年月日 or 失効年月日 names (the earlier wins)."""
    if registered_on is None or on < registered_on:
        return Validity.NOT_YET_REGISTERED
    ends = [(cancelled_on, Validity.CANCELLED), (expired_on, Validity.EXPIRED)]
    ended = sorted((day, state) for day, state in ends if day is not None and on >= day)
    return ended[0][1] if ended else Validity.VALID


# --- searching by name ----------------------------------------------------------------------

# Legal forms dropped from the start or end of a name, so "トヨタ" finds "トヨタ自動車株式会社"
# and "株式会社トヨタ…" alike. NFKC has already turned ㈱ into (株).
_LEGAL_FORMS = (
    "特定非営利活動法人", "社会保険労務士法人", "一般社団法人", "一般財団法人", "公益社団法人",
    "公益財団法人", "医療法人社団", "医療法人財団", "社会福祉法人", "司法書士法人", "行政書士法人",
    "株式会社", "有限会社", "合同会社", "合名会社", "合資会社", "医療法人", "学校法人", "宗教法人",
    "税理士法人", "弁護士法人", "監査法人", "(株)", "(有)", "(同)", "(名)", "(資)",
)
_SPACES = re.compile(r"[\s\u3000・･.,、。]+")
_FORMS = "|".join(re.escape(form) for form in sorted(_LEGAL_FORMS, key=len, reverse=True))
_LEADING = re.compile(f"^(?:{_FORMS})+")
_TRAILING = re.compile(f"(?:{_FORMS})+$")


def name_key(name: str) -> str:
    """The form of a name that name search compares by prefix: NFKC (full-width letters and
    digits to half-width, half-width kana to full-width), upper case, no spaces or separators,
    no legal form (株式会社, 合同会社, 一般社団法人 …) at the start or end — unless the name is
    nothing else. (Two regular expressions: the import computes this for every line.)"""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", name)).upper()
    return _TRAILING.sub("", _LEADING.sub("", key, count=1), count=1) or key
