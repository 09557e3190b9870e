"""The forms of the request pages: a request type's form, the decision box, the list's filters,
a delegation.

They only carry what was typed: every check is in :mod:`somu.approvals.services` (a draft may be
incomplete; submitting checks it), whose ValidationError the views put next to these fields
with :func:`somu.core.web.apply_errors` (a form field ``key`` of the type is ``f_<key>`` here).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.approvals.models import Request, RequestState, RequestType
from somu.approvals.services.requests import form_fields
from somu.org.pickers import PersonField, PersonPicker
from somu.rules import forms as rule_forms

FIELD_PREFIX = "f_"


def field_name(key: str) -> str:
    return FIELD_PREFIX + key


class YenInput(forms.TextInput):
    """Whole yen, typed with or without commas (¥ is shown before the box)."""

    def __init__(self) -> None:
        super().__init__(attrs={"inputmode": "numeric", "autocomplete": "off",
                                "class": "yen-input", "placeholder": "120,000"})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _spec_field(spec: rule_forms.FormFieldSpec) -> forms.Field:
    common: dict[str, Any] = {"label": spec.label, "required": False,
                              "help_text": spec.help}
    if spec.type == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), **common)
    if spec.type == "number":
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if spec.type == "date":
        return forms.CharField(widget=DateInput(), **common)
    if spec.type == "choice":
        return forms.ChoiceField(choices=[("", "—"), *((c, c) for c in spec.choices)], **common)
    if spec.type == "boolean":
        return forms.BooleanField(**common)
    if spec.type == "person":
        return forms.CharField(widget=PersonPicker(), **common)
    return forms.CharField(max_length=2000, **common)


class RequestForm(forms.Form):
    """A request of one type: title, amount, 区分, the type's own fields, and — only for those
    who may file for others (代理申請) — whose request it is."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    amount = forms.CharField(label=_("Amount (yen)"), required=False, widget=YenInput())
    category = forms.ChoiceField(label=pgettext_lazy("approvals", "Category"), required=False)

    def __init__(self, *args: Any, request_type: RequestType, on_behalf: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request_type = request_type
        self.specs = form_fields(request_type)
        if on_behalf:
            self.fields["requester"] = PersonField(
                label=_("Whose request (代理申請)"), required=False,
                help_text=_("Leave empty to file it as your own request."))
            self.order_fields(["requester"])
        if not request_type.has_amount:
            del self.fields["amount"]
        if request_type.categories:
            self.fields["category"].choices = [  # type: ignore[attr-defined]
                ("", "—"), *((c, c) for c in request_type.categories)]
        else:
            del self.fields["category"]
        for spec in self.specs:
            self.fields[field_name(spec.key)] = _spec_field(spec)

    @classmethod
    def initial_of(cls, request: Request) -> dict[str, Any]:
        initial: dict[str, Any] = {"title": request.title, "category": request.category,
                                   "amount": f"{request.amount:,}"
                                   if request.amount is not None else ""}
        for key, value in (request.values or {}).items():
            initial[field_name(key)] = value
        return initial

    @classmethod
    def bound_to(cls, request: Request) -> RequestForm:
        """The saved request as if just typed (to show a service's errors next to fields)."""
        data = {key: ("on" if value is True else str(value))
                for key, value in cls.initial_of(request).items()
                if value not in (None, False)}
        form = cls(data, request_type=request.request_type)
        form.is_valid()
        return form

    @property
    def standard_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("requester", "title", "amount", "category")
                if name in self.fields]

    @property
    def type_fields(self) -> list[forms.BoundField]:
        return [self[field_name(spec.key)] for spec in self.specs]

    @property
    def spec_fields(self) -> list[tuple[rule_forms.FormFieldSpec, forms.BoundField]]:
        return [(spec, self[field_name(spec.key)]) for spec in self.specs]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {spec.key: data.get(field_name(spec.key)) for spec in self.specs}

    def field_map(self) -> dict[str, str]:
        """The service's field names → this form's."""
        return {spec.key: field_name(spec.key) for spec in self.specs}

    def draft_amount(self) -> int | None:
        """The amount as typed, for the route preview (None when empty or not a number: the
        submission says what is wrong)."""
        text = str(self.cleaned_data.get("amount") or "")
        text = text.strip().replace(",", "").replace("¥", "").replace("円", "")
        return int(text) if text.isdigit() else None

    def draft_values(self) -> dict[str, Any]:
        cleaned, _errors = rule_forms.clean_values(self.specs, self.values(), final=False)
        return cleaned


class DecisionForm(forms.Form):
    """承認 / 却下 / 差し戻し of one seat, with a comment."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject")),
                                          ("return", _("Send back"))])
    comment = forms.CharField(label=_("Comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    seat = forms.IntegerField(required=False, widget=forms.HiddenInput)
    acting = forms.CharField(required=False, widget=forms.HiddenInput)
    return_to = forms.CharField(label=_("Send back to"), required=False)


class SuperiorDecisionForm(forms.Form):
    """代決: a decision in the absent approver's place, with the reason."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(label=_("Reason"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    seat = forms.IntegerField(widget=forms.HiddenInput)


class ParticipantForm(forms.Form):
    person = PersonField(label=_("Person to add"))
    stage = forms.IntegerField(widget=forms.HiddenInput)


class PostReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class RequestFilterForm(forms.Form):
    """The list's filters, for showing them: selectors.RequestFilter.parse reads the values."""

    q = forms.CharField(label=_("Search"), required=False, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _("Number or title")}))
    type = forms.ChoiceField(label=_("Request type"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Any state")), *(
                                  (value, pgettext_lazy("approvals", "In progress")
                                   if value == RequestState.IN_PROGRESS else label)
                                  for value, label in RequestState.choices)])
    requester = forms.CharField(label=_("Requester"), required=False, widget=PersonPicker())
    department = forms.ChoiceField(label=_("Department"), required=False)
    amount_min = forms.CharField(label=_("Amount from"), required=False, widget=YenInput())
    amount_max = forms.CharField(label=_("Amount up to"), required=False, widget=YenInput())
    mine = forms.BooleanField(label=_("My requests"), required=False)

    def __init__(self, data: Mapping[str, Any], *, types: Iterable[tuple[int, str]],
                 departments: Mapping[int, str]) -> None:
        super().__init__(data)
        # The query string's names are the API's: "from" and "to" (no Python names).
        self.fields["from"] = forms.CharField(label=_("Created from"), required=False,
                                              widget=DateInput())
        self.fields["to"] = forms.CharField(label=_("Created up to"), required=False,
                                            widget=DateInput())
        self.order_fields(["q", "type", "state", "requester", "department", "amount_min",
                           "amount_max", "from", "to", "mine"])
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            ("", _("Every type")), *((str(pk), name) for pk, name in types)]
        self.fields["department"].choices = [  # type: ignore[attr-defined]
            ("", _("Every department")),
            *sorted(((str(pk), path) for pk, path in departments.items()), key=lambda c: c[1])]


class DelegationForm(forms.Form):
    principal = PersonField(label=_("Absent approver"), required=False)
    deputy = PersonField(label=_("Deputy"), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    request_types = forms.ModelMultipleChoiceField(
        label=_("Request types"), required=False, queryset=RequestType.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every request type."))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, admin: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not admin:
            del self.fields["principal"]
        self.fields["request_types"].queryset = (  # type: ignore[attr-defined]
            RequestType.objects.filter(is_active=True))
