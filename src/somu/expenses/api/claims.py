"""/api/v1/expenses/claims: claims and advances — the list, drafts, the header, lines, receipts,
the live 規程チェック, submitting (through the approvals engine) and corrections.

A claim is visible to its claimant, whoever may read its approval request, and 経理 and auditors
(PROCESS_EXPENSES / SEARCH_EXPENSES); others get 404. Changing it is the claimant's: others get
403. A claim that can no longer change (submitted, approved and locked) is a 409 whose body
carries its state.
"""


from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

import somu.expenses.api.common as common
from somu.core.api import PagePagination, errors
from somu.core.errors import Conflict
from somu.core.requests import AuthedRequest
from somu.expenses import selectors
from somu.expenses.api.common import (
    CONFLICT_NOTE,
    ClaimId,
    LineId,
    ReceiptId,
    claim_detail,
    claim_get,
    conflict,
)
from somu.expenses.models import Line, Receipt
from somu.expenses.schemas import (
    ClaimDetailOut,
    ClaimIn,
    ClaimOut,
    ClaimQuery,
    ClaimUpdateIn,
    FindingOut,
    LineIn,
    LineOut,
    LineUpdateIn,
    ReceiptOut,
)
from somu.expenses.services import claims as services
from somu.expenses.services import receipts

router = Router(tags=["expenses"])


@router.get("/claims", response={200: list[ClaimOut], **errors(403, 422)},
            summary="Claims and advances: the caller's own, or every one (scope=all, for 経理 "
                    "and auditors), newest first",
            operation_id="somu_expenses_api_claim_list")
@paginate(PagePagination)
def claim_list(request: AuthedRequest, filters: Query[ClaimQuery]) -> Any:
    everyone = filters.scope == "all"
    if everyone and not selectors.sees_every_claim(request.auth):
        raise PermissionDenied(_("You may see only your own claims."))
    return selectors.claims_list(request.auth, everyone=everyone, kind=filters.kind or "",
                                 state=filters.state or "")


@router.post("/claims", response={201: ClaimDetailOut, **errors(403, 422)},
             summary="Create a draft claim, or an advance (仮払申請) with its amount and purpose",
             operation_id="somu_expenses_api_claim_create")
def claim_create(request: AuthedRequest, payload: ClaimIn) -> Status[dict[str, Any]]:
    created = services.claim_create(
        membership=request.auth, kind=payload.kind, title=payload.title,
        amount=payload.amount, purpose=payload.purpose, trip=payload.trip_id,
        advance=payload.advance_id, now=common.now())
    return Status(201, claim_detail(created.pk))


@router.get("/claims/{claim_id}", response={200: ClaimDetailOut, **errors(403, 404, 422)},
            summary="A claim with its lines, receipts, totals per tax rate, registry statuses "
                    "and findings",
            operation_id="somu_expenses_api_claim_get")
def claim_read(request: AuthedRequest, claim_id: int = ClaimId) -> dict[str, Any]:
    return claim_detail(claim_get(request, claim_id).pk)


@router.patch("/claims/{claim_id}", response={200: ClaimDetailOut, **errors(403, 404, 409, 422)},
              summary="Change a draft's header (title; an advance's amount and purpose; the "
                      "trip and the advance it settles)",
              description=CONFLICT_NOTE,
              operation_id="somu_expenses_api_claim_update")
def claim_update(request: AuthedRequest, payload: ClaimUpdateIn,
                 claim_id: int = ClaimId) -> Any:
    claim = claim_get(request, claim_id)
    given = payload.model_fields_set
    values = claim.request.values or {}
    try:
        services.claim_update(
            membership=request.auth, claim=claim.pk,
            title=payload.title if "title" in given else claim.request.title,
            amount=payload.amount if "amount" in given else claim.request.amount,
            purpose=payload.purpose if "purpose" in given else str(values.get("purpose", "")),
            trip=payload.trip_id if "trip_id" in given else claim.trip_id,
            advance=payload.advance_id if "advance_id" in given else claim.advance_id,
            now=common.now())
    except Conflict as exc:
        return conflict(request, claim.pk, exc)
    return claim_detail(claim.pk)


@router.post("/claims/{claim_id}/submit",
             response={200: ClaimDetailOut, **errors(403, 404, 409, 422)},
             summary="Submit: the 規程チェック runs (an error refuses it, warnings go to the "
                     "approvers) and the approval route is frozen",
             description="A rule the claim breaks is a 422 naming the line and the rule's text. "
                         + CONFLICT_NOTE,
             operation_id="somu_expenses_api_claim_submit")
def claim_submit(request: AuthedRequest, claim_id: int = ClaimId) -> Any:
    claim = claim_get(request, claim_id)
    try:
        services.claim_submit(membership=request.auth, claim=claim.pk, today=common.today(),
                              now=common.now())
    except Conflict as exc:
        return conflict(request, claim.pk, exc)
    return claim_detail(claim.pk)


@router.delete("/claims/{claim_id}", response={204: None, **errors(403, 404, 409)},
               summary="Delete a draft never submitted, with its lines and receipts",
               description=CONFLICT_NOTE, operation_id="somu_expenses_api_claim_delete")
def claim_delete(request: AuthedRequest, claim_id: int = ClaimId) -> Any:
    claim = claim_get(request, claim_id)
    try:
        services.claim_delete(membership=request.auth, claim=claim.pk)
    except Conflict as exc:
        return conflict(request, claim.pk, exc)
    return Status(204, None)


@router.post("/claims/{claim_id}/correct",
             response={201: ClaimDetailOut, **errors(403, 404, 409, 422)},
             summary="Correct an approved claim: a new draft with its lines and receipts, "
                     "linked to it (both are kept)",
             description=CONFLICT_NOTE,
             operation_id="somu_expenses_api_claim_correct")
def claim_correct(request: AuthedRequest, claim_id: int = ClaimId) -> Any:
    claim = claim_get(request, claim_id)
    try:
        created = services.claim_correct(membership=request.auth, original=claim.pk,
                                         now=common.now())
    except Conflict as exc:
        return conflict(request, claim.pk, exc)
    return Status(201, claim_detail(created.pk))


@router.get("/claims/{claim_id}/check",
            response={200: list[FindingOut], **errors(403, 404, 422)},
            summary="The 規程チェック of the claim as it is now (what submitting would find)",
            operation_id="somu_expenses_api_claim_check")
def claim_check(request: AuthedRequest, claim_id: int = ClaimId) -> list[dict[str, Any]]:
    claim = claim_get(request, claim_id)
    return [f.as_dict() for f in services.findings_of(claim, today=common.today())]


# ---- lines ------------------------------------------------------------------------------------


def _line_data(values: dict[str, Any]) -> dict[str, Any]:
    data = dict(values)
    if "account_id" in data:
        data["account"] = data.pop("account_id")
    if "receipt_id" in data:
        data["receipt"] = data.pop("receipt_id")
    return data


def _line_get(request: AuthedRequest, line_id: int) -> Line:
    line = Line.objects.select_related("account").get(pk=line_id)
    claim_get(request, line.claim_id)
    return line


@router.post("/claims/{claim_id}/lines", response={201: LineOut, **errors(403, 404, 409, 422)},
             summary="Add a line to a draft claim (the claim's amount becomes the lines' total)",
             description="A wrong value is a 422 naming the field (a date in the future, a tax "
                         "rate the account does not allow, a registration number whose check "
                         "digit is wrong …). " + CONFLICT_NOTE,
             operation_id="somu_expenses_api_line_create")
def line_create(request: AuthedRequest, payload: LineIn, claim_id: int = ClaimId) -> Any:
    claim = claim_get(request, claim_id)
    try:
        line = services.line_save(membership=request.auth, claim=claim.pk,
                                  data=_line_data(payload.dict()), today=common.today(),
                                  now=common.now())
    except Conflict as exc:
        return conflict(request, claim.pk, exc)
    return Status(201, Line.objects.select_related("account").get(pk=line.pk))


@router.patch("/lines/{line_id}", response={200: LineOut, **errors(403, 404, 409, 422)},
              summary="Change a line of a draft claim; fields left out keep their value",
              description=CONFLICT_NOTE,
              operation_id="somu_expenses_api_line_update")
def line_update(request: AuthedRequest, payload: LineUpdateIn, line_id: int = LineId) -> Any:
    line = _line_get(request, line_id)
    current = {field: getattr(line, field) for field in services.LINE_FIELDS
               if field not in ("account", "receipt")}
    current["account"] = line.account_id
    current["receipt"] = line.receipt_id
    data = {**current, **_line_data({k: getattr(payload, k)
                                     for k in payload.model_fields_set})}
    try:
        services.line_save(membership=request.auth, claim=line.claim_id, line=line.pk,
                           data=data, today=common.today(), now=common.now())
    except Conflict as exc:
        return conflict(request, line.claim_id, exc)
    return Line.objects.select_related("account").get(pk=line.pk)


@router.delete("/lines/{line_id}", response={204: None, **errors(403, 404, 409, 422)},
               summary="Delete a line of a draft claim",
               description=CONFLICT_NOTE,
               operation_id="somu_expenses_api_line_delete")
def line_delete(request: AuthedRequest, line_id: int = LineId) -> Any:
    line = _line_get(request, line_id)
    try:
        services.line_delete(membership=request.auth, line=line.pk, now=common.now())
    except Conflict as exc:
        return conflict(request, line.claim_id, exc)
    return Status(204, None)


# ---- receipts ---------------------------------------------------------------------------------


@router.post("/claims/{claim_id}/receipts",
             response={201: ReceiptOut, **errors(403, 404, 409, 422)},
             summary="Upload a receipt (PDF, JPEG or PNG; its content must be its type); its "
                     "SHA-256 goes into the audit log",
             description=CONFLICT_NOTE,
             operation_id="somu_expenses_api_receipt_upload")
def receipt_upload(request: AuthedRequest, file: File[UploadedFile | None] = None,
                   claim_id: int = ClaimId) -> Any:
    claim = claim_get(request, claim_id)
    if file is None:
        raise ValidationError({"file": [_("Attach a file.")]})
    try:
        receipt = receipts.receipt_add(membership=request.auth, claim=claim.pk, upload=file,
                                       now=common.now())
    except Conflict as exc:
        return conflict(request, claim.pk, exc)
    return Status(201, receipt)


def _receipt_get(request: AuthedRequest, receipt_id: int) -> Receipt:
    receipt = Receipt.objects.get(pk=receipt_id)
    claim_get(request, receipt.claim_id)
    return receipt


@router.get("/receipts/{receipt_id}", response={**errors(403, 404, 422)},
            summary="Download a receipt (every download is in the audit log)",
            openapi_extra={"responses": {"200": {
                "description": "The file, with its checked content type",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}}},
            operation_id="somu_expenses_api_receipt_download")
def receipt_download(request: AuthedRequest, receipt_id: int = ReceiptId) -> FileResponse:
    receipt = _receipt_get(request, receipt_id)
    try:
        handle = receipt.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    receipts.receipt_downloaded(membership=request.auth, receipt=receipt)
    return FileResponse(handle, as_attachment=True, filename=receipt.filename,
                        content_type=receipt.content_type)


@router.delete("/receipts/{receipt_id}", response={204: None, **errors(403, 404, 409, 422)},
               summary="Remove a receipt from a draft claim (its lines lose it)",
               description=CONFLICT_NOTE,
               operation_id="somu_expenses_api_receipt_delete")
def receipt_delete(request: AuthedRequest, receipt_id: int = ReceiptId) -> Any:
    receipt = _receipt_get(request, receipt_id)
    try:
        receipts.receipt_remove(membership=request.auth, receipt=receipt.pk)
    except Conflict as exc:
        return conflict(request, receipt.claim_id, exc)
    return Status(204, None)
