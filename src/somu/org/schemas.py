"""API schemas of the org app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from somu.core.api import MAX_ID, InputSchema, OneOf, QuerySchema, optional
from somu.core.permissions import Role
from somu.org.models import EmploymentType, PersonStatus

# Hours a month, 0–400 with at most two decimals: a number, or the same as text (reads answer
# text, so a value read can be sent back unchanged).
MonthlyHours = Annotated[
    Decimal,
    Field(ge=0, le=400, decimal_places=2),
    WithJsonSchema({"anyOf": [
        {"type": "number", "minimum": 0, "maximum": 400},
        {"type": "string", "pattern": r"^(400(\.0{1,2})?|[1-3]?[0-9]{1,2}(\.[0-9]{1,2})?)$"},
    ]}),
]

# A reference to a record of the caller's organization (an unknown id is answered 422 by name).
Ref = Annotated[int, Field(ge=1, le=MAX_ID)]


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    standard_monthly_hours: Decimal
    weekend_days: list[int]
    digest_hour: int | None  # null: the deployment's SOMU_DIGEST_HOUR
    base_url: str  # "": the deployment's SOMU_BASE_URL
    fiscal_year_start_month: int  # 期首月: 4 = the fiscal year runs April to March


class OrganizationPatch(InputSchema):
    """The organization settings (admins); only the fields sent change."""

    name: str = optional(min_length=1, max_length=200)
    # Python weekday numbers, Monday = 0; at least one day stays a business day.
    weekend_days: list[Annotated[int, Field(ge=0, le=6)]] = optional(max_length=7)
    standard_monthly_hours: MonthlyHours = optional()
    digest_hour: int | None = Field(None, ge=0, le=23)  # null: back to the deployment's hour
    base_url: str = optional(max_length=200)  # "": back to SOMU_BASE_URL
    fiscal_year_start_month: int = optional(ge=1, le=12, description="期首月 (1–12)")


RoleChoice = Annotated[str, OneOf(*(role.value for role in Role))]


class MembershipOut(Schema):
    organization: OrganizationOut
    role: RoleChoice
    person_id: int | None


class MeOut(Schema):
    username: str
    email: str
    organization: OrganizationOut
    role: RoleChoice
    person_id: int | None


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    parent_id: int | None
    sort_order: int
    path: str = ""
    head_id: int | None = None  # 部署長: null while the post is vacant


class PositionOut(Schema):
    id: int
    name: str
    rank: int  # 1 = most senior


class PositionIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=50)
    rank: int = Field(..., ge=1, le=32767, description="1 = most senior")


class PositionPatch(InputSchema):
    name: str = optional(min_length=1, max_length=50)
    rank: int = optional(ge=1, le=32767, description="1 = most senior")


class DepartmentIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field("", max_length=32)
    parent_id: Ref | None = None
    head_id: Ref | None = None


class DepartmentPatch(InputSchema):
    name: str = optional(min_length=1, max_length=100)
    code: str = optional(max_length=32)
    parent_id: Ref | None = None
    head_id: Ref | None = None  # null: the post becomes vacant


class GradeOut(Schema):
    id: int
    code: str
    name: str
    hourly_cost: int
    difficulty_min: int
    difficulty_max: int
    sort_order: int


class GradeIn(InputSchema):
    code: str = Field(..., min_length=1, max_length=16)
    name: str = Field("", max_length=100)
    hourly_cost: int = Field(..., ge=0, le=2_000_000_000, description="yen per hour")
    difficulty_min: int = Field(..., ge=1, le=5)
    difficulty_max: int = Field(..., ge=1, le=5)
    sort_order: int = Field(0, ge=0, le=2_000_000_000)


class GradePatch(InputSchema):
    code: str = optional(min_length=1, max_length=16)
    name: str = optional(max_length=100)
    hourly_cost: int = optional(ge=0, le=2_000_000_000, description="yen per hour")
    difficulty_min: int = optional(ge=1, le=5)
    difficulty_max: int = optional(ge=1, le=5)
    sort_order: int = optional(ge=0, le=2_000_000_000)


class SkillOut(Schema):
    id: int
    name: str
    category: str
    description: str


class SkillIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    category: str = Field("", max_length=100)
    description: str = Field("", max_length=10_000)


class SkillPatch(InputSchema):
    name: str = optional(min_length=1, max_length=100)
    category: str = optional(max_length=100)
    description: str = optional(max_length=10_000)


class PersonSkillOut(Schema):
    skill_id: int
    skill: str
    level: int


class PersonOut(Schema):
    id: int
    employee_number: str
    name: str
    name_kana: str
    email: str
    department_id: int | None
    grade_id: int | None
    employment_type: EmploymentType
    hire_date: dt.date | None
    manager_id: int | None
    standard_monthly_hours: Decimal | None
    status: PersonStatus
    retired_on: dt.date | None
    position_id: int | None
    position: str | None  # the 役職's name

    @staticmethod
    def resolve_position(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj.get("position")
        return obj.position.name if obj.position_id else None


class PersonDetailOut(PersonOut):
    skills: list[PersonSkillOut]


class PersonIn(InputSchema):
    employee_number: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    name_kana: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    department_id: Ref | None = None
    grade_id: Ref | None = None
    employment_type: EmploymentType = EmploymentType.REGULAR
    hire_date: dt.date | None = None
    manager_id: Ref | None = None
    standard_monthly_hours: MonthlyHours | None = None
    position_id: Ref | None = None


class PersonPatch(InputSchema):
    employee_number: str = optional(min_length=1, max_length=32)
    name: str = optional(min_length=1, max_length=100)
    name_kana: str = optional(max_length=100)
    email: str = optional(max_length=254)
    department_id: Ref | None = None
    grade_id: Ref | None = None
    employment_type: EmploymentType = optional()
    hire_date: dt.date | None = None
    manager_id: Ref | None = None
    standard_monthly_hours: MonthlyHours | None = None
    position_id: Ref | None = None


class PersonQuery(QuerySchema):
    q: str = Field("", max_length=200)
    department_id: Ref | None = None
    grade_id: Ref | None = None
    position_id: Ref | None = None
    employment_type: Annotated[str, OneOf("", *EmploymentType.values)] = ""
    status: Annotated[str, OneOf(*PersonStatus.values, "all")] = "active"


class RetireIn(InputSchema):
    retired_on: dt.date


class NonBusinessDayOut(Schema):
    date: dt.date
    reason: str


class BusinessDaysQuery(QuerySchema):
    date: dt.date
    days: int = Field(..., ge=-3650, le=3650, description="negative: before the date")


class BusinessDayOut(Schema):
    date: dt.date
    is_business_day: bool
    reason: str | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)


class TokenCreatedOut(TokenOut):
    token: str
