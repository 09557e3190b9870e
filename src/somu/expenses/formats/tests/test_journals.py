"""Journal CSV for 弥生, MF and freee: layouts, read back, balanced, refused when not."""

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somu.expenses.formats import journals
from somu.expenses.formats.journal_defaults import DEFAULT_TAX_CATEGORIES
from somu.expenses.formats.journal_freee import parse_freee, write_freee
from somu.expenses.formats.journal_moneyforward import COLUMNS as MF_COLUMNS
from somu.expenses.formats.journal_yayoi import COLUMNS as YAYOI_COLUMNS
from somu.expenses.formats.journals import (
    JournalError,
    JournalParseError,
    Line,
    Voucher,
    check_balanced,
    parse,
    write,
)

DAY = dt.date(2026, 11, 30)


def debit(account, amount, **kw):
    return Line(side="debit", account=account, amount=amount, **kw)


def credit(account, amount, **kw):
    return Line(side="credit", account=account, amount=amount, **kw)


def claim(vendor, number=1, memo="経費精算 EX-0001"):
    """A two-line claim: a taxi (qualified invoice) and a meal from a 免税事業者 (80 %)."""
    tax = DEFAULT_TAX_CATEGORIES[vendor]
    taxi, meal = tax["taxable_10"], tax["taxable_10_no_invoice_80"]
    none = tax["out_of_scope"]
    return Voucher(number=number, date=DAY, memo=memo if vendor != "freee" else "", lines=(
        debit("旅費交通費", 3_300, tax_category=taxi.category, invoice=taxi.invoice,
              tax_amount=300, department="営業部", memo="タクシー 東京駅→本社"),
        debit("会議費", 1_650, tax_category=meal.category, invoice=meal.invoice,
              sub_account="打合せ", memo="打合せ 喫茶店"),
        credit("未払金", 4_950, tax_category=none.category if vendor != "freee" else "",
               partner="山田 太郎", memo="" if vendor == "freee" else "経費精算 山田 太郎"),
    ))


def simple(vendor, number=2):
    """A one-line 仕訳 (仮払 paid out from the bank)."""
    none = DEFAULT_TAX_CATEGORIES[vendor]["out_of_scope"].category
    keep = vendor != "freee"
    return Voucher(number=number, date=DAY, lines=(
        debit("仮払金", 50_000, tax_category=none, memo="仮払 出張" if keep else ""),
        credit("普通預金", 50_000, tax_category=none if keep else "",
               memo="仮払 出張" if keep else ""),
    ))


def for_yayoi(vouchers):
    """弥生 has no 取引先 nor インボイス column."""
    return tuple(replace(v, lines=tuple(replace(line, partner="", invoice="") for line in v.lines))
                 for v in vouchers)


@pytest.mark.parametrize("vendor", journals.VENDORS)
def test_each_format_reads_back_to_the_same_balanced_vouchers(vendor):
    vouchers = (claim(vendor), simple(vendor))
    read = parse(vendor, write(vendor, vouchers))
    expected = for_yayoi(vouchers) if vendor == "yayoi" else vouchers
    assert read == expected
    check_balanced(read)


@pytest.mark.parametrize("vendor", journals.VENDORS)
def test_the_same_vouchers_give_identical_bytes(vendor):
    vouchers = [claim(vendor, n) for n in range(1, 30)]
    assert write(vendor, vouchers) == write(vendor, tuple(vouchers))


def test_yayoi_is_shift_jis_without_header_with_25_columns_and_its_flags():
    data = write("yayoi", [claim("yayoi"), simple("yayoi")])
    text = data.decode("cp932")
    rows = [row.split(",") for row in text.split("\r\n") if row]
    assert all(len(row) == len(YAYOI_COLUMNS) == 25 for row in rows)
    # The claim has 2 debits and 1 credit whose 摘要 all differ: three rows, 2110/2100/2101.
    assert [row[0] for row in rows] == ["2110", "2100", "2101", "2000"]
    first = rows[0]
    assert first[1:4] == ["1", "", "2026/11/30"]
    assert first[4:10] == ["旅費交通費", "", "営業部", "課対仕入内10%適格", "3300", "300"]
    assert first[10:16] == ["", "", "", "", "0", ""]  # the unused side
    assert first[16] == "タクシー 東京駅→本社" and first[21] == "経費精算 EX-0001"
    assert rows[1][7] == "課対仕入内10%区分80%"
    assert rows[3][4] == "仮払金" and rows[3][10] == "普通預金" and rows[3][16] == "仮払 出張"
    assert rows[3][19:] == ["0", "", "", "0", "0", "no"]


def test_yayoi_pairs_a_debit_and_a_credit_with_the_same_memo_on_one_row():
    voucher = Voucher(number=7, date=DAY, lines=(
        debit("消耗品費", 1_100, memo="文具"), debit("通信費", 2_200, memo="切手"),
        credit("未払金", 1_100, memo="文具"), credit("現金", 2_200, memo="切手")))
    rows = [r.split(",") for r in write("yayoi", [voucher]).decode("cp932").split("\r\n") if r]
    assert [(r[0], r[4], r[10]) for r in rows] == [
        ("2110", "消耗品費", "未払金"), ("2101", "通信費", "現金")]
    assert parse("yayoi", write("yayoi", [voucher])) == (voucher,)


def test_moneyforward_has_the_27_column_header_with_the_invoice_columns():
    data = write("moneyforward", [claim("moneyforward")])
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    header = lines[0].split(",")
    assert header == list(MF_COLUMNS) and len(header) == 27
    assert header[7] == "借方インボイス" and header[15] == "貸方インボイス"
    first = lines[1].split(",")
    assert first[:2] == ["1", "2026/11/30"]
    assert first[6:10] == ["課税仕入 10%", "適格", "3300", "300"]
    second = lines[2].split(",")
    assert second[6:8] == ["課税仕入 10%", "80%控除"]
    assert lines[3].split(",")[13] == "山田 太郎"  # 貸方取引先
    assert all(cell == "" for cell in first[20:])  # tags, type, 作成/更新 left to MF


def test_moneyforward_can_be_written_in_shift_jis():
    data = journals.write_moneyforward([claim("moneyforward")], encoding="cp932")
    assert data.decode("cp932").startswith("取引No,取引日")
    assert parse("moneyforward", data) == (claim("moneyforward"),)


def test_freee_writes_a_claim_as_an_unsettled_expense_deal():
    data = write("freee", [claim("freee"), simple("freee")])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = [r.split(",") for r in data[3:].decode("utf-8").split("\r\n") if r]
    assert len(rows[0]) == 21 and rows[0][14] == "メモタグ（複数指定可、カンマ区切り）"
    first, second, paid = rows[1], rows[2], rows[3]
    assert first[:6] == ["支出", "1", "2026/11/30", "", "", "山田 太郎"]
    assert first[6:11] == ["旅費交通費", "課対仕入 10%", "3300", "内税", "300"]
    assert first[18:] == ["", "", ""]  # 未払金: freee books it, no settlement
    assert second[:6] == [""] * 6 and second[7] == "課対仕入(控80) 10%" and second[12] == "打合せ"
    assert paid[0] == "支出" and paid[18:] == ["2026/11/30", "普通預金", "50000"]


def test_freee_writes_a_returned_advance_as_income():
    returned = Voucher(number=3, date=DAY, lines=(
        debit("現金", 2_000), credit("仮払金", 2_000, tax_category="対象外", memo="仮払 精算")))
    rows = [r.split(",") for r in write("freee", [returned])[3:].decode().split("\r\n") if r]
    assert rows[1][0] == "収入" and rows[1][6] == "仮払金" and rows[1][19] == "現金"
    assert parse_freee(write_freee([returned])) == (returned,)


def test_freee_refuses_a_voucher_it_cannot_express_as_a_deal():
    compound = Voucher(number=9, date=DAY, lines=(
        debit("旅費交通費", 1_000), debit("会議費", 1_000),
        credit("未払金", 1_500), credit("仮払金", 500)))
    with pytest.raises(JournalError) as caught:
        write("freee", [compound])
    assert [(p.voucher, p.reason) for p in caught.value.problems] == [(9, "shape")]


@pytest.mark.parametrize("vendor", journals.VENDORS)
def test_an_unbalanced_voucher_is_refused_and_nothing_is_written(vendor):
    bad = Voucher(number=5, date=DAY, lines=(debit("旅費交通費", 1_000), credit("未払金", 900)))
    with pytest.raises(JournalError) as caught:
        write(vendor, [claim(vendor), bad])
    (problem,) = caught.value.problems
    assert (problem.voucher, problem.reason) == (5, "unbalanced")
    assert "1,000" in problem.detail and "900" in problem.detail


def test_check_balanced_names_every_unbalanced_or_one_sided_voucher():
    one_sided = Voucher(number=2, date=DAY, lines=(debit("旅費交通費", 1_000),))
    unbalanced = Voucher(number=3, date=DAY, lines=(debit("雑費", 10), credit("現金", 9)))
    with pytest.raises(JournalError) as caught:
        check_balanced([claim("yayoi"), one_sided, unbalanced])
    assert [(p.voucher, p.reason) for p in caught.value.problems] == [
        (2, "one_sided"), (3, "unbalanced")]


def test_bad_amounts_empty_accounts_and_duplicate_numbers_are_all_reported():
    vouchers = [
        Voucher(number=1, date=DAY, lines=(debit("", 100), credit("現金", 100))),
        Voucher(number=1, date=DAY, lines=(debit("雑費", -5), credit("現金", -5))),
    ]
    with pytest.raises(JournalError) as caught:
        write("moneyforward", vouchers)
    found = {(p.voucher, p.line, p.field, p.reason) for p in caught.value.problems}
    assert found == {(1, 1, "account", "empty"), (1, 0, "number", "duplicate"),
                     (1, 1, "amount", "amount"), (1, 2, "amount", "amount")}


def test_yayoi_refuses_amounts_over_nine_digits():
    big = Voucher(number=1, date=DAY, lines=(debit("雑費", 10**9), credit("現金", 10**9)))
    with pytest.raises(JournalError):
        write("yayoi", [big])
    assert parse("moneyforward", write("moneyforward", [big])) == (big,)


def test_text_shift_jis_cannot_hold_is_named_with_the_voucher_and_column():
    voucher = replace(simple("yayoi", number=4),
                      lines=(debit("仮払金", 10, memo="𠮷野家"), credit("現金", 10, memo="𠮷野家")))
    with pytest.raises(JournalError) as caught:
        write("yayoi", [voucher])
    (problem,) = caught.value.problems
    assert (problem.voucher, problem.field, problem.characters) == (4, "摘要", ("𠮷",))
    assert parse("freee", write("freee", [replace(voucher, lines=(
        voucher.lines[0], replace(voucher.lines[1], memo="")))]))[0].lines[0].memo == "𠮷野家"


def test_a_file_of_another_layout_is_refused_by_the_parser():
    with pytest.raises(JournalParseError):
        parse("moneyforward", write("freee", [claim("freee")]))
    with pytest.raises(JournalParseError):
        parse("yayoi", write("moneyforward", [claim("moneyforward")]))


def test_a_comma_in_a_memo_is_quoted_and_reads_back():
    voucher = Voucher(number=1, date=DAY, lines=(
        debit("雑費", 500, memo='駐車場, "A"'), credit("現金", 500, memo='駐車場, "A"')))
    for vendor in journals.VENDORS:
        read = parse(vendor, write(vendor, [voucher]))
        assert read[0].lines[0].memo == '駐車場, "A"'


amounts = st.lists(st.integers(1, 99_999_999), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(amounts, st.integers(1, 4)), min_size=1, max_size=8))
def test_any_balanced_vouchers_read_back_equal_and_balanced(specs):
    vouchers = []
    for n, (debit_amounts, credits) in enumerate(specs, 1):
        total = sum(debit_amounts)
        split = [total // credits] * (credits - 1)
        credit_amounts = [*split, total - sum(split)]
        credit_amounts = [a for a in credit_amounts if a > 0] or [total]
        vouchers.append(Voucher(number=n, date=DAY, lines=(
            *(debit("旅費交通費", a, memo=f"行{i}") for i, a in enumerate(debit_amounts)),
            *(credit("未払金", a) for a in credit_amounts))))
    for vendor in ("yayoi", "moneyforward"):
        read = parse(vendor, write(vendor, vouchers))
        assert read == tuple(vouchers)
        check_balanced(read)
