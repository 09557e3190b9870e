"""Journal CSV for 弥生会計, マネーフォワード クラウド会計 and freee会計 — one entry point.

The model (:class:`Voucher`, :class:`Line`, :func:`check_balanced`) is in
:mod:`.journal_model`; each vendor's layout, with the URL of its published specification, in
:mod:`.journal_yayoi`, :mod:`.journal_moneyforward` and :mod:`.journal_freee`; the default
names of accounts and 税区分 in :mod:`.journal_defaults`. Writers check every voucher first
(balanced, positive amounts, encodable text) and raise one :class:`JournalError` listing all
problems, so a bad export writes nothing; the same vouchers give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from .journal_defaults import VENDORS
from .journal_freee import parse_freee, write_freee
from .journal_model import (
    CREDIT,
    DEBIT,
    JournalError,
    JournalParseError,
    JournalProblem,
    Line,
    Voucher,
    check_balanced,
    check_vouchers,
)
from .journal_moneyforward import parse_moneyforward, write_moneyforward
from .journal_yayoi import parse_yayoi, write_yayoi

__all__ = [
    "CREDIT", "DEBIT", "FILE_NAMES", "VENDORS", "JournalError", "JournalParseError",
    "JournalProblem", "Line", "Voucher", "check_balanced", "check_vouchers", "parse", "write",
]

# The file name each export is offered under (the period is prefixed by the caller).
FILE_NAMES: Final = {"yayoi": "yayoi.csv", "moneyforward": "moneyforward.csv",
                     "freee": "freee-deals.csv"}

_WRITERS: Final[dict[str, Callable[[Iterable[Voucher]], bytes]]] = {
    "yayoi": write_yayoi, "moneyforward": write_moneyforward, "freee": write_freee}
_PARSERS: Final[dict[str, Callable[[bytes], tuple[Voucher, ...]]]] = {
    "yayoi": parse_yayoi, "moneyforward": parse_moneyforward, "freee": parse_freee}


def write(vendor: str, vouchers: Iterable[Voucher]) -> bytes:
    """The import file of ``vendor`` (one of :data:`VENDORS`) with the vendor's defaults."""
    return _WRITERS[vendor](vouchers)


def parse(vendor: str, data: bytes) -> tuple[Voucher, ...]:
    """Vouchers read back from ``vendor``'s import file."""
    return _PARSERS[vendor](data)
