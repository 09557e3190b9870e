"""全銀 総合振込 files: fixed 120-byte records, Shift_JIS, totals, and all-or-nothing errors."""

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somu.expenses.formats.zengin import (
    Payer,
    Transfer,
    ZenginError,
    ZenginParseError,
    parse,
    write_transfers,
)

PAYER = Payer(requester_code="1234567890", name="カ）ソウム", bank_code="0001",
              bank_name="ﾐｽﾞﾎ", branch_code="100", branch_name="ﾎﾝﾃﾝ",
              account_type="1", account_number="1234567")
DAY = dt.date(2026, 12, 25)


def transfer(ref="claim 1", **changes):
    base = Transfer(ref=ref, bank_code="0005", bank_name="ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ", branch_code="001",
                    branch_name="ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ", account_type="1", account_number="7654321",
                    name="キャッシュ タロウ", amount=12_345, customer_code1="1001")
    return replace(base, **changes)


def records(data):
    assert data.endswith(b"\r\n")
    return data[:-2].split(b"\r\n")


def test_every_record_is_120_bytes_and_ends_with_crlf():
    data = write_transfers(PAYER, DAY, [transfer(), transfer("claim 2", amount=1)])
    lines = records(data)
    assert [line[:1] for line in lines] == [b"1", b"2", b"2", b"8", b"9"]
    assert all(len(line) == 120 for line in lines)
    assert len(data) == 5 * 122


def test_the_header_carries_the_payer_and_the_date_as_mmdd():
    head = records(write_transfers(PAYER, DAY, [transfer()]))[0].decode("cp932")
    assert head[:4] == "1210"
    assert head[4:14] == "1234567890"
    assert head[14:54] == "ｶ)ｿｳﾑ".ljust(40)
    assert head[54:58] == "1225"
    assert head[58:62] == "0001" and head[62:77] == "ﾐｽﾞﾎ".ljust(15)
    assert head[77:80] == "100" and head[95] == "1" and head[96:103] == "1234567"
    assert head[103:] == " " * 17


def test_a_data_record_is_zero_padded_numbers_and_space_padded_kana():
    data = records(write_transfers(PAYER, DAY, [transfer()]))[1]
    record = data.decode("cp932")
    assert record[0] == "2" and record[1:5] == "0005" and record[20:23] == "001"
    assert record[38:42] == "0000"  # 手形交換所番号
    assert record[42] == "1" and record[43:50] == "7654321"
    assert record[50:80] == "ｷﾔﾂｼﾕ ﾀﾛｳ".ljust(30)  # small kana enlarged
    assert record[80:90] == "0000012345"
    assert record[90] == "0" and record[91:101] == "0000001001" and record[101:111] == "0" * 10
    assert record[111:] == " " * 9
    # half-width kana are single bytes in Shift_JIS: ｷ is 0xB7
    assert data[50:51] == b"\xb7"


def test_the_trailer_holds_the_count_and_the_total():
    data = write_transfers(PAYER, DAY, [transfer(amount=1_000), transfer("2", amount=2_500)])
    trailer = records(data)[3].decode("cp932")
    assert trailer[:19] == "8" + "000002" + "000000003500"
    assert records(data)[4] == b"9" + b" " * 119


def test_the_same_input_gives_identical_bytes():
    batch = [transfer(str(i), amount=100 + i) for i in range(50)]
    assert write_transfers(PAYER, DAY, batch) == write_transfers(PAYER, DAY, list(batch))


def test_a_file_reads_back_with_folded_names_and_verified_totals():
    batch = [transfer(), transfer("claim 2", name="ﾔﾏﾀﾞ ﾊﾅｺ", amount=500, account_type="2",
                                  customer_code1="", transfer_kind="7")]
    read = parse(write_transfers(PAYER, DAY, batch))
    assert read.transfer_date == "1225"
    assert read.payer == replace(PAYER, name="ｶ)ｿｳﾑ")
    assert read.total_count == 2 and read.total_amount == 12_845
    assert read.transfers[0] == replace(batch[0], ref="1", name="ｷﾔﾂｼﾕ ﾀﾛｳ")
    assert read.transfers[1] == replace(batch[1], ref="2")


def test_an_unencodable_name_produces_no_file_and_names_the_ref_and_field():
    with pytest.raises(ZenginError) as caught:
        write_transfers(PAYER, DAY, [transfer(), transfer("経費精算 #42", name="山田太郎")])
    (problem,) = caught.value.problems
    assert (problem.ref, problem.field, problem.reason) == ("経費精算 #42", "name", "characters")
    assert problem.characters == ("山", "田", "太", "郎")


def test_every_problem_is_reported_at_once():
    bad = [
        transfer("a", bank_code="123"),  # 3 digits
        transfer("b", branch_code="12a"),
        transfer("c", account_number="12345678"),
        transfer("d", amount=0),
        transfer("e", amount=10_000_000_000),  # 11 digits
        transfer("f", account_type="3"),
        transfer("g", name=" "),
        transfer("h", customer_code1="12345678901"),
    ]
    with pytest.raises(ZenginError) as caught:
        write_transfers(replace(PAYER, requester_code="12"), DAY, bad)
    found = {(p.ref, p.field, p.reason) for p in caught.value.problems}
    assert found == {
        ("payer", "requester_code", "digits"), ("a", "bank_code", "digits"),
        ("b", "branch_code", "digits"), ("c", "account_number", "digits"),
        ("d", "amount", "amount"), ("e", "amount", "amount"), ("f", "account_type", "choice"),
        ("g", "name", "empty"), ("h", "customer_code1", "digits"),
    }


def test_an_empty_batch_is_refused():
    with pytest.raises(ZenginError):
        write_transfers(PAYER, DAY, [])


def test_long_names_are_cut_at_the_field_width():
    data = write_transfers(PAYER, DAY, [transfer(name="ｱ" * 40)])
    assert parse(data).transfers[0].name == "ｱ" * 30


def test_a_file_whose_trailer_disagrees_is_refused():
    data = bytearray(write_transfers(PAYER, DAY, [transfer(amount=1_000)]))
    trailer = 2 * 122
    data[trailer + 7:trailer + 19] = b"000000009999"
    with pytest.raises(ZenginParseError, match="合計金額"):
        parse(bytes(data))


def test_a_record_of_the_wrong_length_is_refused():
    data = write_transfers(PAYER, DAY, [transfer()]).replace(b"\r\n", b" \r\n", 1)
    with pytest.raises(ZenginParseError, match="121 bytes"):
        parse(data)


def test_a_file_without_line_breaks_is_read_too():
    data = write_transfers(PAYER, DAY, [transfer()])
    assert parse(data.replace(b"\r\n", b"")).total_amount == 12_345


names = st.text(alphabet="アイウエオカキャッシュガパ ABCXYZ0123()-./あいう",
                min_size=1, max_size=40)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(names, st.integers(1, 9_999_999_999)), min_size=1, max_size=20))
def test_any_valid_batch_has_exact_records_and_totals(rows):
    batch = [transfer(str(i), name=name, amount=amount) for i, (name, amount) in enumerate(rows)]
    data = write_transfers(PAYER, DAY, batch)
    assert all(len(line) == 120 for line in records(data))
    read = parse(data)
    assert read.total_amount == sum(amount for _, amount in rows)
    assert [t.amount for t in read.transfers] == [amount for _, amount in rows]
