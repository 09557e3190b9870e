"""適格請求書発行事業者の登録番号: "T" and 13 digits whose first digit checks the other twelve.

The check digit is the 法人番号's (法人番号の指定等に関する省令 第2条):
9 − (Σ Pn × Qn mod 9), Pn the n-th of the twelve digits counted from the right, Qn 1 for
odd n and 2 for even n.
"""

from __future__ import annotations

import re
import unicodedata

_FORM = re.compile(r"T\d{13}")


def check_digit(twelve: str) -> int:
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(twelve), start=1))
    return 9 - total % 9


def normalize(text: str) -> str | None:
    """``Ｔ1234-5678-90123`` → ``T1234567890123``; None when it is not of that form."""
    compact = re.sub(r"[\s\-‐－ー]", "", unicodedata.normalize("NFKC", text)).upper()
    return compact if _FORM.fullmatch(compact) else None


def is_valid(number: str) -> bool:
    """T + 13 digits whose check digit holds."""
    return bool(_FORM.fullmatch(number)) and int(number[1]) == check_digit(number[2:])
