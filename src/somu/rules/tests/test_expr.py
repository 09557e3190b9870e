"""The condition language: what it accepts, how it evaluates, and what it refuses."""

import datetime as dt
from decimal import Decimal

import pytest

from somu.rules.expr import MAX_DEPTH, MAX_LENGTH, ExprError, parse_condition


def holds(text, **values):
    return parse_condition(text).evaluate(values)


def test_it_evaluates_membership_in_a_list_of_japanese_choices():
    cond = parse_condition("雇用形態 in ['正社員', '契約社員']")
    assert cond.names == frozenset({"雇用形態"})
    assert cond.evaluate({"雇用形態": "正社員"})
    assert not cond.evaluate({"雇用形態": "パート"})


def test_not_in_is_the_negation_of_in():
    assert holds("雇用形態 not in ['パート']", 雇用形態="正社員")
    assert not holds("雇用形態 not in ['パート']", 雇用形態="パート")


def test_and_or_not_follow_the_usual_precedence():
    # and binds tighter than or; not tighter than and.
    assert holds("a == 1 or b == 1 and c == 1", a=1, b=0, c=0)
    assert not holds("(a == 1 or b == 1) and c == 1", a=1, b=0, c=0)
    assert holds("not a == 2 and b == 0", a=1, b=0)


def test_symbolic_operators_work_like_the_words():
    assert holds("a == 1 && !(b == 2) || false", a=1, b=3)
    assert not holds("a == 1 && b != 3", a=1, b=3)


def test_strings_can_use_double_quotes_and_japanese_brackets():
    assert holds('部署 == "営業部"', 部署="営業部")
    assert holds("部署 == 「営業部」", 部署="営業部")
    assert holds(r"x == 'it\'s'", x="it's")


def test_all_comparison_operators_compare_numbers():
    for text, expected in [
        ("n < 3", True), ("n <= 2", True), ("n > 2", False), ("n >= 2", True),
        ("n == 2", True), ("n != 2", False), ("n > -1", True), ("n < 2.5", True),
    ]:
        assert holds(text, n=2) is expected, text


def test_numbers_compare_with_numeric_strings_and_decimals():
    assert holds("n == '3'", n=3)
    assert holds("n > 2", n="3")
    assert holds("n == 1.50", n=Decimal("1.5"))
    assert not holds("n > 2", n="three")


def test_dates_compare_with_iso_date_strings():
    hired = dt.date(2026, 4, 1)
    assert holds("入社日 >= '2026-04-01'", 入社日=hired)
    assert not holds("入社日 < '2026-04-01'", 入社日=hired)
    assert holds("入社日 == '2026-04-01'", 入社日=dt.datetime(2026, 4, 1, 9, 0))
    assert not holds("入社日 > 'not a date'", 入社日=hired)


def test_a_missing_value_is_null_and_never_ordered():
    assert holds("x == null")
    assert not holds("x == ''")
    assert not holds("x < 5")
    assert not holds("x >= 5")
    assert holds("not x < 5")
    assert holds("x != 'a'")
    assert not holds("x in ['a', 'b']")


def test_a_bare_parameter_is_true_when_its_value_is():
    assert holds("海外赴任", 海外赴任=True)
    assert not holds("海外赴任", 海外赴任=False)
    assert not holds("海外赴任")
    assert holds("not 海外赴任 and 社保", 海外赴任=False, 社保=True)


def test_booleans_compare_with_true_false_and_their_text():
    assert holds("flag == true", flag=True)
    assert holds("flag == false", flag="false")
    assert not holds("flag > false", flag=True)


def test_person_ids_compare_with_numbers():
    assert holds("入社者 in [1, 2, 3]", 入社者=2)


def test_blank_text_is_a_condition_that_always_holds():
    assert parse_condition("   ").evaluate({})
    assert parse_condition("").names == frozenset()


def test_names_lists_every_parameter_read():
    cond = parse_condition("(a == 1 or b in [c, 'x']) and not d")
    assert cond.names == frozenset({"a", "b", "c", "d"})
    assert cond.text == "(a == 1 or b in [c, 'x']) and not d"


def test_the_same_text_gives_equal_conditions():
    assert parse_condition("a == 1") == parse_condition("a == 1")
    assert hash(parse_condition("a == 1")) == hash(parse_condition("a == 1"))


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("a == 1)", "unexpected ')'", 6),
        ("a ==", "unexpected end of condition", 4),
        ("a = 1", "use '==' to compare", 2),
        ("a & b", "use '&&'", 2),
        ("a not b", "expected 'in' after 'not'", 6),
        ("a in 'x'", "expected a list", 5),
        ("a in [1, 2", "unexpected end of condition", 10),
        ("'abc", "unterminated string", 0),
        ("1.2.3 == a", "invalid number", 0),
        ("a == 1 == 2", "unexpected '=='", 7),
        ("and a", "unexpected 'and'", 0),
        ("a == #", "unexpected character '#'", 5),
    ],
)
def test_syntax_errors_say_what_and_where(text, message, position):
    with pytest.raises(ExprError) as info:
        parse_condition(text)
    assert message in str(info.value)
    assert info.value.position == position
    assert f"column {position + 1}" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('id')",
        "().__class__.__bases__[0].__subclasses__()",
        "a.b",
        "a.__class__ == 1",
        "f(x)",
        "open('/etc/passwd')",
        "a[0] == 1",
        "lambda: 1",
        "f'{x}' == '1'",
        "a if b else c",
        "[x for x in y]",
        "a == 1; import os",
        "exec('1')",
        "a == {1: 2}",
        "a ** 2 > 1",
        "a + 1 > 2",
        "eval('1')",
        "__builtins__['eval']('1')",
        "a == b'x'",
        "`id`",
        "a @ b",
        "a == 1\nimport os",
    ],
)
def test_python_injection_attempts_are_syntax_errors(text):
    with pytest.raises(ExprError):
        parse_condition(text)


def test_a_dunder_name_is_only_a_lookup_in_the_values():
    cond = parse_condition("__class__ == 'x'")
    assert not cond.evaluate({})
    assert cond.evaluate({"__class__": "x"})


def test_it_refuses_conditions_longer_than_the_limit():
    with pytest.raises(ExprError, match="longer than"):
        parse_condition("a == 1 or " * (MAX_LENGTH // 10) + "a == 2")


def test_it_refuses_nesting_deeper_than_the_limit():
    parse_condition("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH)
    with pytest.raises(ExprError, match="nested"):
        parse_condition("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExprError, match="nested"):
        parse_condition("not " * (MAX_DEPTH + 1) + "a")


def test_a_long_flat_chain_evaluates_without_recursion_trouble():
    text = " or ".join(f"a == {i}" for i in range(80))
    assert holds(text, a=79)


def test_expr_error_is_a_value_error():
    assert issubclass(ExprError, ValueError)


def test_compared_values_lists_the_literals_tested_against_each_parameter():
    cond = parse_condition("a == 'x' or not 'y' != b and c in ['p', 1] and d > 3")
    assert sorted(cond.compared_values(), key=str) == sorted(
        [("a", "x"), ("b", "y"), ("c", "p"), ("c", 1)], key=str
    )
