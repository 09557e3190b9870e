"""Form fields: the ``key:label:type[:required][:a|b]`` lines and the cleaning of typed values."""

from __future__ import annotations

import datetime as dt

import pytest

from somu.rules.forms import (
    FIELD_TYPES,
    REQUEST_FIELD_TYPES,
    FormFieldsError,
    FormFieldSpec,
    clean_values,
    form_fields_text,
    parse_form_fields,
)


def test_a_line_gives_key_label_type_required_and_choices():
    fields = parse_form_fields("receipt_no:受付番号:text:required\n\n"
                               "契約種別：種別：choice：必須：NDA｜売買")
    assert fields == (
        FormFieldSpec("receipt_no", "受付番号", "text", required=True),
        FormFieldSpec("契約種別", "種別", "choice", required=True, choices=("NDA", "売買")),
    )


def test_a_bare_key_is_a_text_field_labelled_with_its_key():
    assert parse_form_fields("備考") == (FormFieldSpec("備考", "備考", "text"),)


def test_an_unknown_type_names_its_line_and_the_types_to_use():
    with pytest.raises(FormFieldsError) as exc:
        parse_form_fields("a:A:text\nb:B:colour")
    assert (exc.value.line, exc.value.type, exc.value.types) == (2, "colour", FIELD_TYPES)
    assert isinstance(exc.value, ValueError)
    assert str(exc.value).startswith("Line 2: unknown field type “colour”")


def test_a_person_field_is_for_request_types_only():
    assert "person" not in FIELD_TYPES
    with pytest.raises(FormFieldsError):
        parse_form_fields("承認者:承認者:person")
    assert parse_form_fields("承認者:承認者:person", types=REQUEST_FIELD_TYPES) == (
        FormFieldSpec("承認者", "承認者", "person"),)


def test_the_text_of_fields_reads_back_as_the_same_fields():
    fields = (FormFieldSpec("a", "金額", "number", required=True),
              FormFieldSpec("b", "区分", "choice", choices=("甲", "乙")),
              FormFieldSpec("c", "承認者", "person"))
    text = form_fields_text(fields)
    assert text == "a:金額:number:required\nb:区分:choice:甲|乙\nc:承認者:person"
    assert parse_form_fields(text, types=REQUEST_FIELD_TYPES) == fields


FIELDS = (
    FormFieldSpec("no", "番号", "text", required=True),
    FormFieldSpec("amount", "金額", "number"),
    FormFieldSpec("day", "日付", "date"),
    FormFieldSpec("kind", "種別", "choice", choices=("NDA", "売買")),
    FormFieldSpec("ok", "確認", "boolean", required=True),
    FormFieldSpec("who", "承認者", "person"),
)


def test_values_are_coerced_by_their_field_type():
    cleaned, errors = clean_values(FIELDS, {
        "no": " R-1 ", "amount": "1,200,000", "day": dt.date(2026, 4, 1), "kind": "NDA",
        "ok": "on", "who": "12", "stray": "dropped"}, final=True)
    assert errors == {}
    assert cleaned == {"no": "R-1", "amount": 1_200_000, "day": "2026-04-01", "kind": "NDA",
                       "ok": True, "who": 12}


def test_a_fraction_stays_exact_as_text():
    assert clean_values(FIELDS, {"amount": "0.10"}, final=False)[0]["amount"] == "0.10"


def test_required_fields_are_checked_only_when_final():
    assert clean_values(FIELDS, {}, final=False)[1] == {}
    cleaned, errors = clean_values(FIELDS, {"no": "  "}, final=True)
    assert errors == {"no": ["This field is required."], "ok": ["This field is required."]}
    assert cleaned["no"] == "" and cleaned["ok"] is False


@pytest.mark.parametrize(("key", "value", "message"), [
    ("amount", "12円", "Enter a number."),
    ("amount", "NaN", "Enter a number."),
    ("day", "5月1日", "Enter a date as YYYY-MM-DD."),
    ("kind", "雇用", "Choose one of: NDA, 売買."),
    ("who", "田中", "Choose a person of this organization."),
    ("who", "0", "Choose a person of this organization."),
    ("who", True, "Choose a person of this organization."),
])
def test_a_bad_value_gets_the_message_of_its_type(key, value, message):
    assert clean_values(FIELDS, {key: value}, final=False)[1] == {key: [message]}


def test_messages_go_through_the_callers_translation_before_the_choices_are_filled_in():
    catalog = {"Choose one of: %(choices)s.": "次のいずれかを選んでください: %(choices)s"}
    errors = clean_values(FIELDS, {"kind": "x"}, final=False,
                          translate=lambda m: catalog.get(m, m))[1]
    assert errors == {"kind": ["次のいずれかを選んでください: NDA, 売買"]}
