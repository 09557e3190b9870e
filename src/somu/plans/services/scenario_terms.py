"""The engine's problem codes in plain Japanese, naming the person and the task.

The pure engine (:mod:`somu.plans.engine.ops`) reports a problem as a code with parameters (ids,
hours, levels); this module turns it into the message a user reads: 「山田 太郎 さんの 給与計算 は
20.0 時間/月 しかありません（30.0 時間/月 を移そうとしています）」.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from somu.survey.analysis import SurveyData


@dataclass(frozen=True)
class Names:
    """Names of the people (and hires) and tasks a list of operations can refer to."""

    people: dict[Any, str] = field(default_factory=dict)
    tasks: dict[Any, str] = field(default_factory=dict)

    def person(self, key: Any) -> str:
        if key in self.people:
            return self.people[key]
        if key is None or key == "":
            return _("(nobody)")
        return _("an unknown person (%(key)s)") % {"key": str(key)[:40]}

    def task(self, key: Any) -> str:
        if key in self.tasks:
            return self.tasks[key]
        if key is None or key == "":
            return _("(no task)")
        return _("an unknown task (%(key)s)") % {"key": str(key)[:40]}


def names_of(data: SurveyData, operations: Iterable[Any]) -> Names:
    people: dict[Any, str] = dict(zip(data.people["person_id"].to_list(),
                                      data.people["name"].to_list(), strict=True))
    for op in operations:
        if isinstance(op, dict) and op.get("op") == "hire" and isinstance(op.get("key"), str):
            people[op["key"]] = str(op.get("name") or op["key"])
    tasks: dict[Any, str] = dict(zip(data.tasks["task_id"].to_list(),
                                     data.tasks["name"].to_list(), strict=True))
    return Names(people=people, tasks=tasks)


def _hours(value: Any) -> str:
    try:
        return f"{float(value):,.1f}"
    except (TypeError, ValueError):
        return "—"


def _field_label(name: str) -> str:
    labels = {
        "op": _("operation"), "task": _("task"), "from": _("from"), "to": _("to"),
        "hours": _("hours"), "person": _("person"), "level": _("level"), "how": _("how"),
        "key": _("key"), "name": _("name"), "grade": _("grade"), "capacity": _("capacity"),
    }
    return labels.get(name, name)


def problem_message(problem: Any, names: Names, *, numbered: bool = True) -> str:
    """One engine problem (``index``, ``field``, ``code``, ``params``) as a sentence."""
    code = str(getattr(problem, "code", ""))
    params: dict[str, Any] = dict(getattr(problem, "params", None) or {})
    field_name = str(getattr(problem, "field", "") or "")
    index = getattr(problem, "index", None)
    person = names.person(params.get("person"))
    task = names.task(params.get("task"))
    values = {
        "person": person, "task": task, "hours": _hours(params.get("hours")),
        "available": _hours(params.get("available")),
        "level": params.get("level", ""), "current": params.get("current", ""),
        "value": str(params.get("value", ""))[:40], "key": str(params.get("key", ""))[:40],
        "grade": str(params.get("grade", ""))[:40], "op": str(params.get("op", ""))[:40],
        "field": _field_label(field_name), "max": params.get("max", ""),
    }
    templates = {
        "not_a_list": _("The operations must be a JSON list."),
        "not_an_object": _("An operation must be a JSON object."),
        "unknown_op": _("「%(op)s」 is not an operation (move, train, drop, outsource, hire or "
                        "retire)."),
        "missing": _("%(field)s is missing."),
        "unexpected": _("%(field)s is not a field of this operation."),
        "not_a_person": _("%(field)s must be a person's id or the key of a hire."),
        "not_an_id": _("%(field)s must be a whole number above 0."),
        "not_a_number": _("%(field)s must be a number."),
        "not_positive": _("%(field)s must be more than 0."),
        "too_large": _("%(field)s must be at most %(max)s."),
        "too_long": _("%(field)s must be at most %(max)s characters."),
        "not_text": _("%(field)s must be text."),
        "level_range": _("The capability level must be between 1 and 4."),
        "invalid_choice": _("「how」 must be outsource or automate."),
        "invalid_key": _("A hire's key is written new-1, new-2 …"),
        "duplicate_key": _("A hire called %(key)s is already in the scenario."),
        "unknown_person": _("%(person)s is not in this round."),
        "retired_person": _("%(person)s retires earlier in this scenario."),
        "unknown_task": _("%(task)s is not in this round."),
        "task_gone": _("%(task)s is dropped or moved out earlier in this scenario."),
        "unknown_grade": _("There is no grade 「%(grade)s」."),
        "same_person": _("%(person)s would move hours to themself; choose someone else."),
        "level_not_higher": _("%(person)s is already at level %(current)s on %(task)s; "
                              "choose a higher level."),
        "needs_training": _("%(person)s is not yet capable of %(task)s (level %(level)s): "
                            "要トレーニング (needs training)."),
    }
    if code == "hours_exceed":
        if params.get("person") is None:
            template = _("%(task)s has only %(available)s h/month (the operation takes "
                         "%(hours)s h/month).")
        else:
            template = _("%(person)s has only %(available)s h/month on %(task)s (the "
                         "operation moves %(hours)s h/month).")
        templates[code] = template
    template = templates.get(code) or _("%(field)s is not valid.")
    message = template % values
    if numbered and isinstance(index, int):
        return _("Operation %(n)s: %(message)s") % {"n": index + 1, "message": message}
    return message
