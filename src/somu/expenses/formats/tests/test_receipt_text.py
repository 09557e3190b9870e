"""Proposing a receipt's fields from its text: realistic receipts, as a PDF's text layer or OCR
gives them."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somu.expenses.formats.receipt_text import TaxSubtotal, parse_amount, propose

CONVENIENCE_STORE = """\
ファミリーストア
渋谷道玄坂店
東京都渋谷区道玄坂2-1-1
電話:03-1234-5678
登録番号 T4011001098993
2025年 1月 5日(日) 12:34
レジ0002 責No.123
領 収 書
おにぎり 鮭 ¥150軽
緑茶 500ml ¥140軽
ボールペン ¥220
小計 ¥510
(10%対象 ¥220 内消費税 ¥20)
(8%対象 ¥290 内消費税 ¥21)
合計 ¥510
お預り ¥1,000
お釣り ¥490
"""

TAXI = """\
領収書
日本交通株式会社
登録番号 T1180301018771
乗車日 令和7年3月14日
乗車時刻 22:15〜22:40
迎車料金 ¥420
運賃 ¥3,100
合計 ¥3,520
(内消費税 ¥320)
乗務員 山田
上記正に領収いたしました
"""

SHINKANSEN = """\
東海旅客鉄道株式会社
ご利用票(領収書)
お客様 サンプル 太郎 様
ご利用日 2025/02/10
区間 東京→新大阪
のぞみ 215号
運賃 ¥8,910
特急料金 ¥5,810
合計金額 ¥14,720
登録番号 T3180001031569
"""

QUALIFIED_INVOICE = """\
請求書
株式会社サンプル 御中
発行日 2025年1月31日
お支払期限 2025年2月28日
株式会社山田商事
東京都千代田区丸の内1-1-1
登録番号 T7000012050002
品名 数量 単価 金額
コピー用紙 A4 10 550 5,500
コーヒー豆(※) 2 1,080 2,160
小計 7,660
10%対象 5,500 消費税 500
8%対象 2,160 消費税 160
ご請求金額 ¥8,320
※は軽減税率対象
"""

NO_REGISTRATION_NUMBER = """\
喫茶 しずか
R7.4.1 15:02
ブレンドコーヒー 480円
チーズケーキ 520円
合計 1,000円
お預かり 1,000円
お釣り 0円
"""

WAREKI = """\
領収証
山田 太郎 様
金額 ¥ 33,000-
但し 会議室利用料として
令和6年12月25日
有限会社みどり会館
登録番号 T2120901007402
"""

FULL_WIDTH = """\
株式会社　ブックス神保町
２０２５年０１月０５日
書籍　￥２，２００
合計　￥２，２００
登録番号　Ｔ４０１１００１０９８９９３
"""

CASES = {
    "convenience store": (CONVENIENCE_STORE, date(2025, 1, 5), 510, "ファミリーストア 渋谷道玄坂店",
                          "T4011001098993"),
    "taxi": (TAXI, date(2025, 3, 14), 3520, "日本交通株式会社", "T1180301018771"),
    "shinkansen e-ticket": (SHINKANSEN, date(2025, 2, 10), 14720, "東海旅客鉄道株式会社",
                            "T3180001031569"),
    "qualified invoice": (QUALIFIED_INVOICE, date(2025, 1, 31), 8320, "株式会社山田商事",
                          "T7000012050002"),
    "no registration number": (NO_REGISTRATION_NUMBER, date(2025, 4, 1), 1000, "喫茶 しずか",
                               None),
    "wareki": (WAREKI, date(2024, 12, 25), 33000, "有限会社みどり会館", "T2120901007402"),
    "full width": (FULL_WIDTH, date(2025, 1, 5), 2200, "株式会社 ブックス神保町",
                   "T4011001098993"),
}


@pytest.mark.parametrize("name", CASES)
def test_it_proposes_the_four_fields_of_realistic_receipts(name):
    text, day, amount, payee, number = CASES[name]
    fields = propose(text.splitlines())
    assert fields.date is not None and fields.date.value == day
    assert fields.amount is not None and fields.amount.value == amount
    assert fields.payee is not None and fields.payee.value == payee
    if number is None:
        assert fields.registration_number is None
    else:
        assert fields.registration_number is not None
        assert fields.registration_number.value == number


def test_it_prefers_the_total_over_the_subtotal_the_cash_and_the_change():
    fields = propose(CONVENIENCE_STORE.splitlines())
    assert fields.amount is not None
    assert fields.amount.reason == "labelled_total"
    assert fields.amount.text == "合計 ¥510"


def test_it_reads_the_tax_rate_subtotals():
    assert propose(CONVENIENCE_STORE.splitlines()).tax_subtotals == (
        TaxSubtotal(rate=10, amount=220, tax=20, line=12),
        TaxSubtotal(rate=8, amount=290, tax=21, line=13),
    )
    invoice = propose(QUALIFIED_INVOICE.splitlines()).tax_subtotals
    assert [(s.rate, s.amount, s.tax) for s in invoice] == [(10, 5500, 500), (8, 2160, 160)]


def test_the_invoice_date_is_the_issue_date_not_the_payment_deadline():
    fields = propose(QUALIFIED_INVOICE.splitlines())
    assert fields.date is not None and fields.date.reason == "labelled_date"


def test_the_addressee_is_never_the_payee():
    for text in (QUALIFIED_INVOICE, WAREKI, SHINKANSEN):
        payee = propose(text.splitlines()).payee
        assert payee is not None and "様" not in payee.value and "御中" not in payee.value


@pytest.mark.parametrize("text, day", [
    ("令和7年1月5日", date(2025, 1, 5)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("平成31年4月30日", date(2019, 4, 30)),
    ("R7.1.5", date(2025, 1, 5)),
    ("R 7. 1. 5", date(2025, 1, 5)),
    ("2025/01/05 12:34", date(2025, 1, 5)),
    ("2025-1-5", date(2025, 1, 5)),
    ("2025.01.05", date(2025, 1, 5)),
    ("2025年1月5日(日)", date(2025, 1, 5)),
    ("25-01-05", date(2025, 1, 5)),
    ("25/1/5 9:01", date(2025, 1, 5)),
    ("２０２５年１月５日", date(2025, 1, 5)),
])
def test_it_reads_dates_in_western_and_japanese_eras(text, day):
    fields = propose([text])
    assert fields.date is not None and fields.date.value == day


@pytest.mark.parametrize("text, day", [
    ("2922年19月97日", date(2022, 10, 7)), ("2022/93/27", date(2022, 3, 27)),
])
def test_a_zero_read_as_nine_is_tolerated_when_the_date_is_otherwise_impossible(text, day):
    fields = propose([text])
    assert fields.date is not None and fields.date.value == day


@pytest.mark.parametrize("text", ["2025年2月30日", "TEL 03-1234-5678", "1999/12/31", "12:34"])
def test_it_proposes_no_impossible_dates(text):
    assert propose([text]).date is None


@pytest.mark.parametrize("text, amount", [
    ("¥1,234", 1234), ("1,234円", 1234), ("￥１，２３４", 1234), ("¥ 12, 345", 12345),
    ("\\1.234", 1234), ("合計 33,000-", 33000), ("金額 \\316,.000-", 316000), ("お会計 980", 980),
])
def test_it_reads_yen_amounts_as_printed_or_as_ocr_reads_them(text, amount):
    assert parse_amount(text) == amount


def test_ocr_confusions_in_the_registration_number_are_fixed_only_when_the_check_digit_holds():
    fixed = propose(["登録番号 T70OOO12O5OOO2"]).registration_number
    assert fixed is not None
    assert (fixed.value, fixed.reason) == ("T7000012050002", "corrected_ocr")
    assert propose(["登録番号 T65384457354S6"]).registration_number.value == "T6538445735456"
    # OCR reads the T as a 1: fourteen digits after the label
    read_as_one = propose(["登録番号 17000012050002"]).registration_number
    assert read_as_one is not None and read_as_one.value == "T7000012050002"


def test_a_number_whose_check_digit_fails_is_proposed_with_that_reason_and_low_confidence():
    number = propose(["登録番号 T7000012050003"]).registration_number
    assert number is not None
    assert number.reason == "check_digit_mismatch" and number.confidence < 0.5


def test_thirteen_bare_digits_without_a_label_are_not_a_registration_number():
    assert propose(["口座番号 1234567890123"]).registration_number is None


def test_ocr_spacing_and_yen_signs_do_not_hide_the_total():
    fields = propose(["株式会社 サンプル", "合 計 \\ 1, 980", "お 預 り \\ 2, 000"])
    assert fields.amount is not None and fields.amount.value == 1980


def test_a_receipt_with_only_rate_subtotals_proposes_their_sum():
    fields = propose(["10%対象 ¥1,100", "8%対象 ¥540"])
    assert fields.amount is not None
    assert (fields.amount.value, fields.amount.reason) == (1640, "sum_of_rate_subtotals")


def test_an_empty_text_proposes_nothing():
    fields = propose([])
    assert fields.empty and fields.tax_subtotals == ()


_RECEIPT_ALPHABET = ("0123456789０１２３¥￥\\*,.-/:%年月日令和平成RHT登録番号合計小計対象税込円店"
                     "株式会社様 \n　OSBlI|")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=_RECEIPT_ALPHABET, max_size=200) | st.text(max_size=200))
def test_any_text_gives_a_proposal_and_never_an_error(text):
    fields = propose(text.splitlines())
    lines = text.splitlines()
    for proposed in (fields.date, fields.amount, fields.payee, fields.registration_number):
        if proposed is not None:
            assert 0 < proposed.confidence <= 1 and 0 <= proposed.line < len(lines)
