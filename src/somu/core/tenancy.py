"""Organization scoping: the one mechanism that keeps tenants apart.

Every domain model derives from :class:`TenantModel`. Its default manager filters every query to
the organization that is *active* in the current context (a request, a CLI command, a worker
job). With no organization active the manager refuses to run at all, so a forgotten scope is a
loud error rather than a silent leak. Code that must cross organizations (``somu audit verify``,
the login middleware) says so explicitly with ``Model.all_objects`` or :func:`unscoped`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Final

from django.db import models
from django.db.models import Expression, F

if TYPE_CHECKING:
    from somu.org.models import Organization


class TenancyError(RuntimeError):
    """A tenant-scoped query or write ran without (or against) the active organization."""


class _Unscoped:
    def __repr__(self) -> str:
        return "UNSCOPED"


UNSCOPED: Final = _Unscoped()
_active: ContextVar[int | _Unscoped | None] = ContextVar("somu_active_organization", default=None)


def active_organization_id() -> int:
    """The id of the organization active in this context; raises when there is none."""
    value = _active.get()
    if isinstance(value, int):
        return value
    raise TenancyError("No organization is active in this context.")


def is_unscoped() -> bool:
    return _active.get() is UNSCOPED


@contextmanager
def activate(organization: Organization | int) -> Iterator[None]:
    """Scope every tenant query in the block to ``organization``."""
    org_id = organization if isinstance(organization, int) else organization.pk
    if org_id is None:
        raise TenancyError("Cannot activate an unsaved organization.")
    token = _active.set(org_id)
    try:
        yield
    finally:
        _active.reset(token)


@contextmanager
def unscoped() -> Iterator[None]:
    """Let tenant managers see every organization: for system code only (CLI, migrations)."""
    token = _active.set(UNSCOPED)
    try:
        yield
    finally:
        _active.reset(token)


@contextmanager
def deactivate() -> Iterator[None]:
    token = _active.set(None)
    try:
        yield
    finally:
        _active.reset(token)


class ActiveOrganizationId(Expression):
    """The active organization's id, looked up when the SQL is compiled, not when it is built.

    Querysets are built early (form fields at import time, module-level constants) and evaluated
    later inside a request; resolving the organization at compile time scopes them correctly, and
    evaluating one with no organization active raises instead of returning everyone's rows. Inside
    :func:`unscoped` it compiles to the organization column itself (``col = col``, true for every
    row), so whether a query is scoped depends only on where it runs, never on where it was built.
    """

    output_field = models.BigIntegerField()

    def __init__(self, column: Any = None) -> None:
        super().__init__()
        self.column = column if column is not None else F("organization_id")

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        value = _active.get()
        if isinstance(value, int):
            return "%s", (value,)
        if value is UNSCOPED:
            sql, params = compiler.compile(self.column)
            return sql, tuple(params)
        raise TenancyError("A tenant query was evaluated with no organization active.")

    def get_group_by_cols(self) -> list[Any]:
        return []


class TenantManager(models.Manager):
    """Default manager of every tenant model: filtered to the active organization."""

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().filter(organization_id=ActiveOrganizationId())


class TenantModel(models.Model):
    """A record that belongs to exactly one organization."""

    organization = models.ForeignKey(
        "org.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )

    objects = TenantManager()
    # Unfiltered access for the few places that must cross organizations; grep for it in review.
    all_objects = models.Manager()  # noqa: DJ012 (a manager, not a field: ruff mistakes it)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        value = _active.get()
        if self.organization_id is None:
            self.organization_id = active_organization_id()
        elif isinstance(value, int) and value != self.organization_id:
            raise TenancyError(
                f"{type(self).__name__} of organization {self.organization_id} "
                f"written while organization {value} is active."
            )
        super().save(*args, **kwargs)
