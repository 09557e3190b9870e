"""Organizations (tenants), their departments, people, grades, skills, calendar and accounts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from somu.core.permissions import ROLE_LABELS, Role
from somu.core.tenancy import TenantModel

DEFAULT_MONTHLY_HOURS = Decimal("160")


def default_weekend_days() -> list[int]:
    return [5, 6]  # Saturday, Sunday


class Organization(models.Model):
    """A company served by this deployment: the unit of isolation (tenant).

    A consultant or BPaaS operator hosts many; nothing of one is ever visible from another.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=64, unique=True)
    standard_monthly_hours = models.DecimalField(
        _("standard monthly hours"), max_digits=6, decimal_places=2, default=DEFAULT_MONTHLY_HOURS
    )
    # Python weekday numbers (Monday=0) that are not business days.
    weekend_days = models.JSONField(_("weekend days"), default=default_weekend_days)
    # Empty: the deployment's SOMU_DIGEST_HOUR (8 unless set).
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"), null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
    )
    # The address this organization's people reach somu at, for links in emails and chat
    # messages. Empty: the deployment's SOMU_BASE_URL.
    base_url = models.CharField(
        _("base URL for links"), max_length=200, blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    # The month the fiscal year (会計年度) starts: request numbers restart then. April unless set.
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def fiscal_year(self, day: date) -> int:
        """The fiscal year ``day`` falls in, named by the calendar year it starts in (2026年度)."""
        return day.year if day.month >= self.fiscal_year_start_month else day.year - 1


class User(AbstractUser):
    """A login account. It may belong to several organizations, with a role in each."""

    class Meta:
        db_table = "org_user"


class Membership(TenantModel):
    """A user's role in one organization, optionally linked to the person record they are."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    # The lazy labels, not Role.label: that is evaluated at import, freezing one language.
    role = models.CharField(
        _("role"), max_length=16, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )
    person = models.ForeignKey(
        "org.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("person"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user"),
        ]
        # The holders of a role (assignees by role, the least-loaded first): without it, every
        # membership of the organization is read.
        indexes = [models.Index(fields=["organization", "role"], name="membership_role")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization_id} ({self.role})"

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @cached_property
    def _managed_department_ids(self) -> frozenset[int]:
        if self.person is None or self.person.department_id is None:
            return frozenset()
        return department_subtree_ids(department_id=self.person.department_id)

    def managed_department_ids(self) -> frozenset[int]:
        """The departments a manager's scoped rights cover: their own and everything below."""
        return self._managed_department_ids


class Invitation(TenantModel):
    """An emailed link that lets one person join the organization with a given role.

    The person accepts it with an account they already have (after logging in) or a new one they
    choose themselves, so an organization's admins never need — or get to probe — the usernames
    of other organizations. Only the SHA-256 of the link's token is stored.
    """

    email = models.EmailField(_("email"))
    role = models.CharField(
        _("role"), max_length=16, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("person"),
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.email

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def is_open(self, now: datetime) -> bool:
        """Not yet accepted, not revoked and not expired at ``now``."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at


class Department(TenantModel):
    """A unit of the organization chart (部署); departments form a tree."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent department"),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    # The department's head (部長 of a 部, 課長 of a 課): "the requester's 部長" is found by
    # walking up from the requester's department.
    head = models.ForeignKey(
        "org.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
        verbose_name=_("head"),
    )

    class Meta:
        ordering = ["sort_order", "name"]
        indexes = [models.Index(fields=["organization", "parent", "sort_order"])]

    def __str__(self) -> str:
        return self.name


def department_subtree_ids(*, department_id: int) -> frozenset[int]:
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    result: set[int] = set()
    stack = [department_id]
    while stack:
        current = stack.pop()
        if current in result:
            continue
        result.add(current)
        stack.extend(children.get(current, []))
    return frozenset(result)


class Grade(TenantModel):
    """A job grade (等級) with its hourly cost and the task difficulty it is expected to handle."""

    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100, blank=True)
    hourly_cost = models.PositiveIntegerField(_("hourly cost (yen)"))
    difficulty_min = models.PositiveSmallIntegerField(
        _("expected difficulty from"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    difficulty_max = models.PositiveSmallIntegerField(
        _("expected difficulty to"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="grade_unique_code"),
            models.CheckConstraint(
                condition=Q(difficulty_min__gte=1)
                & Q(difficulty_max__lte=5)
                & Q(difficulty_min__lte=models.F("difficulty_max")),
                name="grade_difficulty_band_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Position(TenantModel):
    """A 役職 of the organization's ranked list (社長, 本部長, 部長, 課長, 係長, 一般 by default).

    ``rank`` orders them: 1 is the most senior; a higher number is further down.
    """

    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank (1 = most senior)"),
                                            validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="position_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


# The ranked list a new organization starts with.
DEFAULT_POSITIONS: tuple[tuple[str, int], ...] = (
    ("社長", 1), ("本部長", 2), ("部長", 3), ("課長", 4), ("係長", 5), ("一般", 6),
)


class Skill(TenantModel):
    """Something a person can do (e.g. 給与計算ソフト, 英文契約), rated per person."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="skill_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class EmploymentType(models.TextChoices):
    REGULAR = "regular", _("Regular employee")
    CONTRACT = "contract", _("Contract employee")
    PART_TIME = "part_time", _("Part-time")
    DISPATCHED = "dispatched", _("Temporary (dispatched)")


class PersonStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class Person(TenantModel):
    """Someone who works for the organization (社員), whether or not they have a login."""

    employee_number = models.CharField(_("employee number"), max_length=32)
    name = models.CharField(_("full name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("department"),
    )
    grade = models.ForeignKey(
        Grade,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("grade"),
    )
    employment_type = models.CharField(
        _("employment type"),
        max_length=16,
        choices=EmploymentType.choices,
        default=EmploymentType.REGULAR,
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    position = models.ForeignKey(
        Position,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("position"),
    )
    manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("manager"),
    )
    # Empty: the organization's standard (160 h unless changed).
    standard_monthly_hours = models.DecimalField(
        _("standard monthly hours"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("400"))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )
    retired_on = models.DateField(_("retirement date"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["employee_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "employee_number"], name="person_unique_employee_number"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "employee_number"]),
            models.Index(fields=["organization", "department"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_number})"

    @property
    def is_active(self) -> bool:
        return self.status == PersonStatus.ACTIVE

    def capacity_hours(self, organization: Organization) -> Decimal:
        return self.standard_monthly_hours or organization.standard_monthly_hours


class PersonSkill(TenantModel):
    """How well a person masters a skill: 1 learning … 4 can teach."""

    class Level(models.IntegerChoices):
        LEARNING = 1, _("Learning")
        WITH_MANUAL = 2, _("Can do with a manual")
        ALONE = 3, _("Can do alone")
        TEACH = 4, _("Can teach")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="holders")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "skill"], name="person_skill_unique"),
        ]


class CompanyHoliday(TenantModel):
    """A company day off (会社休日): every year on month/day, or once when ``year`` is set."""

    name = models.CharField(_("name"), max_length=100)
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    year = models.PositiveSmallIntegerField(_("year (empty: every year)"), null=True, blank=True)

    class Meta:
        ordering = ["year", "month", "day"]

    def __str__(self) -> str:
        prefix = f"{self.year}-" if self.year else ""
        return f"{prefix}{self.month:02d}-{self.day:02d} {self.name}"


class ApiToken(TenantModel):
    """A personal API token: bound to one membership, stored only as a hash."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (somu_{self.prefix}_…)"


class LoginFailure(models.Model):
    """A failed login, kept briefly to throttle guessing. Holds a hash, never the username."""

    key_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key_hash[:8]}… {self.created_at}"
