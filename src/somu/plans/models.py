"""Improvement plans (改善計画): the loop after the analysis.

The back office writes where it wants to be (:class:`Vision`), sets :class:`Kpi` targets that
somu computes from its own data (属人化率, bus factor, hours, 標準化率, on-time rate …), turns
the analysis' findings into :class:`Item` s typed by ECRS and the other levers (標準化,
多能工化, 外注, 自動化, 再配置), tries a new 体制 on paper first (:class:`Scenario`, never
changing real data; the optimizer proposes some), meets to look back (:class:`Review`,
定期振り返り) and reports to management (:class:`Report`, 活動報告).

A computed KPI stores only its definition and target: its values come from the survey rounds
and the procedures' runs each time they are read (:mod:`somu.plans.kpis`), so they can be
traced to their rows. Manual KPIs keep their values as :class:`KpiReading` s.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.core.tenancy import TenantModel


class Vision(TenantModel):
    """ありたい総務: the back office's own statement of where it wants to be (one per
    organization; earlier wordings are in the audit log)."""

    statement = models.TextField(_("vision"))
    horizon = models.DateField(_("by"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="plans_vision_one_per_org"),
        ]

    def __str__(self) -> str:
        return self.statement[:40]


class Direction(models.TextChoices):
    DOWN = "down", _("Lower is better")
    UP = "up", _("Higher is better")


class Kpi(TenantModel):
    """A key figure with a target and a date. ``definition`` names one of
    :data:`somu.plans.kpis.DEFINITIONS` (computed from somu's data, with ``parameters`` such as
    the function or department it covers) or ``manual`` (values typed as readings)."""

    name = models.CharField(_("name"), max_length=200)
    definition = models.CharField(_("definition"), max_length=40)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True)  # manual KPIs only
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    target_on = models.DateField(_("target date"))
    description = models.TextField(_("notes"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="plans_kpi_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class KpiReading(TenantModel):
    """One value of a manual KPI on a date (computed KPIs need none)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="readings")
    on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kpi", "on"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "on"], name="plans_reading_unique_day"),
        ]


class ItemKind(models.TextChoices):
    """The lever an improvement item pulls: the ECRS steps first, then the others."""

    ELIMINATE = "eliminate", pgettext_lazy("ECRS", "Eliminate (やめる)")
    COMBINE = "combine", pgettext_lazy("ECRS", "Combine (まとめる)")
    REARRANGE = "rearrange", pgettext_lazy("ECRS", "Rearrange (入れ替える)")
    SIMPLIFY = "simplify", pgettext_lazy("ECRS", "Simplify (簡素化)")
    STANDARDIZE = "standardize", _("Standardize (標準化)")
    CROSS_TRAIN = "cross_train", _("Cross-train (多能工化)")
    OUTSOURCE = "outsource", _("Outsource (外注)")
    AUTOMATE = "automate", _("Automate (自動化・システム化)")
    REASSIGN = "reassign", _("Reassign (再配置)")


class ItemStatus(models.TextChoices):
    """The columns of the board, in order."""

    PROPOSED = "proposed", pgettext_lazy("improvement item", "Proposed")
    PLANNED = "planned", pgettext_lazy("improvement item", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("improvement item", "In progress")
    DONE = "done", pgettext_lazy("improvement item", "Done")
    CANCELLED = "cancelled", pgettext_lazy("improvement item", "Cancelled")


class FindingKind(models.TextChoices):
    """What in the analysis an item was made from."""

    DEPENDENT_TASK = "dependent_task", _("Person-dependent task")
    RETIREMENT = "retirement", _("Orphaned hours if a person leaves")
    OVERLOAD = "overload", _("Overloaded person")
    OVERQUALIFIED = "overqualified", _("Over-qualified work")
    OUTSOURCEABLE = "outsourceable", _("Outsourcing candidate")
    AUTOMATABLE = "automatable", _("Automation candidate")
    SCENARIO = "scenario", _("Scenario")
    NONE = "", _("None")


class Item(TenantModel):
    """An improvement item (改善施策): one change, who owns it, by when, what it should bring
    (``expected_*`` per month) and what it costs, linked to the finding it came from and to
    the work it starts (a template for 標準化, a training run for 多能工化)."""

    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("type"), max_length=16, choices=ItemKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.PROPOSED
    )
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    kpi = models.ForeignKey(
        Kpi, on_delete=models.SET_NULL, null=True, blank=True, related_name="items",
        verbose_name=_("KPI"),
    )
    # The finding: what it is about, in the round it was seen in (the baseline of 振り返り).
    finding = models.CharField(
        _("finding"), max_length=16, choices=FindingKind.choices, blank=True, default=""
    )
    round = models.ForeignKey(
        "survey.SurveyRound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("baseline round"),
    )
    task = models.ForeignKey(
        "survey.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("task"),
    )
    person = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("person concerned"),
    )
    scenario = models.ForeignKey(
        "Scenario", on_delete=models.SET_NULL, null=True, blank=True, related_name="items",
        verbose_name=_("scenario"),
    )
    # Expected effect per month, and the cost of doing it.
    expected_hours = models.DecimalField(
        _("hours saved or moved per month"), max_digits=9, decimal_places=2, default=0
    )
    expected_capable = models.IntegerField(_("people made capable"), default=0)
    expected_cost = models.IntegerField(_("cost saved per month (yen)"), default=0)
    effort_hours = models.DecimalField(
        _("effort (hours)"), max_digits=9, decimal_places=2, default=0
    )
    effort_cost = models.IntegerField(_("cost of doing it (yen)"), default=0)
    # 標準化: the template that standardizes ``task``.
    template = models.ForeignKey(
        "procedures.Template", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("procedure template"),
    )
    # 多能工化: the training assignment, run as a procedure.
    learner = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("learner"),
    )
    teacher = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("teacher"),
    )
    target_level = models.PositiveSmallIntegerField(_("target capability"), null=True, blank=True)
    training_run = models.ForeignKey(
        "procedures.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("training run"),
    )
    # 外注 / 自動化: who or what takes the work, and from when.
    vendor = models.CharField(_("vendor or tool"), max_length=200, blank=True)
    moves_on = models.DateField(_("work moves on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"],
                                    name="plans_item_unique_number"),
            models.CheckConstraint(condition=Q(target_level__isnull=True)
                                   | Q(target_level__gte=1, target_level__lte=4),
                                   name="plans_item_target_level_1_4"),
        ]
        indexes = [models.Index(fields=["organization", "status", "due_on"])]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class ScenarioSource(models.TextChoices):
    MANUAL = "manual", _("Built by hand")
    LEVELING = "leveling", _("Leveling proposal")
    CROSS_TRAINING = "cross_training", _("Cross-training proposal")


class Scenario(TenantModel):
    """A what-if 新体制 on top of one round: a list of operations (move hours, train, drop,
    outsource, hire, retire; see :mod:`somu.plans.engine.ops`) that the analysis is recomputed
    with. It never changes real data; applying it creates items."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    round = models.ForeignKey(
        "survey.SurveyRound", on_delete=models.CASCADE, related_name="+",
        verbose_name=_("baseline round"),
    )
    operations = models.JSONField(_("operations"), default=list, blank=True)
    source = models.CharField(
        _("made by"), max_length=16, choices=ScenarioSource.choices,
        default=ScenarioSource.MANUAL,
    )
    # The optimizer's proposal this scenario started from: its parameters and result label.
    proposal = models.JSONField(_("proposal"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"],
                                    name="plans_scenario_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Review(TenantModel):
    """定期振り返り: a meeting's record — the KPIs and items as they stood (snapshots), what
    each item's effect measured against the round it names, the decisions, and the next
    review's date."""

    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    round = models.ForeignKey(
        "survey.SurveyRound", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("round measured"),
    )
    kpi_snapshot = models.JSONField(default=list, blank=True)
    item_snapshot = models.JSONField(default=list, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    next_on = models.DateField(_("next review"), null=True, blank=True)
    # The recurring procedure that prepares the next reviews.
    schedule = models.ForeignKey(
        "procedures.Schedule", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("review schedule"),
    )
    created_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class ReportPeriod(models.TextChoices):
    MONTH = "month", pgettext_lazy("report period", "Monthly")
    QUARTER = "quarter", pgettext_lazy("report period", "Quarterly")


class Report(TenantModel):
    """活動報告: what the back office did in a month or quarter and where it stands. The
    figures are computed once, when the report is made, and kept (``figures``), so the page,
    the Excel workbook and the PDF say the same thing however the data move on."""

    period = models.CharField(_("period"), max_length=8, choices=ReportPeriod.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    title = models.CharField(_("title"), max_length=200)
    comment = models.TextField(_("comment"), blank=True)
    figures = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ends_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "period", "starts_on"],
                                    name="plans_report_unique_period"),
        ]

    def __str__(self) -> str:
        return self.title
