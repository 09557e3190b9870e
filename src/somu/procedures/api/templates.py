"""/api/v1/procedures/ endpoints for templates and the library.

Thin and typed: permissions, then services (writes) or selectors (reads). Ids of another
organization are not found (the tenancy scope), so they answer 404 like unknown ids. Template
problems come back as 422 with one ``fields`` entry per problem, named by its path in the
definition (``steps[2].due.from``); a step changed by someone else meanwhile is a 409.
"""


import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Path, Query, Router
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import ValidationError as PydanticValidationError

from somu.core.api import MAX_ID, PagePagination, errors
from somu.core.errors import Conflict
from somu.core.permissions import require
from somu.core.requests import AuthedRequest
from somu.org.models import Person
from somu.procedures import selectors
from somu.procedures.api.common import person_ref
from somu.procedures.engine import yamlio
from somu.procedures.engine.parse import spec_dict
from somu.procedures.engine.spec import SpecError
from somu.procedures.models import Template
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES
from somu.procedures.schemas.templates import (
    AdoptIn,
    AdoptOut,
    ArchiveIn,
    LibraryEntryOut,
    PreviewOut,
    PreviewQuery,
    TasksIn,
    TemplateDetailOut,
    TemplateImportIn,
    TemplateIn,
    TemplateOut,
    TemplateQuery,
    VersionDetailOut,
)
from somu.procedures.selectors import templates as template_selectors
from somu.procedures.services import launching
from somu.procedures.services import templates as template_services
from somu.survey.models import Task

router = Router(tags=["procedures"])

YAML_TYPE = "text/yaml; charset=utf-8"
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
FORM_TRUE = frozenset({"true", "1", "on", "yes"})

# Path ids: bounded, so a huge number is a 422 rather than a database overflow.
TemplateId = Path(..., ge=1, le=MAX_ID)
VersionNumber = Path(..., ge=1, le=2_000_000_000)


def spec_invalid(exc: SpecError, *, field: str = "spec") -> ValidationError:
    """A template's problems as the 422 body: one field per problem path."""
    problems: dict[str, list[str]] = {}
    for problem in exc.problems:
        problems.setdefault(problem.path or field, []).append(problem.message)
    return ValidationError(problems)


def load_yaml_field(text: str | bytes, *, field: str = "yaml") -> dict[str, Any]:
    """The definition in YAML text; a syntax error names the line under ``field``."""
    try:
        return yamlio.load_yaml(text)
    except SpecError as exc:
        raise ValidationError({field: [str(p) if p.path else p.message
                                       for p in exc.problems]}) from exc


# ---- templates -----------------------------------------------------------------------------------


def _template(template_id: int) -> Template:
    return template_selectors.template_get(template_id=template_id)


def _template_detail(template: Template) -> dict[str, Any]:
    template = Template.objects.select_related("current_version", "owner").prefetch_related(
        "tasks").get(pk=template.pk)
    return {
        **TemplateOut.from_orm(template).dict(),
        "spec": template.current_version.spec if template.current_version else None,
        "versions": list(template_selectors.template_versions(template=template)),
    }


def _definition(payload: TemplateIn) -> dict[str, Any]:
    if (payload.spec is None) == (payload.yaml is None):
        raise ValidationError({"spec": ["Give the definition as spec (JSON) or yaml (text)."]})
    if payload.yaml is not None:
        return load_yaml_field(payload.yaml)
    assert payload.spec is not None
    return payload.spec


def _save(request: HttpRequest, template: Template | None, data: Mapping[str, Any], *,
          note: str, owner: Person | None = None) -> Template:
    try:
        return template_services.template_save(actor=request.user, template=template, spec=data,
                                               note=note, owner=owner)
    except SpecError as exc:
        raise spec_invalid(exc) from exc


@router.get("/templates", response={200: list[TemplateOut], **errors(403, 422)},
            summary="Procedure templates (手順テンプレート) with their run counts",
            operation_id="somu_procedures_api_template_list")
@paginate(PagePagination)
def template_list(request: AuthedRequest, filters: Query[TemplateQuery]) -> Any:
    require(request.auth, VIEW_PROCEDURES)
    return template_selectors.template_list(include_archived=filters.include_archived
                                            ).prefetch_related("tasks")


@router.post("/templates", response={201: TemplateDetailOut, **errors(403, 409, 422)},
             summary="Create a template from its definition: spec (JSON) or yaml (text)",
             operation_id="somu_procedures_api_template_create")
def template_create(request: AuthedRequest, payload: TemplateIn) -> Status[dict[str, Any]]:
    membership = request.auth
    require(membership, MANAGE_PROCEDURES)
    data = _definition(payload)
    owner = person_ref(payload.owner_id, "owner_id") or membership.person
    template = _save(request, None, data, note=payload.note, owner=owner)
    return Status(201, _template_detail(template))


def _import_request(request: HttpRequest) -> tuple[str | bytes, bool, str, str]:
    """(YAML source, update, note, file name) from a JSON, multipart or raw YAML body."""
    content_type = request.content_type or ""
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach the .yaml file to import."]})
        if upload.size and upload.size > yamlio.MAX_BYTES:
            raise ValidationError({"file": ["The file is larger than 1 MB."]})
        update = request.POST.get("update", "").strip().lower() in FORM_TRUE
        return upload.read(), update, request.POST.get("note", "")[:300], upload.name or ""
    if content_type in YAML_TYPES:
        update = request.GET.get("update", "").strip().lower() in FORM_TRUE
        return request.body, update, request.GET.get("note", "")[:300], ""
    try:
        body = json.loads(request.body or b"{}")
        payload = TemplateImportIn.model_validate(body)
    except json.JSONDecodeError as exc:
        raise ValidationError({"body": ["Send JSON {\"yaml\": …}, a multipart file or "
                                        "YAML text."]}) from exc
    except PydanticValidationError as exc:
        raise NinjaValidationError([dict(e) for e in exc.errors(include_url=False)]) from exc
    return payload.yaml, payload.update, payload.note, ""


@router.post(
    "/templates/import", response={201: TemplateDetailOut, 200: TemplateDetailOut,
                                   **errors(403, 409, 422)},
    summary="Import a template from YAML: JSON {yaml, update}, a multipart file, or raw YAML",
    description=(
        "A template with the same name is a 409 unless `update` is true (for a multipart "
        "upload a form field, for raw YAML `?update=true`): then the file becomes its new "
        "version. 201 when a template was created, 200 otherwise."),
    openapi_extra={"requestBody": {"content": {
        "application/json": {"schema": TemplateImportIn.model_json_schema()},
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}, "update": {"type": "boolean"},
            "note": {"type": "string"}}, "required": ["file"]}},
        "application/yaml": {"schema": {"type": "string"}},
    }}},
    operation_id="somu_procedures_api_template_import",
)
def template_import(request: AuthedRequest) -> Status[dict[str, Any]]:
    require(request.auth, MANAGE_PROCEDURES)
    source, update, note, filename = _import_request(request)
    data = load_yaml_field(source, field="file" if filename else "yaml")
    note = note or (_("Imported from %(file)s") % {"file": filename} if filename
                    else _("Imported"))
    try:
        imported = template_services.template_import(actor=request.user, spec=data, update=update,
                                                     note=note)
    except template_services.TemplateNameTaken as exc:
        raise Conflict(f"A template named “{exc.name}” already exists; import with update to "
                       "save the file as its new version.") from exc
    except SpecError as exc:
        raise spec_invalid(exc) from exc
    return Status(201 if imported.created else 200, _template_detail(imported.template))


@router.get("/templates/{template_id}", response={200: TemplateDetailOut, **errors(403, 404, 422)},
            summary="A template with its current definition and its versions",
            operation_id="somu_procedures_api_template_get")
def template_get(request: AuthedRequest, template_id: int = TemplateId) -> dict[str, Any]:
    require(request.auth, VIEW_PROCEDURES)
    return _template_detail(_template(template_id))


@router.put("/templates/{template_id}",
            response={200: TemplateDetailOut, **errors(403, 404, 409, 422)},
            summary="Save a new version (only when the definition changed; runs keep theirs)",
            operation_id="somu_procedures_api_template_update")
def template_update(request: AuthedRequest, payload: TemplateIn,
                    template_id: int = TemplateId) -> dict[str, Any]:
    require(request.auth, MANAGE_PROCEDURES)
    template = _template(template_id)
    data = _definition(payload)
    owner = person_ref(payload.owner_id, "owner_id")
    return _template_detail(_save(request, template, data, note=payload.note, owner=owner))


@router.get("/templates/{template_id}/versions/{number}",
            response={200: VersionDetailOut, **errors(403, 404, 422)},
            summary="One version of a template as it was saved",
            operation_id="somu_procedures_api_template_version")
def template_version(request: AuthedRequest, template_id: int = TemplateId,
                     number: int = VersionNumber) -> Any:
    require(request.auth, VIEW_PROCEDURES)
    return template_selectors.template_version_get(template=_template(template_id), number=number)


@router.get("/templates/{template_id}/export", response={**errors(403, 404, 422)},
            summary="The definition as a YAML file (the current version, or ?version=N)",
            openapi_extra={"responses": {"200": {
                "description": "The YAML file", "content": {"text/yaml": {}}}}},
            operation_id="somu_procedures_api_template_export")
def template_export(request: AuthedRequest, template_id: int = TemplateId,
                    version: int | None = None) -> HttpResponse:
    require(request.auth, VIEW_PROCEDURES)
    template = _template(template_id)
    if version is None:
        current = template.current_version
        if current is None:
            raise Http404
    else:
        current = template_selectors.template_version_get(template=template, number=version)
    text = yamlio.dump_yaml(spec_dict(template_selectors.version_spec(current)))
    response = HttpResponse(text.encode("utf-8"), content_type=YAML_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{template.name}.yaml")
    return response


@router.get("/templates/{template_id}/preview", response={200: PreviewOut, **errors(403, 404, 422)},
            summary="The due dates a run started on ?start=YYYY-MM-DD would get",
            operation_id="somu_procedures_api_template_preview")
def template_preview(request: AuthedRequest, filters: Query[PreviewQuery],
                     template_id: int = TemplateId) -> dict[str, Any]:
    require(request.auth, VIEW_PROCEDURES)
    template = _template(template_id)
    if template.current_version is None:
        raise Http404
    start = filters.start or selectors.today()
    rows = template_selectors.due_preview(spec=template_selectors.version_spec(
        template.current_version),
                                          start_date=start)
    return {"template_id": template.pk, "version": template.current_version.number,
            "start": start, "steps": rows}


@router.post("/templates/{template_id}/archive",
             response={200: TemplateDetailOut, **errors(403, 404, 422)},
             summary="Archive a template (archived=false brings it back)",
             operation_id="somu_procedures_api_template_archive")
def template_archive(request: AuthedRequest, payload: ArchiveIn,
                     template_id: int = TemplateId) -> dict[str, Any]:
    require(request.auth, MANAGE_PROCEDURES)
    template = _template(template_id)
    template_services.template_archive(
        actor=request.user, template=template, archived=payload.archived)
    return _template_detail(template)


@router.put("/templates/{template_id}/tasks",
            response={200: TemplateDetailOut, **errors(403, 404, 422)},
            summary="Link the template to work-inventory tasks (recorded in a new version)",
            operation_id="somu_procedures_api_template_tasks")
def template_tasks(request: AuthedRequest, payload: TasksIn,
                   template_id: int = TemplateId) -> dict[str, Any]:
    require(request.auth, MANAGE_PROCEDURES)
    template = _template(template_id)
    wanted = set(payload.task_ids)
    found = set(Task.objects.filter(pk__in=[i for i in wanted if 0 < i <= MAX_ID])
                .values_list("pk", flat=True))
    if unknown := sorted(wanted - found):
        raise ValidationError({"task_ids": [f"Unknown task ids: {unknown[:20]}."]})
    try:
        template_services.template_link_tasks(
            actor=request.user, template=template, task_ids=wanted)
    except SpecError as exc:
        raise spec_invalid(exc) from exc
    return _template_detail(template)


# ---- the library ---------------------------------------------------------------------------------


@router.get("/library", response={200: list[LibraryEntryOut], **errors(403)},
            summary="The built-in library of Japanese back-office procedures",
            operation_id="somu_procedures_api_library_list")
def library_list(request: AuthedRequest) -> list[dict[str, Any]]:
    from somu.procedures.services import library

    require(request.auth, VIEW_PROCEDURES)
    adopted: dict[str, int] = {}
    for pk, key in Template.objects.exclude(library_key="").order_by("pk").values_list(
            "pk", "library_key"):
        adopted.setdefault(key, pk)
    return [{"key": entry.key, "name": entry.spec.name, "category": entry.spec.category,
             "description": entry.spec.description, "notes": entry.spec.notes,
             "steps": len(entry.spec.steps),
             "adopted_template_id": adopted.get(entry.key)}
            for entry in library.library_entries()]


@router.post("/library/{key}/adopt",
             response={201: AdoptOut, **errors(403, 404, 409, 422)},
             summary="Adopt a library procedure as a template of the organization",
             operation_id="somu_procedures_api_library_adopt")
def library_adopt(request: AuthedRequest, key: str, payload: AdoptIn) -> Status[dict[str, Any]]:
    from somu.procedures.services import library

    membership = request.auth
    require(membership, MANAGE_PROCEDURES)
    try:
        entry = library.library_entry(key)
    except KeyError as exc:
        raise Http404 from exc
    owner = person_ref(payload.owner_id, "owner_id") or membership.person
    try:
        template = library.library_adopt(actor=request.user, key=key, owner=owner)
    except SpecError as exc:
        raise spec_invalid(exc) from exc
    needs = launching.role_needs(entry.spec)
    return Status(201, {**_template_detail(template), "setup_needed": [
        {"role": n.role, "department": n.department, "steps": list(n.steps)} for n in needs]})
