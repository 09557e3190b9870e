"""Forms of the strategy pages: they only read the input; every rule is in
:mod:`somu.plans.services.strategy` and :mod:`somu.plans.services.reviews`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from somu.org.models import Person, PersonStatus
from somu.plans.kpis import DEFINITIONS
from somu.plans.models import Direction
from somu.plans.selectors import parameter_choices
from somu.survey.models import RoundStatus, SurveyRound

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisionForm(forms.Form):
    statement = forms.CharField(label=_("Vision (ありたい総務)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 6}),
                                help_text=_("Where the back office wants to be, in a few "
                                            "sentences everyone understands."))
    horizon = forms.DateField(label=_("By"), required=False, widget=DATE)


class KpiForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    definition = forms.ChoiceField(label=_("Definition"), required=False)
    scope = forms.ChoiceField(label=_("Scope (bus factor)"), required=False)
    function = forms.ChoiceField(label=_("Function (hours)"), required=False)
    monthly_volume = forms.IntegerField(
        label=_("Requests a month, on paper or in somu"), required=False,
        help_text=_("For the share of requests handled in somu."))
    direction = forms.ChoiceField(label=_("Better when (manual KPIs)"), required=False)
    unit = forms.CharField(label=_("Unit (manual KPIs)"), max_length=20, required=False)
    target = forms.DecimalField(label=_("Target"), required=False)
    target_on = forms.DateField(label=_("Target date"), required=False, widget=DATE)
    description = forms.CharField(label=_("Notes"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = parameter_choices()
        definition = self.fields["definition"]
        assert isinstance(definition, forms.ChoiceField)
        definition.choices = [("", "---------")] + [(d.key, d.label) for d in
                                                     DEFINITIONS.values()]
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        scope.choices = choices.scopes()
        function = self.fields["function"]
        assert isinstance(function, forms.ChoiceField)
        function.choices = [("", _("All functions"))] + [(f, f) for f in choices.functions]
        direction = self.fields["direction"]
        assert isinstance(direction, forms.ChoiceField)
        direction.choices = [("", "---------"), *Direction.choices]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["parameters"] = {k: data.pop(k) for k in ("scope", "function", "monthly_volume")}
        return data


class ReadingForm(forms.Form):
    on = forms.DateField(label=_("Date"), required=False, widget=DATE)
    value = forms.DecimalField(label=_("Value"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ReviewForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    held_on = forms.DateField(label=_("Held on"), required=False, widget=DATE)
    round = forms.ModelChoiceField(label=_("Round measured"), required=False,
                                   queryset=SurveyRound.objects.none(),
                                   help_text=_("Every item is measured in this round, "
                                               "against its baseline. Left empty: the latest "
                                               "round closed by the day the review is held."))
    decisions = forms.CharField(label=_("Decisions"), required=False,
                                widget=forms.Textarea(attrs={"rows": 6}))
    next_on = forms.DateField(label=_("Next review"), required=False, widget=DATE)
    repeat = forms.ChoiceField(label=_("Repeat"), required=False, choices=[
        ("", _("Do not schedule")),
        ("monthly", _("Every month, as a recurring procedure (定期振り返り)"))])
    owner = forms.ModelChoiceField(label=_("Prepared by"), required=False,
                                   queryset=Person.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        survey_round = self.fields["round"]
        assert isinstance(survey_round, forms.ModelChoiceField)
        survey_round.queryset = SurveyRound.objects.filter(status=RoundStatus.CLOSED)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = Person.objects.filter(status=PersonStatus.ACTIVE).order_by(
            "employee_number")
