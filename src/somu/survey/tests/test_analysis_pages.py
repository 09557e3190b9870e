"""The analysis pages show the figures of a small round that can be checked by hand, every figure
opens exactly the rows behind it, and nothing of another organization can be reached.

The round (organization A; grades G1 ¥2,500 band 1–2, G2 ¥3,500 band 2–3, G3 ¥5,000 band 3–5;
everyone's capacity is the standard 160 h):

    task (function, difficulty)    hours                          capability
    給与計算 (人事労務, 3)          山田 20, 佐藤 10               山田 4, 佐藤 3
    月次決算 (経理財務, 4)          山田 30                        山田 4, 鈴木 2 (could absorb)
    備品管理 (総務, 1, outsource)   鈴木 10, 田中 10, 山田 5       鈴木 3, 田中 3
    来客・電話対応 (総務, 1)        田中 155                       nobody rated: 田中 (has hours)

- total 240 h; cost 55 × 5,000 + 10 × 3,500 + 10 × 2,500 + 165 × 2,500 = ¥747,500;
- person-dependent: 月次決算 (only 山田) and 来客・電話対応 (only 田中): 2 of 4 tasks = 50.0%,
  185 of 240 h = 77.1%;
- bus factor of the organization: 1 — 田中 leaving uncovers 155 h, more than half of 240 h;
- 山田 leaving orphans 月次決算's 30 h, which 鈴木 (level 2, 150 h spare) can absorb; 田中 leaving
  orphans 155 h that nobody can absorb;
- 田中 works 165 h of 160: overloaded;
- 山田 (G3) spends 5 h on 備品管理 (difficulty 1): over-qualified, 5 × (5,000 − 2,500) = ¥12,500.
"""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from somu.core import tenancy
from somu.survey import services
from somu.survey.models import AnalysisSnapshot, Capability, SurveyRound, Task, WorkHours

pytestmark = pytest.mark.django_db

SECTIONS = ("overview", "hours", "dependency", "retirement", "grades", "load", "flags",
            "seasonality")


def make_task(name: str, function: str, difficulty: int, **flags: bool) -> Task:
    return services.task_save(actor=None, task=None, data={
        "function": function, "category": "一般", "name": name, "difficulty": difficulty,
        **flags})


def fill_round(survey_round: SurveyRound, hours: list[tuple[object, Task, str]],
               levels: list[tuple[object, Task, int]]) -> None:
    org_id = survey_round.organization_id
    WorkHours.objects.bulk_create([
        WorkHours(organization_id=org_id, round=survey_round, person=p, task=t,
                  hours=Decimal(h)) for p, t, h in hours])
    Capability.objects.bulk_create([
        Capability(organization_id=org_id, round=survey_round, person=p, task=t, level=lv)
        for p, t, lv in levels])
    services.round_touch(survey_round)


class Survey:
    """The round above, with its tasks and people by name."""

    def __init__(self, org, people) -> None:
        p = people
        self.people = people
        with tenancy.activate(org):
            self.payroll = make_task("給与計算", "人事労務", 3)
            self.closing = make_task("月次決算", "経理財務", 4)
            self.supplies = make_task("備品管理", "総務", 1, outsourceable=True)
            self.reception = make_task("来客・電話対応", "総務", 1)
            self.round = services.round_save(actor=None, survey_round=None,
                                             data={"name": "2026年度 業務調査"})
            fill_round(self.round, [
                (p.yamada, self.payroll, "20"), (p.sato, self.payroll, "10"),
                (p.yamada, self.closing, "30"),
                (p.suzuki, self.supplies, "10"), (p.tanaka, self.supplies, "10"),
                (p.yamada, self.supplies, "5"),
                (p.tanaka, self.reception, "155"),
            ], [
                (p.yamada, self.payroll, 4), (p.sato, self.payroll, 3),
                (p.yamada, self.closing, 4), (p.suzuki, self.closing, 2),
                (p.suzuki, self.supplies, 3), (p.tanaka, self.supplies, 3),
            ])

    def url(self, page: str = "", query: str = "") -> str:
        base = f"/survey/rounds/{self.round.pk}/analysis/{page}"
        return f"{base}?{query}" if query else base


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


@pytest.fixture
def admin(client_as, admin_a, org_a):
    return client_as(admin_a, org_a)


def text(response) -> str:
    return response.content.decode()


# ---- the dashboard -------------------------------------------------------------------------------


def test_the_overview_shows_hours_cost_dependency_rates_and_the_bus_factor(admin, survey):
    response = admin.get(survey.url())
    assert response.status_code == 200
    page = text(response)
    assert "240.0" in page  # total hours
    assert "¥747,500" in page
    assert "50.0%" in page  # 2 of 4 tasks
    assert "77.1%" in page  # 185 of 240 h
    assert "¥12,500" in page  # over-qualified cost
    bus = response.context["org_bus_factor"]
    assert (bus.value, bus.removed) == (1, (survey.people.tanaka.pk,))


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_renders_with_its_charts(admin, survey, section):
    response = admin.get(survey.url(query=f"section={section}"))
    assert response.status_code == 200
    assert response.context["section"] == section
    assert 'id="analysis-charts"' in text(response)


def test_an_unknown_section_falls_back_to_the_overview(admin, survey):
    response = admin.get(survey.url(query="section=../../etc"))
    assert response.status_code == 200
    assert response.context["section"] == "overview"


def test_the_dependency_section_lists_the_person_dependent_tasks_and_who_holds_them(
        admin, survey):
    response = admin.get(survey.url(query="section=dependency"))
    rows = response.context["dependent_rows"]
    assert [(r["task"].name, r["capable"]) for r in rows] == [
        ("来客・電話対応", "田中 美咲"), ("月次決算", "山田 太郎")]
    page = text(response)
    assert "月次決算" in page and "備品管理" not in page
    organization = response.context["bus_factors"][0]
    assert organization["factor"].value == 1 and organization["names"] == ["田中 美咲"]


def test_the_retirement_section_shows_orphaned_absorbed_and_unabsorbed_hours(admin, survey):
    response = admin.get(survey.url(query="section=retirement"))
    risks = {r["risk"].name: r for r in response.context["risks"]}
    assert risks["田中 美咲"]["risk"].orphaned_hours == 155
    assert risks["田中 美咲"]["risk"].unabsorbed_hours == 155
    assert risks["山田 太郎"]["risk"].orphaned_hours == 30
    assert risks["山田 太郎"]["absorbers"] == [("鈴木 花子", 30)]
    assert f"orphaned_of={survey.people.yamada.pk}" in text(response)


def test_the_hours_section_links_each_figure_to_its_rows(admin, survey):
    page = text(admin.get(survey.url(query="section=hours")))
    assert f"rows/?task={survey.supplies.pk}" in page
    assert f"rows/?person={survey.people.tanaka.pk}" in page
    assert "rows/?function=%E7%B7%8F%E5%8B%99" in page  # 総務


def test_seasonality_without_monthly_data_explains_how_to_get_it(admin, survey, tr):
    response = admin.get(survey.url(query="section=seasonality"))
    assert tr("No monthly data in this round.") in text(response)


def test_seasonality_with_monthly_data_shows_the_peak_month(admin, survey, org_a):
    with tenancy.activate(org_a):
        WorkHours.objects.filter(round=survey.round, task=survey.closing).update(
            monthly=["10"] * 11 + ["250"], hours=Decimal("30"))
        services.round_touch(survey.round)
    response = admin.get(survey.url(query="section=seasonality"))
    assert [r["peak"] for r in response.context["month_rows"]][-1] is True


def test_an_empty_round_explains_how_to_bring_data_in(admin, org_a, tr):
    with tenancy.activate(org_a):
        empty = services.round_save(actor=None, survey_round=None, data={"name": "空の調査"})
    response = admin.get(f"/survey/rounds/{empty.pk}/analysis/")
    assert response.status_code == 200
    assert f"/survey/rounds/{empty.pk}/import/" in text(response)
    assert not AnalysisSnapshot.all_objects.filter(round_id=empty.pk).exists()


# ---- the cache -----------------------------------------------------------------------------------


def snapshot(survey: Survey) -> tuple[object, str]:
    return AnalysisSnapshot.all_objects.filter(round_id=survey.round.pk).values_list(
        "computed_at", "fingerprint").get()


def test_a_second_view_reads_the_cached_analysis_and_a_data_change_recomputes_it(
        admin, survey, org_a):
    admin.get(survey.url())
    first = snapshot(survey)
    admin.get(survey.url(query="section=hours"))
    assert snapshot(survey) == first
    with tenancy.activate(org_a):
        fill_round(survey.round, [(survey.people.sato, survey.closing, "8")], [])
    response = admin.get(survey.url())
    assert snapshot(survey) != first
    assert "248.0" in text(response)


def test_recompute_runs_the_analysis_again_and_comes_back_to_the_section(admin, survey):
    admin.get(survey.url())
    before = snapshot(survey)
    response = admin.post(survey.url(query="section=load&refresh=1"))
    assert response.status_code == 302
    assert response["Location"].endswith("?section=load")
    assert snapshot(survey)[0] > before[0]


def test_the_cached_dashboard_stays_under_a_query_budget(admin, survey,
                                                         django_assert_max_num_queries):
    admin.get(survey.url())
    with django_assert_max_num_queries(14):
        admin.get(survey.url())
    for section in SECTIONS:
        with CaptureQueriesContext(connection) as captured:
            admin.get(survey.url(query=f"section={section}"))
        assert len(captured) <= 14, f"{section}: {len(captured)} queries"


# ---- drill-down ----------------------------------------------------------------------------------


def drill(admin, survey: Survey, query: str) -> tuple[set[tuple[str, str]], Decimal]:
    response = admin.get(survey.url("rows/", query))
    assert response.status_code == 200, text(response)
    rows = {(r.person.name, r.task.name) for r in response.context["page"]}
    return rows, response.context["total"]


def test_drill_down_returns_exactly_the_rows_behind_each_figure(admin, survey):
    p = survey.people
    assert drill(admin, survey, f"task={survey.supplies.pk}") == (
        {("鈴木 花子", "備品管理"), ("田中 美咲", "備品管理"), ("山田 太郎", "備品管理")},
        Decimal("25"))
    assert drill(admin, survey, "dependent=1") == (
        {("山田 太郎", "月次決算"), ("田中 美咲", "来客・電話対応")}, Decimal("185"))
    assert drill(admin, survey, f"orphaned_of={p.yamada.pk}") == (
        {("山田 太郎", "月次決算")}, Decimal("30"))
    assert drill(admin, survey, "qualification=over") == (
        {("山田 太郎", "備品管理")}, Decimal("5"))
    assert drill(admin, survey, "qualification=over&grade=G1") == (set(), 0)
    assert drill(admin, survey, f"department={p.somu.pk}")[1] == Decimal("65")
    assert drill(admin, survey, "department=0") == (
        {("田中 美咲", "備品管理"), ("田中 美咲", "来客・電話対応")}, Decimal("165"))
    assert drill(admin, survey, "function=総務&flag=outsourceable")[1] == Decimal("25")
    assert drill(admin, survey, f"person={p.tanaka.pk}&dependent=1") == (
        {("田中 美咲", "来客・電話対応")}, Decimal("155"))


def test_drill_down_shows_the_filter_in_words_and_the_capability_of_each_row(admin, survey):
    response = admin.get(survey.url("rows/", f"orphaned_of={survey.people.yamada.pk}"))
    page = text(response)
    assert "山田 太郎" in page and "月次決算" in page
    row = next(iter(response.context["page"]))
    assert row.capability_level == 4


@pytest.mark.parametrize("query", [
    "person=abc", "task=-3", "flag=bogus", "qualification=sideways", "department=999999",
    "grade=ZZ", "dependent=yes", "orphaned_of=", "person=999999",
])
def test_drill_down_answers_a_bad_filter_with_400_and_a_message(admin, survey, query):
    response = admin.get(survey.url("rows/", query))
    assert response.status_code == 400
    assert 'role="alert"' in text(response)


# The same filter as the page's query and as the API's (one parser serves both).
SAME_FILTERS = [
    ("task={supplies}", {"task_id": "{supplies}"}),
    ("dependent=1", {"dependent": "true"}),
    ("orphaned_of={yamada}", {"orphaned_of": "{yamada}"}),
    ("person={tanaka}&dependent=1", {"person_id": "{tanaka}", "dependent": "true"}),
    ("department=0", {"department_id": "0"}),
    ("qualification=over&grade=G3", {"qualification": "over", "grade": "G3"}),
    ("function=総務&flag=outsourceable", {"function": "総務", "flag": "outsourceable"}),
]
BAD_FILTERS = [
    ("department=999999", {"department_id": "999999"}, "department_id"),
    ("grade=ZZ", {"grade": "ZZ"}, "grade"),
    ("person=999999", {"person_id": "999999"}, "person_id"),
    ("task=999999", {"task_id": "999999"}, "task_id"),
    ("orphaned_of=999999", {"orphaned_of": "999999"}, "orphaned_of"),
    ("flag=bogus", {"flag": "bogus"}, "flag"),
    ("qualification=sideways", {"qualification": "sideways"}, "qualification"),
]


def _ids(survey: Survey) -> dict[str, int]:
    p = survey.people
    return {"supplies": survey.supplies.pk, "yamada": p.yamada.pk, "tanaka": p.tanaka.pk}


def api_rows(admin, survey: Survey, query: dict[str, str]):  # type: ignore[no-untyped-def]
    return admin.get(f"/api/v1/survey/rounds/{survey.round.pk}/analysis/rows",
                     {k: v.format(**_ids(survey)) for k, v in query.items()})


@pytest.mark.parametrize(("page_query", "api_query"), SAME_FILTERS)
def test_the_api_drill_down_accepts_what_the_page_accepts_with_the_same_rows(
        admin, survey, page_query, api_query):
    page_rows, _total = drill(admin, survey, page_query.format(**_ids(survey)))
    response = api_rows(admin, survey, api_query)
    assert response.status_code == 200, text(response)
    assert {(r["person"], r["task"]) for r in response.json()["items"]} == page_rows


@pytest.mark.parametrize(("page_query", "api_query", "field"), BAD_FILTERS)
def test_the_page_and_the_api_refuse_the_same_bad_drill_down_filter(
        admin, survey, page_query, api_query, field):
    assert admin.get(survey.url("rows/", page_query)).status_code == 400
    response = api_rows(admin, survey, api_query)
    assert response.status_code == 422, text(response)
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]


def test_the_drill_down_csv_opens_in_excel_with_japanese_headers(admin, survey):
    response = admin.get(survey.url("rows/", f"task={survey.supplies.pk}&format=csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''%E5%B7%A5%E6%95%B0" in response["Content-Disposition"]  # 工数
    body = response.content
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == ["社員番号", "氏名", "部署", "等級"]
    assert "月間工数(時間)" in rows[0] and "対応可能レベル" in rows[0]
    assert sorted(r[0] for r in rows[1:]) == ["A001", "A002", "A004"]
    suzuki = next(r for r in rows[1:] if r[0] == "A002")
    assert suzuki[2] == "管理本部/総務部" and suzuki[-2] == "10.00" and suzuki[-1] == "3"


def test_drill_down_pages_through_many_rows_and_htmx_gets_only_the_table(admin, survey):
    response = admin.get(survey.url("rows/", "page=2"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in text(response) and "<table" in text(response)


def test_the_assignee_list_of_a_task_loads_inside_the_dashboard(admin, survey):
    response = admin.get(survey.url("rows/", f"task={survey.supplies.pk}&embed=1"))
    page = text(response)
    assert "<html" not in page
    assert all(name in page for name in ("鈴木 花子", "田中 美咲", "山田 太郎"))
    assert f"/analysis/rows/?task={survey.supplies.pk}" in page


# ---- reports -------------------------------------------------------------------------------------


def test_the_print_page_has_every_section_as_tables_and_charts(admin, survey, tr):
    response = admin.get(survey.url("print/"))
    assert response.status_code == 200
    page = text(response)
    for heading in ("Overview", "Person dependency", "Retirement risk", "Grade fit", "Workload",
                    "Outsourcing and automation", "Seasonality"):
        assert tr(heading) in page
    assert "来客・電話対応" in page and "¥12,500" in page
    assert 'id="mainnav"' not in page
    # The dashboard's charts, with their specs, next to the tables.
    assert "somu/vendor/echarts-5.6.0" in page
    specs = json.loads(re.search(r'<script id="analysis-charts" type="application/json">(.*?)'
                                 r"</script>", page, re.S).group(1))
    for chart in ("overview-function", "hours-pareto", "dependency-tasks", "retirement",
                  "grades", "load", "flags"):
        assert f'data-chart="{chart}"' in page
        assert chart in specs


def test_the_pie_chart_labels_its_slices_with_the_tables_percentages(admin, survey):
    # ECharts' own percentages have two decimals (24.77%) where the table says 24.8%: the page
    # hands the chart the table's text.
    page = text(admin.get(survey.url("print/")))
    specs = json.loads(re.search(r'<script id="analysis-charts" type="application/json">(.*?)'
                                 r"</script>", page, re.S).group(1))
    pie = specs["overview-function"]
    assert pie["shares"] and all(re.fullmatch(r"\d+\.\d%", s) for s in pie["shares"])
    for label, share in zip(pie["categories"], pie["shares"], strict=True):
        assert f'<td>{label}</td><td class="num">' in page
        row = re.search(rf"<tr><td>{re.escape(label)}</td>(.*?)</tr>", page).group(1)
        assert f'<td class="num">{share}</td>' in row


def test_the_bus_factor_method_is_said_in_plain_words_with_an_explanation(admin, survey, tr):
    exact, explained = tr("Calculated exactly"), tr(
        "Every combination of people was checked: no smaller group leaves more than half of the "
        "hours with nobody capable.")
    dashboard = text(admin.get(survey.url(query="section=dependency")))
    assert f'title="{explained}">{exact}</span>' in dashboard  # the badge's tooltip
    printed = text(admin.get(survey.url("print/")))
    for page in (dashboard, printed):
        assert "厳密解" not in page and "貪欲法" not in page
        assert f"<dt>{tr('Approximation (upper bound)')}</dt>" in page
        assert f"<dd>{explained}</dd>" in page
    assert f"<small>({exact})</small>" in printed


def test_the_excel_report_downloads_with_the_rounds_name(admin, survey):
    response = admin.get(survey.url("report.xlsx"))
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # 業務調査_2026年度_業務調査.xlsx
    assert "filename*=UTF-8''%E6%A5%AD%E5%8B%99%E8%AA%BF%E6%9F%BB_2026" in disposition


# ---- comparison ----------------------------------------------------------------------------------


def second_round(survey: Survey, org) -> SurveyRound:
    """After the improvement: 来客・電話対応 down to 90 h, 鈴木 can now do 月次決算 alone."""
    p = survey.people
    with tenancy.activate(org):
        after = services.round_save(actor=None, survey_round=None,
                                    data={"name": "2027年度 業務調査"})
        fill_round(after, [
            (p.yamada, survey.payroll, "20"), (p.sato, survey.payroll, "10"),
            (p.yamada, survey.closing, "30"),
            (p.suzuki, survey.supplies, "10"), (p.tanaka, survey.supplies, "10"),
            (p.yamada, survey.supplies, "5"),
            (p.tanaka, survey.reception, "90"),
        ], [
            (p.yamada, survey.payroll, 4), (p.sato, survey.payroll, 3),
            (p.yamada, survey.closing, 4), (p.suzuki, survey.closing, 3),
            (p.suzuki, survey.supplies, 3), (p.tanaka, survey.supplies, 3),
        ])
    return after


def test_compare_shows_what_changed_between_two_rounds(admin, survey, org_a):
    after = second_round(survey, org_a)
    response = admin.get(f"/survey/compare/?before={survey.round.pk}&after={after.pk}")
    assert response.status_code == 200
    metrics = {row["m"].metric: row for row in response.context["metrics"]}
    assert metrics["hours"]["m"].change == -65
    assert metrics["dependent_tasks"]["m"].change == -1
    assert metrics["dependent_tasks"]["verdict"] == "better"
    page = text(response)
    assert "−65.0" in page
    assert "来客・電話対応" in page  # the largest task change
    assert "change-better" in page


def test_compare_without_rounds_shows_the_form(admin, survey):
    response = admin.get("/survey/compare/")
    assert response.status_code == 200
    assert survey.round.name in text(response)
    assert "comparison" not in response.context


def test_compare_opened_from_a_round_preselects_it_as_after(admin, survey):
    response = admin.get(f"/survey/compare/?after={survey.round.pk}")
    assert response.status_code == 200
    assert "error" not in response.context
    assert f'<option value="{survey.round.pk}" selected>' in text(response)


def test_compare_answers_a_mistyped_round_with_400(admin, survey):
    response = admin.get(f"/survey/compare/?before=abc&after={survey.round.pk}")
    assert response.status_code == 400
    assert response.context["error"]


def test_comparing_a_round_with_itself_says_so(admin, survey, tr):
    response = admin.get(f"/survey/compare/?before={survey.round.pk}&after={survey.round.pk}")
    assert response.status_code == 200
    assert response.context["error"]
    assert "comparison" not in response.context


def test_compare_refuses_a_round_of_another_organization(admin, survey, admin_b, org_b):
    with tenancy.activate(org_b):
        foreign = services.round_save(actor=None, survey_round=None, data={"name": "ビー調査"})
    assert admin.get(
        f"/survey/compare/?before={foreign.pk}&after={survey.round.pk}").status_code == 404
    assert admin.get(
        f"/survey/compare/?before={survey.round.pk}&after={foreign.pk}").status_code == 404


# ---- who may see it ------------------------------------------------------------------------------


def test_an_employee_may_not_see_the_analysis_but_an_auditor_may(
        client_as, employee_a, auditor_a, org_a, survey):
    employee = client_as(employee_a, org_a)
    auditor = client_as(auditor_a, org_a)
    for page in ("", "rows/", "print/"):
        assert employee.get(survey.url(page)).status_code == 403
        assert auditor.get(survey.url(page)).status_code == 200
    assert employee.get("/survey/compare/").status_code == 403
    assert auditor.get("/survey/compare/").status_code == 200


def test_another_organizations_round_is_not_found_on_any_analysis_page(
        client_as, admin_b, org_b, survey):
    other = client_as(admin_b, org_b)
    for page in ("", "?section=hours", "rows/", "rows/?format=csv", "print/", "report.xlsx"):
        response = other.get(f"/survey/rounds/{survey.round.pk}/analysis/{page}")
        assert response.status_code == 404, page
    assert other.post(survey.url(query="refresh=1")).status_code == 404
    assert not AnalysisSnapshot.all_objects.filter(round_id=survey.round.pk).exists()
