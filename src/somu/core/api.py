"""The JSON API under /api/v1/: one NinjaAPI, its authentication, errors and pagination.

Each app contributes its router(s) through its registry entry (:mod:`somu.core.registry`).
Errors always come back as::

    {"error": {"code": "not_found", "message": "…", "fields": [{"field": "…", "message": "…"}]}}
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase
from ninja.parser import Parser
from ninja.schema import DjangoGetter
from ninja.security import APIKeyCookie, HttpBearer
from pydantic import (
    ConfigDict,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError, core_schema

from somu.core import registry
from somu.core.errors import Conflict
from somu.core.jsontypes import date_text_error, json_type_error
from somu.core.tenancy import TenancyError

log = logging.getLogger(__name__)


class FieldError(Schema):
    field: str
    message: str


class ErrorDetail(Schema):
    code: str
    message: str
    fields: list[FieldError] = []


class ErrorOut(Schema):
    error: ErrorDetail


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation declares in the OpenAPI document."""
    return dict.fromkeys((401, *codes), ErrorOut)


class QuerySchema(Schema):
    """Base of query and body schemas: text with a NUL character is refused (422), a date is
    written YYYY-MM-DD (not "0", which pydantic would read as 1970-01-01)."""

    @field_validator("*", mode="before")
    @classmethod
    def iso_dates(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and (message := date_text_error(field.annotation, value)):
            raise PydanticCustomError("date_format", message)
        return value

    @field_validator("*")
    @classmethod
    def no_nul_characters(cls, value: Any) -> Any:
        # PostgreSQL cannot store or compare NUL characters: refuse them rather than fail there.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("Remove the NUL character.")
        return value


class InputSchema(QuerySchema):
    """Base of request bodies: a JSON object whose fields have exactly their declared JSON types
    (``0`` is not a date, ``false`` not an integer), surrounding spaces stripped, unknown fields
    refused."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def a_json_object(cls, data: Any) -> Any:
        # Without this a list (``[null, null]``) is read as an object with no attributes: a PATCH
        # that changes nothing and answers 200.
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            raise PydanticCustomError("object_type", "The body must be a JSON object.")
        return data

    @field_validator("*", mode="before")
    @classmethod
    def strict_json_types(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        if field is not None and (message := json_type_error(field.annotation, value)):
            raise PydanticCustomError("json_type", message)
        return value


@dataclass(frozen=True)
class OneOf:
    """``Annotated[str, OneOf("a", "b")]``: a fixed-value text field, listed as an enum in the
    document and refused with one message naming the field and the values it accepts."""

    values: tuple[str, ...]

    def __init__(self, *values: str) -> None:
        object.__setattr__(self, "values", tuple(values))

    def _check(self, value: Any) -> Any:
        if value is not None and value not in self.values:
            shown = ", ".join(repr(v) for v in self.values)
            raise PydanticCustomError("enum", "Choose one of: {values}.", {"values": shown})
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        json_schema = handler.resolve_ref_schema(handler(schema))
        json_schema["enum"] = list(self.values)
        return json_schema


@dataclass(frozen=True)
class DecimalText:
    """``Annotated[Decimal, Field(ge=…, le=…), DecimalText()]``: a number, or the same as text
    (reads answer decimals as text, so a value read can be sent back unchanged). The document
    gives the text form its pattern; pydantic leaves it out once the number has bounds."""

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        json_schema = handler.resolve_ref_schema(handler(schema))
        for branch in json_schema.get("anyOf", []):
            if branch.get("type") == "string":
                branch.setdefault("pattern", r"^[0-9]+(\.[0-9]+)?$")
        return json_schema


# Ids are 64-bit integers in the database; a larger number in a path or body can only be a
# mistake, and would overflow the driver before it could answer 404.
MAX_ID = 2**62


def optional(**constraints: Any) -> Any:
    """A PATCH field that may be left out but not set to null (the value cannot be empty).

    ``name: str = optional(min_length=1)``: absent means unchanged; the document shows no null.
    """
    return Field(None, json_schema_extra=_without_default, **constraints)


def _without_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer somu_…``: a personal API token (checked by TenancyMiddleware)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if getattr(request, "api_token", None) is not None:
            return getattr(request, "membership", None)
        return None


class SessionAuth(APIKeyCookie):
    """The browser session of a logged-in user; unsafe methods need the CSRF token."""

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # No logged-in session means nothing to forge: answer 401 (not a CSRF 403) to anonymous
        # writes, and leave the CSRF check to the calls a session would actually authorize.
        if getattr(request, "api_token", None) is not None or not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if getattr(request, "api_token", None) is None and request.user.is_authenticated:
            return getattr(request, "membership", None)
        return None


# Statuses the framework itself answers, whatever the endpoint does: a body that is not JSON is
# 400, a parameter or body field of the wrong type is 422, an id that names nothing is 404.
_FRAMEWORK_ERRORS = {
    "400": "Bad Request: the body is not JSON.",
    "404": "Not Found: no such record in the caller's organization.",
    "422": "Unprocessable Content: a parameter or field is missing or wrong (`fields` names it).",
}


class _StrictParser(Parser):
    """Query strings and forms: a parameter that is not a list is given once (``page_size=1&
    page_size=2`` is 422, not silently the last value)."""

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        repeated = [key for key in data if key not in list_fields and len(data.getlist(key)) > 1]
        if repeated:
            raise NinjaValidationError([{"loc": ("query", key), "msg": "Give this parameter once."}
                                        for key in repeated])
        return super().parse_querydict(data, list_fields, request)


class SomuAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        ref = {"$ref": "#/components/schemas/ErrorOut"}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                _declare_framework_errors(operation, ref)
        return schema


def _declare_framework_errors(operation: dict[str, Any], ref: dict[str, str]) -> None:
    """Add the 400/404/422 an operation can answer, so the document lists every status."""
    params = operation.get("parameters", [])
    statuses = []
    if "requestBody" in operation:
        statuses += ["400", "422"]
    if params:
        statuses.append("422")
    if any(p.get("in") == "path" for p in params):
        statuses.append("404")
    responses = operation.setdefault("responses", {})
    for status in statuses:
        responses.setdefault(status, {
            "description": _FRAMEWORK_ERRORS[status],
            "content": {"application/json": {"schema": ref}},
        })


api = SomuAPI(
    title="somu API",
    version="1",
    description=(
        "somu's JSON API. Authenticate with a personal API token "
        "(`Authorization: Bearer somu_…`, created on the account page) or a browser session. "
        "Every call works inside the organization the token (or session) belongs to; ids of "
        "other organizations answer 404.\n\n"
        "Errors answer "
        "`{\"error\": {\"code\", \"message\", \"fields\": [{\"field\", \"message\"}]}}`: "
        "400 `bad_request` (a body that is not JSON), 401 `unauthorized` (no or a revoked "
        "token), 403 `forbidden` (the role does not allow it, or a session write without the "
        "CSRF token), 404 `not_found` (unknown id, or another organization's), 409 `conflict` "
        "(a duplicate of a unique value such as 社員番号, or a concurrent change), 422 `invalid` "
        "(a field is missing or wrong; `fields` names it).\n\n"
        "Types are strict: a body is a JSON object; a date is a `\"YYYY-MM-DD\"` string, an "
        "integer an integer, a boolean `true` or `false`; unknown fields, NUL characters, a "
        "query parameter given twice and `null` for a field that cannot be empty are 422; text "
        "is trimmed. A page past the last one is empty."
    ),
    auth=[TokenAuth(), SessionAuth()],
    parser=_StrictParser(),
    urls_namespace="api-v1",
    docs_url="/docs",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body = {"error": {"code": code, "message": message, "fields": fields or []}}
    return api.create_response(request, body, status=status)


@api.exception_handler(NinjaValidationError)
def _on_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "payload")]
        fields.append({"field": ".".join(loc) or "body", "message": str(err.get("msg", ""))})
    return _error(request, 422, "invalid", "The request is not valid.", fields)


# Codes of validation errors that mean "this value is taken": answered 409 like a constraint
# violation caught by the database, so a duplicate is one status whichever check saw it first.
CONFLICT_CODES: frozenset[str | None] = frozenset({"unique", "unique_together"})


@api.exception_handler(DjangoValidationError)
def _on_django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    fields = []
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            for message in errs:
                fields.append({"field": name if name != "__all__" else "body", "message": message})
        codes = {e.code for errs in exc.error_dict.values() for e in errs}
    else:
        fields = [{"field": "body", "message": m} for m in exc.messages]
        codes = {e.code for e in exc.error_list}
    message = "; ".join(f["message"] for f in fields)
    if codes and codes <= CONFLICT_CODES:
        return _error(request, 409, "conflict", message, fields)
    return _error(request, 422, "invalid", message, fields)


@api.exception_handler(AuthenticationError)
def _on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", "Authentication required.")


@api.exception_handler(PermissionDenied)
def _on_permission(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or "Permission denied.")


@api.exception_handler(Http404)
def _on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(ObjectDoesNotExist)
def _on_does_not_exist(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(Conflict)
def _on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return _error(request, 409, "conflict", str(exc))


@api.exception_handler(IntegrityError)
def _on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
    log.info("integrity error answered as 409")
    return _error(request, 409, "conflict", "The change conflicts with existing data.")


@api.exception_handler(HttpError)
def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid"}
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(TenancyError)
def _on_tenancy(request: HttpRequest, exc: TenancyError) -> HttpResponse:
    # Reached only when a caller has no organization: nothing to show, nothing to leak.
    return _error(request, 403, "forbidden", "No organization is selected for this account.")


MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 500


class PagePagination(PaginationBase):
    """``?page=N&page_size=M`` (max 500); answers items, count, page and page_size."""

    class Input(QuerySchema):
        # Bounded so the offset stays a small integer for every database; a page past the last
        # one is empty, as it would be one page further.
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Input, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        start = (pagination.page - 1) * pagination.page_size
        # Some endpoints build a list (e.g. departments with their paths) rather than a queryset.
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        return {
            "items": list(queryset[start : start + pagination.page_size]),
            "count": count,
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


def register_routers() -> None:
    """Mount the router(s) every registered app declares; called once from urls.py."""
    for entry in registry.entries():
        for prefix, router in entry.contribution.api:
            api.add_router(prefix, registry.resolve(router))
