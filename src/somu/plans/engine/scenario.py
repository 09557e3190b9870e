"""A scenario's figures, side by side with the baseline: :func:`recompute`, :func:`compare`.

The figures (:class:`Summary`) are the survey analysis' own, with the same definitions
(PRODUCT.md, "Definitions used by the analysis"; :mod:`somu.survey.analysis`):

- 属人化率 by count and by hours, and the number of person-dependent tasks;
- the bus factor of the organization, of each function and of each department;
- each person's load, capacity and utilization (load ÷ capacity), overloaded when above 1,
  and the highest utilization;
- over-qualified hours and their cost;
- total hours and total in-house cost (Σ hours × the hourly cost of the doer's grade);
- hours moved out of the office (outsourced or automated) and hours left unassigned by
  retirements.

:func:`recompute` applies the operations (:mod:`.ops`) and computes only these figures: it
calls the analysis' own functions (``prepare``, ``dependency``, ``metrics.people``,
``metrics.totals``, ``qualification``, ``scopes.bus_factors``) rather than the whole
``analyze`` (which also builds the Pareto, flags, seasonality, retirement risks and heat map a
scenario does not show), and it gives the exact bus factor solver a smaller time budget
(:data:`RECOMPUTE_OPTIONS`, 0.1 s in all) so that it stays interactive; a bus factor the
solver could not prove within it is labelled "greedy", as in the analysis. Compute the
baseline with :func:`recompute` too (no operations), so both sides use the same budget.
:func:`summary` gives the same figures from a full :class:`AnalysisResult`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

from somu.survey.analysis import metrics
from somu.survey.analysis.dependency import dependency
from somu.survey.analysis.frames import prepare
from somu.survey.analysis.qualification import qualification
from somu.survey.analysis.scopes import bus_factors
from somu.survey.analysis.types import (
    AnalysisOptions,
    AnalysisResult,
    BusFactor,
    Dependency,
    PersonLoad,
    Qualification,
    SurveyData,
    Totals,
)

from .ops import Applied, Op, apply, parse

RECOMPUTE_OPTIONS = AnalysisOptions(exact_total_budget_s=0.1, exact_time_limit_s=0.1)


@dataclass(frozen=True)
class ScopeFactor:
    scope: Literal["organization", "function", "department"]
    key: str  # "" for the organization, the function's name, the department's id
    label: str
    value: int | None  # None: the scope has no hours
    method: Literal["exact", "greedy"]


@dataclass(frozen=True)
class PersonLine:
    person_id: int  # hires: ids after the round's largest (see ``hire_key``)
    name: str
    capacity: float
    load: float
    utilization: float
    overloaded: bool
    hire_key: str | None = None  # the hire's key ("new-1") for people hired in the scenario


@dataclass(frozen=True)
class Summary:
    dependency_rate_by_count: float
    dependency_rate_by_hours: float
    dependent_tasks: int
    bus_factors: tuple[ScopeFactor, ...]  # organization, functions, departments
    people: tuple[PersonLine, ...]  # largest load first
    overloaded: int
    max_utilization: float
    over_qualified_hours: float
    over_qualified_cost: int
    total_hours: float
    total_cost: int
    moved_out_hours: float  # outsourced + automated
    unassigned_hours: float = 0.0  # left by retirements


def _summary(totals: Totals, dep: Dependency, people: Sequence[PersonLoad],
             qual: Qualification, factors: Sequence[BusFactor],
             applied: Applied | None) -> Summary:
    keys = {pid: key for key, pid in (applied.hires.items() if applied else ())}
    lines = tuple(
        PersonLine(person_id=p.person_id, name=p.name, capacity=p.capacity, load=p.load,
                   utilization=p.utilization, overloaded=p.overloaded,
                   hire_key=keys.get(p.person_id))
        for p in people)
    return Summary(
        dependency_rate_by_count=dep.rate_by_count,
        dependency_rate_by_hours=dep.rate_by_hours,
        dependent_tasks=dep.dependent_tasks,
        bus_factors=tuple(ScopeFactor(scope=b.scope, key=b.key, label=b.label, value=b.value,
                                      method=b.method) for b in factors),
        people=lines,
        overloaded=sum(1 for line in lines if line.overloaded),
        max_utilization=max((line.utilization for line in lines), default=0.0),
        over_qualified_hours=qual.over_hours,
        over_qualified_cost=qual.over_cost,
        total_hours=totals.hours,
        total_cost=totals.cost,
        moved_out_hours=applied.moved_out_hours if applied else 0.0,
        unassigned_hours=applied.unassigned_hours if applied else 0.0,
    )


def summary(result: AnalysisResult, applied: Applied | None = None) -> Summary:
    """The scenario figures of a full analysis (of the round, or of ``applied.data``)."""
    return _summary(result.totals, result.dependency, result.people, result.qualification,
                    result.bus_factors, applied)


def figures(data: SurveyData, applied: Applied | None = None,
            options: AnalysisOptions = RECOMPUTE_OPTIONS) -> Summary:
    """The scenario figures of ``data``, computing only what they need (the same functions
    as ``analyze``)."""
    fr = prepare(data, options)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="somu-plans") as solver:
        scopes = bus_factors(fr, options, solver)
        return _summary(metrics.totals(fr), dependency(fr), metrics.people(fr),
                        qualification(fr), scopes(), applied)


def recompute(base: SurveyData, ops: Sequence[Op] | Sequence[Mapping[str, Any]],
              options: AnalysisOptions = RECOMPUTE_OPTIONS) -> tuple[Applied, Summary]:
    """Apply ``ops`` (parsed, or the JSON list as stored) to the round's data and compute the
    scenario's figures. Raises :class:`~.ops.OpsError` when an operation is malformed or
    cannot be applied."""
    parsed = [op for op in ops if not isinstance(op, Mapping)]
    applied = apply(base, parsed if len(parsed) == len(ops) else parse(list(ops)))
    return applied, figures(applied.data, applied, options)


# ---- compare -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One figure before and after. ``better``: True when the change is an improvement, False
    when it is a deterioration, None when unchanged or neither (hours moved out, totals of
    hours); ``key`` is stable: ``dependency_rate_by_count`` …, ``bus_factor:<scope>:<key>``."""

    key: str
    label: str  # the scope's label for bus factor lines, "" otherwise
    before: float | None
    after: float | None
    change: float | None
    better: bool | None


# key → +1 higher is better, −1 lower is better, 0 neither
DIRECTIONS: tuple[tuple[str, int], ...] = (
    ("dependency_rate_by_count", -1),
    ("dependency_rate_by_hours", -1),
    ("dependent_tasks", -1),
    ("overloaded", -1),
    ("max_utilization", -1),
    ("over_qualified_hours", -1),
    ("over_qualified_cost", -1),
    ("total_hours", 0),
    ("total_cost", -1),
    ("moved_out_hours", 0),
    ("unassigned_hours", -1),
)
EPS = 1e-9


def _line(key: str, label: str, before: float | None, after: float | None,
          direction: int) -> Line:
    change = None if before is None or after is None else after - before
    better = None
    if change is not None and abs(change) > EPS and direction:
        better = (change > 0) == (direction > 0)
    elif change is None and before != after and direction:  # a scope appeared or vanished
        better = None
    return Line(key=key, label=label, before=before, after=after, change=change, better=better)


def compare(base: Summary, other: Summary) -> list[Line]:
    """The figures of ``base`` and ``other`` line by line: the headline figures, then the
    bus factor of each scope found in either (in ``base``'s order, then the new ones)."""
    lines = [_line(key, "", float(getattr(base, key)), float(getattr(other, key)), direction)
             for key, direction in DIRECTIONS]
    before = {(b.scope, b.key): b for b in base.bus_factors}
    after = {(b.scope, b.key): b for b in other.bus_factors}
    for scope_key in [*before, *(k for k in after if k not in before)]:
        b, a = before.get(scope_key), after.get(scope_key)
        either = b or a
        label = either.label if either else ""
        lines.append(_line(f"bus_factor:{scope_key[0]}:{scope_key[1]}", label,
                           None if b is None or b.value is None else float(b.value),
                           None if a is None or a.value is None else float(a.value), +1))
    return lines
