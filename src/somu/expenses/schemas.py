"""API schemas of expenses: claims with their lines, receipts, totals per tax rate and
規程チェック findings; the chart of accounts, the rules and the settings.

Answers keep raw values (ids, codes, yen as integers). Input schemas forbid unknown fields; a
PATCH field left out keeps its value.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final

from ninja import Field, Schema

from somu.approvals.models import RequestState
from somu.core.api import MAX_ID, InputSchema, OneOf, QuerySchema, optional
from somu.expenses import checks
from somu.expenses.models import (
    AccountKind,
    AccountRole,
    Claim,
    ClaimKind,
    InvoiceException,
    Region,
    Severity,
    TaxRate,
)

MAX_YEN: Final = 99_999_999
MAX_ADVANCE: Final = 10**10

ClaimKindChoice = Annotated[str, OneOf(*ClaimKind.values)]
TaxRateChoice = Annotated[str, OneOf(*TaxRate.values)]
ExceptionChoice = Annotated[str, OneOf("", *InvoiceException.values)]
RegionChoice = Annotated[str, OneOf(*Region.values)]
RoleChoice = Annotated[str, OneOf(*AccountRole.values)]
RuleKindChoice = Annotated[str, OneOf(*checks.KINDS)]
SeverityChoice = Annotated[str, OneOf(*Severity.values)]
RuleRegionChoice = Annotated[str, OneOf("any", *Region.values)]
AccountKindChoice = Annotated[str, OneOf(*AccountKind.values)]
StateChoice = Annotated[str, OneOf(*RequestState.values)]


# ---- claims -----------------------------------------------------------------------------------


class ClaimFields(Schema):
    id: int
    request_id: int
    kind: ClaimKindChoice
    number: str
    title: str
    state: StateChoice
    amount: int | None
    purpose: str
    requester_id: int
    requester_name: str
    trip_id: int | None
    advance_id: int | None
    corrects_id: int | None
    approved_on: dt.date | None
    retain_until: dt.date | None
    locked: bool


class ClaimOut(ClaimFields):
    """A claim read from the database (its request's fields resolved)."""

    @staticmethod
    def resolve_number(obj: Claim) -> str:
        return obj.request.number

    @staticmethod
    def resolve_title(obj: Claim) -> str:
        return obj.request.title

    @staticmethod
    def resolve_state(obj: Claim) -> str:
        return obj.request.state

    @staticmethod
    def resolve_amount(obj: Claim) -> int | None:
        return obj.request.amount

    @staticmethod
    def resolve_purpose(obj: Claim) -> str:
        return str((obj.request.values or {}).get("purpose", ""))

    @staticmethod
    def resolve_requester_id(obj: Claim) -> int:
        return obj.request.requester_id

    @staticmethod
    def resolve_requester_name(obj: Claim) -> str:
        return obj.request.requester.name


class LineOut(Schema):
    id: int
    number: int
    date: dt.date
    payee: str
    purpose: str
    account_id: int
    account_code: str
    account_name: str
    amount: int
    tax_rate: TaxRateChoice
    registration_number: str
    exception: str
    participants: int | None
    reason: str
    region: RegionChoice
    receipt_id: int | None
    registry_status: str = Field(description="the インボイス registry check: '' (no number), "
                                             "invalid, unchecked, valid, not_registered, "
                                             "not_yet, cancelled")
    locked: bool

    @staticmethod
    def resolve_account_code(obj: Any) -> str:
        return str(obj["account_code"] if isinstance(obj, dict) else obj.account.code)

    @staticmethod
    def resolve_account_name(obj: Any) -> str:
        return str(obj["account_name"] if isinstance(obj, dict) else obj.account.name)


class ReceiptOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    locked: bool


class TaxTotalOut(Schema):
    tax_rate: TaxRateChoice
    total: int
    tax: int


class FindingOut(Schema):
    rule: int
    severity: SeverityChoice
    text: str
    detail: str
    line: int | None = None


class ClaimDetailOut(ClaimFields):
    editable: bool
    lines: list[LineOut]
    receipts: list[ReceiptOut]
    tax_totals: list[TaxTotalOut]
    findings: list[FindingOut] = Field(description="the 規程チェック at the last submission")


class ClaimIn(InputSchema):
    """A new draft claim, or an advance (仮払申請: its amount and purpose)."""

    kind: ClaimKindChoice = ClaimKind.CLAIM.value
    title: str = Field(..., max_length=200)
    amount: int | None = Field(None, ge=1, le=MAX_ADVANCE, description="an advance's amount")
    purpose: str = Field("", max_length=2000, description="an advance's purpose")
    trip_id: int | None = Field(None, ge=1, le=MAX_ID,
                                description="an approved 出張申請 (request id) of the claimant")
    advance_id: int | None = Field(None, ge=1, le=MAX_ID,
                                   description="an approved advance (claim id) this settles")


class ClaimUpdateIn(InputSchema):
    """A change to a draft's header; fields left out keep their value, null clears a link."""

    title: str = optional(max_length=200)
    amount: int | None = Field(None, ge=1, le=MAX_ADVANCE)
    purpose: str = optional(max_length=2000)
    trip_id: int | None = Field(None, ge=1, le=MAX_ID)
    advance_id: int | None = Field(None, ge=1, le=MAX_ID)


class LineIn(InputSchema):
    date: dt.date
    payee: str = Field(..., max_length=100)
    purpose: str = Field(..., max_length=300)
    account_id: int = Field(..., ge=1, le=MAX_ID)
    amount: int = Field(..., ge=1, le=MAX_YEN, description="yen, tax included")
    tax_rate: TaxRateChoice | None = Field(None, description="the account's default if left out")
    registration_number: str = Field("", max_length=20, description="T and 13 digits")
    exception: ExceptionChoice = ""
    participants: int | None = Field(None, ge=1, le=999)
    reason: str = Field("", max_length=300)
    region: RegionChoice = Region.DOMESTIC.value
    receipt_id: int | None = Field(None, ge=1, le=MAX_ID)


class LineUpdateIn(InputSchema):
    """Fields left out keep their value; null clears participants or the receipt."""

    date: dt.date = optional()
    payee: str = optional(max_length=100)
    purpose: str = optional(max_length=300)
    account_id: int = optional(ge=1, le=MAX_ID)
    amount: int = optional(ge=1, le=MAX_YEN)
    tax_rate: TaxRateChoice = optional()
    registration_number: str = optional(max_length=20)
    exception: ExceptionChoice = optional()
    participants: int | None = Field(None, ge=1, le=999)
    reason: str = optional(max_length=300)
    region: RegionChoice = optional()
    receipt_id: int | None = Field(None, ge=1, le=MAX_ID)


class ClaimQuery(QuerySchema):
    scope: Annotated[str, OneOf("mine", "all")] = Field(
        "mine", description="all: every claim (経理 and auditors)")
    kind: ClaimKindChoice | None = None
    state: StateChoice | None = None


# ---- set-up -----------------------------------------------------------------------------------


class AccountOut(Schema):
    id: int
    code: str
    name: str
    role: RoleChoice
    default_tax_rate: TaxRateChoice
    allowed_tax_rates: list[TaxRateChoice]
    is_active: bool
    sort_order: int
    on_claims: bool


class AccountIn(InputSchema):
    code: str = Field(..., max_length=20)
    name: str = Field(..., max_length=60)
    role: RoleChoice = ""
    default_tax_rate: TaxRateChoice = TaxRate.STANDARD.value
    allowed_tax_rates: list[TaxRateChoice] = Field(default_factory=list,
                                                   description="empty: any rate")
    is_active: bool = True
    sort_order: int | None = Field(None, ge=0, le=32_767)


class AccountUpdateIn(InputSchema):
    code: str = optional(max_length=20)
    name: str = optional(max_length=60)
    role: RoleChoice = optional()
    default_tax_rate: TaxRateChoice = optional()
    allowed_tax_rates: list[TaxRateChoice] = optional()
    is_active: bool = optional()
    sort_order: int = optional(ge=0, le=32_767)


class RuleOut(Schema):
    id: int
    number: int
    kind: RuleKindChoice
    severity: SeverityChoice
    text: str
    params: dict[str, Any]
    is_active: bool


class RuleIn(InputSchema):
    """A rule; the parameters its kind reads (others are dropped): account_limit — accounts,
    amount; per_diem / lodging — limits by position name, default, region; receipt_over —
    accounts (empty: all), amount; reason_required — accounts, keywords; entertainment — amount
    per person."""

    kind: RuleKindChoice
    severity: SeverityChoice = Severity.WARNING.value
    text: str = Field(..., max_length=300)
    is_active: bool = True
    accounts: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=200, description="account codes")
    amount: int | None = Field(None, ge=0, le=MAX_YEN)
    limits: dict[Annotated[str, Field(max_length=50)], Annotated[int, Field(ge=0, le=MAX_YEN)]] \
        = Field(default_factory=dict, description="yen by position name (部長: 3000)")
    default: int | None = Field(None, ge=0, le=MAX_YEN,
                                description="the limit for a position not listed")
    region: RuleRegionChoice = "any"
    keywords: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list,
                                                                  max_length=100)


class RuleUpdateIn(InputSchema):
    """Fields left out keep their value (the parameters too)."""

    kind: RuleKindChoice = optional()
    severity: SeverityChoice = optional()
    text: str = optional(max_length=300)
    is_active: bool = optional()
    accounts: list[Annotated[str, Field(max_length=20)]] = optional(max_length=200)
    amount: int | None = Field(None, ge=0, le=MAX_YEN)
    limits: dict[Annotated[str, Field(max_length=50)],
                 Annotated[int, Field(ge=0, le=MAX_YEN)]] = optional()
    default: int | None = Field(None, ge=0, le=MAX_YEN)
    region: RuleRegionChoice = optional()
    keywords: list[Annotated[str, Field(max_length=100)]] = optional(max_length=100)


class RuleMoveIn(InputSchema):
    direction: Annotated[str, OneOf("up", "down")]


class SettingsOut(Schema):
    retention_years: int
    retention_basis: str
    entertainment_per_person: int
    requester_code: str
    requester_name: str
    bank_code: str
    branch_code: str
    account_kind: AccountKindChoice
    account_number: str


class SettingsUpdateIn(InputSchema):
    retention_years: int = optional(ge=0, le=32_767)
    retention_basis: str = optional(max_length=300)
    entertainment_per_person: int = optional(ge=0, le=MAX_YEN)
    requester_code: str = optional(max_length=10, description="10 digits")
    requester_name: str = optional(max_length=40, description="half-width katakana")
    bank_code: str = optional(max_length=4, description="4 digits")
    branch_code: str = optional(max_length=3, description="3 digits")
    account_kind: AccountKindChoice = optional()
    account_number: str = optional(max_length=7, description="up to 7 digits")
