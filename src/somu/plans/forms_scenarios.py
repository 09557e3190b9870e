"""Forms of the scenario pages. They offer the round's real people and tasks (with their hours
and load) and turn the answer into an operation; every rule is in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, F, When
from django.urls import reverse
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from somu.org.models import Grade
from somu.plans.models import Scenario
from somu.survey.analysis import SurveyData
from somu.survey.models import RoundStatus, SurveyRound

OP_KINDS = ("move", "train", "drop", "outsource", "hire", "retire")
LEVELS = [(1, _("1 — learning")), (2, _("2 — with a manual")), (3, _("3 — alone")),
          (4, _("4 — can teach"))]


def round_choices() -> Any:
    """The rounds, closed ones first and the latest of them first: a scenario or a proposal
    starts from finished answers, not from a round still collecting them."""
    return SurveyRound.objects.order_by(
        Case(When(status=RoundStatus.CLOSED, then=0), default=1),
        F("due_on").desc(nulls_last=True), "-created_at", "-pk")


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    round = forms.ModelChoiceField(label=_("Baseline round"), queryset=SurveyRound.objects.none(),
                                   empty_label=None)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, scenario: Scenario | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if scenario is not None:
            del self.fields["round"]
        else:
            self.fields["round"].queryset = round_choices()  # type: ignore[attr-defined]


def _fmt(value: float) -> str:
    return f"{value:,.1f}"


class Choices:
    """The round's people, hires and tasks as choices, each showing its current figures."""

    def __init__(self, data: SurveyData, operations: list[dict[str, Any]]) -> None:
        load: dict[int, float] = {}
        task_hours: dict[int, float] = {}
        self.assignments: list[tuple[str, str]] = []
        names = dict(zip(data.people["person_id"].to_list(), data.people["name"].to_list(),
                         strict=True))
        capacity = dict(zip(data.people["person_id"].to_list(),
                            data.people["capacity"].to_list(), strict=True))
        task_names = dict(zip(data.tasks["task_id"].to_list(), data.tasks["name"].to_list(),
                              strict=True))
        for person_id, task_id, hours in data.hours.sort(
                ["person_id", "hours"], descending=[False, True]).iter_rows():
            if not hours or hours <= 0:
                continue
            load[person_id] = load.get(person_id, 0.0) + hours
            task_hours[task_id] = task_hours.get(task_id, 0.0) + hours
            if person_id in names and task_id in task_names:
                self.assignments.append((
                    f"{person_id}:{task_id}",
                    f"{names[person_id]} — {task_names[task_id]} ({_fmt(hours)} h)"))
        self.people = [
            (str(pid), f"{name} ({_fmt(load.get(pid, 0.0))} / {_fmt(capacity[pid] or 0)} h)")
            for pid, name in sorted(names.items(), key=lambda kv: kv[1])]
        self.hires = [(str(op["key"]), str(op.get("name") or op["key"])) for op in operations
                      if op.get("op") == "hire" and op.get("key")]
        capable: dict[int, int] = {}
        for _person, task_id, level in data.capability.iter_rows():
            if level is not None and level >= 3:
                capable[task_id] = capable.get(task_id, 0) + 1
        self.tasks = [(str(tid), gettext_now("%(name)s (%(hours)s h, %(n)s capable)") % {
            "name": name, "hours": _fmt(task_hours.get(tid, 0.0)), "n": capable.get(tid, 0)})
            for tid, name in sorted(task_names.items(), key=lambda kv: kv[1])]


def _key(value: str) -> int | str:
    """A person's id, or a hire's key ("new-1")."""
    return int(value) if value.isdigit() else value


class OperationForm(forms.Form):
    """One operation of the kind ``kind``; :meth:`operation` is the JSON the engine reads."""

    def __init__(self, *args: Any, kind: str, choices: Choices, **kwargs: Any) -> None:
        kwargs["prefix"] = kind
        super().__init__(*args, **kwargs)
        self.kind = kind
        everyone = choices.people + choices.hires
        f = self.fields
        if kind == "move":
            f["assignment"] = forms.ChoiceField(label=_("Hours of (person — task)"),
                                                choices=choices.assignments)
            f["to"] = forms.ChoiceField(label=_("To"), choices=everyone)
            f["hours"] = forms.DecimalField(label=_("Hours per month"), min_value=0,
                                            max_digits=8, decimal_places=1)
        elif kind == "train":
            f["person"] = forms.ChoiceField(label=_("Person"), choices=everyone)
            f["task"] = forms.ChoiceField(label=_("Task"), choices=choices.tasks)
            f["level"] = forms.TypedChoiceField(label=_("Target capability"), choices=LEVELS,
                                                coerce=int, initial=3)
        elif kind == "drop":
            f["task"] = forms.ChoiceField(label=_("Task"), choices=choices.tasks)
        elif kind == "outsource":
            f["task"] = forms.ChoiceField(label=_("Task"), choices=choices.tasks)
            f["how"] = forms.ChoiceField(label=_("How"), choices=[
                ("outsource", _("Outsource (外注)")),
                ("automate", _("Automate (自動化・システム化)"))])
            f["hours"] = forms.DecimalField(
                label=_("Hours per month"), min_value=0, max_digits=8, decimal_places=1,
                required=False, help_text=_("Leave empty to move all of the task's hours."))
        elif kind == "hire":
            f["name"] = forms.CharField(label=_("Name"), max_length=60,
                                        initial=_("New hire"))
            f["grade"] = forms.ChoiceField(
                label=_("Grade"), required=False,
                choices=[("", "—"), *[(g, g) for g in Grade.objects.order_by(
                    "sort_order", "code").values_list("code", flat=True)]])
            f["capacity"] = forms.DecimalField(label=_("Hours per month"), min_value=1,
                                               max_value=400, max_digits=5, decimal_places=1,
                                               initial=160)
        elif kind == "retire":
            f["person"] = forms.ChoiceField(label=_("Person"), choices=choices.people)

    def operation(self) -> dict[str, Any]:
        c = self.cleaned_data
        if self.kind == "move":
            person, task = c["assignment"].split(":")
            return {"op": "move", "task": int(task), "from": int(person), "to": _key(c["to"]),
                    "hours": float(c["hours"])}
        if self.kind == "train":
            return {"op": "train", "person": _key(c["person"]), "task": int(c["task"]),
                    "level": int(c["level"])}
        if self.kind == "drop":
            return {"op": "drop", "task": int(c["task"])}
        if self.kind == "outsource":
            hours = c.get("hours")
            return {"op": "outsource", "task": int(c["task"]), "how": c["how"],
                    "hours": float(hours) if hours is not None else None}
        if self.kind == "hire":
            return {"op": "hire", "name": c["name"], "grade": c.get("grade") or None,
                    "capacity": float(c["capacity"])}
        return {"op": "retire", "person": _key(c["person"])}


class OptimizeForm(forms.Form):
    round = forms.ModelChoiceField(label=_("Baseline round"), queryset=SurveyRound.objects.none(),
                                   empty_label=None)
    kind = forms.ChoiceField(label=_("Proposal"), choices=[
        ("cross_training", _("Cross-training (多能工化)")), ("leveling", _("Leveling (平準化)"))],
        widget=forms.RadioSelect)
    name = forms.CharField(label=_("Scenario name"), max_length=190, required=False,
                           help_text=_("Leave empty for a name with the date."))
    time_limit_s = forms.FloatField(label=_("Time limit (seconds)"), min_value=0.5,
                                    max_value=10, initial=10)
    # leveling
    max_changes = forms.IntegerField(label=_("At most this many assignments change"),
                                     min_value=1, required=False)
    overqualified_penalty = forms.FloatField(
        label=_("Penalty per over-qualified hour"), min_value=0, required=False, initial=0)
    # cross-training
    k = forms.IntegerField(label=_("Capable people per task (k)"), min_value=1, max_value=20,
                           required=False, initial=2)
    bus_factor_target = forms.IntegerField(label=_("Or: bus factor target"), min_value=1,
                                           required=False)
    scope = forms.ChoiceField(label=_("Scope"), choices=[
        ("organization", _("The whole organization")), ("function", _("A function")),
        ("department", _("A department"))], initial="organization")
    scope_key = forms.CharField(label=_("Function or department"), required=False,
                                widget=forms.Select)
    objective = forms.ChoiceField(label=_("Objective"), choices=[
        ("pairs", _("Fewest training pairs")), ("hours", _("Fewest training hours"))])
    horizon_months = forms.FloatField(label=_("Horizon (months)"), min_value=0.5, max_value=36,
                                      initial=3)

    def __init__(self, *args: Any, scope_choices: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = round_choices()  # type: ignore[attr-defined]
        self.fields["scope_key"].widget = forms.Select(
            choices=[("", "—"), *(scope_choices or [])])
        # Another round has other functions and departments: htmx fetches its choices.
        self.fields["round"].widget.attrs.update({
            "hx-get": reverse("plans:optimize"), "hx-trigger": "change",
            "hx-target": "#id_scope_key", "hx-select": "#id_scope_key", "hx-swap": "outerHTML"})

    def params(self) -> dict[str, Any]:
        c = self.cleaned_data
        keys = ("time_limit_s", "max_changes", "overqualified_penalty") \
            if c["kind"] == "leveling" else (
            "time_limit_s", "k", "bus_factor_target", "scope", "scope_key", "objective",
            "horizon_months")
        return {k: c.get(k) for k in keys}
