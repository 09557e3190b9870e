"""The home page tells a person which surveys are waiting for their answers."""

from __future__ import annotations

from somu.core import tenancy
from somu.survey import services
from somu.survey.models import RoundStatus


def _round(org, actor, name, people):
    with tenancy.activate(org):
        survey_round = services.round_save(actor=actor, survey_round=None, data={"name": name})
        services.respondents_invite(actor=actor, survey_round=survey_round,
                                    person_ids=[p.pk for p in people], send_mail=False)
    return survey_round


def test_the_home_page_links_the_questionnaire_of_an_open_round(client_as, manager_a, org_a,
                                                                  people_a, tr):
    survey_round = _round(org_a, manager_a, "2026年度 業務調査", [people_a.yamada])
    page = client_as(manager_a, org_a).get("/").content.decode()
    assert tr("Please answer the work survey “%(name)s”.", name="2026年度 業務調査") in page
    assert f"/survey/answer/{survey_round.pk}/" in page


def test_the_home_page_forgets_submitted_and_closed_rounds(client_as, manager_a, org_a, people_a):
    submitted = _round(org_a, manager_a, "提出済みの調査", [people_a.yamada])
    closed = _round(org_a, manager_a, "締切済みの調査", [people_a.yamada])
    with tenancy.activate(org_a):
        respondent = submitted.respondents.get()
        services.answers_save(actor=manager_a, respondent=respondent, answers=[], submit=True)
        closed.status = RoundStatus.CLOSED
        closed.save()
    page = client_as(manager_a, org_a).get("/").content.decode()
    assert "提出済みの調査" not in page
    assert "締切済みの調査" not in page


def test_the_home_page_shows_no_survey_to_someone_not_asked(client_as, manager_a, admin_a, org_a,
                                                            people_a):
    _round(org_a, manager_a, "総務部だけの調査", [people_a.suzuki])
    page = client_as(manager_a, org_a).get("/").content.decode()
    assert "総務部だけの調査" not in page
