"""The organization as :mod:`somu.rules.routing` sees it, and the 規程 rows in force.

Reads only; the pure resolution gets plain data, so it is fast and testable without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from somu.approvals.models import AuthorityRule, RuleVersion
from somu.org.models import Department, Person, PersonStatus, Position
from somu.rules import routing


def org_chart() -> routing.OrgChart:
    """The active organization's people, departments, heads and ranks in three queries."""
    people = {
        pk: routing.ChartPerson(id=pk, name=name, department_id=dept, position=position or "",
                                manager_id=manager, active=status == PersonStatus.ACTIVE)
        for pk, name, dept, position, manager, status in Person.objects.values_list(
            "id", "name", "department_id", "position__name", "manager_id", "status")
    }
    departments = {
        pk: routing.ChartDepartment(id=pk, name=name, parent_id=parent, head_id=head)
        for pk, name, parent, head in Department.objects.values_list(
            "id", "name", "parent_id", "head_id")
    }
    ranks = dict(Position.objects.values_list("name", "rank"))
    return routing.OrgChart(people=people, departments=departments, ranks=ranks)


def version_in_force(day: dt.date) -> RuleVersion | None:
    """The 規程 revision a request submitted on ``day`` follows."""
    return (RuleVersion.objects.filter(effective_from__lte=day)
            .order_by("-effective_from", "-number").first())


def stage_rule(data: dict[str, Any]) -> routing.StageRule:
    fallback = data.get("fallback")
    return routing.StageRule(
        kind=data["kind"], approver=data["approver"], value=str(data.get("value", "")),
        position=data.get("position", ""), quorum=data.get("quorum", "any"),
        at_least=int(data.get("at_least", 1)), vacancy=data.get("vacancy", "escalate"),
        fallback=int(fallback) if fallback not in (None, "") else None,
        allow_add=bool(data.get("allow_add", False)), label=data.get("label", ""))


def stage_dict(stage: routing.StageRule) -> dict[str, Any]:
    """A stage rule as stored (only what differs from the defaults)."""
    out: dict[str, Any] = {"kind": stage.kind, "approver": stage.approver}
    defaults = routing.StageRule(kind=stage.kind, approver=stage.approver)
    for name in ("value", "position", "quorum", "at_least", "vacancy", "fallback",
                 "allow_add", "label"):
        value = getattr(stage, name)
        if value != getattr(defaults, name):
            out[name] = value
    return out


def routing_rows(rows: Iterable[AuthorityRule]) -> list[routing.RuleRow]:
    """Stored rows (with ``request_type`` loaded) as the resolver's rows."""
    return [
        routing.RuleRow(
            number=row.number, request_type=row.request_type.code,
            stages=tuple(stage_rule(s) for s in row.stages), category=row.category,
            amount_min=row.amount_min, amount_max=row.amount_max,
            department_id=row.department_id, condition=row.condition)
        for row in rows
    ]


def rows_of(version: RuleVersion) -> list[routing.RuleRow]:
    return routing_rows(AuthorityRule.objects.filter(version=version)
                        .select_related("request_type").order_by("number"))
