"""The work inventory (業務一覧), survey rounds and what people answered in them.

A *task* (業務) sits in the taxonomy function (部門) > category (大分類) > subcategory (中分類).
A *round* (調査回) collects, per person and task, the monthly hours spent and the capability
(0 cannot … 4 can teach). The analysis reads a round; its result is cached per round.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from somu.core.tenancy import TenantModel

# The largest monthly hours one person can report on one task, and in total: above this the
# figure is a typing error (400 h is more than 13 h on every day of a month).
MAX_MONTHLY_HOURS = 400

# Months in the Japanese fiscal year order used by surveys and imports (4月 … 3月).
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)

# The functions (部門) of a typical Japanese back office; an organization may use others.
STANDARD_FUNCTIONS = ("総務", "人事労務", "経理財務", "法務", "情報システム", "経営企画")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    YEARLY = "yearly", _("Yearly")
    AD_HOC = "ad_hoc", _("As needed")


class Scope(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")
    BOTH = "both", _("Both")


class TaskStatus(models.TextChoices):
    ACTIVE = "active", _("In use")
    PROPOSED = "proposed", _("Proposed")  # added by a respondent, awaiting the admin
    ARCHIVED = "archived", _("Archived")


class Task(TenantModel):
    """A unit of back-office work (業務) in the organization's inventory."""

    function = models.CharField(_("function"), max_length=50)
    category = models.CharField(_("category"), max_length=100)
    subcategory = models.CharField(_("subcategory"), max_length=100, blank=True)
    name = models.CharField(_("task"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    frequency = models.CharField(
        _("frequency"), max_length=16, choices=Frequency.choices, blank=True
    )
    difficulty = models.PositiveSmallIntegerField(
        _("difficulty"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices, blank=True)
    remote_ok = models.BooleanField(_("remote OK"), default=False)
    outsourceable = models.BooleanField(_("outsourceable"), default=False)
    automatable = models.BooleanField(_("automatable"), default=False)
    required_skill = models.ForeignKey(
        "org.Skill",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("required skill"),
    )
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.ACTIVE
    )
    proposed_by = models.ForeignKey(
        "org.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposed_tasks",
        verbose_name=_("proposed by"),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["function", "category", "subcategory", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "function", "category", "subcategory", "name"],
                name="task_unique_path",
            ),
            models.CheckConstraint(
                condition=Q(difficulty__isnull=True) | Q(difficulty__gte=1, difficulty__lte=5),
                name="task_difficulty_1_5",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "function"])]

    def __str__(self) -> str:
        return self.name

    @property
    def path(self) -> str:
        parts = (self.function, self.category, self.subcategory, self.name)
        return " > ".join(p for p in parts if p)


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Collecting answers")
    CLOSED = "closed", _("Closed")


class SurveyRound(TenantModel):
    """One survey of the work (調査回), e.g. 「2026年度 業務調査」: the unit that is analysed."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    due_on = models.DateField(_("answer by"), null=True, blank=True)
    # Bumped by every write to the round's answers; the cached analysis is keyed by it.
    data_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="round_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ResponseStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted")


class Respondent(TenantModel):
    """A person asked to answer a round's questionnaire, and how far they have got."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="respondents")
    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="survey_responses"
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ResponseStatus.choices,
        default=ResponseStatus.NOT_STARTED,
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["person__employee_number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person"], name="respondent_unique"),
        ]
        indexes = [models.Index(fields=["round", "status"])]


class WorkHours(TenantModel):
    """How many hours a month a person spends on a task, in one round (工数).

    ``hours`` is the monthly average. For seasonal work ``monthly`` holds the 12 values in fiscal
    order (April first) and ``hours`` is their sum / 12.
    """

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="hours")
    person = models.ForeignKey("org.Person", on_delete=models.CASCADE, related_name="work_hours")
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="hours")
    hours = models.DecimalField(
        _("monthly hours"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_MONTHLY_HOURS)],
    )
    monthly = models.JSONField(_("hours per month"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "person", "task"], name="hours_unique"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="hours_not_negative"),
        ]
        indexes = [
            models.Index(fields=["round", "task"]),
        ]


class CapabilityLevel(models.IntegerChoices):
    CANNOT = 0, _("Cannot")
    LEARNING = 1, _("Learning")
    WITH_MANUAL = 2, _("Can do with a manual")
    ALONE = 3, _("Can do alone")
    TEACH = 4, _("Can teach")


class Capability(TenantModel):
    """How well a person can do a task, as answered in one round (対応可能レベル)."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="capabilities")
    person = models.ForeignKey(
        "org.Person", on_delete=models.CASCADE, related_name="task_capabilities"
    )
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="capabilities")
    level = models.PositiveSmallIntegerField(_("capability"), choices=CapabilityLevel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "person", "task"], name="capability_unique"
            ),
            models.CheckConstraint(condition=Q(level__lte=4), name="capability_0_4"),
        ]
        indexes = [models.Index(fields=["round", "task"])]


class AnalysisSnapshot(TenantModel):
    """The cached analysis of a round, valid while ``fingerprint`` matches its inputs."""

    round = models.OneToOneField(
        SurveyRound, on_delete=models.CASCADE, related_name="analysis_snapshot"
    )
    fingerprint = models.CharField(max_length=64)
    result = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)
    took_ms = models.PositiveIntegerField(default=0)
