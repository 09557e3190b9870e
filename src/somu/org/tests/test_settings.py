"""The organization settings page: name, weekends, standard hours, digest hour and the base URL
of links — admins only, audited, and honoured by the worker and by every email and chat link."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.jobs import worker
from somu.jobs.models import Job
from somu.notify import digests
from somu.notify.jobs import DIGEST
from somu.org import services
from somu.org.models import Organization, Person
from somu.procedures.tests.background import READY, make_run
from somu.survey import services as survey_services

DAY = dt.date(2026, 4, 8)  # a Wednesday


@pytest.fixture(autouse=True)
def _deployment(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SOMU_BASE_URL = "http://127.0.0.1:8000"
    settings.SOMU_DIGEST_HOUR = 8


def _form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": "株式会社エー", "weekend_days": ["5", "6"], "standard_monthly_hours": "160",
        "digest_hour": "", "base_url": "", "fiscal_year_start_month": "4",
    }
    data.update(changes)
    return data


# ---- the service ---------------------------------------------------------------------------------


def test_updating_the_organization_audits_what_changed(org_a, admin_a):
    services.organization_update(actor=admin_a, organization=org_a, data={
        "name": "株式会社エー・ホールディングス", "weekend_days": [6, 5, 2],
        "standard_monthly_hours": Decimal("150"), "digest_hour": 7,
        "base_url": "https://somu.a.example/",
    })
    org_a.refresh_from_db()
    assert org_a.weekend_days == [2, 5, 6]
    assert org_a.base_url == "https://somu.a.example"  # no trailing slash to double up
    with tenancy.activate(org_a):
        event = AuditEvent.objects.get(action="organization.update")
    assert event.actor_id == admin_a.pk
    assert set(event.changes) == {"name", "weekend_days", "standard_monthly_hours",
                                  "digest_hour", "base_url"}
    assert event.changes["digest_hour"] == [None, 7]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"weekend_days": [0, 1, 2, 3, 4, 5, 6]}, "weekend_days",
     "At least one day of the week must be a business day."),
    ({"weekend_days": [7]}, "weekend_days",
     "Choose weekdays from Monday to Sunday, each at most once."),
    ({"weekend_days": [5, 5]}, "weekend_days",
     "Choose weekdays from Monday to Sunday, each at most once."),
    ({"standard_monthly_hours": Decimal("0")}, "standard_monthly_hours",
     "Enter hours between 1 and 400."),
    ({"standard_monthly_hours": Decimal("401")}, "standard_monthly_hours",
     "Enter hours between 1 and 400."),
])
def test_the_service_refuses_impossible_settings_and_changes_nothing(
        org_a, admin_a, tr, data, field, message):
    with pytest.raises(ValidationError) as caught:
        services.organization_update(actor=admin_a, organization=org_a, data=data)
    assert caught.value.message_dict[field] == [tr(message)]
    fresh = Organization.objects.get(pk=org_a.pk)
    assert (fresh.weekend_days, fresh.standard_monthly_hours) == ([5, 6], Decimal("160"))
    with tenancy.activate(org_a):
        assert not AuditEvent.objects.filter(action="organization.update").exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"digest_hour": 24}, "digest_hour"),
    ({"base_url": "somu.a.example"}, "base_url"),
    ({"base_url": "ftp://somu.a.example"}, "base_url"),
    ({"name": ""}, "name"),
])
def test_the_service_refuses_a_bad_hour_url_or_name(org_a, admin_a, data, field):
    with pytest.raises(ValidationError) as caught:
        services.organization_update(actor=admin_a, organization=org_a, data=data)
    assert field in caught.value.message_dict


# ---- the page ------------------------------------------------------------------------------------


def test_an_admin_changes_the_settings_on_the_page_and_finds_it_in_the_nav(
        client_as, admin_a, org_a, tr):
    client = client_as(admin_a, org_a)
    home = client.get(reverse("home")).content.decode()
    assert reverse("org:settings") in home and tr("Organization settings") in home
    page = client.get(reverse("org:settings"))
    assert page.status_code == 200
    assert page.context["form"]["name"].value() == "株式会社エー"

    response = client.post(reverse("org:settings"), _form(
        weekend_days=["6"], standard_monthly_hours="140", digest_hour="6",
        base_url="https://somu.a.example"))

    assert response.status_code == 302
    org_a.refresh_from_db()
    assert (org_a.weekend_days, org_a.standard_monthly_hours, org_a.digest_hour,
            org_a.base_url) == ([6], Decimal("140"), 6, "https://somu.a.example")


def test_bad_input_on_the_page_gets_field_errors_and_changes_nothing(
        client_as, admin_a, org_a, tr):
    response = client_as(admin_a, org_a).post(reverse("org:settings"), _form(
        weekend_days=["0", "1", "2", "3", "4", "5", "6"], base_url="not a url"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["weekend_days"] == [tr("At least one day of the week must be a business day.")]
    org_a.refresh_from_db()
    assert org_a.weekend_days == [5, 6] and org_a.base_url == ""

    response = client_as(admin_a, org_a).post(reverse("org:settings"), _form(
        base_url="not a url"))
    assert response.context["form"].errors["base_url"]
    response = client_as(admin_a, org_a).post(reverse("org:settings"), _form(name=""))
    assert response.context["form"].errors["name"]


@pytest.mark.parametrize("who", ["staff_a", "manager_a", "employee_a", "auditor_a"])
def test_only_admins_open_the_settings(client_as, org_a, who, request):
    user = request.getfixturevalue(who)
    client = client_as(user, org_a)
    assert client.get(reverse("org:settings")).status_code == 403
    assert client.post(reverse("org:settings"), _form(name="乗っ取り")).status_code == 403
    assert Organization.objects.get(pk=org_a.pk).name == "株式会社エー"
    assert reverse("org:settings") not in client.get(reverse("home")).content.decode()


def test_an_admin_changes_only_their_own_organization(client_as, admin_a, org_a, org_b):
    client_as(admin_a, org_a).post(reverse("org:settings"), _form(name="株式会社エー改"))
    assert Organization.objects.get(pk=org_b.pk).name == "ビー商事株式会社"


# ---- the digest hour and the links honour the organization ---------------------------------------


def _at(hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(DAY.year, DAY.month, DAY.day, hour, 0))


def test_the_worker_builds_digests_at_each_organizations_own_hour(org_a, org_b):
    services.organization_update(actor=None, organization=org_a, data={"digest_hour": 6})
    worker.enqueue_due(_at(6))
    keys = set(Job.objects.filter(kind=DIGEST).values_list("key", flat=True))
    assert keys == {f"digest:{org_a.pk}:{DAY}"}  # org B keeps the deployment's 8:00
    worker.enqueue_due(_at(8))
    keys = set(Job.objects.filter(kind=DIGEST).values_list("key", flat=True))
    assert keys == {f"digest:{org_a.pk}:{DAY}", f"digest:{org_b.pk}:{DAY}"}


def test_digest_links_use_the_organizations_base_url_else_the_deployments(
        org_a, org_b, people_a, people_b):
    services.organization_update(actor=None, organization=org_a,
                                 data={"base_url": "https://somu.a.example/"})
    run = make_run(org_a, "入社手続き", [("社会保険の資格取得届", people_a.yamada,
                                          dt.date(2026, 4, 6), READY)])
    with tenancy.activate(org_b):
        Person.objects.filter(pk=people_b.kimura.pk).update(email="kimura@b.example")
    make_run(org_b, "ビー社の手続き",
             [("ビー社の手順", people_b.kimura, dt.date(2026, 4, 6), READY)])

    [a_mail] = digests.build_digests(organization=org_a, day=DAY)
    [b_mail] = digests.build_digests(organization=org_b, day=DAY)

    assert f"https://somu.a.example/procedures/steps/{run[0].pk}/" in a_mail.body
    assert "https://somu.a.example/procedures/my/" in a_mail.body
    assert "http://127.0.0.1:8000/procedures/" in b_mail.body
    assert "somu.a.example" not in b_mail.body


def test_survey_invitations_link_to_the_organizations_base_url(
        org_a, admin_a, people_a, django_capture_on_commit_callbacks):
    services.organization_update(actor=None, organization=org_a,
                                 data={"base_url": "https://somu.a.example"})
    with tenancy.activate(org_a):
        survey_round = survey_services.round_save(actor=admin_a, survey_round=None, data={
            "name": "2026年度 業務調査", "status": "draft", "due_on": None, "description": ""})
        with django_capture_on_commit_callbacks(execute=True):
            survey_services.respondents_invite(actor=admin_a, survey_round=survey_round,
                                               person_ids=[people_a.yamada.pk], send_mail=True)
    [invitation] = mail.outbox
    assert (f"https://somu.a.example/survey/answer/{survey_round.pk}/"
            in invitation.body)


# ---- the API refuses what the page refuses -------------------------------------------------------


def test_the_api_reads_and_changes_the_settings_like_the_page(client_as, admin_a, org_a,
                                                              employee_a):
    employee = client_as(employee_a, org_a)
    read = employee.get("/api/v1/organization")
    assert read.status_code == 200
    assert read.json() | {"id": 0} == {
        "id": 0, "name": "株式会社エー", "slug": "org-a", "standard_monthly_hours": "160.00",
        "weekend_days": [5, 6], "digest_hour": None, "base_url": "",
        "fiscal_year_start_month": 4}
    admin = client_as(admin_a, org_a)
    changed = admin.patch("/api/v1/organization", {"digest_hour": 7, "weekend_days": [6]},
                          content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["digest_hour"], changed.json()["weekend_days"]) == (7, [6])
    assert changed.json()["name"] == "株式会社エー"  # what was not sent stays


def test_the_api_answers_the_services_field_errors_with_422(client_as, admin_a, org_a, tr):
    admin = client_as(admin_a, org_a)
    response = admin.patch("/api/v1/organization", {"weekend_days": [0, 1, 2, 3, 4, 5, 6]},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == [{
        "field": "weekend_days",
        "message": tr("At least one day of the week must be a business day.")}]
    bad_url = admin.patch("/api/v1/organization", {"base_url": "somu.a.example"},
                          content_type="application/json")
    assert bad_url.status_code == 422
    assert [f["field"] for f in bad_url.json()["error"]["fields"]] == ["base_url"]
    assert Organization.objects.get(pk=org_a.pk).weekend_days == [5, 6]


@pytest.mark.parametrize("who", ["staff_a", "manager_a", "auditor_a"])
def test_only_admins_change_the_settings_through_the_api(client_as, org_a, who, request):
    client = client_as(request.getfixturevalue(who), org_a)
    response = client.patch("/api/v1/organization", {"name": "乗っ取り"},
                            content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Organization.objects.get(pk=org_a.pk).name == "株式会社エー"


def test_each_weekend_checkbox_sits_inside_its_own_days_label(client_as, admin_a, org_a):
    """The walkthrough found each box under the previous day's name (Sat looked like Fri)."""
    from somu.org.forms import WEEKDAYS

    page = client_as(admin_a, org_a).get(reverse("org:settings")).content.decode()

    for day in range(7):
        label = re.search(
            rf'<label class="check" for="id_weekend_days_{day}">(.*?)</label>', page, re.S)
        assert label, f"no label for day {day}"
        assert f'value="{day}"' in label.group(1)
        assert label.group(1).strip().endswith(str(WEEKDAYS[day]))


# ---- 期首月 (the first month of the fiscal year) ----------------------------------------------


def test_an_admin_sets_the_first_month_of_the_fiscal_year_on_the_page(client_as, admin_a, org_a):
    client = client_as(admin_a, org_a)
    page = client.get(reverse("org:settings"))
    assert page.context["form"]["fiscal_year_start_month"].value() == "4"
    response = client.post(reverse("org:settings"), _form(fiscal_year_start_month="1"))
    assert response.status_code == 302
    org_a.refresh_from_db()
    assert org_a.fiscal_year_start_month == 1
    assert org_a.fiscal_year(dt.date(2026, 1, 5)) == 2026


def test_a_month_outside_1_to_12_is_refused_on_the_page_the_service_and_the_api(
        client_as, admin_a, org_a):
    page = client_as(admin_a, org_a).post(reverse("org:settings"),
                                          _form(fiscal_year_start_month="13"))
    assert page.status_code == 200 and page.context["form"].errors["fiscal_year_start_month"]
    with pytest.raises(ValidationError) as caught:
        services.organization_update(actor=admin_a, organization=org_a,
                                     data={"fiscal_year_start_month": 0})
    assert "fiscal_year_start_month" in caught.value.message_dict
    api = client_as(admin_a, org_a)
    refused = api.patch("/api/v1/organization", {"fiscal_year_start_month": 13},
                        content_type="application/json")
    assert refused.status_code == 422
    assert Organization.objects.get(pk=org_a.pk).fiscal_year_start_month == 4
    changed = api.patch("/api/v1/organization", {"fiscal_year_start_month": 10},
                        content_type="application/json")
    assert changed.status_code == 200 and changed.json()["fiscal_year_start_month"] == 10


def test_only_admins_change_the_first_month_of_the_fiscal_year(client_as, staff_a, org_a):
    response = client_as(staff_a, org_a).patch(
        "/api/v1/organization", {"fiscal_year_start_month": 1}, content_type="application/json")
    assert response.status_code == 403
    assert Organization.objects.get(pk=org_a.pk).fiscal_year_start_month == 4
