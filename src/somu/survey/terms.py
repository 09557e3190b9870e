"""The analysis terms (用語): one label per concept, shared by the analysis pages and the Excel
report, so that the screen and the workbook say the same thing (the report once wrote 過剰品質
and 退職で対応者のいなくなる工数 where the pages said オーバースペック and 宙に浮く工数).

Labels are English msgids translated in the catalog; the pages show them in the user's language
(``{% term "orphaned_hours" %}``), the report, a Japanese document, with :func:`ja`. Their
definitions are in ``docs/glossary.md``; change a word here and there, nowhere else.
"""

from __future__ import annotations

from typing import Final

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PERSON_DEPENDENCY: Final = _("Person dependency")  # 属人化
DEPENDENT_TASKS: Final = _("Person-dependent tasks")  # 属人化業務
DEPENDENCY_RATE_COUNT: Final = _("Person dependency rate (by count)")
DEPENDENCY_RATE_HOURS: Final = _("Person dependency rate (by hours)")
BUS_FACTOR: Final = _("Bus factor")
HOURS_LEFT_UNCOVERED: Final = _("Hours left with nobody capable")
OVER_QUALIFIED_HOURS: Final = _("Over-qualified hours")  # オーバースペック工数
OVER_QUALIFIED_COST: Final = _("Over-qualified cost")
UNDER_QUALIFIED_HOURS: Final = _("Under-qualified hours")  # アンダースペック工数
UNDER_QUALIFIED_COST: Final = _("Under-qualified cost")
ORPHANED_HOURS: Final = _("Orphaned hours")  # 宙に浮く工数: nobody else can do it
ABSORBABLE_HOURS: Final = _("Could be absorbed")  # 引き継げる工数
UNABSORBED_HOURS: Final = _("Unabsorbed hours")  # 引き継げない工数
ABSORBED_BY: Final = _("Could be absorbed by")  # 引き継げる人
UTILIZATION: Final = _("Utilization")  # 稼働率
OVERLOADED_PEOPLE: Final = _("Overloaded people")  # 過負荷の人

TERMS: Final[dict[str, Promise]] = {
    "person_dependency": PERSON_DEPENDENCY,
    "dependent_tasks": DEPENDENT_TASKS,
    "dependency_rate_count": DEPENDENCY_RATE_COUNT,
    "dependency_rate_hours": DEPENDENCY_RATE_HOURS,
    "bus_factor": BUS_FACTOR,
    "hours_left_uncovered": HOURS_LEFT_UNCOVERED,
    "over_qualified_hours": OVER_QUALIFIED_HOURS,
    "over_qualified_cost": OVER_QUALIFIED_COST,
    "under_qualified_hours": UNDER_QUALIFIED_HOURS,
    "under_qualified_cost": UNDER_QUALIFIED_COST,
    "orphaned_hours": ORPHANED_HOURS,
    "absorbable_hours": ABSORBABLE_HOURS,
    "unabsorbed_hours": UNABSORBED_HOURS,
    "absorbed_by": ABSORBED_BY,
    "utilization": UTILIZATION,
    "overloaded_people": OVERLOADED_PEOPLE,
}

# How a bus factor was found, as a back-office reader understands it (not 厳密解/貪欲法), with the
# one-sentence explanation the pages show as a tooltip and the print page and report as a note.
BUS_FACTOR_METHODS: Final[dict[str, Promise]] = {
    "exact": _("Calculated exactly"),  # 正確に計算
    "greedy": _("Approximation (upper bound)"),  # 近似（上限つき）
}
BUS_FACTOR_METHOD_HELP: Final[dict[str, Promise]] = {
    "exact": _("Every combination of people was checked: no smaller group leaves more than half "
               "of the hours with nobody capable."),
    "greedy": _("Too many people to check every combination: people were taken away one by one, "
                "the one leaving the most hours uncovered first. The true figure may be smaller, "
                "never larger."),
}


def ja(term: Promise | str) -> str:
    """A term in Japanese, whatever the active language (for the Excel report)."""
    with translation.override("ja"):
        return str(term)
