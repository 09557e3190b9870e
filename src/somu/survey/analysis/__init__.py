"""The work survey's analysis engine: plain tables in, typed results out. No Django here.

    result = analyze(SurveyData(people=..., tasks=..., hours=..., capability=..., grades=...))
    cached = to_dict(result)          # JSON-safe, for a JSONField
    assert from_dict(cached) == result
    changes = compare(before, after)

The definitions (PRODUCT.md, "Definitions used by the analysis") are the docstrings of the
functions that compute each figure.
"""

from .compare import compare
from .engine import analyze
from .serialize import from_dict, from_snapshot, to_dict, to_snapshot
from .types import (
    CAPABILITY_SCHEMA,
    GRADES_SCHEMA,
    HOURS_SCHEMA,
    MONTHLY_SCHEMA,
    PEOPLE_SCHEMA,
    TASKS_SCHEMA,
    Absorption,
    AnalysisOptions,
    AnalysisResult,
    Balance,
    Breakdown,
    BusFactor,
    Comparison,
    Dependency,
    FlagSummary,
    Heatmap,
    KeyChange,
    MetricChange,
    MonthHours,
    PersonLoad,
    Qualification,
    QualificationByGrade,
    RetirementRisk,
    Seasonality,
    SurveyData,
    TaskSummary,
    Totals,
)

__all__ = [
    "CAPABILITY_SCHEMA",
    "GRADES_SCHEMA",
    "HOURS_SCHEMA",
    "MONTHLY_SCHEMA",
    "PEOPLE_SCHEMA",
    "TASKS_SCHEMA",
    "Absorption",
    "AnalysisOptions",
    "AnalysisResult",
    "Balance",
    "Breakdown",
    "BusFactor",
    "Comparison",
    "Dependency",
    "FlagSummary",
    "Heatmap",
    "KeyChange",
    "MetricChange",
    "MonthHours",
    "PersonLoad",
    "Qualification",
    "QualificationByGrade",
    "RetirementRisk",
    "Seasonality",
    "SurveyData",
    "TaskSummary",
    "Totals",
    "analyze",
    "compare",
    "from_dict",
    "from_snapshot",
    "to_dict",
    "to_snapshot",
]
