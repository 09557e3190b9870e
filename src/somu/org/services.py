"""Writes for the org app: each function changes data, validates it and records it in the audit log.

Views and API endpoints call these and nothing else to change organizations, departments, people,
grades, skills, the calendar, memberships and API tokens.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from somu.audit.services import audit_record, diff, save_with_audit, snapshot
from somu.core import tenancy
from somu.core.errors import Conflict
from somu.core.permissions import Role
from somu.org.models import (
    DEFAULT_POSITIONS,
    ApiToken,
    CompanyHoliday,
    Department,
    Grade,
    Membership,
    Organization,
    Person,
    PersonSkill,
    PersonStatus,
    Position,
    Skill,
    User,
)
from somu.org.selectors import api_token_hash, department_subtree_ids
from somu.rules.calendar import DEFAULT_YEAR_END

Actor = AbstractBaseUser | AnonymousUser | None

PERSON_FIELDS = (
    "employee_number", "name", "name_kana", "email", "department", "grade", "employment_type",
    "hire_date", "manager", "standard_monthly_hours", "status", "retired_on", "position",
)
DEPARTMENT_FIELDS = ("name", "code", "parent", "sort_order")
GRADE_FIELDS = ("code", "name", "hourly_cost", "difficulty_min", "difficulty_max", "sort_order")
SKILL_FIELDS = ("name", "category", "description")

YEAR_END_NAMES = {(12, 29): "年末休暇", (12, 30): "年末休暇", (12, 31): "年末休暇",
                  (1, 1): "年始休暇", (1, 2): "年始休暇", (1, 3): "年始休暇"}


def _taken(field: str, message: str) -> ValidationError:
    """A value another record already holds: shown next to the field, answered 409 by the API."""
    return ValidationError({field: ValidationError(message, code="unique")})


# ---- organizations and memberships ---------------------------------------------------------------


@transaction.atomic
def organization_create(*, actor: Actor, name: str, slug: str) -> Organization:
    """A new tenant with the default calendar (土日, national holidays, 年末年始 12/29–1/3)."""
    organization = Organization(name=name, slug=slug)
    organization.full_clean()
    organization.save()
    with tenancy.activate(organization):
        CompanyHoliday.objects.bulk_create(
            CompanyHoliday(
                organization=organization, name=YEAR_END_NAMES[md], month=md[0], day=md[1]
            )
            for md in sorted(DEFAULT_YEAR_END, key=lambda md: (md[0] != 12, md))
        )
        Position.objects.bulk_create(
            Position(organization=organization, name=name, rank=rank)
            for name, rank in DEFAULT_POSITIONS
        )
        audit_record(
            actor=actor,
            action="organization.create",
            obj=organization,
            changes={"name": [None, name], "slug": [None, slug]},
        )
    return organization


ORGANIZATION_FIELDS = ("name", "standard_monthly_hours", "weekend_days", "digest_hour", "base_url",
                       "fiscal_year_start_month")


def _check_organization(organization: Organization) -> None:
    errors: dict[str, str] = {}
    days = organization.weekend_days
    if (not isinstance(days, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in days)
            or len(set(days)) != len(days)):
        errors["weekend_days"] = _("Choose weekdays from Monday to Sunday, each at most once.")
    elif len(days) == 7:
        errors["weekend_days"] = _("At least one day of the week must be a business day.")
    hours = organization.standard_monthly_hours
    if hours is not None and not 0 < hours <= 400:
        errors["standard_monthly_hours"] = _("Enter hours between 1 and 400.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_update(
    *, actor: Actor, organization: Organization, data: Mapping[str, Any]
) -> Organization:
    """Change the organization's settings: name, calendar weekends, standard monthly hours,
    the hour the day's digests are built, the base URL of links and the 期首月."""
    before = snapshot(organization, ORGANIZATION_FIELDS)
    for name, value in data.items():
        if name not in ORGANIZATION_FIELDS:
            raise ValueError(f"{name!r} cannot be set here")
        if name == "weekend_days" and isinstance(value, list | tuple):
            value = sorted(value) if all(type(d) is int for d in value) else list(value)
        if name == "base_url":
            value = (value or "").strip().rstrip("/")
        setattr(organization, name, value)
    _check_organization(organization)
    organization.full_clean()
    organization.save()
    audit_record(
        actor=actor, action="organization.update", obj=organization,
        organization_id=organization.pk,
        changes=diff(before, snapshot(organization, ORGANIZATION_FIELDS)),
    )
    return organization


@transaction.atomic
def membership_set(
    *, actor: Actor, user: User, role: Role, person: Person | None = None
) -> Membership:
    """Give ``user`` a role in the active organization (or change it)."""
    membership = Membership.objects.filter(user=user).first() or Membership(user=user)
    creating = membership._state.adding
    before = {} if creating else snapshot(membership, ("role", "person", "is_active"))
    membership.role = role.value
    membership.person = person
    membership.is_active = True
    if membership.organization_id is None:
        membership.organization_id = tenancy.active_organization_id()
    membership.save()
    audit_record(
        actor=actor,
        action="membership.create" if creating else "membership.update",
        obj=membership,
        object_repr=f"{user.get_username()} ({role.value})",
        changes=diff(before, snapshot(membership, ("role", "person", "is_active"))),
    )
    return membership


@transaction.atomic
def user_create(
    *, actor: Actor, username: str, password: str, email: str = "", is_superuser: bool = False
) -> User:
    user = User(username=username, email=email, is_superuser=is_superuser, is_staff=is_superuser)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_password_set(*, actor: Actor, membership: Membership, password: str) -> None:
    """An administrator sets the password of an account of their organization (e.g. a user who
    forgot theirs and has no email address). Audited, without the password.

    Refused for one's own account (the account page asks for the current password) and for an
    account that also belongs to another organization: an admin of one tenant must not be able
    to take over a login another tenant relies on.
    """
    from django.contrib.auth.password_validation import validate_password

    user = membership.user
    if actor is not None and user.pk == actor.pk:
        raise ValidationError(_("Change your own password on your account page."))
    with tenancy.unscoped():
        elsewhere = Membership.objects.filter(user=user, is_active=True).exclude(
            organization_id=membership.organization_id).exists()
    if elsewhere or user.is_superuser:
        raise ValidationError(_("This account also belongs to another organization: only its "
                                "owner (password reset by email) or the server operator can "
                                "change its password."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_set", obj=membership,
                 object_repr=user.get_username(), changes={})


# ---- API tokens ----------------------------------------------------------------------------------


@transaction.atomic
def api_token_create(*, actor: Actor, membership: Membership, name: str) -> tuple[ApiToken, str]:
    """A new personal token; the raw value is returned once and never stored."""
    if not name.strip():
        raise ValidationError({"name": _("Give the token a name.")})
    prefix = secrets.token_hex(4)
    raw = f"somu_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        membership=membership,
        user=membership.user,
        name=name.strip(),
        prefix=prefix,
        key_hash=api_token_hash(raw),
    )
    audit_record(actor=actor, action="api_token.create", obj=token,
                 object_repr=f"{token.name} (somu_{prefix}_…)",
                 changes={"name": [None, token.name]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=token,
                     object_repr=f"{token.name} (somu_{token.prefix}_…)",
                     changes={"revoked_at": [None, token.revoked_at.isoformat()]})
    return token


# ---- departments --------------------------------------------------------------------------------


def _check_department_parent(department: Department, parent: Department | None) -> None:
    if parent is None or department.pk is None:
        return
    if parent.pk in department_subtree_ids(department_id=department.pk):
        raise ValidationError({"parent": _(
            "A department cannot be placed under itself or one of its sub-departments."
        )})


@transaction.atomic
def department_create(
    *, actor: Actor, name: str, parent: Department | None = None, code: str = ""
) -> Department:
    siblings = Department.objects.filter(parent=parent)
    if siblings.filter(name=name).exists():
        raise _taken("name", _("A department with this name already exists here."))
    next_order = (siblings.aggregate(m=Max("sort_order"))["m"] or 0) + 1
    department = Department()
    save_with_audit(department, actor=actor, fields=DEPARTMENT_FIELDS,
                     data={"name": name, "parent": parent, "code": code, "sort_order": next_order},
                     action_prefix="department")
    return department


@transaction.atomic
def department_update(
    *, actor: Actor, department: Department, data: Mapping[str, Any]
) -> Department:
    if "parent" in data:
        _check_department_parent(department, data["parent"])
    name = data.get("name", department.name)
    parent = data.get("parent", department.parent)
    if Department.objects.filter(parent=parent, name=name).exclude(pk=department.pk).exists():
        raise _taken("name", _("A department with this name already exists here."))
    if "parent" in data and data["parent"] != department.parent:
        siblings = Department.objects.filter(parent=parent)
        data = {**data, "sort_order": (siblings.aggregate(m=Max("sort_order"))["m"] or 0) + 1}
    save_with_audit(department, actor=actor, fields=DEPARTMENT_FIELDS, data=data,
                     action_prefix="department")
    return department


@transaction.atomic
def department_move(*, actor: Actor, department: Department, direction: int) -> Department:
    """Swap a department with its previous (-1) or next (+1) sibling."""
    siblings = list(
        Department.objects.filter(parent=department.parent).order_by("sort_order", "name")
    )
    index = next(i for i, d in enumerate(siblings) if d.pk == department.pk)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(siblings):
        return department
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for order, sibling in enumerate(siblings, start=1):
        if sibling.sort_order != order:
            Department.objects.filter(pk=sibling.pk).update(sort_order=order)
    department.refresh_from_db()
    audit_record(actor=actor, action="department.reorder", obj=department,
                 changes={"position": [index + 1, target + 1]})
    return department


@transaction.atomic
def department_delete(*, actor: Actor, department: Department) -> None:
    if department.children.exists():
        raise ValidationError(_("Move or delete its sub-departments first."))
    if Person.objects.filter(department=department).exists():
        raise ValidationError(_("People belong to this department; move them first."))
    audit_record(actor=actor, action="department.delete", obj=department,
                 changes=diff(snapshot(department, DEPARTMENT_FIELDS), {}))
    department.delete()


# ---- people --------------------------------------------------------------------------------------


def _manager_problem(person: Person | None, manager: Person | None) -> str | None:
    """A manager must be someone else, and following managers upwards must never come back."""
    if manager is None:
        return None
    if person is not None and person.pk is not None and manager.pk == person.pk:
        return _("A person cannot be their own manager.")
    seen = {person.pk if person is not None else None}
    current: Person | None = manager
    while current is not None:
        if current.pk in seen:
            return _("This manager would create a reporting cycle.")
        seen.add(current.pk)
        current = (
            Person.objects.filter(pk=current.manager_id).first() if current.manager_id else None
        )
    return None


def _employee_number_taken(person: Person | None, employee_number: str) -> bool:
    # Checked here rather than left to the unique constraint, whose message names internals.
    others = Person.objects.filter(employee_number=employee_number)
    if person is not None and person.pk is not None:
        others = others.exclude(pk=person.pk)
    return others.exists()


# ふりがな: hiragana, katakana (half-width is read as full-width), the long vowel mark,
# iteration marks, the middle dot and spaces.
KANA_RE: Final = re.compile(r"[\u3041-\u3096\u309d\u309e\u30a1-\u30fe\u3000 ]+")
MAX_MONTHLY_HOURS: Final = Decimal(400)


def person_problems(data: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, str]:
    """What is wrong with the person fields in ``data`` (only those given), by field.

    The rules every way of entering people shares (the form, the API, the import): ふりがな in
    kana, a 入社日 at most ``SOMU_HIRE_DATE_MAX_YEARS_AHEAD`` years after ``today`` (the local
    date unless given), a 月間標準労働時間 above 0 and at most 400 hours.
    """
    problems: dict[str, str] = {}
    kana = data.get("name_kana")
    if kana and not KANA_RE.fullmatch(unicodedata.normalize("NFKC", kana)):
        problems["name_kana"] = _("Write the furigana in hiragana or katakana.")
    hire_date = data.get("hire_date")
    if isinstance(hire_date, dt.date):
        today = today or timezone.localdate()
        years = settings.SOMU_HIRE_DATE_MAX_YEARS_AHEAD
        latest = _years_after(today, years)
        if hire_date > latest:
            problems["hire_date"] = _(
                "The hire date is more than %(years)s years ahead (after %(date)s); check it."
            ) % {"years": years, "date": latest.isoformat()}
    hours = data.get("standard_monthly_hours")
    if hours is not None and hours != "" and not 0 < Decimal(hours) <= MAX_MONTHLY_HOURS:
        problems["standard_monthly_hours"] = _(
            "Standard monthly hours must be more than 0 and at most %(max)s."
        ) % {"max": MAX_MONTHLY_HOURS}
    return problems


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def person_errors(
    *, person: Person | None, data: Mapping[str, Any], today: dt.date | None = None
) -> dict[str, ValidationError]:
    """Every problem with the person fields in ``data`` (only those given), by field, all at
    once: a duplicate 社員番号 is reported together with a bad ふりがな, not after it is fixed.

    ``person`` is the one being changed (None for a new person): its own 社員番号 is not a
    duplicate, and only the values that change are held to :func:`person_problems` (a stored
    value the rules have since tightened does not block an unrelated edit). A taken 社員番号
    carries the code ``unique`` (the API answers 409 when it is the only problem).
    """
    if person is not None and person.pk is not None:
        changed = {k: v for k, v in data.items() if getattr(person, k, None) != v}
    else:
        changed = dict(data)
    errors = {name: ValidationError(reason)
              for name, reason in person_problems(changed, today=today).items()}
    if "employee_number" in data and _employee_number_taken(person, data["employee_number"]):
        errors["employee_number"] = ValidationError(
            _("Another person already has this employee number."), code="unique")
    if "manager" in data and (problem := _manager_problem(person, data["manager"])):
        errors["manager"] = ValidationError(problem)
    return errors


def _check_person(person: Person | None, data: Mapping[str, Any], today: dt.date | None) -> None:
    if errors := person_errors(person=person, data=data, today=today):
        raise ValidationError(errors)


@transaction.atomic
def person_create(
    *, actor: Actor, data: Mapping[str, Any], today: dt.date | None = None
) -> Person:
    person = Person()
    _check_person(None, {"employee_number": "", **data}, today)
    save_with_audit(person, actor=actor, fields=PERSON_FIELDS, data=data, action_prefix="person")
    return person


@transaction.atomic
def person_update(
    *, actor: Actor, person: Person, data: Mapping[str, Any], today: dt.date | None = None
) -> Person:
    _check_person(person, data, today)
    save_with_audit(person, actor=actor, fields=PERSON_FIELDS, data=data, action_prefix="person")
    return person


@transaction.atomic
def person_retire(*, actor: Actor, person: Person, retired_on: dt.date) -> Person:
    """Mark a person retired (退職). People are never deleted: their history stays theirs.

    Their logins to this organization (the memberships linked to them) are deactivated with
    them, API tokens included: someone who left must not keep access. Reinstating does not give
    it back; an administrator adds the account again on the members page.
    """
    if person.status == PersonStatus.RETIRED:
        raise ValidationError(_("This person has already retired."))
    if person.hire_date and retired_on < person.hire_date:
        raise ValidationError({"retired_on": _("The retirement date is before the hire date.")})
    logins = list(Membership.objects.filter(person=person, is_active=True).select_related("user"))
    if actor is not None and any(m.user_id == actor.pk for m in logins):
        raise ValidationError(_("You cannot retire the person your own account is linked to: "
                                "you would lose access. Ask another administrator."))
    before = snapshot(person, ("status", "retired_on"))
    person.status = PersonStatus.RETIRED
    person.retired_on = retired_on
    person.save(update_fields=["status", "retired_on", "updated_at"])
    audit_record(actor=actor, action="person.retire", obj=person,
                 changes=diff(before, snapshot(person, ("status", "retired_on"))))
    for membership in logins:
        membership_deactivate(actor=actor, membership=membership)
    return person


@transaction.atomic
def person_reinstate(*, actor: Actor, person: Person) -> Person:
    """Undo a retirement entered by mistake (or a re-hire under the same number)."""
    before = snapshot(person, ("status", "retired_on"))
    person.status = PersonStatus.ACTIVE
    person.retired_on = None
    person.save(update_fields=["status", "retired_on", "updated_at"])
    audit_record(actor=actor, action="person.reinstate", obj=person,
                 changes=diff(before, snapshot(person, ("status", "retired_on"))))
    return person


@transaction.atomic
def person_skill_set(*, actor: Actor, person: Person, skill: Skill, level: int | None) -> None:
    """Set (or with ``level=None`` remove) a person's level in a skill."""
    existing = PersonSkill.objects.filter(person=person, skill=skill).first()
    old = existing.level if existing else None
    if level is None:
        if existing:
            existing.delete()
    elif existing:
        existing.level = level
        existing.full_clean()
        existing.save(update_fields=["level"])
    else:
        item = PersonSkill(person=person, skill=skill, level=level)
        item.organization_id = tenancy.active_organization_id()
        item.full_clean()
        item.save()
    if old != level:
        audit_record(actor=actor, action="person.skill", obj=person,
                     changes={f"skill:{skill.name}": [old, level]})


# ---- grades and skills ---------------------------------------------------------------------------


@transaction.atomic
def grade_save(*, actor: Actor, grade: Grade | None, data: Mapping[str, Any]) -> Grade:
    grade = grade or Grade()
    low = data.get("difficulty_min", grade.difficulty_min)
    high = data.get("difficulty_max", grade.difficulty_max)
    if low is not None and high is not None and low > high:
        # Else the check constraint answers, naming itself instead of the field.
        raise ValidationError({"difficulty_max": _("The band must run from low to high.")})
    code = data.get("code", grade.code)
    if Grade.objects.filter(code=code).exclude(pk=grade.pk).exists():
        raise _taken("code", _("A grade with this code already exists."))
    save_with_audit(grade, actor=actor, fields=GRADE_FIELDS, data=data, action_prefix="grade")
    return grade


class GradeInUse(Conflict):
    """People still hold the grade: it clashes with the current state, not with the input (409)."""

    def __init__(self) -> None:
        super().__init__(_("People hold this grade; change their grade first."))


@transaction.atomic
def grade_delete(*, actor: Actor, grade: Grade) -> None:
    """Delete a grade nobody holds; :class:`GradeInUse` when someone still does."""
    if Person.objects.filter(grade=grade).exists():
        raise GradeInUse()
    audit_record(actor=actor, action="grade.delete", obj=grade,
                 changes=diff(snapshot(grade, GRADE_FIELDS), {}))
    grade.delete()


@transaction.atomic
def skill_save(*, actor: Actor, skill: Skill | None, data: Mapping[str, Any]) -> Skill:
    skill = skill or Skill()
    name = data.get("name", skill.name)
    if Skill.objects.filter(name=name).exclude(pk=skill.pk).exists():
        raise _taken("name", _("A skill with this name already exists."))
    save_with_audit(skill, actor=actor, fields=SKILL_FIELDS, data=data, action_prefix="skill")
    return skill


# ---- calendar ------------------------------------------------------------------------------------


@transaction.atomic
def company_holiday_add(
    *, actor: Actor, name: str, month: int, day: int, year: int | None = None
) -> CompanyHoliday:
    try:
        dt.date(year or 2000, month, day)  # 2000 is a leap year: 2/29 is a valid annual holiday
    except ValueError as exc:
        raise ValidationError({"day": _("This day does not exist in that month.")}) from exc
    if CompanyHoliday.objects.filter(month=month, day=day, year=year).exists():
        raise _taken("day", _("This day is already a company holiday."))
    holiday = CompanyHoliday(name=name, month=month, day=day, year=year)
    save_with_audit(holiday, actor=actor, fields=("name", "month", "day", "year"),
                     data={"name": name, "month": month, "day": day, "year": year},
                     action_prefix="company_holiday")
    return holiday


@transaction.atomic
def company_holiday_delete(*, actor: Actor, holiday: CompanyHoliday) -> None:
    audit_record(actor=actor, action="company_holiday.delete", obj=holiday,
                 changes=diff(snapshot(holiday, ("name", "month", "day", "year")), {}))
    holiday.delete()


# ---- login throttling ---------------------------------------------------------------------------


def login_failure_record(*, username: str, ip: str) -> None:
    from django.conf import settings

    from somu.org.models import LoginFailure
    from somu.org.selectors import login_failure_keys

    account, address = login_failure_keys(username=username, ip=ip)
    LoginFailure.objects.bulk_create(
        [LoginFailure(key_hash=account), LoginFailure(key_hash=address)]
    )
    # Old rows are useless for throttling; drop them as we go instead of needing a cron job.
    horizon = timezone.now() - dt.timedelta(seconds=settings.SOMU_LOGIN_WINDOW_SECONDS * 2)
    LoginFailure.objects.filter(created_at__lt=horizon).delete()


@transaction.atomic
def membership_deactivate(*, actor: Actor, membership: Membership) -> Membership:
    """Take an account out of the organization; its history stays attributed to it."""
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit_record(actor=actor, action="membership.deactivate", obj=membership,
                     object_repr=f"{membership.user.get_username()} ({membership.role})",
                     changes={"is_active": [True, False]})
        ApiToken.objects.filter(membership=membership, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    return membership
