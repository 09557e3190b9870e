"""The account page's notification settings (per kind, in-app on/off and the email mode), and
the chat webhook form of the notification settings page."""

from __future__ import annotations

import urllib.parse
from collections.abc import Sequence
from typing import Any, Final

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from somu.notify.models import EmailMode, Webhook, WebhookKind
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


LOCAL_HOSTS: Final = frozenset({"localhost", "127.0.0.1", "::1"})


class WebhookForm(forms.Form):
    """A chat destination. The Chatwork token is write-only: the page never shows it back."""

    kind = forms.ChoiceField(label=_("service"), choices=WebhookKind.choices)
    name = forms.CharField(label=_("name"), max_length=100,
                           help_text=_("For example 「総務チャンネル」."))
    url = forms.URLField(
        label=_("URL"), max_length=500, assume_scheme="https",
        help_text=_(
            "Slack and Teams: the incoming webhook URL. Chatwork: "
            "https://api.chatwork.com/v2/rooms/<room id>/messages"),
    )
    token = forms.CharField(
        label=_("API token (Chatwork)"), max_length=200, required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args: Any, webhook: Webhook | None = None, **kwargs: Any) -> None:
        if webhook is not None:
            kwargs.setdefault("initial", {
                "kind": webhook.kind, "name": webhook.name, "url": webhook.url,
                "active": webhook.active})
        super().__init__(*args, **kwargs)
        self.webhook = webhook
        self.has_token = bool(webhook is not None and webhook.token)
        if self.has_token:
            self.fields["token"].help_text = gettext(
                "A token is saved. Leave this empty to keep it; type a new one to replace it.")

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        parts = urllib.parse.urlsplit(url)
        # Notifications carry names and step titles: only over TLS, except to this machine (a
        # test receiver) or in development.
        if parts.scheme != "https" and not settings.DEBUG and parts.hostname not in LOCAL_HOSTS:
            raise forms.ValidationError(gettext("Use an https:// URL."))
        return url

    def data_for_service(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        token = data.pop("token", "") or ""
        if data["kind"] != WebhookKind.CHATWORK:
            data["token"] = ""  # the other services authenticate by the URL alone
        elif token:
            data["token"] = token
        elif self.webhook is None:
            data["token"] = ""  # the service says Chatwork needs one
        return data


def masked_url(url: str) -> str:
    """``https://hooks.slack.com/…``: the path of a webhook URL is its secret."""
    parts = urllib.parse.urlsplit(url)
    if not parts.netloc:
        return "…"
    return f"{parts.scheme}://{parts.netloc}/…"

