"""/api/v1/approvals/requests: the list (filtered by the page's own parser), drafts, submitting,
取り戻し, the route, the history, the submitted versions and the attached files.

A request is visible to whoever may read it (its requester, who filed it, its approvers, a
manager for their departments, 申請の閲覧 for all); others get 404. Acting on it is the
requester's (or whoever filed it for them): others get 403. A request that moved on meanwhile
is a 409 whose body carries its current state.
"""


from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Path, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

import somu.approvals.api.common as common
from somu.approvals import permissions as p
from somu.approvals import selectors
from somu.approvals.api.common import (
    CONFLICT_NOTE,
    RequestId,
    conflict,
    person_of,
    request_detail,
    request_get,
)
from somu.approvals.models import Attachment, RequestEvent, RequestState, RequestType
from somu.approvals.schemas import (
    RecallIn,
    RequestAttachmentOut,
    RequestDetailOut,
    RequestEventOut,
    RequestIn,
    RequestOut,
    RequestUpdateIn,
    RevisionOut,
)
from somu.approvals.services import base
from somu.approvals.services import requests as services
from somu.core.api import MAX_ID, PagePagination, QuerySchema, errors
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.core.requests import AuthedRequest

router = Router(tags=["approvals"])

AttachmentId = Path(..., ge=1, le=MAX_ID)


class RequestQuery(QuerySchema):
    """The requests page's filters, read by the page's own parser (a wrong value is 422 naming
    the parameter). Numbers may be written with commas (1,000,000)."""

    type: str | None = Field(None, description="a request type id")
    state: str | None = Field(None, json_schema_extra={"enum": ["", *RequestState.values]})
    requester: str | None = Field(None, description="a person id")
    department: str | None = Field(None, description="a department id")
    amount_min: str | None = Field(None, description="yen, inclusive")
    amount_max: str | None = Field(None, description="yen, inclusive")
    from_: str | None = Field(None, alias="from", description="created on or after (YYYY-MM-DD)")
    to: str | None = Field(None, description="created on or before (YYYY-MM-DD)")
    q: str | None = Field(None, description="words of the title or number")
    mine: str | None = Field(None, description="1: only those filed by or for the caller")


@router.get("/requests", response={200: list[RequestOut], **errors(403, 422)},
            summary="Requests the caller may read, newest first, filtered like the page",
            operation_id="somu_approvals_api_request_list")
@paginate(PagePagination)
def request_list(request: AuthedRequest, filters: Query[RequestQuery]) -> Any:
    flt = selectors.RequestFilter.parse(request.GET)
    if flt.errors:
        raise ValidationError({key: [_("“%(value)s” is not a valid value.") % {"value": value}]
                               for key, value in flt.errors.items()})
    return selectors.requests_list(request.auth, flt)


@router.post("/requests", response={201: RequestDetailOut, **errors(403, 422)},
             summary="Create a draft (for someone else with requester_id: 代理申請)",
             operation_id="somu_approvals_api_request_create")
def request_create(request: AuthedRequest, payload: RequestIn) -> Status[dict[str, Any]]:
    membership = request.auth
    require(membership, p.SUBMIT_REQUESTS)
    request_type = RequestType.objects.filter(pk=payload.request_type_id).first()
    if request_type is None:
        raise ValidationError({"request_type_id": [_("There is no request type with id %(id)s.")
                                                   % {"id": payload.request_type_id}]})
    requester = person_of(payload.requester_id, "requester_id") or base.acting_person(membership)
    created = services.request_save(
        membership=membership, request_type=request_type, requester=requester,
        title=payload.title, amount=payload.amount, category=payload.category,
        values=payload.values, now=common.now())
    return Status(201, request_detail(created.pk))


@router.get("/requests/{request_id}", response={200: RequestDetailOut, **errors(403, 404, 422)},
            summary="A request with its current route: stages, seats and why (codes and "
                    "sentences)",
            operation_id="somu_approvals_api_request_get")
def request_read(request: AuthedRequest, request_id: int = RequestId) -> dict[str, Any]:
    return request_detail(request_get(request, request_id).pk)


@router.patch("/requests/{request_id}",
              response={200: RequestDetailOut, **errors(403, 404, 409, 422)},
              summary="Change a draft, or a request sent back or recalled",
              description=CONFLICT_NOTE,
              operation_id="somu_approvals_api_request_update")
def request_update(request: AuthedRequest, payload: RequestUpdateIn,
                   request_id: int = RequestId) -> Any:
    found = request_get(request, request_id)
    given = payload.model_fields_set
    try:
        services.request_save(
            membership=request.auth, request_type=found.request_type,
            requester=found.requester, request=found,
            title=payload.title if "title" in given else found.title,
            amount=payload.amount if "amount" in given else found.amount,
            category=payload.category if "category" in given else found.category,
            values=payload.values if "values" in given else found.values, now=common.now())
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    return request_detail(found.pk)


@router.delete("/requests/{request_id}",
               response={204: None, **errors(403, 404, 409, 422)},
               summary="Delete a draft that was never submitted",
               description=CONFLICT_NOTE,
               operation_id="somu_approvals_api_request_delete")
def request_delete(request: AuthedRequest, request_id: int = RequestId) -> Any:
    found = request_get(request, request_id)
    try:
        services.request_delete(membership=request.auth, request=found)
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    return Status(204, None)


@router.post("/requests/{request_id}/submit",
             response={200: RequestDetailOut, **errors(403, 404, 409, 422)},
             summary="Submit (or resubmit): the number is given and the route frozen",
             description="A route that cannot be resolved is a 422 saying why in words (the "
                         "row, the stage and the reason). " + CONFLICT_NOTE,
             operation_id="somu_approvals_api_request_submit")
def request_submit(request: AuthedRequest, request_id: int = RequestId) -> Any:
    found = request_get(request, request_id)
    try:
        services.request_submit(membership=request.auth, request=found.pk,
                                today=common.today(), now=common.now())
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    return request_detail(found.pk)


@router.post("/requests/{request_id}/recall",
             response={200: RequestDetailOut, **errors(403, 404, 409, 422)},
             summary="取り戻し: take the request back before anyone has decided on it",
             description=CONFLICT_NOTE,
             operation_id="somu_approvals_api_request_recall")
def request_recall(request: AuthedRequest, payload: RecallIn,
                   request_id: int = RequestId) -> Any:
    found = request_get(request, request_id)
    try:
        services.request_recall(membership=request.auth, request=found.pk, now=common.now(),
                                comment=payload.comment)
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    return request_detail(found.pk)


@router.get("/requests/{request_id}/events",
            response={200: list[RequestEventOut], **errors(403, 404, 422)},
            summary="The request's history: who did what, for whom, oldest first",
            operation_id="somu_approvals_api_request_events")
@paginate(PagePagination)
def request_events(request: AuthedRequest, request_id: int = RequestId) -> Any:
    found = request_get(request, request_id)
    return RequestEvent.objects.filter(request=found).select_related("actor").order_by("at", "pk")


@router.get("/requests/{request_id}/revisions",
            response={200: list[RevisionOut], **errors(403, 404, 422)},
            summary="What was submitted each time (version 1, 2 …)",
            operation_id="somu_approvals_api_request_revisions")
def request_revisions(request: AuthedRequest, request_id: int = RequestId) -> Any:
    return list(request_get(request, request_id).revisions.order_by("number"))


@router.post("/requests/{request_id}/attachments",
             response={201: RequestAttachmentOut, **errors(403, 404, 409, 422)},
             summary="Attach a file (its content must be what its name says)",
             description=CONFLICT_NOTE,
             operation_id="somu_approvals_api_request_attach")
def request_attach(request: AuthedRequest, file: File[UploadedFile | None] = None,
                   request_id: int = RequestId) -> Any:
    found = request_get(request, request_id)
    if file is None:
        raise ValidationError({"file": [_("Attach a file.")]})
    try:
        attachment = services.attachment_add(membership=request.auth, request=found.pk,
                                             upload=file, now=common.now())
    except Conflict as exc:
        return conflict(request, found.pk, exc)
    return Status(201, attachment)


def _attachment_get(request: AuthedRequest, attachment_id: int) -> Attachment:
    attachment = Attachment.objects.select_related("request").get(pk=attachment_id)
    request_get(request, attachment.request_id)
    return attachment


@router.get("/attachments/{attachment_id}", response={**errors(403, 404, 422)},
            summary="Download an attached file (every download is in the audit log)",
            openapi_extra={"responses": {"200": {
                "description": "The file, with its checked content type",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}}},
            operation_id="somu_approvals_api_attachment_download")
def attachment_download(request: AuthedRequest,
                        attachment_id: int = AttachmentId) -> FileResponse:
    attachment = _attachment_get(request, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.attachment_downloaded(membership=request.auth, attachment=attachment)
    return FileResponse(handle, as_attachment=True, filename=attachment.filename,
                        content_type=attachment.content_type)


@router.delete("/attachments/{attachment_id}",
               response={204: None, **errors(403, 404, 409, 422)},
               summary="Remove a file while the request can be edited",
               description=CONFLICT_NOTE,
               operation_id="somu_approvals_api_attachment_delete")
def attachment_delete(request: AuthedRequest, attachment_id: int = AttachmentId) -> Any:
    attachment = _attachment_get(request, attachment_id)
    try:
        services.attachment_remove(membership=request.auth, attachment=attachment)
    except Conflict as exc:
        return conflict(request, attachment.request_id, exc)
    return Status(204, None)
