"""Importing survey hours from Excel and CSV: long and wide layouts, all-or-nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tabular import ImportFailed
from somu.org.models import Organization
from somu.survey.importing import (
    ImportResult,
    hours_import,
    hours_template_csv,
    hours_template_xlsx,
)
from somu.survey.models import (
    Capability,
    Respondent,
    ResponseStatus,
    SurveyRound,
    Task,
    TaskStatus,
    WorkHours,
)

LONG = ["社員番号", "氏名", "部門", "大分類", "中分類", "業務名", "月間工数(時間)"]
MONTHS = ["4月", "5月", "6月", "7月", "8月", "9月", "10月", "11月", "12月", "1月", "2月", "3月"]
WIDE = ["部門", "大分類", "中分類", "業務名"]
INVOICE = ["経理財務", "債権管理", "請求", "請求書発行"]
PAYROLL = ["人事労務", "給与", "給与計算", "給与計算"]
YEAR_END = ["人事労務", "給与", "年末調整", "年末調整"]
RECEPTION = ["総務", "庶務", "来客・電話", "来客・電話対応"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Messages are asserted in their English msgids, whatever catalog is installed.
    with translation.override("en"):
        yield


@pytest.fixture
def round_a(org_a: Organization, people_a: object) -> SurveyRound:
    """Org A's round, and its inventory: 請求書発行 (難易度 2), 給与計算 (3), 年末調整 (4),
    来客・電話対応 (1)."""
    with tenancy.activate(org_a):
        for path, difficulty in ((INVOICE, 2), (PAYROLL, 3), (YEAR_END, 4), (RECEPTION, 1)):
            Task.objects.create(function=path[0], category=path[1], subcategory=path[2],
                                name=path[3], difficulty=difficulty)
        return SurveyRound.objects.create(name="2026年度 業務調査")


def xlsx(rows: list[list[object]], header: list[str] = LONG) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows: list[list[str]], header: list[str] = LONG, encoding: str = "utf-8") -> bytes:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(org: Organization, survey_round: SurveyRound, data: bytes | Path, **options: object
        ) -> ImportResult:
    with tenancy.activate(org):
        return hours_import(actor=None, survey_round=survey_round, source=data,
                            filename="hours.xlsx", **options)  # type: ignore[arg-type]


def hours(org: Organization) -> dict[tuple[str, str], Decimal]:
    """``{(社員番号, 業務名): hours}`` of everything stored."""
    with tenancy.activate(org):
        return {(number, task): value for number, task, value in WorkHours.objects.values_list(
            "person__employee_number", "task__name", "hours")}


def levels(org: Organization) -> dict[tuple[str, str], int]:
    with tenancy.activate(org):
        return {(number, task): level for number, task, level in Capability.objects.values_list(
            "person__employee_number", "task__name", "level")}


def state(org: Organization) -> tuple:
    with tenancy.activate(org):
        return (
            sorted(WorkHours.objects.values_list("person_id", "task_id", "hours", "monthly")),
            sorted(Capability.objects.values_list("person_id", "task_id", "level")),
            sorted(Task.objects.values_list("pk", "name", "difficulty", "remote_ok",
                                            "updated_at")),
            Respondent.objects.count(), AuditEvent.objects.count(),
            sorted(SurveyRound.objects.values_list("pk", "data_version")),
        )


def rejected(org: Organization, survey_round: SurveyRound, data: bytes,
             **options: object) -> list[tuple]:
    """The errors the import reports, having checked that it changed nothing."""
    before = state(org)
    with pytest.raises(ImportFailed) as caught:
        run(org, survey_round, data, **options)
    assert state(org) == before
    return [(e.row, e.column, e.value, e.reason) for e in caught.value.errors]


# ---- the long layout -----------------------------------------------------------------------------


def test_it_imports_the_long_layout_by_employee_number_or_name(org_a, round_a):
    result = run(org_a, round_a, xlsx([
        ["A001", None, *INVOICE, 20],
        [None, "鈴木 花子", *INVOICE, 8.5],
        ["A002", "別人の名前", *PAYROLL, "１２"],  # 社員番号 wins; full-width digits
    ]))
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("20.00"),
                            ("A002", "請求書発行"): Decimal("8.50"),
                            ("A002", "給与計算"): Decimal("12.00")}
    assert (result.layout, result.rows, result.people, result.tasks, result.hours_saved) == (
        "long", 3, 2, 2, 3)


def test_month_columns_give_the_average_and_are_kept(org_a, round_a):
    seasonal = [0, 0, 0, 0, 0, 0, 0, 10, 30, 20, 0, None]
    run(org_a, round_a, xlsx([
        ["A001", None, *YEAR_END, None, *seasonal],
        ["A001", None, *INVOICE, 20, *([None] * 12)],  # a row may give 月間工数 instead
    ], header=[*LONG, *MONTHS]))
    assert hours(org_a) == {("A001", "年末調整"): Decimal("5.00"),
                            ("A001", "請求書発行"): Decimal("20.00")}
    with tenancy.activate(org_a):
        monthly = WorkHours.objects.get(task__name="年末調整").monthly
    assert [Decimal(v) for v in monthly] == [0, 0, 0, 0, 0, 0, 0, 10, 30, 20, 0, 0]


def test_it_rejects_monthly_hours_that_contradict_the_months(org_a, round_a):
    row = ["A001", None, *YEAR_END, 60, *[5] * 12]
    assert rejected(org_a, round_a, xlsx([row], header=[*LONG, *MONTHS])) == [
        (2, "月間工数(時間)", "60",
         "The monthly values average 5 hours; 月間工数 must be that or empty."),
    ]


def test_it_reads_capability_levels_as_numbers_or_labels(org_a, round_a):
    run(org_a, round_a, xlsx([
        ["A001", None, *INVOICE, 20, 4],
        ["A002", None, *INVOICE, 5, "3:一人で可"],
        ["A003", None, *INVOICE, None, "マニュアルがあれば可"],  # capability without hours
        ["A004", None, *INVOICE, 2, None],
    ], header=[*LONG, "対応可能レベル"]))
    assert levels(org_a) == {("A001", "請求書発行"): 4, ("A002", "請求書発行"): 3,
                             ("A003", "請求書発行"): 2}
    assert set(hours(org_a)) == {("A001", "請求書発行"), ("A002", "請求書発行"),
                                 ("A004", "請求書発行")}


def test_header_aliases_are_understood(org_a, round_a):
    run(org_a, round_a, csv([["A001", "経理財務", "債権管理", "請求", "請求書発行", "7"]],
                            header=["社員ＩＤ", "業務部門", "大分類", "中分類", "業務", "工数"]))
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("7.00")}


def test_a_row_without_subcategory_matches_the_only_task_that_fits(org_a, round_a):
    run(org_a, round_a, xlsx([["A001", "経理財務", "債権管理", "請求書発行", 3]],
                             header=["社員番号", "部門", "大分類", "業務名", "月間工数"]))
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("3.00")}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_it_imports_csv_in_utf8_with_or_without_bom_and_cp932(org_a, round_a, encoding):
    result = run(org_a, round_a, csv([["A001", "山田 太郎", *INVOICE, "20"],
                                      ["A003", "佐藤 健", *RECEPTION, "4.25"]],
                                     encoding=encoding))
    assert result.hours_saved == 2
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("20.00"),
                            ("A003", "来客・電話対応"): Decimal("4.25")}


def test_it_imports_a_file_from_a_path(org_a, round_a, tmp_path):
    path = tmp_path / "hours.xlsx"
    path.write_bytes(xlsx([["A001", None, *INVOICE, 20]]))
    assert run(org_a, round_a, path).hours_saved == 1


def test_it_reports_progress_in_rows_read(org_a, round_a):
    seen: list[int] = []
    run(org_a, round_a, xlsx([["A001", None, *INVOICE, 1], ["A002", None, *INVOICE, 1]]),
        progress=seen.append)
    assert seen[-1] == 2


# ---- the wide layout -----------------------------------------------------------------------------


def test_it_imports_the_wide_layout_with_people_as_columns(org_a, round_a):
    header = [*WIDE, "A001", "鈴木 花子", "A003 佐藤 健", "田中 美咲(A004)", "合計"]
    result = run(org_a, round_a, xlsx([
        [*INVOICE, 20, 8, None, None, 28],
        [*PAYROLL, None, None, "３５", 1.5, 36.5],
        ["", "", "", "合計", 20, 8, 35, 1.5, 64.5],  # a totals row is skipped
    ], header=header))
    assert result.layout == "wide"
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("20.00"),
                            ("A002", "請求書発行"): Decimal("8.00"),
                            ("A003", "給与計算"): Decimal("35.00"),
                            ("A004", "給与計算"): Decimal("1.50")}
    assert (result.people, result.tasks, result.hours_saved) == (4, 2, 4)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_it_imports_a_wide_csv_in_every_encoding(org_a, round_a, encoding):
    run(org_a, round_a, csv([[*RECEPTION, "10", ""]], header=[*WIDE, "A001", "A002"],
                            encoding=encoding))
    assert hours(org_a) == {("A001", "来客・電話対応"): Decimal("10.00")}


def test_the_layout_can_be_forced(org_a, round_a):
    data = xlsx([[*INVOICE, 5]], header=[*WIDE, "A001"])
    assert run(org_a, round_a, data, layout="wide").hours_saved == 1
    assert rejected(org_a, round_a, data, layout="long")[0][3] == \
        "The file needs a “社員番号” or a “氏名” column."


def test_task_attributes_in_a_wide_file_update_the_inventory(org_a, round_a):
    result = run(org_a, round_a, xlsx([[*INVOICE, 5, 4, "○", "×", "可"],
                                       [*PAYROLL, 5, 3, None, None, None]],
                                      header=[*WIDE, "A001", "難易度", "リモート可否", "外注可否",
                                              "自動化可否"]))
    assert result.tasks_updated == 1  # 給与計算 already has 難易度 3
    with tenancy.activate(org_a):
        task = Task.objects.get(name="請求書発行")
    assert (task.difficulty, task.remote_ok, task.outsourceable, task.automatable) == (
        4, True, False, True)


# ---- creating tasks, replacing data, respondents and the audit log ------------------------------


def test_unknown_tasks_are_created_when_asked_with_the_files_attributes(org_a, round_a):
    new = ["法務", "契約", "審査", "契約書審査"]
    result = run(org_a, round_a, xlsx([
        ["A001", None, *new, 10, 5, "○", "×", "×"],
        ["A002", None, *new, 2, 5, "○", "×", "×"],
    ], header=[*LONG, "難易度", "リモート可否", "外注可否", "自動化可否"]), create_tasks=True)
    assert (result.tasks_created, result.tasks_updated) == (1, 0)
    with tenancy.activate(org_a):
        task = Task.objects.get(name="契約書審査")
    assert (task.function, task.category, task.subcategory, task.status) == (
        "法務", "契約", "審査", TaskStatus.ACTIVE)
    assert (task.difficulty, task.remote_ok, task.outsourceable, task.automatable) == (
        5, True, False, False)
    assert hours(org_a)[("A002", "契約書審査")] == Decimal("2.00")


def test_importing_again_replaces_the_pairs_in_the_file_and_keeps_the_others(org_a, round_a):
    run(org_a, round_a, xlsx([["A001", None, *INVOICE, 20, 3], ["A001", None, *PAYROLL, 10, 4],
                              ["A002", None, *INVOICE, 5, 2]],
                             header=[*LONG, "対応可能レベル"]))
    result = run(org_a, round_a, xlsx([["A001", None, *INVOICE, 25, None],
                                       ["A002", None, *INVOICE, 0, 1]],
                                      header=[*LONG, "対応可能レベル"]))
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("25.00"),
                            ("A001", "給与計算"): Decimal("10.00")}  # not in the file: kept
    assert levels(org_a) == {("A001", "給与計算"): 4, ("A002", "請求書発行"): 1}
    assert (result.hours_saved, result.hours_removed) == (1, 1)


def test_a_wide_import_replaces_every_cell_of_its_matrix(org_a, round_a):
    run(org_a, round_a, xlsx([[*INVOICE, 20, 8], [*PAYROLL, 5, 5]], header=[*WIDE, "A001", "A002"]))
    run(org_a, round_a, xlsx([[*INVOICE, None, 9]], header=[*WIDE, "A001", "A002"]))
    assert hours(org_a) == {("A002", "請求書発行"): Decimal("9.00"),
                            ("A001", "給与計算"): Decimal("5.00"),
                            ("A002", "給与計算"): Decimal("5.00")}


def test_it_marks_the_people_as_respondents_who_submitted(org_a, round_a, people_a):
    with tenancy.activate(org_a):
        Respondent.objects.create(round=round_a, person=people_a.yamada)
    result = run(org_a, round_a, xlsx([["A001", None, *INVOICE, 1], ["A002", None, *INVOICE, 1]]))
    assert result.respondents_created == 1
    with tenancy.activate(org_a):
        statuses = dict(Respondent.objects.values_list("person__employee_number", "status"))
    assert statuses == {"A001": ResponseStatus.NOT_STARTED, "A002": ResponseStatus.SUBMITTED}


def test_each_import_bumps_the_rounds_data_version_and_is_audited_once(org_a, round_a, admin_a):
    version = round_a.data_version
    with tenancy.activate(org_a):
        hours_import(actor=admin_a, survey_round=round_a, filename="調査.xlsx",
                     source=xlsx([["A001", None, *INVOICE, 1]]))
        round_a.refresh_from_db()
        events = list(AuditEvent.objects.filter(actor_label="admin_a"))
    assert round_a.data_version == version + 1
    assert [e.action for e in events] == ["survey_round.import"]
    assert events[0].changes["file"] == [None, "調査.xlsx"]
    assert events[0].changes["hours_saved"] == [None, 1]


# ---- bad files: one test per kind of error, each leaving the database unchanged ------------------


def test_it_rejects_negative_hours(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([["A001", None, *INVOICE, -3]])) == [
        (2, "月間工数(時間)", "-3", "Hours cannot be negative."),
    ]


def test_it_rejects_more_than_400_hours_on_one_task(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([["A001", None, *INVOICE, 401]])) == [
        (2, "月間工数(時間)", "401", "More than 400 hours a month is not possible."),
    ]


def test_it_rejects_a_person_with_more_than_400_hours_in_total(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([
        ["A002", None, *RECEPTION, 10],
        ["A001", None, *INVOICE, 200],
        ["A001", None, *PAYROLL, 150],
        ["A001", None, *YEAR_END, 60.5],
    ])) == [
        (3, "社員番号", "410.5",
         "山田 太郎 (A001) has 410.5 hours a month in this file, more than 400."),
    ]


def test_it_rejects_a_wide_column_adding_up_to_more_than_400(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([[*INVOICE, 1, 300], [*PAYROLL, 1, 101]],
                                         header=[*WIDE, "A001", "鈴木 花子"])) == [
        (2, "鈴木 花子", "401",
         "鈴木 花子 (A002) has 401 hours a month in this file, more than 400."),
    ]


def test_it_rejects_unknown_people_once_each_with_their_rows(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([
        ["Z999", None, *INVOICE, 1], ["A001", None, *INVOICE, 1], ["Z999", None, *PAYROLL, 1],
        [None, "存在 しない", *INVOICE, 1],
    ])) == [
        (2, "社員番号", "Z999",
         "No person with 社員番号 “Z999” is registered. (2 rows: 2, 4)"),
        (5, "氏名", "存在 しない", "No registered person is named “存在 しない”."),
    ]


def test_it_rejects_a_name_shared_by_several_people(org_a, round_a, people_a):
    with tenancy.activate(org_a):
        from somu.org import services as org_services

        org_services.person_create(actor=None, data={"employee_number": "A010",
                                                     "name": "山田 太郎"})
    assert rejected(org_a, round_a, xlsx([[None, "山田太郎", *INVOICE, 1]])) == [
        (2, "氏名", "山田太郎", "“山田太郎” matches several people: 山田 太郎 (A001), "
                             "山田 太郎 (A010); use the 社員番号."),
    ]


def test_it_rejects_an_unknown_person_column_in_a_wide_file(org_a, round_a):
    header = [*WIDE, "A001", "Z999 誰か", "A002 山田 太郎"]
    assert rejected(org_a, round_a, xlsx([[*INVOICE, 1, 2, 3]], header=header)) == [
        (1, "Z999 誰か", "Z999 誰か", "No registered person matches this column; head it with "
         "the 社員番号, the name, or both (A001 山田 太郎)."),
        (1, "A002 山田 太郎", "A002 山田 太郎", "社員番号 A002 is 鈴木 花子, not 山田 太郎."),
    ]


def test_it_rejects_unknown_tasks_unless_asked_to_create_them(org_a, round_a):
    new = ["法務", "契約", "審査", "契約書審査"]
    assert rejected(org_a, round_a, xlsx([["A001", None, *new, 1], ["A002", None, *new, 1]])) == [
        (2, "業務名", "契約書審査", "The task “法務 > 契約 > 審査 > 契約書審査” is not in the "
         "inventory: add it, or import with “create unknown tasks”."),
    ]


def test_it_rejects_the_same_person_and_task_twice(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([
        ["A001", None, *INVOICE, 1], ["A002", None, *INVOICE, 1], [None, "山田 太郎", *INVOICE, 2],
    ])) == [
        (4, "業務名", "請求書発行", "Rows 2 and 4 are both for 山田 太郎 (A001) and this task."),
    ]


def test_it_rejects_the_same_task_twice_in_a_wide_file(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([[*INVOICE, 1], [*INVOICE, 2]],
                                         header=[*WIDE, "A001"])) == [
        (3, "業務名", "請求書発行", "Rows 2 and 3 are for the same task."),
    ]


def test_it_rejects_a_bad_capability_level(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([["A001", None, *INVOICE, 1, 5]],
                                         header=[*LONG, "対応可能レベル"])) == [
        (2, "対応可能レベル", "5",
         "Capability level is 0 (cannot) to 4 (can teach), e.g. 3 or 3:一人で可."),
    ]


def test_it_rejects_a_bad_flag(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([["A001", None, *INVOICE, 1, "たぶん"]],
                                         header=[*LONG, "外注可否"])) == [
        (2, "外注可否", "たぶん", "Write ○ or × (also 可/不可, はい/いいえ, Yes/No, 1/0)."),
    ]


def test_it_rejects_a_bad_difficulty(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([["A001", None, *INVOICE, 1, 6]],
                                         header=[*LONG, "難易度"])) == [
        (2, "難易度", "6", "Difficulty is a whole number from 1 to 5."),
    ]


def test_it_rejects_a_task_given_two_different_attributes(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([["A001", None, *INVOICE, 1, 2],
                                          ["A002", None, *INVOICE, 1, 3]],
                                         header=[*LONG, "難易度"])) == [
        (3, "難易度", "3", "Row 2 gives this task a different 難易度 (2)."),
    ]


def test_it_rejects_a_bad_month_value(org_a, round_a):
    months = [None] * 12
    months[8] = "たくさん"
    assert rejected(org_a, round_a, xlsx([["A001", None, *YEAR_END, None, *months]],
                                         header=[*LONG, *MONTHS])) == [
        (2, "12月", "たくさん", "Enter a number of hours."),
    ]


def test_it_rejects_a_file_missing_required_columns(org_a, round_a):
    assert rejected(org_a, round_a, csv([["A001", "経理財務", "1"]],
                                        header=["社員番号", "部門", "月間工数"])) == [
        (1, "大分類", "", "Required column “大分類” is missing from the header row."),
        (1, "業務名", "", "Required column “業務名” is missing from the header row."),
    ]


def test_it_rejects_a_long_file_without_hours_columns(org_a, round_a):
    assert rejected(org_a, round_a, csv([["A001", *INVOICE]], header=LONG[:1] + LONG[2:6])) == [
        (1, "月間工数(時間)", "",
         "The file needs a “月間工数(時間)” column or the month columns 4月 … 3月."),
    ]


def test_it_rejects_a_row_without_person_or_task_name(org_a, round_a):
    assert rejected(org_a, round_a, xlsx([[None, None, *INVOICE, 1],
                                          ["A001", None, *INVOICE[:3], None, 1]])) == [
        (2, "社員番号", "", "社員番号 or 氏名 is required."),
        (3, "業務名", "", "業務名 is required."),
    ]


def test_it_rejects_a_file_that_is_neither_csv_nor_xlsx(org_a, round_a):
    assert rejected(org_a, round_a, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == [
        (None, "", "", "This is not a CSV or Excel (.xlsx) file."),
    ]


def test_it_rejects_an_old_excel_file(org_a, round_a):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100
    assert rejected(org_a, round_a, data)[0][3] == \
        "Old Excel (.xls) files cannot be read; save the file as .xlsx."


def test_one_bad_row_rejects_the_whole_file_and_every_error_is_listed(org_a, round_a):
    errors = rejected(org_a, round_a, xlsx([
        ["A001", None, *INVOICE, 10],
        ["A002", None, *PAYROLL, -1],
        ["Z999", None, *RECEPTION, 1],
        ["A003", None, "法務", "契約", "審査", "契約書審査", 1],
    ]))
    assert [(row, column) for row, column, _v, _r in errors] == [
        (3, "月間工数(時間)"), (4, "社員番号"), (5, "業務名")]


# ---- organizations are isolated ------------------------------------------------------------------


def test_people_and_tasks_of_another_organization_are_unknown(org_a, round_a, org_b, people_b):
    with tenancy.activate(org_b):
        Task.objects.create(function="総務", category="庶務", subcategory="", name="Bだけの業務")
    errors = rejected(org_a, round_a, xlsx([["B001", None, *INVOICE, 1],
                                            ["A001", None, "総務", "庶務", "", "Bだけの業務", 1]]))
    assert [(row, column, value) for row, column, value, _r in errors] == [
        (2, "社員番号", "B001"), (3, "業務名", "Bだけの業務")]
    with tenancy.activate(org_b):
        assert WorkHours.objects.count() == 0


# ---- the templates -------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_templates_import_into_an_inventory_with_their_tasks(org_a, round_a, layout, fmt):
    data = hours_template_xlsx(layout) if fmt == "xlsx" else hours_template_csv(layout)
    result = run(org_a, round_a, data, create_tasks=True)
    assert result.layout == layout
    assert result.tasks_created == 0  # the examples use the starter inventory's tasks
    assert hours(org_a)[("A001", "請求書発行")] == Decimal("20.00")


def test_the_excel_template_explains_every_column(org_a):
    workbook = load_workbook(io.BytesIO(hours_template_xlsx("long")))
    assert workbook.sheetnames == ["工数", "記入方法"]
    header = [c.value for c in next(workbook["工数"].iter_rows(max_row=1))]
    assert header[:7] == LONG and header[7:19] == MONTHS
    explained = {row[0] for row in workbook["記入方法"].iter_rows(values_only=True)}
    assert {"社員番号", "月間工数(時間)", "4月 … 3月", "対応可能レベル"} <= explained
