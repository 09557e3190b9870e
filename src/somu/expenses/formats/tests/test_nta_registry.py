"""Reading the NTA's 適格請求書発行事業者 download files: the layout, both encodings, and a file
not in the layout refused whole, naming the line, the column and the reason."""

from __future__ import annotations

import io
from datetime import date

import pytest

from somu.expenses.formats.nta_registry import (
    PersonKind,
    Process,
    RegistryFileError,
    Residence,
    Validity,
    detect_encoding,
    name_key,
    read_records,
    validity_on,
)

# Three lines in the published layout (24 columns, no header): a 法人 (the shape of the NTA's
# own example, 苫小牧市), an individual with a 屋号 published on request, a cancelled 法人.
CORPORATION = ('1,"T1000020012131",01,0,2,1,1,2023-10-01,2022-06-13,,,'
               '"北海道苫小牧市旭町４丁目５－６",01,213,"",,,"","苫小牧市","",,,"",""')
INDIVIDUAL = ('2,"T7120001168421",01,0,1,1,1,2024-01-15,2024-01-20,,,"","","","東京都港区",13,103,'
              '"ヤマダ タロウ","山田　太郎","",,,"やまだ商店","山田花子"')
CANCELLED = ('3,"T1000020012271",04,0,2,1,1,2023-10-01,2025-03-03,2025-03-01,,'
             '"北海道歌志内市字本町５",01,227,"",,,"","歌志内市","",,,"",""')


def _file(*lines: str, encoding: str = "utf-8", newline: str = "\r\n") -> io.BytesIO:
    return io.BytesIO(newline.join(lines).encode(encoding) + newline.encode())


def _refusal(*lines: str) -> RegistryFileError:
    with pytest.raises(RegistryFileError) as caught:
        list(read_records(_file(*lines)))
    return caught.value


def test_it_reads_each_line_of_the_layout_into_a_typed_record() -> None:
    city, person, cancelled = read_records(_file(CORPORATION, INDIVIDUAL, CANCELLED))

    assert city.line == 1 and city.sequence == 1
    assert city.number == "T1000020012131"
    assert city.process is Process.NEW and city.corrected is False and city.latest is True
    assert city.kind is PersonKind.CORPORATION and city.residence is Residence.DOMESTIC
    assert city.registered_on == date(2023, 10, 1) and city.updated_on == date(2022, 6, 13)
    assert city.cancelled_on is None and city.expired_on is None
    assert city.name == "苫小牧市" and city.address == "北海道苫小牧市旭町４丁目５－６"
    assert (city.address_prefecture, city.address_city) == ("01", "213")

    assert person.kind is PersonKind.INDIVIDUAL and person.address == ""
    assert person.requested_address == "東京都港区" and person.any_address == "東京都港区"
    assert person.name_kana == "ヤマダ タロウ" and person.trade_name == "やまだ商店"
    assert person.alias == "山田花子"

    assert cancelled.process is Process.CANCELLATION
    assert cancelled.cancelled_on == date(2025, 3, 1)


def test_it_reads_shift_jis_as_excel_writes_it() -> None:
    records = list(read_records(_file(CORPORATION, INDIVIDUAL, encoding="cp932")))

    assert [r.name for r in records] == ["苫小牧市", "山田　太郎"]


def test_it_reads_utf8_with_a_bom_and_lf_line_ends() -> None:
    data = _file(CORPORATION, INDIVIDUAL, encoding="utf-8-sig", newline="\n")

    assert [r.number for r in read_records(data)] == ["T1000020012131", "T7120001168421"]


def test_it_decides_the_encoding_on_the_first_bytes() -> None:
    assert detect_encoding("苫小牧市".encode()) == "utf-8-sig"
    assert detect_encoding("苫小牧市".encode("cp932")) == "cp932"
    # a UTF-8 character cut at the end of the sniffed bytes is still UTF-8
    assert detect_encoding("苫小牧市".encode()[:-1]) == "utf-8-sig"


def test_a_deletion_record_may_have_no_registration_date_nor_name() -> None:
    deleted = '4,"T1000020012131",99,0,,,1,,2025-04-01,,,"",,,"",,,"","","",,,"",""'

    (record,) = read_records(_file(deleted))

    assert record.process is Process.DELETION and record.registered_on is None


def test_a_quoted_field_with_a_line_break_keeps_the_line_count_right() -> None:
    broken = CORPORATION.replace('"苫小牧市"', '"苫小牧\n市"')

    error = _refusal(broken, INDIVIDUAL, "3,T99")

    assert error.line == 4  # the first record spans lines 1 and 2


def test_a_line_with_the_wrong_number_of_columns_refuses_the_file_naming_the_line() -> None:
    error = _refusal(CORPORATION, INDIVIDUAL + ',"extra"')

    assert error.line == 2
    assert "25 columns" in error.reason and "24" in error.reason


def test_a_bad_date_is_refused_with_its_line_column_and_value() -> None:
    error = _refusal(CORPORATION, INDIVIDUAL.replace("2024-01-15", "2024-02-30"))

    assert (error.line, error.value) == (2, "2024-02-30")
    assert error.column == "8 登録年月日"
    assert "YYYY-MM-DD" in error.reason
    assert str(error).startswith("line 2, column 8 登録年月日: '2024-02-30'")


def test_a_date_in_another_notation_is_refused() -> None:
    error = _refusal(CORPORATION.replace("2022-06-13", "2022/06/13"))

    assert (error.line, error.column) == (1, "9 更新年月日")


def test_a_registration_number_with_a_wrong_check_digit_is_refused() -> None:
    error = _refusal(CORPORATION, CANCELLED.replace("T1000020012271", "T2000020012271"))

    assert (error.line, error.column) == (2, "2 登録番号")
    assert error.reason == "has a wrong check digit"


def test_a_registration_number_not_in_the_t_and_13_digits_form_is_refused() -> None:
    error = _refusal(CORPORATION.replace("T1000020012131", "1000020012131"))

    assert error.column == "2 登録番号" and "T and 13 digits" in error.reason


def test_a_code_outside_its_list_is_refused_with_the_codes_allowed() -> None:
    error = _refusal(CORPORATION, INDIVIDUAL, CANCELLED.replace(",04,0,2,", ",05,0,2,"))

    assert (error.line, error.column, error.value) == (3, "3 事業者処理区分", "05")
    assert "'01'" in error.reason and "'99'" in error.reason


def test_a_sequence_number_that_is_not_a_number_is_refused() -> None:
    error = _refusal(CORPORATION, "x" + INDIVIDUAL[1:])

    assert (error.line, error.column) == (2, "1 一連番号")


def test_a_header_line_is_refused_saying_the_files_have_none() -> None:
    header = ",".join(["一連番号", "登録番号"] + ["x"] * 22)

    error = _refusal(header, CORPORATION)

    assert error.line == 1 and "no header line" in error.reason


def test_an_empty_name_is_refused_on_a_record_that_is_not_a_deletion() -> None:
    error = _refusal(CORPORATION.replace('"苫小牧市"', '""'))

    assert error.column == "19 氏名又は名称" and "empty" in error.reason


def test_a_prefecture_code_of_the_wrong_width_is_refused() -> None:
    error = _refusal(CORPORATION.replace(",01,213,", ",1,213,"))

    assert error.column.startswith("13 ") and "2-digit" in error.reason


def test_a_name_over_its_length_is_refused() -> None:
    error = _refusal(CORPORATION.replace('"苫小牧市"', '"' + "長" * 301 + '"'))

    assert error.column == "19 氏名又は名称" and "300" in error.reason


def test_bytes_that_are_neither_utf8_nor_shift_jis_are_refused_naming_the_line() -> None:
    good = (CORPORATION + "\r\n").encode() * 3000  # past the sniffed head
    data = io.BytesIO(good + b'3001,"T1000020012131",\xff\xfe\r\n')

    with pytest.raises(RegistryFileError) as caught:
        list(read_records(data))

    assert caught.value.line == 3001 and "UTF-8" in caught.value.reason


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(RegistryFileError, match="empty"):
        list(read_records(io.BytesIO(b"")))
    with pytest.raises(RegistryFileError, match="empty"):
        list(read_records(io.BytesIO(b"\r\n\r\n \r\n")))


def test_the_file_is_read_lazily_so_the_caller_can_roll_back_on_the_first_refusal() -> None:
    records = read_records(_file(CORPORATION, "broken"))

    assert next(records).number == "T1000020012131"
    with pytest.raises(RegistryFileError) as caught:
        next(records)
    assert caught.value.line == 2


@pytest.mark.parametrize(("on", "expected"), [
    (date(2023, 9, 30), Validity.NOT_YET_REGISTERED),
    (date(2023, 10, 1), Validity.VALID),
    (date(2025, 2, 28), Validity.VALID),
    (date(2025, 3, 1), Validity.CANCELLED),
])
def test_a_registration_is_in_force_from_its_date_until_the_day_it_is_cancelled(
        on: date, expected: Validity) -> None:
    assert validity_on(on, registered_on=date(2023, 10, 1), cancelled_on=date(2025, 3, 1),
                       expired_on=None) is expected


def test_the_earlier_of_cancellation_and_expiry_ends_the_registration() -> None:
    assert validity_on(date(2026, 1, 1), registered_on=date(2023, 10, 1),
                       cancelled_on=date(2025, 6, 1), expired_on=date(2024, 4, 1)) \
        is Validity.EXPIRED


def test_name_keys_ignore_width_spaces_and_legal_forms() -> None:
    assert name_key("トヨタ自動車株式会社") == "トヨタ自動車"
    assert name_key("株式会社　ｿﾆｰ") == "ソニー"
    assert name_key("㈱ＡＢＣ ｼｮｳｼﾞ") == "ABCショウジ"
    assert name_key("一般社団法人 日本 会議所") == "日本会議所"
    assert name_key("株式会社") == "株式会社"  # a name that is only a legal form stays


def test_the_parsers_fast_check_digit_agrees_with_tnumber() -> None:
    import random

    from somu.expenses.formats import nta_registry, tnumber

    rng = random.Random(12)
    for _ in range(2000):
        number = "T" + "".join(rng.choice("0123456789") for _ in range(13))
        assert nta_registry._check_digit_ok(number) is tnumber.is_valid(number)
