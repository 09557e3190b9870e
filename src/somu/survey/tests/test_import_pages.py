"""The import and export pages of the work survey, and `survey_import` on the command line."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from somu.core import tenancy
from somu.org.models import Organization, Person
from somu.survey.models import SurveyRound, Task, WorkHours

LONG = ["社員番号", "氏名", "部門", "大分類", "中分類", "業務名", "月間工数(時間)"]
INVOICE = ["経理財務", "債権管理", "請求", "請求書発行"]


@pytest.fixture
def round_a(org_a: Organization, people_a) -> SurveyRound:
    with tenancy.activate(org_a):
        Task.objects.create(function=INVOICE[0], category=INVOICE[1], subcategory=INVOICE[2],
                            name=INVOICE[3])
        return SurveyRound.objects.create(name="2026年度 業務調査")


@pytest.fixture
def round_b(org_b: Organization, people_b) -> SurveyRound:
    with tenancy.activate(org_b):
        return SurveyRound.objects.create(name="Bの調査")


def xlsx(rows: list[list[object]], header: list[str] = LONG) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def hours(org: Organization) -> dict[tuple[str, str], Decimal]:
    with tenancy.activate(org):
        return {(n, t): h for n, t, h in WorkHours.objects.values_list(
            "person__employee_number", "task__name", "hours")}


def upload(client, url: str, data: bytes, name: str = "hours.xlsx", headers=None, **fields):
    return client.post(url, {"file": SimpleUploadedFile(name, data), **fields},
                       headers=headers or {})


def token_of(body: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', body)
    assert match, "the preview offers to confirm"
    return match.group(1)


def confirm(client, url: str, preview: str):
    return client.post(url, {"token": token_of(preview)})


def hours_url(survey_round: SurveyRound) -> str:
    return reverse("survey:hours_import", args=[survey_round.pk])


# ---- survey hours --------------------------------------------------------------------------------


def test_the_hours_page_offers_the_form_the_templates_and_the_columns(client_as, staff_a, org_a,
                                                                      round_a):
    response = client_as(staff_a, org_a).get(hours_url(round_a))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'hx-encoding="multipart/form-data"' in body and "<progress" in body
    assert 'name="layout"' in body and 'name="create_tasks"' in body
    for layout in ("long", "wide"):
        for fmt in ("xlsx", "csv"):
            assert reverse("survey:hours_import_template", args=[layout, fmt]) in body
    for column in ("社員番号", "月間工数(時間)", "対応可能レベル", "A001 山田 太郎"):
        assert column in body


def test_uploading_hours_previews_them_and_saves_nothing(client_as, staff_a, org_a, round_a,
                                                         tr):
    with tenancy.activate(org_a):
        WorkHours.objects.create(round=round_a, person=Person.objects.get(employee_number="A001"),
                                 task=Task.objects.get(name=INVOICE[3]), hours=20)
        WorkHours.objects.create(round=round_a, person=Person.objects.get(employee_number="A003"),
                                 task=Task.objects.get(name=INVOICE[3]), hours=8)
    response = upload(client_as(staff_a, org_a), hours_url(round_a), xlsx([
        ["A001", None, *INVOICE, 20], ["A002", None, *INVOICE, 5], ["A003", None, *INVOICE, 9]]))
    body = response.content.decode()
    assert tr("Preview of %(name)s", name="hours.xlsx") in body
    assert tr("Hours to add: %(new)s, to change or remove: %(changed)s, left alone: "
              "%(unchanged)s.", new=1, changed=1, unchanged=1) in body
    assert tr("Nothing has been saved yet.") in body
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("20.00"),
                            ("A003", "請求書発行"): Decimal("8.00")}


def test_uploading_hours_imports_them_and_links_to_the_analysis(client_as, staff_a, org_a,
                                                                 round_a, tr):
    client = client_as(staff_a, org_a)
    preview = upload(client, hours_url(round_a),
                     xlsx([["A001", None, *INVOICE, 20], ["A002", None, *INVOICE, 5]]))
    assert hours(org_a) == {}
    response = confirm(client, hours_url(round_a), preview.content.decode())
    body = response.content.decode()
    assert response.status_code == 200
    assert tr("Hours saved: %(saved)s, removed: %(removed)s; capability levels saved: "
              "%(levels)s.", saved=2, removed=0, levels=0) in body
    assert reverse("survey:analysis", args=[round_a.pk]) in body
    assert hours(org_a) == {("A001", "請求書発行"): Decimal("20.00"),
                            ("A002", "請求書発行"): Decimal("5.00")}


def test_the_page_passes_the_layout_and_the_create_tasks_choice(client_as, staff_a, org_a,
                                                                 round_a, tr):
    data = xlsx([["法務", "契約", "審査", "契約書審査", 3]],
                header=["部門", "大分類", "中分類", "業務名", "A001"])
    client = client_as(staff_a, org_a)
    preview = upload(client, hours_url(round_a), data, layout="wide", create_tasks="on")
    assert tr("Tasks to create: %(created)s, to update: %(updated)s; respondents to add: "
              "%(respondents)s.", created=1, updated=0, respondents=1) in preview.content.decode()
    # The confirmation imports with the layout and choice the file was checked with.
    response = confirm(client, hours_url(round_a), preview.content.decode())
    assert tr("Tasks created: %(created)s, tasks updated: %(updated)s; respondents added: "
              "%(respondents)s.", created=1, updated=0, respondents=1) in response.content.decode()
    assert hours(org_a) == {("A001", "契約書審査"): Decimal("3.00")}


def test_a_bad_upload_lists_every_error_and_saves_nothing(client_as, staff_a, org_a, round_a, tr):
    response = upload(client_as(staff_a, org_a), hours_url(round_a), xlsx([
        ["A001", None, *INVOICE, 20], ["A002", None, *INVOICE, -5], ["Z999", None, *INVOICE, 1],
    ]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body  # htmx gets only the result
    assert '<td class="num">3</td><td>月間工数(時間)</td><td>-5</td>' in body
    assert tr("Hours cannot be negative.") in body
    assert '<td class="num">4</td><td>社員番号</td><td>Z999</td>' in body
    assert hours(org_a) == {}


def test_posting_without_a_file_or_with_an_unknown_layout_is_refused(client_as, staff_a, org_a,
                                                                     round_a, tr):
    client = client_as(staff_a, org_a)
    body = client.post(hours_url(round_a), {}).content.decode()
    assert tr("Choose an .xlsx or .csv file to import.") in body
    body = upload(client, hours_url(round_a), xlsx([["A001", None, *INVOICE, 1]]),
                  layout="diagonal").content.decode()
    assert tr("Choose a layout.") in body
    assert hours(org_a) == {}


def test_a_file_over_the_size_limit_is_refused(client_as, staff_a, org_a, round_a, settings, tr):
    settings.SOMU_IMPORT_MAX_BYTES = 100
    response = upload(client_as(staff_a, org_a), hours_url(round_a),
                      xlsx([["A001", None, *INVOICE, 1]]))
    reason = tr("The file is too large: at most %(size)s.", size="@")
    assert reason.split("@")[0] in response.content.decode()
    assert hours(org_a) == {}


@pytest.mark.parametrize("layout", ["long", "wide"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_templates_download(client_as, staff_a, org_a, layout, fmt):
    response = client_as(staff_a, org_a).get(
        reverse("survey:hours_import_template", args=[layout, fmt]))
    assert response.status_code == 200
    assert f"somu-survey-{layout}.{fmt}" in response["Content-Disposition"]
    if fmt == "csv":
        assert response.content.startswith("\ufeff".encode())
    else:
        assert load_workbook(io.BytesIO(response.content)).sheetnames == ["工数", "記入方法"]


@pytest.mark.parametrize("layout, fmt", [("diagonal", "xlsx"), ("long", "pdf")])
def test_an_unknown_template_is_not_found(client_as, staff_a, org_a, layout, fmt):
    url = reverse("survey:hours_import_template", args=[layout, fmt])
    assert client_as(staff_a, org_a).get(url).status_code == 404


def test_the_round_of_another_organization_is_not_found(client_as, admin_a, org_a, round_a,
                                                         round_b):
    client = client_as(admin_a, org_a)
    assert client.get(hours_url(round_b)).status_code == 404
    assert upload(client, hours_url(round_b),
                  xlsx([["B001", None, *INVOICE, 1]])).status_code == 404
    with tenancy.activate(round_b.organization):
        assert WorkHours.objects.count() == 0


# ---- the inventory -------------------------------------------------------------------------------


def test_the_inventory_exports_as_excel(client_as, staff_a, org_a, round_a):
    response = client_as(staff_a, org_a).get(reverse("survey:task_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [r[3] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["請求書発行"]


def test_the_inventory_import_page_imports_a_file(client_as, staff_a, org_a, round_a, tr):
    client = client_as(staff_a, org_a)
    page = client.get(reverse("survey:task_import")).content.decode()
    assert reverse("survey:task_export") in page and "必要スキル" in page
    preview = upload(client, reverse("survey:task_import"),
                     xlsx([["総務", "庶務", "", "備品管理", "毎月"]],
                          header=["部門", "大分類", "中分類", "業務名", "頻度"])).content.decode()
    assert tr("Tasks to create %(created)s, to update %(updated)s, left alone %(unchanged)s; "
              "skills to create: %(skills)s.", created=1, updated=0, unchanged=0,
              skills=0) in preview
    with tenancy.activate(org_a):
        assert not Task.objects.filter(name="備品管理").exists()
    response = confirm(client, reverse("survey:task_import"), preview)
    assert tr("Tasks created %(created)s, updated %(updated)s, unchanged %(unchanged)s; skills "
              "created: %(skills)s.", created=1, updated=0, unchanged=0, skills=0) in \
        response.content.decode()
    with tenancy.activate(org_a):
        assert Task.objects.get(name="備品管理").frequency == "monthly"


def test_a_preview_of_one_round_cannot_be_confirmed_into_another(client_as, staff_a, org_a,
                                                                  round_a, tr):
    client = client_as(staff_a, org_a)
    with tenancy.activate(org_a):
        other = SurveyRound.objects.create(name="別の調査")
    preview = upload(client, hours_url(round_a), xlsx([["A001", None, *INVOICE, 20]]))
    response = confirm(client, hours_url(other), preview.content.decode())
    assert tr("This preview has expired or was already imported; choose the file and check it "
              "again.") in response.content.decode()
    assert hours(org_a) == {}


def test_a_bad_inventory_file_lists_its_errors(client_as, staff_a, org_a, round_a, tr):
    response = upload(client_as(staff_a, org_a), reverse("survey:task_import"),
                      xlsx([["総務", "庶務", "", "備品管理", "毎時"]],
                           header=["部門", "大分類", "中分類", "業務名", "頻度"]))
    assert tr("Write one of 毎日, 毎週, 毎月, 四半期, 毎年, 随時.") in response.content.decode()
    with tenancy.activate(org_a):
        assert not Task.objects.filter(name="備品管理").exists()


# ---- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee_a", "manager_a", "auditor_a"])
def test_only_people_who_manage_the_survey_may_use_the_pages(client_as, org_a, round_a, who,
                                                              request):
    client = client_as(request.getfixturevalue(who), org_a)
    data = xlsx([["A001", None, *INVOICE, 1]])
    assert client.get(hours_url(round_a)).status_code == 403
    assert upload(client, hours_url(round_a), data).status_code == 403
    assert client.get(reverse("survey:hours_import_template", args=["long", "xlsx"])
                      ).status_code == 403
    assert client.get(reverse("survey:task_export")).status_code == 403
    assert client.get(reverse("survey:task_import")).status_code == 403
    assert upload(client, reverse("survey:task_import"), data).status_code == 403
    assert hours(org_a) == {}


def test_anonymous_visitors_are_sent_to_the_login(client, round_a):
    response = client.get(hours_url(round_a))
    assert response.status_code == 302 and "login" in response["Location"]


# ---- the command line ----------------------------------------------------------------------------


def test_the_command_imports_into_a_round_and_creates_it_when_missing(org_a, round_a, tmp_path):
    path = tmp_path / "hours.xlsx"
    path.write_bytes(xlsx([["A001", None, *INVOICE, 12]]))
    out = io.StringIO()
    call_command("survey_import", str(path), "--org", "org-a", "--round", "2027年度 業務調査",
                 stdout=out)
    assert "2027年度 業務調査" in out.getvalue()
    with tenancy.activate(org_a):
        assert WorkHours.objects.get().round.name == "2027年度 業務調査"
    call_command("survey_import", str(path), "--org", "org-a", "--round", "2026年度 業務調査",
                 "--layout", "long", stdout=io.StringIO())
    with tenancy.activate(org_a):
        assert SurveyRound.objects.count() == 2
        assert WorkHours.objects.filter(round=round_a).count() == 1


def test_the_command_prints_every_error_and_fails_without_changes(org_a, round_a, tmp_path):
    path = tmp_path / "hours.csv"
    path.write_bytes("社員番号,部門,大分類,中分類,業務名,月間工数\r\nA001,経理財務,債権管理,請求,"
                     "請求書発行,-1\r\nZ999,経理財務,債権管理,請求,請求書発行,1\r\n".encode("cp932"))
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("survey_import", str(path), "--org", "org-a", "--round", "新しい調査",
                     stderr=err)
    assert caught.value.returncode == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 2 and "-1" in lines[0] and "Z999" in lines[1]
    with tenancy.activate(org_a):
        assert not SurveyRound.objects.filter(name="新しい調査").exists()
    assert hours(org_a) == {}


def test_the_command_refuses_an_unknown_organization(tmp_path, db):
    path = tmp_path / "hours.csv"
    path.write_bytes(b"x")
    with pytest.raises(CommandError):
        call_command("survey_import", str(path), "--org", "nobody", "--round", "r")


def test_the_command_dry_run_prints_what_would_change_and_saves_nothing(org_a, round_a,
                                                                        tmp_path, tr):
    path = tmp_path / "hours.xlsx"
    path.write_bytes(xlsx([["A001", None, *INVOICE, 12], ["A002", None, *INVOICE, 0]]))
    out = io.StringIO()
    call_command("survey_import", str(path), "--org", "org-a", "--round", "2027年度 業務調査",
                 "--dry-run", stdout=out)
    assert out.getvalue().strip() == tr(
        "Checked %(file)s for “%(round)s” of %(org)s, nothing saved (%(layout)s layout, "
        "%(rows)d rows): %(people)d people, %(tasks)d tasks; hours to add %(new)d, to "
        "change or remove %(changed)d, left alone %(unchanged)d; tasks to create "
        "%(created)d, to update %(updated)d; respondents to add %(respondents)d.",
        file="hours.xlsx", round="2027年度 業務調査", org="org-a", layout="long", rows=2,
        people=2, tasks=1, new=1, changed=0, unchanged=1, created=0, updated=0, respondents=2)
    with tenancy.activate(org_a):
        assert not SurveyRound.objects.filter(name="2027年度 業務調査").exists()
    assert hours(org_a) == {}
