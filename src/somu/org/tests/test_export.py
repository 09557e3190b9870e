"""Exporting people to Excel and CSV: the import's columns, the list's filters, a round trip."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from somu.core import tenancy
from somu.org import services
from somu.org.importing import people_import
from somu.org.models import Person, Position

HEADER = ["社員番号", "氏名", "ふりがな", "部署", "等級", "雇用形態", "入社日", "上長社員番号",
          "メール", "役職"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def export(client, **params: str):
    return client.get(reverse("org:people_export"), params, HTTP_ACCEPT_LANGUAGE="en")


def sheet_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def people_state(org) -> list[tuple]:
    with tenancy.activate(org):
        return sorted(Person.objects.values_list(
            "employee_number", "name", "name_kana", "email", "department_id", "grade_id",
            "employment_type", "hire_date", "manager_id", "position_id", "updated_at"))


def test_the_excel_export_has_the_import_columns_and_one_row_per_person(
        client_as, staff_a, org_a, people_a):
    response = export(client_as(staff_a, org_a), format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert ".xlsx" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    assert rows[0] == HEADER
    assert rows[1] == ["A001", "山田 太郎", "やまだ たろう", "管理本部/総務部", "G3", "正社員",
                       dt.datetime(2010, 4, 1), None, "yamada@a.example", None]
    assert rows[2][:8] == ["A002", "鈴木 花子", "すずき はなこ", "管理本部/総務部", "G1",
                           "正社員", dt.datetime(2022, 4, 1), "A001"]
    assert [row[0] for row in rows[1:]] == ["A001", "A002", "A003", "A004"]


def test_the_export_follows_the_list_filters(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    rows = sheet_rows(export(client, format="xlsx", department=str(people_a.somu.pk)).content)
    assert [row[0] for row in rows[1:]] == ["A001", "A002"]
    rows = sheet_rows(export(client, format="xlsx", q="さとう").content)
    assert [row[0] for row in rows[1:]] == ["A003"]


def test_retired_people_are_exported_only_when_the_list_shows_them(
        client_as, staff_a, org_a, people_a):
    with tenancy.activate(org_a):
        services.person_retire(actor=None, person=people_a.tanaka,
                               retired_on=dt.date(2026, 3, 31))
    client = client_as(staff_a, org_a)
    assert "A004" not in [r[0] for r in sheet_rows(export(client, format="xlsx").content)]
    assert "A004" in [r[0] for r in sheet_rows(
        export(client, format="xlsx", status="all").content)]


def test_the_csv_export_is_utf8_with_a_bom_or_cp932(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    utf8 = export(client, format="csv", encoding="utf-8").content
    assert utf8.startswith(b"\xef\xbb\xbf")
    lines = utf8.decode("utf-8-sig").splitlines()
    assert lines[0] == ",".join(HEADER)
    assert lines[2] == ("A002,鈴木 花子,すずき はなこ,管理本部/総務部,G1,正社員,2022-04-01,"
                        "A001,,")
    response = export(client, format="csv", encoding="cp932")
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    assert response.content.decode("cp932").splitlines() == lines


def test_a_name_shift_jis_cannot_hold_is_refused_naming_the_person(
        client_as, staff_a, org_a, people_a):
    with tenancy.activate(org_a):
        services.person_update(actor=None, person=people_a.sato, data={"name": "𠮷田 健"})
    client = client_as(staff_a, org_a)
    response = export(client, format="csv", encoding="cp932", q="A00")
    assert response.status_code == 302
    assert response["Location"] == reverse("org:person_list") + "?q=A00"
    body = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ("𠮷田 健(A003)のデータにある「𠮷」は Shift_JIS (CP932) で書き出せません。"
            "UTF-8 または Excel で出力してください。") in body
    # UTF-8 holds it.
    content = export(client, format="csv", encoding="utf-8").content
    assert "𠮷田 健" in content.decode("utf-8-sig")


@pytest.mark.parametrize(("fmt", "encoding"), [("xlsx", "utf-8"), ("csv", "utf-8"),
                                               ("csv", "cp932")])
def test_importing_the_export_unchanged_leaves_everyone_alone(
        client_as, staff_a, org_a, people_a, fmt, encoding):
    with tenancy.activate(org_a):  # 役職 too: one holds one, another none
        services.person_update(actor=None, person=people_a.yamada,
                               data={"position": Position.objects.get(name="課長")})
    content = export(client_as(staff_a, org_a), format=fmt, encoding=encoding).content
    before = people_state(org_a)
    with tenancy.activate(org_a):
        result = people_import(actor=None, source=content, filename=f"people.{fmt}")
    assert (result.rows, result.created, result.updated, result.unchanged) == (4, 0, 0, 4)
    assert result.departments_created == 0
    assert people_state(org_a) == before


def test_editing_one_cell_of_the_export_updates_one_person(client_as, staff_a, org_a, people_a):
    content = export(client_as(staff_a, org_a), format="xlsx").content
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    sheet["E4"] = "G3"  # 佐藤's grade, G2 → G3
    buffer = io.BytesIO()
    workbook.save(buffer)
    with tenancy.activate(org_a):
        result = people_import(actor=None, source=buffer.getvalue(), filename="people.xlsx")
        assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
        assert Person.objects.get(employee_number="A003").grade == people_a.g3


def test_an_unknown_format_or_encoding_is_not_found(client_as, staff_a, org_a):
    client = client_as(staff_a, org_a)
    assert export(client, format="pdf").status_code == 404
    assert export(client, format="csv", encoding="latin-1").status_code == 404


@pytest.mark.parametrize("who", ["employee_a", "manager_a", "auditor_a"])
def test_only_people_allowed_to_import_may_export(client_as, org_a, people_a, who, request):
    client = client_as(request.getfixturevalue(who), org_a)
    assert export(client, format="xlsx").status_code == 403
    body = client.get(reverse("org:person_list")).content.decode()
    assert reverse("org:people_export") not in body


def test_the_people_list_offers_the_export_with_its_filters(client_as, staff_a, org_a, people_a):
    body = client_as(staff_a, org_a).get(
        reverse("org:person_list"), {"q": "山田"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'{reverse("org:people_export")}?q=%E5%B1%B1%E7%94%B0&amp;format=xlsx' in body
    assert "encoding=cp932" in body


def test_the_export_never_includes_another_organization(client_as, staff_a, org_a, people_a,
                                                        org_b, people_b):
    rows = sheet_rows(export(client_as(staff_a, org_a), format="xlsx", status="all").content)
    assert "B001" not in [row[0] for row in rows]


@time_machine.travel(dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC), tick=False)
@pytest.mark.parametrize(("params", "name"), [
    ({"format": "xlsx"}, "{people}-20261205.xlsx"),
    ({"format": "csv", "encoding": "utf-8"}, "{people}-20261205.csv"),
    ({"format": "csv", "encoding": "cp932"}, "{people}-20261205-sjis.csv"),
])
def test_each_download_is_named_like_the_page_with_the_day_it_was_made(
        client_as, staff_a, org_a, people_a, tr, params, name):
    response = client_as(staff_a, org_a).get(reverse("org:people_export"), params)

    disposition = response["Content-Disposition"]
    assert unquote(disposition.split("filename*=utf-8''")[-1]) == name.format(people=tr("People"))
    assert tr("People") == "人員"


def test_the_export_has_each_persons_position_by_name(client_as, staff_a, org_a, people_a):
    with tenancy.activate(org_a):
        services.person_update(actor=None, person=people_a.suzuki,
                               data={"position": Position.objects.get(name="一般")})
    rows = sheet_rows(export(client_as(staff_a, org_a), format="xlsx").content)
    position = HEADER.index("役職")
    assert [(row[0], row[position]) for row in rows[1:]] == [
        ("A001", None), ("A002", "一般"), ("A003", None), ("A004", None)]
