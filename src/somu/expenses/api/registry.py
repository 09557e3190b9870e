"""/api/v1/expenses/registry: the offline インボイス registry for any member — what it says about
a 登録番号 on a date, registrants suggested for a payee's name, and the registry's state.
Importing is for the deployment's operators, on the page or the command line only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema

from somu.core.api import QuerySchema, errors
from somu.core.requests import AuthedRequest
from somu.expenses.services import registry

router = Router(tags=["expenses"])


class LookupQuery(QuerySchema):
    number: str = Field(..., max_length=40, description="登録番号, e.g. T1234567890123")
    on: dt.date | None = Field(None, description="the day to check (default: today)")


class StatusOut(Schema):
    code: str = Field(..., description="valid, not_registered, not_yet, cancelled, invalid, "
                                       "or unchecked (no registry imported)")
    number: str
    on: dt.date
    name: str
    registered_on: dt.date | None
    cancelled_on: dt.date | None
    expired_on: dt.date | None
    ended: str = Field(..., description="cancelled or expired, when code is cancelled")
    warning: bool
    message: str


class RegistrySearchQuery(QuerySchema):
    q: str = Field(..., min_length=1, max_length=100, description="name (or 登録番号)")
    limit: int = Field(10, ge=1, le=registry.SEARCH_LIMIT)


class RegistrantOut(Schema):
    number: str
    name: str
    name_kana: str
    trade_name: str
    kind: int | None
    address: str
    registered_on: dt.date
    cancelled_on: dt.date | None
    expired_on: dt.date | None


class RegistryImportOut(Schema):
    kind: str
    files: list[str]
    rows: int
    finished_at: dt.datetime | None


class StateOut(Schema):
    imported: bool
    registrants: int
    last_import: RegistryImportOut | None
    last_full_import: RegistryImportOut | None


@router.get("/registry/lookup", response={200: StatusOut, **errors(422)},
            summary="What the invoice registry says about a registration number on a day",
            operation_id="somu_expenses_api_registry_lookup")
def registry_lookup(request: AuthedRequest, query: Query[LookupQuery]) -> dict[str, Any]:
    status = registry.lookup(query.number, query.on or timezone.localdate())
    return {**status.__dict__, "warning": status.is_warning, "message": status.message}


@router.get("/registry/search", response={200: list[RegistrantOut], **errors(422)},
            summary="Registered invoice issuers whose name starts like the text",
            operation_id="somu_expenses_api_registry_search")
def registry_search(request: AuthedRequest, query: Query[RegistrySearchQuery]) -> Any:
    return registry.search_by_name(query.q, limit=query.limit)


def _import(run: Any) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"kind": run.kind, "files": [f["name"] for f in run.files], "rows": run.rows,
            "finished_at": run.finished_at}


@router.get("/registry", response={200: StateOut, **errors()},
            summary="The invoice registry's state: imported or not, registrants, last import",
            operation_id="somu_expenses_api_registry_state")
def registry_state(request: AuthedRequest) -> dict[str, Any]:
    state = registry.registry_state()
    return {"imported": state.imported, "registrants": state.registrants,
            "last_import": _import(state.last), "last_full_import": _import(state.last_full)}
