"""Writes for the work survey: the inventory, rounds, invitations and questionnaire answers.

Every write to a round's answers bumps ``SurveyRound.data_version`` (see :func:`round_touch`), which
invalidates the cached analysis. Imports live in :mod:`somu.survey.importing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, save_with_audit
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.core.tabular import nfkc
from somu.org.models import Department, Person, PersonStatus, Skill
from somu.org.selectors import absolute_url, department_subtree_ids, link_base_url
from somu.org.services import Actor
from somu.survey.models import (
    MAX_MONTHLY_HOURS,
    Capability,
    Respondent,
    ResponseStatus,
    RoundStatus,
    SurveyRound,
    Task,
    TaskStatus,
    WorkHours,
)
from somu.survey.starter import STARTER_TASKS

TASK_FIELDS = (
    "function", "category", "subcategory", "name", "description", "frequency", "difficulty",
    "scope", "remote_ok", "outsourceable", "automatable", "required_skill", "notes", "status",
    "sort_order",
)
ROUND_FIELDS = ("name", "description", "status", "due_on")

HUNDREDTH = Decimal("0.01")


# ---- inventory -----------------------------------------------------------------------------------


def _check_task_path(task: Task, data: Mapping[str, Any]) -> None:
    fields = ("function", "category", "subcategory", "name")
    path = {f: data.get(f, getattr(task, f)) for f in fields}
    if Task.objects.filter(**path).exclude(pk=task.pk).exists():
        message = _("This task already exists in the inventory.")
        raise ValidationError({"name": ValidationError(message, code="unique")})


@transaction.atomic
def task_save(*, actor: Actor, task: Task | None, data: Mapping[str, Any]) -> Task:
    """Create or change a task of the inventory; the path must stay unique."""
    task = task or Task()
    _check_task_path(task, data)
    save_with_audit(task, actor=actor, fields=TASK_FIELDS, data=data, action_prefix="survey_task")
    return task


@transaction.atomic
def task_delete(*, actor: Actor, task: Task) -> None:
    """Delete a task no round has answers for; otherwise it can only be archived."""
    answered = WorkHours.objects.filter(task=task).exists()
    if answered or Capability.objects.filter(task=task).exists():
        raise ValidationError(
            _("Survey answers refer to this task; archive it instead of deleting it.")
        )
    audit_record(actor=actor, action="survey_task.delete", obj=task,
                 changes={"name": [task.name, None]})
    task.delete()


@transaction.atomic
def starter_inventory_adopt(*, actor: Actor, functions: Iterable[str] | None = None) -> int:
    """Add the built-in starter tasks (those not already in the inventory); return how many."""
    wanted = set(functions) if functions is not None else None
    existing = set(Task.objects.values_list("function", "category", "subcategory", "name"))
    skills = {s.name: s for s in Skill.objects.all()}
    organization_id = tenancy.active_organization_id()
    new: list[Task] = []
    for order, starter in enumerate(STARTER_TASKS):
        path = (starter.function, starter.category, starter.subcategory, starter.name)
        if (wanted is not None and starter.function not in wanted) or path in existing:
            continue
        skill = None
        if starter.skill:
            skill = skills.get(starter.skill)
            if skill is None:
                skill = Skill.objects.create(organization_id=organization_id, name=starter.skill)
                skills[starter.skill] = skill
        new.append(Task(
            organization_id=organization_id,
            function=starter.function, category=starter.category,
            subcategory=starter.subcategory, name=starter.name,
            description=starter.description, frequency=starter.frequency,
            difficulty=starter.difficulty, scope=starter.scope, remote_ok=starter.remote_ok,
            outsourceable=starter.outsourceable, automatable=starter.automatable,
            required_skill=skill, notes=starter.notes, sort_order=order,
        ))
    Task.objects.bulk_create(new)
    if new:
        audit_record(actor=actor, action="survey_task.adopt_starter",
                     object_type="survey.task", changes={"created": [None, len(new)]})
    return len(new)


# ---- rounds --------------------------------------------------------------------------------------


def round_touch(survey_round: SurveyRound) -> None:
    """Mark the round's answers as changed: its cached analysis is recomputed on next view."""
    SurveyRound.objects.filter(pk=survey_round.pk).update(
        data_version=F("data_version") + 1, updated_at=timezone.now()
    )
    survey_round.refresh_from_db(fields=["data_version", "updated_at"])


@transaction.atomic
def round_save(
    *, actor: Actor, survey_round: SurveyRound | None, data: Mapping[str, Any],
    allow_past_due: bool = False, today: dt.date | None = None,
) -> SurveyRound:
    """Create or change a round. A due date (回答期限) set before ``today`` (the local date
    unless given) is refused as a likely typo unless ``allow_past_due`` confirms it, e.g. for a
    round entered after the fact; an unchanged past due date is no problem."""
    survey_round = survey_round or SurveyRound()
    name = data.get("name", survey_round.name)
    if SurveyRound.objects.filter(name=name).exclude(pk=survey_round.pk).exists():
        raise ValidationError(
            {"name": ValidationError(_("A round with this name already exists."), code="unique")}
        )
    due_on = data.get("due_on")
    today = today or timezone.localdate()
    if (isinstance(due_on, dt.date) and due_on != survey_round.due_on and due_on < today
            and not allow_past_due):
        raise ValidationError({"due_on": ValidationError(_(
            "The due date %(date)s has already passed. Confirm that you want a past due date, "
            "or choose a later one.") % {"date": due_on.isoformat()}, code="past_due")})
    save_with_audit(survey_round, actor=actor, fields=ROUND_FIELDS, data=data,
                    action_prefix="survey_round")
    return survey_round


@transaction.atomic
def round_delete(*, actor: Actor, survey_round: SurveyRound) -> None:
    audit_record(actor=actor, action="survey_round.delete", obj=survey_round,
                 changes={"name": [survey_round.name, None]})
    survey_round.delete()


# ---- invitations and reminders -------------------------------------------------------------------


def _questionnaire_mail(
    survey_round: SurveyRound, person: Person, *, reminder: bool, base_url: str
) -> EmailMessage:
    path = reverse("survey:questionnaire", args=[survey_round.pk])
    url = absolute_url(path, base_url=base_url)
    if reminder:
        subject = _("Reminder: please answer the work survey “%(round)s”")
    else:
        subject = _("Please answer the work survey “%(round)s”")
    lines = [
        _("%(name)s,") % {"name": person.name},
        "",
        _("Please enter the tasks you do and your monthly hours for each.")
        if not reminder else _("We have not received your answers yet."),
        url,
    ]
    if survey_round.due_on:
        lines.append(_("Please answer by %(date)s.") % {"date": survey_round.due_on.isoformat()})
    return EmailMessage(
        subject=subject % {"round": survey_round.name}, body="\n".join(lines), to=[person.email]
    )


@transaction.atomic
def respondents_invite(
    *,
    actor: Actor,
    survey_round: SurveyRound,
    department_ids: Sequence[int] = (),
    person_ids: Sequence[int] = (),
    include_subdepartments: bool = True,
    send_mail: bool = True,
) -> list[Respondent]:
    """Ask the active people of the given departments (and/or people) to answer the round.

    People already asked are left as they are. An email goes to each new respondent who has an
    address; the round is opened if it was a draft.
    """
    if survey_round.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed."))
    if not department_ids and not person_ids:
        raise ValidationError(_("Choose the departments or people to invite."))
    # Ids of another organization's departments are not found here (the manager is scoped).
    known = set(Department.objects.filter(pk__in=department_ids).values_list("pk", flat=True))
    if unknown := set(department_ids) - known:
        raise ValidationError(
            _("Unknown department: %(ids)s") % {"ids": ", ".join(map(str, sorted(unknown)))}
        )
    scope: set[int] = set()
    for department_id in known:
        scope |= department_subtree_ids(department_id=department_id) if include_subdepartments \
            else {department_id}
    people = Person.objects.filter(status=PersonStatus.ACTIVE).filter(
        department_id__in=scope
    ) | Person.objects.filter(status=PersonStatus.ACTIVE, pk__in=person_ids)
    already = set(Respondent.objects.filter(round=survey_round).values_list("person_id", flat=True))
    new = [
        Respondent(organization_id=survey_round.organization_id, round=survey_round, person=p)
        for p in people.distinct().order_by("employee_number")
        if p.pk not in already
    ]
    Respondent.objects.bulk_create(new)
    if survey_round.status == RoundStatus.DRAFT:
        survey_round.status = RoundStatus.OPEN
        survey_round.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="survey_round.invite", obj=survey_round,
                 changes={"respondents": [len(already), len(already) + len(new)]})
    if send_mail:
        base_url = link_base_url(organization_id=survey_round.organization_id)
        messages = [_questionnaire_mail(survey_round, r.person, reminder=False, base_url=base_url)
                    for r in new if r.person.email]
        transaction.on_commit(lambda: get_connection().send_messages(messages))
    return new


@transaction.atomic
def respondents_remind(
    *, actor: Actor, survey_round: SurveyRound, respondent_ids: Sequence[int] | None = None
) -> int:
    """Email the respondents who have not submitted (all of them, or those given); return count."""
    if survey_round.status != RoundStatus.OPEN:
        raise ValidationError(_("Reminders can only be sent while the round collects answers."))
    pending = Respondent.objects.select_related("person").filter(round=survey_round).exclude(
        status=ResponseStatus.SUBMITTED
    )
    if respondent_ids is not None:
        pending = pending.filter(pk__in=respondent_ids)
    pending_list = list(pending)
    now = timezone.now()
    Respondent.objects.filter(pk__in=[r.pk for r in pending_list]).update(
        reminded_at=now, reminder_count=F("reminder_count") + 1
    )
    base_url = link_base_url(organization_id=survey_round.organization_id)
    messages = [_questionnaire_mail(survey_round, r.person, reminder=True, base_url=base_url)
                for r in pending_list if r.person.email]
    audit_record(actor=actor, action="survey_round.remind", obj=survey_round,
                 changes={"reminded": [None, len(pending_list)]})
    transaction.on_commit(lambda: get_connection().send_messages(messages))
    return len(pending_list)


# ---- answers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One line of a questionnaire: hours on a task (or 12 monthly values) and a capability."""

    task_id: int
    hours: Decimal | None = None
    monthly: tuple[Decimal, ...] | None = None  # fiscal order, April first
    level: int | None = None


def parse_hours(value: Any) -> Decimal:
    """Hours as typed by a person: a number ≥ 0 with at most two decimals, full-width allowed."""
    text = nfkc(str(value)).replace(",", "")
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("Enter a number of hours.")) from None
    if not hours.is_finite():
        raise ValueError(_("Enter a number of hours."))
    if hours < 0:
        raise ValueError(_("Hours cannot be negative."))
    if hours > MAX_MONTHLY_HOURS:
        raise ValueError(
            _("More than %(max)s hours a month is not possible.") % {"max": MAX_MONTHLY_HOURS}
        )
    return hours.quantize(HUNDREDTH)


def monthly_average(monthly: Sequence[Decimal]) -> Decimal:
    """hours(p, t) for seasonal work: the sum of the 12 monthly values / 12."""
    return (sum(monthly, Decimal(0)) / 12).quantize(HUNDREDTH)


def _validate_answers(answers: Sequence[Answer], task_ids: set[int]) -> None:
    errors: dict[str, list[str]] = {}
    total = Decimal(0)
    seen: set[int] = set()
    for answer in answers:
        key = f"task-{answer.task_id}"
        if answer.task_id in seen:
            errors.setdefault(key, []).append(_("This task is answered twice."))
            continue
        seen.add(answer.task_id)
        if answer.task_id not in task_ids:
            errors.setdefault(key, []).append(_("This task is not in the inventory."))
            continue
        if answer.monthly is not None and len(answer.monthly) != 12:
            errors.setdefault(key, []).append(_("Enter 12 monthly values (April to March)."))
            continue
        if answer.monthly is not None:
            for value in answer.monthly:
                if value < 0 or value > MAX_MONTHLY_HOURS:
                    errors.setdefault(key, []).append(
                        _("Each month must be between 0 and %(max)s hours.")
                        % {"max": MAX_MONTHLY_HOURS})
                    break
        hours = answer.hours if answer.monthly is None else monthly_average(answer.monthly)
        if hours is not None:
            if hours < 0 or hours > MAX_MONTHLY_HOURS:
                errors.setdefault(key, []).append(
                    _("Hours must be between 0 and %(max)s.") % {"max": MAX_MONTHLY_HOURS})
            else:
                total += hours
        if answer.level is not None and not 0 <= answer.level <= 4:
            errors.setdefault(key, []).append(_("Choose a capability level from 0 to 4."))
    if total > MAX_MONTHLY_HOURS:
        errors.setdefault("__all__", []).append(
            _("Your hours add up to %(total)s a month, more than %(max)s: please check them.")
            % {"total": format(total.normalize(), "f"), "max": MAX_MONTHLY_HOURS})
    if errors:
        raise ValidationError(errors)


class AnswersSubmitted(Conflict):
    """The answers were submitted: they are read-only until the respondent reopens them (409)."""


def answers_lock_reason(respondent: Respondent) -> str | None:
    """Why the respondent's answers cannot be changed now, or None when they can.

    The one rule for the questionnaire page and the API: answers change only while the round
    collects them (open) and until they are submitted (reopening makes them editable again).
    """
    status = respondent.round.status
    if status == RoundStatus.CLOSED:
        return _("This round is closed; answers can no longer be changed.")
    if status != RoundStatus.OPEN:
        return _("This round is not collecting answers yet.")
    if respondent.status == ResponseStatus.SUBMITTED:
        return _("These answers have been submitted; reopen them before changing them.")
    return None


@transaction.atomic
def answers_save(
    *, actor: Actor, respondent: Respondent, answers: Sequence[Answer], submit: bool = False
) -> Respondent:
    """Replace a respondent's answers in the round with ``answers``; optionally submit them.

    All-or-nothing: an invalid line raises ``ValidationError`` keyed ``task-<id>`` and nothing
    is saved. A task answered with no hours and no capability is removed from the answers.
    Submitted answers raise :class:`AnswersSubmitted` (reopen them first); a round that is not
    open raises ``ValidationError``.
    """
    respondent = Respondent.objects.select_for_update().select_related("round").get(
        pk=respondent.pk
    )
    survey_round = respondent.round
    if (reason := answers_lock_reason(respondent)) is not None:
        if survey_round.status == RoundStatus.OPEN:  # open, so locked by the submission
            raise AnswersSubmitted(reason)
        raise ValidationError(reason)
    task_ids = set(Task.objects.exclude(status=TaskStatus.ARCHIVED).values_list("pk", flat=True))
    _validate_answers(answers, task_ids)
    organization_id = survey_round.organization_id
    person_id = respondent.person_id
    WorkHours.objects.filter(round=survey_round, person_id=person_id).delete()
    Capability.objects.filter(round=survey_round, person_id=person_id).delete()
    hours_rows, capability_rows = [], []
    for answer in answers:
        hours = answer.hours if answer.monthly is None else monthly_average(answer.monthly)
        if hours is not None and (hours > 0 or answer.monthly is not None):
            hours_rows.append(WorkHours(
                organization_id=organization_id, round=survey_round, person_id=person_id,
                task_id=answer.task_id, hours=hours,
                monthly=[str(v) for v in answer.monthly] if answer.monthly is not None else None,
            ))
        if answer.level is not None:
            capability_rows.append(Capability(
                organization_id=organization_id, round=survey_round, person_id=person_id,
                task_id=answer.task_id, level=answer.level,
            ))
    WorkHours.objects.bulk_create(hours_rows)
    Capability.objects.bulk_create(capability_rows)
    now = timezone.now()
    respondent.saved_at = now
    if submit:
        respondent.status = ResponseStatus.SUBMITTED
        respondent.submitted_at = now
    elif respondent.status == ResponseStatus.NOT_STARTED:
        respondent.status = ResponseStatus.IN_PROGRESS
    respondent.save(update_fields=["saved_at", "status", "submitted_at"])
    round_touch(survey_round)
    audit_record(
        actor=actor, action="survey_answers.submit" if submit else "survey_answers.save",
        obj=respondent, object_repr=f"{survey_round.name}: {respondent.person.name}",
        changes={"tasks": [None, len(hours_rows)], "capabilities": [None, len(capability_rows)]},
    )
    return respondent


@transaction.atomic
def task_propose(
    *, actor: Actor, respondent: Respondent, function: str, category: str, subcategory: str = "",
    name: str, description: str = "",
) -> Task:
    """A respondent adds a task missing from the inventory; it is marked proposed for the admin.

    Only while the respondent's answers can change (see :func:`answers_lock_reason`)."""
    if (reason := answers_lock_reason(respondent)) is not None:
        raise ValidationError(reason)
    data = {
        "function": function.strip(), "category": category.strip(),
        "subcategory": subcategory.strip(), "name": name.strip(),
        "description": description.strip(), "status": TaskStatus.PROPOSED,
    }
    task = Task(proposed_by_id=respondent.person_id)
    return task_save(actor=actor, task=task, data=data)


@transaction.atomic
def reopen(*, actor: Actor, respondent: Respondent) -> Respondent:
    """Let a respondent change answers they already submitted (while the round is not closed)."""
    if respondent.round.status == RoundStatus.CLOSED:
        raise ValidationError(_("This round is closed; answers can no longer be changed."))
    if respondent.status != ResponseStatus.SUBMITTED:
        return respondent
    respondent.status = ResponseStatus.IN_PROGRESS
    respondent.submitted_at = None
    respondent.save(update_fields=["status", "submitted_at"])
    audit_record(actor=actor, action="survey_answers.reopen", obj=respondent)
    return respondent
