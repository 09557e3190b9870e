"""Run every analysis of one round: :func:`analyze`."""

from __future__ import annotations

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
    :mod:`.qualification`, :mod:`.balance`)."""
    fr = prepare(data, options)
    return AnalysisResult(
        totals=metrics.totals(fr),
        by_function=metrics.by_function(fr),
        by_department=metrics.by_department(fr),
        by_grade=metrics.by_grade(fr),
        people=metrics.people(fr),
        tasks=metrics.tasks(fr),
        dependency=dependency(fr),
        bus_factors=bus_factors(fr, options),
        retirement=retirement(fr, options),
        qualification=qualification(fr),
        balance=balance(fr),
        flags=metrics.flags(fr),
        seasonality=metrics.seasonality(fr),
        heatmap=metrics.heatmap(fr, options),
    )
