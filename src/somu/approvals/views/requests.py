"""The request pages (申請・稟議): filing a request (with its route shown before it is sent), a
request with its 決裁欄, history and versions, the decisions on it, the list and the inbox.

Views stay thin: reads through :mod:`somu.approvals.selectors` (and :mod:`.request_page` for
the words), writes through :mod:`somu.approvals.services`, whose ValidationError goes next to
the fields, whose Conflict (a concurrent decision) becomes a message, and whose
PermissionDenied is a 403. A request the member may not read is a 404, as is another
organization's.
"""

from __future__ import annotations

from typing import Any, Final

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from somu.approvals import forms_requests as rf
from somu.approvals import kinds, presenters, selectors
from somu.approvals import permissions as p
from somu.approvals.models import (
    Attachment,
    PostReview,
    Request,
    RequestType,
    Seat,
    SeatState,
    Stage,
    StageKind,
)
from somu.approvals.services import decisions
from somu.approvals.services import requests as services
from somu.approvals.views import request_page as page
from somu.core import sniff
from somu.core.attachments import max_attachment_bytes
from somu.core.errors import Conflict
from somu.core.permissions import has_perm, require
from somu.core.requests import AuthedRequest
from somu.core.web import (
    apply_errors,
    org_view,
    paginate,
    querystring_without_page,
    render_page,
)
from somu.org.models import Person
from somu.org.permissions import VIEW_ORG
from somu.org.selectors import department_paths

REQUESTS_PER_PAGE: Final = 50


def _visible(request: AuthedRequest, request_id: int) -> Request:
    """The request if the member may read it (as deputy or superior too), else 404."""
    found = get_object_or_404(Request.objects.select_related(
        "request_type", "requester", "submitted_by", "department", "launched_run"),
        pk=request_id)
    if not selectors.can_read(request.membership, found, today=timezone.localdate()):
        raise Http404
    return found


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---- filing a request -------------------------------------------------------------------------


@require_GET
@org_view(p.SUBMIT_REQUESTS)
def request_new(request: AuthedRequest) -> HttpResponse:
    """The request types one can file, with what each is for."""
    return render(request, "approvals/requests/new.html", {
        "types": list(selectors.request_types()),
        "drafts": list(Request.objects.filter(
            Q(requester_id=request.membership.person_id)
            | Q(submitted_by_id=request.membership.person_id),
            revision=0).select_related("request_type")[:10])
        if request.membership.person_id else [],
    })


def _form(request: AuthedRequest, request_type: RequestType,
          instance: Request | None = None) -> rf.RequestForm:
    on_behalf = instance is None and has_perm(request.membership, p.SUBMIT_ON_BEHALF)
    if request.method == "POST":
        return rf.RequestForm(request.POST, request_type=request_type, on_behalf=on_behalf)
    initial = rf.RequestForm.initial_of(instance) if instance is not None else {}
    return rf.RequestForm(initial=initial, request_type=request_type, on_behalf=on_behalf)


def _render_form(request: AuthedRequest, request_type: RequestType, form: rf.RequestForm,
                 instance: Request | None = None, status: int = 200) -> HttpResponse:
    return render(request, "approvals/requests/form.html", {
        "request_type": request_type, "form": form, "object": instance,
        "preview_url": reverse("approvals:route_preview", args=[instance.pk]) if instance
        else reverse("approvals:route_preview_new", args=[request_type.pk]),
        "action_url": reverse("approvals:request_edit", args=[instance.pk]) if instance
        else reverse("approvals:request_create", args=[request_type.pk]),
    }, status=status)


def _save(request: AuthedRequest, request_type: RequestType, form: rf.RequestForm,
          instance: Request | None) -> HttpResponse:
    """下書き保存, or 経路を確認して申請 (save, then submit): shared by create and edit."""
    membership = request.membership
    form.is_valid()  # every field is optional here: the service says what is missing
    requester: Person | None = form.cleaned_data.get("requester")
    if requester is None:
        requester = membership.person
    if requester is None and instance is None:
        messages.error(request, _("Your account is not linked to a person of the organization; "
                                  "ask an administrator to link it."))
        return _render_form(request, request_type, form, instance, status=403)
    now = timezone.now()
    try:
        saved = services.request_save(
            membership=membership, request_type=request_type,
            requester=requester or instance.requester,  # type: ignore[union-attr]
            title=form.cleaned_data.get("title", ""), amount=form.cleaned_data.get("amount"),
            category=form.cleaned_data.get("category", ""), values=form.values(),
            request=instance, now=now)
    except ValidationError as exc:
        apply_errors(form, exc, form.field_map())
        return _render_form(request, request_type, form, instance, status=400)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("approvals:request_detail", request_id=instance.pk)  # type: ignore[union-attr]
    if request.POST.get("action") != "submit":
        messages.success(request, _("The draft has been saved."))
        return redirect("approvals:request_detail", request_id=saved.pk)
    return _submit(request, saved, form)


def _submit(request: AuthedRequest, saved: Request, form: rf.RequestForm | None = None
            ) -> HttpResponse:
    try:
        submitted = services.request_submit(membership=request.membership, request=saved,
                                            today=timezone.localdate(), now=timezone.now())
    except ValidationError as exc:
        # The draft is kept; its form shows what stops the submission.
        saved.refresh_from_db()
        if (kind := kinds.kind_of(saved.request_type)) is not None:
            messages.error(request, _errors(exc))
            return redirect(kind.edit_url(saved))
        if form is None:
            form = rf.RequestForm.bound_to(saved)
        apply_errors(form, exc, form.field_map())
        messages.warning(request, _("The draft is saved but could not be submitted: correct "
                                    "what is marked below."))
        return _render_form(request, saved.request_type, form, saved, status=400)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("approvals:request_detail", request_id=saved.pk)
    messages.success(request, _("Submitted as %(number)s. The route below is fixed for this "
                                "request.") % {"number": submitted.number})
    return redirect("approvals:request_detail", request_id=submitted.pk)


@require_http_methods(["GET", "POST"])
@org_view(p.SUBMIT_REQUESTS)
def request_create(request: AuthedRequest, type_id: int) -> HttpResponse:
    request_type = get_object_or_404(RequestType, pk=type_id, is_active=True)
    if (kind := kinds.kind_of(request_type)) is not None:
        return redirect(kind.new_url(request_type))
    form = _form(request, request_type)
    if request.method == "POST":
        return _save(request, request_type, form, None)
    return _render_form(request, request_type, form)


def _own_editable(request: AuthedRequest, request_id: int) -> Request:
    found = _visible(request, request_id)
    person_id = request.membership.person_id
    if person_id is None or person_id not in (found.requester_id, found.submitted_by_id):
        raise Http404
    return found


@require_http_methods(["GET", "POST"])
@org_view(p.SUBMIT_REQUESTS)
def request_edit(request: AuthedRequest, request_id: int) -> HttpResponse:
    instance = _own_editable(request, request_id)
    if not instance.is_editable:
        messages.error(request, _("This request is %(state)s and can no longer be edited.")
                       % {"state": instance.get_state_display()})
        return redirect("approvals:request_detail", request_id=instance.pk)
    if (kind := kinds.kind_of(instance.request_type)) is not None:
        return redirect(kind.edit_url(instance))
    form = _form(request, instance.request_type, instance)
    if request.method == "POST":
        return _save(request, instance.request_type, form, instance)
    return _render_form(request, instance.request_type, form, instance)


def _preview(request: AuthedRequest, draft: Request, form: rf.RequestForm) -> HttpResponse:
    """The route the typed content would get (nothing saved)."""
    form.is_valid()
    draft.amount = form.draft_amount()
    draft.category = form.cleaned_data.get("category") or ""
    draft.values = form.draft_values()
    day = draft.submitted_on or timezone.localdate()
    context: dict[str, Any] = {"stages": [], "error": ""}
    try:
        route, version = services.resolve_route(draft, day=day, version=draft.rule_version)
    except ValidationError as exc:
        context["error"] = _errors(exc)
    else:
        ids = {i for s in route.stages for i in s.approvers}
        people = {person.pk: person for person in
                  Person.objects.filter(pk__in=ids).select_related("position")}
        context["version"] = version
        context["stages"] = [{
            "kind": presenters.stage_kind_label(s.kind), "label": s.label, "row": s.row,
            "skipped": s.skipped, "people": [people[i] for i in s.approvers if i in people],
            "whys": [presenters.why_text(w) for w in s.why],
        } for s in route.stages]
    return render(request, "approvals/requests/_route_preview.html", context)


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def route_preview_new(request: AuthedRequest, type_id: int) -> HttpResponse:
    request_type = get_object_or_404(RequestType, pk=type_id, is_active=True)
    form = _form(request, request_type)
    form.is_valid()
    requester = form.cleaned_data.get("requester") or request.membership.person
    if requester is None:
        return render(request, "approvals/requests/_route_preview.html", {"error": _(
            "Your account is not linked to a person of the organization; ask an administrator "
            "to link it.")})
    draft = Request(request_type=request_type, requester=requester)
    return _preview(request, draft, form)


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def route_preview(request: AuthedRequest, request_id: int) -> HttpResponse:
    instance = _own_editable(request, request_id)
    return _preview(request, instance, _form(request, instance.request_type, instance))


# ---- one request ------------------------------------------------------------------------------


def _detail(request: AuthedRequest, found: Request, *, status: int = 200,
            **forms: Any) -> HttpResponse:
    today = timezone.localdate()
    stages = selectors.request_route(found)
    actions = page.actions_for(request.membership.person, found, stages, today)
    kind = kinds.kind_of(found.request_type)
    return render(request, "approvals/requests/detail.html", {
        "kind_section": mark_safe(kind.section(request, found))  # noqa: S308 (the app's template)
        if kind is not None and kind.section is not None else "",
        "kind_edit_url": kind.edit_url(found) if kind is not None else "",
        "object": found, "boxes": page.route_boxes(stages), "actions": actions,
        "values": page.values_shown(found), "amount": presenters.yen(found.amount),
        "attachments": list(found.attachments.select_related("uploaded_by")),
        "history": page.history(found), "diffs": page.version_diffs(found),
        "decision_form": forms.get("decision_form") or rf.DecisionForm(),
        "superior_form": forms.get("superior_form"),
        "participant_form": forms.get("participant_form") or rf.ParticipantForm(),
        "review_form": forms.get("review_form") or rf.PostReviewForm(),
        "attach_error": forms.get("attach_error", ""),
        "accept": ",".join(f".{ext}" for ext in sorted(sniff.KINDS)),
        "accepted": sniff.accepted_extensions(),
        "max_bytes": max_attachment_bytes(),
    }, status=status)


@require_GET
@org_view(VIEW_ORG)
def request_detail(request: AuthedRequest, request_id: int) -> HttpResponse:
    return _detail(request, _visible(request, request_id))


def _act(request: AuthedRequest, found: Request, call: Any, done: str) -> HttpResponse:
    """Run a service; its Conflict or ValidationError is a message on the request page."""
    try:
        call()
    except (Conflict, ValidationError) as exc:
        messages.error(request, _errors(exc) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, done)
    return redirect("approvals:request_detail", request_id=found.pk)


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def request_submit(request: AuthedRequest, request_id: int) -> HttpResponse:
    return _submit(request, _own_editable(request, request_id))


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def request_recall(request: AuthedRequest, request_id: int) -> HttpResponse:
    found = _own_editable(request, request_id)
    return _act(request, found, lambda: services.request_recall(
        membership=request.membership, request=found, now=timezone.now(),
        comment=request.POST.get("comment", "")),
        _("The request has been taken back. Edit it and submit it again when ready."))


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def request_delete(request: AuthedRequest, request_id: int) -> HttpResponse:
    found = _own_editable(request, request_id)
    try:
        services.request_delete(membership=request.membership, request=found)
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("approvals:request_detail", request_id=found.pk)
    messages.success(request, _("The draft “%(title)s” has been deleted.") % {"title": found.title})
    return redirect("approvals:request_new")


@require_POST
@org_view(VIEW_ORG)
def request_decide(request: AuthedRequest, request_id: int) -> HttpResponse:
    """承認 / 却下 / 差し戻し, in person, as deputy (代理承認) or for an absent approver (代決)."""
    found = _visible(request, request_id)
    superior = request.POST.get("acting") == "superior"
    form: Any = (rf.SuperiorDecisionForm if superior else rf.DecisionForm)(request.POST)
    if not form.is_valid():
        key = "superior_form" if superior else "decision_form"
        return _detail(request, found, status=400, **{key: form})
    data = form.cleaned_data
    try:
        decisions.request_decide(
            membership=request.membership, request=found.pk, decision=data["decision"],
            comment=data["comment"], seat=data.get("seat"),
            acting="superior" if superior else (data.get("acting") or ""),
            return_to=data.get("return_to") or None,
            today=timezone.localdate(), now=timezone.now())
    except ValidationError as exc:
        apply_errors(form, exc)
        key = "superior_form" if superior else "decision_form"
        return _detail(request, found, status=400, **{key: form})
    except Conflict as exc:
        messages.error(request, str(exc))
        return redirect("approvals:request_detail", request_id=found.pk)
    except Seat.DoesNotExist:
        raise Http404 from None
    done = {"approve": _("You approved the request."), "reject": _("You rejected the request."),
            "return": _("You sent the request back.")}[data["decision"]]
    messages.success(request, done)
    return redirect("approvals:request_detail", request_id=found.pk)


@require_POST
@org_view(VIEW_ORG)
def request_seen(request: AuthedRequest, request_id: int) -> HttpResponse:
    found = _visible(request, request_id)
    return _act(request, found, lambda: decisions.seat_mark_seen(
        membership=request.membership, request=found, now=timezone.now()),
        _("Marked as read."))


@require_POST
@org_view(VIEW_ORG)
def participant_add(request: AuthedRequest, request_id: int) -> HttpResponse:
    found = _visible(request, request_id)
    form = rf.ParticipantForm(request.POST)
    if not form.is_valid():
        return _detail(request, found, status=400, participant_form=form)
    person = form.cleaned_data["person"]
    try:
        decisions.stage_add_participant(membership=request.membership, request=found,
                                        stage=form.cleaned_data["stage"], person=person,
                                        now=timezone.now())
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail(request, found, status=400, participant_form=form)
    except Conflict as exc:
        messages.error(request, str(exc))
    except Stage.DoesNotExist:
        raise Http404 from None
    else:
        messages.success(request, _("%(name)s has been asked into the consultation.")
                         % {"name": person.name})
    return redirect("approvals:request_detail", request_id=found.pk)


# ---- attachments -------------------------------------------------------------------------------


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def attachment_add(request: AuthedRequest, request_id: int) -> HttpResponse:
    found = _own_editable(request, request_id)
    upload = request.FILES.get("file")
    if upload is None or not upload.name:
        return _detail(request, found, status=400, attach_error=_("Choose a file to attach."))
    try:
        services.attachment_add(membership=request.membership, request=found, upload=upload,
                                now=timezone.now())
    except ValidationError as exc:
        return _detail(request, found, status=400, attach_error=_errors(exc))
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(file)s” has been attached.") % {"file": upload.name})
    return redirect("approvals:request_detail", request_id=found.pk)


def _attachment(request: AuthedRequest, request_attachment_id: int) -> Attachment:
    attachment = get_object_or_404(Attachment, pk=request_attachment_id)
    _visible(request, attachment.request_id)
    return attachment


@require_GET
@org_view(VIEW_ORG)
def attachment_download(request: AuthedRequest, request_attachment_id: int) -> HttpResponse:
    """The file, to those who may read its request; every download is audited."""
    attachment = _attachment(request, request_attachment_id)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    services.attachment_downloaded(membership=request.membership, attachment=attachment)
    return FileResponse(  # type: ignore[return-value]
        handle, as_attachment=True, filename=attachment.filename,
        content_type=attachment.content_type)


@require_POST
@org_view(p.SUBMIT_REQUESTS)
def attachment_delete(request: AuthedRequest, request_attachment_id: int) -> HttpResponse:
    attachment = _attachment(request, request_attachment_id)
    _own_editable(request, attachment.request_id)
    try:
        services.attachment_remove(membership=request.membership, attachment=attachment)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(file)s” has been removed.")
                         % {"file": attachment.filename})
    return redirect("approvals:request_detail", request_id=attachment.request_id)


# ---- 後閲 ----------------------------------------------------------------------------------------


@require_POST
@org_view(VIEW_ORG)
def post_review(request: AuthedRequest, review_id: int) -> HttpResponse:
    """後閲: acknowledge (確認) or flag (異議) what a superior decided in one's absence."""
    review = get_object_or_404(PostReview, pk=review_id,
                               person_id=request.membership.person_id or 0)
    found = _visible(request, review.request_id)
    form = rf.PostReviewForm(request.POST)
    form.is_valid()
    flag = request.POST.get("flag") == "1"
    try:
        decisions.post_review_complete(membership=request.membership, post_review=review,
                                       flag=flag, comment=form.cleaned_data.get("comment", ""),
                                       now=timezone.now())
    except ValidationError as exc:
        apply_errors(form, exc)
        return _detail(request, found, status=400, review_form=form)
    except Conflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your objection has been sent to the requester.") if flag
                         else _("Thank you: the decision is acknowledged."))
    return redirect("approvals:request_detail", request_id=found.pk)


# ---- the list and the inbox ---------------------------------------------------------------------


@require_GET
@org_view(VIEW_ORG)
def request_list(request: AuthedRequest) -> HttpResponse:
    membership = request.membership
    if not (has_perm(membership, p.SUBMIT_REQUESTS) or has_perm(membership, p.VIEW_REQUESTS)):
        require(membership, p.VIEW_REQUESTS)
    flt = selectors.RequestFilter.parse(request.GET)
    departments = department_paths()
    form = rf.RequestFilterForm(request.GET, departments=departments, types=list(
        selectors.request_types(active_only=False).values_list("pk", "name")))
    labels = {"type": _("Request type"), "state": _("State"), "requester": _("Requester"),
              "department": _("Department"), "amount_min": _("Amount from"),
              "amount_max": _("Amount up to"), "from": _("Created from"),
              "to": _("Created up to")}
    filter_errors = [_("“%(value)s” is not a valid value for “%(filter)s”: that filter is "
                       "ignored.") % {"value": value, "filter": labels.get(key, key)}
                     for key, value in flt.errors.items()]
    result = paginate(request, selectors.requests_list(membership, flt),
                      per_page=REQUESTS_PER_PAGE)
    rows = list(result.object_list)
    approvers: dict[int, list[str]] = {}
    for seat in (Seat.objects.filter(request__in=[r.pk for r in rows], current=True,
                                     state=SeatState.PENDING)
                 .exclude(stage__kind=StageKind.CIRCULATE).select_related("person")
                 .order_by("pk")):
        approvers.setdefault(seat.request_id, []).append(seat.person.name)
    query = querystring_without_page(request)
    filtered = any(v for k, v in request.GET.items() if k != "page")
    return render_page(request, "approvals/requests/list.html", {
        "form": form, "page": result, "query": query, "filtered": filtered,
        "filter_errors": filter_errors,
        "rows": [{"request": r, "amount": presenters.yen(r.amount),
                  "approvers": approvers.get(r.pk, [])} for r in rows],
        "export_base": reverse("approvals:request_export") + "?" + (query + "&" if query else ""),
        # Anyone exports what they can read (the export takes the list's own rows).
        "can_export": True,
    }, partial="approvals/requests/_table.html")


@require_GET
@org_view(VIEW_ORG)
def inbox(request: AuthedRequest) -> HttpResponse:
    """承認待ち: what awaits one's decision (also as deputy), 回覧 to read, 後閲 to do."""
    me = request.membership.person
    today = timezone.localdate()
    items = selectors.inbox(me, today=today) if me else []
    circulated = list(selectors.circulated_to(me)) if me else []
    reviews = list(selectors.post_reviews_of(me)) if me else []
    return render(request, "approvals/requests/inbox.html", {
        "me": me, "items": [{"item": i, "amount": presenters.yen(i.request.amount)}
                            for i in items],
        "circulated": circulated, "reviews": reviews, "now": timezone.now(),
    })
