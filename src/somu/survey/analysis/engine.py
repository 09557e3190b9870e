"""Run every analysis of one round: :func:`analyze`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from . import metrics
from .balance import balance
from .dependency import dependency, retirement
from .frames import prepare
from .qualification import qualification
from .scopes import bus_factors
from .types import AnalysisOptions, AnalysisResult, SurveyData

DEFAULT_OPTIONS = AnalysisOptions()


def analyze(data: SurveyData, options: AnalysisOptions = DEFAULT_OPTIONS) -> AnalysisResult:
    """Analyse one round's data. The definitions are in the docstrings of the functions each
    figure comes from (:mod:`.metrics`, :mod:`.dependency`, :mod:`.busfactor`, :mod:`.scopes`,
    :mod:`.qualification`, :mod:`.balance`).

    The exact bus factors (HiGHS within its time budget: up to half of a large round's
    analysis) are solved in a second thread while this one goes on with the other figures;
    HiGHS releases the interpreter lock, so on two cores they come almost for free. Every
    figure is computed by the same code either way.
    """
    fr = prepare(data, options)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="somu-exact") as solver:
        scopes = bus_factors(fr, options, solver)
        return AnalysisResult(
            totals=metrics.totals(fr),
            by_function=metrics.by_function(fr),
            by_department=metrics.by_department(fr),
            by_grade=metrics.by_grade(fr),
            people=metrics.people(fr),
            tasks=metrics.tasks(fr),
            dependency=dependency(fr),
            retirement=retirement(fr, options),
            qualification=qualification(fr),
            balance=balance(fr),
            flags=metrics.flags(fr),
            seasonality=metrics.seasonality(fr),
            heatmap=metrics.heatmap(fr, options),
            bus_factors=scopes(),
        )
