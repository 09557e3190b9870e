"""The 登録番号's shape and check digit, on public numbers."""

import pytest

from somu.expenses.formats import tnumber
from somu.expenses.formats.tnumber import InvalidReason, InvalidTNumber

# Public 法人番号 (国税庁法人番号公表サイト) and the worked example of the NTA's own explanation
# of the check digit (7123456789012: Σ = 74, 74 mod 9 = 2, 9 − 2 = 7).
VALID = [
    "T7000012050002",  # 国税庁
    "T1180301018771",  # トヨタ自動車株式会社
    "T4011001098993",
    "T2120901007402",
    "T7123456789012",
]


@pytest.mark.parametrize("number", VALID)
def test_it_accepts_public_numbers(number):
    assert tnumber.is_valid(number)
    assert tnumber.validate(number) == number


@pytest.mark.parametrize("twelve, digit", [
    ("000012050002", 7), ("180301018771", 1), ("123456789012", 7), ("000000000000", 9),
])
def test_it_computes_the_check_digit_weighting_1_and_2_from_the_right(twelve, digit):
    assert tnumber.check_digit(twelve) == digit


@pytest.mark.parametrize("number", [
    "T8000012050002", "T7000012050003", "T1180301018772", "T4011001098939",
])
def test_it_rejects_a_wrong_check_digit_with_that_reason(number):
    assert not tnumber.is_valid(number)
    assert tnumber.problem(number) is InvalidReason.CHECK_DIGIT
    with pytest.raises(InvalidTNumber) as raised:
        tnumber.validate(number)
    assert raised.value.reason is InvalidReason.CHECK_DIGIT


@pytest.mark.parametrize("text", [
    "", "T", "T700001205000", "T70000120500022", "X7000012050002", "T70000I2050002", "T７０００",
])
def test_it_rejects_a_wrong_shape_with_that_reason(text):
    assert tnumber.normalize(text) is None
    assert tnumber.problem(text) is InvalidReason.FORMAT
    with pytest.raises(InvalidTNumber) as raised:
        tnumber.validate(text)
    assert raised.value.reason is InvalidReason.FORMAT


@pytest.mark.parametrize("text", [
    "T7000012050002", "t7000012050002", "7000012050002", "T 7000 0120 50002",
    "T7-0000-1205-0002", "Ｔ７０００ー０１２０ー５０００２", "  T7000012050002\n",
])
def test_it_normalizes_the_ways_people_write_it(text):
    assert tnumber.normalize(text) == "T7000012050002"
    assert tnumber.is_valid(text)


def test_the_check_digit_refuses_anything_but_twelve_ascii_digits():
    for bad in ("12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"):
        with pytest.raises(InvalidTNumber):
            tnumber.check_digit(bad)
