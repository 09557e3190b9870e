"""Reads for runs: the run list with progress, a run with its steps, timeline and parameter
values.

Lists are built with a constant number of queries whatever the number of rows (aggregates,
``select_related``); the query-count tests keep it so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import formats
from django.utils.translation import gettext as _

from somu.org.models import Department, Person
from somu.procedures.engine.spec import TemplateSpec
from somu.procedures.models import (
    FINISHED_STATES,
    OPEN_STATES,
    Run,
    Step,
    StepEvent,
    StepState,
)
from somu.procedures.selectors import today
from somu.procedures.selectors.templates import version_spec

# ---- runs --------------------------------------------------------------------------------------


def _step_count(condition: Q) -> Coalesce:
    """The number of the run's steps matching ``condition``, as a correlated subquery.

    Subqueries rather than joined aggregates: a paginated list then counts only the runs it
    shows, not every run of the organization.
    """
    counted = (Step.objects.filter(condition, run=OuterRef("pk")).order_by().values("run")
               .annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted), 0)


def _with_progress(runs: QuerySet[Run], on: dt.date) -> QuerySet[Run]:
    return runs.annotate(
        steps_total=_step_count(Q()),
        steps_finished=_step_count(Q(state__in=FINISHED_STATES)),
        # Shown apart from the steps done: a skipped step was not done by anyone.
        steps_skipped=_step_count(Q(state=StepState.SKIPPED)),
        steps_done=_step_count(Q(state__in=(StepState.DONE, StepState.APPROVED))),
        steps_late=_step_count(Q(state__in=OPEN_STATES, due_date__lt=on)),
    )


def run_list(
    *, template_id: int | None = None, status: str | None = None, person_id: int | None = None
) -> QuerySet[Run]:
    """Runs, newest first, with ``steps_total``, ``steps_finished`` (of which
    ``steps_done`` and ``steps_skipped``) and ``steps_late``.

    ``person_id``: runs in which the person holds a step.
    """
    runs = Run.objects.select_related("template", "version", "starter")
    if template_id is not None:
        runs = runs.filter(template_id=template_id)
    if status:
        runs = runs.filter(status=status)
    if person_id is not None:
        runs = runs.filter(Exists(Step.objects.filter(run=OuterRef("pk"), assignee_id=person_id)))
    return _with_progress(runs, today()).order_by("-created_at", "-pk")


def run_get(*, run_id: int) -> Run:
    return get_object_or_404(
        Run.objects.select_related("template", "version", "starter", "started_by", "schedule"),
        pk=run_id,
    )


def run_steps(*, run: Run) -> list[Step]:
    """The run's steps in template order, with their assignees."""
    steps = list(Step.objects.filter(run=run).select_related("assignee").order_by("position"))
    for step in steps:
        step.run = run
    return steps


def run_timeline(*, run: Run) -> QuerySet[StepEvent]:
    """Who did what when in the run, oldest first."""
    return StepEvent.objects.filter(run=run).select_related("step", "actor").order_by(
        "created_at", "pk")


def run_param_display(*, run: Run, spec: TemplateSpec | None = None) -> list[tuple[str, str, str]]:
    """The run's parameters as (key, label, display value): names for people and departments,
    dates as every page writes them (2026-04-01 (水))."""
    spec = spec or version_spec(run.version)
    texts = param_value_texts(spec=spec, values=run.params)
    return [(p.key, p.label or p.key, texts[p.key]) for p in spec.parameters]


def param_default_texts(*, spec: TemplateSpec) -> dict[str, str]:
    """Each parameter's default as a reader sees it ("" = none): はい/いいえ, not True/False."""
    return param_value_texts(spec=spec, values={p.key: p.default for p in spec.parameters})


def param_value_texts(*, spec: TemplateSpec, values: dict[str, Any]) -> dict[str, str]:
    """The one formatter of parameter values for people, by key ("" = no value): names for
    people and departments, dates written out, はい/いいえ for booleans."""
    person_ids = [values.get(p.key) for p in spec.parameters if p.type == "person"]
    dept_ids = [values.get(p.key) for p in spec.parameters if p.type == "department"]
    people = dict(Person.objects.filter(pk__in=[i for i in person_ids if isinstance(i, int)])
                  .values_list("pk", "name")) if any(person_ids) else {}
    departments = dict(Department.objects.filter(pk__in=[i for i in dept_ids if isinstance(i, int)])
                       .values_list("pk", "name")) if any(dept_ids) else {}
    out: dict[str, str] = {}
    for param in spec.parameters:
        value = values.get(param.key)
        if value is None or value == "":
            text = ""
        elif param.type == "person":
            text = people.get(value, str(value))
        elif param.type == "department":
            text = departments.get(value, str(value))
        elif param.type == "date":
            try:
                text = formats.date_format(dt.date.fromisoformat(str(value)))
            except ValueError:
                text = str(value)
        elif param.type == "boolean" or isinstance(value, bool):
            text = str(_("Yes") if value else _("No"))
        else:
            text = str(value)
        out[param.key] = text
    return out
