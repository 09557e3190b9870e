"""notify() and the other writes: channels by preference, read marks, settings, pruning."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.notify import selectors, services
from somu.notify.models import Notification, Preference
from somu.notify.tests.factories import ASSIGNED, DECIDED, tell

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def test_notify_writes_an_in_app_row_with_the_kinds_default_email_mode(org_a, people_a):
    step_like = people_a.somu  # any record: the notification says what it is about
    with tenancy.activate(org_a):
        assigned = services.notify(recipient=people_a.suzuki, kind=ASSIGNED, title="書類提出",
                                   body="入社手続き", url="/procedures/", about=step_like)
        decided = services.notify(recipient=people_a.suzuki, kind=DECIDED, title="承認")
    assert assigned is not None and decided is not None
    assert (assigned.in_app, assigned.email_mode, assigned.emailed_at) == (True, "digest", None)
    assert decided.email_mode == "immediate"
    assert (assigned.about_type, assigned.about_id) == ("org.department", people_a.somu.pk)
    assert assigned.organization_id == org_a.pk
    assert assigned.read_at is None


def test_notify_follows_the_recipients_preferences(org_a, people_a):
    with tenancy.activate(org_a):
        services.preferences_save(actor=None, person=people_a.suzuki, data={
            ASSIGNED: {"in_app": False, "email": "immediate"},
            DECIDED: {"in_app": False, "email": "off"}})
        email_only = services.notify(recipient=people_a.suzuki, kind=ASSIGNED, title="メールのみ")
        nothing = services.notify(recipient=people_a.suzuki, kind=DECIDED, title="なし")
        others = services.notify(recipient=people_a.sato, kind=DECIDED, title="他の人")
        listed = list(selectors.notification_list(person=people_a.suzuki))
    assert email_only is not None
    assert (email_only.in_app, email_only.email_mode) == (False, "immediate")
    assert nothing is None
    assert others is not None and others.in_app
    assert listed == []  # an email-only notification waits for the mail, not in the centre


def test_notify_refuses_a_kind_no_app_declares(org_a, people_a):
    with tenancy.activate(org_a), pytest.raises(ValueError, match=r"procedures\.unknown"):
        services.notify(recipient=people_a.suzuki, kind="procedures.unknown", title="x")


def test_notify_many_reads_preferences_once_and_inserts_once(org_a, people_a,
                                                              django_assert_num_queries):
    people = [people_a.suzuki, people_a.sato, people_a.tanaka, people_a.yamada] * 10
    messages = [services.Message(p, ASSIGNED, f"通知{i}") for i, p in enumerate(people)]
    with tenancy.activate(org_a), django_assert_num_queries(2):
        written = services.notify_many(messages)
    assert len(written) == 40


def test_marking_read_sets_the_time_once_and_mark_all_counts_only_unread(org_a, people_a):
    first = tell(org_a, people_a.suzuki, "一")
    tell(org_a, people_a.suzuki, "二")
    tell(org_a, people_a.suzuki, "三")
    tell(org_a, people_a.sato, "佐藤さんへ")
    with tenancy.activate(org_a):
        services.notification_mark_read(person=people_a.suzuki, notification=first)
        read_at = Notification.objects.get(pk=first.pk).read_at
        services.notification_mark_read(person=people_a.suzuki, notification=first)
        assert Notification.objects.get(pk=first.pk).read_at == read_at is not None
        assert services.notifications_mark_all_read(person=people_a.suzuki) == 2
        assert selectors.unread_count(person_id=people_a.suzuki.pk) == 0
        assert selectors.unread_count(person_id=people_a.sato.pk) == 1
        with pytest.raises(Notification.DoesNotExist):
            services.notification_mark_read(person=people_a.sato, notification=first)


def test_prune_deletes_notifications_older_than_ninety_days(org_a, people_a):
    tell(org_a, people_a.suzuki, "古い", at=NOW - dt.timedelta(days=91))
    tell(org_a, people_a.suzuki, "ちょうど90日", at=NOW - dt.timedelta(days=90))
    tell(org_a, people_a.suzuki, "新しい", at=NOW - dt.timedelta(days=1))
    with tenancy.activate(org_a):
        assert services.notification_prune(now=NOW) == 1
        left = set(Notification.objects.values_list("title", flat=True))
    assert left == {"ちょうど90日", "新しい"}


def test_prune_inside_unscoped_covers_every_organization(org_a, org_b, people_a, people_b):
    tell(org_a, people_a.suzuki, "エー", at=NOW - dt.timedelta(days=100))
    tell(org_b, people_b.kimura, "ビー", at=NOW - dt.timedelta(days=100))
    with tenancy.unscoped():
        assert services.notification_prune(now=NOW) == 2


def test_preferences_show_the_kinds_defaults_until_the_person_chooses(org_a, people_a):
    with tenancy.activate(org_a):
        before = {p.kind: p for p in selectors.preferences_of(person=people_a.suzuki)}
        services.preferences_save(actor=None, person=people_a.suzuki, data={
            DECIDED: {"in_app": True, "email": "digest"}})
        after = {p.kind: p for p in selectors.preferences_of(person=people_a.suzuki)}
    assert (before[ASSIGNED].in_app, before[ASSIGNED].email, before[ASSIGNED].chosen) == (
        True, "digest", False)
    assert (before[DECIDED].email, before[DECIDED].chosen) == ("immediate", False)
    assert (after[DECIDED].email, after[DECIDED].chosen) == ("digest", True)
    assert after[ASSIGNED].chosen is False


def test_saving_preferences_is_audited_and_saving_the_same_again_is_not(org_a, people_a,
                                                                         admin_a):
    data = {ASSIGNED: {"in_app": False, "email": "off"}}
    with tenancy.activate(org_a):
        services.preferences_save(actor=admin_a, person=people_a.suzuki, data=data)
        services.preferences_save(actor=admin_a, person=people_a.suzuki, data=data)
        events = list(AuditEvent.objects.filter(action="notification_preference.save"))
        assert Preference.objects.filter(person=people_a.suzuki).count() == 1
    assert len(events) == 1
    assert events[0].changes == {"notify_in_app:ステップがあなたの担当になった": [True, False],
                                 "notify_email:ステップがあなたの担当になった": ["digest", "off"]}


@pytest.mark.parametrize(("data", "field"), [
    ({"procedures.unknown": {"in_app": True, "email": "off"}}, "procedures.unknown"),
    ({ASSIGNED: {"in_app": True, "email": "weekly"}}, f"{ASSIGNED}.email"),
    ({ASSIGNED: {"in_app": "yes", "email": "off"}}, f"{ASSIGNED}.in_app"),
])
def test_saving_preferences_refuses_unknown_kinds_and_modes(org_a, people_a, data, field):
    with tenancy.activate(org_a):
        with pytest.raises(ValidationError) as caught:
            services.preferences_save(actor=None, person=people_a.suzuki, data=data)
        assert not Preference.objects.exists()
    assert list(caught.value.message_dict) == [field]
