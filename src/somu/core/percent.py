"""Shares as somu shows them: a percentage with one decimal, ``24.8%``, on every page, chart and
workbook.

One formatter for pages (the ``pct`` filter of the analysis pages and the home page's figures call
:func:`format_percent`), one Excel number format (:data:`PERCENT_EXCEL_FORMAT`) for the report
writers and the same rule in the charts' script, so the same figure never reads 24.8% on one page
and 24.77% on the next. No Django imports, like :mod:`somu.core.money`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from somu.core.money import EMPTY

PERCENT_EXCEL_FORMAT: Final = "0.0%"
_ONE_DECIMAL: Final = Decimal("0.1")


def format_percent(share: object) -> str:
    """A share (0–1, or more) as a percentage with one decimal, rounded half up:
    ``0.24774`` → ``24.8%``; ``1.5`` → ``150.0%``; nothing or not a number → ``—``."""
    if share is None or share == "" or isinstance(share, bool):
        return EMPTY
    try:
        value = Decimal(str(share)) * 100
    except (InvalidOperation, ValueError):
        return EMPTY
    if not value.is_finite():
        return EMPTY
    rounded = value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return f"{rounded:,.1f}%"
