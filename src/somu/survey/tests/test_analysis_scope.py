"""A manager sees the survey analysis of their own department subtree (PRODUCT.md, manager
scope): the figures are computed over those people only, the page says so, and nothing of the
others — rows, names, reports — can be reached.

The round is the one of test_analysis_pages: the manager 山田 heads 総務部, where 山田 (給与計算
20 h, 月次決算 30 h, 備品管理 5 h) and 鈴木 (備品管理 10 h) work: 65 h of the round's 240 h.
佐藤 (人事部) and 田中 (no department) are outside.
"""

from __future__ import annotations

import csv
import io

import pytest

from somu.core import tenancy
from somu.core.permissions import Role
from somu.survey import selectors
from somu.survey.tests.test_analysis_pages import SECTIONS, Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


@pytest.fixture
def manager(client_as, manager_a, org_a):
    return client_as(manager_a, org_a)


def test_the_scoped_analysis_is_computed_over_the_departments_people_only(
        org_a, people_a, survey):
    with tenancy.activate(org_a):
        result = selectors.round_analysis(survey_round=survey.round,
                                          department_ids=frozenset({people_a.somu.pk}))
        whole = selectors.round_analysis(survey_round=survey.round)
    assert result.totals.hours == 65.0
    assert {p.person_id for p in result.people} == {people_a.yamada.pk, people_a.suzuki.pk}
    assert whole.totals.hours == 240.0  # the organization's cached analysis is untouched


def test_a_manager_sees_the_analysis_of_their_department_and_is_told_so(
        manager, survey, people_a, tr):
    response = manager.get(survey.url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "65.0" in page and "240.0" not in page
    assert tr("Restricted to your department: these figures cover only the people of "
              "%(scope_label)s.", scope_label=tr("%(department)s and its sub-departments",
                                                department="管理本部/総務部")) in page
    for section in SECTIONS:
        body = manager.get(survey.url(query=f"section={section}")).content.decode()
        assert "田中 美咲" not in body and "佐藤 健" not in body, section


def test_a_managers_drill_down_lists_only_their_peoples_rows(manager, survey, people_a):
    response = manager.get(survey.url("rows/"))
    assert response.status_code == 200
    assert {row.person_id for row in response.context["page"]} == {
        people_a.yamada.pk, people_a.suzuki.pk}
    assert response.context["total"] == 65
    outsider = manager.get(survey.url("rows/", f"person={people_a.tanaka.pk}"))
    assert outsider.context["total"] == 0
    exported = manager.get(survey.url("rows/", "format=csv")).content.decode("utf-8-sig")
    names = {row[1] for row in list(csv.reader(io.StringIO(exported)))[1:]}
    assert names == {"山田 太郎", "鈴木 花子"}


def test_the_whole_organizations_reports_stay_closed_to_a_manager(manager, survey):
    for page in ("print/", "report.xlsx"):
        assert manager.get(survey.url(page)).status_code == 403
    assert manager.get("/survey/compare/").status_code == 403
    assert manager.get(f"/survey/rounds/{survey.round.pk}/").status_code == 403
    dashboard = manager.get(survey.url()).content.decode()
    assert "report.xlsx" not in dashboard and "/print/" not in dashboard


def test_a_manager_finds_the_analysis_from_the_nav_and_the_round_list(manager, survey):
    home = manager.get("/").content.decode()
    assert "/survey/rounds/" in home
    rounds = manager.get("/survey/rounds/")
    assert rounds.status_code == 200
    body = rounds.content.decode()
    assert survey.url() in body
    assert f'href="/survey/rounds/{survey.round.pk}/"' not in body


def test_a_manager_linked_to_nobody_sees_an_empty_analysis(client_as, make_user, org_a, survey,
                                                           tr):
    unlinked = make_user("manager_nobody", org_a, Role.MANAGER)
    response = client_as(unlinked, org_a).get(survey.url())
    assert response.status_code == 200
    assert response.templates[0].name == "survey/analysis_empty.html"
    assert tr("nobody (your account is not linked to a person in a department)") in (
        response.content.decode())


def test_an_employee_still_may_not_see_any_analysis(client_as, employee_a, org_a, survey):
    employee = client_as(employee_a, org_a)
    for page in ("", "rows/"):
        assert employee.get(survey.url(page)).status_code == 403
    assert employee.get("/survey/rounds/").status_code == 403


# ---- the API answers a manager as the pages do ---------------------------------------------------


def test_the_api_gives_a_manager_the_analysis_and_rows_of_their_department(
        manager, survey, people_a):
    api = f"/api/v1/survey/rounds/{survey.round.pk}"
    body = manager.get(f"{api}/analysis").json()
    assert body["totals"]["hours"] == 65.0
    rows = manager.get(f"{api}/analysis/rows", {"page_size": 100}).json()
    assert rows["count"] == 4
    assert {r["person_id"] for r in rows["items"]} == {people_a.yamada.pk, people_a.suzuki.pk}
    report = manager.get(f"{api}/report.xlsx")  # the organization-wide workbook
    assert report.status_code == 403
    assert report.json()["error"]["code"] == "forbidden"


def test_the_api_refuses_the_analysis_to_an_employee(client_as, employee_a, org_a, survey):
    response = client_as(employee_a, org_a).get(
        f"/api/v1/survey/rounds/{survey.round.pk}/analysis")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
