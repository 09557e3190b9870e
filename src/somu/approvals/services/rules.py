"""The 決裁権限規程: every save is a new revision with its effective date (改定日)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from somu.approvals import permissions as p
from somu.approvals import presenters
from somu.approvals.models import AuthorityRule, RequestType, RuleVersion
from somu.approvals.services import chart
from somu.approvals.services.base import audit_actor
from somu.audit.services import audit_record
from somu.core.permissions import require
from somu.org.models import Department, Membership
from somu.rules import routing


@dataclass(frozen=True)
class RowInput:
    """One row as the editor, the Excel import and the API give it (ids resolved)."""

    number: int
    request_type: RequestType
    stages: tuple[routing.StageRule, ...]
    category: str = ""
    amount_min: int | None = None
    amount_max: int | None = None
    department: Department | None = None
    condition: str = ""
    note: str = ""


def as_routing(rows: Sequence[RowInput]) -> list[routing.RuleRow]:
    return [routing.RuleRow(number=r.number, request_type=r.request_type.code, stages=r.stages,
                            category=r.category, amount_min=r.amount_min,
                            amount_max=r.amount_max,
                            department_id=r.department.pk if r.department else None,
                            condition=r.condition) for r in rows]


def rows_problems(rows: Sequence[RowInput], org_chart: routing.OrgChart | None = None
                  ) -> list[routing.RouteError]:
    """Everything wrong with a table: each row on its own, and rows that overlap."""
    org_chart = org_chart or chart.org_chart()
    converted = as_routing(rows)
    problems = list(routing.validate_rows(converted, org_chart))
    for r in rows:
        # What only the table knows: the type's categories and its person fields.
        if r.category and r.category not in (r.request_type.categories or []):
            problems.append(routing.RouteError(
                "unknown_category", {"row": r.number, "category": r.category,
                                     "type": r.request_type.name}, row=r.number))
        person_fields = {f.get("key") for f in r.request_type.fields
                         if f.get("type") == "person"}
        for index, stage in enumerate(r.stages):
            if stage.approver == "field" and stage.value and stage.value not in person_fields:
                problems.append(routing.RouteError(
                    "not_a_person_field", {"row": r.number, "field": stage.value,
                                           "type": r.request_type.name},
                    row=r.number, stage=index))
    numbers = [r.number for r in rows]
    for number in sorted({n for n in numbers if numbers.count(n) > 1}):
        problems.append(routing.RouteError("duplicate_row", {"row": number}, row=number))
    return problems


def problems_by_row(problems: Sequence[routing.RouteError]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for problem in problems:
        key = f"row_{problem.row}" if problem.row is not None else "__all__"
        out.setdefault(key, []).append(presenters.error_text(problem))
    return out


@transaction.atomic
def rule_version_save(*, membership: Membership, effective_from: dt.date | None,
                      rows: Sequence[RowInput], note: str = "",
                      now: dt.datetime) -> RuleVersion:
    """Save the table as a new revision, in force from ``effective_from``; nothing is stored
    when any row is wrong (the error names every row and what is wrong with it)."""
    require(membership, p.MANAGE_APPROVALS)
    if effective_from is None:
        raise ValidationError({"effective_from": _("Enter the date the revision takes effect.")})
    if not rows:
        raise ValidationError(_("The table has no rows."))
    problems = rows_problems(rows)
    if problems:
        raise ValidationError(problems_by_row(problems))
    last = RuleVersion.objects.aggregate(n=Max("number"))["n"] or 0
    version = RuleVersion.objects.create(number=last + 1, effective_from=effective_from,
                                         note=note.strip()[:300], created_at=now,
                                         created_by=audit_actor(membership))
    AuthorityRule.objects.bulk_create(
        AuthorityRule(organization_id=version.organization_id, version=version,
                      number=r.number, request_type=r.request_type, category=r.category,
                      amount_min=r.amount_min, amount_max=r.amount_max,
                      department=r.department, condition=r.condition,
                      stages=[chart.stage_dict(s) for s in r.stages], note=r.note[:300])
        for r in sorted(rows, key=lambda r: r.number))
    audit_record(actor=audit_actor(membership), action="approval_rules.save", obj=version,
                 changes={"effective_from": [None, effective_from], "rows": [None, len(rows)],
                          "note": [None, version.note or None]})
    return version


def row_inputs(version: RuleVersion) -> list[RowInput]:
    """A stored revision as editable rows (to start the next revision from)."""
    return [RowInput(number=r.number, request_type=r.request_type,
                     stages=tuple(chart.stage_rule(s) for s in r.stages), category=r.category,
                     amount_min=r.amount_min, amount_max=r.amount_max,
                     department=r.department, condition=r.condition, note=r.note)
            for r in AuthorityRule.objects.filter(version=version)
            .select_related("request_type", "department").order_by("number")]


def rule_test(*, request_type: RequestType, requester_id: int, amount: int | None,
              category: str = "", values: Mapping[str, Any] | None = None,
              department_id: int | None = None, day: dt.date,
              version: RuleVersion | None = None) -> tuple[RuleVersion | None,
                                                            routing.Route | None, str]:
    """The rule tester: the route a hypothetical request would get (or why it would not)."""
    version = version or chart.version_in_force(day)
    if version is None:
        return None, None, _("No approval rules are in force on %(day)s.") % {
            "day": day.isoformat()}
    draft = routing.Draft(request_type=request_type.code, requester_id=requester_id,
                          amount=amount, category=category, department_id=department_id,
                          values=dict(values or {}))
    try:
        return version, routing.resolve(chart.rows_of(version), chart.org_chart(), draft), ""
    except routing.RouteError as error:
        return version, None, presenters.error_text(error)
