"""How the scenario pages show the engine's figures: labelled rows, kinds of number, better or
worse, and each person's load before and after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


def _labels() -> dict[str, tuple[str, str]]:
    """key → (label, kind of number: rate, count, hours, yen)."""
    return {
        "dependency_rate_by_count": (_("Person dependency (属人化率, by count)"), "rate"),
        "dependency_rate_by_hours": (_("Person dependency (属人化率, by hours)"), "rate"),
        "dependent_tasks": (_("Person-dependent tasks"), "count"),
        "overloaded": (_("Overloaded people"), "count"),
        "max_utilization": (_("Highest utilization"), "rate"),
        "over_qualified_hours": (_("Over-qualified hours"), "hours"),
        "over_qualified_cost": (_("Over-qualified cost"), "yen"),
        "total_hours": (_("Total hours"), "hours"),
        "total_cost": (_("Total cost (in-house)"), "yen"),
        "moved_out_hours": (_("Hours moved out (外注・自動化)"), "hours"),
        "unassigned_hours": (_("Hours left unassigned by retirements"), "hours"),
    }


def scope_label(scope: str, label: str) -> str:
    if scope == "organization":
        return _("Bus factor: the whole organization")
    if scope == "function":
        return _("Bus factor: function %(name)s") % {"name": label}
    return _("Bus factor: department %(name)s") % {"name": label}


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    kind: str  # rate, count, hours, yen
    before: float | None
    afters: tuple[Any, ...]  # engine Lines, one per scenario (None: not computed)

    @property
    def headline(self) -> bool:
        return not self.key.startswith("bus_factor:")


def rows(baseline_lines: list[list[Any]]) -> list[Row]:
    """One row per figure across several scenarios' comparison lines (each compared with the
    same baseline): the headline figures first, then the bus factor of each scope."""
    labels = _labels()
    order: list[str] = []
    found: dict[str, dict[int, Any]] = {}
    for column, lines in enumerate(baseline_lines):
        for line in lines:
            if line.key not in found:
                order.append(line.key)
                found[line.key] = {}
            found[line.key][column] = line
    result = []
    for key in order:
        lines_by_column = found[key]
        first = next(iter(lines_by_column.values()))
        if key.startswith("bus_factor:"):
            scope = key.split(":", 2)[1]
            label, kind = scope_label(scope, first.label), "count"
        elif key in labels:
            label, kind = labels[key]
        else:
            continue  # a figure this page does not know how to show
        result.append(Row(key=key, label=label, kind=kind, before=first.before,
                          afters=tuple(lines_by_column.get(c)
                                       for c in range(len(baseline_lines)))))
    return result


@dataclass(frozen=True)
class PersonRow:
    name: str
    capacity: float
    load_before: float | None
    load_after: float | None
    utilization_before: float | None
    utilization_after: float | None
    overloaded_before: bool
    overloaded_after: bool
    hire: bool

    @property
    def change(self) -> float:
        return (self.load_after or 0.0) - (self.load_before or 0.0)

    @property
    def verdict(self) -> str:
        if self.overloaded_after and not self.overloaded_before:
            return "worse"
        if self.overloaded_before and not self.overloaded_after:
            return "better"
        return "same"


def people_rows(baseline: Any, summary: Any | None) -> list[PersonRow]:
    """Each person's load and utilization before and after (hires after everyone)."""
    before = {p.person_id: p for p in baseline.people}
    after = {p.person_id: p for p in summary.people} if summary is not None else {}
    result = []
    for person_id in [*before, *(k for k in after if k not in before)]:
        b, a = before.get(person_id), after.get(person_id)
        any_side = a or b
        assert any_side is not None
        result.append(PersonRow(
            name=any_side.name, capacity=any_side.capacity,
            load_before=b.load if b else None, load_after=a.load if a else None,
            utilization_before=b.utilization if b else None,
            utilization_after=a.utilization if a else None,
            overloaded_before=bool(b and b.overloaded), overloaded_after=bool(a and a.overloaded),
            hire=bool(a and getattr(a, "hire_key", None))))
    return result


def proposal_label(proposal: dict[str, Any]) -> str:
    """最適解 / 暫定解 (with the gap) for a scenario the optimizer proposed; "" otherwise."""
    status = proposal.get("status") if isinstance(proposal, dict) else None
    if status == "optimal":
        return _("Optimal (最適解)")
    if status == "best_found":
        gap = proposal.get("gap")
        if isinstance(gap, int | float):
            return _("Best found (暫定解), gap %(gap)s") % {"gap": f"{gap * 100:.1f}%"}
        return _("Best found (暫定解)")
    return ""


def proposal_check(proposal: dict[str, Any]) -> str:
    """What the check before saving found, recomputing the proposal's scenario (see
    :func:`somu.plans.services.scenario_proposals.verification`); "" for other scenarios and
    for proposals saved before the check was recorded."""
    if not isinstance(proposal, dict) or proposal.get("verified") is not True:
        return ""
    if isinstance(proposal.get("verified_max_utilization"), int | float):
        return _("Checked by recomputing: highest utilization %(value)s") % {
            "value": f"{proposal['verified_max_utilization'] * 100:.1f}%"}
    if isinstance(proposal.get("bus_factor"), int):
        return _("Checked by recomputing: bus factor %(value)s") % {
            "value": proposal["bus_factor"]}
    if isinstance(proposal.get("min_capable"), int):
        return _("Checked by recomputing: at least %(value)s capable people per task") % {
            "value": proposal["min_capable"]}
    return _("Checked by recomputing")
