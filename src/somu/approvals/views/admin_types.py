"""Pages of request types (申請種別): the list, and one type's form, categories and follow-up
procedure with its parameter mapping. Saving goes through
:func:`somu.approvals.services.types.request_type_save`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from somu.approvals import forms_admin as fa
from somu.approvals.models import RequestType
from somu.approvals.permissions import MANAGE_APPROVALS
from somu.approvals.services import types
from somu.core.errors import Conflict
from somu.core.requests import AuthedRequest
from somu.core.web import apply_errors, org_view
from somu.procedures.models import Template
from somu.rules import forms as rule_forms


@org_view(MANAGE_APPROVALS)
@require_GET
def type_list(request: AuthedRequest) -> HttpResponse:
    request_types = RequestType.objects.select_related("follow_up_template").annotate(
        request_count=Count("requests"))
    return render(request, "approvals/admin/type_list.html", {"types": request_types})


@org_view(MANAGE_APPROVALS)
@require_http_methods(["GET", "POST"])
def type_create(request: AuthedRequest) -> HttpResponse:
    return _type_form(request, None)


@org_view(MANAGE_APPROVALS)
@require_http_methods(["GET", "POST"])
def type_edit(request: AuthedRequest, type_id: int) -> HttpResponse:
    request_type = get_object_or_404(RequestType.objects.select_related(
        "follow_up_template__current_version"), pk=type_id)
    return _type_form(request, request_type)


def _sources(fields_text: str, fallback: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """What a follow-up parameter can take: the form's fields (as typed, if they parse) and
    the request's own values."""
    try:
        specs = [(f.key, f.label) for f in rule_forms.parse_form_fields(
            fields_text, types=rule_forms.REQUEST_FIELD_TYPES)]
    except rule_forms.FormFieldsError:
        specs = [(str(f["key"]), str(f.get("label") or f["key"])) for f in fallback]
    return [*fa.special_source_labels().items(), *specs]


def _template(value: str) -> Template | None:
    if not value.isdecimal():
        return None
    return Template.objects.select_related("current_version").filter(pk=int(value)).first()


def _params_context(template: Template | None, mapping: dict[str, str],
                    sources: list[tuple[str, str]]) -> dict[str, Any]:
    parameters = fa.template_parameters(template)
    return {"parameters": [{**p, "name": fa.PARAM_PREFIX + p["key"],
                            "chosen": mapping.get(p["key"], "")} for p in parameters],
            "sources": sources, "template": template}


def _type_form(request: AuthedRequest, request_type: RequestType | None) -> HttpResponse:
    creating = request_type is None
    stored_fields = request_type.fields if request_type else []
    if request.GET.get("params"):  # the follow-up template changed: its parameters
        template = _template(request.GET.get("follow_up_template", ""))
        sources = _sources(request.GET.get("fields_text", ""), stored_fields)
        mapping = dict(request_type.follow_up_params) if request_type else {}
        return render(request, "approvals/admin/_type_params.html",
                      _params_context(template, mapping, sources))
    if request.method == "POST":
        form = fa.RequestTypeForm(request.POST, creating=creating)
        template = _template(request.POST.get("follow_up_template", ""))
        mapping = fa.posted_params(request.POST, fa.template_parameters(template))
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["fields"] = data.pop("fields_text")
            data["follow_up_params"] = mapping if data["follow_up_template"] else {}
            if data.get("sort_order") is None:
                data.pop("sort_order", None)
            try:
                saved = types.request_type_save(membership=request.membership, data=data,
                                                request_type=request_type, now=timezone.now())
            except ValidationError as exc:
                apply_errors(form, exc, {"fields": "fields_text",
                                         "follow_up_params": "follow_up_template"})
            except Conflict as exc:
                form.add_error("code", str(exc))
            else:
                messages.success(request, _("Saved the request type “%(name)s”.") % {
                    "name": saved.name})
                return redirect("approvals:type_list")
        fields_text = request.POST.get("fields_text", "")
    else:
        initial: dict[str, Any] = fa.type_initial(request_type) if request_type else {
            "has_amount": True, "allows_attachments": True, "is_active": True}
        form = fa.RequestTypeForm(initial=initial, creating=creating)
        template = request_type.follow_up_template if request_type else None
        mapping = dict(request_type.follow_up_params) if request_type else {}
        fields_text = initial.get("fields_text", "")
    context = {"form": form, "request_type": request_type, "creating": creating,
               "field_types": rule_forms.REQUEST_FIELD_TYPES,
               **_params_context(template, mapping, _sources(fields_text, stored_fields))}
    return render(request, "approvals/admin/type_form.html", context)
