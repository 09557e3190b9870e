"""The worker's queue: idempotent enqueuing, leases that survive a dead worker, retries with
backoff, ticks that launch schedules and send digests — and, on PostgreSQL, two workers at once
doing every job exactly once."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from somu.core import tenancy
from somu.jobs import queue, worker
from somu.jobs.models import Job, JobStatus
from somu.jobs.registry import HANDLERS, Handler
from somu.notify.models import Delivery, DeliveryStatus
from somu.notify.webhooks import webhook_save
from somu.org.models import Organization, Person
from somu.procedures.models import Run, Schedule, Template
from somu.procedures.services import schedules
from somu.procedures.tests.background import READY, ChatServer, chat_server, make_run
from somu.procedures.tests.builders import save
from somu.procedures.tests.test_schedules import CLOSING, THIRD_BUSINESS_DAY

D = dt.date
DAY = D(2026, 4, 8)
APRIL_1 = D(2026, 4, 1)


def at(hour: int, day: dt.date = DAY, minute: int = 0) -> dt.datetime:
    """A moment of ``day`` in the server's time zone (Asia/Tokyo)."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as state:
        yield state


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SOMU_DIGEST_HOUR = 8


def _schedule(org: Organization, template: Template, person: str, name: str,
              today: dt.date = APRIL_1) -> Schedule:
    with tenancy.activate(org):
        return schedules.schedule_save(actor=None, schedule=None, today=today, data={
            "template": template, "name": name, "rule": THIRD_BUSINESS_DAY,
            "params": {"担当者": person}})


def _runs(org: Organization) -> list[tuple[int | None, dt.date | None]]:
    with tenancy.activate(org):
        return list(Run.objects.order_by("schedule_id", "occurrence")
                    .values_list("schedule_id", "occurrence"))


def _overdue_work(org: Organization, people: Any, server: ChatServer) -> None:
    """Overdue steps for 山田 (has an email) and 鈴木 (given one), and a Slack webhook."""
    with tenancy.activate(org):
        Person.objects.filter(pk=people.suzuki.pk).update(email="suzuki@a.example")
        webhook_save(actor=None, webhook=None, data={
            "name": "総務チャンネル", "kind": "slack", "url": server.url + "/slack",
            "active": True})
    make_run(org, "山田さん 入社手続き", [
        ("社会保険の資格取得届", people.yamada, D(2026, 4, 6), READY),
        ("名刺の発注", people.suzuki, D(2026, 4, 7), READY),
    ])


# ---- the queue -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enqueuing_the_same_key_twice_makes_one_job(org_a):
    assert queue.enqueue("digest", "digest:1:2026-04-08", {"date": "2026-04-08"}, at(9), org_a)
    assert not queue.enqueue("digest", "digest:1:2026-04-08", {"date": "other"}, at(10), org_a)

    [job] = Job.objects.all()
    assert job.payload == {"date": "2026-04-08"} and job.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_a_job_is_claimed_by_one_worker_only(org_a):
    queue.enqueue("digest", "digest:x", {"date": "2026-04-08"}, at(9), org_a)

    first = queue.claim("w1", at(9, minute=1))
    second = queue.claim("w2", at(9, minute=1))

    assert first is not None and first.locked_by == "w1" and first.attempts == 1
    assert second is None


@pytest.mark.django_db
def test_a_job_is_not_claimed_before_its_time(org_a):
    queue.enqueue("digest", "digest:x", {"date": "2026-04-08"}, at(9), org_a)
    assert queue.claim("w1", at(8)) is None


@pytest.mark.django_db
def test_a_job_left_running_by_a_dead_worker_is_run_again_once(org_a, people_a):
    template = save(org_a, CLOSING)
    schedule = _schedule(org_a, template, "A002", "月次決算")
    nine = at(9, D(2026, 4, 3))
    queue.enqueue("schedules", "schedules:crashed", {"date": "2026-04-03"}, nine, org_a)
    # A worker claimed it, then died: its work was rolled back, the row says "running".
    assert queue.claim("dead:1", nine) is not None

    # While the lease holds nobody else takes it …
    assert queue.claim("w2", nine + dt.timedelta(minutes=5)) is None
    # … once it has run out, the next worker does, exactly once.
    job = queue.claim("w2", nine + queue.lease() + dt.timedelta(seconds=1))
    assert job is not None and job.key == "schedules:crashed"
    assert queue.run_job(job, "w2", nine + dt.timedelta(minutes=11)) == JobStatus.DONE
    assert queue.claim("w3", nine + dt.timedelta(hours=1)) is None

    assert _runs(org_a) == [(schedule.pk, D(2026, 4, 3))]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2


@pytest.mark.django_db
def test_a_worker_whose_lease_was_taken_over_does_not_run_the_job(org_a, people_a):
    template = save(org_a, CLOSING)
    _schedule(org_a, template, "A002", "月次決算")
    nine = at(9, D(2026, 4, 3))
    queue.enqueue("schedules", "schedules:slow", {"date": "2026-04-03"}, nine, org_a)
    slow = queue.claim("slow", nine)
    assert slow is not None
    fast = queue.claim("fast", nine + queue.lease() + dt.timedelta(seconds=1))
    assert fast is not None

    assert queue.run_job(slow, "slow", nine + queue.lease()) == "lost"
    assert _runs(org_a) == []
    assert queue.run_job(fast, "fast", nine + queue.lease()) == JobStatus.DONE
    assert len(_runs(org_a)) == 1


@pytest.mark.django_db
def test_a_failing_job_is_retried_with_backoff_and_its_writes_rolled_back(org_a, monkeypatch):
    calls: list[dt.datetime] = []

    def explode(job: Job, now: dt.datetime) -> None:
        calls.append(now)
        Job.objects.create(key=f"side-effect-{len(calls)}", kind="x", run_after=now)
        raise RuntimeError("the disk is full")

    monkeypatch.setitem(HANDLERS, "explode", Handler(explode))
    queue.enqueue("explode", "explode:1", {}, at(9), org_a)

    worker.tick("w1", at(9))
    job = Job.objects.get(key="explode:1")
    assert job.status == JobStatus.QUEUED and job.attempts == 1
    assert job.last_error == "RuntimeError: the disk is full"
    assert abs(job.run_after - at(9, minute=1)) < dt.timedelta(seconds=5)
    assert not Job.objects.filter(key__startswith="side-effect").exists()

    now = at(9)
    for _ in range(queue.MAX_JOB_ATTEMPTS):
        now = Job.objects.get(key="explode:1").run_after + dt.timedelta(seconds=1)
        worker.tick("w1", now)
    job = Job.objects.get(key="explode:1")
    assert job.status == JobStatus.FAILED and job.attempts == queue.MAX_JOB_ATTEMPTS
    assert len(calls) == queue.MAX_JOB_ATTEMPTS
    waits = [b - a for a, b in itertools.pairwise(calls)]
    assert [round(w.total_seconds() / 60) for w in waits] == [1, 5, 30, 120]


# ---- ticks ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_tick_launches_due_schedules_and_after_the_digest_hour_sends_digests(
    org_a, people_a, server,
):
    template = save(org_a, CLOSING)
    schedule = _schedule(org_a, template, "A002", "月次決算", today=D(2026, 4, 1))
    _overdue_work(org_a, people_a, server)

    early = worker.tick("w1", at(7, D(2026, 4, 8)))
    assert f"schedules:{org_a.pk}:2026-04-08:07 done" in early.jobs
    assert (schedule.pk, D(2026, 4, 3)) in _runs(org_a)
    assert mail.outbox == [] and server.count() == 0  # before 8:00: no digest yet

    worker.tick("w1", at(9, D(2026, 4, 8)))
    worker.tick("w2", at(10, D(2026, 4, 8)))
    worker.tick("w1", at(11, D(2026, 4, 8)))

    assert sorted(m.to[0] for m in mail.outbox) == ["suzuki@a.example", "yamada@a.example"]
    assert server.count() == 1
    assert "名刺の発注" in json.loads(server.received[0].body)["text"]
    with tenancy.activate(org_a):
        assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(_runs(org_a)) == 2  # the schedule's run and the hand-made one


@pytest.mark.django_db
def test_a_failed_send_is_retried_by_later_ticks(org_a, people_a, server):
    _overdue_work(org_a, people_a, server)
    server.status = 503

    worker.tick("w1", at(9))
    worker.tick("w1", at(9, minute=0) + dt.timedelta(seconds=30))  # not due yet
    assert server.count() == 1
    server.status = 200
    worker.tick("w1", at(9, minute=2))

    assert server.count() == 2
    with tenancy.activate(org_a):
        hook = Delivery.objects.get(webhook__isnull=False)
    assert hook.status == DeliveryStatus.SENT and hook.attempts == 2


@pytest.mark.django_db
def test_the_worker_command_does_what_is_due_and_logs_each_job(org_a, people_a, caplog):
    template = save(org_a, CLOSING)
    _schedule(org_a, template, "A002", "月次決算", today=D(2020, 1, 1))

    with caplog.at_level(logging.INFO, logger="somu.worker"):
        call_command("worker", "--once", "--worker-id", "test-worker")

    assert any(f"schedules:{org_a.pk}:" in r.getMessage() and " done " in r.getMessage()
               for r in caplog.records)
    assert len(_runs(org_a)) > 0


@pytest.mark.django_db
def test_a_stopped_worker_takes_no_more_jobs(org_a):
    queue.enqueue("digest", "digest:x", {"date": "2026-04-08"}, at(9), org_a)
    stop = threading.Event()
    stop.set()

    worker.run_worker("w1", stop=stop, interval=0.01)

    assert Job.objects.get(key="digest:x").status == JobStatus.QUEUED


@pytest.mark.django_db
def test_old_finished_jobs_are_pruned_but_failures_kept(org_a):
    for key, status in (("old-done", JobStatus.DONE), ("old-failed", JobStatus.FAILED)):
        Job.objects.create(key=key, kind="x", status=status, run_after=at(9),
                           finished_at=at(9) - dt.timedelta(days=30))
    worker.prune(at(9))
    assert list(Job.objects.values_list("key", flat=True)) == ["old-failed"]


# ---- two workers at once (PostgreSQL) ----------------------------------------------------------


def _in_thread(work: Any, errors: list[BaseException]) -> threading.Thread:
    def target() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    return threading.Thread(target=target)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_launch_each_occurrence_and_send_each_message_once(
    org_a, people_a, server,
):
    template = save(org_a, CLOSING)
    names = ["決算A", "決算B", "決算C", "決算D", "決算E", "決算F"]
    made = [_schedule(org_a, template, "A002", name, today=D(2026, 4, 1)) for name in names]
    _overdue_work(org_a, people_a, server)
    with tenancy.activate(org_a):
        webhook_save(actor=None, webhook=None, data={
            "name": "Chatwork", "kind": "chatwork", "url": server.url + "/v2/rooms/1/messages",
            "token": "t", "active": True})

    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(worker_id: str) -> None:
        start.wait(timeout=10)
        # Two ticks each at the same moments: 9:00 on 6/3 (three occurrences per schedule due).
        for minute in (0, 1):
            worker.tick(worker_id, at(9, D(2026, 6, 3), minute=minute))

    threads = [_in_thread(lambda w=w: work(w), errors) for w in ("worker-1", "worker-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # A digest put back while the launches ran is due a few seconds later: the next tick.
    worker.tick("worker-1", at(9, D(2026, 6, 3), minute=5))

    runs = [r for r in _runs(org_a) if r[0] is not None]
    assert sorted(runs) == sorted(
        (s.pk, day) for s in made for day in (D(2026, 4, 3), D(2026, 5, 8), D(2026, 6, 3)))
    assert sorted(m.to[0] for m in mail.outbox) == ["suzuki@a.example", "yamada@a.example"]
    assert sorted(r.path for r in server.received) == ["/slack", "/v2/rooms/1/messages"]
    with tenancy.activate(org_a):
        deliveries = list(Delivery.objects.values_list("status", "attempts"))
    assert deliveries == [(DeliveryStatus.SENT, 1)] * 4
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.DONE}
    assert set(Job.objects.values_list("locked_by", flat=True)) <= {"worker-1", "worker-2"}


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_row_locks_alone_keep_launches_and_sends_single_even_without_the_queue(
    org_a, people_a, server,
):
    """Both workers run the same work at once (as if the job keys had not deduplicated it)."""
    from somu.notify import digests, sending

    template = save(org_a, CLOSING)
    made = [_schedule(org_a, template, "A002", f"決算{i}", today=D(2026, 4, 1)) for i in range(4)]
    _overdue_work(org_a, people_a, server)
    deliveries = digests.build_digests(organization=org_a, day=DAY)
    start = threading.Barrier(2)
    errors: list[BaseException] = []
    sent: list[bool] = []

    def work() -> None:
        start.wait(timeout=10)
        schedules.schedule_launch_due(organization=org_a, today=D(2026, 6, 3))
        with tenancy.activate(org_a):
            sent.extend(sending.send_delivery(d.pk) for d in deliveries)

    threads = [_in_thread(work, errors) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []

    runs = [r for r in _runs(org_a) if r[0] is not None]
    assert sorted(runs) == sorted(
        (s.pk, day) for s in made for day in (D(2026, 4, 3), D(2026, 5, 8), D(2026, 6, 3)))
    assert sent.count(True) == len(deliveries) == 3
    assert len(mail.outbox) == 2 and server.count() == 1
