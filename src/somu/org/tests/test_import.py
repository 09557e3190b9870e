"""Importing people from Excel and CSV: upsert by 社員番号, department paths, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from somu.audit.models import AuditEvent
from somu.audit.selectors import audit_chain_verify
from somu.core import tenancy
from somu.core.tabular import ImportFailed
from somu.org.importing import ImportResult, people_import
from somu.org.models import Department, EmploymentType, Organization, Person, Position

HEADER = ["社員番号", "氏名", "ふりがな", "部署", "等級", "雇用形態", "入社日", "上長社員番号",
          "メール", "役職"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Messages are asserted in their English msgids, whatever catalog is installed.
    with translation.override("en"):
        yield


def xlsx(rows: list[list[object]], header: list[str] = HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv(rows: list[list[str]], encoding: str = "utf-8", header: list[str] = HEADER) -> bytes:
    lines = [",".join(header), *(",".join(row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def run(org: Organization, data: bytes | Path, actor=None, **options) -> ImportResult:
    with tenancy.activate(org):
        return people_import(actor=actor, source=data, filename="people.xlsx", **options)


def state(org: Organization) -> tuple:
    with tenancy.activate(org):
        people = sorted(Person.objects.values_list(
            "employee_number", "name", "name_kana", "email", "department_id", "grade_id",
            "employment_type", "hire_date", "manager_id", "position_id", "updated_at"))
        return (people, Department.objects.count(), AuditEvent.objects.count())


def rejected(org: Organization, data: bytes, **options) -> list[tuple]:
    """The errors the import reports, having checked that it changed nothing."""
    before = state(org)
    with pytest.raises(ImportFailed) as caught:
        run(org, data, **options)
    assert state(org) == before
    return [(e.row, e.column, e.value, e.reason) for e in caught.value.errors]


def person(org: Organization, number: str) -> Person:
    with tenancy.activate(org):
        return Person.objects.select_related("department", "grade", "manager").get(
            employee_number=number)


# ---- creating and updating -----------------------------------------------------------------------


def test_it_creates_people_with_every_column(org_a, people_a):
    result = run(org_a, xlsx([
        ["A010", "高橋 一郎", "たかはし いちろう", "管理本部/総務部", "G2", "契約社員",
         dt.datetime(2024, 4, 1), "A001", "takahashi@a.example"],
    ]))
    assert result == ImportResult(rows=1, created=1, updated=0, unchanged=0,
                                  departments_created=0)
    p = person(org_a, "A010")
    assert (p.name, p.name_kana) == ("高橋 一郎", "たかはし いちろう")
    assert p.email == "takahashi@a.example"
    assert p.department == people_a.somu
    assert p.grade == people_a.g2
    assert p.employment_type == EmploymentType.CONTRACT
    assert p.hire_date == dt.date(2024, 4, 1)
    assert p.manager == people_a.yamada


def test_empty_cells_leave_a_new_person_empty_and_regular(org_a, people_a):
    run(org_a, xlsx([["A010", "高橋 一郎", None, None, None, None, None, None, None]]))
    p = person(org_a, "A010")
    assert (p.name_kana, p.email, p.department, p.grade, p.hire_date, p.manager) == (
        "", "", None, None, None, None)
    assert p.employment_type == EmploymentType.REGULAR


@pytest.mark.parametrize("label, code", [
    ("正社員", "regular"), ("契約社員", "contract"), ("パート・アルバイト", "part_time"),
    ("パート", "part_time"), ("アルバイト", "part_time"), ("ﾊﾟｰﾄ･ｱﾙﾊﾞｲﾄ", "part_time"),
    ("派遣", "dispatched"), ("dispatched", "dispatched"), ("part_time", "part_time"),
])
def test_it_accepts_employment_types_as_japanese_labels_or_codes(org_a, people_a, label, code):
    run(org_a, xlsx([["A010", "高橋", None, None, None, label, None, None, None]]))
    assert person(org_a, "A010").employment_type == code


MISSING_DEPARTMENTS = [
    ["A010", "高橋", None, "管理本部/経理部/税務課", None, None, None, None, None],
    ["A011", "伊藤", None, "管理本部／経理部", None, None, None, None, None],
    ["A012", "渡辺", None, "営業本部", None, None, None, None, None],
]


def test_an_unknown_department_is_an_error_unless_creating_departments_is_asked(org_a, people_a):
    assert rejected(org_a, xlsx(MISSING_DEPARTMENTS)) == [
        (2, "部署", "管理本部/経理部/税務課", "Department “管理本部/経理部” does not exist. "
         "Correct the path, or tick “Create departments” to create it."),
        (3, "部署", "管理本部/経理部", "Department “管理本部/経理部” does not exist. "
         "Correct the path, or tick “Create departments” to create it."),
        (4, "部署", "営業本部", "Department “営業本部” does not exist. "
         "Correct the path, or tick “Create departments” to create it."),
    ]


def test_a_typo_in_a_department_is_not_created(org_a, people_a):
    errors = rejected(org_a, xlsx([["A002", "鈴木 花子", None, "管理本部/総部部"]],
                                  header=HEADER[:4]))
    assert [(row, column, value) for row, column, value, _r in errors] == [
        (2, "部署", "管理本部/総部部")]


def test_it_creates_missing_departments_along_the_path(org_a, people_a):
    result = run(org_a, xlsx(MISSING_DEPARTMENTS), create_departments=True)
    assert result.departments_created == 3
    assert result.departments == ("営業本部", "管理本部/経理部", "管理本部/経理部/税務課")
    with tenancy.activate(org_a):
        keiri = Department.objects.get(name="経理部")
        zeimu = Department.objects.get(name="税務課")
        eigyo = Department.objects.get(name="営業本部")
        assert keiri.parent == people_a.honbu
        assert zeimu.parent == keiri
        assert eigyo.parent is None
        # A new department comes after its existing siblings (総務部, 人事部).
        assert keiri.sort_order > people_a.jinji.sort_order
        assert Department.objects.filter(name="管理本部").count() == 1
    assert person(org_a, "A010").department == zeimu
    assert person(org_a, "A011").department == keiri


def test_it_updates_existing_people_and_empty_cells_keep_their_values(org_a, people_a):
    result = run(org_a, xlsx([
        # 鈴木: new grade and department; kana, hire date, manager, email left empty.
        ["A002", "鈴木 花子", None, "管理本部/人事部", "G2", None, None, None, None],
        # 佐藤: exactly as registered.
        ["A003", "佐藤 健", "さとう けん", "管理本部/人事部", "G2", "正社員", None, None, None],
        ["A010", "高橋 一郎", None, None, None, None, None, None, None],
    ]))
    assert result == ImportResult(rows=3, created=1, updated=1, unchanged=1,
                                  departments_created=0)
    suzuki = person(org_a, "A002")
    assert suzuki.grade == people_a.g2
    assert suzuki.department == people_a.jinji
    assert suzuki.name_kana == "すずき はなこ"
    assert suzuki.hire_date == dt.date(2022, 4, 1)
    assert suzuki.manager == people_a.yamada
    with tenancy.activate(org_a):
        assert Person.objects.count() == 5


def test_a_dash_clears_an_optional_field_on_update(org_a, people_a):
    run(org_a, xlsx([["A002", "鈴木 花子", "-", "-", "-", None, "-", "-", "-"]]))
    suzuki = person(org_a, "A002")
    assert (suzuki.name_kana, suzuki.department, suzuki.grade, suzuki.hire_date,
            suzuki.manager, suzuki.email) == ("", None, None, None, None, "")
    assert suzuki.employment_type == EmploymentType.REGULAR


def test_columns_missing_from_the_file_are_kept(org_a, people_a):
    run(org_a, xlsx([["A001", "山田 太郎（改）"]], header=["社員番号", "氏名"]))
    yamada = person(org_a, "A001")
    assert yamada.name == "山田 太郎（改）"
    assert yamada.grade == people_a.g3
    assert yamada.email == "yamada@a.example"


def test_a_manager_may_be_a_later_row_of_the_same_file(org_a, people_a):
    run(org_a, xlsx([
        ["A010", "部下", None, None, None, None, None, "A011", None],
        ["A011", "上司", None, None, None, None, None, "A001", None],
    ]))
    assert person(org_a, "A010").manager == person(org_a, "A011")
    assert person(org_a, "A011").manager == people_a.yamada


def test_it_normalizes_full_width_employee_numbers(org_a, people_a):
    result = run(org_a, xlsx([["Ａ００２", "鈴木 花子"], ["１２３", "新人"]],
                             header=["社員番号", "氏名"]))
    assert (result.created, result.unchanged) == (1, 1)
    assert person(org_a, "123").name == "新人"


def test_numeric_employee_numbers_from_excel_are_read_as_text(org_a, people_a):
    run(org_a, xlsx([[1001, "数字", None], [1002.0, "小数", 1001]],
                    header=["社員番号", "氏名", "上長社員番号"]))
    assert person(org_a, "1001").name == "数字"
    assert person(org_a, "1002").manager == person(org_a, "1001")


@pytest.mark.parametrize("written", ["2024-04-01", "2024/4/1", "R6.4.1", "令和6年4月1日"])
def test_it_reads_hire_dates_as_people_write_them(org_a, people_a, written):
    run(org_a, csv([["A010", "高橋", "", "", "", "", written, "", ""]]))
    assert person(org_a, "A010").hire_date == dt.date(2024, 4, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_it_imports_csv_in_utf8_with_or_without_bom_and_cp932(org_a, people_a, encoding):
    result = run(org_a, csv([
        ["A010", "髙橋 一郎", "たかはし", "管理本部/総務部", "G1", "パート", "2024/4/1", "A001",
         "t@a.example"],
    ], encoding=encoding))
    assert result.created == 1
    p = person(org_a, "A010")
    assert (p.name, p.department, p.employment_type) == ("髙橋 一郎", people_a.somu, "part_time")


def test_it_imports_a_file_from_a_path(org_a, people_a, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx([["A010", "高橋"]], header=["社員番号", "氏名"]))
    assert run(org_a, path).created == 1


# ---- the audit log -------------------------------------------------------------------------------


def test_it_records_one_audit_event_per_change_and_a_summary(org_a, people_a, admin_a):
    run(org_a, xlsx([
        ["A002", "鈴木 花子", None, None, "G2", None, None, None, None],
        ["A003", "佐藤 健", None, None, None, None, None, None, None],
        ["A010", "高橋", None, "新本部", None, None, None, None, None],
    ]), actor=admin_a, create_departments=True)
    with tenancy.activate(org_a):
        events = list(AuditEvent.objects.filter(actor_label="admin_a").order_by("seq"))
    assert [e.action for e in events] == [
        "department.create", "person.create", "person.update", "person.import"
    ]
    update = next(e for e in events if e.action == "person.update")
    assert update.object_repr == "鈴木 花子 (A002)"
    assert update.changes == {"grade": [people_a.g1.pk, people_a.g2.pk]}
    create = next(e for e in events if e.action == "person.create")
    assert create.changes["name"] == [None, "高橋"]
    assert create.changes["employee_number"] == [None, "A010"]
    summary = events[-1]
    assert summary.changes == {"rows": [None, 3], "created": [None, 1], "updated": [None, 1],
                               "unchanged": [None, 1], "departments_created": [None, 1]}
    assert summary.object_repr == "people.xlsx"
    assert audit_chain_verify(organization_id=org_a.pk).ok


# ---- bad files: one test per kind of error, each leaving the database unchanged ------------------


def test_it_rejects_an_unknown_grade(org_a, people_a):
    assert rejected(org_a, xlsx([["A010", "高橋", None, None, "G9", None, None, None, None]])) == [
        (2, "等級", "G9", "Grade “G9” is not registered."),
    ]


def test_it_rejects_an_employee_number_given_twice(org_a, people_a):
    assert rejected(org_a, xlsx([["A010", "高橋"], ["A011", "伊藤"], ["A010", "渡辺"]],
                                header=["社員番号", "氏名"])) == [
        (4, "社員番号", "A010", "Employee number “A010” also appears in row 2."),
    ]


def test_it_rejects_a_bad_date(org_a, people_a):
    assert rejected(org_a, csv([["A010", "高橋", "", "", "", "", "2024/2/30", "", ""]])) == [
        (2, "入社日", "2024/2/30", "“2024/2/30” is not a date: write it like 2024-04-01 or "
                                  "2024/4/1."),
    ]


def test_it_rejects_a_manager_cycle(org_a, people_a):
    # 山田 (A001) would report to 鈴木 (A002), who reports to 山田.
    assert rejected(org_a, xlsx([
        ["A001", "山田 太郎", None, None, None, None, None, "A002", None],
    ])) == [
        (2, "上長社員番号", "A002",
         "This manager would create a reporting cycle: A001 → A002 → A001."),
    ]


def test_it_rejects_a_cycle_made_only_of_new_rows(org_a, people_a):
    errors = rejected(org_a, xlsx([
        ["A010", "一", None, None, None, None, None, "A011", None],
        ["A011", "二", None, None, None, None, None, "A010", None],
    ]))
    assert [(row, column) for row, column, _v, _r in errors] == [(2, "上長社員番号"),
                                                                  (3, "上長社員番号")]
    assert all("reporting cycle" in reason for *_x, reason in errors)


def test_it_rejects_a_person_managing_themselves(org_a, people_a):
    data = xlsx([["A010", "高橋", None, None, None, None, None, "A010", None]])
    assert rejected(org_a, data) == [
        (2, "上長社員番号", "A010", "A person cannot be their own manager."),
    ]


def test_it_rejects_an_unknown_manager(org_a, people_a):
    data = xlsx([["A010", "高橋", None, None, None, None, None, "Z999", None]])
    assert rejected(org_a, data) == [
        (2, "上長社員番号", "Z999",
         "No person with employee number “Z999” is registered or in this file."),
    ]


def test_it_rejects_an_unknown_employment_type(org_a, people_a):
    data = xlsx([["A010", "高橋", None, None, None, "嘱託", None, None, None]])
    assert rejected(org_a, data) == [
        (2, "雇用形態", "嘱託",
         "Unknown employment type “嘱託”: use 正社員, 契約社員, パート・アルバイト or 派遣."),
    ]


def test_it_rejects_a_row_without_employee_number_or_name(org_a, people_a):
    somu = "管理本部/総務部"
    assert rejected(org_a, xlsx([[None, "高橋", somu], ["A011", "  ", somu]],
                                header=["社員番号", "氏名", "部署"])) == [
        (2, "社員番号", "", "社員番号 is required."),
        (3, "氏名", "", "氏名 is required."),
    ]


def test_it_rejects_a_bad_email(org_a, people_a):
    assert rejected(org_a, xlsx([["A010", "高橋", None, None, None, None, None, None,
                                  "takahashi@"]])) == [
        (2, "メール", "takahashi@", "“takahashi@” is not a valid email address."),
    ]


def test_it_rejects_a_value_too_long_for_its_field(org_a, people_a):
    assert rejected(org_a, xlsx([["A" * 33, "高橋"]], header=["社員番号", "氏名"])) == [
        (2, "社員番号", "A" * 33, "Too long: at most 32 characters."),
    ]


def test_it_rejects_a_department_path_with_an_empty_part(org_a, people_a):
    assert rejected(org_a, xlsx([["A010", "高橋", None, "管理本部//総務部"]],
                                header=["社員番号", "氏名", "ふりがな", "部署"])) == [
        (2, "部署", "管理本部//総務部",
         "Department path has an empty part; write it like 管理本部/総務部."),
    ]


def test_it_rejects_a_file_missing_a_required_header(org_a, people_a):
    assert rejected(org_a, csv([["A010", "総務部"]], header=["社員番号", "部署"])) == [
        (1, "氏名", "", "Required column “氏名” is missing from the header row."),
    ]


def test_it_rejects_a_csv_in_an_unknown_encoding(org_a, people_a):
    data = "社員番号,氏名\r\nA010,".encode() + b"\x81\x20\xff\x80\r\n"
    assert rejected(org_a, data) == [
        (None, "", "", "Unknown text encoding; save the CSV as UTF-8 or Shift_JIS (CP932)."),
    ]


def test_it_rejects_a_file_that_is_neither_csv_nor_xlsx(org_a, people_a):
    assert rejected(org_a, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == [
        (None, "", "", "This is not a CSV or Excel (.xlsx) file."),
    ]


def test_one_bad_row_rejects_the_whole_file_and_every_error_is_listed(org_a, people_a):
    errors = rejected(org_a, xlsx([
        ["A002", "鈴木 花子（改）", None, "新本部/新部", "G1", None, None, None, None],
        ["A010", "高橋", None, None, "G9", "嘱託", "昨日", "Z999", "bad"],
        ["A011", "伊藤", None, None, None, None, None, None, None],
    ]))
    assert [(row, column) for row, column, _v, _r in errors] == [
        (2, "部署"), (3, "等級"), (3, "雇用形態"), (3, "入社日"), (3, "上長社員番号"),
        (3, "メール"),
    ]
    assert person(org_a, "A002").name == "鈴木 花子"


def test_an_unknown_department_is_listed_with_the_rows_other_errors_in_one_pass(org_a, people_a):
    errors = rejected(org_a, xlsx([
        ["A010", "高橋", None, "管理本部/総務課", "G9", None, "2026/13/45", None, "bad"],
    ]))
    assert errors == [
        (2, "部署", "管理本部/総務課", "Department “管理本部/総務課” does not exist. Correct the "
                                      "path, or tick “Create departments” to create it."),
        (2, "等級", "G9", "Grade “G9” is not registered."),
        (2, "入社日", "2026/13/45",
         "“2026/13/45” is not a date: write it like 2024-04-01 or 2024/4/1."),
        (2, "メール", "bad", "“bad” is not a valid email address."),
    ]


def test_the_person_services_rules_are_import_errors_naming_row_column_and_value(
        org_a, people_a):
    data = xlsx([
        ["A010", "高橋 一郎", "Takahashi", None, None, None, "2026-04-01"],
        ["A011", "伊藤 二郎", "いとう じろう", None, None, None, "2030-04-01"],
    ], header=HEADER[:7])
    before = state(org_a)
    with tenancy.activate(org_a), pytest.raises(ImportFailed) as caught:
        people_import(actor=None, source=data, filename="people.xlsx",
                      today=dt.date(2026, 4, 1))
    assert state(org_a) == before
    assert [(e.row, e.column, e.value, e.reason) for e in caught.value.errors] == [
        (2, "ふりがな", "Takahashi", "Write the furigana in hiragana or katakana."),
        (3, "入社日", "2030-04-01",
         "The hire date is more than 2 years ahead (after 2028-04-01); check it."),
    ]


# ---- organizations are isolated ------------------------------------------------------------------


def test_importing_into_one_organization_never_touches_another(org_a, people_a, org_b, people_b):
    before_b = state(org_b)
    result = run(org_a, xlsx([["B001", "エーの木村", None, "総務部"]], header=HEADER[:4]),
                 create_departments=True)
    assert (result.created, result.updated, result.departments_created) == (1, 0, 1)
    assert state(org_b) == before_b
    assert person(org_b, "B001").name == "木村 拓也"
    assert person(org_a, "B001").organization_id == org_a.pk


def test_a_manager_of_another_organization_is_unknown(org_a, people_a, org_b, people_b):
    assert rejected(org_a, xlsx([["A010", "高橋", None, None, None, None, None, "B001", None]]))[0][
        3] == "No person with employee number “B001” is registered or in this file."


# ---- the template --------------------------------------------------------------------------------


# ---- 役職 (positions) ------------------------------------------------------------------------


def position_of(org: Organization, number: str) -> str | None:
    p = person(org, number)
    return p.position.name if p.position_id else None


def test_the_position_column_sets_a_position_by_its_name(org_a, people_a):
    with tenancy.activate(org_a):
        Position.objects.create(name="カカリチョウ", rank=5)
    result = run(org_a, xlsx([
        ["A010", "高橋 一郎", None, None, None, None, None, None, None, "課長"],
        ["A001", "山田 太郎", None, None, None, None, None, None, None, "部 長"],
        ["A002", "鈴木 花子", None, None, None, None, None, None, None, "ｶｶﾘﾁｮｳ"],
    ]))
    assert (result.created, result.updated) == (1, 2)
    assert [position_of(org_a, n) for n in ("A010", "A001", "A002")] == [
        "課長", "部長", "カカリチョウ"]
    assert [line.columns for line in result.updated_people] == [("役職",), ("役職",)]


def test_an_empty_position_cell_keeps_it_and_a_dash_clears_it(org_a, people_a):
    run(org_a, xlsx([["A001", "山田 太郎", None, None, None, None, None, None, None, "部長"]]))
    result = run(org_a, xlsx([["A001", "山田 太郎", None, None, None, None, None, None, None,
                               None]]))
    assert result.unchanged == 1 and position_of(org_a, "A001") == "部長"
    run(org_a, xlsx([["A001", "山田 太郎", None, None, None, None, None, None, None, "-"]]))
    assert position_of(org_a, "A001") is None


def test_a_new_person_with_an_empty_position_has_none(org_a, people_a):
    run(org_a, xlsx([["A010", "高橋", None, None, None, None, None, None, None, None]]))
    assert position_of(org_a, "A010") is None


def test_it_rejects_an_unknown_position_listing_row_column_value_and_reason(org_a, people_a):
    assert rejected(org_a, xlsx([
        ["A001", "山田 太郎", None, None, None, None, None, None, None, "部長"],
        ["A010", "高橋", None, None, "G9", None, None, None, None, "専務"],
    ])) == [
        (3, "等級", "G9", "Grade “G9” is not registered."),
        (3, "役職", "専務", "Position “専務” is not registered."),
    ]


def test_a_position_of_another_organization_is_unknown(org_a, people_a, org_b):
    with tenancy.activate(org_b):
        Position.objects.create(name="ビー顧問", rank=2)
    assert rejected(org_a, xlsx([["A001", "山田", None, None, None, None, None, None, None,
                                  "ビー顧問"]])) == [
        (2, "役職", "ビー顧問", "Position “ビー顧問” is not registered.")]


def test_the_position_column_is_read_under_its_aliases(org_a, people_a):
    run(org_a, csv([["A001", "山田 太郎", "係長"]], header=["社員番号", "氏名", "役職名"]))
    assert position_of(org_a, "A001") == "係長"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_downloads_and_imports_cleanly(client_as, admin_a, org_a, people_a, fmt):
    response = client_as(admin_a, org_a).get(reverse("org:people_import_template", args=[fmt]))
    assert response.status_code == 200
    assert f"somu-people-import.{fmt}" in response["Content-Disposition"]
    result = run(org_a, response.content)
    assert result == ImportResult(rows=0, created=0, updated=0, unchanged=0, departments_created=0)


def test_the_excel_template_has_the_headers_and_notes(client_as, admin_a, org_a, people_a):
    content = client_as(admin_a, org_a).get(
        reverse("org:people_import_template", args=["xlsx"])).content
    workbook = load_workbook(io.BytesIO(content))
    data, notes = workbook.worksheets
    assert [c.value for c in data[1]] == HEADER
    text = "\n".join(str(c.value) for row in notes.iter_rows() for c in row if c.value)
    assert "空欄のセルは現在の値を残します" in text
    assert "G1, G2, G3" in text
    assert "社長, 本部長, 部長, 課長, 係長, 一般" in text
    # The filled-in template imports like any other file.
    data.append(["A010", "高橋", None, "管理本部/総務部", "G1", "派遣", dt.date(2024, 4, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(org_a, buffer.getvalue()).created == 1


def test_the_csv_template_opens_in_excel_as_utf8(client_as, admin_a, org_a):
    content = client_as(admin_a, org_a).get(
        reverse("org:people_import_template", args=["csv"])).content
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.decode("utf-8-sig").strip() == ",".join(HEADER)


def test_an_unknown_template_format_is_not_found(client_as, admin_a, org_a):
    url = reverse("org:people_import_template", args=["pdf"])
    assert client_as(admin_a, org_a).get(url).status_code == 404


# ---- the page ------------------------------------------------------------------------------------


def upload(client, data: bytes, name: str = "people.xlsx", data_: dict | None = None,
           **headers):
    return client.post(reverse("org:people_import"),
                       {"file": SimpleUploadedFile(name, data), **(data_ or {})},
                       HTTP_ACCEPT_LANGUAGE="en", **headers)


def test_the_page_shows_the_form_templates_and_columns(client_as, staff_a, org_a):
    response = client_as(staff_a, org_a).get(reverse("org:people_import"),
                                              HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in body
    assert 'hx-encoding="multipart/form-data"' in body
    assert "<progress" in body
    assert reverse("org:people_import_template", args=["xlsx"]) in body
    assert reverse("org:people_import_template", args=["csv"]) in body
    for column in HEADER:
        assert column in body


def token_of(body: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match, "the preview offers to confirm"
    return match.group(1)


def confirm(client, token: str, **headers):
    return client.post(reverse("org:people_import"), {"token": token}, **headers)


def test_uploading_a_file_previews_it_and_saves_nothing(client_as, staff_a, org_a, people_a):
    before = state(org_a)
    response = upload(client_as(staff_a, org_a), xlsx([
        ["A002", "鈴木 花子", None, "管理本部/経理部", "G2", None, None, None, None],
        ["A003", "佐藤 健", None, None, None, None, None, None, None],
        ["A010", "高橋", None, "管理本部/経理部", None, None, None, None, None],
    ]), data_={"create_departments": "on"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body  # without JavaScript the whole page comes back
    assert "people.xlsx の確認結果" in body
    assert "追加 1 人、更新 1 人、変更なし 1 人。" in body
    assert "まだ何も保存していません。" in body
    assert "<li>管理本部/経理部</li>" in body  # the department it would create
    assert "<td class=\"num\">4</td><td>A010</td><td>高橋</td>" in body
    assert "<td>A002</td><td>鈴木 花子</td><td>部署、等級</td>" in body
    assert state(org_a) == before


def test_confirming_the_preview_imports_the_same_file(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    preview = upload(client, xlsx([
        ["A002", "鈴木 花子", None, None, "G2", None, None, None, None],
        ["A010", "高橋", None, "管理本部/経理部", None, None, None, None, None],
    ]), data_={"create_departments": "on"}).content.decode()
    response = confirm(client, token_of(preview))
    body = response.content.decode()
    assert "追加 1 人、更新 1 人、変更なし 0 人、作成した部署 1。" in body
    assert person(org_a, "A010").department.name == "経理部"
    assert person(org_a, "A002").grade == people_a.g2
    with tenancy.activate(org_a):
        assert AuditEvent.objects.get(action="person.import").actor_label == "staff_a"
    # The kept file is gone: the same token cannot import twice.
    before = state(org_a)
    again = confirm(client, token_of(preview)).content.decode()
    assert "この確認結果は期限切れか、すでに取り込み済みです。" in again
    assert state(org_a) == before


def test_an_unknown_department_is_listed_until_creating_departments_is_ticked(
        client_as, staff_a, org_a, people_a):
    data = xlsx([["A010", "高橋", None, "管理本部/総部部"]], header=HEADER[:4])
    body = upload(client_as(staff_a, org_a), data).content.decode()
    assert "部署「管理本部/総部部」はありません。" in body
    assert 'name="token"' not in body
    body = upload(client_as(staff_a, org_a), data,
                  data_={"create_departments": "on"}).content.decode()
    assert "<li>管理本部/総部部</li>" in body


def test_a_preview_token_is_refused_to_another_user_or_when_expired(
        client_as, staff_a, admin_a, org_a, people_a, time_machine):
    time_machine.move_to(dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC))
    preview = upload(client_as(staff_a, org_a),
                     xlsx([["A010", "高橋"]], header=["社員番号", "氏名"])).content.decode()
    token = token_of(preview)
    before = state(org_a)
    expired = "この確認結果は期限切れか、すでに取り込み済みです。"
    assert expired in confirm(client_as(admin_a, org_a), token).content.decode()
    assert expired in confirm(client_as(staff_a, org_a), token + "x").content.decode()
    time_machine.move_to(dt.datetime(2026, 4, 1, 10, 1, tzinfo=dt.UTC))
    assert expired in confirm(client_as(staff_a, org_a), token).content.decode()
    assert state(org_a) == before


def test_a_bad_upload_shows_every_error_and_changes_nothing(client_as, staff_a, org_a, people_a):
    before = state(org_a)
    response = upload(client_as(staff_a, org_a), csv([
        ["A002", "鈴木 花子（改）", "", "", "G1", "", "", "", ""],
        ["A010", "高橋", "", "", "G9", "", "", "", ""],
    ], encoding="cp932"), name="people.csv")
    body = response.content.decode()
    assert "ファイルに 1 件のエラーがあります。何も取り込んでいません。" in body
    assert "<td class=\"num\">3</td><td>等級</td><td>G9</td>" in body
    assert "等級「G9」は登録されていません。" in body
    assert state(org_a) == before


def test_with_htmx_only_the_result_is_returned(client_as, staff_a, org_a, people_a):
    response = upload(client_as(staff_a, org_a),
                      xlsx([["A010", "高橋"]], header=["社員番号", "氏名"]), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "追加 1 人、更新 0 人、変更なし 0 人。" in body


def test_posting_without_a_file_asks_for_one(client_as, staff_a, org_a):
    response = client_as(staff_a, org_a).post(reverse("org:people_import"), {},
                                              HTTP_ACCEPT_LANGUAGE="en")
    assert "取り込む .xlsx または .csv ファイルを選んでください。" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused(client_as, staff_a, org_a, people_a, settings):
    settings.SOMU_IMPORT_MAX_BYTES = 100
    before = state(org_a)
    response = upload(client_as(staff_a, org_a), csv([["A010", "高橋"]] * 20,
                                                      header=["社員番号", "氏名"]), name="big.csv")
    assert "ファイルが大きすぎます。最大 100" in response.content.decode()
    assert state(org_a) == before


@pytest.mark.parametrize("who", ["employee_a", "manager_a", "auditor_a"])
def test_only_people_allowed_to_import_may_use_the_pages(client_as, org_a, people_a, who, request):
    client = client_as(request.getfixturevalue(who), org_a)
    before = state(org_a)
    assert client.get(reverse("org:people_import")).status_code == 403
    assert upload(client, xlsx([["A010", "高橋"]], header=["社員番号", "氏名"])).status_code == 403
    assert client.get(reverse("org:people_import_template", args=["xlsx"])).status_code == 403
    assert state(org_a) == before


def test_the_people_list_links_to_the_import_page(client_as, staff_a, org_a):
    body = client_as(staff_a, org_a).get(reverse("org:person_list")).content.decode()
    assert reverse("org:people_import") in body


# ---- the command line ----------------------------------------------------------------------------


def test_the_command_imports_a_file(org_a, people_a, admin_a, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_bytes(csv([["A010", "高橋", "", "管理本部/総務部", "G1", "", "", "", ""]],
                         encoding="cp932"))
    out = io.StringIO()
    call_command("import_people", str(path), "--org", "org-a", "--actor", "admin_a", stdout=out)
    assert out.getvalue().strip() == (
        "Imported people.csv into org-a: created 1, updated 0, unchanged 0; "
        "departments created: 0."
    )
    assert person(org_a, "A010").grade == people_a.g1
    with tenancy.activate(org_a):
        assert AuditEvent.objects.get(action="person.create", object_repr="高橋 (A010)"
                                      ).actor_label == "admin_a"


def test_the_command_prints_every_error_and_fails(org_a, people_a, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx([["A010", "高橋", None, None, "G9", None, "2024/13/1", None, None]]))
    before = state(org_a)
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^2 errors in people\.xlsx; nothing was imported\.$"):
        call_command("import_people", str(path), "--org", "org-a", stderr=err)
    assert err.getvalue().splitlines() == [
        "Row 2, column “等級”, value “G9”: Grade “G9” is not registered.",
        "Row 2, column “入社日”, value “2024/13/1”: “2024/13/1” is not a date: write it like "
        "2024-04-01 or 2024/4/1.",
    ]
    assert state(org_a) == before


def test_the_command_refuses_an_unknown_organization_or_actor(org_a, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv([], header=["社員番号", "氏名"]))
    with pytest.raises(CommandError, match="No organization"):
        call_command("import_people", str(path), "--org", "nope")
    with pytest.raises(CommandError, match="No user"):
        call_command("import_people", str(path), "--org", "org-a", "--actor", "nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_people", str(tmp_path / "missing.csv"), "--org", "org-a")


def test_the_command_dry_run_prints_what_would_change_and_saves_nothing(org_a, people_a,
                                                                        tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(xlsx([
        ["A002", "鈴木 花子", None, None, "G2", None, None, None, None],
        ["A010", "高橋", None, "管理本部/経理部", None, None, None, None, None],
    ]))
    before = state(org_a)
    out = io.StringIO()
    call_command("import_people", str(path), "--org", "org-a", "--dry-run",
                 "--create-departments", stdout=out)
    assert out.getvalue().splitlines() == [
        "Department to create: 管理本部/経理部",
        "Checked people.xlsx for org-a, nothing saved: would create 1, update 1, leave 0 "
        "unchanged; departments to create: 1.",
    ]
    assert state(org_a) == before


def test_the_command_refuses_unknown_departments_without_create_departments(org_a, people_a,
                                                                             tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(csv([["A010", "高橋", "", "管理本部/経理部", "", "", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"^1 error in people\.csv; nothing was imported\.$"):
        call_command("import_people", str(path), "--org", "org-a", stderr=err)
    assert err.getvalue().splitlines() == [
        "Row 2, column “部署”, value “管理本部/経理部”: Department “管理本部/経理部” does not "
        "exist. Correct the path, or tick “Create departments” to create it.",
    ]
    out = io.StringIO()
    call_command("import_people", str(path), "--org", "org-a", "--create-departments",
                 stdout=out)
    assert out.getvalue().splitlines()[0] == "Created department: 管理本部/経理部"
    assert person(org_a, "A010").department.name == "経理部"
