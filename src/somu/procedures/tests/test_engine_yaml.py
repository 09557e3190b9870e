"""Template YAML: safe, line-numbered reading; readable writing; export → import round trip."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somu.procedures.engine.parse import parse_spec_dict, spec_dict
from somu.procedures.engine.spec import SpecError
from somu.procedures.engine.yamlio import MAX_BYTES, dump_yaml, load_yaml
from somu.procedures.tests.engine_samples import ONBOARDING, onboarding

SAMPLE_YAML = """\
somu: procedure/1
name: 入社手続き
parameters:
  - {key: 入社者, type: person}
  - {key: 入社日, type: date}
  - {key: 雇用形態, type: choice, choices: [正社員, 契約社員, パート], default: 正社員}
steps:
  - key: shaho
    name: 健康保険・厚生年金保険 被保険者資格取得届
    instructions: |
      {{入社者}}さんの資格取得届を提出する。
      - 電子申請で
    assignee: {role: staff, department: 人事部}
    due: {from: 入社日, offset: 5, unit: calendar, roll: previous}
    condition: 雇用形態 in ['正社員', '契約社員']
    checklist: [基礎年金番号を確認, 届出を電子申請]
    form: [{key: receipt_no, label: 受付番号, type: text, required: true}]
    estimated_minutes: 30
"""


def problems(data):
    with pytest.raises(SpecError) as info:
        load_yaml(data)
    return [str(p) for p in info.value.problems]


def round_trip(spec):
    return parse_spec_dict(load_yaml(dump_yaml(spec_dict(spec))))


def test_the_documented_example_loads_and_parses():
    spec = parse_spec_dict(load_yaml(SAMPLE_YAML))
    assert spec.step("shaho").instructions == (
        "{{入社者}}さんの資格取得届を提出する。\n- 電子申請で\n"
    )
    assert spec.step("shaho").form[0].required


def test_export_then_import_gives_the_same_template():
    spec = parse_spec_dict(ONBOARDING)
    assert round_trip(spec) == spec


def test_export_import_export_gives_the_same_text():
    text = dump_yaml(spec_dict(parse_spec_dict(ONBOARDING)))
    assert dump_yaml(spec_dict(parse_spec_dict(load_yaml(text)))) == text


def test_the_export_is_readable_japanese_yaml():
    text = dump_yaml(spec_dict(parse_spec_dict(ONBOARDING)))
    assert text.startswith("somu: procedure/1\nname: 入社手続き\n")
    assert "\\u" not in text  # Japanese is written as is
    assert "description: |-\n  新しく入社する人の" in text  # multi-line text as a block
    assert "  - {key: 入社者, type: person}\n" in text  # short mappings on one line
    assert "    depends_on: [shaho, koyo, account]\n" in text
    assert "  - key: docs\n    name: 入社書類の回収\n" in text  # steps as blocks
    assert "default: '2026-04-01'" in text  # quoted: it must stay text, not become a date


def test_values_that_look_like_other_yaml_types_stay_text():
    data = onboarding()
    data["steps"][0]["checklist"] = ["yes", "no", "123", "2026-04-01", "null", "~", "- x", "a: b",
                                     "#c", "'q'", '"d"', "@at", "*star", "&amp", "!tag", "%p"]
    data["steps"][0]["name"] = "on"
    spec = parse_spec_dict(data)
    assert round_trip(spec) == spec


@pytest.mark.parametrize(
    "text",
    ["末尾に空白 \n次の行", "\n先頭が改行", "タブ\tあり\n", "a\n\n\n", "  字下げ\n", "a\r\nb",
     "x" * 300, "長い" * 200 + " と空白 " * 50, "\u2028区切り", "制御\x07文字"],
)
def test_awkward_text_survives_the_round_trip(text):
    data = onboarding()
    data["steps"][0]["instructions"] = text
    data["notes"] = text
    spec = parse_spec_dict(data)
    assert round_trip(spec) == spec


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1, max_size=40,
)


@settings(max_examples=60, deadline=None)
@given(name=_text, instructions=st.text(max_size=80), checklist=st.lists(_text, max_size=4),
       choices=st.lists(_text, min_size=1, max_size=4, unique=True))
def test_any_text_survives_the_round_trip(name, instructions, checklist, choices):
    checklist = [c for c in checklist if c.strip()]
    choices_clean = [c for c in choices if c.strip()]
    data = {"name": name, "parameters": [], "steps": [{
        "key": "a", "name": name, "instructions": instructions.replace("{{", "{"),
        "checklist": checklist, "notes": instructions,
    }]}
    if choices_clean:
        data["parameters"] = [{"key": "p", "type": "choice", "choices": choices_clean,
                               "default": choices_clean[0], "help": name}]
    spec = parse_spec_dict(data)
    assert round_trip(spec) == spec


# --- reading -----------------------------------------------------------------------------------

def test_a_yaml_syntax_error_names_the_line_and_column():
    found = problems("name: x\nsteps:\n  - key: a\n    name: [unclosed\n")
    assert len(found) == 1 and found[0].startswith("line 5, column 1: ")


def test_a_bad_indentation_names_the_line():
    found = problems("name: x\n steps: 1\n")
    assert found[0].startswith("line 2, column 7: mapping values are not allowed here")


def test_duplicate_keys_are_an_error_not_a_silent_overwrite():
    assert problems("name: a\nname: b\nsteps: []\n") == ["line 2, column 1: duplicate key 'name'"]


def test_aliases_are_refused():
    found = problems("a: &x [1, 2]\nname: *x\n")
    assert found == ["line 2, column 7: aliases (*name) are not supported; write the value out"]


def test_the_top_level_must_be_a_mapping():
    assert problems("- a\n- b\n") == [
        "the file must hold a template (key: value lines) at the top level"
    ]
    assert problems("just text") == [
        "the file must hold a template (key: value lines) at the top level"
    ]
    assert problems("") == ["the file is empty"]
    assert problems("# only a comment\n") == ["the file is empty"]


def test_python_tags_are_not_executed():
    found = problems("name: !!python/object/apply:os.system ['echo hi']\n")
    assert "could not determine a constructor" in found[0]


def test_utf8_with_and_without_bom_and_cp932_are_read():
    text = "name: 入社手続き\nsteps: [{key: a, name: 書類}]\n"
    assert load_yaml(text.encode())["name"] == "入社手続き"
    assert load_yaml(b"\xef\xbb\xbf" + text.encode())["name"] == "入社手続き"
    assert load_yaml(text.encode("cp932"))["name"] == "入社手続き"
    assert load_yaml("\ufeff" + text)["name"] == "入社手続き"


def test_bytes_that_are_not_text_are_refused():
    assert problems(b"name: \x81\x20") == ["the file is not text in UTF-8 or Shift_JIS"]


def test_control_characters_are_refused_with_the_line():
    assert problems("name: x\nnotes: a\x07b\n") == [
        "line 2: character U+0007 is not allowed in YAML"
    ]


def test_files_over_the_size_limit_are_refused():
    assert problems(b"#" * (MAX_BYTES + 1)) == ["the file is larger than 1 MB"]


def test_yaml_dates_in_a_template_are_read_as_text_where_text_is_expected():
    spec = parse_spec_dict(load_yaml(
        "name: 2026-04-01\nparameters:\n  - {key: d, type: date, default: 2026-04-01}\n"
        "steps: [{key: a, name: A}]\n"
    ))
    assert spec.name == "2026-04-01"
    assert spec.parameter("d").default == "2026-04-01"
