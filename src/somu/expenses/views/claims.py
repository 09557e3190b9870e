"""The claim pages (経費精算・仮払申請): one's own claims, a new claim or advance, a claim with
its lines, receipts and 規程チェック, submission and correction.

Views stay thin: reads through :mod:`somu.expenses.selectors` (who may read a claim), writes
through :mod:`somu.expenses.services`, whose ValidationError goes next to the fields, whose
Conflict (a claim no longer editable) is a message with 409, and whose PermissionDenied is a 403.
A claim the member may not read is a 404, as is another organization's. Decisions, 取り戻し
and deleting a draft are approvals' (the request page).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from somu.core.errors import Conflict
from somu.core.requests import AuthedRequest
from somu.core.web import (
    apply_errors,
    org_view,
    paginate,
    querystring_without_page,
    render_page,
)
from somu.expenses import forms as ef
from somu.expenses import permissions as p
from somu.expenses import selectors
from somu.expenses.models import Claim, ClaimKind, Line
from somu.expenses.services import claims as services
from somu.expenses.services import receipts as receipt_services
from somu.expenses.views import presenting
from somu.org.permissions import VIEW_ORG


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _readable(request: AuthedRequest, claim_id: int) -> Claim:
    return selectors.readable_claim(request.membership, claim_id, today=timezone.localdate())


def _is_own(request: AuthedRequest, claim: Claim) -> bool:
    person_id = request.membership.person_id
    return person_id is not None and person_id in (claim.request.requester_id,
                                                   claim.request.submitted_by_id)


def _own(request: AuthedRequest, claim_id: int) -> Claim:
    """The claim, if it is the member's own (a claim one may only read is a 404 here)."""
    claim = _readable(request, claim_id)
    if not _is_own(request, claim):
        raise Http404
    return claim


# ---- the list --------------------------------------------------------------------------------


@require_GET
@org_view(p.SUBMIT_EXPENSES)
def claim_list(request: AuthedRequest) -> HttpResponse:
    form = ef.ClaimFilterForm(request.GET or None)
    state = kind = ""
    if form.is_valid():
        state, kind = form.cleaned_data["state"], form.cleaned_data["kind"]
    page = paginate(request, selectors.my_claims(request.membership.person, state=state,
                                                 kind=kind))
    return render_page(request, "expenses/claims/list.html", {
        "form": form, "page": page, "rows": page.object_list, "filtered": bool(state or kind),
        "query": querystring_without_page(request),
        "no_person": request.membership.person_id is None}, partial="expenses/claims/_table.html")


# ---- a new claim or advance --------------------------------------------------------------------


def _header_form(request: AuthedRequest, kind: str, claim: Claim | None = None,
                 data: Any = None) -> ef.ClaimForm:
    person = claim.request.requester if claim is not None else request.membership.person
    trips = list(selectors.approved_trips(person)) if person is not None else []
    advances = (list(selectors.open_advances(person, claim=claim))
                if person is not None and kind == ClaimKind.CLAIM else [])
    initial = ef.ClaimForm.initial_of(claim) if claim is not None else {}
    return ef.ClaimForm(data, initial=initial, kind=kind, trips=trips, advances=advances)


@require_http_methods(["GET", "POST"])
@org_view(p.SUBMIT_EXPENSES)
def claim_new(request: AuthedRequest) -> HttpResponse:
    # ?kind=advance: where approvals sends a new 仮払申請 (the kind's new_url)
    if request.GET.get("kind") == ClaimKind.ADVANCE:
        return _new(request, ClaimKind.ADVANCE)
    return _new(request, ClaimKind.CLAIM)


@require_http_methods(["GET", "POST"])
@org_view(p.SUBMIT_EXPENSES)
def advance_new(request: AuthedRequest) -> HttpResponse:
    return _new(request, ClaimKind.ADVANCE)


def _new(request: AuthedRequest, kind: str) -> HttpResponse:
    form = _header_form(request, kind, data=request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if request.membership.person_id is None:
            form.add_error(None, _("Your account is not linked to a person of the "
                                   "organization; ask an administrator to link it."))
            status = 403
        else:
            try:
                claim = services.claim_create(membership=request.membership, kind=kind,
                                              now=timezone.now(), **form.data_for_service())
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("The draft has been saved."))
                return redirect("expenses:claim_detail", claim_id=claim.pk)
    return render(request, "expenses/claims/new.html", {"form": form, "kind": kind},
                  status=status)


# ---- one claim ---------------------------------------------------------------------------------


def _page(request: AuthedRequest, claim: Claim, *, status: int = 200, line_form: Any = None,
          editing: Line | None = None, header_form: Any = None,
          submit_errors: list[str] | None = None, receipt_error: str = "") -> HttpResponse:
    today = timezone.localdate()
    own = _is_own(request, claim)
    editable = own and not claim.locked and claim.request.is_editable
    lines = selectors.claim_lines(claim)
    receipts = list(claim.receipts.all())
    context: dict[str, Any] = {
        "claim": claim, "object": claim.request, "own": own, "editable": editable,
        "lines": presenting.line_rows(lines), "receipts": presenting.receipt_rows(receipts),
        "totals": presenting.tax_rows(lines),
        "total": sum(line.amount for line in lines),
        "findings": presenting.findings(claim, today=today, live=editable),
        "submit_errors": submit_errors or [], "receipt_error": receipt_error,
        "accept": ef.RECEIPT_ACCEPT, "editing": editing,
        "corrections": list(claim.corrections.select_related("request")),
        "settlements": list(claim.settlements.select_related("request"))
        if claim.kind == ClaimKind.ADVANCE else [],
        "can_correct": own and claim.kind == ClaimKind.CLAIM
        and claim.request.state == "approved",
    }
    if editable:
        accounts = selectors.claim_accounts()
        if line_form is None:
            initial: dict[str, Any] = {}
            prefill = request.GET.get("prefill", "")
            found = next((r for r in receipts if str(r.pk) == prefill), None)
            if editing is not None:
                initial = ef.LineForm.initial_of(editing)
            elif found is not None:
                initial = ef.LineForm.initial_from_proposal(found)
            line_form = ef.LineForm(initial=initial, accounts=accounts, receipts=receipts)
        context["line_form"] = line_form
        context["account_hints"] = line_form.account_hints
        context["header_form"] = header_form or _header_form(request, claim.kind, claim)
    return render(request, "expenses/claims/detail.html", context, status=status)


@require_GET
@org_view(VIEW_ORG)
def claim_detail(request: AuthedRequest, claim_id: int) -> HttpResponse:
    return _page(request, _readable(request, claim_id))


def _conflict(request: AuthedRequest, claim: Claim, exc: Conflict) -> HttpResponse:
    messages.error(request, str(exc))
    claim.refresh_from_db()
    return _page(request, claim, status=409)


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def claim_edit(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = _own(request, claim_id)
    form = _header_form(request, claim.kind, claim, data=request.POST)
    try:
        services.claim_update(membership=request.membership, claim=claim, now=timezone.now(),
                              **form.data_for_service())
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, claim, status=400, header_form=form)
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("The draft has been saved."))
    return redirect("expenses:claim_detail", claim_id=claim.pk)


def _line_form(request: AuthedRequest, claim: Claim) -> ef.LineForm:
    return ef.LineForm(request.POST, accounts=selectors.claim_accounts(),
                       receipts=list(claim.receipts.all()))


def _save_line(request: AuthedRequest, claim: Claim, line: Line | None) -> HttpResponse:
    form = _line_form(request, claim)
    try:
        services.line_save(membership=request.membership, claim=claim, line=line,
                           data=form.data_for_service(), today=timezone.localdate(),
                           now=timezone.now())
    except ValidationError as exc:
        apply_errors(form, exc)
        return _page(request, claim, status=400, line_form=form, editing=line)
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("The line has been saved.") if line is not None
                     else _("The line has been added."))
    return redirect("expenses:claim_detail", claim_id=claim.pk)


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def line_add(request: AuthedRequest, claim_id: int) -> HttpResponse:
    return _save_line(request, _own(request, claim_id), None)


def _line(request: AuthedRequest, line_id: int) -> tuple[Claim, Line]:
    line = Line.objects.filter(pk=line_id).first()
    if line is None:
        raise Http404
    return _readable(request, line.claim_id), line


@require_http_methods(["GET", "POST"])
@org_view(VIEW_ORG)
def line_edit(request: AuthedRequest, line_id: int) -> HttpResponse:
    """GET: the claim page with this line in the form; POST: save it."""
    claim, line = _line(request, line_id)
    if request.method == "GET":
        return _page(request, claim, editing=line)
    if not _is_own(request, claim):
        raise Http404
    return _save_line(request, claim, line)


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def line_delete(request: AuthedRequest, line_id: int) -> HttpResponse:
    claim, line = _line(request, line_id)
    if not _is_own(request, claim):
        raise Http404
    try:
        services.line_delete(membership=request.membership, line=line, now=timezone.now())
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("Line %(n)s has been deleted.") % {"n": line.number})
    return redirect("expenses:claim_detail", claim_id=claim.pk)


# ---- receipts ----------------------------------------------------------------------------------


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def receipt_add(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = _own(request, claim_id)
    upload = request.FILES.get("file") or request.FILES.get("photo")
    if upload is None or not upload.name:
        return _page(request, claim, status=400, receipt_error=_("Choose a file to attach."))
    try:
        receipt_services.receipt_add(membership=request.membership, claim=claim.pk,
                                     upload=upload, now=timezone.now())
    except ValidationError as exc:
        return _page(request, claim, status=400, receipt_error=" ".join(_errors(exc)))
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("“%(file)s” has been attached.") % {"file": upload.name})
    return redirect("expenses:claim_detail", claim_id=claim.pk)


@require_GET
@org_view(VIEW_ORG)
def receipt_download(request: AuthedRequest, receipt_id: int) -> HttpResponse:
    """The file, to those who may read its claim; every download is audited."""
    receipt = selectors.readable_receipt(request.membership, receipt_id,
                                         today=timezone.localdate())
    try:
        handle = receipt.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    receipt_services.receipt_downloaded(membership=request.membership, receipt=receipt)
    return FileResponse(  # type: ignore[return-value]
        handle, as_attachment=request.GET.get("inline") != "1", filename=receipt.filename,
        content_type=receipt.content_type)


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def receipt_delete(request: AuthedRequest, receipt_id: int) -> HttpResponse:
    receipt = selectors.readable_receipt(request.membership, receipt_id,
                                         today=timezone.localdate())
    claim = _own(request, receipt.claim_id)
    try:
        receipt_services.receipt_remove(membership=request.membership, receipt=receipt)
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("“%(file)s” has been removed.") % {"file": receipt.filename})
    return redirect("expenses:claim_detail", claim_id=claim.pk)


# ---- submitting and correcting -----------------------------------------------------------------


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def claim_submit(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = _own(request, claim_id)
    try:
        submitted = services.claim_submit(membership=request.membership, claim=claim,
                                          today=timezone.localdate(), now=timezone.now())
    except ValidationError as exc:
        claim.refresh_from_db()
        return _page(request, claim, status=400, submit_errors=_errors(exc))
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("Submitted as %(number)s.") % {"number": submitted.request.number})
    return redirect("expenses:claim_detail", claim_id=submitted.pk)


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def claim_delete(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = _own(request, claim_id)
    try:
        services.claim_delete(membership=request.membership, claim=claim)
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("The draft has been deleted."))
    return redirect("expenses:claim_list")


@require_POST
@org_view(p.SUBMIT_EXPENSES)
def claim_correct(request: AuthedRequest, claim_id: int) -> HttpResponse:
    claim = _own(request, claim_id)
    try:
        correction = services.claim_correct(membership=request.membership, original=claim,
                                            now=timezone.now())
    except Conflict as exc:
        return _conflict(request, claim, exc)
    messages.success(request, _("A correction of %(number)s has been drafted: change what is "
                                "wrong and submit it.") % {"number": claim.request.number})
    return redirect("expenses:claim_detail", claim_id=correction.pk)
