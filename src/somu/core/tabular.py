"""Reading the tables people keep in Excel or CSV, for every import; no Django imports.

A file is an .xlsx workbook (first sheet) or a CSV in the encodings Japanese offices really use:
UTF-8 with or without a BOM, or CP932 (Shift_JIS as Windows writes it). The first non-empty row
holds the headers; each later row comes out as ``(row_number, {column: value})`` with the row
number the user sees in Excel, so errors can point at it. A column the file lacks is absent from
the dict, an empty cell is ``None``, text is stripped, and rows with nothing in them are skipped.

Messages are English msgids marked with :func:`gettext_noop`; callers pass their translation
function (Django's ``gettext``) as ``translate``, so this module stays free of Django.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import IO, Any, Literal

Translate = Callable[[str], str]
Source = bytes | str | PathLike[str] | IO[bytes]
Row = tuple[int, dict[str, Any]]


def gettext_noop(message: str) -> str:
    """Marks a msgid for ``makemessages``; the caller's ``translate`` turns it into text."""
    return message


def _identity(message: str) -> str:
    return message


MSG_NOT_A_TABLE = gettext_noop("This is not a CSV or Excel (.xlsx) file.")
MSG_OLD_XLS = gettext_noop("Old Excel (.xls) files cannot be read; save the file as .xlsx.")
MSG_BAD_XLSX = gettext_noop("The Excel file cannot be read; it may be damaged.")
MSG_UNKNOWN_ENCODING = gettext_noop(
    "Unknown text encoding; save the CSV as UTF-8 or Shift_JIS (CP932)."
)
MSG_EMPTY = gettext_noop("The file has no header row.")
MSG_MISSING_HEADER = gettext_noop("Required column “%(column)s” is missing from the header row.")
MSG_DUPLICATE_HEADER = gettext_noop("Column “%(column)s” appears more than once in the header row.")
MSG_LINE = gettext_noop("Row %(row)s, column “%(column)s”, value “%(value)s”: %(reason)s")
MSG_LINE_NO_VALUE = gettext_noop("Row %(row)s, column “%(column)s”: %(reason)s")
MSG_LINE_ROW = gettext_noop("Row %(row)s: %(reason)s")
MSG_LINE_FILE = gettext_noop("File: %(reason)s")


@dataclass(frozen=True)
class RowError:
    """One thing wrong with the file: where (as the user sees it in Excel), what, and why.

    ``row`` is ``None`` for a problem with the file as a whole; ``column`` is empty when the
    problem is not about one column.
    """

    row: int | None
    column: str
    value: str
    reason: str


class ImportFailed(Exception):
    """The file was rejected; ``errors`` lists every problem found, in row order."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        # Stable: within a row, errors stay in the order the columns were checked.
        self.errors = sorted(errors, key=lambda e: e.row or 0)
        super().__init__(f"{len(self.errors)} error(s) in the imported file")


def error_line(error: RowError, translate: Translate = _identity) -> str:
    """``Row 3, column “等級”, value “G9”: …`` — one line per error, for the CLI and logs."""
    params = {"row": error.row, "column": error.column, "value": error.value,
              "reason": error.reason}
    if error.row is None:
        return translate(MSG_LINE_FILE) % params
    if not error.column:
        return translate(MSG_LINE_ROW) % params
    if error.value == "":
        return translate(MSG_LINE_NO_VALUE) % params
    return translate(MSG_LINE) % params


@dataclass(frozen=True)
class Column:
    """A column an import understands: its canonical header and the other names users write."""

    name: str
    required: bool = False  # the header must be present (values are checked by the caller)
    aliases: tuple[str, ...] = ()


def normalize_header(text: str) -> str:
    """Header text as compared: NFKC (full-width → half-width), no spaces, case-folded."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text).casefold()
    # Required columns are often marked in the sheet itself: 社員番号*, 社員番号(必須).
    return re.sub(r"(\*|※|\(必須\))$", "", text)


# ---- opening a file ---------------------------------------------------------------------------


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other old Office files


def _read_source(source: Source) -> tuple[bytes | None, IO[bytes] | None]:
    """``(data, handle)``: the bytes in memory, or something openpyxl can open lazily."""
    if isinstance(source, bytes):
        return source, None
    if isinstance(source, str | PathLike):
        return Path(source).read_bytes(), None
    return None, source


def detect_encoding(data: bytes) -> str | None:
    """The text encoding of CSV bytes, or ``None`` when it is none of those offices use."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp932"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    return None


@dataclass
class Table:
    """An opened file: its kind, encoding, the columns found and an iterator over the rows."""

    kind: Literal["csv", "xlsx"]
    encoding: str | None
    columns: list[str]  # canonical names of the known columns present, in file order
    extra_headers: list[str]  # headers no column matched (ignored)
    header_row: int
    _rows: Iterator[Row] = field(repr=False)
    _close: Callable[[], None] = field(repr=False, default=lambda: None)

    def __iter__(self) -> Iterator[Row]:
        return self._rows

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_table(
    source: Source,
    *,
    columns: Sequence[Column],
    translate: Translate = _identity,
) -> Table:
    """Open ``source`` (bytes, a path or a binary file) and check its header row.

    Raises :class:`ImportFailed` when the file is not a table this module can read, or when a
    required column is missing. Rows that are entirely empty are skipped.
    """
    data, handle = _read_source(source)
    if handle is not None:
        head = handle.read(8)
        handle.seek(0)
    else:
        assert data is not None
        head = data[:8]
    if head.startswith(_ZIP_MAGIC):
        return _open_xlsx(data if data is not None else handle, columns, translate)
    if head.startswith(_OLE_MAGIC):
        raise ImportFailed([RowError(None, "", "", translate(MSG_OLD_XLS))])
    if data is None:
        assert handle is not None
        data = handle.read()
    return _open_csv(data, columns, translate)


def _open_csv(data: bytes, columns: Sequence[Column], translate: Translate) -> Table:
    if b"\x00" in data[:4096] and not data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise ImportFailed([RowError(None, "", "", translate(MSG_NOT_A_TABLE))])
    encoding = detect_encoding(data)
    if encoding is None:
        raise ImportFailed([RowError(None, "", "", translate(MSG_UNKNOWN_ENCODING))])
    text = data.decode(encoding)
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" export is tab-separated; everything else uses commas.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = ((number, [cell.strip() for cell in cells])
                for number, cells in enumerate(reader, start=1))
    return _table("csv", encoding, numbered, columns, translate)


def _open_xlsx(
    source: bytes | IO[bytes] | None, columns: Sequence[Column], translate: Translate
) -> Table:
    import zipfile

    from openpyxl import load_workbook

    assert source is not None
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        # A zip that is not a workbook (a .docx, a .zip) lands here too.
        raise ImportFailed([RowError(None, "", "", translate(MSG_BAD_XLSX))]) from exc
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the file's stated dimensions, which some writers get wrong;
        # forgetting them makes openpyxl read every cell that is really there.
        sheet.reset_dimensions()
        numbered = ((number, list(cells)) for number, cells in
                    enumerate(sheet.iter_rows(values_only=True), start=1))
        table = _table("xlsx", None, numbered, columns, translate)
    except Exception:
        workbook.close()
        raise
    table._close = workbook.close
    return table


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _table(
    kind: Literal["csv", "xlsx"],
    encoding: str | None,
    numbered: Iterator[tuple[int, list[Any]]],
    columns: Sequence[Column],
    translate: Translate,
) -> Table:
    header_row, headers = next(
        ((n, cells) for n, cells in numbered if not all(_is_blank(c) for c in cells)), (0, [])
    )
    if not headers:
        raise ImportFailed([RowError(None, "", "", translate(MSG_EMPTY))])
    lookup: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            lookup[normalize_header(alias)] = column.name
    positions: dict[str, int] = {}
    extra: list[str] = []
    errors: list[RowError] = []
    for index, header in enumerate(headers):
        if _is_blank(header):
            continue
        name = lookup.get(normalize_header(str(header)))
        if name is None:
            extra.append(str(header).strip())
        elif name in positions:
            errors.append(RowError(header_row, name, str(header).strip(),
                                   translate(MSG_DUPLICATE_HEADER) % {"column": name}))
        else:
            positions[name] = index
    for column in columns:
        if column.required and column.name not in positions:
            errors.append(RowError(header_row, column.name, "",
                                   translate(MSG_MISSING_HEADER) % {"column": column.name}))
    if errors:
        raise ImportFailed(errors)

    def rows() -> Iterator[Row]:
        for number, cells in numbered:
            if all(_is_blank(c) for c in cells):
                continue
            values: dict[str, Any] = {}
            for name, index in positions.items():
                value = cells[index] if index < len(cells) else None
                if isinstance(value, str):
                    value = value.strip()
                values[name] = None if value == "" else value
            yield number, values

    ordered = sorted(positions, key=positions.__getitem__)
    return Table(kind, encoding, ordered, extra, header_row, rows())


def read_rows(source: Source, *, columns: Sequence[Column],
              translate: Translate = _identity) -> Iterator[Row]:
    """``(row_number, {column: value})`` for every non-empty row of ``source``."""
    with open_table(source, columns=columns, translate=translate) as table:
        yield from table


# ---- cell values -----------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as text: ``1001.0`` (Excel stores numbers as floats) → ``"1001"``, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_ERAS = {  # first year of each era (year 1 = 元年)
    "m": 1868, "明治": 1868, "明": 1868,
    "t": 1912, "大正": 1912, "大": 1912,
    "s": 1926, "昭和": 1926, "昭": 1926,
    "h": 1989, "平成": 1989, "平": 1989,
    "r": 2019, "令和": 2019, "令": 2019,
}
_SEP = r"\s*[-/.年]\s*"
_WESTERN = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}}){_SEP.replace('年', '月')}(\d{{1,2}})日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA = re.compile(
    rf"^(明治|大正|昭和|平成|令和|[明大昭平令mtshr])\s*(\d{{1,2}}|元){_SEP}(\d{{1,2}})"
    rf"{_SEP.replace('年', '月')}(\d{{1,2}})日?$",
    re.IGNORECASE,
)


def parse_date(value: Any) -> dt.date:
    """A date from a cell: an Excel date, ``2024-04-01``, ``2024/4/1``, ``2024年4月1日``,
    ``20240401`` or a Japanese era (``R6.4.1``, ``令和6年4月1日``). Raises ``ValueError``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = cell_text(value)
    if not isinstance(value, str):
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", value).strip()
    # Excel CSV exports may carry a time: "2024/4/1 0:00".
    text = re.sub(r"\s+0?0:00(:00)?$", "", text)
    if match := _WESTERN.match(text) or _COMPACT.match(text):
        year, month, day = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    if match := _ERA.match(text):
        era, year_text, month_text, day_text = match.groups()
        year = 1 if year_text == "元" else int(year_text)
        return dt.date(_ERAS[era.casefold()] + year - 1, int(month_text), int(day_text))
    raise ValueError(value)


def nfkc(text: str) -> str:
    """Full-width letters and digits as half-width: ``Ａ００１`` → ``A001``."""
    return unicodedata.normalize("NFKC", text).strip()
