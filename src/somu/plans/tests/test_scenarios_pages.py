"""The scenario pages: start from a round, add operations from real choices and see the figures
recomputed next to the baseline, bad input explained on the form, compare, make items, delete;
executives never see scenarios (see ``scenario_fixtures`` for the round)."""

from __future__ import annotations

import pytest

from somu.core import tenancy
from somu.core.permissions import Role
from somu.plans.models import Item, Scenario
from somu.plans.services import scenarios as services
from somu.survey.tests.test_analysis_pages import Survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(org_a, people_a) -> Survey:
    """The analysis pages' hand-checkable round (see ``test_scenarios_services``)."""
    return Survey(org_a, people_a)


@pytest.fixture
def admin(client_as, admin_a, org_a):
    return client_as(admin_a, org_a)


@pytest.fixture
def scenario(survey, org_a, admin_a):
    with tenancy.activate(org_a):
        return services.scenario_create(actor=admin_a, data={
            "name": "新体制案", "round": survey.round})


def text(response) -> str:
    return response.content.decode()


def test_a_scenario_is_started_from_a_round_and_opens_on_its_figures(admin, survey, org_a, tr):
    response = admin.post("/plans/scenarios/new/", {
        "name": "2027年 新体制", "round": survey.round.pk, "description": "田中さんの負荷"})
    with tenancy.activate(org_a):
        scenario = Scenario.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/plans/scenarios/{scenario.pk}/"
    page = text(admin.get(response["Location"]))
    assert "2027年 新体制" in page and survey.round.name in page
    assert "50.0%" in page and "¥747,500" in page
    # The move form offers each person's hours on each task, the people with their load.
    assert "山田 太郎 — 月次決算 (30.0 h)" in page
    assert "田中 美咲 (165.0 / 160.0 h)" in page
    # Tasks show their hours and how many people can do them alone.
    assert tr("%(name)s (%(hours)s h, %(n)s capable)", name="月次決算", hours="30.0", n=1) \
        in page


def test_adding_a_training_recomputes_and_colours_the_change(admin, scenario, survey,
                                                              people_a, tr):
    response = admin.post(f"/plans/scenarios/{scenario.pk}/operations/", {
        "op": "train", "train-person": people_a.suzuki.pk, "train-task": survey.closing.pk,
        "train-level": 3}, follow=True)
    page = text(response)
    assert tr("The operation was added and the analysis recomputed.") in page
    rows = {r.key: r for r in response.context["rows"]}
    rate = rows["dependency_rate_by_count"]
    assert (rate.before, rate.afters[0].after, rate.afters[0].better) == (0.5, 0.25, True)
    assert "25.0%" in page and "change-better" in page


def test_a_move_to_someone_not_capable_is_kept_and_flagged_needs_training(
        admin, scenario, survey, people_a, org_a):
    response = admin.post(f"/plans/scenarios/{scenario.pk}/operations/", {
        "op": "move", "move-assignment": f"{people_a.yamada.pk}:{survey.closing.pk}",
        "move-to": people_a.suzuki.pk, "move-hours": "10"}, follow=True)
    page = text(response)
    assert "要トレーニング" in page and "鈴木 花子" in page
    with tenancy.activate(org_a):
        assert len(Scenario.objects.get().operations) == 1


def test_too_many_hours_are_refused_on_the_form_naming_person_and_task(
        admin, scenario, survey, people_a, org_a, tr):
    response = admin.post(f"/plans/scenarios/{scenario.pk}/operations/", {
        "op": "move", "move-assignment": f"{people_a.yamada.pk}:{survey.closing.pk}",
        "move-to": people_a.suzuki.pk, "move-hours": "45"})
    assert response.status_code == 400
    assert tr("%(person)s has only %(available)s h/month on %(task)s (the operation moves "
              "%(hours)s h/month).", person="山田 太郎", available="30.0", task="月次決算",
              hours="45.0") in text(response)
    assert response.context["open_kind"] == "move"
    with tenancy.activate(org_a):
        assert Scenario.objects.get().operations == []


def test_an_operation_is_removed_and_the_scenario_renamed(admin, scenario, survey, org_a):
    admin.post(f"/plans/scenarios/{scenario.pk}/operations/", {
        "op": "drop", "drop-task": survey.reception.pk})
    admin.post(f"/plans/scenarios/{scenario.pk}/operations/remove/", {"index": "0"})
    response = admin.post(f"/plans/scenarios/{scenario.pk}/edit/", {
        "name": "改名した案", "description": ""})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        found = Scenario.objects.get()
    assert (found.name, found.operations) == ("改名した案", [])


def test_making_items_creates_them_once(admin, scenario, survey, org_a, tr):
    admin.post(f"/plans/scenarios/{scenario.pk}/operations/", {
        "op": "outsource", "outsource-task": survey.supplies.pk, "outsource-how": "automate",
        "outsource-hours": ""})
    response = admin.post(f"/plans/scenarios/{scenario.pk}/items/", follow=True)
    assert tr("%(n)s improvement items were made from the scenario (proposed).", n=1) \
        in text(response)
    again = admin.post(f"/plans/scenarios/{scenario.pk}/items/", follow=True)
    assert tr("Items have already been made from this scenario; see the items board.") \
        in text(again)
    with tenancy.activate(org_a):
        assert list(Item.objects.values_list("kind", "task_id")) == [
            ("automate", survey.supplies.pk)]


def test_two_scenarios_compare_side_by_side_with_the_baseline(admin, scenario, survey,
                                                               org_a, admin_a, people_a):
    with tenancy.activate(org_a):
        other = services.scenario_create(actor=admin_a, data={"name": "案B",
                                                               "round": survey.round})
        services.scenario_op_add(actor=admin_a, scenario=other, op={
            "op": "train", "person": people_a.suzuki.pk, "task": survey.closing.pk,
            "level": 3})
    response = admin.get(f"/plans/scenarios/compare/?a={scenario.pk}&b={other.pk}")
    assert response.status_code == 200
    rows = {r.key: r for r in response.context["rows"]}
    rate = rows["dependency_rate_by_count"]
    assert [a.after for a in rate.afters] == [0.5, 0.25]
    assert "案B" in text(response)


def test_deleting_asks_first_then_deletes(admin, scenario, org_a):
    assert admin.get(f"/plans/scenarios/{scenario.pk}/delete/").status_code == 200
    response = admin.post(f"/plans/scenarios/{scenario.pk}/delete/")
    assert response.status_code == 302
    with tenancy.activate(org_a):
        assert not Scenario.objects.exists()


def test_executives_and_employees_never_see_scenarios(make_user, client_as, org_a, people_a,
                                                      scenario):
    for role in (Role.EXECUTIVE, Role.EMPLOYEE):
        client = client_as(make_user(f"u_{role}", org_a, role, person=people_a.sato), org_a)
        for url in ("/plans/scenarios/", f"/plans/scenarios/{scenario.pk}/", "/plans/optimize/"):
            assert client.get(url).status_code == 403, (role, url)


def test_auditors_read_scenarios_but_cannot_change_them(client_as, auditor_a, org_a, scenario,
                                                         survey):
    client = client_as(auditor_a, org_a)
    assert client.get(f"/plans/scenarios/{scenario.pk}/").status_code == 200
    assert client.post(f"/plans/scenarios/{scenario.pk}/operations/", {
        "op": "drop", "drop-task": survey.reception.pk}).status_code == 403
    assert client.post("/plans/scenarios/new/", {"name": "x", "round": survey.round.pk}
                       ).status_code == 403


def test_the_list_and_the_detail_page_stay_within_a_fixed_number_of_queries(
        admin, scenario, survey, org_a, admin_a, django_assert_max_num_queries):
    with tenancy.activate(org_a):
        for n in range(5):
            services.scenario_create(actor=admin_a, data={"name": f"案{n}",
                                                          "round": survey.round})
    admin.get(f"/plans/scenarios/{scenario.pk}/")  # the baseline is computed once
    with django_assert_max_num_queries(12):
        assert admin.get("/plans/scenarios/").status_code == 200
    with django_assert_max_num_queries(25):
        assert admin.get(f"/plans/scenarios/{scenario.pk}/").status_code == 200


def test_the_optimizer_page_saves_its_proposal_as_a_labelled_scenario(admin, survey, org_a, tr):
    page = admin.get("/plans/optimize/")
    assert page.status_code == 200 and "経理財務" in text(page)  # the round's functions
    response = admin.post("/plans/optimize/", {
        "round": survey.round.pk, "kind": "cross_training", "time_limit_s": "5", "k": "2",
        "scope": "function", "scope_key": "経理財務", "objective": "pairs",
        "horizon_months": "3"}, follow=True)
    with tenancy.activate(org_a):
        scenario = Scenario.objects.get()
    assert response.redirect_chain[-1][0] == f"/plans/scenarios/{scenario.pk}/"
    assert tr("Optimal (最適解)") in text(response)


def test_an_infeasible_proposal_is_explained_on_the_form_and_nothing_is_stored(
        admin, survey, org_a, tr):
    response = admin.post("/plans/optimize/", {
        "round": survey.round.pk, "kind": "cross_training", "time_limit_s": "5", "k": "2",
        "scope": "function", "scope_key": "総務", "objective": "pairs", "horizon_months": "3"})
    assert response.status_code == 400
    assert tr("No feasible proposal: nobody can teach these tasks (capability 4): %(tasks)s.",
              tasks="来客・電話対応") in text(response)
    with tenancy.activate(org_a):
        assert not Scenario.objects.exists()


def test_the_optimizer_offers_the_functions_of_the_round_chosen(admin, survey, org_a):
    from somu.survey import services as survey_services

    with tenancy.activate(org_a):
        empty = survey_services.round_save(actor=None, survey_round=None,
                                           data={"name": "空の調査回"})
    assert "経理財務" in text(admin.get(f"/plans/optimize/?round={survey.round.pk}"))
    page = admin.get(f"/plans/optimize/?round={empty.pk}")
    assert page.status_code == 200 and 'value="経理財務"' not in text(page)
