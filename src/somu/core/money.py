"""Money as somu shows it: whole yen, ``¥1,234,567``, on every page and in every workbook.

One formatter for pages (the ``yen`` template filter of ``somu`` and of the analysis pages both
call :func:`format_yen`) and one Excel number format (:data:`YEN_EXCEL_FORMAT`) for the report
writers, so the same amount reads the same everywhere. No Django imports: the grouping is fixed
(a comma every three digits), as Japanese business documents write yen whatever the UI language.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

YEN_EXCEL_FORMAT: Final = '"¥"#,##0'
MINUS: Final = "−"  # U+2212, as the analysis pages write negative figures
EMPTY: Final = "—"


def _whole_yen(value: object) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not amount.is_finite():
        return None
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_yen(value: object) -> str:
    """``1234567`` → ``¥1,234,567``; ``-500`` → ``−¥500``; rounded to whole yen (half up);
    nothing or not a number → ``—``."""
    amount = _whole_yen(value)
    if amount is None:
        return EMPTY
    sign = MINUS if amount < 0 else ""
    return f"{sign}¥{abs(amount):,}"


def format_yen_change(value: object) -> str:
    """A change of an amount, with its sign: ``+¥1,200``, ``−¥300``, ``±¥0``."""
    amount = _whole_yen(value)
    if amount is None:
        return EMPTY
    if amount == 0:
        return "±¥0"
    return f"{'+' if amount > 0 else MINUS}¥{abs(amount):,}"
