"""The 決裁権限規程 in Excel: the export reads back to the same revision, and a bad file is
refused with every error and nothing saved."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from somu.approvals import rules_excel
from somu.approvals import rules_table as rt
from somu.approvals.models import RuleVersion
from somu.approvals.services import rules
from somu.approvals.tests.builders import NOW, TODAY, World
from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tabular import ImportFailed

NEXT = dt.date(2026, 10, 1)


def workbook(*rows: list[object], headers: tuple[str, ...] = rt.HEADERS) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def cells(**values: object) -> list[object]:
    base = {rt.NUMBER: 1, rt.TYPE: "購入申請", rt.KIND: "決裁", rt.APPROVER: "役職",
            rt.VALUE: "課長"}
    base.update({getattr(rt, k.upper()): v for k, v in values.items()})
    return [base.get(h) for h in rt.HEADERS]


def do_import(world: World, content: bytes, *, dry_run: bool = False,
              effective_from: dt.date | None = NEXT) -> rules_excel.ImportResult:
    with tenancy.activate(world.org):
        return rules_excel.rules_import(membership=world.m("admin"), source=content,
                                        filename="rules.xlsx", effective_from=effective_from,
                                        now=NOW, dry_run=dry_run)


def failure(world: World, content: bytes) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ImportFailed) as failed:
        do_import(world, content)
    with tenancy.activate(world.org):
        assert RuleVersion.objects.count() == 1, "nothing is saved"
    return [(e.row, e.column, e.value) for e in failed.value.errors]


def test_the_export_imported_again_is_the_same_table_in_a_new_revision(world):
    with tenancy.activate(world.org):
        content = rules_excel.rules_export(version=world.version, actor=world.users["admin"],
                                           today=TODAY)
    result = do_import(world, content)
    with tenancy.activate(world.org):
        assert result.version is not None and result.version.number == 2
        assert result.version.effective_from == NEXT
        assert rules.row_inputs(result.version) == rules.row_inputs(world.version)
        actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "approval_rules.export" in actions and "approval_rules.import" in actions


def test_the_workbook_has_the_revision_and_a_sheet_explaining_the_columns(world):
    with tenancy.activate(world.org):
        book = load_workbook(io.BytesIO(rules_excel.rules_xlsx(world.version,
                                                               exported_on=TODAY)))
    assert book.sheetnames == ["決裁権限規程", "改定情報", "説明"]
    info = {row[0]: row[1] for row in book["改定情報"].iter_rows(values_only=True)}
    assert info["版"] == 1 and info["改定日"].date() == dt.date(2026, 4, 1)
    table = list(book["決裁権限規程"].iter_rows(values_only=True))
    assert table[0] == rt.HEADERS
    # row 2 of the standard rules has two stages: two lines
    assert [r[0] for r in table[1:]].count(2) == 2
    explained = [row[0] for row in book["説明"].iter_rows(values_only=True)]
    assert all(h in explained for h in rt.HEADERS)


def test_a_dry_run_checks_and_previews_the_file_but_saves_nothing(world):
    result = do_import(world, workbook(cells(amount_max="100万")), dry_run=True)
    assert result.version is None
    assert result.lines[0]["amount_max"] == "¥1,000,000"
    with tenancy.activate(world.org):
        assert RuleVersion.objects.count() == 1


def test_a_file_that_is_not_a_spreadsheet_is_refused(world):
    [error] = failure(world, b"%PDF-1.4 not a table\x00\x00")
    assert error[0] is None


def test_a_damaged_xlsx_is_refused(world):
    assert failure(world, b"PK\x03\x04 broken zip") == [(None, "", "")]


def test_a_file_without_the_required_headers_is_refused_naming_them(world):
    found = failure(world, workbook(["1", "購入申請"], headers=("番号", "種別")))
    assert {column for _row, column, _value in found} == {"行番号", "申請種別", "段階",
                                                          "承認者の種類"}


def test_every_bad_line_of_a_file_is_listed_with_its_sheet_row(world):
    found = failure(world, workbook(
        cells(number=1, amount_max="百万円"),
        cells(number=2, value="番長"),
        cells(number=3, approver="指名", value="X404"),
        cells(number=4, department="宇宙部"),
    ))
    assert found == [(2, "金額（以下）", "百万円"), (3, "承認者", "番長"),
                     (4, "承認者", "X404"), (5, "部署", "宇宙部")]


def test_overlapping_rows_in_a_file_are_refused_naming_both(world):
    with pytest.raises(ImportFailed) as failed:
        do_import(world, workbook(cells(number=1, amount_max=200_000),
                                  cells(number=2, amount_min=100_000, value="部長")))
    [error] = failed.value.errors
    assert error.row == 3
    assert "1" in error.reason and "2" in error.reason


def test_an_import_needs_the_effective_date(world):
    with pytest.raises(ImportFailed) as failed:
        do_import(world, workbook(cells()), effective_from=None)
    assert [e.column for e in failed.value.errors] == ["改定日"]


def test_a_group_narrowed_to_several_positions_survives_the_round_trip(world):
    from somu.approvals.tests.builders import install_rules, stage, standard_rules

    rows = standard_rules(world)
    keiri = str(world.depts["keiri"].pk)
    rows[2] = rules.RowInput(3, world.types["purchase"], (
        stage("consult", "group", keiri, position="部長、一般", quorum="all"),),
        amount_min=500_001)
    version = install_rules(world, rows, effective=TODAY)
    with tenancy.activate(world.org):
        content = rules_excel.rules_export(version=version, actor=world.users["admin"],
                                           today=TODAY)
    result = do_import(world, content)
    with tenancy.activate(world.org):
        assert result.version is not None
        assert rules.row_inputs(result.version) == rules.row_inputs(version)
