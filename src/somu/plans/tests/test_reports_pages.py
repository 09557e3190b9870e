"""The activity report's pages and API: making one, the same refusals on both, who reads what
(executives: names without hours), the workbook's charts and the PDF's Japanese text."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from somu.core import tenancy
from somu.core.permissions import Role
from somu.plans.models import Kpi, Report
from somu.plans.services import reports as services
from somu.plans.tests import reports_office
from somu.plans.tests.reports_office import Q2, TODAY, Office

# Periods long past, so the pages (which use the real date) accept them on any day.
PAST_QUARTER = dt.date(2025, 4, 1)


@pytest.fixture
def office(org_a: Any, people_a: Any) -> Office:
    return reports_office.build(org_a, people_a)


@pytest.fixture
def report(office: Office, staff_a: Any) -> Report:
    with tenancy.activate(office.organization):
        return services.report_create(actor=staff_a, period="quarter", starts_on=Q2,
                                      today=TODAY,
                                      comment="第2四半期は給与計算の標準化を進めました。")


@pytest.fixture
def executive_a(make_user: Any, org_a: Any) -> Any:
    return make_user("executive_a", org_a, Role.EXECUTIVE)



BAD_INPUT = [
    ({"period": "month", "starts_on": "2025-07-15"},
     "A monthly report starts on the first day of a month (for example %(example)s).",
     {"example": "2025-07-01"}),
    ({"period": "quarter", "starts_on": "2025-08-01"},
     "A quarterly report starts on the first day of a fiscal quarter: April 1, July 1, "
     "October 1 or January 1.", {}),
    ({"period": "quarter", "starts_on": "2999-04-01"},
     "This period has not begun yet (it starts on %(date)s): a report can cover a past or the "
     "current period only.", {"date": "2999-04-01"}),
]


@pytest.mark.parametrize(("data", "message", "params"), BAD_INPUT)
def test_the_page_refuses_a_period_that_is_not_whole_or_not_begun_and_stores_nothing(
        client_as: Any, staff_a: Any, org_a: Any, tr: Any, data: dict[str, str], message: str,
        params: dict[str, str]) -> None:
    response = client_as(staff_a, org_a).post(reverse("plans:report_new"), data)
    assert response.status_code == 200
    assert tr(message, **params) in response.content.decode()
    with tenancy.activate(org_a):
        assert not Report.objects.exists()


@pytest.mark.parametrize(("data", "message", "params"), BAD_INPUT)
def test_the_api_refuses_the_same_periods_with_the_same_message(
        api_as: Any, staff_a: Any, org_a: Any, tr: Any, data: dict[str, str], message: str,
        params: dict[str, str]) -> None:
    response = api_as(staff_a).post("/reports", data)
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [
        {"field": "starts_on", "message": tr(message, **params)}]
    with tenancy.activate(org_a):
        assert not Report.objects.exists()


def test_a_second_report_for_the_same_period_is_refused_naming_the_first(
        client_as: Any, api_as: Any, staff_a: Any, report: Report, tr: Any) -> None:
    expected = tr("There is already a report for %(period)s: “%(title)s”. Delete it first to "
                  "make it again.", period="2026年度 第2四半期（7〜9月）", title=report.title)
    page = client_as(staff_a, report.organization).post(
        reverse("plans:report_new"), {"period": "quarter", "starts_on": "2026-07-01"})
    assert expected in page.content.decode()
    api = api_as(staff_a).post("/reports", {"period": "quarter", "starts_on": "2026-07-01"})
    assert api.status_code == 409
    assert api.json()["error"]["fields"][0]["message"] == expected
    with tenancy.activate(report.organization):
        assert Report.objects.count() == 1


def test_staff_make_a_quarterly_report_from_the_page_and_read_it(
        client_as: Any, staff_a: Any, office: Office) -> None:
    client = client_as(staff_a, office.organization)
    response = client.post(reverse("plans:report_new"), {
        "period": "quarter", "starts_on": PAST_QUARTER.isoformat(), "comment": "初めての報告"})
    with tenancy.activate(office.organization):
        made = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:report_detail", args=[made.pk])
    assert made.title == "2025年度 第1四半期（4〜6月） 活動報告"
    page = client.get(response["Location"]).content.decode()
    assert "2025年度 第1四半期（4〜6月） 活動報告" in page and "初めての報告" in page
    listing = client.get(reverse("plans:report_list")).content.decode()
    assert made.title in listing


def test_the_api_makes_lists_and_reads_a_report(api_as: Any, staff_a: Any,
                                                office: Office) -> None:
    api = api_as(staff_a)
    made = api.post("/reports", {"period": "month", "starts_on": "2025-06-01",
                                 "title": "6月の報告"})
    assert made.status_code == 201
    body = made.json()
    assert (body["title"], body["starts_on"], body["ends_on"]) == (
        "6月の報告", "2025-06-01", "2025-06-30")
    assert body["figures"]["hours"]["round"]["name"] == "2025年度 業務調査"
    assert [r["title"] for r in api.get("/reports").json()["items"]] == ["6月の報告"]
    assert api.get(f"/reports/{body['id']}").json()["figures"] == body["figures"]


def test_executives_read_reports_with_people_named_but_not_their_hours(
        client_as: Any, api_as: Any, executive_a: Any, staff_a: Any, report: Report) -> None:
    url = reverse("plans:report_detail", args=[report.pk])
    staff_page = client_as(staff_a, report.organization).get(url).content.decode()
    exec_page = client_as(executive_a, report.organization).get(url).content.decode()
    assert "田中 美咲" in staff_page and "106.3%" in staff_page  # 170 of 160 hours
    assert "田中 美咲" in exec_page and "106.3%" not in exec_page and "170.0" not in exec_page
    risks = api_as(executive_a).get(f"/reports/{report.pk}").json()["figures"]["risks"]
    assert risks["overloaded"] == [{"person": "田中 美咲"}]


def test_executives_may_not_make_or_delete_reports(client_as: Any, api_as: Any,
                                                   executive_a: Any, report: Report) -> None:
    client = client_as(executive_a, report.organization)
    assert client.get(reverse("plans:report_new")).status_code == 403
    assert client.post(reverse("plans:report_delete", args=[report.pk])).status_code == 403
    assert api_as(executive_a).post("/reports", {"period": "month",
                                                 "starts_on": "2025-05-01"}).status_code == 403
    assert api_as(executive_a).delete(f"/reports/{report.pk}").status_code == 403


def test_employees_do_not_see_reports(client_as: Any, employee_a: Any, report: Report) -> None:
    response = client_as(employee_a, report.organization).get(reverse("plans:report_list"))
    assert response.status_code == 403


def test_deleting_a_report_frees_its_period(client_as: Any, staff_a: Any,
                                            report: Report) -> None:
    response = client_as(staff_a, report.organization).post(
        reverse("plans:report_delete", args=[report.pk]))
    assert response.status_code == 302
    with tenancy.activate(report.organization):
        assert not Report.objects.exists()


def test_the_report_list_reads_a_fixed_number_of_queries(
        client_as: Any, staff_a: Any, office: Office,
        django_assert_max_num_queries: Any) -> None:
    with tenancy.activate(office.organization):
        for month in range(4, 10):
            services.report_create(actor=staff_a, period="month",
                                   starts_on=dt.date(2026, month, 1), today=TODAY)
    client = client_as(staff_a, office.organization)
    client.get(reverse("plans:report_list"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("plans:report_list"))
    assert response.content.decode().count("活動報告") >= 6


def test_the_workbook_has_the_report_s_sheets_and_four_native_charts(
        client_as: Any, staff_a: Any, office: Office) -> None:
    with tenancy.activate(office.organization):
        Kpi.objects.create(organization=office.organization, name="属人化率", direction="down",
                           definition="dependency_rate_count", target=Decimal("20"),
                           target_on=dt.date(2027, 3, 31))
        report = services.report_create(actor=staff_a, period="quarter", starts_on=Q2,
                                        today=TODAY)
    response = client_as(staff_a, office.organization).get(
        reverse("plans:report_xlsx", args=[report.pk]))
    assert response.status_code == 200
    data = response.content
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["概要", "手順", "申請一覧", "部門別の工数", "KPI", "改善施策",
                               "リスク"]
    hours = book["部門別の工数"]
    assert [[c.value for c in row] for row in hours.iter_rows(min_row=2, max_row=4)] == [
        ["経理", 185, 0, 185], ["人事", 20, 30, -10], ["総務", 10, 10, 0]]
    assert book["KPI"]["A2"].value == "属人化率"
    charts = [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist()
              if n.startswith("xl/charts/chart")]
    # on-time by month, hours by function, KPIs against their targets, items by status
    assert len(charts) == 4


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler) is missing")
def test_the_pdf_is_an_a4_document_in_japanese(client_as: Any, executive_a: Any,
                                               report: Report, tmp_path: Path) -> None:
    response = client_as(executive_a, report.organization).get(
        reverse("plans:report_pdf", args=[report.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "2026年度 第2四半期（7〜9月） 活動報告" in text
    assert "第2四半期は給与計算の標準化を進めました。" in text
    assert "給与計算" in text and "田中 美咲" in text
    assert "106.3%" not in text  # an executive's copy: no one's load


def test_the_cli_writes_the_report_of_the_last_complete_quarter(
        office: Office, tmp_path: Path) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("plans_report", "--org", office.organization.slug, "--today",
                 TODAY.isoformat(), "--xlsx", str(tmp_path / "r.xlsx"), "--pdf",
                 str(tmp_path / "r.pdf"), stdout=out)
    with tenancy.activate(office.organization):
        made = Report.objects.get()
    assert (made.period, made.starts_on) == ("quarter", Q2)  # Jul–Sep, before Dec 5
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert made.title in out.getvalue()


@pytest.fixture
def overload_report(office: Office, staff_a: Any, people_a: Any) -> Report:
    """Q2's report with an item about 田中 alone, done in August: its expected effect is her
    hours over her standard (170 − 160) and its measured effect her load change (170 → 0)."""
    from somu.plans.models import FindingKind, Item, ItemKind, ItemStatus

    with tenancy.activate(office.organization):
        Item.objects.create(organization=office.organization, number=7,
                            title="田中さんの負荷を分ける", kind=ItemKind.REASSIGN,
                            finding=FindingKind.OVERLOAD, status=ItemStatus.DONE,
                            done_on=dt.date(2026, 8, 25), person=people_a.tanaka,
                            round=office.round_2026, expected_hours=Decimal("10"),
                            expected_cost=42000)
        Item.objects.filter(number=7).update(created_at=reports_office.at(dt.date(2026, 8, 1)))
        return services.report_create(actor=staff_a, period="quarter", starts_on=Q2,
                                      today=TODAY)


@pytest.mark.parametrize("role", [Role.EXECUTIVE, Role.MANAGER])
def test_an_item_about_one_person_shows_her_name_but_not_her_hours_outside_the_back_office(
        client_as: Any, api_as: Any, make_user: Any, staff_a: Any, overload_report: Report,
        role: str, tmp_path: Path) -> None:
    org = overload_report.organization
    viewer = make_user(f"viewer_{role}", org, role)
    staff_done = api_as(staff_a).get(f"/reports/{overload_report.pk}").json()["figures"][
        "items"]["done"]
    mine = next(i for i in staff_done if i["number"] == 7)
    assert (mine["expected_hours"], mine["measured_hours"], mine["expected_cost"]) == (
        10.0, 170.0, 42000)
    figures = api_as(viewer).get(f"/reports/{overload_report.pk}").json()["figures"]
    hidden = next(i for i in figures["items"]["done"] if i["number"] == 7)
    assert hidden["title"] == "田中さんの負荷を分ける" and hidden["state"] == "measured"
    assert not {"expected_hours", "measured_hours", "expected_cost"} & set(hidden)
    # The total of the expected hours leaves hers out too (1 item of 5 h besides hers).
    assert figures["items"]["done_expected_hours"] == 5.0
    url = reverse("plans:report_detail", args=[overload_report.pk])
    assert "170.0" in client_as(staff_a, org).get(url).content.decode()
    page = client_as(viewer, org).get(url).content.decode()
    assert "田中さんの負荷を分ける" in page and "170.0" not in page and "42,000" not in page
    book = openpyxl.load_workbook(io.BytesIO(client_as(viewer, org).get(
        reverse("plans:report_xlsx", args=[overload_report.pk])).content))
    cells = [str(c.value) for row in book["改善施策"].iter_rows() for c in row
             if c.value is not None]
    assert any("田中さんの負荷を分ける" in c for c in cells)
    assert not any("170" in c or "42,000" in c for c in cells)
    if shutil.which("pdftotext") is not None:
        path = tmp_path / "report.pdf"
        path.write_bytes(client_as(viewer, org).get(
            reverse("plans:report_pdf", args=[overload_report.pk])).content)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "170.0" not in text and "42,000" not in text
