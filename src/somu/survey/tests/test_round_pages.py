"""Survey round pages: creating rounds, progress, inviting departments or people, reminding."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from somu.core import tenancy
from somu.org import services as org_services
from somu.survey import services
from somu.survey.models import Respondent, ResponseStatus, RoundStatus, SurveyRound, Task
from somu.survey.services import Answer

LIST = reverse("survey:round_list")
NEW = reverse("survey:round_create")


def body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def shows(response, text: str) -> bool:  # type: ignore[no-untyped-def]
    return escape(text) in body(response)


def make_round(org, name: str = "2026年度 業務調査", status: str = RoundStatus.DRAFT,
               **fields: object) -> SurveyRound:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        return services.round_save(actor=None, survey_round=None,
                                   data={"name": name, "status": status, **fields})


def invite(org, survey_round: SurveyRound, *people) -> None:  # type: ignore[no-untyped-def]
    with tenancy.activate(org):
        services.respondents_invite(actor=None, survey_round=survey_round,
                                    person_ids=[p.pk for p in people], send_mail=False)


def url(name: str, survey_round: SurveyRound) -> str:
    return reverse(f"survey:{name}", args=[survey_round.pk])


@pytest.fixture
def admin(client_as, admin_a, org_a):  # type: ignore[no-untyped-def]
    return client_as(admin_a, org_a)


@pytest.fixture
def emails(org_a, people_a):  # type: ignore[no-untyped-def]
    """Everyone in organization A gets an address, except 田中 (no department, no email)."""
    with tenancy.activate(org_a):
        for person, email in ((people_a.suzuki, "suzuki@a.example"),
                              (people_a.sato, "sato@a.example")):
            org_services.person_update(actor=None, person=person, data={"email": email})
    return people_a


# ---- who may see what ----------------------------------------------------------------------------


def test_an_employee_cannot_open_the_rounds(client_as, employee_a, org_a):
    survey_round = make_round(org_a)
    client = client_as(employee_a, org_a)
    for target in (LIST, NEW, url("round_detail", survey_round), url("round_edit", survey_round),
                   url("round_delete", survey_round)):
        assert client.get(target).status_code == 403, target


def test_an_auditor_sees_the_rounds_but_cannot_change_them(client_as, auditor_a, org_a,
                                                           people_a, tr):
    survey_round = make_round(org_a, status=RoundStatus.OPEN)
    invite(org_a, survey_round, people_a.suzuki)
    client = client_as(auditor_a, org_a)
    assert "2026年度 業務調査" in body(client.get(LIST))
    detail = client.get(url("round_detail", survey_round))
    assert detail.status_code == 200
    assert "鈴木 花子" in body(detail)
    assert not shows(detail, tr("Invite people to answer"))
    assert url("round_remind", survey_round) not in body(detail)
    assert client.get(NEW).status_code == 403
    assert client.post(url("round_edit", survey_round), {"name": "x"}).status_code == 403
    assert client.post(url("round_invite", survey_round),
                       {"people": [people_a.sato.pk]}).status_code == 403
    assert client.post(url("round_remind", survey_round), {"scope": "all"}).status_code == 403
    assert client.post(url("round_delete", survey_round)).status_code == 403
    with tenancy.activate(org_a):
        assert Respondent.objects.count() == 1


# ---- creating and editing ------------------------------------------------------------------------


def test_no_rounds_yet_says_so_and_offers_to_create_one(admin, tr):
    response = admin.get(LIST)
    assert shows(response, tr("No survey rounds yet"))
    assert NEW in body(response)


def test_it_creates_a_round_as_a_draft_and_opens_its_page(admin, org_a):
    # Confirmed, so the test holds whatever today's date is (a past due date needs it).
    response = admin.post(NEW, {"name": "2026年度 業務調査", "status": "draft",
                                "description": "全社の業務を棚卸しする", "due_on": "2026-05-31",
                                "allow_past_due": "on"})
    with tenancy.activate(org_a):
        survey_round = SurveyRound.objects.get()
    assert response["Location"] == url("round_detail", survey_round)
    assert survey_round.due_on == dt.date(2026, 5, 31)
    assert survey_round.status == RoundStatus.DRAFT
    page = body(admin.get(response["Location"]))
    assert "全社の業務を棚卸しする" in page and "2026-05-31" in page


def test_a_past_due_date_needs_the_confirmation_tick(admin, org_a, tr):
    data = {"name": "2000年度 業務調査", "status": "draft", "due_on": "2001-03-31"}
    refused = admin.post(NEW, data)
    assert refused.status_code == 200
    assert refused.context["form"].errors["due_on"] == [tr(
        "The due date %(date)s has already passed. Confirm that you want a past due date, "
        "or choose a later one.") % {"date": "2001-03-31"}]
    with tenancy.activate(org_a):
        assert not SurveyRound.objects.exists()
    assert admin.post(NEW, {**data, "allow_past_due": "on"}).status_code == 302
    with tenancy.activate(org_a):
        assert SurveyRound.objects.get().due_on == dt.date(2001, 3, 31)


def test_the_round_service_measures_the_due_date_against_the_day_it_is_given(org_a, tr):
    with tenancy.activate(org_a):
        with pytest.raises(ValidationError) as refused:
            services.round_save(actor=None, survey_round=None, today=dt.date(2026, 4, 1),
                                data={"name": "2026年度", "due_on": dt.date(2026, 3, 31)})
        assert list(refused.value.message_dict) == ["due_on"]
        saved = services.round_save(actor=None, survey_round=None, today=dt.date(2026, 4, 1),
                                    data={"name": "2026年度", "due_on": dt.date(2026, 4, 1)})
        # Later edits of a round whose (unchanged) due date has passed are not refused.
        services.round_save(actor=None, survey_round=saved, today=dt.date(2026, 6, 1),
                            data={"name": "2026年度", "due_on": dt.date(2026, 4, 1),
                                  "status": "closed"})


def test_it_rejects_a_second_round_with_the_same_name(admin, org_a, tr):
    make_round(org_a)
    response = admin.post(NEW, {"name": "2026年度 業務調査", "status": "draft"})
    assert response.status_code == 200
    assert shows(response, tr("A round with this name already exists."))


def test_it_edits_a_round_and_can_close_it(admin, org_a):
    survey_round = make_round(org_a)
    response = admin.post(url("round_edit", survey_round),
                          {"name": "2026年度 業務調査（確定）", "status": "closed", "due_on": ""})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        survey_round.refresh_from_db()
    assert survey_round.name == "2026年度 業務調査（確定）"
    assert survey_round.status == RoundStatus.CLOSED


def test_the_list_shows_progress_and_offers_to_compare_two_rounds(admin, org_a, people_a):
    before = make_round(org_a, name="2025年度")
    after = make_round(org_a, name="2026年度")
    invite(org_a, after, people_a.suzuki, people_a.sato)
    page = body(admin.get(LIST))
    assert "0 / 2" in page
    assert f'action="{reverse("survey:compare")}"' in page
    assert f'<option value="{before.pk}" selected>' in page
    assert url("analysis", after) in page and url("hours_import", after) in page


# ---- inviting ------------------------------------------------------------------------------------


def test_inviting_a_department_with_its_subdepartments_asks_its_people_and_emails_them(
        admin, org_a, emails, mailoutbox, django_capture_on_commit_callbacks):
    survey_round = make_round(org_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url("round_invite", survey_round), {
            "departments": [emails.honbu.pk], "include_subdepartments": "on",
            "send_mail": "on"})
    assert response.status_code == 302
    with tenancy.activate(org_a):
        invited = set(Respondent.objects.values_list("person__name", flat=True))
        survey_round.refresh_from_db()
    # 管理本部 has no people of its own; 総務部 and 人事部 below it do. 田中 has no department.
    assert invited == {"山田 太郎", "鈴木 花子", "佐藤 健"}
    assert survey_round.status == RoundStatus.OPEN
    assert sorted(m.to[0] for m in mailoutbox) == [
        "sato@a.example", "suzuki@a.example", "yamada@a.example"]
    assert "2026年度 業務調査" in mailoutbox[0].subject
    assert f"/survey/answer/{survey_round.pk}/" in mailoutbox[0].body


def test_inviting_a_department_without_subdepartments_asks_only_its_own_people(admin, org_a,
                                                                              people_a):
    survey_round = make_round(org_a)
    admin.post(url("round_invite", survey_round), {"departments": [people_a.somu.pk]})
    admin.post(url("round_invite", survey_round), {"departments": [people_a.honbu.pk]})
    with tenancy.activate(org_a):
        assert set(Respondent.objects.values_list("person__name", flat=True)) == {
            "山田 太郎", "鈴木 花子"}


def test_inviting_people_by_name_and_again_keeps_who_was_already_asked(admin, org_a, people_a,
                                                                       tr):
    survey_round = make_round(org_a)
    admin.post(url("round_invite", survey_round), {"people": [people_a.tanaka.pk]})
    with tenancy.activate(org_a):
        first = Respondent.objects.get()
        Respondent.objects.filter(pk=first.pk).update(status=ResponseStatus.IN_PROGRESS)
    response = admin.post(url("round_invite", survey_round),
                          {"people": [people_a.tanaka.pk, people_a.sato.pk]}, follow=True)
    assert shows(response, tr("%(n)s people have been invited; %(mailed)s of them by email.",
                              n=1, mailed=0))
    with tenancy.activate(org_a):
        assert Respondent.objects.count() == 2
        assert Respondent.objects.get(pk=first.pk).status == ResponseStatus.IN_PROGRESS


def test_inviting_nobody_is_an_error(admin, org_a, people_a, tr):
    survey_round = make_round(org_a)
    response = admin.post(url("round_invite", survey_round), {}, follow=True)
    assert shows(response, tr("Choose the departments or people to invite."))
    with tenancy.activate(org_a):
        assert not Respondent.objects.exists()
        assert SurveyRound.objects.get().status == RoundStatus.DRAFT


def test_a_closed_round_invites_nobody(admin, org_a, people_a, tr):
    survey_round = make_round(org_a, status=RoundStatus.CLOSED)
    assert not shows(admin.get(url("round_detail", survey_round)), tr("Invite people to answer"))
    response = admin.post(url("round_invite", survey_round), {"people": [people_a.sato.pk]},
                          follow=True)
    assert shows(response, tr("This round is closed."))
    with tenancy.activate(org_a):
        assert not Respondent.objects.exists()


def test_the_invite_form_lists_departments_as_a_tree_and_searches_people(admin, org_a,
                                                                         people_a):
    survey_round = make_round(org_a)
    invite(org_a, survey_round, people_a.suzuki)
    page = body(admin.get(url("round_detail", survey_round)))
    assert 'style="--depth: 1"><input type="checkbox" name="departments"' in page
    # People are found with a searching picker, not listed: the organization may be 10,000.
    assert 'name="people"' in page and 'data-person-picker="/org/people/search/"' in page
    assert f'<option value="{people_a.sato.pk}"' not in page


# ---- progress and reminders ----------------------------------------------------------------------


@pytest.fixture
def answered(org_a, emails):  # type: ignore[no-untyped-def]
    """An open round: 鈴木 submitted, 佐藤 saved a draft, 山田 has not started."""
    survey_round = make_round(org_a, status=RoundStatus.OPEN)
    invite(org_a, survey_round, emails.yamada, emails.suzuki, emails.sato)
    with tenancy.activate(org_a):
        task = services.task_save(actor=None, task=None,
                                  data={"function": "総務", "category": "庶務", "name": "備品管理"})
        for person, submit in ((emails.suzuki, True), (emails.sato, False)):
            respondent = Respondent.objects.get(person=person)
            services.answers_save(actor=None, respondent=respondent, submit=submit,
                                  answers=[Answer(task_id=task.pk, hours=Decimal(4))])
    return survey_round


def test_the_round_page_shows_progress_and_who_has_not_answered(admin, answered):
    page = body(admin.get(url("round_detail", answered)))
    assert 'aria-valuenow="33"' in page
    assert "提出率 33.3%" in page  # a share as every page writes it, one decimal
    pending = body(admin.get(url("round_detail", answered), {"status": "pending"}))
    assert "山田 太郎" in pending and "佐藤 健" in pending and "鈴木 花子" not in pending
    submitted = body(admin.get(url("round_detail", answered), {"status": "submitted"},
                               HTTP_HX_REQUEST="true"))
    assert "鈴木 花子" in submitted and "山田 太郎" not in submitted
    assert "<html" not in submitted


def test_reminding_everyone_reminds_only_those_who_have_not_submitted(
        admin, org_a, answered, mailoutbox, django_capture_on_commit_callbacks, tr):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url("round_remind", answered), {"scope": "all"}, follow=True)
    assert shows(response, tr("%(n)s people who have not submitted were reminded.", n=2))
    assert sorted(m.to[0] for m in mailoutbox) == ["sato@a.example", "yamada@a.example"]
    with tenancy.activate(org_a):
        reminded = dict(Respondent.objects.values_list("person__name", "reminder_count"))
        assert Respondent.objects.get(person__name="鈴木 花子").reminded_at is None
    assert reminded == {"山田 太郎": 1, "鈴木 花子": 0, "佐藤 健": 1}


def test_reminding_the_ticked_people_reminds_only_them(
        admin, org_a, answered, mailoutbox, django_capture_on_commit_callbacks):
    with tenancy.activate(org_a):
        yamada = Respondent.objects.get(person__name="山田 太郎")
        suzuki = Respondent.objects.get(person__name="鈴木 花子")
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("round_remind", answered),
                   {"scope": "selected", "respondent": [yamada.pk, suzuki.pk]})
    assert [m.to[0] for m in mailoutbox] == ["yamada@a.example"]


def test_reminding_with_nobody_ticked_is_an_error(admin, org_a, answered, mailoutbox, tr):
    response = admin.post(url("round_remind", answered), {"scope": "selected"}, follow=True)
    assert shows(response, tr("Tick the people to remind first."))
    with tenancy.activate(org_a):
        assert not Respondent.objects.filter(reminded_at__isnull=False).exists()


def test_a_closed_round_sends_no_reminders(admin, org_a, answered, tr):
    with tenancy.activate(org_a):
        services.round_save(actor=None, survey_round=answered, data={"status": "closed"})
    response = admin.post(url("round_remind", answered), {"scope": "all"}, follow=True)
    assert shows(response, tr("Reminders can only be sent while the round collects answers."))
    with tenancy.activate(org_a):
        assert not Respondent.objects.filter(reminded_at__isnull=False).exists()


# ---- deleting ------------------------------------------------------------------------------------


def test_deleting_a_round_asks_first_then_deletes_its_answers(admin, org_a, answered):
    confirm = admin.get(url("round_delete", answered))
    assert confirm.status_code == 200
    assert "2026年度 業務調査" in body(confirm)
    with tenancy.activate(org_a):
        assert SurveyRound.objects.exists()
    response = admin.post(url("round_delete", answered))
    assert response["Location"] == LIST
    with tenancy.activate(org_a):
        assert not SurveyRound.objects.exists()
        assert not Respondent.objects.exists()
        assert Task.objects.exists()


# ---- organizations and queries -------------------------------------------------------------------


def test_another_organizations_round_is_not_found_on_any_round_page(admin, org_b, people_b):
    survey_round = make_round(org_b, name="B社の調査")
    invite(org_b, survey_round, people_b.kimura)
    for name in ("round_detail", "round_edit", "round_delete"):
        assert admin.get(url(name, survey_round)).status_code == 404, name
    for name, data in (("round_edit", {"name": "乗っ取り", "status": "open"}),
                       ("round_delete", {}), ("round_invite", {"people": [people_b.kimura.pk]}),
                       ("round_remind", {"scope": "all"})):
        assert admin.post(url(name, survey_round), data).status_code == 404, name
    assert "B社の調査" not in body(admin.get(LIST))
    with tenancy.activate(org_b):
        assert SurveyRound.objects.get().name == "B社の調査"
        assert Respondent.objects.get().reminded_at is None


def test_inviting_another_organizations_people_or_departments_invites_nobody(admin, org_a,
                                                                            people_a, people_b):
    survey_round = make_round(org_a)
    admin.post(url("round_invite", survey_round), {"people": [people_b.kimura.pk]})
    admin.post(url("round_invite", survey_round), {"departments": [people_b.somu.pk]})
    with tenancy.activate(org_a):
        assert not Respondent.objects.exists()


def test_the_round_page_costs_the_same_queries_for_many_respondents(
        admin, org_a, people_a, django_assert_max_num_queries):
    survey_round = make_round(org_a)
    with tenancy.activate(org_a):
        for n in range(40):
            org_services.person_create(actor=None, data={
                "employee_number": f"R{n:03d}", "name": f"社員 {n}",
                "department": people_a.somu if n % 2 else people_a.jinji})
    admin.post(url("round_invite", survey_round), {"departments": [people_a.honbu.pk],
                                                   "include_subdepartments": "on"})
    admin.get(url("round_detail", survey_round))
    with django_assert_max_num_queries(16):
        response = admin.get(url("round_detail", survey_round))
    assert "社員 39" in body(response)
