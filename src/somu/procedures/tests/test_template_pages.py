"""The template pages: list, detail (steps, graph, due-date preview), the structured and YAML
editors, import/export, linked tasks, archiving and the built-in library."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from somu.core import tenancy
from somu.procedures.engine import yamlio
from somu.procedures.engine.parse import spec_dict
from somu.procedures.models import Template, TemplateVersion
from somu.procedures.selectors import templates as template_selectors
from somu.procedures.tests.builders import onboarding, save
from somu.procedures.views import template_editor as te
from somu.survey import services as survey_services


@pytest.fixture
def template(org_a, people_a, staff_a) -> Template:
    return save(org_a, onboarding(), actor=staff_a, owner=people_a.sato)


def url(name: str, *args: Any) -> str:
    return reverse(f"procedures:{name}", args=args)


def read_pages(t: Template) -> list[str]:
    return [
        url("template_list"), url("template_detail", t.pk), url("template_version", t.pk, 1),
        url("template_export", t.pk), url("library"),
    ]


def edit_pages(t: Template) -> list[str]:
    return [url("template_create"), url("template_edit", t.pk), url("template_yaml_edit", t.pk),
            url("template_import")]


def post_pages(t: Template) -> list[str]:
    return [url("template_tasks", t.pk), url("template_archive", t.pk),
            url("library_adopt", "onboarding"), url("template_create"),
            url("template_edit", t.pk), url("template_yaml_edit", t.pk), url("template_import")]


# ---- the structured editor's POST data ---------------------------------------------------------


def management(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {f"{prefix}-TOTAL_FORMS": str(len(rows)),
                            f"{prefix}-INITIAL_FORMS": "0",
                            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


STEP_DEFAULTS = {"kind": "task", "assignee_kind": "starter", "assignee_role": "staff",
                 "due_kind": "offset", "due_unit": "business", "due_roll": "none",
                 "on_reject": "stop"}


def editor_data(*, name: str = "備品発注", params: list[dict[str, Any]] | None = None,
                steps: list[dict[str, Any]] | None = None, **head: Any) -> dict[str, Any]:
    params = params if params is not None else [
        {"key": "納品日", "label": "納品日", "type": "date", "required": "on", "ORDER": "1"},
        {"key": "区分", "label": "区分", "type": "choice", "required": "on",
         "choices": "消耗品\n備品", "default": "消耗品", "ORDER": "2"},
    ]
    steps = steps if steps is not None else [
        {"key": "quote", "name": "見積依頼", "ORDER": "1", "instructions": "{{区分}}の見積を取る",
         "due_base": "start", "due_offset": "3", "checklist": "3社以上\n税込で比較"},
        {"key": "approve", "name": "上長承認", "ORDER": "2", "kind": "approval",
         "depends_on": "quote", "assignee_kind": "person", "assignee_person": "A001"},
        {"key": "order", "name": "発注", "ORDER": "3", "depends_on": "approve",
         "due_base": "納品日", "due_offset": "-2", "due_roll": "previous",
         "form_fields": "order_no:発注番号:text:required", "estimated_minutes": "20",
         "condition": "区分 == '備品'"},
    ]
    data = {"name": name, "category": "総務", "on_unresolved_assignee": "fail",
            "change_note": head.pop("change_note", "")}
    data.update(head)
    data.update(management("params", params))
    data.update(management("steps", [{**STEP_DEFAULTS, **s} for s in steps]))
    return data


def current_spec(org, template_name: str) -> dict[str, Any]:
    with tenancy.activate(org):
        t = Template.objects.select_related("current_version").get(name=template_name)
        assert t.current_version is not None
        return t.current_version.spec


# ---- permissions and isolation ------------------------------------------------------------------


def test_every_template_page_renders_for_staff(client_as, staff_a, org_a, template):
    client = client_as(staff_a, org_a)
    for page in read_pages(template) + edit_pages(template):
        assert client.get(page).status_code == 200, page


def test_an_employee_may_not_see_or_change_templates(client_as, employee_a, org_a, template):
    client = client_as(employee_a, org_a)
    for page in read_pages(template) + edit_pages(template):
        assert client.get(page).status_code == 403, page
    for page in post_pages(template):
        assert client.post(page, {}).status_code == 403, page


def test_an_auditor_reads_templates_but_cannot_change_them(client_as, auditor_a, org_a, template):
    client = client_as(auditor_a, org_a)
    for page in read_pages(template):
        assert client.get(page).status_code == 200, page
    for page in edit_pages(template):
        assert client.get(page).status_code == 403, page
    for page in post_pages(template):
        assert client.post(page, {}).status_code == 403, page
    detail = client.get(url("template_detail", template.pk)).content.decode()
    assert url("template_edit", template.pk) not in detail
    assert url("run_launch", template.pk) not in detail
    assert url("template_export", template.pk) in detail
    assert url("template_tasks", template.pk) not in detail
    library_page = client.get(url("library")).content.decode()
    assert url("library_adopt", "onboarding") not in library_page


def test_another_organizations_template_is_not_found(client_as, admin_b, org_b, template):
    client = client_as(admin_b, org_b)
    for page in [*read_pages(template)[1:4], *edit_pages(template)[1:3]]:
        assert client.get(page).status_code == 404, page
    assert client.post(url("template_archive", template.pk)).status_code == 404
    with tenancy.activate(template.organization):
        template.refresh_from_db()
        assert not template.archived


# ---- the list and the detail page -------------------------------------------------------------


def test_the_list_groups_templates_by_category_with_version_and_steps(
        client_as, staff_a, org_a, template):
    save(org_a, onboarding(name="退職手続き", category="人事労務"))
    save(org_a, onboarding(name="月次決算", category="経理財務"))
    page = client_as(staff_a, org_a).get(url("template_list")).content.decode()
    assert page.index("人事労務") < page.index("入社手続き") < page.index("退職手続き")
    assert "経理財務" in page and "v1" in page
    filtered = client_as(staff_a, org_a).get(url("template_list"), {"category": "経理財務"})
    assert "月次決算" in filtered.content.decode()
    assert "入社手続き" not in filtered.content.decode()


def test_an_archived_template_leaves_the_list_and_comes_back(client_as, staff_a, org_a, template):
    client = client_as(staff_a, org_a)
    response = client.post(url("template_archive", template.pk), {"archived": "1"})
    assert response.status_code == 302
    assert "入社手続き" not in client.get(url("template_list")).content.decode()
    archived = client.get(url("template_list"), {"archived": "archived"}).content.decode()
    assert "入社手続き" in archived
    client.post(url("template_archive", template.pk), {"archived": "0"})
    assert "入社手続き" in client.get(url("template_list")).content.decode()


def test_the_template_list_runs_a_fixed_number_of_queries(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    save(org_a, onboarding(name="T0"))
    client.get(url("template_list"))  # warm the session and caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("template_list")).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for n in range(1, 8):
        save(org_a, onboarding(name=f"T{n}", category=f"C{n % 3}"))
    assert queries() == few


def test_the_detail_page_describes_each_step(client_as, staff_a, org_a, template, tr):
    page = client_as(staff_a, org_a).get(url("template_detail", template.pk)).content.decode()
    condition = "雇用形態 in [&#x27;正社員&#x27;, &#x27;契約社員&#x27;]"
    for text in ("入社書類の提出", "受付番号", condition, "人事部", "A001"):
        assert text in page, text
    assert "tpl-badge-approval" in page
    with tenancy.activate(org_a):
        spec = template_selectors.version_spec(template.current_version)
        assert template_selectors.describe_due(spec.steps[1].due, spec) in page


def test_parameter_defaults_read_as_words_and_dates_not_python_values(
        client_as, staff_a, org_a, people_a, tr):
    spec = onboarding(parameters=[
        *onboarding()["parameters"],
        {"key": "PC貸与", "type": "boolean", "default": True},
        {"key": "社宅", "type": "boolean", "default": False},
        {"key": "研修日", "type": "date", "default": "2026-04-01"},
    ])
    t = save(org_a, spec, actor=staff_a)

    page = client_as(staff_a, org_a).get(url("template_detail", t.pk)).content.decode()
    table = page[page.index('class="tpl-params"'):page.index("</table>")]

    defaults = re.findall(r'<td class="hide-sm">([^<]*)</td>\s*</tr>', table)
    assert defaults == ["—", "—", "正社員", tr("Yes"), tr("No"), "2026-04-01 (水)"]
    assert "True" not in table and "False" not in table


def test_step_keys_stay_in_the_editor_and_off_the_reading_pages(client_as, staff_a, org_a,
                                                                 template):
    client = client_as(staff_a, org_a)
    for page_url in (url("template_detail", template.pk), url("template_version", template.pk, 1)):
        steps = client.get(page_url).content.decode()
        steps = steps[steps.index('class="tpl-steps"'):]
        for key in ("docs", "shaho", "koyo", "account", "approve"):
            assert f">{key}<" not in steps, (page_url, key)
        # the dependency list names the steps it waits for
        assert ">入社書類の提出</a>" in steps
    editor = client.get(url("template_edit", template.pk)).content.decode()
    assert 'value="shaho"' in editor


def test_the_dependency_graph_is_an_svg_with_every_step(client_as, staff_a, org_a, template):
    page = client_as(staff_a, org_a).get(url("template_detail", template.pk)).content.decode()
    svg = page[page.index("<svg"):page.index("</svg>")]
    for name in ("入社書類の提出", "健康保険・厚生年金 資格取得届", "雇用保険 資格取得届",
                 "アカウント発行", "人事部長の確認"):
        assert name in svg, name
    assert svg.count("<path class=\"tpl-edge\"") == 6  # docs→3 steps, 3 steps→approve
    assert "tpl-node-approval" in svg


def test_a_graph_of_25_steps_in_a_chain_stays_one_row_and_scrolls(client_as, staff_a, org_a,
                                                                  people_a):
    steps = [{"key": f"s{i}", "name": f"手順{i}",
              **({"depends_on": [f"s{i - 1}"]} if i else {})} for i in range(25)]
    t = save(org_a, {"name": "長い手順", "steps": steps})
    page = client_as(staff_a, org_a).get(url("template_detail", t.pk)).content.decode()
    match = re.search(r'<svg class="tpl-graph"[^>]* width="(\d+)" height="(\d+)"', page)
    assert match is not None
    width, height = int(match[1]), int(match[2])
    assert width > 25 * 176 and height < 100
    assert "tpl-graph-wrap" in page


def test_the_preview_skips_golden_week(client_as, staff_a, org_a, people_a):
    t = save(org_a, {"name": "連休の確認", "steps": [
        {"key": "a", "name": "三営業日後", "due": {"from": "start", "offset": 3}}]})
    client = client_as(staff_a, org_a)
    response = client.get(url("template_detail", t.pk), {"start": "2026-04-28"},
                          headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body  # htmx gets the partial only
    assert "2026-05-07 (木)" in body  # the one date format of every page
    full = client.get(url("template_detail", t.pk), {"start": "2026-04-28"}).content.decode()
    assert "2026-05-07" in full and "<html" in full


def test_the_preview_marks_a_step_whose_condition_is_false_as_skipped(
        client_as, staff_a, org_a, template, tr):
    client = client_as(staff_a, org_a)
    body = client.get(url("template_detail", template.pk),
                      {"start": "2026-04-01", "p-雇用形態": "パート"},
                      headers={"HX-Request": "true"}).content.decode()
    row = body[body.index("健康保険・厚生年金 資格取得届"):]
    row = row[:row.index("</tr>")]
    assert tr("Skipped") in row
    # An impossible date falls back to today instead of failing.
    assert client.get(url("template_detail", template.pk),
                      {"start": "2026-02-30"}).status_code == 200


# ---- the structured editor --------------------------------------------------------------------


def test_the_structured_editor_creates_version_1(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    response = client.post(url("template_create"), editor_data(owner=str(people_a.sato.pk)))
    assert response.status_code == 302, response.content.decode()[:3000]
    spec = current_spec(org_a, "備品発注")
    with tenancy.activate(org_a):
        t = Template.objects.get(name="備品発注")
        assert t.current_version.number == 1 and t.owner == people_a.sato
    assert [p["key"] for p in spec["parameters"]] == ["納品日", "区分"]
    assert spec["parameters"][1]["choices"] == ["消耗品", "備品"]
    assert [s["key"] for s in spec["steps"]] == ["quote", "approve", "order"]
    quote, approve, order = spec["steps"]
    assert quote["checklist"] == ["3社以上", "税込で比較"]
    assert approve["kind"] == "approval" and approve["assignee"] == {"person": "A001"}
    assert order["depends_on"] == ["approve"]
    assert order["due"]["from"] == "納品日" and order["due"]["offset"] == -2
    assert order["due"]["roll"] == "previous"
    assert order["form"][0]["key"] == "order_no" and order["form"][0]["required"] is True
    assert order["condition"] == "区分 == '備品'"


def test_the_editor_sets_and_shows_the_bounds_of_a_number_parameter(client_as, staff_a, org_a,
                                                                     people_a):
    client = client_as(staff_a, org_a)
    params = [{"key": "数量", "label": "数量", "type": "number", "required": "on",
               "min": "1", "max": "500", "ORDER": "1"}]
    steps = [{"key": "order", "name": "発注", "ORDER": "1"}]
    response = client.post(url("template_create"), editor_data(params=params, steps=steps))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert current_spec(org_a, "備品発注")["parameters"] == [
        {"key": "数量", "type": "number", "min": 1, "max": 500}]
    with tenancy.activate(org_a):
        t = Template.objects.get(name="備品発注")
    page = client.get(url("template_edit", t.pk)).content.decode()
    assert 'name="params-0-min" value="1"' in page and 'name="params-0-max" value="500"' in page
    params[0]["max"] = "0"
    refused = client.post(url("template_edit", t.pk), editor_data(params=params, steps=steps))
    assert refused.status_code == 200
    assert "must not be less than min" in refused.content.decode()


def test_editing_creates_version_2_and_version_1_stays_viewable(client_as, staff_a, org_a,
                                                                people_a, tr):
    client = client_as(staff_a, org_a)
    client.post(url("template_create"), editor_data())
    with tenancy.activate(org_a):
        t = Template.objects.get(name="備品発注")
    page = client.get(url("template_edit", t.pk)).content.decode()
    assert "見積依頼" in page and 'value="quote"' in page
    assert tr("Saving creates a new version (v%(number)s). Runs in progress continue with the "
              "version they started with.", number=2) in page
    data = editor_data(change_note="納期を変更")
    data["steps-2-due_offset"] = "-5"
    assert client.post(url("template_edit", t.pk), data).status_code == 302
    with tenancy.activate(org_a):
        t.refresh_from_db()
        assert t.current_version.number == 2
        assert t.current_version.note == "納期を変更"
        assert TemplateVersion.objects.get(template=t, number=1).spec["steps"][2]["due"][
            "offset"] == -2
    old = client.get(url("template_version", t.pk, 1))
    assert old.status_code == 200 and "見積依頼" in old.content.decode()
    assert client.get(url("template_version", t.pk, 3)).status_code == 404


def data_from_spec(spec: Any, owner: Any = None) -> dict[str, Any]:
    """What a browser posts when the user saves the editor without touching anything (text
    areas come back with CRLF line ends)."""
    def posted(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in row.items():
            if value is True:
                out[key] = "on"
            elif value not in (None, False):
                out[key] = str(value).replace("\n", "\r\n")
        return out

    data = {**posted(te.head_initial(spec)), "owner": str(owner.pk) if owner else ""}
    data.update(management("params", [posted(r) for r in te.parameter_initial(spec)]))
    data.update(management("steps", [posted({**STEP_DEFAULTS, **r})
                                     for r in te.step_initial(spec)]))
    return data


def test_saving_the_editor_unchanged_keeps_the_version(client_as, staff_a, org_a, template, tr):
    client = client_as(staff_a, org_a)
    with tenancy.activate(org_a):
        spec = template_selectors.version_spec(template.current_version)
    response = client.post(url("template_edit", template.pk),
                           data_from_spec(spec, owner=template.owner), follow=True)
    assert tr("Nothing changed; the template stays at version %(number)s.", number=1) in \
        response.content.decode()
    with tenancy.activate(org_a):
        template.refresh_from_db()
        assert template.current_version.number == 1


def test_every_library_procedure_survives_the_structured_editor(client_as, staff_a, org_a,
                                                                people_a):
    """Adopt each library template and save it unchanged: the editor loses nothing."""
    from somu.procedures.services import library

    client = client_as(staff_a, org_a)
    for entry in library.library_entries():
        client.post(url("library_adopt", entry.key))
        with tenancy.activate(org_a):
            t = Template.objects.select_related("current_version").get(library_key=entry.key)
            spec = template_selectors.version_spec(t.current_version)
        response = client.post(url("template_edit", t.pk), data_from_spec(spec))
        assert response.status_code == 302, (entry.key, response.content.decode()[:2000])
        with tenancy.activate(org_a):
            t.refresh_from_db()
            assert t.current_version.number == 1, entry.key


def test_steps_can_be_reordered_and_deleted(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    data = editor_data()
    data["steps-0-ORDER"], data["steps-1-ORDER"] = "2", "1"
    data["steps-1-depends_on"] = ""
    data["steps-0-depends_on"] = "approve"
    data["steps-2-DELETE"] = "on"
    assert client.post(url("template_create"), data).status_code == 302
    spec = current_spec(org_a, "備品発注")
    assert [s["key"] for s in spec["steps"]] == ["approve", "quote"]


def test_a_dependency_cycle_is_shown_and_nothing_is_saved(client_as, staff_a, org_a, people_a):
    data = editor_data()
    data["steps-0-depends_on"] = "order"
    response = client_as(staff_a, org_a).post(url("template_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "dependency cycle" in page and "→" in page
    assert "tpl-problems" in page
    with tenancy.activate(org_a):
        assert not Template.objects.exists()


def test_an_unknown_dependency_is_shown_next_to_its_step(client_as, staff_a, org_a, people_a):
    data = editor_data()
    data["steps-2-depends_on"] = "approve, nosuch"
    page = client_as(staff_a, org_a).post(url("template_create"), data).content.decode()
    assert "unknown step &#x27;nosuch&#x27;" in page
    # next to the field: inside the third step's row, after its depends_on input
    row = page[page.index('id="step-row-3"'):]
    row = row[:row.index("</details>")]
    field = row[row.index('name="steps-2-depends_on"'):]
    assert "unknown step" in field[:600]
    assert "steps[2].depends_on" in page  # the summary names the path
    with tenancy.activate(org_a):
        assert not Template.objects.exists()


def test_a_due_rule_on_an_unknown_parameter_names_the_steps_due_field(
        client_as, staff_a, org_a, people_a):
    data = editor_data()
    data["steps-2-due_base"] = "退職日"
    page = client_as(staff_a, org_a).post(url("template_create"), data).content.decode()
    assert "steps[2].due.from" in page
    row = page[page.index('id="step-row-3"'):]
    assert "unknown parameter &#x27;退職日&#x27;" in row[:row.index("</details>")]


def test_a_bad_form_field_line_is_rejected_with_its_line(client_as, staff_a, org_a, people_a):
    data = editor_data()
    data["steps-2-form_fields"] = "a:A:text\nb:B:colour"
    page = client_as(staff_a, org_a).post(url("template_create"), data).content.decode()
    assert "colour" in page
    with tenancy.activate(org_a):
        assert not Template.objects.exists()


def test_the_bad_form_field_line_is_explained_in_japanese(client_as, staff_a, org_a, people_a):
    # The line parser is pure (somu.rules.forms); the editor translates its error.
    data = editor_data()
    data["steps-2-form_fields"] = "a:A:text\nb:B:colour"
    page = client_as(staff_a, org_a).post(url("template_create"), data).content.decode()
    assert "2行目: 入力項目の種類「colour」はありません" in page


def test_add_a_step_shows_one_more_empty_row_without_saving(client_as, staff_a, org_a, people_a):
    data = editor_data()
    data["add_step"] = "1"
    page = client_as(staff_a, org_a).post(url("template_create"), data).content.decode()
    assert 'name="steps-TOTAL_FORMS" value="4"' in page
    assert 'name="steps-3-name"' in page
    assert "見積依頼" in page  # what was typed stays
    with tenancy.activate(org_a):
        assert not Template.objects.exists()


def test_a_duplicate_name_is_shown_on_the_name_field(client_as, staff_a, org_a, template):
    page = client_as(staff_a, org_a).post(url("template_create"),
                                          editor_data(name="入社手続き")).content.decode()
    with tenancy.activate(org_a):
        assert Template.objects.count() == 1
    assert "tpl-problems" in page


# ---- YAML: edit, import, export -----------------------------------------------------------------


def test_the_yaml_editor_saves_a_new_version(client_as, staff_a, org_a, template):
    client = client_as(staff_a, org_a)
    text = client.get(url("template_yaml_edit", template.pk)).context["text"]
    assert "入社書類の提出" in text
    unchanged = client.post(url("template_yaml_edit", template.pk),
                            {"yaml": text.replace("\n", "\r\n")})
    assert unchanged.status_code == 302
    with tenancy.activate(org_a):
        template.refresh_from_db()
        assert template.current_version.number == 1
    response = client.post(url("template_yaml_edit", template.pk),
                           {"yaml": text.replace("入社書類の提出", "入社書類の回収"),
                            "change_note": "名称変更"})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        template.refresh_from_db()
        assert template.current_version.number == 2
        assert template.current_version.spec["steps"][0]["name"] == "入社書類の回収"


def test_the_yaml_editor_lists_a_syntax_error_with_its_line(client_as, staff_a, org_a, template):
    client = client_as(staff_a, org_a)
    response = client.post(url("template_yaml_edit", template.pk),
                           {"yaml": "name: x\nsteps:\n  - key: a\n   name: [oops\n"})
    page = response.content.decode()
    assert response.status_code == 200 and "line " in page
    with tenancy.activate(org_a):
        template.refresh_from_db()
        assert template.current_version.number == 1


IMPORT_YAML = """somu: procedure/1
name: 健康診断
category: 総務
parameters:
  - {key: 実施日, type: date}
steps:
  - key: book
    name: 健診機関の予約
    due: {from: 実施日, offset: -20}
  - key: notify
    name: 受診案内
    depends_on: [book]
"""


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_a_yaml_file_is_imported_in_utf8_with_bom_or_cp932(client_as, staff_a, org_a, people_a,
                                                           encoding):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("kenshin.yaml", IMPORT_YAML.encode(encoding), "text/yaml")
    response = client_as(staff_a, org_a).post(url("template_import"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[-3000:]
    spec = current_spec(org_a, "健康診断")
    assert [s["name"] for s in spec["steps"]] == ["健診機関の予約", "受診案内"]


def test_pasted_yaml_is_imported(client_as, staff_a, org_a, people_a):
    response = client_as(staff_a, org_a).post(url("template_import"), {"text": IMPORT_YAML})
    assert response.status_code == 302
    assert current_spec(org_a, "健康診断")["steps"][1]["depends_on"] == ["book"]


def test_a_broken_yaml_file_shows_the_line_of_the_syntax_error(client_as, staff_a, org_a,
                                                               people_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = IMPORT_YAML.replace("    name: 受診案内", "    name: [受診案内")
    upload = SimpleUploadedFile("broken.yaml", broken.encode(), "text/yaml")
    page = client_as(staff_a, org_a).post(url("template_import"), {"file": upload}
                                          ).content.decode()
    assert re.search(r"line \d+", page)
    with tenancy.activate(org_a):
        assert not Template.objects.exists()


def test_an_invalid_template_file_shows_each_problem_with_its_path(client_as, staff_a, org_a,
                                                                   people_a):
    bad = IMPORT_YAML.replace("from: 実施日", "from: 受診日").replace("[book]", "[booking]")
    page = client_as(staff_a, org_a).post(url("template_import"), {"text": bad}).content.decode()
    assert "steps[0].due.from" in page and "steps[1].depends_on" in page
    with tenancy.activate(org_a):
        assert not Template.objects.exists()


def test_importing_an_existing_name_needs_the_update_tick(client_as, staff_a, org_a, people_a):
    client = client_as(staff_a, org_a)
    client.post(url("template_import"), {"text": IMPORT_YAML})
    changed = IMPORT_YAML.replace("offset: -20", "offset: -30")
    refused = client.post(url("template_import"), {"text": changed})
    assert refused.status_code == 200 and "健康診断" in refused.content.decode()
    assert client.post(url("template_import"), {"text": changed, "update": "on"}
                       ).status_code == 302
    with tenancy.activate(org_a):
        t = Template.objects.get(name="健康診断")
        assert t.current_version.number == 2


def test_an_import_without_a_file_or_text_says_what_to_do(client_as, staff_a, org_a, tr):
    page = client_as(staff_a, org_a).post(url("template_import"), {}).content.decode()
    assert tr("Choose a .yaml file or paste the YAML text.") in page


def test_export_then_import_gives_the_same_spec(client_as, staff_a, org_a, org_b, admin_b,
                                                template, people_b):
    response = client_as(staff_a, org_a).get(url("template_export", template.pk))
    assert response["Content-Type"] == "text/yaml; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"")
    assert "filename*=UTF-8''%E5%85%A5%E7%A4%BE" in disposition  # 入社手続き.yaml
    text = response.content.decode("utf-8")
    # Import in organization A under another name, then compare the specs.
    renamed = text.replace("name: 入社手続き", "name: 入社手続き（複製）", 1)
    assert client_as(staff_a, org_a).post(url("template_import"),
                                          {"text": renamed}).status_code == 302
    original = current_spec(org_a, "入社手続き")
    copy = current_spec(org_a, "入社手続き（複製）")
    assert {**copy, "name": "入社手続き"} == original
    assert yamlio.dump_yaml(spec_dict(template_selectors.version_spec(
        TemplateVersion(spec=original)))) == text


# ---- linked inventory tasks ---------------------------------------------------------------------


def test_linked_tasks_are_changed_from_the_detail_page(client_as, staff_a, org_a, template):
    with tenancy.activate(org_a):
        task = survey_services.task_save(actor=None, task=None, data={
            "function": "人事労務", "category": "入退社", "name": "入社手続き"})
        other = survey_services.task_save(actor=None, task=None, data={
            "function": "総務", "category": "庶務", "name": "備品管理"})
    client = client_as(staff_a, org_a)
    page = client.get(url("template_detail", template.pk)).content.decode()
    assert "人事労務" in page and "備品管理" in page
    response = client.post(url("template_tasks", template.pk), {"tasks": [str(task.pk)]})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        template.refresh_from_db()
        assert list(template.tasks.all()) == [task]
        assert other not in template.tasks.all()
    assert "入退社" in client.get(url("template_detail", template.pk)).content.decode()


def test_the_template_head_names_the_version_and_the_related_tasks_in_words(
        client_as, staff_a, org_a, template, tr):
    with tenancy.activate(org_a):
        task = survey_services.task_save(actor=None, task=None, data={
            "function": "人事労務", "category": "入退社", "name": "入社手続き"})
    client = client_as(staff_a, org_a)
    client.post(url("template_tasks", template.pk), {"tasks": [str(task.pk)]})
    page = client.get(url("template_detail", template.pk)).content.decode()
    head = page[page.index('<dl class="facts tpl-head-facts">'):page.index("</dl>")]
    # Not 「v2 — 紐付けた業務」: the version, what changed and the related tasks on their own lines.
    assert f"<dd>{tr('Version %(number)s', number=2)}</dd>" in head
    assert f"<dt>{tr('what changed')}</dt><dd>{tr('Changed the related tasks')}</dd>" in head
    assert f"<dt>{tr('related tasks')}</dt><dd>入社手続き</dd>" in head
    assert "v2" not in head


# ---- the library --------------------------------------------------------------------------------


def test_the_library_lists_procedures_and_adopts_one(client_as, staff_a, org_a, people_a, tr):
    from somu.procedures.services import library

    client = client_as(staff_a, org_a)
    entries = library.library_entries()
    assert entries
    page = client.get(url("library")).content.decode()
    for entry in entries:
        assert entry.spec.name in page
    key = entries[0].key
    response = client.post(url("library_adopt", key))
    assert response.status_code == 302
    with tenancy.activate(org_a):
        adopted = Template.objects.get(library_key=key)
    assert response["Location"] == url("template_detail", adopted.pk)
    page = client.get(url("library")).content.decode()
    assert url("template_detail", adopted.pk) in page
    # Adopting twice leads to the organization's template, not a second copy.
    again = client.post(url("library_adopt", key))
    assert again["Location"] == url("template_detail", adopted.pk)
    with tenancy.activate(org_a):
        assert Template.objects.filter(library_key=key).count() == 1
    assert client.post(url("library_adopt", "no-such-key")).status_code == 404


# ---- the graph layout (pure) --------------------------------------------------------------------


def test_a_long_step_name_is_wrapped_in_two_lines_and_shortened():
    from somu.procedures.views.template_graph import wrap

    assert wrap("資格取得届") == ("資格取得届",)
    lines = wrap("健康保険・厚生年金保険 被保険者資格取得届と被扶養者異動届の提出と控えの保管")
    assert len(lines) == 2 and lines[1].endswith("…")
    assert wrap("") == ("",)


def test_steps_are_placed_in_columns_by_dependency_depth():
    from somu.procedures.views.template_graph import GraphStep, layout

    steps = [GraphStep("a", "A", 1, False, ()), GraphStep("b", "B", 2, False, ("a",)),
             GraphStep("c", "C", 3, True, ("a",)), GraphStep("d", "D", 4, False, ("b", "c"))]
    graph = layout([["a"], ["b", "c"], ["d"]], steps)
    x = {box.key: box.x for box in graph.boxes}
    assert x["a"] < x["b"] == x["c"] < x["d"]
    assert [(e.source, e.target) for e in graph.edges] == [
        ("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    assert next(b for b in graph.boxes if b.key == "c").approval


def test_each_box_of_the_graph_knows_the_steps_it_waits_for_in_step_order():
    # A screen reader cannot follow the arrows: each box's link is named with these.
    from somu.procedures.views.template_graph import GraphStep, layout

    steps = [GraphStep("a", "書類回収", 1, False, ()), GraphStep("b", "契約", 2, False, ()),
             GraphStep("c", "承認", 3, True, ("b", "a")), GraphStep("d", "届出", 4, False, ("c",))]
    graph = layout([["a", "b"], ["c"], ["d"]], steps)
    waits = {box.key: box.waits_for for box in graph.boxes}
    assert waits == {"a": (), "b": (), "c": ("書類回収", "契約"), "d": ("承認",)}


def test_the_graph_is_a_group_whose_links_say_what_each_step_waits_for(client_as, staff_a,
                                                                     org_a, template):
    page = client_as(staff_a, org_a).get(url("template_detail", template.pk)).content.decode()
    svg = page[page.index("<svg"):page.index("</svg>")]
    # Not role="img": an image hides its children from a screen reader, and these are links.
    assert 'role="group"' in svg and 'role="img"' not in svg
    labels = re.findall(r'<a href="#step-[^"]+" class="tpl-node-link" aria-label="([^"]+)"', svg)
    assert labels == [
        "1. 入社書類の提出",
        "2. 健康保険・厚生年金 資格取得届: 入社書類の提出の完了後",
        "3. 雇用保険 資格取得届: 入社書類の提出の完了後",
        "4. アカウント発行: 入社書類の提出の完了後",
        "5 · 承認 人事部長の確認: 健康保険・厚生年金 資格取得届、雇用保険 資格取得届、"
        "アカウント発行の完了後",
    ]
