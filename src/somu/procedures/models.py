"""Runnable procedures (手順): templates and their versions, runs and their steps, schedules,
and handovers. (Chat webhooks and notification deliveries are in :mod:`somu.notify`.)

A *template* (手順テンプレート) is edited as a whole and every save creates a new, immutable
*version* whose ``spec`` is the canonical JSON form of the YAML document (see
``somu.procedures.engine.spec``). A *run* (実行) is one launch of one version with concrete
parameter values; each of its *steps* has a concrete assignee, due date and state. Runs keep the
version they were launched with.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from somu.core.tenancy import TenantModel


class Template(TenantModel):
    """A standard procedure; its content lives in :class:`TemplateVersion`."""

    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_templates", verbose_name=_("owner"),
    )
    current_version = models.ForeignKey(
        "TemplateVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("current version"),
    )
    # The key of the built-in library template this one was adopted from ("" if none).
    library_key = models.CharField(_("library template"), max_length=100, blank=True)
    # Inventory tasks (業務) this procedure standardizes: the link back to the work survey.
    tasks = models.ManyToManyField(
        "survey.Task", blank=True, related_name="procedure_templates", verbose_name=_("tasks"),
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="template_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(TenantModel):
    """One immutable version of a template. ``spec`` is the canonical spec dict."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    spec = models.JSONField(_("definition"))
    note = models.CharField(_("change note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="template_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped (rejected)")
    CANCELLED = "cancelled", _("Cancelled")


class Run(TenantModel):
    """One launch of a template version (e.g. 「山田太郎さん 入社手続き」)."""

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="runs")
    version = models.ForeignKey(TemplateVersion, on_delete=models.PROTECT, related_name="runs")
    name = models.CharField(_("name"), max_length=300)
    # Parameter values as JSON: dates "YYYY-MM-DD", people and departments by id.
    params = models.JSONField(_("parameters"), default=dict)
    start_date = models.DateField(_("start date"))
    status = models.CharField(
        _("status"), max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The person who started it (assignee rule "starter"); None for scheduled launches.
    starter = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    schedule = models.ForeignKey(
        "Schedule", on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    # The schedule's occurrence date this run was launched for: one run per occurrence.
    occurrence = models.DateField(null=True, blank=True)
    # What this run was started for, when another app started it (an approved request): shown
    # with a link, without procedures knowing that app.
    origin_label = models.CharField(_("started for"), max_length=200, blank=True)
    origin_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "occurrence"], name="run_once_per_occurrence",
                condition=Q(schedule__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["organization", "status", "template"])]

    def __str__(self) -> str:
        return self.name


class StepKind(models.TextChoices):
    TASK = "task", _("Task")
    APPROVAL = "approval", _("Approval")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting")  # dependencies still open
    READY = "ready", _("Ready")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")  # condition false
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")  # the run was cancelled or stopped


OPEN_STATES = (StepState.WAITING, StepState.READY)
# States that satisfy a dependency.
FINISHED_STATES = (StepState.DONE, StepState.SKIPPED, StepState.APPROVED)


class Step(TenantModel):
    """One step of one run, with its concrete assignee and due date.

    Definition fields (instructions, checklist items, form fields, condition, rules) are read
    from the run's version spec by ``key``; the row keeps what is queried and what changes.
    """

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=100)
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=StepKind.choices, default=StepKind.TASK)
    state = models.CharField(
        _("state"), max_length=16, choices=StepState.choices, default=StepState.WAITING
    )
    assignee = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="steps",
        verbose_name=_("assignee"),
    )
    # The assignee rule could not be resolved at launch; the step went to the template owner.
    assignee_flagged = models.BooleanField(default=False)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Keys of the steps this one depends on (copied from the spec for fast readiness checks).
    depends_on = models.JSONField(default=list)
    # Checked checklist items by index, and the form's values by field key.
    checklist_done = models.JSONField(default=list)
    form_values = models.JSONField(default=dict)
    estimated_minutes = models.PositiveIntegerField(null=True, blank=True)
    actual_minutes = models.PositiveIntegerField(_("minutes spent"), null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped on every transition: clients may send it back to detect a stale page.
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="step_unique_key"),
        ]
        # Plain indexes with the state rather than partial ones on open states: SQLite uses a
        # partial index only when the query repeats its WHERE literally, and Django binds the
        # states as parameters, so partial indexes served PostgreSQL only.
        indexes = [
            # My tasks: a person's open steps by due date.
            models.Index(
                fields=["organization", "assignee", "state", "due_date"], name="step_my_tasks",
            ),
            # The board and notifications: open steps by due date.
            models.Index(fields=["organization", "state", "due_date"], name="step_open_due"),
        ]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    LAUNCHED = "launched", _("Launched")
    READY = "ready", _("Became ready")
    COMPLETED = "completed", _("Completed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REOPENED = "reopened", _("Reopened")
    REASSIGNED = "reassigned", _("Reassigned")
    COMMENTED = "commented", _("Commented")
    ATTACHED = "attached", _("File attached")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")
    RUN_COMPLETED = "run_completed", _("Run completed")
    RUN_STOPPED = "run_stopped", _("Run stopped")
    HANDED_OVER = "handed_over", _("Handed over")


# The recorded actor of what no person did (the worker's scheduled launches and the like).
SYSTEM_ACTOR = "system"


def actor_display(label: str) -> str:
    """How pages and messages name a recorded actor: the worker as 「システム（自動処理）」,
    never the stored code."""
    return str(_("System (automatic)")) if label == SYSTEM_ACTOR else label


class StepEvent(TenantModel):
    """The run's timeline: who did what when (and comments)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    step = models.ForeignKey(
        Step, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["run", "created_at"])]

    @property
    def actor_name(self) -> str:
        return actor_display(self.actor_label)

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: StepAttachment, filename: str) -> str:
    return f"procedures/{instance.organization_id}/{instance.step.run_id}/{filename}"


class StepAttachment(TenantModel):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.filename


class Schedule(TenantModel):
    """A recurring launch: e.g. 月次決算 on the 3rd business day of every month.

    ``rule`` is the JSON form of ``somu.rules.recurrence.Recurrence``.
    """

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(_("name"), max_length=200)
    rule = models.JSONField(_("recurrence"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    owner = models.ForeignKey(
        "org.Person", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_schedules", verbose_name=_("owner"),
    )
    active = models.BooleanField(_("active"), default=True)
    # The next occurrence to launch (inclusive); the worker advances it after each launch.
    next_occurrence = models.DateField(_("next launch"), null=True, blank=True)
    last_launched_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["active", "next_occurrence"])]

    def __str__(self) -> str:
        return self.name


class Handover(TenantModel):
    """A bulk handover (引継ぎ) from one person to another, effective on a date.

    ``items`` holds the 引継書 as it was executed: one dict per item (kind, run, step, name,
    instructions, state, due date, …), so the document stays what it was.
    """

    from_person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    to_person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    effective_date = models.DateField(_("effective date"))
    note = models.TextField(_("note"), blank=True)
    items = models.JSONField(default=list)
    executed_by = models.ForeignKey(
        "org.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    executed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-executed_at", "-pk"]

    def __str__(self) -> str:
        # Names only: the audit log shows this beside its own "before → after" arrows.
        return _("Handover from %(from)s to %(to)s") % {
            "from": self.from_person.name, "to": self.to_person.name}
