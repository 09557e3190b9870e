"""/api/v1/expenses: the accounting side — bank accounts, 締め (periods) with their payments and
files, and the 電帳法 search with its ZIP export. Thin: a permission, a lookup, then a service or
a selector; the rules (who may see a bank account, what a close takes) are in the services."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Path, Query, Router, Schema
from ninja.responses import Status

from somu.core.api import MAX_ID, InputSchema, OneOf, QuerySchema, errors
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.expenses import permissions as p
from somu.expenses.formats.journal_defaults import VENDORS
from somu.expenses.models import BankAccount, Claim, Payment, Period
from somu.expenses.selectors.search import MAX_RESULTS, search_lines, search_params
from somu.expenses.services import banks, exports, periods
from somu.expenses.services.search_export import search_export
from somu.org.models import Person

router = Router(tags=["expenses"])

PersonId = Path(..., ge=1, le=MAX_ID)
PeriodId = Path(..., ge=1, le=MAX_ID)
FILES = ("zengin", *VENDORS)


class BankAccountIn(InputSchema):
    bank_code: str
    branch_code: str
    kind: Annotated[str, OneOf("1", "2", "4")] = "1"
    number: str
    holder: str


class BankAccountOut(Schema):
    person_id: int
    bank_code: str
    bank_name: str
    branch_code: str
    branch_name: str
    kind: str
    number: str
    holder: str


class PeriodIn(InputSchema):
    label: str
    cutoff: dt.date
    payment_date: dt.date


class PaymentOut(Schema):
    person_id: int
    person_name: str
    amount: int
    bank_code: str
    branch_code: str
    account_kind: str
    account_number: str
    holder: str


class PeriodOut(Schema):
    id: int
    label: str
    cutoff: dt.date
    payment_date: dt.date
    closed_at: dt.datetime
    claim_ids: list[int]
    payments: list[PaymentOut]


class PlanOut(Schema):
    person_id: int
    person_name: str
    claims_total: int
    advances_settled: int
    advances_paid_out: int
    amount: int
    has_bank_account: bool


class PeriodPreviewQuery(QuerySchema):
    cutoff: dt.date | None = None  # default: today


class FileQuery(QuerySchema):
    file: Annotated[str, OneOf(*FILES)] = "zengin"


class SearchQuery(QuerySchema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    payee: str = ""


class SearchLineOut(Schema):
    line_id: int
    claim_id: int
    claim_number: str
    date: dt.date
    payee: str
    amount: int
    account: str
    receipt_filename: str
    receipt_sha256: str
    retain_until: dt.date | None


def _bank_out(account: BankAccount) -> dict[str, Any]:
    return {"person_id": account.person_id, "bank_code": account.bank_code,
            "bank_name": banks.bank_name(account.bank_code), "branch_code": account.branch_code,
            "branch_name": banks.branch_name(account.bank_code, account.branch_code),
            "kind": account.kind, "number": account.number, "holder": account.holder}


def _person(request: AuthedRequest, person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id).first()
    # Someone else's account is not found, as another organization's is.
    if person is None or not banks.can_see(request.auth, person):
        raise Http404
    return person


@router.get("/bank-accounts", response={200: list[BankAccountOut], **errors(403)},
            summary="Everyone's bank accounts for reimbursements (accounting staff)",
            operation_id="somu_expenses_api_bank_account_list")
def bank_account_list(request: AuthedRequest) -> list[dict[str, Any]]:
    require(request.auth, p.PROCESS_EXPENSES)
    return [_bank_out(a) for a in BankAccount.objects.select_related("person")
            .order_by("person__employee_number")]


@router.get("/bank-accounts/{person_id}",
            response={200: BankAccountOut, **errors(403, 404, 422)},
            summary="A person's bank account (the person, accounting staff, administrators)",
            operation_id="somu_expenses_api_bank_account_get")
def bank_account_get(request: AuthedRequest, person_id: int = PersonId) -> dict[str, Any]:
    person = _person(request, person_id)
    account = BankAccount.objects.filter(person=person).first()
    if account is None:
        raise Http404
    return _bank_out(account)


@router.put("/bank-accounts/{person_id}",
            response={200: BankAccountOut, **errors(400, 403, 404, 422)},
            summary="Set a person's bank account (codes checked against the 全銀 bank master)",
            operation_id="somu_expenses_api_bank_account_put")
def bank_account_put(request: AuthedRequest, payload: BankAccountIn,
                     person_id: int = PersonId) -> dict[str, Any]:
    person = _person(request, person_id)
    account = banks.bank_account_save(membership=request.auth, person=person,
                                      data=payload.dict(), now=timezone.now())
    return _bank_out(account)


def _period_out(period: Period) -> dict[str, Any]:
    payments = Payment.objects.filter(period=period).select_related("person")
    return {"id": period.pk, "label": period.label, "cutoff": period.cutoff,
            "payment_date": period.payment_date, "closed_at": period.closed_at,
            "claim_ids": list(Claim.objects.filter(period=period).order_by("pk")
                              .values_list("pk", flat=True)),
            "payments": [{"person_id": x.person_id, "person_name": x.person.name,
                          "amount": x.amount, "bank_code": x.bank_code,
                          "branch_code": x.branch_code, "account_kind": x.account_kind,
                          "account_number": x.account_number, "holder": x.holder}
                         for x in payments]}


@router.get("/periods", response={200: list[PeriodOut], **errors(403)},
            summary="Closed periods (締め), newest first, with their payments",
            operation_id="somu_expenses_api_period_list")
def period_list(request: AuthedRequest) -> list[dict[str, Any]]:
    require(request.auth, p.PROCESS_EXPENSES)
    return [_period_out(x) for x in Period.objects.all()[:100]]


@router.get("/periods/preview", response={200: list[PlanOut], **errors(403, 422)},
            summary="The payments a close up to the cutoff would make",
            operation_id="somu_expenses_api_period_preview")
def period_preview(request: AuthedRequest,
                   query: Query[PeriodPreviewQuery]) -> list[dict[str, Any]]:
    require(request.auth, p.PROCESS_EXPENSES)
    cutoff = query.cutoff or timezone.localdate()
    return [{"person_id": e.person.pk, "person_name": e.person.name,
             "claims_total": e.claims_total, "advances_settled": e.settled_total,
             "advances_paid_out": e.paid_out_total, "amount": e.amount,
             "has_bank_account": e.bank is not None} for e in periods.plan(cutoff)]


@router.post("/periods", response={201: PeriodOut, **errors(400, 403, 422)},
             summary="Close a period: the approved claims and advances up to the cutoff paid",
             operation_id="somu_expenses_api_period_close")
def period_close(request: AuthedRequest, payload: PeriodIn) -> Status[Any]:
    period = periods.period_close(membership=request.auth, label=payload.label,
                                  cutoff=payload.cutoff, payment_date=payload.payment_date,
                                  now=timezone.now())
    return Status(201, _period_out(period))


def _period(request: AuthedRequest, period_id: int) -> Period:
    require(request.auth, p.PROCESS_EXPENSES)
    found = Period.objects.filter(pk=period_id).first()
    if found is None:
        raise Http404
    return found


@router.get("/periods/{period_id}", response={200: PeriodOut, **errors(403, 404, 422)},
            summary="A closed period with its payments and claims",
            operation_id="somu_expenses_api_period_get")
def period_get(request: AuthedRequest, period_id: int = PeriodId) -> dict[str, Any]:
    return _period_out(_period(request, period_id))


@router.get("/periods/{period_id}/download", response={**errors(403, 404, 422)},
            summary="A period's 全銀 file or journal CSV (file=zengin|yayoi|moneyforward|freee)",
            openapi_extra={"responses": {"200": {
                "description": "The file", "content": {"*/*": {
                    "schema": {"type": "string", "format": "binary"}}}}}},
            operation_id="somu_expenses_api_period_download")
def period_download(request: AuthedRequest, query: Query[FileQuery],
                    period_id: int = PeriodId) -> HttpResponse:
    period = _period(request, period_id)
    name, data = exports.period_export(membership=request.auth, period=period, what=query.file)
    return HttpResponse(data, content_type="application/octet-stream", headers={
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=name)})


@router.get("/search", response={200: list[SearchLineOut], **errors(403, 422)},
            summary="電帳法 search: approved lines by date, amount and payee, in combination",
            operation_id="somu_expenses_api_search")
def search(request: AuthedRequest, query: Query[SearchQuery]) -> list[dict[str, Any]]:
    require(request.auth, p.SEARCH_EXPENSES)
    params = search_params(query.dict())
    return [{"line_id": x.pk, "claim_id": x.claim_id, "claim_number": x.claim.request.number,
             "date": x.date, "payee": x.payee, "amount": x.amount, "account": x.account.name,
             "receipt_filename": x.receipt.filename if x.receipt else "",
             "receipt_sha256": x.receipt.sha256 if x.receipt else "",
             "retain_until": x.claim.retain_until} for x in search_lines(params)[:MAX_RESULTS]]


class SearchIn(InputSchema):
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    payee: str = ""


@router.post("/search/export", response={**errors(400, 403, 422)},
             summary="The search's lines as a ZIP: index.csv (UTF-8 BOM) and the receipt files "
                     "(the export is in the audit log)",
             openapi_extra={"responses": {"200": {
                 "description": "The ZIP", "content": {"application/zip": {
                     "schema": {"type": "string", "format": "binary"}}}}}},
             operation_id="somu_expenses_api_search_export")
def search_zip(request: AuthedRequest, payload: SearchIn) -> HttpResponse:
    params = search_params(payload.dict())
    name, data = search_export(membership=request.auth, params=params)
    return HttpResponse(data, content_type="application/zip", headers={
        "Content-Disposition": content_disposition_header(as_attachment=True, filename=name)})
