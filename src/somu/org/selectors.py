"""Reads for the org app. Everything here runs inside the active organization's scope."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from somu.core import tenancy
from somu.org.models import (
    ApiToken,
    CompanyHoliday,
    Department,
    Grade,
    Membership,
    Organization,
    Person,
    PersonStatus,
    Position,
    Skill,
    User,
    department_subtree_ids,
)
from somu.rules.calendar import BusinessCalendar, build_calendar

# ---- memberships and tokens (these cross organizations on purpose: they decide the scope) -----


def memberships_of_user(*, user: User) -> list[Membership]:
    with tenancy.unscoped():
        return list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )


def membership_for_session(*, user: User, organization_id: int | None) -> Membership | None:
    """The membership the session works in: the chosen organization, else the user's first."""
    with tenancy.unscoped():
        qs = Membership.objects.filter(user=user, is_active=True).select_related(
            "organization", "person"
        )
        if organization_id is not None:
            chosen = qs.filter(organization_id=organization_id).first()
            if chosen is not None:
                return chosen
        # The first organization joined, not the alphabetically first: stable and predictable.
        return qs.order_by("pk").first()


def api_token_hash(raw: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is as strong as a slow password hash.
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    if not raw.startswith("somu_"):
        return None
    with tenancy.unscoped():
        token = (
            ApiToken.objects.select_related(
                "user", "membership", "membership__organization", "membership__person"
            )
            .filter(key_hash=api_token_hash(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None or not token.user.is_active or not token.membership.is_active:
            return None
        now = timezone.now()
        # Touch at most once a minute: a busy client should not turn every read into a write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_list(*, membership: Membership) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(membership=membership).order_by("-created_at")


# ---- departments -------------------------------------------------------------------------------


@dataclass
class DepartmentNode:
    department: Department
    depth: int
    people_count: int = 0
    children: list[DepartmentNode] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.department.name


def department_list() -> QuerySet[Department]:
    """Departments in chart order, with their head (部署長) and the head's position."""
    return Department.objects.select_related("head", "head__position").order_by(
        "sort_order", "name")


def department_tree(*, with_counts: bool = True) -> list[DepartmentNode]:
    """The organization chart as nested nodes, siblings in their chosen order.

    Two queries; one without ``with_counts`` (a filter drop-down shows no head counts).
    """
    counts: dict[int, int] = {}
    if with_counts:
        counts = dict(
            Person.objects.filter(status=PersonStatus.ACTIVE, department__isnull=False)
            .values_list("department_id")
            .annotate(n=Count("id"))
            .values_list("department_id", "n")
        )
    departments = list(department_list())
    by_parent: dict[int | None, list[Department]] = {}
    for dept in departments:
        by_parent.setdefault(dept.parent_id, []).append(dept)

    def build(parent_id: int | None, depth: int) -> list[DepartmentNode]:
        return [
            DepartmentNode(
                department=d,
                depth=depth,
                people_count=counts.get(d.pk, 0),
                children=build(d.pk, depth + 1),
            )
            for d in by_parent.get(parent_id, [])
        ]

    return build(None, 0)


def flatten_tree(nodes: Iterable[DepartmentNode]) -> list[DepartmentNode]:
    out: list[DepartmentNode] = []
    for node in nodes:
        out.append(node)
        out.extend(flatten_tree(node.children))
    return out


def department_paths() -> dict[int, str]:
    """``{id: "管理本部/総務部"}`` for every department; one query."""
    departments = {d.pk: d for d in Department.objects.only("id", "name", "parent_id")}
    paths: dict[int, str] = {}

    def path_of(dept_id: int, seen: frozenset[int] = frozenset()) -> str:
        if dept_id in paths:
            return paths[dept_id]
        dept = departments[dept_id]
        if dept.parent_id is None or dept.parent_id in seen:
            result = dept.name
        else:
            result = f"{path_of(dept.parent_id, seen | {dept_id})}/{dept.name}"
        paths[dept_id] = result
        return result

    for dept_id in departments:
        path_of(dept_id)
    return paths


# ---- people --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonFilter:
    q: str = ""
    department_id: int | None = None
    include_subdepartments: bool = True
    grade_id: int | None = None
    employment_type: str = ""
    status: str = PersonStatus.ACTIVE  # "" for everyone
    position_id: int | None = None


def person_list(*, filters: PersonFilter | None = None) -> QuerySet[Person]:
    """People of the active organization, filtered; the same filter serves the page and the API."""
    f = filters or PersonFilter()
    qs = Person.objects.select_related("department", "grade", "manager", "position")
    if f.q:
        terms = f.q.split()
        for term in terms:
            qs = qs.filter(
                Q(name__icontains=term)
                | Q(name_kana__icontains=term)
                | Q(employee_number__icontains=term)
                | Q(email__icontains=term)
            )
    if f.department_id is not None:
        if f.include_subdepartments:
            qs = qs.filter(department_id__in=department_subtree_ids(department_id=f.department_id))
        else:
            qs = qs.filter(department_id=f.department_id)
    if f.grade_id is not None:
        qs = qs.filter(grade_id=f.grade_id)
    if f.position_id is not None:
        qs = qs.filter(position_id=f.position_id)
    if f.employment_type:
        qs = qs.filter(employment_type=f.employment_type)
    if f.status:
        qs = qs.filter(status=f.status)
    return qs.order_by("employee_number")


PERSON_SEARCH_LIMIT = 20


def _hiragana(text: str) -> str:
    """Katakana → hiragana, so that ヤマダ finds the やまだ people are stored with."""
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text)


def person_search(*, q: str, include_retired: bool = False,
                  limit: int = PERSON_SEARCH_LIMIT) -> list[Person]:
    """The first ``limit`` people matching ``q`` for a person picker: every word must appear in
    the name, the kana (typed in hiragana or katakana, full- or half-width) or the 社員番号.
    An exact 社員番号 comes first, then by 社員番号. One query (a second one only to find an
    exact 社員番号 beyond the first ``limit``), however large the organization."""
    import unicodedata

    qs = Person.objects.select_related("department").only(
        "id", "employee_number", "name", "name_kana", "status", "department__name")
    if not include_retired:
        qs = qs.filter(status=PersonStatus.ACTIVE)
    text = unicodedata.normalize("NFKC", q).strip()
    for term in text.split():
        qs = qs.filter(Q(name__icontains=term) | Q(name_kana__icontains=_hiragana(term))
                       | Q(name_kana__icontains=term) | Q(employee_number__icontains=term))
    people = list(qs.order_by("employee_number")[:limit])
    exact = [p for p in people if p.employee_number.casefold() == text.casefold()]
    if text and not exact and " " not in text:
        exact = list(qs.filter(employee_number__iexact=text)[:1])
    return [*exact, *[p for p in people if p not in exact]][:limit]


def person_get(*, person_id: int) -> Person:
    """One person of the active organization; ``Person.DoesNotExist`` for anyone else's."""
    return Person.objects.select_related("department", "grade", "manager", "position").get(
        pk=person_id)


def person_skills(*, person: Person) -> QuerySet:
    return person.skills.select_related("skill").order_by("skill__category", "skill__name")


# ---- grades, skills, calendar -------------------------------------------------------------------


def grade_list() -> QuerySet[Grade]:
    return Grade.objects.annotate(
        people_count=Count("people", filter=Q(people__status=PersonStatus.ACTIVE))
    ).order_by("sort_order", "code")


def position_list() -> QuerySet[Position]:
    """The 役職, most senior first, with how many active people hold each and how many
    departments are headed by someone holding it."""
    active = Q(people__status=PersonStatus.ACTIVE)
    return Position.objects.annotate(
        people_count=Count("people", filter=active, distinct=True),
        heads_count=Count("people__headed_departments", filter=active, distinct=True),
    ).order_by("rank", "name")


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.annotate(holders_count=Count("holders")).order_by("category", "name")


def company_holiday_list() -> QuerySet[CompanyHoliday]:
    return CompanyHoliday.objects.order_by("year", "month", "day")


def business_calendar(*, organization: Organization) -> BusinessCalendar:
    """The organization's calendar, ready for the pure business-day arithmetic."""
    annual: list[tuple[int, int, str]] = []
    one_off: list[tuple[dt.date, str]] = []
    for h in CompanyHoliday.all_objects.filter(organization=organization):
        if h.year is None:
            annual.append((h.month, h.day, h.name))
        else:
            one_off.append((dt.date(h.year, h.month, h.day), h.name))
    return build_calendar(weekend_days=organization.weekend_days, annual=annual, one_off=one_off)


def organization_get(*, organization_id: int) -> Organization:
    return Organization.objects.get(pk=organization_id)


def link_base_url(*, organization_id: int | None = None) -> str:
    """Where people reach somu, for links in emails and chat messages (no trailing slash).

    The organization's own base URL when it has one (the active organization unless
    ``organization_id`` is given), else the deployment's ``SOMU_BASE_URL``.
    """
    from django.conf import settings

    if organization_id is None and not tenancy.is_unscoped():
        try:
            organization_id = tenancy.active_organization_id()
        except tenancy.TenancyError:
            organization_id = None
    own = ""
    if organization_id is not None:
        own = Organization.objects.filter(pk=organization_id).values_list(
            "base_url", flat=True).first() or ""
    return (own or settings.SOMU_BASE_URL).rstrip("/")


def absolute_url(path: str, *, base_url: str | None = None) -> str:
    """``path`` (from ``reverse``) as a full link; pass ``base_url`` when building many."""
    return f"{link_base_url() if base_url is None else base_url}{path}"


def membership_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("user", "person").order_by("user__username")


def organization_summary() -> dict[str, int]:
    """Counts for the home page."""
    return {
        "people": Person.objects.filter(status=PersonStatus.ACTIVE).count(),
        "departments": Department.objects.count(),
        "grades": Grade.objects.count(),
        "skills": Skill.objects.count(),
    }


# ---- login throttling (before login there is no organization: not tenant data) ------------------


def login_failure_keys(*, username: str, ip: str) -> tuple[str, str]:
    """Hashes for the account and the client address; the log never holds either in clear."""
    account = hashlib.sha256(f"user:{username.strip().lower()}".encode()).hexdigest()
    address = hashlib.sha256(f"ip:{ip}".encode()).hexdigest()
    return account, address


def login_is_throttled(*, username: str, ip: str) -> bool:
    from django.conf import settings

    from somu.org.models import LoginFailure

    since = timezone.now() - dt.timedelta(seconds=settings.SOMU_LOGIN_WINDOW_SECONDS)
    account, address = login_failure_keys(username=username, ip=ip)
    recent = LoginFailure.objects.filter(created_at__gte=since)
    limit = settings.SOMU_LOGIN_MAX_FAILURES
    # One address may try several accounts a little more often (a shared office NAT).
    return (
        recent.filter(key_hash=account).count() >= limit
        or recent.filter(key_hash=address).count() >= limit * 4
    )
