"""/api/v1/notifications: the caller's notifications, read marks and settings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from somu.core import tenancy
from somu.notify.models import Notification
from somu.notify.tests.factories import ASSIGNED, DECIDED, tell

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"
DAY = dt.datetime(2026, 4, 30, 9, 0, tzinfo=dt.UTC)


class Api:
    def __init__(self, raw: str) -> None:
        self.client = Client(enforce_csrf_checks=True)
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    def get(self, path: str = "", **params):  # type: ignore[no-untyped-def]
        return self.client.get(f"{API}{path}", params, **self.auth)

    def post(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.post(f"{API}{path}", {}, content_type="application/json",
                                **self.auth)

    def put(self, path: str, body):  # type: ignore[no-untyped-def]
        return self.client.put(f"{API}{path}", body, content_type="application/json",
                               **self.auth)


@pytest.fixture
def suzuki(token_for, employee_a) -> Api:  # type: ignore[no-untyped-def]
    return Api(token_for(employee_a))


def test_the_list_gives_the_callers_notifications_unread_first(suzuki, org_a, people_a):
    tell(org_a, people_a.suzuki, "古い", at=DAY - dt.timedelta(days=2))
    read = tell(org_a, people_a.suzuki, "既読", at=DAY)
    tell(org_a, people_a.sato, "佐藤さんへ")
    with tenancy.activate(org_a):
        Notification.objects.filter(pk=read.pk).update(read_at=DAY)
    body = suzuki.get().json()
    assert body["count"] == 2
    assert [n["title"] for n in body["items"]] == ["古い", "既読"]
    assert set(body["items"][0]) == {"id", "kind", "title", "body", "url", "about_type",
                                     "about_id", "created_at", "read_at"}
    assert [n["title"] for n in suzuki.get(unread="true").json()["items"]] == ["古い"]
    assert [n["title"] for n in suzuki.get(unread="false").json()["items"]] == ["既読"]
    assert suzuki.get(page_size=1, page=2).json()["items"][0]["title"] == "既読"


def test_marking_read_answers_the_notification_and_read_all_the_count(suzuki, org_a, people_a):
    first = tell(org_a, people_a.suzuki, "一")
    tell(org_a, people_a.suzuki, "二")
    tell(org_a, people_a.suzuki, "三")
    response = suzuki.post(f"/{first.pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    assert suzuki.post("/read-all").json() == {"marked": 2}
    assert suzuki.post("/read-all").json() == {"marked": 0}


def test_another_persons_or_organizations_notification_is_not_found(
        suzuki, org_a, org_b, people_a, people_b):
    same_org = tell(org_a, people_a.sato, "佐藤さんへ")
    other_org = tell(org_b, people_b.kimura, "木村さんへ")
    for notification in (same_org, other_org):
        response = suzuki.post(f"/{notification.pk}/read")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    with tenancy.activate(org_a):
        assert Notification.objects.get(pk=same_org.pk).read_at is None


def test_preferences_read_and_write(suzuki):
    before = {p["kind"]: p for p in suzuki.get("/preferences").json()}
    assert before[ASSIGNED] == {"kind": ASSIGNED, "label": "ステップがあなたの担当になった",
                                "in_app": True, "email": "digest", "chosen": False}
    response = suzuki.put("/preferences", {"preferences": [
        {"kind": DECIDED, "in_app": False, "email": "digest"}]})
    assert response.status_code == 200
    after = {p["kind"]: p for p in response.json()}
    assert (after[DECIDED]["in_app"], after[DECIDED]["email"], after[DECIDED]["chosen"]) == (
        False, "digest", True)
    assert after[ASSIGNED]["chosen"] is False


@pytest.mark.parametrize(("item", "field"), [
    ({"kind": "procedures.unknown", "in_app": True, "email": "off"}, "procedures.unknown"),
    ({"kind": ASSIGNED, "in_app": True, "email": "weekly"}, "preferences.0.email"),
    ({"kind": ASSIGNED, "in_app": 1, "email": "off"}, "preferences.0.in_app"),
])
def test_preferences_refuse_unknown_kinds_and_modes(suzuki, item, field):
    response = suzuki.put("/preferences", {"preferences": [item]})
    assert response.status_code == 422
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]


def test_an_account_without_a_person_has_nothing_and_cannot_set_preferences(token_for,
                                                                            staff_a):
    api = Api(token_for(staff_a))
    assert api.get().json()["count"] == 0
    assert api.get("/preferences").json() == []
    assert api.post("/read-all").status_code == 404
    response = api.put("/preferences", {"preferences": []})
    assert response.status_code == 404
