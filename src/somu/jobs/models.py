from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """One unit of background work in the workers' database-backed queue (not tenant-scoped:
    workers serve every organization).

    ``key`` is unique, so enqueuing the same job twice (two workers, a restart) is a no-op;
    workers claim rows with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL and a
    compare-and-set update on SQLite. ``after`` lists key prefixes of the jobs this one runs
    after: while one of them is due or running, this job is put back instead of run.
    """

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, unique=True)
    payload = models.JSONField(default=dict)
    after = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    run_after = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    locked_by = models.CharField(max_length=100, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_after", "pk"]
        indexes = [models.Index(fields=["status", "run_after"])]

    def __str__(self) -> str:
        return self.key
