"""The step state machine: complete, approve/reject, reassign, reopen, cancel, comment, attach."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from somu.audit.models import AuditEvent
from somu.core import tenancy
from somu.org import services as org_services
from somu.org.selectors import business_calendar
from somu.procedures import selectors
from somu.procedures.models import (
    EventKind,
    Run,
    RunStatus,
    Step,
    StepAttachment,
    StepEvent,
    StepState,
)
from somu.procedures.services import runs as run_services
from somu.procedures.services import steps as step_services
from somu.procedures.tests.builders import make_hr_staff, onboarding, save, step_spec

NEWCOMER = {"入社者": "A002", "入社日": "2026-04-30"}


class Onboarding:
    """A running 入社手続き for 鈴木; 佐藤 (人事部 staff) launched it."""

    def __init__(self, org: Any, people: Any, hr: Any, spec: dict[str, Any] | None = None,
                 params: dict[str, Any] | None = None) -> None:
        self.org, self.people, self.hr = org, people, hr
        self.template = save(org, spec or onboarding())
        with tenancy.activate(org):
            self.run = run_services.run_launch(actor=hr, template=self.template,
                                               params=params or NEWCOMER)

    def step(self, key: str) -> Step:
        with tenancy.activate(self.org):
            return Step.objects.get(run=self.run, key=key)

    def states(self) -> dict[str, str]:
        with tenancy.activate(self.org):
            return dict(Step.objects.filter(run=self.run).values_list("key", "state"))

    def do(self, action: str, key: str, **kwargs: Any) -> Any:
        kwargs.setdefault("actor", self.hr)
        with tenancy.activate(self.org):
            return getattr(step_services, action)(step=self.step(key).pk, **kwargs)

    def complete_docs(self) -> Step:
        return self.do("step_complete", "docs", checklist_done=[0, 1], actual_minutes=25)  # type: ignore[no-any-return]

    def finish_tasks(self) -> None:
        self.complete_docs()
        self.do("step_complete", "shaho", form_values={"receipt_no": "R-1"})
        self.do("step_complete", "koyo")
        self.do("step_complete", "account")

    def reload_run(self) -> Run:
        with tenancy.activate(self.org):
            return Run.objects.get(pk=self.run.pk)


@pytest.fixture
def ob(org_a, people_a, make_user) -> Onboarding:  # type: ignore[no-untyped-def]
    return Onboarding(org_a, people_a, make_hr_staff(make_user, org_a, people_a))


def test_completing_a_step_makes_its_dependents_ready(ob, tr):
    done = ob.complete_docs()
    assert done.state == StepState.DONE
    assert done.actual_minutes == 25
    assert done.completed_by == ob.hr
    assert done.revision == 1
    assert ob.states() == {"docs": "done", "shaho": "ready", "koyo": "ready",
                           "account": "ready", "approve": "waiting"}
    with tenancy.activate(ob.org):
        assert ob.step("shaho").ready_at is not None
        kinds = list(StepEvent.objects.filter(run=ob.run).values_list("kind", flat=True))
        assert kinds.count(EventKind.READY) == 3
        event = StepEvent.objects.get(run=ob.run, kind=EventKind.COMPLETED)
        assert event.actor == ob.hr
        assert event.actor_label == "佐藤 健"
        assert AuditEvent.objects.filter(action="procedure_step.complete").count() == 1


def test_a_due_date_after_a_step_counts_from_its_completion(ob):
    ob.complete_docs()
    with tenancy.activate(ob.org):
        calendar = business_calendar(organization=ob.org)
    expected = calendar.add_business_days(selectors.today(), 2)
    assert ob.step("account").due_date == expected


def test_the_run_completes_when_the_last_step_is_approved(ob):
    ob.finish_tasks()
    assert ob.states()["approve"] == "ready"
    with pytest.raises(step_services.StepConflict):
        ob.do("step_complete", "approve")  # approvals are decided, not completed
    ob.do("step_decide", "approve", approve=True, actor=ob.hr)
    run = ob.reload_run()
    assert run.status == RunStatus.COMPLETED
    assert run.completed_at is not None
    with tenancy.activate(ob.org):
        assert StepEvent.objects.filter(run=run, kind=EventKind.RUN_COMPLETED).count() == 1


def test_skipped_steps_count_as_finished(org_a, people_a, make_user):
    ob = Onboarding(org_a, people_a, make_hr_staff(make_user, org_a, people_a),
                    params={**NEWCOMER, "雇用形態": "パート"})
    ob.complete_docs()
    ob.do("step_complete", "koyo")
    ob.do("step_complete", "account")
    assert ob.states()["approve"] == "ready"


def test_completing_needs_every_checklist_item_and_required_field(ob, tr):
    with pytest.raises(ValidationError) as exc:
        ob.do("step_complete", "docs", checklist_done=[0])
    assert exc.value.message_dict == {"checklist": [tr("Tick every checklist item first.")]}
    ob.complete_docs()
    with pytest.raises(ValidationError) as exc:
        ob.do("step_complete", "shaho", form_values={"submitted_on": "5月1日"})
    assert exc.value.message_dict == {
        "receipt_no": [tr("This field is required.")],
        "submitted_on": [tr("Enter a date as YYYY-MM-DD.")],
    }
    assert ob.states()["shaho"] == "ready"
    step = ob.do("step_complete", "shaho",
                 form_values={"receipt_no": " R-123 ", "submitted_on": "2026-05-01"})
    assert step.form_values == {"receipt_no": "R-123", "submitted_on": "2026-05-01"}


def test_completing_a_finished_step_again_is_a_conflict(ob, tr):
    ob.complete_docs()
    with pytest.raises(step_services.StepConflict) as exc:
        ob.complete_docs()
    assert str(exc.value) == tr("This step was already completed by %(who)s.", who="佐藤 健")


def test_a_waiting_step_cannot_be_completed(ob, tr):
    with pytest.raises(step_services.StepConflict) as exc:
        ob.do("step_complete", "koyo")
    assert str(exc.value) == tr("This step is still waiting for earlier steps.")


def test_a_stale_revision_is_a_conflict(ob):
    ob.complete_docs()
    stale = ob.step("koyo").revision
    ob.do("step_save_progress", "koyo", actual_minutes=5)
    ob.do("step_reassign", "koyo", assignee=ob.people.tanaka)
    with pytest.raises(step_services.StepConflict):
        ob.do("step_complete", "koyo", revision=stale)
    ob.do("step_complete", "koyo", revision=stale + 1)


def test_progress_is_saved_without_completing(ob):
    step = ob.do("step_save_progress", "docs", checklist_done=[1],
                 form_values={}, actual_minutes=10)
    assert (step.state, step.checklist_done, step.actual_minutes) == ("ready", [1], 10)
    with pytest.raises(ValidationError) as exc:
        ob.do("step_save_progress", "docs", checklist_done=[7])
    assert "checklist" in exc.value.message_dict
    ob.do("step_complete", "docs", checklist_done=[0, 1])
    assert ob.step("docs").actual_minutes == 10
    with pytest.raises(step_services.StepConflict):
        ob.do("step_save_progress", "docs", actual_minutes=20)


def test_rejecting_needs_a_comment(ob, tr):
    ob.finish_tasks()
    with pytest.raises(ValidationError) as exc:
        ob.do("step_decide", "approve", approve=False, comment=" ")
    assert exc.value.message_dict == {"comment": [tr("Say why you reject it.")]}


def test_a_rejection_reopens_the_named_step_and_sends_the_rest_back(ob):
    ob.finish_tasks()
    ob.do("step_decide", "approve", approve=False, comment="受付番号が違います")
    assert ob.states() == {"docs": "done", "shaho": "ready", "koyo": "done", "account": "done",
                           "approve": "waiting"}
    assert ob.step("shaho").form_values["receipt_no"] == "R-1"  # kept for the correction
    assert ob.reload_run().status == RunStatus.RUNNING
    with tenancy.activate(ob.org):
        assert StepEvent.objects.filter(run=ob.run, kind=EventKind.REJECTED,
                                        comment="受付番号が違います").exists()
        assert StepEvent.objects.filter(run=ob.run, kind=EventKind.REOPENED,
                                        step__key="shaho").exists()
    ob.do("step_complete", "shaho", form_values={"receipt_no": "R-2"})
    assert ob.states()["approve"] == "ready"


def test_a_rejection_with_stop_stops_the_run_and_cancels_what_is_open(org_a, people_a,
                                                                    make_user, tr):
    spec = onboarding()
    step_spec(spec, "approve")["on_reject"] = "stop"
    step_spec(spec, "approve")["depends_on"] = ["docs"]
    ob = Onboarding(org_a, people_a, make_hr_staff(make_user, org_a, people_a), spec=spec)
    ob.complete_docs()
    ob.do("step_decide", "approve", approve=False, comment="中止")
    assert ob.reload_run().status == RunStatus.STOPPED
    assert ob.states() == {"docs": "done", "shaho": "cancelled", "koyo": "cancelled",
                           "account": "cancelled", "approve": "rejected"}
    with pytest.raises(step_services.StepConflict) as exc:
        ob.do("step_complete", "koyo")
    assert str(exc.value) == tr("This run was stopped by a rejection.")


def test_reassigning_moves_an_open_step_and_records_who_had_it(ob, tr):
    step = ob.do("step_reassign", "docs", assignee=ob.people.tanaka, comment="休暇のため")
    assert step.assignee == ob.people.tanaka
    with tenancy.activate(ob.org):
        event = StepEvent.objects.get(run=ob.run, kind=EventKind.REASSIGNED)
    assert event.data["from"] == ob.people.suzuki.pk
    assert event.data["to_name"] == "田中 美咲"
    assert event.comment == "休暇のため"
    with tenancy.activate(ob.org):
        org_services.person_retire(actor=None, person=ob.people.yamada,
                                   retired_on=ob.run.start_date)
    with pytest.raises(ValidationError) as exc:
        ob.do("step_reassign", "docs", assignee=ob.people.yamada)
    assert "assignee" in exc.value.message_dict
    ob.complete_docs()
    with pytest.raises(step_services.StepConflict):
        ob.do("step_reassign", "docs", assignee=ob.people.sato)


def test_reassigning_clears_the_owner_flag(org_a, people_a, make_user):
    hr = make_hr_staff(make_user, org_a, people_a)
    template = save(org_a, onboarding(name="flagged", on_unresolved_assignee="owner"),
                    owner=people_a.tanaka)
    with tenancy.activate(org_a):
        run = run_services.run_launch(actor=hr, template=template,
                                      params={**NEWCOMER, "入社者": "A003"})
        step = Step.objects.get(run=run, key="account")
        assert step.assignee_flagged
        step = step_services.step_reassign(actor=hr, step=step, assignee=people_a.yamada)
        assert not step.assignee_flagged


def test_reopening_sends_untouched_dependents_back_to_waiting(ob, tr):
    ob.complete_docs()
    ob.do("step_save_progress", "koyo", actual_minutes=5)  # someone started on 雇用保険
    with pytest.raises(ValidationError) as exc:
        ob.do("step_reopen", "docs", reason="")
    assert exc.value.message_dict == {"reason": [tr("Say why the step is reopened.")]}
    step = ob.do("step_reopen", "docs", reason="書類の不備")
    assert step.state == StepState.READY and step.completed_at is None
    assert ob.states() == {"docs": "ready", "shaho": "waiting", "koyo": "ready",
                           "account": "waiting", "approve": "waiting"}
    with pytest.raises(step_services.StepConflict):
        ob.do("step_reopen", "docs", reason="もう一度")


def test_reopening_a_step_of_a_completed_run_runs_it_again(ob):
    ob.finish_tasks()
    ob.do("step_decide", "approve", approve=True)
    assert ob.reload_run().status == RunStatus.COMPLETED
    ob.do("step_reopen", "approve", reason="確認漏れ")
    run = ob.reload_run()
    assert (run.status, run.completed_at) == (RunStatus.RUNNING, None)
    assert ob.states()["approve"] == "ready"


def test_cancelling_a_run_cancels_its_open_steps(ob, tr):
    ob.complete_docs()
    with tenancy.activate(ob.org):
        run = step_services.run_cancel(actor=ob.hr, run=ob.run, reason="入社辞退")
    assert run.status == RunStatus.CANCELLED
    assert ob.states() == {"docs": "done", "shaho": "cancelled", "koyo": "cancelled",
                           "account": "cancelled", "approve": "cancelled"}
    with tenancy.activate(ob.org):
        assert StepEvent.objects.get(run=run, kind=EventKind.CANCELLED).comment == "入社辞退"
        with pytest.raises(step_services.StepConflict) as exc:
            step_services.run_cancel(actor=ob.hr, run=ob.run)
    assert str(exc.value) == tr("This run was cancelled.")
    with pytest.raises(step_services.StepConflict):
        ob.do("step_reopen", "docs", reason="x")


def test_comments_and_attachments_go_on_the_timeline(ob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = ob.do("step_comment", "docs", text="  書類は郵送します ")
    assert (event.kind, event.comment) == (EventKind.COMMENTED, "書類は郵送します")
    with pytest.raises(ValidationError):
        ob.do("step_comment", "docs", text="")
    upload = SimpleUploadedFile("../雇用契約書.pdf", b"%PDF-1.4 test", "application/pdf")
    attachment = ob.do("step_attach", "docs", upload=upload)
    assert attachment.filename == "雇用契約書.pdf"
    assert attachment.size == len(b"%PDF-1.4 test")
    with tenancy.activate(ob.org):
        assert StepAttachment.objects.get().file.read() == b"%PDF-1.4 test"
        assert StepEvent.objects.filter(run=ob.run, kind=EventKind.ATTACHED).count() == 1
    big = SimpleUploadedFile("big.bin", b"x")
    big.size = step_services.MAX_ATTACHMENT_BYTES + 1
    with pytest.raises(ValidationError) as exc:
        ob.do("step_attach", "docs", upload=big)
    assert "file" in exc.value.message_dict


def test_the_worker_can_bring_a_run_up_to_date_without_an_actor(ob):
    completed = timezone.now()
    with tenancy.activate(ob.org):
        # documents marked done behind the state machine's back (e.g. a repair) …
        Step.objects.filter(run=ob.run, key="docs").update(state=StepState.DONE,
                                                           completed_at=completed)
        ready = step_services.run_advance(actor=None, run=ob.run.pk)
        assert sorted(s.key for s in ready) == ["account", "koyo", "shaho"]
        calendar = business_calendar(organization=ob.org)
        assert Step.objects.get(run=ob.run, key="account").due_date == \
            calendar.add_business_days(timezone.localdate(completed), 2)
        assert step_services.run_advance(actor=None, run=ob.run) == []
        assert StepEvent.objects.filter(step__key="koyo", kind=EventKind.READY).get() \
            .actor_label == "system"
        Step.objects.filter(run=ob.run).exclude(key="docs").update(state=StepState.SKIPPED)
        step_services.run_advance(actor=None, run=ob.run)
        assert Run.objects.get(pk=ob.run.pk).status == RunStatus.COMPLETED
