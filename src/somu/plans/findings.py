"""From a finding of the survey analysis to an improvement item.

The survey's analysis pages show, next to each finding, what the installed apps offer for it
(registry ``finding_actions``); plans offers "改善施策にする", a link to the new-item form with
the finding in its query. :func:`item_from_finding` turns that finding into the form's prefilled
values: the type that usually answers it and the effect it should have, from the round's analysis.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from somu.core.home import Finding
from somu.core.permissions import has_perm
from somu.org.models import Membership, Person
from somu.plans.models import FindingKind, ItemKind
from somu.plans.permissions import MANAGE_PLAN

KINDS = {
    FindingKind.DEPENDENT_TASK: ItemKind.STANDARDIZE,
    FindingKind.RETIREMENT: ItemKind.CROSS_TRAIN,
    FindingKind.OVERLOAD: ItemKind.REASSIGN,
    FindingKind.OVERQUALIFIED: ItemKind.REASSIGN,
    FindingKind.OUTSOURCEABLE: ItemKind.OUTSOURCE,
    FindingKind.AUTOMATABLE: ItemKind.AUTOMATE,
}


def new_item_url(finding: Finding) -> str:
    query = {"finding": finding.kind, "round": finding.round_id}
    if finding.task_id is not None:
        query["task"] = finding.task_id
    if finding.person_id is not None:
        query["person"] = finding.person_id
    return f"{reverse('plans:item_new')}?{urlencode(query)}"


def actions(finding: Finding, *, membership: Membership | None) -> list[tuple[str, str]]:
    """Registry ``finding_actions``: "make it an improvement item", for who may edit the plan."""
    if finding.kind not in KINDS or not has_perm(membership, MANAGE_PLAN):
        return []
    return [(_("Make it an improvement item"), new_item_url(finding))]


def _hours(value: float) -> Decimal:
    return Decimal(str(round(max(value, 0.0), 2)))


def _over_cost(survey_round: Any, person_id: int, task_id: int | None) -> int:
    """The monthly over-qualified cost of the person's work (on ``task_id`` only, if given), as
    the analysis computes it: hours × (the person's grade rate − the rate of the lowest grade
    whose band holds the task's difficulty)."""
    from somu.org.models import Grade
    from somu.survey import selectors

    rows = selectors.hours_rows(survey_round=survey_round, drill=selectors.HoursDrill(
        person_id=person_id, task_id=task_id, qualification="over"))
    grades = list(Grade.objects.values_list("hourly_cost", "difficulty_min", "difficulty_max",
                                            "sort_order", "code"))
    total = 0.0
    for row in rows:
        grade = row.person.grade
        difficulty = row.task.difficulty
        if grade is None or difficulty is None:
            continue
        holding = sorted((g for g in grades if g[1] is not None and g[2] is not None
                          and g[1] <= difficulty <= g[2]), key=lambda g: (g[0], g[3], g[4]))
        if not holding:
            continue
        total += float(row.hours) * (grade.hourly_cost - holding[0][0])
    return round(total)


def item_from_finding(finding: Finding) -> dict[str, Any]:
    """The new item's values for a finding: title, type, task, person, round and expected
    effect. An unknown round, task or person of this organization leaves its part out."""
    from somu.survey import selectors
    from somu.survey.models import SurveyRound, Task

    if finding.kind not in KINDS:
        return {}
    survey_round = SurveyRound.objects.filter(pk=finding.round_id).first()
    task = Task.objects.filter(pk=finding.task_id).first() if finding.task_id else None
    person = Person.objects.filter(pk=finding.person_id).first() if finding.person_id else None
    data: dict[str, Any] = {"finding": finding.kind, "kind": KINDS[FindingKind(finding.kind)],
                            "round": survey_round, "task": task, "person": person}
    result = selectors.round_analysis(survey_round=survey_round) if survey_round else None
    task_summary = next((t for t in result.tasks if task and t.task_id == task.pk),
                        None) if result else None
    load = next((p for p in result.people if person and p.person_id == person.pk),
                None) if result else None
    kind = finding.kind
    if kind == FindingKind.DEPENDENT_TASK and task:
        data.update(title=_("Standardize “%(task)s” (write its procedure)") % {"task": task.name},
                    expected_capable=1)
    elif kind == FindingKind.RETIREMENT and person:
        risk = next((r for r in result.retirement if r.person_id == person.pk),
                    None) if result else None
        if risk is not None:
            data["expected_hours"] = _hours(risk.orphaned_hours)
            data["expected_capable"] = len(risk.orphaned_task_ids)
            if task is None and risk.orphaned_task_ids:
                data["task"] = Task.objects.filter(pk=risk.orphaned_task_ids[0]).first()
        data["title"] = _("Cross-train others on %(name)s's work") % {"name": person.name}
    elif kind == FindingKind.OVERLOAD and person:
        if load is not None:
            data["expected_hours"] = _hours(load.load - load.capacity)
        data["title"] = _("Reassign part of %(name)s's load") % {"name": person.name}
    elif kind == FindingKind.OVERQUALIFIED and person:
        if survey_round is not None:
            data["expected_cost"] = _over_cost(survey_round, person.pk, task.pk if task else None)
        data["title"] = (_("Give “%(task)s” to a fitting grade instead of %(name)s")
                         % {"task": task.name, "name": person.name} if task else
                         _("Reassign %(name)s's over-qualified work") % {"name": person.name})
    elif kind in (FindingKind.OUTSOURCEABLE, FindingKind.AUTOMATABLE) and task:
        if task_summary is not None:
            data["expected_hours"] = _hours(task_summary.hours)
            if kind == FindingKind.AUTOMATABLE:
                data["expected_cost"] = task_summary.cost
        data["title"] = (_("Outsource “%(task)s”") if kind == FindingKind.OUTSOURCEABLE
                         else _("Automate “%(task)s”")) % {"task": task.name}
    return data
