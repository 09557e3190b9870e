"""/api/v1/ endpoints of the org app: thin, typed, and calling services and selectors only."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from somu.core.api import ErrorOut, PagePagination, errors
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.org import selectors, services, services_positions
from somu.org.models import Department, Grade, Membership, Person, Position, Skill
from somu.org.permissions import EDIT_PEOPLE, MANAGE_ORGANIZATION, MANAGE_STRUCTURE, VIEW_ORG
from somu.org.schemas import (
    BusinessDayOut,
    BusinessDaysQuery,
    DepartmentIn,
    DepartmentOut,
    DepartmentPatch,
    GradeIn,
    GradeOut,
    GradePatch,
    MembershipOut,
    MeOut,
    NonBusinessDayOut,
    OrganizationOut,
    OrganizationPatch,
    PersonDetailOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    PersonQuery,
    PositionIn,
    PositionOut,
    PositionPatch,
    RetireIn,
    SkillIn,
    SkillOut,
    SkillPatch,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)

router = Router(tags=["org"])

# The years the business calendar answers for (national holidays are known for these).
MIN_YEAR, MAX_YEAR = 1950, 2150


# (payload key, model, field named in the error, noun in the message); the object lands under
# the key without "_id".
_REFERENCES: tuple[tuple[str, type[Any], str, str], ...] = (
    ("department_id", Department, "department", "department"),
    ("grade_id", Grade, "grade", "grade"),
    ("manager_id", Person, "manager", "manager"),
    ("parent_id", Department, "parent_id", "department"),
    ("position_id", Position, "position", "position"),
    ("head_id", Person, "head", "person"),
)


def _resolve_refs(data: dict[str, Any]) -> dict[str, Any]:
    """Turn ``*_id`` fields into objects of the active organization; unknown ids are 422."""
    from django.core.exceptions import ValidationError

    resolved = dict(data)
    for key, model, error_field, noun in _REFERENCES:
        if key not in resolved:
            continue
        value = resolved.pop(key)
        name = key.removesuffix("_id")
        if value is None:
            resolved[name] = None
            continue
        obj = model.objects.filter(pk=value).first()
        if obj is None:
            raise ValidationError({error_field: f"Unknown {noun} id {value}."})
        resolved[name] = obj
    return resolved


@router.get("/me", response={200: MeOut, **errors()}, summary="The caller and their organization")
def me(request: AuthedRequest) -> dict[str, Any]:
    m = request.auth
    return {
        "username": m.user.get_username(),
        "email": m.user.email,
        "organization": m.organization,
        "role": m.role,
        "person_id": m.person_id,
    }


@router.get("/organizations", response={200: list[MembershipOut], **errors()},
            summary="The organizations the caller belongs to")
def organizations(request: HttpRequest) -> list[Membership]:
    return selectors.memberships_of_user(user=request.user)  # type: ignore[arg-type]


@router.get("/organization", response={200: OrganizationOut, **errors(403)},
            summary="The caller's organization and its settings")
def organization_get(request: AuthedRequest) -> Any:
    membership = request.auth
    require(membership, VIEW_ORG)
    return selectors.organization_get(organization_id=membership.organization_id)


@router.patch("/organization", response={200: OrganizationOut, **errors(403, 422)},
              summary="Change the organization settings (admins)")
def organization_update(request: AuthedRequest, payload: OrganizationPatch) -> Any:
    membership = request.auth
    require(membership, MANAGE_ORGANIZATION)
    organization = selectors.organization_get(organization_id=membership.organization_id)
    return services.organization_update(actor=request.user, organization=organization,
                                        data=payload.dict(exclude_unset=True))


@router.get("/departments", response={200: list[DepartmentOut], **errors(403)})
@paginate(PagePagination)
def department_list(request: AuthedRequest) -> list[dict[str, Any]]:
    require(request.auth, VIEW_ORG)
    paths = selectors.department_paths()
    return [
        {**_department_dict(d), "path": paths.get(d.pk, d.name)}
        for d in selectors.department_list()
    ]


def _department_dict(d: Department) -> dict[str, Any]:
    return {"id": d.pk, "name": d.name, "code": d.code, "parent_id": d.parent_id,
            "sort_order": d.sort_order, "head_id": d.head_id}


@router.get("/departments/{department_id}", response={200: DepartmentOut, **errors(403, 404)})
def department_get(request: AuthedRequest, department_id: int) -> dict[str, Any]:
    require(request.auth, VIEW_ORG)
    department = Department.objects.get(pk=department_id)
    return {**_department_dict(department), "path": selectors.department_paths()[department.pk]}


@router.post("/departments", response={201: DepartmentOut, **errors(403, 409, 422)})
def department_create(request: AuthedRequest, payload: DepartmentIn) -> Status[dict[str, Any]]:
    require(request.auth, MANAGE_STRUCTURE)
    data = _resolve_refs(payload.dict())
    department = services_positions.department_save(actor=request.user, department=None,
                                                     data=data)
    path = selectors.department_paths()[department.pk]
    return Status(201, {**_department_dict(department), "path": path})


@router.patch("/departments/{department_id}",
              response={200: DepartmentOut, **errors(403, 404, 409, 422)})
def department_update(
    request: AuthedRequest, department_id: int, payload: DepartmentPatch
) -> dict[str, Any]:
    require(request.auth, MANAGE_STRUCTURE)
    department = Department.objects.get(pk=department_id)
    data = _resolve_refs(payload.dict(exclude_unset=True))
    services_positions.department_save(actor=request.user, department=department, data=data)
    return {**_department_dict(department), "path": selectors.department_paths()[department.pk]}


@router.get("/people", response={200: list[PersonOut], **errors(403, 422)},
            summary="People, filtered like the people page")
@paginate(PagePagination)
def person_list(request: AuthedRequest, filters: Query[PersonQuery]) -> Any:
    require(request.auth, VIEW_ORG)
    return selectors.person_list(
        filters=selectors.PersonFilter(
            q=filters.q,
            department_id=filters.department_id,
            grade_id=filters.grade_id,
            position_id=filters.position_id,
            employment_type=filters.employment_type,
            status="" if filters.status == "all" else filters.status,
        )
    )


def _person_detail(person: Person) -> dict[str, Any]:
    out = PersonOut.from_orm(person).dict()
    out["skills"] = [
        {"skill_id": ps.skill_id, "skill": ps.skill.name, "level": ps.level}
        for ps in selectors.person_skills(person=person)
    ]
    return out


@router.get("/people/{person_id}", response={200: PersonDetailOut, **errors(403, 404)})
def person_get(request: AuthedRequest, person_id: int) -> dict[str, Any]:
    require(request.auth, VIEW_ORG)
    return _person_detail(selectors.person_get(person_id=person_id))


@router.post("/people", response={201: PersonDetailOut, **errors(403, 409, 422)})
def person_create(request: AuthedRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    data = _resolve_refs(payload.dict())
    department = data.get("department")
    require(request.auth, EDIT_PEOPLE, department_id=department.pk if department else None)
    person = services.person_create(actor=request.user, data=data)
    return Status(201, _person_detail(person))


@router.patch("/people/{person_id}", response={200: PersonDetailOut, **errors(403, 404, 409, 422)})
def person_update(request: AuthedRequest, person_id: int, payload: PersonPatch) -> dict[str, Any]:
    person = selectors.person_get(person_id=person_id)
    require(request.auth, EDIT_PEOPLE, department_id=person.department_id)
    data = _resolve_refs(payload.dict(exclude_unset=True))
    if "department" in data:
        target = data["department"]
        require(request.auth, EDIT_PEOPLE, department_id=target.pk if target else None)
    services.person_update(actor=request.user, person=person, data=data)
    return _person_detail(person)


@router.post("/people/{person_id}/retire",
             response={200: PersonDetailOut, **errors(403, 404, 422)})
def person_retire(request: AuthedRequest, person_id: int, payload: RetireIn) -> dict[str, Any]:
    person = selectors.person_get(person_id=person_id)
    require(request.auth, EDIT_PEOPLE, department_id=person.department_id)
    services.person_retire(actor=request.user, person=person, retired_on=payload.retired_on)
    return _person_detail(person)


@router.get("/grades", response={200: list[GradeOut], **errors(403)})
@paginate(PagePagination)
def grade_list(request: AuthedRequest) -> Any:
    require(request.auth, VIEW_ORG)
    return selectors.grade_list()


@router.get("/grades/{grade_id}", response={200: GradeOut, **errors(403, 404)})
def grade_get(request: AuthedRequest, grade_id: int) -> Grade:
    require(request.auth, VIEW_ORG)
    return Grade.objects.get(pk=grade_id)


@router.post("/grades", response={201: GradeOut, **errors(403, 409, 422)},
             summary="Add a grade (等級)")
def grade_create(request: AuthedRequest, payload: GradeIn) -> Status[Grade]:
    require(request.auth, MANAGE_STRUCTURE)
    return Status(201, services.grade_save(actor=request.user, grade=None, data=payload.dict()))


@router.patch("/grades/{grade_id}", response={200: GradeOut, **errors(403, 404, 409, 422)},
              summary="Change a grade")
def grade_update(request: AuthedRequest, grade_id: int, payload: GradePatch) -> Grade:
    require(request.auth, MANAGE_STRUCTURE)
    grade = Grade.objects.get(pk=grade_id)
    return services.grade_save(actor=request.user, grade=grade,
                               data=payload.dict(exclude_unset=True))


@router.delete("/grades/{grade_id}", response={204: None, **errors(403, 404, 409)},
               summary="Delete a grade nobody holds")
def grade_delete(request: AuthedRequest, grade_id: int) -> Status[None]:
    require(request.auth, MANAGE_STRUCTURE)
    services.grade_delete(actor=request.user, grade=Grade.objects.get(pk=grade_id))
    return Status(204, None)


@router.get("/positions", response={200: list[PositionOut], **errors(403)},
            summary="The 役職 (positions), most senior first")
@paginate(PagePagination)
def position_list(request: AuthedRequest) -> Any:
    require(request.auth, VIEW_ORG)
    return selectors.position_list()


@router.get("/positions/{position_id}", response={200: PositionOut, **errors(403, 404)})
def position_get(request: AuthedRequest, position_id: int) -> Position:
    require(request.auth, VIEW_ORG)
    return Position.objects.get(pk=position_id)


@router.post("/positions", response={201: PositionOut, **errors(403, 409, 422)},
             summary="Add a position (役職)")
def position_create(request: AuthedRequest, payload: PositionIn) -> Status[Position]:
    require(request.auth, MANAGE_STRUCTURE)
    return Status(201, services_positions.position_save(actor=request.user, position=None,
                                                        data=payload.dict()))


@router.patch("/positions/{position_id}",
              response={200: PositionOut, **errors(403, 404, 409, 422)},
              summary="Rename a position or change its rank")
def position_update(request: AuthedRequest, position_id: int, payload: PositionPatch) -> Position:
    require(request.auth, MANAGE_STRUCTURE)
    position = Position.objects.get(pk=position_id)
    return services_positions.position_save(actor=request.user, position=position,
                                            data=payload.dict(exclude_unset=True))


@router.delete("/positions/{position_id}", response={204: None, **errors(403, 404, 409)},
               summary="Delete a position nobody holds")
def position_delete(request: AuthedRequest, position_id: int) -> Status[None]:
    require(request.auth, MANAGE_STRUCTURE)
    services_positions.position_delete(actor=request.user,
                                       position=Position.objects.get(pk=position_id))
    return Status(204, None)


@router.get("/skills", response={200: list[SkillOut], **errors(403)})
@paginate(PagePagination)
def skill_list(request: AuthedRequest) -> Any:
    require(request.auth, VIEW_ORG)
    return selectors.skill_list()


@router.get("/skills/{skill_id}", response={200: SkillOut, **errors(403, 404)})
def skill_get(request: AuthedRequest, skill_id: int) -> Skill:
    require(request.auth, VIEW_ORG)
    return Skill.objects.get(pk=skill_id)


@router.post("/skills", response={201: SkillOut, **errors(403, 409, 422)},
             summary="Add a skill")
def skill_create(request: AuthedRequest, payload: SkillIn) -> Status[Skill]:
    require(request.auth, MANAGE_STRUCTURE)
    return Status(201, services.skill_save(actor=request.user, skill=None, data=payload.dict()))


@router.patch("/skills/{skill_id}", response={200: SkillOut, **errors(403, 404, 409, 422)},
              summary="Change a skill")
def skill_update(request: AuthedRequest, skill_id: int, payload: SkillPatch) -> Skill:
    require(request.auth, MANAGE_STRUCTURE)
    skill = Skill.objects.get(pk=skill_id)
    return services.skill_save(actor=request.user, skill=skill,
                               data=payload.dict(exclude_unset=True))


@router.get("/calendar/non-business-days",
            response={200: list[NonBusinessDayOut], **errors(403, 422)},
            summary="Weekends, national and company holidays of a year")
def calendar_non_business_days(
    request: AuthedRequest, year: int = Query(..., ge=MIN_YEAR, le=MAX_YEAR)
) -> list[dict[str, Any]]:
    require(request.auth, VIEW_ORG)
    calendar = selectors.business_calendar(organization=request.auth.organization)
    return [{"date": d, "reason": r} for d, r in calendar.non_business_days(year)]


@router.get("/calendar/add-business-days", response={200: BusinessDayOut, **errors(403, 422)},
            summary="The date N business days after (or before, with negative N) a date")
def calendar_add_business_days(
    request: AuthedRequest, query: Query[BusinessDaysQuery]
) -> dict[str, Any]:
    require(request.auth, VIEW_ORG)
    date, days = query.date, query.days
    if not MIN_YEAR <= date.year <= MAX_YEAR:
        from django.core.exceptions import ValidationError

        raise ValidationError({"date": f"Give a date between {MIN_YEAR} and {MAX_YEAR}."})
    calendar = selectors.business_calendar(organization=request.auth.organization)
    result = calendar.add_business_days(date, days)
    return {"date": result, "is_business_day": calendar.is_business_day(result),
            "reason": calendar.holiday_reason(result)}


@router.get("/tokens", response={200: list[TokenOut], **errors()}, summary="Your API tokens")
def token_list(request: AuthedRequest) -> Any:
    return list(selectors.api_token_list(membership=request.auth))


@router.post("/tokens", response={201: TokenCreatedOut, **errors(422)},
             summary="Create an API token (its value is shown once)")
def token_create(request: AuthedRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    token, raw = services.api_token_create(
        actor=request.user, membership=request.auth, name=payload.name
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{token_id}", response={200: TokenOut, 404: ErrorOut, **errors()},
               summary="Revoke one of your API tokens")
def token_revoke(request: AuthedRequest, token_id: int) -> Any:
    token = selectors.api_token_list(membership=request.auth).get(pk=token_id)
    return services.api_token_revoke(actor=request.user, token=token)
