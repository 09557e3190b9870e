"""KPIs computed from somu's own data: each definition, its values over time, and the rows
behind a value (the drill-down).

A computed KPI stores only its definition, parameters and target; its values are read each
time from the survey rounds (round-based: one value per closed round), from the procedures'
steps, the templates, the improvement items and the approvals' requests (month-based: one value
per month, the last 12 months). Manual KPIs keep readings. Nothing here writes.

A month-based KPI's current value is that of the last complete month; the month still running
shows in the trend marked 「（途中）」 (partial) and counts for nothing else. A month is complete
on its last day (a report as of September 30 reads September).

Status: ``gap`` is signed so that > 0 means "still to go" (``target − current`` when higher is
better, ``current − target`` when lower is); ``achieved`` when the gap is ≤ 0; ``overdue`` when
the target date has passed without it; ``off_track`` when overdue, or when the latest value
did not get closer to the target than the one before (standing still counts as off track).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from somu.plans import kpi_values as values
from somu.plans.models import Kpi
from somu.survey.analysis.types import AnalysisResult
from somu.survey.models import SurveyRound

Basis = Literal["round", "month", "manual"]
PEOPLE = pgettext_lazy("unit", "people")


@dataclass(frozen=True)
class Definition:
    key: str
    label: Promise
    unit: Promise | str
    direction: Literal["down", "up"]
    basis: Basis
    parameters: tuple[str, ...]
    explanation: Promise


@dataclass(frozen=True)
class Row:
    """One row behind a value: what it is, its figure as shown, and the page it comes from."""

    label: str
    value: str
    url: str | None = None


@dataclass(frozen=True)
class Point:
    label: str
    on: dt.date
    value: float | None
    round_id: int | None = None
    partial: bool = False  # a month still running: shown in the trend, never the current value


@dataclass(frozen=True)
class KpiStatus:
    kpi: Kpi
    definition: Definition
    current: Point | None
    trend: tuple[Point, ...]
    target: float
    target_on: dt.date
    gap: float | None
    achieved: bool
    overdue: bool
    off_track: bool = False
    parameters_label: str = field(default="")

    @property
    def state(self) -> str:
        """achieved / overdue / off_track / on_track / no_data."""
        if self.achieved:
            return "achieved"
        if self.overdue:
            return "overdue"
        if self.current is None or self.current.value is None:
            return "no_data"
        return "off_track" if self.off_track else "on_track"


DEFINITIONS: dict[str, Definition] = {d.key: d for d in (
    Definition("dependency_rate_count", _("Person dependency rate (tasks)"), "%", "down", "round",
               (), _("The share of the surveyed tasks that at most one person can do alone "
                     "(capability 3 or more), in the round's analysis.")),
    Definition("dependency_rate_hours", _("Person dependency rate (hours)"), "%", "down",
               "round", (),
               _("The share of the surveyed hours spent on tasks that at most one person can "
                 "do alone.")),
    Definition("bus_factor", _("Bus factor"), PEOPLE, "up", "round", ("scope",),
               _("The fewest people whose leaving at once would leave more than half of the "
                 "scope's hours with nobody able to do them. Higher is safer.")),
    Definition("hours", _("Total hours / hours of a function"), _("h/month"), "down", "round",
               ("function",),
               _("The monthly hours the survey counted, for the whole organization or for one "
                 "function.")),
    Definition("overloaded_people", _("Overloaded people"), PEOPLE, "down", "round", (),
               _("The people whose surveyed monthly hours exceed their standard hours.")),
    Definition("overqualified_cost", _("Cost of work below the grade"), _("yen/month"), "down",
               "round", (),
               _("Each month, hours that people spend on tasks easier than their grade expects, "
                 "times the difference between their grade's hourly cost and that of the "
                 "lowest grade fit for the task.")),
    Definition("moved_hours", _("Hours outsourced or automated"), _("h/month"), "up", "month",
               (),
               _("The expected monthly hours of the outsourcing and automation items that are "
                 "done, counted from the month the work moves (or the item was done).")),
    Definition("standardization_rate", _("Standardization rate"), "%", "up", "month", (),
               _("Of the tasks with hours in the latest closed round, the share that have a "
                 "runnable procedure: a template in use (not archived, with a version) linked "
                 "to the task by the end of the month.")),
    Definition("on_time_rate", _("On-time rate of procedure steps"), "%", "up", "month", (),
               _("Of the procedure steps completed in the month that had a due date, the share "
                 "completed on or before it.")),
    Definition("requests_in_somu", _("Requests handled in somu"), "%", "up", "month",
               ("monthly_volume",),
               _("The requests submitted in somu in the month, as a share of the requests the "
                 "office handles in a month on paper or in somu (the volume you give), at most "
                 "100%.")),
    Definition("manual", _("Manual"), "", "up", "manual", (),
               _("A figure of your own, entered as readings.")),
)}


def definition_of(kpi: Kpi) -> Definition:
    return DEFINITIONS.get(kpi.definition, DEFINITIONS["manual"])


def unit_of(kpi: Kpi) -> str:
    return kpi.unit if kpi.definition == "manual" else str(definition_of(kpi).unit)


def _direction(kpi: Kpi) -> str:
    return kpi.direction if kpi.definition == "manual" else definition_of(kpi).direction


def _gap(kpi: Kpi, current: float | None) -> float | None:
    if current is None:
        return None
    target = float(kpi.target)
    return current - target if _direction(kpi) == "down" else target - current


class _Context:
    """What one pass over several KPIs shares: the closed rounds and their analyses. A KPI is
    read as it stood on ``today``: rounds whose date comes after it are not there yet (a past
    period's report does not see a round closed since)."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._rounds: list[SurveyRound] | None = None
        self._results: dict[int, AnalysisResult] = {}
        self.memo: dict[Any, Any] = {}

    @property
    def rounds(self) -> list[SurveyRound]:
        if self._rounds is None:
            self._rounds = [r for r in values.closed_rounds()
                            if values.round_date(r) <= self.today]
        return self._rounds

    def result(self, survey_round: SurveyRound) -> AnalysisResult:
        if survey_round.pk not in self._results:
            self._results[survey_round.pk] = values.analysis_of(survey_round)
        return self._results[survey_round.pk]


def _trend(kpi: Kpi, ctx: _Context) -> tuple[Point, ...]:
    definition = definition_of(kpi)
    if definition.basis == "round":
        return tuple(
            Point(r.name, values.round_date(r),
                  values.round_value(kpi, ctx.result(r)), r.pk)
            for r in ctx.rounds)
    if definition.basis == "month":
        months = values.months_up_to(ctx.today)
        figures = values.month_values(kpi, months, ctx)
        return tuple(Point(values.month_label(m, partial=values.month_running(m, ctx.today)),
                           m, v, partial=values.month_running(m, ctx.today))
                     for m, v in zip(months, figures, strict=True))
    return tuple(Point(r.on.strftime("%Y/%m/%d"), r.on, float(r.value))
                 for r in values.readings_of(kpi) if r.on <= ctx.today)


def _status(kpi: Kpi, ctx: _Context) -> KpiStatus:
    definition = definition_of(kpi)
    trend = _trend(kpi, ctx)
    # A month still running is not the current value: early in a month its figure is empty or
    # a fraction of a month's; the last complete month is (「2026年11月」).
    complete = [p for p in trend if not p.partial]
    current = complete[-1] if complete else None
    now = current.value if current else None
    gap = _gap(kpi, now)
    achieved = gap is not None and gap <= 0
    overdue = not achieved and kpi.target_on < ctx.today
    off_track = overdue
    known = [p.value for p in complete if p.value is not None]
    if not achieved and not overdue and len(known) >= 2:
        before, after = _gap(kpi, known[-2]), _gap(kpi, known[-1])
        off_track = before is not None and after is not None and after >= before
    return KpiStatus(kpi=kpi, definition=definition, current=current, trend=trend,
                     target=float(kpi.target), target_on=kpi.target_on, gap=gap,
                     achieved=achieved, overdue=overdue, off_track=off_track,
                     parameters_label=values.parameters_label(kpi))


def kpi_status(kpi: Kpi, *, today: dt.date) -> KpiStatus:
    return _status(kpi, _Context(today))


def kpi_statuses(*, today: dt.date, kpis: Iterable[Kpi] | None = None) -> list[KpiStatus]:
    """The status of every KPI not archived (or of ``kpis``), reading each round's analysis once."""
    ctx = _Context(today)
    chosen = list(kpis) if kpis is not None else list(Kpi.objects.filter(archived=False))
    return [_status(kpi, ctx) for kpi in chosen]


def kpi_rows(kpi: Kpi, *, point: Point, today: dt.date, personal: bool = True) -> list[Row]:
    """The rows behind ``point`` (a value of ``kpi``'s trend). ``personal=False`` (executives)
    leaves out each person's hours and the links to pages that show them: names only."""
    return [Row(label, value, url)
            for label, value, url in values.rows(kpi, point, _Context(today), personal=personal)]


def format_value(kpi: Kpi, value: float | None) -> str:
    """A value as people read it: ¥ for yen, one decimal for rates and hours, whole people."""
    return values.format_value(kpi, value, unit_of(kpi))
