"""The requests list as Excel or CSV: the rows the list shows its user, with the list's filters,
in people's words (state labels, names, yen), audited, in a constant number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from somu.approvals.exporting import HEADERS
from somu.approvals.services import decisions
from somu.approvals.tests.builders import NOW, TODAY, World, purchase
from somu.audit.models import AuditEvent
from somu.core import tenancy


def export(client, **params: str):
    return client.get(reverse("approvals:request_export"), params)


def sheet_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def approve(world: World, who: str, request) -> None:
    with tenancy.activate(world.org):
        decisions.request_decide(membership=world.m(who), request=request, decision="approve",
                                 today=TODAY, now=NOW)


def test_the_excel_file_has_japanese_headers_yen_amounts_and_real_dates(client_as, world):
    approved = purchase(world, "secretary", requester="suzuki", amount=50_000)
    approve(world, "ito", approved)
    pending = purchase(world, amount=210_000, title="複合機リース")
    response = export(client_as(world.users["secretary"], world.org), format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = sheet_rows(response.content)
    assert rows[0] == list(HEADERS)
    assert rows[1] == [pending.number, "複合機リース", "購入申請", "備品", "鈴木 一般", None,
                       "総務課", 210_000, "決裁待ち", dt.datetime(2026, 6, 15), None,
                       "伊藤 課長", "第1版"]
    assert rows[2][:9] == [approved.number, "ノートPC購入", "購入申請", "備品", "鈴木 一般",
                           "秘書 花子", "総務課", 50_000, "承認済み"]
    assert rows[2][10] == dt.datetime(2026, 6, 15) and rows[2][11] is None
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["H2"].number_format == '"¥"#,##0'
    assert sheet["J2"].is_date


def test_an_employee_exports_only_the_requests_they_may_read(client_as, world):
    mine = purchase(world, "kato", amount=30_000, title="電卓")
    purchase(world, "suzuki", amount=40_000, title="文具")
    rows = sheet_rows(export(client_as(world.users["kato"], world.org)).content)
    assert [row[0] for row in rows[1:]] == [mine.number]


def test_another_organizations_admin_exports_none_of_these_requests(client_as, world, admin_b,
                                                                   org_b):
    purchase(world, amount=30_000)
    rows = sheet_rows(export(client_as(admin_b, org_b)).content)
    assert rows == [list(HEADERS)]


def test_the_export_follows_the_list_filters(client_as, world):
    small = purchase(world, amount=30_000, title="電卓")
    big = purchase(world, amount=300_000, title="複合機")
    approve(world, "ito", small)
    client = client_as(world.users["secretary"], world.org)
    assert [r[0] for r in sheet_rows(export(client, amount_min="100,000").content)[1:]] == [
        big.number]
    assert [r[0] for r in sheet_rows(export(client, state="approved").content)[1:]] == [
        small.number]
    assert [r[0] for r in sheet_rows(export(client, q="複合").content)[1:]] == [big.number]


def test_the_export_is_in_the_audit_log_with_the_filter_in_words_and_the_count(client_as, world):
    purchase(world, amount=30_000)
    purchase(world, amount=40_000)
    export(client_as(world.users["secretary"], world.org), format="csv", state="in_progress")
    with tenancy.activate(world.org):
        event = AuditEvent.objects.get(action="approval_request.export")
    assert event.changes == {"filter": [None, "状態: 決裁待ち"], "format": [None, "csv"],
                             "count": [None, 2]}


def test_the_cp932_csv_decodes_as_shift_jis(client_as, world):
    request = purchase(world, amount=1_234_567, title="社用車（ハイブリッド）")
    response = export(client_as(world.users["suzuki"], world.org), format="csv",
                      encoding="cp932")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=shift_jis"
    assert "-sjis.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("cp932"))))
    assert rows[0] == list(HEADERS)
    assert rows[1][:3] == [request.number, "社用車（ハイブリッド）", "購入申請"]
    assert rows[1][7:10] == ["1234567", "決裁待ち", "2026-06-15"]


def test_the_utf8_csv_has_a_bom_for_excel(client_as, world):
    purchase(world, amount=1_000)
    response = export(client_as(world.users["suzuki"], world.org), format="csv",
                      encoding="utf-8-bom")
    assert response.content.startswith("\ufeff番号,件名".encode())


def test_a_title_cp932_cannot_hold_is_refused_by_name_not_written_as_a_question_mark(
        client_as, world):
    purchase(world, amount=1_000, title="𠮷野家の弁当")
    response = export(client_as(world.users["suzuki"], world.org), format="csv",
                      encoding="cp932", state="in_progress")
    assert response.status_code == 302
    assert response["Location"] == reverse("approvals:request_list") + "?state=in_progress"
    with tenancy.activate(world.org):
        assert not AuditEvent.objects.filter(action="approval_request.export").exists()


@pytest.mark.parametrize(("params", "message"), [
    ({"amount_min": "abc"}, "「abc」は「金額（以上）」の値として正しくありません。"),
    ({"from": "2026-13-01"}, "「2026-13-01」は「作成日（から）」の値として正しくありません。"),
    ({"state": "done"}, "「done」は「状態」の値として正しくありません。"),
    ({"format": "pdf"}, "形式は xlsx または csv を指定してください。"),
    ({"format": "csv", "encoding": "latin-1"},
     "文字コードは utf-8-bom または cp932 を指定してください。"),
])
def test_a_bad_filter_value_gets_a_400_page_naming_it(client_as, world, params, message):
    response = export(client_as(world.users["suzuki"], world.org), **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_the_export_takes_the_same_number_of_queries_for_5_or_30_requests(client_as, world):
    def queries() -> int:
        client = client_as(world.users["secretary"], world.org)
        with CaptureQueriesContext(connection) as captured:
            assert export(client).status_code == 200
        return len(captured)

    for _ in range(5):
        purchase(world, amount=600_000)  # 合議 of three: three current approvers each
    five = queries()
    for _ in range(25):
        purchase(world, amount=600_000)
    assert queries() == five
