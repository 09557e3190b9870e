"""The drill-down filter: which hours rows a figure of the analysis is made of.

One parser for the page (``…/analysis/rows/?task=12``) and the API
(``GET /api/v1/survey/rounds/{id}/analysis/rows?task_id=12``), so both accept and refuse the same
things. It takes the page's parameter names; the API maps its own (``person_id`` → ``person``)
before calling it and maps :attr:`DrillError.param` back to name the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from somu.org.models import Grade, Person
from somu.org.selectors import department_paths
from somu.survey import selectors
from somu.survey.models import SurveyRound, Task

FLAG_LABELS = {
    "remote_ok": gettext_lazy("Remote OK"),
    "outsourceable": gettext_lazy("Outsourceable"),
    "automatable": gettext_lazy("Automatable"),
}
# The parameters of the filter (the page's names), in the order they are read.
PARAMS = ("function", "category", "department", "grade", "person", "task", "flag",
          "qualification", "dependent", "orphaned_of")
ID_LABELS = {"department": gettext_lazy("Department"), "person": gettext_lazy("Person"),
             "task": gettext_lazy("Task"), "orphaned_of": gettext_lazy("Person")}


class DrillError(ValueError):
    """A parameter of the filter is not valid; ``param`` names it (the page's name)."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class ParsedDrill:
    drill: selectors.HoursDrill
    caption: list[tuple[str, str]]  # (what, value) pairs for the readable filter


def _record_id(params: Mapping[str, str], name: str) -> int:
    value = params.get(name)
    try:
        number = int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        number = None
    if number is None or number < 0:
        raise DrillError(name, _("“%(value)s” is not a valid %(name)s.")
                         % {"value": value, "name": ID_LABELS[name]})
    return number


def drill_parse(
    *, survey_round: SurveyRound, params: Mapping[str, str],
    department_ids: frozenset[int] | None = None,
) -> ParsedDrill:
    """The filter given by ``params`` (text values); :class:`DrillError` names a bad one.

    ``department_ids`` is a manager's scope: "dependent" and "orphaned of" are then read from
    the analysis of that scope, as the manager's dashboard shows them.

    A parameter present with an unknown record (department, grade, person, task, the person of
    ``orphaned_of``) is an error rather than an empty list: a figure never links to one.
    """
    fields: dict[str, Any] = {}
    caption: list[tuple[str, str]] = []
    if params.get("function"):
        fields["function"] = params["function"]
        caption.append((_("Function"), params["function"]))
    if params.get("category"):
        fields["category"] = params["category"]
        caption.append((_("Category"), params["category"]))
    if "department" in params:
        value = params["department"]
        department_id = 0 if value in ("", "0") else _record_id(params, "department")
        path = department_paths().get(department_id) if department_id else _("(no department)")
        if path is None:
            raise DrillError("department", _("There is no such department."))
        caption.append((_("Department"), path))
        fields["department_id"] = department_id
    if "grade" in params:
        grade = params["grade"]
        if grade and not Grade.objects.filter(code=grade).exists():
            raise DrillError("grade", _("There is no grade “%(code)s”.") % {"code": grade})
        fields["grade"] = grade
        caption.append((_("Grade"), grade or _("(no grade)")))
    if "person" in params:
        person = Person.objects.filter(pk=_record_id(params, "person")).values_list(
            "pk", "employee_number", "name").first()
        if person is None:
            raise DrillError("person", _("There is no such person."))
        fields["person_id"] = person[0]
        caption.append((_("Person"), f"{person[2]} ({person[1]})"))
    if "task" in params:
        task = Task.objects.filter(pk=_record_id(params, "task")).first()
        if task is None:
            raise DrillError("task", _("There is no such task."))
        fields["task_id"] = task.pk
        caption.append((_("Task"), task.path))
    if "flag" in params:
        flag = params["flag"]
        if flag not in FLAG_LABELS:
            raise DrillError("flag", _("“%(value)s” is not a valid flag.") % {"value": flag})
        fields["flag"] = flag
        caption.append((_("Flag"), str(FLAG_LABELS[flag])))
    if "qualification" in params:
        if params["qualification"] not in ("over", "under"):
            raise DrillError("qualification", _("Qualification must be “over” or “under”."))
        fields["qualification"] = params["qualification"]
        caption.append((_("Grade fit"), _("Over-qualified (task below the grade's band)")
                        if params["qualification"] == "over"
                        else _("Under-qualified (task above the grade's band)")))
    task_ids: set[int] | None = None
    if params.get("dependent") or "orphaned_of" in params:
        result = selectors.round_analysis(survey_round=survey_round,
                                          department_ids=department_ids)
        if params.get("dependent"):
            if params["dependent"] != "1":
                raise DrillError("dependent", _("“dependent” must be 1."))
            task_ids = set(result.dependency.dependent_task_ids)
            caption.append((_("Tasks"), _("Person-dependent tasks only")))
        if "orphaned_of" in params:
            person_id = _record_id(params, "orphaned_of")
            name = Person.objects.filter(pk=person_id).values_list("name", flat=True).first()
            if name is None:
                raise DrillError("orphaned_of", _("There is no such person."))
            risk = next((x for x in result.retirement if x.person_id == person_id), None)
            orphaned = set(risk.orphaned_task_ids) if risk else set()
            task_ids = orphaned if task_ids is None else task_ids & orphaned
            caption.append((_("Retirement risk"),
                            _("Tasks orphaned if %(name)s leaves") % {"name": name}))
    if task_ids is not None:
        fields["task_ids"] = tuple(sorted(task_ids))
    return ParsedDrill(drill=selectors.HoursDrill(**fields), caption=caption)
