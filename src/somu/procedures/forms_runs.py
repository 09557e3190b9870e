"""Forms of the pages where procedures are run: launching a run, working on a step.

They check the shape of the input only (a date is a date, a comment is there); what a value
means — does this person exist, is every required form field filled — is the services' job, and
their errors are shown next to the same fields (see ``somu.core.web.apply_errors``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.org.models import Person
from somu.org.pickers import PersonField
from somu.procedures.engine.spec import ParameterSpec, StepSpec, TemplateSpec

# The run name and start date come before the template's own parameters; parameter keys may be
# Japanese (入社者), so their form fields are numbered and mapped back by ``param_field``.
PARAM_PREFIX = "param_"
MAX_MINUTES = 100_000


def param_field(index: int) -> str:
    return f"{PARAM_PREFIX}{index}"


class RunLaunchForm(forms.Form):
    """The launch page: a name, a start date and one input per template parameter."""

    name = forms.CharField(label=gettext_lazy("run name"), max_length=300, required=False)
    start_date = forms.DateField(
        label=gettext_lazy("start date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Due dates counted from the start are counted from this day."),
    )

    def __init__(self, *args: Any, spec: TemplateSpec, departments: Mapping[int, str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        for index, param in enumerate(spec.parameters):
            self.fields[param_field(index)] = _parameter_field(param, departments)

    def param_fields(self) -> list[forms.BoundField]:
        return [self[param_field(i)] for i in range(len(self.spec.parameters))]

    def field_for_key(self, key: str) -> str | None:
        """The form field of parameter ``key`` (for a service error naming the parameter)."""
        for index, param in enumerate(self.spec.parameters):
            if param.key == key:
                return param_field(index)
        return None

    def params(self) -> dict[str, Any]:
        """The parameter values given, by key; empty ones are left out (the default applies).

        People and departments go by id (an int: never mistaken for a 社員番号), dates as
        dates, the rest as typed. Works on a partly valid form too (the due-date preview).
        """
        data = getattr(self, "cleaned_data", {})
        out: dict[str, Any] = {}
        for index, param in enumerate(self.spec.parameters):
            value = data.get(param_field(index))
            if param.type == "boolean":
                if param_field(index) in data:
                    out[param.key] = bool(value)
                continue
            if value in (None, ""):
                continue
            if param.type in ("person", "department"):
                out[param.key] = value.pk if isinstance(value, Person) else int(value)
            elif param.type == "number":
                out[param.key] = str(value)
            else:
                out[param.key] = value
        return out


def _parameter_field(param: ParameterSpec, departments: Mapping[int, str]) -> forms.Field:
    common: dict[str, Any] = {
        "label": param.label or param.key,
        "required": param.required and param.type != "boolean",
        "help_text": param.help,
    }
    default = param.default
    if param.type == "person":
        return PersonField(**common)
    if param.type == "department":
        choices = [("", "—"), *[(str(pk), path) for pk, path in
                                sorted(departments.items(), key=lambda item: item[1])]]
        return forms.TypedChoiceField(choices=choices, coerce=int, empty_value=None, **common)
    if param.type == "date":
        low, high = param.date_bounds()  # the service refuses beyond them; the input says so
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date", "min": low.isoformat(),
                                          "max": high.isoformat()}, format="%Y-%m-%d"),
            initial=default if isinstance(default, dt.date | str) else None, **common)
    if param.type == "choice":
        choices = [("", "—"), *[(c, c) for c in param.choices]]
        return forms.ChoiceField(choices=choices, initial=default, **common)
    if param.type == "number":
        lowest, highest = param.number_bounds()
        return forms.DecimalField(initial=default, widget=forms.NumberInput(attrs={
            "min": format(lowest, "f"), "max": format(highest, "f"), "step": "any"}), **common)
    if param.type == "boolean":
        return forms.BooleanField(initial=bool(default), **common)
    return forms.CharField(max_length=500, initial=default, **common)


class RunFilterForm(forms.Form):
    """The run list's filters (GET)."""

    template = forms.TypedChoiceField(label=gettext_lazy("template"), required=False,
                                      coerce=int, empty_value=None)
    status = forms.ChoiceField(label=gettext_lazy("status"), required=False)
    assignee = PersonField(label=gettext_lazy("assignee"), required=False,
                           include_retired=True)

    def __init__(self, *args: Any, templates: Iterable[tuple[int, str]],
                 statuses: Iterable[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [  # type: ignore[attr-defined]
            ("", _("All templates")), *[(str(pk), name) for pk, name in templates]]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("Every status")), *statuses]


class RunCancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=1000, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class StepDecideForm(forms.Form):
    """An approval step's decision: approve, or send back / reject with a comment."""

    decision = forms.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    comment = forms.CharField(label=gettext_lazy("comment"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    revision = forms.IntegerField(required=False, min_value=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the step is sent back or rejected."))
        return data


class StepReassignForm(forms.Form):
    assignee = PersonField(label=gettext_lazy("new assignee"))
    comment = forms.CharField(label=gettext_lazy("comment"), max_length=2000, required=False)


class StepReopenForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": gettext_lazy(
                                 "Say why the step is reopened.")})


class StepCommentForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("comment"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": gettext_lazy("Write a comment first.")})


# ---- the work on a step: checklist, form fields, minutes ---------------------------------------


@dataclass
class WorkField:
    """One form field of a step as the page shows it: its definition, value and errors."""

    name: str  # the input's name: "f_<index>"
    key: str
    label: str
    type: str
    required: bool
    choices: tuple[str, ...]
    help: str
    value: Any
    errors: list[str] = field(default_factory=list)


@dataclass
class WorkItem:
    index: int
    text: str
    checked: bool


@dataclass
class WorkInput:
    """The step page's work form: what was posted (or is stored), and errors per input."""

    checklist: list[WorkItem]
    fields: list[WorkField]
    actual_minutes: str
    errors: dict[str, list[str]] = field(default_factory=dict)  # "checklist", "actual_minutes"
    top_errors: list[str] = field(default_factory=list)

    @property
    def checklist_done(self) -> list[int]:
        return [item.index for item in self.checklist if item.checked]

    @property
    def form_values(self) -> dict[str, Any]:
        return {f.key: f.value for f in self.fields}

    def minutes(self) -> int | None:
        return int(self.actual_minutes) if self.actual_minutes else None

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.top_errors or any(f.errors for f in self.fields))

    def apply(self, exc: ValidationError) -> None:
        """A service's validation error, shown next to the inputs it names."""
        by_key = {f.key: f for f in self.fields}
        if not hasattr(exc, "error_dict"):
            self.top_errors.extend(exc.messages)
            return
        for name, messages in exc.message_dict.items():
            key = name.removeprefix("form.").removeprefix("form_values.")
            if key in by_key:
                by_key[key].errors.extend(messages)
            elif name.startswith("checklist"):
                self.errors.setdefault("checklist", []).extend(messages)
            elif name in ("actual_minutes", "minutes"):
                self.errors.setdefault("actual_minutes", []).extend(messages)
            else:
                self.top_errors.extend(messages)


def work_stored(step_spec: StepSpec | None, *, checklist_done: Iterable[int],
                form_values: Mapping[str, Any], actual_minutes: int | None) -> WorkInput:
    """The work form filled with what the step holds."""
    done = set(checklist_done)
    spec_checklist = step_spec.checklist if step_spec else ()
    spec_form = step_spec.form if step_spec else ()
    return WorkInput(
        checklist=[WorkItem(i, text, i in done) for i, text in enumerate(spec_checklist)],
        fields=[
            WorkField(f"f_{i}", f.key, f.label or f.key, f.type, f.required, f.choices, f.help,
                      form_values.get(f.key, False if f.type == "boolean" else ""))
            for i, f in enumerate(spec_form)
        ],
        actual_minutes="" if actual_minutes is None else str(actual_minutes),
    )


def work_posted(step_spec: StepSpec | None, post: Mapping[str, Any]) -> WorkInput:
    """The work form as posted: the checklist ticks, form values (raw: the service checks
    them) and minutes spent (a whole number of minutes, checked here)."""
    getlist = getattr(post, "getlist", None)
    ticked = getlist("checklist") if getlist else post.get("checklist", [])
    done = {int(v) for v in ticked if str(v).isdigit()}
    spec_checklist = step_spec.checklist if step_spec else ()
    spec_form = step_spec.form if step_spec else ()
    work = WorkInput(
        checklist=[WorkItem(i, text, i in done) for i, text in enumerate(spec_checklist)],
        fields=[],
        actual_minutes=str(post.get("actual_minutes", "")).strip(),
    )
    for i, f in enumerate(spec_form):
        name = f"f_{i}"
        value: Any
        if f.type == "boolean":
            value = post.get(name) in ("on", "true", "1")
        else:
            value = str(post.get(name, "")).strip()
        work.fields.append(WorkField(name, f.key, f.label or f.key, f.type, f.required,
                                     f.choices, f.help, value))
    minutes = work.actual_minutes
    if minutes and (not minutes.isdigit() or int(minutes) > MAX_MINUTES):
        work.errors["actual_minutes"] = [
            _("Enter the minutes spent as a whole number from 0 to %(max)s.") % {
                "max": MAX_MINUTES}]
    return work
