"""The task inventory pages: the grouped list, the task form, the starter inventory, deleting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.survey import services
from somu.survey.models import Respondent, SurveyRound, Task, TaskStatus
from somu.survey.services import Answer
from somu.survey.starter import STARTER_TASKS

LIST = reverse("survey:task_list")
NEW = reverse("survey:task_create")
STARTER = reverse("survey:starter_adopt")


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def shows(response, text: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page shows ``text`` (as the template escaped it)."""
    return escape(text) in body(response)


def task_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "function": "経理財務", "category": "決算", "subcategory": "月次決算",
        "name": "月次決算の締め", "description": "月末の締め処理を行う。", "frequency": "monthly",
        "difficulty": "3", "scope": "internal", "remote_ok": "on", "automatable": "on",
        "required_skill": "", "notes": "経理部長の承認が必要", "status": "active",
        "sort_order": "0",
    }
    data.update(overrides)
    return data


def add_task(org, **fields: object) -> Task:  # type: ignore[no-untyped-def]
    data = {"function": "総務", "category": "庶務", "subcategory": "", "name": "備品管理", **fields}
    with tenancy.activate(org):
        return services.task_save(actor=None, task=None, data=data)


@pytest.fixture
def admin(client_as, admin_a, org_a):  # type: ignore[no-untyped-def]
    return client_as(admin_a, org_a)


# ---- who may see it ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [LIST, NEW])
def test_an_employee_cannot_open_the_inventory(client_as, employee_a, org_a, url):
    assert client_as(employee_a, org_a).get(url).status_code == 403


def test_an_auditor_cannot_change_the_inventory(client_as, auditor_a, org_a):
    task = add_task(org_a)
    client = client_as(auditor_a, org_a)
    assert client.get(LIST).status_code == 403
    assert client.post(reverse("survey:task_edit", args=[task.pk]),
                       task_data(name="改名")).status_code == 403
    assert client.post(reverse("survey:task_delete", args=[task.pk])).status_code == 403
    assert client.post(STARTER).status_code == 403
    with tenancy.activate(org_a):
        assert Task.objects.get(pk=task.pk).name == "備品管理"
        assert Task.objects.count() == 1


def test_back_office_staff_can_manage_the_inventory(client_as, staff_a, org_a):
    assert client_as(staff_a, org_a).get(LIST).status_code == 200


# ---- the starter inventory -----------------------------------------------------------------------


def test_an_empty_inventory_offers_the_starter_inventory(admin, tr):
    response = admin.get(LIST)
    assert response.status_code == 200
    assert shows(response, tr("The inventory is empty"))
    assert shows(response, tr("Adopt the starter inventory"))
    assert 'value="人事労務"' in body(response)


def test_adopting_the_starter_inventory_adds_every_starter_task(admin, org_a, tr):
    response = admin.post(STARTER, follow=True)
    with tenancy.activate(org_a):
        assert Task.objects.count() == len(STARTER_TASKS) >= 80
        assert Task.objects.filter(name="給与計算").exists()
        assert AuditEvent.objects.filter(action="survey_task.adopt_starter").count() == 1
    assert shows(response, tr("%(n)s starter tasks have been added to the inventory.",
                              n=len(STARTER_TASKS)))
    assert "給与計算" in body(response)


def test_adopting_the_starter_inventory_twice_adds_nothing_the_second_time(admin, org_a, tr):
    admin.post(STARTER)
    response = admin.post(STARTER, follow=True)
    with tenancy.activate(org_a):
        assert Task.objects.count() == len(STARTER_TASKS)
    assert shows(response, tr("The inventory already has every starter task."))


def test_it_adopts_only_the_chosen_functions(admin, org_a):
    admin.post(STARTER, {"pick": "1", "function": ["経理財務", "法務"]})
    expected = sum(1 for t in STARTER_TASKS if t.function in {"経理財務", "法務"})
    with tenancy.activate(org_a):
        assert set(Task.objects.values_list("function", flat=True)) == {"経理財務", "法務"}
        assert Task.objects.count() == expected


def test_unticking_every_function_adopts_nothing(admin, org_a, tr):
    response = admin.post(STARTER, {"pick": "1"}, follow=True)
    with tenancy.activate(org_a):
        assert Task.objects.count() == 0
    assert shows(response, tr("Choose at least one function."))


def test_the_list_offers_the_starter_tasks_it_lacks_and_adds_only_those(admin, org_a, tr):
    admin.post(STARTER)
    with tenancy.activate(org_a):
        Task.objects.filter(name="給与計算").delete()
        Task.objects.filter(name="月次決算").update(description="当社流に書き換えた")
    response = admin.get(LIST)
    assert shows(response, tr("Add %(n)s starter task not yet in the inventory",
                              "Add %(n)s starter tasks not yet in the inventory", n=1))
    admin.post(STARTER)
    with tenancy.activate(org_a):
        assert Task.objects.count() == len(STARTER_TASKS)
        assert Task.objects.get(name="月次決算").description == "当社流に書き換えた"
    assert not shows(admin.get(LIST), tr("Add 1 starter task not yet in the inventory"))


# ---- the list ------------------------------------------------------------------------------------


def test_the_list_groups_tasks_by_function_and_category(admin, org_a):
    admin.post(STARTER)
    page = body(admin.get(LIST))
    # Functions in the standard order, each with its 大分類 headings and 中分類 per row.
    assert page.index("<h2>総務") < page.index("<h2>人事労務") < page.index("<h2>経理財務")
    assert '<th colspan="8" scope="rowgroup">給与</th>' in page
    assert '<td class="hide-sm sub">給与計算</td>' in page


def test_the_list_filters_by_search_function_flag_and_status(admin, org_a):
    add_task(org_a, name="備品管理", remote_ok=False)
    add_task(org_a, name="PCキッティング", function="情報システム", category="端末",
             outsourceable=True)
    add_task(org_a, name="古い業務", status=TaskStatus.ARCHIVED)
    add_task(org_a, name="新しい業務", status=TaskStatus.PROPOSED)

    def names(**params: str) -> set[str]:
        page = body(admin.get(LIST, params))
        return {n for n in ("備品管理", "PCキッティング", "古い業務", "新しい業務") if n in page}

    assert names() == {"備品管理", "PCキッティング"}
    assert names(q="キッティング") == {"PCキッティング"}
    assert names(function="総務") == {"備品管理"}
    assert names(flag="outsourceable") == {"PCキッティング"}
    assert names(status="proposed") == {"新しい業務"}
    assert names(status="archived") == {"古い業務"}
    assert names(status="all") == {"備品管理", "PCキッティング", "古い業務", "新しい業務"}


def test_the_filters_answer_htmx_with_the_table_only(admin, org_a):
    add_task(org_a)
    response = admin.get(LIST, {"q": "備品"}, HTTP_HX_REQUEST="true")
    assert "備品管理" in body(response)
    assert "<html" not in body(response)


def test_a_filter_matching_nothing_says_so(admin, org_a, tr):
    add_task(org_a)
    assert shows(admin.get(LIST, {"q": "存在しない"}), tr("No task matches these filters."))


def test_proposed_tasks_are_pointed_out_and_can_be_accepted(admin, org_a, tr):
    task = add_task(org_a, name="新しい業務", status=TaskStatus.PROPOSED)
    add_task(org_a, name="既存の業務")
    response = admin.get(LIST)
    assert shows(response, tr("Review them"))
    proposed = body(admin.get(LIST, {"status": "proposed"}))
    assert 'class="proposed"' in proposed
    assert 'name="action" value="accept"' in proposed
    response = admin.post(reverse("survey:task_edit", args=[task.pk]),
                          {"action": "accept", "next": f"{LIST}?status=proposed"})
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=proposed"
    with tenancy.activate(org_a):
        assert Task.objects.get(pk=task.pk).status == TaskStatus.ACTIVE


# ---- the form ------------------------------------------------------------------------------------


def test_it_creates_a_task_with_every_field(admin, org_a, people_a):
    response = admin.post(NEW, task_data(required_skill=str(people_a.excel.pk)))
    assert response.status_code == 302
    with tenancy.activate(org_a):
        task = Task.objects.get(name="月次決算の締め")
        assert (task.function, task.category, task.subcategory) == ("経理財務", "決算", "月次決算")
        assert task.frequency == "monthly"
        assert task.difficulty == 3
        assert task.scope == "internal"
        assert (task.remote_ok, task.outsourceable, task.automatable) == (True, False, True)
        assert task.required_skill == people_a.excel
        assert task.notes == "経理部長の承認が必要"
        assert AuditEvent.objects.filter(action="survey_task.create",
                                         object_id=str(task.pk)).exists()


def test_save_and_add_another_opens_a_form_in_the_same_place(admin):
    response = admin.post(NEW, task_data(another="1"))
    assert response.status_code == 302
    form = body(admin.get(response["Location"]))
    assert 'value="経理財務"' in form and 'value="月次決算"' in form


def test_it_edits_a_task(admin, org_a):
    task = add_task(org_a)
    url = reverse("survey:task_edit", args=[task.pk])
    assert "備品管理" in body(admin.get(url))
    response = admin.post(url, task_data(function="総務", category="庶務", subcategory="",
                                         name="備品・消耗品管理", difficulty=""))
    assert response.status_code == 302
    with tenancy.activate(org_a):
        task.refresh_from_db()
    assert task.name == "備品・消耗品管理"
    assert task.difficulty is None


def test_it_rejects_a_task_that_already_exists_next_to_its_name(admin, org_a, tr):
    add_task(org_a, function="経理財務", category="決算", subcategory="月次決算",
             name="月次決算の締め")
    response = admin.post(NEW, task_data())
    assert response.status_code == 200
    assert shows(response, tr("This task already exists in the inventory."))
    with tenancy.activate(org_a):
        assert Task.objects.count() == 1


def test_it_requires_function_category_and_name(admin, org_a, tr):
    response = admin.post(NEW, task_data(function="", category="", name=""))
    assert response.status_code == 200
    assert body(response).count('class="field has-error"') == 3
    with tenancy.activate(org_a):
        assert not Task.objects.exists()


def test_it_rejects_a_difficulty_outside_one_to_five(admin, org_a):
    response = admin.post(NEW, task_data(difficulty="9"))
    assert response.status_code == 200
    with tenancy.activate(org_a):
        assert not Task.objects.exists()


def test_the_form_suggests_the_functions_and_categories_in_use(admin, org_a):
    add_task(org_a, function="広報", category="社内報")
    page = body(admin.get(NEW))
    assert '<datalist id="task-functions">' in page
    assert '<option value="広報">' in page and '<option value="人事労務">' in page
    assert '<option value="社内報">' in page


# ---- deleting and archiving ----------------------------------------------------------------------


def test_it_deletes_a_task_nobody_answered(admin, org_a):
    task = add_task(org_a)
    response = admin.post(reverse("survey:task_delete", args=[task.pk]))
    assert response.status_code == 302
    with tenancy.activate(org_a):
        assert not Task.objects.filter(pk=task.pk).exists()


def test_a_task_with_answers_is_not_deleted_and_the_page_says_why(admin, org_a, people_a, tr):
    task = add_task(org_a)
    with tenancy.activate(org_a):
        survey_round = services.round_save(actor=None, survey_round=None,
                                           data={"name": "2026年度 業務調査", "status": "open"})
        respondent = Respondent.objects.create(organization=org_a, round=survey_round,
                                               person=people_a.suzuki)
        services.answers_save(actor=None, respondent=respondent,
                              answers=[Answer(task_id=task.pk, hours=Decimal(5))])
    response = admin.post(reverse("survey:task_delete", args=[task.pk]), follow=True)
    assert shows(response, tr(
        "Survey answers refer to this task; archive it instead of deleting it."))
    assert response.redirect_chain[-1][0] == reverse("survey:task_edit", args=[task.pk])
    admin.post(reverse("survey:task_edit", args=[task.pk]), {"action": "archive"})
    with tenancy.activate(org_a):
        assert Task.objects.get(pk=task.pk).status == TaskStatus.ARCHIVED
        assert SurveyRound.objects.get().hours.count() == 1


# ---- organizations -------------------------------------------------------------------------------


def test_another_organizations_task_is_not_found(admin, org_b):
    task = add_task(org_b, name="Bの業務")
    for url in (reverse("survey:task_edit", args=[task.pk]),):
        assert admin.get(url).status_code == 404
        assert admin.post(url, task_data()).status_code == 404
        assert admin.post(url, {"action": "accept"}).status_code == 404
    assert admin.post(reverse("survey:task_delete", args=[task.pk])).status_code == 404
    assert "Bの業務" not in body(admin.get(LIST, {"status": "all"}))
    with tenancy.activate(org_b):
        assert Task.objects.get(pk=task.pk).name == "Bの業務"
