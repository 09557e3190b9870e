"""Forms of the procedures' admin pages: handover (引継ぎ) and schedules.

They check the shape of the input; what it means (is the successor active, does the rule make
sense for this template) is the services' job, and their errors are shown next to the same fields
(``somu.core.web.apply_errors``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.org.models import Person, PersonStatus
from somu.org.pickers import PersonField, PersonPicker
from somu.procedures.engine.spec import ParameterSpec, TemplateSpec
from somu.procedures.forms_runs import PARAM_PREFIX, _parameter_field
from somu.procedures.models import Template

DATE_WIDGET: Final = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# ---- handover ---------------------------------------------------------------------------------


class HandoverForm(forms.Form):
    """Who hands over to whom, from when. Retired people may hand over (退職), not receive."""

    from_person = PersonField(label=gettext_lazy("predecessor"), include_retired=True)
    # Retired people are accepted here so that the service says why they cannot receive;
    # the picker offers active ones only.
    to_person = PersonField(label=gettext_lazy("successor"), include_retired=True,
                            widget=PersonPicker())
    effective_date = forms.DateField(
        label=gettext_lazy("effective date"), widget=DATE_WIDGET,
        help_text=gettext_lazy("If this day is later than today, open steps due before it stay "
                               "with the predecessor, who completes them before the move, and "
                               "the others move now. From this day on, every open step moves, "
                               "overdue ones included."),
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=gettext_lazy("For example 「4/1付 人事部へ異動」."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        a, b = data.get("from_person"), data.get("to_person")
        if a is not None and b is not None and a.pk == b.pk:
            self.add_error("to_person", _("Choose someone other than the predecessor."))
        return data


# ---- schedules --------------------------------------------------------------------------------


RULE_KINDS: Final = (
    ("monthly_business_day", gettext_lazy("Every month, on the Nth business day")),
    ("monthly_day", gettext_lazy("Every month, on a day of the month")),
    ("yearly", gettext_lazy("Every year, on a date")),
    ("weekly", gettext_lazy("Every week, on a weekday")),
)
WEEKDAYS: Final = (
    (0, gettext_lazy("Monday")), (1, gettext_lazy("Tuesday")), (2, gettext_lazy("Wednesday")),
    (3, gettext_lazy("Thursday")), (4, gettext_lazy("Friday")), (5, gettext_lazy("Saturday")),
    (6, gettext_lazy("Sunday")),
)
ROLLS: Final = (
    ("none", gettext_lazy("Launch on that day even if it is not a business day")),
    ("previous", gettext_lazy("Not a business day: the business day before")),
    ("next", gettext_lazy("Not a business day: the next business day")),
)
# The rule fields each kind uses; the page shows only these (CSS), the rule keeps only these.
RULE_FIELDS: Final[dict[str, tuple[str, ...]]] = {
    "monthly_business_day": ("n",),
    "monthly_day": ("day", "roll"),
    "yearly": ("month", "day", "roll"),
    "weekly": ("weekday", "interval_weeks", "anchor", "roll"),
}


class RuleForm(forms.Form):
    """When a schedule launches: the recurrence rule's fields, checked for the chosen kind."""

    kind = forms.ChoiceField(label=gettext_lazy("repeats"), choices=RULE_KINDS)
    n = forms.IntegerField(
        label=gettext_lazy("business day"), required=False, min_value=-23, max_value=23,
        help_text=gettext_lazy("1 = the first business day of the month, 3 = the third; "
                               "−1 = the last, −2 = the one before it."))
    month = forms.TypedChoiceField(
        label=gettext_lazy("month"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *[(str(m), str(m)) for m in range(1, 13)]])
    day = forms.IntegerField(label=gettext_lazy("day of the month"), required=False,
                             min_value=1, max_value=31,
                             help_text=gettext_lazy("29–31: the month's last day in shorter "
                                                    "months."))
    weekday = forms.TypedChoiceField(label=gettext_lazy("weekday"), required=False, coerce=int,
                                     empty_value=None, choices=[("", "—"), *WEEKDAYS])
    interval_weeks = forms.IntegerField(label=gettext_lazy("every … weeks"), required=False,
                                        min_value=1, max_value=52, initial=1)
    anchor = forms.DateField(
        label=gettext_lazy("first week"), required=False, widget=DATE_WIDGET,
        help_text=gettext_lazy("Every 2 weeks or more: a day in a week that has a launch."))
    roll = forms.ChoiceField(label=gettext_lazy("on a holiday"), choices=ROLLS, required=False,
                             initial="none")

    REQUIRED_MESSAGES: Final = {
        "n": gettext_lazy("Enter which business day: 1 for the first, −1 for the last."),
        "day": gettext_lazy("Enter the day of the month (1–31)."),
        "month": gettext_lazy("Choose the month."),
        "weekday": gettext_lazy("Choose the weekday."),
    }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind not in RULE_FIELDS:
            return data
        for name in RULE_FIELDS[kind]:
            if name in self.REQUIRED_MESSAGES and data.get(name) is None \
                    and name not in self.errors:
                self.add_error(name, str(self.REQUIRED_MESSAGES[name]))
        if kind == "monthly_business_day" and data.get("n") == 0:
            self.add_error("n", _("0 is not a business day of the month: use 1 for the first, "
                                  "−1 for the last."))
        month, day = data.get("month"), data.get("day")
        # 2024 is a leap year: 2/29 is a date (it falls on 2/28 in other years).
        if kind == "yearly" and month and day and "day" not in self.errors \
                and day > calendar.monthrange(2024, month)[1]:
            self.add_error("day", _("%(month)s/%(day)s is not a date.") % {
                "month": month, "day": day})
        if kind == "weekly" and (data.get("interval_weeks") or 1) == 1:
            data["anchor"] = None
        return data

    def rule(self) -> dict[str, Any]:
        """The rule as the schedule stores it (only the fields its kind uses)."""
        data = self.cleaned_data
        kind = data["kind"]
        rule: dict[str, Any] = {"kind": kind}
        for name in RULE_FIELDS[kind]:
            value = data.get(name)
            if name == "roll" and value in ("", None, "none"):
                continue
            if name == "interval_weeks" and value in (None, 1):
                continue
            if value is None or value == "":
                continue
            rule[name] = value.isoformat() if isinstance(value, dt.date) else value
        return rule

    @staticmethod
    def initial_from_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
        initial = {k: v for k, v in rule.items() if k in RuleForm.base_fields}
        initial.setdefault("roll", "none")
        initial.setdefault("interval_weeks", 1)
        return initial


class ScheduleForm(RuleForm):
    """A schedule: which template, when, with which fixed parameter values, owned by whom.

    Date parameters are not asked for: each run gets its occurrence date (the launch day).
    """

    template = forms.TypedChoiceField(label=gettext_lazy("template"), coerce=int,
                                      empty_value=None)
    name = forms.CharField(label=gettext_lazy("name"), max_length=200,
                           help_text=gettext_lazy("For example 「月次決算」. Each run is named "
                                                  "after it and its launch date."))
    owner = PersonField(
        label=gettext_lazy("owner"), required=False,
        help_text=gettext_lazy("Steps assigned to “whoever starts the run” go to the owner."))
    active = forms.BooleanField(label=gettext_lazy("active"), required=False, initial=True)

    field_order = ["template", "name", "kind", "n", "month", "day", "weekday",
                   "interval_weeks", "anchor", "roll", "owner", "active"]

    def __init__(self, *args: Any, templates: list[Template], template: Template | None,
                 departments: Mapping[int, str], owner: Person | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in templates}
        self.fields["template"].choices = [  # type: ignore[attr-defined]
            ("", "—"), *[(str(t.pk), t.name) for t in templates]]
        if owner is not None and not owner.is_active:
            # A retired owner stays valid until someone changes it; nobody else retired is.
            field = self.fields["owner"]
            field.queryset = Person.objects.filter(  # type: ignore[attr-defined]
                Q(status=PersonStatus.ACTIVE) | Q(pk=owner.pk))
        self.spec: TemplateSpec | None = None
        self.date_params: list[ParameterSpec] = []
        self.param_keys: dict[str, ParameterSpec] = {}
        if template is not None and template.current_version is not None:
            from somu.procedures.selectors.templates import version_spec

            self.spec = version_spec(template.current_version)
            for index, param in enumerate(self.spec.parameters):
                if param.type == "date":
                    self.date_params.append(param)
                    continue
                name = f"{PARAM_PREFIX}{index}"
                self.fields[name] = _parameter_field(param, departments)
                self.param_keys[name] = param

    def param_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.param_keys]

    def rule_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "n", "month", "day", "weekday",
                                        "interval_weeks", "anchor", "roll")]

    def clean_template(self) -> Template | None:
        value = self.cleaned_data.get("template")
        if value is None:
            return None
        if value not in self.templates:
            raise forms.ValidationError(_("Choose a template."))
        return self.templates[value]

    def params(self) -> dict[str, Any]:
        """The fixed parameter values, by key: people and departments by id, empty left out."""
        out: dict[str, Any] = {}
        for name, param in self.param_keys.items():
            value = self.cleaned_data.get(name)
            if param.type == "boolean":
                out[param.key] = bool(value)
            elif value in (None, ""):
                continue
            elif param.type == "number":
                out[param.key] = str(value)
            else:
                out[param.key] = value
        return out

    def data_for_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"template": data["template"], "name": data["name"], "rule": self.rule(),
                "params": self.params(), "owner": data.get("owner"),
                "active": bool(data.get("active"))}

    @staticmethod
    def initial_params(spec: TemplateSpec, stored: Mapping[str, Any]) -> dict[str, Any]:
        """A schedule's stored values as initial values of the parameter fields."""
        return {f"{PARAM_PREFIX}{i}": stored[p.key] for i, p in enumerate(spec.parameters)
                if p.type != "date" and p.key in stored}
