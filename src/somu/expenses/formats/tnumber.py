"""The 適格請求書発行事業者 登録番号: "T" and 13 digits, the last twelve a 基礎番号 and the first
their check digit (検査用数字).

For a company the 13 digits are its 法人番号; for anyone else (個人事業者, 人格のない社団) the NTA
assigns 13 digits that never collide with a 法人番号. The check digit is the 法人番号's, defined in
法人番号の指定等に関する省令 (平成26年財務省令第70号) 第2条: 9 − (Σ Pn × Qn mod 9), where Pn is the
n-th digit of the 基礎番号 counted from its lowest (rightmost) digit and Qn is 1 for odd n and 2
for even n; it is always 1–9. The NTA's own 法人番号 7000012050002 (国税庁) is an example.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

__all__ = ["InvalidReason", "InvalidTNumber", "check_digit", "is_valid", "normalize", "problem",
           "validate"]

_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―ー−－_.・]")
_FORMAT = re.compile(r"T?(\d{13})")


class InvalidReason(StrEnum):
    """Why a text is not a 登録番号: its shape, or its check digit."""

    FORMAT = "format"
    CHECK_DIGIT = "check_digit"


class InvalidTNumber(ValueError):
    """A text that is not a valid 登録番号, with the reason (``FORMAT`` or ``CHECK_DIGIT``)."""

    def __init__(self, text: str, reason: InvalidReason) -> None:
        self.text = text
        self.reason = reason
        if reason is InvalidReason.FORMAT:
            message = f"{text!r} is not T followed by 13 digits"
        else:
            message = f"{text!r}: the check digit does not match the other 12 digits"
        super().__init__(message)


def check_digit(twelve_digits: str) -> int:
    """The check digit (1–9) of a 12-digit 基礎番号 (ASCII digits only)."""
    if len(twelve_digits) != 12 or not twelve_digits.isascii() or not twelve_digits.isdigit():
        raise InvalidTNumber(twelve_digits, InvalidReason.FORMAT)
    total = sum(int(digit) * (1 if n % 2 else 2)
                for n, digit in enumerate(reversed(twelve_digits), start=1))
    return 9 - total % 9


def normalize(text: str) -> str | None:
    """``T`` and the 13 digits of a text written the way people write it — full-width, with
    spaces or hyphens, ``T`` in either case or left out — or None when it does not have that
    shape. The check digit is not looked at (see :func:`validate`)."""
    folded = unicodedata.normalize("NFKC", text).strip().upper()
    folded = _SEPARATORS.sub("", folded)
    match = _FORMAT.fullmatch(folded)
    return f"T{match.group(1)}" if match else None


def problem(text: str) -> InvalidReason | None:
    """What is wrong with a 登録番号 as written, or None when it is valid."""
    number = normalize(text)
    if number is None:
        return InvalidReason.FORMAT
    digits = number[1:]
    return None if check_digit(digits[1:]) == int(digits[0]) else InvalidReason.CHECK_DIGIT


def validate(text: str) -> str:
    """The normalized number (``T`` + 13 digits); raises :class:`InvalidTNumber` otherwise."""
    reason = problem(text)
    if reason is not None:
        raise InvalidTNumber(text, reason)
    return normalize(text)  # type: ignore[return-value]  # problem() said it has the shape


def is_valid(number: str) -> bool:
    """Whether a text is a 登録番号 of the right shape whose check digit holds."""
    return problem(number) is None
