"""Folding names to the 全銀 character set: what banks register, and what cannot be folded."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from somu.expenses.formats.kana import (
    ZENGIN_CHARACTERS,
    ZenginTextError,
    fold_zengin,
    is_zengin_text,
)


@pytest.mark.parametrize(("text", "folded"), [
    ("キャッシュ", "ｷﾔﾂｼﾕ"),  # small kana enlarged
    ("やまだ たろう", "ﾔﾏﾀﾞ ﾀﾛｳ"),  # hiragana, voiced
    ("ヤマダ　ハナコ", "ﾔﾏﾀﾞ ﾊﾅｺ"),  # ideographic space
    ("ｶﾌﾞｼｷｶﾞｲｼｬ", "ｶﾌﾞｼｷｶﾞｲｼﾔ"),  # half-width input, small ｬ
    ("パピプペポ", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
    ("ヴィクトリー", "ｳﾞｲｸﾄﾘ-"),  # ヴ, and the long vowel as a hyphen
    ("エージェンシー", "ｴ-ｼﾞｴﾝｼ-"),
    ("ヤマダ・エージェンシー", "ﾔﾏﾀﾞ.ｴ-ｼﾞｴﾝｼ-"),  # 中黒 → period
    ("カ゛ハ゜", "ｶﾞﾊﾟ"),  # separate voicing marks
    ("\u30ab\u3099", "ｶﾞ"),  # combining voicing mark
    ("ヲ", "ｵ"),
    ("ヵヶヮ", "ｶｹﾜ"),
    ("ａｂｃ　ＸＹＺ１２３", "ABC XYZ123"),  # full-width ASCII, lower case
    ("Somu Inc.", "SOMU INC."),
    ("カ）ソウム", "ｶ)ｿｳﾑ"),  # 法人略語 with a full-width parenthesis
    ("「テスト」", "｢ﾃｽﾄ｣"),
    ("￥１，０００", "\\1,000"),
    ("ﾀﾞｲﾋｮｳ/ｼﾃﾝ-1", "ﾀﾞｲﾋﾖｳ/ｼﾃﾝ-1"),
    ("", ""),
])
def test_names_fold_to_what_banks_register(text, folded):
    assert fold_zengin(text) == folded
    assert is_zengin_text(folded)


def test_kanji_cannot_be_folded_and_the_error_names_each_character_once():
    with pytest.raises(ZenginTextError) as caught:
        fold_zengin("山田 ﾀﾛｳ 山")
    assert caught.value.characters == ("山", "田")
    assert caught.value.text == "山田 ﾀﾛｳ 山"
    assert "U+5C71" in str(caught.value)


@pytest.mark.parametrize("text", ["※", "tab\there", "Ω", "😀", "＠", "#", "~"])
def test_symbols_outside_the_set_are_refused(text):
    with pytest.raises(ZenginTextError):
        fold_zengin(text)


def test_the_character_set_excludes_small_kana_wo_and_the_long_vowel():
    assert not ZENGIN_CHARACTERS & set("ｧｨｩｪｫｬｭｮｯｦｰ･abc")
    assert set("ｱﾝﾞﾟAZ09 ().-/\\,｢｣") <= ZENGIN_CHARACTERS


def test_every_character_of_the_set_encodes_to_one_shift_jis_byte():
    assert all(len(ch.encode("cp932")) == 1 for ch in ZENGIN_CHARACTERS)


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_folding_either_fails_or_gives_zengin_text_and_is_idempotent(text):
    try:
        folded = fold_zengin(text)
    except ZenginTextError as error:
        assert error.characters
        assert all(ch in text for ch in error.characters)
        return
    assert is_zengin_text(folded)
    assert fold_zengin(folded) == folded


@given(st.text(alphabet="あいうえおかがきぎくぐゃゅょっアイウエオァィゥェォャュョッーヴパピ　 "))
def test_every_kana_name_folds(text):
    assert is_zengin_text(fold_zengin(text))
