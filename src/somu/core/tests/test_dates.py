"""A day reads 2026-12-05 (土) on every page: one format setting (somu/formats), not a format
string per template (入社日 once read 2027年1月4日 on one page and 2027-01-04 on the next)."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from somu.core import tenancy
from somu.procedures.services import runs as run_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save

DAY = dt.date(2027, 1, 4)


def test_a_day_reads_iso_with_its_weekday_in_both_languages():
    render = Template("{{ day|date }}|{{ day }}|{{ moment|date:'DATETIME_FORMAT' }}")
    moment = dt.datetime(2027, 1, 4, 9, 5)
    with translation.override("ja"):
        assert render.render(Context({"day": DAY, "moment": moment})) == (
            "2027-01-04 (月)|2027-01-04 (月)|2027-01-04 09:05")
        assert date_format(DAY) == "2027-01-04 (月)"
    with translation.override("en"):
        assert date_format(DAY) == "2027-01-04 (Mon)"


def test_the_hire_date_reads_the_same_on_the_person_page_and_on_the_run(
        client_as, make_user, org_a, people_a):
    with tenancy.activate(org_a):
        people_a.suzuki.hire_date = DAY
        people_a.suzuki.save(update_fields=["hire_date"])
    hr = make_hr_staff(make_user, org_a, people_a)
    template = save(org_a, onboarding(), owner=people_a.yamada)
    with tenancy.activate(org_a):
        run = run_services.run_launch(
            actor=None, template=template, start_date=dt.date(2026, 12, 1),
            params={"入社者": people_a.suzuki.pk, "入社日": DAY})
    client = client_as(hr, org_a)
    person = client.get(reverse("org:person_detail", args=[people_a.suzuki.pk])).content.decode()
    run_page = client.get(reverse("procedures:run_detail", args=[run.pk])).content.decode()
    for page in (person, run_page):
        assert "2027-01-04 (月)" in page
        assert "2027年1月4日" not in page
