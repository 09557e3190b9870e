"""API schemas of the org app."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from somu.org.models import EmploymentType, PersonStatus


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    standard_monthly_hours: Decimal
    weekend_days: list[int]
    digest_hour: int | None  # null: the deployment's SOMU_DIGEST_HOUR
    base_url: str  # "": the deployment's SOMU_BASE_URL


class OrganizationPatch(Schema):
    """The organization settings (admins); only the fields sent change."""

    name: str | None = Field(None, max_length=200)
    weekend_days: list[int] | None = None  # Python weekday numbers, Monday = 0
    standard_monthly_hours: Decimal | None = None
    digest_hour: int | None = None  # null: back to the deployment's hour
    base_url: str | None = Field(None, max_length=200)  # "": back to SOMU_BASE_URL


class MembershipOut(Schema):
    organization: OrganizationOut
    role: str
    person_id: int | None


class MeOut(Schema):
    username: str
    email: str
    organization: OrganizationOut
    role: str
    person_id: int | None


class DepartmentOut(Schema):
    id: int
    name: str
    code: str
    parent_id: int | None
    sort_order: int
    path: str = ""


class DepartmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    code: str = Field("", max_length=32)
    parent_id: int | None = None


class DepartmentPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    code: str | None = Field(None, max_length=32)
    parent_id: int | None = None


class GradeOut(Schema):
    id: int
    code: str
    name: str
    hourly_cost: int
    difficulty_min: int
    difficulty_max: int


class SkillOut(Schema):
    id: int
    name: str
    category: str
    description: str


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


class PersonDetailOut(PersonOut):
    skills: list[PersonSkillOut]


class PersonIn(Schema):
    employee_number: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    name_kana: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    department_id: int | None = None
    grade_id: int | None = None
    employment_type: EmploymentType = EmploymentType.REGULAR
    hire_date: dt.date | None = None
    manager_id: int | None = None
    standard_monthly_hours: Decimal | None = Field(None, ge=0, le=400)


class PersonPatch(Schema):
    employee_number: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=100)
    name_kana: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    department_id: int | None = None
    grade_id: int | None = None
    employment_type: EmploymentType | None = None
    hire_date: dt.date | None = None
    manager_id: int | None = None
    standard_monthly_hours: Decimal | None = Field(None, ge=0, le=400)


class RetireIn(Schema):
    retired_on: dt.date


class NonBusinessDayOut(Schema):
    date: dt.date
    reason: str


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


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)


class TokenCreatedOut(TokenOut):
    token: str
