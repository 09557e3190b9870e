"""Person pickers: the form fields every page uses to choose a person (担当者, 引継ぎ先, …).

An organization of 10,000 people cannot send every name in a ``<select>``: the field renders
only the people already chosen, and ``person-picker.js`` turns the box into a searchable one
(Tom Select, vendored under ``static/somu/vendor``) that asks :func:`somu.org.views.person_search`
as the user types a name, kana or 社員番号. Validation looks the chosen id up in the database
(one query), restricted to the active organization by the tenant manager, and to active people
unless retired ones may be chosen.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.org.models import Person, PersonStatus


def person_label(person: Person) -> str:
    """How a person appears in a picker: ``A001 山田 太郎`` (and 退職 when retired)."""
    label = f"{person.employee_number} {person.name}"
    if person.status == PersonStatus.RETIRED:
        label += f"（{_('retired')}）"
    return label


class PersonPicker(forms.Select):
    """A ``<select>`` with only the chosen people as options, searchable with JavaScript."""

    def __init__(self, attrs: dict[str, Any] | None = None, *, multiple: bool = False,
                 include_retired: bool = False) -> None:
        super().__init__(attrs)
        self.allow_multiple_selected = multiple
        self.include_retired = include_retired

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        url = reverse("org:person_search")
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-person-picker"] = url + ("?status=all" if self.include_retired
                                                    else "")
        widget_attrs["data-placeholder"] = _("Type a name, kana or employee number")
        widget_attrs["data-no-results"] = _("Nobody matches.")
        return context

    def use_required_attribute(self, initial: Any) -> bool:
        # Select's version reads the first choice, which for a model field may query people.
        return not self.is_hidden

    def optgroups(self, name: str, value: list[str], attrs: dict[str, Any] | None = None
                  ) -> list[Any]:
        """Only the empty choice and the chosen people: one query, whatever the head count."""
        ids = [int(v) for v in value if str(v).isdigit()]
        people = list(Person.objects.filter(pk__in=ids).only(
            "id", "employee_number", "name", "status").order_by("employee_number")) if ids else []
        options = []
        if not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "—", not people, 0, attrs=attrs))
        for index, person in enumerate(people, start=1):
            options.append(self.create_option(name, str(person.pk), person_label(person), True,
                                              index, attrs=attrs))
        return [(None, options, 0)]


def _people(include_retired: bool) -> QuerySet[Person]:
    qs = Person.objects.all()
    return qs if include_retired else qs.filter(status=PersonStatus.ACTIVE)


class PersonField(forms.ModelChoiceField):
    """One person of the active organization (active ones unless ``include_retired``)."""

    def __init__(self, *, include_retired: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PersonPicker(include_retired=include_retired))
        kwargs.setdefault("error_messages", {"invalid_choice": gettext_lazy(
            "Choose a person from the list.")})
        super().__init__(queryset=_people(include_retired), empty_label="—", **kwargs)

    def label_from_instance(self, obj: Person) -> str:
        return person_label(obj)


class PeopleField(forms.ModelMultipleChoiceField):
    """Several active people of the active organization."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PersonPicker(multiple=True))
        super().__init__(queryset=_people(False).order_by("employee_number"), **kwargs)

    def label_from_instance(self, obj: Person) -> str:
        return person_label(obj)
