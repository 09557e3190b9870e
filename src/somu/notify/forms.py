"""The account page's notification settings: per kind, in-app on/off and the email mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from somu.notify.models import EmailMode
from somu.notify.selectors import KindPreference


class PreferencesForm(forms.Form):
    """Two fields per kind: ``<kind>.in_app`` (a checkbox) and ``<kind>.email``."""

    def __init__(self, *args: Any, preferences: Sequence[KindPreference], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.preferences = list(preferences)
        for pref in self.preferences:
            self.fields[f"{pref.kind}.in_app"] = forms.BooleanField(
                label=_("Show in somu"), required=False, initial=pref.in_app)
            self.fields[f"{pref.kind}.email"] = forms.ChoiceField(
                label=_("Email"), choices=EmailMode.choices, initial=pref.email)

    def rows(self) -> list[tuple[KindPreference, forms.BoundField, forms.BoundField]]:
        return [(p, self[f"{p.kind}.in_app"], self[f"{p.kind}.email"]) for p in self.preferences]

    def choices(self) -> dict[str, dict[str, Any]]:
        """The kinds whose setting changed, as :func:`somu.notify.services.preferences_save`
        takes them: a kind left at its default stays "not chosen" and follows the default."""
        changed = set(self.changed_data)
        return {p.kind: {"in_app": self.cleaned_data[f"{p.kind}.in_app"],
                         "email": self.cleaned_data[f"{p.kind}.email"]}
                for p in self.preferences
                if {f"{p.kind}.in_app", f"{p.kind}.email"} & changed}
