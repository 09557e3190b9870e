"""Folding a name to the characters a 全銀協 transfer file allows (全銀協規定文字).

The 全銀協 fixed-length formats carry names (依頼人名, 受取人名, bank and branch names) in
half-width JIS X 0201 characters only: ``ｱ``–``ﾝ``, ``ﾞ`` ``ﾟ``, ``A``–``Z``, ``0``–``9``, space
and the symbols ``( ) . - / \\ , ｢ ｣`` (``\\`` is byte 0x5C, printed ``¥`` in Shift_JIS).
Small kana (``ｧ``–``ｯ``), ``ｦ``, the long-vowel mark ``ｰ`` and ``･`` are *not* in the set:
banks register キャッシュ as ``ｷﾔﾂｼﾕ`` and エージェンシー as ``ｴ-ｼﾞｴﾝｼ-``.

Sources (see docs/user/expenses-formats.md):
  - 全銀協制定ファイルフォーマット【総合振込】("C" = 半角カタカナ・英大文字・数字):
    https://expydoc.com/doc/11700435/
  - 全銀協使用可能文字 (PCA's table; カナ without ヲ and small kana):
    https://pca.jp/area_support/manual/kk/Z1sanko/z1_zengin.html
  - Account names (小文字は大文字に、長音記号は使えない):
    https://jinjer-kyuyo.zendesk.com/hc/ja/articles/900002885563

Folding, character by character (after NFKC, so full-width ASCII and half-width kana are
handled alike): hiragana → katakana; small kana → large; ヰ ヱ ヲ → ｲ ｴ ｵ; voiced kana split
into base + ``ﾞ``/``ﾟ`` (ガ → ｶﾞ, ヴ → ｳﾞ); ー and dashes → ``-``; ・ → ``.``; 「」 → ｢｣;
¥ → ``\\``; ideographic space → space; a–z → A–Z. Anything else (kanji, ①…, emoji, tabs)
cannot be folded and is named in :class:`ZenginTextError` — the caller names the claim and
the field. Some banks accept fewer symbols in 受取人名; :data:`ZENGIN_CHARACTERS` is the full set.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Final

HALFWIDTH_KANA: Final = "".join(chr(c) for c in range(0xFF71, 0xFF9E))  # ｱ … ﾝ
ZENGIN_CHARACTERS: Final = frozenset(
    HALFWIDTH_KANA + "ﾞﾟ" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "0123456789" + " ().-/\\,｢｣")

# Full-width katakana → half-width, from the JIS X 0201 half-width block itself.
_TO_HALF: Final = {unicodedata.normalize("NFKC", chr(c)): chr(c) for c in range(0xFF71, 0xFF9E)}
_LARGE: Final = dict(zip(
    "ァィゥェォッャュョヮヵヶヰヱヲ", "アイウエオツヤユヨワカケイエオ", strict=True))
_SYMBOLS: Final = {
    "ー": "-", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
    "・": ".", "「": "｢", "」": "｣", "¥": "\\", "\u3099": "ﾞ", "\u309a": "ﾟ",
    "゛": "ﾞ", "゜": "ﾟ",
}


class ZenginTextError(ValueError):
    """A text holds characters that cannot be written in 全銀 characters.

    ``characters`` are the offending characters of the original text, each once, in order.
    """

    def __init__(self, text: str, characters: tuple[str, ...]) -> None:
        self.text = text
        self.characters = characters
        shown = " ".join(f"{c!r} (U+{ord(c):04X})" for c in characters)
        super().__init__(f"cannot be written in 全銀 characters: {shown}")


def _fold_one(ch: str) -> str | None:
    if ch in ZENGIN_CHARACTERS:
        return ch
    if "a" <= ch <= "z":
        return ch.upper()
    if ch in _SYMBOLS:
        return _SYMBOLS[ch]
    if "\u3041" <= ch <= "\u3096":  # hiragana → katakana
        ch = chr(ord(ch) + 0x60)
    ch = _LARGE.get(ch, ch)
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    base = _LARGE.get(base, base)
    if base not in _TO_HALF:
        return None
    out = _TO_HALF[base]
    for mark in marks:
        if mark not in _SYMBOLS:
            return None
        out += _SYMBOLS[mark]
    return out


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str | None:
    if ch == "\u3000":
        return " "
    if ch in _SYMBOLS:  # before NFKC, which turns ゛ into a space and a combining mark
        return _SYMBOLS[ch]
    parts = []
    for piece in unicodedata.normalize("NFKC", ch):
        folded = _fold_one(piece)
        if folded is None:
            return None
        parts.append(folded)
    return "".join(parts)


def fold_zengin(text: str) -> str:
    """``text`` in 全銀 characters (see the module docstring), or :class:`ZenginTextError`."""
    out: list[str] = []
    bad: dict[str, None] = {}
    for ch in text:
        folded = _fold_char(ch)
        if folded is None:
            bad[ch] = None
        else:
            out.append(folded)
    if bad:
        raise ZenginTextError(text, tuple(bad))
    return "".join(out)


def is_zengin_text(text: str) -> bool:
    """Whether ``text`` is already in 全銀 characters (nothing to fold)."""
    return all(ch in ZENGIN_CHARACTERS for ch in text)
