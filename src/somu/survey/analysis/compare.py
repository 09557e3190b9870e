"""Two rounds side by side (before / after an improvement)."""

from __future__ import annotations

from .types import AnalysisResult, Comparison, KeyChange, MetricChange


def _metrics(result: AnalysisResult) -> dict[str, float | None]:
    organization = next(b for b in result.bus_factors if b.scope == "organization")
    balance = next(b for b in result.balance if b.scope == "organization")
    return {
        "hours": result.totals.hours,
        "cost": result.totals.cost,
        "people": result.totals.people,
        "people_with_hours": result.totals.people_with_hours,
        "tasks": result.totals.tasks,
        "utilization": result.totals.utilization,
        "dependency_rate_by_count": result.dependency.rate_by_count,
        "dependency_rate_by_hours": result.dependency.rate_by_hours,
        "dependent_tasks": result.dependency.dependent_tasks,
        "dependent_hours": result.dependency.dependent_hours,
        "bus_factor": organization.value,
        "orphaned_hours": max((r.orphaned_hours for r in result.retirement), default=0.0),
        "overloaded": sum(1 for p in result.people if p.overloaded),
        "over_qualified_hours": result.qualification.over_hours,
        "over_qualified_cost": result.qualification.over_cost,
        "under_qualified_hours": result.qualification.under_hours,
        "under_qualified_cost": result.qualification.under_cost,
        "cv": balance.cv,
        "gini": balance.gini,
        "max_over_mean": balance.max_over_mean,
    }


def _changes(before: dict[str, tuple[str, float]],
             after: dict[str, tuple[str, float]]) -> list[KeyChange]:
    changes = []
    for key in before.keys() | after.keys():
        label = (after.get(key) or before[key])[0]
        b = before.get(key, ("", 0.0))[1]
        a = after.get(key, ("", 0.0))[1]
        changes.append(KeyChange(key=key, label=label, before=b, after=a, change=a - b))
    return changes


def compare(before: AnalysisResult, after: AnalysisResult) -> Comparison:
    """What changed from ``before`` to ``after``.

    - ``metrics``: hours, cost, people, people_with_hours, tasks, utilization,
      dependency_rate_by_count, dependency_rate_by_hours, dependent_tasks, dependent_hours,
      bus_factor (the organization's), orphaned_hours (the largest one person would leave),
      overloaded (people count), over/under_qualified_hours/cost, and the organization's cv,
      gini and max_over_mean; change = after − before (None when either is None).
    - ``by_function``: hours per function over the union of both rounds' functions (0 where
      absent), the larger of the two rounds first.
    - ``tasks``: hours per task id over the union, labelled with the task's name (the later
      round's), the largest absolute change first, then by task id.
    - ``bus_factors``: (scope, label, before, after) matched by (scope, key), in the later
      round's order, then the scopes only the earlier round had.
    - ``overloaded_before`` / ``overloaded_after``: the overloaded people's ids, sorted.
    """
    b_metrics, a_metrics = _metrics(before), _metrics(after)
    metrics = []
    for name, b in b_metrics.items():
        a = a_metrics[name]
        metrics.append(MetricChange(
            metric=name, before=None if b is None else float(b),
            after=None if a is None else float(a),
            change=None if a is None or b is None else float(a) - float(b)))

    functions = _changes({f.key: (f.label, f.hours) for f in before.by_function},
                         {f.key: (f.label, f.hours) for f in after.by_function})
    functions.sort(key=lambda c: (-max(c.before, c.after), c.key))
    tasks = _changes({str(t.task_id): (t.name, t.hours) for t in before.tasks},
                     {str(t.task_id): (t.name, t.hours) for t in after.tasks})
    tasks.sort(key=lambda c: (-abs(c.change), int(c.key)))

    earlier = {(b.scope, b.key): b for b in before.bus_factors}
    later = {(b.scope, b.key): b for b in after.bus_factors}
    scopes = [*later, *(k for k in earlier if k not in later)]
    bus_factors = tuple(
        (scope, (later.get((scope, key)) or earlier[(scope, key)]).label,
         earlier[(scope, key)].value if (scope, key) in earlier else None,
         later[(scope, key)].value if (scope, key) in later else None)
        for scope, key in scopes
    )
    return Comparison(
        metrics=tuple(metrics),
        by_function=tuple(functions),
        tasks=tuple(tasks),
        bus_factors=bus_factors,
        overloaded_before=tuple(sorted(p.person_id for p in before.people if p.overloaded)),
        overloaded_after=tuple(sorted(p.person_id for p in after.people if p.overloaded)),
    )
