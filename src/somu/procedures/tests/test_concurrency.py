"""Two people acting on the same run at once, each on their own database connection.

Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/somu_h_services``; on SQLite every
write transaction is IMMEDIATE (serialized by the database), so there is nothing to race.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection, transaction

from somu.core import tenancy
from somu.procedures.models import Step, StepState
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

NEWCOMER = {"入社者": "A002", "入社日": "2026-04-30"}


def in_thread(org: Any, work: Callable[[], Any], results: list[Any]) -> threading.Thread:
    """Run ``work`` on its own connection in the organization; collect result or exception."""

    def target() -> None:
        try:
            with tenancy.activate(org):
                results.append(work())
        except Exception as exc:
            results.append(exc)
        finally:
            close_old_connections()
            connection.close()

    return threading.Thread(target=target)


@pytest.fixture
def running(org_a, people_a, make_user):  # type: ignore[no-untyped-def]
    hr = make_hr_staff(make_user, org_a, people_a)
    template = save(org_a, onboarding())
    with tenancy.activate(org_a):
        run = run_services.run_launch(actor=hr, template=template, params=NEWCOMER)
        docs = Step.objects.get(run=run, key="docs")
    return org_a, hr, run, docs


def test_two_people_completing_the_same_step_at_once_one_wins(running):
    org, hr, _run, docs = running
    for _attempt in range(3):
        with tenancy.activate(org):
            Step.objects.filter(pk=docs.pk).update(state=StepState.READY)
        barrier = threading.Barrier(2)
        results: list[Any] = []

        def complete(barrier: threading.Barrier = barrier) -> Any:
            barrier.wait()
            return step_services.step_complete(actor=hr, step=docs.pk, checklist_done=[0, 1])

        threads = [in_thread(org, complete, results) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        conflicts = [r for r in results if isinstance(r, step_services.StepConflict)]
        successes = [r for r in results if isinstance(r, Step)]
        assert (len(successes), len(conflicts)) == (1, 1), results


def test_the_second_completion_waits_for_the_first_and_then_gets_a_conflict(running):
    """The first transaction holds the row lock; the second must wait, then see "done"."""
    org, hr, _run, docs = running
    locked, release = threading.Event(), threading.Event()
    first: list[Any] = []
    second: list[Any] = []

    def slow_complete() -> Any:
        with transaction.atomic():
            step = step_services.step_complete(actor=hr, step=docs.pk, checklist_done=[0, 1])
            locked.set()
            release.wait(10)
            return step

    def fast_complete() -> Any:
        return step_services.step_complete(actor=hr, step=docs.pk, checklist_done=[0, 1])

    t1 = in_thread(org, slow_complete, first)
    t1.start()
    assert locked.wait(10)
    t2 = in_thread(org, fast_complete, second)
    t2.start()
    t2.join(1)
    assert t2.is_alive(), "the second completion did not wait for the lock"
    release.set()
    t1.join(10)
    t2.join(10)
    assert isinstance(first[0], Step)
    assert isinstance(second[0], step_services.StepConflict), second


def test_two_predecessors_completed_at_once_make_their_successor_ready(org_a, people_a,
                                                                     make_user):
    hr = make_hr_staff(make_user, org_a, people_a)
    spec = onboarding(name="並行", parameters=[])
    spec["steps"] = [{"key": "a", "name": "A"}, {"key": "b", "name": "B"},
                     {"key": "c", "name": "C", "depends_on": ["a", "b"]}]
    template = save(org_a, spec)
    with tenancy.activate(org_a):
        run = run_services.run_launch(actor=hr, template=template, params={})
        a, b = (Step.objects.get(run=run, key=k).pk for k in ("a", "b"))
    locked, release = threading.Event(), threading.Event()
    results: list[Any] = []

    def complete_a() -> Any:
        with transaction.atomic():
            step = step_services.step_complete(actor=hr, step=a)
            locked.set()
            release.wait(10)
            return step

    t1 = in_thread(org_a, complete_a, results)
    t1.start()
    assert locked.wait(10)
    t2 = in_thread(org_a, lambda: step_services.step_complete(actor=hr, step=b), results)
    t2.start()
    t2.join(1)
    release.set()
    t1.join(10)
    t2.join(10)
    assert all(isinstance(r, Step) for r in results), results
    with tenancy.activate(org_a):
        assert Step.objects.get(run=run, key="c").state == StepState.READY
