"""Forms of the survey pages. They validate input only; services do the writing.

The questionnaire itself is not a Django form: its rows depend on the inventory, so
:mod:`somu.survey.views_answer` reads them field by field (``hours-<task id>`` …).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from somu.org.models import Department
from somu.org.pickers import PeopleField
from somu.survey.models import SurveyRound, Task

# The two levels of the taxonomy under a function: 大分類 and 中分類 on a Japanese screen.
CATEGORY_LABEL = _("main category")
SUBCATEGORY_LABEL = _("subcategory")


class TaskForm(forms.ModelForm):
    difficulty = forms.TypedChoiceField(
        label=_("difficulty"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *[(str(n), str(n)) for n in range(1, 6)]],
        help_text=_("1 routine … 5 expert judgement"),
    )

    class Meta:
        model = Task
        fields = [
            "function", "category", "subcategory", "name", "description", "frequency",
            "difficulty", "scope", "remote_ok", "outsourceable", "automatable", "required_skill",
            "notes", "status", "sort_order",
        ]
        labels = {"category": CATEGORY_LABEL, "subcategory": SUBCATEGORY_LABEL}
        widgets = {
            "function": forms.TextInput(attrs={"list": "task-functions", "autocomplete": "off"}),
            "category": forms.TextInput(attrs={"list": "task-categories", "autocomplete": "off"}),
            "subcategory": forms.TextInput(
                attrs={"list": "task-subcategories", "autocomplete": "off"}
            ),
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("frequency", "scope"):
            field = self.fields[name]
            field.choices = [("", "—"), *[c for c in field.choices if c[0] != ""]]  # type: ignore[attr-defined]
        self.fields["required_skill"].empty_label = "—"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("function", "category", "subcategory", "name"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        return data

    def _post_clean(self) -> None:
        # Uniqueness of the task's path is checked by the service, inside its transaction.
        pass


class RoundForm(forms.ModelForm):
    class Meta:
        model = SurveyRound
        fields = ["name", "description", "status", "due_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    allow_past_due = forms.BooleanField(
        label=_("The due date may be in the past"), required=False,
        help_text=_("Tick to save a due date that has already passed (e.g. a round entered "
                    "after the fact)."),
    )

    def _post_clean(self) -> None:
        pass


class InviteForm(forms.Form):
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.all(), required=False, label=_("departments"),
        widget=forms.CheckboxSelectMultiple,
    )
    include_subdepartments = forms.BooleanField(
        label=_("Include sub-departments"), required=False, initial=True
    )
    people = PeopleField(required=False, label=_("people"))
    send_mail = forms.BooleanField(
        label=_("Email the invitation to each new respondent"), required=False, initial=True
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("departments") and not data.get("people"):
            raise forms.ValidationError(_("Choose the departments or people to invite."))
        return data


class ProposalForm(forms.Form):
    """A task a respondent does that the inventory lacks (prefixed ``propose-`` on the page)."""

    function = forms.CharField(label=_("function"), max_length=50)
    category = forms.CharField(label=CATEGORY_LABEL, max_length=100)
    subcategory = forms.CharField(label=SUBCATEGORY_LABEL, max_length=100, required=False)
    name = forms.CharField(label=_("task"), max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
