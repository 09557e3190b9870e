"""A request's life before and between decisions: drafts, submission (with its number and
frozen route), 取り戻し, attachments.

Each write locks the request row (``SELECT … FOR UPDATE``) and checks the state it finds there,
so a recall racing a decision, or two submissions of one draft, succeed exactly once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from somu.approvals import kinds, presenters
from somu.approvals import permissions as p
from somu.approvals.models import (
    Attachment,
    EventKind,
    Request,
    RequestCounter,
    RequestRevision,
    RequestState,
    RequestType,
    RuleVersion,
    Seat,
    Stage,
    StageState,
)
from somu.approvals.services import chart
from somu.approvals.services.base import (
    acting_person,
    audit_actor,
    close_round,
    locked,
    record_event,
)
from somu.approvals.services.progress import activate_next
from somu.audit.services import audit_record
from somu.core.attachments import check_attachment
from somu.core.errors import Conflict
from somu.core.permissions import has_perm
from somu.org.models import Membership, Person
from somu.rules import forms as rule_forms
from somu.rules import routing


def _check_requester(membership: Membership, requester: Person) -> Person:
    """Who enters the request; a request for someone else is a 代理申請 (its own permission)."""
    by = acting_person(membership)
    if requester.pk != by.pk and not has_perm(membership, p.SUBMIT_ON_BEHALF):
        raise PermissionDenied(_("Only back-office staff may file a request on someone else's "
                                 "behalf."))
    if not requester.is_active:
        raise ValidationError({"requester": _("%(name)s has retired and cannot file requests.")
                               % {"name": requester.name}})
    return by


def form_fields(request_type: RequestType) -> tuple[rule_forms.FormFieldSpec, ...]:
    """The request type's form as field specs (stored as a list of dicts)."""
    return tuple(rule_forms.FormFieldSpec(
        key=str(f["key"]), label=str(f.get("label") or f["key"]), type=f.get("type", "text"),
        required=bool(f.get("required", False)), choices=tuple(f.get("choices") or ()),
        help=str(f.get("help", ""))) for f in request_type.fields)


def _clean(request_type: RequestType, *, title: str, amount: Any, category: str,
           values: Mapping[str, Any], final: bool) -> tuple[str, int | None, str, dict[str, Any]]:
    """The content as stored; raises ValidationError naming every wrong field."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Enter a title.")]
    elif len(title) > 200:
        errors["title"] = [_("The title is too long (at most 200 characters).")]
    number: int | None = None
    if amount not in (None, ""):
        text = str(amount).strip().replace(",", "").replace("¥", "").replace("円", "")
        if isinstance(amount, bool) or not text.lstrip("-").isdecimal():
            errors["amount"] = [_("Enter the amount in whole yen (e.g. 120000).")]
        elif int(text) < 0:
            errors["amount"] = [_("The amount cannot be negative.")]
        elif int(text) > 10**13:
            errors["amount"] = [_("The amount is too large.")]
        else:
            number = int(text)
    if request_type.has_amount and final and number is None and "amount" not in errors:
        errors["amount"] = [_("Enter the amount.")]
    category = (category or "").strip()
    if category and category not in request_type.categories:
        errors["category"] = [_("Choose one of: %(choices)s.")
                              % {"choices": "、".join(request_type.categories)}]
    elif request_type.categories and final and not category:
        errors["category"] = [_("Choose a category.")]
    cleaned, field_errors = rule_forms.clean_values(form_fields(request_type), values or {},
                                                    final=final, translate=_)
    errors.update(field_errors)
    for spec in form_fields(request_type):
        chosen = cleaned.get(spec.key)
        if (spec.type == "person" and chosen not in (None, "")
                and not Person.objects.filter(pk=chosen, status="active").exists()):
            errors[spec.key] = [_("Choose an active person of the organization.")]
    if errors:
        raise ValidationError(errors)
    return title, number, category, cleaned


@transaction.atomic
def request_save(*, membership: Membership, request_type: RequestType, requester: Person,
                 title: str, amount: Any = None, category: str = "",
                 values: Mapping[str, Any] | None = None, request: Request | None = None,
                 now: dt.datetime, by_kind: bool = False) -> Request:
    """Create a draft, or save the changes to a request the requester may still edit.

    A type whose content another app owns (:mod:`somu.approvals.kinds`) is saved only by that
    app's services (``by_kind``); through approvals' own form or API it is refused, saying where
    it is filled in.
    """
    if request is not None:
        request = locked(request)
        if not request.is_editable:
            raise Conflict(_("This request is %(state)s and can no longer be edited.")
                           % {"state": request.get_state_display()})
        _check_owner(membership, request)
        request_type = request.request_type
        requester = request.requester
    if not request_type.is_active:
        raise ValidationError({"request_type": _("This request type is no longer in use.")})
    if not by_kind and (kind := kinds.kind_of(request_type)) is not None:
        raise ValidationError({"request_type": _(
            "%(type)s is filled in on its own page (%(kind)s), not on this form.")
            % {"type": request_type.name, "kind": kind.label}})
    by = _check_requester(membership, requester)
    title, number, category, cleaned = _clean(request_type, title=title, amount=amount,
                                              category=category, values=values or {},
                                              final=False)
    created = request is None
    if request is None:
        request = Request(request_type=request_type, requester=requester, created_at=now)
    request.title, request.amount, request.category, request.values = (
        title, number, category, cleaned)
    if by.pk != requester.pk:
        request.submitted_by = by
    request.updated_at = now
    request.save()
    if created:
        record_event(request, EventKind.CREATED, actor=by, now=now)
        audit_record(actor=audit_actor(membership), action="approval_request.create", obj=request,
                     changes={"title": [None, title], "amount": [None, number]})
    return request


def _check_owner(membership: Membership, request: Request) -> None:
    """The requester, or whoever filed it for them (代理申請), acts on it before the decisions."""
    by = acting_person(membership)
    if by.pk not in (request.requester_id, request.submitted_by_id):
        raise PermissionDenied(_("Only the requester (or whoever filed it for them) can do "
                                 "this."))


def draft_of(request: Request, **changes: Any) -> routing.Draft:
    """The request (optionally with unsaved changes) as the resolver's input."""
    return routing.Draft(
        request_type=request.request_type.code, requester_id=request.requester_id,
        amount=changes.get("amount", request.amount),
        category=changes.get("category", request.category),
        department_id=changes.get("department_id", request.requester.department_id),
        values=changes.get("values", request.values))


def resolve_route(request: Request, *, day: dt.date,
                  version: RuleVersion | None = None) -> tuple[routing.Route, RuleVersion]:
    """The route the request gets under ``version`` (default: the 規程 in force on ``day``).

    Raises ValidationError with the reason in words when it cannot be resolved.
    """
    version = version or chart.version_in_force(day)
    if version is None:
        raise ValidationError(_("No approval rules are in force on %(day)s: an administrator "
                                "sets them up under 決裁権限規程.") % {"day": day.isoformat()})
    try:
        route = routing.resolve(chart.rows_of(version), chart.org_chart(), draft_of(request))
    except routing.RouteError as error:
        raise ValidationError(presenters.error_text(error)) from error
    return route, version


def _next_number(request: Request, day: dt.date) -> str:
    year = request.organization.fiscal_year(day)
    counter, _created = RequestCounter.objects.get_or_create(
        request_type=request.request_type, fiscal_year=year,
        defaults={"organization_id": request.organization_id})
    counter = RequestCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{request.request_type.number_prefix}-{year}-{counter.last:05d}"


def _route_signature(stages: list[tuple[str, tuple[int, ...]]]) -> list[list[Any]]:
    return [[kind, list(approvers)] for kind, approvers in stages]


@transaction.atomic
def request_submit(*, membership: Membership, request: Request | int, today: dt.date,
                   now: dt.datetime) -> Request:
    """Submit (or resubmit) the request: check it, give it its number, freeze its route.

    The 規程 in force on the first submission's date applies, also on resubmission; the route is
    resolved again from the (possibly edited) content each time, and the history says when it
    changed.
    """
    request = locked(request)
    if not request.is_editable:
        raise Conflict(_("This request is %(state)s and cannot be submitted.")
                       % {"state": request.get_state_display()})
    _check_owner(membership, request)
    by = acting_person(membership)
    if not request.requester.is_active:
        raise ValidationError(_("%(name)s has retired and cannot file requests.")
                              % {"name": request.requester.name})
    owner = kinds.kind_of(request.request_type)
    if owner is not None and owner.before_submit is not None:
        owner.before_submit(request, today)
    title, amount, category, values = _clean(
        request.request_type, title=request.title, amount=request.amount,
        category=request.category, values=request.values, final=True)
    day = request.submitted_on or today
    request.department_id = request.requester.department_id
    # A resubmission keeps the 規程 version the request was first submitted under: a later
    # revision never changes a submitted request's route.
    route, version = resolve_route(request, day=day, version=request.rule_version)
    previous = list(Stage.objects.filter(request=request, round=request.route_round)
                    .prefetch_related("seats").order_by("index"))
    old_signature = _route_signature([(s.kind, tuple(seat.person_id for seat in s.seats.all()
                                                     if seat.current and seat.added_by_id is None))
                                      for s in previous])
    new_signature = _route_signature([(s.kind, s.approvers) for s in route.stages])

    first = request.revision == 0
    if first or not request.number:
        request.number = _next_number(request, day)
    request.submitted_on = day
    request.submitted_at = request.submitted_at or now
    request.revision += 1
    request.route_round += 1
    request.rule_version = version
    request.state = RequestState.IN_PROGRESS
    request.updated_at = now
    request.save()
    RequestRevision.objects.create(
        organization_id=request.organization_id, request=request, number=request.revision,
        title=title, amount=amount, category=category, values=values,
        attachments=list(request.attachments.values_list("filename", flat=True)),
        submitted_at=now, submitted_by=by)
    stages = _create_stages(request, route, now=now)
    kind = EventKind.SUBMITTED if first else EventKind.RESUBMITTED
    record_event(request, kind, actor=by, now=now,
           on_behalf_of=request.requester if by.pk != request.requester_id else None,
           data={"revision": request.revision, "number": request.number})
    if previous and old_signature != new_signature:
        record_event(request, EventKind.ROUTE_CHANGED, actor=None, now=now,
               data={"reason": "content_changed"})
    for stage in stages:
        if stage.state == StageState.SKIPPED:
            record_event(request, EventKind.STAGE_SKIPPED, actor=None, now=now, stage=stage,
                   data={"why": stage.why})
    audit_record(actor=audit_actor(membership), action="approval_request.submit", obj=request,
                 changes={"state": [None, request.state], "revision": [None, request.revision],
                          "on_behalf_of": [None, request.requester.name]
                          if by.pk != request.requester_id else [None, None]})
    activate_next(request, now=now)
    return request


def _create_stages(request: Request, route: routing.Route, *, now: dt.datetime) -> list[Stage]:
    stages = Stage.objects.bulk_create(
        Stage(organization_id=request.organization_id, request=request,
              round=request.route_round, index=i, kind=s.kind, label=s.label,
              quorum=s.quorum, at_least=s.at_least, allow_add=s.allow_add, rule_row=s.row,
              why=presenters.why_dicts(s.why),
              state=StageState.SKIPPED if s.skipped else StageState.WAITING)
        for i, s in enumerate(route.stages))
    Seat.objects.bulk_create(
        Seat(organization_id=request.organization_id, stage=stage, request=request,
             person_id=person_id)
        for stage, resolved in zip(stages, route.stages, strict=True)
        for person_id in resolved.approvers)
    return stages


@transaction.atomic
def request_recall(*, membership: Membership, request: Request | int, now: dt.datetime,
                   comment: str = "") -> Request:
    """取り戻し: the requester takes the request back before anyone has decided on it."""
    request = locked(request)
    _check_owner(membership, request)
    if request.state != RequestState.IN_PROGRESS:
        raise Conflict(_("This request is %(state)s and cannot be recalled.")
                       % {"state": request.get_state_display()})
    decided = Seat.objects.filter(request=request, stage__round=request.route_round,
                                  decided_at__isnull=False).exists()
    if decided:
        raise Conflict(_("Someone has already decided on this request: it can no longer be "
                         "recalled. Ask the approver to send it back."))
    close_round(request)
    request.state = RequestState.RECALLED
    request.updated_at = now
    request.save(update_fields=["state", "updated_at"])
    record_event(request, EventKind.RECALLED, actor=acting_person(membership), now=now,
                 comment=comment)
    audit_record(actor=audit_actor(membership), action="approval_request.recall", obj=request,
                 changes={"state": [RequestState.IN_PROGRESS, RequestState.RECALLED]})
    return request


@transaction.atomic
def request_delete(*, membership: Membership, request: Request | int,
                   by_kind: bool = False) -> None:
    """Delete a draft that was never submitted (a submitted request keeps its number). A type
    whose content another app owns is deleted by that app (its own records go first)."""
    request = locked(request)
    _check_owner(membership, request)
    if not by_kind and (kind := kinds.kind_of(request.request_type)) is not None:
        raise Conflict(_("Delete this draft on its own page (%(kind)s).")
                       % {"kind": kind.label})
    if request.revision != 0:
        raise Conflict(_("A submitted request cannot be deleted; recall it instead."))
    audit_record(actor=audit_actor(membership), action="approval_request.delete", obj=request,
                 changes={"title": [request.title, None]})
    for attachment in request.attachments.all():
        attachment.file.delete(save=False)
    request.delete()


@transaction.atomic
def attachment_add(*, membership: Membership, request: Request | int, upload: UploadedFile,
                   now: dt.datetime) -> Attachment:
    """Attach a file while the request can be edited; its content must be what its name says."""
    request = locked(request)
    _check_owner(membership, request)
    if not request.is_editable:
        raise Conflict(_("Files can be attached only while the request can be edited."))
    if not request.request_type.allows_attachments:
        raise ValidationError({"file": _("This request type takes no attachments.")})
    checked = check_attachment(upload)
    filename = checked.filename
    attachment = Attachment(organization_id=request.organization_id, request=request,
                            key=uuid.uuid4().hex, filename=filename,
                            content_type=checked.content_type, size=checked.size,
                            sha256=checked.sha256, uploaded_by=acting_person(membership),
                            uploaded_at=now)
    attachment.file.save(attachment.key, upload, save=False)
    attachment.save()
    audit_record(actor=audit_actor(membership), action="approval_request.attach", obj=request,
                 changes={"attachment": [None, filename]})
    return attachment


@transaction.atomic
def attachment_remove(*, membership: Membership, attachment: Attachment) -> None:
    request = locked(attachment.request_id)
    _check_owner(membership, request)
    if not request.is_editable:
        raise Conflict(_("Files can be removed only while the request can be edited."))
    audit_record(actor=audit_actor(membership), action="approval_request.detach", obj=request,
                 changes={"attachment": [attachment.filename, None]})
    attachment.file.delete(save=False)
    attachment.delete()


def attachment_downloaded(*, membership: Membership, attachment: Attachment) -> None:
    """Every download is in the audit log (who read which file of which request)."""
    audit_record(actor=audit_actor(membership), action="approval_request.download",
                 obj=attachment.request, changes={"attachment": [None, attachment.filename]})
