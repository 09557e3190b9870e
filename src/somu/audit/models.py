"""The append-only, hash-chained audit log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from somu.core.tenancy import TenantModel


class AuditChainHead(models.Model):
    """The tip of one organization's chain; its row lock serializes appends."""

    organization = models.OneToOneField(
        "org.Organization", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.seq}"


class AuditEvent(TenantModel):
    """One recorded change: who did what to which record, with the fields before and after."""

    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(_("time"))
    # DO_NOTHING, not SET_NULL: the actor is part of the hashed content, so deleting an account
    # must not rewrite its events (the label keeps the name; there is no constraint to violate).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "seq"], name="audit_unique_seq"),
        ]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id"]),
            models.Index(fields=["organization", "action"]),
            models.Index(fields=["organization", "created_at"]),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("Audit events are append-only.")

    def chain_content(self) -> dict[str, Any]:
        """The fields the hash covers, as plain JSON values."""
        return {
            "organization": self.organization_id,
            "seq": self.seq,
            "created_at": self.created_at.isoformat(),
            "actor": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "changes": self.changes,
            "request_id": self.request_id,
        }
