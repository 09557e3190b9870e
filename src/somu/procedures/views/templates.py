"""Pages of procedure templates (手順テンプレート): the list, a template with its steps, graph
and due-date preview, the structured and YAML editors, import/export, and the built-in library.

Views stay thin: reading goes through :mod:`somu.procedures.selectors`, writing through
:mod:`somu.procedures.services` (which validate the spec and raise ``SpecError`` with paths),
and the editor's fields convert to and from the spec in :mod:`.template_editor`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.uploads import checked_upload
from somu.core.web import is_htmx, org_view, render_page
from somu.org.models import Department, Person, PersonStatus
from somu.procedures import forms_templates as tf
from somu.procedures import selectors
from somu.procedures.engine import plan, yamlio
from somu.procedures.engine.parse import spec_dict
from somu.procedures.engine.render import render_markdown
from somu.procedures.engine.spec import SpecError, SpecProblem, TemplateSpec
from somu.procedures.models import Template, TemplateVersion
from somu.procedures.permissions import MANAGE_PROCEDURES, VIEW_PROCEDURES
from somu.procedures.selectors import runs as run_selectors
from somu.procedures.selectors import templates as template_selectors
from somu.procedures.services import launching
from somu.procedures.services import library as builtin
from somu.procedures.services import templates as template_services
from somu.procedures.views import template_editor as te
from somu.procedures.views.template_graph import GraphStep, layout
from somu.survey.models import Task, TaskStatus
from somu.survey.selectors import inventory_order

ARCHIVED_FILTERS: Final = ("active", "archived", "all")
# A template with more steps than this opens the editor with the rows collapsed.
COLLAPSE_STEPS_OVER: Final = 6
NEW_TEMPLATE_STEP_ROWS: Final = 3


def _template(template_id: int) -> Template:
    """The template of the active organization (another organization's id: 404)."""
    return get_object_or_404(
        Template.objects.select_related("owner", "current_version"), pk=template_id)


def _problems(exc: SpecError) -> list[te.PlacedProblem]:
    return [te.PlacedProblem(p.path, p.path, p.message) for p in exc.problems]


# ---- the list --------------------------------------------------------------------------------


@dataclass
class CategoryGroup:
    category: str
    templates: list[Template]


@org_view(VIEW_PROCEDURES)
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    archived = request.GET.get("archived", "active")
    if archived not in ARCHIVED_FILTERS:
        archived = "active"
    category = request.GET.get("category", "")
    templates = template_selectors.template_list(
        include_archived=archived != "active").select_related(
        "owner", "current_version").prefetch_related("tasks")
    categories = sorted({c for c in Template.objects.values_list("category", flat=True)})
    if archived == "archived":
        templates = templates.filter(archived=True)
    if category:
        templates = templates.filter(category=category)
    groups: list[CategoryGroup] = []
    for template in templates.order_by("category", "name", "pk"):
        spec = template.current_version.spec if template.current_version else {}
        template.step_count = len(spec.get("steps", []))  # type: ignore[attr-defined]
        if not groups or groups[-1].category != template.category:
            groups.append(CategoryGroup(template.category, []))
        groups[-1].templates.append(template)
    return render(request, "procedures/template_list.html", {
        "groups": groups, "categories": categories, "category": category,
        "archived": archived, "filtered": bool(category) or archived != "active",
    })


# ---- a template, and one of its versions -------------------------------------------------------


@dataclass
class StepRow:
    """One step as the steps list shows it."""

    position: int
    spec: Any  # StepSpec
    assignee: str
    due: str
    depends_on: list[tuple[str, str]]  # (key, name)
    notes_html: str
    reject_to: str  # approval steps: the name of the step a rejection reopens ("" = stop)


def _spec_context(spec: TemplateSpec) -> dict[str, Any]:
    """What the spec partials show: parameters, steps (described), the dependency graph."""
    names = {s.key: s.name for s in spec.steps}
    rows = [
        StepRow(
            position=i, spec=s, assignee=template_selectors.describe_assignee(
                s.assignee, spec=spec),
            due=template_selectors.describe_due(s.due, spec=spec),
            depends_on=[(d, names.get(d, d)) for d in s.depends_on],
            notes_html=render_markdown(s.notes),
            reject_to=names.get(s.on_reject.removeprefix("reopen:"), "")
            if s.on_reject.startswith("reopen:") else "",
        )
        for i, s in enumerate(spec.steps, start=1)
    ]
    position = {s.key: i for i, s in enumerate(spec.steps, start=1)}
    graph = layout(plan.layers(spec), [
        GraphStep(key=s.key, name=s.name, position=position[s.key],
                  approval=s.kind == "approval", depends_on=s.depends_on)
        for s in spec.steps
    ])
    defaults = run_selectors.param_default_texts(spec=spec)
    return {
        "spec": spec, "step_rows": rows, "graph": graph,
        "param_rows": [(p, defaults[p.key]) for p in spec.parameters],
        "notes_html": render_markdown(spec.notes),
    }


@dataclass
class Preview:
    start: dt.date
    fields: list[tuple[Any, str]]  # (ParameterSpec, the sample value as the input shows it)
    rows: list[template_selectors.PreviewRow]


def _preview(request: HttpRequest, spec: TemplateSpec) -> Preview:
    """The due-date preview for the sample values in the query string.

    Dates default to today (date parameters: to the start date), choices to their default, so
    steps whose condition depends on a choice can be seen skipped or not.
    """
    start = _safe_parse_date(request.GET.get("start") or "") or selectors.today()
    values: dict[str, Any] = {}
    fields: list[tuple[Any, str]] = []
    for param in spec.parameters:
        raw = (request.GET.get(f"p-{param.key}") or "").strip()
        if param.type == "date":
            day = _safe_parse_date(raw) or start
            values[param.key] = day
            fields.append((param, day.isoformat()))
        elif param.type == "choice":
            if raw in param.choices:
                values[param.key] = raw
            fields.append((param, raw if raw in param.choices else ""))
        elif param.type == "boolean":
            if raw in ("0", "1"):
                values[param.key] = raw == "1"
            fields.append((param, raw if raw in ("0", "1") else ""))
    rows = template_selectors.due_preview(spec=spec, start_date=start, params=values)
    return Preview(start=start, fields=fields, rows=rows)


def _safe_parse_date(value: str) -> dt.date | None:
    try:
        return parse_date(value.strip())
    except ValueError:  # well-formed but impossible, such as 2026-02-30
        return None


def _version_page(request: HttpRequest, template: Template, version: TemplateVersion,
                  page: str, extra: Mapping[str, Any]) -> HttpResponse:
    spec = template_selectors.version_spec(version)
    preview = _preview(request, spec)
    context: dict[str, Any] = {
        "template": template, "version": version, "preview": preview,
        "preview_url": request.path, **_spec_context(spec), **extra,
    }
    return render_page(request, page, context, partial="procedures/_template_preview.html")


@dataclass
class TaskGroup:
    function: str
    tasks: list[tuple[Task, bool]]
    checked: int


def _task_groups(template: Template) -> list[TaskGroup]:
    linked = {t.pk for t in template.tasks.all()}
    tasks = Task.objects.filter(~Q(status=TaskStatus.ARCHIVED) | Q(pk__in=linked))
    groups: list[TaskGroup] = []
    for task in inventory_order(tasks):
        if not groups or groups[-1].function != task.function:
            groups.append(TaskGroup(task.function, [], 0))
        groups[-1].tasks.append((task, task.pk in linked))
        groups[-1].checked += task.pk in linked
    return groups


@org_view(VIEW_PROCEDURES)
@require_GET
def template_detail(request: AuthedRequest, template_id: int) -> HttpResponse:
    template = _template(template_id)
    if template.current_version is None:
        raise Http404
    extra: dict[str, Any] = {}
    if not is_htmx(request):  # the preview's fragment needs none of this
        manager = has_perm(request.membership, MANAGE_PROCEDURES)
        extra = {
            "versions": template_selectors.template_versions(template=template),
            "linked_tasks": list(template.tasks.all()),
            "task_groups": _task_groups(template) if manager else [],
        }
    return _version_page(request, template, template.current_version,
                         "procedures/template_detail.html", extra)


@org_view(VIEW_PROCEDURES)
@require_GET
def template_version(request: HttpRequest, template_id: int, number: int) -> HttpResponse:
    template = _template(template_id)
    version = get_object_or_404(
        TemplateVersion.objects.select_related("created_by"), template=template, number=number)
    return _version_page(request, template, version, "procedures/template_version.html", {
        "is_current": template.current_version_id == version.pk,
    })


@org_view(MANAGE_PROCEDURES)
@require_POST
def template_tasks(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template(template_id)
    ids = [int(v) for v in request.POST.getlist("tasks") if v.isdigit()]
    known = set(Task.objects.filter(pk__in=ids).values_list("pk", flat=True))
    try:
        template_services.template_link_tasks(actor=request.user, template=template,
                                              task_ids=[i for i in ids if i in known])
    except (ValidationError, SpecError) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("The linked tasks were saved."))
    return redirect("procedures:template_detail", template_id=template.pk)


@org_view(MANAGE_PROCEDURES)
@require_POST
def template_archive(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template(template_id)
    archived = request.POST.get("archived", "1") != "0"
    template_services.template_archive(actor=request.user, template=template, archived=archived)
    messages.success(request, _("The template was archived.") if archived
                     else _("The template is in use again."))
    return redirect("procedures:template_detail", template_id=template.pk)


# ---- the structured editor ---------------------------------------------------------------------


def _owners(template: Template | None) -> Any:
    current = template.owner_id if template is not None else None
    return Person.objects.filter(Q(status=PersonStatus.ACTIVE) | Q(pk=current)).order_by(
        "employee_number")


def _with_extra_row(data: Any, prefix: str) -> Any:
    data = data.copy()
    try:
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        total = 0
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    return data


@org_view(MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    template = _template(template_id) if template_id is not None else None
    current = template.current_version if template is not None else None
    spec = template_selectors.version_spec(current) if current is not None else None
    problems: list[te.PlacedProblem] = []
    show_errors = True
    if request.method == "POST":
        data = request.POST
        adding = "add_param" in data or "add_step" in data
        if adding:
            data = _with_extra_row(data, "params" if "add_param" in data else "steps")
            show_errors = False
        head = tf.TemplateHeadForm(data, owners=_owners(template))
        params = tf.ParameterFormSet(data, prefix="params")
        steps = tf.StepFormSet(data, prefix="steps",
                               form_kwargs={"choices": te.choices_from_post(data)})
        if not adding and head.is_valid() and params.is_valid() and steps.is_valid():
            param_rows, step_rows = tf.kept_rows(params), tf.kept_rows(steps)
            new_spec = te.build_spec(head.cleaned_data, param_rows, step_rows, previous=spec)
            try:
                saved = template_services.template_save(
                    actor=request.user, template=template, spec=spec_dict(new_spec),
                    note=head.cleaned_data.get("change_note") or "",
                    owner=head.cleaned_data.get("owner"),
                )
            except SpecError as exc:
                problems = te.place_problems(exc.problems, head=head, params=param_rows,
                                             steps=step_rows, params_all=params.forms,
                                             steps_all=steps.forms)
            except ValidationError as exc:
                for field_name, errors in exc.message_dict.items():
                    head.add_error(field_name if field_name in head.fields else None, errors)
                    problems += [te.PlacedProblem(field_name, field_name, e) for e in errors]
            else:
                return _saved(request, saved, current)
        elif not adding:
            problems = [te.PlacedProblem("", "", _("Correct the fields marked below."))]
    else:
        head = tf.TemplateHeadForm(initial={
            **(te.head_initial(spec) if spec is not None else {}),
            "owner": template.owner_id if template is not None else None,
        }, owners=_owners(template))
        params = tf.ParameterFormSet(
            initial=te.parameter_initial(spec) if spec is not None else None, prefix="params")
        step_formset: Any = tf.StepFormSet
        if spec is None:
            step_formset = type("NewStepFormSet", (tf.StepFormSet,),
                                {"extra": NEW_TEMPLATE_STEP_ROWS})
        steps = step_formset(initial=te.step_initial(spec) if spec is not None else None,
                             prefix="steps", form_kwargs={"choices": te.choices_from_spec(spec)})
    return render(request, "procedures/template_edit.html", {
        "template": template, "head": head, "params": params, "steps": steps,
        "problems": problems, "show_errors": show_errors,
        "next_version": (current.number + 1) if current is not None else 1,
        "collapse_steps": len(steps.forms) > COLLAPSE_STEPS_OVER and not problems,
        **_editor_keys(request, spec),
        **_directory_lists(),
    })


def _editor_keys(request: HttpRequest, spec: TemplateSpec | None) -> dict[str, Any]:
    """The parameter and step keys the editor's help lists (as posted, or as saved)."""
    choices = (te.choices_from_post(request.POST) if request.method == "POST"
               else te.choices_from_spec(spec))
    return {"param_keys": choices.all_params, "step_keys": choices.steps}


def _directory_lists() -> dict[str, Any]:
    """The departments and categories the editor's inputs suggest (one list per page). People
    are not listed: the 社員番号 inputs ask the person search as one types (person-picker.js)."""
    return {
        "departments": Department.objects.only("name").order_by("sort_order", "name"),
        "categories": sorted({c for c in Template.objects.values_list("category", flat=True)
                              if c}),
    }


def _saved(request: HttpRequest, template: Template, before: TemplateVersion | None
           ) -> HttpResponse:
    version = template.current_version
    if before is not None and version is not None and version.pk == before.pk:
        messages.info(request, _("Nothing changed; the template stays at version %(number)s.")
                      % {"number": version.number})
    elif version is not None:
        messages.success(request, _("Saved as version %(number)s.") % {"number": version.number})
    return redirect("procedures:template_detail", template_id=template.pk)


# ---- YAML: the advanced editor, import and export --------------------------------------------


@org_view(MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def template_yaml_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    template = _template(template_id)
    current = template.current_version
    if current is None:
        raise Http404
    problems: list[te.PlacedProblem] = []
    if request.method == "POST":
        text = request.POST.get("yaml", "")
        note = request.POST.get("change_note", "").strip()[:300]
        try:
            data = yamlio.load_yaml(text)
            saved = template_services.template_save(
                actor=request.user, template=template, spec=data,
                note=note)
        except SpecError as exc:
            problems = _problems(exc)
        except ValidationError as exc:
            problems = [te.PlacedProblem(k, k, m) for k, ms in exc.message_dict.items()
                        for m in ms]
        else:
            return _saved(request, saved, current)
    else:
        text = yamlio.dump_yaml(spec_dict(template_selectors.version_spec(current)))
        note = ""
    return render(request, "procedures/template_yaml_edit.html", {
        "template": template, "text": text, "change_note": note, "problems": problems,
        "next_version": current.number + 1,
    })


def _download_name(template: Template) -> str:
    """The ASCII file name for clients that ignore ``filename*``: the name itself when it is
    plain ASCII, else ``template-<id>.yaml``."""
    if re.fullmatch(r"[A-Za-z0-9 ._()-]+", template.name):
        return template.name.replace(" ", "_") + ".yaml"
    return f"template-{template.pk}.yaml"


@org_view(VIEW_PROCEDURES)
@require_GET
def template_export(request: HttpRequest, template_id: int) -> HttpResponse:
    """The current version as a YAML file (the format ``template_import`` and the CLI read)."""
    template = _template(template_id)
    version = template.current_version
    if version is None:
        raise Http404
    text = yamlio.dump_yaml(spec_dict(template_selectors.version_spec(version)))
    disposition = (f'attachment; filename="{_download_name(template)}"; '
                   f"filename*=UTF-8''{quote(template.name + '.yaml')}")
    return HttpResponse(text.encode("utf-8"), content_type="text/yaml; charset=utf-8",
                        headers={"Content-Disposition": disposition})


@org_view(MANAGE_PROCEDURES)
@require_http_methods(["GET", "POST"])
def template_import(request: HttpRequest) -> HttpResponse:
    problems: list[te.PlacedProblem] = []
    text = ""
    update = False
    if request.method == "POST":
        text = request.POST.get("text", "")
        update = request.POST.get("update") == "on"
        result = _import(request, text=text, update=update)
        if isinstance(result, Template):
            return redirect("procedures:template_detail", template_id=result.pk)
        problems = result
    return render(request, "procedures/template_import.html", {
        "problems": problems, "text": text, "update": update,
    })


def _import(request: HttpRequest, *, text: str, update: bool
            ) -> Template | list[te.PlacedProblem]:
    """Create the template the uploaded (or pasted) YAML describes, or list why not."""
    source: bytes | str
    filename = ""
    if request.FILES.get("file"):
        upload, errors = checked_upload(request)
        if upload is None:
            return [te.PlacedProblem("", "", e.reason) for e in errors]
        source, filename = upload.read(), upload.name or ""
    elif text.strip():
        source = text
    else:
        return [te.PlacedProblem("", "", _("Choose a .yaml file or paste the YAML text."))]
    try:
        data = yamlio.load_yaml(source)
    except SpecError as exc:
        return _problems(exc)
    note = (_("Imported from %(file)s") % {"file": filename}) if filename else _("Imported")
    try:
        imported = template_services.template_import(actor=request.user, spec=data, update=update,
                                                     note=note)
    except template_services.TemplateNameTaken as exc:
        return [te.PlacedProblem("name", "name", _(
            "A template named “%(name)s” already exists. Tick “Update the template of the same "
            "name as a new version” to save this file as its new version."
        ) % {"name": exc.name})]
    except SpecError as exc:
        return _problems(exc)
    except ValidationError as exc:
        return [te.PlacedProblem(k, k, m) for k, ms in exc.message_dict.items() for m in ms]
    saved = imported.template
    if imported.created:
        messages.success(request, _("Imported “%(name)s” (version 1).") % {"name": saved.name})
    elif not imported.changed:
        messages.info(request, _("The file is the same as the current version; nothing "
                                 "changed."))
    else:
        messages.success(request, _("Imported as version %(number)s of “%(name)s”.") % {
            "number": saved.current_version.number if saved.current_version else "",
            "name": saved.name})
    return saved


# ---- the built-in library -----------------------------------------------------------------------


@dataclass
class LibraryCard:
    key: str
    spec: TemplateSpec
    statutory: list[tuple[str, str]]  # (step name, notes) of steps whose notes cite a rule
    adopted: Template | None


def _statutory(spec: TemplateSpec) -> list[tuple[str, str]]:
    return [(s.name, s.notes) for s in spec.steps if s.notes.strip()]


@org_view(VIEW_PROCEDURES)
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    adopted: dict[str, Template] = {}
    for template in Template.objects.exclude(library_key="").order_by("pk"):
        adopted.setdefault(template.library_key, template)
    cards = [
        LibraryCard(key=entry.key, spec=entry.spec, statutory=_statutory(entry.spec),
                    adopted=adopted.get(entry.key))
        for entry in builtin.library_entries()
    ]
    return render(request, "procedures/library.html", {"cards": cards})


@org_view(MANAGE_PROCEDURES)
@require_POST
def library_adopt(request: AuthedRequest, key: str) -> HttpResponse:
    try:
        entry = builtin.library_entry(key)
    except KeyError as exc:
        raise Http404 from exc
    try:
        template = builtin.library_adopt(actor=request.user, key=key, owner=_owner_of(request))
    except builtin.AlreadyAdopted as exc:
        messages.info(request, _("This procedure was adopted already."))
        return redirect("procedures:template_detail", template_id=exc.template.pk)
    except (SpecError, ValidationError) as exc:
        problems = exc.problems if isinstance(exc, SpecError) else [
            SpecProblem("", m) for m in exc.messages]
        messages.error(request, _("The procedure could not be adopted: %(problems)s") % {
            "problems": "; ".join(str(p) for p in problems)})
        return redirect("procedures:library")
    messages.success(request, _("Adopted “%(name)s”. Check the assignees and due dates, then "
                                "launch it.") % {"name": template.name})
    _tell_what_to_set_up(request, entry.spec, template)
    return redirect("procedures:template_detail", template_id=template.pk)


def _tell_what_to_set_up(request: HttpRequest, spec: TemplateSpec, template: Template) -> None:
    """One warning per role nobody holds (with the link to give it), said at adoption."""
    members = reverse("org:member_list")
    for need in launching.role_needs(spec):
        # Library step names are Japanese: listed with the Japanese comma.
        steps = "、".join(need.steps[:3]) + (_(" and %(n)d more") % {"n": len(need.steps) - 3}
                                            if len(need.steps) > 3 else "")
        if need.department:
            text = _("Nobody in %(department)s has the role %(role)s yet, which %(count)d steps "
                     "are assigned by (%(steps)s).") % {
                "department": need.department, "role": need.role_label,
                "count": len(need.steps), "steps": steps}
        else:
            text = _("Nobody has the role %(role)s yet, which %(count)d steps are assigned by "
                     "(%(steps)s).") % {"role": need.role_label, "count": len(need.steps),
                                        "steps": steps}
        if template.owner_id is not None:
            fallback = _("Until then they go to the owner %(owner)s, flagged for review.") % {
                "owner": template.owner.name if template.owner else ""}
        else:
            fallback = _("Until then launching it fails: the template has no owner to take them.")
        messages.warning(request, format_html(
            '{} {} <a href="{}">{}</a>', text, fallback, members,
            _("Give the role to a person's account in Accounts and roles")))


def _owner_of(request: AuthedRequest) -> Person | None:
    return getattr(request.membership, "person", None)
