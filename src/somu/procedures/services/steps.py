"""The step state machine: completing, deciding, reassigning, reopening, commenting on and
attaching to steps, cancelling runs, and bringing a run up to date after a step finishes.

Each transition locks the run row and then the step row (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialize writers anyway) and checks the state it
finds in the database, so two people completing the same step at once get one success and one
:class:`StepConflict` (HTTP 409). Locking the run as well keeps readiness right when two
predecessors of a step complete at the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, audit_record_many
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.org.models import Person, PersonStatus
from somu.org.services import Actor
from somu.procedures.engine import plan as planning
from somu.procedures.engine.spec import StepSpec, TemplateSpec
from somu.procedures.models import (
    FINISHED_STATES,
    OPEN_STATES,
    SYSTEM_ACTOR,
    EventKind,
    Run,
    RunStatus,
    Step,
    StepAttachment,
    StepEvent,
    StepKind,
    StepState,
    TemplateVersion,
)
from somu.procedures.services import step_rows
from somu.procedures.services.launching import (
    actor_identity,
    calendar_for_active_organization,
)
from somu.procedures.services.notices import notify_decided, notify_ready
from somu.rules.due import compute_due
from somu.rules.forms import clean_values

MAX_ATTACHMENT_BYTES: Final = 20 * 1024 * 1024


class StepConflict(Conflict):
    """The step (or its run) is no longer in the state the action needs: answered 409."""


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def actor_label(actor: Actor) -> str:
    """How the timeline names the actor: their person's name, else the login name."""
    return actor_identity(actor)[1]


def _lock(step: Step | int) -> tuple[Run, Step]:
    """The run and the step, both locked, as they are in the database now."""
    run_id = step.run_id if isinstance(step, Step) else (
        Step.objects.filter(pk=step).values_list("run_id", flat=True).first())
    if run_id is None:
        raise Step.DoesNotExist
    pk = step.pk if isinstance(step, Step) else step
    # of=("self",): the version is read along, but only the run row is locked.
    run = Run.objects.select_for_update(of=("self",)).select_related("version").get(pk=run_id)
    locked = Step.objects.select_for_update().get(pk=pk)
    locked.run = run
    return run, locked


def _who_finished(step: Step) -> str:
    event = (StepEvent.objects.filter(step=step, kind__in=(
        EventKind.COMPLETED, EventKind.APPROVED, EventKind.REJECTED)).order_by("-pk").first())
    return event.actor_label if event is not None else "?"


def _require_running(run: Run) -> None:
    if run.status == RunStatus.CANCELLED:
        raise StepConflict(_("This run was cancelled."))
    if run.status == RunStatus.STOPPED:
        raise StepConflict(_("This run was stopped by a rejection."))
    if run.status == RunStatus.COMPLETED:
        raise StepConflict(_("This run is already complete."))


def _require_state(step: Step, *states: str) -> None:
    if step.state in states:
        return
    messages = {
        StepState.DONE: _("This step was already completed by %(who)s."),
        StepState.APPROVED: _("This step was already approved by %(who)s."),
        StepState.REJECTED: _("This step was already rejected by %(who)s."),
        StepState.WAITING: _("This step is still waiting for earlier steps."),
        StepState.READY: _("This step is not finished."),
        StepState.SKIPPED: _("This step was skipped."),
        StepState.CANCELLED: _("This step was cancelled."),
    }
    message = messages[StepState(step.state)]
    if "%(who)s" in message:
        message = message % {"who": _who_finished(step)}
    raise StepConflict(message)


def _check_revision(step: Step, revision: int | None) -> None:
    if revision is not None and revision != step.revision:
        raise StepConflict(_("Someone changed this step meanwhile; reload the page."))


def _event(run: Run, step: Step | None, kind: str, actor: Actor, *, comment: str = "",
           data: Mapping[str, Any] | None = None, label: str | None = None) -> StepEvent:
    return StepEvent.objects.create(
        organization_id=run.organization_id, run=run, step=step, kind=kind, actor=_user(actor),
        actor_label=label if label is not None else actor_label(actor), comment=comment,
        data=dict(data or {}),
    )


def _spec_step(run: Run, key: str) -> StepSpec | None:
    from somu.procedures.selectors.templates import version_spec

    return version_spec(run.version).step(key)


def _date_params(run: Run, spec: TemplateSpec) -> dict[str, dt.date | None]:
    out: dict[str, dt.date | None] = {}
    for param in spec.parameters:
        if param.type == "date":
            value = run.params.get(param.key)
            try:
                out[param.key] = dt.date.fromisoformat(value) if value else None
            except (TypeError, ValueError):
                out[param.key] = None
    return out


@transaction.atomic
def run_advance(*, actor: Actor, run: Run | int) -> list[Step]:
    """Bring a running run up to date: the waiting steps whose dependencies are all finished
    become ready, and the run completes when nothing is left. Returns the steps made ready.

    The transitions do this themselves; this is for the worker (``actor=None``), repairs and
    handovers. It locks the run, and doing it twice changes nothing.
    """
    pk = run.pk if isinstance(run, Run) else run
    locked = Run.objects.select_for_update(of=("self",)).select_related("version").get(pk=pk)
    if locked.status != RunStatus.RUNNING:
        return []
    return _advance(actor=actor, run=locked)


def _after_step_dues(run: Run, spec: TemplateSpec, steps: Sequence[Any], finished: Step | None
                     ) -> list[tuple[Any, dt.date | None]]:
    """Open steps due relative to a predecessor's completion, with their (new) due date:
    those after ``finished`` always, others when their predecessor is done and the date unset.
    """
    by_key = {s.key: s for s in steps}
    pending = []
    for step in steps:
        rule = (spec.step(step.key) or _NO_STEP).due
        if step.state not in OPEN_STATES or rule is None or not rule.after_step:
            continue
        before = by_key.get(rule.after_step)
        if before is None or before.completed_at is None:
            continue
        if (finished is not None and rule.after_step == finished.key) or step.due_date is None:
            pending.append((step, rule, timezone.localdate(before.completed_at)))
    if not pending:
        return []
    calendar = calendar_for_active_organization()
    dates = _date_params(run, spec)
    return [(step, compute_due(rule, start=run.start_date, dates=dates,
                               completed={rule.after_step: completed}, calendar=calendar))
            for step, rule, completed in pending]


def _advance(*, actor: Actor, run: Run, finished: Step | None = None) -> list[Step]:
    """After ``finished`` (if any) finished: due dates counting from it, newly ready steps,
    the run's completion. The caller holds the run's lock."""
    from somu.procedures.selectors.templates import version_spec

    spec = version_spec(run.version)
    steps = list(Step.objects.filter(run=run).order_by("position"))
    changed: dict[int, Step] = {}
    for step, due in _after_step_dues(run, spec, steps, finished):
        step.due_date = due
        changed[step.pk] = step
    states = {s.key: s.state for s in steps}
    ready_keys = set(planning.newly_ready(states, {s.key: s.depends_on for s in steps}))
    now = timezone.now()
    made_ready = []
    for s in steps:
        if s.key in ready_keys:
            s.state, s.ready_at, s.revision = StepState.READY, now, s.revision + 1
            changed[s.pk] = s
            made_ready.append(s)
    if changed:
        Step.objects.bulk_update(list(changed.values()),
                                 ["state", "ready_at", "revision", "due_date"])
    if made_ready:
        actor_person, label = actor_identity(actor)
        notify_ready(made_ready, run_names={run.pk: run.name},
                     actor_person_id=actor_person.pk if actor_person else None)
        StepEvent.objects.bulk_create([
            StepEvent(organization_id=run.organization_id, run=run, step=s, kind=EventKind.READY,
                      actor=_user(actor), actor_label=label) for s in made_ready
        ])
    if run.status == RunStatus.RUNNING and all(s.state in FINISHED_STATES for s in steps):
        run.status, run.completed_at = RunStatus.COMPLETED, now
        run.save(update_fields=["status", "completed_at"])
        _event(run, None, EventKind.RUN_COMPLETED, actor)
        audit_record(actor=actor, action="procedure_run.complete", obj=run,
                     changes={"status": [RunStatus.RUNNING, RunStatus.COMPLETED]})
    return made_ready


_NO_STEP: Final = StepSpec(key="", name="")


def _clean_form(spec_step: StepSpec | None, values: Mapping[str, Any], *, final: bool
                ) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Form values coerced by field type; with ``final`` required fields must be filled."""
    return clean_values(spec_step.form if spec_step else (), values, final=final, translate=_)


def _apply_progress(step: Step, spec_step: StepSpec | None, *, checklist_done: Sequence[int] | None,
                    form_values: Mapping[str, Any] | None, actual_minutes: int | None,
                    final: bool) -> None:
    """Set checklist, form and minutes on ``step``; raises ValidationError naming the fields."""
    errors: dict[str, list[str]] = {}
    items = spec_step.checklist if spec_step else ()
    if checklist_done is not None:
        try:
            done = sorted({int(i) for i in checklist_done})
        except (TypeError, ValueError):
            done = [-1]
        if any(i < 0 or i >= len(items) for i in done):
            errors["checklist"] = [_("Unknown checklist item.")]
        else:
            step.checklist_done = done
    if final and not errors and len(set(step.checklist_done)) < len(items):
        errors["checklist"] = [_("Tick every checklist item first.")]
    merged = {**step.form_values, **(form_values or {})}
    cleaned, form_errors = _clean_form(spec_step, merged, final=final)
    errors.update(form_errors)
    if not form_errors:
        step.form_values = cleaned
    if actual_minutes is not None:
        if isinstance(actual_minutes, bool) or not 0 <= int(actual_minutes) <= 100_000:
            errors["actual_minutes"] = [_("Enter the minutes as a whole number, 0 or more.")]
        else:
            step.actual_minutes = int(actual_minutes)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def step_save_progress(
    *, actor: Actor, step: Step | int, checklist_done: Sequence[int] | None = None,
    form_values: Mapping[str, Any] | None = None, actual_minutes: int | None = None,
) -> Step:
    """Save ticks, form values and minutes without completing (the step stays open)."""
    run, locked = _lock(step)
    _require_running(run)
    _require_state(locked, StepState.READY, StepState.WAITING)
    before = (list(locked.checklist_done), dict(locked.form_values), locked.actual_minutes)
    _apply_progress(locked, _spec_step(run, locked.key), checklist_done=checklist_done,
                    form_values=form_values, actual_minutes=actual_minutes, final=False)
    after = (locked.checklist_done, locked.form_values, locked.actual_minutes)
    if after != before:
        locked.save(update_fields=["checklist_done", "form_values", "actual_minutes"])
        names = ("checklist_done", "form_values", "actual_minutes")
        audit_record(actor=actor, action="procedure_step.save", obj=locked, changes={
            n: [b, a] for n, b, a in zip(names, before, after, strict=True) if a != b})
    return locked


def _finish(locked: Step, actor: Actor, state: str) -> None:
    locked.state = state
    locked.completed_at = timezone.now()
    locked.completed_by = _user(actor)
    locked.revision += 1
    locked.save(update_fields=["state", "completed_at", "completed_by", "revision",
                               "checklist_done", "form_values", "actual_minutes"])


@dataclass(frozen=True)
class _VersionIndex:
    """What completing a step needs from a version's spec, computed once per version."""

    steps: dict[str, StepSpec]
    depends_on: dict[str, tuple[str, ...]]
    spec: TemplateSpec
    after_step: bool  # some step is due relative to another's completion


_INDEX: dict[tuple[int, str], _VersionIndex] = {}


def _version_index(version: TemplateVersion) -> _VersionIndex:
    key = (version.pk, version.created_at.isoformat())
    index = _INDEX.get(key)
    if index is None:
        from somu.procedures.selectors.templates import version_spec

        spec = version_spec(version)
        index = _VersionIndex(
            steps={s.key: s for s in spec.steps},
            depends_on={s.key: s.depends_on for s in spec.steps},
            spec=spec, after_step=any(s.due is not None and s.due.after_step for s in spec.steps))
        if len(_INDEX) >= 512:
            _INDEX.clear()
        _INDEX[key] = index
    return index


@transaction.atomic
def step_complete(
    *, actor: Actor, step: Step | int, checklist_done: Sequence[int] | None = None,
    form_values: Mapping[str, Any] | None = None, actual_minutes: int | None = None,
    revision: int | None = None,
) -> Step:
    """Complete a ready task step; the steps waiting only for it become ready, and the run
    completes with its last step.

    ``ValidationError`` names unfilled required form fields (by key) and ``checklist`` when an
    item is unticked; :class:`StepConflict` when the step is not ready (any more).

    The common path is three statements and the audit entry's three (on PostgreSQL two and
    two); see :mod:`.step_rows`.
    """
    user = _user(actor)
    found = step_rows.lock_run(step_id=step.pk if isinstance(step, Step) else step,
                               organization_id=tenancy.active_organization_id(),
                               user_id=user.pk if user is not None else None)
    run, locked = found.run, found.step
    _require_running(run)
    _require_state(locked, StepState.READY)
    _check_revision(locked, revision)
    if locked.kind != StepKind.TASK:
        raise StepConflict(_("An approval step is approved or rejected, not completed."))
    index = _version_index(found.version)
    _apply_progress(locked, index.steps.get(locked.key), checklist_done=checklist_done,
                    form_values=form_values, actual_minutes=actual_minutes, final=True)
    now = timezone.now()
    locked.state, locked.completed_at, locked.completed_by = StepState.DONE, now, user
    locked.revision += 1
    changes: dict[int, dict[str, Any]] = {locked.pk: {
        "state": locked.state, "completed_at": now, "completed_by_id": locked.completed_by_id,
        "revision": locked.revision, "checklist_done": locked.checklist_done,
        "form_values": locked.form_values, "actual_minutes": locked.actual_minutes}}
    rows = found.steps
    for row in rows:
        if row.id == locked.pk:
            row.state, row.raw_completed_at = StepState.DONE, now
    if index.after_step:
        for row, due in _after_step_dues(run, index.spec, rows, locked):
            changes.setdefault(row.id, {})["due_date"] = due
    ready_keys = set(planning.newly_ready({r.key: r.state for r in rows}, index.depends_on))
    made_ready = [r for r in rows if r.key in ready_keys]
    for row in made_ready:
        row.state = StepState.READY
        changes.setdefault(row.id, {}).update(
            state=StepState.READY, ready_at=now, revision=row.revision + 1)
    label = (SYSTEM_ACTOR if user is None
             else found.actor_person_name or user.get_username())
    event = {"organization_id": run.organization_id, "run_id": run.pk, "comment": "",
             "actor_id": locked.completed_by_id, "actor_label": label, "created_at": now}
    events = [{**event, "step_id": locked.pk, "kind": EventKind.COMPLETED,
               "data": {"minutes": locked.actual_minutes, "form": locked.form_values}}]
    events += [{**event, "step_id": r.id, "kind": EventKind.READY, "data": {}} for r in made_ready]
    audit: list[dict[str, Any]] = [{
        "action": "procedure_step.complete", "obj": locked,
        "changes": {"state": [StepState.READY, StepState.DONE],
                    "actual_minutes": [None, locked.actual_minutes]}}]
    if all(r.state in FINISHED_STATES for r in rows):
        run.status, run.completed_at = RunStatus.COMPLETED, now
        Run.objects.filter(pk=run.pk).update(status=run.status, completed_at=now)
        events.append({**event, "step_id": None, "kind": EventKind.RUN_COMPLETED, "data": {}})
        audit.append({"action": "procedure_run.complete", "obj": run,
                      "changes": {"status": [RunStatus.RUNNING, RunStatus.COMPLETED]}})
    step_rows.write(changes, events)
    notify_ready([Step(pk=r.id, name=r.name, assignee_id=r.assignee_id, run_id=run.pk)
                  for r in made_ready if r.assignee_id not in (None, found.actor_person_id)],
                 run_names={run.pk: run.name}, actor_person_id=found.actor_person_id)
    audit_record_many(actor=actor, entries=audit)
    return locked


def _reset_to_waiting(run: Run, keys: set[str]) -> None:
    Step.objects.filter(run=run, key__in=keys).exclude(state=StepState.SKIPPED).update(
        state=StepState.WAITING, ready_at=None, completed_at=None, completed_by=None,
        revision=F("revision") + 1,
    )


@transaction.atomic
def step_decide(
    *, actor: Actor, step: Step | int, approve: bool, comment: str = "",
    revision: int | None = None,
) -> Step:
    """Approve or reject a ready approval step.

    A rejection needs a comment and follows the step's ``on_reject``: ``stop`` stops the run
    (its open steps are cancelled); ``reopen:<key>`` sends that step back to ready and every
    step after it, up to and including this approval, back to waiting (form values kept).
    """
    run, locked = _lock(step)
    _require_running(run)
    _require_state(locked, StepState.READY)
    _check_revision(locked, revision)
    if locked.kind != StepKind.APPROVAL:
        raise StepConflict(_("Only an approval step can be approved or rejected."))
    comment = comment.strip()
    actor_person, label = actor_identity(actor)
    actor_person_id = actor_person.pk if actor_person else None
    if approve:
        _finish(locked, actor, StepState.APPROVED)
        _event(run, locked, EventKind.APPROVED, actor, comment=comment, label=label)
        audit_record(actor=actor, action="procedure_step.approve", obj=locked,
                     changes={"state": [StepState.READY, StepState.APPROVED]})
        notify_decided(run, locked, approved=True, decider=label, comment=comment,
                       actor_person_id=actor_person_id)
        _advance(actor=actor, run=run, finished=locked)
        return locked
    if not comment:
        raise ValidationError({"comment": [_("Say why you reject it.")]})
    _finish(locked, actor, StepState.REJECTED)
    _event(run, locked, EventKind.REJECTED, actor, comment=comment, label=label)
    audit_record(actor=actor, action="procedure_step.reject", obj=locked,
                 changes={"state": [StepState.READY, StepState.REJECTED]})
    notify_decided(run, locked, approved=False, decider=label, comment=comment,
                   actor_person_id=actor_person_id)
    spec_step = _spec_step(run, locked.key)
    on_reject = spec_step.on_reject if spec_step else "stop"
    if on_reject.startswith("reopen:"):
        target_key = on_reject.split(":", 1)[1].strip()
        from somu.procedures.selectors.templates import version_spec

        later = planning.transitive_dependents(version_spec(run.version), target_key)
        _reset_to_waiting(run, later | {locked.key})
        target = Step.objects.select_for_update().get(run=run, key=target_key)
        target.state, target.ready_at, target.revision = StepState.READY, timezone.now(), \
            target.revision + 1
        target.completed_at = None
        target.completed_by = None
        target.save(update_fields=["state", "ready_at", "revision", "completed_at",
                                   "completed_by"])
        _event(run, target, EventKind.REOPENED, actor, comment=comment, label=label,
               data={"rejected_by_step": locked.key})
        notify_ready([target], run_names={run.pk: run.name}, actor_person_id=actor_person_id)
        locked.refresh_from_db()
        return locked
    _stop_run(run, actor, RunStatus.STOPPED, comment, label)
    return locked


def _stop_run(run: Run, actor: Actor, status: str, reason: str, label: str) -> None:
    cancelled = Step.objects.filter(run=run, state__in=OPEN_STATES).update(
        state=StepState.CANCELLED, revision=F("revision") + 1)
    before = run.status
    run.status = status
    run.save(update_fields=["status"])
    kind = EventKind.RUN_STOPPED if status == RunStatus.STOPPED else EventKind.CANCELLED
    _event(run, None, kind, actor, comment=reason, label=label,
           data={"cancelled_steps": cancelled})
    action = "procedure_run.stop" if status == RunStatus.STOPPED else "procedure_run.cancel"
    audit_record(actor=actor, action=action, obj=run, changes={"status": [before, status]})


@transaction.atomic
def step_reassign(*, actor: Actor, step: Step | int, assignee: Person, comment: str = "") -> Step:
    """Give an open step to another (active) person."""
    run, locked = _lock(step)
    _require_running(run)
    _require_state(locked, StepState.READY, StepState.WAITING)
    if assignee.status != PersonStatus.ACTIVE:
        raise ValidationError({"assignee": [_("%(person)s is no longer active.")
                                            % {"person": assignee.name}]})
    if assignee.pk == locked.assignee_id and not locked.assignee_flagged:
        return locked
    previous = Person.objects.filter(pk=locked.assignee_id).first() if locked.assignee_id else None
    locked.assignee = assignee
    locked.assignee_flagged = False
    locked.revision += 1
    locked.save(update_fields=["assignee", "assignee_flagged", "revision"])
    _event(run, locked, EventKind.REASSIGNED, actor, comment=comment.strip(), data={
        "from": previous.pk if previous else None, "from_name": previous.name if previous else "",
        "to": assignee.pk, "to_name": assignee.name})
    audit_record(actor=actor, action="procedure_step.reassign", obj=locked,
                 changes={"assignee": [previous.pk if previous else None, assignee.pk]})
    if locked.state == StepState.READY:
        actor_person, _label = actor_identity(actor)
        notify_ready([locked], run_names={run.pk: run.name},
                     actor_person_id=actor_person.pk if actor_person else None)
    return locked


@transaction.atomic
def step_reopen(*, actor: Actor, step: Step | int, reason: str) -> Step:
    """Send a done (or approved) step back to ready, with a reason.

    Its dependents that became ready but nobody has touched go back to waiting; a completed run
    is running again.
    """
    run, locked = _lock(step)
    if run.status in (RunStatus.CANCELLED, RunStatus.STOPPED):
        _require_running(run)
    _require_state(locked, StepState.DONE, StepState.APPROVED)
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the step is reopened.")]})
    before = locked.state
    locked.state, locked.ready_at, locked.revision = StepState.READY, timezone.now(), \
        locked.revision + 1
    locked.completed_at = None
    locked.completed_by = None
    locked.save(update_fields=["state", "ready_at", "revision", "completed_at", "completed_by"])
    untouched = [
        s.pk for s in Step.objects.filter(run=run, state=StepState.READY).exclude(pk=locked.pk)
        if locked.key in s.depends_on and not s.checklist_done and not s.form_values
        and s.actual_minutes is None
    ]
    Step.objects.filter(pk__in=untouched).update(
        state=StepState.WAITING, ready_at=None, revision=F("revision") + 1)
    if run.status == RunStatus.COMPLETED:
        run.status, run.completed_at = RunStatus.RUNNING, None
        run.save(update_fields=["status", "completed_at"])
    _event(run, locked, EventKind.REOPENED, actor, comment=reason.strip(),
           data={"back_to_waiting": len(untouched)})
    audit_record(actor=actor, action="procedure_step.reopen", obj=locked,
                 changes={"state": [before, StepState.READY]})
    actor_person, _label = actor_identity(actor)
    notify_ready([locked], run_names={run.pk: run.name},
                 actor_person_id=actor_person.pk if actor_person else None)
    return locked


@transaction.atomic
def step_comment(*, actor: Actor, step: Step | int, text: str) -> StepEvent:
    """Add a comment to the step's timeline (any state)."""
    if not text.strip():
        raise ValidationError({"text": [_("Write a comment first.")]})
    target = step if isinstance(step, Step) else Step.objects.select_related("run").get(pk=step)
    event = _event(target.run, target, EventKind.COMMENTED, actor, comment=text.strip())
    audit_record(actor=actor, action="procedure_step.comment", obj=target,
                 changes={"comment": [None, text.strip()[:500]]})
    return event


@transaction.atomic
def step_attach(*, actor: Actor, step: Step | int, upload: UploadedFile) -> StepAttachment:
    """Attach a file (at most 20 MB) to a step."""
    target = step if isinstance(step, Step) else Step.objects.select_related("run").get(pk=step)
    size = upload.size or 0
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("The file is too large: at most %(size)s.")
                                        % {"size": filesizeformat(MAX_ATTACHMENT_BYTES)}]})
    filename = (upload.name or "file").replace("\\", "/").rsplit("/", 1)[-1][:255]
    attachment = StepAttachment(step=target, filename=filename, size=size,
                                uploaded_by=_user(actor))
    attachment.organization_id = target.organization_id
    attachment.file.save(filename, upload, save=False)
    attachment.save()
    _event(target.run, target, EventKind.ATTACHED, actor,
           data={"attachment": attachment.pk, "filename": filename, "size": size})
    audit_record(actor=actor, action="procedure_step.attach", obj=target,
                 changes={"attachment": [None, filename]})
    return attachment


@transaction.atomic
def run_cancel(*, actor: Actor, run: Run, reason: str = "") -> Run:
    """Cancel a running run: its open steps are cancelled."""
    locked = Run.objects.select_for_update().get(pk=run.pk)
    if locked.status != RunStatus.RUNNING:
        _require_running(locked)
    _stop_run(locked, actor, RunStatus.CANCELLED, reason.strip(), actor_label(actor))
    return locked
