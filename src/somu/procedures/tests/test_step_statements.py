"""What completing a step costs the database (issue 14), pinned so that it cannot creep back.

The common path is six statements: the run and its steps locked and read in one, the step and
the steps it makes ready updated in one, the timeline events inserted in one, and the audit
entry's three (lock the chain head, insert, move the head). On PostgreSQL, where every
statement is a round trip, four: the update and the insert are one statement, and so are the
audit insert and the head's move. Transaction control (BEGIN, SAVEPOINT, RELEASE, COMMIT) is
not counted: the test wraps everything in a transaction, and SQLite reports its own BEGIN where
PostgreSQL does not.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.procedures.models import EventKind, Run, RunStatus, Step, StepEvent, StepState
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save

TRANSACTION_CONTROL = ("BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "ROLLBACK")
COMMON_PATH = 4 if connection.vendor == "postgresql" else 6


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].lstrip().upper().startswith(TRANSACTION_CONTROL)]


@pytest.fixture
def chain(org_a, people_a, make_user) -> tuple[Any, Any, Run]:  # type: ignore[no-untyped-def]
    """a → (b, c) → d, every step for the person who launched it (佐藤), so nobody else is told."""
    hr = make_hr_staff(make_user, org_a, people_a)
    spec = onboarding(name="文書番号", parameters=[])
    spec["steps"] = [{"key": "a", "name": "A"},
                     {"key": "b", "name": "B", "depends_on": ["a"]},
                     {"key": "c", "name": "C", "depends_on": ["a"]},
                     {"key": "d", "name": "D", "depends_on": ["b", "c"]}]
    template = save(org_a, spec)
    with tenancy.activate(org_a):
        run = run_services.run_launch(actor=hr, template=template, params={})
    return org_a, hr, run


def _complete(org: Any, hr: Any, run: Run, key: str) -> list[str]:
    with tenancy.activate(org):
        step_id = Step.objects.get(run=run, key=key).pk
        with CaptureQueriesContext(connection) as captured:
            step_services.step_complete(actor=hr, step=step_id)
    return statements(captured)


def test_completing_a_step_that_makes_others_ready_takes_six_statements_at_most(chain):
    org, hr, run = chain
    sql = _complete(org, hr, run, "a")
    assert len(sql) == COMMON_PATH, "\n".join(sql)
    with tenancy.activate(org):
        assert dict(Step.objects.filter(run=run).values_list("key", "state")) == {
            "a": "done", "b": "ready", "c": "ready", "d": "waiting"}
        kinds = sorted(StepEvent.objects.filter(run=run).exclude(kind=EventKind.LAUNCHED)
                       .values_list("kind", flat=True))
        assert kinds == ["completed", "ready", "ready"]
        assert AuditEvent.objects.filter(action="procedure_step.complete").count() == 1


def test_a_step_that_makes_nothing_ready_takes_the_same_six(chain):
    org, hr, run = chain
    _complete(org, hr, run, "a")
    sql = _complete(org, hr, run, "b")
    assert len(sql) == COMMON_PATH, "\n".join(sql)


def test_the_last_step_adds_only_the_runs_update(chain):
    org, hr, run = chain
    for key in ("a", "b", "c"):
        _complete(org, hr, run, key)
    sql = _complete(org, hr, run, "d")
    assert len(sql) == COMMON_PATH + 1, "\n".join(sql)
    with tenancy.activate(org):
        assert Run.objects.get(pk=run.pk).status == RunStatus.COMPLETED
        assert StepEvent.objects.filter(run=run, kind=EventKind.RUN_COMPLETED).count() == 1
        actions = list(AuditEvent.objects.order_by("-seq").values_list("action", flat=True)[:2])
        assert actions == ["procedure_run.complete", "procedure_step.complete"]
        assert Step.objects.get(run=run, key="d").state == StepState.DONE
