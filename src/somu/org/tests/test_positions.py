"""役職 (positions) and 部署長 (department heads): the service rules, the pages and the API."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.core.tests.apiclient import assert_error, field_names
from somu.org import services, services_positions
from somu.org.models import DEFAULT_POSITIONS, Department, Person, Position


def text(response) -> str:
    return html.unescape(response.content.decode())


def position(org, name: str) -> Position:
    with tenancy.activate(org):
        return Position.objects.get(name=name)


def ranked(org) -> list[tuple[str, int]]:
    with tenancy.activate(org):
        return list(Position.objects.order_by("rank", "name").values_list("name", "rank"))


@pytest.fixture
def client(client_as, admin_a, org_a):
    return client_as(admin_a, org_a)


@pytest.fixture
def kacho(org_a, people_a) -> Position:
    """山田 (総務部) is 課長 and heads 総務部."""
    with tenancy.activate(org_a):
        kacho = Position.objects.get(name="課長")
        services.person_update(actor=None, person=people_a.yamada, data={"position": kacho})
        services_positions.department_head_set(actor=None, department=people_a.somu,
                                               head=people_a.yamada)
    return kacho


# ---- the service ---------------------------------------------------------------------------------


def test_a_new_organization_starts_with_the_usual_ranked_positions(org_a, org_b):
    assert ranked(org_a) == list(DEFAULT_POSITIONS)
    assert ranked(org_b) == list(DEFAULT_POSITIONS)


def test_a_position_is_added_renamed_and_reranked_and_each_change_is_audited(org_a, admin_a):
    with tenancy.activate(org_a):
        added = services_positions.position_save(actor=admin_a, position=None,
                                                 data={"name": " 室長 ", "rank": 3})
        assert added.name == "室長"
        services_positions.position_save(actor=admin_a, position=added,
                                         data={"name": "副部長", "rank": 4})
        actions = list(AuditEvent.objects.filter(object_type="org.position")
                       .order_by("seq").values_list("action", "changes"))
    assert actions == [("position.create", {"name": [None, "室長"], "rank": [None, 3]}),
                       ("position.update", {"name": ["室長", "副部長"], "rank": [3, 4]})]
    assert ("副部長", 4) in ranked(org_a)


@pytest.mark.parametrize("name", ["部長", "部 長", "部　長", "ＢＵ"])
def test_a_position_name_already_used_is_refused(org_a, name):
    with tenancy.activate(org_a):
        services_positions.position_save(actor=None, position=None, data={"name": "bu", "rank": 9})
        with pytest.raises(ValidationError) as caught:
            services_positions.position_save(actor=None, position=None,
                                             data={"name": name, "rank": 3})
    assert caught.value.error_dict["name"][0].code == "unique"


def test_renaming_a_position_to_its_own_name_is_not_a_duplicate(org_a):
    bucho = position(org_a, "部長")
    with tenancy.activate(org_a):
        services_positions.position_save(actor=None, position=bucho, data={"name": "部長",
                                                                           "rank": 3})


def test_the_same_position_name_in_another_organization_is_fine(org_a, org_b):
    with tenancy.activate(org_b):
        services_positions.position_save(actor=None, position=None,
                                         data={"name": "顧問", "rank": 2})
    with tenancy.activate(org_a):
        services_positions.position_save(actor=None, position=None,
                                         data={"name": "顧問", "rank": 2})


@pytest.mark.parametrize("rank", [0, -1, None, "3", True])
def test_a_rank_below_1_or_not_a_whole_number_is_refused(org_a, rank, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services_positions.position_save(actor=None, position=None,
                                         data={"name": "顧問", "rank": rank})
    assert caught.value.message_dict == {
        "rank": [tr("The rank is a whole number from 1 (the most senior) upwards.")]}
    assert ("顧問", 0) not in ranked(org_a) and len(ranked(org_a)) == 6


def test_an_empty_position_name_is_refused(org_a, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services_positions.position_save(actor=None, position=None, data={"name": "  ",
                                                                          "rank": 2})
    assert caught.value.message_dict == {"name": [tr("Give the position a name.")]}


def test_a_position_someone_holds_cannot_be_deleted_not_even_by_a_retired_person(
        org_a, people_a, kacho, tr):
    with tenancy.activate(org_a):
        services.person_retire(actor=None, person=people_a.yamada, retired_on=dt.date(2026, 3, 31))
        with pytest.raises(services_positions.PositionInUse) as caught:
            services_positions.position_delete(actor=None, position=kacho)
        assert Position.objects.filter(pk=kacho.pk).exists()
    assert str(caught.value) == tr(
        "%(count)s people hold this position (retired people included); give them another "
        "position first.") % {"count": 1}


def test_a_position_nobody_holds_is_deleted_and_audited(org_a, admin_a):
    kakaricho = position(org_a, "係長")
    with tenancy.activate(org_a):
        services_positions.position_delete(actor=admin_a, position=kakaricho)
        event = AuditEvent.objects.get(action="position.delete")
    assert event.changes == {"name": ["係長", None], "rank": [5, None]}
    assert "係長" not in dict(ranked(org_a))


# ---- department heads ----------------------------------------------------------------------------


def test_a_department_head_is_set_and_cleared_and_both_are_audited(org_a, people_a, admin_a):
    with tenancy.activate(org_a):
        services_positions.department_head_set(actor=admin_a, department=people_a.honbu,
                                               head=people_a.yamada)
        services_positions.department_head_set(actor=admin_a, department=people_a.honbu,
                                               head=None)
        changes = list(AuditEvent.objects.filter(
            action="department.update", object_id=str(people_a.honbu.pk)).order_by("seq")
            .values_list("changes", flat=True))
        assert Department.objects.get(pk=people_a.honbu.pk).head is None
    assert changes == [{"head": [None, people_a.yamada.pk]},
                       {"head": [people_a.yamada.pk, None]}]


def test_a_head_from_another_organization_is_refused(org_a, people_a, people_b, tr):
    with tenancy.activate(org_a), pytest.raises(ValidationError) as caught:
        services_positions.department_head_set(actor=None, department=people_a.somu,
                                               head=people_b.kimura)
    assert caught.value.message_dict == {"head": [tr("Choose a person of this organization.")]}
    with tenancy.activate(org_a):
        assert Department.objects.get(pk=people_a.somu.pk).head_id is None


def test_a_retired_person_cannot_become_a_head(org_a, people_a, tr):
    with tenancy.activate(org_a):
        services.person_retire(actor=None, person=people_a.sato, retired_on=dt.date(2026, 3, 31))
        with pytest.raises(ValidationError) as caught:
            services_positions.department_head_set(actor=None, department=people_a.jinji,
                                                   head=people_a.sato)
    assert caught.value.message_dict == {"head": [tr("A retired person cannot head a department.")]}


# ---- the pages -----------------------------------------------------------------------------------


def test_the_positions_page_lists_them_most_senior_first_with_their_holders(
        client, org_a, people_a, kacho):
    response = client.get(reverse("org:position_list"))
    assert response.status_code == 200
    rows = [(p.name, p.rank, p.people_count, p.heads_count) for p in response.context["positions"]]
    assert rows == [("社長", 1, 0, 0), ("本部長", 2, 0, 0), ("部長", 3, 0, 0), ("課長", 4, 1, 1),
                    ("係長", 5, 0, 0), ("一般", 6, 0, 0)]
    assert reverse("org:position_create") in text(response)


def test_the_positions_page_is_in_the_organization_menu(client, tr):
    page = text(client.get(reverse("home")))
    assert reverse("org:position_list") in page and tr("Positions") in page


def test_a_position_is_added_and_reranked_on_the_pages(client, org_a):
    response = client.post(reverse("org:position_create"), {"name": "室長", "rank": "3"})
    assert response.status_code == 302
    shitsucho = position(org_a, "室長")
    response = client.post(reverse("org:position_edit", args=[shitsucho.pk]),
                           {"name": "室長", "rank": "4"})
    assert response.status_code == 302
    assert ("室長", 4) in ranked(org_a)


def test_a_duplicate_name_or_rank_0_is_shown_next_to_the_field(client, org_a, tr):
    response = client.post(reverse("org:position_create"), {"name": "課長", "rank": "4"})
    assert response.context["form"].errors["name"] == [
        tr("A position with this name already exists.")]
    response = client.post(reverse("org:position_create"), {"name": "顧問", "rank": "0"})
    assert response.status_code == 200 and response.context["form"].errors["rank"]
    assert len(ranked(org_a)) == 6


def test_deleting_a_position_in_use_says_why_in_japanese(client, org_a, people_a, kacho):
    response = client.post(reverse("org:position_delete", args=[kacho.pk]), follow=True)
    assert "この役職の人が1人います" in text(response)
    assert ("課長", 4) in ranked(org_a)
    unused = position(org_a, "係長")
    response = client.post(reverse("org:position_delete", args=[unused.pk]), follow=True)
    assert "役職を削除しました。" in text(response)


def test_only_people_who_manage_the_structure_change_positions(client_as, employee_a, org_a):
    client = client_as(employee_a, org_a)
    assert client.get(reverse("org:position_list")).status_code == 200
    assert client.post(reverse("org:position_create"), {"name": "顧問", "rank": "2"}
                       ).status_code == 403
    bucho = position(org_a, "部長")
    assert client.post(reverse("org:position_delete", args=[bucho.pk])).status_code == 403
    assert len(ranked(org_a)) == 6


def test_the_department_form_sets_the_head_and_the_tree_shows_it(client, org_a, people_a,
                                                                  kacho):
    response = client.post(reverse("org:department_edit", args=[people_a.jinji.pk]), {
        "name": "人事部", "code": "", "parent": people_a.honbu.pk, "head": people_a.sato.pk})
    assert response.status_code == 302
    tree = client.get(reverse("org:department_tree"))
    heads = {n.department.name: n.department.head for n in tree.context["nodes"]}
    assert heads == {"管理本部": None, "総務部": people_a.yamada, "人事部": people_a.sato}
    page = text(tree)
    assert "山田 太郎</a>（課長）" in page and "空席" in page
    form = client.get(reverse("org:department_edit", args=[people_a.jinji.pk]))
    assert form.context["form"]["head"].value() == people_a.sato.pk


def test_a_department_whose_head_retired_is_still_edited_and_the_post_then_filled(
        client, org_a, people_a, kacho):
    with tenancy.activate(org_a):
        services.person_retire(actor=None, person=people_a.yamada, retired_on=dt.date(2026, 3, 31))
    edit = reverse("org:department_edit", args=[people_a.somu.pk])
    form = {"name": "総務課", "code": "", "parent": people_a.honbu.pk, "head": people_a.yamada.pk}
    assert client.post(edit, form).status_code == 302
    assert client.post(edit, {**form, "head": people_a.suzuki.pk}).status_code == 302
    response = client.post(edit, {**form, "head": people_a.yamada.pk})
    assert response.status_code == 200 and response.context["form"].errors["head"]
    with tenancy.activate(org_a):
        department = Department.objects.get(pk=people_a.somu.pk)
    assert (department.name, department.head) == ("総務課", people_a.suzuki)


def test_a_new_department_may_get_its_head_at_once(client, org_a, people_a):
    response = client.post(reverse("org:department_create"), {
        "name": "経理部", "code": "", "parent": people_a.honbu.pk, "head": people_a.sato.pk})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        assert Department.objects.get(name="経理部").head == people_a.sato


def test_the_department_form_refuses_a_person_of_another_organization(
        client, org_a, people_a, people_b):
    response = client.post(reverse("org:department_edit", args=[people_a.jinji.pk]), {
        "name": "人事部", "code": "", "parent": people_a.honbu.pk, "head": people_b.kimura.pk})
    assert response.status_code == 200 and response.context["form"].errors["head"]
    with tenancy.activate(org_a):
        assert Department.objects.get(pk=people_a.jinji.pk).head_id is None


def test_a_person_gets_a_position_on_the_edit_page_and_shows_it(client, org_a, people_a):
    bucho = position(org_a, "部長")
    response = client.post(reverse("org:person_edit", args=[people_a.sato.pk]), {
        "employee_number": "A003", "name": "佐藤 健", "name_kana": "さとう けん",
        "department": people_a.jinji.pk, "grade": people_a.g2.pk, "position": bucho.pk,
        "employment_type": "regular"})
    assert response.status_code == 302, response.context["form"].errors
    with tenancy.activate(org_a):
        assert Person.objects.get(pk=people_a.sato.pk).position == bucho
        event = AuditEvent.objects.filter(action="person.update").latest("seq")
    assert event.changes == {"position": [None, bucho.pk]}
    detail = text(client.get(reverse("org:person_detail", args=[people_a.sato.pk])))
    assert "<dt>役職</dt><dd>部長" in detail
    history = text(client.get(reverse("audit:event_list")))
    assert "役職" in history


def test_the_people_list_has_a_position_column_and_filter(client, org_a, people_a, kacho):
    response = client.get(reverse("org:person_list"))
    page = text(response)
    assert "<th>役職</th>" in page and "<td>課長</td>" in page
    filtered = client.get(reverse("org:person_list"), {"position": kacho.pk})
    assert [p.employee_number for p in filtered.context["page"]] == ["A001"]


# ---- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api(api_as, admin_a):
    return api_as(admin_a)


def test_the_api_lists_the_positions_most_senior_first(api_as, employee_a, org_a):
    response = api_as(employee_a).get("/positions")
    assert response.status_code == 200
    assert [(p["name"], p["rank"]) for p in response.json()["items"]] == list(DEFAULT_POSITIONS)


def test_the_api_adds_renames_and_deletes_a_position(api, org_a):
    created = api.post("/positions", {"name": "顧問", "rank": 2})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert api.get(f"/positions/{pk}").json() == {"id": pk, "name": "顧問", "rank": 2}
    changed = api.patch(f"/positions/{pk}", {"rank": 7})
    assert changed.json() == {"id": pk, "name": "顧問", "rank": 7}
    assert api.delete(f"/positions/{pk}").status_code == 204
    assert api.get(f"/positions/{pk}").status_code == 404


def test_the_api_answers_a_duplicate_409_a_bad_rank_422_and_a_position_in_use_409(
        api, org_a, people_a, kacho, tr):
    duplicate = assert_error(api.post("/positions", {"name": "課長", "rank": 4}), 409, "conflict")
    assert duplicate["fields"] == [{"field": "name",
                                    "message": tr("A position with this name already exists.")}]
    assert field_names(assert_error(api.post("/positions", {"name": "顧問", "rank": 0}), 422,
                                    "invalid")) == ["rank"]
    assert_error(api.delete(f"/positions/{kacho.pk}"), 409, "conflict")
    assert len(ranked(org_a)) == 6


def test_only_admins_and_staff_change_positions_through_the_api(api_as, employee_a, org_a):
    bucho = position(org_a, "部長")
    employee = api_as(employee_a)
    assert_error(employee.post("/positions", {"name": "顧問", "rank": 2}), 403, "forbidden")
    assert_error(employee.patch(f"/positions/{bucho.pk}", {"rank": 9}), 403, "forbidden")
    assert_error(employee.delete(f"/positions/{bucho.pk}"), 403, "forbidden")
    assert ranked(org_a) == list(DEFAULT_POSITIONS)


def test_a_person_reads_with_position_and_position_id_and_changes_it(api, org_a, people_a,
                                                                     kacho):
    body = api.get(f"/people/{people_a.yamada.pk}").json()
    assert (body["position"], body["position_id"]) == ("課長", kacho.pk)
    assert api.get(f"/people/{people_a.sato.pk}").json()["position"] is None
    bucho = position(org_a, "部長")
    changed = api.patch(f"/people/{people_a.sato.pk}", {"position_id": bucho.pk})
    assert (changed.json()["position"], changed.json()["position_id"]) == ("部長", bucho.pk)
    listed = api.get("/people", position_id=bucho.pk).json()["items"]
    assert [p["employee_number"] for p in listed] == ["A003"]


def test_a_position_of_another_organization_is_an_unknown_id(api, org_a, org_b, people_a):
    foreign = position(org_b, "部長")
    response = api.patch(f"/people/{people_a.sato.pk}", {"position_id": foreign.pk})
    assert field_names(assert_error(response, 422, "invalid")) == ["position"]


def test_the_api_sets_and_clears_a_department_head(api, org_a, people_a, people_b):
    set_head = api.patch(f"/departments/{people_a.jinji.pk}", {"head_id": people_a.sato.pk})
    assert set_head.status_code == 200 and set_head.json()["head_id"] == people_a.sato.pk
    assert api.get("/departments").json()["items"][2]["head_id"] == people_a.sato.pk
    foreign = api.patch(f"/departments/{people_a.jinji.pk}", {"head_id": people_b.kimura.pk})
    assert field_names(assert_error(foreign, 422, "invalid")) == ["head"]
    cleared = api.patch(f"/departments/{people_a.jinji.pk}", {"head_id": None})
    assert cleared.json()["head_id"] is None
    created = api.post("/departments", {"name": "経理部", "parent_id": people_a.honbu.pk,
                                        "head_id": people_a.yamada.pk})
    assert created.status_code == 201 and created.json()["head_id"] == people_a.yamada.pk
