"""Proposing a receipt's 取引年月日, 税込合計, 取引先 and 登録番号 from its text.

The text is what a PDF's text layer or OCR gives, one printed line per line. Each field is a
:class:`Proposed` value with a confidence (0–1), a reason code saying how it was found and the
line it came from, so the screen can show why; the person confirms or corrects every value —
nothing here is final. OCR's usual confusions are tolerated: full-width digits, spaces between
characters, ``\\`` or ``*`` for ¥, ``1.234`` for ``1,234``, ``96`` for ``%``, ``1`` or ``7`` for the
``T`` of a 登録番号, and ``O`` for ``0`` in a 登録番号 when the check digit then holds.

Reason codes (stable, for the screen to translate):

- date: ``labelled_date`` (on a line saying 日付, 発行日, 取引日, ご利用日, 乗車日 …),
  ``first_date`` (the first date on the receipt);
- amount: ``labelled_total`` (合計, ご請求金額, お支払金額 …), ``labelled_fare`` (運賃, 料金),
  ``sum_of_rate_subtotals`` (the 10% / 8% 対象 amounts added up), ``largest_amount``;
- payee: ``company_name`` (株式会社, （株）, 合同会社 …), ``next_to_registration_number``,
  ``shop_name`` (…店, ホテル, タクシー …), ``top_line``;
- registration_number: ``labelled_number`` / ``number`` (check digit holds),
  ``corrected_ocr`` (O read as 0 etc., then the check digit holds), ``check_digit_mismatch``
  (shown as printed, but its check digit does not hold: the person must look).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Generic, TypeVar

from somu.expenses.formats import tnumber

__all__ = ["Proposed", "ReceiptFields", "TaxSubtotal", "normalize_line", "parse_amount",
           "propose"]

T = TypeVar("T")

# Years a receipt can plausibly carry; anything else is a phone number or a code.
_FIRST_YEAR, _LAST_YEAR = 2000, 2099
_ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}


@dataclass(frozen=True)
class Proposed(Generic[T]):
    """One proposed value: how sure (0–1), how it was found (a reason code) and where."""

    value: T
    confidence: float
    reason: str
    line: int  # index into the lines given to :func:`propose`
    text: str  # that line, normalized


@dataclass(frozen=True)
class TaxSubtotal:
    """A printed 税率ごとの合計: ``10%対象 ¥1,100 (内消費税 ¥100)``."""

    rate: int  # percent: 10 or 8
    amount: int | None  # 対象 amount as printed (usually tax included)
    tax: int | None  # the 消費税 printed for that rate
    line: int


@dataclass(frozen=True)
class ReceiptFields:
    """What the receipt's text proposes; None where nothing plausible was found."""

    date: Proposed[date] | None = None
    amount: Proposed[int] | None = None
    payee: Proposed[str] | None = None
    registration_number: Proposed[str] | None = None
    tax_subtotals: tuple[TaxSubtotal, ...] = ()

    @property
    def empty(self) -> bool:
        return (self.date is None and self.amount is None and self.payee is None
                and self.registration_number is None)


# -- normalizing ---------------------------------------------------------------------------

_CJK = r"\u3000-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f"
_ONE_CJK = re.compile(rf"[{_CJK}]")
_SPACE_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}])\s+(?=\d)|(?<=\d)\s+(?=[{_CJK}])")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)\s*([,.])\s*(?=\d{3}(?!\d))")
_YEN_SIGNS = re.compile(r"[¥￥\\*]")


def _join_spaced_characters(text: str) -> str:
    """``領 収 書`` → ``領収書``: OCR's spaces around single Japanese characters, not the space
    a printed name has (``株式会社サンプル 渋谷店`` stays as it is)."""
    joined: list[str] = []
    previous = ""
    for token in text.split():
        if (joined and _ONE_CJK.fullmatch(joined[-1][-1]) and _ONE_CJK.match(token)
                and (len(token) == 1 or len(previous) == 1)):
            joined[-1] += token
        else:
            joined.append(token)
        previous = token
    return " ".join(joined)


def normalize_line(line: str) -> str:
    """NFKC (full-width digits and letters to ASCII), OCR's spaces between Japanese
    characters and around digits removed, ``¥`` for the yen signs OCR mistakes."""
    text = unicodedata.normalize("NFKC", line).replace("\u3000", " ").strip()
    text = _join_spaced_characters(text)
    text = _SPACE_CJK_DIGIT.sub("", text)
    text = _SPACE_IN_NUMBER.sub(r"\1", text)
    text = re.sub(r"(?<=\d)[,.]{2,}(?=\d{3})", ",", text)  # OCR's "316,.000"
    text = _YEN_SIGNS.sub("¥", text)
    return re.sub(r"\s+", " ", text)


# -- amounts -------------------------------------------------------------------------------

# ¥1,234 / ¥ 1.234 / 1,234円 / 1234 ; yen have no decimals, so "1.234" is OCR's "1,234".
_AMOUNT = re.compile(
    r"(?P<yen>¥)\s*(?P<a>\d{1,3}(?:[,.]\d{3})+|\d+)(?![\d%])"
    r"|(?P<b>\d{1,3}(?:[,.]\d{3})+|\d+)\s*(?P<en>円)"
    r"|(?<![\d.,/:%-])(?P<c>\d{1,3}(?:[,.]\d{3})+|\d+)(?![\d/:%年月日時分点個枚.])")


@dataclass(frozen=True)
class _Amount:
    value: int
    marked: bool  # written with ¥ or 円
    start: int


def _amounts(text: str) -> list[_Amount]:
    found = []
    for match in _AMOUNT.finditer(text):
        digits = match.group("a") or match.group("b") or match.group("c")
        value = int(re.sub(r"[,.]", "", digits))
        found.append(_Amount(value, bool(match.group("yen") or match.group("en")), match.start()))
    return found


def parse_amount(text: str) -> int | None:
    """The first yen amount in a text (``¥1,234``, ``1,234円``, ``１，２３４``), or None."""
    found = _amounts(normalize_line(text))
    return found[0].value if found else None


# Labels of the total, strongest first, and the words that make a line something else.
_TOTAL_LABELS = (
    (re.compile(r"税込合計|合計\(税込\)|合計金額|総合計|お買上げ?合計|お買い上げ合計|ご?請求金額"
                r"|ご?請求額|領収金額|お支払金額|お支払い金額|支払金額|お支払合計|税込金額"), 0.95),
    (re.compile(r"合計|合 計|TOTAL|Total", re.IGNORECASE), 0.9),
    (re.compile(r"金額"), 0.6),
)
_FARE_LABELS = re.compile(r"運賃|料金|乗車券|特急券|きっぷ")
_NOT_TOTAL = re.compile(
    r"小計|お?預り|お?預かり|釣|つり|消費税|税額|内税|税抜|対象|ポイント|値引|割引|点数|数量"
    r"|クーポン|残高|前回|current|change|cash", re.IGNORECASE)


def _propose_amount(lines: Sequence[str],
                    subtotals: Sequence[TaxSubtotal]) -> Proposed[int] | None:
    best: Proposed[int] | None = None
    for index, text in enumerate(lines):
        if _NOT_TOTAL.search(text):
            continue
        confidence, reason = 0.0, ""
        for pattern, weight in _TOTAL_LABELS:
            if pattern.search(text):
                confidence, reason = weight, "labelled_total"
                break
        else:
            if _FARE_LABELS.search(text):
                confidence, reason = 0.75, "labelled_fare"
        if not confidence:
            continue
        label_end = max((m.end() for p, _ in _TOTAL_LABELS for m in p.finditer(text)),
                        default=0)
        amounts = [a for a in _amounts(text) if a.start >= label_end or a.marked]
        source = index
        if not amounts and index + 1 < len(lines) and not _NOT_TOTAL.search(lines[index + 1]):
            amounts = _amounts(lines[index + 1])  # label above, amount below (PDF layouts)
            source = index + 1
        amounts = [a for a in amounts if a.value > 0]
        if not amounts:
            continue
        amount = max(amounts, key=lambda a: (a.marked, a.value))
        if not amount.marked:
            confidence -= 0.1
        candidate = Proposed(amount.value, round(confidence, 2), reason, source, lines[source])
        if best is None or (candidate.confidence, candidate.value) > (best.confidence, best.value):
            best = candidate
    if best is not None:
        return best
    rated = [s.amount for s in subtotals if s.amount is not None]
    if rated:
        first = min(s.line for s in subtotals)
        return Proposed(sum(rated), 0.6, "sum_of_rate_subtotals", first, lines[first])
    marked = [(a.value, i) for i, text in enumerate(lines) if not _NOT_TOTAL.search(text)
              for a in _amounts(text) if a.marked]
    if marked:
        value, index = max(marked)
        return Proposed(value, 0.4, "largest_amount", index, lines[index])
    return None


# -- tax-rate subtotals --------------------------------------------------------------------

# OCR reads "%" as "96" or "9%"
_RATE = re.compile(r"(?<!\d)(10|8)\s*(?:%|96|9%|パーセント)")
_TAX_WORD = re.compile(r"消費税|税額|内税|税")


def _propose_subtotals(lines: Sequence[str]) -> tuple[TaxSubtotal, ...]:
    found: dict[int, TaxSubtotal] = {}
    for index, text in enumerate(lines):
        rate_match = _RATE.search(text)
        if rate_match is None:
            continue
        rate = int(rate_match.group(1))
        rest = text[rate_match.end():]
        before = text[:rate_match.start()]
        amounts = _amounts(rest)
        if "対象" in text:
            tax_at = _TAX_WORD.search(rest)
            base = [a for a in amounts if tax_at is None or a.start < tax_at.start()]
            tax = [a for a in amounts if tax_at is not None and a.start > tax_at.start()]
            known = found.get(rate)
            found[rate] = TaxSubtotal(
                rate=rate,
                amount=base[0].value if base else (known.amount if known else None),
                tax=tax[0].value if tax else (known.tax if known else None),
                line=index)
        elif _TAX_WORD.search(before + rest) and amounts:
            # 消費税等(10%) ¥100 on a line of its own
            known = found.get(rate)
            found[rate] = TaxSubtotal(rate, known.amount if known else None, amounts[0].value,
                                      known.line if known else index)
    return tuple(s for s in sorted(found.values(), key=lambda s: -s.rate)
                 if s.amount is not None or s.tax is not None)


# -- dates ---------------------------------------------------------------------------------

_SEP = r"\s*[年./\-]\s*"
_WESTERN = re.compile(rf"(?<!\d)(2[09]\d{{2}}){_SEP}(\d{{1,2}})\s*[月./\-]\s*(\d{{1,2}})(?!\d)")
_JAPANESE_ERA = re.compile(
    rf"(令和|平成|R|H)\s*(元|\d{{1,2}}){_SEP}(\d{{1,2}})\s*[月./\-]\s*(\d{{1,2}})(?!\d)")
_SHORT_YEAR = re.compile(r"(?<![\d.,¥])(\d{2})([./\-])(\d{1,2})\2(\d{1,2})(?![\d.,])")
_DATE_LABELS = re.compile(r"日付|発行日|取引日|取引年月日|ご?利用日|乗車日|購入日|領収日|お買上日"
                          r"|売上日|精算日|発行年月日|年月日")
_NOT_DATE = re.compile(r"期限|期日|有効|支払予定|振込|生年|まで|締切|開始|登録日")


def _dates_in(text: str) -> list[date]:
    found: list[tuple[int, date]] = []
    for match in _WESTERN.finditer(text):
        found += _make_date(match.start(), int(match.group(1)), match.group(2), match.group(3))
    for match in _JAPANESE_ERA.finditer(text):
        era_year = 1 if match.group(2) == "元" else int(match.group(2))
        found += _make_date(match.start(), _ERAS[match.group(1)] + era_year, match.group(3),
                            match.group(4))
    covered = [m.span() for m in (*_WESTERN.finditer(text), *_JAPANESE_ERA.finditer(text))]
    for match in _SHORT_YEAR.finditer(text):
        if any(start <= match.start() < end for start, end in covered):
            continue
        found += _make_date(match.start(), 2000 + int(match.group(1)), match.group(3),
                            match.group(4))
    return [day for _, day in sorted(found, key=lambda item: item[0])]


def _make_date(position: int, year: int, month: str, day: str) -> list[tuple[int, date]]:
    for attempt in range(2):
        if _FIRST_YEAR <= year <= _LAST_YEAR:
            try:
                return [(position, date(year, int(month), int(day)))]
            except ValueError:
                pass
        if attempt == 0:
            # OCR reads some fonts' dotted 0 as 9 (2922年19月97日): try once with 9s as 0s
            year = year - 900 if 2900 <= year <= 2999 else year
            month, day = month.replace("9", "0"), day.replace("9", "0")
            if month in ("0", "00") or day in ("0", "00"):
                return []
    return []


def _propose_date(lines: Sequence[str]) -> Proposed[date] | None:
    first: Proposed[date] | None = None
    for index, text in enumerate(lines):
        if _NOT_DATE.search(text):
            continue
        days = _dates_in(text)
        if not days:
            continue
        if _DATE_LABELS.search(text):
            return Proposed(days[0], 0.95, "labelled_date", index, text)
        if first is None:
            first = Proposed(days[0], 0.85, "first_date", index, text)
    return first


# -- 登録番号 -------------------------------------------------------------------------------

# T (or OCR's 1 / 7 / 丁 for it) and 13 digits, with the letters OCR confuses with digits
# (O D Q → 0, I l | → 1, S → 5, B → 8, Z → 2); a reading so corrected is kept only when the
# check digit then holds. (The check digit cannot tell 0 from 9: both are 0 modulo 9.)
_NUMBER_CHARS = r"[0-9OoDQIl|SBZ]"
_TNUMBER = re.compile(rf"(?:(?P<t>[TТ丁])\s*[:.]?\s*|(?P<ocr_t>[17]))?"
                      rf"(?P<digits>{_NUMBER_CHARS}(?:[\s\-]*{_NUMBER_CHARS}){{12}})"
                      rf"(?![0-9])")
_TNUMBER_LABEL = re.compile(r"登録番号|登録No|登録NO|インボイス|適格")
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1",
                             "|": "1", "S": "5", "B": "8", "Z": "2"})


def _propose_registration_number(lines: Sequence[str]) -> Proposed[str] | None:
    best: Proposed[str] | None = None
    for index, text in enumerate(lines):
        labelled = bool(_TNUMBER_LABEL.search(text))
        for match in _TNUMBER.finditer(text):
            if not (match.group("t") or labelled):
                continue  # 13 bare digits are a phone or account number, not a 登録番号
            if match.group("ocr_t") and not labelled:
                continue
            raw = re.sub(r"[\s\-]", "", match.group("digits"))
            digits = raw.translate(_OCR_DIGITS)
            if tnumber.is_valid(digits):
                reason = "corrected_ocr" if digits != raw else (
                    "labelled_number" if labelled else "number")
                confidence = {"labelled_number": 0.98, "number": 0.9}.get(reason, 0.8)
            elif raw.isdigit():
                reason, confidence = "check_digit_mismatch", 0.2
            else:
                continue
            candidate = Proposed(f"T{digits}", confidence, reason, index, text)
            if best is None or candidate.confidence > best.confidence:
                best = candidate
    return best


# -- payee ---------------------------------------------------------------------------------

_COMPANY = re.compile(r"株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|\(同\)|㈱|㈲"
                      r"|一般社団法人|公益社団法人|一般財団法人|公益財団法人|医療法人|学校法人"
                      r"|旅客鉄道|Co\.,? ?Ltd|Inc\.?|K\.K\.", re.IGNORECASE)
_SHOP = re.compile(r"店$|店\s|支店|本店|営業所|ホテル|旅館|タクシー|交通|ハイヤー|薬局|書店|商店"
                   r"|食堂|屋$|駅|センター|クリニック|事務所|ストア|マート|カフェ|喫茶|レストラン"
                   r"|居酒屋|寿司|鮨|ラーメン|ベーカリー|珈琲|ダイニング|バー$")
# A line that is only the branch (渋谷店, 丸の内支店) under the shop's name
_BRANCH = re.compile(rf"[{_CJK}A-Za-z0-9]{{1,8}}(?:店|支店|営業所|出張所)")
_NOT_PAYEE = re.compile(
    r"様|御中|殿|宛|登録番号|TEL|Tel|電話|FAX|〒|http|www|@|領収|レシート|請求書|納品書"
    r"|明細|合計|小計|金額|税|対象|但し|上記|正に|ありがとう|毎度|お買上|点数|担当|レジ|No\."
    r"|伝票|日付|発行日|乗車|区間|お客様|会員|カード|クレジット|電子マネー|現金|お預|釣|運賃|料金")
_ADDRESS = re.compile(r"(都|道|府|県).{0,6}(市|区|町|村|郡)|丁目|番地|\d+-\d+-\d+")
_PREFIX = re.compile(r"^(発行元|発行者|販売元|取引先|事業者名?|社名|店名|会社名|乗務員)\s*[:]?\s*")


def _clean_payee(text: str) -> str:
    text = _PREFIX.sub("", text)
    text = re.split(r"\s+(?:TEL|Tel|電話|〒|登録番号|T\d{13})", text)[0]
    return text.strip(" :・-()[]「」『』")


def _plausible_name(text: str) -> str | None:
    name = _clean_payee(text)
    if (len(name) < 2 or _NOT_PAYEE.search(text) or _ADDRESS.search(text) or _dates_in(text)
            or not re.search(f"[{_CJK}A-Za-z]", name) or any(a.marked for a in _amounts(text))):
        return None
    return name


def _propose_payee(lines: Sequence[str], number_line: int | None) -> Proposed[str] | None:
    best: Proposed[str] | None = None
    names = [_plausible_name(text) for text in lines]
    for index, name in enumerate(names):
        if name is None:
            continue
        is_branch = _BRANCH.fullmatch(name) is not None
        if is_branch and index > 0 and names[index - 1] is not None:
            continue  # taken with the shop's name on the line above
        last = index
        if not is_branch and index + 1 < len(lines) and names[index + 1] is not None and (
                _BRANCH.fullmatch(names[index + 1] or "")):
            name = f"{name} {names[index + 1]}"  # the shop and its branch: レストラン白川 梅田店
            last = index + 1
        near_number = number_line is not None and (
            0 < number_line - last <= 2 or 0 < index - number_line <= 2)
        if _COMPANY.search(name):
            confidence, reason = (0.95 if near_number else 0.85), "company_name"
        elif near_number:
            confidence, reason = 0.75, "next_to_registration_number"
        elif _SHOP.search(name):
            confidence, reason = 0.7, "shop_name"
        elif index <= 3:
            confidence, reason = 0.35, "top_line"
        else:
            continue
        position_bonus = max(0.0, 0.1 - 0.01 * index)
        candidate = Proposed(name, round(min(confidence + position_bonus, 0.99), 2), reason,
                             index, lines[index])
        if best is None or candidate.confidence > best.confidence:
            best = candidate
    return best


# -- the whole ------------------------------------------------------------------------------

def propose(lines: Iterable[str]) -> ReceiptFields:
    """Propose the fields of a receipt from its lines of text (in reading order)."""
    # Blank lines (OCR puts one between printed lines) are left out, so "the next line" is the
    # next printed one; `at` maps back to the caller's line numbers.
    at: list[int] = []
    normalized: list[str] = []
    for index, line in enumerate(lines):
        text = normalize_line(line)
        if text:
            at.append(index)
            normalized.append(text)
    subtotals = _propose_subtotals(normalized)
    number = _propose_registration_number(normalized)
    return ReceiptFields(
        date=_at(_propose_date(normalized), at),
        amount=_at(_propose_amount(normalized, subtotals), at),
        payee=_at(_propose_payee(normalized, number.line if number else None), at),
        registration_number=_at(number, at),
        tax_subtotals=tuple(replace(s, line=at[s.line]) for s in subtotals),
    )


def _at(proposed: Proposed[T] | None, at: Sequence[int]) -> Proposed[T] | None:
    return None if proposed is None else replace(proposed, line=at[proposed.line])
