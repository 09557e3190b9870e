"""Forms of the structured template editor (手順テンプレートの編集).

The editor is three pieces: the template's own fields, a formset of parameters and a formset of
steps. They only check the shape of the input (numbers are numbers, a form-field line has a
known type); :mod:`somu.procedures.views.template_editor` turns them into a spec (and a spec into
their initial values), and the spec is validated as a whole by the engine inside
``services.template_save``.

Assignee and due rules are flattened into a few plain fields per step (``assignee_kind`` +
``assignee_person`` …, ``due_base`` + ``due_kind`` + ``due_offset`` …) so the page needs no
JavaScript.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from django import forms
from django.forms import BaseForm, BaseFormSet, formset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from somu.core.permissions import ROLE_LABELS, Role
from somu.org.pickers import PersonPicker
from somu.procedures.engine.spec import (
    FIELD_TYPES,
    PARAM_TYPES,
    START,
    FormFieldSpec,
)
from somu.rules import forms as field_lines
from somu.rules.forms import form_fields_text as form_fields_text

AFTER_PREFIX: Final = "after:"
REOPEN_PREFIX: Final = "reopen:"

PARAM_TYPE_LABELS: Final = {
    "person": gettext_lazy("Person"), "date": gettext_lazy("Date"),
    "choice": gettext_lazy("Choice"), "text": gettext_lazy("Text"),
    "number": gettext_lazy("Number"), "department": gettext_lazy("Department"),
    "boolean": gettext_lazy("Yes / no"),
}
ASSIGNEE_KINDS: Final = (
    ("starter", gettext_lazy("Whoever launches the run")),
    ("person", gettext_lazy("A specific person")),
    ("role", gettext_lazy("A role holder in a department")),
    ("param", gettext_lazy("The person given in a parameter")),
    ("manager_of", gettext_lazy("The manager of a person (parameter)")),
)
DUE_KINDS: Final = (
    ("offset", gettext_lazy("± days")),
    ("end_of_month", gettext_lazy("End of the month")),
    ("day_of_month", gettext_lazy("A day of the month")),
)
UNITS: Final = (("business", gettext_lazy("business days")),
                ("calendar", gettext_lazy("calendar days")))
ROLLS: Final = (
    ("none", gettext_lazy("Keep a holiday as it is")),
    ("previous", gettext_lazy("Move back to the previous business day")),
    ("next", gettext_lazy("Move on to the next business day")),
)
# "Task" alone is already 業務 (an inventory task) in the catalog: a step kind needs a context.
STEP_KINDS: Final = (("task", pgettext_lazy("step kind", "Task")),
                     ("approval", pgettext_lazy("step kind", "Approval")))
ASSIGNABLE_ROLES: Final = ("staff", "manager", "admin", "employee")


@dataclass
class EditorChoices:
    """What the selects of a step offer: the parameters and steps of the template being edited
    (read from the posted rows, so a parameter added on the page is offered after a refresh)."""

    date_params: list[str] = field(default_factory=list)
    person_params: list[str] = field(default_factory=list)
    all_params: list[str] = field(default_factory=list)
    steps: list[tuple[str, str]] = field(default_factory=list)  # (key, name)


def _with_current(choices: list[tuple[str, str]], value: Any) -> list[tuple[str, str]]:
    """``choices`` plus the current value, so a select never silently drops what was saved."""
    if value not in (None, "") and str(value) not in {c[0] for c in choices}:
        return [*choices, (str(value), str(value))]
    return choices


class TextBlockField(forms.CharField):
    """Multi-line text (Markdown) kept as written: browsers send CRLF, the spec stores LF, and a
    final newline is part of the text (stripping it would make an unchanged save a new version).
    Text that is only whitespace is empty."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strip=False, **kwargs)

    def to_python(self, value: Any) -> str:
        text = str(super().to_python(value)).replace("\r\n", "\n").replace("\r", "\n")
        return text if text.strip() else ""


# ---- the template's own fields --------------------------------------------------------------


class TemplateHeadForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    category = forms.CharField(
        label=gettext_lazy("category"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"list": "tpl-categories", "autocomplete": "off"}),
    )
    description = TextBlockField(
        label=gettext_lazy("description"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = TextBlockField(
        label=gettext_lazy("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Markdown. E.g. the legal basis of the deadlines, with sources."),
    )
    on_unresolved_assignee = forms.ChoiceField(
        label=gettext_lazy("When an assignee cannot be determined at launch"),
        choices=(("fail", gettext_lazy("Stop the launch with a message")),
                 ("owner", gettext_lazy("Give the step to the template owner, flagged"))),
        initial="fail",
    )
    # The queryset (the organization's people) is given per request; the picker lists only
    # the chosen owner and searches the others as one types.
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("owner"), queryset=None, required=False, widget=PersonPicker(),
    )
    change_note = forms.CharField(
        label=gettext_lazy("change note"), max_length=300, required=False,
        help_text=gettext_lazy("What changed in this version (shown in the version list)."),
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = owners  # type: ignore[attr-defined]
        owner.empty_label = "—"  # type: ignore[attr-defined]


# ---- parameters -----------------------------------------------------------------------------


class ParameterForm(forms.Form):
    """One parameter (入社者, 入社日 …); a row with no key and no label is left out."""

    key = forms.CharField(label=gettext_lazy("key"), max_length=100, required=False)
    label = forms.CharField(label=gettext_lazy("label"), max_length=200, required=False)
    type = forms.ChoiceField(
        label=gettext_lazy("type"), initial="text",
        choices=[(t, PARAM_TYPE_LABELS[t]) for t in PARAM_TYPES],
    )
    required = forms.BooleanField(label=gettext_lazy("required"), required=False, initial=True)
    choices = forms.CharField(
        label=gettext_lazy("choices"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("For a choice: one per line."),
    )
    default = forms.CharField(label=gettext_lazy("default"), max_length=200, required=False)
    min = forms.CharField(label=gettext_lazy("minimum"), max_length=30, required=False,
                          help_text=gettext_lazy("For a number or date: the smallest value "
                                                 "accepted at launch."))
    max = forms.CharField(label=gettext_lazy("maximum"), max_length=30, required=False,
                          help_text=gettext_lazy("For a number or date: the largest value "
                                                 "accepted at launch."))
    help = forms.CharField(label=gettext_lazy("help"), max_length=300, required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("key") or "").strip() and not (data.get("label") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("key", "label", "default", "help", "min", "max"):
            data[name] = (data.get(name) or "").strip()
        if not data["key"] and data["label"]:
            # The label is usually a fine key (入社日); keys may be Japanese.
            data["key"] = re.sub(r"\s+", "_", data["label"])
        return data


# ---- steps ----------------------------------------------------------------------------------


def parse_form_fields(text: str) -> tuple[FormFieldSpec, ...]:
    """Lines of ``key:label:type[:required][:choice1|choice2…]`` as form fields.

    Raises ``forms.ValidationError`` naming the line with an unknown type.
    """
    try:
        return field_lines.parse_form_fields(text, types=FIELD_TYPES)
    except field_lines.FormFieldsError as exc:
        raise forms.ValidationError(
            _("Line %(line)s: unknown field type “%(type)s” (use one of: %(types)s).")
            % {"line": exc.line, "type": exc.type, "types": ", ".join(exc.types)}) from exc


class StepForm(forms.Form):
    """One step, its rules flattened into plain fields; a row with no name is left out."""

    key = forms.CharField(label=gettext_lazy("key"), max_length=100, required=False,
                          help_text=gettext_lazy("Empty: numbered automatically."))
    name = forms.CharField(label=gettext_lazy("name"), max_length=300, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=STEP_KINDS, initial="task")
    instructions = TextBlockField(
        label=gettext_lazy("instructions"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    assignee_kind = forms.ChoiceField(
        label=gettext_lazy("assignee"), choices=ASSIGNEE_KINDS, initial="starter")
    assignee_person = forms.CharField(
        label=gettext_lazy("person (employee number)"), max_length=32, required=False,
        widget=forms.TextInput(attrs={"list": "tpl-people", "autocomplete": "off"}),
    )
    assignee_role = forms.ChoiceField(
        label=gettext_lazy("role"), initial="staff",
        choices=[(r, ROLE_LABELS[Role(r)]) for r in ASSIGNABLE_ROLES],
    )
    assignee_department = forms.CharField(
        label=gettext_lazy("department"), max_length=100, required=False,
        widget=forms.TextInput(attrs={"list": "tpl-departments", "autocomplete": "off"}),
    )
    assignee_param = forms.CharField(label=gettext_lazy("parameter"), max_length=100,
                                     required=False, widget=forms.Select)
    due_base = forms.CharField(label=gettext_lazy("due date counted from"), max_length=110,
                               required=False, widget=forms.Select)
    due_kind = forms.ChoiceField(label=gettext_lazy("due rule"), choices=DUE_KINDS,
                                 initial="offset")
    due_offset = forms.IntegerField(label=gettext_lazy("days (± )"), required=False,
                                    min_value=-3660, max_value=3660)
    due_unit = forms.ChoiceField(label=gettext_lazy("unit"), choices=UNITS, initial="business")
    due_months = forms.IntegerField(label=gettext_lazy("months later"), required=False,
                                    min_value=-120, max_value=120)
    due_day = forms.IntegerField(label=gettext_lazy("day of the month"), required=False,
                                 min_value=1, max_value=31)
    due_roll = forms.ChoiceField(label=gettext_lazy("on a holiday"), choices=ROLLS,
                                 initial="none")
    depends_on = forms.CharField(
        label=gettext_lazy("depends on (step keys)"), max_length=1000, required=False,
        help_text=gettext_lazy("Keys separated by commas."),
    )
    condition = forms.CharField(label=gettext_lazy("condition"), max_length=1000,
                                required=False)
    checklist = forms.CharField(label=gettext_lazy("checklist"), required=False,
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=gettext_lazy("One item per line."))
    form_fields = forms.CharField(
        label=gettext_lazy("form fields"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "One per line: key:label:type[:required]. Types: text, textarea, number, date, "
            "choice, boolean; a choice ends with :A|B|C."),
    )
    estimated_minutes = forms.IntegerField(label=gettext_lazy("estimated minutes"),
                                           required=False, min_value=0, max_value=100000)
    on_reject = forms.CharField(label=gettext_lazy("when rejected"), max_length=110,
                                required=False, widget=forms.Select)
    notes = TextBlockField(
        label=gettext_lazy("notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("E.g. the statutory basis of the deadline, with its source."),
    )

    def __init__(self, *args: Any, choices: EditorChoices | None = None, **kwargs: Any
                 ) -> None:
        super().__init__(*args, **kwargs)
        choices = choices or EditorChoices()
        current = self.data if self.is_bound else self.initial

        def value(name: str) -> Any:
            return current.get(self.add_prefix(name)) if self.is_bound else current.get(name)

        param_choices = [("", "—"), ("starter", _("(the starter)")),
                         *[(k, k) for k in choices.person_params]]
        self.fields["assignee_param"].widget.choices = _with_current(
            param_choices, value("assignee_param"))
        base_choices = [("", _("No due date for this step")), (START, _("The run's start date")),
                        *[(k, k) for k in choices.date_params],
                        *[(AFTER_PREFIX + k, _("Completion of “%(name)s”") % {"name": n or k})
                          for k, n in choices.steps]]
        self.fields["due_base"].widget.choices = _with_current(
            base_choices, value("due_base"))
        reject_choices = [("stop", _("Stop the run")),
                          *[(REOPEN_PREFIX + k, _("Send back to “%(name)s”") % {"name": n or k})
                            for k, n in choices.steps]]
        self.fields["on_reject"].widget.choices = _with_current(
            reject_choices, value("on_reject"))

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not (data.get("name") or "").strip() and not (data.get("key") or "").strip()

    def clean_form_fields(self) -> str:
        text: str = self.cleaned_data.get("form_fields") or ""
        parse_form_fields(text)  # raises with the line number
        return text


class OrderedFormSet(BaseFormSet):
    """Rows numbered by their ``ORDER`` field (labelled "No."), deletable, blank rows ignored."""

    def add_fields(self, form: BaseForm, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["ORDER"].label = _("No.")
        form.fields["ORDER"].widget.attrs.update({"min": 1, "inputmode": "numeric"})


def kept_rows(formset: BaseFormSet) -> list[BaseForm]:
    """The valid rows that are neither blank nor ticked for deletion, in the order of their
    numbers (rows without a number keep their place after the numbered ones)."""
    kept = [f for f in formset.forms
            if f.is_valid() and not f.cleaned_data.get("DELETE") and not f.is_blank()]
    order = {id(f): i for i, f in enumerate(kept)}

    def position(form: BaseForm) -> tuple[float, int]:
        number = form.cleaned_data.get("ORDER")
        return (number if number is not None else float("inf"), order[id(form)])

    return sorted(kept, key=position)


ParameterFormSet = formset_factory(
    ParameterForm, formset=OrderedFormSet, extra=1, can_delete=True, can_order=True)
StepFormSet = formset_factory(
    StepForm, formset=OrderedFormSet, extra=1, can_delete=True, can_order=True)
