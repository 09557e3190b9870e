"""Forms of the org pages. They validate input only; services do the writing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.translation import gettext_lazy as _

from somu.org import services
from somu.org.models import (
    CompanyHoliday,
    Department,
    Grade,
    Person,
    PersonSkill,
    Position,
    Skill,
)
from somu.org.pickers import PersonField
from somu.org.selectors import department_tree, flatten_tree


class _ByPath(ModelChoiceIterator):
    """The departments in chart order: each under its parent (管理本部, 管理本部/人事部, …)."""

    field: DepartmentChoiceField

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The queryset may be narrowed (a department's parent: not inside its own subtree).
        order = {d.pk: position for position, d in enumerate(self.field.chart())}
        for department in sorted(self.queryset, key=lambda d: order.get(d.pk, len(order))):
            yield self.choice(department)


class DepartmentChoiceField(forms.ModelChoiceField):
    """Departments shown by their path (管理本部/総務部), so same-named ones are told apart,
    and listed as the organization chart lists them."""

    iterator = _ByPath

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(Department.objects.all(), *args, **kwargs)
        self._chart: list[Department] | None = None
        self._paths: dict[int, str] = {}

    def chart(self) -> list[Department]:
        """Every department in chart order, and their paths, from one query."""
        if self._chart is None:
            self._chart = []
            for node in flatten_tree(department_tree(with_counts=False)):
                department = node.department
                parent = self._paths.get(department.parent_id or 0)
                self._paths[department.pk] = (
                    f"{parent}/{department.name}" if parent else department.name)
                self._chart.append(department)
        return self._chart

    def label_from_instance(self, obj: Department) -> str:
        self.chart()
        return self._paths.get(obj.pk, obj.name)


class PersonForm(forms.ModelForm):
    department = DepartmentChoiceField(label=_("department"), required=False)
    # The searching picker: an organization of thousands cannot list everyone in a <select>.
    manager = PersonField(label=_("manager"), required=False)

    class Meta:
        model = Person
        fields = [
            "employee_number", "name", "name_kana", "email", "department", "position",
            "grade", "employment_type", "hire_date", "manager", "standard_monthly_hours",
        ]
        widgets = {"hire_date": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standard_monthly_hours"].help_text = _(
            "Leave empty to use the organization's standard."
        )

    def clean(self) -> dict[str, Any]:
        """The person service's checks (a taken 社員番号, a manager cycle, ふりがな …) on the
        fields that are valid so far, so they show together with the fields' own errors instead
        of only once those are fixed. The service checks again when it saves."""
        data = super().clean() or {}
        person = self.instance if self.instance.pk else None
        for name, error in services.person_errors(person=person, data=data).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, error)
        return data

    def _post_clean(self) -> None:
        # Model validation (uniqueness, cycles) runs in the service, inside its transaction.
        pass


class RetireForm(forms.Form):
    retired_on = forms.DateField(
        label=_("retirement date"), widget=forms.DateInput(attrs={"type": "date"}),
        initial=dt.date.today,
    )


class PersonSkillForm(forms.Form):
    skill = forms.ModelChoiceField(queryset=Skill.objects.all(), label=_("skill"))
    level = forms.TypedChoiceField(
        label=_("level"), coerce=int,
        choices=[("0", _("Remove")), *[(str(v), label) for v, label in PersonSkill.Level.choices]],
    )


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    code = forms.CharField(label=_("code"), max_length=32, required=False)
    parent = DepartmentChoiceField(label=_("parent department"), required=False)
    # 部署長: any active person (a 本部長 often sits in one of the 部 below).
    head = PersonField(label=_("head"), required=False,
                       help_text=_("The person who approves as the department's head (部長, "
                                   "課長 …). Empty: the post is vacant."))


class PositionForm(forms.ModelForm):
    class Meta:
        model = Position
        fields = ["name", "rank"]
        help_texts = {"rank": _("1 is the most senior (社長); a larger number is further down. "
                                "Several positions may share a rank.")}

    def _post_clean(self) -> None:
        # The service checks the name and rank (and audits the change).
        pass


class GradeForm(forms.ModelForm):
    class Meta:
        model = Grade
        fields = ["code", "name", "hourly_cost", "difficulty_min", "difficulty_max", "sort_order"]

    def _post_clean(self) -> None:
        pass

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("difficulty_min"), data.get("difficulty_max")
        if low is not None and high is not None and low > high:
            self.add_error("difficulty_max", _("The band must run from low to high."))
        return data


class SkillForm(forms.ModelForm):
    class Meta:
        model = Skill
        fields = ["name", "category", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self) -> None:
        pass


class CompanyHolidayForm(forms.ModelForm):
    class Meta:
        model = CompanyHoliday
        fields = ["name", "month", "day", "year"]

    def _post_clean(self) -> None:
        pass


class OrganizationSettingsForm(forms.Form):
    """The organization settings page; the service checks the values (and audits the change)."""

    name = forms.CharField(label=_("name"), max_length=200)
    weekend_days = forms.TypedMultipleChoiceField(
        label=_("weekend days"), coerce=int, required=False,
        choices=[(str(day), WEEKDAYS[day]) for day in range(7)],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Days of the week that are not business days. National and company holidays "
                    "are added by the business calendar."),
    )
    standard_monthly_hours = forms.DecimalField(
        label=_("standard monthly hours"), max_digits=6, decimal_places=2,
        help_text=_("A person's capacity unless their own record says otherwise."),
    )
    digest_hour = forms.TypedChoiceField(
        label=_("digest hour"), coerce=int, empty_value=None, required=False,
        help_text=_("From this hour on, the day's overdue and due-soon notifications are sent."),
    )
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("first month of the fiscal year"), coerce=int,
        choices=[(str(month), MONTHS[month]) for month in range(1, 13)],
        help_text=_("期首月: the fiscal year (年度) starts on the 1st of this month; request "
                    "numbers restart then."),
    )
    base_url = forms.CharField(
        label=_("base URL for links"), max_length=200, required=False,
        help_text=_("The address people reach somu at, used for links in emails and chat "
                    "messages (for example https://somu.example.co.jp). Empty: the server's "
                    "setting (SOMU_BASE_URL)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default_hour = int(settings.SOMU_DIGEST_HOUR)
        digest_hour = self.fields["digest_hour"]
        assert isinstance(digest_hour, forms.TypedChoiceField)
        digest_hour.choices = [
            ("", _("Deployment default (%(hour)d:00)") % {"hour": default_hour}),
            *[(str(hour), f"{hour}:00") for hour in range(24)],
        ]
        self.fields["base_url"].widget.attrs["placeholder"] = settings.SOMU_BASE_URL
