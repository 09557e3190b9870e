"""Faults of the outside world with real `somu worker` processes on PostgreSQL: a slow chat
service, a hung mail server, and several workers racing the day's launches and digests."""

from __future__ import annotations

import datetime as dt
import signal
from collections.abc import Iterator

import pytest
from django.db import connection

from somu.core import tenancy
from somu.jobs.models import Job, JobStatus
from somu.jobs.tests.processes import start_worker, wait_for, workers
from somu.notify.models import Delivery, DeliveryChannel, DeliveryStatus
from somu.notify.webhooks import webhook_save
from somu.org.selectors import business_calendar
from somu.procedures.digest import notifiable_steps
from somu.procedures.tests.background import ChatServer, chat_server, hung_smtp_server
from somu.procedures.tests.builders import save
from somu.procedures.tests.test_schedules import CLOSING
from somu.procedures.tests.test_worker import D, _overdue_work, _runs, _schedule, at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as state:
        yield state


def _deliveries(org, channel: str) -> list[Delivery]:
    with tenancy.activate(org):
        return list(Delivery.objects.filter(channel=channel).order_by("pk"))


def _run_once(worker_id: str, now: dt.datetime) -> None:
    with workers(start_worker(worker_id, now, once=True)) as (proc,):
        assert proc.wait(timeout=20) == 0


def test_a_chat_message_whose_answer_times_out_is_sent_at_most_twice_then_left_uncertain(
    org_a, people_a, server,
):
    server.delay = 3  # longer than the workers' 1 s HTTP timeout
    _overdue_work(org_a, people_a, server)

    _run_once("w1", at(9))
    [hook] = _deliveries(org_a, DeliveryChannel.WEBHOOK)
    assert server.count() == 1
    assert (hook.status, hook.uncertain_attempts) == (DeliveryStatus.FAILED, 1)

    _run_once("w2", at(9, minute=2))  # after the first backoff step: one more try
    [hook] = _deliveries(org_a, DeliveryChannel.WEBHOOK)
    assert server.count() == 2
    assert hook.status == DeliveryStatus.UNCERTAIN and "timed out" in hook.last_error

    _run_once("w3", at(12))  # never again by itself
    assert server.count() == 2


def test_a_hung_mail_server_holds_no_worker_and_sigterm_stops_it(org_a, people_a, server):
    template = save(org_a, CLOSING)
    schedule = _schedule(org_a, template, "A002", "月次決算", today=D(2026, 4, 1))
    _overdue_work(org_a, people_a, server)

    with hung_smtp_server() as port, workers(start_worker(
        "w1", at(9), env={"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)},
    )) as (proc,):
        wait_for(lambda: server.count() == 1, what="the chat message")
        wait_for(lambda: all(d.status == DeliveryStatus.FAILED
                             for d in _deliveries(org_a, DeliveryChannel.EMAIL)),
                 what="both emails to time out")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0

    # It never greeted, so nothing was handed over: a plain failure, retried with the backoff.
    emails = _deliveries(org_a, DeliveryChannel.EMAIL)
    assert len(emails) == 2
    assert all(e.uncertain_attempts == 0 and "timed out" in e.last_error for e in emails)
    [hook] = _deliveries(org_a, DeliveryChannel.WEBHOOK)
    assert hook.status == DeliveryStatus.SENT
    assert (schedule.pk, D(2026, 4, 3)) in _runs(org_a)


def test_four_workers_started_together_put_every_launched_step_in_the_days_digest(
    org_a, people_a, server,
):
    template = save(org_a, CLOSING)
    made = [_schedule(org_a, template, "A002", f"決算{i}", today=D(2026, 4, 1)) for i in range(6)]
    with tenancy.activate(org_a):
        webhook_save(actor=None, webhook=None, data={
            "name": "総務チャンネル", "kind": "slack", "url": server.url + "/slack",
            "active": True})
    day = D(2026, 6, 3)  # three occurrences of each schedule are due, none launched yet

    def digest_sent() -> bool:
        return server.count() == 1 and Job.objects.filter(
            kind="digest", status=JobStatus.DONE).exists()

    with workers(*(start_worker(f"w{i}", at(9, day)) for i in range(4))):
        wait_for(digest_sent, timeout=30, what="the digest to go out")

    assert len([r for r in _runs(org_a) if r[0] is not None]) == 3 * len(made)
    with tenancy.activate(org_a):
        calendar = business_calendar(organization=org_a)
        due = set(notifiable_steps(day=day, calendar=calendar).values_list("pk", flat=True))
    [hook] = _deliveries(org_a, DeliveryChannel.WEBHOOK)
    assert len(due) >= 2 * len(made) and set(hook.step_ids) == due
