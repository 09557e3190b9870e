"""Measuring again (振り返り): what each improvement item brought, against what it promised.

An item names the round its finding was seen in (its baseline, ``Item.round``; without one,
the latest closed round on or before the day the item was made). Its effect is measured in the
first closed round after the baseline, or in the round a review names:

- hours: the hours on the item's task went down by (baseline − measured); for an item about a
  person and no task, that person's load went down by;
- capable people: the people capable of the item's task (capability ≥ 3) went up by;
- the KPI it serves, when round-based: its value in the baseline and in the measured round.

Until such a round exists the effect is "not measured".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.utils import timezone

from somu.plans import kpi_values as values
from somu.plans.kpis import definition_of
from somu.plans.models import Item, Kpi
from somu.survey.analysis.types import AnalysisResult
from somu.survey.models import SurveyRound


@dataclass(frozen=True)
class Effect:
    item: Item
    baseline_round: SurveyRound | None
    measured_round: SurveyRound | None
    expected_hours: float
    measured_hours: float | None  # how much the hours went down (negative: they went up)
    expected_capable: int
    measured_capable: int | None  # how many more people became capable
    kpi_before: float | None
    kpi_after: float | None
    state: Literal["not_measured", "measured"]


# An item about one person (an overload, a retirement, an over-qualified person, hours moved
# from someone): its expected hours and cost are that person's, and without a task its measured
# hours are the person's load change. Outside the back office (executives, managers) such an
# item shows with its people named but without these figures.
PERSONAL_FIGURES = ("expected_hours", "expected_cost", "measured_hours")


def about_a_person(item: Item) -> bool:
    return item.person_id is not None


def _hours(result: AnalysisResult, item: Item) -> float | None:
    if item.task_id is not None:
        return next((t.hours for t in result.tasks if t.task_id == item.task_id), 0.0)
    if item.person_id is not None:
        return next((p.load for p in result.people if p.person_id == item.person_id), 0.0)
    return None


def _capable(result: AnalysisResult, item: Item) -> int | None:
    if item.task_id is None:
        return None
    return next((len(t.capable) for t in result.tasks if t.task_id == item.task_id), 0)


def item_effects(items: Iterable[Item], *, today: dt.date,
                 measured_round: SurveyRound | None = None) -> list[Effect]:
    """Each item's expected and measured effect as of ``today``, reading each round's analysis
    once. With ``measured_round`` (a review's 「測定する調査回」), every item is measured in that
    round — not measured when it is its baseline or earlier; otherwise in the first closed
    round after its baseline."""
    rounds = [r for r in values.closed_rounds() if values.round_date(r) <= today]
    results: dict[int, AnalysisResult] = {}

    def result(survey_round: SurveyRound) -> AnalysisResult:
        if survey_round.pk not in results:
            results[survey_round.pk] = values.analysis_of(survey_round)
        return results[survey_round.pk]

    items = list(items)
    # Two queries whatever the number of items: their rounds and their KPIs.
    round_ids = {i.round_id for i in items if i.round_id is not None}
    by_id = {r.pk: r for r in SurveyRound.objects.filter(pk__in=round_ids)} if round_ids else {}
    kpi_ids = {i.kpi_id for i in items if i.kpi_id is not None}
    kpis = Kpi.objects.in_bulk(kpi_ids) if kpi_ids else {}
    effects = []
    for item in items:
        baseline: SurveyRound | None = by_id.get(item.round_id) if item.round_id else None
        kpi = kpis.get(item.kpi_id) if item.kpi_id else None
        if baseline is None:
            made = timezone.localdate(item.created_at) if item.created_at else today
            earlier = [r for r in rounds if values.round_date(r) <= made]
            baseline = earlier[-1] if earlier else None
        measured = None
        if baseline is not None and measured_round is not None:
            if values.round_order(measured_round) > values.round_order(baseline):
                measured = measured_round
        elif baseline is not None:
            later = [r for r in rounds if values.round_order(r) > values.round_order(baseline)]
            measured = later[0] if later else None
        hours = capable = before = after = None
        if baseline is not None and measured is not None:
            first, second = result(baseline), result(measured)
            h0, h1 = _hours(first, item), _hours(second, item)
            hours = h0 - h1 if h0 is not None and h1 is not None else None
            c0, c1 = _capable(first, item), _capable(second, item)
            capable = c1 - c0 if c0 is not None and c1 is not None else None
            if kpi is not None and definition_of(kpi).basis == "round":
                before = values.round_value(kpi, first)
                after = values.round_value(kpi, second)
        effects.append(Effect(
            item=item, baseline_round=baseline, measured_round=measured,
            expected_hours=float(item.expected_hours), measured_hours=hours,
            expected_capable=item.expected_capable, measured_capable=capable,
            kpi_before=before, kpi_after=after,
            state="measured" if measured is not None else "not_measured"))
    return effects
