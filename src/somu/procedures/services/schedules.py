"""Recurring launches (定期実行): e.g. 月次決算 on the 3rd business day of every month.

A :class:`~somu.procedures.models.Schedule` names a template, a recurrence rule
(:mod:`somu.rules.recurrence`), fixed parameter values and an owner (the run's
"starter"). ``next_occurrence`` is the next date to launch; the worker calls
:func:`schedule_launch_due`, which launches every occurrence up to today that has no run yet and
advances it.

Exactly once per (schedule, occurrence): the schedule's row is locked while one occurrence is
launched and advanced, and ``Run`` has a unique constraint on (schedule, occurrence), so two
workers — or a worker restarted half way — never launch the same occurrence twice. A launch that
fails (an assignee that cannot be resolved, a missing parameter) is recorded as a failed job the
admins see, in the audit log, and the schedule moves on to its next occurrence.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, diff, snapshot
from somu.core import tenancy
from somu.jobs.models import Job, JobStatus
from somu.org.models import Organization, Person
from somu.org.selectors import business_calendar
from somu.org.services import Actor
from somu.procedures.models import Run, Schedule, Template
from somu.procedures.services.launching import Directory, coerce_params
from somu.rules.calendar import BusinessCalendar, CalendarError
from somu.rules.recurrence import (
    Recurrence,
    next_occurrence,
    parse_recurrence,
    recurrence_dict,
)

logger = logging.getLogger("somu.worker")

SCHEDULE_FIELDS: Final = ("template", "name", "rule", "params", "owner", "active",
                          "next_occurrence")
# Occurrences one call launches per schedule; a worker that was down for years catches up over
# several ticks instead of in one enormous transaction.
MAX_CATCH_UP: Final = 100
LAUNCH_FAILED: Final = "launch"  # Job.kind of the record of a failed scheduled launch


@dataclass
class LaunchReport:
    """What :func:`schedule_launch_due` did."""

    launched: list[Run] = field(default_factory=list)
    failed: list[tuple[Schedule, dt.date, str]] = field(default_factory=list)


# ---- reads ---------------------------------------------------------------------------------------


def _calendar() -> BusinessCalendar:
    organization = Organization.objects.get(pk=tenancy.active_organization_id())
    return business_calendar(organization=organization)


def schedule_list() -> QuerySet[Schedule]:
    """The organization's schedules with their template and owner, and how many runs each made."""
    return (
        Schedule.objects.select_related("template", "owner")
        .annotate(run_count=Count("runs"))
        .order_by("name", "pk")
    )


def _rule(data: Any) -> Recurrence:
    try:
        return parse_recurrence(data)
    except ValueError as exc:
        raise ValidationError({"rule": [str(exc)]}) from None


def schedule_preview(
    rule: Mapping[str, Any] | Recurrence, n: int = 5, *, start: dt.date | None = None,
) -> list[dt.date]:
    """The next ``n`` launch dates from ``start`` (today) on the organization's calendar."""
    recurrence = rule if isinstance(rule, Recurrence) else _rule(rule)
    calendar = _calendar()
    current = start or timezone.localdate()
    out: list[dt.date] = []
    try:
        for _i in range(n):
            day = next_occurrence(recurrence, current, calendar)
            out.append(day)
            current = day + dt.timedelta(days=1)
    except CalendarError as exc:
        raise ValidationError({"rule": [str(exc)]}) from None
    return out


def schedule_failures(*, schedule: Schedule | None = None) -> QuerySet[Job]:
    """Scheduled launches that failed, newest first: ``payload`` holds schedule, occurrence and
    errors, ``last_error`` the message."""
    jobs = Job.objects.filter(
        organization_id=tenancy.active_organization_id(), kind=LAUNCH_FAILED,
        status=JobStatus.FAILED,
    )
    if schedule is not None:
        jobs = jobs.filter(payload__schedule=schedule.pk)
    return jobs.order_by("-created_at", "-pk")


# ---- writes --------------------------------------------------------------------------------------


def _stored_params(template: Template, raw: Any) -> dict[str, Any]:
    """The fixed parameter values, validated against the template and stored as a launch would
    (people by id, dates ISO). Date parameters may be left empty: each run gets its occurrence."""
    from somu.procedures.selectors.templates import version_spec

    if not isinstance(raw, Mapping):
        raise ValidationError({"params": [_("Enter the parameters as a mapping.")]})
    if template.current_version is None:
        raise ValidationError({"template": [_("This template has no definition yet.")]})
    spec = version_spec(template.current_version)
    known = {p.key: p for p in spec.parameters}
    problems = [_("Unknown parameter: %(key)s") % {"key": key} for key in raw if key not in known]
    # Date parameters without a value get the occurrence date at launch; check the rest now.
    placeholder = timezone.localdate().isoformat()
    values = {**{k: placeholder for k, p in known.items() if p.type == "date"},
              **{k: v for k, v in raw.items() if v not in (None, "")}}
    params, errors = coerce_params(spec, values, Directory())
    problems += [f"{known[key].label or key}: {' '.join(messages)}"
                 for key, messages in errors.items() if key in known]
    if problems:
        raise ValidationError({"params": problems})
    return {k: params.stored[k] for k in raw if k in known and raw[k] not in (None, "")}


@transaction.atomic
def schedule_save(
    *, actor: Actor, schedule: Schedule | None, data: Mapping[str, Any],
    today: dt.date | None = None,
) -> Schedule:
    """Create a schedule or change one (fields left out of ``data`` keep their value).

    ``data``: template (Template), name, rule (dict, see the recurrence module), params (dict of
    raw values as for a launch), owner (Person or None), active. The next launch date is
    computed from ``today`` when the schedule is new, its rule changes or it is switched back on
    (occurrences missed while it was off are not launched).
    """
    creating = schedule is None
    schedule = schedule or Schedule()
    unknown = set(data) - set(SCHEDULE_FIELDS[:-1])
    if unknown:
        raise ValueError(f"Unknown schedule fields: {sorted(unknown)}")
    org_id = tenancy.active_organization_id()
    template = data.get("template", schedule.template if not creating else None)
    if not isinstance(template, Template) or template.organization_id != org_id:
        raise ValidationError({"template": [_("Choose a template.")]})
    if template.archived:
        raise ValidationError({"template": [_("This template is archived.")]})
    owner = data.get("owner", schedule.owner if not creating else None)
    if owner is not None and (not isinstance(owner, Person) or owner.organization_id != org_id):
        raise ValidationError({"owner": [_("Choose a person of this organization.")]})
    name = str(data.get("name", schedule.name) or "").strip()
    if not name:
        raise ValidationError({"name": [_("Enter a name.")]})

    rule = _rule(data.get("rule", schedule.rule))
    rule_dict = recurrence_dict(rule)
    params = _stored_params(template, data.get("params", schedule.params or {}))
    active = bool(data.get("active", True if creating else schedule.active))

    next_date = schedule.next_occurrence
    if creating or rule_dict != schedule.rule or (active and not schedule.active) \
            or next_date is None:
        try:
            next_date = next_occurrence(rule, today or timezone.localdate(), _calendar())
        except CalendarError as exc:
            raise ValidationError({"rule": [str(exc)]}) from None
    before = {} if creating else snapshot(schedule, SCHEDULE_FIELDS)
    schedule.template, schedule.name, schedule.rule, schedule.params = (
        template, name, rule_dict, params)
    schedule.owner, schedule.active, schedule.next_occurrence = owner, active, next_date
    changes = diff(before, snapshot(schedule, SCHEDULE_FIELDS))
    if not changes:
        return schedule
    schedule.organization_id = org_id
    # ``params`` is validated above; the model field would refuse an empty dict (no parameters).
    schedule.full_clean(exclude=["params"])
    schedule.save()
    audit_record(actor=actor, action=f"schedule.{'create' if creating else 'update'}",
                 obj=schedule, changes=changes)
    return schedule


@transaction.atomic
def schedule_delete(*, actor: Actor, schedule: Schedule) -> None:
    """Delete a schedule; the runs it launched stay (they lose the link)."""
    audit_record(actor=actor, action="schedule.delete", obj=schedule,
                 changes={"name": [schedule.name, None], "template": [schedule.template_id, None]})
    schedule.delete()


# ---- launching ---------------------------------------------------------------------------------


def _launch_params(schedule: Schedule, occurrence: dt.date) -> dict[str, Any]:
    """The schedule's values; date parameters without one get the occurrence date."""
    from somu.procedures.selectors.templates import version_spec

    params = dict(schedule.params or {})
    version = schedule.template.current_version
    if version is not None:
        for param in version_spec(version).parameters:
            if param.type == "date" and params.get(param.key) in (None, ""):
                params[param.key] = occurrence.isoformat()
    return params


def _error_text(exc: Exception) -> tuple[str, dict[str, Any]]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            errors = {k: list(v) for k, v in exc.message_dict.items()}
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), errors
        return " ".join(exc.messages), {"__all__": exc.messages}
    return f"{type(exc).__name__}: {exc}", {"__all__": [str(exc)]}


def _record_failure(schedule: Schedule, occurrence: dt.date, exc: Exception) -> str:
    """Keep a failed launch where admins see it: a failed job row and the audit log."""
    text, errors = _error_text(exc)
    now = timezone.now()
    Job.objects.update_or_create(
        key=f"{LAUNCH_FAILED}:{schedule.pk}:{occurrence.isoformat()}",
        defaults={
            "kind": LAUNCH_FAILED, "organization_id": schedule.organization_id,
            "status": JobStatus.FAILED, "run_after": now, "finished_at": now, "attempts": 1,
            "last_error": text[:4000],
            "payload": {"schedule": schedule.pk, "schedule_name": schedule.name,
                        "occurrence": occurrence.isoformat(), "errors": errors},
        },
    )
    audit_record(actor=None, action="schedule.launch_failed", obj=schedule,
                 changes={"occurrence": [None, occurrence.isoformat()], "errors": [None, errors]})
    return text


def _launch_one(schedule: Schedule, occurrence: dt.date) -> Run:
    from somu.procedures.services.runs import run_launch

    return run_launch(
        actor=None, template=schedule.template, params=_launch_params(schedule, occurrence),
        start_date=occurrence, name=f"{schedule.name} {occurrence.isoformat()}"[:300],
        starter=schedule.owner, schedule=schedule, occurrence=occurrence,
    )


def _advance(schedule_id: int, today: dt.date, calendar: BusinessCalendar,
             report: LaunchReport) -> bool:
    """Launch the schedule's next occurrence if it is due, and advance; False when not due."""
    with transaction.atomic():
        # The row lock makes a second worker wait here, then see the advanced date.
        schedule = Schedule.objects.select_for_update().filter(pk=schedule_id).first()
        if schedule is None or not schedule.active or schedule.next_occurrence is None \
                or schedule.next_occurrence > today:
            return False
        occurrence = schedule.next_occurrence
        if not Run.objects.filter(schedule=schedule, occurrence=occurrence).exists():
            try:
                with transaction.atomic():  # a savepoint: a failed launch leaves nothing
                    report.launched.append(_launch_one(schedule, occurrence))
                schedule.last_launched_at = timezone.now()
            except IntegrityError:
                pass  # launched meanwhile (the unique constraint): nothing more to do
            except Exception as exc:
                # Any failure is recorded and skipped: one broken schedule must not stop the
                # others, nor be retried forever.
                if not isinstance(exc, ValidationError):
                    logger.exception("schedule %s: launch of %s failed", schedule.pk, occurrence)
                report.failed.append((schedule, occurrence,
                                      _record_failure(schedule, occurrence, exc)))
        try:
            schedule.next_occurrence = next_occurrence(
                _rule(schedule.rule), occurrence + dt.timedelta(days=1), calendar)
        except (ValidationError, CalendarError) as exc:
            # The rule cannot produce another date: stop until someone edits it.
            report.failed.append((schedule, occurrence, _record_failure(
                schedule, occurrence + dt.timedelta(days=1), exc)))
            schedule.next_occurrence = None
        schedule.save(update_fields=["next_occurrence", "last_launched_at"])
        return True


def schedule_launch_due(*, organization: Organization, today: dt.date) -> LaunchReport:
    """Launch every occurrence on or before ``today`` that has not been launched, oldest first.

    Missed occurrences (the worker was stopped) are caught up, each launched with its own
    occurrence date as the start date. Safe to call from several workers at once.
    """
    report = LaunchReport()
    with tenancy.activate(organization):
        calendar = business_calendar(organization=organization)
        due = list(
            Schedule.objects.filter(active=True, next_occurrence__lte=today)
            .order_by("next_occurrence", "pk").values_list("pk", flat=True)
        )
        for schedule_id in due:
            for _i in range(MAX_CATCH_UP):
                if not _advance(schedule_id, today, calendar, report):
                    break
    return report


@transaction.atomic
def schedule_launch_retry(*, actor: Actor, failure: Job) -> Run:
    """Launch a failed occurrence again now (after fixing its cause); the record is closed."""
    if failure.kind != LAUNCH_FAILED or failure.organization_id != \
            tenancy.active_organization_id() or failure.status != JobStatus.FAILED:
        raise ValidationError(_("This is not a failed scheduled launch."))
    schedule = Schedule.objects.select_for_update().filter(pk=failure.payload["schedule"]).first()
    if schedule is None:
        raise ValidationError(_("The schedule no longer exists."))
    occurrence = dt.date.fromisoformat(failure.payload["occurrence"])
    if Run.objects.filter(schedule=schedule, occurrence=occurrence).exists():
        raise ValidationError(_("This occurrence has been launched already."))
    from somu.procedures.services.runs import run_launch

    run = run_launch(
        actor=actor, template=schedule.template, params=_launch_params(schedule, occurrence),
        start_date=occurrence, name=f"{schedule.name} {occurrence.isoformat()}"[:300],
        starter=schedule.owner, schedule=schedule, occurrence=occurrence,
    )
    Job.objects.filter(pk=failure.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
    return run
