"""My tasks and the step page: where a person reads a step's instructions, ticks its checklist,
fills its form, records the minutes spent and completes it (or approves / sends it back), and
where steps are reassigned, reopened, commented on and given attachments.

Seeing a step: its assignee, or anyone who may view procedures. Acting on it: its assignee or
procedure staff (``step_selectors.can_act_on_step``). A transition that lost a race (someone else
completed the step first, the page was stale) re-renders the page with the reason and HTTP 409;
a validation error re-renders it with the errors next to the inputs and changes nothing.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from somu.core import registry
from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, int_or_none, is_htmx, org_view
from somu.org.models import Membership
from somu.org.permissions import VIEW_ORG
from somu.procedures import forms_runs as rf
from somu.procedures import selectors
from somu.procedures.models import (
    FINISHED_STATES,
    OPEN_STATES,
    EventKind,
    Step,
    StepAttachment,
    StepEvent,
    StepKind,
    StepState,
)
from somu.procedures.permissions import WORK_STEPS
from somu.procedures.selectors import steps as step_selectors
from somu.procedures.selectors import templates as template_selectors
from somu.procedures.services import steps as step_services

STEP_PAGE: Final = "procedures/step_detail.html"
# The step page lists the step's own history; a step commented on for years keeps the newest.
STEP_EVENTS_LIMIT: Final = 200


# ---- my tasks ----------------------------------------------------------------------------------


class TaskRow(NamedTuple):
    step: Step
    days: int | None  # days until due (negative: overdue), None without a due date

    @property
    def late_by(self) -> int:
        return -self.days if self.days is not None and self.days < 0 else 0


@require_GET
@org_view(WORK_STEPS)
def my_tasks(request: AuthedRequest) -> HttpResponse:
    membership = request.membership
    if membership.person is None:
        return render(request, "procedures/my_tasks.html", {"no_person": True})
    today = selectors.today()
    tasks = step_selectors.my_tasks(person=membership.person, today=today)
    # What other apps have waiting for this person (requests to decide …), shown first.
    panels = [panel for function in registry.functions("task_panels")
              for panel in function(membership=membership, today=today) if panel.count]

    def rows(steps: list[Step]) -> list[TaskRow]:
        return [TaskRow(s, (s.due_date - today).days if s.due_date else None) for s in steps]

    sections = [
        ("overdue", _("Overdue"), rows(tasks.overdue)),
        ("today", _("Today"), rows(tasks.today)),
        ("this_week", _("This week"), rows(tasks.this_week)),
        ("later", _("Later"), rows(tasks.later)),
        ("waiting", _("Waiting for earlier steps"), rows(tasks.waiting)),
    ]
    return render(request, "procedures/my_tasks.html", {
        "sections": [{"key": key, "title": title, "rows": items,
                      "count": tasks.counts.get(key, len(items)),
                      "truncated": tasks.counts.get(key, len(items)) > len(items)}
                     for key, title, items in sections],
        "total": tasks.total, "today": today, "person": membership.person, "panels": panels,
    })


# ---- the step page -------------------------------------------------------------------------------


def _step(request: AuthedRequest, step_id: int) -> Step:
    """The step, if the member may see it: another organization's id is 404, a step of
    someone else without the right to view procedures is 403."""
    step = step_selectors.step_get(step_id=step_id)
    if not step_selectors.can_see_step(request.membership, step):
        raise PermissionDenied(_("You do not have permission to do this."))
    return step


def _acting_on(request: AuthedRequest, step_id: int) -> Step:
    step = _step(request, step_id)
    if not step_selectors.can_act_on_step(request.membership, step):
        raise PermissionDenied(_("Only the step's assignee or procedure staff can do this."))
    return step


def _can_comment(membership: Membership, step: Step) -> bool:
    # Auditors read; everyone who works on steps and can see this one may comment on it.
    return step_selectors.can_act_on_step(membership, step) or (
        has_perm(membership, WORK_STEPS) and step_selectors.can_see_step(membership, step))


def _page(request: AuthedRequest, step: Step, *, status: int = 200,
          work: rf.WorkInput | None = None, conflict: str = "", **forms: Any) -> HttpResponse:
    """The step page; ``work`` / ``forms`` carry what was posted when it failed."""
    membership = request.membership
    view = step_selectors.step_view(step=step)
    if work is None:
        work = rf.work_stored(view.spec, checklist_done=step.checklist_done,
                              form_values=step.form_values, actual_minutes=step.actual_minutes)
    can_act = step_selectors.can_act_on_step(membership, step)
    is_open = step.state in OPEN_STATES
    running = step.run.status == "running"
    today = selectors.today()
    context: dict[str, Any] = {
        "step": step, "run": step.run, "view": view, "work": work, "conflict": conflict,
        "instructions_html": view.instructions_html,
        "can_act": can_act, "is_open": is_open, "running": running,
        "can_work": can_act and running and step.state == StepState.READY,
        "can_save": can_act and running and is_open,
        "is_approval": step.kind == StepKind.APPROVAL,
        "can_reassign": can_act and running and is_open,
        "can_reopen": can_act and step.state in (StepState.DONE, StepState.APPROVED)
        and step.run.status in ("running", "completed"),
        "can_comment": _can_comment(membership, step),
        "late": is_open and step.due_date is not None and step.due_date < today,
        "due": TaskRow(step, (step.due_date - today).days if step.due_date else None),
        "finished": step.state in FINISHED_STATES,
        "events": list(StepEvent.objects.filter(step=step).select_related("actor")
                       .order_by("-created_at", "-pk")[:STEP_EVENTS_LIMIT])[::-1],
        "decide_form": forms.get("decide_form") or rf.StepDecideForm(),
        "reopen_form": forms.get("reopen_form") or rf.StepReopenForm(),
        "comment_form": forms.get("comment_form") or rf.StepCommentForm(),
        "attach_error": forms.get("attach_error", ""),
        "today": today,
    }
    # A decided approval shows its decision (who, when, why) instead of an empty form.
    context["decision"] = next(
        (e for e in reversed(context["events"])
         if e.kind in (EventKind.APPROVED, EventKind.REJECTED)),
        None) if step.state in (StepState.APPROVED, StepState.REJECTED) else None
    if context["can_reassign"]:
        context["reassign_form"] = forms.get("reassign_form") or rf.StepReassignForm(
            initial={"assignee": step.assignee_id})
    return render(request, STEP_PAGE, context, status=status)


@require_GET
@org_view(VIEW_ORG)
def step_detail(request: AuthedRequest, step_id: int) -> HttpResponse:
    return _page(request, _step(request, step_id))


def _conflict(request: AuthedRequest, step_id: int,
              exc: step_services.StepConflict) -> HttpResponse:
    """The page as it is now, saying why the action could not be done (HTTP 409)."""
    step = step_selectors.step_get(step_id=step_id)
    message = str(exc)
    if step.state in FINISHED_STATES or step.state == StepState.REJECTED:
        message = f"{_('This step was completed by someone else first.')} {exc}"
    if is_htmx(request):
        return render(request, "procedures/_step_save_status.html",
                      {"conflict": message, "step": step}, status=409)
    return _page(request, step, status=409, conflict=message)


def _done(request: AuthedRequest, step: Step, text: str) -> HttpResponse:
    """After a change: back to the step if the member can still see it, else to my tasks."""
    messages.success(request, text)
    step = step_selectors.step_get(step_id=step.pk)
    if step_selectors.can_see_step(request.membership, step):
        return redirect("procedures:step_detail", step_id=step.pk)
    return redirect("procedures:my_tasks")


@require_POST
@org_view(VIEW_ORG)
def step_save(request: AuthedRequest, step_id: int) -> HttpResponse:
    """Save ticks, form values and minutes without completing (htmx: a status fragment)."""
    step = _acting_on(request, step_id)
    view_spec = template_selectors.version_spec(step.run.version).step(step.key)
    work = rf.work_posted(view_spec, request.POST)
    if not work.has_errors:
        try:
            step = step_services.step_save_progress(
                actor=request.user, step=step, checklist_done=work.checklist_done,
                form_values=work.form_values, actual_minutes=work.minutes())
        except step_services.StepConflict as exc:
            return _conflict(request, step_id, exc)
        except ValidationError as exc:
            work.apply(exc)
    if is_htmx(request):
        return render(request, "procedures/_step_save_status.html",
                      {"work": work, "step": step, "saved": not work.has_errors})
    if work.has_errors:
        return _page(request, step_selectors.step_get(step_id=step_id), work=work)
    return _done(request, step, _("Your progress has been saved."))


@require_POST
@org_view(VIEW_ORG)
def step_complete(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _acting_on(request, step_id)
    view_spec = template_selectors.version_spec(step.run.version).step(step.key)
    work = rf.work_posted(view_spec, request.POST)
    if not work.has_errors:
        try:
            step = step_services.step_complete(
                actor=request.user, step=step, checklist_done=work.checklist_done,
                form_values=work.form_values, actual_minutes=work.minutes(),
                revision=int_or_none(request.POST.get("revision")))
        except step_services.StepConflict as exc:
            return _conflict(request, step_id, exc)
        except ValidationError as exc:
            work.apply(exc)
    if work.has_errors:
        return _page(request, step_selectors.step_get(step_id=step_id), work=work)
    return _done(request, step, _("“%(name)s” is complete.") % {"name": step.name})


@require_POST
@org_view(VIEW_ORG)
def step_decide(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _acting_on(request, step_id)
    form = rf.StepDecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            step = step_services.step_decide(
                actor=request.user, step=step, approve=approve,
                comment=form.cleaned_data["comment"], revision=form.cleaned_data["revision"])
        except step_services.StepConflict as exc:
            return _conflict(request, step_id, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, step, _("“%(name)s” has been approved.") % {"name": step.name}
                         if approve else
                         _("“%(name)s” has been sent back.") % {"name": step.name})
    return _page(request, step_selectors.step_get(step_id=step_id), decide_form=form)


@require_POST
@org_view(VIEW_ORG)
def step_reassign(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _acting_on(request, step_id)
    form = rf.StepReassignForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["assignee"]  # an active person of this organization
        try:
            step = step_services.step_reassign(actor=request.user, step=step, assignee=person,
                                               comment=form.cleaned_data["comment"])
        except step_services.StepConflict as exc:
            return _conflict(request, step_id, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, step, _("“%(name)s” is now assigned to %(person)s.") % {
                "name": step.name, "person": person.name})
    return _page(request, step_selectors.step_get(step_id=step_id), reassign_form=form)


@require_POST
@org_view(VIEW_ORG)
def step_reopen(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _acting_on(request, step_id)
    form = rf.StepReopenForm(request.POST)
    if form.is_valid():
        try:
            step = step_services.step_reopen(actor=request.user, step=step,
                                             reason=form.cleaned_data["reason"])
        except step_services.StepConflict as exc:
            return _conflict(request, step_id, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, step, _("“%(name)s” has been reopened.") % {"name": step.name})
    return _page(request, step_selectors.step_get(step_id=step_id), reopen_form=form)


@require_POST
@org_view(VIEW_ORG)
def step_comment(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _step(request, step_id)
    if not _can_comment(request.membership, step):
        raise PermissionDenied(_("You do not have permission to do this."))
    form = rf.StepCommentForm(request.POST)
    if form.is_valid():
        try:
            step_services.step_comment(
                actor=request.user, step=step, text=form.cleaned_data["text"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return _done(request, step, _("Your comment has been added."))
    return _page(request, step, comment_form=form)


@require_POST
@org_view(VIEW_ORG)
def step_attach(request: AuthedRequest, step_id: int) -> HttpResponse:
    step = _acting_on(request, step_id)
    upload = request.FILES.get("file")
    if upload is None or not upload.name:
        return _page(request, step, attach_error=_("Choose a file to attach."))
    try:
        step_services.step_attach(actor=request.user, step=step, upload=upload)
    except ValidationError as exc:
        return _page(request, step, attach_error=" ".join(exc.messages))
    return _done(request, step, _("“%(file)s” has been attached.") % {"file": upload.name})


@require_GET
@org_view(VIEW_ORG)
def attachment_download(request: AuthedRequest, attachment_id: int) -> HttpResponse:
    """The file, only to those who can see its step."""
    attachment = get_object_or_404(StepAttachment, pk=attachment_id)
    _step(request, attachment.step_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    # A streamed response (org_view's type speaks of HttpResponse; both are responses).
    return FileResponse(  # type: ignore[return-value]
        handle, as_attachment=True, filename=attachment.filename)

