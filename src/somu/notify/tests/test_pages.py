"""The notification centre's pages: the bell, the list, read marks, the settings section."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from somu.core import registry, tenancy
from somu.notify.models import Notification, Preference
from somu.notify.tests.factories import ASSIGNED, tell

pytestmark = pytest.mark.django_db

LIST = "/notifications/"
DAY = dt.datetime(2026, 4, 30, 9, 15, tzinfo=dt.UTC)


def test_the_bell_shows_the_unread_count_with_a_spoken_label(client_as, employee_a, org_a,
                                                             people_a, tr):
    client = client_as(employee_a, org_a)
    page = client.get("/").content.decode()
    assert 'data-testid="bell"' in page and 'class="bell-count"' not in page
    for n in range(3):
        tell(org_a, people_a.suzuki, f"通知{n}")
    tell(org_a, people_a.sato, "佐藤さんへ")  # someone else's: not counted
    page = client.get("/").content.decode()
    assert f'aria-label="{tr("%(n)s unread notification", "%(n)s unread notifications", n=3)}"' \
        in page
    assert "未読の通知 3件" in page
    assert '<span class="bell-count" aria-hidden="true">3</span>' in page


def test_the_bell_costs_one_count_query_whatever_the_number_of_notifications(
        client_as, employee_a, org_a, people_a):
    client = client_as(employee_a, org_a)
    client.get("/")  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return sum("notify_notification" in q["sql"] for q in captured.captured_queries)

    assert queries() == 1
    for n in range(20):
        tell(org_a, people_a.suzuki, f"通知{n}")
    assert queries() == 1


def test_an_account_without_a_person_has_no_bell_and_an_explained_empty_centre(
        client_as, staff_a, org_a, tr):
    client = client_as(staff_a, org_a)
    assert 'data-testid="bell"' not in client.get("/").content.decode()
    page = client.get(LIST).content.decode()
    assert tr("No notifications for this account") in page
    assert tr("Mark all as read") not in page


def test_the_list_shows_unread_first_then_the_newest_with_dates(client_as, employee_a, org_a,
                                                               people_a, tr):
    old_unread = tell(org_a, people_a.suzuki, "古い未読", at=DAY - dt.timedelta(days=3),
                      body="本文です")
    new_read = tell(org_a, people_a.suzuki, "新しい既読", at=DAY)
    tell(org_a, people_a.suzuki, "中くらいの未読", at=DAY - dt.timedelta(days=1))
    with tenancy.activate(org_a):
        Notification.objects.filter(pk=new_read.pk).update(read_at=DAY)
    page = client_as(employee_a, org_a).get(LIST).content.decode()
    positions = [page.index(t) for t in ("中くらいの未読", "古い未読", "新しい既読")]
    assert positions == sorted(positions)
    assert "本文です" in page
    assert "2026-04-27 18:15" in page  # Asia/Tokyo, as every page writes times
    assert f'href="/notifications/{old_unread.pk}/open/"' in page
    assert page.count(f">{tr('Mark as read')}</button>") == 2


def test_the_list_is_paginated(client_as, employee_a, org_a, people_a, tr):
    for n in range(31):
        tell(org_a, people_a.suzuki, f"通知番号{n:02d}", at=DAY + dt.timedelta(minutes=n))
    client = client_as(employee_a, org_a)
    first = client.get(LIST).content.decode()
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "通知番号30" in first and "通知番号00" not in first
    assert "通知番号00" in second


def test_the_empty_list_says_what_will_appear(client_as, employee_a, org_a, tr):
    assert tr("No notifications") in client_as(employee_a, org_a).get(LIST).content.decode()


def test_mark_read_and_mark_all_read_are_posts(client_as, employee_a, org_a, people_a):
    first = tell(org_a, people_a.suzuki, "一")
    tell(org_a, people_a.suzuki, "二")
    client = client_as(employee_a, org_a)
    assert client.get(f"/notifications/{first.pk}/read/").status_code == 405
    response = client.post(f"/notifications/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == LIST
    with tenancy.activate(org_a):
        assert Notification.objects.filter(read_at__isnull=True).count() == 1
    client.post("/notifications/read-all/")
    with tenancy.activate(org_a):
        assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_as, employee_a,
                                                                   org_a, people_a):
    notification = tell(org_a, people_a.suzuki, "開く", url="/procedures/my/")
    response = client_as(employee_a, org_a).get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/procedures/my/"
    with tenancy.activate(org_a):
        assert Notification.objects.get(pk=notification.pk).read_at is not None


def test_opening_never_leaves_the_site(client_as, employee_a, org_a, people_a):
    notification = tell(org_a, people_a.suzuki, "外部", url="https://evil.example/")
    response = client_as(employee_a, org_a).get(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == LIST


def test_another_persons_notification_of_the_same_organization_is_not_found(
        client_as, employee_a, org_a, people_a):
    theirs = tell(org_a, people_a.sato, "佐藤さんだけが読める")
    client = client_as(employee_a, org_a)
    assert "佐藤さんだけが読める" not in client.get(LIST).content.decode()
    assert client.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    with tenancy.activate(org_a):
        assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_account_page_shows_each_kinds_setting_with_its_default(client_as, employee_a,
                                                                   org_a, tr):
    page = client_as(employee_a, org_a).get("/account/").content.decode()
    assert tr("Notification settings") in page
    assert tr("A step is ready for you") in page
    assert tr("Your request was approved or rejected") in page
    assert f"{tr('Default:')} {tr('shown')} · {tr('In the daily digest')}" in page
    assert f"{tr('Default:')} {tr('shown')} · {tr('Email immediately')}" in page


def test_the_account_page_saves_only_the_settings_that_changed(client_as, employee_a, org_a,
                                                              people_a, tr):
    client = client_as(employee_a, org_a)
    # What the browser sends: every kind's defaults (other apps' kinds too) …
    form = {}
    for kind in registry.notification_kinds().values():
        if kind.in_app:
            form[f"{kind.key}.in_app"] = "on"
        form[f"{kind.key}.email"] = kind.email
    # … with one kind changed: in-app unticked, email off.
    del form[f"{ASSIGNED}.in_app"]
    form[f"{ASSIGNED}.email"] = "off"
    response = client.post("/notifications/preferences/", form, follow=True)
    assert tr("Your notification settings have been saved.") in response.content.decode()
    with tenancy.activate(org_a):
        assert list(Preference.objects.values_list("kind", "in_app", "email")) == [
            (ASSIGNED, False, "off")]


def test_the_account_page_refuses_an_unknown_email_mode(client_as, employee_a, org_a, tr):
    response = client_as(employee_a, org_a).post("/notifications/preferences/", {
        f"{ASSIGNED}.email": "hourly"}, follow=True)
    assert tr("The notification settings could not be saved.") in response.content.decode()
    with tenancy.activate(org_a):
        assert not Preference.objects.exists()
