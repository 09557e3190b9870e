"""Pages of the 決裁権限規程: the version in force and every revision, the table editor (a new
revision), the Excel import and export, and the rule tester.

The table is :mod:`somu.approvals.rules_table`'s lines in the editor, the Excel file and the
pages alike; saving goes through :func:`~somu.approvals.rules_table.rule_table_save` (the
service's checks, errors pointed back at lines). Managers of the approvals edit; whoever may
read every request may read the rules and use the tester.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial, wraps
from typing import Any, Final

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from somu.approvals import forms_admin as fa
from somu.approvals import presenters, rules_excel
from somu.approvals import rules_table as rt
from somu.approvals.models import Quorum, RequestType, RuleVersion
from somu.approvals.permissions import MANAGE_APPROVALS, VIEW_REQUESTS
from somu.approvals.services import chart
from somu.approvals.services import rules as rule_services
from somu.approvals.services.requests import form_fields
from somu.core.permissions import has_perm
from somu.core.requests import AuthedRequest
from somu.core.tabular import ImportFailed, RowError, Source
from somu.core.uploads import import_steps, spreadsheet_download
from somu.core.web import org_view, render_page
from somu.org.models import Person
from somu.rules import forms as rule_forms
from somu.rules import routing

EDITOR_BLANK_LINES: Final = 1  # empty lines offered below the table


def _readable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for those who edit the rules or may read every request."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        membership = getattr(request, "membership", None)
        if membership is None:
            return render(request, "no_organization.html", status=403)
        if not (has_perm(membership, MANAGE_APPROVALS) or has_perm(membership, VIEW_REQUESTS)):
            raise PermissionDenied(_("You do not have permission to do this."))
        return view(request, *args, **kwargs)

    return wrapper


# ---- reading ------------------------------------------------------------------------------------


def _shown_lines(version: RuleVersion | None) -> list[dict[str, Any]]:
    """A revision's table to read: yen, names, the row's columns on its first line only."""
    if version is None:
        return []
    lines = rt.row_lines(rule_services.row_inputs(version), amounts="yen", people="name")
    out: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        shown = {rt.KEYS[k]: v for k, v in line.items()}
        first = index == 0 or lines[index - 1][rt.NUMBER] != line[rt.NUMBER]
        shown["first"] = first
        shown["span"] = sum(1 for other in lines if other[rt.NUMBER] == line[rt.NUMBER])
        out.append(shown)
    return out


@dataclass(frozen=True)
class Revision:
    version: RuleVersion
    rows: int
    in_force: bool
    scheduled: bool


def _revisions(today: dt.date, in_force: RuleVersion | None) -> list[Revision]:
    versions = RuleVersion.objects.select_related("created_by").annotate(
        row_count=Count("rows")).order_by("-effective_from", "-number")
    return [Revision(v, getattr(v, "row_count", 0), in_force is not None and v.pk == in_force.pk,
                     v.effective_from > today) for v in versions]


@_readable
@require_GET
def rules(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    in_force = chart.version_in_force(today)
    return render(request, "approvals/admin/rules.html", {
        "version": in_force, "lines": _shown_lines(in_force), "headers": rt.HEADERS,
        "revisions": _revisions(today, in_force), "today": today,
        "can_edit": has_perm(request.membership, MANAGE_APPROVALS),
    })


@_readable
@require_GET
def rule_version(request: AuthedRequest, version_id: int) -> HttpResponse:
    version = get_object_or_404(RuleVersion.objects.select_related("created_by"), pk=version_id)
    today = timezone.localdate()
    in_force = chart.version_in_force(today)
    return render(request, "approvals/admin/rule_version.html", {
        "version": version, "lines": _shown_lines(version), "headers": rt.HEADERS,
        "in_force": in_force is not None and in_force.pk == version.pk,
        "scheduled": version.effective_from > today,
        "can_edit": has_perm(request.membership, MANAGE_APPROVALS),
    })


@_readable
@require_GET
def rule_export(request: AuthedRequest) -> HttpResponse:
    """The revision in force today (or ``?version=N``, its number) as Excel."""
    today = timezone.localdate()
    number = request.GET.get("version", "")
    version: RuleVersion | None
    if number:
        if not number.isdecimal():
            raise Http404
        version = get_object_or_404(RuleVersion, number=int(number))
    else:
        version = chart.version_in_force(today) or RuleVersion.objects.first()
        if version is None:
            messages.error(request, _("There are no approval rules to export yet."))
            return redirect("approvals:rules")
    content = rules_excel.rules_export(version=version, actor=request.membership.user,
                                       today=today)
    return spreadsheet_download(content, "xlsx", rules_excel.export_filename(version))


# ---- the editor ---------------------------------------------------------------------------------


def _posted_cells(request: HttpRequest) -> list[dict[str, str]]:
    """The editor's lines as posted (one input per column per line), blank lines dropped."""
    columns = {header: request.POST.getlist(key) for header, key in rt.KEYS.items()}
    count = max((len(values) for values in columns.values()), default=0)
    out = []
    for i in range(count):
        cells = {h: (values[i] if i < len(values) else "").strip()
                 for h, values in columns.items()}
        if any(cells.values()):
            out.append(cells)
    return out


def _editor_lines(cells: Sequence[dict[str, Any]], errors: Sequence[RowError]
                  ) -> list[dict[str, Any]]:
    by_line: dict[int, list[RowError]] = {}
    for error in errors:
        if error.row is not None:
            by_line.setdefault(error.row, []).append(error)
    out = []
    for number, line in enumerate(cells, start=1):
        shown: dict[str, Any] = {rt.KEYS[h]: rt.Line(number, line).text(h) for h in rt.HEADERS}
        found = by_line.get(number, [])
        shown["errors"] = [(e.column, e.reason) for e in found]
        shown["bad"] = [rt.KEYS[e.column] for e in found if e.column in rt.KEYS]
        shown["line"] = number
        out.append(shown)
    return out


def _choices() -> dict[str, Any]:
    return {"kinds": list(rt.KIND_LABELS.values()),
            "approvers": list(rt.APPROVER_LABELS.values()),
            "quorums": list(rt.QUORUM_LABELS.values()),
            "vacancies": list(rt.VACANCY_LABELS.values()),
            "type_names": list(RequestType.objects.values_list("name", flat=True)),
            "yes": rt.YES}


@org_view(MANAGE_APPROVALS)
@require_http_methods(["GET", "POST"])
def rule_edit(request: AuthedRequest) -> HttpResponse:
    """The table as it stands, editable; saving makes a new revision (nothing on error)."""
    today = timezone.localdate()
    errors: list[RowError] = []
    if request.method == "POST":
        form = fa.RevisionForm(request.POST)
        cells = _posted_cells(request)
        effective_from = form.cleaned_data["effective_from"] if form.is_valid() else None
        try:
            version, _parsed = rt.rule_table_save(
                membership=request.membership, effective_from=effective_from,
                lines=rt.lines_of(cells), note=request.POST.get("note", ""),
                now=timezone.now())
        except ImportFailed as exc:
            errors = [e for e in exc.errors if not (e.row is None and e.column == "改定日"
                                                    and "effective_from" in form.errors)]
            for error in errors:
                if error.row is None and error.column == "改定日":
                    form.add_error("effective_from", error.reason)
        else:
            assert version is not None
            messages.success(request, _(
                "Saved revision %(number)s of the approval rules, in force from %(day)s.") % {
                "number": version.number, "day": version.effective_from.isoformat()})
            return redirect("approvals:rule_version", version_id=version.pk)
    else:
        in_force = chart.version_in_force(today) or RuleVersion.objects.first()
        form = fa.RevisionForm(initial={"effective_from": today})
        cells = rt.row_lines(rule_services.row_inputs(in_force),
                             amounts="comma") if in_force else []
    lines = _editor_lines(cells, errors)
    blank = {rt.KEYS[h]: "" for h in rt.HEADERS}
    return render(request, "approvals/admin/rule_edit.html", {
        "form": form, "lines": lines, "blank_lines": [blank] * EDITOR_BLANK_LINES,
        "headers": [(h, rt.KEYS[h]) for h in rt.HEADERS],
        "top_errors": [e for e in errors if e.row is None or e.column == rt.NUMBER],
        "error_count": len(errors), **_choices(),
    })


# ---- the import ---------------------------------------------------------------------------------


@org_view(MANAGE_APPROVALS)
@require_http_methods(["GET", "POST"])
def rule_import(request: AuthedRequest) -> HttpResponse:
    """Upload → the checked table as a preview (nothing saved) → confirm, like the people
    import; the file is kept between the steps (:mod:`somu.core.uploads`)."""
    confirming = "token" in request.POST  # the kept options apply, not the form's
    form = fa.RuleImportForm(None if confirming else (request.POST or None),
                             initial={"effective_from": timezone.localdate()})
    context: dict[str, Any] = {"form": form, "max_bytes": settings.SOMU_IMPORT_MAX_BYTES,
                               "columns": rules_excel.COLUMN_HELP, "rules": rules_excel.RULES}
    if request.method == "POST":
        effective = form.cleaned_data.get("effective_from") if form.is_valid() else None
        options = {"effective_from": effective.isoformat() if effective else "",
                   "note": request.POST.get("note", "")}
        context.update(import_steps(request, purpose="approvals.rules", options=options,
                                    run=partial(_run_import, membership=request.membership)))
    return render_page(request, "approvals/admin/rule_import.html", context,
                       partial="approvals/admin/_rule_import_result.html")


def _run_import(source: Source, filename: str, options: dict[str, Any], dry_run: bool, *,
                membership: Any) -> rules_excel.ImportResult:
    effective = options.get("effective_from") or ""
    return rules_excel.rules_import(
        membership=membership, source=source, filename=filename,
        effective_from=dt.date.fromisoformat(effective) if effective else None,
        note=str(options.get("note", "")), now=timezone.now(), dry_run=dry_run)


# ---- the tester ---------------------------------------------------------------------------------


def _field_form(form: fa.RuleTestForm, request_type: RequestType | None) -> list[str]:
    """Add the request type's form fields to the tester; returns their input names."""
    from django import forms

    from somu.org.pickers import PersonField

    names = []
    if request_type is not None and request_type.categories:
        form.fields["category"] = forms.ChoiceField(
            label=form.fields["category"].label, required=False,
            choices=[("", "—")] + [(c, c) for c in request_type.categories])
    for spec in (request_type.fields if request_type else []):
        name = fa.FIELD_PREFIX + spec["key"]
        label = spec.get("label") or spec["key"]
        kind = spec.get("type", "text")
        field: forms.Field
        if kind == "choice":
            field = forms.ChoiceField(label=label, required=False, choices=[("", "—")] + [
                (c, c) for c in spec.get("choices", [])])
        elif kind == "boolean":
            field = forms.BooleanField(label=label, required=False)
        elif kind == "date":
            field = forms.DateField(label=label, required=False, widget=fa.DATE_WIDGET)
        elif kind == "person":
            field = PersonField(label=label, required=False)
        else:
            field = forms.CharField(label=label, required=False)
        form.fields[name] = field
        names.append(name)
    return names


@dataclass(frozen=True)
class TestedStage:
    kind: str
    label: str
    row: int
    approvers: list[str]
    quorum: str
    skipped: bool
    why: list[str]


def _tested_stages(route: routing.Route) -> list[TestedStage]:
    ids = {pk for stage in route.stages for pk in stage.approvers}
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    quorums = {q.value: str(q.label) for q in Quorum}
    out = []
    for stage in route.stages:
        quorum = quorums.get(stage.quorum, stage.quorum)
        if stage.quorum == "at_least":
            quorum = _("At least %(count)s") % {"count": stage.at_least}
        out.append(TestedStage(
            kind=presenters.stage_kind_label(stage.kind), label=stage.label, row=stage.row,
            approvers=[names.get(pk, "?") for pk in stage.approvers], quorum=quorum,
            skipped=stage.skipped, why=[presenters.why_text(w) for w in stage.why]))
    return out


@_readable
@require_GET
def rule_test(request: AuthedRequest) -> HttpResponse:
    """What route a request would get: GET-driven, so the address can be shared."""
    today = timezone.localdate()
    bound = "request_type" in request.GET
    form = fa.RuleTestForm(request.GET if bound else None, initial={"day": today})
    request_type = None
    if bound:
        type_id = request.GET.get("request_type", "")
        request_type = RequestType.objects.filter(pk=int(type_id)).first() \
            if type_id.isdecimal() else None
    field_names = _field_form(form, request_type)
    context: dict[str, Any] = {"form": form, "field_names": field_names, "tested": False}
    if bound and form.is_valid():
        data = form.cleaned_data
        specs = form_fields(data["request_type"])
        raw = {s.key: _raw(data.get(fa.FIELD_PREFIX + s.key)) for s in specs}
        values, _errors = rule_forms.clean_values(specs, raw, final=False, translate=_)
        day = data.get("day") or today
        department = data.get("department")
        version, route, error = rule_services.rule_test(
            request_type=data["request_type"], requester_id=data["requester"].pk,
            amount=data.get("amount"), category=data.get("category") or "", values=values,
            department_id=department.pk if department else None, day=day)
        context.update({"tested": True, "version": version, "error": error, "day": day,
                        "stages": _tested_stages(route) if route else [],
                        "rows": route.rows if route else ()})
    return render(request, "approvals/admin/rule_test.html", context)


def _raw(value: Any) -> Any:
    if isinstance(value, Person):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
