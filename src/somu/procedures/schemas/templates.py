"""API schemas of templates, their versions and previews, and the library."""

import datetime as dt
from typing import Any

from ninja import Field, Schema

from somu.core.api import MAX_ID, InputSchema, QuerySchema
from somu.procedures.schemas.common import RoleChoice, username

# ---- templates -----------------------------------------------------------------------------------


class TemplateFields(Schema):
    """A template's own fields (no resolvers: detail answers are built as dicts)."""

    id: int
    name: str
    category: str
    description: str
    owner_id: int | None
    owner_name: str
    library_key: str
    archived: bool
    version: int | None  # the current version's number
    task_ids: list[int]
    run_count: int | None = None  # lists only: all runs
    open_runs: int | None = None  # lists only: running runs
    created_at: dt.datetime
    updated_at: dt.datetime


class TemplateOut(TemplateFields):
    @staticmethod
    def resolve_owner_name(obj: Any) -> str:
        return obj.owner.name if obj.owner_id else ""

    @staticmethod
    def resolve_version(obj: Any) -> int | None:
        return obj.current_version.number if obj.current_version_id else None

    @staticmethod
    def resolve_task_ids(obj: Any) -> list[int]:
        return sorted(task.pk for task in obj.tasks.all())

    @staticmethod
    def resolve_run_count(obj: Any) -> int | None:
        return getattr(obj, "run_count", None)

    @staticmethod
    def resolve_open_runs(obj: Any) -> int | None:
        return getattr(obj, "open_runs", None)


class VersionOut(Schema):
    number: int
    note: str
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_created_by(obj: Any) -> str:
        return username(obj.created_by)


class VersionDetailOut(VersionOut):
    template_id: int
    spec: dict[str, Any]


class TemplateDetailOut(TemplateFields):
    spec: dict[str, Any] | None  # the current version's definition (canonical form)
    versions: list[VersionOut]


class TemplateQuery(QuerySchema):
    include_archived: bool = False


class TemplateIn(InputSchema):
    """A definition as JSON (``spec``) or as YAML text (``yaml``): one of the two."""

    spec: dict[str, Any] | None = None
    yaml: str | None = Field(None, max_length=1024 * 1024)
    note: str = Field("", max_length=300)
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


class TemplateImportIn(InputSchema):
    yaml: str = Field(..., max_length=1024 * 1024)
    update: bool = False  # a template of the same name gets a new version instead of a 409
    note: str = Field("", max_length=300)


class ArchiveIn(InputSchema):
    archived: bool = True


class TasksIn(InputSchema):
    task_ids: list[int] = Field(..., max_length=10_000)


class PreviewQuery(QuerySchema):
    start: dt.date | None = None  # the sample start date; today when not given


class PreviewRowOut(Schema):
    key: str
    name: str
    kind: str
    due_date: dt.date | None
    explanation: str  # the due rule in words
    assignee: str  # the assignee rule in words
    skipped: bool
    depends_on: list[str]
    # The due date falls before the start date or before a step it waits for (not refused).
    warnings: list[str]


class PreviewOut(Schema):
    template_id: int
    version: int
    start: dt.date
    steps: list[PreviewRowOut]


# ---- the library ---------------------------------------------------------------------------------


class LibraryEntryOut(Schema):
    key: str
    name: str
    category: str
    description: str
    notes: str  # how deadlines are counted, with the sources cited
    steps: int
    adopted_template_id: int | None  # this organization's template adopted from the entry


class AdoptIn(InputSchema):
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


class RoleNeedOut(Schema):
    """A role the adopted procedure's steps are assigned by that nobody holds yet."""

    role: RoleChoice  # admin / manager / staff / employee / auditor
    department: str  # "" when any holder in the organization will do
    steps: list[str]  # names of the steps that need it


class AdoptOut(TemplateDetailOut):
    # What to set up before launching: give these roles to people's accounts (members page or
    # PUT /memberships/{id}); until then the steps go to the owner, flagged, or fail without one.
    setup_needed: list[RoleNeedOut]
