"""The 決裁権限規程 as lines of strings: the one parser the editor, the Excel import and the API
share, its errors (line, column, value, reason) and its inverse."""

from __future__ import annotations

import pytest

from somu.approvals import rules_table as rt
from somu.approvals.services import rules
from somu.approvals.tests.builders import NOW, World
from somu.core import tenancy
from somu.core.tabular import ImportFailed


def line(number: int = 1, **cells: object) -> dict[str, object]:
    base: dict[str, object] = {rt.NUMBER: number, rt.TYPE: "購入申請", rt.KIND: "決裁",
                               rt.APPROVER: "役職", rt.VALUE: "課長"}
    base.update({getattr(rt, k.upper()): v for k, v in cells.items()})
    return base


def parse(world: World, *cells: dict[str, object]) -> list[rules.RowInput]:
    with tenancy.activate(world.org):
        return rt.parse_lines(rt.lines_of(cells)).rows


def errors_of(world: World, *cells: dict[str, object]) -> list[tuple[int | None, str, str]]:
    with tenancy.activate(world.org), pytest.raises(ImportFailed) as failed:
        rt.rule_table_save(membership=world.m("admin"), effective_from=world.version.effective_from,
                           lines=rt.lines_of(cells), now=NOW, dry_run=True)
    return [(e.row, e.column, e.value) for e in failed.value.errors]


@pytest.mark.parametrize(("text", "amount"), [
    ("1000000", 1_000_000), ("1,000,000", 1_000_000), ("¥1,000,000", 1_000_000),
    ("￥１，０００，０００", 1_000_000), ("100万", 1_000_000), ("100万円", 1_000_000),
    ("1億5000万", 150_000_000), ("1.5万", 15_000), (1_000_000, 1_000_000),
    (1_000_000.0, 1_000_000), ("", None), (None, None),
])
def test_amounts_are_read_in_the_forms_people_write_yen(text, amount):
    assert rt.parse_amount(text) == amount


@pytest.mark.parametrize("text", ["百万", "-5", "1.5", "10ドル", "1,000.50", 12.5, True])
def test_an_amount_that_is_not_whole_yen_is_refused(text):
    with pytest.raises(ValueError):
        rt.parse_amount(text)


def test_lines_with_one_row_number_form_one_row_with_their_stages_in_order(world):
    rows = parse(world,
                 line(2, amount_min="100,001", amount_max="100万", kind="承認"),
                 line(2, kind="決裁", value="部長"),
                 line(3, amount_min="500,001", kind="合議", approver="部署メンバー",
                      value="経理部", quorum="全員", allow_add="○"),
                 line(1, amount_max=100_000))
    assert [r.number for r in rows] == [1, 2, 3]
    two = rows[1]
    assert (two.amount_min, two.amount_max) == (100_001, 1_000_000)
    assert [(s.kind, s.value) for s in two.stages] == [("approve", "課長"), ("decide", "部長")]
    consult = rows[2].stages[0]
    assert (consult.approver, consult.value, consult.quorum, consult.allow_add) == (
        "group", str(world.depts["keiri"].pk), "all", True)


def test_names_stand_for_ids_and_codes_are_accepted_too(world):
    rows = parse(world, line(1, type="purchase", department="総務部", kind="決裁",
                             approver="指名", value="C003", vacancy="代替承認者へ",
                             fallback="C002"))
    row = rows[0]
    assert row.request_type == world.types["purchase"]
    assert row.department == world.depts["somu"]
    stage = row.stages[0]
    assert (stage.value, stage.fallback, stage.vacancy) == (
        str(world.people["yamamoto"].pk), world.people["takahashi"].pk, "fallback")


def test_each_bad_cell_is_named_by_line_column_and_value(world):
    found = errors_of(world,
                      line(1, type="謎の申請"),
                      line(2, amount_min="たくさん"),
                      line(3, value="番長"),
                      line(4, approver="指名", value="Z999"),
                      line(5, department="宇宙部"),
                      line(6, kind="決める"),
                      line(7, approver="役職", value="課長", vacancy="代替承認者へ",
                           fallback="Q1"))
    assert found == [
        (1, "申請種別", "謎の申請"),
        (2, "金額（以上）", "たくさん"),
        (3, "承認者", "番長"),
        (4, "承認者", "Z999"),
        (5, "部署", "宇宙部"),
        (6, "段階", "決める"),
        (7, "代替承認者", "Q1"),
    ]


def test_two_lines_of_one_row_that_disagree_are_refused_naming_the_first_line(world):
    with tenancy.activate(world.org), pytest.raises(ImportFailed) as failed:
        rt.parse_lines(rt.lines_of([line(1, kind="承認"),
                                    line(1, kind="決裁", value="部長", amount_max="5000")]))
    [error] = failed.value.errors
    assert (error.row, error.column, error.value) == (2, "金額（以下）", "5000")
    assert "1" in error.reason


def test_overlapping_rows_are_refused_naming_both_rows(world):
    with tenancy.activate(world.org), pytest.raises(ImportFailed) as failed:
        rt.rule_table_save(membership=world.m("admin"), effective_from=world.version.effective_from,
                           lines=rt.lines_of([line(1, amount_max="200,000"),
                                              line(2, amount_min="100,000", value="部長")]),
                           now=NOW)
    [error] = failed.value.errors
    assert error.row == 2 and error.column == "行番号"
    assert "1" in error.reason and "2" in error.reason


def test_a_band_upside_down_is_pointed_at_its_line(world):
    assert errors_of(world, line(1), line(1, kind="承認", value="部長"),
                     line(5, amount_min="200", amount_max="100")) == [
        (3, "金額（以上）", "200")]


def test_nothing_is_saved_when_any_line_is_wrong(world):
    from somu.approvals.models import RuleVersion

    with tenancy.activate(world.org):
        before = RuleVersion.objects.count()
    errors_of(world, line(1), line(2, type="謎"))
    with tenancy.activate(world.org):
        assert RuleVersion.objects.count() == before


def test_the_standard_rules_as_lines_read_back_to_the_same_rows(world):
    with tenancy.activate(world.org):
        rows = rules.row_inputs(world.version)
        for amounts in ("plain", "comma", "yen"):
            lines = rt.lines_of(rt.row_lines(rows, amounts=amounts))
            assert rt.parse_lines(lines).rows == rows


def test_saving_the_lines_makes_a_new_revision(world):
    with tenancy.activate(world.org):
        version, _parsed = rt.rule_table_save(
            membership=world.m("admin"), effective_from=world.version.effective_from,
            lines=rt.lines_of([line(1, type="押印申請")]), note="押印のみ", now=NOW)
        assert version is not None and version.number == world.version.number + 1
        assert [r.request_type for r in rules.row_inputs(version)] == [world.types["seal"]]


def test_lines_with_ascii_keys_read_the_same_as_with_japanese_headers(world):
    with tenancy.activate(world.org):
        keyed = rt.lines_from_keys([{"number": "1", "type": "purchase", "amount_max": "10万",
                                     "kind": "決裁", "approver": "役職", "value": "課長"}])
        [row] = rt.parse_lines(keyed).rows
    assert (row.request_type, row.amount_max, row.stages[0].value) == (
        world.types["purchase"], 100_000, "課長")
