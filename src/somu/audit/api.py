"""/api/v1/audit/: the audit log, for admins and auditors."""


import datetime as dt
from typing import Any

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from somu.audit import selectors
from somu.audit.permissions import VIEW_AUDIT
from somu.core.api import PagePagination, QuerySchema, errors
from somu.core.permissions import require
from somu.core.requests import AuthedRequest

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    seq: int
    created_at: dt.datetime
    actor_label: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    request_id: str
    hash: str


class AuditQuery(QuerySchema):
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    actor: str = ""
    q: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


class VerifyOut(Schema):
    ok: bool
    checked: int
    broken_seq: int | None
    reason: str | None


@router.get("/events", response={200: list[AuditEventOut], **errors(403, 422)})
@paginate(PagePagination)
def event_list(request: AuthedRequest, filters: Query[AuditQuery]) -> Any:
    require(request.auth, VIEW_AUDIT)
    return selectors.audit_event_list(filters=selectors.AuditFilter(**filters.dict()))


@router.get("/verify", response={200: VerifyOut, **errors(403)},
            summary="Recompute this organization's hash chain")
def verify(request: AuthedRequest) -> dict[str, Any]:
    require(request.auth, VIEW_AUDIT)
    report = selectors.audit_chain_verify(organization_id=request.auth.organization_id)
    return {
        "ok": report.ok,
        "checked": report.checked,
        "broken_seq": report.broken.seq if report.broken else None,
        "reason": report.broken.reason if report.broken else None,
    }
