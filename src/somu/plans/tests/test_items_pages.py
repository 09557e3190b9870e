"""The items pages: one click from an analysis finding to a prefilled, linked item; the board
with its columns, filters and moves (plain POST, no JavaScript needed); the work buttons."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.plans.models import Item, ItemStatus
from somu.plans.services.items import item_create
from somu.procedures.models import Template
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    return Survey(org_a, people_a)


@pytest.fixture
def staff(client_as, staff_a, org_a):
    return client_as(staff_a, org_a)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def test_a_finding_on_the_analysis_page_links_to_the_new_item_form_prefilled(
        staff, survey, tr):
    page = text(staff.get(survey.url(query="section=dependency")))
    link = (f"/plans/items/new/?finding=dependent_task&amp;round={survey.round.pk}"
            f"&amp;task={survey.closing.pk}")
    assert link in page
    assert tr("Make it an improvement item") in page
    form = staff.get(link.replace("&amp;", "&"))
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert (initial["kind"], initial["task"], initial["round"], initial["finding"],
            initial["expected_capable"]) == ("standardize", survey.closing.pk, survey.round.pk,
                                             "dependent_task", 1)


@pytest.mark.parametrize(("section", "finding"), [
    ("overview", "retirement"), ("retirement", "retirement"), ("load", "overload"),
    ("grades", "overqualified"), ("flags", "outsourceable"),
])
def test_every_kind_of_finding_offers_the_action(staff, survey, section, finding):
    page = text(staff.get(survey.url(query=f"section={section}")))
    assert f"/plans/items/new/?finding={finding}&amp;round={survey.round.pk}" in page


def test_an_auditor_sees_the_analysis_without_the_action(client_as, auditor_a, org_a, survey):
    page = text(client_as(auditor_a, org_a).get(survey.url(query="section=dependency")))
    assert "/plans/items/new/" not in page


def test_saving_the_prefilled_form_creates_an_item_linked_to_the_finding(
        staff, survey, org_a, people_a):
    response = staff.post("/plans/items/new/", {
        "title": "月次決算の手順書", "kind": "standardize", "owner": people_a.suzuki.pk,
        "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "task": survey.closing.pk, "finding": "dependent_task", "round": survey.round.pk,
        "expected_capable": "1"})
    with tenancy.activate(org_a):
        item = Item.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/plans/items/{item.pk}/"
    assert (item.number, item.finding, item.round, item.task, item.owner) == (
        1, "dependent_task", survey.round, survey.closing, people_a.suzuki)


def test_a_past_due_date_on_the_page_gets_the_services_message_and_stores_nothing(
        staff, org_a, people_a, tr):
    past = timezone.localdate() - dt.timedelta(days=1)
    response = staff.post("/plans/items/new/", {"title": "x", "kind": "simplify",
                                                 "due_on": past.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["due_on"] == [
        tr("The due date %(date)s is in the past: choose today or a later date.")
        % {"date": past.isoformat()}]
    with tenancy.activate(org_a):
        assert not Item.objects.exists()


def make_items(org, n: int, **data) -> list[Item]:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return [item_create(actor=None, data={"title": f"施策{i}", "kind": "simplify", **data},
                            today=timezone.localdate()) for i in range(n)]


def test_the_board_shows_five_columns_and_moves_a_card_with_a_plain_post(
        staff, org_a, people_a, tr):
    (item,) = make_items(org_a, 1, owner=people_a.sato)
    board = staff.get("/plans/items/")
    assert [c["status"] for c in board.context["columns"]] == list(ItemStatus.values)
    assert f"#{item.number} 施策0" in text(board)
    moved = staff.post(f"/plans/items/{item.pk}/move/", {
        "status": "planned", "from_status": "proposed", "next": "/plans/items/?kind=simplify"})
    assert moved.status_code == 302 and moved["Location"] == "/plans/items/?kind=simplify"
    with tenancy.activate(org_a):
        assert Item.objects.get().status == "planned"
    # The same move sent again (a second tab, a double click) is refused, not applied twice.
    again = staff.post(f"/plans/items/{item.pk}/move/",
                       {"status": "planned", "from_status": "proposed"}, follow=True)
    assert tr("Item #%(number)s is already in “%(status)s” (someone moved it meanwhile). "
              "Reload the board.") % {"number": item.number, "status": "計画済み"
                                      } in text(again)
    with tenancy.activate(org_a):
        assert AuditEvent.objects.filter(action="plan_item.move").count() == 1


def test_the_board_filters_by_type_owner_and_kpi(staff, org_a, people_a):
    make_items(org_a, 2, owner=people_a.sato)
    make_items(org_a, 1, owner=people_a.suzuki)
    response = staff.get(f"/plans/items/?owner={people_a.suzuki.pk}")
    assert response.context["count"] == 1
    assert staff.get("/plans/items/?kind=automate").context["count"] == 0


def test_the_board_takes_the_same_queries_for_3_items_as_for_30(staff, org_a, people_a):
    make_items(org_a, 3, owner=people_a.sato)
    staff.get("/plans/items/")
    with CaptureQueriesContext(connection) as few:
        staff.get("/plans/items/")
    make_items(org_a, 27, owner=people_a.suzuki)
    with CaptureQueriesContext(connection) as many:
        response = staff.get("/plans/items/")
    assert response.context["count"] == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_write_the_procedure_opens_the_template_editor_on_the_tasks_template(
        staff, org_a, survey):
    with tenancy.activate(org_a):
        item = item_create(actor=None, data={"title": "標準化", "kind": "standardize",
                                             "task": survey.closing},
                           today=timezone.localdate())
    detail = text(staff.get(f"/plans/items/{item.pk}/"))
    assert f"/plans/items/{item.pk}/standardize/" in detail
    response = staff.post(f"/plans/items/{item.pk}/standardize/")
    with tenancy.activate(org_a):
        template = Template.objects.get()
    assert response["Location"] == f"/procedures/templates/{template.pk}/edit/"
    assert staff.get(response["Location"]).status_code == 200


def test_a_training_refused_on_the_page_shows_why_next_to_the_field(
        staff, org_a, survey, tr):
    people = survey.people
    with tenancy.activate(org_a):
        item = item_create(actor=None, data={"title": "多能工化", "kind": "cross_train",
                                             "task": survey.closing},
                           today=timezone.localdate())
    response = staff.post(f"/plans/items/{item.pk}/training/", {
        "learner": people.suzuki.pk, "teacher": people.sato.pk, "target_level": "3",
        "start_on": timezone.localdate().isoformat()})
    assert response.status_code == 422
    errors = response.context["training_form"].errors["teacher"]
    assert errors == [tr("%(name)s cannot teach “%(task)s” (capability %(level)s; teaching "
                         "needs 4 “can teach”).") % {"name": people.sato.name,
                                                     "task": "月次決算", "level": "—"}]
    ok = staff.post(f"/plans/items/{item.pk}/training/", {
        "learner": people.suzuki.pk, "teacher": people.yamada.pk, "target_level": "3",
        "start_on": timezone.localdate().isoformat()})
    assert ok.status_code == 302
    page = text(staff.get(f"/plans/items/{item.pk}/"))
    assert re.search(r"/procedures/runs/\d+/", page)


def test_an_executive_reads_the_board_but_cannot_move_cards(client_as, make_user, org_a,
                                                           people_a):
    from somu.core.permissions import Role

    (item,) = make_items(org_a, 1)
    executive = client_as(make_user("exec", org_a, Role.EXECUTIVE), org_a)
    board = executive.get("/plans/items/")
    assert board.status_code == 200 and "/move/" not in text(board)
    assert executive.post(f"/plans/items/{item.pk}/move/", {"status": "planned"}
                          ).status_code == 403
