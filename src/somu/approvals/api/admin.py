"""/api/v1/approvals/ endpoints of the set-up: request types (read), the 決裁権限規程 revisions
(read, save a new one) and the rule tester ("which route would this request get?").

A new revision is all or nothing: a wrong row is a 422 whose ``fields`` name it (``row_3``) and
say what is wrong, as the editor page shows it next to the row.
"""


from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

import somu.approvals.api.common as common
from somu.approvals import permissions as p
from somu.approvals import presenters, selectors
from somu.approvals.api.common import person_of
from somu.approvals.models import AuthorityRule, RequestType, RuleVersion
from somu.approvals.schemas import (
    RequestTypeOut,
    RuleTestIn,
    RuleTestOut,
    RuleVersionDetailOut,
    RuleVersionIn,
    RuleVersionOut,
)
from somu.approvals.services import chart
from somu.approvals.services import rules as services
from somu.core.api import MAX_ID, PagePagination, QuerySchema, errors
from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.org.models import Department, Membership, Person
from somu.rules import routing

router = Router(tags=["approvals"])

TypeId = Path(..., ge=1, le=MAX_ID)
VersionId = Path(..., ge=1, le=MAX_ID)


def _require_any(membership: Membership, *perms: str) -> None:
    if not any(has_perm(membership, perm) for perm in perms):
        raise PermissionDenied(_("You do not have permission to do this."))


# ---- request types ----------------------------------------------------------------------------


class TypeQuery(QuerySchema):
    include_inactive: bool = False


@router.get("/types", response={200: list[RequestTypeOut], **errors(403, 422)},
            summary="Request types (申請種別) with their forms",
            operation_id="somu_approvals_api_type_list")
def type_list(request: AuthedRequest, filters: Query[TypeQuery]) -> Any:
    _require_any(request.auth, p.SUBMIT_REQUESTS, p.VIEW_REQUESTS, p.MANAGE_APPROVALS)
    return list(selectors.request_types(active_only=not filters.include_inactive))


@router.get("/types/{type_id}", response={200: RequestTypeOut, **errors(403, 404, 422)},
            summary="A request type with its form",
            operation_id="somu_approvals_api_type_get")
def type_get(request: AuthedRequest, type_id: int = TypeId) -> RequestType:
    found = RequestType.objects.get(pk=type_id)
    _require_any(request.auth, p.SUBMIT_REQUESTS, p.VIEW_REQUESTS, p.MANAGE_APPROVALS)
    return found


# ---- the 決裁権限規程 --------------------------------------------------------------------------


def _rules_reader(membership: Membership) -> None:
    _require_any(membership, p.MANAGE_APPROVALS, p.VIEW_REQUESTS)


@router.get("/rules", response={200: list[RuleVersionOut], **errors(403, 422)},
            summary="The revisions of the approval rules (決裁権限規程), latest in force first",
            operation_id="somu_approvals_api_rule_version_list")
@paginate(PagePagination)
def rule_version_list(request: AuthedRequest) -> Any:
    _rules_reader(request.auth)
    return RuleVersion.objects.select_related("created_by").order_by("-effective_from", "-number")


@router.post("/rules/test", response={200: RuleTestOut, **errors(403, 422)},
             summary="The rule tester: the route a hypothetical request would get, and why",
             description="Answers the revision in force on `date` (today when not given), the "
                         "stages with their approvers and reasons, or in `error` why no route "
                         "can be resolved.",
             operation_id="somu_approvals_api_rule_test")
def rule_test(request: AuthedRequest, payload: RuleTestIn) -> dict[str, Any]:
    _rules_reader(request.auth)
    request_type = RequestType.objects.filter(code=payload.request_type).first()
    if request_type is None:
        raise ValidationError({"request_type": [_("There is no request type “%(code)s”.")
                                                % {"code": payload.request_type}]})
    requester = person_of(payload.requester_id, "requester_id")
    assert requester is not None
    if payload.department_id is not None and not Department.objects.filter(
            pk=payload.department_id).exists():
        raise ValidationError({"department_id": [_("There is no department with id %(id)s.")
                                                 % {"id": payload.department_id}]})
    day = payload.date or common.today()
    version, route, error = services.rule_test(
        request_type=request_type, requester_id=requester.pk, amount=payload.amount,
        category=payload.category, values=payload.values,
        department_id=payload.department_id or requester.department_id, day=day)
    stages = route.stages if route is not None else ()
    names = dict(Person.objects.filter(pk__in={pk for s in stages for pk in s.approvers})
                 .values_list("id", "name"))
    return {
        "version_id": version.pk if version else None,
        "version": version.number if version else None,
        "date": day, "rows": list(route.rows) if route else [], "error": error,
        "stages": [{
            "kind": s.kind, "kind_label": presenters.stage_kind_label(s.kind), "row": s.row,
            "label": s.label, "quorum": s.quorum, "at_least": s.at_least, "skipped": s.skipped,
            "approvers": [{"id": pk, "name": names.get(pk, "")} for pk in s.approvers],
            "why": [{"code": w.code, "params": dict(w.params), "text": presenters.why_text(w)}
                    for w in s.why]} for s in stages],
    }


def _version_detail(version: RuleVersion) -> dict[str, Any]:
    rows = (AuthorityRule.objects.filter(version=version).select_related("request_type")
            .order_by("number"))
    return {
        **RuleVersionOut.from_orm(version).dict(),
        "rows": [{
            "number": row.number, "request_type": row.request_type.code,
            "request_type_id": row.request_type_id, "category": row.category,
            "amount_min": row.amount_min, "amount_max": row.amount_max,
            "department_id": row.department_id, "condition": row.condition, "note": row.note,
            "stages": [asdict(chart.stage_rule(s)) for s in row.stages]} for row in rows],
    }


@router.get("/rules/{version_id}", response={200: RuleVersionDetailOut, **errors(403, 404, 422)},
            summary="One revision with its rows and their stages",
            operation_id="somu_approvals_api_rule_version_get")
def rule_version_get(request: AuthedRequest, version_id: int = VersionId) -> dict[str, Any]:
    version = RuleVersion.objects.select_related("created_by").get(pk=version_id)
    _rules_reader(request.auth)
    return _version_detail(version)


def _row_inputs(payload: RuleVersionIn) -> list[services.RowInput]:
    """The rows with their request types and departments looked up; an unknown one is named by
    its row, like the service's own problems."""
    types = {t.code: t for t in RequestType.objects.all()}
    wanted = {r.department_id for r in payload.rows if r.department_id is not None}
    departments = {d.pk: d for d in Department.objects.filter(pk__in=wanted)}
    problems: dict[str, list[str]] = {}
    out = []
    for row in payload.rows:
        key = f"row_{row.number}"
        request_type = types.get(row.request_type)
        if request_type is None:
            problems.setdefault(key, []).append(
                _("Row %(row)s: there is no request type “%(code)s”.")
                % {"row": row.number, "code": row.request_type})
        if row.department_id is not None and row.department_id not in departments:
            problems.setdefault(key, []).append(presenters.error_text(routing.RouteError(
                "unknown_department", {"row": row.number, "id": row.department_id})))
        if request_type is None:
            continue
        out.append(services.RowInput(
            number=row.number, request_type=request_type,
            stages=tuple(chart.stage_rule(stage.model_dump()) for stage in row.stages),
            category=row.category, amount_min=row.amount_min, amount_max=row.amount_max,
            department=departments.get(row.department_id) if row.department_id else None,
            condition=row.condition, note=row.note))
    if problems:
        raise ValidationError(problems)
    return out


@router.post("/rules", response={201: RuleVersionDetailOut, **errors(403, 422)},
             summary="Save the table as a new revision, in force from effective_from",
             description="All or nothing: every wrong row is named in `fields` (`row_3`) with "
                         "what is wrong, and nothing is stored.",
             operation_id="somu_approvals_api_rule_version_save")
def rule_version_save(request: AuthedRequest, payload: RuleVersionIn) -> Status[dict[str, Any]]:
    membership = request.auth
    _require_any(membership, p.MANAGE_APPROVALS)
    version = services.rule_version_save(
        membership=membership, effective_from=payload.effective_from,
        rows=_row_inputs(payload), note=payload.note, now=common.now())
    return Status(201, _version_detail(RuleVersion.objects.select_related("created_by")
                                       .get(pk=version.pk)))
