"""Forms of the approvals' admin pages: a revision of the 決裁権限規程 (its date and reason; the
table itself is :mod:`somu.approvals.rules_table`'s lines), the import, the rule tester and
request types.

They check the shape of the input; what it means is the services' job, and their errors are
shown next to the same fields (``somu.core.web.apply_errors``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.approvals.models import RequestType
from somu.org.models import Department
from somu.org.pickers import PersonField
from somu.procedures.models import Template
from somu.rules import forms as rule_forms

DATE_WIDGET: Final = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FIELD_PREFIX: Final = "f_"  # the tester's inputs for the request type's form fields
PARAM_PREFIX: Final = "param__"  # the type page's inputs for the follow-up parameters
SPECIAL_SOURCES: Final = ("@title", "@amount", "@number", "@requester", "@department")


def special_source_labels() -> dict[str, str]:
    return {"@title": _("Title"), "@amount": _("Amount"), "@number": _("Request number"),
            "@requester": _("Requester"), "@department": _("Department")}


class RevisionForm(forms.Form):
    """The date a new revision takes effect and why it was made."""

    effective_from = forms.DateField(label=gettext_lazy("Effective from (改定日)"),
                                     widget=DATE_WIDGET)
    note = forms.CharField(label=gettext_lazy("Reason for the revision (改定理由)"),
                           max_length=300, required=False)


class RuleImportForm(RevisionForm):
    """The import's options; the file itself goes through :mod:`somu.core.uploads`."""


def _amount(text: str) -> int | None:
    from somu.approvals.rules_table import parse_amount

    return parse_amount(text)


class RuleTestForm(forms.Form):
    """A hypothetical request: the tester shows the route it would get."""

    request_type = forms.ModelChoiceField(label=gettext_lazy("request type"),
                                          queryset=RequestType.objects.none(),
                                          empty_label="—")
    requester = PersonField(label=gettext_lazy("requester"))
    amount = forms.CharField(label=gettext_lazy("amount (yen)"), required=False,
                             widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    category = forms.CharField(label=gettext_lazy("category (区分)"), required=False)
    department = forms.ModelChoiceField(
        label=gettext_lazy("department"), queryset=Department.objects.none(), required=False,
        empty_label=gettext_lazy("The requester's department"))
    day = forms.DateField(label=gettext_lazy("date"), widget=DATE_WIDGET, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        type_field = self.fields["request_type"]
        assert isinstance(type_field, forms.ModelChoiceField)
        type_field.queryset = RequestType.objects.filter(is_active=True)
        department_field = self.fields["department"]
        assert isinstance(department_field, forms.ModelChoiceField)
        department_field.queryset = Department.objects.order_by("sort_order", "name")

    def clean_amount(self) -> int | None:
        try:
            return _amount(self.cleaned_data.get("amount") or "")
        except ValueError:
            raise forms.ValidationError(_("Enter an amount in yen, like 1,000,000.")) from None


class RequestTypeForm(forms.Form):
    """A request type: the form fields as ``key:label:type[:required][:a|b]`` lines, the
    categories one a line, and the follow-up procedure (its parameters come separately)."""

    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    code = forms.SlugField(label=gettext_lazy("code"), max_length=40, allow_unicode=True,
                           help_text=gettext_lazy(
                               "Names the type in the approval rules, Excel files and the API; "
                               "it cannot be changed later."))
    number_prefix = forms.CharField(label=gettext_lazy("number prefix"), max_length=16,
                                    help_text=gettext_lazy(
                                        "Request numbers read 稟議-2026-00042."))
    description = forms.CharField(label=gettext_lazy("description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    categories = forms.CharField(label=gettext_lazy("categories (区分)"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=gettext_lazy("One a line; empty: the type has none."))
    has_amount = forms.BooleanField(label=gettext_lazy("has an amount"), required=False)
    allows_attachments = forms.BooleanField(label=gettext_lazy("allows attachments"),
                                            required=False)
    fields_text = forms.CharField(
        label=gettext_lazy("form fields"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono", "spellcheck": "false"}))
    follow_up_template = forms.ModelChoiceField(
        label=gettext_lazy("follow-up procedure"), queryset=Template.objects.none(),
        required=False, empty_label=gettext_lazy("None"),
        help_text=gettext_lazy("Started when a request of this type is finally approved."))
    is_active = forms.BooleanField(label=gettext_lazy("in use"), required=False)
    sort_order = forms.IntegerField(label=gettext_lazy("order"), min_value=0, required=False)

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template_field = self.fields["follow_up_template"]
        assert isinstance(template_field, forms.ModelChoiceField)
        template_field.queryset = Template.objects.filter(archived=False).order_by("name")
        if not creating:
            del self.fields["code"]

    def clean_fields_text(self) -> list[dict[str, Any]]:
        from somu.approvals.services.types import field_dicts

        text = self.cleaned_data.get("fields_text") or ""
        try:
            return field_dicts(rule_forms.parse_form_fields(
                text, types=rule_forms.REQUEST_FIELD_TYPES))
        except rule_forms.FormFieldsError as exc:
            raise forms.ValidationError(_(
                "Line %(line)s: unknown field type “%(type)s” (use one of: %(types)s).") % {
                "line": exc.line, "type": exc.type, "types": ", ".join(exc.types)}) from None

    def clean_categories(self) -> list[str]:
        seen: list[str] = []
        for line in (self.cleaned_data.get("categories") or "").splitlines():
            if line.strip() and line.strip() not in seen:
                seen.append(line.strip())
        return seen


def type_initial(request_type: RequestType) -> dict[str, Any]:
    specs = [rule_forms.FormFieldSpec(key=f["key"], label=f.get("label", f["key"]),
                                      type=f.get("type", "text"),
                                      required=bool(f.get("required")),
                                      choices=tuple(f.get("choices", ())))
             for f in request_type.fields]
    return {"name": request_type.name, "number_prefix": request_type.number_prefix,
            "description": request_type.description,
            "categories": "\n".join(request_type.categories),
            "has_amount": request_type.has_amount,
            "allows_attachments": request_type.allows_attachments,
            "fields_text": rule_forms.form_fields_text(specs),
            "follow_up_template": request_type.follow_up_template_id,
            "is_active": request_type.is_active, "sort_order": request_type.sort_order}


def template_parameters(template: Template | None) -> list[dict[str, Any]]:
    """The parameters of a procedure template's current version (key, label, required)."""
    if template is None or template.current_version is None:
        return []
    return [{"key": str(p.get("key", "")), "label": str(p.get("label") or p.get("key", "")),
             "required": bool(p.get("required", True))}
            for p in (template.current_version.spec or {}).get("parameters", [])
            if isinstance(p, dict) and p.get("key")]


def posted_params(data: Mapping[str, Any], parameters: list[dict[str, Any]]) -> dict[str, str]:
    """The follow-up mapping posted as ``param__<key>`` selects (empty: not mapped)."""
    out = {}
    for parameter in parameters:
        value = str(data.get(PARAM_PREFIX + parameter["key"], "") or "").strip()
        if value:
            out[parameter["key"]] = value
    return out
