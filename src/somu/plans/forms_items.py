"""The forms of the item pages. They only carry what was typed: every rule is in
:mod:`somu.plans.services.items` and :mod:`somu.plans.training`, whose ValidationError the views
put next to these fields with :func:`somu.core.web.apply_errors`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.org.models import Person, PersonStatus
from somu.plans.models import FindingKind, ItemKind, ItemStatus, Kpi
from somu.plans.training import LEVEL_NAMES
from somu.survey.models import SurveyRound, Task


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _people() -> Any:
    return Person.objects.filter(status=PersonStatus.ACTIVE).order_by("employee_number")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.employee_number}）"


class TaskChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.path)


def _number(label: Any, *, decimal: bool = True, help_text: Any = "") -> forms.Field:
    # Text, not a number field: the service says what is wrong with it, in the same words as
    # the API gets.
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.TextInput(attrs={
                               "inputmode": "decimal" if decimal else "numeric",
                               "autocomplete": "off"}))


class ItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=[("", "—"), *ItemKind.choices],
                             required=False)
    owner = PersonChoice(label=pgettext_lazy("improvement item", "Owner"),
                         queryset=Person.objects.none(), required=False)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DateInput())
    kpi = forms.ModelChoiceField(label=_("KPI it serves"), queryset=Kpi.objects.none(),
                                 required=False)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    task = TaskChoice(label=_("Task"), queryset=Task.objects.none(), required=False)
    person = PersonChoice(label=_("Person concerned"), queryset=Person.objects.none(),
                          required=False)
    expected_hours = _number(_("Hours saved or moved per month"))
    expected_capable = _number(_("People made capable"), decimal=False)
    expected_cost = _number(_("Cost saved per month (yen)"), decimal=False)
    effort_hours = _number(_("Effort (hours)"))
    effort_cost = _number(_("Cost of doing it (yen)"), decimal=False)
    vendor = forms.CharField(label=_("Vendor or tool (外注・自動化)"), max_length=200,
                             required=False)
    moves_on = forms.DateField(label=_("Date the work moves (外注・自動化)"), required=False,
                               widget=DateInput())
    finding = forms.CharField(required=False, widget=forms.HiddenInput())
    round = forms.ModelChoiceField(queryset=SurveyRound.objects.none(), required=False,
                                   widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = _people()
        self.fields["owner"].queryset = people  # type: ignore[attr-defined]
        self.fields["person"].queryset = Person.objects.order_by(  # type: ignore[attr-defined]
            "employee_number")
        self.fields["kpi"].queryset = Kpi.objects.filter(  # type: ignore[attr-defined]
            archived=False)
        self.fields["task"].queryset = Task.objects.order_by(  # type: ignore[attr-defined]
            "function", "category", "subcategory", "name")
        self.fields["round"].queryset = SurveyRound.objects.all()  # type: ignore[attr-defined]

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("finding") not in FindingKind.values:
            data["finding"] = ""
        return data


class MoveForm(forms.Form):
    status = forms.ChoiceField(label=_("Move to"), choices=ItemStatus.choices)  # values only
    from_status = forms.ChoiceField(choices=ItemStatus.choices, required=False,
                                    widget=forms.HiddenInput())


class TrainingForm(forms.Form):
    learner = PersonChoice(label=_("Learner"), queryset=Person.objects.none(), required=False)
    teacher = PersonChoice(label=_("Teacher (capability 4 on the task)"),
                           queryset=Person.objects.none(), required=False)
    target_level = forms.ChoiceField(label=_("Target capability"), required=False,
                                     choices=[(str(k), v) for k, v in LEVEL_NAMES.items()],
                                     initial="3")
    start_on = forms.DateField(label=_("Start date"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("learner", "teacher"):
            self.fields[name].queryset = _people()  # type: ignore[attr-defined]


class BoardFilter(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=[("", _("All types")), *ItemKind.choices],
                             required=False)
    owner = PersonChoice(label=pgettext_lazy("improvement item", "Owner"),
                         queryset=Person.objects.none(), required=False,
                         empty_label=_("Everyone"))
    kpi = forms.ModelChoiceField(label=_("KPI"), queryset=Kpi.objects.none(), required=False,
                                 empty_label=_("All KPIs"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.order_by(  # type: ignore[attr-defined]
            "employee_number")
        self.fields["kpi"].queryset = Kpi.objects.all()  # type: ignore[attr-defined]
